//! `[[webhook]]`: where notifications go and which events they
//! carry. A webhook URL is a secret (docs/probes.md): the config names the
//! environment variable holding it (`url_env`); a literal `url` is accepted
//! for loopback testing and is redacted from the `open` record like any
//! secret (journal::open).
//!
//! ```toml
//! [[webhook]]
//! url_env = "CUTOVER_SLACK_WEBHOOK"
//! format = "slack"                        # json (default) | slack | teams
//! events = ["hold", "breach", "go"]       # default: all events
//! timeout = "5s"
//! ```

use crate::diag;
use crate::span::Pos;
use crate::time::Dur;
use crate::tomlread::{Reader, Tbl};

/// Every event a webhook can carry (the core's notify templates, plus
/// `checkpoint` from the journal).
pub const EVENTS: [&str; 8] = [
    "hold",
    "resume",
    "watch",
    "breach",
    "rollback",
    "go",
    "overrun",
    "checkpoint",
];

const KEYS: &[&str] = &["url_env", "url", "format", "events", "timeout"];

/// The body shape a receiver expects.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WebhookFormat {
    /// `{"event","text","runbook","phase","time"}` (plus `checkpoint` fields).
    #[default]
    Json,
    /// Slack incoming webhook: `{"text": ...}`.
    Slack,
    /// Teams connector MessageCard.
    Teams,
}

/// Where the URL comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookUrl {
    /// The name of an environment variable holding the URL (read at start).
    Env(String),
    /// A literal URL (loopback testing; a secret: redacted from the log).
    Literal(String),
}

/// One `[[webhook]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// `url_env` (preferred) or `url`: where notifications are posted.
    pub url: WebhookUrl,
    /// `format`: the body shape the receiver expects (default `json`).
    pub format: WebhookFormat,
    /// Events sent; every entry is one of [`EVENTS`]. All of them by default.
    pub events: Vec<String>,
    /// Per attempt, connect to last byte.
    pub timeout: Dur,
    /// Position of the `[[webhook]]` table in the config file, for diagnostics.
    pub pos: Pos,
}

impl Webhook {
    /// Whether this webhook carries `event`.
    pub fn wants(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == event)
    }

    /// The URL: the literal, or the named variable's value (`Err` names the
    /// variable, never a value).
    pub fn resolve_url(&self, env: impl Fn(&str) -> Option<String>) -> Result<String, String> {
        match &self.url {
            WebhookUrl::Literal(u) => Ok(u.clone()),
            WebhookUrl::Env(name) => match env(name) {
                Some(v) if v.starts_with("http://") || v.starts_with("https://") => Ok(v),
                Some(_) => Err(format!(
                    "environment variable {name} does not hold an http:// or https:// URL"
                )),
                None => Err(format!("environment variable {name} is not set")),
            },
        }
    }
}

/// Reads every `[[webhook]]` of the config root.
pub fn read_webhooks(r: &mut Reader<'_>, root: Tbl<'_>) -> Vec<Webhook> {
    r.tables(root, "webhook", "[[webhook]]")
        .into_iter()
        .filter_map(|t| read_webhook(r, t))
        .collect()
}

fn read_webhook(r: &mut Reader<'_>, t: Tbl<'_>) -> Option<Webhook> {
    r.check_keys(t, KEYS);
    let url = read_url(r, t);
    let format = match r.opt_str(t, "format") {
        None => WebhookFormat::Json,
        Some(s) => match s.value.as_str() {
            "json" => WebhookFormat::Json,
            "slack" => WebhookFormat::Slack,
            "teams" => WebhookFormat::Teams,
            other => {
                let help = diag::did_you_mean(other, ["json", "slack", "teams"])
                    .or_else(|| Some("formats: json, slack, teams".into()));
                r.error_help(s.pos, format!("unknown webhook format \"{other}\""), help);
                WebhookFormat::Json
            }
        },
    };
    let events = read_events(r, t);
    let timeout = match r.opt_dur(t, "timeout") {
        Some(d) if d.value.0 <= 0 => {
            r.error(d.pos, "`timeout` must be longer than 0");
            Dur::from_secs(5)
        }
        Some(d) => d.value,
        None => Dur::from_secs(5),
    };
    Some(Webhook {
        url: url?,
        format,
        events,
        timeout,
        pos: t.pos,
    })
}

fn read_url(r: &mut Reader<'_>, t: Tbl<'_>) -> Option<WebhookUrl> {
    let env = r.opt_str(t, "url_env");
    let lit = r.opt_str(t, "url");
    match (env, lit) {
        (Some(_), Some(u)) => {
            r.error_help(
                u.pos,
                "a [[webhook]] takes `url_env` or `url`, not both",
                Some("keep url_env (the URL is a secret) and remove url".into()),
            );
            None
        }
        (None, None) => {
            r.error_help(
                t.pos,
                "missing key `url_env` in [[webhook]]",
                Some("e.g. url_env = \"CUTOVER_WEBHOOK_URL\", with the URL in that variable (or url = \"http://127.0.0.1:...\" for loopback testing)".into()),
            );
            None
        }
        (Some(e), None) => {
            let ok = e
                .value
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && e.value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                // do not echo the value: it may be the URL itself
                r.error_help(
                    e.pos,
                    "`url_env` must be the NAME of an environment variable, not a URL",
                    Some("e.g. url_env = \"CUTOVER_WEBHOOK_URL\"".into()),
                );
                return None;
            }
            Some(WebhookUrl::Env(e.value))
        }
        (None, Some(u)) => {
            if !(u.value.starts_with("http://") || u.value.starts_with("https://")) {
                r.error_help(
                    u.pos,
                    "`url` must be an http:// or https:// URL",
                    Some("prefer url_env = \"NAME\" (the URL is a secret)".into()),
                );
                return None;
            }
            Some(WebhookUrl::Literal(u.value))
        }
    }
}

fn read_events(r: &mut Reader<'_>, t: Tbl<'_>) -> Vec<String> {
    if t.table.get_key_value("events").is_none() {
        return EVENTS.iter().map(|e| e.to_string()).collect();
    }
    let mut out = Vec::new();
    for e in r.str_array(t, "events") {
        if EVENTS.contains(&e.value.as_str()) {
            out.push(e.value);
        } else {
            let help = diag::did_you_mean(&e.value, EVENTS)
                .or_else(|| Some(format!("events: {}", EVENTS.join(", "))));
            r.error_help(
                e.pos,
                format!("unknown webhook event \"{}\"", e.value),
                help,
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::config::{check, load, WebhookFormat, WebhookUrl};
    use crate::time::Dur;

    const PROBE: &str = "[[probe]]\nside = \"target\"\nsystem = \"pacs\"\nkind = \"health\"\nurl = \"http://127.0.0.1:7700/target/pacs/health\"\n";

    #[test]
    fn reads_webhooks_with_defaults() {
        let src = format!(
            "{PROBE}\n[[webhook]]\nurl_env = \"HOOK_A\"\n\n[[webhook]]\nurl = \"http://127.0.0.1:9/h\"\nformat = \"teams\"\nevents = [\"go\", \"checkpoint\"]\ntimeout = \"2s\"\n"
        );
        let c = load("c.toml", &src).unwrap();
        assert_eq!(c.webhooks.len(), 2);
        let a = &c.webhooks[0];
        assert_eq!(a.url, WebhookUrl::Env("HOOK_A".into()));
        assert_eq!(a.format, WebhookFormat::Json);
        assert_eq!(a.events.len(), 8);
        assert_eq!(a.timeout, Dur::from_secs(5));
        let b = &c.webhooks[1];
        assert_eq!(b.format, WebhookFormat::Teams);
        assert!(b.wants("go") && b.wants("checkpoint") && !b.wants("hold"));
        assert_eq!(b.timeout, Dur::from_secs(2));
    }

    fn errors(src: &str) -> Vec<String> {
        check("c.toml", &format!("{PROBE}\n{src}"))
            .diagnostics
            .iter()
            .map(|d| format!("{}:{}", d.pos, d.message))
            .collect()
    }

    #[test]
    fn mistakes_are_errors_at_their_position() {
        let e = errors("[[webhook]]\nurl_env = \"H\"\nformat = \"slak\"\n");
        assert!(
            e.iter()
                .any(|m| m.starts_with("9:10:") && m.contains("\"slak\"")),
            "{e:?}"
        );
        let e = errors("[[webhook]]\nurl_env = \"H\"\nevents = [\"hodl\"]\n");
        assert!(
            e.iter()
                .any(|m| m.contains("unknown webhook event \"hodl\"")),
            "{e:?}"
        );
        let e = errors("[[webhook]]\nurl_env = \"https://hooks.example/secret\"\n");
        assert!(
            e.iter()
                .any(|m| m.contains("NAME of an environment variable")),
            "{e:?}"
        );
        assert!(!e.iter().any(|m| m.contains("hooks.example")), "{e:?}");
        let e = errors("[[webhook]]\nformat = \"json\"\n");
        assert!(
            e.iter().any(|m| m.contains("missing key `url_env`")),
            "{e:?}"
        );
        let e = errors("[[webhook]]\nurl_env = \"H\"\nurl = \"http://x\"\n");
        assert!(e.iter().any(|m| m.contains("not both")), "{e:?}");
        let e = errors("[[webhook]]\nurl_env = \"H\"\nretries = 3\n");
        assert!(
            e.iter().any(|m| m.contains("unknown key `retries`")),
            "{e:?}"
        );
    }

    #[test]
    fn an_env_url_is_resolved_without_echoing_it() {
        let src = format!("{PROBE}\n[[webhook]]\nurl_env = \"HOOK\"\n");
        let w = load("c.toml", &src).unwrap().webhooks.remove(0);
        let got = w.resolve_url(|_| Some("https://h.example/s3cret".into()));
        assert_eq!(got.unwrap(), "https://h.example/s3cret");
        let bad = w.resolve_url(|_| Some("s3cret".into())).unwrap_err();
        assert!(bad.contains("HOOK") && !bad.contains("s3cret"));
        assert!(w.resolve_url(|_| None).unwrap_err().contains("not set"));
    }
}
