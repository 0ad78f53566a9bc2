//! The "opportunities" section: for each focal actor, its levers ranked by
//! the change of its expected utility (from
//! [`accord_analysis::opportunities::search`]), as a bar chart with 95 %
//! intervals and a table, with why the best candidate works.

use accord_analysis::opportunities::{Candidate, SearchReport};

use crate::{
    charts::{self, signed},
    data::Report,
    doc::{Block, Cell, Chart, Section, Table},
};

/// How many of the best combinations the chart and the table show.
pub const COMBINATIONS_SHOWN: usize = 5;

/// The search of one focal actor, as the caller ran it.
#[derive(Debug, Clone)]
pub struct ActorSearch {
    /// The focal actor's code (e.g. `RUS`).
    pub focal: String,
    /// The actor whose change of utility is shown beside the focal actor's
    /// (e.g. `CHN` for `RUS`).
    pub rival: String,
    /// The search, or why it did not run.
    pub result: Result<SearchReport, String>,
}

fn name_of(report: &Report, code: &str) -> String {
    report
        .actors
        .iter()
        .find(|a| a.code == code)
        .map_or_else(|| code.to_owned(), |a| a.name.clone())
}

fn interval(c: &Candidate) -> String {
    format!(
        "{} ({} … {})",
        signed(c.delta_utility, 4),
        signed(c.interval.0, 4),
        signed(c.interval.1, 4)
    )
}

fn moves(c: &Candidate) -> String {
    let m: Vec<String> = c
        .issues
        .iter()
        .filter(|m| m.mean_shift.abs() >= 0.05)
        .take(3)
        .map(|m| format!("{} {}", m.issue, signed(m.mean_shift, 1)))
        .collect();
    if m.is_empty() { "—".to_owned() } else { m.join(", ") }
}

/// The best candidate of a search: the single lever or combination with
/// the largest ΔU.
pub fn best(search: &SearchReport) -> Option<&Candidate> {
    search
        .singles
        .iter()
        .chain(search.combinations.iter())
        .filter(|c| c.delta_utility.is_finite())
        .max_by(|a, b| a.delta_utility.total_cmp(&b.delta_utility))
}

/// The opportunities section: an introduction, then one sub-section per
/// focal actor (chart, table, why the best candidate works).
pub fn section(report: &Report, searches: &[ActorSearch]) -> Section {
    let mut s = Section::new("opportunities", "Opportunities: the levers that serve Russia and China");
    let run = searches.iter().find_map(|a| a.result.as_ref().ok());
    let mut intro = format!(
        "Which of its own moves (the model's levers: shifting an actor's position, salience or capability) \
         would serve an actor best, alone or combined? An actor's utility is minus the salience-weighted \
         distance of the outcomes from its positions (linear loss), summed over the issues it has a stance on; \
         ΔU is its mean change over Monte Carlo samples when the levers are pulled in the {} scenario, with a \
         95 % interval from the paired standard error. Every candidate is evaluated on the same draws, so \
         differences between candidates are not sampling noise. Each actor's every single lever and its best \
         {COMBINATIONS_SHOWN} combinations of up to three levers are shown, with what they do to the rival.",
        report.baseline_source.id
    );
    if let Some(r) = run {
        intro.push_str(&format!(
            " The search runs {} samples per candidate (seed {}) — fewer than the baseline forecast's {}, to keep \
             the report under a minute; `accord opportunities --for ACTOR --samples N` runs more.",
            r.run.samples, r.run.seed, report.baseline.run.settings.samples
        ));
        intro.push_str(&format!(" The search's {}.", r.table.description));
        if let Some(w) = &r.table.widened {
            intro.push_str(&format!(" Table widened: {w}."));
        }
    }
    s.push(Block::Paragraph(intro));
    for a in searches {
        s.subsections.push(actor_section(report, a));
    }
    s
}

fn actor_section(report: &Report, a: &ActorSearch) -> Section {
    let name = name_of(report, &a.focal);
    let mut s = Section::new(
        format!("opportunities-{}", a.focal.to_ascii_lowercase()),
        format!("{name} ({})", a.focal),
    );
    let r = match &a.result {
        Ok(r) => r,
        Err(e) => {
            s.push(Block::Note(format!("The search for {} did not run: {e}", a.focal)));
            return s;
        }
    };
    if r.partial {
        s.push(Block::Note(format!(
            "PARTIAL: the search for {} was stopped before all {} samples.",
            a.focal, r.run.samples
        )));
    }
    let combos: Vec<Candidate> = r.combinations.iter().take(COMBINATIONS_SHOWN).cloned().collect();
    s.push(Block::Paragraph(format!(
        "{} levers of {name}; {} combinations evaluated ({}, up to {} levers), {} model runs on {} samples \
         (seed {}).",
        r.singles.len(),
        r.evaluated,
        r.method,
        r.settings.max_levers,
        r.model_runs,
        r.run.samples,
        r.run.seed
    )));
    s.push(Block::Charts(vec![Chart {
        name: format!("opportunities-{}", a.focal.to_ascii_lowercase()),
        caption: format!(
            "ΔU of {} for each single lever and the best {} combinations, with 95 % intervals ({} scenario, {} \
             samples, seed {}).",
            a.focal,
            combos.len(),
            r.scenario,
            r.run.samples,
            r.run.seed
        ),
        svg: charts::opportunities_chart(&a.focal, &r.singles, &combos),
    }]));
    let top = best(r);
    let rows = r
        .singles
        .iter()
        .chain(combos.iter())
        .map(|c| {
            let is_best = top.is_some_and(|b| b.levers == c.levers);
            let rival = c
                .others
                .iter()
                .find(|o| o.actor == a.rival)
                .map_or("—".to_owned(), |o| {
                    format!("{} ± {:.5}", signed(o.delta_utility, 4), o.std_error)
                });
            vec![
                Cell {
                    strong: is_best,
                    ..Cell::text(c.levers.join(" + "))
                },
                Cell {
                    strong: c.interval.0 > 0.0,
                    ..Cell::text(interval(c))
                },
                Cell::text(moves(c)),
                Cell::text(rival),
            ]
        })
        .collect();
    s.push(Block::Table(Table {
        caption: format!(
            "Levers of {} ({} scenario, {} samples, seed {}): every single lever, then the best {} combinations. \
             ΔU: change of {}'s expected utility, mean (95 % interval); bold: interval above 0. ΔU of {}: the \
             same levers' effect on {}'s utility (± se).",
            a.focal,
            r.scenario,
            r.run.samples,
            r.run.seed,
            combos.len(),
            a.focal,
            a.rival,
            a.rival
        ),
        header: vec![
            "levers".to_owned(),
            "ΔU (95 % interval)".to_owned(),
            "issues moved (mean shift)".to_owned(),
            format!("ΔU of {}", a.rival),
        ],
        numeric: vec![false, true, false, true],
        rows,
    }));
    if let Some(b) = top {
        s.push(Block::Paragraph(format!(
            "Why {} works best for {} (ΔU {}, 95 % interval {} … {}): what the levers shift —",
            b.levers.join(" + "),
            a.focal,
            signed(b.delta_utility, 4),
            signed(b.interval.0, 4),
            signed(b.interval.1, 4)
        )));
        s.push(Block::List(b.shifts.clone()));
        let fmt =
            |o: &accord_analysis::opportunities::OtherActor| format!("{} {}", o.actor, signed(o.delta_utility, 4));
        let gainers: Vec<String> = b
            .others
            .iter()
            .filter(|o| o.delta_utility > 0.0)
            .take(3)
            .map(fmt)
            .collect();
        let losers: Vec<String> = b
            .others
            .iter()
            .rev()
            .filter(|o| o.delta_utility < 0.0)
            .take(3)
            .map(fmt)
            .collect();
        let list = |v: Vec<String>| if v.is_empty() { "none".to_owned() } else { v.join(", ") };
        s.push(Block::Paragraph(format!(
            "It moves {}. Others gaining most: {}; losing most: {}.",
            moves(b),
            list(gainers),
            list(losers)
        )));
    }
    s
}
