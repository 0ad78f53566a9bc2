//! The exchange model on small cases worked by hand from the published
//! equations (Stokman & Van Oosten 1994; `docs/models/exchange.md`, E1–E6),
//! and its properties: no actor worse off in expectation after an exchange
//! it accepted, positions on their scales, independence of file order.

use accord_engine::exchange::{self, ExchangeRate, ExchangeSettings};
use accord_engine::{DecisionRule, Dynamics, Issue, ModelSettings, Stance, forecast_group};
use proptest::prelude::*;

fn issue(id: &str, stances: &[(&str, f64, f64, f64)]) -> Issue {
    Issue {
        id: id.into(),
        dimensions: 1,
        status_quo: None,
        stances: stances
            .iter()
            .map(|&(a, c, x, s)| Stance {
                actor: a.into(),
                capability: c,
                position: vec![x],
                salience: vec![s],
            })
            .collect(),
        procedure: None,
    }
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} ≠ {b}");
}

/// Two actors, two issues, one exchange.
///
/// A (c = 2): p at 0 with s = 0.9, q at 20 with s = 0.3.
/// B (c = 1): p at 100 with s = 0.3, q at 80 with s = 0.6.
/// (E1) D_p = 2·0.9 + 0.3 = 2.1, O_p = 30/2.1 = 14.2857; D_q = 1.2, O_q = 50.
/// (E4) s_Ap·s_Bq = 0.54 > s_Aq·s_Bp = 0.09: A demands p, B demands q.
/// Limits: on p, B's full move shifts O_p by 0.3·100/2.1 = 14.2857 (= the
/// distance to A's position 0); on q, A's full move shifts O_q by
/// 0.6·60/1.2 = 30 (= the distance to B's position 80).
/// (E5) rate r = (0.9 + 0.3)/(0.3 + 0.6) = 4/3; a = min(14.2857, 30/r) =
/// 14.2857, b = 19.0476; gains 0.9a − 0.3b = 0.6b − 0.3a = 7.142857.
/// Moves (E2 inverted): B to 0 (Δ = 100); A by b·1.2/0.6 = 38.0952 to 58.0952;
/// O_p → 0, O_q → 69.0476.
#[test]
fn two_actors_two_issues_one_exchange() {
    let p = issue("p", &[("A", 2.0, 0.0, 0.9), ("B", 1.0, 100.0, 0.3)]);
    let q = issue("q", &[("A", 2.0, 20.0, 0.3), ("B", 1.0, 80.0, 0.6)]);
    let run = exchange::run(&[&p, &q], &ExchangeSettings::default()).unwrap();
    assert_eq!(run.exchanges.len(), 1);
    let x = &run.exchanges[0];
    assert_eq!((x.shifts[0].actor.as_str(), x.shifts[0].issue.as_str()), ("A", "q"));
    assert_eq!((x.shifts[1].actor.as_str(), x.shifts[1].issue.as_str()), ("B", "p"));
    close(x.gains[0], 7.142_857_142_857_143);
    close(x.gains[1], 7.142_857_142_857_143);
    close(x.shifts[0].from, 20.0);
    close(x.shifts[0].to, 58.095_238_095_238_095);
    close(x.shifts[1].to, 0.0);
    close(x.shifts[1].outcome_before, 30.0 / 2.1);
    close(x.shifts[1].outcome_after, 0.0);
    close(x.shifts[0].outcome_before, 50.0);
    close(x.shifts[0].outcome_after, 69.047_619_047_619_05);
    close(x.ratio, 4.0 / 3.0);
    // The histories: input, then the state after the round.
    close(run.histories[0].final_positions()[1][0], 0.0);
    close(run.histories[1].final_positions()[0][0], 58.095_238_095_238_095);
    // Composed with the compromise rule, the outcome is O after the exchange.
    let settings = ModelSettings {
        dynamics: Dynamics::Exchange(ExchangeSettings::default()),
        rule: DecisionRule::WeightedMean,
    };
    let f = forecast_group(&[&p, &q], &settings, 0);
    close(f.forecasts[0].as_ref().unwrap().outcome[0], 0.0);
    close(f.forecasts[1].as_ref().unwrap().outcome[0], 69.047_619_047_619_05);
}

/// No profitable exchange: equal salience ratios (s_Ap·s_Bq = s_Aq·s_Bp:
/// every exchange costs one side what it gains the other), and actors on
/// the same side of the expected outcome (neither can give the other
/// anything by moving toward it).
#[test]
fn no_exchange_is_profitable() {
    let p = issue("p", &[("A", 1.0, 0.0, 0.5), ("B", 1.0, 100.0, 0.5)]);
    let q = issue("q", &[("A", 1.0, 0.0, 0.5), ("B", 1.0, 100.0, 0.5)]);
    let run = exchange::run(&[&p, &q], &ExchangeSettings::default()).unwrap();
    assert!(run.exchanges.is_empty());
    assert_eq!(run.histories[0].positions.len(), 1);

    let p = issue(
        "p",
        &[("A", 1.0, 0.0, 0.8), ("B", 1.0, 10.0, 0.2), ("C", 5.0, 90.0, 0.5)],
    );
    let q = issue(
        "q",
        &[("A", 1.0, 0.0, 0.2), ("B", 1.0, 10.0, 0.8), ("C", 5.0, 90.0, 0.5)],
    );
    let run = exchange::run(&[&p, &q], &ExchangeSettings::default()).unwrap();
    // O_p = (0.2·10 + 2.5·90)/3.5 = 64.9 and O_q = (0.8·10 + 2.5·90)/3.5 =
    // 66.6: A and B stand on the same side of the outcome on both issues, so
    // they never trade with each other although their priorities are
    // opposite; C, on the other side, may trade with either.
    for x in &run.exchanges {
        let movers: Vec<&str> = x.shifts.iter().map(|s| s.actor.as_str()).collect();
        assert!(movers.contains(&"C"), "{movers:?}");
    }
}

/// A chain of exchanges: the second is computed on the outcome the first
/// left behind.
///
/// p: A(0, .8) B(100, .2) C(60, .5); q: A(0, .2) B(100, .8) C(30, .2)
/// D(90, .6); r: C(10, .7) D(70, .3); every capability 1.
/// First, A–B on (p, q): O_p = 33.33, O_q = 77.78; r = 1; B's move on p is
/// capped by 0.2·100/1.5 = 13.33, A's on q by min(0.2·100/1.8, 100 − 77.78)
/// = 11.11; a = b = 11.11, gain 0.8·11.11 − 0.2·11.11 = 6.667 each. B moves
/// to 16.67 on p, A to 100 on q; O_q becomes 88.89.
/// Then C–D on (q, r): D demands q (s_Dq·s_Cr = 0.42 > s_Dr·s_Cq = 0.06). D's
/// gain on q is capped by the distance from O_q = 88.89 (left by the first
/// exchange) to D's position 90: a = 1.111; rate (0.6+0.2)/(0.3+0.7) = 0.8,
/// b = 0.889, gains 0.6·1.111 − 0.3·... = 0.4 each. C moves on q to 40,
/// D on r to 67.04.
#[test]
fn a_chain_of_exchanges() {
    let p = issue(
        "p",
        &[("A", 1.0, 0.0, 0.8), ("B", 1.0, 100.0, 0.2), ("C", 1.0, 60.0, 0.5)],
    );
    let q = issue(
        "q",
        &[
            ("A", 1.0, 0.0, 0.2),
            ("B", 1.0, 100.0, 0.8),
            ("C", 1.0, 30.0, 0.2),
            ("D", 1.0, 90.0, 0.6),
        ],
    );
    let r = issue("r", &[("C", 1.0, 10.0, 0.7), ("D", 1.0, 70.0, 0.3)]);
    let run = exchange::run(&[&p, &q, &r], &ExchangeSettings::default()).unwrap();
    assert_eq!(run.exchanges.len(), 2, "{:#?}", run.exchanges);
    let first = &run.exchanges[0];
    assert_eq!(first.shifts[0].actor, "A");
    assert_eq!(first.shifts[1].actor, "B");
    close(first.gains[0], 6.666_666_666_666_668);
    close(first.shifts[1].to, 16.666_666_666_666_67);
    close(first.shifts[0].to, 100.0);
    close(first.shifts[0].outcome_after, 88.888_888_888_888_89);
    let second = &run.exchanges[1];
    // D demands q: C moves on q, D on r.
    assert_eq!(
        (second.shifts[0].actor.as_str(), second.shifts[0].issue.as_str()),
        ("D", "r")
    );
    assert_eq!(
        (second.shifts[1].actor.as_str(), second.shifts[1].issue.as_str()),
        ("C", "q")
    );
    close(second.shifts[1].outcome_before, 88.888_888_888_888_89);
    close(second.shifts[1].outcome_after, 90.0);
    close(second.shifts[1].to, 40.0);
    close(second.shifts[0].to, 67.037_037_037_037_07);
    close(second.gains[0], 0.4);
    close(second.gains[1], 0.4);
}

/// The Nash rate maximises the product of the gains within the limits; on
/// the symmetric case it coincides with equal gain.
#[test]
fn nash_rate_on_a_symmetric_case() {
    let p = issue("p", &[("A", 1.0, 0.0, 0.8), ("B", 1.0, 100.0, 0.2)]);
    let q = issue("q", &[("A", 1.0, 0.0, 0.2), ("B", 1.0, 100.0, 0.8)]);
    let settings = ExchangeSettings {
        rate: ExchangeRate::Nash,
        ..ExchangeSettings::default()
    };
    let run = exchange::run(&[&p, &q], &settings).unwrap();
    assert_eq!(run.exchanges.len(), 1);
    close(run.exchanges[0].gains[0], run.exchanges[0].gains[1]);
    close(run.exchanges[0].gains[0], 12.0);
}

/// `−Σ_j s_ij |x⁰_ij − O_j|` over the group, with the outcomes of the given
/// positions (E3).
fn utility(issues: &[Issue], positions: &[Vec<f64>], actor: &str) -> f64 {
    issues
        .iter()
        .zip(positions)
        .filter_map(|(issue, xs)| {
            let k = issue.stances.iter().position(|s| s.actor == actor)?;
            let pos: Vec<Vec<f64>> = xs.iter().map(|&x| vec![x]).collect();
            let o = exchange::expected_outcome(issue, &pos)?;
            Some(-issue.stances[k].salience[0] * (issue.stances[k].position[0] - o).abs())
        })
        .sum()
}

fn group() -> impl Strategy<Value = Vec<Issue>> {
    let actors = ["A", "B", "C", "D", "E"];
    prop::collection::vec(
        prop::collection::vec((0.1f64..5.0, 0.0f64..100.0, 0.0f64..1.0, any::<bool>()), 5),
        2..5,
    )
    .prop_map(move |rows| {
        rows.into_iter()
            .enumerate()
            .map(|(j, row)| {
                let stances: Vec<(&str, f64, f64, f64)> = row
                    .into_iter()
                    .enumerate()
                    .filter(|(k, r)| r.3 || *k < 2)
                    .map(|(k, (c, x, s, _))| (actors[k], c, x, s))
                    .collect();
                issue(&format!("i{j}"), &stances)
            })
            .collect()
    })
}

proptest! {
    /// Every accepted exchange leaves both its actors better off in
    /// expectation (E3, on the positions the round began with), and every
    /// position stays between the lowest and the highest of its issue.
    #[test]
    fn accepted_exchanges_pay_and_positions_stay_on_scale(issues in group()) {
        let refs: Vec<&Issue> = issues.iter().collect();
        let run = exchange::run(&refs, &ExchangeSettings::default()).unwrap();
        let mut positions: Vec<Vec<f64>> =
            issues.iter().map(|i| i.stances.iter().map(|s| s.position[0]).collect()).collect();
        for x in &run.exchanges {
            let before: Vec<f64> = x.shifts.iter().map(|s| utility(&issues, &positions, &s.actor)).collect();
            for s in &x.shifts {
                let j = issues.iter().position(|i| i.id == s.issue).unwrap();
                let k = issues[j].stances.iter().position(|t| t.actor == s.actor).unwrap();
                prop_assert!((positions[j][k] - s.from).abs() < 1e-9);
                positions[j][k] = s.to;
            }
            for (side, s) in x.shifts.iter().enumerate() {
                let after = utility(&issues, &positions, &s.actor);
                prop_assert!(after > before[side], "{} loses: {} → {}", s.actor, before[side], after);
                prop_assert!((after - before[side] - x.gains[side]).abs() < 1e-7);
            }
        }
        for (issue, h) in issues.iter().zip(&run.histories) {
            let lo = issue.stances.iter().map(|s| s.position[0]).fold(f64::INFINITY, f64::min);
            let hi = issue.stances.iter().map(|s| s.position[0]).fold(f64::NEG_INFINITY, f64::max);
            for state in &h.positions {
                for x in state {
                    prop_assert!(x[0] >= lo - 1e-9 && x[0] <= hi + 1e-9);
                }
            }
        }
    }

    /// Reversing the order of the issues and of the stances in each issue
    /// changes no position and no exchange.
    #[test]
    fn file_order_does_not_matter(issues in group()) {
        let refs: Vec<&Issue> = issues.iter().collect();
        let a = exchange::run(&refs, &ExchangeSettings::default()).unwrap();
        let mut reversed = issues.clone();
        reversed.reverse();
        for i in &mut reversed {
            i.stances.reverse();
        }
        let refs: Vec<&Issue> = reversed.iter().collect();
        let b = exchange::run(&refs, &ExchangeSettings::default()).unwrap();
        prop_assert_eq!(&a.exchanges, &b.exchanges);
        let n = issues.len();
        for (j, h) in a.histories.iter().enumerate() {
            let other = &b.histories[n - 1 - j];
            let mut theirs: Vec<f64> = other.final_positions().iter().map(|p| p[0]).collect();
            theirs.reverse();
            let mine: Vec<f64> = h.final_positions().iter().map(|p| p[0]).collect();
            prop_assert_eq!(mine, theirs);
        }
    }
}
