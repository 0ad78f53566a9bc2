//! Identifier newtypes: an actor's code and any other entry's id.

use std::fmt;

use serde::Serialize;

/// An actor's code: ISO 3166-1 alpha-3 for states (`RUS`), a short upper-case
/// code for organizations (`SCO`, `NATO`). 2–6 characters of `A–Z` and `0–9`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ActorId(String);

impl ActorId {
    /// Validates and wraps an actor code.
    pub fn new(code: &str) -> Result<Self, String> {
        let ok = (2..=6).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && code.bytes().next().is_some_and(|b| b.is_ascii_uppercase());
        if ok {
            Ok(ActorId(code.to_owned()))
        } else {
            Err(format!(
                "`{code}` is not an actor code: use 2–6 upper-case letters or digits starting with a letter, e.g. `RUS`, `SCO`"
            ))
        }
    }

    /// The code as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The id of a source, body, instrument or event: lower-case `a–z`, `0–9`
/// and `-`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EntryId(String);

impl EntryId {
    /// Validates and wraps an entry id.
    pub fn new(id: &str) -> Result<Self, String> {
        let ok = !id.is_empty()
            && id.len() <= 80
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !id.starts_with('-');
        if ok {
            Ok(EntryId(id.to_owned()))
        } else {
            Err(format!(
                "`{id}` is not an entry id: use lower-case letters, digits and `-` (at most 80), e.g. `rats` or `summit-2009-yekaterinburg`"
            ))
        }
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_codes() {
        assert!(ActorId::new("RUS").is_ok());
        assert!(ActorId::new("CSTO").is_ok());
        assert!(ActorId::new("rus").is_err());
        assert!(ActorId::new("R").is_err());
        assert!(ActorId::new("1AB").is_err());
    }

    #[test]
    fn entry_ids() {
        assert!(EntryId::new("summit-2009-yekaterinburg").is_ok());
        assert!(EntryId::new("Rats").is_err());
        assert!(EntryId::new("").is_err());
        assert!(EntryId::new("-x").is_err());
    }
}
