//! QIDO-RS-shaped archives of synthetic studies, one per dataset and side,
//! so that the demo (and a test) can drill down into a `dicomweb`
//! reconciliation without an imaging archive. The studies follow from the
//! dataset's name and its knobs (`studies`, and the planted differences
//! `target_missing_instances`, `target_extra_series`, `source_only_studies`,
//! `target_only_studies`); the same knobs give the same archive on every
//! request. Every UID is synthetic (under the pydicom test root).

use crate::sim::scenario::{Knob, Knobs};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The synthetic UID root (pydicom's, for generated test data).
const ROOT: &str = "1.2.826.0.1.3680043.8.498";
/// At most this many studies per archive (a knob is a number from a file).
pub const MAX_STUDIES: u64 = 100_000;

/// One synthetic study: its index (UID and date follow from it) and the
/// instance count of each of its series, in series-number order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Study {
    pub index: u64,
    pub series: Vec<u64>,
}

impl Study {
    pub fn instances(&self) -> u64 {
        self.series.iter().sum()
    }
}

/// One side's archive of one dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Archive {
    /// `ROOT.<dataset number>`: every UID of this dataset starts with it.
    root: String,
    /// Study count of the source (the dates spread over 2024 by index).
    span: u64,
    pub studies: Vec<Study>,
}

fn count_knob(k: &Knobs, name: &str) -> u64 {
    // a ramped knob moves through fractions: a difference exists once it reaches 1
    k.get(name)
        .and_then(Knob::num)
        .filter(|n| n.is_finite() && *n > 0.0)
        .map_or(0, |n| (n.floor() as u64).min(MAX_STUDIES))
}

/// splitmix64: a well-mixed number from any input (structure and planting).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn dataset_number(dataset: &str) -> u64 {
    let h = Sha256::digest(dataset.as_bytes());
    u64::from(u32::from_be_bytes([h[0], h[1], h[2], h[3]]))
}

/// Study `i` as the source holds it: 1 to 3 series of 2 to 5 instances.
fn source_study(seed: u64, i: u64) -> Study {
    let series = 1 + mix(seed ^ i) % 3;
    Study {
        index: i,
        series: (1..=series)
            .map(|se| 2 + mix(seed ^ (i << 8) ^ se) % 4)
            .collect(),
    }
}

impl Archive {
    /// `side`'s archive of `dataset` under these knobs.
    pub fn of(dataset: &str, k: &Knobs, side: &str) -> Archive {
        let number = dataset_number(dataset);
        let n = count_knob(k, "studies");
        let mut studies: Vec<Study> = (0..n).map(|i| source_study(number, i)).collect();
        // the planted studies: distinct, spread over the archive by a fixed shuffle
        let mut order: Vec<u64> = (0..n).collect();
        order.sort_by_key(|i| mix(number.wrapping_mul(31) ^ i));
        let mut planted = order.into_iter();
        let mut take = |name: &str| -> Vec<u64> {
            planted
                .by_ref()
                .take(count_knob(k, name) as usize)
                .collect()
        };
        let missing_instance = take("target_missing_instances");
        let extra_series = take("target_extra_series");
        let source_only = take("source_only_studies");
        if side == "target" {
            for &i in &missing_instance {
                // every series holds at least 2 instances: one is left
                if let Some(last) = studies[i as usize].series.last_mut() {
                    *last -= 1;
                }
            }
            for &i in &extra_series {
                studies[i as usize].series.push(1);
            }
            studies.retain(|s| !source_only.contains(&s.index));
            let extra = count_knob(k, "target_only_studies").min(MAX_STUDIES - n);
            studies.extend((n..n + extra).map(|i| source_study(number, i)));
        }
        Archive {
            root: format!("{ROOT}.{number}"),
            span: n.max(1),
            studies,
        }
    }

    pub fn study_uid(&self, i: u64) -> String {
        format!("{}.{i}", self.root)
    }

    /// The study date, `YYYYMMDD`: the studies spread over 2024 in index
    /// order (a study only on the target falls on 31 December).
    pub fn study_date(&self, i: u64) -> String {
        let day = (i.min(self.span - 1) * 366 / self.span) as u32;
        date_of_2024(day)
    }

    fn find(&self, study_uid: &str) -> Option<&Study> {
        let i: u64 = study_uid
            .strip_prefix(&self.root)?
            .strip_prefix('.')?
            .parse()
            .ok()?;
        self.studies.iter().find(|s| s.index == i)
    }

    /// `GET .../studies`: with NumberOfStudyRelatedSeries/-Instances,
    /// filtered by a `StudyDate` value, paged by `limit`/`offset`.
    pub fn list_studies(&self, params: &[(String, String)]) -> Result<Value, String> {
        let dates = match param(params, "StudyDate") {
            Some(d) => Some(date_range(d)?),
            None => None,
        };
        let offset = number_param(params, "offset")?.unwrap_or(0);
        let limit = number_param(params, "limit")?.unwrap_or(u64::MAX);
        let items: Vec<Value> = self
            .studies
            .iter()
            .filter(|s| {
                let d = self.study_date(s.index);
                dates
                    .as_ref()
                    .is_none_or(|(lo, hi)| d.as_str() >= lo.as_str() && d.as_str() <= hi.as_str())
            })
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|s| {
                json!({
                    "0020000D": {"vr": "UI", "Value": [self.study_uid(s.index)]},
                    "00080020": {"vr": "DA", "Value": [self.study_date(s.index)]},
                    "00201206": {"vr": "IS", "Value": [s.series.len()]},
                    "00201208": {"vr": "IS", "Value": [s.instances()]},
                })
            })
            .collect();
        Ok(Value::Array(items))
    }

    /// `GET .../studies/{study}/series`, with NumberOfSeriesRelatedInstances;
    /// `None` for a study this archive lacks.
    pub fn list_series(&self, study_uid: &str) -> Option<Value> {
        let s = self.find(study_uid)?;
        Some(Value::Array(
            s.series
                .iter()
                .enumerate()
                .map(|(n, count)| {
                    json!({
                        "0020000D": {"vr": "UI", "Value": [study_uid]},
                        "0020000E": {"vr": "UI", "Value": [format!("{study_uid}.{}", n + 1)]},
                        "00201209": {"vr": "IS", "Value": [count]},
                    })
                })
                .collect(),
        ))
    }

    /// `GET .../studies/{study}/series/{series}/instances`; `None` when
    /// there is no such series.
    pub fn list_instances(&self, study_uid: &str, series_uid: &str) -> Option<Value> {
        let s = self.find(study_uid)?;
        let n: usize = series_uid
            .strip_prefix(study_uid)?
            .strip_prefix('.')?
            .parse()
            .ok()?;
        let count = *s.series.get(n.checked_sub(1)?)?;
        Some(Value::Array(
            (1..=count)
                .map(|k| {
                    json!({
                        "0020000E": {"vr": "UI", "Value": [series_uid]},
                        "00080018": {"vr": "UI", "Value": [format!("{series_uid}.{k}")]},
                        "00080016": {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.7"]},
                    })
                })
                .collect(),
        ))
    }
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn number_param(params: &[(String, String)], name: &str) -> Result<Option<u64>, String> {
    param(params, name)
        .map(|v| {
            v.parse()
                .map_err(|_| format!("{name}: expected a whole number"))
        })
        .transpose()
}

fn is_date(s: &str) -> bool {
    s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A QIDO `StudyDate`: `DATE`, `DATE-DATE`, `DATE-`, `-DATE` as an inclusive range.
fn date_range(v: &str) -> Result<(String, String), String> {
    let bad =
        || "StudyDate: expected YYYYMMDD, YYYYMMDD-YYYYMMDD, YYYYMMDD- or -YYYYMMDD".to_string();
    let (lo, hi) = match v.split_once('-') {
        Some((lo, hi)) => (lo, hi),
        None => (v, v),
    };
    let fits = |s: &str| s.is_empty() || is_date(s);
    if (lo.is_empty() && hi.is_empty()) || !fits(lo) || !fits(hi) {
        return Err(bad());
    }
    let lo = if lo.is_empty() { "00000000" } else { lo };
    let hi = if hi.is_empty() { "99999999" } else { hi };
    Ok((lo.to_string(), hi.to_string()))
}

/// Day `day` (0-based) of 2024, a leap year, as `YYYYMMDD`.
fn date_of_2024(day: u32) -> String {
    const MONTHS: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut d = day.min(365);
    for (m, len) in MONTHS.iter().enumerate() {
        if d < *len {
            return format!("2024{:02}{:02}", m + 1, d + 1);
        }
        d -= len;
    }
    "20241231".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn knobs(pairs: &[(&str, f64)]) -> Knobs {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Knob::Num(*v)))
            .collect()
    }

    #[test]
    fn planted_differences_land_on_distinct_studies_of_the_target_only() {
        let k = knobs(&[
            ("studies", 50.0),
            ("target_missing_instances", 2.0),
            ("target_extra_series", 1.0),
            ("source_only_studies", 1.0),
            ("target_only_studies", 1.0),
        ]);
        let s = Archive::of("pacs-archive", &k, "source");
        let t = Archive::of("pacs-archive", &k, "target");
        assert_eq!(s.studies.len(), 50);
        assert_eq!(t.studies.len(), 50);
        let (mut fewer, mut more_series, mut gone) = (0, 0, 0);
        for a in &s.studies {
            match t.studies.iter().find(|b| b.index == a.index) {
                None => gone += 1,
                Some(b) if b.series.len() > a.series.len() => {
                    more_series += 1;
                    assert_eq!(b.instances(), a.instances() + 1);
                }
                Some(b) if b.instances() + 1 == a.instances() => fewer += 1,
                Some(b) => assert_eq!(a, b),
            }
        }
        assert_eq!((fewer, more_series, gone), (2, 1, 1));
        assert!(t.studies.iter().any(|b| b.index == 50));
        // same knobs, same archive; the source ignores what is planted on the target
        assert_eq!(Archive::of("pacs-archive", &k, "target"), t);
        assert_eq!(
            Archive::of("pacs-archive", &knobs(&[("studies", 50.0)]), "source"),
            s
        );
    }

    #[test]
    fn listing_pages_and_filters_by_date() {
        let a = Archive::of("pacs-archive", &knobs(&[("studies", 366.0)]), "source");
        let p = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let page = a
            .list_studies(&p(&[("limit", "100"), ("offset", "300")]))
            .unwrap();
        assert_eq!(page.as_array().map(Vec::len), Some(66));
        let feb = a
            .list_studies(&p(&[("StudyDate", "20240201-20240229")]))
            .unwrap();
        assert_eq!(feb.as_array().map(Vec::len), Some(29));
        assert_eq!(a.study_date(365), "20241231");
        assert_eq!(a.study_date(59), "20240229");
        assert!(a.list_studies(&p(&[("StudyDate", "2024")])).is_err());
        assert!(a.list_studies(&p(&[("limit", "-1")])).is_err());
        let uid = a.study_uid(3);
        let series = a.list_series(&uid).unwrap();
        let first = series[0]["0020000E"]["Value"][0]
            .as_str()
            .unwrap()
            .to_string();
        let n = series[0]["00201209"]["Value"][0].as_u64().unwrap();
        let inst = a.list_instances(&uid, &first).unwrap();
        assert_eq!(inst.as_array().map(|v| v.len() as u64), Some(n));
        assert!(a.list_series(&format!("{uid}9999")).is_none());
        assert!(a.list_instances(&uid, &format!("{uid}.9")).is_none());
    }
}
