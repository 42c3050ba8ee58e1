//! Properties: no key sequence makes the screen panic or leave its bounds,
//! and inside a form no printable key ever leaves the form except Enter/Esc.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "support/views.rs"]
mod fixtures;

mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cutover_cockpit::tui::{handle_key, Command, Overlay, UiState};
use proptest::prelude::*;
use tui_support::draw;

fn any_key() -> impl Strategy<Value = KeyEvent> {
    let code = prop_oneof![
        any::<char>().prop_map(KeyCode::Char),
        Just(KeyCode::Enter),
        Just(KeyCode::Esc),
        Just(KeyCode::Tab),
        Just(KeyCode::BackTab),
        Just(KeyCode::Up),
        Just(KeyCode::Down),
        Just(KeyCode::Left),
        Just(KeyCode::Right),
        Just(KeyCode::Backspace),
    ];
    let mods = prop_oneof![
        Just(KeyModifiers::NONE),
        Just(KeyModifiers::SHIFT),
        Just(KeyModifiers::CONTROL)
    ];
    (code, mods).prop_map(|(c, m)| KeyEvent::new(c, m))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_keys_then_any_size_render_without_panic(
        keys in proptest::collection::vec(any_key(), 0..40),
        w in 1u16..140,
        h in 1u16..50,
    ) {
        let view = fixtures::breached_view();
        let mut ui = UiState::default();
        for k in keys {
            let _ = handle_key(&mut ui, &view, k);
        }
        draw(&view, &ui, w, h);
    }

    #[test]
    fn printable_keys_in_a_form_stay_in_the_form(text in "[ -~]{0,30}") {
        let view = fixtures::demo_view();
        let mut ui = UiState::default();
        handle_key(&mut ui, &view, KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
        for c in text.chars() {
            let cmd = handle_key(&mut ui, &view, KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
            prop_assert_eq!(cmd, Some(Command::Redraw));
            prop_assert!(matches!(ui.overlay, Overlay::Form(_)));
        }
    }
}
