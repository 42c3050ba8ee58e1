//! Whole screens built by the real core: the demo runbook driven through
//! probe reports and actions, the view built by the view model, drawn at
//! 80x24, 120x40 and 200x50. Snapshots of named moments, plus what a
//! commander must see in them: the point of no return, the forecast against
//! the window's end, open issues, the recommendation alarm, every
//! comparison in one notation, the detail view.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod tui_support;

use crossterm::event::KeyCode;
use cutover_cockpit::app::view_model::{build_view, ViewContext};
use cutover_cockpit::core::cockpit::{Action, Cockpit, Effect, IssueSeverity, Msg};
use cutover_cockpit::core::sample::ProbeReport;
use cutover_cockpit::core::time::{Dur, Ts};
use cutover_cockpit::journal::Record;
use cutover_cockpit::tui::view::LogLine;
use cutover_cockpit::tui::{handle_key, CockpitView, Overlay, Theme, UiState};
use ratatui::style::{Color, Modifier};
use tui_support::{code, draw, find, key, text};

const RUNBOOK: &str = include_str!("../runbooks/demo-pacs-cutover.toml");
/// 2026-11-28T22:00:00Z.
const T0: Ts = Ts(1_795_903_200_000);
const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 50)];

/// The demo cutover run by the real core, its log kept as the screen shows it.
struct Run {
    cockpit: Cockpit,
    log: Vec<LogLine>,
    now: Ts,
    seq: u64,
}

impl Run {
    fn new() -> Run {
        Run::with(RUNBOOK)
    }

    fn with(runbook: &str) -> Run {
        let rb = cutover_cockpit::core::runbook::load("demo.toml", runbook).expect("demo runbook");
        let mut run = Run {
            cockpit: Cockpit::new(rb, T0),
            log: Vec::new(),
            now: T0,
            seq: 0,
        };
        let effects = run.cockpit.begin(T0);
        run.keep(effects);
        run
    }

    fn keep(&mut self, effects: Vec<Effect>) {
        for e in effects {
            if let Effect::Append(entry) = e {
                if entry.kind == cutover_cockpit::core::entry::EntryKind::Observe {
                    continue;
                }
                // summarised as the screen's log pane does; no hash needed here
                let record = Record {
                    seq: self.seq,
                    ts: self.now.to_rfc3339(),
                    kind: entry.kind,
                    actor: entry.actor,
                    phase: entry.phase,
                    body: entry.body,
                    prev: String::new(),
                    hash: String::new(),
                };
                self.seq += 1;
                self.log
                    .push(cutover_cockpit::app::log_tail::log_line(&record));
                if self.log.len() > cutover_cockpit::app::log_tail::TAIL_LEN {
                    self.log.remove(0);
                }
            }
        }
    }

    /// Probe reports every 5 s for `secs`, with the target PACS at `latency` ms.
    fn probes_for(&mut self, secs: i64, latency: f64) {
        for _ in 0..secs / 5 {
            self.now = self.now + Dur::from_secs(5);
            let now = self.now;
            let reports = [
                ProbeReport::ok_with(
                    "source.pacs.health",
                    now,
                    &[("source.pacs.health_ok", 1.0), ("source.pacs.up", 1.0)],
                ),
                ProbeReport::ok_with(
                    "target.pacs.health",
                    now,
                    &[("target.pacs.health_ok", 1.0), ("target.pacs.up", 1.0)],
                ),
                ProbeReport::ok_with(
                    "target.pacs.latency",
                    now,
                    &[
                        ("target.pacs.latency_ok", 1.0),
                        ("target.pacs.latency_ms", latency),
                    ],
                ),
                ProbeReport::ok_with(
                    "source.ehr.health",
                    now,
                    &[("source.ehr.health_ok", 1.0), ("source.ehr.up", 1.0)],
                ),
                ProbeReport::ok_with(
                    "recon.pacs-pilot.checksum",
                    now,
                    &[
                        ("recon.pacs-pilot.checksum_ok", 1.0),
                        ("recon.pacs-pilot.match", 1.0),
                        ("recon.pacs-pilot.count_delta", 0.0),
                    ],
                ),
            ];
            for r in reports {
                let fx = self.cockpit.handle(Msg::Probe(r), now);
                self.keep(fx);
            }
            let fx = self.cockpit.handle(Msg::Tick, now);
            self.keep(fx);
        }
    }

    fn act(&mut self, actor: &str, action: Action) {
        let fx = self.cockpit.handle(
            Msg::Act {
                actor: actor.into(),
                action,
            },
            self.now,
        );
        self.keep(fx);
    }

    fn view(&self) -> CockpitView {
        build_view(
            &self.cockpit,
            &ViewContext {
                operator: "dana".into(),
                log_path: "/tmp/cutover-demo/cutover.jsonl".into(),
                log_tail: self.log.clone(),
                now: self.now,
                ..ViewContext::default()
            },
        )
    }
}

fn ui() -> UiState {
    UiState {
        theme: Theme::colored(),
        ..UiState::default()
    }
}

/// 20 minutes into the readiness phase: a step running, a critical issue open.
fn running() -> Run {
    let mut r = Run::new();
    r.probes_for(300, 180.0);
    r.act(
        "dana",
        Action::StepStart {
            step: "freeze-scope".into(),
        },
    );
    r.act(
        "sam",
        Action::IssueOpen {
            id: "INC-7".into(),
            severity: IssueSeverity::Critical,
            title: "viewer cache errors on target".into(),
            owner: "sam".into(),
        },
    );
    r.probes_for(900, 171.0);
    r
}

/// Then target latency above 800 ms for three minutes: the spike threshold
/// breaches and recommends a rollback; sam stops the line.
fn breached() -> Run {
    let mut r = running();
    r.probes_for(180, 1121.0);
    r.act(
        "sam",
        Action::Hold {
            reason: "viewer latency spike on target, investigating cache".into(),
        },
    );
    r.probes_for(10, 1121.0);
    r
}

/// The demo with its "no critical incidents" readiness gate and its latency
/// spike threshold made advisory: watched and shown, deciding nothing.
fn advisory_runbook() -> String {
    let gate = "  id = \"readiness-no-critical-issues\"\n  title = \"No open critical incidents\"\n  when = \"issues.open_critical == 0\"\n";
    let spike = "scope = \"switch-archive-retrieval\"\nseverity = \"rollback\"\n";
    assert!(RUNBOOK.contains(gate) && RUNBOOK.contains(spike));
    RUNBOOK
        .replace(gate, &format!("{gate}  advisory = true\n"))
        .replace(spike, &format!("{spike}advisory = true\n"))
}

#[test]
fn advisory_gates_and_thresholds_are_marked_and_raise_no_alarm() {
    let mut r = Run::with(&advisory_runbook());
    r.probes_for(300, 180.0);
    r.act(
        "sam",
        Action::IssueOpen {
            id: "INC-7".into(),
            severity: IssueSeverity::Critical,
            title: "viewer cache errors on target".into(),
            owner: "sam".into(),
        },
    );
    // the spike condition holds for three minutes: past its `for` of one
    r.probes_for(180, 1121.0);
    let view = r.view();
    let spike = view
        .thresholds
        .iter()
        .find(|t| t.id == "retrieval-latency-spike")
        .expect("spike threshold");
    assert!(spike.advisory);
    assert_eq!(
        spike.state,
        cutover_cockpit::tui::view::ThresholdState::Breached
    );
    assert!(
        view.recommendations.is_empty(),
        "advisory: no recommendation"
    );
    let gate = view
        .gates
        .iter()
        .find(|g| g.id == "readiness-no-critical-issues")
        .expect("gate");
    assert!(gate.advisory);
    for (w, h) in [(120, 40), (200, 50)] {
        let screen = text(&draw(&view, &ui(), w, h));
        let header: Vec<&str> = screen.lines().take(4).collect();
        assert!(
            !header.iter().any(|l| l.contains("RECOMMENDED")),
            "{w}x{h}: no alarm banner:\n{screen}"
        );
        assert!(
            screen.contains("Thresholds 0 alarming · 1 advisory over limit"),
            "{w}x{h}:\n{screen}"
        );
        assert!(
            screen.contains("· 1 advisory (1 not passing)"),
            "{w}x{h}: the gates title counts it apart:\n{screen}"
        );
        let gate_row = screen
            .lines()
            .find(|l| l.contains("✘ fail") && l.contains("advisory"));
        assert!(gate_row.is_some(), "{w}x{h}: gate row tagged:\n{screen}");
        let th_row = screen
            .lines()
            .find(|l| l.contains("▲ breached"))
            .unwrap_or_else(|| panic!("{w}x{h}:\n{screen}"));
        assert!(
            screen.contains("advisory") && !th_row.contains("RECOMMENDED"),
            "{w}x{h}:\n{screen}"
        );
    }
    // the breach is drawn in the warning colour, not the alarm colour
    let buf = draw(&view, &ui(), 200, 50);
    let (x, y) = find(&buf, "▲ breached").expect("breached on screen");
    assert_ne!(buf[(x, y)].fg, Color::Red, "advisory breach is no alarm");
}

#[test]
fn running_screen_at_three_sizes() {
    let view = running().view();
    for (w, h) in SIZES {
        let screen = text(&draw(&view, &ui(), w, h));
        assert!(screen.contains("PNR "), "{w}x{h}: no PNR:\n{screen}");
        assert!(
            screen.contains("INC-7"),
            "{w}x{h}: the open issue:\n{screen}"
        );
        assert!(screen.contains("● up"), "{w}x{h}:\n{screen}");
        insta::assert_snapshot!(format!("core_running_{w}x{h}"), screen);
    }
}

#[test]
fn breached_screen_at_three_sizes() {
    let view = breached().view();
    assert!(!view.recommendations.is_empty(), "the spike recommends");
    for (w, h) in SIZES {
        let buf = draw(&view, &ui(), w, h);
        let screen = text(&buf);
        // the recommendation is an alarm line in the header, HOLD another: stacked, both whole
        let rows: Vec<&str> = screen.lines().take(4).collect();
        assert!(
            rows.iter().any(|l| l.contains("RECOMMENDED")),
            "{w}x{h}:\n{screen}"
        );
        assert!(
            rows.iter().any(|l| l.contains("■ HOLD")),
            "{w}x{h}:\n{screen}"
        );
        assert!(screen.contains("▲ breached"), "{w}x{h}:\n{screen}");
        insta::assert_snapshot!(format!("core_breached_{w}x{h}"), screen);
    }
}

/// The header: the point of no return of the tightest scope (the longest
/// rollback plan), named, and the window's end against the forecast, as times.
#[test]
fn header_shows_pnr_of_the_tightest_scope_and_forecast_times() {
    let r = running();
    let view = r.view();
    let pnr = view.header.pnr.clone().expect("PNR");
    let slacks: Vec<f64> = r
        .cockpit
        .runbook()
        .rollbacks
        .iter()
        .filter_map(|rb| {
            r.cockpit
                .store()
                .latest_raw(
                    &cutover_cockpit::core::derived::rollback_slack(&rb.scope),
                    r.now,
                )
                .map(|x| x.1)
        })
        .collect();
    let min = slacks.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(pnr.slack, Dur((min * 60_000.0).round() as i64));
    let screen = text(&draw(&view, &ui(), 120, 40));
    let line = format!("PNR {}", pnr_words(pnr.slack));
    assert!(screen.contains(&line), "{line}:\n{screen}");
    assert!(screen.contains(&pnr.scope), "{screen}");
    assert!(screen.contains("window ends 04:00"), "{screen}");
}

fn pnr_words(d: Dur) -> String {
    let m = d.0 / 60_000;
    format!("{}h{:02}m", m / 60, m % 60)
}

/// Before `window_start` the clock counts down to the opening.
#[test]
fn before_the_window_the_header_says_when_it_opens() {
    let src = RUNBOOK.replace(
        "max_duration = \"6h\"",
        "max_duration = \"6h\"\nwindow_start = \"2026-12-01T15:00:00Z\"",
    );
    let rb = cutover_cockpit::core::runbook::load("demo.toml", &src).expect("runbook");
    let mut c = Cockpit::new(rb, T0);
    c.begin(T0);
    c.handle(Msg::Tick, T0);
    let view = build_view(
        &c,
        &ViewContext {
            operator: "dana".into(),
            now: T0,
            ..ViewContext::default()
        },
    );
    let screen = text(&draw(&view, &ui(), 120, 40));
    assert!(screen.contains("window opens in 2d 17h"), "{screen}");
    assert!(!screen.contains("◷ -"), "no negative clock:\n{screen}");
}

/// Gates say what they need and thresholds what would breach them, with units.
#[test]
fn comparisons_read_as_sentences_with_units() {
    let view = breached().view();
    let screen = text(&draw(&view, &ui(), 200, 50));
    assert!(
        screen.contains("1,121 ms · breach above 800 ms"),
        "{screen}"
    );
    assert!(screen.contains("· needs "), "{screen}");
    assert!(!screen.contains("1120.64"), "{screen}");
}

/// ● up is green, ▲ breached red; under NO_COLOR the symbols still differ
/// and no endpoint ever shows ▲.
#[test]
fn up_and_breached_have_distinct_symbols_in_colour_and_without() {
    let view = breached().view();
    let buf = draw(&view, &ui(), 120, 40);
    let (x, y) = find(&buf, "● up").expect("up");
    assert_eq!(buf[(x, y)].fg, Color::Green);
    let (x, y) = find(&buf, "▲ breached").expect("breached");
    assert_eq!(buf[(x, y)].fg, Color::Red);
    let mono = UiState {
        theme: Theme::monochrome(),
        ..UiState::default()
    };
    let buf = draw(&view, &mono, 120, 40);
    let screen = text(&buf);
    assert!(
        screen.contains("● up") && screen.contains("▲ breached"),
        "{screen}"
    );
    for line in screen
        .lines()
        .filter(|l| l.contains("● up") || l.contains("○ down"))
    {
        let endpoint_part = line.split("● up").skip(1).collect::<String>();
        assert!(!endpoint_part.contains('▲'), "{line}");
    }
    let (x, y) = find(&buf, "▲ breached").expect("breached");
    assert_eq!(buf[(x, y)].fg, Color::Reset);
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));
    // the alarm banner stands out without colour: reverse video
    let (x, y) = find(&buf, "RECOMMENDED").expect("alarm");
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
}

/// Enter on a threshold opens its detail: every comparison, its window's
/// inputs, recent values, the log records that named it; Esc goes back.
#[test]
fn detail_view_of_a_threshold_and_back() {
    let view = breached().view();
    let mut ui = ui();
    handle_key(&mut ui, &view, code(KeyCode::Tab));
    handle_key(&mut ui, &view, code(KeyCode::Tab));
    let spike = view
        .thresholds
        .iter()
        .position(|t| t.id == "retrieval-latency-spike")
        .expect("spike threshold");
    for _ in 0..spike {
        handle_key(&mut ui, &view, code(KeyCode::Down));
    }
    handle_key(&mut ui, &view, code(KeyCode::Enter));
    assert!(matches!(ui.overlay, Overlay::Detail(_)));
    let screen = text(&draw(&view, &ui, 120, 40));
    assert!(
        screen.contains("Threshold retrieval-latency-spike"),
        "{screen}"
    );
    assert!(
        screen.contains("p95(target.pacs.latency_ms, 1m) > 800"),
        "{screen}"
    );
    assert!(
        screen.contains("p95 1,121 ms · breach above 800 ms"),
        "{screen}"
    );
    // a probe report every 5 s: 12 or 13 samples fall inside a 1-minute window
    assert!(
        screen.contains("12 samples in the last 1m")
            || screen.contains("13 samples in the last 1m"),
        "{screen}"
    );
    assert!(screen.contains("recent:"), "{screen}");
    assert!(screen.contains("in the recent log"), "{screen}");
    insta::assert_snapshot!("core_detail_threshold_120x40", screen);
    handle_key(&mut ui, &view, code(KeyCode::Esc));
    assert_eq!(ui.overlay, Overlay::None);
}

/// The issues panel lists the open issue; `c` on it opens the close form
/// with that issue chosen, and submitting closes it in the core.
#[test]
fn issues_panel_closes_the_selected_issue() {
    let mut r = running();
    r.act(
        "dana",
        Action::IssueOpen {
            id: "INC-8".into(),
            severity: IssueSeverity::Minor,
            title: "label printer offline".into(),
            owner: "dana".into(),
        },
    );
    let view = r.view();
    assert_eq!(
        view.issues
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>(),
        ["INC-7", "INC-8"],
        "most severe first"
    );
    let mut ui = ui();
    while ui.focus != cutover_cockpit::tui::Region::Issues {
        handle_key(&mut ui, &view, code(KeyCode::Tab));
    }
    handle_key(&mut ui, &view, code(KeyCode::Down));
    handle_key(&mut ui, &view, key('c'));
    for c in "printer back".chars() {
        handle_key(&mut ui, &view, key(c));
    }
    let cmd = handle_key(&mut ui, &view, code(KeyCode::Enter));
    let Some(cutover_cockpit::tui::Command::Act(action)) = cmd else {
        panic!("no action: {cmd:?}");
    };
    assert_eq!(
        action,
        Action::IssueClose {
            id: "INC-8".into(),
            rationale: "printer back".into()
        }
    );
    r.act("dana", action);
    let view = r.view();
    assert_eq!(view.issues.len(), 1);
    let screen = text(&draw(&view, &UiState::default(), 120, 40));
    assert!(screen.contains("Issues 1 open, 1 critical"), "{screen}");
}

/// Enter on an endpoint row: each HTTP attempt in its detail says the
/// phases it measured, a pooled one that its connection was reused, a
/// failed one (no phases) nothing.
#[test]
fn endpoint_detail_shows_each_attempts_http_phases() {
    let mut run = Run::new();
    run.probes_for(10, 240.0);
    let latency = |run: &mut Run, samples: &[(&str, f64)], ok: bool| {
        run.now = run.now + Dur::from_secs(5);
        let mut r = ProbeReport::ok_with("target.pacs.latency", run.now, samples);
        if !ok {
            r.ok = false;
            r.reason = Some("timeout after 2s".into());
        }
        let fx = run.cockpit.handle(Msg::Probe(r), run.now);
        run.keep(fx);
    };
    // a new TLS connection, then one reused from the pool, then a failure
    latency(
        &mut run,
        &[
            ("target.pacs.latency_ok", 1.0),
            ("target.pacs.latency_ms", 139.0),
            ("target.pacs.latency_connect_ms", 2.0),
            ("target.pacs.latency_tls_ms", 14.0),
            ("target.pacs.latency_ttfb_ms", 120.0),
            ("target.pacs.latency_transfer_ms", 3.0),
        ],
        true,
    );
    latency(
        &mut run,
        &[
            ("target.pacs.latency_ok", 1.0),
            ("target.pacs.latency_ms", 121.0),
            ("target.pacs.latency_ttfb_ms", 118.5),
            ("target.pacs.latency_transfer_ms", 2.0),
        ],
        true,
    );
    latency(&mut run, &[("target.pacs.latency_ok", 0.0)], false);
    let view = run.view();
    let mut ui = ui();
    for _ in 0..3 {
        handle_key(&mut ui, &view, code(KeyCode::Tab));
    }
    let pacs = view
        .endpoints
        .iter()
        .position(|r| r.system == "pacs")
        .expect("pacs row");
    for _ in 0..pacs {
        handle_key(&mut ui, &view, code(KeyCode::Down));
    }
    handle_key(&mut ui, &view, code(KeyCode::Enter));
    assert!(matches!(ui.overlay, Overlay::Detail(_)));
    let screen = text(&draw(&view, &ui, 200, 60));
    assert!(screen.contains("Endpoint pacs"), "{screen}");
    let line = |hms: String| -> String {
        screen
            .lines()
            .find(|l| l.contains(&hms) && l.contains("latency"))
            .unwrap_or_else(|| panic!("no latency attempt at {hms}:\n{screen}"))
            .to_string()
    };
    let fresh = line((run.now - Dur::from_secs(10)).hms());
    assert!(
        fresh.contains("✔ ok · connect 2 ms · tls 14 ms · ttfb 120 ms · transfer 3 ms"),
        "{fresh}"
    );
    let pooled = line((run.now - Dur::from_secs(5)).hms());
    assert!(
        pooled.contains("✔ ok · connection reused · ttfb 119 ms · transfer 2 ms"),
        "{pooled}"
    );
    let failed = line(run.now.hms());
    assert!(failed.contains("✘ failed: timeout after 2s"), "{failed}");
    assert!(!failed.contains(" ms"), "{failed}");
    // attempts that measured no phase (the earlier ones) carry no timings
    let earlier = line((run.now - Dur::from_secs(15)).hms());
    assert!(earlier.contains("✔ ok"), "{earlier}");
    assert!(!earlier.contains(" · "), "{earlier}");
}
