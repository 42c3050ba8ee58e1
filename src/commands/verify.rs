//! `cutover verify LOG [--checkpoint SEQ:HASH|FILE] [--keys FILE]`: 0 intact,
//! 1 damaged (chain damage, or a signature that is bad, by an unknown key, or
//! missing where the runbook requires one), 2 unreadable.

use crate::cli::VerifyArgs;
use color_eyre::eyre::eyre;
use cutover_cockpit::core::sanitize::inert;
use cutover_cockpit::core::time::Ts;
use cutover_cockpit::journal::sig_walk::SigSummary;
use cutover_cockpit::journal::signed::Roster;
use cutover_cockpit::journal::{self, verify, Checkpoint, Summary};

/// Walks the chain and prints a summary (exit 0) or the first damage as
/// `LOG:LINE: error: KIND: ...` (exit 1); unreadable logs are errors (exit 2).
pub fn run(args: VerifyArgs) -> color_eyre::Result<u8> {
    let checkpoint = match &args.checkpoint {
        Some(arg) => Some(Checkpoint::from_arg(arg).map_err(|e| eyre!(e))?),
        None => None,
    };
    let roster = match &args.keys {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| eyre!("{}: cannot read the roster: {e}", path.display()))?;
            let r = Roster::from_toml(&text).map_err(|e| {
                eyre!(
                    "{}: not a roster ([[owner]] id + signing_key): {e}",
                    path.display()
                )
            })?;
            Some(r)
        }
        None => None,
    };
    let key = journal::key_from_env()?;
    let outcome = verify::verify_summary_with_roster(&args.log, key, checkpoint, roster)?;
    let shown = args.log.display();
    if let Some(d) = &outcome.damage {
        println!("{shown}:{}: error: {}: {}", d.line, d.kind, d.message);
        println!(
            "{shown}: {} record(s) before line {} verify (chain {}); head of the intact part: {}",
            outcome.summary.count,
            d.line,
            outcome.summary.chain,
            outcome.summary.head_hash.as_deref().unwrap_or("none")
        );
        return Ok(1);
    }
    let sigs = &outcome.summary.signatures;
    if sigs.problem_count > 0 {
        for p in &sigs.problems {
            println!(
                "{shown}:{}: error: {}: {}",
                p.line,
                p.word,
                inert(&p.message)
            );
        }
        println!(
            "{shown}: the chain is intact ({} records, head hash {}), but {} signature problem(s) were found",
            outcome.summary.count,
            outcome.summary.head_hash.as_deref().unwrap_or("none"),
            sigs.problem_count
        );
        return Ok(1);
    }
    print!("{}", summary_text(&shown.to_string(), &outcome.summary));
    Ok(0)
}

fn summary_text(log: &str, s: &Summary) -> String {
    let mut out = format!("{log}: intact\n");
    out += &format!("  records:    {}\n", s.count);
    if let (Some(a), Some(b)) = (&s.first_ts, &s.last_ts) {
        let span = match (Ts::parse_rfc3339(a), Ts::parse_rfc3339(b)) {
            (Some(x), Some(y)) => format!(" ({})", y - x),
            _ => String::new(),
        };
        out += &format!("  time span:  {a} .. {b}{span}\n");
    }
    let decisions: Vec<String> = s
        .decisions_by_actor
        .iter()
        .map(|(actor, n)| format!("{} {n}", cutover_cockpit::core::sanitize::inert(actor)))
        .collect();
    let total: u64 = s.decisions_by_actor.values().sum();
    out += &format!(
        "  decisions:  {total} ({})\n",
        if decisions.is_empty() {
            "none".into()
        } else {
            decisions.join(", ")
        }
    );
    out += &format!("  chain:      {}\n", s.chain);
    out += &signature_line(&s.signatures);
    if let Some(d) = &s.runbook_digest {
        out += &format!(
            "  runbook:    sha256 {}\n",
            cutover_cockpit::core::sanitize::inert(d)
        );
    }
    out += &format!(
        "  head hash:  {}\n",
        s.head_hash.as_deref().unwrap_or("none (empty log)")
    );
    if let Some(cp) = &s.checkpoint_matched {
        out += &format!("  checkpoint: {cp} found in the log\n");
    }
    out
}

/// `  signatures: 3 verified (dana 2, dr-lee 1); required for signoff, go`
fn signature_line(s: &SigSummary) -> String {
    if s.verified == 0 && s.required.is_empty() {
        return "  signatures: none\n".into();
    }
    let who: Vec<String> = s
        .by_signer
        .iter()
        .map(|(o, n)| format!("{} {n}", inert(o)))
        .collect();
    let mut out = format!("  signatures: {} verified", s.verified);
    if !who.is_empty() {
        out += &format!(" ({})", who.join(", "));
    }
    if !s.required.is_empty() {
        let req: Vec<String> = s.required.iter().map(|r| inert(r)).collect();
        out += &format!("; required for {}", req.join(", "));
    }
    out + "\n"
}
