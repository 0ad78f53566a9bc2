//! Hand-computed tests of the PAPER profile (spec §4) and of edge cases
//! shared by both profiles.

#![allow(clippy::needless_range_loop)]

use accord_engine::eum::{self, EumProfile, EumSettings, MoveKind, Octant, TRule, octant, t_value};
use accord_engine::{Issue, Stance};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn octant_table() {
    use Octant::*;
    // (a, b) = (E^i(U_ij), E^j(U_ji)), Fig. 6.
    assert_eq!(octant(1.0, 2.0), ConfrontationLoss);
    assert_eq!(octant(2.0, 1.0), ConfrontationWin);
    assert_eq!(octant(2.0, -1.0), CompromiseUpperHand);
    assert_eq!(octant(-1.0, 2.0), CompromiseLowerHand);
    assert_eq!(octant(1.0, -2.0), CompelWin);
    assert_eq!(octant(-2.0, 1.0), CompelLoss);
    assert_eq!(octant(-1.0, -2.0), StatusQuo);
    assert_eq!(octant(-2.0, -1.0), StatusQuo);
    // Boundaries are not covered by the paper: no move.
    for (a, b) in [(0.0, 1.0), (1.0, 0.0), (1.0, 1.0), (-1.0, 1.0), (1.0, -1.0), (0.0, 0.0)] {
        assert_eq!(octant(a, b), Boundary, "({a}, {b})");
    }
    // Symmetry: the pair seen from j swaps a and b.
    assert_eq!(octant(2.0, 1.0), ConfrontationWin);
    assert_eq!(octant(1.0, 2.0), ConfrontationLoss);
    assert_eq!(octant(-1.0, 2.0), CompromiseLowerHand);
    assert_eq!(octant(2.0, -1.0), CompromiseUpperHand);
}

#[test]
fn t_rule() {
    // T = 1 iff |x_i − μ| < |x_i − x_j|; ties give 0.
    assert!(t_value(TRule::MedianCloser, 0.0, 10.0, 4.0));
    assert!(!t_value(TRule::MedianCloser, 0.0, 4.0, 10.0));
    assert!(!t_value(TRule::MedianCloser, 0.0, 5.0, 5.0));
    assert!(!t_value(TRule::MedianCloser, 0.0, 5.0, -5.0));
    assert!(t_value(TRule::Better, 0.0, 4.0, 10.0));
    assert!(!t_value(TRule::Worse, 0.0, 10.0, 4.0));
}

fn paper() -> EumSettings {
    EumSettings::paper()
}

#[test]
fn two_actor_example_of_section_7() {
    // Two actors at 0 and 10 (Rg = 10), equal c and s, r = 1: P = 0.5,
    // Us = 2, Uf = −2, Usq = 0, so E = s_j·0 + (1 − s_j)·2.
    for (s, want) in [(1.0, 0.0), (0.5, 1.0)] {
        let d = eum::inspect_round(&[0.5, 0.5], &[0.0, 10.0], &[s, s], &paper()).unwrap();
        assert_eq!(d.range, 10.0);
        assert_eq!(d.p[0][1], 0.5);
        assert_eq!(d.p[1][0], 0.5);
        // Symmetric: equal security levels → eq. 34 is 0/0 → R = 0, r = 1, flagged.
        assert_eq!(d.r, vec![1.0, 1.0]);
        assert_eq!(d.big_r, vec![0.0, 0.0]);
        assert!(
            close(d.e_ij[0][1], want) && close(d.e_ji[0][1], want),
            "s = {s}: {:?}",
            d.e_ij
        );
        // a = b: a boundary of Fig. 6, nobody moves.
        assert!(d.moves.is_empty());
    }
    let run = eum::run_1d(&[0.5, 0.5], &[0.0, 10.0], &[0.5, 0.5], &paper()).unwrap();
    assert!(run.rounds.iter().all(|r| r.risk_degenerate && r.moves.is_empty()));
    assert_eq!(run.positions[10], vec![0.0, 10.0]);
}

#[test]
fn two_actors_with_different_saliences() {
    // s_0 = 1, s_1 = 0.5, c = (0.25, 0.5): equal weights c·s, so P = 0.5. First pass: E^0(U_01) = (1 − s_1)·2 = 1,
    // E^1(U_10) = (1 − s_0)·2 = 0 → Sec_0 = 0, Sec_1 = 1 → R = (−1, 1),
    // r = (2, 0.5). Second pass: E^0(U_01) = 0·s_1 + 0.5·2 − (2 − 4·0.25) = 0;
    // E^1(U_10) = 0 − (2 − 4·√0.5) = 4·√0.5 − 2.
    let d = eum::inspect_round(&[0.25, 0.5], &[0.0, 10.0], &[1.0, 0.5], &paper()).unwrap();
    assert_eq!(d.security, vec![0.0, 1.0]);
    assert_eq!(d.big_r, vec![-1.0, 1.0]);
    assert!(close(d.r[0], 2.0) && close(d.r[1], 0.5));
    assert!(close(d.e_ij[0][1], 0.0));
    assert!(close(d.e_ij[1][0], 4.0 * 0.5f64.sqrt() - 2.0));
    // Paper: E^j(U_ji) is j's own view.
    assert!(close(d.e_ji[0][1], d.e_ij[1][0]));
    assert!(d.moves.is_empty(), "a = 0 is a boundary: {:?}", d.moves);
}

/// Independent evaluation of eq. 25a for the PAPER profile.
#[allow(clippy::too_many_arguments)]
fn eu(r: f64, xa: f64, xb: f64, sb: f64, p: f64, q: f64, mu: f64, rg: f64) -> f64 {
    let d = (xa - xb).abs() / rg;
    let us = 2.0 - 4.0 * (0.5 - 0.5 * d).powf(r);
    let uf = 2.0 - 4.0 * (0.5 + 0.5 * d).powf(r);
    let usq = 2.0 - 4.0 * 0.5f64.powf(r);
    let g = 0.25 * ((xa - mu).abs() + (xa - xb).abs()) / rg;
    let ub = 2.0 - 4.0 * (0.5 - g).powf(r);
    let uw = 2.0 - 4.0 * (0.5 + g).powf(r);
    let t = if (xa - mu).abs() < (xa - xb).abs() { 1.0 } else { 0.0 };
    sb * (p * us + (1.0 - p) * uf) + (1.0 - sb) * us - q * usq - (1.0 - q) * (t * ub + (1.0 - t) * uw)
}

#[test]
fn paper_profile_with_q_half_matches_a_direct_evaluation() {
    let c = [0.3, 0.2, 0.5, 0.1];
    let x = [0.0, 3.0, 6.0, 10.0];
    let s = [0.9, 0.4, 0.6, 0.8];
    let settings = EumSettings { q: 0.5, ..paper() };
    let d = eum::inspect_round(&c, &x, &s, &settings).unwrap();
    let n = 4;
    let rg = 10.0;
    let w: Vec<f64> = (0..n).map(|k| c[k] * s[k]).collect();
    // Weighted median: weights .27 .08 .30 .08 → cumulative .27 .35 ≥ .365? no; .65 → x = 6.
    let mu = 6.0;
    // eqs. 30–31.
    let p = |i: usize, j: usize| {
        let (mut num, mut den) = (0.0, 0.0);
        for k in 0..n {
            let v = (x[k] - x[j]).abs() - (x[k] - x[i]).abs();
            if v > 0.0 {
                num += w[k] * v;
            }
            den += w[k] * v.abs();
        }
        num / den
    };
    let mut sec = [0.0; 4];
    for i in 0..n {
        for j in 0..n {
            if j != i {
                sec[i] += eu(1.0, x[j], x[i], s[i], p(j, i), 0.5, mu, rg);
            }
        }
    }
    let (lo, hi) = (
        sec.iter().cloned().fold(f64::MAX, f64::min),
        sec.iter().cloned().fold(f64::MIN, f64::max),
    );
    for i in 0..n {
        assert!(close(d.security[i], sec[i]), "Sec {i}");
        let big_r = (2.0 * sec[i] - hi - lo) / (hi - lo);
        assert!(close(d.r[i], (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)), "r {i}");
    }
    for i in 0..n {
        for j in 0..n {
            if i != j {
                assert!(close(d.p[i][j], p(i, j)));
                assert!(
                    close(d.e_ij[i][j], eu(d.r[i], x[i], x[j], s[j], p(i, j), 0.5, mu, rg)),
                    "E^{i}(U_{i}{j})"
                );
                assert!(
                    close(d.e_ji[i][j], eu(d.r[j], x[j], x[i], s[i], p(j, i), 0.5, mu, rg)),
                    "E^{j}(U_{j}{i})"
                );
            }
        }
    }
    // Moves follow the octants: first class confrontation, then compromise,
    // then capitulation; least movement inside the class.
    for mv in &d.moves {
        let i = mv.actor;
        let class = |j: usize| match octant(d.e_ij[i][j], d.e_ji[i][j]) {
            Octant::ConfrontationLoss => Some((0, (x[j] - x[i]).abs())),
            Octant::CompromiseLowerHand => Some((1, (x[j] - x[i]).abs() * (d.e_ij[i][j] / d.e_ji[i][j]).abs())),
            Octant::CompelLoss => Some((2, (x[j] - x[i]).abs())),
            _ => None,
        };
        let best = (0..n)
            .filter(|&j| j != i)
            .filter_map(|j| class(j).map(|(c, m)| (c, m, j)))
            .min_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
        assert_eq!(best.map(|b| b.2), Some(mv.partner));
        let kind = [MoveKind::Confrontation, MoveKind::Compromise, MoveKind::Capitulation][best.unwrap().0];
        assert_eq!(kind, mv.kind);
    }
}

#[test]
fn equal_positions_stay_put_and_single_actors_are_flagged() {
    for profile in [EumProfile::Replication, EumProfile::Paper] {
        let settings = EumSettings {
            profile,
            ..EumSettings::default()
        };
        let run = eum::run_1d(&[0.3, 0.7, 0.1], &[5.0, 5.0, 5.0], &[0.2, 0.9, 1.0], &settings).unwrap();
        assert!(run.positions.iter().all(|p| p == &vec![5.0, 5.0, 5.0]));
        assert!(
            run.rounds
                .iter()
                .all(|r| r.risk_degenerate && r.moves.is_empty() && r.median == 5.0)
        );
        let one = eum::run_1d(&[1.0], &[3.0], &[1.0], &settings).unwrap();
        assert_eq!(one.forecast(), 3.0);
        assert!(one.rounds.iter().all(|r| r.risk_degenerate));
    }
}

#[test]
fn zero_weights_do_not_produce_nan() {
    for profile in [EumProfile::Replication, EumProfile::Paper] {
        let settings = EumSettings {
            profile,
            q: 0.5,
            ..EumSettings::default()
        };
        let run = eum::run_1d(&[0.0, 0.0, 0.0], &[0.0, 4.0, 10.0], &[1.0, 0.5, 0.0], &settings).unwrap();
        assert!(run.positions.iter().flatten().all(|v| v.is_finite()));
        assert!(run.medians().iter().chain(&run.means()).all(|v| v.is_finite()));
    }
}

#[test]
fn multi_dimensional_issues_run_each_dimension_independently() {
    let stances = (0..4)
        .map(|i| Stance {
            actor: format!("a{i}"),
            capability: [0.2, 0.3, 0.1, 0.4][i],
            position: vec![[0.0, 3.0, 7.0, 10.0][i], [50.0, 20.0, 90.0, 60.0][i]],
            salience: vec![[0.9, 0.4, 0.6, 0.8][i], [0.3, 0.9, 0.5, 0.7][i]],
        })
        .collect();
    let issue = Issue {
        id: "2d".into(),
        dimensions: 2,
        status_quo: None,
        stances,
        procedure: None,
    };
    let run = eum::run(&issue, &EumSettings::default()).unwrap();
    assert_eq!(run.history.positions.len(), 11);
    for d in 0..2 {
        let c: Vec<f64> = issue.stances.iter().map(|s| s.capability).collect();
        let x: Vec<f64> = issue.stances.iter().map(|s| s.position[d]).collect();
        let s: Vec<f64> = issue.stances.iter().map(|s| s.salience[d]).collect();
        let alone = eum::run_1d(&c, &x, &s, &EumSettings::default()).unwrap();
        for t in 0..=10 {
            for a in 0..4 {
                assert_eq!(run.history.positions[t][a][d], alone.positions[t][a]);
            }
        }
        assert_eq!(run.dimensions[d].dimension, d);
    }
}

#[test]
fn invalid_settings_are_errors() {
    let bad = EumSettings {
        q: 1.5,
        ..EumSettings::default()
    };
    assert!(eum::run_1d(&[1.0, 1.0], &[0.0, 1.0], &[1.0, 1.0], &bad).is_err());
    assert!(eum::run_1d(&[1.0], &[0.0, 1.0], &[1.0, 1.0], &EumSettings::default()).is_err());
}
