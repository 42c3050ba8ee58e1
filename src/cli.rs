//! The command line (README.md, "Commands").

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "cutover",
    version,
    about = "A terminal cockpit for running a system cutover"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the built-in simulator and the cockpit on the demo runbook, as the commander.
    Demo(DemoArgs),
    /// The live cockpit (resumes LOG if it exists).
    Run(RunArgs),
    /// Static validation of runbooks.
    Check(CheckArgs),
    /// Headless: poll every probe, print metrics, gates, sign-offs and thresholds.
    Status(StatusArgs),
    /// Serve simulated source and target systems over loopback HTTP.
    Sim(SimArgs),
    /// A dress rehearsal of any runbook: a simulator answers every probe the config names.
    Rehearse(RehearseArgs),
    /// Replay a cutover log, read-only.
    Replay(ReplayArgs),
    /// Verify a cutover log's hash chain.
    Verify(VerifyArgs),
    /// Turn a cutover log into an evidence pack.
    Report(ReportArgs),
    /// Follow a cockpit served with `--serve` (token in CUTOVER_TOKEN; never writes the log).
    Follow(FollowArgs),
    /// Mint a token for a team member: the token on stdout, its [[token]] block on stderr.
    Token(TokenArgs),
    /// Make a person's Ed25519 signing key: private key file (0600, passphrase-sealed), roster line on stdout.
    Keygen(KeygenArgs),
    /// Append a signed amendment referring to record N (record N is never altered).
    Amend(AmendArgs),
    /// Append a signed review over the head hash of a closed log.
    Review(ReviewArgs),
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// The owner id (from the runbook's roster) the key is for.
    pub owner: String,
    /// Where to write the private key file (default: OWNER.key); never overwritten.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AmendArgs {
    pub log: PathBuf,
    /// The record being amended.
    #[arg(long, value_name = "N")]
    pub seq: u64,
    /// The owner id signing the amendment.
    #[arg(long = "as", value_name = "OWNER")]
    pub as_owner: String,
    /// OWNER's private key file (from `cutover keygen`).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Why the record is amended.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// What the record should have said (optional).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub correction: String,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    pub log: PathBuf,
    /// The owner id signing the review.
    #[arg(long = "as", value_name = "OWNER")]
    pub as_owner: String,
    /// OWNER's private key file (from `cutover keygen`).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The reviewer's statement.
    #[arg(long, value_name = "TEXT")]
    pub statement: String,
}

#[derive(Debug, Args)]
pub struct FollowArgs {
    /// Base URL of the commander's cockpit server, e.g. http://127.0.0.1:7878
    pub url: String,
    /// The owner id this follower acts as (must match the token).
    #[arg(long = "as", value_name = "OWNER")]
    pub as_owner: String,
    /// PEM bundle of extra CA certificates for an https:// server with a private CA.
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Sign this person's decisions with their key (from `cutover keygen`), on this machine.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The owner id (from the runbook's roster) the token is for.
    pub owner: String,
}

/// `--serve [ADDR]`: serve the cockpit to the team (ADDR defaults to `[serve] listen`).
#[derive(Debug, Clone, Default, Args)]
pub struct ServeArg {
    /// Serve the cockpit to the team on ADDR (default: the config's [serve] listen, 127.0.0.1:7878).
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "")]
    pub serve: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Simulation speed multiplier (scenario time runs N times faster).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    #[command(flatten)]
    pub serve: ServeArg,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    pub runbook: PathBuf,
    #[arg(long)]
    pub config: PathBuf,
    #[arg(long)]
    pub log: PathBuf,
    /// The owner id at the keyboard.
    #[arg(long = "as", value_name = "OWNER")]
    pub as_owner: String,
    /// Sign OWNER's decisions with this key (from `cutover keygen`); the
    /// passphrase is asked once, and the key locks after 15 minutes idle.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    #[command(flatten)]
    pub serve: ServeArg,
    /// Earlier rehearsal or live logs of this runbook (verified first): per-step P50/P90 durations feed the forecast and the steps panel, `baseline()` in expressions reads them.
    #[arg(long, value_name = "LOG", num_args = 1..)]
    pub baseline: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RehearseArgs {
    pub runbook: PathBuf,
    /// The site's config, used as it is: its probes are pointed at the simulator in memory.
    #[arg(long)]
    pub config: PathBuf,
    /// A built-in scenario (steady, latency-spike, checksum-drift, target-outage, cert-expiry, demo) or a scenario file.
    #[arg(long, value_name = "NAME|FILE", default_value = "steady")]
    pub scenario: String,
    /// Scenario time runs N times faster.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// The rehearsal's log (default: a fresh one under the temp dir).
    #[arg(long)]
    pub log: Option<PathBuf>,
    /// The owner id at the keyboard (default: the runbook's commander).
    #[arg(long = "as", value_name = "OWNER")]
    pub as_owner: Option<String>,
    /// Send the config's webhooks (off by default: a rehearsal pages nobody).
    #[arg(long)]
    pub notify: bool,
    /// Earlier rehearsal or live logs of this runbook (verified first): per-step P50/P90 durations feed the forecast and the steps panel, `baseline()` in expressions reads them.
    #[arg(long, value_name = "LOG", num_args = 1..)]
    pub baseline: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(required = true)]
    pub runbooks: Vec<PathBuf>,
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    pub runbook: PathBuf,
    #[arg(long)]
    pub config: PathBuf,
    /// Phase whose entry and exit gates decide the exit code (default: the first).
    #[arg(long)]
    pub phase: Option<String>,
    #[arg(long)]
    pub json: bool,
    /// Keep polling for this long (DURATION, e.g. "30s") instead of once.
    #[arg(long = "for", value_name = "DUR")]
    pub for_: Option<String>,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// A built-in scenario (steady, latency-spike, checksum-drift, target-outage, cert-expiry, demo) or a scenario file.
    #[arg(value_name = "NAME|FILE")]
    pub scenario: String,
    #[arg(long, default_value = "127.0.0.1:7700")]
    pub listen: String,
    /// Scenario time runs N times faster.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    pub log: PathBuf,
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Replay a log that does not verify (a banner names the damage).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    pub log: PathBuf,
    /// `SEQ:HASH` held elsewhere, or a checkpoint file.
    #[arg(long)]
    pub checkpoint: Option<String>,
    /// A roster held elsewhere (a TOML file with [[owner]] id + signing_key, e.g. the
    /// runbook): every signature must also be by that owner's key in FILE.
    #[arg(long, value_name = "FILE")]
    pub keys: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    pub log: PathBuf,
    #[arg(long, value_enum)]
    pub format: ReportFormat,
    #[arg(short = 'o', long = "output")]
    pub output: Option<PathBuf>,
    #[arg(long)]
    pub force: bool,
    /// Rehearsal (or earlier live) logs of the same runbook, verified first:
    /// adds "This run against its rehearsals" (actual, P50/P90, drift per step).
    #[arg(long, value_name = "LOG", num_args = 1..)]
    pub baseline: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Md,
    Html,
}
