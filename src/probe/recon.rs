//! Results of the reconciliation kinds (`sql`, `dicomweb`) as samples under
//! `recon.<dataset>.*`, and their differences as one line of text for the
//! cockpit and the log, every key and UID pseudonymised.

use crate::probe::dicomweb::{DicomResult, StudyDiff};
use crate::probe::exact::{ExactDiffs, ExactKey};
use crate::probe::kinds::Outcome;
use crate::probe::pseudo::pseudonym;
use crate::probe::sql::{DiffKind, Segment, SqlResult};

/// The text a key pseudonym is derived from: key cells joined by `|`, NULL as `\N`.
pub fn key_text(key: &[Option<String>]) -> String {
    key.iter()
        .map(|c| c.as_deref().unwrap_or("\\N"))
        .collect::<Vec<_>>()
        .join("|")
}

fn b(x: bool) -> f64 {
    if x {
        1.0
    } else {
        0.0
    }
}

/// sql: match, count_delta, source/target counts, the row tallies, duration_s.
pub fn sql_outcome(dataset: &str, r: &SqlResult) -> Outcome {
    let mut o = Outcome::default();
    let mut push = |k: &str, v: f64| o.values.push((k.to_string(), v));
    push("match", b(r.matches()));
    push("count_delta", r.target_count as f64 - r.source_count as f64);
    push("source_count", r.source_count as f64);
    push("target_count", r.target_count as f64);
    push("duration_s", r.duration.as_secs_f64());
    if let Some(why) = &r.unsplittable {
        for f in [
            "missing_rows",
            "extra_rows",
            "changed_rows",
            "differing_rows",
            "rows_compared",
        ] {
            o.missing.push(format!("{f}: {why}"));
        }
        o.detail = Some("data differ (count or hash); rows not named".into());
        return o;
    }
    push("missing_rows", r.missing as f64);
    push("extra_rows", r.extra as f64);
    push("changed_rows", r.changed as f64);
    push("differing_rows", (r.missing + r.extra + r.changed) as f64);
    push("rows_compared", r.rows_compared as f64);
    let total = r.missing + r.extra + r.changed;
    if total > 0 {
        let mut parts = Vec::new();
        if let (Some(span), false) = (r.key_span, r.segments.is_empty()) {
            let words: Vec<String> = r.segments.iter().map(|s| segment_word(s, span)).collect();
            parts.push(format!("ranges {}", words.join(" ")));
        }
        for kind in [DiffKind::Missing, DiffKind::Extra, DiffKind::Changed] {
            let keys: Vec<String> = r
                .differences
                .iter()
                .filter(|d| d.kind == kind)
                .map(|d| pseudonym(dataset, &key_text(&d.key)))
                .collect();
            if !keys.is_empty() {
                parts.push(format!("{} {}", kind.as_str(), keys.join(" ")));
            }
        }
        let shown = r.differences.len() as u64;
        let more = if shown < total {
            format!(" (+{} more)", total - shown)
        } else {
            String::new()
        };
        o.detail = Some(format!(
            "{total} rows differ: {} missing on target, {} extra on target, {} changed; {}{more}",
            r.missing,
            r.extra,
            r.changed,
            parts.join("; ")
        ));
    }
    o
}

/// A differing segment as one word, `LO-HI%:SOURCE/TARGET/DIFFERING`:
/// where it lies in the whole key span, in percent, never its keys (they
/// are patient-adjacent), and its row counts. Counts carry thousands
/// separators and percentages at most 3 decimals, so no run of digits in
/// the word is long enough to pass for a key.
pub fn segment_word(s: &Segment, (lo, hi): (i64, i64)) -> String {
    let width = (hi as f64 - lo as f64).max(1.0);
    let at = |k: i64| ((k as f64 - lo as f64) / width * 100.0).clamp(0.0, 100.0);
    let (a, b) = (at(s.lo), at(s.hi));
    // as many decimals as the segment's width needs (a little slack for float error)
    let digits = (0..=3usize)
        .find(|d| 10f64.powi(-(*d as i32)) <= (b - a) * 1.000_001)
        .unwrap_or(3);
    format!(
        "{a:.d$}-{b:.d$}%:{}/{}/{}",
        grouped(s.source_rows),
        grouped(s.target_rows),
        grouped(s.differing),
        d = digits
    )
}

/// `1234567` as `1,234,567`.
fn grouped(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The exact differing keys of a sql result (kept in memory, see `exact`).
pub fn sql_exact(r: &SqlResult) -> ExactDiffs {
    ExactDiffs {
        keys: r
            .differences
            .iter()
            .map(|d| ExactKey {
                kind: d.kind.as_str().to_string(),
                value: key_text(&d.key),
            })
            .collect(),
        total: r.missing + r.extra + r.changed,
    }
}

/// The exact differing Study Instance UIDs of a dicomweb result.
pub fn dicomweb_exact(r: &DicomResult) -> ExactDiffs {
    ExactDiffs {
        keys: r
            .differences
            .iter()
            .map(|d| {
                let (kind, uid) = match d {
                    StudyDiff::Missing { uid, .. } => ("missing", uid),
                    StudyDiff::Extra { uid, .. } => ("extra", uid),
                    StudyDiff::Differs { uid, .. } => ("differs", uid),
                };
                ExactKey {
                    kind: kind.to_string(),
                    value: uid.clone(),
                }
            })
            .collect(),
        total: r.studies_missing + r.studies_extra + r.studies_differing,
    }
}

/// dicomweb: match, count_delta (studies), the study and instance tallies.
pub fn dicomweb_outcome(dataset: &str, r: &DicomResult) -> Outcome {
    let mut o = Outcome::default();
    let mut push = |k: &str, v: f64| o.values.push((k.to_string(), v));
    push("match", b(r.matches()));
    push(
        "count_delta",
        r.studies_target as f64 - r.studies_source as f64,
    );
    push("studies_source", r.studies_source as f64);
    push("studies_target", r.studies_target as f64);
    push("studies_missing", r.studies_missing as f64);
    push("studies_extra", r.studies_extra as f64);
    push("studies_differing", r.studies_differing as f64);
    push("instances_missing", r.instances_missing as f64);
    push("instances_extra", r.instances_extra as f64);
    if !r.matches() {
        let parts: Vec<String> = r
            .differences
            .iter()
            .map(|d| match d {
                StudyDiff::Missing { uid, instances } => {
                    format!("study {} only on source ({instances} instances)", pseudonym(dataset, uid))
                }
                StudyDiff::Extra { uid, instances } => {
                    format!("study {} only on target ({instances} instances)", pseudonym(dataset, uid))
                }
                StudyDiff::Differs {
                    uid,
                    source,
                    target,
                    series_missing,
                    series_extra,
                } => format!(
                    "study {}: {} series / {} instances on source, {} / {} on target ({series_missing} series missing, {series_extra} extra)",
                    pseudonym(dataset, uid),
                    source.series,
                    source.instances,
                    target.series,
                    target.instances
                ),
            })
            .collect();
        let total = r.studies_missing + r.studies_extra + r.studies_differing;
        let more = if (parts.len() as u64) < total {
            format!(" (+{} more)", total - parts.len() as u64)
        } else {
            String::new()
        };
        o.detail = Some(format!(
            "{total} studies differ: {}{more}",
            parts.join("; ")
        ));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::sql::Difference;

    fn value(o: &Outcome, k: &str) -> Option<f64> {
        o.values.iter().find(|(n, _)| n == k).map(|(_, v)| *v)
    }

    #[test]
    fn differing_segments_are_named_by_their_place_in_the_key_span_not_their_keys() {
        let r = SqlResult {
            source_count: 1_000_000,
            target_count: 999_999,
            missing: 1,
            changed: 2,
            rows_compared: 1_000_000,
            key_span: Some((1, 1_000_001)),
            segments: vec![
                Segment {
                    lo: 333_001,
                    hi: 335_001,
                    source_rows: 2000,
                    target_rows: 2000,
                    differing: 2,
                },
                Segment {
                    lo: 666_001,
                    hi: 667_001,
                    source_rows: 1000,
                    target_rows: 999,
                    differing: 1,
                },
            ],
            ..SqlResult::default()
        };
        let d = sql_outcome("adt", &r).detail.unwrap();
        assert_eq!(
            d,
            "3 rows differ: 1 missing on target, 0 extra on target, 2 changed; \
             ranges 33.3-33.5%:2,000/2,000/2 66.6-66.7%:1,000/999/1 (+3 more)"
        );
        // ends closer than a tenth of a percent get more decimals, at most 3
        let thin = Segment {
            lo: 500_000,
            hi: 500_010,
            ..Segment::default()
        };
        assert_eq!(segment_word(&thin, (0, 1_000_000)), "50.000-50.001%:0/0/0");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }

    #[test]
    fn sql_outcome_counts_and_pseudonymises() {
        let r = SqlResult {
            source_count: 10,
            target_count: 10,
            missing: 1,
            extra: 1,
            changed: 1,
            rows_compared: 11,
            differences: vec![
                Difference {
                    kind: DiffKind::Missing,
                    key: vec![Some("100042".into())],
                },
                Difference {
                    kind: DiffKind::Extra,
                    key: vec![Some("100077".into())],
                },
            ],
            ..SqlResult::default()
        };
        let o = sql_outcome("adt", &r);
        assert_eq!(value(&o, "match"), Some(0.0));
        assert_eq!(value(&o, "differing_rows"), Some(3.0));
        assert_eq!(value(&o, "count_delta"), Some(0.0));
        let d = o.detail.unwrap();
        assert!(
            d.starts_with(
                "3 rows differ: 1 missing on target, 1 extra on target, 1 changed; missing #"
            ),
            "{d}"
        );
        assert!(d.ends_with("(+1 more)"), "{d}");
        assert!(!d.contains("100042") && !d.contains("100077"), "{d}");
        let same = SqlResult {
            source_count: 5,
            target_count: 5,
            rows_compared: 5,
            ..SqlResult::default()
        };
        let o = sql_outcome("adt", &same);
        assert_eq!(value(&o, "match"), Some(1.0));
        assert_eq!(o.detail, None);
    }
}
