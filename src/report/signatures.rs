//! Signatures in the evidence pack: on each signed record the signer's
//! printed name and role, UTC date and time, meaning, key fingerprint and
//! whether it verified (21 CFR 11.50); who signed what; amendments beside
//! the record they amend; reviews. Verdicts come from the journal's verifier.

use super::records::Rec;
use crate::core::time::Ts;
use crate::journal::sig_walk::{LineSig, SigSummary};
use crate::journal::signed::Verdict;
use serde_json::Value;
use std::collections::BTreeMap;

/// A titled table of plain text cells: title, column heads, rows.
pub type Table = (String, Vec<&'static str>, Vec<Vec<String>>);

/// One signed record as the report shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedRow {
    pub seq: u64,
    pub ts: Option<Ts>,
    /// `signoff`, `go`, ..., `amend of seq 4`, `review`.
    pub what: String,
    pub signer: String,
    pub name: String,
    pub role: String,
    pub meaning: String,
    pub fingerprint: String,
    pub verified: bool,
    /// `verified`, or the verifier's word and reason.
    pub status: String,
}

/// A decision the runbook requires signed that is not.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingRow {
    pub seq: u64,
    pub ts: Option<Ts>,
    pub actor: String,
    pub what: String,
}

/// An amendment shown with the record it amends (which is unchanged).
#[derive(Debug, Clone, PartialEq)]
pub struct Amendment {
    pub seq: u64,
    pub ts: Option<Ts>,
    pub by: String,
    pub reason: String,
    pub amends: u64,
    /// The original as recorded: kind, type, actor, time, rationale.
    pub original: String,
    pub verified: bool,
    /// False for an amendment appended where no signing key was held.
    pub signed: bool,
}

/// A documented review of the closed log.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub seq: u64,
    pub ts: Option<Ts>,
    pub by: String,
    pub statement: String,
    /// The head hash it covers (`seq:hash`).
    pub head: String,
    pub verified: bool,
}

/// Per signer: how many signatures of each meaning (and how many failed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SignerTotal {
    pub owner: String,
    pub name: String,
    pub role: String,
    pub by_meaning: BTreeMap<String, u64>,
    pub unverified: u64,
}

/// Everything the report says about signatures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signatures {
    pub rows: Vec<SignedRow>,
    pub missing: Vec<MissingRow>,
    pub amendments: Vec<Amendment>,
    pub reviews: Vec<Review>,
    pub totals: Vec<SignerTotal>,
    /// Decision types the runbook requires signed.
    pub required: Vec<String>,
}

impl Signatures {
    /// Nothing to show: no signature, none required, no amendment or review.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
            && self.missing.is_empty()
            && self.required.is_empty()
            && self.amendments.is_empty()
            && self.reviews.is_empty()
    }
}

fn what(r: &Rec<'_>) -> String {
    match r.kind {
        "decision" => r.decision_type().unwrap_or("decision").to_string(),
        "amend" => format!(
            "amend of seq {}",
            num(r, "amends").map_or("?".into(), |n| (n as u64).to_string())
        ),
        k => k.to_string(),
    }
}

fn status(v: Option<&LineSig>) -> (bool, String) {
    match v {
        Some(LineSig::Checked(Verdict::Verified { .. })) => (true, "verified".into()),
        Some(LineSig::Checked(Verdict::Bad(m))) => {
            (false, format!("NOT VERIFIED: bad signature: {m}"))
        }
        Some(LineSig::Checked(Verdict::UnknownKey(m))) => {
            (false, format!("NOT VERIFIED: unknown key: {m}"))
        }
        Some(LineSig::Missing(_)) | None => (
            false,
            "NOT VERIFIED: the log did not verify up to this record".into(),
        ),
    }
}

fn original_text(r: &Rec<'_>) -> String {
    let mut s = format!("{} by {}", what(r), r.actor);
    if let Some(ts) = r.ts {
        s += &format!(" at {}", super::text::when(ts));
    }
    if let Some(why) = text(r, &["rationale", "reason", "statement", "text"]) {
        s += &format!(": {why}");
    }
    s
}

/// An amendment beside the original it refers to (which is unchanged).
fn amendment(r: &Rec<'_>, seq: u64, recs: &[Rec<'_>], verified: bool, signed: bool) -> Amendment {
    let amends = num(r, "amends").map_or(u64::MAX, |n| n as u64);
    let original = recs
        .iter()
        .find(|o| o.seq == Some(amends))
        .map_or_else(|| "no such record".to_string(), original_text);
    let mut reason = text(r, &["reason"]).unwrap_or("").to_string();
    if let Some(c) = text(r, &["correction"]).filter(|c| !c.is_empty()) {
        reason += &format!(" (correction: {c})");
    }
    Amendment {
        seq,
        ts: r.ts,
        by: r.actor.to_string(),
        reason,
        amends,
        original,
        verified,
        signed,
    }
}

/// Builds the signature section from the records and the verifier's verdicts.
pub fn signatures(records: &[Value], sigs: &SigSummary) -> Signatures {
    let recs: Vec<Rec<'_>> = records.iter().filter_map(Rec::of).collect();
    let open = recs.iter().find(|r| r.kind == "open");
    let who = |owner: &str| -> (String, String) {
        let s = open.and_then(|o| o.raw_body.get("signers")?.get(owner));
        let get = |k: &str| {
            s.and_then(|v| v.get(k))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        (get("name"), get("role"))
    };
    let mut out = Signatures {
        required: sigs.required.clone(),
        ..Signatures::default()
    };
    let mut totals: BTreeMap<String, SignerTotal> = BTreeMap::new();
    for r in &recs {
        let Some(seq) = r.seq else { continue };
        let verdict = sigs.verdicts.get(&seq);
        if let Some(LineSig::Missing(t)) = verdict {
            out.missing.push(MissingRow {
                seq,
                ts: r.ts,
                actor: r.actor.to_string(),
                what: t.clone(),
            });
            continue;
        }
        let Some(sig) = r.raw_body.get("signature") else {
            // an amendment made where no key was held is shown all the same
            if r.kind == "amend" {
                out.amendments.push(amendment(r, seq, &recs, false, false));
            }
            continue;
        };
        let field = |k: &str| sig.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let (verified, status) = status(verdict);
        let (name, role) = who(r.actor);
        let meaning = field("meaning");
        let t = totals
            .entry(r.actor.to_string())
            .or_insert_with(|| SignerTotal {
                owner: r.actor.to_string(),
                name: name.clone(),
                role: role.clone(),
                ..SignerTotal::default()
            });
        *t.by_meaning.entry(meaning.clone()).or_insert(0) += 1;
        t.unverified += u64::from(!verified);
        out.rows.push(SignedRow {
            seq,
            ts: r.ts,
            what: what(r),
            signer: r.actor.to_string(),
            name,
            role,
            meaning,
            fingerprint: field("key"),
            verified,
            status,
        });
        match r.kind {
            "amend" => out
                .amendments
                .push(amendment(r, seq, &recs, verified, true)),
            "review" => out.reviews.push(Review {
                seq,
                ts: r.ts,
                by: r.actor.to_string(),
                statement: text(r, &["statement"]).unwrap_or("").to_string(),
                head: format!(
                    "{}:{}",
                    num(r, "head_seq").map_or("?".into(), |n| (n as u64).to_string()),
                    text(r, &["head"]).unwrap_or("")
                ),
                verified,
            }),
            _ => {}
        }
    }
    out.totals = totals.into_values().collect();
    out
}

impl SignedRow {
    /// The manifestation line: `signed by Dana Ruiz (dana), Cutover
    /// commander, 2026-11-28 22:41:07Z, meaning approval, key ab12..., verified`.
    pub fn manifestation(&self) -> String {
        format!(
            "signed by {} ({}), {}, {}, meaning {}, key {}, {}",
            if self.name.is_empty() {
                "(name not on the pinned roster)"
            } else {
                &self.name
            },
            self.signer,
            if self.role.is_empty() {
                "(role not recorded)"
            } else {
                &self.role
            },
            super::text::when_opt(self.ts),
            self.meaning,
            self.fingerprint,
            self.status
        )
    }
}

impl Signatures {
    /// The manifestation of record `seq`'s signature, if it is signed.
    pub fn of_seq(&self, seq: Option<u64>) -> Option<&SignedRow> {
        let seq = seq?;
        self.rows.iter().find(|r| r.seq == seq)
    }

    /// The section as titled tables of plain text cells (renderers escape).
    pub fn tables(&self) -> Vec<Table> {
        let mut out = Vec::new();
        let rows = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.seq.to_string(),
                    super::text::when_opt(r.ts),
                    r.what.clone(),
                    format!("{} ({})", r.name, r.signer),
                    r.role.clone(),
                    r.meaning.clone(),
                    r.fingerprint.clone(),
                    r.status.clone(),
                ]
            })
            .collect();
        out.push((
            format!("Signed records ({})", self.rows.len()),
            vec![
                "Record",
                "Date and time (UTC)",
                "What",
                "Signed by (printed name)",
                "Role",
                "Meaning",
                "Key fingerprint",
                "Verified",
            ],
            rows,
        ));
        let meanings = ["approval", "responsibility", "authorship", "review"];
        let totals = self
            .totals
            .iter()
            .map(|t| {
                let mut row = vec![format!("{} ({})", t.name, t.owner), t.role.clone()];
                row.extend(
                    meanings
                        .iter()
                        .map(|m| t.by_meaning.get(*m).copied().unwrap_or(0).to_string()),
                );
                row.push(t.unverified.to_string());
                row
            })
            .collect();
        out.push((
            "Who signed what".into(),
            vec![
                "Signer",
                "Role",
                "Approval",
                "Responsibility",
                "Authorship",
                "Review",
                "Not verified",
            ],
            totals,
        ));
        if !self.missing.is_empty() {
            let rows = self
                .missing
                .iter()
                .map(|m| {
                    vec![
                        m.seq.to_string(),
                        super::text::when_opt(m.ts),
                        m.actor.clone(),
                        m.what.clone(),
                    ]
                })
                .collect();
            out.push((
                format!("MISSING required signatures ({})", self.missing.len()),
                vec!["Record", "Date and time (UTC)", "By", "Action"],
                rows,
            ));
        }
        if !self.amendments.is_empty() {
            let rows = self
                .amendments
                .iter()
                .map(|a| {
                    vec![
                        a.seq.to_string(),
                        super::text::when_opt(a.ts),
                        a.by.clone(),
                        a.amends.to_string(),
                        a.original.clone(),
                        a.reason.clone(),
                        match (a.signed, a.verified) {
                            (false, _) => "unsigned".into(),
                            (true, true) => "verified".into(),
                            (true, false) => "NOT VERIFIED".into(),
                        },
                    ]
                })
                .collect();
            out.push((
                format!(
                    "Amendments ({}): the original records are unchanged",
                    self.amendments.len()
                ),
                vec![
                    "Record",
                    "Date and time (UTC)",
                    "By",
                    "Amends record",
                    "Original (as recorded)",
                    "Reason",
                    "Verified",
                ],
                rows,
            ));
        }
        if !self.reviews.is_empty() {
            let rows = self
                .reviews
                .iter()
                .map(|r| {
                    vec![
                        r.seq.to_string(),
                        super::text::when_opt(r.ts),
                        r.by.clone(),
                        r.head.clone(),
                        r.statement.clone(),
                        if r.verified {
                            "verified".into()
                        } else {
                            "NOT VERIFIED".into()
                        },
                    ]
                })
                .collect();
            out.push((
                format!("Reviews ({})", self.reviews.len()),
                vec![
                    "Record",
                    "Date and time (UTC)",
                    "Reviewer",
                    "Covers head (seq:hash)",
                    "Statement",
                    "Verified",
                ],
                rows,
            ));
        }
        out
    }

    /// The sentence under the section title.
    pub fn intro(&self) -> String {
        let mut s = "Each signed record shows the signer's printed name and role, the UTC date and time, \
the meaning of the signature, the key's fingerprint, and whether the Ed25519 signature verified against \
the public key pinned in the log's open record."
            .to_string();
        if !self.required.is_empty() {
            s += &format!(
                " The runbook requires signatures for: {}.",
                self.required.join(", ")
            );
        }
        s
    }
}

/// A number member of the body as written.
fn num(r: &Rec<'_>, name: &str) -> Option<f64> {
    r.raw_body.get(name).and_then(serde_json::Value::as_f64)
}

/// The first of `names` that the body as written has as text.
fn text<'a>(r: &Rec<'a>, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|n| r.raw_body.get(*n).and_then(serde_json::Value::as_str))
}
