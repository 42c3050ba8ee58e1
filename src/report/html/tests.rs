//! Tests of the html renderer.

use super::*;
use crate::core::sanitize::is_dangerous;
use crate::report::VerificationSummary;
use proptest::prelude::*;
use serde_json::{json, Value};

fn log_with(text: &str) -> Vec<Value> {
    let rb = format!(
        "[runbook]\nname = {}\n[[phase]]\nid = 'p'\n[[phase.gate]]\nid = 'g'\nwhen = 'a.b.c > 1'\n",
        toml_str(text)
    );
    vec![
        json!({"seq":0,"ts":"2026-11-28T22:00:00.000Z","kind":"open","actor":text,"body":{"runbook":rb,"runbook_path":text,"config_path":text}}),
        json!({"seq":1,"ts":"2026-11-28T22:00:01.000Z","kind":"phase","actor":text,"phase":"p","body":{"type":"entered","phase":text}}),
        json!({"seq":2,"ts":"2026-11-28T22:00:30.000Z","kind":"observe","actor":text,"body":{"reports":[{"probe":"a.b","ok":true,"at":"2026-11-28T22:00:30.000Z","samples":{"a.b.c":2.0}}]}}),
        json!({"seq":3,"ts":"2026-11-28T22:01:00.000Z","kind":"decision","actor":text,"phase":text,
            "body":{"type":"waive","gate":text,"owner":text,"reason":text,"rationale":text,"expires":"2026-11-28T23:00:00Z","snapshot":{"gates":[{"id":text,"state":text}]}}}),
        json!({"seq":4,"ts":"2026-11-28T22:02:00.000Z","kind":"threshold","actor":text,"body":{"id":text,"from":"ok","to":"watch","value":3.0}}),
        json!({"seq":5,"ts":"2026-11-28T22:03:00.000Z","kind":"step","actor":text,"body":{"step":text,"type":"blocked","reason":text}}),
    ]
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn bad() -> VerificationSummary {
    VerificationSummary {
        ok: false,
        damage: Some("line 2: <b>x</b>".into()),
        ..Default::default()
    }
}

#[test]
fn an_empty_log_still_gives_a_page_that_says_what_is_missing() {
    let page = html(&Evidence::from_records(&[], bad()));
    assert!(page.contains("DAMAGED: line 2: &lt;b&gt;x&lt;/b&gt;"));
    assert!(page.contains("No decision was recorded."));
    assert!(page.contains("the open record holds no runbook text"));
    assert!(!page.contains("<svg"), "no time axis without records");
}

/// The tags the renderer writes; any other `<` would come from outside text.
const OURS: &[&str] = &[
    "!DOCTYPE", "!--", "html", "head", "meta", "title", "style", "body", "div", "h1", "h2", "h3",
    "p", "table", "thead", "tbody", "tr", "th", "td", "code", "span", "b", "i", "br", "svg", "g",
    "line", "rect", "text", "polyline", "circle",
];

fn foreign_tags(page: &str) -> Vec<String> {
    page.split('<')
        .skip(1)
        .map(|rest| rest.trim_start_matches('/'))
        .map(|rest| {
            rest.split([' ', '>', '\n'])
                .next()
                .unwrap_or("")
                .to_string()
        })
        .filter(|tag| !OURS.contains(&tag.as_str()) && !tag.starts_with("!--"))
        .collect()
}

#[test]
fn the_tag_check_sees_injected_markup() {
    assert_eq!(
        foreign_tags("<p>ok</p><img src=x><script>"),
        vec!["img", "script"]
    );
}

proptest! {
    // outside text can never add markup or raw control characters to the page
    #[test]
    fn outside_text_never_adds_markup(text in "\\PC{1,30}|[<>&\"'\u{1b}\u{9b}\u{202e}a-z]{1,30}") {
        let page = html(&Evidence::from_records(&log_with(&text), bad()));
        prop_assert_eq!(foreign_tags(&page), Vec::<String>::new());
        prop_assert!(!page.chars().any(|c| c != '\n' && is_dangerous(c)));
    }
}
