//! `kind = "sql"`: reconciles one table (or query) between two databases the
//! way data-diff / reladiff do, with the work done inside each database:
//!
//! 1. the key range (min and max of the first key column, an index lookup);
//! 2. one pass over the range in segments sized to the target query time
//!    (the pace is measured as the segments come back): each segment query
//!    returns, per bucket (GROUP BY), the row count and the sum of a 60-bit
//!    hash of every row's canonical text (order-independent);
//! 3. only buckets that differ are cut again;
//! 4. small differing buckets are read row by row (key and row MD5 only) and
//!    every differing key is classified: missing on target, extra on
//!    target, changed.
//!
//! Splitting needs an integer first key column; with any other key the whole
//! set is compared row by row when it is small enough (`ROW_LIMIT`), else
//! the result says the data differ without naming the rows.

pub mod conn;
pub mod dialect;
pub mod lite;
pub mod side;

use crate::core::config::recon::SqlProbe;
use crate::probe::http::Failure;
use conn::Conn;
use dialect::{Dialect, Family, Range, Shape};
use futures_util::stream::{self, StreamExt};
use side::{SideSpec, TextRow};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Buckets per segment query.
const BUCKETS: i64 = 64;
/// A differing bucket with at most this many rows is read row by row.
const FETCH_ROWS: u64 = 2_000;
/// Without a splittable key, the most rows read to name the differences.
const ROW_LIMIT: u64 = 200_000;

/// How one key differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiffKind {
    /// On the source, not on the target.
    Missing,
    /// On the target, not on the source.
    Extra,
    /// On both, with different values.
    Changed,
}

impl DiffKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DiffKind::Missing => "missing",
            DiffKind::Extra => "extra",
            DiffKind::Changed => "changed",
        }
    }
}

/// One differing row: its kind and its key (canonical texts of the key columns).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    pub kind: DiffKind,
    pub key: Vec<Option<String>>,
}

/// A key segment that was read row by row because its count or hash sum
/// differed: keys `lo..hi` of the integer first key column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Segment {
    pub lo: i64,
    pub hi: i64,
    pub source_rows: u64,
    pub target_rows: u64,
    /// Differing rows found in it.
    pub differing: u64,
}

/// The outcome of one comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SqlResult {
    pub source_count: u64,
    pub target_count: u64,
    pub missing: u64,
    pub extra: u64,
    pub changed: u64,
    /// Distinct keys compared (source rows plus rows only on the target).
    pub rows_compared: u64,
    /// Rows read into the cockpit (both sides).
    pub rows_fetched: u64,
    /// Statements run (both sides).
    pub queries: u64,
    /// The first differences found (capped), sorted.
    pub differences: Vec<Difference>,
    pub duration: Duration,
    /// Why the differing rows could not be named (counts stay unknown).
    pub unsplittable: Option<String>,
    /// The whole key range compared (`lo..hi`), when the key was split.
    pub key_span: Option<(i64, i64)>,
    /// The differing segments (capped like the keys), in key order.
    pub segments: Vec<Segment>,
}

impl SqlResult {
    pub fn matches(&self) -> bool {
        self.unsplittable.is_none()
            && self.missing + self.extra + self.changed == 0
            && self.source_count == self.target_count
    }
}

/// One side's connections (at most `cap` at once) and the shape of its rows.
struct Pool {
    spec: SideSpec,
    idle: tokio::sync::Mutex<Vec<Conn>>,
    permits: tokio::sync::Semaphore,
    shape: Shape,
    queries: std::sync::atomic::AtomicU64,
}

impl Pool {
    async fn query(&self, sql: String) -> Result<Vec<TextRow>, Failure> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Failure::new(format!("{}: connection pool closed", self.spec.side)))?;
        let taken = self.idle.lock().await.pop();
        let mut conn = match taken {
            Some(c) => c,
            None => self.spec.connect().await?,
        };
        self.queries
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let out = conn.query(&self.spec, &sql).await;
        self.idle.lock().await.push(conn);
        out
    }

    async fn close(self) {
        for c in self.idle.into_inner() {
            c.close().await;
        }
    }
}

fn bad_answer(side: &str, what: &str) -> Failure {
    Failure::new(format!("{side}: unexpected answer ({what})"))
}

fn cell(row: &TextRow, i: usize) -> Option<&str> {
    row.get(i).and_then(|c| c.as_deref())
}

/// Count and hash sum of one side (or one bucket).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Sum {
    count: u64,
    hash: i128,
}

fn parse_overview(side: &str, rows: &[TextRow]) -> Result<Sum, Failure> {
    let row = rows
        .first()
        .ok_or_else(|| bad_answer(side, "no overview row"))?;
    let count = cell(row, 0).and_then(|s| s.parse::<u64>().ok());
    let hash = cell(row, 1).and_then(|s| s.parse::<i128>().ok());
    match (count, hash) {
        (Some(count), Some(hash)) => Ok(Sum { count, hash }),
        _ => Err(bad_answer(side, "count and hash sum")),
    }
}

/// Min and max of the integer first key column (NULL when there is no row).
fn parse_key_range(side: &str, rows: &[TextRow]) -> Result<(Option<i64>, Option<i64>), Failure> {
    let row = rows
        .first()
        .ok_or_else(|| bad_answer(side, "no key range row"))?;
    let int = |i: usize| match cell(row, i) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| bad_answer(side, "key range")),
    };
    Ok((int(0)?, int(1)?))
}

fn parse_buckets(side: &str, rows: &[TextRow]) -> Result<BTreeMap<i64, Sum>, Failure> {
    let mut out = BTreeMap::new();
    for row in rows {
        let b = cell(row, 0).and_then(|s| s.parse::<i64>().ok());
        let c = cell(row, 1).and_then(|s| s.parse::<u64>().ok());
        let h = cell(row, 2).and_then(|s| s.parse::<i128>().ok());
        match (b, c, h) {
            (Some(b), Some(count), Some(hash)) => {
                out.insert(b, Sum { count, hash });
            }
            _ => return Err(bad_answer(side, "bucket row")),
        }
    }
    Ok(out)
}

/// key cells -> row MD5
fn parse_rows(
    side: &str,
    rows: Vec<TextRow>,
    key_len: usize,
) -> Result<BTreeMap<Vec<Option<String>>, String>, Failure> {
    let mut out = BTreeMap::new();
    for mut row in rows {
        if row.len() != key_len + 1 {
            return Err(bad_answer(side, "row width"));
        }
        let md5 = row
            .pop()
            .flatten()
            .ok_or_else(|| bad_answer(side, "row hash"))?;
        out.insert(row, md5);
    }
    Ok(out)
}

/// The differences of one set of rows (both sides of the same key range).
fn classify(
    source: &BTreeMap<Vec<Option<String>>, String>,
    target: &BTreeMap<Vec<Option<String>>, String>,
) -> Vec<Difference> {
    let mut out = Vec::new();
    for (k, h) in source {
        match target.get(k) {
            None => out.push(Difference {
                kind: DiffKind::Missing,
                key: k.clone(),
            }),
            Some(t) if t != h => out.push(Difference {
                kind: DiffKind::Changed,
                key: k.clone(),
            }),
            Some(_) => {}
        }
    }
    for k in target.keys().filter(|k| !source.contains_key(*k)) {
        out.push(Difference {
            kind: DiffKind::Extra,
            key: k.clone(),
        });
    }
    out
}

/// Tallies of differences, and the first `cap` of them.
struct Found<'a> {
    cap: usize,
    missing: u64,
    extra: u64,
    changed: u64,
    kept: Vec<Difference>,
    /// The first `cap` segments holding a difference.
    segments: Vec<Segment>,
    fetched: u64,
    /// Where the cockpit sees how far the comparison has got.
    running: &'a crate::probe::progress::Running,
}

impl Found<'_> {
    fn add(&mut self, diffs: Vec<Difference>, fetched: u64) {
        self.fetched += fetched;
        for d in diffs {
            match d.kind {
                DiffKind::Missing => self.missing += 1,
                DiffKind::Extra => self.extra += 1,
                DiffKind::Changed => self.changed += 1,
            }
            if self.kept.len() < self.cap {
                self.kept.push(d);
            }
        }
    }
}

/// Compares the probe's data on the two databases whose URLs are given.
/// The whole comparison is bounded by `deadline`.
pub async fn compare(
    p: &SqlProbe,
    source_url: &str,
    target_url: &str,
    deadline: Duration,
) -> Result<SqlResult, Failure> {
    let started = Instant::now();
    let running = crate::probe::progress::Running::start(&p.dataset);
    let spec = |side: &'static str, url: &str, env: &str| -> Result<SideSpec, Failure> {
        let dialect = Dialect::of_url(url).ok_or_else(|| {
            Failure::new(format!(
                "{side}: the connection URL in {env} must start with postgres://, postgresql://, mysql://, mariadb:// or sqlite://"
            ))
        })?;
        Ok(SideSpec {
            side,
            url: url.to_string(),
            env: env.to_string(),
            dialect,
            statement_timeout: Duration::from_millis(p.statement_timeout.0.max(1) as u64),
        })
    };
    let (s, t) = (
        spec("source", source_url, &p.source_url_env)?,
        spec("target", target_url, &p.target_url_env)?,
    );
    let work = async {
        let (sp, tp) = tokio::try_join!(open(p, s), open(p, t))?;
        let out = run(p, &sp, &tp, started, &running).await;
        let queries = sp.queries.load(std::sync::atomic::Ordering::Relaxed)
            + tp.queries.load(std::sync::atomic::Ordering::Relaxed);
        tokio::join!(sp.close(), tp.close());
        out.map(|mut r| {
            r.queries += queries;
            r
        })
    };
    match tokio::time::timeout(deadline, work).await {
        Ok(r) => r,
        Err(_) => Err(Failure::new(format!(
            "comparison not finished after {}s",
            deadline.as_secs()
        ))),
    }
}

/// Connects one side and reads the shape of its rows.
async fn open(p: &SqlProbe, spec: SideSpec) -> Result<Pool, Failure> {
    let mut conn = spec.connect().await?;
    let from = spec.dialect.from_clause(&p.source);
    let described = conn.describe(&spec, &spec.dialect.describe(&from)).await;
    let columns = match described {
        Ok(c) => c,
        Err(e) => {
            conn.close().await;
            return Err(e);
        }
    };
    let find = |name: &str| -> Result<(String, Family), Failure> {
        columns
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(name))
            .map(|(_, f)| (name.to_string(), *f))
            .ok_or_else(|| Failure::new(format!("{}: no column `{name}`", spec.side)))
    };
    let key = p.key.iter().map(|k| find(k)).collect::<Result<Vec<_>, _>>();
    let compared = if p.columns.is_empty() {
        // every column but the key, named as the source names them (checked on both)
        Ok(columns
            .iter()
            .filter(|(c, _)| !p.key.iter().any(|k| k.eq_ignore_ascii_case(c)))
            .cloned()
            .collect::<Vec<_>>())
    } else {
        p.columns
            .iter()
            .map(|c| find(c))
            .collect::<Result<Vec<_>, _>>()
    };
    let (key, compared) = match (key, compared) {
        (Ok(k), Ok(c)) => (k, c),
        (Err(e), _) | (_, Err(e)) => {
            conn.close().await;
            return Err(e);
        }
    };
    let shape = Shape {
        dialect: spec.dialect,
        from,
        filter: p.where_.clone(),
        key,
        columns: compared,
        native_hash: false,
    };
    Ok(Pool {
        permits: tokio::sync::Semaphore::new(p.concurrency.max(1) as usize),
        idle: tokio::sync::Mutex::new(vec![conn]),
        spec,
        shape,
        queries: std::sync::atomic::AtomicU64::new(1),
    })
}

/// Both sides must compare the same columns (by name, in the same order).
fn same_columns(s: &Shape, t: &Shape) -> Result<(), Failure> {
    let names = |sh: &Shape| -> Vec<String> {
        sh.columns
            .iter()
            .map(|(c, _)| c.to_ascii_lowercase())
            .collect()
    };
    let (sn, tn) = (names(s), names(t));
    if let Some(c) = sn.iter().find(|c| !tn.contains(c)) {
        return Err(Failure::new(format!("target: no column `{c}`")));
    }
    if let Some(c) = tn.iter().find(|c| !sn.contains(c)) {
        return Err(Failure::new(format!("source: no column `{c}`")));
    }
    Ok(())
}

async fn run(
    p: &SqlProbe,
    sp: &Pool,
    tp: &Pool,
    started: Instant,
    running: &crate::probe::progress::Running,
) -> Result<SqlResult, Failure> {
    same_columns(&sp.shape, &tp.shape)?;
    // the target compares its columns in the source's order
    let mut tshape = tp.shape.clone();
    tshape.columns = sp
        .shape
        .columns
        .iter()
        .filter_map(|(c, _)| {
            tp.shape
                .columns
                .iter()
                .find(|(t, _)| t.eq_ignore_ascii_case(c))
                .cloned()
        })
        .collect();
    let mut sshape = sp.shape.clone();
    let native = sshape.dialect == Dialect::Postgres && tshape.dialect == Dialect::Postgres;
    sshape.native_hash = native;
    tshape.native_hash = native;
    let (sshape, tshape) = (&sshape, &tshape);
    let int_key = sshape.key.first().is_some_and(|k| k.1 == Family::Int)
        && tshape.key.first().is_some_and(|k| k.1 == Family::Int);
    let mut found = Found {
        cap: p.max_differences as usize,
        missing: 0,
        extra: 0,
        changed: 0,
        kept: Vec::new(),
        segments: Vec::new(),
        fetched: 0,
        running,
    };
    let mut key_span = None;
    let mut unsplittable = None;
    let (source_count, target_count) = if int_key {
        let (sr, tr) = tokio::try_join!(
            sp.query(sshape.dialect.key_range(sshape)),
            tp.query(tshape.dialect.key_range(tshape)),
        )?;
        let (smin, smax) = parse_key_range("source", &sr)?;
        let (tmin, tmax) = parse_key_range("target", &tr)?;
        match (
            smin.into_iter().chain(tmin).min(),
            smax.into_iter().chain(tmax).max(),
        ) {
            (Some(lo), Some(hi)) => {
                let whole = Range {
                    lo,
                    hi: hi.saturating_add(1),
                };
                key_span = Some((whole.lo, whole.hi));
                scan(p, sp, tp, sshape, tshape, whole, &mut found).await?
            }
            // no row on either side
            _ => (0, 0),
        }
    } else {
        let (so, to) = tokio::try_join!(
            sp.query(sshape.dialect.overview(sshape)),
            tp.query(tshape.dialect.overview(tshape)),
        )?;
        let so = parse_overview("source", &so)?;
        let to = parse_overview("target", &to)?;
        let most = so.count.max(to.count);
        if so != to && most <= ROW_LIMIT {
            let (sr, tr) = tokio::try_join!(
                sp.query(sshape.dialect.rows(sshape, None)),
                tp.query(tshape.dialect.rows(tshape, None)),
            )?;
            let fetched = (sr.len() + tr.len()) as u64;
            let sr = parse_rows("source", sr, sshape.key.len())?;
            let tr = parse_rows("target", tr, tshape.key.len())?;
            found.add(classify(&sr, &tr), fetched);
        } else if so != to {
            unsplittable = Some(format!(
                "key `{}` is not an integer column and {most} rows exceed {ROW_LIMIT}: the differing rows are not named",
                p.key.first().map(String::as_str).unwrap_or("")
            ));
        }
        (so.count, to.count)
    };
    found.kept.sort();
    found.segments.sort();
    Ok(SqlResult {
        source_count,
        target_count,
        missing: found.missing,
        extra: found.extra,
        changed: found.changed,
        rows_compared: source_count + found.extra,
        rows_fetched: found.fetched,
        queries: 0,
        differences: found.kept,
        duration: started.elapsed(),
        unsplittable,
        key_span,
        segments: found.segments,
    })
}

/// A key range still to look at, with the rows it holds (at most).
#[derive(Debug, Clone, Copy)]
struct Todo {
    range: Range,
    rows: u64,
}

/// Cuts `range` into pieces of at most `per_query` rows (assuming keys spread evenly).
fn pieces(todo: Todo, per_query: u64) -> Vec<Range> {
    let span = (todo.range.hi as i128 - todo.range.lo as i128).max(1);
    let n = todo
        .rows
        .div_ceil(per_query.max(1))
        .clamp(1, span.min(1 << 20) as u64) as i128;
    let width = (span + n - 1) / n;
    let mut out = Vec::new();
    let mut lo = todo.range.lo as i128;
    while lo < todo.range.hi as i128 {
        let hi = (lo + width).min(todo.range.hi as i128);
        out.push(Range {
            lo: lo as i64,
            hi: hi as i64,
        });
        lo = hi;
    }
    out
}

/// One segment query per side: count and hash sum per bucket of `r`.
/// Returns the rows each side holds in `r` and the buckets that differ.
async fn bucket_pass(
    sp: &Pool,
    tp: &Pool,
    ss: &Shape,
    ts: &Shape,
    r: Range,
) -> Result<(u64, u64, Vec<Todo>), Failure> {
    let width =
        ((r.hi as i128 - r.lo as i128 + BUCKETS as i128 - 1) / BUCKETS as i128).max(1) as i64;
    let (sb, tb) = tokio::try_join!(
        sp.query(ss.dialect.buckets(ss, r, width)),
        tp.query(ts.dialect.buckets(ts, r, width)),
    )?;
    let sb = parse_buckets("source", &sb)?;
    let tb = parse_buckets("target", &tb)?;
    let count = |m: &BTreeMap<i64, Sum>| m.values().map(|s| s.count).sum::<u64>();
    let mut next = Vec::new();
    let ids: std::collections::BTreeSet<i64> = sb.keys().chain(tb.keys()).copied().collect();
    for b in ids {
        let s = sb.get(&b).copied().unwrap_or_default();
        let t = tb.get(&b).copied().unwrap_or_default();
        if s != t {
            let lo = r.lo.saturating_add(b.saturating_mul(width));
            let hi = lo.saturating_add(width).min(r.hi);
            next.push(Todo {
                range: Range { lo, hi },
                rows: s.count.max(t.count),
            });
        }
    }
    Ok((count(&sb), count(&tb), next))
}

/// Keys in the first segments, before their pace is known.
const FIRST_SEGMENT_KEYS: i64 = 100_000;

/// The first pass over the whole key range, in segments sized so one query
/// takes about `target_query_time` (the pace is measured on each wave of
/// `concurrency` segments), then the differing buckets are narrowed down.
/// Returns the row counts of both sides.
#[allow(clippy::too_many_arguments)]
async fn scan(
    p: &SqlProbe,
    sp: &Pool,
    tp: &Pool,
    ss: &Shape,
    ts: &Shape,
    whole: Range,
    found: &mut Found<'_>,
) -> Result<(u64, u64), Failure> {
    let cap = p.concurrency.max(1) as usize;
    let target = p.target_query_time.as_secs_f64().max(0.05);
    let mut size = FIRST_SEGMENT_KEYS;
    let mut cursor = whole.lo;
    let (mut sc, mut tc) = (0u64, 0u64);
    let mut todo = Vec::new();
    while cursor < whole.hi {
        let mut wave = Vec::new();
        while wave.len() < cap && cursor < whole.hi {
            let hi = cursor.saturating_add(size).min(whole.hi);
            wave.push(Range { lo: cursor, hi });
            cursor = hi;
        }
        let t = Instant::now();
        let results = stream::iter(wave.into_iter().map(|r| bucket_pass(sp, tp, ss, ts, r)))
            .buffer_unordered(cap)
            .collect::<Vec<_>>()
            .await;
        let secs = t.elapsed().as_secs_f64().max(0.001);
        for r in results {
            let (s, t, next) = r?;
            found.running.advance(1, s + t);
            sc += s;
            tc += t;
            todo.extend(next);
        }
        // the wave's queries ran side by side: each covered `size` keys in `secs`
        size = ((size as f64 / secs) * target).clamp(1_000.0, 1e9) as i64;
    }
    narrow(p, sp, tp, ss, ts, todo, size.max(1) as u64, found).await?;
    Ok((sc, tc))
}

/// Narrows differing buckets down to rows: small ones are read row by
/// row, larger ones are bucketed again.
#[allow(clippy::too_many_arguments)]
async fn narrow(
    p: &SqlProbe,
    sp: &Pool,
    tp: &Pool,
    ss: &Shape,
    ts: &Shape,
    mut todo: Vec<Todo>,
    per_query: u64,
    found: &mut Found<'_>,
) -> Result<(), Failure> {
    let cap = p.concurrency.max(1) as usize;
    while !todo.is_empty() {
        let (small, large): (Vec<Todo>, Vec<Todo>) = todo
            .into_iter()
            .partition(|t| t.rows <= FETCH_ROWS || t.range.hi - t.range.lo <= 1);
        let fetches = stream::iter(small.into_iter().map(|t| async move {
            let (sr, tr) = tokio::try_join!(
                sp.query(ss.dialect.rows(ss, Some(t.range))),
                tp.query(ts.dialect.rows(ts, Some(t.range))),
            )?;
            let fetched = (sr.len() + tr.len()) as u64;
            let sr = parse_rows("source", sr, ss.key.len())?;
            let tr = parse_rows("target", tr, ts.key.len())?;
            let diffs = classify(&sr, &tr);
            let segment = Segment {
                lo: t.range.lo,
                hi: t.range.hi,
                source_rows: sr.len() as u64,
                target_rows: tr.len() as u64,
                differing: diffs.len() as u64,
            };
            Ok::<_, Failure>((diffs, fetched, segment))
        }))
        .buffer_unordered(cap)
        .collect::<Vec<_>>()
        .await;
        for f in fetches {
            let (diffs, fetched, segment) = f?;
            // the bucket sums differed; name the segment only when its rows do too
            if segment.differing > 0 && found.segments.len() < found.cap {
                found.segments.push(segment);
            }
            found.add(diffs, fetched);
        }
        let ranges: Vec<Range> = large
            .into_iter()
            .flat_map(|t| pieces(t, per_query))
            .collect();
        let results = stream::iter(ranges.into_iter().map(|r| bucket_pass(sp, tp, ss, ts, r)))
            .buffer_unordered(cap)
            .collect::<Vec<_>>()
            .await;
        todo = Vec::new();
        for r in results {
            let (_, _, next) = r?;
            found.running.advance(1, 0);
            todo.extend(next);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_cover_the_range_without_overlap() {
        let p = pieces(
            Todo {
                range: Range {
                    lo: -10,
                    hi: 1_000_000,
                },
                rows: 1_000_010,
            },
            300_000,
        );
        assert_eq!(p.len(), 4);
        assert_eq!(p[0].lo, -10);
        assert_eq!(p.last().map(|r| r.hi), Some(1_000_000));
        assert!(p.windows(2).all(|w| w[0].hi == w[1].lo));
        let one = pieces(
            Todo {
                range: Range { lo: 5, hi: 6 },
                rows: 9,
            },
            1,
        );
        assert_eq!(one, vec![Range { lo: 5, hi: 6 }]);
    }

    #[test]
    fn classify_names_each_kind() {
        let k = |s: &str| vec![Some(s.to_string())];
        let s: BTreeMap<_, _> = [
            (k("1"), "a".to_string()),
            (k("2"), "b".into()),
            (k("3"), "c".into()),
        ]
        .into();
        let t: BTreeMap<_, _> = [
            (k("1"), "a".to_string()),
            (k("3"), "X".into()),
            (k("4"), "d".into()),
        ]
        .into();
        let mut d = classify(&s, &t);
        d.sort();
        assert_eq!(
            d,
            vec![
                Difference {
                    kind: DiffKind::Missing,
                    key: k("2")
                },
                Difference {
                    kind: DiffKind::Extra,
                    key: k("4")
                },
                Difference {
                    kind: DiffKind::Changed,
                    key: k("3")
                },
            ]
        );
    }
}
