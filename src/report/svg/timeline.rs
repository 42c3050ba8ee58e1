//! The window at a glance: one lane each for phases and holds, one per
//! threshold that left `ok`, and every decision marked on the time axis.

use super::{decision_marks, one_element_per_line, short, Axis, W};
use crate::core::time::Ts;
use crate::report::evidence::Evidence;
use crate::report::text::{html, num, when};
use std::fmt::Write;

const TOP: f64 = 24.0;
const ROW: f64 = 26.0;

/// One horizontal lane of the timeline.
struct Lane<'a> {
    ax: &'a Axis,
    y: f64,
}

impl Lane<'_> {
    fn at(ax: &Axis, index: usize) -> Lane<'_> {
        Lane {
            ax,
            y: TOP + ROW * index as f64,
        }
    }

    fn title(&self, o: &mut String, name: &str) {
        let _ = write!(
            o,
            r#"<text x="4" y="{:.1}" class="row">{}</text>"#,
            self.y + ROW / 2.0 + 4.0,
            html(&short(name, 18))
        );
    }

    /// A bar from `a` to `b`; `label` and `tip` are already escaped.
    fn bar(&self, o: &mut String, (a, b): (Ts, Ts), fill: &str, label: &str, tip: &str) {
        let (x0, x1) = (self.ax.x(a), self.ax.x(b));
        let _ = write!(
            o,
            r#"<g><title>{tip}</title><rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="3" fill="{fill}"/>"#,
            self.y + 3.0,
            (x1 - x0).max(1.0),
            ROW - 6.0,
        );
        // a label wider than its bar would spill over the next one; the tooltip still has it
        if x1 - x0 >= label.chars().count() as f64 * 6.0 + 8.0 {
            let _ = write!(
                o,
                r#"<text x="{:.1}" y="{:.1}" class="bar">{label}</text>"#,
                x0 + 4.0,
                self.y + ROW / 2.0 + 4.0
            );
        }
        o.push_str("</g>");
    }
}

/// The timeline of the whole log; empty for a log without times.
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
    let bottom = TOP + ROW * (2 + thresholds.len()) as f64;
    let end = e.span.map_or(Ts(ax.t1), |s| s.1);
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg class="timeline" viewBox="0 0 {W} {:.0}" role="img" aria-label="Timeline of the cutover window"><title>Timeline of the cutover window</title>"#,
        bottom + 22.0
    );
    ax.x_ticks(&mut o, TOP, bottom);
    phases(&mut o, &Lane::at(&ax, 0), e, end);
    holds(&mut o, &Lane::at(&ax, 1), e, end);
    for (i, th) in thresholds.iter().enumerate() {
        episodes(&mut o, &Lane::at(&ax, 2 + i), e, th, end);
    }
    decision_marks(&mut o, &ax, &e.decisions, TOP, bottom);
    o.push_str("</svg>");
    one_element_per_line(&o)
}

fn phases(o: &mut String, lane: &Lane, e: &Evidence, end: Ts) {
    lane.title(o, "phases");
    for (i, v) in e.phases.iter().enumerate() {
        let fill = if i % 2 == 0 { "#9bb8e0" } else { "#b9cde9" };
        let left = v.left.map_or("end".into(), when);
        let tip = format!(
            "{}: {} to {left} ({})",
            html(&v.phase),
            when(v.entered),
            html(&v.outcome)
        );
        lane.bar(
            o,
            (v.entered, v.left.unwrap_or(end)),
            fill,
            &html(&v.phase),
            &tip,
        );
    }
}

fn holds(o: &mut String, lane: &Lane, e: &Evidence, end: Ts) {
    lane.title(o, "holds");
    for h in &e.holds {
        let why = html(h.reason.as_deref().unwrap_or(""));
        let tip = format!("hold by {} from {}: {why}", html(&h.by), when(h.start));
        lane.bar(o, (h.start, h.end.unwrap_or(end)), "#e57373", "hold", &tip);
    }
}

/// Watch until the breach (if any), then breached until the episode ends.
fn episodes(o: &mut String, lane: &Lane, e: &Evidence, th: &str, end: Ts) {
    lane.title(o, th);
    for ep in e.episodes.iter().filter(|ep| ep.threshold == th) {
        let peak = ep.peak.map_or("?".into(), num);
        let tip = format!("{} from {}; peak {peak}", html(th), when(ep.start));
        let stop = ep.end.unwrap_or(end);
        let watch_end = ep.breached_at.unwrap_or(stop);
        if watch_end > ep.start {
            lane.bar(o, (ep.start, watch_end), "#ffcc80", "watch", &tip);
        }
        if let Some(b) = ep.breached_at {
            lane.bar(o, (b, stop), "#ef9a9a", "breached", &tip);
        }
    }
}
