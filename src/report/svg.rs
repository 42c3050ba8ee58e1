//! Inline SVG charts for the html report: the window's timeline and one
//! chart per metric, with phases, holds and decisions on the same time axis.
//! Static markup only (no script); hover titles give the details.

use super::evidence::{Decision, Evidence, Series};
use super::text::{html, num, when};
use crate::core::time::Ts;
use std::fmt::Write;

const W: f64 = 960.0;
const L: f64 = 112.0;
const R: f64 = 20.0;

/// The shared time axis: the log's first to last record.
#[derive(Debug, Clone, Copy)]
pub struct Axis {
    t0: i64,
    t1: i64,
}

impl Axis {
    /// The axis of the whole log; `None` for a log without times.
    pub fn of(e: &Evidence) -> Option<Axis> {
        let (a, b) = e.span?;
        Some(Axis {
            t0: a.0,
            t1: b.0.max(a.0 + 60_000),
        })
    }
    fn x(&self, ts: Ts) -> f64 {
        L + (ts.0 - self.t0) as f64 / (self.t1 - self.t0) as f64 * (W - L - R)
    }
    /// Tick times on round minutes, at most about 10 of them.
    fn ticks(&self) -> Vec<Ts> {
        let span = self.t1 - self.t0;
        let step = [5, 10, 15, 30, 60, 120, 360, 720, 1440]
            .iter()
            .map(|m| m * 60_000)
            .find(|s| span / s <= 10)
            .unwrap_or(span.max(1));
        let first = (self.t0 + step - 1).div_euclid(step) * step;
        (0..)
            .map(|i| first + i * step)
            .take_while(|t| *t <= self.t1)
            .map(Ts)
            .collect()
    }
    fn x_ticks(&self, o: &mut String, top: f64, bottom: f64) {
        for t in self.ticks() {
            let x = self.x(t);
            let _ = write!(
                o,
                r##"<line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{bottom}" stroke="#e3e6ea"/><text x="{x:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"##,
                bottom + 14.0,
                &t.hms()[..5]
            );
        }
    }
}

/// Colour and one-letter code for a decision kind (legend in the page).
pub fn decision_style(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "go" => ("#1b7f3b", "G"),
        "hold" => ("#c62828", "H"),
        "resume" => ("#1f5fbf", "R"),
        "rollback" => ("#6a1b9a", "B"),
        "waive" => ("#e07b00", "W"),
        "decide" => ("#ad1457", "D"),
        "signoff" => ("#00796b", "S"),
        _ => ("#6b7280", "·"),
    }
}

fn decision_marks(o: &mut String, ax: &Axis, ds: &[Decision], top: f64, bottom: f64) {
    for d in ds {
        let (color, code) = decision_style(&d.kind);
        let x = ax.x(d.ts);
        let what = [d.detail.as_str(), d.rationale.as_deref().unwrap_or("")]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| html(s))
            .collect::<Vec<_>>()
            .join(". ");
        let _ = write!(
            o,
            r#"<g><title>{} {} by {}: {what}</title><line x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{bottom}" stroke="{color}" stroke-dasharray="3 2"/><text x="{x:.1}" y="{:.1}" class="mark" fill="{color}" text-anchor="middle">{code}</text></g>"#,
            when(d.ts),
            html(&d.kind),
            html(&d.actor),
            top - 3.0
        );
    }
}

fn bands(o: &mut String, ax: &Axis, e: &Evidence, top: f64, bottom: f64) {
    let end = e.span.map_or(Ts(ax.t1), |s| s.1);
    for (i, v) in e.phases.iter().enumerate() {
        let (x0, x1) = (ax.x(v.entered), ax.x(v.left.unwrap_or(end)));
        let fill = if i % 2 == 0 { "#eef3fa" } else { "#f7f9fc" };
        let _ = write!(
            o,
            r#"<rect x="{x0:.1}" y="{top}" width="{:.1}" height="{:.1}" fill="{fill}"><title>{}</title></rect>"#,
            (x1 - x0).max(0.5),
            bottom - top,
            html(&v.phase)
        );
    }
    for h in &e.holds {
        let (x0, x1) = (ax.x(h.start), ax.x(h.end.unwrap_or(end)));
        let _ = write!(
            o,
            r##"<rect x="{x0:.1}" y="{top}" width="{:.1}" height="{:.1}" fill="#c62828" fill-opacity="0.12"><title>hold from {} by {}</title></rect>"##,
            (x1 - x0).max(0.5),
            bottom - top,
            when(h.start),
            html(&h.by)
        );
    }
}

/// The window at a glance: phases, holds, threshold episodes, decisions.
pub fn timeline(e: &Evidence) -> String {
    let Some(ax) = Axis::of(e) else {
        return String::new();
    };
    let mut thresholds: Vec<&str> = Vec::new();
    for ep in &e.episodes {
        if !thresholds.contains(&ep.threshold.as_str()) {
            thresholds.push(&ep.threshold);
        }
    }
    let rows = 2 + thresholds.len();
    let (top, row) = (24.0, 26.0);
    let bottom = top + row * rows as f64;
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg class="timeline" viewBox="0 0 {W} {:.0}" role="img" aria-label="Timeline of the cutover window"><title>Timeline of the cutover window</title>"#,
        bottom + 22.0
    );
    ax.x_ticks(&mut o, top, bottom);
    let end = e.span.map_or(Ts(ax.t1), |s| s.1);
    let bar = |o: &mut String, y: f64, a: Ts, b: Ts, fill: &str, label: &str, tip: &str| {
        let (x0, x1) = (ax.x(a), ax.x(b));
        // a label wider than its bar would spill over the next one; the tooltip still has it
        let fits = x1 - x0 >= label.chars().count() as f64 * 6.0 + 8.0;
        let _ = write!(
            o,
            r#"<g><title>{tip}</title><rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="3" fill="{fill}"/>"#,
            y + 3.0,
            (x1 - x0).max(1.0),
            row - 6.0,
        );
        if fits {
            let _ = write!(
                o,
                r#"<text x="{:.1}" y="{:.1}" class="bar">{label}</text>"#,
                x0 + 4.0,
                y + row / 2.0 + 4.0
            );
        }
        o.push_str("</g>");
    };
    let _ = write!(
        o,
        r#"<text x="4" y="{:.1}" class="row">phases</text>"#,
        top + row / 2.0 + 4.0
    );
    for (i, v) in e.phases.iter().enumerate() {
        let fill = if i % 2 == 0 { "#9bb8e0" } else { "#b9cde9" };
        let tip = format!(
            "{}: {} to {} ({})",
            html(&v.phase),
            when(v.entered),
            v.left.map_or("end".into(), when),
            html(&v.outcome)
        );
        bar(
            &mut o,
            top,
            v.entered,
            v.left.unwrap_or(end),
            fill,
            &html(&v.phase),
            &tip,
        );
    }
    let _ = write!(
        o,
        r#"<text x="4" y="{:.1}" class="row">holds</text>"#,
        top + row * 1.5 + 4.0
    );
    for h in &e.holds {
        let tip = format!(
            "hold by {} from {}: {}",
            html(&h.by),
            when(h.start),
            html(h.reason.as_deref().unwrap_or(""))
        );
        bar(
            &mut o,
            top + row,
            h.start,
            h.end.unwrap_or(end),
            "#e57373",
            "hold",
            &tip,
        );
    }
    for (i, th) in thresholds.iter().enumerate() {
        let y = top + row * (2 + i) as f64;
        let _ = write!(
            o,
            r#"<text x="4" y="{:.1}" class="row">{}</text>"#,
            y + row / 2.0 + 4.0,
            html(&short(th, 18))
        );
        for ep in e.episodes.iter().filter(|ep| ep.threshold == *th) {
            let tip = format!(
                "{} from {}; peak {}",
                html(th),
                when(ep.start),
                ep.peak.map_or("?".into(), num)
            );
            let stop = ep.end.unwrap_or(end);
            // watch until the breach (if any), then breached until the end
            let watch_end = ep.breached_at.unwrap_or(stop);
            if watch_end > ep.start {
                bar(&mut o, y, ep.start, watch_end, "#ffcc80", "watch", &tip);
            }
            if let Some(b) = ep.breached_at {
                bar(&mut o, y, b, stop, "#ef9a9a", "breached", &tip);
            }
        }
    }
    decision_marks(&mut o, &ax, &e.decisions, top, bottom);
    o.push_str("</svg>");
    one_element_per_line(&o)
}

/// Breaks the markup before each drawing element so diffs of snapshots stay
/// readable. Safe because outside text is entity-escaped (no raw `<` in it).
fn one_element_per_line(svg: &str) -> String {
    [
        "<g>",
        "<line ",
        "<rect ",
        "<text ",
        "<polyline ",
        "<circle ",
        "</svg>",
    ]
    .iter()
    .fold(svg.to_string(), |acc, tag| {
        acc.replace(tag, &format!("\n{tag}"))
    })
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// A line chart of one metric over the whole log, with the limits of the
/// thresholds that read it, phase bands, holds and decision markers.
pub fn chart(e: &Evidence, s: &Series) -> String {
    let Some(ax) = Axis::of(e) else {
        return String::new();
    };
    let (top, bottom) = (22.0, 172.0);
    let limits: Vec<(String, f64)> = e
        .episodes
        .iter()
        .filter(|ep| s.used_by.contains(&ep.threshold))
        .filter_map(|ep| Some((ep.threshold.clone(), ep.limit?)))
        .fold(Vec::new(), |mut acc, l| {
            if !acc.iter().any(|a: &(String, f64)| a.0 == l.0) {
                acc.push(l);
            }
            acc
        });
    let values = s
        .points
        .iter()
        .map(|p| p.1)
        .chain(limits.iter().map(|l| l.1));
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi - lo < 1e-9 {
        (lo, hi) = (lo - 1.0, hi + 1.0);
    }
    let pad = (hi - lo) * 0.08;
    let (lo, hi) = (lo - pad, hi + pad);
    let y = |v: f64| top + (1.0 - (v - lo) / (hi - lo)) * (bottom - top);
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg class="chart" viewBox="0 0 {W} 200" role="img" aria-label="{m}"><title>{m}</title>"#,
        m = html(&s.metric)
    );
    bands(&mut o, &ax, e, top, bottom);
    ax.x_ticks(&mut o, top, bottom);
    for v in [lo + pad, (lo + hi) / 2.0, hi - pad] {
        let _ = write!(
            o,
            r##"<line x1="{L}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#e3e6ea"/><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"##,
            W - R,
            L - 6.0,
            y(v) + 4.0,
            num(v),
            yy = y(v)
        );
    }
    for (id, limit) in &limits {
        let _ = write!(
            o,
            r##"<line x1="{L}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#e07b00" stroke-dasharray="6 3"/><text x="{:.1}" y="{:.1}" class="limit" text-anchor="end">limit of {} = {}</text>"##,
            W - R,
            W - R - 4.0,
            y(*limit) - 4.0,
            html(id),
            num(*limit),
            yy = y(*limit)
        );
    }
    let pts: Vec<String> = s
        .points
        .iter()
        .map(|(t, v)| format!("{:.1},{:.1}", ax.x(*t), y(*v)))
        .collect();
    match pts.len() {
        0 => {
            let _ = write!(
                o,
                r#"<text x="{:.1}" y="{:.1}" class="empty" text-anchor="middle">no samples recorded</text>"#,
                W / 2.0,
                (top + bottom) / 2.0
            );
        }
        1 => {
            let _ = write!(
                o,
                r##"<circle cx="{}" r="3" fill="#1f5fbf"/>"##,
                pts[0].replacen(',', "\" cy=\"", 1)
            );
        }
        _ => {
            let _ = write!(
                o,
                r##"<polyline points="{}" fill="none" stroke="#1f5fbf" stroke-width="1.6"/>"##,
                pts.join(" ")
            );
        }
    }
    decision_marks(&mut o, &ax, &e.decisions, top, bottom);
    o.push_str("</svg>");
    one_element_per_line(&o)
}
