//! Signing in the cockpit session (`run --key`): required actions are
//! refused unsigned with a reason that says how to sign; the operator's
//! decisions are signed while the key is unlocked; the key locks after 15
//! minutes without activity (injected clock).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod app_support;

use app_support::{loaded, temp_log};
use cutover_cockpit::app::start;
use cutover_cockpit::core::cockpit::Action;
use cutover_cockpit::core::time::Ts;
use cutover_cockpit::journal::{read_records, verify_file};
use cutover_cockpit::probe::Clock;
use cutover_cockpit::sign::holder::KeyHolder;
use cutover_cockpit::sign::{public_text, Unlocked};
use cutover_cockpit::tui::{ActResult, CockpitPort};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

const T0: i64 = 1_795_903_200_000;

fn note(text: &str) -> Action {
    Action::Note { text: text.into() }
}

#[test]
fn required_actions_are_signed_or_refused_and_the_key_locks_when_idle() {
    let key = Unlocked::generate("dana").unwrap();
    let mut l = loaded();
    l.runbook.require_signature = vec!["note".into()];
    let dana = l
        .runbook
        .owners
        .iter_mut()
        .find(|o| o.id == "dana")
        .unwrap();
    dana.signing_key = Some(public_text(&key.public()));
    let now = Arc::new(AtomicI64::new(T0));
    let t = now.clone();
    let clock: Clock = Arc::new(move || Ts(t.load(Ordering::SeqCst)));
    let log = temp_log("sign-session");
    let (mut s, _) = start::open_session(&l, &log, "dana", clock.clone()).expect("session");

    match s.act(note("unsigned")) {
        ActResult::Refused(r) => assert!(
            r.contains("note must be signed") && r.contains("--key FILE"),
            "{r}"
        ),
        other => panic!("an unsigned required note was not refused: {other:?}"),
    }
    s.set_signer(Some(KeyHolder::new(key, clock())));
    now.fetch_add(60_000, Ordering::SeqCst);
    assert!(matches!(
        s.act(note("signed note")),
        ActResult::Acknowledged(_)
    ));
    // 14 minutes idle: still unlocked
    now.fetch_add(14 * 60_000, Ordering::SeqCst);
    assert!(matches!(s.act(note("second")), ActResult::Acknowledged(_)));
    // 15 minutes without activity: locked, and it says how to unlock
    now.fetch_add(15 * 60_000, Ordering::SeqCst);
    match s.act(note("after idle")) {
        ActResult::Refused(r) => assert!(r.contains("locked after 15 minutes"), "{r}"),
        other => panic!("the idle key still signed: {other:?}"),
    }
    s.close().unwrap();
    drop(s);

    let out = verify_file(&log, None, None).unwrap();
    assert!(out.damage.is_none());
    assert_eq!(out.summary.signatures.verified, 2);
    assert_eq!(out.summary.signatures.problem_count, 0);
    let notes: Vec<_> = read_records(&log)
        .unwrap()
        .into_iter()
        .filter(|r| r.body["type"] == "note" && r.actor == "dana")
        .collect();
    assert_eq!(notes.len(), 2, "refused notes were recorded");
    assert!(notes
        .iter()
        .all(|r| r.body["signature"]["meaning"] == "authorship"));
    let open = &read_records(&log).unwrap()[0];
    assert!(open.body["signers"]["dana"]["key"]
        .as_str()
        .unwrap()
        .starts_with("ed25519:"));
    assert_eq!(open.body["require_signature"][0], "note");
}
