//! Symbol + word for every state, and compact time/number text.
//!
//! Every state is shown with both a symbol and a word, so that nothing
//! depends on colour (colour-blind readers, `NO_COLOR`, screenshots).

use crate::core::time::Dur;
use crate::tui::view::{GateState, PhaseState, StepStatus, ThresholdState};

/// Symbol and word of a gate state.
pub fn gate(s: GateState) -> (&'static str, &'static str) {
    match s {
        GateState::Pass => ("✔", "pass"),
        GateState::Holding => ("◷", "holding"),
        GateState::Fail => ("✘", "fail"),
        GateState::Unknown => ("?", "unknown"),
        GateState::Waived => ("⚑", "waived"),
        GateState::Awaiting => ("✎", "awaiting"),
    }
}

/// Symbol and word of a threshold state.
pub fn threshold(s: ThresholdState) -> (&'static str, &'static str) {
    match s {
        ThresholdState::Ok => ("✔", "ok"),
        ThresholdState::Watch => ("◷", "watch"),
        ThresholdState::Breached => ("▲", "breached"),
        ThresholdState::Unknown => ("?", "unknown"),
        ThresholdState::Inactive => ("·", "inactive"),
    }
}

/// Symbol and word of a step status.
pub fn step(s: StepStatus) -> (&'static str, &'static str) {
    match s {
        StepStatus::Pending => ("○", "pending"),
        StepStatus::Running => ("▶", "running"),
        StepStatus::Done => ("✔", "done"),
        StepStatus::Skipped => ("↷", "skipped"),
        StepStatus::Blocked => ("✘", "blocked"),
    }
}

/// Symbol and word of a phase state.
pub fn phase(s: PhaseState) -> (&'static str, &'static str) {
    match s {
        PhaseState::Done => ("✔", "done"),
        PhaseState::Current => ("▶", "current"),
        PhaseState::Pending => ("○", "pending"),
        PhaseState::RolledBack => ("↶", "rolled back"),
    }
}

/// Compact duration for progress text: "45s", "1m47s" (seconds under two
/// minutes, where a minute is a large share), "6m", "1h5m", "-12m".
pub fn dur_short(d: Dur) -> String {
    let sign = if d.0 < 0 { "-" } else { "" };
    let secs = d.0.unsigned_abs() / 1000;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{sign}{s}s"),
        (0, 1) if s > 0 => format!("{sign}1m{s}s"),
        (0, m) => format!("{sign}{m}m"),
        (h, 0) => format!("{sign}{h}h"),
        (h, m) => format!("{sign}{h}h{m}m"),
    }
}

/// The number a runbook gives a phase in its name ("Phase 0: readiness"
/// is 0), so the header and the phase strip number phases the same way.
pub fn phase_number(name: &str) -> Option<u32> {
    let rest = name.strip_prefix("Phase ")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    rest[digits.len()..].strip_prefix(':')?;
    digits.parse().ok()
}

/// Clock text `H:MM:SS` (sign kept for overruns).
pub fn clock(d: Dur) -> String {
    let sign = if d.0 < 0 { "-" } else { "" };
    let secs = d.0.unsigned_abs() / 1000;
    format!(
        "{sign}{}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// `held/for` progress, e.g. "6m/10m"; in the last two minutes before it
/// fires the seconds show ("9m47s/10m"), so 13 s left never reads as a minute.
pub fn progress(held: Dur, of: Dur) -> String {
    let left = of - held;
    let held_text = if left.0 > 0 && left.0 < 120_000 && held.0 >= 120_000 {
        let secs = held.0 / 1000;
        let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
        match h {
            0 => format!("{m}m{s:02}s"),
            h => format!("{h}h{m}m{s:02}s"),
        }
    } else {
        dur_short(held)
    };
    format!("{held_text}/{}", dur_short(of))
}

/// A metric value without noise: integers without decimals, others with up
/// to two; `?` when unknown.
pub fn value(v: Option<f64>) -> String {
    match v {
        None => "?".to_string(),
        Some(x) if !x.is_finite() => "?".to_string(),
        Some(x) if x.fract() == 0.0 && x.abs() < 1e12 => format!("{}", x as i64),
        Some(x) => {
            let s = format!("{x:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    }
}

/// An HTTP attempt's measured phases as words: `connect 2 ms · tls 14 ms ·
/// ttfb 120 ms · transfer 3 ms`. An attempt that measured a first byte but no
/// connect or TLS phase went out on a pooled connection, which it says
/// (`connection reused · ttfb 120 ms · transfer 3 ms`). `None` when nothing
/// was measured (a failed attempt, a kind that records no phases).
pub fn http_phases(phases: &[(String, f64)]) -> Option<String> {
    if phases.is_empty() {
        return None;
    }
    let has = |p: &str| phases.iter().any(|(k, _)| k == p);
    let reused = has("ttfb") && !has("connect") && !has("tls");
    let mut parts: Vec<String> = Vec::with_capacity(phases.len() + 1);
    if reused {
        parts.push("connection reused".into());
    }
    parts.extend(
        phases
            .iter()
            .map(|(k, v)| format!("{k} {}", crate::tui::notation::with_unit(Some(*v), "ms"))),
    );
    Some(parts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_compact_and_signed() {
        assert_eq!(dur_short(Dur::from_secs(45)), "45s");
        assert_eq!(dur_short(Dur::from_secs(6 * 60 + 30)), "6m");
        assert_eq!(dur_short(Dur::from_mins(65)), "1h5m");
        assert_eq!(dur_short(Dur::from_mins(120)), "2h");
        assert_eq!(dur_short(Dur::from_mins(-12)), "-12m");
        assert_eq!(progress(Dur::from_mins(6), Dur::from_mins(10)), "6m/10m");
        // 13 s left of a 2-minute timer, and of a 10-minute one
        assert_eq!(progress(Dur::from_secs(107), Dur::from_mins(2)), "1m47s/2m");
        assert_eq!(
            progress(Dur::from_secs(587), Dur::from_mins(10)),
            "9m47s/10m"
        );
        assert_eq!(phase_number("Phase 0: readiness"), Some(0));
        assert_eq!(phase_number("Phase two: x"), None);
        assert_eq!(phase_number("readiness"), None);
    }

    #[test]
    fn clock_shows_hours_minutes_seconds() {
        assert_eq!(clock(Dur::from_secs(4325)), "1:12:05");
        assert_eq!(clock(Dur::from_secs(-65)), "-0:01:05");
    }

    #[test]
    fn values_drop_noise_and_show_unknown() {
        assert_eq!(value(Some(812.0)), "812");
        assert_eq!(value(Some(0.954)), "0.95");
        assert_eq!(value(Some(1.5)), "1.5");
        assert_eq!(value(None), "?");
        assert_eq!(value(Some(f64::NAN)), "?");
    }

    #[test]
    fn http_phases_say_what_was_measured_and_when_a_connection_was_reused() {
        let p = |v: &[(&str, f64)]| -> Vec<(String, f64)> {
            v.iter().map(|(k, ms)| (k.to_string(), *ms)).collect()
        };
        assert_eq!(
            super::http_phases(&p(&[
                ("connect", 2.0),
                ("tls", 14.0),
                ("ttfb", 120.0),
                ("transfer", 3.0)
            ]))
            .as_deref(),
            Some("connect 2 ms · tls 14 ms · ttfb 120 ms · transfer 3 ms")
        );
        assert_eq!(
            super::http_phases(&p(&[("ttfb", 18.5), ("transfer", 2.0)])).as_deref(),
            Some("connection reused · ttfb 18.5 ms · transfer 2 ms")
        );
        // after a redirect: no first byte, so nothing is claimed about reuse
        assert_eq!(
            super::http_phases(&p(&[("transfer", 2.0)])).as_deref(),
            Some("transfer 2 ms")
        );
        assert_eq!(super::http_phases(&[]), None);
    }
}
