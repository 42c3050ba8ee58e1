//! Text from outside (endpoint bodies, reasons, runbook text, a follower's
//! view) full of C0/C1 controls, ESC sequences (OSC 52, OSC 8, titles),
//! carriage returns and bidi overrides is shown inert everywhere: on screen
//! (TestBackend cells), in the log pane, in the md and html reports. The log
//! itself keeps the exact string (parsed back it is equal, so hashes cover
//! the real bytes) while its raw file holds no raw control character.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "support/views.rs"]
mod fixtures;

mod tui_support;

use cutover_cockpit::app::start;
use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::core::sample::{ProbeReport, Sample};
use cutover_cockpit::core::sanitize::is_dangerous;
use cutover_cockpit::journal::verify_file;
use cutover_cockpit::probe::system_clock;
use cutover_cockpit::report::{self, Evidence};
use cutover_cockpit::tui::{CockpitPort, CockpitView, Theme, UiState};
use proptest::prelude::*;
use serde_json::Value;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Pieces an attacker would put in a body, a reason or a runbook title.
fn hostile() -> impl Strategy<Value = String> {
    let ch = |r: std::ops::Range<u32>| r.prop_map(|c| char::from_u32(c).unwrap().to_string());
    let piece = prop_oneof![
        "[a-zA-Z0-9 .:/é漢-]{0,6}",
        ch(0..0x20),
        ch(0x7f..0xa0),
        Just("\u{9b}31m".to_string()),
        Just("\u{9d}0;title\u{9c}".to_string()),
        Just("\x1b]52;c;ZWNobyBwd25lZA==\x07".to_string()),
        Just("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\".to_string()),
        Just("\x1b]0;pwned\x07".to_string()),
        Just("\x1b[2J\x1b[H".to_string()),
        Just("\r".to_string()),
        prop::sample::select(vec![
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}'
        ])
        .prop_map(String::from),
    ];
    prop::collection::vec(piece, 1..10).prop_map(|v| v.concat())
}

/// The screen at 160x50 as text, monochrome.
fn screen(view: &cutover_cockpit::tui::CockpitView) -> String {
    let ui = UiState {
        theme: Theme::monochrome(),
        ..UiState::default()
    };
    tui_support::text(&tui_support::draw(view, &ui, 160, 50))
}

/// ratatui silently drops control characters from cells, so "no raw control
/// in a cell" alone cannot fail: the escapes must also be *visible*. When the
/// input's first dangerous character is near its start (so no field cuts it
/// off), the screen must show a `\u{..}` escape.
fn assert_visible(what: &str, input: &str, shown: &str) {
    let clean = cutover_cockpit::core::sanitize::inert(input);
    if clean
        .find("\\u{")
        .is_some_and(|i| clean[..i].chars().count() < 30)
    {
        assert!(
            shown.contains("\\u{"),
            "{what}: no visible escape for {input:?}\n{shown}"
        );
    }
}

fn assert_inert(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| *c != '\n' && is_dangerous(*c))
        .collect();
    assert!(bad.is_empty(), "{what} shows raw {bad:?}");
}

/// Every string leaf of the view JSON (`/a/b/0/c`).
fn string_paths(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::String(_) => out.push(at),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| string_paths(x, format!("{at}/{i}"), out)),
        Value::Object(m) => m
            .iter()
            .for_each(|(k, x)| string_paths(x, format!("{at}/{k}"), out)),
        _ => {}
    }
}

/// The demo view's free-text fields: those a follower could fill with any string.
fn free_text_paths(base: &Value) -> Vec<String> {
    let mut all = Vec::new();
    string_paths(base, String::new(), &mut all);
    all.into_iter()
        .filter(|p| {
            let mut v = base.clone();
            *v.pointer_mut(p).unwrap() = Value::String("zz\u{1b}zz".into());
            serde_json::from_value::<CockpitView>(v).is_ok()
        })
        .collect()
}

/// A follower sends a view whose every free-text field is `s`.
fn follower_view(base: &Value, paths: &[String], s: &str) -> CockpitView {
    let mut v = base.clone();
    for p in paths {
        *v.pointer_mut(p).unwrap() = Value::String(s.to_string());
    }
    serde_json::from_value(v).unwrap()
}

/// TOML basic-string escape for every character (TOML allows any `\UXXXXXXXX`).
fn toml_escaped(s: &str) -> String {
    s.chars().map(|c| format!("\\U{:08X}", c as u32)).collect()
}

static CASE: AtomicU32 = AtomicU32::new(0);

/// Runs a live session whose runbook title, hold reason and probe failure
/// reason are `s`; returns the view and the log text.
fn session_with(s: &str) -> (CockpitView, String, std::path::PathBuf) {
    let rb = std::fs::read_to_string(Path::new(ROOT).join("tests/runbooks/valid/minimal.toml"))
        .unwrap()
        .replace(
            "title = \"Copy the pilot batch\"",
            &format!("title = \"{}\"", toml_escaped(s)),
        );
    let cfg = std::fs::read_to_string(Path::new(ROOT).join("config/demo.toml")).unwrap();
    let loaded = start::load_texts("rb.toml", rb, "demo.toml", cfg).unwrap();
    let n = CASE.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("cutover-sanitize-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("cutover.jsonl");
    let (mut session, _) = start::open_session(&loaded, &log, "dana", system_clock()).unwrap();
    let now = session.now();
    session.probe(ProbeReport {
        probe: "target.pacs.health".into(),
        ts: now,
        ok: false,
        reason: Some(s.to_string()),
        samples: vec![Sample {
            name: "target.pacs.health_ok".into(),
            ts: now,
            value: 0.0,
        }],
    });
    // prefixed: a blank reason is (rightly) refused
    session.act(Action::Hold {
        reason: format!("hold: {s}"),
    });
    session.tick();
    let view = session.view();
    session.close().unwrap();
    (view, std::fs::read_to_string(&log).unwrap(), log)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn hostile_text_is_inert_on_screen_and_in_reports_and_exact_in_the_log(s in hostile()) {
        let (view, log_text, log) = session_with(&s);
        let shown = screen(&view);
        assert_inert("screen", &shown);
        assert_visible("screen", &s, &shown);
        // the log pane is on that screen; the renderer (not the view) makes it inert
        prop_assert!(!view.log_tail.is_empty());
        // the raw file: no raw control/bidi character, only JSON escapes
        assert_inert("raw log file", &log_text);
        // the record keeps the exact string, so the hash covers the real bytes
        let out = verify_file(&log, None, None).unwrap();
        prop_assert!(out.damage.is_none(), "{:?}", out.damage);
        let hold = out.records.iter().find(|r| r.body["type"] == "hold").unwrap();
        let exact = format!("hold: {s}");
        prop_assert_eq!(hold.body["rationale"].as_str(), Some(exact.as_str()));
        let evidence = Evidence::from_records(
            &report::verify::parse_records(&log_text),
            report::verify::verify_log(log_text.as_bytes(), &log, None, None).unwrap(),
        );
        assert_inert("markdown report", &report::markdown(&evidence));
        assert_inert("html report", &report::html(&evidence));
    }

    #[test]
    fn a_hostile_follower_view_renders_inert(s in hostile()) {
        let base = serde_json::to_value(fixtures::demo_view()).unwrap();
        let paths = free_text_paths(&base);
        prop_assert!(paths.len() > 20, "only {} free-text fields", paths.len());
        let shown = screen(&follower_view(&base, &paths, &s));
        assert_inert("follower screen", &shown);
        assert_visible("follower screen", &s, &shown);
    }
}

#[test]
fn escapes_stay_visible_on_screen() {
    let (view, _, _) = session_with("A\x1b]52;c;eA==\x07B\u{202e}C");
    let shown = screen(&view);
    assert!(
        shown.contains("A\\u{1b}]52;c;eA==\\u{7}B\\u{202e}C"),
        "{shown}"
    );
}
