//! Caps on the sizes of jobs typed on the command line or read from a
//! scenario, so that no input starts a run of hours or an unbounded
//! allocation without asking. Each cap is about ten minutes of work on a
//! small machine (two cores), measured as `docs/reliability.md` says;
//! `--no-limit` lifts it.

/// Monte Carlo samples of `forecast`, `compare`, `report`: with EUM dynamics
/// (the costliest model) about 1,250 samples a second per core (2,000 in
/// 1.6 s of CPU), so a million is about seven minutes on two cores; without
/// dynamics about 10,000 a second per core. The
/// report keeps the baseline's outcomes: 8 bytes × samples × issues, 160 MB
/// here for 20 issues.
pub const MAX_SAMPLES: u64 = 1_000_000;

/// Samples per candidate of the lever search (`opportunities`), which runs
/// every combination of levers on every sample: Russia's 1,793
/// combinations take about 13 s at 500 samples on two cores, so 20,000 is
/// about ten minutes.
pub const MAX_SEARCH_SAMPLES: u64 = 20_000;

/// `K` of `opportunities --exhaustive`: the keys per issue (lever subsets
/// run once per sample) grow as `Σ C(T_k, r)` for `r ≤ K`; four levers
/// already make 41,448 combinations of Russia's 32.
pub const MAX_EXHAUSTIVE_LEVERS: usize = 4;

/// Combinations of `opportunities --exhaustive`. Russia's 41,448 (32
/// levers, K = 4) take 1.3 s of CPU at 2,000 samples, most of it the model
/// runs; ranking a combination costs about one pass over the samples, so
/// 500,000 combinations at the 20,000 samples [`MAX_SEARCH_SAMPLES`] allows
/// are a few minutes on two cores, with about 100 bytes kept per
/// combination.
pub const MAX_EXHAUSTIVE_COMBINATIONS: u64 = 500_000;

/// Sampled permutations per issue of `influence --permutations`: with EUM
/// dynamics 100 permutations of every SCO issue take 0.4 s of one core, so
/// 100,000 take about seven minutes of one core (without dynamics, 3 s per
/// 10,000).
pub const MAX_PERMUTATIONS: u64 = 100_000;

/// Iterations of `ktab run --max-iterations` (or the XML's): KTAB's default
/// is 100. 10,000 iterations of 27 actors on 6 dimensions take 3 s; the
/// history keeps every actor's position on every dimension at every
/// iteration, so larger scenarios get fewer ([`MAX_HISTORY_POSITIONS`]).
pub const MAX_ITERATIONS: usize = 10_000;

/// Positions the history of `ktab run` may keep (iterations × actors ×
/// dimensions): 50 million, 400 MB of numbers. 250 actors on 2,000
/// dimensions (about 0.75 s an iteration) get 100 iterations.
pub const MAX_HISTORY_POSITIONS: u64 = 50_000_000;

/// Bootstrap resamples of `validate deu --resamples`.
pub const MAX_RESAMPLES: usize = 100_000;

/// Repetitions of the cross-validation of `validate deu --repeats`.
pub const MAX_REPEATS: usize = 1_000;

/// Fails when `value` of `what` is above `limit` and `no_limit` is not set.
pub fn check(what: &str, value: u64, limit: u64, no_limit: bool) -> anyhow::Result<()> {
    if value > limit && !no_limit {
        anyhow::bail!(
            "{what} is {value}, above the limit of {limit} (about ten minutes of work on a two-core machine; \
             see docs/reliability.md): ask for less, or add --no-limit to run it anyway"
        );
    }
    Ok(())
}

/// [`check`] for a sample count, which must also be at least 1.
pub fn check_samples(what: &str, value: u64, limit: u64, no_limit: bool) -> anyhow::Result<()> {
    if value == 0 {
        anyhow::bail!("{what} is 0: there is nothing to forecast; ask for at least 1 sample");
    }
    check(what, value, limit, no_limit)
}

/// Clap's parser of `--samples`: a whole number of at least 1.
pub fn positive_samples(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(0) => Err("0 samples leave nothing to forecast: give at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number of samples (at least 1)")),
    }
}

/// Clap's parser of counts that must be at least 1 (`--max-levers`,
/// `--beam-width`, `--permutations`, `--max-iterations` …).
pub fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("0 is not allowed here: give at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number (at least 1)")),
    }
}

/// Clap's parser of `influence --permutations`: at least 2, since a
/// sampled Shapley value is reported with its standard error, which one
/// permutation cannot give.
pub fn permutations(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(0 | 1) => Err(format!("{s} permutation(s) give no standard error: give at least 2")),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number of permutations (at least 2)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_the_limit_are_refused_and_no_limit_lifts_only_the_limit() {
        assert!(check_samples("--samples", 0, 10, true).is_err());
        assert!(check_samples("--samples", 10, 10, false).is_ok());
        let e = check_samples("--samples", 11, 10, false).unwrap_err().to_string();
        assert!(e.contains("--no-limit") && e.contains("above the limit of 10"), "{e}");
        assert!(check_samples("--samples", 11, 10, true).is_ok());
        assert!(positive_samples("0").is_err());
        assert!(positive_samples("-1").is_err());
        assert_eq!(positive_samples("5"), Ok(5));
        assert!(at_least_one("0").is_err());
        assert_eq!(at_least_one("3"), Ok(3));
    }
}
