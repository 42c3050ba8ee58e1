//! The facts an evidence pack is made of (phase visits, step runs,
//! decisions, holds, threshold episodes, waivers, transitions, series): plain
//! data, a leaf that the readers building them and the evidence holding them
//! both use, so that neither imports the other.

use crate::core::time::{Dur, Ts};

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
