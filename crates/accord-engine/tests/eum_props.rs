//! Property tests of EUM: no panics or NaN on valid input, positions stay in
//! the input range, and the fast path agrees with the exact accumulation
//! order.

use accord_engine::eum::{self, EumProfile, EumSettings, TRule};
use proptest::prelude::*;

fn actors() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, Vec<f64>)> {
    (1usize..14).prop_flat_map(|n| {
        let pos = prop_oneof![(0u32..=4).prop_map(|v| f64::from(v) * 25.0), -50.0..150.0f64];
        let unit = prop_oneof![Just(0.0), Just(1.0), 0.0..=1.0f64];
        (
            prop::collection::vec(unit.clone(), n),
            prop::collection::vec(pos, n),
            prop::collection::vec(unit, n),
        )
    })
}

fn settings() -> impl Strategy<Value = EumSettings> {
    (
        prop_oneof![Just(EumProfile::Replication), Just(EumProfile::Paper)],
        prop_oneof![Just(1.0), Just(0.5), 0.0..=1.0f64],
        prop_oneof![Just(TRule::MedianCloser), Just(TRule::Better), Just(TRule::Worse)],
        0usize..6,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(profile, q, t_rule, rounds, capitulation, exact)| EumSettings {
            profile,
            q,
            t_rule,
            rounds,
            range: None,
            capitulation: Some(capitulation),
            exact,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn runs_are_finite_and_stay_in_range((c, x, s) in actors(), settings in settings()) {
        let run = eum::run_1d(&c, &x, &s, &settings).unwrap();
        let lo = x.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        prop_assert_eq!(run.positions.len(), settings.rounds + 1);
        for p in run.positions.iter().flatten() {
            prop_assert!(p.is_finite() && *p >= lo && *p <= hi, "{p} outside [{lo}, {hi}]");
        }
        for v in run.medians().iter().chain(&run.means()) {
            prop_assert!(v.is_finite());
        }
        for r in &run.rounds {
            prop_assert!(r.r.iter().all(|v| (0.5 - 1e-12..=2.0 + 1e-12).contains(v)));
            prop_assert!(r.big_r.iter().all(|v| (-1.0 - 1e-12..=1.0 + 1e-12).contains(v)));
            prop_assert!(r.moves.iter().all(|m| m.to.is_finite() && m.e_mover.is_finite() && m.e_partner.is_finite()));
        }
    }

    #[test]
    fn fast_and_exact_paths_agree(
        c in prop::collection::vec(0.01..1.0f64, 2..16),
        seed in any::<u64>(),
    ) {
        // Continuous positions and saliences (no engineered ties).
        let n = c.len();
        let mut state = seed | 1;
        let mut next = || {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let x: Vec<f64> = (0..n).map(|_| 100.0 * next()).collect();
        let s: Vec<f64> = (0..n).map(|_| 0.05 + 0.95 * next()).collect();
        // Two rounds: eq. 34 divides by the spread of the security levels,
        // which shrinks as actors converge, so rounding differences (here:
        // the reordered denominator) grow from round to round; in a sample of
        // 3,000 random issues the worst relative position difference was
        // 3e-14 after round 2, 1e-13 after round 5, 3e-12 after round 7, and
        // later rounds could take different branches; one random issue has
        // since shown 1.1e-12 after round 2 (positions near 1.5, spreads
        // close to zero). Over the whole reference run the two paths agree to
        // 1e-12 (golden tests); here the bound leaves room for rare draws.
        // See docs/models/eum.md.
        let rounds = 2;
        let fast = eum::run_1d(&c, &x, &s, &EumSettings { rounds, ..EumSettings::replication() }).unwrap();
        let exact =
            eum::run_1d(&c, &x, &s, &EumSettings { rounds, exact: true, ..EumSettings::replication() }).unwrap();
        for (a, b) in fast.positions.iter().flatten().zip(exact.positions.iter().flatten()) {
            prop_assert!((a - b).abs() <= 1e-10 * b.abs().max(1.0), "{a} vs {b}");
        }
        for (ra, rb) in fast.rounds.iter().zip(&exact.rounds) {
            prop_assert_eq!(ra.moves.len(), rb.moves.len());
            for (a, b) in ra.r.iter().zip(&rb.r) {
                prop_assert!((a - b).abs() <= 1e-9 * b.abs().max(1.0), "r: {a} vs {b}");
            }
        }
    }
}
