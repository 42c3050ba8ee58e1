//! One metric over the whole log: its samples as a line, the limits of the
//! thresholds that read it, phase bands, holds and decision markers.

use super::{bands, decision_marks, one_element_per_line, Axis, L, R, W};
use crate::report::evidence::{Evidence, Series};
use crate::report::text::{html, num};
use std::fmt::Write;

const TOP: f64 = 22.0;
const BOTTOM: f64 = 172.0;

/// The value axis: the samples' range (and limits), padded by 8%.
struct YScale {
    lo: f64,
    hi: f64,
    pad: f64,
}

impl YScale {
    fn of(values: impl Iterator<Item = f64>) -> YScale {
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
        YScale {
            lo: lo - pad,
            hi: hi + pad,
            pad,
        }
    }

    fn y(&self, v: f64) -> f64 {
        TOP + (1.0 - (v - self.lo) / (self.hi - self.lo)) * (BOTTOM - TOP)
    }

    /// Gridlines with labels at the bottom, middle and top of the data range.
    fn grid(&self, o: &mut String) {
        for v in [
            self.lo + self.pad,
            (self.lo + self.hi) / 2.0,
            self.hi - self.pad,
        ] {
            let _ = write!(
                o,
                r##"<line x1="{L}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#e3e6ea"/><text x="{:.1}" y="{:.1}" class="tick" text-anchor="end">{}</text>"##,
                W - R,
                L - 6.0,
                self.y(v) + 4.0,
                num(v),
                yy = self.y(v)
            );
        }
    }
}

/// The limit of every threshold reading this metric that had an episode (once each).
fn limits(e: &Evidence, s: &Series) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    for ep in e
        .episodes
        .iter()
        .filter(|ep| s.used_by.contains(&ep.threshold))
    {
        if let Some(limit) = ep.limit {
            if !out.iter().any(|(id, _)| id == &ep.threshold) {
                out.push((ep.threshold.clone(), limit));
            }
        }
    }
    out
}

/// The chart of one metric; empty for a log without times.
pub fn chart(e: &Evidence, s: &Series) -> String {
    let Some(ax) = Axis::of(e) else {
        return String::new();
    };
    let limits = limits(e, s);
    let ys = YScale::of(
        s.points
            .iter()
            .map(|p| p.1)
            .chain(limits.iter().map(|l| l.1)),
    );
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg class="chart" viewBox="0 0 {W} 200" role="img" aria-label="{m}"><title>{m}</title>"#,
        m = html(&s.metric)
    );
    bands(&mut o, &ax, e, TOP, BOTTOM);
    ax.x_ticks(&mut o, TOP, BOTTOM);
    ys.grid(&mut o);
    for (id, limit) in &limits {
        let _ = write!(
            o,
            r##"<line x1="{L}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#e07b00" stroke-dasharray="6 3"/><text x="{:.1}" y="{:.1}" class="limit" text-anchor="end">limit of {} = {}</text>"##,
            W - R,
            W - R - 4.0,
            ys.y(*limit) - 4.0,
            html(id),
            num(*limit),
            yy = ys.y(*limit)
        );
    }
    line(&mut o, &ax, &ys, s);
    decision_marks(&mut o, &ax, &e.decisions, TOP, BOTTOM);
    o.push_str("</svg>");
    one_element_per_line(&o)
}

/// The samples: a polyline, a dot for a single sample, or a note for none.
fn line(o: &mut String, ax: &Axis, ys: &YScale, s: &Series) {
    let pts: Vec<(f64, f64)> = s.points.iter().map(|(t, v)| (ax.x(*t), ys.y(*v))).collect();
    let _ = match pts.as_slice() {
        [] => write!(
            o,
            r#"<text x="{:.1}" y="{:.1}" class="empty" text-anchor="middle">no samples recorded</text>"#,
            W / 2.0,
            (TOP + BOTTOM) / 2.0
        ),
        [(x, y)] => write!(
            o,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="#1f5fbf"/>"##
        ),
        _ => {
            let points: Vec<String> = pts.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            write!(
                o,
                r##"<polyline points="{}" fill="none" stroke="#1f5fbf" stroke-width="1.6"/>"##,
                points.join(" ")
            )
        }
    };
}
