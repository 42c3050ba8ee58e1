//! `cutover check` on a 5,000-step runbook (target: under 100 ms).
//!
//! Short run: `cargo bench --bench check -- --warm-up-time 1 --measurement-time 3`
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use criterion::{criterion_group, criterion_main, Criterion};
use cutover_cockpit::core::{config, runbook};
use std::fmt::Write;

/// 50 phases x 100 steps, each step after the previous one, two gates and a
/// sign-off per phase, a threshold per phase, three rollback plans.
fn big_runbook() -> String {
    let mut s = String::from(
        "[runbook]\nname = \"Big\"\nversion = \"1\"\ncommander = \"dana\"\nmax_duration = \"48h\"\n\n",
    );
    for o in ["dana", "sam", "priya", "dr-lee"] {
        let _ = write!(
            s,
            "[[owner]]\nid = \"{o}\"\nname = \"{o}\"\nrole = \"r\"\n\n"
        );
    }
    for p in 0..50 {
        let _ = write!(
            s,
            "[[phase]]\nid = \"phase-{p}\"\nname = \"Phase {p}\"\nowner = \"dana\"\n\n"
        );
        for i in 0..100 {
            let _ = write!(
                s,
                "  [[phase.step]]\n  id = \"p{p}-step-{i}\"\n  title = \"Step {i} of phase {p}\"\n  owner = \"sam\"\n  expected = \"5m\"\n"
            );
            if i > 0 {
                let _ = writeln!(s, "  after = [\"p{p}-step-{}\"]", i - 1);
            }
            s.push('\n');
        }
        let _ = write!(
            s,
            "  [[phase.gate]]\n  id = \"g{p}\"\n  title = \"t\"\n  when = \"recon.pacs-pilot.match == 1 and p95(target.pacs.latency_ms, 5m) < 800\"\n  for = \"1m\"\n\n  [[phase.gate]]\n  id = \"up{p}\"\n  title = \"t\"\n  when = \"target.pacs.up == 1\"\n  kind = \"entry\"\n\n  [[phase.signoff]]\n  role = \"Clinical\"\n  owner = \"dr-lee\"\n\n"
        );
    }
    for p in 0..50 {
        let _ = write!(
            s,
            "[[threshold]]\nid = \"t{p}\"\ntitle = \"t\"\nwhen = \"avg(target.pacs.latency_ms, 10m) > 800 or cutover.remaining_min < 0\"\nfor = \"10m\"\nscope = \"return-read-path\"\nseverity = \"rollback\"\nphase = [\"phase-{p}\"]\n\n"
        );
    }
    for scope in [
        "return-read-path",
        "pause-writes",
        "switch-archive-retrieval",
    ] {
        let _ = write!(
            s,
            "[[rollback]]\nscope = \"{scope}\"\ntitle = \"t\"\n  [[rollback.step]]\n  id = \"{scope}-1\"\n  title = \"t\"\n  owner = \"priya\"\n  expected = \"10m\"\n\n"
        );
    }
    s.push_str(
        "[[template]]\nid = \"hold\"\ntitle = \"Hold\"\ntext = \"HOLD at {time}: {reason}\"\n",
    );
    s
}

fn bench_check(c: &mut Criterion) {
    let text = big_runbook();
    let cfg_text = include_str!("../config/demo.toml");
    let cfg = config::load("config/demo.toml", cfg_text).expect("demo config is valid");
    let out = runbook::check_with_config("big.toml", &text, "config/demo.toml", &cfg);
    assert!(!out.has_errors(), "{:?}", out.diagnostics.first());
    let steps: usize = out
        .runbook
        .as_ref()
        .map(|r| r.phases.iter().map(|p| p.steps.len()).sum())
        .unwrap_or(0);
    assert_eq!(steps, 5000);
    c.bench_function("check 5000-step runbook with config", |b| {
        b.iter(|| {
            let cfg = config::load("config/demo.toml", cfg_text).expect("valid");
            runbook::check_with_config(
                "big.toml",
                std::hint::black_box(&text),
                "config/demo.toml",
                &cfg,
            )
        })
    });
    // the share of the TOML parser alone (spanned document, built and dropped)
    c.bench_function("toml_edit parse of the same text", |b| {
        b.iter(|| {
            cutover_cockpit::core::tomlread::parse_document("big.toml", std::hint::black_box(&text))
                .map(|d| d.as_table().len())
        })
    });
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
