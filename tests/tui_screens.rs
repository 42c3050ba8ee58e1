//! Whole screens in named states as snapshots (80x24 and 120x40), plus
//! colour assertions on the cells that carry meaning. Every time on screen
//! comes from the fixture (render never reads a clock), so the snapshots
//! need no time filters.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "support/views.rs"]
mod fixtures;

mod tui_support;

use cutover_cockpit::tui::{handle_key, CockpitView, Overlay, Theme, UiState};
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use tui_support::{draw, find, key, text};

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn ui() -> UiState {
    UiState {
        theme: Theme::colored(),
        ..UiState::default()
    }
}

/// Snapshots `view` at both sizes under `name_WxH`.
fn snap(name: &str, view: &CockpitView, ui: &UiState) {
    for (w, h) in SIZES {
        let screen = text(&draw(view, ui, w, h));
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

#[test]
fn normal_screen() {
    snap("normal", &fixtures::demo_view(), &ui());
}

#[test]
fn hold_screen() {
    snap("hold", &fixtures::hold_view(), &ui());
}

#[test]
fn rollback_screen() {
    snap("rollback", &fixtures::rollback_view(), &ui());
}

#[test]
fn breached_threshold_with_recommendation() {
    snap("breached", &fixtures::breached_view(), &ui());
}

#[test]
fn help_overlay() {
    let mut ui = ui();
    ui.overlay = Overlay::Help;
    snap("help", &fixtures::demo_view(), &ui);
}

#[test]
fn note_form_open_with_text() {
    let view = fixtures::demo_view();
    let mut ui = ui();
    for c in "n pilot batch 2 queued".chars() {
        handle_key(&mut ui, &view, key(c));
    }
    snap("note_form", &view, &ui);
}

/// The decide form opens on the rationale; the answer field still shows
/// every answer it can take, not only the suggested one.
#[test]
fn decide_form_shows_every_answer() {
    let view = fixtures::breached_view();
    let mut ui = ui();
    handle_key(&mut ui, &view, key('d'));
    for (w, h) in SIZES {
        let screen = text(&draw(&view, &ui, w, h));
        let row = screen
            .lines()
            .find(|l| l.contains("answer: "))
            .unwrap_or_else(|| panic!("{w}x{h}: no answer field:\n{screen}"));
        assert!(
            row.contains("(rollback / hold / continue)"),
            "{w}x{h}: {row}"
        );
    }
}

#[test]
fn team_view_opens_on_my_steps() {
    let view = fixtures::team_view();
    let ui = UiState::for_view(Theme::colored(), &view);
    let screen = text(&draw(&view, &ui, 80, 24));
    assert!(screen.contains("Verify"), "{screen}");
    assert!(
        !screen.contains("Smoke test"),
        "ana's step is hidden:\n{screen}"
    );
    insta::assert_snapshot!("team_80x24", screen);
}

#[test]
fn too_small_terminal_says_so_and_keeps_hold_and_log_path() {
    let screen = text(&draw(&fixtures::hold_view(), &ui(), 40, 12));
    assert!(screen.contains("too small"), "{screen}");
    assert!(screen.contains("HOLD"), "{screen}");
    assert!(screen.contains("cutover.jsonl"), "{screen}");
    insta::assert_snapshot!("too_small_40x12", screen);
}

#[test]
fn no_color_has_no_colour_anywhere_but_keeps_the_words() {
    let ui = UiState {
        theme: Theme::monochrome(),
        ..UiState::default()
    };
    let buf = draw(&fixtures::hold_view(), &ui, 80, 24);
    for cell in buf.content() {
        assert_eq!(
            cell.fg,
            Color::Reset,
            "cell {:?} has a colour",
            cell.symbol()
        );
        assert_eq!(
            cell.bg,
            Color::Reset,
            "cell {:?} has a colour",
            cell.symbol()
        );
    }
    let screen = text(&buf);
    assert!(screen.contains("✘ fail") && screen.contains("HOLD"));
    insta::assert_snapshot!("no_color_hold_80x24", format!("{buf:?}"));
}

fn fg_at(buf: &Buffer, needle: &str) -> Color {
    let (x, y) = find(buf, needle).unwrap_or_else(|| panic!("{needle} not on screen"));
    buf[(x, y)].fg
}

#[test]
fn state_symbols_carry_their_colour() {
    for (w, h) in SIZES {
        let buf = draw(&fixtures::breached_view(), &ui(), w, h);
        assert_eq!(fg_at(&buf, "✘ fail"), Color::Red);
        assert_eq!(fg_at(&buf, "✔ pass"), Color::Green);
        assert_eq!(fg_at(&buf, "◷ holding"), Color::Yellow);
        assert_eq!(fg_at(&buf, "▲ breached"), Color::Red);
        assert_eq!(fg_at(&buf, "✎ awaiting"), Color::Blue);
        assert_eq!(fg_at(&buf, "○ down"), Color::Red);
        assert_eq!(fg_at(&buf, "● up"), Color::Green);
    }
}

#[test]
fn hold_and_rollback_banners_are_coloured_and_worded() {
    let buf = draw(&fixtures::hold_view(), &ui(), 80, 24);
    let (x, y) = find(&buf, "HOLD").expect("HOLD on screen");
    assert_eq!(y, 1, "HOLD is in the header");
    assert_eq!((buf[(x, y)].fg, buf[(x, y)].bg), (Color::White, Color::Red));

    let buf = draw(&fixtures::rollback_view(), &ui(), 80, 24);
    let (x, y) = find(&buf, "ROLLBACK").expect("ROLLBACK on screen");
    assert_eq!(y, 1);
    assert_eq!(buf[(x, y)].bg, Color::Magenta);
    assert!(find(&buf, "return-read-path").is_some(), "scope is shown");
}

#[test]
fn clock_turns_red_when_overrun_is_near() {
    let calm = draw(&fixtures::demo_view(), &ui(), 80, 24);
    assert_ne!(fg_at(&calm, "◷ 1:12:05"), Color::Red);
    let late = draw(&fixtures::rollback_view(), &ui(), 80, 24);
    assert_eq!(fg_at(&late, "◷ 5:30:00"), Color::Red);
}

#[test]
fn log_path_is_always_on_screen() {
    let views = [
        fixtures::demo_view(),
        fixtures::hold_view(),
        fixtures::rollback_view(),
        fixtures::breached_view(),
    ];
    for view in &views {
        for (w, h) in [(80, 24), (120, 40), (200, 50), (60, 16), (40, 12)] {
            let screen = text(&draw(view, &ui(), w, h));
            assert!(screen.contains("cutover.jsonl"), "{w}x{h}:\n{screen}");
        }
    }
}

#[test]
fn outside_text_is_made_inert_on_screen() {
    let mut view = fixtures::hold_view();
    view.header.hold.as_mut().expect("hold fixture").reason = "evil\u{1b}[2J\u{202e}txt".into();
    view.endpoints[0]
        .target
        .as_mut()
        .expect("pacs target")
        .last_error = Some("bad\u{7}bell".into());
    let buf = draw(&view, &ui(), 120, 40);
    for cell in buf.content() {
        assert!(
            !cell
                .symbol()
                .chars()
                .any(cutover_cockpit::core::sanitize::is_dangerous),
            "raw control char reached the screen"
        );
    }
    assert!(text(&buf).contains("evil\\u{1b}[2J\\u{202e}txt"));
}

#[test]
fn any_size_renders_without_panic() {
    let views = [
        fixtures::demo_view(),
        fixtures::rollback_view(),
        fixtures::breached_view(),
        CockpitView::default(),
    ];
    let mut help = ui();
    help.overlay = Overlay::Help;
    let mut form = ui();
    handle_key(&mut form, &views[0], key('w'));
    let mut diag = ui();
    diag.show_diagnostics = true;
    for view in &views {
        for w in (1..=130).step_by(7) {
            for h in (1..=45).step_by(4) {
                for u in [&ui(), &help, &form, &diag] {
                    draw(view, u, w, h);
                }
            }
        }
    }
}

#[test]
fn diagnostics_pane_replaces_the_log_tail_on_l() {
    let view = fixtures::demo_view();
    let mut ui = ui();
    handle_key(&mut ui, &view, key('l'));
    let screen = text(&draw(&view, &ui, 80, 24));
    assert!(screen.contains("Diagnostics (program log)"), "{screen}");
    assert!(!screen.contains("Cutover log"), "{screen}");
    assert!(screen.contains("cutover.jsonl"), "log path stays: {screen}");
}

#[test]
fn template_popup_shows_the_filled_text() {
    let view = fixtures::demo_view();
    let mut ui = ui();
    handle_key(&mut ui, &view, key('p'));
    let screen = text(&draw(&view, &ui, 80, 24));
    assert!(screen.contains("Template 1/1: Status update"), "{screen}");
    assert!(screen.contains("Next update"), "{screen}");
    insta::assert_snapshot!("template_80x24", screen);
}

/// A threshold whose name shares its start with another's and which has a
/// long rollback scope: its name keeps the end that tells it apart (whole
/// at 120 columns), its action and its `for` timer stay on screen; the
/// scope text gives way first.
#[test]
fn threshold_name_and_timer_are_never_cut() {
    use cutover_cockpit::core::time::Dur;
    let mut view = fixtures::demo_view();
    let t = &mut view.thresholds[0];
    t.id = "retrieval-latency-spike".into();
    t.scope = Some("switch-archive-retrieval".into());
    t.comparison.value = Some(1120.48);
    t.breach_for = Some((Dur::from_secs(2), Dur::from_mins(1)));
    for (w, h) in SIZES {
        let screen = text(&draw(&view, &ui(), w, h));
        let row = screen
            .lines()
            .find(|l| l.contains("◷ watch"))
            .unwrap_or_else(|| panic!("{w}x{h}: no watch row:\n{screen}"));
        let name = if w >= 120 {
            "retrieval-latency-spike"
        } else {
            "y-spike"
        };
        assert!(row.contains(name), "{w}x{h}: {row}");
        assert!(row.contains("→ rollback"), "{w}x{h}: {row}");
        assert!(screen.contains("◷ 2s/1m"), "{w}x{h}: timer cut:\n{screen}");
    }
}

/// A threshold not evaluated in the current phase says so instead of a
/// gauge full of `?` that reads like a probe fault.
#[test]
fn an_inactive_threshold_is_not_drawn_as_unknown() {
    let mut view = fixtures::demo_view();
    let t = &mut view.thresholds[2];
    t.comparison.value = None;
    t.comparison.limit = None;
    t.comparison.op = String::new();
    let screen = text(&draw(&view, &ui(), 120, 40));
    assert!(screen.contains("not watched in this phase"), "{screen}");
    assert!(!screen.contains("[??"), "{screen}");
    let small = text(&draw(&view, &ui(), 80, 24));
    let row = small
        .lines()
        .find(|l| l.contains("· inactive"))
        .unwrap_or_else(|| panic!("no inactive row:\n{small}"));
    assert!(!row.contains('?'), "{row}");
}
