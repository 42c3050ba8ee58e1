//! Time as the core sees it: passed in, never read from a clock.
//!
//! `Ts` is UTC milliseconds since the Unix epoch; `Dur` is a span in
//! milliseconds. Both are plain integers so that the core stays pure and
//! replays are bit-for-bit deterministic.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A point in time: UTC milliseconds since the Unix epoch.
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Ts(pub i64);

/// A span of time in milliseconds (may be negative only as a result of arithmetic).
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Dur(pub i64);

impl Dur {
    /// No time at all.
    pub const ZERO: Dur = Dur(0);
    /// `s` whole seconds.
    pub fn from_secs(s: i64) -> Dur {
        Dur(s * 1000)
    }
    /// `m` whole minutes.
    pub fn from_mins(m: i64) -> Dur {
        Dur(m * 60_000)
    }
    /// In seconds, with the milliseconds as a fraction.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }
    /// In minutes, with the rest as a fraction.
    pub fn as_mins_f64(self) -> f64 {
        self.0 as f64 / 60_000.0
    }
}

impl std::ops::Add<Dur> for Ts {
    type Output = Ts;
    fn add(self, d: Dur) -> Ts {
        Ts(self.0.saturating_add(d.0))
    }
}
impl std::ops::Sub<Dur> for Ts {
    type Output = Ts;
    fn sub(self, d: Dur) -> Ts {
        Ts(self.0.saturating_sub(d.0))
    }
}
impl std::ops::Sub<Ts> for Ts {
    type Output = Dur;
    fn sub(self, o: Ts) -> Dur {
        Dur(self.0.saturating_sub(o.0))
    }
}
impl std::ops::Add for Dur {
    type Output = Dur;
    fn add(self, o: Dur) -> Dur {
        Dur(self.0.saturating_add(o.0))
    }
}
impl std::ops::Sub for Dur {
    type Output = Dur;
    fn sub(self, o: Dur) -> Dur {
        Dur(self.0.saturating_sub(o.0))
    }
}

/// Why a DURATION string was refused; `offset` is the character index inside the string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DurationError {
    /// Character index of the problem inside the string.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses a DURATION: one or more `INT(ms|s|m|h)` parts, no sign, no spaces ("1h30m", "250ms").
pub fn parse_duration(s: &str) -> Result<Dur, DurationError> {
    let err = |offset: usize, message: &str| DurationError {
        offset,
        message: format!(
            "{message} in duration \"{s}\" (expected parts like \"1h30m\", \"45s\", \"250ms\")"
        ),
    };
    if s.is_empty() {
        return Err(err(0, "empty duration"));
    }
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut total: i64 = 0;
    while i < chars.len() {
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err(err(i, &format!("expected a number, found `{}`", chars[i])));
        }
        let n: i64 = chars[start..i]
            .iter()
            .collect::<String>()
            .parse()
            .map_err(|_| err(start, "number too large"))?;
        let unit_ms = if chars.get(i) == Some(&'m') && chars.get(i + 1) == Some(&'s') {
            i += 2;
            1
        } else {
            match chars.get(i) {
                Some('s') => {
                    i += 1;
                    1000
                }
                Some('m') => {
                    i += 1;
                    60_000
                }
                Some('h') => {
                    i += 1;
                    3_600_000
                }
                Some(c) => return Err(err(i, &format!("unknown unit `{c}`"))),
                None => return Err(err(i, "missing unit (ms, s, m or h)")),
            }
        };
        total = n
            .checked_mul(unit_ms)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| err(start, "duration too large"))?;
    }
    Ok(Dur(total))
}

impl fmt::Display for Dur {
    /// Formats as a DURATION string that `parse_duration` reads back ("1h30m", "0s").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ms = self.0;
        if ms < 0 {
            f.write_str("-")?;
            ms = -ms;
        }
        if ms == 0 {
            return f.write_str("0s");
        }
        let h = ms / 3_600_000;
        let m = (ms / 60_000) % 60;
        let s = (ms / 1000) % 60;
        let rest = ms % 1000;
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 {
            write!(f, "{s}s")?;
        }
        if rest > 0 {
            write!(f, "{rest}ms")?;
        }
        Ok(())
    }
}

impl Ts {
    /// RFC 3339 UTC with milliseconds, e.g. `2026-11-28T22:41:07.113Z`.
    pub fn to_rfc3339(self) -> String {
        let secs = self.0.div_euclid(1000);
        let ms = self.0.rem_euclid(1000);
        match time::OffsetDateTime::from_unix_timestamp(secs) {
            Ok(t) => format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                ms
            ),
            Err(_) => format!("@{}ms", self.0),
        }
    }

    /// Parses RFC 3339 (any offset, any sub-second precision) into UTC milliseconds.
    pub fn parse_rfc3339(s: &str) -> Option<Ts> {
        let t =
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
        let ms = t.unix_timestamp_nanos() / 1_000_000;
        i64::try_from(ms).ok().map(Ts)
    }

    /// A log record's `ts`: exactly `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, three
    /// fraction digits, upper-case `T` and `Z`) naming a real time. The
    /// writer produces nothing else, so the verifier accepts nothing else.
    pub fn parse_log_ts(s: &str) -> Option<Ts> {
        if !has_log_ts_shape(s.as_bytes()) {
            return None;
        }
        Ts::parse_rfc3339(s)
    }

    /// Whether `s` is a log timestamp ([`Ts::parse_log_ts`] would accept
    /// it), without building the time when the answer is plain: a day of
    /// its month (leap years counted) in years 0001-9999 at 00:00:00-23:59:59
    /// is always a real time; anything else (a leap second, year 0000) gets
    /// the full parse. (Days 29-31 used to take the full parse too: that was
    /// most of verify's time stamp cost on logs written late in a month.)
    pub fn is_log_ts(s: &str) -> bool {
        let b = s.as_bytes();
        if !has_log_ts_shape(b) {
            return false;
        }
        // every position read here is an ASCII digit (the shape says so)
        let two = |i: usize| u16::from(b[i] - b'0') * 10 + u16::from(b[i + 1] - b'0');
        let year = two(0) * 100 + two(2);
        let leap =
            year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let days = match two(5) {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => 0,
        };
        let plain = year > 0
            && (1..=days).contains(&two(8))
            && two(11) <= 23
            && two(14) <= 59
            && two(17) <= 59;
        plain || Ts::parse_rfc3339(s).is_some()
    }

    /// `HH:MM:SS` UTC, for compact display.
    pub fn hms(self) -> String {
        let s = self.to_rfc3339();
        s.get(11..19).unwrap_or("??:??:??").to_string()
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` by position: digits and the fixed separators.
fn has_log_ts_shape(b: &[u8]) -> bool {
    b.len() == 24
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The quick check and the full parse never disagree, on times that
        /// are real and on ones that only look like them.
        #[test]
        fn is_log_ts_agrees_with_parse_log_ts(
            y in 1990u32..2100, mo in 0u32..14, d in 0u32..33,
            h in 0u32..26, mi in 0u32..62, se in 0u32..62, ms in 0u32..1000,
        ) {
            let s = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}.{ms:03}Z");
            proptest::prop_assert_eq!(Ts::is_log_ts(&s), Ts::parse_log_ts(&s).is_some(), "{}", s);
        }
    }

    /// Every day of every month (and the days around them) in leap and
    /// common years, century years included: the month table agrees with
    /// the full parse.
    #[test]
    fn is_log_ts_knows_every_month_length() {
        for y in [1900, 1999, 2000, 2023, 2024, 2100, 9999] {
            for mo in 0..=13 {
                for d in 0..=32 {
                    let s = format!("{y:04}-{mo:02}-{d:02}T23:59:59.999Z");
                    assert_eq!(Ts::is_log_ts(&s), Ts::parse_log_ts(&s).is_some(), "{s}");
                }
            }
        }
    }

    #[test]
    fn is_log_ts_refuses_what_parse_log_ts_refuses() {
        for s in [
            "2026-02-29T00:00:00.000Z",
            "2028-02-29T00:00:00.000Z",
            "2026-04-31T00:00:00.000Z",
            "2026-11-28T24:00:00.000Z",
            "2026-11-28T23:59:60.000Z",
            "2026-11-28T22:00:00.000+00:00",
            "2026-11-28T22:00:00Z",
            "2026-11-28 22:00:00.000Z",
            "2026-11-30T23:59:60.000Z",
            "2026-12-31T23:59:60.000Z",
            "2000-02-29T12:00:00.000Z",
            "2100-02-29T12:00:00.000Z",
            "2024-02-29T12:00:00.000Z",
            "2026-06-31T12:00:00.000Z",
            "2026-07-31T12:00:00.000Z",
            "0000-01-01T00:00:00.000Z",
            "２026-11-28T22:00:00.000Z",
        ] {
            assert_eq!(Ts::is_log_ts(s), Ts::parse_log_ts(s).is_some(), "{s}");
        }
        assert!(Ts::is_log_ts("2026-11-28T22:00:00.000Z"));
    }

    #[test]
    fn durations_parse_and_print_back() {
        assert_eq!(parse_duration("1h30m"), Ok(Dur(5_400_000)));
        assert_eq!(parse_duration("250ms"), Ok(Dur(250)));
        assert_eq!(
            parse_duration("10m").map(|d| d.to_string()),
            Ok("10m".into())
        );
        assert_eq!(Dur(5_400_250).to_string(), "1h30m250ms");
    }

    #[test]
    fn bad_durations_name_the_offset() {
        assert_eq!(parse_duration("10x").map_err(|e| e.offset), Err(2));
        assert_eq!(parse_duration("-5m").map_err(|e| e.offset), Err(0));
        assert_eq!(parse_duration("5").map_err(|e| e.offset), Err(1));
        assert!(parse_duration("1h 30m").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn timestamps_round_trip_with_milliseconds() {
        let t = Ts::parse_rfc3339("2026-11-28T22:41:07.113Z");
        assert_eq!(
            t.map(Ts::to_rfc3339),
            Some("2026-11-28T22:41:07.113Z".into())
        );
        assert_eq!(Ts::parse_rfc3339("2026-11-28T23:41:07.113+01:00"), t);
        assert_eq!(Ts::parse_log_ts("2026-11-28T22:41:07.113Z"), t);
        for other in [
            "2026-11-28T23:41:07.113+01:00",
            "2026-11-28t22:41:07.113Z",
            "2026-11-28T22:41:07.113z",
            "2026-11-28T22:41:07.11Z",
            "2026-11-28T22:41:07Z",
            "2026-02-30T22:41:07.113Z",
            "2026-11-28T24:41:07.113Z",
        ] {
            assert_eq!(Ts::parse_log_ts(other), None, "{other}");
        }
    }
}
