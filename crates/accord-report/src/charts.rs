//! The report's charts, each a function from report data to an SVG string.
//!
//! Every chart states in its own legend what marks mean, carries a
//! `<title>`/`<desc>` for screen readers and tooltips (`<title>` children)
//! with the exact numbers, and uses only the reader's system fonts.

use accord_analysis::{run::IssueShift, sensitivity::IssueSensitivity};
use accord_engine::montecarlo::IssueSummary;

use crate::{
    data::{ActorInfo, IssueInfo, ScenarioResult, Timeline, Trajectory},
    svg::{Anchor, Svg, TextStyle, n, text_width, wrap},
};

/// Colour of actors who vote, of the baseline forecast, and of scenarios.
const VOTER: &str = "#1f4e79";
const FORECAST: &str = "#d9480f";
const FORECAST_FILL: &str = "#fde0cf";
const GRID: &str = "#e3e6ea";
const MUTED: &str = "#6b7280";
const UP: &str = "#1f4e79";
const DOWN: &str = "#b35900";

/// Colours of the actors' lines: 20 hues, one per actor in model order, so
/// that an actor keeps its colour from chart to chart.
const PALETTE: [&str; 20] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#393b79",
    "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#ad494a",
];

/// The colour of a membership status.
pub fn status_colour(status: &str) -> &'static str {
    match status {
        "member" => "#1f4e79",
        "observer" => "#5b9bd5",
        "dialogue_partner" => "#f0a830",
        "partner" => "#70ad47",
        _ => "#a5a5a5",
    }
}

/// The colour of an actor in line charts.
pub fn actor_colour(actors: &[ActorInfo], code: &str) -> &'static str {
    let k = actors.iter().position(|a| a.code == code).unwrap_or(0);
    PALETTE[k % PALETTE.len()]
}

fn f1(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1}")
    } else {
        "–".to_owned()
    }
}

/// A signed number with `digits` decimals; zero (after rounding) unsigned.
pub fn signed(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return "–".to_owned();
    }
    let s = format!("{x:+.digits$}");
    if s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_owned()
    } else {
        s
    }
}

/// Whether a scenario moves an issue: the mean paired shift is at least half
/// a point, or the change of P(above) is more than two standard errors.
pub fn moved(s: &IssueShift) -> bool {
    (s.mean_shift.abs() >= 0.5 && s.mean_shift.abs() > 2.0 * s.mean_shift_se) || p_significant(s)
}

/// Whether the change of P(above) is more than two standard errors (and at
/// least 0.005).
pub fn p_significant(s: &IssueShift) -> bool {
    s.p_shift.abs() > 2.0 * s.p_shift_se && s.p_shift.abs() >= 0.005
}

fn has_forecast(s: Option<&IssueSummary>) -> Option<&IssueSummary> {
    s.filter(|s| s.samples > 0 && s.quantiles.iter().all(|q| q.is_finite()))
}

/// The actors' positions on an issue's 0–100 scale: one row per actor
/// (nearest the low end first), a dot sized by capability × salience (area),
/// filled when the actor votes, its position range as a line; the status quo
/// and the threshold as vertical lines; the baseline forecast as a box plot;
/// the scale's end descriptions under the axis; the outcome of the
/// point-value run, when given, as a diamond on the forecast row.
pub fn positions_chart(issue: &IssueInfo, forecast: Option<&IssueSummary>, point: Option<f64>) -> String {
    const W: f64 = 620.0;
    const LEFT: f64 = 70.0;
    const RIGHT: f64 = 24.0;
    const ROW: f64 = 18.0;
    const TOP: f64 = 36.0;
    let plot_w = W - LEFT - RIGHT;
    let x = |v: f64| LEFT + v.clamp(0.0, 100.0) / 100.0 * plot_w;
    let mut stances: Vec<_> = issue.stances.iter().collect();
    stances.sort_by(|a, b| {
        a.position
            .value
            .total_cmp(&b.position.value)
            .then(b.weight().total_cmp(&a.weight()))
    });
    let rows_h = stances.len() as f64 * ROW;
    let forecast_y = TOP + rows_h + 20.0;
    let axis_y = forecast_y + 22.0;
    let ends: Vec<(String, Anchor, f64)> = match (issue.scale.first(), issue.scale.last()) {
        (Some(lo), Some(hi)) if issue.scale.len() > 1 => vec![
            (
                format!("{} = {}", n(lo.at), lo.means),
                Anchor::Start,
                x(lo.at).min(LEFT + plot_w * 0.02),
            ),
            (
                format!("{} = {}", n(hi.at), hi.means),
                Anchor::End,
                x(hi.at).max(LEFT + plot_w * 0.98),
            ),
        ],
        _ => Vec::new(),
    };
    let end_lines: Vec<Vec<String>> = ends.iter().map(|(t, _, _)| wrap(t, 44)).collect();
    let desc_lines = end_lines.iter().map(Vec::len).max().unwrap_or(0) as f64;
    let legend_y = axis_y + 34.0 + desc_lines * 13.0;
    let h = legend_y + 34.0;
    let wmax = stances.iter().map(|s| s.weight()).fold(0.0, f64::max);
    let radius = |w: f64| if wmax > 0.0 { 2.5 + 5.5 * (w / wmax).sqrt() } else { 4.0 };

    let mut svg = Svg::new(
        W,
        h,
        &format!("Positions on {}", issue.name),
        &format!(
            "{} actors' positions on the 0–100 scale of {}, with the status quo at {}, the threshold at {} and the baseline forecast.",
            stances.len(),
            issue.id,
            n(issue.status_quo),
            n(issue.threshold)
        ),
    );
    // Grid and scale points.
    let bottom = forecast_y + 12.0;
    for v in (0..=100).step_by(10) {
        let xv = x(f64::from(v));
        svg.line((xv, TOP - 6.0), (xv, bottom), GRID, 1.0, None);
    }
    // Status quo and threshold, labelled on two lines above the rows.
    let clamp_label = |xv: f64, s: &str| {
        let half = text_width(s, 10.0) / 2.0;
        xv.clamp(LEFT + half, LEFT + plot_w - half)
    };
    let sq_label = format!("status quo {}", n(issue.status_quo));
    let th_label = format!("threshold {}", n(issue.threshold));
    let small = TextStyle::PLAIN.size(10.0).anchor(Anchor::Middle);
    svg.line(
        (x(issue.status_quo), 16.0),
        (x(issue.status_quo), bottom),
        "#444",
        1.2,
        Some("5 3"),
    );
    svg.text(
        clamp_label(x(issue.status_quo), &sq_label),
        12.0,
        &sq_label,
        small.fill("#444").halo(),
    );
    svg.line(
        (x(issue.threshold), 28.0),
        (x(issue.threshold), bottom),
        "#b91c1c",
        1.0,
        Some("2 2"),
    );
    svg.text(
        clamp_label(x(issue.threshold), &th_label),
        24.0,
        &th_label,
        small.fill("#b91c1c").halo(),
    );

    // One row per actor.
    for (k, s) in stances.iter().enumerate() {
        let y = TOP + k as f64 * ROW + ROW / 2.0;
        let tip = format!(
            "{}: position {} ({}–{}), salience {} ({}–{}), capability {}{}",
            s.actor,
            n(s.position.value),
            n(s.position.low),
            n(s.position.high),
            n(s.salience.value),
            n(s.salience.low),
            n(s.salience.high),
            format_args!("{:.3}", s.capability),
            if s.votes {
                "; votes"
            } else {
                "; bargains without a vote"
            }
        );
        svg.open_group(Some(&tip), 1.0);
        let style = TextStyle::PLAIN.anchor(Anchor::End);
        svg.text(
            LEFT - 8.0,
            y + 4.0,
            &s.actor,
            if s.votes { style.bold() } else { style.fill(MUTED) },
        );
        if s.position.high > s.position.low {
            svg.line(
                (x(s.position.low), y),
                (x(s.position.high), y),
                if s.votes { "#8fb3d9" } else { "#c4cad3" },
                2.0,
                None,
            );
        }
        let r = radius(s.weight());
        if s.votes {
            svg.circle(x(s.position.value), y, r, VOTER, "#fff", 1.0, None);
        } else {
            svg.circle(x(s.position.value), y, r, "#fff", VOTER, 1.5, None);
        }
        svg.close_group();
    }

    // The baseline forecast.
    svg.line(
        (LEFT - 60.0, forecast_y - 14.0),
        (W - RIGHT, forecast_y - 14.0),
        "#c9ced6",
        1.0,
        None,
    );
    svg.text(
        LEFT - 8.0,
        forecast_y + 4.0,
        "forecast",
        TextStyle::PLAIN.anchor(Anchor::End).bold().fill(FORECAST),
    );
    match has_forecast(forecast) {
        Some(f) => {
            let q = f.quantiles;
            let tip = format!(
                "baseline forecast: median {}, 50 % within {}–{}, 90 % within {}–{}; mean {} ± {}; P(above {}) = {} ± {}",
                f1(q[2]),
                f1(q[1]),
                f1(q[3]),
                f1(q[0]),
                f1(q[4]),
                f1(f.mean),
                format_args!("{:.2}", f.std_error),
                n(f.threshold),
                format_args!("{:.2}", f.p_above),
                format_args!("{:.3}", f.p_above_se),
            );
            svg.open_group(Some(&tip), 1.0);
            svg.line((x(q[0]), forecast_y), (x(q[4]), forecast_y), FORECAST, 1.5, None);
            svg.line(
                (x(q[0]), forecast_y - 5.0),
                (x(q[0]), forecast_y + 5.0),
                FORECAST,
                1.5,
                None,
            );
            svg.line(
                (x(q[4]), forecast_y - 5.0),
                (x(q[4]), forecast_y + 5.0),
                FORECAST,
                1.5,
                None,
            );
            svg.rect(
                x(q[1]),
                forecast_y - 8.0,
                (x(q[3]) - x(q[1])).max(2.0),
                16.0,
                FORECAST_FILL,
                Some(FORECAST),
                None,
            );
            svg.line(
                (x(q[2]), forecast_y - 9.0),
                (x(q[2]), forecast_y + 9.0),
                FORECAST,
                3.0,
                None,
            );
            let label = format!("median {}", f1(q[2]));
            let right_room = W - RIGHT - x(q[4]);
            if right_room > text_width(&label, 10.0) + 8.0 {
                svg.text(
                    x(q[4]) + 6.0,
                    forecast_y + 4.0,
                    &label,
                    TextStyle::PLAIN.size(10.0).fill(FORECAST).halo(),
                );
            } else {
                let lx = x(q[0]) - 6.0;
                svg.text(
                    lx,
                    forecast_y + 4.0,
                    &label,
                    TextStyle::PLAIN.size(10.0).anchor(Anchor::End).fill(FORECAST).halo(),
                );
            }
            svg.close_group();
        }
        None => svg.text(
            LEFT + 4.0,
            forecast_y + 4.0,
            "no forecast",
            TextStyle::PLAIN.fill(MUTED),
        ),
    }
    if let Some(p) = point.filter(|p| p.is_finite()) {
        let (px, py) = (x(p), forecast_y);
        let d = format!(
            "M{},{} L{},{} L{},{} L{},{} Z",
            n(px),
            n(py - 6.0),
            n(px + 5.0),
            n(py),
            n(px),
            n(py + 6.0),
            n(px - 5.0),
            n(py)
        );
        svg.path(
            &d,
            "#fff",
            "#111",
            1.5,
            None,
            Some(&format!("point-value run: outcome {}", f1(p))),
        );
    }

    // Axis with ticks, and ticks at the scale's labelled points.
    svg.line((LEFT, axis_y), (LEFT + plot_w, axis_y), "#444", 1.0, None);
    for v in (0..=100).step_by(10) {
        let xv = x(f64::from(v));
        let major = v % 25 == 0 || v == 100;
        svg.line(
            (xv, axis_y),
            (xv, axis_y + if major { 5.0 } else { 3.0 }),
            "#444",
            1.0,
            None,
        );
        if v % 50 == 0 || v == 25 || v == 75 {
            svg.text(
                xv,
                axis_y + 16.0,
                &v.to_string(),
                TextStyle::PLAIN.size(10.0).anchor(Anchor::Middle),
            );
        }
    }
    for p in &issue.scale {
        svg.circle(
            x(p.at),
            axis_y,
            2.5,
            "#444",
            "#444",
            1.0,
            Some(&format!("{} = {}", n(p.at), p.means)),
        );
    }
    for ((_, anchor, xv), lines) in ends.iter().zip(&end_lines) {
        for (k, line) in lines.iter().enumerate() {
            let style = TextStyle::PLAIN.size(10.0).anchor(*anchor).fill("#374151");
            svg.text(*xv, axis_y + 32.0 + k as f64 * 13.0, line, style);
        }
    }

    // Legend.
    let ly = legend_y;
    let mut lx = 8.0;
    let legend = TextStyle::PLAIN.size(10.0).fill("#374151");
    svg.circle(lx + 5.0, ly - 4.0, 5.0, VOTER, "#fff", 1.0, None);
    svg.text(lx + 14.0, ly, "votes", legend);
    lx += 54.0;
    svg.circle(lx + 5.0, ly - 4.0, 5.0, "#fff", VOTER, 1.5, None);
    svg.text(lx + 14.0, ly, "bargains, no vote", legend);
    lx += 112.0;
    svg.line((lx, ly - 4.0), (lx + 18.0, ly - 4.0), "#8fb3d9", 2.0, None);
    svg.text(lx + 23.0, ly, "position range", legend);
    lx += 102.0;
    svg.text(lx, ly, "dot area ∝ capability × salience", legend);
    let ly2 = ly + 16.0;
    svg.rect(8.0, ly2 - 9.0, 18.0, 10.0, FORECAST_FILL, Some(FORECAST), None);
    svg.text(
        31.0,
        ly2,
        "baseline forecast: box 25–75 %, whiskers 5–95 %, bar = median",
        legend,
    );
    svg.line((360.0, ly2 - 4.0), (378.0, ly2 - 4.0), "#444", 1.2, Some("5 3"));
    svg.text(383.0, ly2, "status quo", legend);
    svg.line((450.0, ly2 - 4.0), (468.0, ly2 - 4.0), "#b91c1c", 1.0, Some("2 2"));
    svg.text(473.0, ly2, "threshold", legend);
    if point.is_some() {
        let (dx, dy) = (531.0, ly2 - 4.0);
        let d = format!(
            "M{},{} L{},{} L{},{} L{},{} Z",
            n(dx),
            n(dy - 5.0),
            n(dx + 4.0),
            n(dy),
            n(dx),
            n(dy + 5.0),
            n(dx - 4.0),
            n(dy)
        );
        svg.path(&d, "#fff", "#111", 1.2, None, None);
        svg.text(540.0, ly2, "point-value run", legend);
    }
    svg.finish()
}

/// The bargaining of the representative run: each actor's position per turn
/// (solid lines for voters, dashed for the others), the status quo and the
/// outcome, actors labelled at their final positions.
pub fn trajectory_chart(issue: &IssueInfo, t: &Trajectory, actors: &[ActorInfo]) -> String {
    const W: f64 = 620.0;
    const H: f64 = 310.0;
    const LEFT: f64 = 36.0;
    const RIGHT: f64 = 132.0;
    const TOP: f64 = 14.0;
    const BOTTOM: f64 = 40.0;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let turns = t.positions.len().saturating_sub(1);
    let x = |turn: usize| {
        LEFT + if turns == 0 {
            plot_w / 2.0
        } else {
            turn as f64 / turns as f64 * plot_w
        }
    };
    let y = |v: f64| TOP + (1.0 - v.clamp(0.0, 100.0) / 100.0) * plot_h;
    let mut svg = Svg::new(
        W,
        H,
        &format!("Bargaining on {}", issue.name),
        &format!(
            "Positions of {} actors over {turns} turns of the point-value run on {}; outcome {}.",
            t.actors.len(),
            issue.id,
            f1(t.outcome)
        ),
    );
    for v in [0.0, 25.0, 50.0, 75.0, 100.0] {
        svg.line((LEFT, y(v)), (LEFT + plot_w, y(v)), GRID, 1.0, None);
        svg.text(
            LEFT - 6.0,
            y(v) + 4.0,
            &n(v),
            TextStyle::PLAIN.size(10.0).anchor(Anchor::End),
        );
    }
    let step = (turns / 10).max(1);
    for turn in (0..=turns).step_by(step) {
        svg.line(
            (x(turn), TOP + plot_h),
            (x(turn), TOP + plot_h + 4.0),
            "#444",
            1.0,
            None,
        );
        svg.text(
            x(turn),
            TOP + plot_h + 16.0,
            &turn.to_string(),
            TextStyle::PLAIN.size(10.0).anchor(Anchor::Middle),
        );
    }
    svg.line((LEFT, TOP + plot_h), (LEFT + plot_w, TOP + plot_h), "#444", 1.0, None);

    // Status quo and outcome, named in the legend below the axis.
    let sq = issue.status_quo;
    svg.line((LEFT, y(sq)), (LEFT + plot_w, y(sq)), "#444", 1.2, Some("5 3"));
    svg.line(
        (LEFT, y(t.outcome)),
        (LEFT + plot_w, y(t.outcome)),
        FORECAST,
        2.0,
        Some("1 3"),
    );
    let ly = H - 6.0;
    let legend = TextStyle::PLAIN.size(10.0).fill("#374151");
    svg.line((LEFT, ly - 4.0), (LEFT + 18.0, ly - 4.0), "#444", 1.2, Some("5 3"));
    svg.text(LEFT + 23.0, ly, &format!("status quo {}", n(sq)), legend);
    svg.line(
        (LEFT + 100.0, ly - 4.0),
        (LEFT + 118.0, ly - 4.0),
        FORECAST,
        2.0,
        Some("1 3"),
    );
    svg.text(
        LEFT + 123.0,
        ly,
        &format!("outcome {}", f1(t.outcome)),
        legend.bold().fill(FORECAST),
    );
    svg.text(
        LEFT + 210.0,
        ly,
        "solid: votes · dashed: no vote · x: turn",
        legend.fill(MUTED),
    );

    let votes = |code: &str| issue.stances.iter().any(|s| s.actor == code && s.votes);
    for (a, code) in t.actors.iter().enumerate() {
        let pts: Vec<(f64, f64)> = t
            .positions
            .iter()
            .enumerate()
            .map(|(turn, p)| (x(turn), y(p[a])))
            .collect();
        let colour = actor_colour(actors, code);
        let first = t.positions.first().map_or(f64::NAN, |p| p[a]);
        let last = t.positions.last().map_or(f64::NAN, |p| p[a]);
        let tip = format!("{code}: {} → {}", f1(first), f1(last));
        if turns == 0 {
            svg.circle(pts[0].0, pts[0].1, 3.0, colour, colour, 1.0, Some(&tip));
        } else if votes(code) {
            svg.polyline(&pts, colour, 2.0, None, Some(&tip));
        } else {
            svg.polyline(&pts, colour, 1.3, Some("5 3"), Some(&tip));
        }
    }

    // Labels at the final positions: actors within 1.5 points share a label;
    // labels are pushed apart to stay legible.
    let mut finals: Vec<(f64, &str)> = t
        .actors
        .iter()
        .enumerate()
        .map(|(a, code)| (t.positions.last().map_or(0.0, |p| p[a]), code.as_str()))
        .collect();
    finals.sort_by(|p, q| q.0.total_cmp(&p.0));
    let mut groups: Vec<(f64, Vec<&str>)> = Vec::new();
    for (v, code) in finals {
        match groups.last_mut() {
            Some((gv, codes)) if (*gv - v).abs() <= 1.5 => codes.push(code),
            _ => groups.push((v, vec![code])),
        }
    }
    let label_x = LEFT + plot_w + 6.0;
    let mut labels: Vec<(f64, Vec<String>, &'static str)> = Vec::new();
    for (v, codes) in &groups {
        let colour = if codes.len() == 1 {
            actor_colour(actors, codes[0])
        } else {
            "#333"
        };
        let lines = wrap(&codes.join(" "), 17);
        labels.push((y(*v) + 4.0, lines, colour));
    }
    let mut prev_bottom = f64::NEG_INFINITY;
    for l in &mut labels {
        l.0 = l.0.max(prev_bottom + 12.0);
        prev_bottom = l.0 + (l.1.len() as f64 - 1.0) * 11.0;
    }
    let overflow = prev_bottom - (H - 4.0);
    if overflow > 0.0 {
        let mut next_top = H - 4.0 + 12.0;
        for l in labels.iter_mut().rev() {
            let height = (l.1.len() as f64 - 1.0) * 11.0;
            l.0 = l.0.min(next_top - 12.0 - height);
            next_top = l.0;
        }
    }
    for ((v, _), (ly, lines, colour)) in groups.iter().zip(&labels) {
        svg.line((LEFT + plot_w, y(*v)), (label_x - 1.0, *ly - 4.0), "#c4cad3", 1.0, None);
        for (k, line) in lines.iter().enumerate() {
            svg.text(
                label_x + 2.0,
                ly + k as f64 * 11.0,
                line,
                TextStyle::PLAIN.size(10.0).fill(colour),
            );
        }
    }
    svg.finish()
}

/// A scenario against the baseline (dumbbell chart): per issue, the
/// baseline's median and 5–95 % interval beside the scenario's, and the
/// probabilities of passing the threshold with their paired difference.
/// Issues the scenario does not move are drawn faint.
pub fn scenario_chart(result: &ScenarioResult, issues: &[IssueInfo]) -> String {
    const W: f64 = 820.0;
    const LEFT: f64 = 220.0;
    const PLOT: f64 = 340.0;
    const ROW: f64 = 22.0;
    const TOP: f64 = 44.0;
    let x = |v: f64| LEFT + v.clamp(0.0, 100.0) / 100.0 * PLOT;
    let Some(c) = &result.comparison else {
        let mut svg = Svg::new(W, 40.0, &result.source.title, "This scenario was not run.");
        svg.text(
            12.0,
            24.0,
            "not run: the report was stopped before this scenario finished",
            TextStyle::PLAIN.fill(MUTED),
        );
        return svg.finish();
    };
    let h = TOP + c.issues.len() as f64 * ROW + 44.0;
    let mut svg = Svg::new(
        W,
        h,
        &format!("{} against the baseline", result.source.title),
        &format!(
            "For each of {} issues: baseline and scenario medians with 5–95 % intervals, and P(at or above threshold) under both; issues marked given replay the scenario's input.",
            c.issues.len()
        ),
    );
    let head = TextStyle::PLAIN.size(10.0).bold().fill("#374151");
    svg.text(8.0, 14.0, "issue", head);
    svg.text(LEFT, 14.0, "median and 5–95 % interval on the 0–100 scale", head);
    svg.text(LEFT + PLOT + 22.0, 14.0, "P(at or above threshold)", head);
    svg.text(
        LEFT + PLOT + 22.0,
        28.0,
        "baseline → scenario",
        TextStyle::PLAIN.size(10.0).fill(MUTED),
    );
    svg.text(
        LEFT + PLOT + 132.0,
        28.0,
        "ΔP ± se",
        TextStyle::PLAIN.size(10.0).fill(MUTED),
    );
    for v in [0.0, 25.0, 50.0, 75.0, 100.0] {
        svg.line(
            (x(v), TOP - 8.0),
            (x(v), TOP + c.issues.len() as f64 * ROW),
            GRID,
            1.0,
            None,
        );
        svg.text(
            x(v),
            TOP - 12.0,
            &n(v),
            TextStyle::PLAIN.size(10.0).anchor(Anchor::Middle).fill(MUTED),
        );
    }
    for (k, s) in c.issues.iter().enumerate() {
        let y = TOP + k as f64 * ROW + ROW / 2.0;
        let (Some(fa), Some(fb)) = (
            c.a.run.issues.iter().find(|i| i.id == s.id),
            c.b.run.issues.iter().find(|i| i.id == s.id),
        ) else {
            continue;
        };
        let name = issues
            .iter()
            .find(|i| i.id == s.id)
            .map_or(s.id.as_str(), |i| i.name.as_str());
        let moved = moved(s) && !s.given;
        let tip = format!(
            "{}{name}: median {} → {}; paired shift {} ± {} (90 % within {} … {}); P(≥ {}) {:.2} → {:.2}, Δ {:+.2} ± {:.3}",
            s.given_reason
                .as_deref()
                .map_or_else(String::new, |w| format!("GIVEN — {w}, so this replays the input. ")),
            f1(s.median.0),
            f1(s.median.1),
            format_args!("{:+.1}", s.mean_shift),
            format_args!("{:.2}", s.mean_shift_se),
            format_args!("{:+.1}", s.shift_90.0),
            format_args!("{:+.1}", s.shift_90.1),
            n(fa.threshold),
            s.p_above.0,
            s.p_above.1,
            s.p_shift,
            s.p_shift_se
        );
        svg.open_group(Some(&tip), if moved { 1.0 } else { 0.4 });
        if k % 2 == 1 {
            svg.rect(4.0, y - ROW / 2.0, W - 8.0, ROW, "#f6f7f9", None, None);
        }
        let label = match (s.given, s.id.chars().count()) {
            (true, k) if k > 26 => format!("{}… (given)", s.id.chars().take(25).collect::<String>()),
            (true, _) => format!("{} (given)", s.id),
            (false, k) if k > 34 => format!("{}…", s.id.chars().take(33).collect::<String>()),
            (false, _) => s.id.clone(),
        };
        svg.text(
            8.0,
            y + 4.0,
            &label,
            if moved {
                TextStyle::PLAIN.bold()
            } else {
                TextStyle::PLAIN
            },
        );
        svg.line(
            (x(fa.threshold), y - 7.0),
            (x(fa.threshold), y + 7.0),
            "#b91c1c",
            1.0,
            None,
        );
        if has_forecast(Some(fa)).is_some() {
            svg.line(
                (x(fa.quantiles[0]), y - 3.0),
                (x(fa.quantiles[4]), y - 3.0),
                "#9ca3af",
                2.0,
                None,
            );
        }
        if has_forecast(Some(fb)).is_some() {
            svg.line(
                (x(fb.quantiles[0]), y + 3.0),
                (x(fb.quantiles[4]), y + 3.0),
                FORECAST,
                2.0,
                None,
            );
        }
        if s.median.0.is_finite() && s.median.1.is_finite() {
            svg.line((x(s.median.0), y), (x(s.median.1), y), "#4b5563", 1.5, None);
            svg.circle(x(s.median.0), y, 4.5, "#fff", "#4b5563", 1.5, None);
            svg.circle(x(s.median.1), y, 4.5, FORECAST, "#fff", 1.0, None);
        }
        let px = LEFT + PLOT + 22.0;
        svg.text(
            px,
            y + 4.0,
            &format!("{:.2} → {:.2}", s.p_above.0, s.p_above.1),
            TextStyle::PLAIN,
        );
        let significant = p_significant(s);
        let delta = format!("{} ± {:.2}", signed(s.p_shift, 2), s.p_shift_se);
        let style = match (significant, s.p_shift > 0.0) {
            (false, _) => TextStyle::PLAIN.fill(MUTED),
            (true, true) => TextStyle::PLAIN.bold().fill(UP),
            (true, false) => TextStyle::PLAIN.bold().fill(DOWN),
        };
        svg.text(px + 110.0, y + 4.0, &delta, style);
        svg.close_group();
    }
    let ly = h - 16.0;
    let legend = TextStyle::PLAIN.size(10.0).fill("#374151");
    svg.circle(14.0, ly - 4.0, 4.5, "#fff", "#4b5563", 1.5, None);
    svg.line((24.0, ly - 4.0), (44.0, ly - 4.0), "#9ca3af", 2.0, None);
    svg.text(50.0, ly, "baseline median, 5–95 %", legend);
    svg.circle(194.0, ly - 4.0, 4.5, FORECAST, "#fff", 1.0, None);
    svg.line((204.0, ly - 4.0), (224.0, ly - 4.0), FORECAST, 2.0, None);
    svg.text(230.0, ly, "scenario median, 5–95 %", legend);
    svg.line((378.0, ly - 10.0), (378.0, ly + 2.0), "#b91c1c", 1.0, None);
    svg.text(384.0, ly, "threshold", legend);
    svg.text(
        446.0,
        ly,
        "bold ΔP: more than 2 se from 0; faint rows: moved by less than 0.5, or given",
        legend,
    );
    svg.finish()
}

/// Every scenario's effect at a glance: a grid of issues × scenarios, each
/// cell coloured by the mean paired shift of the outcome (blue up, orange
/// down) and labelled with it.
pub fn overview_chart(scenarios: &[ScenarioResult], issues: &[IssueInfo]) -> String {
    const LEFT: f64 = 230.0;
    const CELL_W: f64 = 62.0;
    const CELL_H: f64 = 20.0;
    const TOP: f64 = 150.0;
    let cols = scenarios.len().max(1) as f64;
    let w = LEFT + cols * CELL_W + 150.0;
    let h = TOP + issues.len() as f64 * CELL_H + 40.0;
    let mut svg = Svg::new(
        w,
        h,
        "Scenario effects at a glance",
        &format!(
            "Mean paired shift of the outcome (scenario − baseline) for {} issues under {} scenarios.",
            issues.len(),
            scenarios.len()
        ),
    );
    let max_shift = scenarios
        .iter()
        .filter_map(|s| s.comparison.as_ref())
        .flat_map(|c| c.issues.iter().filter(|i| !i.given).map(|i| i.mean_shift.abs()))
        .filter(|v| v.is_finite())
        .fold(10.0f64, f64::max);
    for (j, s) in scenarios.iter().enumerate() {
        let cx = LEFT + j as f64 * CELL_W + CELL_W / 2.0;
        let label = if s.source.id.chars().count() > 32 {
            format!("{}…", s.source.id.chars().take(31).collect::<String>())
        } else {
            s.source.id.clone()
        };
        svg.text_rotated(cx - 2.0, TOP - 8.0, -40.0, &label, TextStyle::PLAIN.size(10.5));
    }
    for (i, issue) in issues.iter().enumerate() {
        let y = TOP + i as f64 * CELL_H;
        svg.text(
            LEFT - 8.0,
            y + CELL_H / 2.0 + 4.0,
            &issue.id,
            TextStyle::PLAIN.anchor(Anchor::End),
        );
        for (j, s) in scenarios.iter().enumerate() {
            let cx = LEFT + j as f64 * CELL_W;
            let shift = s
                .comparison
                .as_ref()
                .and_then(|c| c.issues.iter().find(|x| x.id == issue.id));
            match shift {
                Some(d) if d.given => {
                    let tip = format!(
                        "{} under {}: GIVEN — {}; shift {:+.1} (replays the input, not a finding)",
                        issue.id,
                        s.source.id,
                        d.given_reason.as_deref().unwrap_or("set by the scenario"),
                        d.mean_shift
                    );
                    svg.rect(
                        cx + 1.0,
                        y + 1.0,
                        CELL_W - 2.0,
                        CELL_H - 2.0,
                        "#ffffff",
                        Some("#9ca3af"),
                        Some(&tip),
                    );
                    svg.text(
                        cx + CELL_W / 2.0,
                        y + CELL_H / 2.0 + 4.0,
                        "given",
                        TextStyle::PLAIN.size(10.0).anchor(Anchor::Middle).fill(MUTED),
                    );
                }
                Some(d) if d.mean_shift.is_finite() => {
                    let t = (d.mean_shift.abs() / max_shift).min(1.0);
                    let fill = shade(
                        if d.mean_shift >= 0.0 {
                            (31, 78, 121)
                        } else {
                            (179, 89, 0)
                        },
                        t,
                    );
                    let tip = format!(
                        "{} under {}: mean shift {:+.1} ± {:.2}; median {} → {}; P(≥ threshold) {:.2} → {:.2} (Δ {:+.2} ± {:.3})",
                        issue.id,
                        s.source.id,
                        d.mean_shift,
                        d.mean_shift_se,
                        f1(d.median.0),
                        f1(d.median.1),
                        d.p_above.0,
                        d.p_above.1,
                        d.p_shift,
                        d.p_shift_se
                    );
                    svg.rect(cx + 1.0, y + 1.0, CELL_W - 2.0, CELL_H - 2.0, &fill, None, Some(&tip));
                    if d.mean_shift.abs() >= 0.5 {
                        let ink = if t > 0.5 { "#fff" } else { "#111" };
                        let label = signed(d.mean_shift, 0);
                        svg.text(
                            cx + CELL_W / 2.0,
                            y + CELL_H / 2.0 + 4.0,
                            &label,
                            TextStyle::PLAIN.size(10.5).anchor(Anchor::Middle).fill(ink),
                        );
                    }
                }
                _ => svg.rect(
                    cx + 1.0,
                    y + 1.0,
                    CELL_W - 2.0,
                    CELL_H - 2.0,
                    "#eeeeee",
                    None,
                    Some("not run"),
                ),
            }
        }
    }
    let ly = h - 14.0;
    let legend = TextStyle::PLAIN.size(10.0).fill("#374151");
    svg.rect(8.0, ly - 10.0, 14.0, 12.0, &shade((31, 78, 121), 0.7), None, None);
    svg.text(26.0, ly, "outcome moves up", legend);
    svg.rect(130.0, ly - 10.0, 14.0, 12.0, &shade((179, 89, 0), 0.7), None, None);
    svg.text(148.0, ly, "moves down", legend);
    svg.text(
        230.0,
        ly,
        &format!(
            "numbers: mean paired shift on the 0–100 scale (full colour at ±{}); given: set by the scenario",
            n(max_shift)
        ),
        legend,
    );
    svg.finish()
}

/// `rgb` mixed with a light grey: `t` = 0 the grey, 1 the full colour.
fn shade((r, g, b): (u8, u8, u8), t: f64) -> String {
    let t = t.clamp(0.0, 1.0);
    let mix = |base: f64, c: u8| (base + (f64::from(c) - base) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(244.0, r), mix(245.0, g), mix(247.0, b))
}

/// The organization's membership over time: one row per actor, a bar per
/// status held, coloured by status; a line at `marker` (decimal year, label).
pub fn timeline_chart(tl: &Timeline, marker: Option<(f64, &str)>) -> String {
    const W: f64 = 900.0;
    const LEFT: f64 = 200.0;
    const RIGHT: f64 = 24.0;
    const ROW: f64 = 18.0;
    const TOP: f64 = 34.0;
    let (y0, y1) = (f64::from(tl.first_year), f64::from(tl.last_year + 1));
    let plot_w = W - LEFT - RIGHT;
    let x = |year: f64| LEFT + ((year - y0) / (y1 - y0)).clamp(0.0, 1.0) * plot_w;
    let h = TOP + tl.rows.len() as f64 * ROW + 56.0;
    let mut svg = Svg::new(
        W,
        h,
        &format!("Membership of the {}, {}–{}", tl.org, tl.first_year, tl.last_year),
        &format!(
            "{} actors and the statuses they held in the {} from the record.",
            tl.rows.len(),
            tl.org
        ),
    );
    let bottom = TOP + tl.rows.len() as f64 * ROW;
    for year in tl.first_year..=tl.last_year + 1 {
        let xv = x(f64::from(year));
        svg.line((xv, TOP - 4.0), (xv, bottom), GRID, 1.0, None);
        if (year - tl.first_year) % 2 == 0 && year <= tl.last_year {
            let mid = x(f64::from(year) + 0.5);
            svg.text(
                mid,
                TOP - 8.0,
                &year.to_string(),
                TextStyle::PLAIN.size(10.0).anchor(Anchor::Middle).fill(MUTED),
            );
            svg.text(
                mid,
                bottom + 14.0,
                &year.to_string(),
                TextStyle::PLAIN.size(10.0).anchor(Anchor::Middle).fill(MUTED),
            );
        }
    }
    for (k, row) in tl.rows.iter().enumerate() {
        let y = TOP + k as f64 * ROW;
        svg.text(
            LEFT - 8.0,
            y + 13.0,
            &format!("{} ({})", row.name, row.actor),
            TextStyle::PLAIN.anchor(Anchor::End),
        );
        for s in &row.spans {
            let end = s.to_year.unwrap_or(y1);
            let tip = format!(
                "{}: {} from {}{}",
                row.name,
                s.status.replace('_', " "),
                s.from,
                s.to.as_ref()
                    .map_or_else(|| " (continuing)".to_owned(), |t| format!(" to {t}"))
            );
            svg.rect(
                x(s.from_year),
                y + 3.0,
                x(end) - x(s.from_year),
                ROW - 6.0,
                status_colour(&s.status),
                None,
                Some(&tip),
            );
        }
    }
    if let Some((year, label)) = marker {
        svg.line((x(year), TOP - 20.0), (x(year), bottom), "#b91c1c", 1.5, Some("4 3"));
        svg.text(
            x(year) + 4.0,
            TOP - 22.0,
            label,
            TextStyle::PLAIN.size(10.0).fill("#b91c1c"),
        );
    }
    let ly = h - 12.0;
    let mut lx = 8.0;
    for status in ["member", "observer", "dialogue_partner", "partner", "guest"] {
        if !tl.rows.iter().any(|r| r.spans.iter().any(|s| s.status == status)) {
            continue;
        }
        svg.rect(lx, ly - 10.0, 14.0, 12.0, status_colour(status), None, None);
        let label = status.replace('_', " ");
        svg.text(lx + 18.0, ly, &label, TextStyle::PLAIN.size(10.0));
        lx += 32.0 + text_width(&label, 10.0) * 1.15;
    }
    svg.text(
        lx + 10.0,
        ly,
        "bars without an end continue past the last year shown",
        TextStyle::PLAIN.size(10.0).fill(MUTED),
    );
    svg.finish()
}

/// About five round tick values covering `[lo, hi]`.
pub fn nice_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![0.0];
    }
    let raw = (hi - lo) / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// Colour of a gain whose interval lies above 0, of a loss below 0, and of
/// a change whose interval includes 0.
fn interval_colour(lo: f64, hi: f64) -> &'static str {
    if lo > 0.0 {
        UP
    } else if hi < 0.0 {
        DOWN
    } else {
        "#9ca3af"
    }
}

/// A focal actor's levers ranked by the change of its expected utility ΔU:
/// one horizontal bar per single lever, then one per combination in
/// `combos`, each with its 95 % interval as a whisker; bars are blue when
/// the interval lies above 0, orange below, grey when it includes 0.
pub fn opportunities_chart(
    focal: &str,
    singles: &[accord_analysis::opportunities::Candidate],
    combos: &[accord_analysis::opportunities::Candidate],
) -> String {
    use accord_analysis::opportunities::Candidate;
    const W: f64 = 820.0;
    const RIGHT: f64 = 84.0;
    const ROW: f64 = 18.0;
    const LINE: f64 = 13.0;
    const HEAD: f64 = 22.0;
    const TOP: f64 = 30.0;
    let label_size = 10.0;
    let widest = singles
        .iter()
        .chain(combos)
        .flat_map(|c| c.levers.iter())
        .map(|l| text_width(&format!("{l} +"), label_size))
        .fold(0.0, f64::max);
    let left = (widest + 20.0).clamp(160.0, 340.0);
    let plot = W - left - RIGHT;
    let all: Vec<&Candidate> = singles.iter().chain(combos).collect();
    let lo = all
        .iter()
        .map(|c| c.interval.0.min(c.delta_utility))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::min);
    let hi = all
        .iter()
        .map(|c| c.interval.1.max(c.delta_utility))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let pad = ((hi - lo) * 0.04).max(1e-6);
    let (lo, hi) = (lo - if lo < 0.0 { pad } else { 0.0 }, hi + pad);
    let x = |v: f64| left + (v.clamp(lo, hi) - lo) / (hi - lo) * plot;
    let row_h = |c: &Candidate| {
        if c.levers.len() <= 1 {
            ROW
        } else {
            c.levers.len() as f64 * LINE + 7.0
        }
    };
    let body: f64 = HEAD
        + singles.iter().map(row_h).sum::<f64>()
        + if combos.is_empty() {
            0.0
        } else {
            HEAD + combos.iter().map(row_h).sum::<f64>()
        };
    let h = TOP + body + 44.0;
    let mut svg = Svg::new(
        W,
        h,
        &format!("Levers of {focal} ranked by the change of its expected utility"),
        &format!(
            "{} single levers and the best {} combinations of {focal}, each with the mean change ΔU of {focal}'s \
             expected utility and its 95 % interval.",
            singles.len(),
            combos.len()
        ),
    );
    let muted = TextStyle::PLAIN.size(10.0).fill(MUTED);
    let head = TextStyle::PLAIN.size(10.0).bold().fill("#374151");
    svg.text(8.0, 14.0, "levers", head);
    svg.text(left, 14.0, &format!("ΔU of {focal} (mean and 95 % interval)"), head);
    svg.text(W - RIGHT + 8.0, 14.0, "ΔU", head);
    let bottom = TOP + body;
    for t in nice_ticks(lo, hi) {
        svg.line((x(t), TOP - 4.0), (x(t), bottom), GRID, 1.0, None);
        svg.text(x(t), TOP - 8.0, &signed(t, 3), muted.anchor(Anchor::Middle));
    }
    svg.line((x(0.0), TOP - 4.0), (x(0.0), bottom), "#4b5563", 1.0, None);
    let mut y = TOP;
    let draw = |svg: &mut Svg, y: &mut f64, title: &str, list: &[Candidate]| {
        svg.text(8.0, *y + 15.0, title, TextStyle::PLAIN.bold().fill("#374151"));
        *y += HEAD;
        for (k, c) in list.iter().enumerate() {
            let rh = row_h(c);
            let mid = *y + rh / 2.0;
            let moves: Vec<String> = c
                .issues
                .iter()
                .filter(|m| m.mean_shift.abs() >= 0.05)
                .take(4)
                .map(|m| format!("{} {}", m.issue, signed(m.mean_shift, 1)))
                .collect();
            let tip = format!(
                "{}: ΔU {} (95 %: {} … {}); moves {}",
                c.levers.join(" + "),
                signed(c.delta_utility, 4),
                signed(c.interval.0, 4),
                signed(c.interval.1, 4),
                if moves.is_empty() {
                    "no outcome by 0.05 or more".to_owned()
                } else {
                    moves.join(", ")
                }
            );
            svg.open_group(Some(&tip), 1.0);
            if k % 2 == 1 {
                svg.rect(4.0, *y, W - 8.0, rh, "#f6f7f9", None, None);
            }
            let n_lines = c.levers.len().max(1) as f64;
            let first = mid - (n_lines - 1.0) * LINE / 2.0 + 3.5;
            for (j, l) in c.levers.iter().enumerate() {
                let text = if j + 1 < c.levers.len() {
                    format!("{l} +")
                } else {
                    l.clone()
                };
                svg.text(8.0, first + j as f64 * LINE, &text, TextStyle::PLAIN.size(label_size));
            }
            if c.delta_utility.is_finite() {
                let colour = interval_colour(c.interval.0, c.interval.1);
                let (a, b) = (x(0.0).min(x(c.delta_utility)), x(0.0).max(x(c.delta_utility)));
                svg.rect(a, mid - 5.0, (b - a).max(1.0), 10.0, colour, None, None);
                if c.interval.0.is_finite() && c.interval.1.is_finite() {
                    let (l, r) = (x(c.interval.0), x(c.interval.1));
                    svg.line((l, mid), (r, mid), "#111", 1.2, None);
                    svg.line((l, mid - 4.0), (l, mid + 4.0), "#111", 1.2, None);
                    svg.line((r, mid - 4.0), (r, mid + 4.0), "#111", 1.2, None);
                }
                svg.text(
                    W - RIGHT + 8.0,
                    mid + 4.0,
                    &signed(c.delta_utility, 4),
                    TextStyle::PLAIN.size(10.0).fill(colour),
                );
            }
            svg.close_group();
            *y += rh;
        }
    };
    draw(&mut svg, &mut y, "single levers", singles);
    if !combos.is_empty() {
        draw(&mut svg, &mut y, &format!("best {} combinations", combos.len()), combos);
    }
    let ly = h - 16.0;
    let legend = TextStyle::PLAIN.size(10.0).fill("#374151");
    let mut lx = 8.0;
    for (colour, label) in [
        (UP, "gain: interval above 0"),
        (DOWN, "loss: interval below 0"),
        ("#9ca3af", "interval includes 0"),
    ] {
        svg.rect(lx, ly - 9.0, 14.0, 10.0, colour, None, None);
        svg.text(lx + 19.0, ly, label, legend);
        lx += 19.0 + text_width(label, 10.0) + 16.0;
    }
    svg.line((lx, ly - 4.0), (lx + 20.0, ly - 4.0), "#111", 1.2, None);
    svg.line((lx, ly - 8.0), (lx, ly), "#111", 1.2, None);
    svg.line((lx + 20.0, ly - 8.0), (lx + 20.0, ly), "#111", 1.2, None);
    svg.text(lx + 26.0, ly, "95 % interval (paired over samples)", legend);
    svg.finish()
}

/// Colours of the two actors compared in the influence chart.
pub const PAIR_COLOURS: [&str; 2] = ["#1f4e79", "#d9480f"];

/// The words of a sphere ("external relations").
pub fn sphere_label(sphere: accord_core::Sphere) -> String {
    sphere.as_str().replace('_', " ")
}

/// Two actors' shares of the outcomes' displacement by sphere, one panel
/// per scenario on a common scale: for each sphere (rows), one bar per
/// actor, to the right when the actor pushed the outcomes where they went,
/// to the left when it held them back. A panel whose scenario failed, or a
/// sphere without displacement, says so.
pub fn influence_chart(
    pair: [&str; 2],
    panels: &[(String, Option<&accord_analysis::influence::InfluenceReport>)],
) -> String {
    use accord_core::Sphere;
    const LEFT: f64 = 118.0;
    const PANEL: f64 = 210.0;
    const GAP: f64 = 24.0;
    const ROW: f64 = 34.0;
    const TOP: f64 = 50.0;
    let share = |r: &accord_analysis::influence::InfluenceReport, sphere: Sphere, actor: &str| {
        r.spheres
            .iter()
            .find(|s| s.sphere == sphere)
            .map(|s| s.shares.iter().find(|(a, _)| a == actor).map_or(0.0, |(_, v)| *v))
    };
    let max = panels
        .iter()
        .filter_map(|(_, r)| *r)
        .flat_map(|r| r.spheres.iter())
        .flat_map(|s| s.shares.iter().filter(|(a, _)| pair.contains(&a.as_str())))
        .map(|(_, v)| v.abs())
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let m = ((max * 1.1 / 0.25).ceil() * 0.25).max(0.25);
    let step = if m <= 0.5 { 0.25 } else { 0.5 };
    let ticks: Vec<f64> = (-((m / step).floor() as i64)..=(m / step).floor() as i64)
        .map(|k| k as f64 * step)
        .filter(|t| t.abs() < m - 1e-9)
        .collect();
    let w = LEFT + panels.len() as f64 * (PANEL + GAP) + 8.0;
    let h = TOP + Sphere::ALL.len() as f64 * ROW + 40.0;
    let mut svg = Svg::new(
        w,
        h,
        &format!("{} against {} by sphere", pair[0], pair[1]),
        &format!(
            "Shapley shares of {} and {} in the displacement of the outcomes from the status quo, by sphere, in {} \
             scenarios.",
            pair[0],
            pair[1],
            panels.len()
        ),
    );
    let muted = TextStyle::PLAIN.size(10.0).fill(MUTED);
    let head = TextStyle::PLAIN.size(10.0).bold().fill("#374151");
    svg.text(8.0, 14.0, "sphere", head);
    let bottom = TOP + Sphere::ALL.len() as f64 * ROW;
    for (k, sphere) in Sphere::ALL.iter().enumerate() {
        let y = TOP + k as f64 * ROW;
        if k % 2 == 1 {
            svg.rect(4.0, y, w - 8.0, ROW, "#f6f7f9", None, None);
        }
        svg.text(8.0, y + ROW / 2.0 + 4.0, &sphere_label(*sphere), TextStyle::PLAIN);
    }
    for (p, (title, report)) in panels.iter().enumerate() {
        let x0 = LEFT + p as f64 * (PANEL + GAP);
        let x = |v: f64| x0 + (v.clamp(-m, m) + m) / (2.0 * m) * PANEL;
        let label = if title.chars().count() > 34 {
            format!("{}…", title.chars().take(33).collect::<String>())
        } else {
            title.clone()
        };
        svg.text(x0 + PANEL / 2.0, 14.0, &label, head.anchor(Anchor::Middle));
        for &t in &ticks {
            svg.line((x(t), TOP - 4.0), (x(t), bottom), GRID, 1.0, None);
            svg.text(
                x(t),
                TOP - 8.0,
                &format!("{} %", signed(t * 100.0, 0)),
                muted.anchor(Anchor::Middle),
            );
        }
        svg.line((x(0.0), TOP - 4.0), (x(0.0), bottom), "#4b5563", 1.0, None);
        let Some(r) = report else {
            svg.text(
                x0 + PANEL / 2.0,
                TOP + 20.0,
                "not computed",
                muted.anchor(Anchor::Middle),
            );
            continue;
        };
        for (k, sphere) in Sphere::ALL.iter().enumerate() {
            let y = TOP + k as f64 * ROW;
            let displacement = r.spheres.iter().find(|s| s.sphere == *sphere).map(|s| s.displacement);
            let Some(displacement) = displacement else {
                svg.text(x(0.0) + 6.0, y + ROW / 2.0 + 4.0, "no displacement", muted);
                continue;
            };
            for (j, actor) in pair.iter().enumerate() {
                let v = share(r, *sphere, actor).unwrap_or(0.0);
                let by = y + 6.0 + j as f64 * 11.0;
                let tip = format!(
                    "{title}, {}: {actor} {} % of the displacement ({} points in all)",
                    sphere_label(*sphere),
                    signed(v * 100.0, 1),
                    f1(displacement)
                );
                let (a, b) = (x(0.0).min(x(v)), x(0.0).max(x(v)));
                svg.rect(a, by, (b - a).max(1.0), 10.0, PAIR_COLOURS[j], None, Some(&tip));
                let text = format!("{} %", signed(v * 100.0, 0));
                let tw = text_width(&text, 9.0);
                let small = TextStyle::PLAIN.size(9.0);
                if v >= 0.0 {
                    if x(v) + 3.0 + tw <= x0 + PANEL {
                        svg.text(x(v) + 3.0, by + 8.5, &text, small.fill(PAIR_COLOURS[j]));
                    } else {
                        svg.text(x(v) - 3.0, by + 8.5, &text, small.fill("#fff").anchor(Anchor::End));
                    }
                } else if x(v) - 3.0 - tw >= x0 {
                    svg.text(
                        x(v) - 3.0,
                        by + 8.5,
                        &text,
                        small.fill(PAIR_COLOURS[j]).anchor(Anchor::End),
                    );
                } else {
                    svg.text(x(v) + 3.0, by + 8.5, &text, small.fill("#fff"));
                }
            }
        }
    }
    let ly = h - 14.0;
    let legend = TextStyle::PLAIN.size(10.0).fill("#374151");
    let mut lx = 8.0;
    for (j, actor) in pair.iter().enumerate() {
        svg.rect(lx, ly - 9.0, 14.0, 10.0, PAIR_COLOURS[j], None, None);
        svg.text(lx + 19.0, ly, actor, legend);
        lx += 19.0 + text_width(actor, 10.0) + 14.0;
    }
    svg.text(
        lx,
        ly,
        "share of the sphere's displacement: right = pushed the outcomes where they went, left = held them back",
        legend,
    );
    svg.finish()
}

/// Which input decides an issue (tornado chart): for the `top` inputs with
/// the largest effect, a bar from the result with the input at the low end
/// of its range to the result at the high end, the others drawn — on the
/// left P(outcome at or above the threshold) on 0–1, on the right the median
/// on the issue's 0–100 scale; a line marks the forecast with every input
/// drawn. Orange: the low end; blue: the high end.
pub fn tornado_chart(issue: &IssueInfo, s: &IssueSensitivity, top: usize) -> String {
    const W: f64 = 820.0;
    const LEFT: f64 = 210.0;
    const PANEL: f64 = 260.0;
    const GAP: f64 = 50.0;
    const ROW: f64 = 20.0;
    const TOP: f64 = 44.0;
    let rows: Vec<_> = s.entries.iter().take(top).collect();
    let h = TOP + rows.len().max(1) as f64 * ROW + 40.0;
    let mut svg = Svg::new(
        W,
        h,
        &format!("Which input decides {}", issue.id),
        &format!(
            "The {} inputs of the actors at the table that move {} most, each from the low to the high end of its range with the others drawn ({} samples): P(at or above {}) and the median.",
            rows.len(),
            issue.id,
            s.samples,
            n(issue.threshold)
        ),
    );
    let px = |p: f64| LEFT + p.clamp(0.0, 1.0) * PANEL;
    let mx = |m: f64| LEFT + PANEL + GAP + m.clamp(0.0, 100.0) / 100.0 * PANEL;
    let head = TextStyle::PLAIN.size(10.0).bold().fill("#374151");
    svg.text(8.0, 14.0, "actor and input (range)", head);
    svg.text(
        LEFT,
        14.0,
        &format!("P(outcome at or above {})", n(issue.threshold)),
        head,
    );
    svg.text(LEFT + PANEL + GAP, 14.0, "median outcome (0–100)", head);
    let bottom = TOP + rows.len().max(1) as f64 * ROW;
    for v in [0.0, 0.25, 0.5, 0.75, 1.0] {
        svg.line((px(v), TOP - 6.0), (px(v), bottom), GRID, 1.0, None);
        let style = TextStyle::PLAIN.size(10.0).anchor(Anchor::Middle).fill(MUTED);
        svg.text(px(v), TOP - 10.0, &format!("{v:.2}"), style);
    }
    for v in [0.0, 25.0, 50.0, 75.0, 100.0] {
        svg.line((mx(v), TOP - 6.0), (mx(v), bottom), GRID, 1.0, None);
        let style = TextStyle::PLAIN.size(10.0).anchor(Anchor::Middle).fill(MUTED);
        svg.text(mx(v), TOP - 10.0, &n(v), style);
    }
    svg.line(
        (mx(issue.threshold), TOP - 6.0),
        (mx(issue.threshold), bottom),
        "#b91c1c",
        1.0,
        Some("3 2"),
    );
    if rows.is_empty() {
        svg.text(
            8.0,
            TOP + 14.0,
            "no input of an actor at the table has a range",
            TextStyle::PLAIN.fill(MUTED),
        );
    }
    for (k, e) in rows.iter().enumerate() {
        let y = TOP + k as f64 * ROW + ROW / 2.0;
        let unit = |x: f64| {
            if e.input == accord_analysis::sensitivity::Input::Capability {
                format!("{x:.3}")
            } else {
                n(x)
            }
        };
        let tip = format!(
            "{} {} from {} to {}: P {:.2} → {:.2} (Δ {:+.2}); median {} → {} (Δ {:+.1})",
            e.actor,
            e.input.as_str(),
            unit(e.range.0),
            unit(e.range.1),
            e.p.0,
            e.p.1,
            e.p_effect,
            f1(e.median.0),
            f1(e.median.1),
            e.median_effect
        );
        svg.open_group(Some(&tip), 1.0);
        if k % 2 == 1 {
            svg.rect(4.0, y - ROW / 2.0, W - 8.0, ROW, "#f6f7f9", None, None);
        }
        svg.text(
            8.0,
            y + 4.0,
            &format!(
                "{} {} ({}–{})",
                e.actor,
                e.input.as_str(),
                unit(e.range.0),
                unit(e.range.1)
            ),
            TextStyle::PLAIN,
        );
        for (base, lo, hi, x) in [
            (s.base_p, e.p.0, e.p.1, &px as &dyn Fn(f64) -> f64),
            (s.base_median, e.median.0, e.median.1, &mx as &dyn Fn(f64) -> f64),
        ] {
            if !(base.is_finite() && lo.is_finite() && hi.is_finite()) {
                continue;
            }
            for (end, colour) in [(lo, DOWN), (hi, UP)] {
                let (a, b) = (x(base).min(x(end)), x(base).max(x(end)));
                svg.rect(a, y - 6.0, (b - a).max(1.0), 12.0, colour, None, None);
            }
            svg.line((x(base), y - 8.0), (x(base), y + 8.0), "#111827", 1.5, None);
        }
        svg.close_group();
    }
    let ly = h - 14.0;
    let legend = TextStyle::PLAIN.size(10.0).fill("#374151");
    svg.rect(8.0, ly - 10.0, 14.0, 12.0, DOWN, None, None);
    svg.text(26.0, ly, "input at the low end of its range", legend);
    svg.rect(220.0, ly - 10.0, 14.0, 12.0, UP, None, None);
    svg.text(238.0, ly, "at the high end", legend);
    svg.line((340.0, ly - 10.0), (340.0, ly + 2.0), "#111827", 1.5, None);
    svg.text(346.0, ly, "every input drawn (the forecast)", legend);
    svg.line((530.0, ly - 10.0), (530.0, ly + 2.0), "#b91c1c", 1.0, Some("3 2"));
    svg.text(536.0, ly, "threshold", legend);
    svg.finish()
}
