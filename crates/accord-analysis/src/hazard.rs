//! From decision to implementation, with dates: a discrete-time hazard model
//! on top of the bargaining forecast (method: `docs/models/implementation.md`).
//!
//! Two rates are estimated from the record's instrument life cycles, using
//! only changes dated wholly *before* the model's date:
//!
//! - the **decision rate** λ_d: how fast the organization's proposals were
//!   decided (first `proposed` → first `adopted`/`signed`/`in_force`/
//!   `carried_out`); a proposal still open at the cut-off is censored there,
//!   one rejected or expired leaves the risk set on that day;
//! - the **implementation rate** λ_c: how fast decisions were carried out
//!   (first decision → first `in_force`/`carried_out`), censored likewise.
//!
//! Each is a constant-hazard (exponential) rate, λ = events / exposure in
//! years, estimated per sphere and shrunk towards the rate of all spheres by
//! a Gamma prior worth [`PRIOR_YEARS`] years of exposure (eq. H1):
//!
//! ```text
//! λ_s = (m·λ_all + D_s) / (m + E_s)                               (H1)
//! ```
//!
//! A year's hazard is h = 1 − e^(−λ) (H2). The bargaining forecast p (the
//! probability the outcome reaches the threshold) says *whether*; the
//! hazards say *when*, in whole years t = 1 … horizon after the model's date:
//!
//! ```text
//! P(decided by t)     = p · (1 − (1 − h_d)^t)                          (H3)
//! P(carried out by t) = p · Σ_{k=1..t} h_d (1 − h_d)^(k−1) · (1 − (1 − h_c)^(t−k))   (H4)
//! ```
//!
//! An issue whose status quo already reaches the threshold is decided and in
//! place on the model's date: for it both are p (the question is whether the
//! state persists, not when it comes).

use accord_core::{ActorId, Instrument, InstrumentStatus, PartialDate, Record, Sphere, date::Precision};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::run::ForecastReport;

/// Strength of the Gamma prior that shrinks a sphere's rate to the rate of
/// all spheres, in years of exposure (eq. H1). Ten years: a sphere with ten
/// years of recorded exposure weighs as much as the pooled rate.
pub const PRIOR_YEARS: f64 = 10.0;

/// The default horizon of "by year Y" forecasts, in years.
pub const DEFAULT_HORIZON: u32 = 15;

/// How many years ahead "by year Y" forecasts go: 1–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Horizon(u32);

impl Horizon {
    /// The largest horizon accepted.
    pub const MAX: u32 = 100;

    /// A horizon of `years`, or an error saying what is valid.
    pub fn new(years: u32) -> Result<Horizon, String> {
        if (1..=Self::MAX).contains(&years) {
            Ok(Horizon(years))
        } else {
            Err(format!(
                "a horizon of {years} years is not valid: give a whole number of years from 1 to {} (default {DEFAULT_HORIZON})",
                Self::MAX
            ))
        }
    }

    /// The number of years.
    pub fn years(self) -> u32 {
        self.0
    }
}

impl Default for Horizon {
    fn default() -> Self {
        Horizon(DEFAULT_HORIZON)
    }
}

/// One estimated rate with its basis.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    /// Events observed (each record entry counts once).
    pub events: f64,
    /// Years at risk.
    pub exposure_years: f64,
    /// Life cycles that contributed.
    pub cases: usize,
    /// λ after shrinkage (per year); the raw rate is `events / exposure_years`.
    pub rate: f64,
    /// h = 1 − e^(−λ): the probability of the event within one year (H2).
    pub annual_hazard: f64,
    /// The Gamma posterior of λ, (shape, rate): `m·λ_all + D`, `m + E` for
    /// a sphere (H1); `D + ½`, `E` (Jeffreys prior) for the pool.
    pub posterior: (f64, f64),
    /// 90 % credible interval of the annual hazard (5 % and 95 % posterior
    /// quantiles of λ through H2); `None` without exposure.
    pub annual_hazard_90: Option<(f64, f64)>,
}

impl Rate {
    fn raw(events: f64, exposure: f64, cases: usize) -> Rate {
        let rate = if exposure > 0.0 { events / exposure } else { 0.0 };
        Rate {
            events,
            exposure_years: exposure,
            cases,
            rate,
            annual_hazard: 1.0 - (-rate).exp(),
            posterior: (events + 0.5, exposure),
            annual_hazard_90: hazard_interval(events + 0.5, exposure),
        }
    }

    /// Shrinks towards `prior` with a Gamma prior worth `m` years (H1).
    fn shrunk(self, prior: f64, m: f64) -> Rate {
        let (shape, rate_param) = (m * prior + self.events, m + self.exposure_years);
        let rate = shape / rate_param;
        Rate {
            rate,
            annual_hazard: 1.0 - (-rate).exp(),
            posterior: (shape, rate_param),
            annual_hazard_90: hazard_interval(shape, rate_param),
            ..self
        }
    }
}

/// The 5 % and 95 % quantiles of a Gamma(shape, rate) rate, as annual hazards.
fn hazard_interval(shape: f64, rate: f64) -> Option<(f64, f64)> {
    if !(shape > 0.0 && rate > 0.0) {
        return None;
    }
    let h = |q: f64| 1.0 - (-gamma_quantile(shape, q) / rate).exp();
    Some((h(0.05), h(0.95)))
}

/// ln Γ(z) for z > 0: Stirling's series at z + k ≥ 10, brought back by
/// Γ(z + 1) = z Γ(z). Error below 1e-12 for the shapes used here.
fn ln_gamma(z: f64) -> f64 {
    let mut shift = 0.0;
    let mut z = z;
    while z < 10.0 {
        shift -= z.ln();
        z += 1.0;
    }
    let inv = 1.0 / z;
    let inv2 = inv * inv;
    shift + (z - 0.5) * z.ln() - z
        + 0.5 * (2.0 * std::f64::consts::PI).ln()
        + inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0)))
}

/// The regularized lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a),
/// the CDF of Gamma(a, 1) at x: its power series below x = a + 1, one minus
/// the continued fraction of Γ(a, x) (evaluated by Lentz's method) above.
fn gamma_cdf(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let front = (a * x.ln() - x - ln_gamma(a)).exp();
    if x < a + 1.0 {
        // Σ x^n / (a (a+1) … (a+n)), times x^a e^(−x) / Γ(a).
        let (mut term, mut sum, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-15 {
                break;
            }
        }
        (sum * front).clamp(0.0, 1.0)
    } else {
        // Γ(a, x) = x^a e^(−x) / (x + 1 − a − 1(1 − a)/(x + 3 − a − 2(2 − a)/(x + 5 − a − …))).
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut f = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let step = d * c;
            f *= step;
            if (step - 1.0).abs() < 1e-15 {
                break;
            }
        }
        (1.0 - front * f).clamp(0.0, 1.0)
    }
}

/// The q-quantile of Gamma(a, 1), by bisection on [`gamma_cdf`].
fn gamma_quantile(a: f64, q: f64) -> f64 {
    let mut hi = a.max(1.0);
    while gamma_cdf(a, hi) < q {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if gamma_cdf(a, mid) < q {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The rates of one sphere.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SphereRates {
    /// The sphere.
    pub sphere: Sphere,
    /// Proposal → decision.
    pub decision: Rate,
    /// Decision → carried out.
    pub implementation: Rate,
    /// Entries decided before the cut-off.
    pub decisions: f64,
    /// Of those, carried out (or in force) before the cut-off.
    pub carried_out: f64,
}

/// The rates estimated from the record, with what they rest on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rates {
    /// The organization whose instruments were used.
    pub org: String,
    /// Only changes whose whole period ends before this day were used.
    pub cutoff: NaiveDate,
    /// Gamma prior strength in years (H1).
    pub prior_years: f64,
    /// All spheres pooled (no shrinkage).
    pub all: SphereRates,
    /// Each sphere with at least one instrument, shrunk to `all`.
    pub spheres: Vec<SphereRates>,
    /// The ids of the instruments whose life cycles contributed.
    pub instruments: Vec<String>,
}

impl Rates {
    /// The rates of `sphere` (the pooled rates where it has no instrument).
    pub fn of(&self, sphere: Sphere) -> SphereRates {
        self.spheres
            .iter()
            .find(|s| s.sphere == sphere)
            .cloned()
            .unwrap_or(SphereRates {
                sphere,
                decisions: 0.0,
                carried_out: 0.0,
                ..self.all.clone()
            })
    }
}

/// The last day of the period a partial date stands for: a change dated
/// `2010` may have happened on any day of 2010.
fn last_day(d: PartialDate) -> NaiveDate {
    let first = d.first_day();
    let next = match d.precision() {
        Precision::Day => return first,
        Precision::Month => first.checked_add_months(chrono::Months::new(1)),
        Precision::Year => NaiveDate::from_ymd_opt(first.year() + 1, 1, 1),
    };
    next.and_then(|n| n.pred_opt()).unwrap_or(first)
}

fn years_between(a: NaiveDate, b: NaiveDate) -> f64 {
    ((b - a).num_days().max(0) as f64) / 365.25
}

const DECIDED: [InstrumentStatus; 4] = [
    InstrumentStatus::Adopted,
    InstrumentStatus::Signed,
    InstrumentStatus::InForce,
    InstrumentStatus::CarriedOut,
];
const DONE: [InstrumentStatus; 2] = [InstrumentStatus::InForce, InstrumentStatus::CarriedOut];
const ENDED: [InstrumentStatus; 2] = [InstrumentStatus::Rejected, InstrumentStatus::Expired];

/// One spell of one instrument: (events, exposure) towards each rate, and
/// whether it counts as a decision / carried out.
#[derive(Debug, Default, Clone, Copy)]
struct Spells {
    d_events: f64,
    d_exposure: f64,
    d_case: bool,
    c_events: f64,
    c_exposure: f64,
    c_case: bool,
    decided: bool,
    done: bool,
    decided_w: f64,
    done_w: f64,
}

/// The spells of one instrument, from its changes known before `cutoff`.
fn spells(ins: &Instrument, cutoff: NaiveDate) -> Spells {
    let known: Vec<(NaiveDate, InstrumentStatus)> = ins
        .life
        .iter()
        .filter(|c| last_day(c.date) < cutoff)
        .map(|c| (c.date.first_day(), c.status))
        .collect();
    let first = |set: &[InstrumentStatus]| known.iter().find(|(_, s)| set.contains(s)).map(|(d, _)| *d);
    // Each entry counts once, whatever its `count`: one entry standing for
    // 120 programmes would otherwise set the rate alone.
    let w = 1.0;
    let proposed = first(&[InstrumentStatus::Proposed]);
    let decided = first(&DECIDED);
    let done = first(&DONE);
    let ended = first(&ENDED);
    let mut out = Spells::default();
    if let Some(p) = proposed {
        // Proposal → decision, or censored at the end of the proposal or the cut-off.
        let (end, event) = match (decided, ended) {
            (Some(d), _) if d >= p => (d, true),
            (_, Some(e)) if e >= p => (e, false),
            _ => (cutoff, false),
        };
        out.d_case = true;
        out.d_exposure = w * years_between(p, end);
        out.d_events = if event { w } else { 0.0 };
    }
    if let Some(d) = decided {
        out.decided = true;
        let (end, event) = match (done, ended) {
            (Some(c), _) if c >= d => (c, true),
            (_, Some(e)) if e >= d => (e, false),
            _ => (cutoff, false),
        };
        out.c_case = true;
        out.done = event;
        out.c_exposure = w * years_between(d, end);
        out.c_events = if event { w } else { 0.0 };
    }
    out
}

/// Estimates the decision and implementation rates of `org` from the
/// instruments made within it, using only changes whose whole period (a
/// partial date's last day) falls before `cutoff` — nothing on or after the
/// model's date enters.
pub fn estimate_rates(record: &Record, org: &ActorId, cutoff: NaiveDate) -> Rates {
    // Per sphere (and pooled under `None`): summed spells, decision cases, implementation cases.
    let mut sums: Vec<(Option<Sphere>, Spells, usize, usize)> = vec![(None, Spells::default(), 0, 0)];
    let mut instruments = Vec::new();
    for ins in record.instruments.iter().filter(|i| i.org.as_ref() == Some(org)) {
        let s = spells(ins, cutoff);
        if !s.d_case && !s.c_case {
            continue;
        }
        instruments.push(ins.id.to_string());
        if !sums.iter().any(|(sp, ..)| *sp == Some(ins.sphere)) {
            sums.push((Some(ins.sphere), Spells::default(), 0, 0));
        }
        let w = 1.0;
        for (sp, acc, dc, cc) in sums.iter_mut() {
            if sp.is_some_and(|sp| sp != ins.sphere) {
                continue;
            }
            acc.d_events += s.d_events;
            acc.d_exposure += s.d_exposure;
            acc.c_events += s.c_events;
            acc.c_exposure += s.c_exposure;
            // `d_case`/`c_case` of the sums are unused; decisions and carried-out counts go here.
            acc.decided_w += if s.decided { w } else { 0.0 };
            acc.done_w += if s.done { w } else { 0.0 };
            *dc += usize::from(s.d_case);
            *cc += usize::from(s.c_case);
        }
    }
    let rates_of = |sphere: Sphere, s: &Spells, dc: usize, cc: usize| SphereRates {
        sphere,
        decision: Rate::raw(s.d_events, s.d_exposure, dc),
        implementation: Rate::raw(s.c_events, s.c_exposure, cc),
        decisions: s.decided_w,
        carried_out: s.done_w,
    };
    let (_, pooled, dc, cc) = &sums[0];
    // The pooled row's `sphere` is a placeholder; `Rates::all` is documented as all spheres.
    let all = rates_of(Sphere::Security, pooled, *dc, *cc);
    let mut spheres: Vec<SphereRates> = sums[1..]
        .iter()
        .filter_map(|(sp, s, dc, cc)| {
            let mut r = rates_of((*sp)?, s, *dc, *cc);
            r.decision = r.decision.shrunk(all.decision.rate, PRIOR_YEARS);
            r.implementation = r.implementation.shrunk(all.implementation.rate, PRIOR_YEARS);
            Some(r)
        })
        .collect();
    spheres.sort_by_key(|s| s.sphere);
    Rates {
        org: org.to_string(),
        cutoff,
        prior_years: PRIOR_YEARS,
        all,
        spheres,
        instruments,
    }
}

/// The rates of a model's organization, from the record strictly before the
/// model's date (its first day, for a partial date).
pub fn rates_for(record: &Record, model: &accord_core::model::Model) -> Rates {
    estimate_rates(record, &model.meta.org, model.meta.date.first_day())
}

/// One year of an issue's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct YearP {
    /// Years after the model's date (1 = within the first year).
    pub years: u32,
    /// The calendar year that ends the period (model date's year + `years`).
    pub year: i32,
    /// P(decided by then) (H3).
    pub decided: f64,
    /// P(carried out by then) (H4).
    pub carried_out: f64,
}

/// One issue's path from decision to implementation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IssueImplementation {
    /// The issue's id.
    pub id: String,
    /// Its sphere (whose rates are used).
    pub sphere: Sphere,
    /// The bargaining forecast: P(the outcome reaches the threshold).
    pub p_outcome: f64,
    /// The status quo already reaches the threshold on the model's date.
    pub already_in_place: bool,
    /// Annual hazard of a decision used (H2).
    pub decision_hazard: f64,
    /// Annual hazard of carrying a decision out (H2).
    pub implementation_hazard: f64,
    /// P(decided by the horizon).
    pub decided_by_horizon: f64,
    /// 90 % interval of P(decided by the horizon) from the decision
    /// hazard's credible interval (P(outcome) held fixed).
    pub decided_by_horizon_90: Option<(f64, f64)>,
    /// P(carried out by the horizon).
    pub carried_out_by_horizon: f64,
    /// The declared-versus-carried-out gap as a number: P(carried out by
    /// the horizon | decided by the horizon); `None` when nothing is decided.
    pub carried_out_given_decided: Option<f64>,
    /// Year by year, 1 … horizon.
    pub years: Vec<YearP>,
}

/// Cumulative P(decided) and P(carried out) for t = 1 … horizon (H3, H4).
pub fn timeline(p: f64, h_d: f64, h_c: f64, in_place: bool, start_year: i32, horizon: Horizon) -> Vec<YearP> {
    (1..=horizon.years())
        .map(|t| {
            let (decided, carried_out) = if in_place {
                (p, p)
            } else {
                let decided = p * (1.0 - (1.0 - h_d).powi(t as i32));
                let carried: f64 = (1..=t)
                    .map(|k| h_d * (1.0 - h_d).powi(k as i32 - 1) * (1.0 - (1.0 - h_c).powi((t - k) as i32)))
                    .sum();
                (decided, p * carried)
            };
            YearP {
                years: t,
                year: start_year + t as i32,
                decided,
                carried_out,
            }
        })
        .collect()
}

/// The implementation forecast of every issue of a forecast.
pub fn implementation(report: &ForecastReport, rates: &Rates, horizon: Horizon) -> Vec<IssueImplementation> {
    let start_year = rates.cutoff.year();
    report
        .issues
        .iter()
        .map(|i| {
            let r = rates.of(i.sphere);
            // The calibrated headline where it ran (model error included), else the input-only P.
            let p = i
                .predictive
                .as_ref()
                .map_or(i.summary.p_above, |x| x.headline.p_at_or_above);
            let in_place = i.status_quo >= i.summary.threshold;
            let (h_d, h_c) = (r.decision.annual_hazard, r.implementation.annual_hazard);
            let years = timeline(p, h_d, h_c, in_place, start_year, horizon);
            let last = years.last().copied().unwrap_or(YearP {
                years: 0,
                year: start_year,
                decided: 0.0,
                carried_out: 0.0,
            });
            IssueImplementation {
                id: i.id.clone(),
                sphere: i.sphere,
                p_outcome: p,
                already_in_place: in_place,
                decision_hazard: h_d,
                implementation_hazard: h_c,
                decided_by_horizon: last.decided,
                decided_by_horizon_90: r.decision.annual_hazard_90.map(|(lo, hi)| {
                    if in_place {
                        (p, p)
                    } else {
                        let by = |h: f64| p * (1.0 - (1.0 - h).powi(horizon.years() as i32));
                        (by(lo), by(hi))
                    }
                }),
                carried_out_by_horizon: last.carried_out,
                carried_out_given_decided: (last.decided > 0.0).then(|| last.carried_out / last.decided),
                years,
            }
        })
        .collect()
}

/// A forecast's JSON with, per issue, `implementation` (P(decided by) and
/// P(carried out by) each year, the gap) and, at the top, the rates used:
/// what `accord forecast --json` prints and a server forecast run returns.
pub fn forecast_json(
    report: &ForecastReport,
    rates: &Rates,
    implementation: &[IssueImplementation],
    horizon: Horizon,
) -> serde_json::Result<serde_json::Value> {
    let mut v = serde_json::to_value(report)?;
    if let Some(issues) = v.get_mut("issues").and_then(|i| i.as_array_mut()) {
        for (issue, imp) in issues.iter_mut().zip(implementation) {
            if let Some(o) = issue.as_object_mut() {
                o.insert("implementation".into(), serde_json::to_value(imp)?);
            }
        }
    }
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "implementation".into(),
            serde_json::json!({ "horizon": horizon, "rates": rates, "method": "docs/models/implementation.md" }),
        );
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use accord_core::{EntryId, InstrumentChange, InstrumentKind, Names, Provenance};

    fn change(date: &str, status: InstrumentStatus) -> InstrumentChange {
        InstrumentChange {
            date: date.parse().unwrap(),
            status,
            provenance: Provenance::default(),
        }
    }

    fn instrument(id: &str, sphere: Sphere, life: Vec<InstrumentChange>) -> Instrument {
        Instrument {
            id: EntryId::new(id).unwrap(),
            kind: InstrumentKind::Proposal,
            org: Some(ActorId::new("SCO").unwrap()),
            name: Names::default(),
            sphere,
            parties: vec![],
            proposer: None,
            count: 1,
            amounts: vec![],
            life,
            provenance: Provenance::default(),
        }
    }

    fn cutoff() -> NaiveDate {
        NaiveDate::from_ymd_opt(2010, 6, 1).unwrap()
    }

    fn sco() -> ActorId {
        ActorId::new("SCO").unwrap()
    }

    #[test]
    fn the_gamma_cdf_matches_closed_forms() {
        for x in [0.1, 0.7, 1.0, 2.5, 8.0, 30.0] {
            assert!((gamma_cdf(1.0, x) - (1.0 - (-x).exp())).abs() < 1e-12, "a = 1, x = {x}");
            assert!(
                (gamma_cdf(2.0, x) - (1.0 - (-x).exp() * (1.0 + x))).abs() < 1e-12,
                "a = 2, x = {x}"
            );
        }
        // P(½, x) = erf(√x); erf(1) = 0.8427007929497149.
        assert!((gamma_cdf(0.5, 1.0) - 0.842_700_792_949_714_9).abs() < 1e-10);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-12);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        // Quantiles invert the CDF, and the exponential's are closed-form.
        for (a, q) in [(0.3, 0.05), (1.0, 0.95), (1.3, 0.5), (12.0, 0.05)] {
            assert!(
                (gamma_cdf(a, gamma_quantile(a, q)) - q).abs() < 1e-9,
                "a = {a}, q = {q}"
            );
        }
        assert!((gamma_quantile(1.0, 0.95) - 20f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn hazard_intervals_hold_the_point_and_narrow_with_data() {
        let few = Rate::raw(1.0, 40.0, 5);
        let many = Rate::raw(100.0, 4000.0, 500);
        let (lo, hi) = few.annual_hazard_90.unwrap();
        assert!(lo < few.annual_hazard && few.annual_hazard < hi);
        let (mlo, mhi) = many.annual_hazard_90.unwrap();
        assert!(mhi - mlo < (hi - lo) / 5.0);
        assert!(Rate::raw(0.0, 0.0, 0).annual_hazard_90.is_none());
    }

    #[test]
    fn horizon_accepts_1_to_100_only() {
        assert!(Horizon::new(0).unwrap_err().contains("from 1 to 100"));
        assert!(Horizon::new(500).is_err());
        assert_eq!(Horizon::new(1).unwrap().years(), 1);
        assert_eq!(Horizon::new(100).unwrap().years(), 100);
        assert_eq!(Horizon::default().years(), 15);
    }

    #[test]
    fn partial_dates_end_on_their_last_day() {
        assert_eq!(
            last_day("2010".parse().unwrap()),
            NaiveDate::from_ymd_opt(2010, 12, 31).unwrap()
        );
        assert_eq!(
            last_day("2009-12".parse().unwrap()),
            NaiveDate::from_ymd_opt(2009, 12, 31).unwrap()
        );
        assert_eq!(
            last_day("2009-02".parse().unwrap()),
            NaiveDate::from_ymd_opt(2009, 2, 28).unwrap()
        );
    }

    #[test]
    fn rates_are_events_over_exposure() {
        let record = Record {
            instruments: vec![
                // Decided after exactly 2 years.
                instrument(
                    "a",
                    Sphere::Economy,
                    vec![
                        change("2004-06-01", InstrumentStatus::Proposed),
                        change("2006-06-01", InstrumentStatus::Adopted),
                    ],
                ),
                // Open for 4 years at the cut-off.
                instrument(
                    "b",
                    Sphere::Economy,
                    vec![change("2006-06-01", InstrumentStatus::Proposed)],
                ),
            ],
            ..Record::default()
        };
        let r = estimate_rates(&record, &sco(), cutoff());
        assert_eq!(r.all.decision.events, 1.0);
        assert!(
            (r.all.decision.exposure_years - 6.0).abs() < 0.01,
            "{:?}",
            r.all.decision
        );
        assert!((r.all.decision.rate - 1.0 / 6.0).abs() < 0.01);
        // Decided 2006-06-01, never carried out: 4 years at risk, no event.
        assert_eq!(r.all.implementation.events, 0.0);
        assert!((r.all.implementation.exposure_years - 4.0).abs() < 0.01);
        assert_eq!(r.all.decisions, 1.0);
        assert_eq!(r.all.carried_out, 0.0);
        // One sphere: its shrunk rate equals the pooled one.
        assert!((r.of(Sphere::Economy).decision.rate - r.all.decision.rate).abs() < 1e-12);
    }

    #[test]
    fn shrinkage_pulls_a_sphere_towards_the_pool() {
        let mut instruments = vec![];
        for i in 0..5 {
            instruments.push(instrument(
                &format!("s{i}"),
                Sphere::Security,
                vec![
                    change("2005-01-01", InstrumentStatus::Proposed),
                    change("2006-01-01", InstrumentStatus::Signed),
                ],
            ));
        }
        instruments.push(instrument(
            "e",
            Sphere::Energy,
            vec![change("2006-06-01", InstrumentStatus::Proposed)],
        ));
        let record = Record {
            instruments,
            ..Record::default()
        };
        let r = estimate_rates(&record, &sco(), cutoff());
        let energy = r.of(Sphere::Energy).decision;
        assert_eq!(energy.events, 0.0);
        // No event of its own, yet not zero: half-way (10 prior years against 4 of its own) to the pool.
        assert!(energy.rate > 0.0 && energy.rate < r.all.decision.rate);
        let expected = PRIOR_YEARS * r.all.decision.rate / (PRIOR_YEARS + energy.exposure_years);
        assert!((energy.rate - expected).abs() < 1e-12);
    }

    /// Nothing dated on or after the model's date enters the rates: adding
    /// later changes — or a year-dated change that may fall after it —
    /// leaves every number unchanged.
    #[test]
    fn nothing_on_or_after_the_model_date_enters() {
        let before = || {
            vec![
                instrument(
                    "a",
                    Sphere::Economy,
                    vec![
                        change("2004-06-01", InstrumentStatus::Proposed),
                        change("2006-06-01", InstrumentStatus::Adopted),
                    ],
                ),
                instrument(
                    "b",
                    Sphere::Energy,
                    vec![change("2006-06-01", InstrumentStatus::Proposed)],
                ),
            ]
        };
        let base = estimate_rates(
            &Record {
                instruments: before(),
                ..Record::default()
            },
            &sco(),
            cutoff(),
        );
        let mut later = before();
        later[0].life.push(change("2010-06-01", InstrumentStatus::CarriedOut));
        later[1].life.push(change("2010", InstrumentStatus::Adopted));
        later[1].life.push(change("2010-06", InstrumentStatus::Signed));
        later.push(instrument(
            "c",
            Sphere::Economy,
            vec![
                change("2010-06-01", InstrumentStatus::Proposed),
                change("2011", InstrumentStatus::Adopted),
            ],
        ));
        later.push(instrument(
            "d",
            Sphere::Security,
            vec![change("2010", InstrumentStatus::Proposed)],
        ));
        let with_later = estimate_rates(
            &Record {
                instruments: later,
                ..Record::default()
            },
            &sco(),
            cutoff(),
        );
        assert_eq!(base.all, with_later.all);
        assert_eq!(base.spheres, with_later.spheres);
        assert_eq!(base.instruments, with_later.instruments);
    }

    #[test]
    fn timeline_is_cumulative_and_bounded_by_p() {
        let h = Horizon::new(30).unwrap();
        let ys = timeline(0.8, 0.2, 0.1, false, 2010, h);
        assert_eq!(ys.len(), 30);
        assert_eq!(ys[0].year, 2011);
        // Nothing is carried out in the year it is decided.
        assert_eq!(ys[0].carried_out, 0.0);
        assert!((ys[0].decided - 0.8 * 0.2).abs() < 1e-12);
        for w in ys.windows(2) {
            assert!(w[1].decided >= w[0].decided && w[1].carried_out >= w[0].carried_out);
        }
        for y in &ys {
            assert!(y.carried_out <= y.decided && y.decided <= 0.8 + 1e-12);
        }
        // (H4) against a direct simulation of the two geometric waits.
        let direct: f64 = (1..=5)
            .flat_map(|k| (1..=5 - k).map(move |j| (k, j)))
            .map(|(k, j)| 0.2 * 0.8f64.powi(k - 1) * 0.1 * 0.9f64.powi(j - 1))
            .sum();
        assert!((ys[4].carried_out - 0.8 * direct).abs() < 1e-12);
        // In place on the model's date: both are p from the first year.
        let ys = timeline(0.6, 0.2, 0.1, true, 2010, h);
        assert!(ys.iter().all(|y| y.decided == 0.6 && y.carried_out == 0.6));
    }
}
