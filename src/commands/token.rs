//! `cutover token OWNER`: mints a team member's token for `--serve`. The
//! token goes to stdout (one line, for the member's `CUTOVER_TOKEN`), the
//! `[[token]]` block with its SHA-256 to stderr (for the config). The token
//! is written nowhere else. Exit 0, or 2 when OWNER is unusable.

use crate::cli::TokenArgs;
use color_eyre::eyre::eyre;
use cutover_cockpit::core::sanitize::inert;
use cutover_cockpit::serve::auth::{mint, token_block};

pub fn run(args: TokenArgs) -> color_eyre::Result<u8> {
    let owner = args.owner.trim();
    let ok = !owner.is_empty()
        && owner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok {
        eprintln!(
            "cutover token {}: an owner id is letters, digits, `_`, `-` or `.` (an [[owner]] id from the runbook)",
            inert(&args.owner)
        );
        return Ok(2);
    }
    let token = mint().map_err(|e| eyre!("{e}"))?;
    eprintln!(
        "# Paste into the cockpit's config; give the token (stdout) to {owner} only.\n# It is shown once and stored nowhere.\n{}",
        token_block(owner, &token)
    );
    println!("{token}");
    Ok(0)
}
