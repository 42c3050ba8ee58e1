//! `kind = "dicomweb"` at scale: two Orthanc servers of the bench's own
//! (DICOMweb plugin, temp storage, loopback) holding BENCH_STUDIES synthetic
//! studies (default 2,000; one series of BENCH_PER_STUDY instances each,
//! default 2, made through Orthanc's REST API), the target lacking one
//! instance of one study. The probe's comparison must find exactly that
//! instance with at most (QIDO pages for the listing) + 10 requests; the
//! bench prints the requests and the wall time (median of BENCH_RUNS, default 3).
//!
//! Run: `cargo bench --bench recon_dicomweb` (or `cargo test --bench
//! recon_dicomweb`); see docs/performance.md.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "../tests/support/mod.rs"]
mod support;

use cutover_cockpit::core::config::{self, ProbeKind};
use cutover_cockpit::core::time::Dur;
use cutover_cockpit::probe::dicomweb::{DicomResult, Qido, StudyDiff};
use std::time::{Duration, Instant};
use support::orthanc::Orthanc;

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A synthetic UID under the pydicom test root (no real system's).
fn uid(parts: &[u64]) -> String {
    let tail: Vec<String> = parts.iter().map(u64::to_string).collect();
    format!("1.2.826.0.1.3680043.8.498.78.{}", tail.join("."))
}

/// Creates every instance of studies `0..studies` on `o`, except `skip`
/// (study, instance), with a few client threads (Orthanc serves in parallel).
fn load(o: &Orthanc, studies: u64, per_study: u64, skip: Option<(u64, u64)>) {
    let threads = 4;
    std::thread::scope(|s| {
        for t in 0..threads {
            s.spawn(move || {
                for st in (0..studies).filter(|st| st % threads == t) {
                    let date = format!("2019{:02}{:02}", st % 12 + 1, st % 28 + 1);
                    for i in 1..=per_study {
                        if skip == Some((st, i)) {
                            continue;
                        }
                        o.create_instance(&uid(&[st]), &uid(&[st, 1]), &uid(&[st, 1, i]), &date);
                    }
                }
            });
        }
    });
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let studies = env_num("BENCH_STUDIES", 2_000).max(1);
    let per_study = env_num("BENCH_PER_STUDY", 2).max(2);
    let runs = env_num("BENCH_RUNS", 3).max(1);
    let Some(src) = Orthanc::start("bench-src") else {
        return;
    };
    let Some(tgt) = Orthanc::start("bench-tgt") else {
        return;
    };
    // the target lacks the last instance of a study in the middle
    let gap = (studies / 2, per_study);
    let t = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| load(&src, studies, per_study, None));
        s.spawn(|| load(&tgt, studies, per_study, Some(gap)));
    });
    println!(
        "loaded 2 x {studies} studies ({per_study} instances each) into Orthanc in {:.1}s",
        t.elapsed().as_secs_f64()
    );

    let page_size = env_num("BENCH_PAGE", 200).max(1);
    let text = format!(
        "[[probe]]\nkind = \"dicomweb\"\ndataset = \"bench\"\nsource_url = \"{}\"\n\
         target_url = \"{}\"\npage_size = {page_size}\ninterval = \"15m\"\n",
        src.dicomweb(),
        tgt.dicomweb()
    );
    let cfg = config::load("bench.toml", &text).unwrap();
    let ProbeKind::Dicomweb(p) = &cfg.probes[0].kind else {
        unreachable!("a dicomweb probe");
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    let qido = Qido {
        client: &client,
        probe: p,
        auth: None,
        timeout: Dur::from_secs(60),
    };
    let mut times = Vec::new();
    let mut last = DicomResult::default();
    for _ in 0..runs {
        let t = Instant::now();
        last = rt.block_on(qido.compare()).unwrap();
        times.push(t.elapsed());
    }
    // the listing: full pages, then the short (possibly empty) one, per side
    let pages = 2 * (studies / page_size + 1);
    let found = matches!(
        last.differences.as_slice(),
        [StudyDiff::Differs { uid: u, .. }] if *u == uid(&[gap.0])
    );
    assert!(found, "{last:?}");
    assert_eq!(
        (
            last.studies_differing,
            last.instances_missing,
            last.studies_missing,
            last.studies_extra,
            last.instances_extra
        ),
        (1, 1, 0, 0, 0),
        "{last:?}"
    );
    assert!(last.requests <= pages + 10, "{last:?}");
    times.sort();
    let median: Duration = times[times.len() / 2];
    println!(
        "cutover dicomweb: {studies} studies per side, page {page_size}: the missing instance found with \
         {} requests ({pages} listing pages + {}); median {:.2}s over {runs} runs (min {:.2}s, max {:.2}s)",
        last.requests,
        last.requests - pages,
        median.as_secs_f64(),
        times[0].as_secs_f64(),
        times[times.len() - 1].as_secs_f64()
    );
}
