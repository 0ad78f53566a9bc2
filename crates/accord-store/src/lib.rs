//! Accord's store: the scenarios an analyst saved (with the history of
//! every edit), the runs made from them, and the access tokens of the people
//! allowed to write — in one SQLite file.
//!
//! The store knows nothing of HTTP or of the model: it keeps text and JSON
//! that its callers validated. Its promises:
//!
//! * the file is created on first open and brought up to date by versioned
//!   migrations (`PRAGMA user_version`, see [`SCHEMA_VERSION`]); a file from a
//!   newer Accord is refused rather than guessed at;
//! * the journal is in WAL mode with `synchronous = FULL`, foreign keys are
//!   enforced, and a writer waits up to [`BUSY_TIMEOUT`] for another one;
//! * every write is one transaction, so a write that fails, or a process killed
//!   in the middle of one, leaves the previous version;
//! * SQL is only ever run with bound parameters;
//! * tokens are kept only as a salted SHA-256 hash and compared in constant
//!   time.

mod runs;
mod scenarios;
mod tokens;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Transaction};

pub use runs::{NewRun, Run, RunId, RunKind, RunStatus};
pub use scenarios::{Revision, Scenario, ScenarioFormat, ScenarioId, ScenarioSummary};
pub use tokens::{TOKEN_PREFIX, TokenCheck, TokenInfo};

/// The schema version this build writes; `PRAGMA user_version` holds the
/// version of a file.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// How long a write waits for another connection's write to finish.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The migrations, in order: `MIGRATIONS[i]` brings a file from version `i`
/// to version `i + 1`. Never edit a published one; add the next.
const MIGRATIONS: &[&str] = &[
    // Version 1: scenarios and their revisions, runs, tokens.
    r#"
    CREATE TABLE scenarios (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE scenario_revisions (
        scenario_id INTEGER NOT NULL REFERENCES scenarios(id) ON DELETE CASCADE,
        revision    INTEGER NOT NULL CHECK (revision >= 1),
        format      TEXT NOT NULL CHECK (format IN ('toml', 'json')),
        body        TEXT NOT NULL,
        basis       TEXT,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (scenario_id, revision)
    );
    CREATE TABLE runs (
        id               INTEGER PRIMARY KEY,
        kind             TEXT NOT NULL,
        scenario_id      INTEGER REFERENCES scenarios(id) ON DELETE SET NULL,
        scenario_revision INTEGER,
        settings         TEXT NOT NULL,
        seed             INTEGER NOT NULL,
        samples          INTEGER NOT NULL CHECK (samples >= 0),
        status           TEXT NOT NULL CHECK (status IN
                           ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
        progress         REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
        cancel_requested INTEGER NOT NULL DEFAULT 0,
        result           TEXT,
        error            TEXT,
        rerun_of         INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        created_at       TEXT NOT NULL,
        started_at       TEXT,
        finished_at      TEXT
    );
    CREATE INDEX runs_by_status ON runs(status);
    CREATE TABLE tokens (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        salt        BLOB NOT NULL,
        hash        BLOB NOT NULL,
        revoked     INTEGER NOT NULL DEFAULT 0,
        created_at  TEXT NOT NULL,
        revoked_at  TEXT
    );
    "#,
];

/// SQL for "now" as an RFC 3339 UTC timestamp with milliseconds.
pub(crate) const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused or failed (disk full, locked past the busy timeout, a
    /// damaged file…).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file was written by a newer Accord.
    #[error(
        "the database {path} has schema version {found}, newer than this build knows ({known}); \
         use a newer accord or another --db file"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its `user_version`.
        found: i64,
        /// [`SCHEMA_VERSION`].
        known: i64,
    },
    /// No row with that id.
    #[error("no {what} {which}")]
    NotFound {
        /// "scenario", "run", "token".
        what: &'static str,
        /// Which one, as asked for: `with id 7`, `named "alice"`.
        which: String,
    },
    /// A name already in use.
    #[error("a {what} named {name:?} already exists; choose another name")]
    NameTaken {
        /// "scenario" or "token".
        what: &'static str,
        /// The name.
        name: String,
    },
    /// A value the store will not keep (empty name, progress outside 0–1…).
    #[error("invalid {field}: {message}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong and what would be valid.
        message: String,
    },
    /// The operation does not apply to the run's present status.
    #[error("run {id} is {status}; {message}")]
    WrongStatus {
        /// The run.
        id: RunId,
        /// Its status.
        status: RunStatus,
        /// What would be needed.
        message: &'static str,
    },
    /// The operating system's random source failed.
    #[error("no randomness for a token: {0}")]
    Random(String),
}

/// A `Result` with [`StoreError`].
pub type Result<T> = std::result::Result<T, StoreError>;

/// An open store. Cheap to share behind an `Arc`: one connection guarded by a
/// mutex (SQLite serialises writers anyway, and the workloads are small).
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl Store {
    /// Opens the store at `path`, creating the file if missing and migrating
    /// it to [`SCHEMA_VERSION`]. Runs left `queued` or `running` are kept as
    /// they are: a process that serves runs calls
    /// [`Store::mark_interrupted_runs`] once at start (a command such as
    /// `accord token create` must not touch a live server's runs).
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Self::configure(&conn)?;
        let mut conn = conn;
        migrate(&mut conn, path)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    fn configure(conn: &Connection) -> Result<()> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL lets readers go on during a run's write; FULL makes a commit
        // durable before it returns.
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            return Err(StoreError::Invalid {
                field: "journal_mode",
                message: format!("SQLite kept journal mode {mode:?}; WAL is required"),
            });
        }
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file (after migration, [`SCHEMA_VERSION`]).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.lock().query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check`: `Ok(())` when SQLite answers "ok", else the
    /// problems it lists.
    pub fn integrity_check(&self) -> Result<std::result::Result<(), Vec<String>>> {
        let conn = self.lock();
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let lines: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<_>>()?;
        if lines.len() == 1 && lines[0] == "ok" {
            Ok(Ok(()))
        } else {
            Ok(Err(lines))
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a transaction half
        // done (rusqlite rolls back on drop), so a poisoned lock is safe to use.
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` in one immediate transaction: all of it is committed or none.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

/// Brings `conn` from its `user_version` to [`SCHEMA_VERSION`], one
/// transaction per migration.
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: path.to_path_buf(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        if version == SCHEMA_VERSION {
            return Ok(());
        }
        let Ok(index) = usize::try_from(version) else {
            return Err(StoreError::Invalid {
                field: "user_version",
                message: format!("negative schema version {version} in {}", path.display()),
            });
        };
        tx.execute_batch(MIGRATIONS[index])?;
        // PRAGMA takes no bound parameters; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", version + 1))?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_created_at_the_current_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert!(path.exists());
        let conn = store.lock();
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn a_version_0_file_is_upgraded_keeping_what_it_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            // A file at version 0 that already holds an unrelated table.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('kept');")
                .unwrap();
            let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
            assert_eq!(v, 0);
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        let kept: String = store.lock().query_row("SELECT t FROM notes", [], |r| r.get(0)).unwrap();
        assert_eq!(kept, "kept");
        // Reopening is a no-op.
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(store.integrity_check().unwrap(), Ok(()));
    }

    #[test]
    fn a_newer_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
                .unwrap();
        }
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::NewerSchema { .. }), "{err}");
        assert!(err.to_string().contains("newer"));
    }
}
