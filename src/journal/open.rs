//! What the `open` and `resume` records hold, so replay and report need
//! nothing but the log; secrets never reach it.

use super::record::Record;
use super::torn::TornInfo;
use crate::core::entry::EntryKind;
use crate::core::records::{self, CutAction, OpenBody, ResumeBody, TornBody};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// What `open_existing` found and did before handing the log back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResumeInfo {
    /// A torn last line that was moved aside, if any.
    pub torn: Option<TornInfo>,
    /// An action the log ends inside (see [`cut_action`]).
    pub cut_action: Option<CutAction>,
}

/// Placeholder that replaces a secret value in the logged config.
pub const REDACTED: &str = "<redacted>";

/// Lowercase hex SHA-256 of `text` (the runbook digest the log carries).
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// What the `open` record is made from: both files' text and the paths
/// they were given as (kept so the evidence pack can name them).
#[derive(Debug, Clone, Copy)]
pub struct OpenSource<'a> {
    /// The runbook path as given on the command line.
    pub runbook_path: Option<&'a str>,
    /// The runbook text, verbatim.
    pub runbook_text: &'a str,
    /// The config path as given on the command line.
    pub config_path: Option<&'a str>,
    /// The config text (secrets still in it: redacted here).
    pub config_text: &'a str,
}

/// [`open_record_body`] without paths, as the JSON an entry carries (tests
/// and benches that build a log by hand).
pub fn open_body(runbook_text: &str, config_text: &str, operator: &str, host: &str) -> Value {
    let src = OpenSource {
        runbook_path: None,
        runbook_text,
        config_path: None,
        config_text,
    };
    records::to_value(&open_record_body(src, operator, host))
}

/// The body of the `open` record: the runbook text verbatim, the config text
/// with secrets removed, their SHA-256 digests and paths, operator, host
/// and version. (`chain` is added by [`super::Journal::create`].)
///
/// `config_sha256` is the digest of the redacted text that is logged, so a
/// reviewer can check it and it cannot be used to confirm a guessed secret.
pub fn open_record_body(src: OpenSource<'_>, operator: &str, host: &str) -> OpenBody {
    let (config, note) = match redact_config(src.config_text) {
        Ok(c) => (c, None),
        Err(e) => (
            String::new(),
            Some(format!("config not logged: it is not valid TOML ({e})")),
        ),
    };
    OpenBody {
        runbook: src.runbook_text.to_string(),
        runbook_sha256: sha256_hex(src.runbook_text),
        runbook_path: src.runbook_path.map(str::to_string),
        config_sha256: sha256_hex(&config),
        config,
        config_note: note,
        config_path: src.config_path.map(str::to_string),
        operator: operator.to_string(),
        host: host.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        log_format: 1,
        chain: None,
        rehearsal: false,
        speed: None,
    }
}

/// The body of a `resume` record as the JSON an entry carries.
pub fn resume_body(info: &ResumeInfo, operator: &str, host: &str) -> Value {
    records::to_value(&resume_record_body(info, operator, host))
}

/// The body of a `resume` record: who picked the log up, and any torn last
/// line that was moved aside (its byte offset and where it went).
pub fn resume_record_body(info: &ResumeInfo, operator: &str, host: &str) -> ResumeBody {
    ResumeBody {
        operator: operator.to_string(),
        host: host.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        torn: info.torn.as_ref().map(|t| TornBody {
            offset: t.offset,
            bytes: t.len,
            moved_to: t.moved_to.display().to_string(),
        }),
        cut_action: info.cut_action.clone(),
        speed: None,
    }
}

/// The body of the log's `open` record (record 0), if it reads as one.
pub fn open_record(records: &[Record]) -> Option<OpenBody> {
    let open = records.first().filter(|r| r.kind == EntryKind::Open)?;
    records::read(&open.body)
}

/// The action a crash cut short: a go decision at the end of the log (since
/// the last resume) whose `phase` records are missing. Its effect is taken
/// from the decision itself (see docs/log-format.md, "Actions"); the resume
/// record names it.
pub fn cut_action(records: &[Record]) -> Option<CutAction> {
    let start = records
        .iter()
        .rposition(|r| r.kind == EntryKind::Resume)
        .map_or(0, |i| i + 1);
    let tail = records.get(start..)?;
    let i = tail.iter().rposition(|r| {
        r.kind == EntryKind::Decision && r.body.get("type").and_then(Value::as_str) == Some("go")
    })?;
    let following = tail.get(i + 1..)?.iter().map(|r| r.kind);
    let missing = crate::core::cockpit::records::go_records_missing(&tail[i].body, following);
    (missing > 0).then(|| CutAction {
        seq: tail[i].seq,
        kind: "go".into(),
        missing_records: missing,
    })
}

/// Whether `r` is an `open` record of a rehearsal (`cutover rehearse`).
pub fn is_rehearsal(r: &Record) -> bool {
    r.kind == EntryKind::Open && r.body.get("rehearsal").and_then(Value::as_bool) == Some(true)
}

/// The runbook digest named by the log's `open` record (record 0).
/// `cutover run` refuses a log whose digest differs from the runbook's.
pub fn runbook_digest(records: &[Record]) -> Option<String> {
    Some(open_record(records)?.runbook_sha256).filter(|d| !d.is_empty())
}

/// Key names whose values are secrets. `*_env` keys only name an environment
/// variable (like `bearer_env`), so they are kept.
fn is_secret_key(key: &str, table_path: &[String]) -> bool {
    let k = key.to_ascii_lowercase();
    if k.ends_with("_env") {
        return false;
    }
    let in_webhook = table_path.iter().any(|t| t.contains("webhook"));
    // a token hash lets anyone holding the log test guesses offline: not logged
    let in_token = table_path.first().is_some_and(|t| t == "token");
    if in_token && (k == "sha256" || k.contains("hash")) {
        return true;
    }
    [
        "token",
        "secret",
        "password",
        "passwd",
        "api_key",
        "apikey",
        "credential",
        "private_key",
    ]
    .iter()
    .any(|s| k.contains(s))
        || (in_webhook && (k == "url" || k.ends_with("_url")))
}

/// The config text with every secret value replaced by [`REDACTED`]
/// (re-serialised from its parsed form: comments and layout are not kept).
pub fn redact_config(config_text: &str) -> Result<String, toml::de::Error> {
    let mut table: toml::Table = toml::from_str(config_text)?;
    redact_table(&mut table, &mut Vec::new());
    Ok(toml::to_string(&table).unwrap_or_default())
}

fn redact_table(table: &mut toml::Table, path: &mut Vec<String>) {
    for (key, value) in table.iter_mut() {
        let is_section = matches!(value, toml::Value::Table(_))
            || matches!(value, toml::Value::Array(a) if a.iter().all(toml::Value::is_table) && !a.is_empty());
        if is_secret_key(key, path) && !is_section {
            *value = toml::Value::String(REDACTED.into());
            continue;
        }
        path.push(key.to_ascii_lowercase());
        redact_value(value, path);
        path.pop();
    }
}

fn redact_value(value: &mut toml::Value, path: &mut Vec<String>) {
    match value {
        toml::Value::Table(t) => redact_table(t, path),
        toml::Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, path)),
        toml::Value::String(s) if has_userinfo(s) => *s = REDACTED.into(),
        _ => {}
    }
}

/// `scheme://user:password@host`: credentials inside a URL.
fn has_userinfo(s: &str) -> bool {
    s.split_once("://")
        .map(|(_, rest)| {
            rest.split(['/', '?', '#'])
                .next()
                .unwrap_or("")
                .contains('@')
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
[poll]
interval = "5s"

[[probe]]
side = "target"
system = "pacs"
kind = "health"
url = "https://pacs-new.example.org/healthz"
bearer_env = "PACS_TOKEN"
headers = { api_key = "k-123-secret-value" }

[[probe]]
kind = "prometheus"
url = "https://scraper:hunter2@prom.example.org/metrics"

[[webhook]]
url = "https://hooks.example.org/T000/B000/XXXXSECRET"

[[token]]
role = "follower"
token = "tok-abcdef"

[[token]]
owner = "dana"
sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

[serve]
admin_password = "pw-zyx"
"#;

    #[test]
    fn secrets_are_removed_but_names_and_urls_kept() {
        let out = redact_config(CONFIG).unwrap();
        for secret in [
            "k-123-secret-value",
            "hunter2",
            "XXXXSECRET",
            "tok-abcdef",
            "pw-zyx",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ] {
            assert!(!out.contains(secret), "{secret} leaked:\n{out}");
        }
        assert!(out.contains("PACS_TOKEN"), "{out}");
        assert!(
            out.contains("https://pacs-new.example.org/healthz"),
            "{out}"
        );
        assert!(out.contains("follower"), "{out}");
        assert!(out.contains("dana"), "token owners are kept: {out}");
    }

    #[test]
    fn open_body_carries_digests_and_no_secret() {
        let src = OpenSource {
            runbook_path: Some("runbooks/x.toml"),
            runbook_text: "[runbook]\nname = \"x\"\n",
            config_path: Some("config/x.toml"),
            config_text: CONFIG,
        };
        let typed = open_record_body(src, "dana", "bridge-1");
        assert_eq!(typed.runbook_sha256, sha256_hex(src.runbook_text));
        assert_eq!(typed.operator, "dana");
        assert_eq!(typed.runbook_path.as_deref(), Some("runbooks/x.toml"));
        assert_eq!(typed.config_path.as_deref(), Some("config/x.toml"));
        let body = records::to_value(&typed);
        assert!(!body.to_string().contains("hunter2"));
        let rec = Record {
            seq: 0,
            ts: String::new(),
            kind: EntryKind::Open,
            actor: "dana".into(),
            phase: None,
            body: body.clone(),
            prev: String::new(),
            hash: String::new(),
        };
        assert_eq!(
            runbook_digest(&[rec]),
            body["runbook_sha256"].as_str().map(String::from)
        );
    }
}
