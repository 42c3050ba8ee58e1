//! `kind = "sql"` at scale: two PostgreSQL databases holding one table of
//! BENCH_ROWS rows (default 1,000,000, 8 columns) with 3 planted differences
//! (one changed, one missing on the target, one extra), compared by the
//! probe and, in the same run on the same tables, by reladiff (PyPI) when it
//! is installed (`RELADIFF=/path/to/reladiff`, else `reladiff` on PATH).
//! With BENCH_MARIADB=1 the target is also loaded into MariaDB and compared
//! across engines.
//!
//! Run: `cargo test --bench recon_sql` (dev profile, see docs/performance.md);
//! env BENCH_ROWS, BENCH_RUNS (default 3).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "../tests/support/mod.rs"]
mod support;

use cutover_cockpit::core::config::{self, ProbeKind};
use cutover_cockpit::probe::sql::{compare, SqlResult};
use std::process::Command;
use std::time::{Duration, Instant};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const PG_LOAD: &str = "CREATE TABLE items AS SELECT g::bigint AS id, md5(g::text) AS code, \
    (g % 1000)::int AS ward, (g * 0.25)::numeric(12,2) AS amount, (g % 3 = 0) AS active, \
    timestamp '2024-01-01 00:00:00' + g * interval '1 second' AS created_at, \
    date '2020-01-01' + (g % 3000) AS visit_date, 'note ' || (g % 97)::text AS note \
    FROM generate_series(1, {rows}) g; ALTER TABLE items ADD PRIMARY KEY (id); ANALYZE items;";

const MY_LOAD: &str = "SET time_zone = '+00:00'; CREATE TABLE items (id bigint PRIMARY KEY, \
    code varchar(32), ward int, amount decimal(12,2), active tinyint(1), created_at datetime(6), \
    visit_date date, note text) CHARACTER SET utf8mb4; INSERT INTO items SELECT seq, MD5(CAST(seq AS CHAR)), \
    seq % 1000, CAST(seq * 0.25 AS DECIMAL(12,2)), seq % 3 = 0, \
    TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq SECOND, DATE '2020-01-01' + INTERVAL (seq % 3000) DAY, \
    CONCAT('note ', seq % 97) FROM seq_1_to_{rows};";

fn plant(rows: u64, pg: bool) -> String {
    let (a, b) = (rows / 3, rows * 2 / 3);
    let insert = if pg {
        format!("INSERT INTO items VALUES ({}, 'x', 1, 1.00, true, timestamp '2024-01-01', date '2020-01-01', 'extra');", rows + 10)
    } else {
        format!(
            "INSERT INTO items VALUES ({}, 'x', 1, 1.00, 1, '2024-01-01', '2020-01-01', 'extra');",
            rows + 10
        )
    };
    format!(
        "UPDATE items SET note = 'changed' WHERE id = {a}; DELETE FROM items WHERE id = {b}; {insert}"
    )
}

fn probe() -> cutover_cockpit::core::config::recon::SqlProbe {
    let text = "[[probe]]\nkind = \"sql\"\ndataset = \"bench\"\nsource_url_env = \"S\"\n\
                target_url_env = \"T\"\ntable = \"items\"\nkey = [\"id\"]\nstatement_timeout = \"5m\"\n";
    match config::load("bench.toml", text)
        .unwrap()
        .probes
        .remove(0)
        .kind
    {
        ProbeKind::Sql(p) => *p,
        _ => unreachable!(),
    }
}

fn ours(src: &str, tgt: &str) -> (Duration, SqlResult) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let p = probe();
    let t = Instant::now();
    let r = rt
        .block_on(compare(&p, src, tgt, Duration::from_secs(1800)))
        .unwrap();
    (t.elapsed(), r)
}

const COLUMNS: [&str; 7] = [
    "code",
    "ward",
    "amount",
    "active",
    "created_at",
    "visit_date",
    "note",
];

/// reladiff spells the scheme `postgresql://`.
fn uri(url: &str) -> String {
    url.replacen("postgres://", "postgresql://", 1)
}

fn reladiff_bin() -> Option<String> {
    let bin = std::env::var("RELADIFF").unwrap_or_else(|_| "reladiff".into());
    Command::new(&bin)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| bin)
}

/// reladiff on the same tables, with the same number of threads per side as
/// the probe's `concurrency` (2); returns wall time and the lines it printed.
fn reladiff(bin: &str, src: &str, tgt: &str) -> (Duration, Vec<String>) {
    let t = Instant::now();
    let out = Command::new(bin)
        .args([
            &uri(src),
            "items",
            &uri(tgt),
            "items",
            "-k",
            "id",
            "-j",
            "2",
        ])
        .args(COLUMNS.iter().flat_map(|c| ["-c", c]))
        .output()
        .unwrap();
    let elapsed = t.elapsed();
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with('+') || l.starts_with('-'))
        .map(str::to_string)
        .collect();
    assert!(
        out.status.success() || !lines.is_empty(),
        "reladiff failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (elapsed, lines)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn report(what: &str, rows: u64, times: Vec<Duration>, r: &SqlResult) {
    println!(
        "{what}: median {:.2}s over {} runs; {} missing, {} extra, {} changed; {} rows read ({:.4}% of {rows}), {} queries",
        median(times.clone()).as_secs_f64(),
        times.len(),
        r.missing,
        r.extra,
        r.changed,
        r.rows_fetched,
        100.0 * r.rows_fetched as f64 / (2 * rows) as f64,
        r.queries
    );
    assert_eq!((r.missing, r.extra, r.changed), (1, 1, 1), "{what}: {r:?}");
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let rows = env_num("BENCH_ROWS", 1_000_000);
    let runs = env_num("BENCH_RUNS", 3).max(1);
    let Some(pg) = support::pg::Pg::start() else {
        return;
    };
    let t = Instant::now();
    pg.create_db("a");
    pg.sql("a", &PG_LOAD.replace("{rows}", &rows.to_string()));
    pg.sql("postgres", "CREATE DATABASE b TEMPLATE a;");
    pg.sql("b", &plant(rows, true));
    println!(
        "loaded 2 x {rows} rows into PostgreSQL in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    let (src, tgt) = (pg.url("a"), pg.url("b"));

    let mut times = Vec::new();
    let mut last = SqlResult::default();
    for _ in 0..runs {
        let (d, r) = ours(&src, &tgt);
        times.push(d);
        last = r;
    }
    report("cutover sql (PostgreSQL -> PostgreSQL)", rows, times, &last);

    match reladiff_bin() {
        Some(bin) => {
            let mut times = Vec::new();
            let mut lines = Vec::new();
            for _ in 0..runs {
                let (d, l) = reladiff(&bin, &src, &tgt);
                times.push(d);
                lines = l;
            }
            println!(
                "reladiff -j 2 (PostgreSQL -> PostgreSQL): median {:.2}s over {} runs; {} diff lines",
                median(times).as_secs_f64(),
                runs,
                lines.len()
            );
        }
        None => println!("reladiff: not installed (pip install reladiff psycopg2-binary), skipped"),
    }

    if std::env::var("BENCH_MARIADB").is_ok_and(|v| v == "1") {
        let Some(my) = support::mariadb::MariaDb::start() else {
            return;
        };
        let t = Instant::now();
        my.create_db("b");
        my.sql("b", &MY_LOAD.replace("{rows}", &rows.to_string()));
        my.sql("b", &plant(rows, false));
        println!(
            "loaded {rows} rows into MariaDB in {:.1}s",
            t.elapsed().as_secs_f64()
        );
        let mut times = Vec::new();
        let mut last = SqlResult::default();
        for _ in 0..runs {
            let (d, r) = ours(&src, &my.url("b"));
            times.push(d);
            last = r;
        }
        report("cutover sql (PostgreSQL -> MariaDB)", rows, times, &last);
    }
}
