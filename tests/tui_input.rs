//! Keys as an operator presses them, against the demo views: what reaches
//! the core (`Command::Act`), what stays on screen, what quits.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "support/views.rs"]
mod fixtures;

mod tui_support;

use crossterm::event::KeyCode;
use cutover_cockpit::core::cockpit::{Action, Answer};
use cutover_cockpit::core::time::Dur;
use cutover_cockpit::tui::view::ToastKind;
use cutover_cockpit::tui::{handle_key, CockpitView, Command, Overlay, Region, Theme, UiState};
use tui_support::{code, ctrl, key};

fn press(ui: &mut UiState, view: &CockpitView, keys: &str) -> Vec<Command> {
    keys.chars()
        .filter_map(|c| handle_key(ui, view, key(c)))
        .collect()
}

fn enter(ui: &mut UiState, view: &CockpitView) -> Option<Command> {
    handle_key(ui, view, code(KeyCode::Enter))
}

#[test]
fn hold_reason_then_enter_sends_hold_with_that_reason() {
    let view = fixtures::demo_view();
    let mut ui = UiState::default();
    press(&mut ui, &view, "hviewer errors");
    assert_eq!(
        enter(&mut ui, &view),
        Some(Command::Act(Action::Hold {
            reason: "viewer errors".into()
        }))
    );
    assert_eq!(ui.overlay, Overlay::None, "the form closes on submit");
}

#[test]
fn inside_a_form_q_h_and_y_are_text() {
    let view = fixtures::demo_view();
    let mut ui = UiState::default();
    let cmds = press(&mut ui, &view, "nqhry? ");
    assert!(cmds.iter().all(|c| *c == Command::Redraw), "{cmds:?}");
    assert_eq!(
        enter(&mut ui, &view),
        Some(Command::Act(Action::Note {
            text: "qhry?".into()
        }))
    );
}

#[test]
fn q_then_y_quits_and_q_then_anything_else_stays() {
    let view = fixtures::demo_view();
    let mut ui = UiState::default();
    assert_eq!(handle_key(&mut ui, &view, key('q')), Some(Command::Redraw));
    assert_eq!(ui.overlay, Overlay::ConfirmQuit);
    assert_eq!(handle_key(&mut ui, &view, key('n')), Some(Command::Redraw));
    assert_eq!(
        ui.overlay,
        Overlay::None,
        "n answered the question, no note form"
    );
    handle_key(&mut ui, &view, key('q'));
    assert_eq!(handle_key(&mut ui, &view, key('y')), Some(Command::Quit));
}

#[test]
fn ctrl_c_asks_like_q_and_a_second_ctrl_c_quits() {
    let view = fixtures::demo_view();
    let mut ui = UiState::default();
    handle_key(&mut ui, &view, ctrl('c'));
    assert_eq!(ui.overlay, Overlay::ConfirmQuit);
    assert_eq!(handle_key(&mut ui, &view, ctrl('c')), Some(Command::Quit));
}

#[test]
fn escape_cancels_a_form_and_keys_work_again() {
    let view = fixtures::demo_view();
    let mut ui = UiState::default();
    press(&mut ui, &view, "hsome reason");
    assert_eq!(
        handle_key(&mut ui, &view, code(KeyCode::Esc)),
        Some(Command::Redraw)
    );
    assert_eq!(ui.overlay, Overlay::None);
    handle_key(&mut ui, &view, key('q'));
    assert_eq!(
        ui.overlay,
        Overlay::ConfirmQuit,
        "q is a key again, not text"
    );
}

#[test]
fn empty_rationale_does_not_submit() {
    let view = fixtures::demo_view();
    let mut ui = UiState::default();
    press(&mut ui, &view, "g");
    assert_eq!(enter(&mut ui, &view), Some(Command::Redraw));
    let Overlay::Form(form) = &ui.overlay else {
        panic!("form closed on an empty rationale");
    };
    assert_eq!(form.error.as_deref(), Some("rationale is required"));
}

#[test]
fn decide_answers_the_pending_recommendation_with_suggested_rollback() {
    let view = fixtures::breached_view();
    let mut ui = UiState::default();
    press(&mut ui, &view, "dp95 over 800 for 2h");
    assert_eq!(
        enter(&mut ui, &view),
        Some(Command::Act(Action::Decide {
            threshold: "retrieval-latency".into(),
            answer: Answer::Rollback,
            rationale: "p95 over 800 for 2h".into(),
        }))
    );
}

#[test]
fn decide_can_choose_continue_with_the_arrows() {
    let view = fixtures::breached_view();
    let mut ui = UiState::default();
    press(&mut ui, &view, "d");
    handle_key(&mut ui, &view, code(KeyCode::Up));
    handle_key(&mut ui, &view, code(KeyCode::Left));
    handle_key(&mut ui, &view, code(KeyCode::Down));
    press(&mut ui, &view, "vendor fix at 02:00");
    let Some(Command::Act(Action::Decide { answer, .. })) = enter(&mut ui, &view) else {
        panic!("no decision");
    };
    assert_eq!(answer, Answer::Continue);
}

#[test]
fn decide_without_recommendation_says_so() {
    let view = fixtures::demo_view();
    let mut ui = UiState::default();
    assert_eq!(handle_key(&mut ui, &view, key('d')), Some(Command::Redraw));
    assert_eq!(ui.overlay, Overlay::None);
    let toast = ui.toast.as_ref().expect("a message");
    assert_eq!(toast.kind, ToastKind::Info);
    assert!(toast.message.contains("no recommendation"));
}

#[test]
fn rollback_scope_comes_from_the_recommendation() {
    let view = fixtures::breached_view();
    let mut ui = UiState::default();
    press(&mut ui, &view, "bp95 breached");
    assert_eq!(
        enter(&mut ui, &view),
        Some(Command::Act(Action::Rollback {
            scope: "return-read-path".into(),
            rationale: "p95 breached".into(),
        }))
    );
}

#[test]
fn waive_takes_the_selected_gate_and_an_expiry_from_now() {
    let view = fixtures::demo_view();
    let mut ui = UiState::default();
    handle_key(&mut ui, &view, code(KeyCode::Tab));
    assert_eq!(ui.focus, Region::Gates);
    handle_key(&mut ui, &view, code(KeyCode::Down));
    handle_key(&mut ui, &view, code(KeyCode::Down));
    press(&mut ui, &view, "wINC-7 tracked by vendor");
    handle_key(&mut ui, &view, code(KeyCode::Tab));
    press(&mut ui, &view, "45m");
    assert_eq!(
        enter(&mut ui, &view),
        Some(Command::Act(Action::Waive {
            gate: "no-critical-issues".into(),
            owner: "dana".into(),
            reason: "INC-7 tracked by vendor".into(),
            expires: view.now + Dur::from_mins(45),
        }))
    );
}

#[test]
fn signoff_names_phase_and_role_and_asks_what_was_reviewed() {
    let mut view = fixtures::demo_view();
    view.header.operator = "dr-lee".into();
    view.forms.refused.clear();
    view.forms.my_signoffs = vec![("parallel-run".into(), "Clinical leadership".into())];
    let mut ui = UiState::default();
    press(&mut ui, &view, "s");
    assert_eq!(
        enter(&mut ui, &view),
        Some(Command::Redraw),
        "needs the statement"
    );
    let Overlay::Form(f) = &ui.overlay else {
        panic!("form closed: {:?}", ui.overlay);
    };
    assert_eq!(f.error.as_deref(), Some("reviewed is required"));
    press(&mut ui, &view, "pilot images on 3 viewers");
    assert_eq!(
        enter(&mut ui, &view),
        Some(Command::Act(Action::SignOff {
            phase: "parallel-run".into(),
            role: "Clinical leadership".into(),
            statement: "pilot images on 3 viewers".into(),
        }))
    );
}

#[test]
fn signoff_of_someone_else_is_refused_before_a_form_opens_and_says_who() {
    let view = fixtures::demo_view();
    let mut ui = UiState::default();
    press(&mut ui, &view, "s");
    assert_eq!(
        ui.overlay,
        Overlay::None,
        "no form for a sign-off dana cannot give"
    );
    let toast = ui.toast.as_ref().expect("the refusal");
    assert_eq!(toast.kind, ToastKind::Refused);
    assert!(
        toast
            .message
            .contains("awaited: Clinical leadership (dr-lee)"),
        "{}",
        toast.message
    );
}

#[test]
fn step_keys_act_on_the_selected_step() {
    let view = fixtures::demo_view();
    let mut ui = UiState::default();
    handle_key(&mut ui, &view, code(KeyCode::Down));
    assert_eq!(
        handle_key(&mut ui, &view, key('x')),
        Some(Command::Act(Action::StepDone {
            step: "verify-pilot".into()
        }))
    );
    handle_key(&mut ui, &view, code(KeyCode::Down));
    assert_eq!(
        handle_key(&mut ui, &view, key('t')),
        Some(Command::Act(Action::StepStart {
            step: "viewer-smoke".into()
        }))
    );
    press(&mut ui, &view, "kdone by hand");
    assert_eq!(
        enter(&mut ui, &view),
        Some(Command::Act(Action::StepSkip {
            step: "viewer-smoke".into(),
            reason: "done by hand".into()
        }))
    );
}

#[test]
fn team_member_sees_own_steps_and_can_toggle_all() {
    let view = fixtures::team_view();
    let mut ui = UiState::for_view(Theme::monochrome(), &view);
    assert!(ui.only_mine);
    assert_eq!(ui.visible_steps(&view).len(), 2);
    handle_key(&mut ui, &view, key('m'));
    assert_eq!(ui.visible_steps(&view).len(), 4);
}

#[test]
fn replay_refuses_actions_on_screen() {
    let mut view = fixtures::demo_view();
    view.header.replay = Some(Default::default());
    let mut ui = UiState::default();
    assert_eq!(handle_key(&mut ui, &view, key('h')), Some(Command::Redraw));
    assert_eq!(ui.overlay, Overlay::None);
    assert!(ui.toast.is_some());
    handle_key(&mut ui, &view, key('q'));
    assert_eq!(handle_key(&mut ui, &view, key('y')), Some(Command::Quit));
}

#[test]
fn help_and_diagnostics_toggle() {
    let view = fixtures::demo_view();
    let mut ui = UiState::default();
    handle_key(&mut ui, &view, key('?'));
    assert_eq!(ui.overlay, Overlay::Help);
    handle_key(&mut ui, &view, key('x'));
    assert_eq!(
        ui.overlay,
        Overlay::None,
        "any key closes help without acting"
    );
    handle_key(&mut ui, &view, key('l'));
    assert!(ui.show_diagnostics);
}

#[test]
fn p_shows_templates_and_w_asks_to_write_one() {
    let view = fixtures::demo_view();
    let mut ui = UiState::default();
    handle_key(&mut ui, &view, key('p'));
    assert_eq!(ui.overlay, Overlay::Template(0));
    assert_eq!(
        handle_key(&mut ui, &view, key('w')),
        Some(Command::SaveTemplate("status".into()))
    );
    handle_key(&mut ui, &view, code(KeyCode::Esc));
    assert_eq!(ui.overlay, Overlay::None);
}
