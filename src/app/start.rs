//! Getting a session going: load and validate the runbook and config, then
//! create a new log or resume an existing one (`cutover run` semantics).

use crate::app::session::Session;
use crate::clock::{Clock, Pace};
use crate::core::cockpit::Cockpit;
use crate::core::config::Staleness;
use crate::core::config::{self, Config};
use crate::core::diag::Diagnostic;
use crate::core::entry::{Entry, EntryKind};
use crate::core::runbook::{self, Runbook};
use crate::core::sanitize::inert;
use crate::core::time::Dur;
use crate::journal::lock::hostname;
use crate::journal::{self, Journal, JournalError, TornInfo};
use std::path::Path;

/// Why a session could not start; each maps to an exit code (README.md, "Commands").
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Usage or IO problem, invalid runbook/config, owner not on the roster (exit 2).
    #[error("{0}")]
    Usage(String),
    /// The log exists but may not be resumed: damaged, other runbook, locked (exit 1).
    #[error("{0}")]
    Refused(String),
}

impl StartError {
    /// The process exit code for this error (README.md, "Commands").
    pub fn exit_code(&self) -> u8 {
        match self {
            StartError::Usage(_) => 2,
            StartError::Refused(_) => 1,
        }
    }
}

/// A validated runbook and config with their texts and paths (the `open`
/// record logs them).
#[derive(Debug, Clone)]
pub struct Loaded {
    pub runbook: Runbook,
    pub runbook_text: String,
    /// The runbook path as given (the label its diagnostics name).
    pub runbook_path: String,
    pub config: Config,
    pub config_text: String,
    /// The config path as given.
    pub config_path: String,
    /// A dress rehearsal (`cutover rehearse`): the `open` record says so.
    pub rehearsal: bool,
    /// How fast the cockpit's clock runs (a rehearsal's `--speed`; live runs
    /// keep the default, real time).
    pub pace: Pace,
    /// Earlier runs (`--baseline` logs), already verified.
    pub baseline: Option<std::sync::Arc<crate::core::baseline::Baseline>>,
}

/// Reads and validates both files; diagnostics are rendered with source lines.
pub fn load(runbook_path: &Path, config_path: &Path) -> Result<Loaded, StartError> {
    let (clabel, config_text) = read(config_path, "config")?;
    let (rlabel, runbook_text) = read(runbook_path, "runbook")?;
    load_texts(&rlabel, runbook_text, &clabel, config_text)
}

/// [`load`] on texts already read (`demo` rewrites the config's address).
pub fn load_texts(
    rlabel: &str,
    runbook_text: String,
    clabel: &str,
    config_text: String,
) -> Result<Loaded, StartError> {
    let config = config::load(clabel, &config_text)
        .map_err(|d| StartError::Usage(render(&d, &config_text)))?;
    let out = runbook::check_with_config(rlabel, &runbook_text, clabel, &config);
    let Some(runbook) = out.runbook else {
        // a cross-check may point into the config: render it with the config's lines
        let rendered: Vec<String> = out
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| match d.file == clabel && clabel != rlabel {
                true => d.render(&config_text),
                false => d.render(&runbook_text),
            })
            .collect();
        return Err(StartError::Usage(rendered.join("\n")));
    };
    Ok(Loaded {
        runbook,
        runbook_text,
        runbook_path: rlabel.to_string(),
        config,
        config_text,
        config_path: clabel.to_string(),
        rehearsal: false,
        pace: Pace::default(),
        baseline: None,
    })
}

/// Every environment variable the probes need (database URLs of `sql`
/// probes, credentials of `dicomweb` ones) must be set before a live
/// session starts; the error names each variable and its probe, never a value.
pub fn check_env(
    loaded: &Loaded,
    config_label: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<(), StartError> {
    let diags = config::recon::missing_env(&loaded.config, config_label, env);
    if diags.is_empty() {
        return Ok(());
    }
    Err(StartError::Usage(render(&diags, &loaded.config_text)))
}

fn read(path: &Path, what: &str) -> Result<(String, String), StartError> {
    let label = path.display().to_string();
    std::fs::read_to_string(path)
        .map(|t| (label.clone(), t))
        .map_err(|e| StartError::Usage(format!("cannot read {what} {}: {e}", inert(&label))))
}

fn render(diags: &[Diagnostic], text: &str) -> String {
    diags
        .iter()
        .map(|d| d.render(text))
        .collect::<Vec<_>>()
        .join("\n")
}

/// How the log was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// A new log was created with its `open` record.
    Created,
    /// An existing log was resumed; a torn last line, if any, was moved aside.
    Resumed { torn: Option<TornInfo> },
}

/// Refuses an operator who is not on the roster (exit 2).
pub fn check_operator(rb: &Runbook, operator: &str) -> Result<(), StartError> {
    if rb.owner(operator).is_some() {
        return Ok(());
    }
    let ids: Vec<&str> = rb.owners.iter().map(|o| o.id.as_str()).collect();
    Err(StartError::Usage(format!(
        "--as {}: not on the runbook's roster; use one of: {}",
        inert(operator),
        ids.join(", ")
    )))
}

/// Creates `log` (absent) or resumes it (present) and returns the session.
pub fn open_session(
    loaded: &Loaded,
    log: &Path,
    operator: &str,
    clock: Clock,
) -> Result<(Session, Opened), StartError> {
    check_operator(&loaded.runbook, operator)?;
    let key = journal::key_from_env().map_err(|e| StartError::Usage(e.to_string()))?;
    if log.exists() {
        resume(loaded, log, operator, clock, key)
    } else {
        create(loaded, log, operator, clock, key)
    }
}

fn create(
    loaded: &Loaded,
    log: &Path,
    operator: &str,
    clock: Clock,
    key: Option<Vec<u8>>,
) -> Result<(Session, Opened), StartError> {
    let now = clock();
    let src = journal::OpenSource {
        runbook_path: Some(&loaded.runbook_path),
        runbook_text: &loaded.runbook_text,
        config_path: Some(&loaded.config_path),
        config_text: &loaded.config_text,
    };
    let mut body = journal::open_record_body(src, operator, &hostname());
    if loaded.rehearsal {
        body.rehearsal = true;
        body.speed = Some(loaded.pace.speed());
    }
    let mut entry = Entry::with_body(EntryKind::Open, operator, None, &body);
    // the roster's public keys, pinned where `verify` finds them
    entry.body = crate::journal::signed::pin_roster(entry.body, &loaded.runbook);
    let journal = Journal::create(log, entry, now, key).map_err(journal_error)?;
    let mut cockpit = Cockpit::new(loaded.runbook.clone(), now);
    cockpit.set_staleness(&staleness(loaded));
    if let Some(b) = &loaded.baseline {
        cockpit.set_baseline(b.clone());
    }
    // the open record just written, for the log tail; unreadable now means the disk is failing
    let history = crate::journal::read_records(log).map_err(journal_error)?;
    let mut session = Session::new(cockpit, journal, operator, clock, &history);
    let effects = session.cockpit_mut().begin(now);
    session.run_effects(effects, now);
    fail_if_broken(&session)?;
    Ok((session, Opened::Created))
}

fn resume(
    loaded: &Loaded,
    log: &Path,
    operator: &str,
    clock: Clock,
    key: Option<Vec<u8>>,
) -> Result<(Session, Opened), StartError> {
    let (journal, records, info) = Journal::open_existing(log, key).map_err(journal_error)?;
    let ours = journal::sha256_hex(&loaded.runbook_text);
    match journal::runbook_digest(&records) {
        Some(d) if d == ours => {}
        other => {
            return Err(StartError::Refused(format!(
                "{}: was made from a different runbook (log digest {}, this runbook {ours}): resume it with the runbook it was started with, or choose a new --log",
                log.display(),
                other.as_deref().unwrap_or("missing")
            )))
        }
    }
    let mut cockpit = Cockpit::replay_with_baseline(
        loaded.runbook.clone(),
        records.iter().map(|r| (r.ts(), r.entry())),
        loaded.baseline.clone(),
    );
    cockpit.set_staleness(&staleness(loaded));
    let now = clock();
    let mut session = Session::new(cockpit, journal, operator, clock, &records);
    let mut body = journal::resume_record_body(&info, operator, &hostname());
    if loaded.rehearsal {
        body.speed = Some(loaded.pace.speed());
    }
    let effects = session.cockpit_mut().restart(now, &body);
    session.run_effects(effects, now);
    fail_if_broken(&session)?;
    Ok((session, Opened::Resumed { torn: info.torn }))
}

/// The config's staleness limits, widened where a sped-up rehearsal's
/// probe floor would otherwise leave samples stale between two attempts.
fn staleness(loaded: &Loaded) -> Staleness {
    let c = &loaded.config;
    let mut s = c.staleness();
    if loaded.pace == Pace::default() {
        return s;
    }
    s.default = loaded.pace.stale_after(s.default, c.poll.interval);
    for p in &c.probes {
        let interval: Dur = p.interval.unwrap_or(c.poll.interval);
        for m in p.metric_names() {
            if let Some(limit) = s.metrics.get_mut(&m) {
                *limit = loaded.pace.stale_after(*limit, interval);
            }
        }
    }
    s
}

fn fail_if_broken(s: &Session) -> Result<(), StartError> {
    match s.failed() {
        None => Ok(()),
        Some(why) => Err(StartError::Usage(format!("cannot write the log: {why}"))),
    }
}

/// Damage, a held lock or a log that is not ours refuse (1); IO is usage (2).
fn journal_error(e: JournalError) -> StartError {
    match e {
        JournalError::Damaged { .. }
        | JournalError::Locked { .. }
        | JournalError::NoOpenRecord { .. }
        | JournalError::KeyRequired { .. } => StartError::Refused(e.to_string()),
        other => StartError::Usage(other.to_string()),
    }
}
