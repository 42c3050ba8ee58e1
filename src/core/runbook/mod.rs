//! The runbook: model, TOML parsing with positions, and validation.

pub mod metrics;
pub mod model;
pub mod parse;
pub mod validate;

pub use model::*;

use crate::core::config::Config;
use crate::core::diag::{self, Diagnostic};

/// The result of checking a runbook: the runbook when it has no errors, and
/// every diagnostic (errors first, then warnings, each sorted by position).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    pub runbook: Option<Runbook>,
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckOutcome {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses and validates a runbook without a config (metric prefixes only).
/// `path_label` is how diagnostics name the file.
pub fn check(path_label: &str, text: &str) -> CheckOutcome {
    check_inner(path_label, text, None)
}

/// Parses and validates a runbook against a config: every source/target/recon
/// metric must be produced by one of its probes. `config_label` names the
/// config file in messages.
pub fn check_with_config(
    path_label: &str,
    text: &str,
    config_label: &str,
    config: &Config,
) -> CheckOutcome {
    check_inner(path_label, text, Some((config_label, config)))
}

fn check_inner(path_label: &str, text: &str, config: Option<(&str, &Config)>) -> CheckOutcome {
    let mut diagnostics = Vec::new();
    let parsed = parse::parse(path_label, text, &mut diagnostics);
    if let Some(p) = &parsed {
        validate::validate(path_label, p, config, &mut diagnostics);
    }
    diag::sort(&mut diagnostics);
    let ok = !diagnostics.iter().any(Diagnostic::is_error);
    CheckOutcome {
        runbook: parsed.filter(|_| ok).map(|p| p.runbook),
        diagnostics,
    }
}

/// Parses and validates a runbook; `Err` holds the errors (warnings dropped).
pub fn load(path_label: &str, text: &str) -> Result<Runbook, Vec<Diagnostic>> {
    let out = check(path_label, text);
    match out.runbook {
        Some(rb) => Ok(rb),
        None => Err(out
            .diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect()),
    }
}
