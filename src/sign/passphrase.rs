//! Where a passphrase comes from: `CUTOVER_KEY_PASSPHRASE`, else the
//! terminal (no echo). It is never logged, shown or put in an error.

use zeroize::Zeroizing;

/// The environment variable that supplies the passphrase (scripts, CI).
pub const ENV: &str = "CUTOVER_KEY_PASSPHRASE";

/// The passphrase from [`ENV`] when set and not empty, else asked on the
/// terminal (twice when `confirm`, for a new key).
pub fn read(prompt: &str, confirm: bool) -> Result<Zeroizing<String>, String> {
    if let Some(v) = std::env::var_os(ENV).filter(|v| !v.is_empty()) {
        return v
            .into_string()
            .map(Zeroizing::new)
            .map_err(|_| format!("{ENV} is not valid UTF-8"));
    }
    let ask = |p: &str| {
        rpassword::prompt_password(p)
            .map(Zeroizing::new)
            .map_err(|e| {
                format!("cannot read a passphrase from the terminal ({e}); set {ENV} instead")
            })
    };
    let first = ask(prompt)?;
    if first.is_empty() {
        return Err("the passphrase is empty".into());
    }
    if confirm {
        let again = ask("Repeat the passphrase: ")?;
        if *again != *first {
            return Err("the two passphrases differ".into());
        }
    }
    Ok(first)
}
