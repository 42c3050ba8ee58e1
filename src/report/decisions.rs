//! Decisions and what follows from them: holds, and threshold episodes
//! with their answers.

use super::facts::{Decision, Episode, Hold, SnapItem, Transition};
use super::records::Rec;
use crate::core::records::{DecisionAction, DecisionBody, IssueOp, Snapshot, SnapshotRow};
use crate::core::time::{Dur, Ts};

/// Every `decision` record, in log order.
pub fn decisions(recs: &[Rec]) -> Vec<Decision> {
    recs.iter()
        .filter_map(|r| {
            let d = r.decision()?;
            let kind = r.decision_type().unwrap_or("?").to_string();
            Some(Decision {
                seq: r.seq,
                ts: r.ts?,
                actor: r.actor.to_string(),
                phase: r.phase.map(String::from),
                detail: detail(d, r),
                rationale: Some(d.rationale.clone()).filter(|s| !s.is_empty()),
                snapshot: d.snapshot.as_ref().map(snapshot).unwrap_or_default(),
                authority: d
                    .authority
                    .as_deref()
                    .map(crate::core::cockpit::Authority::code_words),
                settles: d.settles.clone(),
                kind,
            })
        })
        .collect()
}

/// The facts of a decision, and which other recommendations it settled.
fn detail(d: &DecisionBody, r: &Rec) -> String {
    let base = facts(d, r);
    let own = match &d.action {
        DecisionAction::Decide { threshold, .. } => Some(threshold.as_str()),
        _ => None,
    };
    let others: Vec<&str> = d
        .settles
        .iter()
        .map(String::as_str)
        .filter(|t| Some(*t) != own)
        .collect();
    match (others.is_empty(), base.is_empty()) {
        (true, _) => base,
        (false, true) => format!("settles the recommendation of {}", others.join(", ")),
        (false, false) => format!(
            "{base}; settles the recommendation of {}",
            others.join(", ")
        ),
    }
}

/// The facts of a decision beyond its kind, as one line of plain text.
fn facts(d: &DecisionBody, r: &Rec) -> String {
    let action = &d.action;
    let q = |s: &str| {
        if s.is_empty() {
            "?".to_string()
        } else {
            s.to_string()
        }
    };
    match action {
        DecisionAction::Rollback { scope } => format!("scope {}", q(scope)),
        DecisionAction::Waive { gate, owner, .. } => format!(
            "gate {} waived; accountable: {}; expires {}",
            q(gate),
            q(owner),
            action.waiver_expires().map_or("?".into(), Ts::to_rfc3339)
        ),
        DecisionAction::Signoff { phase, role } => {
            let phase = Some(phase.as_str()).filter(|p| !p.is_empty()).or(r.phase);
            let what = format!("{} of phase {}", q(role), phase.unwrap_or("?"));
            // the sign-off's rationale is its statement of what was reviewed
            match Some(d.rationale.as_str()).filter(|s| !s.trim().is_empty()) {
                Some(st) => format!("{what}; reviewed: {st}"),
                None => format!("{what}; no statement of what was reviewed"),
            }
        }
        DecisionAction::Go { from, to, reentry } => go_detail(from, to.as_deref(), *reentry),
        DecisionAction::Handover { from, to, .. } => {
            let from = if from.is_empty() { r.actor } else { from };
            format!("commander role from {from} to {}", q(to))
        }
        DecisionAction::Decide {
            threshold,
            answer,
            scope,
            in_progress,
        } => {
            let scope = match (scope, in_progress) {
                (Some(s), true) => format!(" (scope {s}, already in progress)"),
                (Some(s), false) => format!(" (scope {s})"),
                (None, _) => String::new(),
            };
            format!(
                "answered {} recommendation: {}{scope}",
                q(threshold),
                q(answer)
            )
        }
        DecisionAction::Issue {
            op,
            id,
            severity,
            title,
            owner,
        } => issue_detail(*op, id, severity, title, owner),
        DecisionAction::Hold | DecisionAction::Resume | DecisionAction::Note => String::new(),
        DecisionAction::Other => String::new(),
    }
}

fn go_detail(from: &str, to: Option<&str>, again: bool) -> String {
    let from = Some(from).filter(|f| !f.is_empty());
    match (from, to, again) {
        (_, Some(to), true) => format!("re-entered {to} after the rollback"),
        (Some(from), Some(to), false) if from != to => format!("from {from} to {to}"),
        (Some(from), _, false) => format!("completed {from}"),
        _ => String::new(),
    }
}

/// "open issue ISS-1 (minor): title; owner mo" with whatever parts are recorded.
fn issue_detail(
    op: IssueOp,
    id: &str,
    severity: &Option<String>,
    title: &Option<String>,
    owner: &Option<String>,
) -> String {
    let op = match op {
        IssueOp::Open => "open",
        IssueOp::Close => "close",
    };
    let id = if id.is_empty() { "?" } else { id };
    let mut s = format!("{op} issue {id}");
    if let Some(sev) = severity {
        s.push_str(&format!(" ({sev})"));
    }
    if let Some(title) = title {
        s.push_str(&format!(": {title}"));
    }
    if let Some(owner) = owner {
        s.push_str(&format!("; owner {owner}"));
    }
    s
}

/// The gate, sign-off and threshold states recorded with a decision.
fn snapshot(s: &Snapshot) -> Vec<SnapItem> {
    let row = |what: &'static str, r: &SnapshotRow| SnapItem {
        // an advisory row never decided anything: the reviewer reads it as such
        what: match (what, r.advisory) {
            ("gate", true) => "advisory gate",
            ("threshold", true) => "advisory threshold",
            (w, _) => w,
        },
        id: r.id.clone(),
        state: r.state.clone(),
        value: r.value.map(super::text::num),
        limit: r.limit.map(super::text::num),
    };
    let mut out: Vec<SnapItem> = s.gates.iter().map(|r| row("gate", r)).collect();
    // sign-offs have no id: name them by role, phase and owner
    out.extend(s.signoffs.iter().map(|so| SnapItem {
        what: "sign-off",
        id: format!("{} of {} ({})", so.role, so.phase, so.owner),
        state: so.state.clone(),
        value: None,
        limit: None,
    }));
    out.extend(s.thresholds.iter().map(|r| row("threshold", r)));
    out
}

/// Holds: from a `hold` (or a recommendation answered `hold`) to the next `resume`.
pub fn holds(decisions: &[Decision], end: Option<Ts>) -> Vec<Hold> {
    let mut out: Vec<Hold> = Vec::new();
    for d in decisions {
        let starts = d.kind == "hold" || (d.kind == "decide" && d.detail.ends_with(": hold"));
        let open = out.last_mut().filter(|h| h.end.is_none());
        match (starts, d.kind.as_str(), open) {
            (true, _, None) => out.push(Hold {
                start: d.ts,
                by: d.actor.clone(),
                reason: d.rationale.clone(),
                end: None,
                resumed_by: None,
                duration: end.map_or(Dur::ZERO, |e| e - d.ts),
            }),
            (false, "resume", Some(h)) => {
                h.end = Some(d.ts);
                h.resumed_by = Some(d.actor.clone());
                h.duration = d.ts - h.start;
            }
            _ => {}
        }
    }
    out
}

/// Episodes: a threshold leaves ok/unknown/inactive for watch or breached,
/// until a transition brings it back. Decisions naming the threshold during
/// the episode are its answers; without any, holds and rollbacks taken during it.
pub fn episodes(changes: &[Transition], decisions: &[Decision]) -> Vec<Episode> {
    let mut out: Vec<Episode> = Vec::new();
    for t in changes {
        let active = matches!(t.to.as_str(), "watch" | "breached");
        let open = out
            .iter_mut()
            .rev()
            .find(|e| e.threshold == t.id && e.end.is_none());
        match (active, open) {
            (true, Some(e)) => {
                e.peak = max_opt(e.peak, t.value);
                e.limit = t.limit.or(e.limit);
                if t.to == "breached" {
                    e.breached_at.get_or_insert(t.ts);
                }
                e.end_state = t.to.clone();
                if e.recommended.is_none() {
                    e.recommended = t.recommendation.clone();
                }
                if e.would_recommend.is_none() {
                    e.would_recommend = t.would_recommend.clone();
                }
                e.advisory |= t.advisory;
            }
            (true, None) => out.push(Episode {
                threshold: t.id.clone(),
                start: t.ts,
                breached_at: (t.to == "breached").then_some(t.ts),
                end: None,
                peak: t.value,
                limit: t.limit,
                end_state: "open at end of log".into(),
                recommended: t.recommendation.clone(),
                advisory: t.advisory,
                would_recommend: t.would_recommend.clone(),
                decisions: Vec::new(),
            }),
            (false, Some(e)) => {
                e.end = Some(t.ts);
                e.end_state = t.to.clone();
            }
            (false, None) => {}
        }
    }
    for e in &mut out {
        if e.end.is_none() {
            e.end_state = "open at end of log".into();
        }
        e.decisions = answers(e, decisions);
    }
    out
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn answers(e: &Episode, decisions: &[Decision]) -> Vec<String> {
    let during = |d: &&Decision| d.ts >= e.start && e.end.is_none_or(|end| d.ts <= end);
    let line = |d: &Decision| {
        let what = if d.detail.is_empty() {
            d.kind.clone()
        } else {
            format!("{}: {}", d.kind, d.detail)
        };
        format!("{} {} by {}", d.ts.hms(), what, d.actor)
    };
    let named: Vec<String> = decisions
        .iter()
        .filter(during)
        .filter(|d| {
            d.kind == "decide" && d.detail.starts_with(&format!("answered {} ", e.threshold))
                || d.settles.contains(&e.threshold)
        })
        .map(|d| match d.kind.as_str() {
            "decide" => line(d),
            // a rollback or hold made the recommendation moot
            _ => format!("{} (settles this recommendation)", line(d)),
        })
        .collect();
    if !named.is_empty() {
        return named;
    }
    decisions
        .iter()
        .filter(during)
        .filter(|d| matches!(d.kind.as_str(), "hold" | "rollback" | "resume"))
        .map(|d| format!("{} (during episode)", line(d)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::records::test_support::{at, parse, rec};
    use serde_json::json;

    #[test]
    fn snapshot_rows_are_read_from_the_typed_snapshot() {
        let vals = [rec(
            1,
            "decision",
            json!({"type":"go","rationale":"all green","snapshot":{
            "gates":[{"id":"g1","state":"pass","value":1,"limit":1}],
            "signoffs":[{"phase":"p1","role":"Clinical lead","owner":"lee","state":"given"}],
            "thresholds":[{"id":"t1","state":"ok","value":null,"limit":null},
                          {"id":"t2","state":"watch","value":812.5,"limit":800}]}}),
        )];
        let d = decisions(&parse(&vals));
        let snap: Vec<_> = d[0]
            .snapshot
            .iter()
            .map(|s| (s.what, s.id.as_str(), s.state.as_str(), s.value.clone()))
            .collect();
        assert_eq!(
            snap,
            vec![
                ("gate", "g1", "pass", Some("1".into())),
                ("sign-off", "Clinical lead of p1 (lee)", "given", None),
                ("threshold", "t1", "ok", None),
                ("threshold", "t2", "watch", Some("812.5".into())),
            ]
        );
        assert_eq!(d[0].rationale.as_deref(), Some("all green"));
    }

    #[test]
    fn holds_last_until_resume_or_end_of_log() {
        let vals = [
            rec(10, "decision", json!({"type":"hold","rationale":"lag"})),
            rec(
                25,
                "decision",
                json!({"type":"resume","rationale":"lag gone"}),
            ),
            rec(
                50,
                "decision",
                json!({"type":"decide","threshold":"t","answer":"hold","rationale":"x"}),
            ),
        ];
        let h = holds(&decisions(&parse(&vals)), Some(at(70)));
        let got: Vec<_> = h.iter().map(|h| (h.start, h.end, h.duration)).collect();
        assert_eq!(
            got,
            vec![
                (at(10), Some(at(25)), Dur::from_mins(15)),
                (at(50), None, Dur::from_mins(20))
            ]
        );
    }

    #[test]
    fn episodes_track_peak_breach_end_and_answer() {
        let tr = |min, to: &str, v: f64| Transition {
            ts: at(min),
            id: "lat".into(),
            from: None,
            to: to.into(),
            value: Some(v),
            limit: Some(800.0),
            recommendation: (to == "breached").then(|| "rollback (scope s)".to_string()),
            advisory: false,
            would_recommend: None,
        };
        let changes = [
            tr(5, "watch", 820.0),
            tr(15, "breached", 910.0),
            tr(30, "ok", 700.0),
            tr(40, "watch", 801.0),
        ];
        let vals = [rec(
            20,
            "decision",
            json!({"type":"decide","threshold":"lat","answer":"continue","rationale":"cache warm"}),
        )];
        let e = episodes(&changes, &decisions(&parse(&vals)));
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].recommended.as_deref(), Some("rollback (scope s)"));
        assert_eq!(
            (e[0].peak, e[0].breached_at, e[0].end),
            (Some(910.0), Some(at(15)), Some(at(30)))
        );
        assert_eq!(
            e[0].decisions,
            vec!["00:20:00 decide: answered lat recommendation: continue by dana".to_string()]
        );
        assert_eq!(
            (e[1].end, e[1].end_state.as_str()),
            (None, "open at end of log")
        );
    }

    #[test]
    fn an_advisory_episode_says_what_it_would_have_recommended() {
        let tr = |min, to: &str| Transition {
            ts: at(min),
            id: "early".into(),
            from: None,
            to: to.into(),
            value: Some(600.0),
            limit: Some(500.0),
            recommendation: None,
            advisory: true,
            would_recommend: (to == "breached").then(|| "hold".to_string()),
        };
        let changes = [tr(5, "watch"), tr(15, "breached"), tr(30, "ok")];
        let e = episodes(&changes, &[]);
        assert_eq!(e.len(), 1);
        assert!(e[0].advisory);
        assert_eq!(
            e[0].answer_lines(),
            vec![
                "advisory: recommended nothing; would have recommended hold".to_string(),
                "no decision needed (advisory)".to_string()
            ]
        );
    }
}
