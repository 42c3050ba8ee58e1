//! `cutover demo [--speed N]`: the built-in simulator in-process and the
//! cockpit on the demo runbook, as its commander, logging to a fresh
//! directory under the temp dir. With `--serve`, each roster owner gets a
//! token for the try-out (`demo_team`).

use crate::cli::DemoArgs;
use crate::commands::demo_team::{self, TeamTokens};
use crate::commands::run::{live_with, runtime, Keys, OnServing};
use color_eyre::eyre::{eyre, WrapErr};
use cutover_cockpit::app::start::{self, Loaded};
use cutover_cockpit::sim::{self, Scenario};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

const RUNBOOK: &str = "runbooks/demo-pacs-cutover.toml";
const CONFIG: &str = "config/demo.toml";
const SCENARIO: &str = "assets/scenarios/demo.toml";
/// The address `config/demo.toml` names.
const DEMO_ADDR: &str = "127.0.0.1:7700";

pub fn run(args: DemoArgs) -> color_eyre::Result<u8> {
    if !(args.speed.is_finite() && args.speed > 0.0) {
        return Err(eyre!("--speed {}: expected a positive number", args.speed));
    }
    let scenario = Scenario::load(&find(SCENARIO)?)?;
    let log = fresh_log_path("cutover-demo")?;
    runtime()?.block_on(async {
        let sim = start_sim(scenario, args.speed).await?;
        let config_path = find(CONFIG)?;
        let config_text = std::fs::read_to_string(&config_path)
            .wrap_err_with(|| format!("cannot read {}", config_path.display()))?;
        // the config names 127.0.0.1:7700; point it at wherever the simulator listens
        let config_text = config_text.replace(DEMO_ADDR, &sim.addr.to_string());
        let runbook_path = find(RUNBOOK)?;
        let runbook_text = std::fs::read_to_string(&runbook_path)
            .wrap_err_with(|| format!("cannot read {}", runbook_path.display()))?;
        let mut loaded = start::load_texts(
            &runbook_path.display().to_string(),
            runbook_text,
            &config_path.display().to_string(),
            config_text,
        )
        .map_err(|e| eyre!("{e}"))?;
        // sign-offs require signatures in the demo runbook: a throw-away key per
        // roster owner, made now and kept in memory, so a newcomer sees signed records
        let keys = cutover_cockpit::sign::throw_away_keys(&mut loaded.runbook)
            .map_err(|e| eyre!("{e}"))?;
        let commander = loaded.runbook.commander.clone();
        let serve = args.serve.serve.as_deref();
        let keys = Keys::ThrowAway(keys);
        let code = match serve {
            None => live_with(&loaded, &log, &commander, None, None, keys, true).await,
            Some(_) => live_with_team(loaded, &log, &commander, serve, keys).await,
        };
        sim.stop().await;
        print_next_steps(&log);
        code
    })
}

/// After a demo or rehearsal: how to replay the log and make its evidence
/// pack (the post-mortem is the next thing a newcomer tries).
pub fn print_next_steps(log: &Path) {
    if log.exists() {
        let exe = std::env::current_exe().unwrap_or_else(|_| "cutover".into());
        println!("replay it: {} replay {}", exe.display(), log.display());
        println!(
            "report:    {} report {} --format html -o cutover-report.html",
            exe.display(),
            log.display()
        );
    }
}

/// The cockpit served with a minted token per roster owner (hashes in the
/// in-memory config only), written to `team-tokens.txt` once it listens.
async fn live_with_team(
    mut loaded: Loaded,
    log: &Path,
    commander: &str,
    serve: Option<&str>,
    keys: Keys,
) -> color_eyre::Result<u8> {
    let tokens = TeamTokens::mint(&loaded.runbook.owners)?;
    loaded.config.tokens.extend(tokens.hashes());
    let path = demo_team::file_path(log);
    let hook: OnServing = Box::new(|url| Some(demo_team::publish(&tokens, url, &path)));
    let code = live_with(&loaded, log, commander, serve, Some(hook), keys, true).await;
    if path.exists() {
        println!(
            "team tokens: {} (they stopped working when the demo quit)",
            path.display()
        );
    }
    code
}

/// The simulator on 127.0.0.1:7700, or on a free port when that is taken.
async fn start_sim(scenario: Scenario, speed: f64) -> color_eyre::Result<sim::SimHandle> {
    let preferred: SocketAddr = DEMO_ADDR.parse()?;
    match sim::start(scenario.clone(), preferred, speed).await {
        Ok(h) => Ok(h),
        Err(_) => {
            let any: SocketAddr = "127.0.0.1:0".parse()?;
            Ok(sim::start(scenario, any, speed).await?)
        }
    }
}

/// `<temp dir>/<prefix>-<pid>[-N]/cutover.jsonl` (TMPDIR honoured). Kept
/// short so the footer can show the full path on an 80-100 column terminal.
pub fn fresh_log_path(prefix: &str) -> color_eyre::Result<PathBuf> {
    let base = std::env::temp_dir();
    let pid = std::process::id();
    for n in 0..1000 {
        let name = match n {
            0 => format!("{prefix}-{pid}"),
            n => format!("{prefix}-{pid}-{n}"),
        };
        let dir = base.join(name);
        // create_dir (not _all) fails on an existing dir: never reuse an old demo's log
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir.join("cutover.jsonl")),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).wrap_err_with(|| format!("cannot create {}", dir.display())),
        }
    }
    Err(eyre!(
        "cannot find a free {prefix}-{pid}-N directory under {}",
        base.display()
    ))
}

/// `rel` under the current directory, else under the source tree this was built from.
fn find(rel: &str) -> color_eyre::Result<PathBuf> {
    let here = Path::new(rel);
    if here.exists() {
        return Ok(here.to_path_buf());
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    if built.exists() {
        return Ok(built);
    }
    Err(eyre!(
        "cannot find {rel} in the current directory or in {}: run `cutover demo` from the cutover-cockpit source tree",
        env!("CARGO_MANIFEST_DIR")
    ))
}
