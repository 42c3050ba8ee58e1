//! The demo's drill-down, from its own files: the simulator plays the demo
//! scenario past the moment it plants a missing instance in the archive, the
//! `dicomweb` probe of config/demo.toml compares both simulated archives, a
//! real `Cockpit` on the demo runbook takes the report, and Enter on the
//! `pacs-archive` dataset shows the differing study (pseudonymised) with its
//! series and instance counts on both sides.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod tui_support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cutover_cockpit::app::view_model::{build_view, ViewContext};
use cutover_cockpit::core::cockpit::{Cockpit, Msg};
use cutover_cockpit::core::config::{self, ProbeKind};
use cutover_cockpit::core::time::Dur;
use cutover_cockpit::probe::pseudo::pseudonym;
use cutover_cockpit::probe::{self, ProbeRunner};
use cutover_cockpit::sim::qido::Archive;
use cutover_cockpit::sim::{self, Scenario};
use cutover_cockpit::tui::{handle_key, Overlay, Region, Theme, UiState};
use ratatui::style::Color;
use std::path::Path;
use tui_support::{draw, find, text};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enter_on_the_demo_archive_shows_the_study_missing_an_instance() {
    // the only test in this process: no other test reads the key
    std::env::set_var("CUTOVER_PSEUDO_KEY", "recon-view-demo-test");
    let scenario = Scenario::load(&Path::new(ROOT).join("assets/scenarios/demo.toml")).unwrap();
    // speed 200: the instance goes missing at 2m45s = 825 ms
    let sim = sim::start(scenario.clone(), "127.0.0.1:0".parse().unwrap(), 200.0)
        .await
        .unwrap();
    let cfg_text = std::fs::read_to_string(Path::new(ROOT).join("config/demo.toml"))
        .unwrap()
        .replace("127.0.0.1:7700", &sim.addr.to_string());
    let cfg = config::load("config/demo.toml", &cfg_text).unwrap();
    let p = cfg
        .probes
        .iter()
        .find(|p| matches!(&p.kind, ProbeKind::Dicomweb(d) if d.dataset == "pacs-archive"))
        .expect("the demo config reconciles pacs-archive over DICOMweb");
    let runner = ProbeRunner::new(p, Ok(reqwest::Client::new()), cfg.poll.timeout);
    let clock = probe::system_clock();
    let t0 = clock();

    // before 2m45s both archives hold the same 240 studies
    let early = runner.attempt(&clock).await;
    assert!(early.ok, "{early:?}");
    let matched = |r: &cutover_cockpit::core::sample::ProbeReport| {
        r.samples
            .iter()
            .find(|s| s.name == "recon.pacs-archive.match")
            .map(|s| s.value)
    };
    assert_eq!(matched(&early), Some(1.0), "{early:?}");
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let report = runner.attempt(&clock).await;
    sim.stop().await;
    assert_eq!(matched(&report), Some(0.0), "{report:?}");

    // the study the scenario planted, as the simulator holds it
    let knobs = scenario.state_at(Dur::from_mins(4))["dataset.pacs-archive"].clone();
    let (src, tgt) = (
        Archive::of("pacs-archive", &knobs, "source"),
        Archive::of("pacs-archive", &knobs, "target"),
    );
    let (planted, short) = src
        .studies
        .iter()
        .zip(&tgt.studies)
        .find(|(s, t)| s != t)
        .expect("a planted study");
    let uid = src.study_uid(planted.index);
    let expected = format!(
        "study {}: {} series / {} instances on source, {} / {} on target",
        pseudonym("pacs-archive", &uid),
        planted.series.len(),
        planted.instances(),
        short.series.len(),
        short.instances()
    );
    assert_eq!(short.instances() + 1, planted.instances());

    let rb_text =
        std::fs::read_to_string(Path::new(ROOT).join("runbooks/demo-pacs-cutover.toml")).unwrap();
    let rb = cutover_cockpit::core::runbook::load("demo-pacs-cutover.toml", &rb_text).unwrap();
    let mut c = Cockpit::new(rb, t0);
    c.begin(t0);
    let at = report.ts;
    c.handle(Msg::Probe(report), at);
    let ctx = ViewContext {
        operator: "dana".into(),
        log_path: "/tmp/x/cutover.jsonl".into(),
        now: at + Dur::from_secs(5),
        ..ViewContext::default()
    };
    let view = build_view(&c, &ctx);
    let row = view
        .datasets
        .iter()
        .position(|d| d.dataset == "pacs-archive")
        .expect("pacs-archive in the endpoints panel");
    let mut ui = UiState {
        theme: Theme::default(),
        focus: Region::Endpoints,
        ..UiState::default()
    };
    ui.selected[3] = view.endpoints.len() + row;
    handle_key(
        &mut ui,
        &view,
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
    );
    assert!(matches!(ui.overlay, Overlay::Detail(_)), "{:?}", ui.overlay);

    let buf = draw(&view, &ui, 140, 40);
    let screen = text(&buf);
    assert!(screen.contains("Reconciliation pacs-archive"), "{screen}");
    assert!(
        screen.contains("result:       1 studies differ"),
        "{screen}"
    );
    assert!(screen.contains(&expected), "{expected}\n{screen}");
    assert!(screen.contains("instances_missing:1"), "{screen}");
    assert!(screen.contains("studies_source:240"), "{screen}");
    assert!(
        !screen.contains("1.2.826.0.1.3680043"),
        "a UID in clear:\n{screen}"
    );
    // the differing study is drawn in the alarm colour
    let (x, y) = find(&buf, "instances on source").expect("the study's line");
    assert_eq!(buf[(x, y)].fg, Color::Red, "{screen}");
}
