//! Runs: an analysis asked for (kind, settings, seed, samples), its status
//! and progress while it goes, and its result JSON when done.
//!
//! Status moves `queued → running → done | failed | cancelled`; a run left
//! `queued` or `running` by a process that died becomes `interrupted` when
//! the next serving process starts ([`Store::mark_interrupted_runs`]), and
//! can be run again ([`Store::rerun`]).

use rusqlite::{OptionalExtension, Row, params};

use crate::scenarios::ScenarioId;
use crate::{NOW, Result, Store, StoreError};

/// A run's id in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RunId(pub i64);

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident => $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $v),* }
        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$v),*];
            /// Its name, as kept in the database and shown in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$v => $s),* }
            }
        }
        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> std::result::Result<Self, String> {
                match s {
                    $($s => Ok($name::$v),)*
                    other => Err(format!(
                        "{other:?} is not one of {}",
                        [$($s),*].join(", ")
                    )),
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// What a run computes (the CLI command of the same name).
    RunKind {
        /// `accord forecast`.
        Forecast => "forecast",
        /// `accord compare`.
        Compare => "compare",
        /// `accord opportunities`.
        Opportunities => "opportunities",
        /// `accord influence`.
        Influence => "influence",
        /// `accord backtest`.
        Backtest => "backtest",
    }
);

string_enum!(
    /// Where a run is.
    RunStatus {
        /// Waiting for a worker.
        Queued => "queued",
        /// Being computed.
        Running => "running",
        /// Finished; `result` holds the JSON.
        Done => "done",
        /// Stopped by an error; `error` says which.
        Failed => "failed",
        /// Cancelled on request.
        Cancelled => "cancelled",
        /// Left unfinished by a process that stopped; can be rerun.
        Interrupted => "interrupted",
    }
);

impl RunStatus {
    /// Whether the run will not change any more.
    pub fn is_final(self) -> bool {
        !matches!(self, RunStatus::Queued | RunStatus::Running)
    }
}

/// A run to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    /// What it computes.
    pub kind: RunKind,
    /// The saved scenario it uses, if any (an inline scenario goes in `settings`).
    pub scenario: Option<(ScenarioId, i64)>,
    /// Everything else that decides the result, as JSON (kept verbatim).
    pub settings: serde_json::Value,
    /// The random seed.
    pub seed: u64,
    /// Monte Carlo samples.
    pub samples: u64,
}

/// A run as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Its id.
    pub id: RunId,
    /// What it computes.
    pub kind: RunKind,
    /// The saved scenario and revision it used, if any.
    pub scenario: Option<(ScenarioId, i64)>,
    /// Its settings.
    pub settings: serde_json::Value,
    /// The random seed.
    pub seed: u64,
    /// Monte Carlo samples.
    pub samples: u64,
    /// Where it is.
    pub status: RunStatus,
    /// Share done, 0–1.
    pub progress: f64,
    /// Whether a cancel was asked for.
    pub cancel_requested: bool,
    /// The result JSON, when done.
    pub result: Option<serde_json::Value>,
    /// The error, when failed or interrupted.
    pub error: Option<String>,
    /// The run this one repeats, if it is a rerun.
    pub rerun_of: Option<RunId>,
    /// When it was asked for (RFC 3339, UTC).
    pub created_at: String,
    /// When a worker took it.
    pub started_at: Option<String>,
    /// When it stopped.
    pub finished_at: Option<String>,
}

const RUN_COLUMNS: &str = "id, kind, scenario_id, scenario_revision, settings, seed, samples, status, \
     progress, cancel_requested, result, error, rerun_of, created_at, started_at, finished_at";

fn bad_column(i: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        i,
        rusqlite::types::Type::Text,
        Box::<dyn std::error::Error + Send + Sync>::from(what),
    )
}

fn json_column(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<serde_json::Value>> {
    let text: Option<String> = r.get(i)?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| bad_column(i, e.to_string())))
        .transpose()
}

fn run_from_row(r: &Row<'_>) -> rusqlite::Result<Run> {
    let scenario_id: Option<i64> = r.get(2)?;
    let scenario_revision: Option<i64> = r.get(3)?;
    let seed: i64 = r.get(5)?;
    let samples: i64 = r.get(6)?;
    Ok(Run {
        id: RunId(r.get(0)?),
        kind: r.get::<_, String>(1)?.parse().map_err(|e| bad_column(1, e))?,
        scenario: scenario_id.zip(scenario_revision).map(|(s, v)| (ScenarioId(s), v)),
        settings: json_column(r, 4)?.unwrap_or(serde_json::Value::Null),
        // SQLite integers are i64: a u64 seed is kept by its bit pattern.
        seed: seed as u64,
        samples: u64::try_from(samples).map_err(|e| bad_column(6, e.to_string()))?,
        status: r.get::<_, String>(7)?.parse().map_err(|e| bad_column(7, e))?,
        progress: r.get(8)?,
        cancel_requested: r.get::<_, i64>(9)? != 0,
        result: json_column(r, 10)?,
        error: r.get(11)?,
        rerun_of: r.get::<_, Option<i64>>(12)?.map(RunId),
        created_at: r.get(13)?,
        started_at: r.get(14)?,
        finished_at: r.get(15)?,
    })
}

fn not_found(id: RunId) -> StoreError {
    StoreError::NotFound {
        what: "run",
        which: format!("with id {id}"),
    }
}

impl Store {
    /// Records a new run, `queued`.
    pub fn create_run(&self, run: &NewRun) -> Result<RunId> {
        self.insert_run(run, None)
    }

    fn insert_run(&self, run: &NewRun, rerun_of: Option<RunId>) -> Result<RunId> {
        let samples = i64::try_from(run.samples).map_err(|_| StoreError::Invalid {
            field: "samples",
            message: format!("{} is too large", run.samples),
        })?;
        let settings = run.settings.to_string();
        self.write(|tx| {
            tx.execute(
                &format!(
                    "INSERT INTO runs (kind, scenario_id, scenario_revision, settings, seed, samples, \
                     status, rerun_of, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', ?7, {NOW})"
                ),
                params![
                    run.kind.as_str(),
                    run.scenario.map(|s| s.0.0),
                    run.scenario.map(|s| s.1),
                    settings,
                    run.seed as i64,
                    samples,
                    rerun_of.map(|r| r.0),
                ],
            )?;
            Ok(RunId(tx.last_insert_rowid()))
        })
    }

    /// The run `id`.
    pub fn run(&self, id: RunId) -> Result<Run> {
        let conn = self.lock();
        conn.query_row(
            &format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = ?1"),
            params![id.0],
            run_from_row,
        )
        .optional()?
        .ok_or_else(|| not_found(id))
    }

    /// The most recent `limit` runs, newest first.
    pub fn runs(&self, limit: u32) -> Result<Vec<Run>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(&format!("SELECT {RUN_COLUMNS} FROM runs ORDER BY id DESC LIMIT ?1"))?;
        let rows = stmt.query_map(params![limit], run_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A worker takes run `id`: `queued → running`. Returns `false` (and
    /// changes nothing) when the run is no longer queued, e.g. cancelled
    /// while it waited.
    pub fn start_run(&self, id: RunId) -> Result<bool> {
        self.write(|tx| {
            let n = tx.execute(
                &format!(
                    "UPDATE runs SET status = 'running', started_at = {NOW} \
                     WHERE id = ?1 AND status = 'queued'"
                ),
                params![id.0],
            )?;
            Ok(n == 1)
        })
    }

    /// Records progress (0–1) of a running run; returns whether a cancel
    /// was asked for, so the worker can stop.
    pub fn set_progress(&self, id: RunId, progress: f64) -> Result<bool> {
        if !(0.0..=1.0).contains(&progress) {
            return Err(StoreError::Invalid {
                field: "progress",
                message: format!("{progress} is outside 0–1"),
            });
        }
        self.write(|tx| {
            tx.execute(
                "UPDATE runs SET progress = MAX(progress, ?2) WHERE id = ?1 AND status = 'running'",
                params![id.0, progress],
            )?;
            let cancel: Option<i64> = tx
                .query_row("SELECT cancel_requested FROM runs WHERE id = ?1", params![id.0], |r| {
                    r.get(0)
                })
                .optional()?;
            cancel.map(|c| c != 0).ok_or_else(|| not_found(id))
        })
    }

    /// Finishes a running run with its result.
    pub fn finish_run(&self, id: RunId, result: &serde_json::Value) -> Result<()> {
        let text = result.to_string();
        self.end_run(id, "status = 'done', progress = 1, result = ?2", params![id.0, text])
    }

    /// Ends a running run with an error.
    pub fn fail_run(&self, id: RunId, error: &str) -> Result<()> {
        self.end_run(id, "status = 'failed', error = ?2", params![id.0, error])
    }

    /// Ends a running run whose worker saw the cancel flag.
    pub fn mark_cancelled(&self, id: RunId) -> Result<()> {
        self.end_run(id, "status = 'cancelled'", params![id.0])
    }

    fn end_run(&self, id: RunId, set: &str, params: &[&dyn rusqlite::ToSql]) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                &format!("UPDATE runs SET {set}, finished_at = {NOW} WHERE id = ?1 AND status = 'running'"),
                params,
            )?;
            if n == 1 {
                return Ok(());
            }
            let status: Option<String> = tx
                .query_row("SELECT status FROM runs WHERE id = ?1", params![id.0], |r| r.get(0))
                .optional()?;
            match status {
                None => Err(not_found(id)),
                Some(s) => Err(StoreError::WrongStatus {
                    id,
                    status: s.parse().unwrap_or(RunStatus::Failed),
                    message: "only a running run can be ended",
                }),
            }
        })
    }

    /// Asks for run `id` to stop: a queued run is cancelled at once, a
    /// running one is flagged for its worker. Returns the status after.
    /// Cancelling a finished run changes nothing.
    pub fn request_cancel(&self, id: RunId) -> Result<RunStatus> {
        self.write(|tx| {
            tx.execute(
                &format!(
                    "UPDATE runs SET status = 'cancelled', cancel_requested = 1, finished_at = {NOW} \
                     WHERE id = ?1 AND status = 'queued'"
                ),
                params![id.0],
            )?;
            tx.execute(
                "UPDATE runs SET cancel_requested = 1 WHERE id = ?1 AND status = 'running'",
                params![id.0],
            )?;
            let status: Option<String> = tx
                .query_row("SELECT status FROM runs WHERE id = ?1", params![id.0], |r| r.get(0))
                .optional()?;
            let status = status.ok_or_else(|| not_found(id))?;
            status.parse().map_err(|e: String| StoreError::Invalid {
                field: "status",
                message: e,
            })
        })
    }

    /// Marks every run left `queued` or `running` as `interrupted`. A process
    /// that serves runs calls this once when it starts: no worker of its own
    /// holds a run yet, so any such run belonged to a process that stopped.
    /// Returns the runs marked.
    pub fn mark_interrupted_runs(&self) -> Result<Vec<RunId>> {
        self.write(|tx| {
            let mut stmt = tx.prepare("SELECT id FROM runs WHERE status IN ('queued', 'running') ORDER BY id")?;
            let ids: Vec<RunId> = stmt
                .query_map([], |r| r.get(0).map(RunId))?
                .collect::<rusqlite::Result<_>>()?;
            tx.execute(
                &format!(
                    "UPDATE runs SET status = 'interrupted', finished_at = {NOW}, \
                     error = 'the server stopped before the run finished; run it again' \
                     WHERE status IN ('queued', 'running')"
                ),
                [],
            )?;
            Ok(ids)
        })
    }

    /// Queues a new run with the same kind, scenario, settings, seed and
    /// samples as run `id`, which must have ended (`interrupted`, `failed`,
    /// `cancelled` or `done`).
    pub fn rerun(&self, id: RunId) -> Result<RunId> {
        let old = self.run(id)?;
        if !old.status.is_final() {
            return Err(StoreError::WrongStatus {
                id,
                status: old.status,
                message: "wait for it to end or cancel it first",
            });
        }
        let new = NewRun {
            kind: old.kind,
            scenario: old.scenario,
            settings: old.settings,
            seed: old.seed,
            samples: old.samples,
        };
        self.insert_run(&new, Some(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.db")).unwrap();
        (dir, store)
    }

    fn new_run(seed: u64) -> NewRun {
        NewRun {
            kind: RunKind::Forecast,
            scenario: None,
            settings: json!({"horizon": 2030}),
            seed,
            samples: 200,
        }
    }

    #[test]
    fn a_run_goes_from_queued_to_done_with_its_result() {
        let (_d, store) = store();
        let id = store.create_run(&new_run(u64::MAX)).unwrap();
        let r = store.run(id).unwrap();
        assert_eq!(r.status, RunStatus::Queued);
        assert_eq!(r.seed, u64::MAX, "the seed survives the i64 column");
        assert!(store.start_run(id).unwrap());
        assert!(!store.start_run(id).unwrap(), "a run is taken once");
        assert!(!store.set_progress(id, 0.5).unwrap());
        assert!(store.set_progress(id, 1.5).is_err());
        store.finish_run(id, &json!({"issues": [1, 2]})).unwrap();
        let r = store.run(id).unwrap();
        assert_eq!(r.status, RunStatus::Done);
        assert_eq!(r.progress, 1.0);
        assert_eq!(r.result, Some(json!({"issues": [1, 2]})));
        assert!(r.finished_at.is_some());
        // A finished run cannot be ended again.
        assert!(matches!(
            store.fail_run(id, "late"),
            Err(StoreError::WrongStatus { .. })
        ));
    }

    #[test]
    fn cancel_stops_a_queued_run_and_flags_a_running_one() {
        let (_d, store) = store();
        let queued = store.create_run(&new_run(1)).unwrap();
        assert_eq!(store.request_cancel(queued).unwrap(), RunStatus::Cancelled);
        assert!(!store.start_run(queued).unwrap());
        let running = store.create_run(&new_run(2)).unwrap();
        store.start_run(running).unwrap();
        assert_eq!(store.request_cancel(running).unwrap(), RunStatus::Running);
        assert!(store.set_progress(running, 0.2).unwrap(), "the worker sees the flag");
        store.mark_cancelled(running).unwrap();
        assert_eq!(store.run(running).unwrap().status, RunStatus::Cancelled);
        assert!(matches!(
            store.request_cancel(RunId(99)),
            Err(StoreError::NotFound { .. })
        ));
    }

    #[test]
    fn runs_left_by_a_dead_process_become_interrupted_and_can_be_rerun() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("i.db");
        let (a, b, c);
        {
            let store = Store::open(&path).unwrap();
            a = store.create_run(&new_run(1)).unwrap();
            b = store.create_run(&new_run(2)).unwrap();
            c = store.create_run(&new_run(3)).unwrap();
            store.start_run(b).unwrap();
            store.start_run(c).unwrap();
            store.fail_run(c, "boom").unwrap();
        }
        let store = Store::open(&path).unwrap();
        // Opening alone changes nothing.
        assert_eq!(store.run(b).unwrap().status, RunStatus::Running);
        assert_eq!(store.mark_interrupted_runs().unwrap(), vec![a, b]);
        assert_eq!(store.run(a).unwrap().status, RunStatus::Interrupted);
        assert_eq!(store.run(b).unwrap().status, RunStatus::Interrupted);
        assert_eq!(store.run(c).unwrap().status, RunStatus::Failed);
        let again = store.rerun(b).unwrap();
        let r = store.run(again).unwrap();
        assert_eq!(r.status, RunStatus::Queued);
        assert_eq!((r.seed, r.samples, r.kind), (2, 200, RunKind::Forecast));
        assert_eq!(r.rerun_of, Some(b));
        assert!(matches!(store.rerun(again), Err(StoreError::WrongStatus { .. })));
        assert_eq!(store.runs(10).unwrap().len(), 4);
    }

    #[test]
    fn kinds_and_statuses_round_trip_and_reject_unknown_names() {
        for k in RunKind::ALL {
            assert_eq!(k.as_str().parse::<RunKind>().unwrap(), *k);
        }
        for s in RunStatus::ALL {
            assert_eq!(s.as_str().parse::<RunStatus>().unwrap(), *s);
        }
        let err = "forcast".parse::<RunKind>().unwrap_err();
        assert!(err.contains("forecast, compare"), "{err}");
    }
}
