//! The evidence pack as data: everything a reviewer needs, built from the
//! log records alone (pure; renderers only format it).

pub use super::facts::{
    Decision, Episode, Hold, PhaseVisit, Series, SnapItem, StepRun, Transition, Waiver,
};
use super::plan::Plan;
use super::records::Rec;
use super::verify::VerificationSummary;
use super::{decisions, series, timeline, waivers};
use crate::core::records::{OpenBody, RecordBody, ResumeBody};
use crate::core::time::Ts;
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
    /// Each dataset's final reconciliation (`recon.<dataset>.*` probes).
    pub reconciliations: Vec<super::recon::Reconciliation>,
    /// Restarts that picked the log up (`resume` records): time and what they said.
    pub resumes: Vec<(Ts, String)>,
    /// Values that were not records (no `kind`): counted, not shown.
    pub ignored: usize,
    /// Signed records, who signed what, amendments, reviews.
    pub signatures: super::signatures::Signatures,
    /// This run against its rehearsals, when the report was given `--baseline` logs.
    pub rehearsals: Option<super::rehearsals::Rehearsals>,
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
            reconciliations: super::recon::reconciliations(&recs),
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
            rehearsals: None,
        }
    }

    /// Adds "this run against its rehearsals" from the baseline logs
    /// (already verified and checked to be of the same runbook); `logs`
    /// names them.
    pub fn against_rehearsals(
        mut self,
        baseline: &crate::core::baseline::Baseline,
        logs: Vec<String>,
    ) -> Evidence {
        self.rehearsals = Some(super::rehearsals::rehearsals(
            &self.steps,
            &self.plan,
            baseline,
            logs,
        ));
        self
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
