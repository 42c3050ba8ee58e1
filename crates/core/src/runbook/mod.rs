//! The runbook: model, TOML parsing with positions, and validation.

mod conditions;
pub mod metrics;
pub mod model;
pub mod parse;
mod refs;
mod template;
pub mod validate;

pub use template::PLACEHOLDERS;

pub use model::*;

use crate::config::Config;
use crate::diag::{self, Diagnostic};

/// The result of checking a runbook: the runbook when it has no errors, and
/// every diagnostic (errors first, then warnings, each sorted by position).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOutcome {
    /// The parsed runbook; `None` when any error was found.
    pub runbook: Option<Runbook>,
    /// Every error and warning found in the file.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Pos;
    use crate::time::Dur;

    const DEMO: &str = include_str!("../../../../runbooks/demo-pacs-cutover.toml");
    const MINIMAL: &str = include_str!("../../../../tests/runbooks/valid/minimal.toml");

    #[test]
    fn the_demo_runbook_loads_with_its_six_phases() {
        let rb = load("demo.toml", DEMO).unwrap();
        assert_eq!(rb.commander, "dana");
        assert_eq!(rb.max_duration, Dur::from_mins(360));
        let ids: Vec<&str> = rb.phases.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "readiness",
                "pilot-dataset",
                "parallel-run",
                "controlled-shift",
                "full-production",
                "decommission"
            ]
        );
        let gate = rb
            .gates()
            .find(|(_, g)| g.id == "pilot-checksums")
            .unwrap()
            .1;
        assert_eq!(gate.hold_for, Some(Dur::from_mins(1)));
        assert_eq!(gate.kind, GateKind::Exit);
        assert!(rb.rollback("return-read-path").is_some());
        assert_eq!(rb.update_every, Dur::from_mins(30));
    }

    #[test]
    fn overrun_scope_names_a_rollback_plan() {
        let plan = DEMO.replace(
            "max_duration = \"6h\"",
            "max_duration = \"6h\"\noverrun_scope = \"return-read-path\"",
        );
        let rb = load("demo.toml", &plan).unwrap();
        assert_eq!(rb.overrun_scope.as_deref(), Some("return-read-path"));
        let bad = DEMO.replace(
            "max_duration = \"6h\"",
            "max_duration = \"6h\"\noverrun_scope = \"return-read-pth\"",
        );
        let errs = load("demo.toml", &bad).unwrap_err();
        let e = errs
            .iter()
            .find(|d| d.message.contains("return-read-pth"))
            .unwrap_or_else(|| panic!("{errs:?}"));
        let line = bad
            .lines()
            .position(|l| l.starts_with("overrun_scope"))
            .unwrap()
            + 1;
        assert_eq!(e.pos.line, line as u32);
    }

    #[test]
    fn items_keep_the_position_of_their_id() {
        let rb = load("m.toml", MINIMAL).unwrap();
        let copy = &rb.phases[0].steps[0];
        // `  id = "copy"` is line 25; the value starts at column 8
        assert_eq!((copy.id.as_str(), copy.pos), ("copy", Pos::new(25, 8)));
        assert_eq!(copy.after, Vec::<String>::new());
        assert_eq!(rb.phases[0].steps[1].after, ["copy"]);
    }

    #[test]
    fn metric_errors_inside_a_multiline_when_point_at_the_metric() {
        let text = MINIMAL.replace(
            "when = \"recon.pacs-pilot.match == 1\"",
            "when = '''\nrecon.pacs-pilot.match == 1\n  and targte.pacs.up == 1'''",
        );
        let errs = load("m.toml", &text).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].pos, Pos::new(42, 7));
    }

    #[test]
    fn expression_columns_count_characters_not_bytes() {
        let text = MINIMAL.replace(
            "title = \"100% checksum match on pilot batch\"",
            "title = \"Prüfsummen – 100%\"",
        );
        let text = text.replace(
            "recon.pacs-pilot.match == 1",
            "recon.pacs-pilot.match == == 1",
        );
        let errs = load("m.toml", &text).unwrap_err();
        assert_eq!(errs[0].pos, Pos::new(40, 37));
    }

    #[test]
    fn warnings_do_not_stop_loading_but_are_reported_by_check() {
        let text = MINIMAL.replace("  expected = \"10m\"\n", "");
        assert!(load("m.toml", &text).is_ok());
        let out = check("m.toml", &text);
        assert!(out.runbook.is_some() && !out.has_errors());
        assert_eq!(out.diagnostics.len(), 1);
        assert!(out.diagnostics[0].message.contains("no `expected`"));
    }

    #[test]
    fn with_a_config_metrics_must_come_from_a_probe() {
        let cfg = crate::config::load(
            "c.toml",
            include_str!("../../../../tests/runbooks/fixture-config.toml"),
        )
        .unwrap();
        assert!(!check_with_config("m.toml", MINIMAL, "c.toml", &cfg).has_errors());
        let text = MINIMAL.replace("target.pacs.latency_ms", "source.pacs.latency_ms");
        let out = check_with_config("m.toml", &text, "c.toml", &cfg);
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(
            out.diagnostics[0].message,
            "no probe in c.toml produces `source.pacs.latency_ms`, did you mean `target.pacs.latency_ms`?"
        );
        // without the config only the prefix is checked
        assert!(!check("m.toml", &text).has_errors());
    }

    #[test]
    fn long_after_chains_and_long_cycles_are_handled() {
        let steps: Vec<Step> = (0..20_000)
            .map(|i| Step {
                id: format!("s{i}"),
                title: String::new(),
                owner: String::new(),
                expected: None,
                after: vec![format!("s{}", (i + 1) % 20_000)],
                pos: Pos::new(1, 1),
            })
            .collect();
        let cycles = validate::find_cycles(&steps);
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].len(), 20_000);
        assert_eq!(cycles[0][0], 0);
    }

    #[test]
    fn signing_keys_and_require_signature_are_read_and_checked_where_they_are() {
        let key = format!("ed25519:{}=", "A".repeat(43));
        let text = MINIMAL
            .replace(
                "max_duration = \"2h\"\n",
                "max_duration = \"2h\"\nrequire_signature = [\"signoff\", \"go\"]\n",
            )
            .replace(
                "role = \"Cutover commander\"\n",
                &format!("role = \"Cutover commander\"\nsigning_key = \"{key}\"\n"),
            );
        let rb = load("m.toml", &text).unwrap();
        assert_eq!(rb.require_signature, ["signoff", "go"]);
        assert_eq!(rb.owners[0].signing_key.as_deref(), Some(key.as_str()));
        assert_eq!(rb.owners[1].signing_key, None);

        let bad = MINIMAL
            .replace(
                "max_duration = \"2h\"\n",
                "max_duration = \"2h\"\nrequire_signature = [\"signoff\", \"launch\"]\n",
            )
            .replace(
                "role = \"Cutover commander\"\n",
                "role = \"Cutover commander\"\nsigning_key = \"rsa:AAAA\"\n",
            );
        let errs = load("m.toml", &bad).unwrap_err();
        let launch = errs
            .iter()
            .find(|d| d.message.contains("\"launch\""))
            .unwrap();
        // line 8: `require_signature = ["signoff", "launch"]`, the string at column 33
        assert_eq!(launch.pos, Pos::new(8, 33), "{launch:?}");
        let k = errs
            .iter()
            .find(|d| d.message.contains("signing_key"))
            .unwrap();
        assert_eq!(k.pos, Pos::new(14, 15), "{k:?}");
        assert!(k.message.contains("ed25519:"), "{k:?}");
    }
    #[test]
    fn advisory_is_read_on_gates_and_thresholds_and_checked_for_type() {
        let text = MINIMAL
            .replace("  for = \"1m\"\n", "  for = \"1m\"\n  advisory = true\n")
            .replace(
                "severity = \"rollback\"\n",
                "severity = \"rollback\"\nadvisory = false\n",
            );
        let rb = load("m.toml", &text).unwrap();
        assert!(rb.phases[0].gates[0].advisory);
        assert!(!rb.thresholds[0].advisory);
        // absent = false
        let rb = load("m.toml", MINIMAL).unwrap();
        assert!(!rb.phases[0].gates[0].advisory);
        // the only exit gate is advisory and there is no sign-off: a warning, not an error
        let out = check("m.toml", &text);
        assert!(!out.has_errors(), "{:?}", out.diagnostics);
        let w = out
            .diagnostics
            .iter()
            .find(|d| d.message.contains("only advisory exit gates"))
            .unwrap_or_else(|| panic!("{:?}", out.diagnostics));
        assert_eq!(w.pos, Pos::new(20, 6));

        let bad = MINIMAL.replace("  for = \"1m\"\n", "  for = \"1m\"\n  advisory = \"yes\"\n");
        let errs = load("m.toml", &bad).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].pos, Pos::new(42, 14));
        assert!(errs[0].message.contains("true or false"), "{errs:?}");
        let typo = MINIMAL.replace("  for = \"1m\"\n", "  for = \"1m\"\n  advisary = true\n");
        let errs = load("m.toml", &typo).unwrap_err();
        assert_eq!(errs[0].pos, Pos::new(42, 3));
        assert!(
            errs[0].message.contains("did you mean `advisory`"),
            "{errs:?}"
        );
    }
}
