//! Saved scenarios and the history of their edits: every save is a new
//! revision, with the analyst's `basis` for the edit kept beside it.

use rusqlite::{OptionalExtension, params};

use crate::{NOW, Result, Store, StoreError};

/// A scenario's id in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScenarioId(pub i64);

impl std::fmt::Display for ScenarioId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The text format of a scenario body (the same formats `accord_io` reads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScenarioFormat {
    /// TOML, as in scenario files.
    Toml,
    /// JSON, as posted by the API.
    Json,
}

impl ScenarioFormat {
    /// The name kept in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            ScenarioFormat::Toml => "toml",
            ScenarioFormat::Json => "json",
        }
    }

    fn parse(s: &str) -> rusqlite::Result<Self> {
        match s {
            "toml" => Ok(ScenarioFormat::Toml),
            "json" => Ok(ScenarioFormat::Json),
            other => Err(rusqlite::Error::InvalidColumnType(
                0,
                format!("scenario format {other:?}"),
                rusqlite::types::Type::Text,
            )),
        }
    }
}

/// A scenario at its latest revision.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Its id.
    pub id: ScenarioId,
    /// Its unique name.
    pub name: String,
    /// The latest revision number (1 for a new scenario).
    pub revision: i64,
    /// The latest body's format.
    pub format: ScenarioFormat,
    /// The latest body.
    pub body: String,
    /// The basis given with the latest edit, if any.
    pub basis: Option<String>,
    /// When it was first saved (RFC 3339, UTC).
    pub created_at: String,
    /// When it was last saved.
    pub updated_at: String,
}

/// A scenario in a listing (no body).
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioSummary {
    /// Its id.
    pub id: ScenarioId,
    /// Its name.
    pub name: String,
    /// The latest revision number.
    pub revision: i64,
    /// When it was first saved.
    pub created_at: String,
    /// When it was last saved.
    pub updated_at: String,
}

/// One saved revision of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// Its number, from 1.
    pub revision: i64,
    /// The body's format.
    pub format: ScenarioFormat,
    /// The body as saved.
    pub body: String,
    /// Why the edit was made, as the analyst wrote it.
    pub basis: Option<String>,
    /// When it was saved.
    pub created_at: String,
}

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(StoreError::Invalid {
            field: "name",
            message: "a scenario needs a non-empty name".into(),
        });
    }
    if name.chars().count() > 200 {
        return Err(StoreError::Invalid {
            field: "name",
            message: "at most 200 characters".into(),
        });
    }
    Ok(())
}

fn name_taken(err: rusqlite::Error, name: &str) -> StoreError {
    match &err {
        rusqlite::Error::SqliteFailure(e, _) if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
            StoreError::NameTaken {
                what: "scenario",
                name: name.to_string(),
            }
        }
        _ => StoreError::Sqlite(err),
    }
}

impl Store {
    /// Saves a new scenario as revision 1. The caller has validated `body`.
    pub fn create_scenario(
        &self,
        name: &str,
        format: ScenarioFormat,
        body: &str,
        basis: Option<&str>,
    ) -> Result<Scenario> {
        check_name(name)?;
        let id = self.write(|tx| {
            tx.execute(
                &format!("INSERT INTO scenarios (name, created_at, updated_at) VALUES (?1, {NOW}, {NOW})"),
                params![name],
            )
            .map_err(|e| name_taken(e, name))?;
            let id = tx.last_insert_rowid();
            tx.execute(
                &format!(
                    "INSERT INTO scenario_revisions (scenario_id, revision, format, body, basis, created_at) \
                     VALUES (?1, 1, ?2, ?3, ?4, {NOW})"
                ),
                params![id, format.as_str(), body, basis],
            )?;
            Ok(ScenarioId(id))
        })?;
        self.scenario(id)
    }

    /// Saves a new revision of scenario `id` (and renames it when `name` is
    /// given). The previous revisions stay in its history.
    pub fn update_scenario(
        &self,
        id: ScenarioId,
        name: Option<&str>,
        format: ScenarioFormat,
        body: &str,
        basis: Option<&str>,
    ) -> Result<Scenario> {
        if let Some(name) = name {
            check_name(name)?;
        }
        self.write(|tx| {
            let latest: Option<i64> = tx
                .query_row(
                    "SELECT MAX(revision) FROM scenario_revisions WHERE scenario_id = ?1",
                    params![id.0],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            let Some(latest) = latest else {
                return Err(StoreError::NotFound {
                    what: "scenario",
                    which: format!("with id {id}"),
                });
            };
            if let Some(name) = name {
                tx.execute("UPDATE scenarios SET name = ?2 WHERE id = ?1", params![id.0, name])
                    .map_err(|e| name_taken(e, name))?;
            }
            tx.execute(
                &format!("UPDATE scenarios SET updated_at = {NOW} WHERE id = ?1"),
                params![id.0],
            )?;
            tx.execute(
                &format!(
                    "INSERT INTO scenario_revisions (scenario_id, revision, format, body, basis, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, {NOW})"
                ),
                params![id.0, latest + 1, format.as_str(), body, basis],
            )?;
            Ok(())
        })?;
        self.scenario(id)
    }

    /// The scenario at its latest revision.
    pub fn scenario(&self, id: ScenarioId) -> Result<Scenario> {
        let conn = self.lock();
        conn.query_row(
            "SELECT s.id, s.name, r.revision, r.format, r.body, r.basis, s.created_at, s.updated_at \
             FROM scenarios s JOIN scenario_revisions r ON r.scenario_id = s.id \
             WHERE s.id = ?1 ORDER BY r.revision DESC LIMIT 1",
            params![id.0],
            |r| {
                Ok(Scenario {
                    id: ScenarioId(r.get(0)?),
                    name: r.get(1)?,
                    revision: r.get(2)?,
                    format: ScenarioFormat::parse(&r.get::<_, String>(3)?)?,
                    body: r.get(4)?,
                    basis: r.get(5)?,
                    created_at: r.get(6)?,
                    updated_at: r.get(7)?,
                })
            },
        )
        .optional()?
        .ok_or(StoreError::NotFound {
            what: "scenario",
            which: format!("with id {id}"),
        })
    }

    /// Every scenario, by id.
    pub fn scenarios(&self) -> Result<Vec<ScenarioSummary>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT s.id, s.name, (SELECT MAX(revision) FROM scenario_revisions r WHERE r.scenario_id = s.id), \
             s.created_at, s.updated_at FROM scenarios s ORDER BY s.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(ScenarioSummary {
                id: ScenarioId(r.get(0)?),
                name: r.get(1)?,
                revision: r.get(2)?,
                created_at: r.get(3)?,
                updated_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every revision of scenario `id`, oldest first.
    pub fn scenario_history(&self, id: ScenarioId) -> Result<Vec<Revision>> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT revision, format, body, basis, created_at FROM scenario_revisions \
             WHERE scenario_id = ?1 ORDER BY revision",
        )?;
        let rows: Vec<Revision> = stmt
            .query_map(params![id.0], |r| {
                Ok(Revision {
                    revision: r.get(0)?,
                    format: ScenarioFormat::parse(&r.get::<_, String>(1)?)?,
                    body: r.get(2)?,
                    basis: r.get(3)?,
                    created_at: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        if rows.is_empty() {
            return Err(StoreError::NotFound {
                what: "scenario",
                which: format!("with id {id}"),
            });
        }
        Ok(rows)
    }

    /// Deletes scenario `id` and its history; runs made from it keep their
    /// settings and results but lose the link.
    pub fn delete_scenario(&self, id: ScenarioId) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute("DELETE FROM scenarios WHERE id = ?1", params![id.0])?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "scenario",
                    which: format!("with id {id}"),
                });
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db")).unwrap();
        (dir, store)
    }

    #[test]
    fn every_save_is_a_revision_with_its_basis() {
        let (_d, store) = store();
        let s = store
            .create_scenario("base", ScenarioFormat::Toml, "a = 1", None)
            .unwrap();
        assert_eq!(s.revision, 1);
        let s2 = store
            .update_scenario(s.id, None, ScenarioFormat::Json, "{\"a\":2}", Some("TASS, 3 July 2024"))
            .unwrap();
        assert_eq!(s2.revision, 2);
        assert_eq!(s2.body, "{\"a\":2}");
        assert_eq!(s2.basis.as_deref(), Some("TASS, 3 July 2024"));
        let history = store.scenario_history(s.id).unwrap();
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].body, "a = 1");
        assert_eq!(history[0].format, ScenarioFormat::Toml);
        assert_eq!(history[1].basis.as_deref(), Some("TASS, 3 July 2024"));
    }

    #[test]
    fn a_taken_name_fails_and_leaves_the_previous_version() {
        let (_d, store) = store();
        let a = store.create_scenario("a", ScenarioFormat::Toml, "x = 1", None).unwrap();
        store.create_scenario("b", ScenarioFormat::Toml, "y = 1", None).unwrap();
        let err = store.create_scenario("a", ScenarioFormat::Toml, "z", None).unwrap_err();
        assert!(matches!(err, StoreError::NameTaken { .. }), "{err}");
        // A rename onto a taken name fails as a whole: no new revision either.
        let err = store
            .update_scenario(a.id, Some("b"), ScenarioFormat::Toml, "x = 2", None)
            .unwrap_err();
        assert!(matches!(err, StoreError::NameTaken { .. }), "{err}");
        let now = store.scenario(a.id).unwrap();
        assert_eq!((now.name.as_str(), now.revision, now.body.as_str()), ("a", 1, "x = 1"));
        assert_eq!(store.scenarios().unwrap().len(), 2);
    }

    #[test]
    fn missing_and_deleted_scenarios_are_not_found() {
        let (_d, store) = store();
        assert!(matches!(
            store.scenario(ScenarioId(7)),
            Err(StoreError::NotFound { .. })
        ));
        let a = store.create_scenario("a", ScenarioFormat::Toml, "x", None).unwrap();
        store.delete_scenario(a.id).unwrap();
        assert!(matches!(store.scenario_history(a.id), Err(StoreError::NotFound { .. })));
        assert!(matches!(store.delete_scenario(a.id), Err(StoreError::NotFound { .. })));
        assert!(matches!(
            store.update_scenario(a.id, None, ScenarioFormat::Toml, "y", None),
            Err(StoreError::NotFound { .. })
        ));
        assert!(store.create_scenario(" ", ScenarioFormat::Toml, "x", None).is_err());
    }

    #[test]
    fn names_and_bodies_are_bound_not_spliced() {
        let (_d, store) = store();
        let evil = "x'); DROP TABLE scenarios; --";
        let s = store
            .create_scenario(evil, ScenarioFormat::Toml, evil, Some(evil))
            .unwrap();
        assert_eq!(store.scenario(s.id).unwrap().name, evil);
        assert_eq!(store.scenarios().unwrap().len(), 1);
    }
}
