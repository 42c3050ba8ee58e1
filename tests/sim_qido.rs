//! The real `dicomweb` probe against the simulator's QIDO-RS archives: a
//! scenario plants, at a moment, a study missing one instance on the target,
//! a study with an extra series, a study only on the source and one only on
//! the target. Before that moment the archives match; after it the probe
//! finds exactly the planted differences, with at most (listing pages) + 10
//! requests, and names no UID in clear.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

use cutover_cockpit::core::config::{self, ProbeKind};
use cutover_cockpit::core::sample::ProbeReport;
use cutover_cockpit::probe::dicomweb::{Qido, StudyDiff};
use cutover_cockpit::probe::{self, ProbeRunner};
use cutover_cockpit::sim::qido::Archive;
use cutover_cockpit::sim::{self, Scenario};
use std::time::Duration;

const SCENARIO: &str = r#"
[scenario]
name = "qido-planted"

[[dataset]]
name = "pacs-archive"
studies = 450

[[change]]
at = "1m"
subject = "dataset.pacs-archive"
set = { target_missing_instances = 1, target_extra_series = 1, source_only_studies = 1, target_only_studies = 1 }
"#;

fn value(r: &ProbeReport, field: &str) -> Option<f64> {
    r.samples
        .iter()
        .find(|s| s.name == format!("recon.pacs-archive.{field}"))
        .map(|s| s.value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dicomweb_probe_finds_exactly_what_the_scenario_plants() {
    let scenario = Scenario::parse("qido.toml", SCENARIO).unwrap();
    // speed 30: the differences appear two seconds after the start
    let sim = sim::start(scenario.clone(), "127.0.0.1:0".parse().unwrap(), 30.0)
        .await
        .unwrap();
    let base = sim.base_url();
    let text = format!(
        "[[probe]]\nkind = \"dicomweb\"\ndataset = \"pacs-archive\"\n\
         source_url = \"{base}/source/dicom-web/pacs-archive\"\n\
         target_url = \"{base}/target/dicom-web/pacs-archive/\"\n\
         page_size = 100\ninterval = \"1m\"\n"
    );
    let cfg = config::load("qido.toml", &text).unwrap();
    let runner = ProbeRunner::new(&cfg.probes[0], Ok(reqwest::Client::new()), cfg.poll.timeout);

    let before = runner.attempt(&probe::system_clock()).await;
    assert!(before.ok, "{before:?}");
    assert_eq!(value(&before, "match"), Some(1.0), "{before:?}");
    assert_eq!(value(&before, "studies_source"), Some(450.0));
    assert_eq!(value(&before, "studies_target"), Some(450.0));
    assert_eq!(before.reason, None);

    tokio::time::sleep(Duration::from_millis(2300)).await;
    // what was planted, read from the simulator's own archives
    let knobs = scenario.state_at(cutover_cockpit::core::time::Dur::from_mins(2))
        ["dataset.pacs-archive"]
        .clone();
    let src = Archive::of("pacs-archive", &knobs, "source");
    let tgt = Archive::of("pacs-archive", &knobs, "target");
    let only_source = src
        .studies
        .iter()
        .find(|s| !tgt.studies.iter().any(|t| t.index == s.index))
        .unwrap();
    let only_target = tgt
        .studies
        .iter()
        .find(|t| !src.studies.iter().any(|s| s.index == t.index))
        .unwrap();

    let after = runner.attempt(&probe::system_clock()).await;
    assert!(after.ok, "{after:?}");
    let v = |f: &str| value(&after, f);
    assert_eq!(v("checksum_ok"), Some(1.0));
    assert_eq!(v("match"), Some(0.0));
    assert_eq!(v("studies_source"), Some(450.0));
    assert_eq!(v("studies_target"), Some(450.0));
    assert_eq!(v("count_delta"), Some(0.0));
    assert_eq!(v("studies_missing"), Some(1.0));
    assert_eq!(v("studies_extra"), Some(1.0));
    assert_eq!(v("studies_differing"), Some(2.0));
    // the one missing instance, and every instance of the study only on the source
    assert_eq!(
        v("instances_missing"),
        Some((1 + only_source.instances()) as f64)
    );
    // the extra series' one instance, and the study only on the target
    assert_eq!(
        v("instances_extra"),
        Some((1 + only_target.instances()) as f64)
    );
    let reason = after.reason.clone().unwrap_or_default();
    assert!(reason.starts_with("4 studies differ: "), "{reason}");
    assert!(
        !reason.contains("1.2.826.0.1.3680043"),
        "a UID in clear: {reason}"
    );

    // the drill-down: which study differs how, and what it cost in requests
    let ProbeKind::Dicomweb(p) = &cfg.probes[0].kind else {
        panic!("a dicomweb probe");
    };
    let client = reqwest::Client::new();
    let qido = Qido {
        client: &client,
        probe: p,
        auth: None,
        timeout: cutover_cockpit::core::time::Dur::from_secs(10),
    };
    let r = qido.compare().await.unwrap();
    let mut differs: Vec<(i64, i64, u64, u64)> = r
        .differences
        .iter()
        .filter_map(|d| match d {
            StudyDiff::Differs {
                source,
                target,
                series_missing,
                series_extra,
                ..
            } => Some((
                target.series as i64 - source.series as i64,
                target.instances as i64 - source.instances as i64,
                *series_missing,
                *series_extra,
            )),
            _ => None,
        })
        .collect();
    differs.sort();
    // the study missing an instance keeps its series; the other gained a
    // series of one instance
    assert_eq!(differs, vec![(0, -1, 0, 0), (1, 1, 0, 1)], "{r:?}");
    for d in &r.differences {
        if let StudyDiff::Missing { uid, instances } = d {
            assert_eq!(uid, &src.study_uid(only_source.index));
            assert_eq!(*instances, only_source.instances());
        }
        if let StudyDiff::Extra { uid, .. } = d {
            assert_eq!(uid, &tgt.study_uid(only_target.index));
        }
    }
    // 450 studies, 100 a page: 5 pages per side (the last one short)
    let listing = 2 * 5;
    // the missing instance: both series lists and both instance lists; the
    // extra series: both series lists
    assert_eq!(r.requests, listing + 6, "{r:?}");
    assert!(r.requests <= listing + 10);

    // a simulator that is gone: the attempt fails, no recon result
    sim.stop().await;
    let gone = runner.attempt(&probe::system_clock()).await;
    assert!(!gone.ok);
    assert_eq!(value(&gone, "match"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_archive_answers_qido_queries_by_date_and_refuses_nonsense() {
    let sim = sim::start(
        Scenario::parse("qido.toml", SCENARIO).unwrap(),
        "127.0.0.1:0".parse().unwrap(),
        1.0,
    )
    .await
    .unwrap();
    let base = format!("{}/source/dicom-web/pacs-archive", sim.base_url());
    let client = reqwest::Client::new();
    let get = |url: String| {
        let client = client.clone();
        async move {
            let r = client.get(url).send().await.unwrap();
            let status = r.status().as_u16();
            let ct = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string());
            (status, ct, r.text().await.unwrap())
        }
    };
    let (status, ct, body) = get(format!("{base}/studies?StudyDate=20240301-20240331")).await;
    assert_eq!(status, 200);
    assert_eq!(ct.as_deref(), Some("application/dicom+json"));
    let studies: serde_json::Value = serde_json::from_str(&body).unwrap();
    let studies = studies.as_array().unwrap();
    assert!(!studies.is_empty());
    for s in studies {
        let date = s["00080020"]["Value"][0].as_str().unwrap();
        assert!(date.starts_with("202403"), "{s}");
    }
    let (status, _, _) = get(format!("{base}/studies?StudyDate=March")).await;
    assert_eq!(status, 400);
    let (status, _, body) = get(format!("{base}/studies/1.2.3/series")).await;
    assert_eq!((status, body.as_str()), (200, "[]"));
    let (status, _, _) = get(format!(
        "{}/source/dicom-web/no-such-dataset/studies",
        sim.base_url()
    ))
    .await;
    assert_eq!(status, 404);
    sim.stop().await;
}
