//! One side of a comparison as the drivers see it: where it is, how long a
//! statement may run, the shape rows come back in, and how a driver's error
//! text loses the connection URL. Every driver (`conn`, `lite`) uses these;
//! they use no driver.

use super::dialect::Dialect;
use std::time::Duration;

/// A row of text cells (NULL = `None`).
pub type TextRow = Vec<Option<String>>;

/// Removes the URL and its password from an error text (drivers may echo them).
pub fn redact(msg: &str, url: &str) -> String {
    let mut out = msg.replace(url, "<connection URL>");
    if let Some((_, rest)) = url.split_once("://") {
        let userinfo = rest.split('@').next().filter(|_| rest.contains('@'));
        if let Some(ui) = userinfo {
            if let Some((_, pw)) = ui.split_once(':') {
                if !pw.is_empty() {
                    out = out.replace(pw, "<password>");
                }
            }
        }
    }
    out
}

/// Where one side is and how to talk to it.
#[derive(Clone)]
pub struct SideSpec {
    /// "source" or "target".
    pub side: &'static str,
    pub url: String,
    /// The environment variable the URL came from (named in errors instead of the URL).
    pub env: String,
    pub dialect: Dialect,
    pub statement_timeout: Duration,
}

/// A timeout as an operator writes it: `5s`, or `1500ms`.
pub(super) fn show(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_removes_url_and_password() {
        let url = "postgres://app:s3cr3t@db.example:5432/ehr";
        let m = redact(&format!("cannot parse {url}: bad; pw s3cr3t"), url);
        assert!(!m.contains("s3cr3t"), "{m}");
        assert!(m.contains("<connection URL>"), "{m}");
    }
}
