//! Delivering one notice to one webhook: POST, retried with exponential
//! backoff on failure (network error or non-2xx), never longer than the
//! policy allows.

use super::body::{body, Notice};
use crate::core::config::WebhookFormat;
use std::time::Duration;

/// How often and how patiently a delivery is retried.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in total (first try included).
    pub attempts: u32,
    /// Wait before the second attempt; doubled before each later one (1 s, 2 s, 4 s, 8 s).
    pub first_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            first_delay: Duration::from_secs(1),
        }
    }
}

/// One resolved webhook.
#[derive(Clone)]
pub struct Target {
    /// 1-based position in the config (`webhook #N`).
    pub index: usize,
    /// The URL's host only: what messages may name (the path may be a secret).
    pub host: String,
    pub(crate) url: String,
    pub format: WebhookFormat,
    pub events: Vec<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("index", &self.index)
            .field("host", &self.host)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl Target {
    /// `webhook #N (host)`: how failures name this webhook.
    pub fn label(&self) -> String {
        format!("webhook #{} ({})", self.index, self.host)
    }
}

/// The host of `url` (no user info, path or query), or `?`.
pub fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_else(|| "?".into())
}

/// Posts `n` to `t`, retrying per `policy`; `Err` says why the last attempt
/// failed, without the URL.
pub async fn deliver(
    http: &reqwest::Client,
    t: &Target,
    n: &Notice,
    policy: RetryPolicy,
) -> Result<u32, String> {
    let payload = serde_json::to_vec(&body(t.format, n)).unwrap_or_default();
    let mut delay = policy.first_delay;
    let mut last = String::new();
    for attempt in 1..=policy.attempts.max(1) {
        match post(http, t, &payload).await {
            Ok(()) => return Ok(attempt),
            Err(e) => last = e,
        }
        if attempt < policy.attempts {
            log::debug!("{}: attempt {attempt} failed ({last}); retrying", t.label());
            tokio::time::sleep(delay).await;
            delay = delay.saturating_mul(2);
        }
    }
    Err(last)
}

async fn post(http: &reqwest::Client, t: &Target, payload: &[u8]) -> Result<(), String> {
    let resp = http
        .post(&t.url)
        .timeout(t.timeout)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(payload.to_vec())
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let status = resp.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("HTTP {}", status.as_u16()))
    }
}

/// A reqwest error without its URL.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else {
        "request failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_only_never_the_path() {
        assert_eq!(
            host_of("https://user:pw@hooks.example.org/services/T0/B0/s3cret?x=1"),
            "hooks.example.org"
        );
        assert_eq!(host_of("http://127.0.0.1:9911/hook"), "127.0.0.1:9911");
        assert_eq!(host_of("not a url"), "?");
    }
}
