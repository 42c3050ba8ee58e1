//! The private key file: a JSON object, mode 0600, whose 32-byte Ed25519
//! seed is sealed with ChaCha20-Poly1305 under a key derived from the
//! passphrase with Argon2id (docs/signatures.md states the format).
//!
//! The owner id and public key are bound to the ciphertext as associated
//! data, so a file cannot be relabelled for another person without the
//! passphrase failing.

use super::{parse_public, public_text, Unlocked};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::{Deserialize, Serialize};
use std::path::Path;
use zeroize::Zeroizing;

/// The `format` member of every key file this version writes.
pub const FORMAT: &str = "cutover-signing-key/1";

/// Argon2id cost: 19 MiB, 2 passes, 1 lane (the OWASP minimum for
/// Argon2id); about a quarter second to unlock on the project's 2-core machine.
const M_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_LANES: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Kdf {
    alg: String,
    m_kib: u32,
    t: u32,
    p: u32,
    salt: String,
}

/// The file as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFile {
    format: String,
    pub owner: String,
    /// `ed25519:<base64>`: the line for the roster.
    pub public: String,
    kdf: Kdf,
    cipher: String,
    nonce: String,
    sealed: String,
}

/// Why a key file could not be used, in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("{path}: cannot {op}: {cause}")]
    Io {
        path: String,
        op: &'static str,
        cause: std::io::Error,
    },
    #[error("{path}: not a cutover signing key file ({why})")]
    Format { path: String, why: String },
    #[error("{path}: wrong passphrase (or the key file was altered)")]
    WrongPassphrase { path: String },
    #[error("{path}: the passphrase is empty")]
    EmptyPassphrase { path: String },
    #[error("{0}")]
    Crypto(String),
}

fn aad(owner: &str, public: &str) -> Vec<u8> {
    format!("{FORMAT}\n{owner}\n{public}").into_bytes()
}

fn derive(passphrase: &[u8], salt: &[u8], kdf: &Kdf) -> Result<Zeroizing<[u8; 32]>, KeyFileError> {
    let params = Params::new(kdf.m_kib, kdf.t, kdf.p, Some(32))
        .map_err(|e| KeyFileError::Crypto(format!("key derivation parameters: {e}")))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase, salt, out.as_mut())
        .map_err(|e| KeyFileError::Crypto(format!("key derivation: {e}")))?;
    Ok(out)
}

fn random<const N: usize>() -> Result<[u8; N], KeyFileError> {
    let mut b = [0u8; N];
    getrandom::getrandom(&mut b)
        .map_err(|e| KeyFileError::Crypto(format!("the OS random number generator failed: {e}")))?;
    Ok(b)
}

impl KeyFile {
    /// Seals `key` under `passphrase`.
    pub fn seal(key: &Unlocked, passphrase: &[u8], path: &Path) -> Result<KeyFile, KeyFileError> {
        if passphrase.is_empty() {
            return Err(KeyFileError::EmptyPassphrase {
                path: path.display().to_string(),
            });
        }
        let salt: [u8; 16] = random()?;
        let nonce: [u8; 12] = random()?;
        let kdf = Kdf {
            alg: "argon2id".into(),
            m_kib: M_KIB,
            t: T_COST,
            p: P_LANES,
            salt: STANDARD.encode(salt),
        };
        let wrap = derive(passphrase, &salt, &kdf)?;
        let public = public_text(&key.public());
        let seed = key.seed();
        let sealed = ChaCha20Poly1305::new(Key::from_slice(wrap.as_ref()))
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: seed.as_ref(),
                    aad: &aad(key.owner(), &public),
                },
            )
            .map_err(|_| KeyFileError::Crypto("sealing the key failed".into()))?;
        Ok(KeyFile {
            format: FORMAT.into(),
            owner: key.owner().to_string(),
            public,
            kdf,
            cipher: "chacha20poly1305".into(),
            nonce: STANDARD.encode(nonce),
            sealed: STANDARD.encode(sealed),
        })
    }

    /// Writes the file, refusing to replace an existing one; mode 0600.
    pub fn write_new(&self, path: &Path) -> Result<(), KeyFileError> {
        use std::io::Write;
        let io = |op, cause| KeyFileError::Io {
            path: path.display().to_string(),
            op,
            cause,
        };
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(path).map_err(|e| io("create the key file", e))?;
        let text = serde_json::to_string_pretty(self).unwrap_or_default() + "\n";
        f.write_all(text.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| io("write the key file", e))
    }

    /// Reads and parses a key file (still locked).
    pub fn read(path: &Path) -> Result<KeyFile, KeyFileError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| KeyFileError::Io {
            path: shown.clone(),
            op: "read the key file",
            cause: e,
        })?;
        let kf: KeyFile = serde_json::from_str(&text).map_err(|e| KeyFileError::Format {
            path: shown.clone(),
            why: e.to_string(),
        })?;
        let bad = |why: &str| KeyFileError::Format {
            path: shown.clone(),
            why: why.into(),
        };
        if kf.format != FORMAT {
            return Err(bad("unknown format; expected cutover-signing-key/1"));
        }
        if kf.kdf.alg != "argon2id" || kf.cipher != "chacha20poly1305" {
            return Err(bad("unknown key derivation or cipher"));
        }
        // bounds so a hostile file cannot make unlocking take forever
        if kf.kdf.m_kib > 4 * 1024 * 1024 || kf.kdf.t > 64 || kf.kdf.p > 16 {
            return Err(bad("key derivation cost out of range"));
        }
        parse_public(&kf.public).map_err(|e| bad(&e))?;
        Ok(kf)
    }

    /// The key's fingerprint (without unlocking it).
    pub fn fingerprint(&self) -> String {
        parse_public(&self.public)
            .map(|k| super::fingerprint(&k))
            .unwrap_or_default()
    }

    /// Opens the seal with `passphrase` and checks the seed gives the public key.
    pub fn unlock(&self, passphrase: &[u8], path: &Path) -> Result<Unlocked, KeyFileError> {
        let shown = path.display().to_string();
        let bad = |why: &str| KeyFileError::Format {
            path: shown.clone(),
            why: why.into(),
        };
        let salt = STANDARD.decode(&self.kdf.salt).map_err(|_| bad("salt"))?;
        let nonce = STANDARD.decode(&self.nonce).map_err(|_| bad("nonce"))?;
        let sealed = STANDARD.decode(&self.sealed).map_err(|_| bad("sealed"))?;
        if nonce.len() != 12 {
            return Err(bad("nonce length"));
        }
        let wrap = derive(passphrase, &salt, &self.kdf)?;
        let seed = ChaCha20Poly1305::new(Key::from_slice(wrap.as_ref()))
            .decrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &sealed,
                    aad: &aad(&self.owner, &self.public),
                },
            )
            .map_err(|_| KeyFileError::WrongPassphrase {
                path: shown.clone(),
            })?;
        let seed = Zeroizing::new(seed);
        let arr: [u8; 32] = seed
            .as_slice()
            .try_into()
            .map_err(|_| bad("sealed seed length"))?;
        let key = Unlocked::from_seed(&self.owner, &Zeroizing::new(arr));
        if public_text(&key.public()) != self.public {
            return Err(bad("the sealed key does not match its public key"));
        }
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("cutover-keyfile-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&d);
        d
    }

    #[test]
    fn a_sealed_key_unlocks_with_its_passphrase_only() {
        let path = temp("roundtrip");
        let key = Unlocked::generate("dr-lee").unwrap();
        let kf = KeyFile::seal(&key, b"correct horse", &path).unwrap();
        kf.write_new(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("correct horse"));
        let back = KeyFile::read(&path).unwrap();
        let open = back.unlock(b"correct horse", &path).unwrap();
        assert_eq!(open.public(), key.public());
        assert_eq!(open.owner(), "dr-lee");
        let err = back.unlock(b"wrong horse", &path).unwrap_err().to_string();
        assert!(err.contains("wrong passphrase"), "{err}");
        assert!(
            kf.write_new(&path).is_err(),
            "an existing key file is never replaced"
        );
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn a_relabelled_key_file_does_not_unlock() {
        let path = temp("relabel");
        let key = Unlocked::generate("sam").unwrap();
        let mut kf = KeyFile::seal(&key, b"pw", &path).unwrap();
        kf.owner = "dana".into();
        assert!(matches!(
            kf.unlock(b"pw", &path),
            Err(KeyFileError::WrongPassphrase { .. })
        ));
        assert!(KeyFile::seal(&key, b"", &path).is_err());
    }
}
