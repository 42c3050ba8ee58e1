//! The exact differing keys and Study Instance UIDs of each dataset's last
//! reconciliation. The screen and the log only ever see pseudonyms; the
//! exact values stay in this process's memory until the commander asks for
//! them, and then go only to a file beside the log that is created with
//! mode 0600 (never readable by others, not even for an instant).

use crate::probe::pseudo::pseudonym;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One differing key: how it differs and its exact text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactKey {
    /// `missing`, `extra`, `changed` (rows) or `missing`, `extra`, `differs` (studies).
    pub kind: String,
    /// The key columns' canonical texts joined by `|`, or the Study Instance UID.
    pub value: String,
}

/// The last successful result of one dataset's reconciliation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExactDiffs {
    /// The differences kept (at most the probe's cap), sorted.
    pub keys: Vec<ExactKey>,
    /// How many differ in all (more than `keys` when capped).
    pub total: u64,
}

fn store() -> &'static Mutex<BTreeMap<String, ExactDiffs>> {
    static LAST: std::sync::OnceLock<Mutex<BTreeMap<String, ExactDiffs>>> =
        std::sync::OnceLock::new();
    LAST.get_or_init(|| Mutex::new(BTreeMap::new()))
}

/// Keeps `d` as `dataset`'s last result (a match keeps an empty list, so an
/// older list is never written as if it were current).
pub fn remember(dataset: &str, d: ExactDiffs) {
    if let Ok(mut m) = store().lock() {
        m.insert(dataset.to_string(), d);
    }
}

/// `dataset`'s last result, if one arrived in this process.
pub fn last(dataset: &str) -> Option<ExactDiffs> {
    store().lock().ok()?.get(dataset).cloned()
}

/// The file beside `log` for `dataset`: `LOG.recon-DATASET.keys.tsv`.
pub fn path_for(log: &Path, dataset: &str) -> PathBuf {
    let safe: String = dataset
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut name = log.as_os_str().to_owned();
    name.push(format!(".recon-{safe}.keys.tsv"));
    PathBuf::from(name)
}

/// Writes `d` to the file beside `log` (replacing an older one): a header,
/// then `kind TAB exact value TAB pseudonym` per key, so the pseudonyms on
/// screen and in the log can be matched to the exact values. The file is
/// created with mode 0600 under a temporary name and renamed into place.
pub fn write(log: &Path, dataset: &str, d: &ExactDiffs) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = path_for(log, dataset);
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    // a leftover of an interrupted write may have any mode: never reuse it
    let _ = std::fs::remove_file(&tmp);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    let mut text = format!(
        "# exact differing keys of dataset {dataset}: {} shown of {} (patient-adjacent: keep private)\nkind\tkey\tpseudonym\n",
        d.keys.len(),
        d.total
    );
    for k in &d.keys {
        text.push_str(&format!(
            "{}\t{}\t{}\n",
            k.kind,
            k.value,
            pseudonym(dataset, &k.value)
        ));
    }
    let written = f
        .write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .and_then(|()| std::fs::rename(&tmp, &path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_file_is_private_and_holds_every_kept_key() {
        let dir = std::env::temp_dir().join(format!("cutover-exact-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let log = dir.join("cutover.log");
        // an older, world-readable file of the same name is replaced, not reused
        let old = path_for(&log, "adt/enc");
        std::fs::write(&old, "old").unwrap_or_default();
        let _ = std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644));
        let d = ExactDiffs {
            keys: vec![
                ExactKey {
                    kind: "missing".into(),
                    value: "2000".into(),
                },
                ExactKey {
                    kind: "changed".into(),
                    value: "1234|A".into(),
                },
            ],
            total: 3,
        };
        let path = write(&log, "adt/enc", &d).unwrap_or_default();
        assert_eq!(path, dir.join("cutover.log.recon-adt_enc.keys.tsv"));
        let mode = std::fs::metadata(&path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0);
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(lines[0].contains("2 shown of 3"), "{text}");
        assert_eq!(
            lines[2],
            format!("missing\t2000\t{}", pseudonym("adt/enc", "2000"))
        );
        assert!(lines[3].starts_with("changed\t1234|A\t#"), "{text}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
