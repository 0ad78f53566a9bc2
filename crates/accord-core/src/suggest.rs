//! "Did you mean …?" for misspelt ids: the closest known id by
//! Damerau–Levenshtein distance (`strsim`), when it is close enough to be a
//! likely typo.

/// The candidate closest to `word` (case-insensitive Damerau–Levenshtein
/// distance), if that distance is at most a third of the word's length
/// (at least 1, at most 3): close enough to be a typo rather than another id.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_lowercase();
    let limit = (w.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (strsim::damerau_levenshtein(&w, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// `" (did you mean `X`?)"` when [`closest`] finds a candidate, else `""`:
/// ready to append to an "unknown …" message.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates).map_or_else(String::new, |c| format!(" (did you mean `{c}`?)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_not_strangers() {
        let ids = ["RUS", "CHN", "KAZ", "security-belts"];
        assert_eq!(closest("RSU", ids), Some("RUS"));
        assert_eq!(closest("rus", ids), Some("RUS"));
        assert_eq!(closest("security-belt", ids), Some("security-belts"));
        assert_eq!(closest("USA", ids), None);
        assert_eq!(did_you_mean("CHM", ids), " (did you mean `CHN`?)");
        assert_eq!(did_you_mean("zzzzzz", ids), "");
    }
}
