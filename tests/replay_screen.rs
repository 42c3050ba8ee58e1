//! The replay screen: the timeline bar under the phase strip (snapshots at
//! 80x24 and 120x40), its colours and NO_COLOR symbols, the jump form with a
//! refusal, and replay's own key list under `?`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "support/views.rs"]
mod fixtures;

mod tui_support;

use cutover_cockpit::core::time::{Dur, Ts};
use cutover_cockpit::tui::view::{JumpPrompt, ReplayMarker, TimelineSpan, TimelineView};
use cutover_cockpit::tui::{CockpitView, Overlay, Theme, UiState};
use fixtures::WINDOW_START;
use ratatui::style::Color;
use tui_support::{draw, find, text};

fn min(m: i64) -> Ts {
    WINDOW_START + Dur::from_mins(m)
}

fn span(label: &str, from: i64, to: i64) -> TimelineSpan {
    TimelineSpan {
        label: label.into(),
        from: min(from),
        to: min(to),
    }
}

/// A 6-hour log: three phases, a hold from 1:40 to 2:00, a latency episode
/// from 2:30 to 2:45, four decisions; replay cursor at 2:10.
fn replay_view(jump: Option<JumpPrompt>) -> CockpitView {
    let mut v = fixtures::demo_view();
    v.header.replay = Some(ReplayMarker {
        at: min(130),
        speed: "paused".into(),
        timeline: Some(TimelineView {
            start: min(0),
            end: min(360),
            phases: vec![
                span("readiness", 0, 60),
                span("pilot-dataset", 60, 200),
                span("parallel-run", 200, 360),
            ],
            holds: vec![span("hold", 100, 120)],
            episodes: vec![span("retrieval-latency-spike", 150, 165)],
            decisions: vec![
                (min(60), "go".into()),
                (min(100), "hold".into()),
                (min(120), "resume".into()),
                (min(200), "go".into()),
            ],
        }),
        jump,
    });
    v
}

fn ui(theme: Theme) -> UiState {
    UiState {
        theme,
        ..UiState::default()
    }
}

#[test]
fn the_timeline_bar_shows_phases_holds_episodes_decisions_and_the_cursor() {
    for (w, h) in [(80, 24), (120, 40)] {
        let buf = draw(&replay_view(None), &ui(Theme::colored()), w, h);
        insta::assert_snapshot!(format!("replay_timeline_{w}x{h}"), text(&buf));
        // row 3 is the bar, row 4 the cursor line (under header and phase strip)
        let (hx, hy) = find(&buf, "█").expect("a hold span is drawn");
        assert_eq!(hy, 3);
        assert_eq!(buf[(hx, hy)].fg, Color::Red, "holds are red");
        let (ex, ey) = find(&buf, "≈").expect("an episode span is drawn");
        assert_eq!(buf[(ex, ey)].fg, Color::Yellow);
        assert!(ex > hx, "the episode comes after the hold");
        let (cx, cy) = find(&buf, "▲ 00:10:00 replay").expect("cursor with replay time");
        assert_eq!(cy, 4);
        // 2:10 of 6 h: just after the hold ends, before the episode
        assert!(
            cx > hx && cx < ex,
            "cursor {cx} between hold {hx} and episode {ex}"
        );
        assert!(find(&buf, "◆ decision █ hold ≈ threshold").is_some());
    }
}

#[test]
fn without_colour_the_timeline_keeps_its_symbols_and_words() {
    let buf = draw(&replay_view(None), &ui(Theme::monochrome()), 120, 40);
    let (hx, hy) = find(&buf, "█").expect("hold symbol");
    assert_eq!(buf[(hx, hy)].fg, Color::Reset);
    assert!(find(&buf, "≈").is_some() && find(&buf, "◆").is_some());
    assert!(
        find(&buf, "readiness").is_some(),
        "phase ids are written in"
    );
}

#[test]
fn the_jump_form_shows_what_was_typed_and_why_it_was_refused() {
    let jump = JumpPrompt {
        input: "25:00".into(),
        error: Some(
            "\"25:00\" is not a time: type HH:MM or HH:MM:SS (UTC), or +1h20m from the window start"
                .into(),
        ),
    };
    let buf = draw(&replay_view(Some(jump)), &ui(Theme::colored()), 80, 24);
    insta::assert_snapshot!("replay_jump_refused_80x24", text(&buf));
    let (x, y) = find(&buf, "✘").expect("refusal shown");
    assert_eq!(buf[(x, y)].fg, Color::Red);
}

#[test]
fn help_in_replay_lists_replay_keys() {
    let mut ui = ui(Theme::colored());
    ui.overlay = Overlay::Help;
    let screen = text(&draw(&replay_view(None), &ui, 120, 40));
    for k in [
        "play / pause",
        "next decision",
        "jump to HH:MM",
        "step one record",
    ] {
        assert!(screen.contains(k), "{k} missing:\n{screen}");
    }
    assert!(
        !screen.contains("HOLD: stop the line"),
        "action keys are not offered"
    );
}

/// During a replayed hold the screen still says it is a replay (time and
/// speed) next to the HOLD banner, and the header has no bare `@` where a
/// live cockpit names its operator.
#[test]
fn a_replayed_hold_keeps_the_replay_marker_and_no_empty_operator() {
    let mut v = replay_view(None);
    v.header.hold = fixtures::hold_view().header.hold;
    v.header.operator = String::new();
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = text(&draw(&v, &ui(Theme::colored()), w, h));
        let lines: Vec<&str> = screen.lines().collect();
        assert!(
            lines[1].starts_with(" REPLAY ") && lines[1].contains(" paused "),
            "{w}x{h}: {}",
            lines[1]
        );
        assert!(
            lines[1].contains("HOLD: line stopped by sam"),
            "{w}x{h}: {}",
            lines[1]
        );
        assert!(!lines[0].trim_end().ends_with('@'), "{w}x{h}: {}", lines[0]);
        assert!(
            lines[0].contains("left"),
            "{w}x{h}: clock whole: {}",
            lines[0]
        );
    }
}

/// Replay cannot decide: a pending recommendation is shown without the `d`
/// key that the live cockpit offers next to it.
#[test]
fn a_replayed_recommendation_offers_no_decide_key() {
    let mut v = fixtures::breached_view();
    v.header.replay = replay_view(None).header.replay;
    for (w, h) in [(80, 24), (120, 40)] {
        let screen = text(&draw(&v, &ui(Theme::colored()), w, h));
        let row = screen
            .lines()
            .find(|l| l.contains("⚑ recommend "))
            .unwrap_or_else(|| panic!("{w}x{h}: no recommendation:\n{screen}"));
        let row = recommendation_cell(row, w);
        assert!(!row.trim_end().ends_with(" d"), "{w}x{h}: {row}");
    }
    let live = text(&draw(
        &fixtures::breached_view(),
        &ui(Theme::colored()),
        120,
        40,
    ));
    let row = live.lines().find(|l| l.contains("⚑ recommend ")).unwrap();
    let row = recommendation_cell(row, 120);
    assert!(row.trim_end().ends_with(" d"), "live keeps it: {row}");
}

/// The recommendation's own column of a screen row (another region may
/// share the row in the other column).
fn recommendation_cell(row: &str, width: u16) -> String {
    let chars: Vec<char> = row.chars().collect();
    let half = (width as usize).div_ceil(2);
    let at = row
        .find("⚑ recommend ")
        .map(|b| row[..b].chars().count())
        .unwrap_or(0);
    let (from, to) = if at < half {
        (0, half)
    } else {
        (half, chars.len())
    };
    chars[from.min(chars.len())..to.min(chars.len())]
        .iter()
        .collect()
}
