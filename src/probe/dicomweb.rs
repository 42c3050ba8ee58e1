//! `kind = "dicomweb"`: reconciles two imaging archives over QIDO-RS.
//! Lists every study on both sides (paged with `limit`/`offset`, with
//! NumberOfStudyRelatedSeries and NumberOfStudyRelatedInstances), compares
//! per Study Instance UID, and only for studies whose counts differ asks
//! for their series (and, for a series whose count differs, its instances).

use crate::core::config::recon::DicomwebProbe;
use crate::core::time::Dur;
use crate::probe::http::{self, Failure, Fetched};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const STUDY_UID: &str = "0020000D";
const SERIES_UID: &str = "0020000E";
const SOP_UID: &str = "00080018";
const STUDY_SERIES: &str = "00201206";
const STUDY_INSTANCES: &str = "00201208";
const SERIES_INSTANCES: &str = "00201209";

/// How to reach both archives.
pub struct Qido<'a> {
    pub client: &'a reqwest::Client,
    pub probe: &'a DicomwebProbe,
    /// `Authorization` header value, if any (never logged).
    pub auth: Option<String>,
    /// Per request.
    pub timeout: Dur,
}

/// One study as listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StudyCounts {
    pub series: u64,
    pub instances: u64,
}

/// How one study differs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum StudyDiff {
    /// Only on the source (instances it holds).
    Missing { uid: String, instances: u64 },
    /// Only on the target.
    Extra { uid: String, instances: u64 },
    /// On both, with other counts.
    Differs {
        uid: String,
        source: StudyCounts,
        target: StudyCounts,
        /// Series only on one side: (missing on target, extra on target).
        series_missing: u64,
        series_extra: u64,
    },
}

impl PartialOrd for StudyCounts {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for StudyCounts {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.series, self.instances).cmp(&(other.series, other.instances))
    }
}

/// The outcome of one comparison.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DicomResult {
    pub studies_source: u64,
    pub studies_target: u64,
    pub studies_missing: u64,
    pub studies_extra: u64,
    pub studies_differing: u64,
    pub instances_missing: u64,
    pub instances_extra: u64,
    /// Requests sent (both sides), listing pages included.
    pub requests: u64,
    /// The first differences (capped).
    pub differences: Vec<StudyDiff>,
}

impl DicomResult {
    pub fn matches(&self) -> bool {
        self.studies_missing + self.studies_extra + self.studies_differing == 0
    }
}

/// A QIDO attribute's first value as text (UIDs) or number (counts; IS may come as a string).
fn first<'v>(obj: &'v Value, tag: &str) -> Option<&'v Value> {
    obj.get(tag)?.get("Value")?.as_array()?.first()
}

fn text_of(obj: &Value, tag: &str) -> Option<String> {
    first(obj, tag)?.as_str().map(str::to_string)
}

/// A DICOM UID (digits and dots, at most 64): anything else from an archive
/// is refused before it becomes part of a request path.
fn uid_of(obj: &Value, tag: &str, side: &str) -> Result<String, Failure> {
    let uid =
        text_of(obj, tag).ok_or_else(|| Failure::new(format!("{side}: an entry without {tag}")))?;
    let ok =
        !uid.is_empty() && uid.len() <= 64 && uid.chars().all(|c| c.is_ascii_digit() || c == '.');
    if ok {
        Ok(uid)
    } else {
        Err(Failure::new(format!("{side}: {tag} is not a DICOM UID")))
    }
}

fn count_of(obj: &Value, tag: &str) -> Option<u64> {
    match first(obj, tag)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn parse_page(f: &Fetched, side: &str) -> Result<Vec<Value>, Failure> {
    match f.status {
        // 204: QIDO's "no match"
        204 => return Ok(Vec::new()),
        200..=299 => {}
        s => return Err(Failure::new(format!("{side}: status {s}"))),
    }
    if f.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let doc: Value = serde_json::from_slice(&f.body)
        .map_err(|_| Failure::new(format!("{side}: not a DICOM JSON answer")))?;
    match doc {
        Value::Array(items) => Ok(items),
        _ => Err(Failure::new(format!("{side}: not a DICOM JSON array"))),
    }
}

impl Qido<'_> {
    async fn get(&self, url: &str, side: &str, requests: &mut u64) -> Result<Vec<Value>, Failure> {
        *requests += 1;
        let mut req = self
            .client
            .get(url)
            .header(reqwest::header::ACCEPT, "application/dicom+json");
        if let Some(a) = &self.auth {
            req = req.header(reqwest::header::AUTHORIZATION, a);
        }
        let f = http::fetch_request(req, self.timeout)
            .await
            .map_err(|e| Failure::new(format!("{side}: {}", e.0)))?;
        parse_page(&f, side)
    }

    fn base(&self, side: &str) -> &str {
        let b = if side == "source" {
            &self.probe.source_url
        } else {
            &self.probe.target_url
        };
        b.trim_end_matches('/')
    }

    /// Every study of one side: UID -> counts.
    async fn studies(
        &self,
        side: &str,
        requests: &mut u64,
    ) -> Result<BTreeMap<String, StudyCounts>, Failure> {
        let limit = self.probe.page_size.max(1) as usize;
        let mut out = BTreeMap::new();
        let mut offset = 0usize;
        loop {
            let mut url = format!(
                "{}/studies?includefield={STUDY_SERIES}&includefield={STUDY_INSTANCES}&limit={limit}&offset={offset}",
                self.base(side)
            );
            if let Some(d) = &self.probe.study_date {
                url.push_str(&format!("&StudyDate={d}"));
            }
            let page = self.get(&url, side, requests).await?;
            let n = page.len();
            let mut new = 0;
            for item in &page {
                let uid = uid_of(item, STUDY_UID, side)?;
                let counts = StudyCounts {
                    series: count_of(item, STUDY_SERIES).unwrap_or(0),
                    instances: count_of(item, STUDY_INSTANCES).unwrap_or(0),
                };
                if out.insert(uid, counts).is_none() {
                    new += 1;
                }
            }
            if n < limit {
                return Ok(out);
            }
            if new == 0 {
                // a server ignoring `offset` would page forever
                return Err(Failure::new(format!(
                    "{side}: QIDO paging returned the same studies again (offset ignored?)"
                )));
            }
            offset += n;
        }
    }

    /// One study's series: UID -> instance count.
    async fn series(
        &self,
        side: &str,
        study: &str,
        requests: &mut u64,
    ) -> Result<BTreeMap<String, u64>, Failure> {
        let url = format!(
            "{}/studies/{study}/series?includefield={SERIES_INSTANCES}",
            self.base(side)
        );
        let mut out = BTreeMap::new();
        for item in self.get(&url, side, requests).await? {
            let uid = uid_of(&item, SERIES_UID, side)?;
            out.insert(uid, count_of(&item, SERIES_INSTANCES).unwrap_or(0));
        }
        Ok(out)
    }

    /// One series' SOP Instance UIDs.
    async fn instances(
        &self,
        side: &str,
        study: &str,
        series: &str,
        requests: &mut u64,
    ) -> Result<BTreeSet<String>, Failure> {
        let url = format!(
            "{}/studies/{study}/series/{series}/instances",
            self.base(side)
        );
        Ok(self
            .get(&url, side, requests)
            .await?
            .iter()
            .filter_map(|i| text_of(i, SOP_UID))
            .collect())
    }

    /// Compares both archives.
    pub async fn compare(&self) -> Result<DicomResult, Failure> {
        let (mut rs, mut rt) = (0u64, 0u64);
        let (s, t) = tokio::join!(
            self.studies("source", &mut rs),
            self.studies("target", &mut rt)
        );
        let (s, t) = (s?, t?);
        let mut r = DicomResult {
            studies_source: s.len() as u64,
            studies_target: t.len() as u64,
            requests: rs + rt,
            ..DicomResult::default()
        };
        let cap = self.probe.max_differences as usize;
        let keep = |r: &mut DicomResult, d: StudyDiff| {
            if r.differences.len() < cap {
                r.differences.push(d);
            }
        };
        for (uid, sc) in &s {
            match t.get(uid) {
                None => {
                    r.studies_missing += 1;
                    r.instances_missing += sc.instances;
                    keep(
                        &mut r,
                        StudyDiff::Missing {
                            uid: uid.clone(),
                            instances: sc.instances,
                        },
                    );
                }
                Some(tc) if tc != sc => {
                    r.studies_differing += 1;
                    let (sm, se) = self.drill(uid, &mut r).await?;
                    keep(
                        &mut r,
                        StudyDiff::Differs {
                            uid: uid.clone(),
                            source: *sc,
                            target: *tc,
                            series_missing: sm,
                            series_extra: se,
                        },
                    );
                }
                Some(_) => {}
            }
        }
        for (uid, tc) in t.iter().filter(|(u, _)| !s.contains_key(*u)) {
            r.studies_extra += 1;
            r.instances_extra += tc.instances;
            keep(
                &mut r,
                StudyDiff::Extra {
                    uid: uid.clone(),
                    instances: tc.instances,
                },
            );
        }
        Ok(r)
    }

    /// Counts the instances one study lacks / has extra on the target;
    /// returns the series missing / extra.
    async fn drill(&self, study: &str, r: &mut DicomResult) -> Result<(u64, u64), Failure> {
        let (mut rs, mut rt) = (0u64, 0u64);
        let (s, t) = tokio::join!(
            self.series("source", study, &mut rs),
            self.series("target", study, &mut rt)
        );
        r.requests += rs + rt;
        let (s, t) = (s?, t?);
        let (mut series_missing, mut series_extra) = (0, 0);
        for (uid, n) in &s {
            match t.get(uid) {
                None => {
                    series_missing += 1;
                    r.instances_missing += n;
                }
                Some(m) if m != n => {
                    let (mut rs, mut rt) = (0u64, 0u64);
                    let (si, ti) = tokio::join!(
                        self.instances("source", study, uid, &mut rs),
                        self.instances("target", study, uid, &mut rt)
                    );
                    r.requests += rs + rt;
                    let (si, ti) = (si?, ti?);
                    r.instances_missing += si.difference(&ti).count() as u64;
                    r.instances_extra += ti.difference(&si).count() as u64;
                }
                Some(_) => {}
            }
        }
        for (_, n) in t.iter().filter(|(u, _)| !s.contains_key(*u)) {
            series_extra += 1;
            r.instances_extra += n;
        }
        Ok((series_missing, series_extra))
    }
}

/// The `Authorization` value from `basic_env` ("user:password") or `bearer_env`.
pub fn auth_header(
    basic_env: Option<&str>,
    bearer_env: Option<&str>,
) -> Result<Option<String>, Failure> {
    if let Some(var) = basic_env {
        return match std::env::var(var) {
            Ok(v) if v.contains(':') => {
                use base64_engine::encode;
                Ok(Some(format!("Basic {}", encode(v.as_bytes()))))
            }
            Ok(v) if !v.is_empty() => Err(Failure::new(format!(
                "basic_env {var} must hold user:password"
            ))),
            _ => Err(Failure::new(format!("basic_env {var} is not set"))),
        };
    }
    Ok(http::bearer_token(bearer_env)?.map(|t| format!("Bearer {t}")))
}

/// Standard base64 (RFC 4648) for the basic credentials: a few lines, not a crate.
mod base64_engine {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                chunk.get(1).copied().unwrap_or(0),
                chunk.get(2).copied().unwrap_or(0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(
            base64_engine::encode(b"Aladdin:open sesame"),
            "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(base64_engine::encode(b"ab"), "YWI=");
        assert_eq!(base64_engine::encode(b""), "");
    }

    #[test]
    fn qido_values_read_as_numbers_or_strings() {
        let v: Value = serde_json::from_str(
            r#"{"0020000D":{"vr":"UI","Value":["1.2.3"]},"00201206":{"vr":"IS","Value":["4"]},"00201208":{"vr":"IS","Value":[17]}}"#,
        )
        .unwrap();
        assert_eq!(text_of(&v, STUDY_UID).as_deref(), Some("1.2.3"));
        assert_eq!(count_of(&v, STUDY_SERIES), Some(4));
        assert_eq!(count_of(&v, STUDY_INSTANCES), Some(17));
        assert_eq!(count_of(&v, SERIES_INSTANCES), None);
    }
}
