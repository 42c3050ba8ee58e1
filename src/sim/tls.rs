//! TLS for the simulator: a generated CA and a leaf certificate for
//! `localhost`/`127.0.0.1` with a chosen expiry, served through axum.

use crate::core::time::Ts;
use axum::Router;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// A leaf certificate and key, and the PEM of the CA that signed it (or of the
/// leaf itself when self-signed): what a probe's `ca_file` would hold.
pub struct TlsIdentity {
    pub ca_pem: String,
    pub not_after: Ts,
    leaf: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

/// Why a certificate could not be made or served.
#[derive(Debug, thiserror::Error)]
#[error("simulator TLS: {0}")]
pub struct TlsError(pub String);

fn odt(ts: Ts) -> Result<time::OffsetDateTime, TlsError> {
    time::OffsetDateTime::from_unix_timestamp(ts.0.div_euclid(1000))
        .map_err(|e| TlsError(format!("time out of range: {e}")))
}

fn leaf_params(not_before: Ts, not_after: Ts) -> Result<CertificateParams, TlsError> {
    let mut p = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .map_err(|e| TlsError(e.to_string()))?;
    p.distinguished_name
        .push(DnType::CommonName, "cutover simulator");
    p.not_before = odt(not_before)?;
    p.not_after = odt(not_after)?;
    Ok(p)
}

/// Makes a leaf valid from `not_before` to `not_after`, signed by a fresh CA
/// (or self-signed with `self_signed`, so that no CA file can vouch for it).
pub fn identity(not_before: Ts, not_after: Ts, self_signed: bool) -> Result<TlsIdentity, TlsError> {
    let e = |e: rcgen::Error| TlsError(e.to_string());
    let leaf_key = KeyPair::generate().map_err(e)?;
    let params = leaf_params(not_before, not_after)?;
    let (leaf, ca_pem) = if self_signed {
        let cert = params.self_signed(&leaf_key).map_err(e)?;
        let pem = cert.pem();
        (cert, pem)
    } else {
        let ca_key = KeyPair::generate().map_err(e)?;
        let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(e)?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "cutover simulator CA");
        ca.not_before = odt(Ts(not_before.0.min(not_after.0) - 86_400_000))?;
        ca.not_after = odt(Ts(not_after.0.max(not_before.0) + 365 * 86_400_000))?;
        let ca_cert = ca.self_signed(&ca_key).map_err(e)?;
        let issuer = Issuer::new(ca, ca_key);
        (
            params.signed_by(&leaf_key, &issuer).map_err(e)?,
            ca_cert.pem(),
        )
    };
    Ok(TlsIdentity {
        ca_pem,
        not_after,
        leaf: leaf.der().clone(),
        key: PrivatePkcs8KeyDer::from(leaf_key.serialize_der()),
    })
}

fn server_config(id: &TlsIdentity) -> Result<Arc<ServerConfig>, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(
            vec![id.leaf.clone()],
            PrivateKeyDer::Pkcs8(id.key.clone_key()),
        )
        .map_err(|e| TlsError(e.to_string()))?;
    Ok(Arc::new(cfg))
}

/// Accepted TLS streams, handshaken off the accept loop so that one slow
/// client cannot hold up the others.
struct TlsListener {
    rx: mpsc::Receiver<(TlsStream<tokio::net::TcpStream>, SocketAddr)>,
    addr: SocketAddr,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(conn) => conn,
            // the accept loop is gone: nothing more will ever come
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.addr)
    }
}

/// Serves `app` over TLS on `addr` with `id`; returns the bound address and the server task.
pub async fn serve_tls(
    app: Router,
    addr: SocketAddr,
    id: &TlsIdentity,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), TlsError> {
    serve_tls_with(app, addr, server_config(id)?).await
}

/// Serves `app` over TLS on `addr` with a ready rustls config (the team server's PEM files).
pub async fn serve_tls_with(
    app: Router,
    addr: SocketAddr,
    config: Arc<ServerConfig>,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), TlsError> {
    let acceptor = TlsAcceptor::from(config);
    let tcp = TcpListener::bind(addr)
        .await
        .map_err(|e| TlsError(format!("cannot listen on {addr}: {e}")))?;
    let bound = tcp.local_addr().map_err(|e| TlsError(e.to_string()))?;
    let (tx, rx) = mpsc::channel(64);
    let accept_loop = async move {
        while let Ok((sock, peer)) = tcp.accept().await {
            let (acceptor, tx) = (acceptor.clone(), tx.clone());
            tokio::spawn(async move {
                let hs = tokio::time::timeout(Duration::from_secs(5), acceptor.accept(sock)).await;
                if let Ok(Ok(stream)) = hs {
                    let _ = tx.send((stream, peer)).await;
                }
            });
        }
    };
    let task = tokio::spawn(async move {
        let listener = TlsListener { rx, addr: bound };
        tokio::select! {
            _ = accept_loop => {}
            _ = axum::serve(listener, app) => {}
        }
    });
    Ok((bound, task))
}
