//! Access tokens: a named secret that lets a person write through the API.
//!
//! A token is 32 random bytes from the operating system, shown once as
//! `accord_` and 64 hex digits. The store keeps only a 16-byte random salt
//! and SHA-256(salt ‖ token); a presented token is hashed with each salt and
//! compared in constant time ([`subtle`]), so neither the database nor the
//! timing of a refusal gives the secret away. Revoking keeps the row (the
//! name stays taken and a revoked token is told apart from an unknown one).

use rusqlite::params;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{NOW, Result, Store, StoreError};

/// The visible prefix of every token.
pub const TOKEN_PREFIX: &str = "accord_";

/// A token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// Its name.
    pub name: String,
    /// Whether it was revoked.
    pub revoked: bool,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
    /// When it was revoked.
    pub revoked_at: Option<String>,
}

/// What a presented token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenCheck {
    /// A live token with this name.
    Valid(String),
    /// A token with this name that was revoked.
    Revoked(String),
    /// No token matches.
    Unknown,
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Random(e.to_string()))?;
    Ok(buf)
}

fn hash(salt: &[u8], token: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(token.as_bytes());
    h.finalize().into()
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if ok {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            field: "name",
            message: format!("{name:?}: a token name is 1–64 characters of letters, digits, '-', '_', '.', '@'"),
        })
    }
}

impl Store {
    /// Creates a token named `name` and returns its secret — the only time
    /// it exists outside the caller's hands.
    pub fn create_token(&self, name: &str) -> Result<String> {
        check_name(name)?;
        let secret = format!("{TOKEN_PREFIX}{}", hex::encode(random::<32>()?));
        let salt = random::<16>()?;
        let digest = hash(&salt, &secret);
        self.write(|tx| {
            tx.execute(
                &format!("INSERT INTO tokens (name, salt, hash, created_at) VALUES (?1, ?2, ?3, {NOW})"),
                params![name, &salt[..], &digest[..]],
            )
            .map_err(|e| match &e {
                rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {
                    StoreError::NameTaken {
                        what: "token",
                        name: name.to_string(),
                    }
                }
                _ => StoreError::Sqlite(e),
            })?;
            Ok(())
        })?;
        Ok(secret)
    }

    /// Revokes the token named `name`. Revoking a revoked token is a no-op.
    pub fn revoke_token(&self, name: &str) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute(
                &format!(
                    "UPDATE tokens SET revoked = 1, revoked_at = COALESCE(revoked_at, {NOW}) \
                     WHERE name = ?1"
                ),
                params![name],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "token",
                    which: format!("named {name:?}"),
                });
            }
            Ok(())
        })
    }

    /// Deletes the token named `name`, so that the name can be used again.
    /// For a token whose secret never reached its holder (`accord token
    /// create` whose output could not be written); a token that was handed
    /// out is revoked instead, which keeps its record.
    pub fn delete_token(&self, name: &str) -> Result<()> {
        self.write(|tx| {
            let n = tx.execute("DELETE FROM tokens WHERE name = ?1", params![name])?;
            if n == 0 {
                return Err(StoreError::NotFound {
                    what: "token",
                    which: format!("named {name:?}"),
                });
            }
            Ok(())
        })
    }

    /// Every token, by name.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT name, revoked, created_at, revoked_at FROM tokens ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(TokenInfo {
                name: r.get(0)?,
                revoked: r.get::<_, i64>(1)? != 0,
                created_at: r.get(2)?,
                revoked_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// What the presented `token` is. Every stored token is checked, in
    /// constant time each, whatever matches first.
    pub fn check_token(&self, token: &str) -> Result<TokenCheck> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT name, salt, hash, revoked FROM tokens")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Vec<u8>>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, i64>(3)? != 0,
            ))
        })?;
        let mut found = TokenCheck::Unknown;
        for row in rows {
            let (name, salt, stored, revoked) = row?;
            let digest = hash(&salt, token);
            if bool::from(digest.as_slice().ct_eq(&stored)) {
                found = if revoked {
                    TokenCheck::Revoked(name)
                } else {
                    TokenCheck::Valid(name)
                };
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_valid_until_revoked_and_only_its_hash_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        let alice = store.create_token("alice").unwrap();
        let bob = store.create_token("bob").unwrap();
        assert!(alice.starts_with(TOKEN_PREFIX) && alice.len() == TOKEN_PREFIX.len() + 64);
        assert_ne!(alice, bob);
        assert_eq!(store.check_token(&alice).unwrap(), TokenCheck::Valid("alice".into()));
        assert_eq!(store.check_token("accord_00").unwrap(), TokenCheck::Unknown);
        assert_eq!(store.check_token("").unwrap(), TokenCheck::Unknown);
        store.revoke_token("alice").unwrap();
        assert_eq!(store.check_token(&alice).unwrap(), TokenCheck::Revoked("alice".into()));
        assert_eq!(store.check_token(&bob).unwrap(), TokenCheck::Valid("bob".into()));
        let list = store.tokens().unwrap();
        assert_eq!(list.len(), 2);
        assert!(list[0].revoked && !list[1].revoked);
        // The secret is nowhere in the file's token rows.
        let conn = store.lock();
        let n: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM tokens WHERE CAST(hash AS TEXT) LIKE ?1 OR name = ?2",
                params![format!("%{}%", &alice[7..]), alice],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn names_are_checked_and_unique() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        store.create_token("ci").unwrap();
        assert!(matches!(store.create_token("ci"), Err(StoreError::NameTaken { .. })));
        assert!(matches!(store.create_token(""), Err(StoreError::Invalid { .. })));
        assert!(matches!(store.create_token("a b"), Err(StoreError::Invalid { .. })));
        assert!(matches!(store.revoke_token("nobody"), Err(StoreError::NotFound { .. })));
        // A deleted token no longer opens anything, and its name is free.
        let first = store.create_token("ops").unwrap();
        store.delete_token("ops").unwrap();
        assert_eq!(store.check_token(&first).unwrap(), TokenCheck::Unknown);
        assert!(store.create_token("ops").is_ok());
        assert!(matches!(store.delete_token("nobody"), Err(StoreError::NotFound { .. })));
    }
}
