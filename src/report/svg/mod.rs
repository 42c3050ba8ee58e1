//! Inline SVG charts for the html report: the window's timeline and one
//! chart per metric, with phases, holds and decisions on the same time axis.
//! Static markup only (no script); hover titles give the details.

mod chart;
mod timeline;

pub use chart::chart;
pub use timeline::timeline;

use super::evidence::{Decision, Evidence};
use super::text::{html, when};
use crate::core::time::Ts;
use std::fmt::Write;

pub(super) const W: f64 = 960.0;
pub(super) const L: f64 = 112.0;
pub(super) const R: f64 = 20.0;

/// The shared time axis: the log's first to last record.
#[derive(Debug, Clone, Copy)]
pub struct Axis {
    t0: i64,
    pub(super) t1: i64,
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
    pub(super) fn x(&self, ts: Ts) -> f64 {
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
    pub(super) fn x_ticks(&self, o: &mut String, top: f64, bottom: f64) {
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

pub(super) fn decision_marks(o: &mut String, ax: &Axis, ds: &[Decision], top: f64, bottom: f64) {
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

pub(super) fn bands(o: &mut String, ax: &Axis, e: &Evidence, top: f64, bottom: f64) {
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

/// Breaks the markup before each drawing element so diffs of snapshots stay
/// readable. Safe because outside text is entity-escaped (no raw `<` in it).
pub(super) fn one_element_per_line(svg: &str) -> String {
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

pub(super) fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}
