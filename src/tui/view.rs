//! The view model: plain data with everything the cockpit screen shows.
//!
//! The lead builds a [`CockpitView`] from the core's `Cockpit` state; the
//! renderer only reads it. Times are `Ts`/`Dur` values or precomputed
//! strings, so rendering never reads a clock and snapshots stay stable.
//! Text from outside may be raw here: the renderer makes it inert.

use crate::core::entry::EntryKind;
use crate::core::time::{Dur, Ts};
use serde::{Deserialize, Serialize};

/// Everything one frame of the cockpit shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CockpitView {
    /// The time this view was built; forms use it to turn "45m" into an expiry.
    pub now: Ts,
    pub header: HeaderView,
    /// The runbook's phases in order (normally six).
    pub phases: Vec<PhaseView>,
    /// Steps of the current phase (or of the rollback plan during a rollback).
    pub steps: Vec<StepView>,
    /// Gates of the current phase (entry gates of the next phase may follow).
    pub gates: Vec<GateView>,
    /// Manual sign-offs of the current phase.
    pub signoffs: Vec<SignOffView>,
    pub thresholds: Vec<ThresholdView>,
    /// One row per system, source and target side by side.
    pub endpoints: Vec<EndpointRow>,
    /// Reconciled datasets (under the endpoints).
    #[serde(default)]
    pub datasets: Vec<DatasetView>,
    /// Open entries of the issue log, most severe first.
    #[serde(default)]
    pub issues: Vec<IssueView>,
    /// Pending recommendations, oldest first; shown, never focused by themselves.
    pub recommendations: Vec<RecommendationView>,
    /// The last records of the cutover log, oldest first.
    pub log_tail: Vec<LogLine>,
    /// The last acknowledgement or refusal the core produced (after fsync).
    pub toast: Option<Toast>,
    /// Choices offered by forms: owners on the roster and rollback scopes.
    pub roster: Vec<String>,
    pub rollback_scopes: Vec<String>,
    /// Communication templates, already filled from the current state.
    pub templates: Vec<TemplateView>,
    /// What the action forms need to know before they open (for the
    /// operator of this view): refusals, what go will do, choices.
    #[serde(default)]
    pub forms: FormHints,
}

/// What the forms need before they open, so a form opens only when its
/// action can succeed for this person now (else the refusal says why).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FormHints {
    /// What `go` would do now: "enter pilot-dataset", "re-enter
    /// parallel-run after rollback of pause-writes".
    pub go: String,
    /// Why a form would be refused now, by action: `go`, `hold`, `resume`,
    /// `rollback`, `waive`, `decide`, `signoff`, `handover`, `issue_close`.
    pub refused: std::collections::BTreeMap<String, String>,
    /// What the operator keeps after handing the commander role over.
    pub handover_keeps: Vec<String>,
    /// Sign-offs this operator may give now: (phase, role).
    pub my_signoffs: Vec<(String, String)>,
    /// Open issues this operator may close: (id, title).
    pub closable_issues: Vec<(String, String)>,
    /// Demo only: the roster member the keyboard acts as, when not the operator.
    #[serde(default)]
    pub acting_as: Option<String>,
    /// Demo only: who is really at the keyboard (`a` acts as another owner).
    #[serde(default)]
    pub demo_keyboard: Option<String>,
}

/// A communication template with its placeholders filled by the core.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateView {
    pub id: String,
    pub title: String,
    pub text: String,
}

/// The top lines: identity, phase, window clock and banners.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HeaderView {
    pub runbook_name: String,
    pub runbook_version: String,
    /// Display name of the current phase.
    pub phase_name: String,
    pub clock: WindowClock,
    /// The window's edges and the forecast finish, as times.
    #[serde(default)]
    pub window: WindowTimes,
    /// The point of no return of the tightest rollback scope.
    #[serde(default)]
    pub pnr: Option<PnrView>,
    /// The owner at this keyboard (`--as`).
    pub operator: String,
    /// Whether the operator currently holds the commander role.
    pub operator_is_commander: bool,
    /// Set while the line is stopped.
    pub hold: Option<HoldBanner>,
    /// Set while a rollback is in progress.
    pub rollback: Option<RollbackBanner>,
    /// Set in `cutover replay`: the screen is read-only and shows replay time.
    pub replay: Option<ReplayMarker>,
    /// Full path of the cutover log; always shown.
    pub log_path: String,
    /// Last checkpoint, already formatted as `SEQ:HASHPREFIX`.
    pub checkpoint: Option<String>,
    /// Follow mode: when the connection to the running cockpit was lost.
    pub disconnected_since: Option<Ts>,
    /// A dress rehearsal (`cutover rehearse`, or a replay of its log).
    pub rehearsal: bool,
    /// The keyboard's signing key locked itself (15 minutes without a
    /// keypress): the passphrase is asked at the next signed action.
    #[serde(default)]
    pub signing_locked: bool,
}

/// The maintenance window clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct WindowClock {
    /// Time since the window started (or since the log opened).
    pub elapsed: Dur,
    /// The approved window (`max_duration`).
    pub max: Dur,
    /// The core's judgement that overrun is near (forecast or little time left).
    pub overrun_near: bool,
}

impl WindowClock {
    /// Time left in the window; negative once overrun.
    pub fn left(&self) -> Dur {
        self.max - self.elapsed
    }
}

/// Who stopped the line, why, and since when.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HoldBanner {
    pub by: String,
    pub reason: String,
    pub since: Ts,
}

/// A rollback in progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RollbackBanner {
    pub scope: String,
    pub by: String,
    pub since: Ts,
}

/// Replay position (read-only screen).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplayMarker {
    /// The log time being shown.
    pub at: Ts,
    /// e.g. "x20" or "paused".
    pub speed: String,
    /// The whole window along one bar, with `at` as its cursor.
    #[serde(default)]
    pub timeline: Option<TimelineView>,
    /// The "jump to a time" form, while open (`t`).
    #[serde(default)]
    pub jump: Option<JumpPrompt>,
}

/// The replay timeline: phases as segments, holds and threshold episodes as
/// spans, decisions as marks, from `start` to `end` (log times).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelineView {
    pub start: Ts,
    pub end: Ts,
    /// Phase visits, labelled with the phase id.
    pub phases: Vec<TimelineSpan>,
    pub holds: Vec<TimelineSpan>,
    /// Threshold episodes, labelled with the threshold id.
    pub episodes: Vec<TimelineSpan>,
    /// Decision times with their kind (go, hold, rollback...).
    pub decisions: Vec<(Ts, String)>,
}

/// A stretch of the timeline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelineSpan {
    pub label: String,
    pub from: Ts,
    pub to: Ts,
}

/// The jump form's text and its refusal, if any.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JumpPrompt {
    pub input: String,
    pub error: Option<String>,
}

/// State of one phase in the phase strip.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PhaseState {
    Done,
    Current,
    #[default]
    Pending,
    RolledBack,
}

/// One phase of the runbook.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhaseView {
    pub id: String,
    pub name: String,
    pub state: PhaseState,
}

/// Status of a step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepStatus {
    #[default]
    Pending,
    Running,
    Done,
    Skipped,
    Blocked,
}

/// One step of the current phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub status: StepStatus,
    /// Time spent so far (running) or in total (done); `None` before start.
    pub elapsed: Option<Dur>,
    pub expected: Dur,
    /// Elapsed exceeds expected.
    pub overrun: bool,
    /// A rollback undid it: "rollback pause-writes at 03:58:29".
    #[serde(default)]
    pub undone_by: Option<String>,
    /// Why each step key would be refused for the operator now, by action
    /// (`start`, `done`, `skip`, `blocked`).
    #[serde(default)]
    pub refused: std::collections::BTreeMap<String, String>,
    /// How long the rehearsals took (done and running steps, when
    /// `--baseline` logs are loaded and one of them finished the step).
    #[serde(default)]
    pub rehearsal: Option<StepRehearsal>,
}

/// A step's actual durations in the `--baseline` logs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRehearsal {
    pub p50: Dur,
    pub p90: Dur,
    /// How many baseline runs finished the step.
    pub runs: usize,
}

/// Gate states (docs/runbook.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum GateState {
    Pass,
    Holding,
    Fail,
    #[default]
    Unknown,
    Waived,
    Awaiting,
}

/// Entry or exit gate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum GateKind {
    Entry,
    #[default]
    Exit,
}

/// One comparison inside a condition: its current left value beside its limit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ComparisonView {
    /// The left side as written, e.g. `p95(target.pacs.latency_ms, 5m)`.
    pub left: String,
    /// Operator as written: `<`, `<=`, `>`, `>=`, `==`, `!=`.
    pub op: String,
    /// Current left value; `None` when Unknown.
    pub value: Option<f64>,
    /// The right side (the limit), evaluated.
    pub limit: Option<f64>,
    /// Why the value is unknown (stale, no sample...).
    pub reason: Option<String>,
    /// What the left side read: samples in its window, age of the newest.
    #[serde(default)]
    pub inputs: Option<WindowInputs>,
    /// Recent values of the metric it reads, oldest first (detail sparkline).
    #[serde(default)]
    pub history: Vec<f64>,
}

/// An accepted exception on a gate.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WaiverView {
    pub owner: String,
    pub reason: String,
    pub expires: Ts,
}

/// One gate of the current (or next) phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GateView {
    pub id: String,
    pub title: String,
    pub kind: GateKind,
    pub state: GateState,
    pub comparisons: Vec<ComparisonView>,
    /// `for` progress as (held so far, required).
    pub held_for: Option<(Dur, Dur)>,
    pub waiver: Option<WaiverView>,
    /// Shown and logged, never blocks go.
    #[serde(default)]
    pub advisory: bool,
}

/// A manual sign-off of the current phase.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignOffView {
    pub phase: String,
    pub role: String,
    pub owner: String,
    /// When it was given; `None` while awaiting.
    pub signed_at: Option<Ts>,
}

/// Threshold states (docs/runbook.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThresholdState {
    Ok,
    Watch,
    Breached,
    #[default]
    Unknown,
    Inactive,
}

/// What a breach asks for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    #[default]
    Rollback,
    Hold,
}

impl Severity {
    /// The action in one word, as the screen and the decide form say it.
    pub fn word(self) -> &'static str {
        match self {
            Severity::Rollback => "rollback",
            Severity::Hold => "hold",
        }
    }
}

/// One rollback (or hold) trigger.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ThresholdView {
    pub id: String,
    pub title: String,
    pub state: ThresholdState,
    /// The first comparison: value against limit (drawn as a gauge).
    pub comparison: ComparisonView,
    /// Every comparison of its condition, the first included.
    #[serde(default)]
    pub comparisons: Vec<ComparisonView>,
    /// Shown and logged, never recommends.
    #[serde(default)]
    pub advisory: bool,
    /// Breach timer as (running so far, `for`); `None` when not running.
    pub breach_for: Option<(Dur, Dur)>,
    pub scope: Option<String>,
    pub severity: Severity,
    /// Inputs are Unknown while the state is kept (watch/breached).
    pub inputs_unknown: bool,
    /// Its recommendation was settled: "handled by rollback read-path (dana)
    /// at 03:58:29"; no longer alarming until it clears.
    #[serde(default)]
    pub handled: Option<String>,
}

/// Source and target of one system side by side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EndpointRow {
    pub system: String,
    pub source: Option<EndpointSide>,
    pub target: Option<EndpointSide>,
}

/// One side of a system as the probes see it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EndpointSide {
    /// `None` while no health attempt has finished.
    pub up: Option<bool>,
    pub latency_ms: Option<f64>,
    /// Recent latencies in ms, oldest first, for the sparkline.
    pub latency_history: Vec<u64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub cert_days_left: Option<i64>,
    /// The latest sample is older than `stale_after`.
    pub stale: bool,
    /// The probes' last attempts, oldest first.
    #[serde(default)]
    pub attempts: Vec<AttemptView>,
}

/// The window's edges and the forecast finish, as times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct WindowTimes {
    /// When the window opens (`window_start`, else the log start).
    pub start: Ts,
    /// `start + max_duration`.
    pub end: Ts,
    /// Projected finish of the remaining planned work (with rehearsal P50s
    /// when `--baseline` logs are loaded); `None` while unknown.
    pub forecast_end: Option<Ts>,
    /// The late edge of the forecast band: rehearsal P90s where known;
    /// `None` without `--baseline` logs.
    #[serde(default)]
    pub forecast_p90_end: Option<Ts>,
}

/// Time to the point of no return of the tightest rollback scope.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PnrView {
    pub scope: String,
    /// `rollback.<scope>.slack_min`: remaining window minus the plan's duration.
    pub slack: Dur,
}

/// An open entry of the issue log.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IssueView {
    pub id: String,
    /// `critical`, `major` or `minor`.
    pub severity: String,
    pub title: String,
    pub owner: String,
    pub opened_at: Ts,
}

/// What a window function read: how many samples, how old the newest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WindowInputs {
    /// The window as written (`5m`), empty for a bare metric.
    pub window: String,
    pub samples: usize,
    /// Age of the newest sample; `None` when there is none.
    pub age: Option<Dur>,
}

/// One probe attempt as the endpoint detail lists it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AttemptView {
    /// The probe kind (`health`, `latency`...).
    pub probe: String,
    pub at: Ts,
    pub ok: bool,
    /// Why it failed, when known (the latest failure of that probe).
    pub reason: Option<String>,
    /// The HTTP phases this attempt measured, in ms, in order (`connect`,
    /// `tls`, `ttfb`, `transfer`); a phase it did not measure is absent.
    #[serde(default)]
    pub phases: Vec<(String, f64)>,
}

/// A reconciled dataset (checksum/sql/dicomweb probes): its `recon.*` metrics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DatasetView {
    pub dataset: String,
    /// `recon.<dataset>.match`: 1 when both sides agree.
    pub matched: Option<bool>,
    /// Every `recon.<dataset>.*` metric with its latest value.
    pub metrics: Vec<(String, Option<f64>)>,
    pub last_error: Option<String>,
    /// When the last result arrived (the latest successful attempt).
    #[serde(default)]
    pub last_result_at: Option<Ts>,
    /// Its summary, e.g. "3 rows differ: 1 missing on target, ..."; `None` when it matched.
    #[serde(default)]
    pub summary: Option<String>,
    /// Its differences, pseudonymised: `(kind, what)`, kind `missing`,
    /// `extra`, `changed` (rows) or `study` (studies), plus `more` when capped.
    #[serde(default)]
    pub differences: Vec<(String, String)>,
    /// A comparison running now: `(for how long, segment queries answered,
    /// rows hashed so far)`; `None` when idle.
    #[serde(default)]
    pub running: Option<(Dur, u64, u64)>,
}

/// A pending recommendation raised by a threshold breach.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecommendationView {
    pub threshold: String,
    pub message: String,
    pub severity: Severity,
    pub scope: Option<String>,
    pub raised_at: Ts,
}

/// One cutover log record as a short line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub seq: u64,
    pub ts: Ts,
    pub kind: EntryKind,
    pub actor: String,
    pub summary: String,
}

/// Tone of a toast message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ToastKind {
    #[default]
    Info,
    Acknowledged,
    Refused,
}

/// A one-line message at the bottom: an acknowledgement or the rule that refused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Toast {
    pub kind: ToastKind,
    pub message: String,
}

impl CockpitView {
    /// The phase marked current, if any.
    pub fn current_phase(&self) -> Option<&PhaseView> {
        self.phases.iter().find(|p| p.state == PhaseState::Current)
    }
}
