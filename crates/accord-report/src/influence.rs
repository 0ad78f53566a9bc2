//! The "influence" section: two actors' Shapley shares of the outcomes'
//! displacement by sphere (from [`accord_analysis::influence::influence`])
//! in the baseline and in other scenarios, and the members' voting power.

use accord_analysis::influence::InfluenceReport;
use accord_core::Sphere;

use crate::{
    charts::{self, signed, sphere_label},
    data::Report,
    doc::{Block, Cell, Chart, Section, Table},
};

/// The influence analysis of one scenario, as the caller ran it.
#[derive(Debug, Clone)]
pub struct ScenarioInfluence {
    /// The scenario's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The analysis, or why it did not run.
    pub result: Result<InfluenceReport, String>,
}

fn name_of(report: &Report, code: &str) -> String {
    report
        .actors
        .iter()
        .find(|a| a.code == code)
        .map_or_else(|| code.to_owned(), |a| a.name.clone())
}

fn share(r: &InfluenceReport, sphere: Sphere, actor: &str) -> Option<f64> {
    r.spheres
        .iter()
        .find(|s| s.sphere == sphere)
        .map(|s| s.shares.iter().find(|(a, _)| a == actor).map_or(0.0, |(_, v)| *v))
}

fn pct(v: f64) -> String {
    format!("{} %", signed(v * 100.0, 1))
}

/// One value when all are equal (as with equal-weight voters), else the range.
fn each(values: &[f64], digits: usize) -> String {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        "–".to_owned()
    } else if hi - lo < 1e-12 {
        format!("{lo:.digits$}")
    } else {
        format!("{lo:.digits$}–{hi:.digits$}")
    }
}

/// The influence section: `pair` (e.g. `["RUS", "CHN"]`) compared by sphere
/// in every scenario of `runs` (the first is the baseline), then the voting
/// power of the members in each.
pub fn section(report: &Report, pair: [&str; 2], runs: &[ScenarioInfluence]) -> Section {
    let names = [name_of(report, pair[0]), name_of(report, pair[1])];
    let mut s = Section::new("influence", format!("Influence: {} against {}", names[0], names[1]));
    let ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
    s.push(Block::Paragraph(format!(
        "Who accounts for the outcomes? Each issue's forecast on the point values of the inputs is displaced from \
         the status quo; the Shapley value splits that displacement among the actors (each actor's average \
         contribution over the orders in which the actors could join). Summed by sphere and divided by the \
         sphere's total displacement, an actor's share is positive when it pushed the outcomes where they went \
         and negative when it held them back; the shares of all actors sum to 100 % in each sphere. Shown for \
         {} and {} in {} ({}).",
        pair[0],
        pair[1],
        if runs.len() > 1 {
            "the baseline and the enlargement scenarios"
        } else {
            "the baseline"
        },
        ids.join(", ")
    )));
    let ok: Vec<(&ScenarioInfluence, &InfluenceReport)> = runs
        .iter()
        .filter_map(|r| r.result.as_ref().ok().map(|x| (r, x)))
        .collect();
    let tables: Vec<String> = ok
        .iter()
        .map(|(r, x)| format!("{}: {}", r.id, x.table.description))
        .collect();
    if !tables.is_empty() {
        s.push(Block::Paragraph(format!(
            "Tables and capabilities — {}.",
            tables.join("; ")
        )));
    }
    for r in runs {
        if let Err(e) = &r.result {
            s.push(Block::Note(format!("Influence in {} was not computed: {e}", r.id)));
        }
    }
    if let Some((_, base)) = ok.first() {
        let leads: Vec<String> = Sphere::ALL
            .iter()
            .filter(
                |sp| matches!((share(base, **sp, pair[0]), share(base, **sp, pair[1])), (Some(a), Some(b)) if a > b),
            )
            .map(|sp| sphere_label(*sp))
            .collect();
        let exact = base.issues.iter().filter(|i| i.attribution.exact).count();
        s.push(Block::Paragraph(format!(
            "In {}, {} has the larger share in {} of {} spheres with any displacement{}. Attribution: {} of {} \
             issues exact, the rest on sampled orders.",
            base.scenario,
            pair[0],
            leads.len(),
            base.spheres.len(),
            if leads.is_empty() {
                String::new()
            } else {
                format!(" ({})", leads.join(", "))
            },
            exact,
            base.issues.len()
        )));
    }
    let panels: Vec<(String, Option<&InfluenceReport>)> =
        runs.iter().map(|r| (r.id.clone(), r.result.as_ref().ok())).collect();
    s.push(Block::Charts(vec![Chart {
        name: "influence-spheres".to_owned(),
        caption: format!(
            "Shares of {} and {} in the displacement of the outcomes, by sphere, in {} (point values, seed {}).",
            pair[0],
            pair[1],
            ids.join(", "),
            report.baseline.run.settings.seed
        ),
        svg: charts::influence_chart(pair, &panels),
    }]));
    let mut rows = Vec::new();
    for sphere in Sphere::ALL {
        for (r, x) in &ok {
            let sp = x.spheres.iter().find(|s| s.sphere == sphere);
            let cell = |actor: &str| Cell::text(share(x, sphere, actor).map_or("—".to_owned(), pct));
            let a = share(x, sphere, pair[0]);
            let b = share(x, sphere, pair[1]);
            rows.push(vec![
                Cell::text(sphere_label(sphere)),
                Cell::text(r.id.clone()),
                Cell::text(sp.map_or("0".to_owned(), |s| format!("{:.1}", s.displacement))),
                Cell {
                    strong: matches!((a, b), (Some(a), Some(b)) if a > b),
                    ..cell(pair[0])
                },
                Cell {
                    strong: matches!((a, b), (Some(a), Some(b)) if b > a),
                    ..cell(pair[1])
                },
                Cell::text(sp.map_or("no displacement".to_owned(), |s| {
                    s.shares
                        .iter()
                        .take(3)
                        .map(|(a, v)| format!("{a} {:.0} %", v * 100.0))
                        .collect::<Vec<_>>()
                        .join(", ")
                })),
            ]);
        }
    }
    s.push(Block::Table(Table {
        caption: format!(
            "Shares of the displacement by sphere and scenario, as `accord influence` prints them; bold: the larger \
             of {} and {}. Displacement: the sum of the sphere's issues' distances from the status quo (points).",
            pair[0], pair[1]
        ),
        header: ["sphere", "scenario", "displacement", pair[0], pair[1], "largest shares"]
            .map(String::from)
            .to_vec(),
        numeric: vec![false, false, true, true, true, false],
        rows,
    }));

    let mut power = Section::new("influence-power", "Voting power of the members");
    let counts: Vec<String> = ok
        .iter()
        .filter_map(|(r, x)| x.power.first().map(|p| format!("{} in {}", p.voters.len(), r.id)))
        .collect();
    let consensus: Vec<String> = ok
        .iter()
        .filter_map(|(r, x)| {
            x.power
                .first()
                .filter(|p| p.passage > 0.0)
                .map(|p| format!("1 in {:.0} with {} members ({})", 1.0 / p.passage, p.voters.len(), r.id))
        })
        .collect();
    power.push(Block::Paragraph(format!(
        "The members vote ({}); every member has one vote, so the indices are the same for each. Under \
         consensus every member holds a veto, and only the coalition of all members can act — of all \
         coalitions, {}: each new member halves the share. Two-thirds and simple majority are the alternatives.",
        counts.join(", "),
        consensus.join(", ")
    )));
    let mut rows = Vec::new();
    for (r, x) in &ok {
        for p in &x.power {
            rows.push(vec![
                Cell::text(r.id.clone()),
                Cell::text(format!("{} ({})", p.voters.len(), p.voters.join(" "))),
                Cell::text(p.rule.clone()),
                Cell::text(each(&p.indices.shapley_shubik, 3)),
                Cell::text(each(&p.indices.banzhaf_absolute, 4)),
                Cell::text(if p.passage.is_finite() {
                    format!("{:.3} (1 in {:.1})", p.passage, 1.0 / p.passage)
                } else {
                    "–".to_owned()
                }),
            ]);
        }
    }
    power.push(Block::Table(Table {
        caption: "Voting power of the voting members under consensus and the alternatives, per scenario. \
                  Shapley–Shubik: share of the orders in which a member's vote decides; Banzhaf (absolute): \
                  chance that a member's vote decides when the others vote at random; share of coalitions that \
                  win: how easily the body can act at all."
            .to_owned(),
        header: [
            "scenario",
            "voters",
            "rule",
            "Shapley–Shubik (each)",
            "Banzhaf, absolute (each)",
            "share of coalitions that win",
        ]
        .map(String::from)
        .to_vec(),
        numeric: vec![false, false, false, true, true, true],
        rows,
    }));
    s.subsections.push(power);
    s
}
