//! The reconciliation kinds on the command line: `check` validates them
//! (FILE:LINE:COL), a gate may use their metrics, and `status` refuses to
//! start while a variable they need is unset, naming the variable, never
//! a value.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use std::process::Command;

const RUNBOOK: &str = r#"[runbook]
name = "ADT reconciliation"
version = "1"
commander = "dana"
max_duration = "2h"

[[owner]]
id = "dana"
name = "Dana Ruiz"
role = "Cutover commander"

[[phase]]
id = "verify"
name = "Verify"
owner = "dana"

  [[phase.step]]
  id = "compare"
  title = "Compare the encounters"
  owner = "dana"
  expected = "20m"

  [[phase.gate]]
  id = "adt-complete"
  title = "No differing encounter rows"
  when = "recon.adt.differing_rows == 0 and recon.adt.match == 1"

  [[phase.gate]]
  id = "pacs-complete"
  title = "No study missing on the new archive"
  when = "recon.pacs-2019.studies_missing == 0"
"#;

const CONFIG: &str = r#"[[probe]]
kind = "sql"
dataset = "adt"
source_url_env = "RECON_CLI_SRC"
target_url_env = "RECON_CLI_TGT"
table = "encounters"
key = ["encounter_id"]
interval = "10m"

[[probe]]
kind = "dicomweb"
dataset = "pacs-2019"
source_url = "http://127.0.0.1:9/dicom-web"
target_url = "http://127.0.0.1:9/dicom-web"
basic_env = "RECON_CLI_PACS"
interval = "15m"
"#;

fn cutover(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cutover"));
    cmd.args(args)
        .env_remove("RECON_CLI_SRC")
        .env_remove("RECON_CLI_TGT")
        .env_remove("RECON_CLI_PACS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn check_accepts_recon_gates_and_status_names_missing_variables() {
    let dir = support::temp_dir("recon-cli");
    let (rb, cfg) = (dir.join("runbook.toml"), dir.join("config.toml"));
    std::fs::write(&rb, RUNBOOK).unwrap();
    std::fs::write(&cfg, CONFIG).unwrap();
    let (rb, cfg) = (rb.to_string_lossy(), cfg.to_string_lossy());

    // check needs no environment: it validates the file
    let (code, out) = cutover(&["check", &rb, "--config", &cfg], &[]);
    assert_eq!(code, 0, "{out}");

    // a gate on a field no probe of that dataset writes is named
    let bad_gate = RUNBOOK.replace("studies_missing == 0", "differing_rows == 0");
    let bad = dir.join("bad-runbook.toml");
    std::fs::write(&bad, bad_gate).unwrap();
    let (code, out) = cutover(&["check", &bad.to_string_lossy(), "--config", &cfg], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("recon.pacs-2019.differing_rows"), "{out}");

    // a URL pasted where the variable name belongs: FILE:LINE:COL, value not echoed
    let pasted = CONFIG.replace(
        "target_url_env = \"RECON_CLI_TGT\"",
        "target_url_env = \"postgres://app:hunter2@db/ehr\"",
    );
    let bad_cfg = dir.join("bad-config.toml");
    std::fs::write(&bad_cfg, pasted).unwrap();
    let (code, out) = cutover(&["check", &rb, "--config", &bad_cfg.to_string_lossy()], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("bad-config.toml:5:18") && out.contains("must be the NAME"),
        "{out}"
    );
    // the message does not repeat the value (the excerpt below it quotes the file's own line)
    let headline = out
        .lines()
        .find(|l| l.contains("bad-config.toml:5:18"))
        .unwrap();
    assert!(!headline.contains("hunter2"), "{out}");

    // status: the unset variables are named, the set one's value never shown
    let secret = "postgres://app:hunter2@127.0.0.1:9/ehr";
    let (code, out) = cutover(
        &["status", &rb, "--config", &cfg],
        &[("RECON_CLI_SRC", secret)],
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("RECON_CLI_TGT is not set"), "{out}");
    assert!(out.contains("RECON_CLI_PACS is not set"), "{out}");
    assert!(!out.contains("RECON_CLI_SRC is not set"), "{out}");
    assert!(!out.contains("hunter2"), "{out}");
}
