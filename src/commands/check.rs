//! `cutover check RUNBOOK... [--config CONFIG] [--format json]`: static validation.
//!
//! Exit 0 when every file is valid (warnings allowed), 1 when any has an
//! error (TOML syntax included), 2 when a file cannot be read.

use crate::cli::{CheckArgs, CheckFormat};
use cutover_cockpit::core::config::{self, Config};
use cutover_cockpit::core::diag::{counts, Diagnostic};
use cutover_cockpit::core::runbook;
use cutover_cockpit::core::sanitize::inert;
use std::io::Write;
use std::path::Path;

/// One checked file: its label, text and diagnostics.
struct Checked {
    label: String,
    text: String,
    diags: Vec<Diagnostic>,
}

pub fn run(args: CheckArgs) -> color_eyre::Result<u8> {
    let mut unreadable = false;
    let mut checked: Vec<Checked> = Vec::new();
    let mut config: Option<(String, Config)> = None;
    if let Some(path) = &args.config {
        match read(path) {
            Some((label, text)) => {
                let out = config::check(&label, &text);
                config = out.config.map(|c| (label.clone(), c));
                checked.push(Checked {
                    label,
                    text,
                    diags: out.diagnostics,
                });
            }
            None => unreadable = true,
        }
    }
    for path in &args.runbooks {
        let Some((label, text)) = read(path) else {
            unreadable = true;
            continue;
        };
        let out = match &config {
            Some((clabel, c)) => runbook::check_with_config(&label, &text, clabel, c),
            None => runbook::check(&label, &text),
        };
        // cross-checks that point into the config (a [[token]] owner not on
        // the roster) are shown under the config, with its source line
        let (in_config, diags): (Vec<Diagnostic>, Vec<Diagnostic>) = out
            .diagnostics
            .into_iter()
            .partition(|d| config.as_ref().is_some_and(|(cl, _)| *cl == d.file) && d.file != label);
        if let Some(cfg) = checked.first_mut().filter(|_| args.config.is_some()) {
            for d in in_config {
                if !cfg.diags.contains(&d) {
                    cfg.diags.push(d);
                }
            }
        }
        checked.push(Checked { label, text, diags });
    }
    let text = match args.format {
        CheckFormat::Human => human(&checked),
        CheckFormat::Json => json(&checked)?,
    };
    // a closed pipe (`cutover check ... | head`) is not an error worth a panic
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    let invalid = checked
        .iter()
        .any(|c| c.diags.iter().any(Diagnostic::is_error));
    Ok(if unreadable {
        2
    } else if invalid {
        1
    } else {
        0
    })
}

/// Reads a file; a failure is one line on stderr.
fn read(path: &Path) -> Option<(String, String)> {
    let label = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => Some((label, text)),
        Err(e) => {
            eprintln!("cutover: cannot read {}: {e}", inert(&label));
            None
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// rustc-like text: each diagnostic with its source line, then one summary line per file.
fn human(checked: &[Checked]) -> String {
    let mut out = String::new();
    for c in checked {
        for d in &c.diags {
            out.push_str(&d.render(&c.text));
            out.push('\n');
        }
        let (e, w) = counts(&c.diags);
        out.push_str(&format!(
            "{}, {} in {}\n",
            plural(e, "error"),
            plural(w, "warning"),
            inert(&c.label)
        ));
    }
    out
}

/// One JSON object: overall validity, per-file counts, every diagnostic.
fn json(checked: &[Checked]) -> color_eyre::Result<String> {
    let files: Vec<serde_json::Value> = checked
        .iter()
        .map(|c| {
            let (e, w) = counts(&c.diags);
            serde_json::json!({"file": c.label, "valid": e == 0, "errors": e, "warnings": w})
        })
        .collect();
    let diags: Vec<&Diagnostic> = checked.iter().flat_map(|c| &c.diags).collect();
    let valid = checked.iter().all(|c| counts(&c.diags).0 == 0);
    let out = serde_json::json!({"valid": valid, "files": files, "diagnostics": diags});
    Ok(serde_json::to_string_pretty(&out)? + "\n")
}
