//! One timed HTTP GET with the limits every probe needs: a hard timeout from
//! connect to last body byte, a body cap, a redirect limit, a bearer token,
//! extra trust roots, and the peer certificate's expiry on https.

use crate::core::sanitize::inert_short;
use crate::core::time::{Dur, Ts};
use crate::probe::cert;
use crate::probe::phases::{self, HelloMark, Phases, TimedConnectLayer};
use std::time::{Duration, Instant};
use tokio_rustls::rustls;

/// Bodies larger than this are refused (a probe reads status pages, not archives).
pub const BODY_CAP: usize = 1 << 20;
/// Redirects followed before giving up (a loop must not spin forever).
pub const MAX_REDIRECTS: usize = 5;
/// Reasons are one short line.
pub const REASON_MAX: usize = 120;

/// A complete answer, body read to the end.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// Monotonic time from just before the request was sent to the last body byte.
    pub elapsed: Duration,
    /// `notAfter` of the peer's leaf certificate (https only).
    pub cert_not_after: Option<Ts>,
    /// Connect, TLS, first byte and transfer, as far as measured.
    pub phases: Phases,
}

/// Why an attempt failed: short, inert, never holding a token or a URL query.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Failure(pub String);

impl Failure {
    /// A reason from outside text, made inert and short.
    pub fn new(text: impl AsRef<str>) -> Failure {
        Failure(inert_short(text.as_ref(), REASON_MAX))
    }
}

/// Builds the client for probes sharing one `ca_file` (None = built-in
/// roots only). `fresh`: no connection is kept for reuse, so every attempt
/// opens its own (TCP, and TLS on https), as blackbox_exporter does.
pub fn build_client(ca_file: Option<&str>, fresh: bool) -> Result<reqwest::Client, Failure> {
    let tls = tls_config(ca_file)?;
    let b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .tls_info(true)
        .pool_max_idle_per_host(if fresh { 0 } else { 64 })
        .use_preconfigured_tls(tls)
        .connector_layer(TimedConnectLayer)
        .user_agent(concat!("cutover-cockpit/", env!("CARGO_PKG_VERSION")));
    b.build()
        .map_err(|e| Failure::new(format!("HTTP client: {}", chain_text(&e))))
}

/// The built-in (webpki) roots plus `ca_file`, and a session store that
/// resumes nothing and marks where each TLS handshake starts (`phases`).
fn tls_config(ca_file: Option<&str>) -> Result<rustls::ClientConfig, Failure> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|e| Failure::new(format!("ca_file {path}: {e}")))?;
        let bad = || Failure::new(format!("ca_file {path}: not a PEM certificate bundle"));
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<_, _>>()
            .map_err(|_| bad())?;
        if certs.is_empty() {
            return Err(bad());
        }
        for c in certs {
            roots.add(c).map_err(|_| bad())?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Failure::new(format!("TLS setup: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.resumption = rustls::client::Resumption::store(std::sync::Arc::new(HelloMark))
        .tls12_resumption(rustls::client::Tls12Resumption::Disabled);
    Ok(config)
}

/// Reads the bearer token named by `bearer_env` (the name may be shown, the value never).
pub fn bearer_token(bearer_env: Option<&str>) -> Result<Option<String>, Failure> {
    match bearer_env {
        None => Ok(None),
        Some(var) => match std::env::var(var) {
            Ok(v) if !v.is_empty() => Ok(Some(v)),
            _ => Err(Failure::new(format!("bearer_env {var} is not set"))),
        },
    }
}

/// GETs `url` and reads the whole body, all within `timeout`.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    bearer: Option<&str>,
    timeout: Dur,
) -> Result<Fetched, Failure> {
    let mut req = client.get(url);
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    fetch_request(req, timeout).await
}

/// Sends a prepared request and reads the whole body, all within `timeout`
/// (for requests that need headers of their own, e.g. `Accept`).
pub async fn fetch_request(req: reqwest::RequestBuilder, timeout: Dur) -> Result<Fetched, Failure> {
    let limit = Duration::from_millis(timeout.0.max(1) as u64);
    let start = Instant::now();
    match tokio::time::timeout(limit, send_and_read(req, start)).await {
        Ok(r) => r,
        Err(_) => Err(Failure(format!("timeout after {timeout}"))),
    }
}

async fn send_and_read(req: reqwest::RequestBuilder, start: Instant) -> Result<Fetched, Failure> {
    let (client, req) = req.build_split();
    let req = req.map_err(|e| describe(&e))?;
    let asked = req.url().clone();
    let (sent, marks) = phases::collect(client.execute(req)).await;
    let mut resp = sent.map_err(|e| describe(&e))?;
    let head = Instant::now();
    let redirected = resp.url() != &asked;
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let cert_not_after = resp
        .extensions()
        .get::<reqwest::tls::TlsInfo>()
        .and_then(|i| i.peer_certificate())
        .and_then(cert::not_after);
    if resp.content_length().is_some_and(|n| n > BODY_CAP as u64) {
        return Err(Failure("body over 1 MiB".into()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| describe(&e))? {
        if body.len() + chunk.len() > BODY_CAP {
            return Err(Failure("body over 1 MiB".into()));
        }
        body.extend_from_slice(&chunk);
    }
    let end = Instant::now();
    Ok(Fetched {
        status,
        content_type,
        body,
        elapsed: end - start,
        cert_not_after,
        phases: Phases::of(start, marks, head, end, redirected),
    })
}

/// Every cause of an error on one line, without the URL (it may carry a query secret).
fn chain_text(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = c.source();
    }
    parts.join(": ")
}

/// Turns a reqwest error into the short reason an operator reads.
fn describe(e: &reqwest::Error) -> Failure {
    let text = chain_text(&e.without_url_ref());
    let lower = text.to_ascii_lowercase();
    let tls = |what: &str| Failure(format!("TLS: {what}"));
    if e.is_redirect() {
        return Failure(format!("more than {MAX_REDIRECTS} redirects"));
    }
    if lower.contains("expired") {
        return tls("certificate expired");
    }
    if lower.contains("unknownissuer") || lower.contains("unknown issuer") {
        return tls("certificate not trusted (unknown issuer or self-signed)");
    }
    if lower.contains("notvalidforname") {
        return tls("certificate not valid for this host name");
    }
    if lower.contains("certificate") || lower.contains("handshake") || lower.contains("tls") {
        return Failure::new(format!("TLS: {text}"));
    }
    if lower.contains("connection refused") {
        return Failure("connection refused".into());
    }
    if lower.contains("reset") {
        return Failure("connection reset".into());
    }
    if lower.contains("closed") || lower.contains("incomplete") || lower.contains("eof") {
        return Failure("connection closed before the answer was complete".into());
    }
    let innermost = innermost_text(e);
    if lower.contains("invalid http") || lower.contains("parse") {
        return Failure::new(format!("invalid HTTP answer: {innermost}"));
    }
    if e.is_connect() {
        return Failure::new(format!("connect failed: {innermost}"));
    }
    Failure::new(innermost)
}

/// The deepest cause: the most specific words, without reqwest's wrapping.
fn innermost_text(e: &reqwest::Error) -> String {
    let Some(mut cur) = std::error::Error::source(e) else {
        // reqwest's own text names the URL, which may carry a secret in its query
        return UrlFree(e).to_string();
    };
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// `without_url` consumes; errors here are borrowed, so rebuild the text without it.
trait WithoutUrlRef {
    fn without_url_ref(&self) -> UrlFree<'_>;
}

impl WithoutUrlRef for reqwest::Error {
    fn without_url_ref(&self) -> UrlFree<'_> {
        UrlFree(self)
    }
}

/// Displays a reqwest error without its URL.
#[derive(Debug)]
struct UrlFree<'a>(&'a reqwest::Error);

impl std::fmt::Display for UrlFree<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let full = self.0.to_string();
        match self.0.url() {
            Some(u) => f.write_str(
                &full
                    .replace(&format!(" ({u})"), "")
                    .replace(u.as_str(), "<url>"),
            ),
            None => f.write_str(&full),
        }
    }
}

impl std::error::Error for UrlFree<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(self.0)
    }
}
