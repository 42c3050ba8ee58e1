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

fn signoff(statement: &str) -> Action {
    Action::SignOff {
        phase: "pilot-dataset".into(),
        role: "Radiology clinical lead".into(),
        statement: statement.into(),
    }
}

/// A follower (dr-lee) signs on their own side: the session hands out the
/// exact record, checks the signature against the pinned key and writes it;
/// a wrong key is refused, a signature made before the log moved on is not
/// written (retry), and nothing signs for dr-lee without their key.
#[test]
fn a_followers_signature_is_checked_and_written_only_where_it_was_made() {
    use cutover_cockpit::app::session::SignedAnswer;
    use cutover_cockpit::sign::{Meaning, SigMember};
    let lee = Unlocked::generate("dr-lee").unwrap();
    let eve = Unlocked::generate("dr-lee").unwrap();
    let mut l = loaded();
    l.runbook.require_signature = vec!["signoff".into()];
    let owner = l
        .runbook
        .owners
        .iter_mut()
        .find(|o| o.id == "dr-lee")
        .unwrap();
    owner.signing_key = Some(public_text(&lee.public()));
    let now = Arc::new(AtomicI64::new(T0));
    let t = now.clone();
    let clock: Clock = Arc::new(move || Ts(t.load(Ordering::SeqCst)));
    let log = temp_log("sign-follower");
    let (mut s, _) = start::open_session(&l, &log, "dana", clock).expect("session");

    // unsigned: refused, saying how to sign from a follower
    match s.act_as("dr-lee", signoff("unsigned")) {
        ActResult::Refused(r) => assert!(
            r.contains(
                "signoff must be signed with dr-lee's own key: add --key FILE to `cutover follow"
            ),
            "{r}"
        ),
        other => panic!("an unsigned sign-off was taken: {other:?}"),
    }
    // the core's refusal comes before anything is signed
    let wrong_role = Action::SignOff {
        phase: "pilot-dataset".into(),
        role: "PACS administrator".into(),
        statement: "x".into(),
    };
    assert!(s
        .prepare_signed("dr-lee", wrong_role)
        .unwrap_err()
        .contains("no sign-off"));
    // sam has no key pinned: nothing to prepare
    let e = s
        .prepare_signed("sam", Action::Note { text: "n".into() })
        .unwrap_err();
    assert!(e.contains("no signing key pinned"), "{e}");

    // signed with a key that is not dr-lee's pinned key: refused, nothing written
    now.fetch_add(1_000, Ordering::SeqCst);
    let p = s.prepare_signed("dr-lee", signoff("images read")).unwrap();
    assert_eq!(p.meaning, Meaning::Approval);
    let forged = SigMember::sign(&eve, Meaning::Approval, p.canon.as_bytes());
    match s.act_signed("dr-lee", signoff("images read"), forged) {
        SignedAnswer::Done(ActResult::Refused(r)) => assert!(r.contains("bad signature"), "{r}"),
        other => panic!("a wrong key was accepted: {other:?}"),
    }
    // the right key over other bytes (a signature moved from another record)
    let p = s.prepare_signed("dr-lee", signoff("images read")).unwrap();
    let moved = SigMember::sign(&lee, Meaning::Approval, b"another record");
    match s.act_signed("dr-lee", signoff("images read"), moved) {
        SignedAnswer::Done(ActResult::Refused(r)) => assert!(r.contains("bad signature"), "{r}"),
        other => panic!("a moved signature was accepted: {other:?}"),
    }
    // the log moves on between prepare and signed: nothing written, retry
    let p2 = s.prepare_signed("dr-lee", signoff("images read")).unwrap();
    assert_eq!(p2.seq, p.seq, "nothing was written by the refusals");
    let good_then = SigMember::sign(&lee, Meaning::Approval, p2.canon.as_bytes());
    now.fetch_add(1_000, Ordering::SeqCst);
    assert!(matches!(
        s.act(note("dana writes first")),
        ActResult::Acknowledged(_)
    ));
    match s.act_signed("dr-lee", signoff("images read"), good_then) {
        SignedAnswer::Retry(r) => assert!(r.contains("moved on"), "{r}"),
        other => panic!("a signature for an old place was written: {other:?}"),
    }
    // prepared, signed and written
    now.fetch_add(1_000, Ordering::SeqCst);
    let p3 = s.prepare_signed("dr-lee", signoff("images read")).unwrap();
    let sig = SigMember::sign(&lee, Meaning::Approval, p3.canon.as_bytes());
    match s.act_signed("dr-lee", signoff("images read"), sig.clone()) {
        SignedAnswer::Done(ActResult::Acknowledged(m)) => assert!(m.contains("sign-off"), "{m}"),
        other => panic!("a good signature was not taken: {other:?}"),
    }
    // the same signature again has no ticket
    assert!(matches!(
        s.act_signed("dr-lee", signoff("images read"), sig),
        SignedAnswer::Retry(_)
    ));
    s.close().unwrap();
    drop(s);

    let out = verify_file(&log, None, None).unwrap();
    assert!(out.damage.is_none());
    assert_eq!(out.summary.signatures.verified, 1);
    assert_eq!(out.summary.signatures.problem_count, 0);
    let records = read_records(&log).unwrap();
    let signed: Vec<_> = records.iter().filter(|r| r.actor == "dr-lee").collect();
    assert_eq!(signed.len(), 1, "refused sign-offs were recorded");
    assert_eq!(signed[0].seq, p3.seq);
    assert_eq!(signed[0].body["signature"]["key"], lee.fingerprint());
    assert_eq!(signed[0].body["signature"]["meaning"], "approval");
}

/// The idle lock counts keypresses, not only actions (injected clock, no
/// real sleeps): a keypress 14 minutes in keeps the key unlocked for
/// another 15; 15 minutes without one lock it, and a keypress after that
/// does not unlock it.
#[test]
fn a_keypress_keeps_the_key_unlocked_and_15_idle_minutes_lock_it() {
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
    let log = temp_log("sign-keypress");
    let (mut s, _) = start::open_session(&l, &log, "dana", clock.clone()).expect("session");
    s.set_signer(Some(KeyHolder::new(key, clock())));
    let minute = 60_000;
    now.fetch_add(14 * minute, Ordering::SeqCst);
    s.keypress();
    now.fetch_add(14 * minute, Ordering::SeqCst);
    // 28 minutes after the unlock, 14 after the last keypress: still unlocked
    assert!(matches!(
        s.act(note("after a keypress")),
        ActResult::Acknowledged(_)
    ));
    now.fetch_add(15 * minute, Ordering::SeqCst);
    s.keypress();
    match s.act(note("idle")) {
        ActResult::Refused(r) => assert!(r.contains("locked after 15 minutes"), "{r}"),
        other => panic!("the idle key signed: {other:?}"),
    }
}
