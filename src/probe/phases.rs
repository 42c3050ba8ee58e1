//! The phases of one HTTP attempt, measured where they happen: a tower
//! layer around reqwest's connector times each new connection (name
//! resolution + TCP, and the TLS handshake on https), and the TLS session
//! store, which rustls asks for a ticket just before it writes the
//! ClientHello, marks where TCP ended and TLS began. The attempt collects
//! them through a task-local, so concurrent attempts sharing one client
//! never see each other's connections. A reused pooled connection makes
//! no connector call: its attempt has no connect or TLS phase.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;
use tokio_rustls::rustls;

/// What the connector saw during one attempt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnectMarks {
    /// New connections opened (redirects to another host open more).
    pub connections: u32,
    pub connect_start: Option<Instant>,
    /// The TLS handshake began (ClientHello about to be written).
    pub tls_start: Option<Instant>,
    /// The connection (and its TLS) was ready.
    pub connect_end: Option<Instant>,
}

tokio::task_local! {
    static MARKS: RefCell<ConnectMarks>;
}

/// Runs `fut` collecting the connector's marks; returns its output and them.
pub async fn collect<F: Future>(fut: F) -> (F::Output, ConnectMarks) {
    MARKS
        .scope(RefCell::new(ConnectMarks::default()), async move {
            let out = fut.await;
            let marks = MARKS.with(|m| *m.borrow());
            (out, marks)
        })
        .await
}

/// Records into the current attempt's marks; outside an attempt (a pool
/// connection finishing in the background) there is nothing to record.
fn mark(f: impl FnOnce(&mut ConnectMarks)) {
    let _ = MARKS.try_with(|m| f(&mut m.borrow_mut()));
}

/// The tower layer for `reqwest::ClientBuilder::connector_layer`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimedConnectLayer;

impl<S> tower_layer::Layer<S> for TimedConnectLayer {
    type Service = TimedConnect<S>;
    fn layer(&self, inner: S) -> TimedConnect<S> {
        TimedConnect(inner)
    }
}

/// Times every connection the inner connector opens.
#[derive(Debug, Clone)]
pub struct TimedConnect<S>(S);

type BoxFut<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

impl<S, R> tower_service::Service<R> for TimedConnect<S>
where
    S: tower_service::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFut<S::Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> BoxFut<S::Response, S::Error> {
        let started = Instant::now();
        mark(|m| {
            m.connections += 1;
            // a second connection (a redirect) starts a new set of marks
            *m = ConnectMarks {
                connections: m.connections,
                connect_start: Some(started),
                ..ConnectMarks::default()
            };
        });
        let fut = self.0.call(req);
        Box::pin(async move {
            let out = fut.await;
            if out.is_ok() {
                let done = Instant::now();
                mark(|m| m.connect_end = Some(done));
            }
            out
        })
    }
}

/// A TLS session store that keeps no sessions (every handshake is a full
/// one, as a new client's would be) and marks when a handshake begins.
#[derive(Debug, Default)]
pub struct HelloMark;

impl HelloMark {
    fn hello(&self) {
        let now = Instant::now();
        mark(|m| {
            m.tls_start.get_or_insert(now);
        });
    }
}

impl rustls::client::ClientSessionStore for HelloMark {
    fn set_kx_hint(&self, _: rustls::pki_types::ServerName<'static>, _: rustls::NamedGroup) {}
    fn kx_hint(&self, _: &rustls::pki_types::ServerName<'_>) -> Option<rustls::NamedGroup> {
        None
    }
    fn set_tls12_session(
        &self,
        _: rustls::pki_types::ServerName<'static>,
        _: rustls::client::Tls12ClientSessionValue,
    ) {
    }
    fn tls12_session(
        &self,
        _: &rustls::pki_types::ServerName<'_>,
    ) -> Option<rustls::client::Tls12ClientSessionValue> {
        self.hello();
        None
    }
    fn remove_tls12_session(&self, _: &rustls::pki_types::ServerName<'static>) {}
    fn insert_tls13_ticket(
        &self,
        _: rustls::pki_types::ServerName<'static>,
        _: rustls::client::Tls13ClientSessionValue,
    ) {
    }
    fn take_tls13_ticket(
        &self,
        _: &rustls::pki_types::ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        // rustls asks for a ticket as it builds the ClientHello: TCP is done
        self.hello();
        None
    }
}

/// The measured phases of one attempt, in milliseconds; `None` = not
/// measured on this attempt (never a made-up 0).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Phases {
    pub connect_ms: Option<f64>,
    pub tls_ms: Option<f64>,
    pub ttfb_ms: Option<f64>,
    pub transfer_ms: Option<f64>,
}

fn ms(from: Instant, to: Instant) -> f64 {
    to.saturating_duration_since(from).as_secs_f64() * 1000.0
}

impl Phases {
    /// From the request's start, the connector's marks, the arrival of the
    /// response head and of the last body byte. `redirected`: the answer
    /// came after one or more redirects, so "request to first byte" spans
    /// several exchanges and is not reported; nor are the connection phases
    /// when more than one connection was opened.
    pub fn of(
        start: Instant,
        marks: ConnectMarks,
        head: Instant,
        end: Instant,
        redirected: bool,
    ) -> Phases {
        let one_connection = marks.connections == 1;
        let (connect_ms, tls_ms) = match (marks.connect_start, marks.connect_end) {
            (Some(s), Some(e)) if one_connection => match marks.tls_start {
                Some(t) => (Some(ms(s, t)), Some(ms(t, e))),
                None => (Some(ms(s, e)), None),
            },
            _ => (None, None),
        };
        // the request goes out once the connection is ready (or at once on a pooled one)
        let sent = match marks.connections {
            0 => Some(start),
            1 => marks.connect_end,
            _ => None,
        };
        let ttfb_ms = sent.filter(|_| !redirected).map(|s| ms(s, head));
        Phases {
            connect_ms,
            tls_ms,
            ttfb_ms,
            transfer_ms: Some(ms(head, end)),
        }
    }

    /// `(field suffix, value)` of every measured phase.
    pub fn fields(&self) -> Vec<(&'static str, f64)> {
        let all = [
            ("connect_ms", self.connect_ms),
            ("tls_ms", self.tls_ms),
            ("ttfb_ms", self.ttfb_ms),
            ("transfer_ms", self.transfer_ms),
        ];
        all.into_iter()
            .filter_map(|(f, v)| v.map(|v| (f, v)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_pooled_attempt_has_no_connect_or_tls_phase() {
        let t = Instant::now();
        let p = Phases::of(
            t,
            ConnectMarks::default(),
            t + Duration::from_millis(200),
            t + Duration::from_millis(250),
            false,
        );
        assert_eq!((p.connect_ms, p.tls_ms), (None, None));
        assert_eq!(p.ttfb_ms, Some(200.0));
        assert_eq!(p.transfer_ms, Some(50.0));
        assert_eq!(p.fields().len(), 2);
    }

    #[test]
    fn a_new_tls_connection_splits_at_the_client_hello() {
        let t = Instant::now();
        let at = |ms: u64| t + Duration::from_millis(ms);
        let marks = ConnectMarks {
            connections: 1,
            connect_start: Some(at(1)),
            tls_start: Some(at(4)),
            connect_end: Some(at(10)),
        };
        let p = Phases::of(t, marks, at(210), at(211), false);
        assert_eq!(p.connect_ms, Some(3.0));
        assert_eq!(p.tls_ms, Some(6.0));
        assert_eq!(p.ttfb_ms, Some(200.0));
        // after a redirect: no request-to-first-byte
        assert_eq!(Phases::of(t, marks, at(210), at(211), true).ttfb_ms, None);
    }
}
