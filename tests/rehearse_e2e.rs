//! `cutover rehearse` end to end in a real terminal (tmux): the shipped
//! runbooks with their configs, and a runbook generated here whose systems and
//! datasets are named like no shipped file (the config's URLs point at hosts
//! that do not exist: only the rehearsal's rewriting can reach the
//! simulator). Gates must evaluate from simulated answers, the header must
//! show REHEARSAL, and the log's open record must say rehearsal.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code

mod support;

use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};
use support::tmux::Tmux;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn records(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Every sample value of `name` the log holds so far.
fn samples(recs: &[Value], name: &str) -> Vec<f64> {
    recs.iter()
        .filter(|r| r["kind"] == "observe")
        .flat_map(|r| r["body"]["reports"].as_array().cloned().unwrap_or_default())
        .filter_map(|rep| rep["samples"][name].as_f64())
        .collect()
}

/// The latest state a gate record gave `gate`.
fn gate_state(recs: &[Value], gate: &str) -> Option<String> {
    recs.iter()
        .filter(|r| r["kind"] == "gate" && r["body"]["id"] == gate)
        .filter_map(|r| r["body"]["to"].as_str().map(String::from))
        .next_back()
}

/// Waits until `check` holds on the log's records; panics with the screen otherwise.
fn wait_log(t: &Tmux, log: &Path, what: &str, within: Duration, check: impl Fn(&[Value]) -> bool) {
    let start = Instant::now();
    while !check(&records(log)) {
        assert!(
            start.elapsed() < within,
            "{what} did not happen within {within:?}:\n{}",
            t.capture()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Starts a rehearsal in tmux and waits for the REHEARSAL marker; quits at the end.
struct Rehearsal {
    t: Tmux,
    log: std::path::PathBuf,
}

impl Rehearsal {
    fn start(
        name: &str,
        runbook: &Path,
        config: &Path,
        dir: &Path,
        extra: &str,
    ) -> Option<Rehearsal> {
        support::external::require("tmux", &[], "apt-get install -y tmux")?;
        let bin = env!("CARGO_BIN_EXE_cutover");
        let log = dir.join("rehearsal.jsonl");
        let cmd = format!(
            "cd {ROOT} && {bin} rehearse {} --config {} --log {} {extra}; sleep 30",
            runbook.display(),
            config.display(),
            log.display()
        );
        let t = Tmux::start(name, &cmd, 160, 48).expect("tmux session starts");
        t.wait_for("REHEARSAL", Duration::from_secs(30))
            .unwrap_or_else(|s| panic!("no REHEARSAL marker in the header:\n{s}"));
        // the first frame may still be drawing when the header shows
        t.wait_for("rehearsal.jsonl", Duration::from_secs(10))
            .unwrap_or_else(|s| panic!("the log path is not on screen:\n{s}"));
        Some(Rehearsal { t, log })
    }

    fn open_record(&self) -> Value {
        records(&self.log)
            .into_iter()
            .next()
            .expect("an open record")
    }

    fn quit(self) {
        self.t.keys(&["q"]);
        let _ = self.t.wait_for("Quit", Duration::from_secs(5));
        self.t.keys(&["y"]);
        let log = self.log.clone();
        wait_log(
            &self.t,
            &log,
            "the close record",
            Duration::from_secs(10),
            |r| r.iter().any(|x| x["kind"] == "close"),
        );
    }
}

#[test]
fn the_demo_runbook_rehearses_with_gates_from_simulated_answers() {
    let dir = support::temp_dir("rehearse-demo");
    let Some(r) = Rehearsal::start(
        "rehearse-demo",
        &Path::new(ROOT).join("runbooks/demo-pacs-cutover.toml"),
        &Path::new(ROOT).join("config/demo.toml"),
        &dir.path,
        "--scenario steady --speed 5",
    ) else {
        return;
    };
    let open = r.open_record();
    assert_eq!(open["kind"], "open");
    assert_eq!(open["body"]["rehearsal"], true, "{open}");
    wait_log(
        &r.t,
        &r.log,
        "a simulated target PACS health sample",
        Duration::from_secs(30),
        |recs| samples(recs, "target.pacs.up").contains(&1.0),
    );
    r.quit();
}

#[test]
fn the_ehr_runbook_rehearses_with_gates_from_simulated_answers() {
    let dir = support::temp_dir("rehearse-ehr");
    let Some(r) = Rehearsal::start(
        "rehearse-ehr",
        &Path::new(ROOT).join("runbooks/ehr-wave-cutover.toml"),
        &Path::new(ROOT).join("config/ehr.toml"),
        &dir.path,
        "--scenario steady --speed 5",
    ) else {
        return;
    };
    assert_eq!(r.open_record()["body"]["rehearsal"], true);
    wait_log(
        &r.t,
        &r.log,
        "simulated EHR answers",
        Duration::from_secs(30),
        |recs| {
            samples(recs, "target.ehr.up").contains(&1.0)
                && samples(recs, "recon.ehr-wave1.match").contains(&1.0)
        },
    );
    r.quit();
}

const LIS_RUNBOOK: &str = r#"
[runbook]
name = "LIS move, Eastgate laboratories"
version = "t1"
commander = "kim"
max_duration = "4h"

[[owner]]
id = "kim"
name = "Kim Osei"
role = "Cutover commander"

[[phase]]
id = "parallel"
name = "Parallel run"
owner = "kim"

  [[phase.step]]
  id = "dual-feed"
  title = "Feed results to both LIS"
  owner = "kim"
  expected = "20m"

  [[phase.gate]]
  id = "lis-up"
  title = "Target LIS up, lab results reconciled"
  when = "target.lis.up == 1 and recon.lab-results.match == 1 and recon.lab-results.count_delta == 0"

  [[phase.gate]]
  id = "mpi-lag"
  title = "MPI replication keeps up"
  when = "target.mpi.lag_s < 30 and source.lis.queue_depth < 100"

  [[phase.gate]]
  id = "lis-not-slower"
  title = "Target LIS not slower than source by 50 ms, 95% confidence"
  when = "shift_hi(target.lis.latency_ms, source.lis.latency_ms, 10m) < 50"
"#;

const LIS_CONFIG: &str = r#"
[poll]
interval = "1s"
timeout = "2s"
stale_after = "10s"

[[probe]]
side = "target"
system = "lis"
kind = "health"
url = "https://lis-new.invalid/healthz"
bearer_env = "LIS_TOKEN_NOT_SET"

[[probe]]
side = "target"
system = "lis"
kind = "latency"
url = "https://lis-new.invalid/api/results/1"

[[probe]]
side = "source"
system = "lis"
kind = "latency"
url = "https://lis-old.invalid/api/results/1"
fields = { queue_depth = "/engine/queue/depth" }

[[probe]]
side = "target"
system = "mpi"
kind = "prometheus"
url = "http://mpi-new.invalid:9100/metrics"
select = { lag_s = 'mpi_replication_lag_seconds{db="persons"}' }

[[probe]]
kind = "checksum"
dataset = "lab-results"
source_url = "https://lis-old.invalid/checksum/lab-results"
target_url = "https://lis-new.invalid/checksum/lab-results"
"#;

#[test]
fn a_runbook_with_its_own_system_names_rehearses_end_to_end() {
    let dir = support::temp_dir("rehearse-lis");
    let rb = dir.join("lis.toml");
    let cfg = dir.join("lis-config.toml");
    std::fs::write(&rb, LIS_RUNBOOK).unwrap();
    std::fs::write(&cfg, LIS_CONFIG).unwrap();
    let Some(r) = Rehearsal::start("rehearse-lis", &rb, &cfg, &dir.path, "") else {
        return;
    };
    let open = r.open_record();
    assert_eq!(open["body"]["rehearsal"], true);
    // the config is logged as it is: the site's URLs, not the simulator's
    assert!(open["body"]["config"]
        .as_str()
        .unwrap_or("")
        .contains("lis-new.invalid"));
    wait_log(
        &r.t,
        &r.log,
        "the two plain gates pass",
        Duration::from_secs(30),
        |recs| {
            gate_state(recs, "lis-up").as_deref() == Some("pass")
                && gate_state(recs, "mpi-lag").as_deref() == Some("pass")
        },
    );
    // the statistical gate needs 20 latency samples on each side (1 s polls)
    wait_log(
        &r.t,
        &r.log,
        "the statistical gate passes",
        Duration::from_secs(60),
        |recs| gate_state(recs, "lis-not-slower").as_deref() == Some("pass"),
    );
    let recs = records(&r.log);
    assert!(samples(&recs, "source.lis.queue_depth").contains(&1.0));
    assert!(samples(&recs, "target.mpi.lag_s").contains(&1.0));
    r.quit();
}

const RECON_RUNBOOK: &str = r#"
[runbook]
name = "ADT and imaging move, Westmere"
version = "t1"
commander = "kim"
max_duration = "4h"

[[owner]]
id = "kim"
name = "Kim Osei"
role = "Cutover commander"

[[phase]]
id = "reconcile"
name = "Reconcile"
owner = "kim"

  [[phase.step]]
  id = "compare"
  title = "Compare encounters and studies"
  owner = "kim"
  expected = "20m"

  [[phase.gate]]
  id = "encounters-reconciled"
  title = "Encounters match in both databases"
  when = "recon.adt-encounters.match == 1 and recon.adt-encounters.count_delta == 0"

  [[phase.gate]]
  id = "studies-reconciled"
  title = "Studies match in both archives"
  when = "recon.pacs-2019.match == 1 and recon.pacs-2019.checksum_ok == 1"
"#;

/// Connection URLs from variables nobody set, archives on hosts that do not
/// exist: only the rehearsal's simulated equivalents can answer.
const RECON_CONFIG: &str = r#"
[poll]
interval = "1s"
timeout = "2s"

[[probe]]
kind = "sql"
dataset = "adt-encounters"
source_url_env = "WESTMERE_SRC_DB_NOT_SET"
target_url_env = "WESTMERE_TGT_DB_NOT_SET"
table = "encounters"
key = ["encounter_id"]
interval = "2s"

[[probe]]
kind = "dicomweb"
dataset = "pacs-2019"
source_url = "https://pacs-old.invalid/dicom-web"
target_url = "https://pacs-new.invalid/dicom-web"
basic_env = "WESTMERE_PACS_BASIC_NOT_SET"
interval = "2s"
"#;

#[test]
fn sql_and_dicomweb_reconciliations_are_answered_by_simulated_checksums() {
    let dir = support::temp_dir("rehearse-recon");
    let rb = dir.join("recon.toml");
    let cfg = dir.join("recon-config.toml");
    std::fs::write(&rb, RECON_RUNBOOK).unwrap();
    std::fs::write(&cfg, RECON_CONFIG).unwrap();
    let Some(r) = Rehearsal::start("rehearse-recon", &rb, &cfg, &dir.path, "") else {
        return;
    };
    wait_log(
        &r.t,
        &r.log,
        "both reconciliation gates pass",
        Duration::from_secs(30),
        |recs| {
            gate_state(recs, "encounters-reconciled").as_deref() == Some("pass")
                && gate_state(recs, "studies-reconciled").as_deref() == Some("pass")
        },
    );
    let recs = records(&r.log);
    assert!(samples(&recs, "recon.adt-encounters.count_delta").contains(&0.0));
    assert!(samples(&recs, "recon.pacs-2019.match").contains(&1.0));
    r.quit();
}

const TIMED_RUNBOOK: &str = r#"
[runbook]
name = "LIS move, fast dress rehearsal"
version = "t1"
commander = "kim"
max_duration = "8h"

[[owner]]
id = "kim"
name = "Kim Osei"
role = "Cutover commander"

[[phase]]
id = "parallel"
name = "Parallel run"
owner = "kim"

  [[phase.step]]
  id = "dual-feed"
  title = "Feed results to both LIS"
  owner = "kim"
  expected = "20m"

  [[phase.gate]]
  id = "lis-steady"
  title = "Target LIS up for ten minutes"
  when = "target.lis.up == 1"
  for = "10m"
"#;

const TIMED_CONFIG: &str = r#"
[poll]
interval = "5s"
timeout = "2s"
stale_after = "20s"

[[probe]]
side = "target"
system = "lis"
kind = "health"
url = "https://lis-new.invalid/healthz"
"#;

fn ts_ms(r: &Value) -> i64 {
    let ts = r["ts"].as_str().expect("a ts");
    cutover_cockpit::core::time::Ts::parse_log_ts(ts)
        .unwrap_or_else(|| panic!("a log timestamp: {ts}"))
        .0
}

/// At `--speed 60` the cockpit's own clock runs 60 times wall speed: a gate
/// that must hold `for = "10m"` passes after about ten seconds of wall time,
/// and the log's timestamps (rehearsal time) advance about 60 times as fast
/// as the wall clock.
#[test]
fn at_speed_60_a_ten_minute_gate_passes_in_about_ten_seconds() {
    let dir = support::temp_dir("rehearse-speed");
    let rb = dir.join("timed.toml");
    let cfg = dir.join("timed-config.toml");
    std::fs::write(&rb, TIMED_RUNBOOK).unwrap();
    std::fs::write(&cfg, TIMED_CONFIG).unwrap();
    let Some(r) = Rehearsal::start("rehearse-speed", &rb, &cfg, &dir.path, "--speed 60") else {
        return;
    };
    let open = r.open_record();
    assert_eq!(open["body"]["rehearsal"], true, "{open}");
    assert_eq!(
        open["body"]["speed"], 60.0,
        "the open record names the speed"
    );
    let open_ts = ts_ms(&open);
    // the log's clock against the wall clock: the last record's time now and at the end
    let last_ts = |recs: &[Value]| recs.last().map(ts_ms).expect("records");
    let started = Instant::now();
    let first = last_ts(&records(&r.log));
    wait_log(
        &r.t,
        &r.log,
        "the ten-minute gate passes",
        // ten minutes of real time would be 600 s: a minute is plenty at 60x
        Duration::from_secs(60),
        |recs| gate_state(recs, "lis-steady").as_deref() == Some("pass"),
    );
    let wall = started.elapsed();
    let recs = records(&r.log);
    let pass = recs
        .iter()
        .find(|x| {
            x["kind"] == "gate" && x["body"]["id"] == "lis-steady" && x["body"]["to"] == "pass"
        })
        .expect("the pass record");
    let rehearsal_ms = ts_ms(pass) - open_ts;
    assert!(
        rehearsal_ms >= 10 * 60_000,
        "the gate held for 10 minutes of rehearsal time before passing ({rehearsal_ms} ms)"
    );
    assert!(
        wall < Duration::from_secs(45),
        "ten rehearsal minutes took {wall:?} of wall time"
    );
    let log_span = last_ts(&recs) - first;
    let ratio = log_span as f64 / wall.as_millis().max(1) as f64;
    assert!(
        (45.0..=75.0).contains(&ratio),
        "log time ran {ratio:.1}x wall time ({log_span} ms over {wall:?})"
    );
    r.quit();
}
