//! Clock faults during a window: the wall clock steps back 10 minutes and then
//! forward 2 hours while monotonic time runs on. The real session (core +
//! journal) runs on the anchored clock of `cutover run` with both sources
//! injected: the `for 10m` gate passes after 10 monotonic minutes, log times
//! stay UTC and non-decreasing, each jump is one note, and no duration is
//! negative in the log, on the screen or in the reports.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod tui_support;

use cutover_cockpit::app::clock::AnchoredClock;
use cutover_cockpit::app::session::Session;
use cutover_cockpit::app::start::{self, Loaded};
use cutover_cockpit::core::entry::EntryKind;
use cutover_cockpit::core::gate::GateState;
use cutover_cockpit::core::sample::{ProbeReport, Sample};
use cutover_cockpit::core::time::{Dur, Ts};
use cutover_cockpit::journal::verify_file;
use cutover_cockpit::probe::Clock;
use cutover_cockpit::report::{self, Evidence};
use cutover_cockpit::tui::{CockpitPort, Theme, UiState};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering::SeqCst};
use std::sync::Arc;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const MIN: i64 = 60_000;
/// 2026-11-28T22:00:00Z
const START: i64 = 1_795_903_200_000;

fn loaded() -> Loaded {
    let rb = std::fs::read_to_string(Path::new(ROOT).join("tests/runbooks/valid/minimal.toml"))
        .unwrap()
        .replace("for = \"1m\"", "for = \"10m\"");
    assert!(rb.contains("for = \"10m\""));
    let cfg = std::fs::read_to_string(Path::new(ROOT).join("config/demo.toml")).unwrap();
    start::load_texts("minimal.toml", rb, "demo.toml", cfg).unwrap()
}

fn temp_log() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cutover-clock-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("cutover.jsonl")
}

/// Fake wall and monotonic clocks (ms) the test moves by hand.
struct Clocks {
    wall: Arc<AtomicI64>,
    mono: Arc<AtomicI64>,
}

impl Clocks {
    fn advance(&self, ms: i64) {
        self.wall.fetch_add(ms, SeqCst);
        self.mono.fetch_add(ms, SeqCst);
    }
    fn step_wall(&self, ms: i64) {
        self.wall.fetch_add(ms, SeqCst);
    }
}

fn session(log: &Path) -> (Session, Clocks) {
    let clocks = Clocks {
        wall: Arc::new(AtomicI64::new(START)),
        mono: Arc::new(AtomicI64::new(7)),
    };
    let (w, m) = (clocks.wall.clone(), clocks.mono.clone());
    let anchored = Arc::new(AnchoredClock::with_sources(
        move || Ts(w.load(SeqCst)),
        move || Dur(m.load(SeqCst)),
    ));
    let a = anchored.clone();
    let clock: Clock = Arc::new(move || a.now());
    let (s, _) = start::open_session(&loaded(), log, "dana", clock).unwrap();
    (s.with_jump_detector(move || anchored.jump()), clocks)
}

fn gate_state(s: &Session) -> GateState {
    let g = s
        .cockpit()
        .gates()
        .iter()
        .find(|g| g.id == "pilot-checksums");
    g.unwrap().evaluated
}

fn checksum_ok(now: Ts) -> ProbeReport {
    let sample = |name: &str, value: f64| Sample {
        name: name.into(),
        ts: now,
        value,
    };
    ProbeReport {
        probe: "recon.pacs-pilot.checksum".into(),
        ts: now,
        ok: true,
        reason: None,
        samples: vec![
            sample("recon.pacs-pilot.checksum_ok", 1.0),
            sample("recon.pacs-pilot.match", 1.0),
            sample("recon.pacs-pilot.count_delta", 0.0),
        ],
    }
}

/// Runs 5-second probe rounds until monotonic `until_ms`; the wall clock is
/// stepped back 10 min at 2 min and forward 2 h at 5 min.
fn run_until(s: &mut Session, c: &Clocks, until_ms: i64) {
    while c.mono.load(SeqCst) < until_ms {
        c.advance(5_000);
        let m = c.mono.load(SeqCst);
        if (2 * MIN..2 * MIN + 5_000).contains(&m) {
            c.step_wall(-10 * MIN);
        }
        if (5 * MIN..5 * MIN + 5_000).contains(&m) {
            c.step_wall(120 * MIN);
        }
        let now = s.now();
        s.probe(checksum_ok(now));
        s.tick();
    }
}

/// The screen at 140x45 as text, monochrome.
fn screen(view: &cutover_cockpit::tui::CockpitView) -> String {
    let ui = UiState {
        theme: Theme::monochrome(),
        ..UiState::default()
    };
    tui_support::text(&tui_support::draw(view, &ui, 140, 45))
}

/// A negative duration as the screen or a report would print it: `-3s`, `-10m`, `-1h`.
fn negative_duration(text: &str) -> Option<String> {
    let b = text.as_bytes();
    for i in 0..b.len().saturating_sub(2) {
        if b[i] == b'-'
            && b[i + 1].is_ascii_digit()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
        {
            let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if let Some(u) = b.get(i + 1 + digits) {
                if matches!(u, b's' | b'm' | b'h') {
                    return Some(text[i.saturating_sub(30)..(i + 10).min(text.len())].to_string());
                }
            }
        }
    }
    None
}

/// Every number under a key that names a duration is >= 0.
fn no_negative_duration_fields(v: &serde_json::Value, path: &str) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let durable = ["dur", "elapsed", "for", "held", "age", "_s", "_ms"]
                    .iter()
                    .any(|w| k.contains(w));
                if let (true, Some(n)) = (durable, x.as_f64()) {
                    assert!(n >= 0.0, "negative {path}.{k} = {n}");
                }
                no_negative_duration_fields(x, &format!("{path}.{k}"));
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| no_negative_duration_fields(x, path)),
        _ => {}
    }
}

#[test]
fn a_for_10m_gate_keeps_monotonic_time_through_wall_clock_jumps() {
    let log = temp_log();
    let (mut s, c) = session(&log);

    run_until(&mut s, &c, 9 * MIN + 50_000);
    assert_eq!(
        gate_state(&s),
        GateState::Holding,
        "passed before 10 real minutes"
    );
    let mid = screen(&s.view());
    run_until(&mut s, &c, 10 * MIN + 10_000);
    assert_eq!(
        gate_state(&s),
        GateState::Pass,
        "not passed after 10 real minutes"
    );
    let end = screen(&s.view());
    s.close().unwrap();
    drop(s);

    let out = verify_file(&log, None, None).unwrap();
    assert!(out.damage.is_none(), "{:?}", out.damage);
    let mut last = Ts(0);
    for r in &out.records {
        assert!(
            r.ts.ends_with('Z') && r.ts.len() == 24,
            "not UTC ms: {}",
            r.ts
        );
        assert!(r.ts() >= last, "time went back at seq {}: {}", r.seq, r.ts);
        last = r.ts();
        no_negative_duration_fields(&r.body, &format!("seq{}", r.seq));
    }
    // log times follow monotonic time: 10m10s after the start, not 2 h later
    let span = last - out.records[0].ts();
    assert!(
        span <= Dur(10 * MIN + 11_000) && span >= Dur(10 * MIN),
        "{span:?}"
    );

    let notes: Vec<String> = out
        .records
        .iter()
        .filter(|r| r.kind == EntryKind::Decision && r.body["type"] == "note")
        .map(|r| r.body["rationale"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].contains("jumped back by 600s"), "{}", notes[0]);
    assert!(notes[1].contains("jumped forward by 6600s"), "{}", notes[1]);

    for (what, text) in [("mid screen", mid), ("end screen", end)] {
        assert_eq!(negative_duration(&text), None, "{what}:\n{text}");
    }
    let text = std::fs::read_to_string(&log).unwrap();
    let verification = report::verify::verify_log(text.as_bytes(), &log, None, None).unwrap();
    let evidence = Evidence::from_records(&report::verify::parse_records(&text), verification);
    let md = report::markdown(&evidence);
    let html = report::html(&evidence);
    assert!(md.contains("jumped"), "the note is in the report");
    // "Variance" is a signed delta against the plan (-5m = ahead of plan);
    // every other duration must be non-negative
    let (rest, variances) = split_variance_column(&md);
    assert_eq!(negative_duration(&rest), None, "markdown report");
    let mut html_rest = html.clone();
    for v in &variances {
        html_rest = html_rest.replace(v.as_str(), "");
    }
    assert_eq!(negative_duration(&html_rest), None, "html report");
}

/// The markdown without its Variance column, and that column's cells.
fn split_variance_column(md: &str) -> (String, Vec<String>) {
    let (mut rest, mut cells, mut col) = (String::new(), Vec::new(), None);
    for line in md.lines() {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        if line.starts_with('|') {
            if let Some(i) = parts.iter().position(|c| *c == "Variance") {
                col = Some(i);
            } else if let Some(i) = col.filter(|i| *i < parts.len()) {
                cells.push(parts[i].to_string());
                let kept: Vec<&str> = parts
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, c)| *c)
                    .collect();
                rest.push_str(&kept.join("|"));
                rest.push('\n');
                continue;
            }
        } else {
            col = None;
        }
        rest.push_str(line);
        rest.push('\n');
    }
    cells.retain(|c| c.starts_with('-'));
    (rest, cells)
}
