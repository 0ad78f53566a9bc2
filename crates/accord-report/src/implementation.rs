//! The "from decision to implementation" section: for each issue of the
//! baseline, P(decided by year Y) and P(carried out by year Y) from the
//! hazard model of [`accord_analysis::hazard`], the rates it rests on, and a
//! chart of the cumulative probabilities of the main issues.

use accord_analysis::hazard::{Horizon, IssueImplementation, Rates};

use crate::{
    charts::{nice_ticks, sphere_label},
    data::Report,
    doc::{Block, Cell, Chart, Section, Table},
    svg::{Anchor, Svg, TextStyle},
};

const COLOURS: [&str; 6] = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

/// At most this many issues are drawn in the chart.
pub const CHART_ISSUES: usize = 6;

fn with_interval(x: f64, iv: Option<(f64, f64)>) -> String {
    match iv {
        Some((lo, hi)) => format!("{x:.3} ({lo:.3}–{hi:.3})"),
        None => format!("{x:.3}"),
    }
}

fn p2(x: f64) -> String {
    format!("{x:.2}")
}

/// The issues the chart shows: not already in place, with a forecast
/// P(outcome) of at least 0.05, the most likely to be decided by the
/// horizon first; at most [`CHART_ISSUES`].
pub fn main_issues(imp: &[IssueImplementation]) -> Vec<&IssueImplementation> {
    let mut v: Vec<&IssueImplementation> = imp
        .iter()
        .filter(|i| !i.already_in_place && i.p_outcome >= 0.05)
        .collect();
    v.sort_by(|a, b| {
        b.decided_by_horizon
            .total_cmp(&a.decided_by_horizon)
            .then(a.id.cmp(&b.id))
    });
    v.truncate(CHART_ISSUES);
    v
}

/// Cumulative P(decided) (solid) and P(carried out) (dashed) by year.
pub fn chart(issues: &[&IssueImplementation], start_year: i32, horizon: Horizon) -> String {
    let (w, h) = (720.0, 380.0);
    let (left, right, top, bottom) = (52.0, 200.0, 20.0, 44.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let years = horizon.years() as f64;
    let x = |t: f64| left + pw * t / years;
    let ymax = issues
        .iter()
        .map(|i| i.decided_by_horizon)
        .fold(0.0f64, f64::max)
        .max(0.05);
    // Round the top up to a tenth so that every line stays inside the plot.
    let ymax = ((ymax * 10.0).ceil() / 10.0).clamp(0.1, 1.0);
    let y = |p: f64| top + ph * (1.0 - p / ymax);
    let mut s = Svg::new(
        w,
        h,
        "Cumulative probability of a decision and of carrying it out, by year",
        "Solid lines: P(decided by the year); dashed: P(carried out by the year), for the baseline's main issues.",
    );
    for t in nice_ticks(0.0, ymax) {
        s.line((left, y(t)), (left + pw, y(t)), "#e5e5e5", 1.0, None);
        s.text(
            left - 6.0,
            y(t) + 4.0,
            &format!("{t:.2}"),
            TextStyle::PLAIN.anchor(Anchor::End).size(10.0),
        );
    }
    let step = if years > 30.0 {
        10
    } else if years > 12.0 {
        5
    } else {
        1
    };
    for t in (0..=horizon.years()).step_by(step) {
        s.line(
            (x(t as f64), top + ph),
            (x(t as f64), top + ph + 4.0),
            "#666",
            1.0,
            None,
        );
        s.text(
            x(t as f64),
            top + ph + 16.0,
            &(start_year + t as i32).to_string(),
            TextStyle::PLAIN.anchor(Anchor::Middle).size(10.0),
        );
    }
    s.line((left, top + ph), (left + pw, top + ph), "#666", 1.0, None);
    s.line((left, top), (left, top + ph), "#666", 1.0, None);
    s.text(
        left + pw / 2.0,
        h - 6.0,
        "year (model's date + years)",
        TextStyle::PLAIN.anchor(Anchor::Middle).size(10.0),
    );
    for (k, i) in issues.iter().enumerate() {
        let c = COLOURS[k % COLOURS.len()];
        let mut d = vec![(x(0.0), y(0.0))];
        let mut cpts = vec![(x(0.0), y(0.0))];
        for yp in &i.years {
            d.push((x(yp.years as f64), y(yp.decided)));
            cpts.push((x(yp.years as f64), y(yp.carried_out)));
        }
        let tip = format!(
            "{}: P(outcome) {} · decided by {} {} · carried out {} · carried out | decided {}",
            i.id,
            p2(i.p_outcome),
            start_year + horizon.years() as i32,
            p2(i.decided_by_horizon),
            p2(i.carried_out_by_horizon),
            i.carried_out_given_decided.map_or("–".into(), p2)
        );
        s.polyline(&d, c, 2.0, None, Some(&tip));
        s.polyline(&cpts, c, 1.5, Some("5 3"), Some(&tip));
        let ly = top + 14.0 + 18.0 * k as f64;
        s.line((left + pw + 12.0, ly - 4.0), (left + pw + 30.0, ly - 4.0), c, 2.0, None);
        s.text(left + pw + 34.0, ly, &i.id, TextStyle::PLAIN.size(10.0));
    }
    let ly = top + 14.0 + 18.0 * issues.len() as f64 + 8.0;
    s.line(
        (left + pw + 12.0, ly - 4.0),
        (left + pw + 30.0, ly - 4.0),
        "#444",
        2.0,
        None,
    );
    s.text(left + pw + 34.0, ly, "decided", TextStyle::PLAIN.size(10.0));
    s.line(
        (left + pw + 12.0, ly + 14.0),
        (left + pw + 30.0, ly + 14.0),
        "#444",
        1.5,
        Some("5 3"),
    );
    s.text(left + pw + 34.0, ly + 18.0, "carried out", TextStyle::PLAIN.size(10.0));
    s.finish()
}

/// The section, for the baseline forecast.
pub fn section(report: &Report, rates: &Rates, imp: &[IssueImplementation], horizon: Horizon) -> Section {
    let mut s = Section::new("implementation", "From decision to implementation");
    let end = rates.cutoff.format("%Y").to_string().parse::<i32>().unwrap_or(0);
    let h = horizon.years();
    let mid = (h / 2).max(1);
    s.push(Block::Paragraph(format!(
        "The bargaining forecast says whether an issue's outcome reaches its threshold; it does not say when, nor \
         whether a decision is carried out — the gap between what the {org} declares and what it does, which the \
         article puts at the centre. Here a discrete-time hazard model adds both, year by year to {last}: how fast \
         {org} proposals were decided and how fast decisions were carried out, estimated from the record's \
         instrument life cycles strictly before {cut} (nothing later enters), per sphere and shrunk towards all \
         spheres by a Gamma prior worth {prior} years. P(decided by Y) = P(outcome) × (1 − (1 − h_d)^Y); \
         carrying out follows a decision by its own annual hazard h_c. Method: docs/models/implementation.md.",
        org = report.org,
        last = end + h as i32,
        cut = rates.cutoff,
        prior = rates.prior_years
    )));
    s.push(Block::Note(format!(
        "The record dates few proposals and few implementations before {}: {} decision in {:.0} years of open \
         proposals, {} implementation in {:.0} years of decisions not yet carried out. The rates are therefore low and \
         uncertain; they say that, on the record's own history, SCO proposals were rarely decided and decisions rarely \
         carried out within a few years — the article's diagnosis, as a number.",
        rates.cutoff,
        rates.all.decision.events,
        rates.all.decision.exposure_years,
        rates.all.implementation.events,
        rates.all.implementation.exposure_years
    )));
    let mut rows = vec![];
    for r in rates.spheres.iter().chain(std::iter::once(&rates.all)) {
        let is_all = std::ptr::eq(r, &rates.all);
        rows.push(vec![
            Cell::text(if is_all {
                "all spheres".to_owned()
            } else {
                sphere_label(r.sphere)
            }),
            Cell::text(format!(
                "{:.0} in {:.1} y",
                r.decision.events, r.decision.exposure_years
            )),
            Cell::text(with_interval(r.decision.annual_hazard, r.decision.annual_hazard_90)),
            Cell::text(format!(
                "{:.0} in {:.1} y",
                r.implementation.events, r.implementation.exposure_years
            )),
            Cell::text(with_interval(
                r.implementation.annual_hazard,
                r.implementation.annual_hazard_90,
            )),
            Cell::text(format!("{:.0} of {:.0}", r.carried_out, r.decisions)),
        ]);
    }
    s.push(Block::Table(Table {
        caption: format!(
            "Rates from the record before {} (a sphere's hazards are shrunk towards all spheres; the raw counts are \
             its own). In brackets: 90 % credible intervals of the annual hazards (Gamma posterior).",
            rates.cutoff
        ),
        header: vec![
            "sphere".into(),
            "decisions in exposure".into(),
            "h_d per year (90 %)".into(),
            "carried out in exposure".into(),
            "h_c per year (90 %)".into(),
            "decisions carried out".into(),
        ],
        numeric: vec![false, true, true, true, true, true],
        rows,
    }));
    let rows = imp
        .iter()
        .map(|i| {
            let at = |t: u32| i.years.get(t as usize - 1).copied();
            vec![
                Cell::text(format!(
                    "{}{}",
                    i.id,
                    if i.already_in_place { " (in place)" } else { "" }
                )),
                Cell::text(p2(i.p_outcome)),
                Cell::text(at(mid).map_or("–".into(), |y| p2(y.decided))),
                Cell::text(match i.decided_by_horizon_90 {
                    Some((lo, hi)) if hi > lo => format!("{} ({}–{})", p2(i.decided_by_horizon), p2(lo), p2(hi)),
                    _ => p2(i.decided_by_horizon),
                }),
                Cell::text(at(mid).map_or("–".into(), |y| p2(y.carried_out))),
                Cell::text(p2(i.carried_out_by_horizon)),
                Cell::text(i.carried_out_given_decided.map_or("–".into(), p2)),
            ]
        })
        .collect();
    s.push(Block::Table(Table {
        caption: format!(
            "Baseline: P(decided) and P(carried out) by {} and {}; the last column is the declared-versus-carried-out \
             gap as a number, P(carried out by {} | decided by {}). \"In place\": the status quo already reaches the \
             threshold, so the question is whether it lasts, not when it comes.",
            end + mid as i32,
            end + h as i32,
            end + h as i32,
            end + h as i32
        ),
        header: vec![
            "issue".into(),
            "P(outcome)".into(),
            format!("decided {}", end + mid as i32),
            format!("decided {} (90 %)", end + h as i32),
            format!("carried out {}", end + mid as i32),
            format!("carried out {}", end + h as i32),
            "carried out | decided".into(),
        ],
        numeric: vec![false, true, true, true, true, true, true],
        rows,
    }));
    let main = main_issues(imp);
    if main.is_empty() {
        s.push(Block::Note(
            "No issue has a forecast P(outcome) of at least 0.05 outside those already in place: nothing to chart."
                .into(),
        ));
    } else {
        s.push(Block::Charts(vec![Chart {
            name: "implementation".into(),
            caption: format!(
                "Cumulative P(decided) (solid) and P(carried out) (dashed) by year for the baseline's {} most likely \
                 decisions (P(outcome) ≥ 0.05, not already in place).",
                main.len()
            ),
            svg: chart(&main, end, horizon),
        }]));
    }
    s
}
