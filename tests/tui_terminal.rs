//! The real terminal, through tmux: the cockpit enters the alternate
//! screen, takes keys, and leaves the terminal usable (cooked mode, main
//! screen) on quit and on panic. The program under test is this test
//! binary itself running the ignored `cockpit_fixture_program` (the screen
//! on the demo fixture with a recording port); needs tmux (the one
//! missing-tool policy: fails under CI=true, else skipped with the reason).
//! Try the screen by hand with
//! `cargo test --test tui_terminal -- --ignored --nocapture cockpit_fixture_program`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "support/views.rs"]
mod fixtures;

mod tui_support;

use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::tui::terminal::{spawn_key_reader, TerminalGuard};
use cutover_cockpit::tui::view::HoldBanner;
use cutover_cockpit::tui::{run, ActResult, CockpitPort, CockpitView, Theme, UiState};
use std::time::Duration;
use tui_support::tmux::Tmux;

const WAIT: Duration = Duration::from_secs(20);

/// This test binary, running only the fixture program.
fn program() -> String {
    let exe = std::env::current_exe().expect("test exe path");
    format!(
        "{} --ignored --exact --nocapture --test-threads 1 cockpit_fixture_program",
        exe.display()
    )
}

/// Runs the example in tmux; after it ends the shell reports its exit
/// code and whether the tty is back in canonical (cooked) mode.
fn start(name: &str, env: &str) -> Option<Tmux> {
    // stdout stays the terminal: the screen is drawn there, and what the
    // program prints after restoring it lands on the main screen
    let cmd = format!(
        "RUST_BACKTRACE=0 {env} {}; echo EXIT=$?; \
         stty -a | grep -q -- '-icanon' && echo TTY=raw || echo TTY=cooked; sleep 30",
        program()
    );
    tui_support::external::require("tmux", &[], "apt-get install -y tmux")?;
    Some(Tmux::start(name, &cmd, 160, 40).expect("tmux session"))
}

#[test]
fn hold_from_the_keyboard_then_quit_restores_the_terminal() {
    let Some(t) = start("cockpit-quit", "") else {
        return;
    };
    t.wait_for("cutover.jsonl", WAIT).expect("cockpit drawn");
    t.keys(&["h"]);
    t.wait_for("HOLD: stop the line", WAIT)
        .expect("hold form open");
    t.type_text("quench alarms q");
    t.keys(&["Enter"]);
    let pane = t
        .wait_for("line stopped by dana", WAIT)
        .expect("HOLD banner");
    assert!(pane.contains("quench alarms q"), "{pane}");
    t.keys(&["q"]);
    t.wait_for("Quit the cockpit?", WAIT).expect("quit asks");
    t.keys(&["y"]);
    let pane = t
        .wait_for("TTY=", WAIT)
        .expect("program ended")
        .replace('\n', "");
    assert!(pane.contains("EXIT=0"), "{pane}");
    assert!(pane.contains("TTY=cooked"), "terminal left raw:\n{pane}");
    assert!(pane.contains("exit Confirmed"), "{pane}");
    assert!(
        pane.contains(r#""action":"hold","reason":"quench alarms q""#),
        "{pane}"
    );
    assert!(!pane.contains("Steps"), "alternate screen left:\n{pane}");
}

#[test]
fn a_panic_still_restores_the_terminal() {
    let Some(t) = start("cockpit-panic", "COCKPIT_PANIC_ON_ACT=1") else {
        return;
    };
    t.wait_for("cutover.jsonl", WAIT).expect("cockpit drawn");
    t.keys(&["n"]);
    t.type_text("boom");
    t.keys(&["Enter"]);
    let pane = t.wait_for("TTY=", WAIT).expect("program ended");
    assert!(
        !pane.contains("EXIT=0"),
        "a panic is not a clean exit:\n{pane}"
    );
    assert!(pane.contains("TTY=cooked"), "terminal left raw:\n{pane}");
    assert!(
        pane.contains("asked to panic"),
        "panic message printed:\n{pane}"
    );
}

struct FixturePort {
    view: CockpitView,
    actions: Vec<Action>,
    panic_on_act: bool,
}

impl CockpitPort for FixturePort {
    fn view(&self) -> CockpitView {
        self.view.clone()
    }

    fn act(&mut self, action: Action) -> ActResult {
        if self.panic_on_act {
            panic!("fixture port asked to panic on {action:?}");
        }
        if let Action::Hold { reason } = &action {
            self.view.header.hold = Some(HoldBanner {
                by: self.view.header.operator.clone(),
                reason: reason.clone(),
                since: self.view.now,
            });
        }
        self.actions.push(action);
        ActResult::Acknowledged("recorded".into())
    }
}

/// The program the tmux tests drive: the real terminal guard, key reader
/// and loop on the demo fixture; prints its actions as JSON after the
/// terminal is restored. `COCKPIT_PANIC_ON_ACT=1` panics in the first action.
#[test]
#[ignore = "a terminal program, run by the tmux tests above"]
fn cockpit_fixture_program() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut port = FixturePort {
        view: fixtures::demo_view(),
        actions: Vec::new(),
        panic_on_act: std::env::var_os("COCKPIT_PANIC_ON_ACT").is_some(),
    };
    let outcome = rt.block_on(async {
        let (tx, rx) = tokio::sync::mpsc::channel(256);
        let mut guard = TerminalGuard::enter().expect("terminal");
        let _keys = spawn_key_reader(tx.clone());
        let mut ui = UiState::for_view(Theme::from_env(), &port.view());
        run(guard.terminal(), rx, &mut port, &mut ui).await
    });
    let outcome = outcome.expect("loop");
    println!(
        "exit {:?} after {} frames; actions {}",
        outcome.exit,
        outcome.frames,
        serde_json::to_string(&port.actions).expect("json")
    );
}
