//! The "package deals" section: the exchanges across linked issues at the
//! baseline's point values (from [`accord_analysis::packages::packages`]),
//! and what they change against the one-issue-at-a-time forecast — the
//! exchange model of `docs/models/exchange.md`.

use accord_analysis::packages::PackageReport;
use accord_core::model::Link;

use crate::{
    charts::signed,
    data::Report,
    doc::{Block, Cell, Section, Table},
};

fn f1(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite())
        .map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"))
}

/// The package-deals section: the links and their basis, the exchanges
/// realised (between whom, on which issues, how far each moved, what each
/// gained), and each linked issue's outcome one at a time and after the
/// exchanges, with the largest changes named first.
pub fn section(report: &Report, packages: &PackageReport, links: &[Link]) -> Section {
    let mut s = Section::new("packages", "Package deals: bargaining across linked issues");
    s.push(Block::Paragraph(format!(
        "The model links issues that are negotiated together. Across linked issues the exchange model \
         (Stokman and Van Oosten 1994) lets two actors trade: each moves its position on the issue it cares \
         less about toward the other, and both expect a better outcome where they care more. Exchanges are \
         realised highest gain first ({:?} rate, {} round(s), each actor's position on an issue traded at \
         most once per round); the decision rule of the {} scenario then applies to each issue. The figures \
         are one run at the model's point values (seed {}), not the Monte Carlo forecast: they show the \
         mechanism, not its uncertainty.",
        packages.settings.rate, packages.settings.rounds, report.baseline_source.id, packages.seed
    )));
    s.push(Block::Definitions(
        links
            .iter()
            .map(|l| {
                let issues: Vec<&str> = l.issues.iter().map(|r| r.issue.as_str()).collect();
                (format!("{} ({})", l.id, issues.join(", ")), l.basis.clone())
            })
            .collect(),
    ));
    let mut rows = Vec::new();
    let mut n = 0;
    for deal in &packages.deals {
        for x in &deal.exchanges {
            n += 1;
            for (side, shift) in x.shifts.iter().enumerate() {
                rows.push(vec![
                    Cell::text(if side == 0 { n.to_string() } else { String::new() }),
                    Cell::text(shift.actor.clone()),
                    Cell::text(shift.issue.clone()),
                    Cell::text(format!("{:.1} → {:.1}", shift.from, shift.to)),
                    Cell::text(format!("{:.1} → {:.1}", shift.outcome_before, shift.outcome_after)),
                    Cell::text(format!("{:.4}", x.gains[side])),
                ]);
            }
        }
    }
    if rows.is_empty() {
        s.push(Block::Note(
            "No exchange is profitable to both sides on the linked issues: the package deals change nothing.".into(),
        ));
    } else {
        s.push(Block::Table(Table {
            caption: format!(
                "The {n} exchanges in the order realised: each actor moves on the issue it cares less about, toward \
                 its partner; \"outcome\" is the expected outcome (capability × salience weighted mean) of that issue \
                 before and after the move; the gain is the actor's expected-utility gain (salience × distance, \
                 saliences as shares)."
            ),
            header: ["#", "actor", "moves on", "position", "expected outcome", "gain"]
                .map(String::from)
                .to_vec(),
            numeric: vec![true, false, false, true, true, true],
            rows,
        }));
    }
    let mut changes: Vec<_> = packages.changes.iter().collect();
    changes.sort_by(|a, b| {
        let d = |c: &&accord_analysis::packages::PackageChange| match (c.alone, c.with_exchanges) {
            (Some(x), Some(y)) => (y - x).abs(),
            _ => -1.0,
        };
        d(b).total_cmp(&d(a)).then_with(|| a.id.cmp(&b.id))
    });
    let moved: Vec<String> = changes
        .iter()
        .filter_map(|c| Some((c, c.with_exchanges? - c.alone?)))
        .filter(|(_, d)| d.abs() >= 0.5)
        .take(3)
        .map(|(c, d)| format!("{} {} points", c.id, signed(d, 1)))
        .collect();
    s.push(Block::Paragraph(if moved.is_empty() {
        "Against the one-issue-at-a-time forecast, the exchanges move no outcome by half a point or more.".into()
    } else {
        format!(
            "Against the one-issue-at-a-time forecast, the exchanges move most: {}.",
            moved.join("; ")
        )
    }));
    s.push(Block::Table(Table {
        caption: "Each linked issue's outcome under the scenario's decision rule: on the positions as given (one \
                  issue at a time) and after the exchanges, at the point values."
            .into(),
        header: ["issue", "one at a time", "with exchanges", "change"]
            .map(String::from)
            .to_vec(),
        numeric: vec![false, true, true, true],
        rows: changes
            .iter()
            .map(|c| {
                let change = match (c.alone, c.with_exchanges) {
                    (Some(a), Some(w)) => signed(w - a, 1),
                    _ => c.error.clone().unwrap_or_else(|| "–".into()),
                };
                vec![
                    Cell::text(c.id.clone()),
                    Cell::text(f1(c.alone)),
                    Cell::text(f1(c.with_exchanges)),
                    Cell::text(change),
                ]
            })
            .collect(),
    }));
    s
}
