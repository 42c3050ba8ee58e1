//! `kind = "sql"` with SQLite files on one or both sides (`sqlite://FILE`):
//! planted differences between two files are found and classified, equal
//! data in SQLite and PostgreSQL hash equal (the same normalisation), a
//! runaway statement is interrupted at the statement timeout, and a missing
//! file gives a reason naming the variable, never the path.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use cutover_cockpit::core::config::recon::SqlProbe;
use cutover_cockpit::core::config::{self, ProbeKind};
use cutover_cockpit::probe::sql::{compare, DiffKind, Difference, SqlResult};
use std::path::Path;
use std::time::Duration;

const ROWS: i64 = 3000;

/// One row's values as SQL literals (synthetic: no real data). NULLs, empty
/// strings, non-ASCII text, microseconds, scaled decimals, booleans.
fn row(i: i64) -> String {
    let statuses = ["admitted", "discharged", "transferred", "cancelled"];
    let micros = (i * 7919) % 1_000_000;
    let minutes = i * 37;
    let (d, h, m) = (minutes / 1440, (minutes / 60) % 24, minutes % 60);
    let note = match i % 5 {
        0 => "NULL".to_string(),
        1 => "''".to_string(),
        2 => format!("'Zürich ward {i}: bed|{}'", i % 40),
        _ => format!("'note {i}'"),
    };
    let active = if i % 7 == 0 {
        "NULL"
    } else if i % 2 == 0 {
        "TRUE"
    } else {
        "FALSE"
    };
    format!(
        "({i}, 'P{:06}', '2024-{:02}-{:02} {h:02}:{m:02}:00.{micros:06}', '2024-03-01 12:00:{:02}.{:06}', '2023-{:02}-{:02}', '{}', {}.{:02}, {active}, {note})",
        i * 13 % 100_000,
        1 + (d / 28) % 12,
        1 + d % 28,
        i % 60,
        (i * 31) % 1_000_000,
        1 + i % 12,
        1 + i % 28,
        statuses[(i % 4) as usize],
        i * 3,
        i % 100,
    )
}

fn inserts() -> String {
    let rows: Vec<String> = (1..=ROWS).map(row).collect();
    rows.chunks(500)
        .map(|c| format!("INSERT INTO encounters VALUES {};\n", c.join(",\n")))
        .collect()
}

/// The same table in SQLite's and PostgreSQL's type names.
fn ddl(pg: bool) -> &'static str {
    if pg {
        "CREATE TABLE encounters (encounter_id bigint PRIMARY KEY, patient_ref varchar(20) NOT NULL, \
         admitted_at timestamp(6), updated_at timestamptz, ward_date date, status varchar(20), \
         amount numeric(10,2), active boolean, note text);\n"
    } else {
        "CREATE TABLE encounters (encounter_id INTEGER PRIMARY KEY, patient_ref VARCHAR(20) NOT NULL, \
         admitted_at DATETIME, updated_at TIMESTAMPTZ, ward_date DATE, status TEXT, \
         amount NUMERIC(10,2), active BOOLEAN, note TEXT);\n"
    }
}

/// A SQLite file with the synthetic rows, then `extra` SQL.
fn sqlite_file(path: &Path, extra: &str) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(&format!(
        "BEGIN;\n{}{}{extra}COMMIT;",
        ddl(false),
        inserts()
    ))
    .unwrap();
}

/// Changed, missing, extra, NULL versus '' and a timestamp one microsecond off.
const PLANT: &str = "UPDATE encounters SET status = 'discharged-x' WHERE encounter_id = 1234;\n\
     DELETE FROM encounters WHERE encounter_id = 2000;\n\
     INSERT INTO encounters VALUES (5000, 'P999999', '2024-05-05 05:05:05.000005', NULL, NULL, 'admitted', 1.50, TRUE, NULL);\n\
     UPDATE encounters SET note = '' WHERE encounter_id = 775;\n\
     UPDATE encounters SET admitted_at = replace(admitted_at, '.878500', '.878501') WHERE encounter_id = 1500;\n";

fn probe(extra: &str) -> SqlProbe {
    let text = format!(
        "[[probe]]\nkind = \"sql\"\ndataset = \"adt\"\nsource_url_env = \"LITE_TEST_SRC\"\n\
         target_url_env = \"LITE_TEST_TGT\"\nkey = [\"encounter_id\"]\n{extra}"
    );
    let c = config::load("test.toml", &text).expect("config");
    match &c.probes[0].kind {
        ProbeKind::Sql(p) => (**p).clone(),
        other => panic!("not sql: {other:?}"),
    }
}

fn run(p: &SqlProbe, src: &str, tgt: &str) -> Result<SqlResult, String> {
    // multi-threaded: the SQLite statements run on the blocking pool
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(compare(p, src, tgt, Duration::from_secs(60)))
        .map_err(|e| e.0)
}

fn url(p: &Path) -> String {
    format!("sqlite://{}", p.display())
}

#[test]
fn sqlite_files_are_reconciled_down_to_the_rows() {
    let dir = support::temp_dir("cutover-lite");
    let (src, tgt) = (dir.join("src.db"), dir.join("tgt.db"));
    sqlite_file(&src, "");
    sqlite_file(&tgt, PLANT);
    let before = std::fs::read(&src).unwrap();
    let p = probe("table = \"encounters\"\n");

    let r = run(&p, &url(&src), &url(&tgt)).unwrap();
    let d = |kind, k: &str| Difference {
        kind,
        key: vec![Some(k.to_string())],
    };
    assert_eq!(
        r.differences,
        vec![
            d(DiffKind::Missing, "2000"),
            d(DiffKind::Extra, "5000"),
            d(DiffKind::Changed, "1234"),
            d(DiffKind::Changed, "1500"),
            d(DiffKind::Changed, "775"),
        ],
        "{r:?}"
    );
    assert_eq!((r.missing, r.extra, r.changed), (1, 1, 3));
    assert_eq!((r.source_count, r.target_count), (ROWS as u64, ROWS as u64));
    assert_eq!(r.rows_compared, ROWS as u64 + 1);
    assert!(!r.matches());
    assert!(
        r.rows_fetched < ROWS as u64 / 2,
        "only differing buckets are read: {}",
        r.rows_fetched
    );
    // the differing segments: every planted key lies in one, together they
    // hold the 5 differences, and they are small next to the key span
    assert_eq!(r.key_span, Some((1, 5001)), "{r:?}");
    for k in [2000, 5000, 1234, 1500, 775] {
        assert!(
            r.segments.iter().any(|s| s.lo <= k && k < s.hi),
            "key {k} in no segment: {:?}",
            r.segments
        );
    }
    assert_eq!(r.segments.iter().map(|s| s.differing).sum::<u64>(), 5);
    assert!(
        r.segments.iter().all(|s| s.hi - s.lo <= 500),
        "{:?}",
        r.segments
    );
    assert!(r.segments.windows(2).all(|w| w[0].hi <= w[1].lo));
    let detail = cutover_cockpit::probe::recon::sql_outcome("adt", &r)
        .detail
        .unwrap();
    assert!(detail.contains("; ranges "), "{detail}");
    for key in ["1234", "2000", "5000", "1500", "775"] {
        assert!(!detail.contains(key), "key {key} in clear: {detail}");
    }

    // the same file on both sides matches, and reading never wrote to it
    let r = run(&p, &url(&src), &url(&src)).unwrap();
    assert!(r.matches(), "{r:?}");
    assert_eq!(r.rows_fetched, 0);
    assert_eq!(
        std::fs::read(&src).unwrap(),
        before,
        "the source file changed"
    );

    // a statement that runs past the timeout is interrupted: a reason, not a result
    let slow = probe(
        "query = \"SELECT e.* FROM encounters e, (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT max(x) AS m FROM c) s\"\n\
         columns = [\"status\"]\nstatement_timeout = \"300ms\"\n",
    );
    let started = std::time::Instant::now();
    let err = run(&slow, &url(&src), &url(&tgt)).unwrap_err();
    assert!(err.contains("statement timeout (300ms) exceeded"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "not interrupted"
    );

    // a missing file: the variable is named, the path is not
    let gone = dir.join("secret-ward-archive.db");
    let err = run(&p, &url(&src), &url(&gone)).unwrap_err();
    assert_eq!(
        err,
        "target: the SQLite file named by LITE_TEST_TGT does not exist"
    );
    assert!(!err.contains("secret-ward"), "{err}");
}

#[test]
fn sqlite_and_postgres_with_equal_data_match() {
    let Some(pg) = support::pg::Pg::start() else {
        return;
    };
    let dir = support::temp_dir("cutover-lite-pg");
    let (same, tgt) = (dir.join("same.db"), dir.join("tgt.db"));
    sqlite_file(&same, "");
    sqlite_file(&tgt, PLANT);
    pg.create_db("src");
    pg.sql(
        "src",
        &format!("SET TimeZone = 'UTC';\n{}{}", ddl(true), inserts()),
    );
    let p = probe("table = \"encounters\"\n");

    // equal data on two engines: no false difference, no row read
    let r = run(&p, &pg.url("src"), &url(&same)).unwrap();
    assert!(r.matches(), "pg -> sqlite, same data: {r:?}");
    assert_eq!(r.rows_compared, ROWS as u64);
    assert_eq!(r.rows_fetched, 0);
    let r = run(&p, &url(&same), &pg.url("src")).unwrap();
    assert!(r.matches(), "sqlite -> pg, same data: {r:?}");

    // and every planted difference across the engines, nothing else
    let r = run(&p, &pg.url("src"), &url(&tgt)).unwrap();
    let found: Vec<(DiffKind, String)> = r
        .differences
        .iter()
        .map(|d| (d.kind, d.key[0].clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        found,
        vec![
            (DiffKind::Missing, "2000".into()),
            (DiffKind::Extra, "5000".into()),
            (DiffKind::Changed, "1234".into()),
            (DiffKind::Changed, "1500".into()),
            (DiffKind::Changed, "775".into()),
        ]
    );
}

mod app_support;

/// The commander's request: the last result's exact keys go to a 0600 file
/// beside the log, the log gets a note naming the file and the count (no
/// key), and anyone but the commander is refused.
#[test]
fn the_commander_writes_the_exact_keys_to_a_private_file_beside_the_log() {
    use cutover_cockpit::app::start;
    use cutover_cockpit::probe::{self, ProbeRunner};
    use cutover_cockpit::tui::{ActResult, CockpitPort};
    use std::os::unix::fs::PermissionsExt;

    let dir = support::temp_dir("cutover-lite-keys");
    let (src, tgt) = (dir.join("src.db"), dir.join("tgt.db"));
    sqlite_file(&src, "");
    sqlite_file(&tgt, PLANT);
    let cfg = "[[probe]]\nkind = \"sql\"\ndataset = \"adt-keys\"\nsource_url_env = \"LITE_KEYS_SRC\"\n\
               target_url_env = \"LITE_KEYS_TGT\"\ntable = \"encounters\"\nkey = [\"encounter_id\"]\n\
               interval = \"1m\"\n";
    let c = config::load("test.toml", cfg).expect("config");
    // SAFETY of set_var: only this test reads these two variables
    std::env::set_var("LITE_KEYS_SRC", url(&src));
    std::env::set_var("LITE_KEYS_TGT", url(&tgt));
    let runner = ProbeRunner::new(&c.probes[0], Ok(reqwest::Client::new()), c.poll.timeout);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let report = rt.block_on(runner.attempt(&probe::system_clock()));
    assert!(report.ok, "{report:?}");

    let log = app_support::temp_log("exact-keys");
    let l = app_support::loaded();
    let (mut s, _) = start::open_session(&l, &log, "dana", probe::system_clock()).expect("session");
    // the session's view: the last result, its differences, idle or running
    s.probe(report.clone());
    let ds = |s: &cutover_cockpit::app::session::Session| {
        s.view()
            .datasets
            .into_iter()
            .find(|d| d.dataset == "adt-keys")
            .expect("the dataset is listed")
    };
    let v = ds(&s);
    assert!(v.last_result_at.is_some() && v.running.is_none(), "{v:?}");
    // the differing key segments first (by place, not by key), then the keys
    let (ranges, keys): (Vec<_>, Vec<_>) =
        v.differences.iter().partition(|(kind, _)| kind == "range");
    assert_eq!(keys.len(), 5, "{v:?}");
    assert!(keys.iter().all(|(_, k)| k.starts_with('#')), "{v:?}");
    assert!(!ranges.is_empty(), "{v:?}");
    assert!(
        ranges
            .iter()
            .all(|(_, r)| r.contains("% of the key span: ")),
        "{v:?}"
    );
    let run = probe::progress::Running::start("adt-keys");
    run.advance(3, 6_000);
    assert_eq!(ds(&s).running.map(|r| (r.1, r.2)), Some((3, 6_000)));
    drop(run);
    assert_eq!(ds(&s).running, None);
    let answer = s.write_exact_keys("adt-keys");
    let ActResult::Acknowledged(msg) = answer else {
        panic!("refused: {answer:?}")
    };
    assert!(
        msg.contains("cutover.jsonl.recon-adt-keys.keys.tsv") && msg.contains("5 keys"),
        "{msg}"
    );
    let path = log.with_file_name("cutover.jsonl.recon-adt-keys.keys.tsv");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the exact keys must be private");
    let text = std::fs::read_to_string(&path).unwrap();
    let rows: Vec<(&str, &str)> = text
        .lines()
        .skip(2)
        .map(|l| {
            let mut f = l.split('\t');
            (f.next().unwrap(), f.next().unwrap())
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("missing", "2000"),
            ("extra", "5000"),
            ("changed", "1234"),
            ("changed", "1500"),
            ("changed", "775"),
        ],
        "{text}"
    );
    // the log names the file and the count, never a key
    let log_text = std::fs::read_to_string(&log).unwrap();
    assert!(
        log_text.contains("exact differing keys of dataset adt-keys written to cutover.jsonl.recon-adt-keys.keys.tsv (5 keys"),
        "{log_text}"
    );
    let line = log_text
        .lines()
        .find(|l| l.contains("exact differing keys"))
        .unwrap();
    // the note's text (the record's hashes are hex and may hold any digits)
    let record: serde_json::Value = serde_json::from_str(line).unwrap();
    let note = record["body"]["rationale"].as_str().unwrap();
    assert_eq!(record["body"]["type"], "note");
    for key in ["2000", "5000", "1234", "1500", "775"] {
        assert!(!note.contains(key), "{key} in the log: {note}");
    }
    drop(s);

    // another member of the team may not ask for them
    let (mut priya, _) =
        start::open_session(&l, &log, "priya", probe::system_clock()).expect("resume");
    assert!(matches!(
        priya.write_exact_keys("adt-keys"),
        ActResult::Refused(why) if why.contains("only the commander")
    ));
    std::env::remove_var("LITE_KEYS_SRC");
    std::env::remove_var("LITE_KEYS_TGT");
}
