//! The Prometheus exposition of the cockpit reads back with the probe's own parser.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::core::cockpit::{Action, Cockpit, Msg};
use cutover_cockpit::core::export::{escape_label, log_head_text, prometheus_text};
use cutover_cockpit::core::sample::ProbeReport;
use cutover_cockpit::core::time::Ts;
use cutover_cockpit::probe::prom::{parse_exposition, Series};

const RUNBOOK: &str = include_str!("../runbooks/demo-pacs-cutover.toml");
const T0: Ts = Ts(1_795_903_200_000);

fn cockpit() -> Cockpit {
    let rb = cutover_cockpit::core::runbook::load("demo.toml", RUNBOOK).unwrap();
    let mut c = Cockpit::new(rb, T0);
    c.begin(T0);
    c
}

fn feed(c: &mut Cockpit, at: Ts, samples: &[(&str, f64)]) {
    let report = ProbeReport::ok_with("target.pacs.latency", at, samples);

    c.handle(Msg::Probe(report), at);
}

fn find<'a>(series: &'a [Series], name: &str, labels: &[(&str, &str)]) -> Option<&'a Series> {
    series.iter().find(|s| {
        s.name == name
            && labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
    })
}

#[test]
fn label_values_are_escaped() {
    assert_eq!(escape_label(r#"a"b\c"#), r#"a\"b\\c"#);
    assert_eq!(escape_label("two\nlines"), "two\\nlines");
}

#[test]
fn the_exposition_parses_back_with_every_line_readable() {
    let mut c = cockpit();
    let t = T0 + cutover_cockpit::core::time::Dur::from_secs(5);
    feed(
        &mut c,
        t,
        &[("target.pacs.latency_ms", 412.5), ("target.pacs.up", 1.0)],
    );
    c.handle(Msg::Tick, t);
    let text = prometheus_text(&c, t);
    let (series, bad) = parse_exposition(&text);
    assert_eq!(bad, 0, "unreadable lines in:\n{text}");
    let info = find(&series, "cutover_info", &[("phase", "readiness")]).unwrap();
    assert_eq!(
        info.labels["runbook"],
        "PACS archive cutover, Northside imaging"
    );
    assert_eq!(find(&series, "cutover_hold", &[]).unwrap().value, 0.0);
    let lat = find(
        &series,
        "cutover_metric",
        &[("name", "target.pacs.latency_ms")],
    )
    .unwrap();
    assert_eq!(lat.value, 412.5);
    assert_eq!(
        find(&series, "cutover_window_elapsed_seconds", &[])
            .unwrap()
            .value,
        5.0
    );
    // every gate has exactly one state set to 1
    let gate_ids: std::collections::BTreeSet<&str> =
        c.gates().iter().map(|g| g.id.as_str()).collect();
    assert!(!gate_ids.is_empty());
    for id in gate_ids {
        let ones: Vec<&Series> = series
            .iter()
            .filter(|s| s.name == "cutover_gate_state" && s.labels["gate"] == id && s.value == 1.0)
            .collect();
        assert_eq!(ones.len(), 1, "gate {id}: {ones:?}");
    }
    for l in text.lines().filter(|l| l.starts_with("# TYPE")) {
        assert!(l.ends_with(" gauge"), "{l}");
    }
}

#[test]
fn a_hold_and_a_breaching_threshold_show() {
    let mut c = cockpit();
    let reason = "storage \"array\" alarm\nsecond line".to_string();
    let fx = c.handle(
        Msg::Act {
            actor: "dana".into(),
            action: Action::Hold { reason },
        },
        T0,
    );
    assert!(!fx.is_empty());
    // latency far over the limit for 6 minutes
    for s in 0..=360 {
        let at = T0 + cutover_cockpit::core::time::Dur::from_secs(s);
        feed(&mut c, at, &[("target.pacs.latency_ms", 5000.0)]);
        c.handle(Msg::Tick, at);
    }
    let now = T0 + cutover_cockpit::core::time::Dur::from_secs(360);
    let (series, bad) = parse_exposition(&prometheus_text(&c, now));
    assert_eq!(bad, 0);
    assert_eq!(find(&series, "cutover_hold", &[]).unwrap().value, 1.0);
    let th = &[("threshold", "retrieval-latency-spike")];
    assert_eq!(
        find(&series, "cutover_threshold_value", th).unwrap().value,
        5000.0
    );
    assert_eq!(
        find(&series, "cutover_threshold_limit", th).unwrap().value,
        800.0
    );
    let secs = find(&series, "cutover_threshold_breaching_seconds", th)
        .unwrap()
        .value;
    assert!(secs >= 60.0, "{secs}");
    let breached = [
        ("threshold", "retrieval-latency-spike"),
        ("state", "breached"),
    ];
    assert_eq!(
        find(&series, "cutover_threshold_state", &breached)
            .unwrap()
            .value,
        1.0
    );
}

#[test]
fn stale_metrics_are_left_out_and_the_head_seq_is_written() {
    let mut c = cockpit();
    feed(&mut c, T0, &[("target.pacs.up", 1.0)]);
    let later = T0 + cutover_cockpit::core::time::Dur::from_secs(3600);
    let text = prometheus_text(&c, later);
    assert!(!text.contains("target.pacs.up"), "{text}");
    assert_eq!(
        log_head_text(41),
        "# HELP cutover_log_head_seq Seq of the last record in the cutover log.\n# TYPE cutover_log_head_seq gauge\ncutover_log_head_seq 41\n"
    );
}
