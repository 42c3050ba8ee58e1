//! `cutover report LOG --format md|html [-o FILE] [--force] [--baseline LOG...]`:
//! the evidence pack.

use crate::cli::{ReportArgs, ReportFormat};
use color_eyre::eyre::WrapErr;
use cutover_cockpit::report::{self, verify, Evidence};
use std::io::Write;

/// Verifies the log, builds the evidence and writes it to `-o` or stdout.
/// Exit 1 when the log does not verify and `--force` is not given.
pub fn run(args: ReportArgs) -> color_eyre::Result<u8> {
    let (records, verification) = match verify::verification_of(&args.log) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("cutover: {e}");
            return Ok(2);
        }
    };
    if !verification.ok && !args.force {
        eprintln!(
            "cutover: {}: log does not verify ({}); refusing to report (use --force to report anyway, marked as unverified)",
            args.log.display(),
            verification.damage.as_deref().unwrap_or("damage not described")
        );
        return Ok(1);
    }
    let mut evidence = Evidence::from_records(&records, verification);
    if !args.baseline.is_empty() {
        let digest = evidence.identity.runbook_digest.clone().unwrap_or_default();
        match cutover_cockpit::app::baseline::load_for_digest(&args.baseline, &digest) {
            Ok(b) => {
                let names = args
                    .baseline
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect();
                evidence = evidence.against_rehearsals(&b, names);
            }
            Err(e) => {
                eprintln!("cutover: {e}");
                return Ok(e.exit_code());
            }
        }
    }
    let out = match args.format {
        ReportFormat::Md => report::markdown(&evidence),
        ReportFormat::Html => report::html(&evidence),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, out)
                .wrap_err_with(|| format!("cannot write report to {}", path.display()))?;
            // on stderr, so a script piping stdout gets only what it asked for
            eprintln!(
                "cutover: evidence pack for {} written to {}",
                args.log.display(),
                path.display()
            );
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush())
                .wrap_err("cannot write report to stdout")?;
        }
    }
    Ok(0)
}
