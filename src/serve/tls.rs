//! HTTPS for the team server: a PEM certificate chain and private key from
//! `[serve] tls_cert` / `tls_key`, served with rustls.

use std::path::Path;
use std::sync::Arc;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

/// The rustls server config for `cert` (PEM chain) and `key` (PEM private key).
/// Errors name the file and what it should hold.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            format!(
                "[serve] tls_cert {}: {e} (expected PEM certificates)",
                cert.display()
            )
        })?;
    if chain.is_empty() {
        return Err(format!(
            "[serve] tls_cert {}: no CERTIFICATE block found (expected a PEM certificate chain)",
            cert.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        format!(
            "[serve] tls_key {}: {e} (expected a PEM private key)",
            key.display()
        )
    })?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| {
            format!("[serve] tls_cert/tls_key: {e} (does the key belong to the certificate?)")
        })?;
    Ok(Arc::new(cfg))
}
