//! `cutover keygen OWNER [-o FILE]`: a person's Ed25519 signing key. The
//! private key goes to FILE (default `OWNER.key`, mode 0600, sealed with a
//! passphrase from `CUTOVER_KEY_PASSPHRASE` or the terminal); the roster line
//! `signing_key = "ed25519:<base64>"` goes to stdout. Exit 0, or 2.

use crate::cli::KeygenArgs;
use cutover_cockpit::core::sanitize::inert;
use cutover_cockpit::sign::keyfile::KeyFile;
use cutover_cockpit::sign::{passphrase, Unlocked};

/// Passphrases shorter than this get a warning (the site's policy decides).
const SHORT: usize = 12;

pub fn run(args: KeygenArgs) -> color_eyre::Result<u8> {
    let owner = args.owner.trim();
    if !super::is_owner_id(owner) {
        eprintln!(
            "cutover keygen {}: an owner id is letters, digits, `_`, `-` or `.` (an [[owner]] id from the runbook)",
            inert(&args.owner)
        );
        return Ok(2);
    }
    let path = args
        .output
        .clone()
        .unwrap_or_else(|| format!("{owner}.key").into());
    if path.exists() {
        eprintln!(
            "cutover keygen: {} already exists; a key file is never overwritten (choose another -o FILE)",
            path.display()
        );
        return Ok(2);
    }
    let pass = match passphrase::read(&format!("Passphrase for {owner}'s new signing key: "), true)
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("cutover keygen: {e}");
            return Ok(2);
        }
    };
    if pass.chars().count() < SHORT {
        eprintln!("cutover keygen: warning: the passphrase is shorter than {SHORT} characters");
    }
    let key = match Unlocked::generate(owner) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("cutover keygen: {e}");
            return Ok(2);
        }
    };
    let sealed = KeyFile::seal(&key, pass.as_bytes(), &path).and_then(|kf| {
        kf.write_new(&path)?;
        Ok(kf)
    });
    let kf = match sealed {
        Ok(kf) => kf,
        Err(e) => {
            eprintln!("cutover keygen: {e}");
            return Ok(2);
        }
    };
    eprintln!(
        "# {}: {owner}'s private key (mode 0600, passphrase-sealed), fingerprint {}.\n# Put the line below into the runbook's [[owner]] id = \"{owner}\".",
        path.display(),
        kf.fingerprint()
    );
    println!("signing_key = \"{}\"", kf.public);
    Ok(0)
}
