//! Process crash test of the real binary: `cutover run --serve` in tmux,
//! one action through the team API per round, then kill -9 a few
//! milliseconds after the acknowledgement. The next round resumes the same
//! log: every acknowledged action must be in the log **and** its effect on
//! the screen (hold banner, step states) and in the served view.
//! 30 rounds here; `scripts/crash-rounds.sh` runs 1,000.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use cutover_cockpit::journal::{read_records, verify_file};
use std::path::Path;
use std::time::{Duration, Instant};
use support::tmux::Tmux;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Test-only token whose hash is in assets/fixtures/team-config.toml.
const DANA: &str = "cct_TESTONLY_dana_not_a_secret_0000000000000000000000000000000000";

/// What round `r` does, as the team API's JSON, and a word to find it by.
fn action(r: u32) -> (String, String) {
    let step = |a: &str, s: &str| (format!(r#"{{"action":"{a}","step":"{s}"}}"#), format!("{a} {s}"));
    match r {
        3 => step("step_start", "copy"),
        9 => step("step_done", "copy"),
        15 => step("step_start", "verify"),
        21 => step("step_done", "verify"),
        _ => match r % 3 {
            1 => (format!(r#"{{"action":"hold","reason":"crash-hold-{r}"}}"#), format!("crash-hold-{r}")),
            2 => (format!(r#"{{"action":"resume","rationale":"crash-resume-{r}"}}"#), format!("crash-resume-{r}")),
            _ => (format!(r#"{{"action":"note","text":"crash-note-{r}"}}"#), format!("crash-note-{r}")),
        },
    }
}

/// What the screen and view must show after round `r` was acknowledged.
struct Expect {
    hold: bool,
    copy: &'static str,
    verify: &'static str,
}

fn expected(r: u32) -> Expect {
    let copy = match r {
        0..=2 => "Pending",
        3..=8 => "Running",
        _ => "Done",
    };
    let verify = match r {
        0..=14 => "Pending",
        15..=20 => "Running",
        _ => "Done",
    };
    // holds and resumes alternate on r % 3 == 1 / 2, except on step rounds
    let last_hold_or_resume = (0..=r).rev().find(|i| ![3, 9, 15, 21].contains(i) && i % 3 != 0);
    let hold = last_hold_or_resume.is_some_and(|i| i % 3 == 1);
    Expect { hold, copy, verify }
}

fn start(log: &Path, port: u16) -> Option<Tmux> {
    let cmd = format!(
        "exec {} run {} --config {} --log {} --as dana --serve 127.0.0.1:{port}",
        env!("CARGO_BIN_EXE_cutover"),
        Path::new(ROOT).join("assets/fixtures/team-runbook.toml").display(),
        Path::new(ROOT).join("assets/fixtures/team-config.toml").display(),
        log.display()
    );
    Tmux::start("cutover-crash", &cmd, 160, 40)
}

fn view(rt: &tokio::runtime::Runtime, port: u16) -> Option<serde_json::Value> {
    rt.block_on(async {
        let r = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/api/view"))
            .bearer_auth(DANA)
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .ok()?;
        serde_json::from_str(&r.text().await.ok()?).ok()
    })
}

fn act(rt: &tokio::runtime::Runtime, port: u16, body: &str) -> (u16, String) {
    rt.block_on(async {
        let r = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/api/act"))
            .bearer_auth(DANA)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap_or_default())
    })
}

fn step_status(v: &serde_json::Value, id: &str) -> String {
    v["steps"]
        .as_array()
        .and_then(|s| s.iter().find(|x| x["id"] == id))
        .map(|x| x["status"].as_str().unwrap_or("?").to_string())
        .unwrap_or_default()
}

/// Polls until the cockpit serves its view (a resume verifies the log first).
fn wait_view(rt: &tokio::runtime::Runtime, port: u16, t: &Tmux) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = view(rt, port) {
            return v;
        }
        assert!(Instant::now() < deadline, "cockpit never served:\n{}", t.capture());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill_9(t: &Tmux) {
    let pid = t.pane_pid().expect("pane pid");
    let _ = std::process::Command::new("kill").args(["-9", &pid.to_string()]).status();
    // the lock is the OS's: it goes with the process
    let deadline = Instant::now() + Duration::from_secs(5);
    while Path::new(&format!("/proc/{pid}")).exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn every_acknowledged_action_survives_kill_9_with_its_effect_on_screen() {
    if support::external::require("tmux", &[], "apt-get install -y tmux").is_none() {
        return;
    }
    let rounds: u32 = std::env::var("CUTOVER_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let dir = support::temp_dir("cutover-crash-process");
    let log = dir.join("cutover.jsonl");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut seed = 0x9e37_79b9_u32 ^ std::process::id();
    let mut acked = 0;
    for r in 0..=rounds {
        let port = support::net::port_for_external();
        let t = start(&log, port).expect("tmux session");
        let v = wait_view(&rt, port, &t);
        if r > 0 {
            let want = expected(r - 1);
            let (_, word) = action(r - 1);
            let records = verify_file(&log, None, None).unwrap();
            assert!(records.damage.is_none(), "round {r}: {:?}", records.damage);
            assert!(
                read_records(&log).unwrap().iter().any(|x| {
                    x.body.to_string().contains(&word)
                        || format!("{} {}", x.body["type"].as_str().unwrap_or(""), x.body["step"].as_str().unwrap_or(""))
                            .replace("start", "step_start")
                            .replace("done", "step_done")
                            == word
                }),
                "round {r}: acknowledged `{word}` is not in the log"
            );
            assert_eq!(v["header"]["hold"].is_null(), !want.hold, "round {r}: hold in the view");
            assert_eq!(step_status(&v, "copy"), want.copy, "round {r}: copy");
            assert_eq!(step_status(&v, "verify"), want.verify, "round {r}: verify");
            let pane = t.wait_for("Pilot dataset", Duration::from_secs(10)).unwrap_or_else(|p| p);
            assert_eq!(pane.contains("HOLD"), want.hold, "round {r}: hold banner on screen:\n{pane}");
        }
        if r == rounds {
            break;
        }
        let (body, _) = action(r);
        let (code, answer) = act(&rt, port, &body);
        assert_eq!(code, 200, "round {r}: {body}: {answer}");
        acked += 1;
        // a few milliseconds after the acknowledgement, at a varying moment
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        std::thread::sleep(Duration::from_micros(u64::from(seed % 15_000)));
        kill_9(&t);
        drop(t);
    }
    println!("{acked} acknowledged actions survived kill -9 with their effect on screen");
}
