//! Reads a certificate's expiry (`notAfter`) from its DER bytes.
//!
//! A full X.509 parser would be another dependency for one field; the path to
//! `notAfter` is fixed by RFC 5280, so a small DER walker suffices.

use crate::core::time::Ts;

/// One DER element: tag, and the content bytes; `rest` follows it.
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
    rest: &'a [u8],
}

fn read_tlv(b: &[u8]) -> Option<Tlv<'_>> {
    let tag = *b.first()?;
    let first = *b.get(1)? as usize;
    let (len, hdr) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *b.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    Some(Tlv {
        tag,
        content: b.get(hdr..end)?,
        rest: b.get(end..)?,
    })
}

/// `notAfter` of a DER-encoded X.509 certificate, or `None` if it cannot be read.
pub fn not_after(der: &[u8]) -> Option<Ts> {
    let cert = read_tlv(der)?; // Certificate ::= SEQUENCE
    let tbs = read_tlv(cert.content)?; // TBSCertificate ::= SEQUENCE
    let mut cur = tbs.content;
    let mut el = read_tlv(cur)?;
    if el.tag == 0xa0 {
        // [0] EXPLICIT version
        cur = el.rest;
        el = read_tlv(cur)?;
    }
    // serialNumber, signature, issuer, then validity
    for _ in 0..3 {
        cur = el.rest;
        el = read_tlv(cur)?;
    }
    let validity = el;
    let not_before = read_tlv(validity.content)?;
    let not_after = read_tlv(not_before.rest)?;
    parse_time(not_after.tag, not_after.content)
}

/// UTCTime (`YYMMDDHHMMSSZ`, tag 0x17) or GeneralizedTime (`YYYYMMDDHHMMSSZ`, tag 0x18).
fn parse_time(tag: u8, content: &[u8]) -> Option<Ts> {
    let s = std::str::from_utf8(content).ok()?;
    let s = s.strip_suffix('Z')?;
    let (year, rest) = match tag {
        0x17 => {
            let yy: i32 = s.get(0..2)?.parse().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, s.get(2..)?)
        }
        0x18 => (s.get(0..4)?.parse().ok()?, s.get(4..)?),
        _ => return None,
    };
    let num = |r: std::ops::Range<usize>| -> Option<u8> { rest.get(r)?.parse().ok() };
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(num(0..2)?).ok()?, num(2..4)?)
            .ok()?;
    let t = time::Time::from_hms(num(4..6)?, num(6..8)?, num(8..10)?).ok()?;
    let secs = time::PrimitiveDateTime::new(date, t)
        .assume_utc()
        .unix_timestamp();
    Some(Ts(secs.checked_mul(1000)?))
}

/// Days (fractional) from `now` until `not_after`; negative once expired.
pub fn days_left(not_after: Ts, now: Ts) -> f64 {
    (not_after - now).0 as f64 / 86_400_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_time_forms() {
        assert_eq!(
            parse_time(0x17, b"261128220000Z"),
            Ts::parse_rfc3339("2026-11-28T22:00:00Z")
        );
        assert_eq!(
            parse_time(0x18, b"20510101000000Z"),
            Ts::parse_rfc3339("2051-01-01T00:00:00Z")
        );
        assert_eq!(parse_time(0x17, b"garbage"), None);
    }

    #[test]
    fn garbage_der_is_none_not_a_panic() {
        assert_eq!(not_after(&[]), None);
        assert_eq!(not_after(&[0x30, 0x82, 0xff]), None);
        assert_eq!(not_after(&[0x30, 0x03, 0x30, 0x01]), None);
    }

    #[test]
    fn days_left_is_fractional_and_signed() {
        assert_eq!(days_left(Ts(86_400_000), Ts(0)), 1.0);
        assert!(days_left(Ts(0), Ts(43_200_000)) < 0.0);
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_read_without_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = not_after(&bytes);
        }
    }
}
