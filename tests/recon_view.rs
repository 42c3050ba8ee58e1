//! The reconciliation view of a dataset (Enter on its row in the endpoints
//! panel), drawn from a real view model: a real `Cockpit` fed the report
//! the `sql` probe makes of a result with planted differences.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cutover_cockpit::app::view_model::{build_view, ViewContext};
use cutover_cockpit::core::cockpit::{Cockpit, Msg};
use cutover_cockpit::core::sample::{ProbeReport, Sample};
use cutover_cockpit::core::time::{Dur, Ts};
use cutover_cockpit::probe::recon::sql_outcome;
use cutover_cockpit::probe::sql::{DiffKind, Difference, Segment, SqlResult};
use cutover_cockpit::tui::{handle_key, Overlay, Region, Theme, UiState};
use ratatui::style::Color;
use tui_support::{draw, find, text};

const RUNBOOK: &str = include_str!("../runbooks/demo-pacs-cutover.toml");
const T0: Ts = Ts(1_795_903_200_000);

/// What the probe engine reports for `r` (the same mapping as an attempt).
fn report(dataset: &str, r: &SqlResult, at: Ts) -> ProbeReport {
    let o = sql_outcome(dataset, r);
    let mut samples: Vec<Sample> = o
        .values
        .iter()
        .map(|(f, v)| Sample {
            name: format!("recon.{dataset}.{f}"),
            ts: at,
            value: *v,
        })
        .collect();
    samples.push(Sample {
        name: format!("recon.{dataset}.checksum_ok"),
        ts: at,
        value: 1.0,
    });
    ProbeReport {
        probe: format!("recon.{dataset}.sql"),
        ts: at,
        ok: true,
        reason: o.detail,
        samples,
    }
}

#[test]
fn enter_on_a_dataset_shows_its_last_reconciliation_and_the_differing_rows() {
    // stable pseudonyms for the snapshot (the only test in this process)
    std::env::set_var("CUTOVER_PSEUDO_KEY", "recon-view-test");
    let rb = cutover_cockpit::core::runbook::load("demo.toml", RUNBOOK).unwrap();
    let mut c = Cockpit::new(rb, T0);
    c.begin(T0);
    let key = |k: &str| vec![Some(k.to_string())];
    let r = SqlResult {
        source_count: 3000,
        target_count: 3000,
        missing: 1,
        extra: 1,
        changed: 1,
        rows_compared: 3001,
        differences: vec![
            Difference {
                kind: DiffKind::Missing,
                key: key("2000"),
            },
            Difference {
                kind: DiffKind::Extra,
                key: key("5000"),
            },
            Difference {
                kind: DiffKind::Changed,
                key: key("1234"),
            },
        ],
        ..SqlResult::default()
    };
    let at = T0 + Dur::from_mins(3);
    c.handle(Msg::Probe(report("adt", &r, at)), at);
    let ctx = ViewContext {
        operator: "dana".into(),
        log_path: "/tmp/x/cutover.jsonl".into(),
        now: at + Dur::from_secs(20),
        ..ViewContext::default()
    };
    let view = build_view(&c, &ctx);
    let row = view
        .datasets
        .iter()
        .position(|d| d.dataset == "adt")
        .unwrap();

    let mut ui = UiState {
        theme: Theme::default(),
        focus: Region::Endpoints,
        ..UiState::default()
    };
    ui.selected[3] = view.endpoints.len() + row;
    handle_key(
        &mut ui,
        &view,
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
    );
    assert!(matches!(ui.overlay, Overlay::Detail(_)), "{:?}", ui.overlay);

    let buf = draw(&view, &ui, 100, 30);
    let screen = text(&buf);
    assert!(screen.contains("Reconciliation adt"), "{screen}");
    assert!(screen.contains("(20s ago)"), "{screen}");
    for k in ["2000", "5000", "1234"] {
        assert!(!screen.contains(k), "key {k} in clear:\n{screen}");
    }
    // a differing row is drawn in the alarm colour
    let (x, y) = find(&buf, "missing on target").expect("a missing row");
    assert_eq!(buf[(x, y)].fg, Color::Red, "{screen}");
    insta::assert_snapshot!("recon_view_100x30", screen);

    // while a comparison runs (the session fills this from the probe tasks)
    let mut running = view.clone();
    running.datasets[row].running = Some((Dur::from_secs(42), 12, 1_200_000));
    let screen = text(&draw(&running, &ui, 100, 30));
    assert!(
        screen.contains("state:        running for 42s: 12 segments, 1,200,000 rows hashed so far"),
        "{screen}"
    );

    // a later result that narrowed the keys down to segments: each differing
    // segment is shown by its place in the key span, never by its keys
    let segmented = SqlResult {
        key_span: Some((1, 10_001)),
        segments: vec![
            Segment {
                lo: 1_951,
                hi: 2_030,
                source_rows: 79,
                target_rows: 78,
                differing: 1,
            },
            Segment {
                lo: 4_971,
                hi: 5_051,
                source_rows: 0,
                target_rows: 1,
                differing: 1,
            },
        ],
        ..r.clone()
    };
    let later = at + Dur::from_mins(1);
    c.handle(Msg::Probe(report("adt", &segmented, later)), later);
    let view = build_view(
        &c,
        &ViewContext {
            now: later + Dur::from_secs(5),
            ..ctx.clone()
        },
    );
    let screen = text(&draw(&view, &ui, 100, 30));
    assert!(
        screen.contains("key range         19.5–20.3% of the key span: 79 rows on source, 78 on target, 1 differ"),
        "{screen}"
    );
    assert!(
        screen.contains(
            "key range         49.7–50.5% of the key span: 0 rows on source, 1 on target, 1 differ"
        ),
        "{screen}"
    );
    for k in ["1951", "2030", "4971", "5051", "2000", "5000", "1234"] {
        assert!(!screen.contains(k), "key {k} in clear:\n{screen}");
    }
}
