//! SQLite (`sqlite://FILE`) as one side of a `sql` probe: for the demo and
//! rehearsals, no server. The file is opened read-only (and `query_only`),
//! every statement runs on tokio's blocking pool, and a statement still
//! running after `statement_timeout` is interrupted (SQLite's equivalent of
//! a server-side statement timeout).
//!
//! SQLite has neither MD5 nor text formats for dates, decimals and
//! timestamps, so each connection registers the functions the segment
//! queries call (deterministic, in Rust):
//! - `cutover_canon(value, family)`: the canonical text of one value, the
//!   same text PostgreSQL and MariaDB render (docs/probes.md, "Normalisation");
//! - `cutover_md5(text)`: lower-case hex MD5;
//! - `cutover_hashsum(text)` (aggregate): the sum of the rows' 60-bit hashes
//!   as decimal text (SQLite's own SUM fails on 64-bit overflow).
//!
//! The hashing therefore happens inside SQLite's query, in this process: a
//! matching segment's rows are never turned into `TextRow`s.

use super::dialect::Family;
use super::side::{redact, SideSpec, TextRow};
use crate::probe::http::Failure;
use md5::{Digest, Md5};
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, InterruptHandle, OpenFlags};
use std::sync::{Arc, Mutex};

/// One open SQLite connection (shared with the blocking task running its statement).
pub struct Lite {
    conn: Arc<Mutex<Connection>>,
    interrupt: InterruptHandle,
}

/// The file part of a `sqlite://FILE` URL (`sqlite:///abs/path` or `sqlite://rel/path`).
pub fn path_of(url: &str) -> &str {
    url.split_once("://").map(|(_, p)| p).unwrap_or("")
}

fn fail(spec: &SideSpec, what: &str, e: &rusqlite::Error) -> Failure {
    let msg = match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::OperationInterrupted) => format!(
            "statement timeout ({}) exceeded",
            super::side::show(spec.statement_timeout)
        ),
        _ => e.to_string(),
    };
    let path = path_of(&spec.url);
    let mut msg = redact(&msg, &spec.url);
    if !path.is_empty() {
        msg = msg.replace(path, "<file>");
    }
    Failure::new(format!(
        "{}: {what}: {}",
        spec.side,
        crate::core::sanitize::inert_short(&msg, 160)
    ))
}

impl Lite {
    /// Opens the file read-only. A missing file is named by the variable
    /// that holds the URL, never by its path.
    pub async fn open(spec: &SideSpec) -> Result<Lite, Failure> {
        let path = path_of(&spec.url).to_string();
        if path.is_empty() {
            return Err(Failure::new(format!(
                "{}: the SQLite URL in {} names no file (sqlite://FILE)",
                spec.side, spec.env
            )));
        }
        let exists = tokio::fs::try_exists(&path).await.unwrap_or(false);
        if !exists {
            return Err(Failure::new(format!(
                "{}: the SQLite file named by {} does not exist",
                spec.side, spec.env
            )));
        }
        let s = spec.clone();
        let opened = tokio::task::spawn_blocking(move || {
            let conn = Connection::open_with_flags(
                &path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| fail(&s, "cannot open", &e))?;
            conn.execute_batch("PRAGMA query_only = ON")
                .map_err(|e| fail(&s, "session setup", &e))?;
            register(&conn).map_err(|e| fail(&s, "session setup", &e))?;
            Ok::<_, Failure>(conn)
        })
        .await
        .map_err(|_| Failure::new(format!("{}: opening the file failed", spec.side)))??;
        Ok(Lite {
            interrupt: opened.get_interrupt_handle(),
            conn: Arc::new(Mutex::new(opened)),
        })
    }

    /// Runs `f` on the blocking pool; interrupts it after the statement timeout.
    async fn blocking<T: Send + 'static>(
        &self,
        spec: &SideSpec,
        what: &'static str,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, Failure> {
        let conn = Arc::clone(&self.conn);
        let mut task = tokio::task::spawn_blocking(move || match conn.lock() {
            Ok(c) => Ok(f(&c)),
            Err(_) => Err(()),
        });
        // dropped before the statement returns (the whole comparison's
        // deadline, a cancelled attempt): interrupt it rather than let it run on
        let mut guard = InterruptOnDrop {
            handle: &self.interrupt,
            armed: true,
        };
        let joined = match tokio::time::timeout(spec.statement_timeout, &mut task).await {
            Ok(j) => j,
            Err(_) => {
                // the statement sees the interrupt at its next step and returns
                self.interrupt.interrupt();
                task.await
            }
        };
        guard.armed = false;
        match joined {
            Ok(Ok(Ok(v))) => Ok(v),
            Ok(Ok(Err(e))) => Err(fail(spec, what, &e)),
            Ok(Err(())) | Err(_) => Err(Failure::new(format!(
                "{}: {what}: the connection was lost",
                spec.side
            ))),
        }
    }

    /// Runs `sql` and returns every row as text cells.
    pub async fn query(&self, spec: &SideSpec, sql: &str) -> Result<Vec<TextRow>, Failure> {
        let sql = sql.to_string();
        self.blocking(spec, "query failed", move |c| {
            let mut stmt = c.prepare(&sql)?;
            let n = stmt.column_count();
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let mut cells = Vec::with_capacity(n);
                for i in 0..n {
                    cells.push(cell_text(row.get_ref(i)?));
                }
                out.push(cells);
            }
            Ok(out)
        })
        .await
    }

    /// The columns of `sql` with the family of each one's declared type.
    pub async fn describe(
        &self,
        spec: &SideSpec,
        sql: &str,
    ) -> Result<Vec<(String, Family)>, Failure> {
        let sql = sql.to_string();
        self.blocking(spec, "cannot read the columns", move |c| {
            let stmt = c.prepare(&sql)?;
            Ok(stmt
                .columns()
                .map(|col| (col.name().to_string(), decl_family(col.decl_type())))
                .collect())
        })
        .await
    }
}

/// Interrupts the connection's running statement when dropped while armed.
struct InterruptOnDrop<'a> {
    handle: &'a InterruptHandle,
    armed: bool,
}

impl Drop for InterruptOnDrop<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.handle.interrupt();
        }
    }
}

/// A result cell as text (the segment queries return text already).
fn cell_text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Some(hex::encode(b)),
    }
}

/// The family of a declared column type, by SQLite's affinity rules plus
/// the names other engines use for dates, times and booleans.
pub fn decl_family(decl: Option<&str>) -> Family {
    let Some(d) = decl else {
        return Family::Other;
    };
    let d = d.to_ascii_uppercase();
    let has = |s: &str| d.contains(s);
    if has("BOOL") {
        Family::Bool
    } else if has("TIMESTAMPTZ") || has("WITH TIME ZONE") {
        Family::TimestampTz
    } else if has("DATETIME") || has("TIMESTAMP") {
        Family::Timestamp
    } else if has("DATE") {
        Family::Date
    } else if has("TIME") {
        Family::Time
    } else if has("INT") {
        Family::Int
    } else if has("CHAR") || has("CLOB") || has("TEXT") {
        Family::Text
    } else if has("BLOB") || has("BINARY") || has("BYTEA") {
        Family::Bytes
    } else if has("REAL") || has("FLOA") || has("DOUB") {
        Family::Float
    } else if has("DEC") || has("NUMERIC") {
        Family::Decimal
    } else {
        Family::Other
    }
}

/// The 60-bit row hash: the first 15 hex digits of MD5, as the other engines compute it.
fn h60(bytes: &[u8]) -> i128 {
    let d = Md5::digest(bytes);
    let mut first = [0u8; 8];
    first.copy_from_slice(&d[..8]);
    (u64::from_be_bytes(first) >> 4) as i128
}

fn text_arg<'a>(ctx: &'a Context<'_>, i: usize) -> &'a [u8] {
    match ctx.get_raw(i) {
        ValueRef::Text(t) | ValueRef::Blob(t) => t,
        _ => &[],
    }
}

struct HashSum;

impl Aggregate<i128, String> for HashSum {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<i128> {
        Ok(0)
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut i128) -> rusqlite::Result<()> {
        *acc += h60(text_arg(ctx, 0));
        Ok(())
    }

    fn finalize(&self, _: &mut Context<'_>, acc: Option<i128>) -> rusqlite::Result<String> {
        Ok(acc.unwrap_or(0).to_string())
    }
}

/// Registers the functions the segment queries call.
fn register(c: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    c.create_scalar_function("cutover_canon", 2, flags, |ctx| {
        let family = match ctx.get_raw(1) {
            ValueRef::Text(t) => Family::of_code(&String::from_utf8_lossy(t)),
            _ => Family::Other,
        };
        Ok(canon(ctx.get_raw(0), family))
    })?;
    c.create_scalar_function("cutover_md5", 1, flags, |ctx| {
        Ok(hex::encode(Md5::digest(text_arg(ctx, 0))))
    })?;
    c.create_scalar_function("cutover_h60", 1, flags, |ctx| {
        Ok(h60(text_arg(ctx, 0)) as i64)
    })?;
    c.create_aggregate_function("cutover_hashsum", 1, flags, HashSum)
}

/// Decimal text without trailing fractional zeros (1.50 and 1.5 are one value).
fn trim_scale(s: &str) -> String {
    let t = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    };
    match t {
        "-0" | "" => "0".to_string(),
        t => t.to_string(),
    }
}

/// A float rounded to 9 decimals, as PostgreSQL's `round(x::numeric, 9)`.
fn float_text(f: f64) -> String {
    trim_scale(&format!("{f:.9}"))
}

/// The canonical text of one SQLite value read as `family` (NULL stays
/// NULL). Text that does not parse as the family's type keeps its own text,
/// so it differs from any well-formed value on the other side.
pub fn canon(v: ValueRef<'_>, family: Family) -> Option<String> {
    let text = |t: &[u8]| String::from_utf8_lossy(t).into_owned();
    Some(match (family, v) {
        (_, ValueRef::Null) => return None,
        (Family::Bytes, ValueRef::Blob(b) | ValueRef::Text(b)) => hex::encode(b),
        (_, ValueRef::Blob(b)) => hex::encode(b),
        (Family::Bool, ValueRef::Integer(i)) => u8::from(i != 0).to_string(),
        (Family::Bool, ValueRef::Real(f)) => u8::from(f != 0.0).to_string(),
        (Family::Bool, ValueRef::Text(t)) => match text(t).trim().to_ascii_lowercase().as_str() {
            "1" | "t" | "true" | "y" | "yes" | "on" => "1".into(),
            "0" | "f" | "false" | "n" | "no" | "off" => "0".into(),
            _ => text(t),
        },
        (Family::Int, ValueRef::Real(f)) if f.fract() == 0.0 && f.abs() < 9.2e18 => {
            (f as i64).to_string()
        }
        (Family::Float, ValueRef::Real(f)) => float_text(f),
        (Family::Float, ValueRef::Text(t)) => match text(t).trim().parse::<f64>() {
            Ok(f) => float_text(f),
            Err(_) => text(t),
        },
        // the shortest text that reads back as the same double, no exponent
        (Family::Decimal, ValueRef::Real(f)) => trim_scale(&f.to_string()),
        (Family::Decimal, ValueRef::Text(t)) => trim_scale(text(t).trim()),
        (Family::Date, ValueRef::Text(t)) => match parse_datetime(&text(t), false) {
            Some(dt) => format_date(dt.date()),
            None => text(t),
        },
        (Family::Timestamp | Family::TimestampTz, ValueRef::Text(t)) => {
            match parse_datetime(&text(t), true) {
                Some(dt) => format_timestamp(dt),
                None => text(t),
            }
        }
        // numbers in a date or timestamp column: Unix seconds
        (Family::Date | Family::Timestamp | Family::TimestampTz, ValueRef::Integer(i)) => {
            match unix(i as f64) {
                Some(dt) if family == Family::Date => format_date(dt.date()),
                Some(dt) => format_timestamp(dt),
                None => i.to_string(),
            }
        }
        (Family::Date | Family::Timestamp | Family::TimestampTz, ValueRef::Real(f)) => {
            match unix(f) {
                Some(dt) if family == Family::Date => format_date(dt.date()),
                Some(dt) => format_timestamp(dt),
                None => f.to_string(),
            }
        }
        (Family::Time, ValueRef::Text(t)) => match parse_time(text(t).trim()) {
            Some((tm, _)) => format_time(tm),
            None => text(t),
        },
        (_, ValueRef::Integer(i)) => i.to_string(),
        (_, ValueRef::Real(f)) => f.to_string(),
        (_, ValueRef::Text(t)) => text(t),
    })
}

fn unix(secs: f64) -> Option<time::PrimitiveDateTime> {
    let nanos = (secs * 1e9).round() as i128;
    let dt = time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?;
    Some(round_micros(time::PrimitiveDateTime::new(
        dt.date(),
        dt.time(),
    )))
}

fn round_micros(dt: time::PrimitiveDateTime) -> time::PrimitiveDateTime {
    let nanos = dt.nanosecond() as i64;
    let rounded = (nanos + 500) / 1000 * 1000;
    dt.replace_nanosecond(0)
        .map(|d| d + time::Duration::nanoseconds(rounded))
        .unwrap_or(dt)
}

fn format_date(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

fn format_time(t: time::Time) -> String {
    format!(
        "{:02}:{:02}:{:02}.{:06}",
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

fn format_timestamp(dt: time::PrimitiveDateTime) -> String {
    format!("{}T{}", format_date(dt.date()), format_time(dt.time()))
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// `HH:MM[:SS[.fraction]]` and the rest of the text; the fraction is
/// rounded to microseconds (as PostgreSQL stores it).
fn parse_time(s: &str) -> Option<(time::Time, &str)> {
    let h = digits(s.get(0..2)?, 2)?;
    if s.get(2..3)? != ":" {
        return None;
    }
    let m = digits(s.get(3..5)?, 2)?;
    let mut rest = &s[5..];
    let mut sec = 0;
    if let Some(r) = rest.strip_prefix(':') {
        sec = digits(r.get(0..2)?, 2)?;
        rest = &r[2..];
    }
    let mut nanos: u64 = 0;
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        let frac = &r[..n];
        let mut padded: String = frac.chars().take(9).collect();
        while padded.len() < 9 {
            padded.push('0');
        }
        nanos = padded.parse().ok()?;
        // a tenth digit and beyond only rounds
        if frac.as_bytes().get(9).is_some_and(|d| *d >= b'5') {
            nanos += 1;
        }
        rest = &r[n..];
    }
    let micros = (nanos + 500) / 1000;
    let base = time::Time::from_hms(h as u8, m as u8, sec as u8).ok()?;
    if micros >= 1_000_000 {
        // rounding carried into the next second: keep it exact for the common case
        let t = base + time::Duration::seconds(1);
        return Some((t, rest));
    }
    let t = base.replace_microsecond(micros as u32).ok()?;
    Some((t, rest))
}

/// `YYYY-MM-DD[( |T)HH:MM[:SS[.f]]][Z|±HH[:MM]]`, shifted to UTC when an
/// offset is given. `with_time = false` reads only the date part.
fn parse_datetime(s: &str, with_time: bool) -> Option<time::PrimitiveDateTime> {
    let s = s.trim();
    let y = digits(s.get(0..4)?, 4)?;
    let mo = digits(s.get(5..7)?, 2)?;
    let d = digits(s.get(8..10)?, 2)?;
    if s.get(4..5)? != "-" || s.get(7..8)? != "-" {
        return None;
    }
    let month = time::Month::try_from(mo as u8).ok()?;
    let date = time::Date::from_calendar_date(y as i32, month, d as u8).ok()?;
    let rest = &s[10..];
    if !with_time || rest.is_empty() {
        return Some(time::PrimitiveDateTime::new(date, time::Time::MIDNIGHT));
    }
    let rest = rest.strip_prefix([' ', 'T', 't'])?;
    let (tm, tail) = parse_time(rest)?;
    // a second carried past midnight by rounding
    let date = if tm < time::Time::from_hms(0, 0, 1).ok()? && rest.starts_with("23:59:59") {
        date.next_day()?
    } else {
        date
    };
    let dt = time::PrimitiveDateTime::new(date, tm);
    let tail = tail.trim();
    let offset_secs: i64 = if tail.is_empty() || tail.eq_ignore_ascii_case("z") {
        0
    } else {
        let sign = match tail.as_bytes().first()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let hm = tail[1..].replace(':', "");
        let (h, m) = match hm.len() {
            2 => (digits(&hm, 2)?, 0),
            4 => (digits(&hm[..2], 2)?, digits(&hm[2..], 2)?),
            _ => return None,
        };
        sign * (h as i64 * 3600 + m as i64 * 60)
    };
    Some(dt - time::Duration::seconds(offset_secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> ValueRef<'_> {
        ValueRef::Text(s.as_bytes())
    }

    #[test]
    fn canonical_texts_match_the_server_engines() {
        use Family::*;
        let c = |v, f| canon(v, f);
        assert_eq!(c(ValueRef::Integer(42), Int).as_deref(), Some("42"));
        assert_eq!(c(ValueRef::Null, Text), None);
        assert_eq!(c(t(""), Text).as_deref(), Some(""));
        assert_eq!(c(ValueRef::Real(1.5), Decimal).as_deref(), Some("1.5"));
        assert_eq!(c(ValueRef::Integer(2), Decimal).as_deref(), Some("2"));
        assert_eq!(c(t("12.50"), Decimal).as_deref(), Some("12.5"));
        assert_eq!(c(t("12.00"), Decimal).as_deref(), Some("12"));
        assert_eq!(c(ValueRef::Real(0.1), Float).as_deref(), Some("0.1"));
        assert_eq!(c(ValueRef::Integer(1), Bool).as_deref(), Some("1"));
        assert_eq!(c(t("false"), Bool).as_deref(), Some("0"));
        assert_eq!(
            c(ValueRef::Blob(&[0xde, 0xad]), Bytes).as_deref(),
            Some("dead")
        );
        assert_eq!(c(t("2023-04-05"), Date).as_deref(), Some("2023-04-05"));
        assert_eq!(
            c(t("2024-01-02 03:04:05.5"), Timestamp).as_deref(),
            Some("2024-01-02T03:04:05.500000")
        );
        assert_eq!(
            c(t("2024-01-02T03:04"), Timestamp).as_deref(),
            Some("2024-01-02T03:04:00.000000")
        );
        assert_eq!(
            c(t("2024-01-02 01:00:00+02:00"), TimestampTz).as_deref(),
            Some("2024-01-01T23:00:00.000000")
        );
        assert_eq!(
            c(ValueRef::Integer(0), TimestampTz).as_deref(),
            Some("1970-01-01T00:00:00.000000")
        );
        assert_eq!(
            c(t("2024-01-02 03:04:05.1234567"), Timestamp).as_deref(),
            Some("2024-01-02T03:04:05.123457")
        );
        assert_eq!(
            c(t("07:08:09.000001"), Time).as_deref(),
            Some("07:08:09.000001")
        );
        // not a timestamp: its own text, so it differs from any real one
        assert_eq!(c(t("yesterday"), Timestamp).as_deref(), Some("yesterday"));
    }

    #[test]
    fn declared_types_map_to_families() {
        assert_eq!(decl_family(Some("INTEGER")), Family::Int);
        assert_eq!(decl_family(Some("bigint")), Family::Int);
        assert_eq!(decl_family(Some("varchar(20)")), Family::Text);
        assert_eq!(decl_family(Some("NUMERIC(10,2)")), Family::Decimal);
        assert_eq!(decl_family(Some("DATETIME")), Family::Timestamp);
        assert_eq!(decl_family(Some("timestamptz")), Family::TimestampTz);
        assert_eq!(decl_family(Some("DATE")), Family::Date);
        assert_eq!(decl_family(Some("BOOLEAN")), Family::Bool);
        assert_eq!(decl_family(None), Family::Other);
    }

    #[test]
    fn hash_is_the_first_sixty_bits_of_md5() {
        // md5("") = d41d8cd98f00b204e9800998ecf8427e
        assert_eq!(h60(b""), 0xd41d8cd98f00b20);
    }
}
