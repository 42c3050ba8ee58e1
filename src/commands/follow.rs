//! `cutover follow URL --as OWNER`: a team member's cockpit fed from the
//! commander's `--serve` API. The token comes from `CUTOVER_TOKEN` and is
//! never printed. Exit 0 on quit, 2 on usage (no token, bad URL).

use crate::cli::FollowArgs;
use crate::commands::run::runtime;
use cutover_cockpit::clock::wall_now;
use cutover_cockpit::follow::{
    spawn_stream, stream, Backoff, FollowPort, FollowTarget, SharedLink,
};
use cutover_cockpit::sign::holder::KeyHolder;
use cutover_cockpit::sign::keyfile::KeyFile;
use cutover_cockpit::sign::{passphrase, Unlocked};
use cutover_cockpit::tui::app::spawn_ticks;
use cutover_cockpit::tui::terminal::{init_diagnostics, spawn_key_reader, TerminalGuard};
use cutover_cockpit::tui::{self, CockpitPort, Theme, UiState};
use std::time::Duration;
use tokio::sync::mpsc;

/// The environment variable holding the follower's bearer token.
pub const TOKEN_ENV: &str = "CUTOVER_TOKEN";

pub fn run(args: FollowArgs) -> color_eyre::Result<u8> {
    let token = match std::env::var(TOKEN_ENV) {
        Ok(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => {
            eprintln!(
                "cutover follow: {TOKEN_ENV} is not set: export the token the commander minted for {} with `cutover token {}` (it is read from the environment only, never from the command line)",
                cutover_cockpit::core::sanitize::inert(&args.as_owner),
                cutover_cockpit::core::sanitize::inert(&args.as_owner),
            );
            return Ok(2);
        }
    };
    if !(args.url.starts_with("http://") || args.url.starts_with("https://")) {
        eprintln!(
            "cutover follow: URL {}: must start with http:// or https://, e.g. http://127.0.0.1:7878",
            cutover_cockpit::core::sanitize::inert(&args.url)
        );
        return Ok(2);
    }
    let target = FollowTarget {
        base: args.url.clone(),
        owner: args.as_owner.clone(),
        token,
    };
    let http = match client(args.ca_file.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cutover follow: {e}");
            return Ok(2);
        }
    };
    let signer = match &args.key {
        None => None,
        Some(path) => match unlock(&args.as_owner, path) {
            Ok((k, kf)) => Some(KeyHolder::from_file(k, kf, path, wall_now())),
            Err(code) => return Ok(code),
        },
    };
    runtime()?.block_on(follow(http, target, signer))
}

/// `--key FILE`: the key file must be OWNER's; the passphrase is asked once,
/// here, before the screen starts (both components: `--as` and the
/// passphrase); later, after 15 idle minutes, the screen asks it again. The server checks the key against the log's roster.
fn unlock(owner: &str, path: &std::path::Path) -> Result<(Unlocked, KeyFile), u8> {
    let kf = KeyFile::read(path).map_err(|e| {
        eprintln!("cutover follow: {e}");
        2
    })?;
    if kf.owner != owner {
        eprintln!(
            "cutover follow: {} is {}'s key (fingerprint {}), not {owner}'s; nothing is signed with it",
            path.display(),
            cutover_cockpit::core::sanitize::inert(&kf.owner),
            kf.fingerprint()
        );
        return Err(1);
    }
    let pass = passphrase::read(
        &format!("Passphrase for {} ({owner}): ", path.display()),
        false,
    )
    .map_err(|e| {
        eprintln!("cutover follow: {e}");
        2
    })?;
    let key = kf.unlock(pass.as_bytes(), path).map_err(|e| {
        eprintln!("cutover follow: {e}");
        1
    })?;
    // the sealed file stays with the holder: the screen asks the passphrase
    // again once the key locked itself
    Ok((key, kf))
}

/// The HTTP client: web PKI roots, plus the CAs in `ca_file` when given.
fn client(ca_file: Option<&std::path::Path>) -> Result<reqwest::Client, String> {
    let mut b = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .user_agent(concat!("cutover-follow/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = ca_file {
        let shown = cutover_cockpit::core::sanitize::inert(&path.display().to_string());
        let pem = std::fs::read(path).map_err(|e| format!("--ca-file {shown}: {e}"))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|_| format!("--ca-file {shown}: not a PEM certificate bundle"))?;
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    b.build()
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))
}

async fn follow(
    http: reqwest::Client,
    target: FollowTarget,
    signer: Option<KeyHolder>,
) -> color_eyre::Result<u8> {
    let _ = init_diagnostics(log::LevelFilter::Info);
    if target.base.starts_with("http://") && !loopback(&target.base) {
        log::warn!(
            "follow: {} is plain http: the token crosses the network unencrypted; ask the commander for https",
            target.display_base()
        );
    }
    let link = SharedLink::default();
    let (tx, mut rx) = mpsc::channel(256);
    let streamer = spawn_stream(
        http.clone(),
        target.clone(),
        link.clone(),
        tx.clone(),
        Backoff::default(),
    );
    // give the first view a moment, so the screen opens on the right role
    let _ = tokio::time::timeout(Duration::from_secs(3), async {
        while stream::lock(&link).view.is_none() && rx.recv().await.is_some() {}
    })
    .await;
    let mut port = FollowPort::new(http, target, link, tx.clone());
    if let Some(h) = signer {
        port = port.with_signer(h);
    }
    let mut ui = UiState::for_view(Theme::from_env(), &port.view());
    let mut guard = TerminalGuard::enter()?;
    let _keys = spawn_key_reader(tx.clone());
    // redraws the "disconnected since" state even when nothing arrives
    let ticks = spawn_ticks(tx, Duration::from_secs(1));
    let outcome = tui::run(guard.terminal(), rx, &mut port, &mut ui).await;
    drop(guard);
    ticks.abort();
    streamer.abort();
    outcome?;
    Ok(0)
}

/// Whether `url`'s host is a loopback address or `localhost`.
fn loopback(url: &str) -> bool {
    let Some(host) = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
    else {
        return false;
    };
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h == "localhost"
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_hosts() {
        assert!(super::loopback("http://127.0.0.1:7878"));
        assert!(super::loopback("http://[::1]:7878/"));
        assert!(super::loopback("http://localhost:7878"));
        assert!(!super::loopback("http://cockpit.example:7878"));
        assert!(!super::loopback("http://10.0.0.5"));
    }
}
