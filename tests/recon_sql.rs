//! `kind = "sql"` against real servers started by the test: one PostgreSQL
//! and one MariaDB for the whole file, synthetic rows with planted
//! differences. Every planted difference is found and classified, nothing
//! else is reported, equal data on the two engines hash equal, and a
//! statement timeout gives a reason instead of a result.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

mod support;

use cutover_cockpit::core::config::recon::SqlProbe;
use cutover_cockpit::core::config::{self, ProbeKind};
use cutover_cockpit::probe::sql::{compare, DiffKind, Difference, SqlResult};
use cutover_cockpit::probe::{self, ProbeRunner};
use std::fmt::Write as _;
use std::time::Duration;
use support::{mariadb::MariaDb, pg::Pg};

const ROWS: i64 = 3000;

/// The table on each engine (same names, the types each engine would use).
fn ddl(pg: bool) -> String {
    let (ts, tstz, boolean) = if pg {
        ("timestamp(6)", "timestamptz", "boolean")
    } else {
        ("datetime(6)", "timestamp(6) NULL", "tinyint(1)")
    };
    format!(
        "CREATE TABLE encounters (encounter_id bigint PRIMARY KEY, patient_ref varchar(20) NOT NULL, \
         admitted_at {ts}, updated_at {tstz}, ward_date date, status varchar(20), amount numeric(10,2), \
         active {boolean}, note text);\n"
    )
}

/// Deterministic synthetic rows (no real data): every type the
/// normalisation covers, NULLs and empty strings, non-ASCII text.
fn rows() -> Vec<String> {
    let statuses = ["admitted", "discharged", "transferred", "cancelled"];
    (1..=ROWS)
        .map(|i| {
            let micros = (i * 7919) % 1_000_000;
            let minutes = i * 37;
            let (d, h, m) = (minutes / 1440, (minutes / 60) % 24, minutes % 60);
            let note = match i % 5 {
                0 => "NULL".to_string(),
                1 => "''".to_string(),
                2 => format!("'Zürich ward {i}: bed|{}'", i % 40),
                _ => format!("'note {i}'"),
            };
            let active = if i % 7 == 0 { "NULL" } else if i % 2 == 0 { "TRUE" } else { "FALSE" };
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
        })
        .collect()
}

fn inserts(rows: &[String]) -> String {
    let mut out = String::new();
    for chunk in rows.chunks(500) {
        let _ = writeln!(out, "INSERT INTO encounters VALUES {};", chunk.join(",\n"));
    }
    out
}

/// The planted differences, as SQL run on a target copy.
fn plant(pg: bool) -> String {
    let plus_1us = if pg {
        "admitted_at + interval '1 microsecond'"
    } else {
        "admitted_at + INTERVAL 1 MICROSECOND"
    };
    format!(
        "UPDATE encounters SET status = 'discharged-x' WHERE encounter_id = 1234;\n\
         DELETE FROM encounters WHERE encounter_id = 2000;\n\
         INSERT INTO encounters VALUES (5000, 'P999999', '2024-05-05 05:05:05.000005', NULL, NULL, 'admitted', 1.50, TRUE, NULL);\n\
         UPDATE encounters SET note = '' WHERE encounter_id = 775;\n\
         UPDATE encounters SET admitted_at = {plus_1us} WHERE encounter_id = 1500;\n"
    )
}

fn expected() -> Vec<Difference> {
    let d = |kind, k: &str| Difference {
        kind,
        key: vec![Some(k.to_string())],
    };
    vec![
        d(DiffKind::Missing, "2000"),
        d(DiffKind::Extra, "5000"),
        d(DiffKind::Changed, "1234"),
        d(DiffKind::Changed, "1500"),
        d(DiffKind::Changed, "775"),
    ]
}

fn probe(statement_timeout: &str) -> SqlProbe {
    let text = format!(
        "[[probe]]\nkind = \"sql\"\ndataset = \"adt\"\nsource_url_env = \"RECON_TEST_SRC\"\n\
         target_url_env = \"RECON_TEST_TGT\"\ntable = \"encounters\"\nkey = [\"encounter_id\"]\n\
         statement_timeout = \"{statement_timeout}\"\n"
    );
    let c = config::load("test.toml", &text).expect("config");
    match &c.probes[0].kind {
        ProbeKind::Sql(p) => (**p).clone(),
        other => panic!("not sql: {other:?}"),
    }
}

fn run(p: &SqlProbe, src: &str, tgt: &str) -> Result<SqlResult, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(compare(p, src, tgt, Duration::from_secs(60)))
        .map_err(|e| e.0)
}

fn assert_planted(r: &SqlResult, what: &str) {
    assert_eq!(r.differences, expected(), "{what}: {r:?}");
    assert_eq!((r.missing, r.extra, r.changed), (1, 1, 3), "{what}");
    assert_eq!(
        (r.source_count, r.target_count),
        (ROWS as u64, ROWS as u64),
        "{what}"
    );
    assert_eq!(r.rows_compared, ROWS as u64 + 1, "{what}");
    assert!(!r.matches());
    // only the differing buckets were read: a small part of the rows
    assert!(
        r.rows_fetched < (ROWS as u64) / 2,
        "{what}: fetched {}",
        r.rows_fetched
    );
}

#[test]
fn sql_reconciliation_against_postgres_and_mariadb() {
    let Some(pg) = Pg::start() else { return };
    let Some(my) = MariaDb::start() else { return };
    let data = inserts(&rows());
    for db in ["src", "tgt", "slow"] {
        pg.create_db(db);
        pg.sql(db, &format!("SET TimeZone = 'UTC';\n{}{data}", ddl(true)));
    }
    pg.sql("tgt", &plant(true));
    for db in ["same", "tgt"] {
        my.create_db(db);
        my.sql(db, &format!("{}{data}", ddl(false)));
    }
    my.sql("tgt", &plant(false));
    let p = probe("20s");

    // PostgreSQL against PostgreSQL: every planted difference, nothing else
    let r = run(&p, &pg.url("src"), &pg.url("tgt")).unwrap();
    assert_planted(&r, "pg -> pg");

    // equal data on PostgreSQL and MariaDB hash equal: no false difference
    let r = run(&p, &pg.url("src"), &my.url("same")).unwrap();
    assert!(r.matches(), "pg -> mariadb, same data: {r:?}");
    assert_eq!(r.rows_compared, ROWS as u64);
    assert_eq!(
        r.rows_fetched, 0,
        "matching data must not be read row by row"
    );

    // PostgreSQL to MariaDB with the differences planted on MariaDB
    let r = run(&p, &pg.url("src"), &my.url("tgt")).unwrap();
    assert_planted(&r, "pg -> mariadb");

    // MariaDB as the source, PostgreSQL as the target: the same, mirrored
    let r = run(&p, &my.url("tgt"), &pg.url("src")).unwrap();
    let kinds: Vec<(DiffKind, String)> = r
        .differences
        .iter()
        .map(|d| (d.kind, d.key[0].clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (DiffKind::Missing, "5000".into()),
            (DiffKind::Extra, "2000".into()),
            (DiffKind::Changed, "1234".into()),
            (DiffKind::Changed, "1500".into()),
            (DiffKind::Changed, "775".into()),
        ]
    );

    // hostile: a target whose statements run past the statement timeout
    pg.sql(
        "slow",
        "ALTER TABLE encounters RENAME TO encounters_data;\n\
         CREATE VIEW encounters AS SELECT e.* FROM encounters_data e, pg_sleep(2) s;",
    );
    let quick = probe("300ms");
    let err = run(&quick, &pg.url("src"), &pg.url("slow")).unwrap_err();
    assert!(
        err.contains("target") && err.contains("statement timeout (300ms)"),
        "{err}"
    );

    // through the probe engine: samples under recon.adt.*, keys pseudonymised,
    // a failure gives no recon sample, and no URL or password in any reason
    let cfg = "[[probe]]\nkind = \"sql\"\ndataset = \"adt\"\nsource_url_env = \"RECON_TEST_SRC\"\n\
               target_url_env = \"RECON_TEST_TGT\"\ntable = \"encounters\"\nkey = [\"encounter_id\"]\n\
               interval = \"1m\"\nstatement_timeout = \"300ms\"\n";
    let c = config::load("test.toml", cfg).expect("config");
    let runner = ProbeRunner::new(&c.probes[0], Ok(reqwest::Client::new()), c.poll.timeout);
    let clock = probe::system_clock();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    // SAFETY of set_var: this test is the only one in its process touching these variables
    std::env::set_var("RECON_TEST_SRC", pg.url("src"));
    std::env::set_var("RECON_TEST_TGT", my.url("tgt"));
    let report = rt.block_on(runner.attempt(&clock));
    assert!(report.ok, "{report:?}");
    let v = |n: &str| {
        report
            .samples
            .iter()
            .find(|s| s.name == format!("recon.adt.{n}"))
            .map(|s| s.value)
    };
    assert_eq!(v("match"), Some(0.0));
    assert_eq!(v("checksum_ok"), Some(1.0));
    assert_eq!(v("missing_rows"), Some(1.0));
    assert_eq!(v("extra_rows"), Some(1.0));
    assert_eq!(v("changed_rows"), Some(3.0));
    assert_eq!(v("differing_rows"), Some(5.0));
    assert_eq!(v("rows_compared"), Some(ROWS as f64 + 1.0));
    assert_eq!(v("count_delta"), Some(0.0));
    assert!(v("duration_s").is_some_and(|d| d > 0.0));
    let reason = report.reason.clone().unwrap_or_default();
    assert!(
        reason.contains("5 rows differ: 1 missing on target, 1 extra on target, 3 changed"),
        "{reason}"
    );
    for key in ["1234", "2000", "5000", "1500", "775"] {
        assert!(!reason.contains(key), "key {key} in clear: {reason}");
    }
    assert_eq!(reason.matches('#').count(), 5, "{reason}");

    std::env::set_var("RECON_TEST_TGT", pg.url("slow"));
    let report = rt.block_on(runner.attempt(&clock));
    assert!(!report.ok);
    assert_eq!(report.samples.len(), 1, "{report:?}");
    assert_eq!(report.samples[0].name, "recon.adt.checksum_ok");
    assert_eq!(report.samples[0].value, 0.0);

    let secret_url = format!(
        "postgres://postgres:Sup3rS3cret@127.0.0.1:{}/no_such_db",
        pg.port
    );
    std::env::set_var("RECON_TEST_TGT", &secret_url);
    let report = rt.block_on(runner.attempt(&clock));
    let reason = report.reason.unwrap_or_default();
    assert!(!report.ok);
    assert!(reason.contains("target: cannot connect"), "{reason}");
    assert!(
        !reason.contains("Sup3rS3cret") && !reason.contains("postgres://"),
        "{reason}"
    );

    std::env::remove_var("RECON_TEST_TGT");
    let report = rt.block_on(runner.attempt(&clock));
    assert_eq!(
        report.reason.as_deref(),
        Some("target_url_env RECON_TEST_TGT is not set")
    );
    std::env::remove_var("RECON_TEST_SRC");
}
