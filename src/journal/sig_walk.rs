//! Signatures during the chain walk: each line's signature is checked on
//! the walk's worker threads against the roster pinned in the open record
//! (and a roster held elsewhere, `--keys`); required-but-unsigned decisions
//! are named too. The chain itself is checked first and independently.

use super::signed::{self, Found, Roster, Verdict};
use crate::core::entry::EntryKind;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// What the walk checks signatures against.
#[derive(Debug, Clone, Default)]
pub struct SigContext {
    pub pinned: Roster,
    pub elsewhere: Option<Roster>,
    /// Decision types the runbook requires to be signed (`require_signature`).
    pub required: Vec<String>,
}

impl SigContext {
    /// From the open record's body (`signers`, `require_signature`).
    pub fn from_open_body(body: &Value, elsewhere: Option<Roster>) -> SigContext {
        let required = body
            .get("require_signature")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        SigContext {
            pinned: Roster::from_open_body(body),
            elsewhere,
            required,
        }
    }

    /// Keys pinned in the open record that the roster held elsewhere does not
    /// confirm: each is `unknown key` on line 1 (a replaced public key).
    pub fn pinned_mismatches(&self) -> Vec<String> {
        let Some(other) = &self.elsewhere else {
            return Vec::new();
        };
        self.pinned
            .by_fingerprint
            .iter()
            .filter(|(fp, s)| other.by_fingerprint.get(*fp).is_none_or(|o| o.owner != s.owner))
            .map(|(fp, s)| match other.of_owner(&s.owner) {
                Some(o) => format!(
                    "the open record pins key {fp} for {}, but the roster given with --keys has {} for them: the open record was rewritten",
                    s.owner,
                    crate::sign::fingerprint(&o.key)
                ),
                None => format!(
                    "the open record pins key {fp} for {}, who has no key in the roster given with --keys",
                    s.owner
                ),
            })
            .collect()
    }
}

/// One line's signature finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineSig {
    Checked(Verdict),
    /// A decision of this type is required to be signed and is not.
    Missing(String),
}

#[derive(Deserialize)]
struct TypeOnly<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<std::borrow::Cow<'a, str>>,
}

#[derive(Deserialize)]
struct BodyType<'a> {
    #[serde(borrow)]
    body: TypeOnly<'a>,
}

fn decision_type(line: &[u8]) -> Option<String> {
    serde_json::from_slice::<BodyType<'_>>(line)
        .ok()
        .and_then(|b| b.body.kind)
        .map(|c| c.into_owned())
}

/// Checks one line (`head` = the line without its hash tail).
pub fn check_line(
    ctx: &SigContext,
    line: &[u8],
    head: &[u8],
    kind: EntryKind,
    actor: &str,
) -> Option<LineSig> {
    match signed::find(head) {
        Found::Unsigned => {
            if kind != EntryKind::Decision || ctx.required.is_empty() {
                return None;
            }
            let t = decision_type(line)?;
            ctx.required.contains(&t).then_some(LineSig::Missing(t))
        }
        Found::Malformed(why) => Some(LineSig::Checked(Verdict::Bad(why))),
        Found::Signed { member, message } => {
            let t = (kind == EntryKind::Decision)
                .then(|| decision_type(line))
                .flatten();
            let want = signed::expected_meaning(kind.as_str(), t.as_deref());
            Some(LineSig::Checked(signed::check(
                &member,
                &message,
                actor,
                want,
                &ctx.pinned,
                ctx.elsewhere.as_ref(),
            )))
        }
    }
}

/// A signature problem: where, which word `verify` names it by, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigProblem {
    pub line: u64,
    pub seq: u64,
    /// `bad signature`, `unknown key` or `missing signature`.
    pub word: &'static str,
    pub message: String,
}

/// Problems kept in memory (the count goes on).
const KEEP_PROBLEMS: usize = 1000;

/// What the walk found about signatures in the intact part of the log.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SigSummary {
    pub verified: u64,
    /// Verified signatures per owner.
    pub by_signer: BTreeMap<String, u64>,
    pub problems: Vec<SigProblem>,
    pub problem_count: u64,
    /// Decision types that must be signed (from the open record).
    pub required: Vec<String>,
    /// Per-record verdicts (only when the walk keeps records: report, replay).
    pub verdicts: BTreeMap<u64, LineSig>,
}

impl SigSummary {
    pub(super) fn note(&mut self, line: u64, seq: u64, sig: LineSig, keep: bool) {
        match &sig {
            LineSig::Checked(Verdict::Verified { owner, .. }) => {
                self.verified += 1;
                *self.by_signer.entry(owner.clone()).or_insert(0) += 1;
            }
            LineSig::Checked(v) => {
                let message = match v {
                    Verdict::Bad(m) | Verdict::UnknownKey(m) => m.clone(),
                    Verdict::Verified { .. } => String::new(),
                };
                self.problem(line, seq, v.word(), message);
            }
            LineSig::Missing(t) => self.problem(
                line,
                seq,
                "missing signature",
                format!("the runbook requires a signature for {t}, and this {t} is unsigned"),
            ),
        }
        if keep {
            self.verdicts.insert(seq, sig);
        }
    }

    /// Adds what a later chunk of the same log found (`required` is the
    /// log's, set once).
    pub(super) fn append(&mut self, later: SigSummary) {
        self.verified += later.verified;
        for (owner, n) in later.by_signer {
            *self.by_signer.entry(owner).or_insert(0) += n;
        }
        let room = KEEP_PROBLEMS.saturating_sub(self.problems.len());
        self.problems.extend(later.problems.into_iter().take(room));
        self.problem_count += later.problem_count;
        self.verdicts.extend(later.verdicts);
    }

    pub(super) fn problem(&mut self, line: u64, seq: u64, word: &'static str, message: String) {
        self.problem_count += 1;
        if self.problems.len() < KEEP_PROBLEMS {
            self.problems.push(SigProblem {
                line,
                seq,
                word,
                message,
            });
        }
    }
}
