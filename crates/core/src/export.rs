//! The cockpit as Prometheus text exposition (format 0.0.4), for `GET
//! /metrics` on the team server: phase, hold, gates, thresholds and the
//! latest probe values, so an existing Grafana board can show the cutover.
//! Pure: the caller passes `now`. The series are listed in docs/team.md.

use crate::cockpit::Cockpit;
use crate::gate::GateState;
use crate::threshold::ThresholdState;
use crate::time::Ts;
use std::fmt::Write;

const GATE_STATES: [GateState; 6] = [
    GateState::Pass,
    GateState::Holding,
    GateState::Fail,
    GateState::Unknown,
    GateState::Waived,
    GateState::Awaiting,
];

const THRESHOLD_STATES: [ThresholdState; 5] = [
    ThresholdState::Ok,
    ThresholdState::Watch,
    ThresholdState::Breached,
    ThresholdState::Unknown,
    ThresholdState::Inactive,
];

/// A label value escaped per the exposition format (`\`, `"`, newline).
pub fn escape_label(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A sample value as the format writes it (`NaN`, `+Inf`, `-Inf` included).
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v}")
    }
}

/// Writes one exposition family: HELP, TYPE gauge, then its lines.
struct Out(String);

impl Out {
    fn family(&mut self, name: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}\n# TYPE {name} gauge");
    }
    fn line(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.0.push_str(name);
        if !labels.is_empty() {
            let inner: Vec<String> = labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                .collect();
            let _ = write!(self.0, "{{{}}}", inner.join(","));
        }
        let _ = writeln!(self.0, " {}", number(value));
    }
}

/// The whole exposition of `cockpit` at `now`.
pub fn prometheus_text(cockpit: &Cockpit, now: Ts) -> String {
    let mut o = Out(String::with_capacity(4096));
    header(&mut o, cockpit, now);
    gates(&mut o, cockpit);
    thresholds(&mut o, cockpit);
    metrics(&mut o, cockpit, now);
    o.0
}

/// `cutover_log_head_seq`: the seq of the last log record (the journal knows it, not the core).
pub fn log_head_text(seq: u64) -> String {
    let mut o = Out(String::new());
    o.family(
        "cutover_log_head_seq",
        "Seq of the last record in the cutover log.",
    );
    o.line("cutover_log_head_seq", &[], seq as f64);
    o.0
}

fn header(o: &mut Out, c: &Cockpit, now: Ts) {
    let rb = c.runbook();
    let phase_name = c.phase().map(|p| p.name.as_str()).unwrap_or("");
    o.family(
        "cutover_info",
        "The runbook and the current phase (value is always 1).",
    );
    let labels = [
        ("runbook", rb.name.as_str()),
        ("version", rb.version.as_str()),
        ("phase", c.phase_id()),
        ("phase_name", phase_name),
        ("commander", c.commander()),
    ];
    o.line("cutover_info", &labels, 1.0);
    o.family(
        "cutover_phase_index",
        "0-based index of the current phase in the runbook.",
    );
    o.line("cutover_phase_index", &[], c.phase_state().index as f64);
    o.family("cutover_hold", "1 while the line is held, else 0.");
    o.line("cutover_hold", &[], f64::from(u8::from(c.hold().is_some())));
    o.family(
        "cutover_recommendations_pending",
        "Rollback/hold recommendations waiting for a decision.",
    );
    o.line(
        "cutover_recommendations_pending",
        &[],
        c.recommendations().len() as f64,
    );
    o.family(
        "cutover_rollback",
        "1 while a rollback is in progress, else 0.",
    );
    o.line(
        "cutover_rollback",
        &[],
        f64::from(u8::from(c.rollback().is_some())),
    );
    let w = c.window();
    o.family(
        "cutover_window_elapsed_seconds",
        "Time since the window started.",
    );
    o.line(
        "cutover_window_elapsed_seconds",
        &[],
        (now - w.origin).0 as f64 / 1000.0,
    );
    o.family(
        "cutover_window_remaining_seconds",
        "Time left in the approved window (negative once overrun).",
    );
    o.line(
        "cutover_window_remaining_seconds",
        &[],
        (w.end - now).0 as f64 / 1000.0,
    );
}

fn gates(o: &mut Out, c: &Cockpit) {
    o.family(
        "cutover_gate_state",
        "One series per gate and state; 1 for the gate's current state, 0 for the others.",
    );
    for g in c.gates() {
        let kind = match g.kind {
            crate::runbook::GateKind::Entry => "entry",
            crate::runbook::GateKind::Exit => "exit",
        };
        let current = g.state();
        for s in GATE_STATES {
            let labels = [
                ("phase", g.phase.as_str()),
                ("gate", g.id.as_str()),
                ("kind", kind),
                ("state", s.as_str()),
            ];
            o.line(
                "cutover_gate_state",
                &labels,
                f64::from(u8::from(s == current)),
            );
        }
    }
}

fn thresholds(o: &mut Out, c: &Cockpit) {
    o.family(
        "cutover_threshold_state",
        "One series per threshold and state; 1 for the current state, 0 for the others.",
    );
    for t in c.thresholds() {
        for s in THRESHOLD_STATES {
            let labels = [("threshold", t.id.as_str()), ("state", s.as_str())];
            let v = f64::from(u8::from(s == t.state));
            o.line("cutover_threshold_state", &labels, v);
        }
    }
    // advisory thresholds never recommend: alerting rules leave them out with `unless`
    if c.thresholds().iter().any(|t| t.advisory) {
        o.family(
            "cutover_threshold_advisory",
            "1 for each advisory threshold (evaluated and shown, never recommends); absent for the others.",
        );
        for t in c.thresholds().iter().filter(|t| t.advisory) {
            o.line(
                "cutover_threshold_advisory",
                &[("threshold", t.id.as_str())],
                1.0,
            );
        }
    }
    let sides: Vec<(&str, Option<f64>, Option<f64>)> = c
        .thresholds()
        .iter()
        .map(|t| {
            let (v, l) = t.last.as_ref().map(|e| e.first_sides()).unwrap_or_default();
            (t.id.as_str(), v, l)
        })
        .collect();
    o.family(
        "cutover_threshold_value",
        "The measured side of the threshold's first comparison (absent while unknown).",
    );
    for (id, v, _) in &sides {
        if let Some(v) = v {
            o.line("cutover_threshold_value", &[("threshold", id)], *v);
        }
    }
    o.family(
        "cutover_threshold_limit",
        "The limit side of the threshold's first comparison.",
    );
    for (id, _, l) in &sides {
        if let Some(l) = l {
            o.line("cutover_threshold_limit", &[("threshold", id)], *l);
        }
    }
    o.family(
        "cutover_threshold_breaching_seconds",
        "How long the threshold's condition has held (its `for` timer).",
    );
    for t in c.thresholds() {
        let secs = t.timer.acc.0 as f64 / 1000.0;
        o.line(
            "cutover_threshold_breaching_seconds",
            &[("threshold", t.id.as_str())],
            secs,
        );
    }
}

fn metrics(o: &mut Out, c: &Cockpit, now: Ts) {
    o.family(
        "cutover_metric",
        "Latest fresh value of each cockpit metric (probe results); stale metrics are absent.",
    );
    let store = c.store();
    for name in store.names() {
        if let Ok(v) = store.latest(name, now) {
            o.line("cutover_metric", &[("name", name)], v);
        }
    }
}
