//! The exchange model of Stokman and Van Oosten (1994): actors trade shifts of
//! their voting positions across linked issues. An actor that cares little
//! about issue `q` and much about `p` moves its position on `q` toward a
//! partner whose priorities are the reverse, in return for the partner's move
//! on `p`. Equations and sources: `docs/models/exchange.md`.
//!
//! Notation (one-dimensional issues): actor `i` on issue `j` has position
//! `x_ij`, salience `s_ij` and capability `c_i`.
//!
//! * (E1) The expected outcome is the compromise of positions,
//!   `O_j = Σ_i c_i s_ij x_ij / D_j` with `D_j = Σ_i c_i s_ij`
//!   (Stokman & Van Oosten 1994; Arregui, Stokman & Thomson 2004).
//! * (E2) A move `Δ` of actor `i` on `j` moves the outcome by
//!   `c_i s_ij Δ / D_j`.
//! * (E3) An actor's expected utility is `−Σ_j s_ij |x⁰_ij − O_j|` (its
//!   salience-weighted distance from the expected outcomes, `x⁰` its
//!   position when the round began).
//! * (E4) An exchange between `A` and `B` on `p` and `q` is possible when
//!   both stand on opposite sides of the expected outcome on both issues and
//!   `s_Ap s_Bq > s_Aq s_Bp` (A cares relatively more about `p`). `B` moves
//!   on `p` toward `x_Ap`, shifting `O_p` by `a`; `A` moves on `q` toward
//!   `x_Bq`, shifting `O_q` by `b`. Gains: `g_A = s_Ap a − s_Aq b`,
//!   `g_B = s_Bq b − s_Bp a`.
//! * (E5) The exchange rate: equal gain (default) sets `g_A = g_B`, i.e.
//!   `b = a (s_Ap + s_Bp) / (s_Aq + s_Bq)`, and carries the exchange as far
//!   as the first limit allows: a mover reaches its partner's position, or
//!   (by default) an outcome reaches the demander's position. The Nash
//!   variant maximises `g_A · g_B` within the same limits.
//! * (E6) Order: all possible exchanges are computed; the one with the
//!   highest gain is realised; both actors' positions on both issues are
//!   then fixed for the round; the others are recomputed on the new
//!   positions; until none is left. Further rounds (iterated exchange) start
//!   again from the new positions.
//!
//! Determinism and order independence: issues are processed in id order and
//! actors in id order; every sum is taken in actor id order; ties are broken
//! by (issues, actors) in id order. The file order of issues and stances
//! therefore never changes a result. Multi-dimensional issues do not take
//! part (the model is one-dimensional) and keep their positions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{EngineError, History, Issue, StopReason};

/// How far an exchange goes: the exchange rate of the two shifts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeRate {
    /// Both actors gain the same expected utility (Stokman & Van Oosten 1994,
    /// the "equal gain" exchange rate of Decide). The default.
    #[default]
    EqualGain,
    /// The product of the two gains is maximised (the Nash bargaining point
    /// of the exchange; a variant discussed by Dijkstra, Van Assen & Stokman
    /// 2008).
    Nash,
}

/// Settings of the exchange model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExchangeSettings {
    /// The exchange rate.
    pub rate: ExchangeRate,
    /// Rounds of exchange: 1 is the original model (every actor's position
    /// on an issue is traded at most once); more rounds iterate on the new
    /// positions until a round realises nothing.
    pub rounds: usize,
    /// Stop a shift when the expected outcome reaches the demander's own
    /// position (beyond it the demander would lose). Default on.
    pub stop_at_demander: bool,
}

impl Default for ExchangeSettings {
    fn default() -> Self {
        ExchangeSettings {
            rate: ExchangeRate::EqualGain,
            rounds: 1,
            stop_at_demander: true,
        }
    }
}

/// One side of an exchange: an actor moving its position on one issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    /// Who moves.
    pub actor: String,
    /// On which issue.
    pub issue: String,
    /// Its position before the move.
    pub from: f64,
    /// Its position after the move (toward the partner's position).
    pub to: f64,
    /// The expected outcome (E1) of the issue before the move.
    pub outcome_before: f64,
    /// The expected outcome after the move.
    pub outcome_after: f64,
}

/// A realised exchange: two actors each move on the issue they care less
/// about, toward the other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// The round (1-based).
    pub round: usize,
    /// The two moves; `shifts[0].actor` gains on `shifts[1].issue` and the
    /// reverse.
    pub shifts: [Shift; 2],
    /// Expected utility gain (E4) of `shifts[0].actor` and `shifts[1].actor`.
    pub gains: [f64; 2],
    /// The exchange ratio: outcome movement on `shifts[0].issue` per unit
    /// of outcome movement on `shifts[1].issue`.
    pub ratio: f64,
}

/// The result of the exchange model on a group of linked issues.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExchangeRun {
    /// One history per input issue (same order): the input, then the
    /// positions after each round that realised an exchange.
    pub histories: Vec<History>,
    /// The exchanges in the order they were realised.
    pub exchanges: Vec<Exchange>,
}

/// Gains below this are treated as none (rounding noise).
const MIN_GAIN: f64 = 1e-12;

/// One issue taking part: stances sorted by actor id.
#[derive(Clone)]
struct Arena {
    /// Index of the issue in the input.
    input: usize,
    /// `(actor index, stance index)` in actor id order.
    members: Vec<(usize, usize)>,
    /// `stance[a]`: the stance of global actor `a`, if any.
    stance: Vec<Option<usize>>,
    capability: Vec<f64>,
    salience: Vec<f64>,
    /// Current (voting) positions, by stance.
    position: Vec<f64>,
    /// Positions when the round began, by stance.
    base: Vec<f64>,
    /// Fixed for the rest of the round, by stance.
    locked: Vec<bool>,
    outcome: f64,
    denominator: f64,
}

impl Arena {
    /// (E1), summed in actor id order.
    fn recompute(&mut self) {
        let (mut num, mut den) = (0.0, 0.0);
        for &(_, k) in &self.members {
            let w = self.capability[k] * self.salience[k];
            num += w * self.position[k];
            den += w;
        }
        self.denominator = den;
        self.outcome = if den > 0.0 { num / den } else { f64::NAN };
    }
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// Demander on `p` (mover on `q`).
    a: usize,
    /// Demander on `q` (mover on `p`).
    b: usize,
    p: usize,
    q: usize,
    /// Outcome shift on `p` (B's move) and on `q` (A's move).
    shift_p: f64,
    shift_q: f64,
    gain_a: f64,
    gain_b: f64,
}

impl Candidate {
    fn total(&self) -> f64 {
        self.gain_a + self.gain_b
    }

    /// Ordering key after the gain: issues then actors, in id order.
    fn key(&self) -> (usize, usize, usize, usize) {
        (
            self.p.min(self.q),
            self.p.max(self.q),
            self.a.min(self.b),
            self.a.max(self.b),
        )
    }

    fn better_than(&self, other: &Candidate) -> bool {
        match self.total().total_cmp(&other.total()) {
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Less => false,
            std::cmp::Ordering::Equal => self.key() < other.key(),
        }
    }
}

/// The best exchange of (E4)–(E5) between actors `i`, `k` on issues `p`, `q`,
/// if one is profitable to both.
fn candidate(
    arenas: &[Arena],
    settings: &ExchangeSettings,
    i: usize,
    k: usize,
    p: usize,
    q: usize,
) -> Option<Candidate> {
    let (ap, aq) = (&arenas[p], &arenas[q]);
    let (ip, kp, iq, kq) = (ap.stance[i]?, ap.stance[k]?, aq.stance[i]?, aq.stance[k]?);
    if ap.locked[ip] || ap.locked[kp] || aq.locked[iq] || aq.locked[kq] {
        return None;
    }
    if !(ap.denominator > 0.0 && aq.denominator > 0.0) {
        return None;
    }
    // Opposite sides of the expected outcome on both issues (E4).
    let opposite = |arena: &Arena, x: usize, y: usize| {
        (arena.position[x] - arena.outcome) * (arena.position[y] - arena.outcome) < 0.0
    };
    if !(opposite(ap, ip, kp) && opposite(aq, iq, kq)) {
        return None;
    }
    // Who demands which issue: A cares relatively more about p.
    let lhs = ap.salience[ip] * aq.salience[kq];
    let rhs = aq.salience[iq] * ap.salience[kp];
    let (a, b, sa, sb) = if lhs > rhs {
        (i, k, (ip, iq), (kp, kq))
    } else if rhs > lhs {
        (k, i, (kp, kq), (ip, iq))
    } else {
        return None;
    };
    let (s_ap, s_aq) = (ap.salience[sa.0], aq.salience[sa.1]);
    let (s_bp, s_bq) = (ap.salience[sb.0], aq.salience[sb.1]);
    // Limits of the outcome shifts (E2): a mover goes at most to its
    // partner's position; the outcome at most to the demander's position.
    let mut max_p = ap.capability[sb.0] * s_bp * (ap.position[sa.0] - ap.position[sb.0]).abs() / ap.denominator;
    let mut max_q = aq.capability[sa.1] * s_aq * (aq.position[sb.1] - aq.position[sa.1]).abs() / aq.denominator;
    if settings.stop_at_demander {
        max_p = max_p.min((ap.position[sa.0] - ap.outcome).abs());
        max_q = max_q.min((aq.position[sb.1] - aq.outcome).abs());
    }
    if !(max_p > 0.0 && max_q > 0.0) {
        return None;
    }
    let gains = |x: f64, y: f64| (s_ap * x - s_aq * y, s_bq * y - s_bp * x);
    let (shift_p, shift_q) = match settings.rate {
        ExchangeRate::EqualGain => {
            // (E5): g_A = g_B ⇔ y = x (s_Ap + s_Bp) / (s_Aq + s_Bq).
            let r = (s_ap + s_bp) / (s_aq + s_bq);
            let x = max_p.min(max_q / r);
            (x, (x * r).min(max_q))
        }
        ExchangeRate::Nash => nash_point(max_p, max_q, s_ap, s_aq, s_bp, s_bq),
    };
    let (gain_a, gain_b) = gains(shift_p, shift_q);
    if !(gain_a > MIN_GAIN && gain_b > MIN_GAIN) {
        return None;
    }
    Some(Candidate {
        a,
        b,
        p,
        q,
        shift_p,
        shift_q,
        gain_a,
        gain_b,
    })
}

/// The point of the box `[0, X] × [0, Y]` maximising
/// `(α x − β y)(γ y − δ x)`: the product is homogeneous of degree 2, so the
/// maximum lies on the edge `x = X` or `y = Y`, where it is a concave
/// quadratic with its vertex at `y = X(αγ + βδ)/(2βγ)` resp.
/// `x = Y(αγ + βδ)/(2αδ)`.
fn nash_point(max_x: f64, max_y: f64, alpha: f64, beta: f64, delta: f64, gamma: f64) -> (f64, f64) {
    let product = |x: f64, y: f64| {
        let (ga, gb) = (alpha * x - beta * y, gamma * y - delta * x);
        if ga > 0.0 && gb > 0.0 {
            ga * gb
        } else {
            f64::NEG_INFINITY
        }
    };
    let cross = alpha * gamma + beta * delta;
    let y_on_x_edge = if beta * gamma > 0.0 {
        (max_x * cross / (2.0 * beta * gamma)).clamp(0.0, max_y)
    } else {
        max_y
    };
    let x_on_y_edge = if alpha * delta > 0.0 {
        (max_y * cross / (2.0 * alpha * delta)).clamp(0.0, max_x)
    } else {
        max_x
    };
    let first = (max_x, y_on_x_edge);
    let second = (x_on_y_edge, max_y);
    if product(second.0, second.1) > product(first.0, first.1) {
        second
    } else {
        first
    }
}

/// Moves `stance` of `arena` so that the outcome shifts by `shift` toward
/// `target` (inverse of E2), never past `target`.
fn move_toward(arena: &mut Arena, stance: usize, target: f64, shift: f64) -> (f64, f64) {
    let from = arena.position[stance];
    let weight = arena.capability[stance] * arena.salience[stance];
    let distance = (shift * arena.denominator / weight).min((target - from).abs());
    let to = if target >= from {
        from + distance
    } else {
        from - distance
    };
    arena.position[stance] = to;
    (from, to)
}

/// Runs the exchange model on a group of linked issues.
///
/// Every issue must pass [`Issue::validate`]; actor ids must be unique within
/// an issue and issue ids within the group. A group of one issue, or issues
/// without common actors, realise no exchange: the positions stay as given.
pub fn run(issues: &[&Issue], settings: &ExchangeSettings) -> Result<ExchangeRun, EngineError> {
    let (mut arenas, actor_names) = build(issues)?;
    let actor_names: Vec<&str> = actor_names.iter().map(String::as_str).collect();
    let mut histories: Vec<History> = issues.iter().map(|i| History::static_of(i)).collect();
    let mut exchanges = Vec::new();
    let n = arenas.len();
    let pair = |p: usize, q: usize| p * n + q;
    let mut stop = StopReason::Converged;
    for round in 1..=settings.rounds.max(1) {
        for arena in arenas.iter_mut() {
            arena.base.clone_from(&arena.position);
            arena.locked.iter_mut().for_each(|l| *l = false);
        }
        // Best candidate per issue pair (p < q); recomputed for the pairs an
        // exchange touches.
        let mut best: Vec<Option<Candidate>> = vec![None; n * n];
        for p in 0..n {
            for q in p + 1..n {
                best[pair(p, q)] = best_of_pair(&arenas, settings, p, q);
            }
        }
        let mut realised = 0;
        loop {
            let chosen = best.iter().flatten().fold(None::<&Candidate>, |acc, c| match acc {
                Some(b) if !c.better_than(b) => Some(b),
                _ => Some(c),
            });
            let Some(&c) = chosen else { break };
            exchanges.push(realise(&mut arenas, issues, &actor_names, c, round));
            realised += 1;
            for r in 0..n {
                for (x, y) in [(c.p.min(r), c.p.max(r)), (c.q.min(r), c.q.max(r))] {
                    if x != y {
                        best[pair(x, y)] = best_of_pair(&arenas, settings, x, y);
                    }
                }
            }
        }
        if realised == 0 {
            stop = StopReason::Converged;
            break;
        }
        for arena in &arenas {
            let mut state = histories[arena.input].final_positions().to_vec();
            for (k, x) in arena.position.iter().enumerate() {
                state[k][0] = *x;
            }
            histories[arena.input].positions.push(state);
        }
        stop = if round == settings.rounds.max(1) {
            StopReason::RoundsCompleted
        } else {
            StopReason::Converged
        };
    }
    for arena in &arenas {
        histories[arena.input].stop = stop.clone();
    }
    Ok(ExchangeRun { histories, exchanges })
}

/// The arenas of the one-dimensional issues (in id order) and the actor ids
/// (in id order), after the checks of [`run`].
fn build(issues: &[&Issue]) -> Result<(Vec<Arena>, Vec<String>), EngineError> {
    for issue in issues {
        issue.validate()?;
    }
    let mut order: Vec<usize> = (0..issues.len()).collect();
    order.sort_by(|&x, &y| issues[x].id.cmp(&issues[y].id));
    if let Some(w) = order.windows(2).find(|w| issues[w[0]].id == issues[w[1]].id) {
        return Err(EngineError::InvalidInput(format!(
            "issue {} appears twice in one group of linked issues",
            issues[w[0]].id
        )));
    }
    // Global actors in id order.
    let mut actors: BTreeMap<&str, usize> = BTreeMap::new();
    for issue in issues {
        for s in &issue.stances {
            actors.insert(s.actor.as_str(), 0);
        }
    }
    for (n, v) in actors.values_mut().enumerate() {
        *v = n;
    }
    let actor_names: Vec<String> = actors.keys().map(|a| (*a).to_owned()).collect();
    let mut arenas: Vec<Arena> = Vec::new();
    for &input in &order {
        let issue = issues[input];
        if issue.dimensions != 1 {
            continue;
        }
        let mut stance = vec![None; actors.len()];
        let mut members = Vec::with_capacity(issue.stances.len());
        for (k, s) in issue.stances.iter().enumerate() {
            let a = actors[s.actor.as_str()];
            if stance[a].replace(k).is_some() {
                return Err(EngineError::InvalidInput(format!(
                    "issue {}: actor {} has two stances",
                    issue.id, s.actor
                )));
            }
            members.push((a, k));
        }
        members.sort_unstable();
        let position: Vec<f64> = issue.stances.iter().map(|s| s.position[0]).collect();
        let mut arena = Arena {
            input,
            members,
            stance,
            capability: issue.stances.iter().map(|s| s.capability).collect(),
            salience: issue.stances.iter().map(|s| s.salience[0]).collect(),
            base: position.clone(),
            position,
            locked: vec![false; issue.stances.len()],
            outcome: f64::NAN,
            denominator: 0.0,
        };
        arena.recompute();
        arenas.push(arena);
    }
    Ok((arenas, actor_names))
}

/// The exchanges `actor` could make on the issues as given (E4–E5), the
/// best one with each partner on each pair of issues, best first (by the
/// actor's own gain, then by id): the packages it can offer. Nothing is
/// realised; each offer is computed on the input positions alone.
pub fn offers(issues: &[&Issue], actor: &str, settings: &ExchangeSettings) -> Result<Vec<Exchange>, EngineError> {
    let (arenas, names) = build(issues)?;
    let Some(me) = names.iter().position(|n| n == actor) else {
        return Ok(Vec::new());
    };
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut out: Vec<(f64, Exchange)> = Vec::new();
    let n = arenas.len();
    for p in 0..n {
        for q in p + 1..n {
            for partner in (0..names.len()).filter(|&k| k != me) {
                let (i, k) = (me.min(partner), me.max(partner));
                if let Some(c) = candidate(&arenas, settings, i, k, p, q) {
                    let mut scratch = arenas.clone();
                    let x = realise(&mut scratch, issues, &name_refs, c, 0);
                    let mine = if c.a == me { c.gain_a } else { c.gain_b };
                    out.push((mine, x));
                }
            }
        }
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(out.into_iter().map(|(_, x)| x).collect())
}

fn best_of_pair(arenas: &[Arena], settings: &ExchangeSettings, p: usize, q: usize) -> Option<Candidate> {
    let mut best: Option<Candidate> = None;
    let members = &arenas[p].members;
    for (x, &(i, _)) in members.iter().enumerate() {
        for &(k, _) in &members[x + 1..] {
            if let Some(c) = candidate(arenas, settings, i, k, p, q)
                && best.as_ref().is_none_or(|b| c.better_than(b))
            {
                best = Some(c);
            }
        }
    }
    best
}

fn realise(arenas: &mut [Arena], issues: &[&Issue], actor_names: &[&str], c: Candidate, round: usize) -> Exchange {
    let (a, b, p, q) = (c.a, c.b, c.p, c.q);
    let ap = arenas[p].stance[a].unwrap_or_default();
    let bp = arenas[p].stance[b].unwrap_or_default();
    let aq = arenas[q].stance[a].unwrap_or_default();
    let bq = arenas[q].stance[b].unwrap_or_default();
    // B moves on p toward A; A moves on q toward B.
    let before_p = arenas[p].outcome;
    let target_p = arenas[p].position[ap];
    let (from_b, to_b) = move_toward(&mut arenas[p], bp, target_p, c.shift_p);
    arenas[p].recompute();
    let before_q = arenas[q].outcome;
    let target_q = arenas[q].position[bq];
    let (from_a, to_a) = move_toward(&mut arenas[q], aq, target_q, c.shift_q);
    arenas[q].recompute();
    for (arena, stances) in [(p, [ap, bp]), (q, [aq, bq])] {
        for s in stances {
            arenas[arena].locked[s] = true;
        }
    }
    let issue_id = |x: usize| issues[arenas[x].input].id.clone();
    Exchange {
        round,
        shifts: [
            Shift {
                actor: actor_names[a].to_string(),
                issue: issue_id(q),
                from: from_a,
                to: to_a,
                outcome_before: before_q,
                outcome_after: arenas[q].outcome,
            },
            Shift {
                actor: actor_names[b].to_string(),
                issue: issue_id(p),
                from: from_b,
                to: to_b,
                outcome_before: before_p,
                outcome_after: arenas[p].outcome,
            },
        ],
        gains: [c.gain_a, c.gain_b],
        ratio: c.shift_q / c.shift_p,
    }
}

/// The expected outcome (E1) of a one-dimensional issue for given positions
/// (`positions[stance][0]`), summed in actor id order; `None` when no actor
/// has both capability and salience.
pub fn expected_outcome(issue: &Issue, positions: &[Vec<f64>]) -> Option<f64> {
    let mut order: Vec<usize> = (0..issue.stances.len()).collect();
    order.sort_by(|&x, &y| issue.stances[x].actor.cmp(&issue.stances[y].actor));
    let (mut num, mut den) = (0.0, 0.0);
    for k in order {
        let s = &issue.stances[k];
        let w = s.capability * s.salience.first().copied().unwrap_or(0.0);
        num += w * positions.get(k)?.first()?;
        den += w;
    }
    (den > 0.0).then(|| num / den)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Stance;

    fn stance(actor: &str, c: f64, x: f64, s: f64) -> Stance {
        Stance {
            actor: actor.into(),
            capability: c,
            position: vec![x],
            salience: vec![s],
        }
    }

    fn issue(id: &str, stances: Vec<Stance>) -> Issue {
        Issue {
            id: id.into(),
            dimensions: 1,
            status_quo: None,
            stances,
            procedure: None,
        }
    }

    #[test]
    fn one_issue_realises_nothing() {
        let i = issue("p", vec![stance("A", 1.0, 0.0, 0.9), stance("B", 1.0, 100.0, 0.1)]);
        let run = run(&[&i], &ExchangeSettings::default()).unwrap();
        assert!(run.exchanges.is_empty());
        assert_eq!(run.histories[0], {
            let mut h = History::static_of(&i);
            h.stop = StopReason::Converged;
            h
        });
    }

    #[test]
    fn duplicate_issue_ids_are_an_error() {
        let i = issue("p", vec![stance("A", 1.0, 0.0, 0.9)]);
        assert!(matches!(
            run(&[&i, &i], &ExchangeSettings::default()),
            Err(EngineError::InvalidInput(_))
        ));
    }

    #[test]
    fn nash_point_lies_on_the_box_edge() {
        // α=β=γ=δ... asymmetric case: the product is maximal at x = X.
        let (x, y) = nash_point(10.0, 10.0, 0.8, 0.2, 0.2, 0.8);
        assert!((x - 10.0).abs() < 1e-12 || (y - 10.0).abs() < 1e-12);
        let ga = 0.8 * x - 0.2 * y;
        let gb = 0.8 * y - 0.2 * x;
        assert!(ga > 0.0 && gb > 0.0);
    }
}
