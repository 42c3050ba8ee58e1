//! `cutover amend LOG --seq N --as OWNER --key FILE --reason TEXT [--correction TEXT]` and
//! `cutover review LOG --as OWNER --key FILE --statement TEXT`: signed records
//! appended to a log; nothing already in it changes. Exit 0, 1 refused, 2.

use crate::cli::{AmendArgs, ReviewArgs};
use cutover_cockpit::clock::wall_now;
use cutover_cockpit::core::sanitize::inert;
use cutover_cockpit::sign::append::{self, AppendError, Request};
use cutover_cockpit::sign::passphrase;
use std::path::Path;

pub fn amend(args: AmendArgs) -> color_eyre::Result<u8> {
    let req = Request::Amend {
        seq: args.seq,
        reason: args.reason,
        correction: args.correction,
    };
    Ok(sign_and_append(&args.log, &args.as_owner, &args.key, &req))
}

pub fn review(args: ReviewArgs) -> color_eyre::Result<u8> {
    let req = Request::Review {
        statement: args.statement,
    };
    Ok(sign_and_append(&args.log, &args.as_owner, &args.key, &req))
}

fn fail(e: &AppendError) -> u8 {
    eprintln!("cutover: {}", inert(&e.to_string()));
    match e {
        AppendError::Refused(_) => 1,
        AppendError::Failed(_) => 2,
    }
}

fn sign_and_append(log: &Path, owner: &str, key: &Path, req: &Request) -> u8 {
    let kf = match append::precheck(log, owner, key, req) {
        Ok(k) => k,
        Err(e) => return fail(&e),
    };
    let pass = match passphrase::read(
        &format!("Passphrase for {} ({owner}): ", key.display()),
        false,
    ) {
        Ok(p) => p,
        Err(e) => return fail(&AppendError::Failed(e)),
    };
    let unlocked = match kf.unlock(pass.as_bytes(), key) {
        Ok(k) => k,
        Err(e) => return fail(&AppendError::Refused(e.to_string())),
    };
    match append::append(log, &unlocked, req, wall_now()) {
        Ok(a) => {
            let what = match req {
                Request::Amend { seq, .. } => format!("amend of seq {seq}"),
                Request::Review { .. } => "review".to_string(),
            };
            println!(
                "{}: appended {what} as seq {} (signed by {owner}, key {}, head {})",
                log.display(),
                a.record.seq,
                a.fingerprint,
                a.record.hash
            );
            0
        }
        Err(e) => fail(&e),
    }
}
