//! Reconciliation probes that connect to both systems themselves:
//! `kind = "sql"` (two databases) and `kind = "dicomweb"` (two QIDO-RS
//! archives). Connection URLs and credentials are only NAMES of environment
//! variables here; their values are read by the probe at run time.
//!
//! ```toml
//! [[probe]]
//! kind = "sql"
//! dataset = "adt-encounters"
//! source_url_env = "SRC_EHR_DB"
//! target_url_env = "TGT_EHR_DB"
//! table = "encounters"          # or: query = "SELECT ..."
//! key = ["encounter_id"]
//! columns = ["patient_ref", "admitted_at", "status"]
//! where = "admitted_at >= '2020-01-01'"
//! statement_timeout = "30s"
//! ```

use crate::diag;
use crate::span::Pos;
use crate::time::Dur;
use crate::tomlread::{Reader, Spanned, Tbl};

pub(super) const SQL_KEYS: &[&str] = &[
    "dataset",
    "source_url_env",
    "target_url_env",
    "table",
    "query",
    "key",
    "columns",
    "where",
    "statement_timeout",
    "concurrency",
    "target_query_time",
    "max_differences",
];
pub(super) const DICOMWEB_KEYS: &[&str] = &[
    "dataset",
    "source_url",
    "target_url",
    "basic_env",
    "study_date",
    "page_size",
    "max_differences",
];

/// Fields of `recon.<dataset>.*` that a `checksum` probe writes.
pub const RECON_FIELDS: &[&str] = &[
    "source_count",
    "target_count",
    "count_delta",
    "match",
    "mismatched_buckets",
    "checksum_ok",
];
/// Fields a `sql` probe adds to `recon.<dataset>.*`.
pub const SQL_FIELDS: &[&str] = &[
    "missing_rows",
    "extra_rows",
    "changed_rows",
    "differing_rows",
    "rows_compared",
    "duration_s",
];
/// Fields a `dicomweb` probe adds to `recon.<dataset>.*`.
pub const DICOMWEB_FIELDS: &[&str] = &[
    "studies_source",
    "studies_target",
    "studies_missing",
    "studies_extra",
    "studies_differing",
    "instances_missing",
    "instances_extra",
];
/// Fields every reconciliation kind writes.
pub const RECON_COMMON_FIELDS: &[&str] = &["match", "count_delta", "checksum_ok"];

/// What a `sql` probe reads on each side.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlSource {
    /// A table (or view), optionally `schema.table`.
    Table(String),
    /// A read-only query giving the same columns on both sides.
    Query(String),
}

/// `kind = "sql"`.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlProbe {
    /// `dataset`: the middle segment of the metric names (`recon.<dataset>.match`).
    pub dataset: String,
    /// NAME of the variable holding the source's connection URL.
    pub source_url_env: String,
    /// NAME of the variable holding the target's connection URL.
    pub target_url_env: String,
    /// `table` or `query`: what is read on both sides.
    pub source: SqlSource,
    /// Key columns; the first one splits the key space when it is an integer.
    pub key: Vec<String>,
    /// Compared columns; empty = every column but the key.
    pub columns: Vec<String>,
    /// An SQL condition applied on both sides.
    pub where_: Option<String>,
    /// Per statement, enforced by the database server.
    pub statement_timeout: Dur,
    /// Queries running at once on each side.
    pub concurrency: u32,
    /// What one segment query should take; segment sizes follow from it.
    pub target_query_time: Dur,
    /// Differing keys kept per result (the counts are always complete).
    pub max_differences: u32,
}

/// `kind = "dicomweb"`.
#[derive(Debug, Clone, PartialEq)]
pub struct DicomwebProbe {
    /// `dataset`: the middle segment of the metric names (`recon.<dataset>.match`).
    pub dataset: String,
    /// QIDO-RS base URLs (e.g. `http://127.0.0.1:8042/dicom-web`).
    pub source_url: String,
    /// `target_url`: the target archive's QIDO-RS base URL.
    pub target_url: String,
    /// NAME of a variable holding `user:password` (HTTP basic).
    pub basic_env: Option<String>,
    /// A QIDO StudyDate value: `YYYYMMDD`, `YYYYMMDD-YYYYMMDD`, open ranges.
    pub study_date: Option<String>,
    /// Studies per QIDO page (`limit`).
    pub page_size: u32,
    /// `max_differences`: differing studies kept per result (default 20; the counts are always complete).
    pub max_differences: u32,
}

/// Whether `s` is a plain SQL identifier (`[A-Za-z_][A-Za-z0-9_$]*`): such
/// names are quoted by the probe, so anything else is refused here.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// Whether `s` is a plain environment variable name.
pub fn is_env_name(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A required or optional variable NAME; a value that is not a name (a URL,
/// a password) is refused without being echoed.
pub(super) fn env_name(
    r: &mut Reader<'_>,
    t: Tbl<'_>,
    key: &str,
    required: bool,
) -> Option<String> {
    let s = if required {
        r.req_str(t, key)?
    } else {
        r.opt_str(t, key)?
    };
    if is_env_name(&s.value) {
        return Some(s.value);
    }
    r.error_help(
        s.pos,
        format!("`{key}` must be the NAME of an environment variable, not its value"),
        Some(format!(
            "e.g. {key} = \"SRC_EHR_DB\", with the secret in that variable"
        )),
    );
    None
}

fn identifiers(r: &mut Reader<'_>, items: Vec<Spanned<String>>, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    for s in items {
        if is_identifier(&s.value) {
            out.push(s.value);
        } else {
            r.error_help(
                s.pos,
                format!(
                    "`{key}`: \"{}\" is not a plain column name",
                    crate::sanitize::inert_short(&s.value, 40)
                ),
                Some("letters, digits, `_` and `$`, not starting with a digit".into()),
            );
        }
    }
    out
}

/// Refuses a second statement smuggled into `query` / `where`.
fn single_statement(r: &mut Reader<'_>, s: &Spanned<String>, key: &str) -> bool {
    let trimmed = s.value.trim_end().trim_end_matches(';');
    if let Some(at) = trimmed.find(';') {
        let pos = r.pos_in_string(s, at);
        r.error(
            pos,
            format!("`{key}` must be a single SQL statement (no `;`)"),
        );
        return false;
    }
    if trimmed.trim().is_empty() {
        r.error(s.pos, format!("`{key}` is empty"));
        return false;
    }
    true
}

fn positive_int(r: &mut Reader<'_>, t: Tbl<'_>, key: &str, default: u32, max: u32) -> u32 {
    let Some((_, item)) = t.table.get_key_value(key) else {
        return default;
    };
    let pos = item.span().map(|s| r.pos(s.start)).unwrap_or(t.pos);
    match item.as_integer() {
        Some(i) if i >= 1 && i <= i64::from(max) => i as u32,
        _ => {
            r.error(
                pos,
                format!("`{key}` must be a whole number from 1 to {max}"),
            );
            default
        }
    }
}

fn positive_dur(r: &mut Reader<'_>, t: Tbl<'_>, key: &str, default: Dur) -> Dur {
    match r.opt_dur(t, key) {
        Some(d) if d.value.0 > 0 => d.value,
        Some(d) => {
            r.error(d.pos, format!("`{key}` must be longer than 0"));
            default
        }
        None => default,
    }
}

/// Reads the keys of a `kind = "sql"` probe (after `check_keys`).
pub(super) fn read_sql(r: &mut Reader<'_>, t: Tbl<'_>, dataset: String) -> SqlProbe {
    let source_url_env = env_name(r, t, "source_url_env", true).unwrap_or_default();
    let target_url_env = env_name(r, t, "target_url_env", true).unwrap_or_default();
    let table = r.opt_str(t, "table");
    let query = r.opt_str(t, "query");
    let source = match (table, query) {
        (Some(tb), None) => {
            if !tb.value.split('.').all(is_identifier) || tb.value.split('.').count() > 2 {
                r.error_help(
                    tb.pos,
                    format!(
                        "`table` \"{}\" is not a plain table name",
                        crate::sanitize::inert_short(&tb.value, 40)
                    ),
                    Some(
                        "e.g. \"encounters\" or \"adt.encounters\"; for anything else use `query`"
                            .into(),
                    ),
                );
            }
            SqlSource::Table(tb.value)
        }
        (None, Some(q)) => {
            single_statement(r, &q, "query");
            SqlSource::Query(q.value.trim_end().trim_end_matches(';').to_string())
        }
        (Some(_), Some(q)) => {
            r.error(q.pos, "set either `table` or `query`, not both");
            SqlSource::Query(q.value)
        }
        (None, None) => {
            let pos = r.anchor(t);
            r.error_help(
                pos,
                "a sql probe needs `table` or `query`",
                Some("e.g. table = \"encounters\"".into()),
            );
            SqlSource::Table(String::new())
        }
    };
    let key_items = r.str_array(t, "key");
    let key_pos = t
        .table
        .get_key_value("key")
        .and_then(|(_, i)| i.span())
        .map(|s| r.pos(s.start));
    let key = identifiers(r, key_items, "key");
    if key.is_empty() {
        match key_pos {
            Some(p) => r.error(p, "`key` needs at least one column"),
            None => {
                let p = r.anchor(t);
                r.error_help(
                    p,
                    "missing key `key` in a sql probe",
                    Some("the columns that identify a row, e.g. key = [\"encounter_id\"]".into()),
                );
            }
        }
    }
    let column_items = r.str_array(t, "columns");
    let mut columns = Vec::new();
    for c in identifiers(r, column_items, "columns") {
        if !key.contains(&c) && !columns.contains(&c) {
            columns.push(c);
        }
    }
    let where_ = r
        .opt_str(t, "where")
        .filter(|w| single_statement(r, w, "where"))
        .map(|w| w.value);
    SqlProbe {
        dataset,
        source_url_env,
        target_url_env,
        source,
        key,
        columns,
        where_,
        statement_timeout: positive_dur(r, t, "statement_timeout", Dur::from_secs(30)),
        concurrency: positive_int(r, t, "concurrency", 2, 16),
        target_query_time: positive_dur(r, t, "target_query_time", Dur::from_secs(2)),
        max_differences: positive_int(r, t, "max_differences", 20, 10_000),
    }
}

/// `StudyDate` as QIDO takes it: a date, or a range with one open end.
fn is_study_date(s: &str) -> bool {
    let date = |d: &str| d.len() == 8 && d.chars().all(|c| c.is_ascii_digit());
    match s.split_once('-') {
        None => date(s),
        Some((a, b)) => (a.is_empty() || date(a)) && (b.is_empty() || date(b)) && s.len() > 1,
    }
}

/// Reads the keys of a `kind = "dicomweb"` probe (after `check_keys`).
pub(super) fn read_dicomweb(
    r: &mut Reader<'_>,
    t: Tbl<'_>,
    dataset: String,
    source_url: String,
    target_url: String,
) -> DicomwebProbe {
    let basic_env = env_name(r, t, "basic_env", false);
    let study_date = r.opt_str(t, "study_date").and_then(|s| {
        if is_study_date(&s.value) {
            Some(s.value)
        } else {
            r.error_help(
                s.pos,
                "`study_date` must be a QIDO date or date range",
                Some("e.g. \"20190101-20191231\", \"20190101-\" or \"20190615\"".into()),
            );
            None
        }
    });
    if let (Some(_), Some((_, item))) = (&basic_env, t.table.get_key_value("bearer_env")) {
        let pos = item.span().map(|s| r.pos(s.start)).unwrap_or(t.pos);
        r.error(pos, "set either `basic_env` or `bearer_env`, not both");
    }
    DicomwebProbe {
        dataset,
        source_url,
        target_url,
        basic_env,
        study_date,
        page_size: positive_int(r, t, "page_size", 500, 10_000),
        max_differences: positive_int(r, t, "max_differences", 20, 10_000),
    }
}

/// An environment variable a probe needs at `status` / `run` time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeededEnv {
    /// The variable's NAME (never its value).
    pub name: String,
    /// The probe that names it.
    pub pos: Pos,
    /// What it is for, e.g. "source_url_env of recon.adt.sql".
    pub what: String,
}

/// Names of variables that are missing (or empty) in `env`, as errors
/// that name the variable and the probe, never a value.
pub fn missing_env(
    config: &super::Config,
    file: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Vec<diag::Diagnostic> {
    config
        .needed_env()
        .into_iter()
        .filter(|n| env(&n.name).is_none_or(|v| v.is_empty()))
        .map(|n| {
            diag::Diagnostic::error(
                file,
                n.pos,
                format!("environment variable {} is not set ({})", n.name, n.what),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::config::{load, ProbeKind};

    const SQL: &str = r#"
[[probe]]
kind = "sql"
dataset = "adt-encounters"
source_url_env = "SRC_EHR_DB"
target_url_env = "TGT_EHR_DB"
table = "encounters"
key = ["encounter_id"]
columns = ["patient_ref", "admitted_at", "status"]
where = "admitted_at >= '2020-01-01'"
interval = "10m"
statement_timeout = "30s"

[[probe]]
kind = "dicomweb"
dataset = "pacs-2019"
source_url = "http://127.0.0.1:8042/dicom-web"
target_url = "http://127.0.0.1:8043/dicom-web"
basic_env = "PACS_BASIC"
study_date = "20190101-20191231"
interval = "15m"
"#;

    #[test]
    fn reads_both_recon_kinds() {
        let c = load("c.toml", SQL).unwrap();
        let ProbeKind::Sql(s) = &c.probes[0].kind else {
            panic!("not sql: {:?}", c.probes[0].kind)
        };
        assert_eq!(s.key, vec!["encounter_id"]);
        assert_eq!(s.columns.len(), 3);
        assert_eq!(s.statement_timeout.0, 30_000);
        assert_eq!(c.probes[0].prefix(), "recon.adt-encounters");
        for m in [
            "recon.adt-encounters.differing_rows",
            "recon.adt-encounters.match",
            "recon.adt-encounters.checksum_ok",
            "recon.pacs-2019.studies_missing",
            "recon.pacs-2019.count_delta",
        ] {
            assert!(c.known_metric(m), "{m}");
        }
        assert!(!c.known_metric("recon.pacs-2019.differing_rows"));
        let ProbeKind::Dicomweb(d) = &c.probes[1].kind else {
            panic!("not dicomweb")
        };
        assert_eq!(d.basic_env.as_deref(), Some("PACS_BASIC"));
        let names: Vec<_> = c.needed_env().into_iter().map(|n| n.name).collect();
        assert_eq!(names, vec!["SRC_EHR_DB", "TGT_EHR_DB", "PACS_BASIC"]);
        let errs = super::missing_env(&c, "c.toml", |v| {
            (v == "TGT_EHR_DB").then(|| "postgres://u:hunter2@h/db".to_string())
        });
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].pos.line, 2);
        assert!(
            errs[0].message.contains("SRC_EHR_DB"),
            "{}",
            errs[0].message
        );
        assert!(!errs.iter().any(|e| e.message.contains("hunter2")));
    }

    fn errors(src: &str) -> Vec<String> {
        load("c.toml", src)
            .unwrap_err()
            .iter()
            .map(|d| format!("{}:{}: {}", d.pos.line, d.pos.col, d.message))
            .collect()
    }

    #[test]
    fn sql_mistakes_are_named_at_their_place() {
        let base = "[[probe]]\nkind = \"sql\"\ndataset = \"d\"\n";
        // a URL where the variable name belongs is refused, and not echoed
        let e = errors(&format!(
            "{base}source_url_env = \"postgres://u:pw@h/db\"\ntarget_url_env = \"T\"\ntable = \"t\"\nkey = [\"id\"]\n"
        ));
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(
            e[0].starts_with("4:18: `source_url_env` must be the NAME"),
            "{e:?}"
        );
        assert!(!e[0].contains("pw@"));
        // no key, no table
        let e = errors(&format!(
            "{base}source_url_env = \"S\"\ntarget_url_env = \"T\"\n"
        ));
        assert!(
            e.iter().any(|m| m.contains("needs `table` or `query`")),
            "{e:?}"
        );
        assert!(e.iter().any(|m| m.contains("missing key `key`")), "{e:?}");
        // a column that is not an identifier, a second statement in `where`
        let e = errors(&format!(
            "{base}source_url_env = \"S\"\ntarget_url_env = \"T\"\ntable = \"t\"\nkey = [\"id; drop\"]\nwhere = \"a = 1; DELETE FROM t\"\n"
        ));
        assert!(e.iter().any(|m| m.starts_with("7:8: `key`")), "{e:?}");
        assert!(
            e.iter()
                .any(|m| m.starts_with("8:15: `where` must be a single")),
            "{e:?}"
        );
        // both table and query
        let e = errors(&format!(
            "{base}source_url_env = \"S\"\ntarget_url_env = \"T\"\ntable = \"t\"\nquery = \"SELECT 1\"\nkey = [\"id\"]\n"
        ));
        assert_eq!(e, vec!["7:9: set either `table` or `query`, not both"]);
    }

    #[test]
    fn dicomweb_mistakes_are_named_at_their_place() {
        let base = "[[probe]]\nkind = \"dicomweb\"\ndataset = \"p\"\nsource_url = \"http://a/dicom-web\"\ntarget_url = \"http://b/dicom-web\"\n";
        let e = errors(&format!("{base}study_date = \"2019-01-01\"\n"));
        assert_eq!(e.len(), 1);
        assert!(e[0].starts_with("6:14: `study_date`"), "{e:?}");
        let e = errors(&format!("{base}basic_env = \"u:p\"\n"));
        assert!(
            e[0].starts_with("6:13: `basic_env` must be the NAME"),
            "{e:?}"
        );
        let e = errors("[[probe]]\nkind = \"dicomweb\"\ndataset = \"p\"\nsource_url = \"ftp://a\"\ntarget_url = \"http://b\"\n");
        assert!(
            e[0].starts_with("4:14: `source_url` must be an http"),
            "{e:?}"
        );
    }
}
