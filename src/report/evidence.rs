//! The evidence pack as data: everything a reviewer needs, built from the
//! log records alone (pure; renderers only format it).

use super::plan::Plan;
use super::records::Rec;
use super::verify::VerificationSummary;
use super::{decisions, series, timeline, waivers};
use crate::core::records::{OpenBody, RecordBody, ResumeBody};
use crate::core::time::{Dur, Ts};
use serde_json::Value;

/// Everything the report shows, in the order a reviewer reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub verification: VerificationSummary,
    pub identity: Identity,
    pub plan: Plan,
    /// Time of the first and last record.
    pub span: Option<(Ts, Ts)>,
    pub phases: Vec<PhaseVisit>,
    pub steps: Vec<StepRun>,
    pub decisions: Vec<Decision>,
    pub holds: Vec<Hold>,
    pub episodes: Vec<Episode>,
    pub waivers: Vec<Waiver>,
    pub gate_changes: Vec<Transition>,
    pub series: Vec<Series>,
    /// Restarts that picked the log up (`resume` records): time and what they said.
    pub resumes: Vec<(Ts, String)>,
    /// Values that were not records (no `kind`): counted, not shown.
    pub ignored: usize,
    /// Signed records, who signed what, amendments, reviews.
    pub signatures: super::signatures::Signatures,
}

/// Who ran what: from the `open` (and `close`) record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Identity {
    pub runbook_path: Option<String>,
    pub runbook_digest: Option<String>,
    pub config_path: Option<String>,
    pub config_digest: Option<String>,
    pub operator: Option<String>,
    pub host: Option<String>,
    pub program_version: Option<String>,
    /// From the `open` record's `chain`: `Some(true)` for HMAC-SHA-256.
    pub hmac: Option<bool>,
    /// Why the config could not be logged, if the journal says so.
    pub config_note: Option<String>,
    pub opened: Option<Ts>,
    pub closed: Option<Ts>,
    /// The head hash the `close` record states.
    pub close_head: Option<String>,
    /// The `open` record says this log is a rehearsal (`cutover rehearse`).
    pub rehearsal: bool,
}

/// One stay in a phase, from `entered` to the record that ended it.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseVisit {
    pub phase: String,
    pub entered: Ts,
    /// `None` while the phase was still current at the end of the log.
    pub left: Option<Ts>,
    /// How it ended: "completed", "rolled back", "left" or "open at end of log".
    pub outcome: String,
    pub planned: Option<Dur>,
    /// Until `left`, or until the last record when still open.
    pub actual: Dur,
}

/// A step as planned and as run.
#[derive(Debug, Clone, PartialEq)]
pub struct StepRun {
    pub id: String,
    pub title: String,
    pub phase: String,
    pub owner: String,
    pub started: Option<Ts>,
    pub ended: Option<Ts>,
    /// Last event: "done", "skip", "blocked", "start", or "not started".
    pub outcome: String,
    /// Who recorded the last event.
    pub by: Option<String>,
    pub reason: Option<String>,
    pub planned: Option<Dur>,
    pub actual: Option<Dur>,
}

/// One decision record with what the gates and thresholds showed then.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub seq: Option<u64>,
    pub ts: Ts,
    pub actor: String,
    pub phase: Option<String>,
    /// go, hold, resume, rollback, waive, signoff, handover, issue, note, decide.
    pub kind: String,
    /// What was decided beyond its kind (scope, gate, answer...), plain text.
    pub detail: String,
    pub rationale: Option<String>,
    pub snapshot: Vec<SnapItem>,
    /// The rule it was taken under, in words ("as owner of phase pilot");
    /// `None` in logs written before authority was recorded.
    pub authority: Option<String>,
    /// Thresholds whose recommendation this decision settled.
    pub settles: Vec<String>,
}

/// The state of one gate or threshold inside a decision's snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapItem {
    /// "gate" or "threshold".
    pub what: &'static str,
    pub id: String,
    pub state: String,
    pub value: Option<String>,
    pub limit: Option<String>,
}

/// A stop of the line, from hold to resume.
#[derive(Debug, Clone, PartialEq)]
pub struct Hold {
    pub start: Ts,
    pub by: String,
    pub reason: Option<String>,
    pub end: Option<Ts>,
    pub resumed_by: Option<String>,
    /// Until `end`, or until the last record when never resumed.
    pub duration: Dur,
}

/// A threshold leaving `ok` until it came back.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    pub threshold: String,
    pub start: Ts,
    pub breached_at: Option<Ts>,
    pub end: Option<Ts>,
    /// The highest `value` any of its transitions reported.
    pub peak: Option<f64>,
    pub limit: Option<f64>,
    /// State it ended in, or "open at end of log".
    pub end_state: String,
    /// What the cockpit recommended when it breached.
    pub recommended: Option<String>,
    /// An advisory threshold: it recommended nothing, by design.
    pub advisory: bool,
    /// What it would have recommended had it not been advisory.
    pub would_recommend: Option<String>,
    /// Decisions that answered it (or, failing that, holds/rollbacks taken during it).
    pub decisions: Vec<String>,
}

/// An exception: a gate waived by someone accountable until an expiry.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiver {
    pub gate: String,
    pub owner: String,
    pub reason: Option<String>,
    pub expires: Option<Ts>,
    pub granted: Ts,
    pub granted_by: String,
    /// When the waived gate's phase was left, or the end of the log.
    pub in_use_until: Option<Ts>,
    pub expired_in_use: bool,
}

/// A gate or threshold state change.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    pub ts: Ts,
    pub id: String,
    pub from: Option<String>,
    pub to: String,
    pub value: Option<f64>,
    pub limit: Option<f64>,
    /// What a threshold's breach recommended ("rollback, scope x"), if it did.
    pub recommendation: Option<String>,
    /// An advisory gate or threshold: never blocked go, never recommended.
    pub advisory: bool,
    /// What an advisory threshold's breach would have recommended.
    pub would_recommend: Option<String>,
}

/// The samples of one metric that a gate or threshold reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub metric: String,
    /// Ids of the gates and thresholds that read it.
    pub used_by: Vec<String>,
    pub points: Vec<(Ts, f64)>,
}

impl Episode {
    /// What the cockpit recommended, then the decisions that followed, one per line.
    pub fn answer_lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .recommended
            .iter()
            .map(|r| format!("recommended: {r}"))
            .collect();
        if self.advisory {
            out.push(match &self.would_recommend {
                Some(r) => format!("advisory: recommended nothing; would have recommended {r}"),
                None => "advisory: recommends nothing".into(),
            });
        }
        out.extend(self.decisions.iter().cloned());
        if self.decisions.is_empty() {
            out.push(if self.advisory {
                "no decision needed (advisory)".into()
            } else {
                "no decision recorded".into()
            });
        }
        out
    }
}

impl Evidence {
    /// Builds the evidence from the records of a log, in file order.
    pub fn from_records(records: &[Value], verification: VerificationSummary) -> Evidence {
        let records = &super::cut_actions::restate(records);
        let recs: Vec<Rec> = records.iter().filter_map(Rec::of).collect();
        let ignored = records.len() - recs.len();
        let plan = Plan::from_toml(open_body(&recs).map(|o| o.runbook.as_str()));
        let times = recs.iter().filter_map(|r| r.ts);
        let span = times.clone().min().zip(times.max());
        let end = span.map(|s| s.1);
        let phases = timeline::phase_visits(&recs, &plan, end);
        let decisions = decisions::decisions(&recs);
        let gate_changes = timeline::transitions(&recs, "gate");
        let threshold_changes = timeline::transitions(&recs, "threshold");
        Evidence {
            signatures: super::signatures::signatures(records, &verification.signatures),
            identity: identity(&recs),
            span,
            steps: timeline::steps(&recs, &plan),
            holds: decisions::holds(&decisions, end),
            episodes: decisions::episodes(&threshold_changes, &decisions),
            waivers: waivers::waivers(&recs, &plan, &phases, end),
            series: series::series(&recs, &plan),
            resumes: recs
                .iter()
                .filter_map(|r| match &r.body {
                    RecordBody::Resume(b) => Some((r.ts?, resume_text(b))),
                    _ => None,
                })
                .collect(),
            phases,
            decisions,
            gate_changes,
            plan,
            verification,
            ignored,
        }
    }
}

/// The first `open` record's body, if it reads as one.
fn open_body<'r>(recs: &'r [Rec]) -> Option<&'r OpenBody> {
    recs.iter().find_map(|r| match &r.body {
        RecordBody::Open(o) => Some(o),
        _ => None,
    })
}

fn identity(recs: &[Rec]) -> Identity {
    let open = recs.iter().find(|r| matches!(r.body, RecordBody::Open(_)));
    let close = recs
        .iter()
        .rev()
        .find(|r| matches!(r.body, RecordBody::Close(_)));
    let o = open_body(recs);
    // a member the log does not have (or has empty) shows as "–"
    let text = |f: fn(&OpenBody) -> &str| o.map(f).filter(|s| !s.is_empty()).map(String::from);
    Identity {
        runbook_path: o.and_then(|o| o.runbook_path.clone()),
        runbook_digest: text(|o| &o.runbook_sha256),
        config_path: o.and_then(|o| o.config_path.clone()),
        config_digest: text(|o| &o.config_sha256),
        operator: text(|o| &o.operator),
        host: text(|o| &o.host),
        program_version: text(|o| &o.version),
        hmac: o.and_then(|o| o.chain.as_ref()).map(|c| c == "hmac-sha256"),
        config_note: o.and_then(|o| o.config_note.clone()),
        opened: open.and_then(|r| r.ts),
        closed: close.and_then(|r| r.ts),
        close_head: close.and_then(|r| match &r.body {
            RecordBody::Close(c) => c.head.clone(),
            _ => None,
        }),
        rehearsal: open
            .is_some_and(|r| r.raw_body.get("rehearsal").and_then(Value::as_bool) == Some(true)),
    }
}

/// "by dana on bridge-01; torn last line (75 bytes) moved to LOG.torn".
fn resume_text(r: &ResumeBody) -> String {
    let mut parts = Vec::new();
    if !r.operator.is_empty() {
        let host = Some(&r.host)
            .filter(|h| !h.is_empty())
            .map_or(String::new(), |h| format!(" on {h}"));
        parts.push(format!("by {}{host}", r.operator));
    }
    if let Some(t) = &r.torn {
        parts.push(format!(
            "torn last line ({} bytes) moved to {}",
            t.bytes, t.moved_to
        ));
    }
    if parts.is_empty() {
        "restart (no details recorded)".into()
    } else {
        parts.join("; ")
    }
}
