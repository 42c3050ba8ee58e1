//! `kind = "dicomweb"` against two real Orthanc servers (with the DICOMweb
//! plugin) started by the test, holding synthetic instances made through
//! Orthanc's REST API: a study missing one instance on the target, a study
//! with an extra series on the target, a study only on the source, a study
//! only on the target, and equal studies. Every difference is found and
//! classified, nothing else is reported.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use cutover_cockpit::core::config;
use cutover_cockpit::probe::{self, ProbeRunner};
use support::orthanc::Orthanc;

/// A synthetic UID under a test root (no real system's).
fn uid(parts: &[u32]) -> String {
    let tail: Vec<String> = parts.iter().map(u32::to_string).collect();
    format!("1.2.826.0.1.3680043.8.498.77.{}", tail.join("."))
}

/// Adds `series` series of `per_series` instances of study `s` to `servers`.
fn study(servers: &[&Orthanc], s: u32, series: u32, per_series: u32, date: &str) {
    for se in 1..=series {
        for i in 1..=per_series {
            for o in servers {
                o.create_instance(&uid(&[s]), &uid(&[s, se]), &uid(&[s, se, i]), date);
            }
        }
    }
}

#[test]
fn dicomweb_reconciliation_against_two_orthancs() {
    let Some(src) = Orthanc::start("src") else {
        return;
    };
    let Some(tgt) = Orthanc::start("tgt") else {
        return;
    };
    let both = [&src, &tgt];
    // equal on both
    study(&both, 1, 2, 2, "20190110");
    study(&both, 2, 1, 3, "20190220");
    // study 3: the target lacks one instance of series 2
    study(&both, 3, 1, 2, "20190305");
    for i in 1..=3 {
        src.create_instance(&uid(&[3]), &uid(&[3, 2]), &uid(&[3, 2, i]), "20190305");
    }
    for i in 1..=2 {
        tgt.create_instance(&uid(&[3]), &uid(&[3, 2]), &uid(&[3, 2, i]), "20190305");
    }
    // study 4: an extra series (one instance) on the target
    study(&both, 4, 1, 2, "20190412");
    tgt.create_instance(&uid(&[4]), &uid(&[4, 9]), &uid(&[4, 9, 1]), "20190412");
    // study 5 only on the source, study 6 only on the target
    study(&[&src], 5, 2, 1, "20190501");
    study(&[&tgt], 6, 1, 1, "20190601");
    // study 7 is outside the StudyDate range, and differs (must not be seen)
    study(&[&src], 7, 1, 1, "20200101");

    let cfg = format!(
        "[[probe]]\nkind = \"dicomweb\"\ndataset = \"pacs-2019\"\nsource_url = \"{}\"\n\
         target_url = \"{}\"\nstudy_date = \"20190101-20191231\"\npage_size = 2\ninterval = \"1m\"\n",
        src.dicomweb(),
        tgt.dicomweb()
    );
    let c = config::load("test.toml", &cfg).expect("config");
    let runner = ProbeRunner::new(&c.probes[0], Ok(reqwest::Client::new()), c.poll.timeout);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let report = rt.block_on(runner.attempt(&probe::system_clock()));
    assert!(report.ok, "{report:?}");
    let v = |n: &str| {
        report
            .samples
            .iter()
            .find(|s| s.name == format!("recon.pacs-2019.{n}"))
            .map(|s| s.value)
    };
    assert_eq!(v("checksum_ok"), Some(1.0));
    assert_eq!(v("match"), Some(0.0));
    assert_eq!(v("studies_source"), Some(5.0));
    assert_eq!(v("studies_target"), Some(5.0));
    assert_eq!(v("count_delta"), Some(0.0));
    assert_eq!(v("studies_missing"), Some(1.0));
    assert_eq!(v("studies_extra"), Some(1.0));
    assert_eq!(v("studies_differing"), Some(2.0));
    // study 3's missing instance and study 5's two
    assert_eq!(v("instances_missing"), Some(3.0));
    // study 4's extra series and study 6's instance
    assert_eq!(v("instances_extra"), Some(2.0));
    let reason = report.reason.unwrap_or_default();
    assert!(reason.starts_with("4 studies differ: "), "{reason}");
    assert!(!reason.contains("1.2.826"), "a UID in clear: {reason}");

    // the whole archive (no date range) also sees study 7; equal archives match
    let all = cfg.replace("study_date = \"20190101-20191231\"\n", "");
    let c = config::load("test.toml", &all).expect("config");
    let runner = ProbeRunner::new(&c.probes[0], Ok(reqwest::Client::new()), c.poll.timeout);
    let report = rt.block_on(runner.attempt(&probe::system_clock()));
    let studies_source = report
        .samples
        .iter()
        .find(|s| s.name == "recon.pacs-2019.studies_source")
        .map(|s| s.value);
    assert_eq!(studies_source, Some(6.0), "{report:?}");
    let same = cfg.replace(&tgt.dicomweb(), &src.dicomweb());
    let c = config::load("test.toml", &same).expect("config");
    let runner = ProbeRunner::new(&c.probes[0], Ok(reqwest::Client::new()), c.poll.timeout);
    let report = rt.block_on(runner.attempt(&probe::system_clock()));
    let m = report
        .samples
        .iter()
        .find(|s| s.name == "recon.pacs-2019.match")
        .map(|s| s.value);
    assert_eq!(m, Some(1.0), "{report:?}");
    assert_eq!(report.reason, None);

    // a server that is gone: a reason, no recon sample but checksum_ok = 0
    drop(tgt);
    let c = config::load("test.toml", &cfg).expect("config");
    let runner = ProbeRunner::new(&c.probes[0], Ok(reqwest::Client::new()), c.poll.timeout);
    let report = rt.block_on(runner.attempt(&probe::system_clock()));
    assert!(!report.ok);
    assert_eq!(report.samples.len(), 1);
    assert!(report.reason.unwrap_or_default().starts_with("target: "));
}
