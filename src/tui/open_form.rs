//! Which form each action key opens, prefilled from what is on screen
//! (the selected gate, the focused recommendation, the operator).

use crate::tui::form::{Field, Form, FormKind, Pending};
use crate::tui::state::{Region, UiState};
use crate::tui::view::{CockpitView, GateState};

/// A form with one required free-text field (submits on Enter).
pub fn single(kind: FormKind, title: impl Into<String>, label: &'static str) -> Form {
    Form::new(
        kind,
        title,
        vec![Field::text(label, "Enter submits, Esc cancels")],
    )
}

/// `b`: rollback, scope suggested from the first pending recommendation.
pub fn rollback(view: &CockpitView) -> Form {
    let suggested = view.recommendations.iter().find_map(|r| r.scope.clone());
    Form::new(
        FormKind::Rollback,
        "Rollback",
        vec![
            Field::choice("scope", view.rollback_scopes.clone(), suggested),
            Field::text("rationale", "why roll back now"),
        ],
    )
}

/// `w`: waive the selected gate (or the first gate that does not pass).
pub fn waive(view: &CockpitView, ui: &UiState) -> Form {
    // advisory gates never block go: there is nothing to waive on them
    let ids: Vec<String> = view
        .gates
        .iter()
        .filter(|g| !g.advisory)
        .map(|g| g.id.clone())
        .collect();
    let selected = if ui.focus == Region::Gates {
        view.gates
            .get(ui.selection(Region::Gates))
            .filter(|g| !g.advisory)
            .map(|g| g.id.clone())
    } else {
        None
    };
    let gate = selected.or_else(|| {
        view.gates
            .iter()
            .find(|g| !g.advisory && !matches!(g.state, GateState::Pass | GateState::Waived))
            .map(|g| g.id.clone())
    });
    let mut expires = Field::text("expires", "a duration like 45m, or an RFC 3339 time");
    expires.required = true;
    Form::new(
        FormKind::Waive,
        "Waive a gate",
        vec![
            Field::choice("gate", ids, gate),
            Field::choice(
                "owner",
                view.roster.clone(),
                Some(view.header.operator.clone()),
            ),
            Field::text("reason", "the accountable reason"),
            expires,
        ],
    )
}

/// `s`: sign off; only the sign-offs this operator may give, and a
/// statement of what was reviewed (required; logged and in the report).
pub fn signoff(view: &CockpitView) -> Option<Form> {
    let mine = &view.forms.my_signoffs;
    let (_, first) = mine.first()?;
    let phases_by_role = mine.iter().map(|(p, r)| (r.clone(), p.clone())).collect();
    let roles = mine.iter().map(|(_, r)| r.clone()).collect();
    Some(Form::new(
        FormKind::SignOff { phases_by_role },
        "Sign off",
        vec![
            Field::choice("role", roles, Some(first.clone())),
            Field::text("reviewed", "what you reviewed before signing"),
        ],
    ))
}

/// `g`: go, titled with what it will do ("Go: enter pilot-dataset").
pub fn go(view: &CockpitView) -> Form {
    let title = match view.forms.go.is_empty() {
        true => "Go: enter the next phase".to_string(),
        false => format!("Go: {}", view.forms.go),
    };
    single(FormKind::Go, title, "rationale")
}

/// `d`: decide the focused recommendation (else the oldest pending one).
pub fn decide(view: &CockpitView, ui: &UiState) -> Option<Form> {
    let i = if ui.focus == Region::Recommendations {
        ui.selection(Region::Recommendations)
    } else {
        0
    };
    let rec = view
        .recommendations
        .get(i)
        .or_else(|| view.recommendations.first())?;
    let suggested = rec.severity.word();
    let answers = ["rollback", "hold", "continue"].map(String::from).to_vec();
    Some(Form::new(
        FormKind::Decide {
            threshold: rec.threshold.clone(),
        },
        format!("Decide: {}", rec.threshold),
        vec![
            Field::choice("answer", answers, Some(suggested.to_string())),
            Field::text("rationale", "why this answer"),
        ],
    ))
}

/// `i`: open an issue in the issue log.
pub fn issue_open(view: &CockpitView) -> Form {
    let severities = ["critical", "major", "minor"].map(String::from).to_vec();
    Form::new(
        FormKind::IssueOpen,
        "Open an issue",
        vec![
            Field::text("id", "e.g. INC-7"),
            Field::choice("severity", severities, Some("major".into())),
            Field::text("title", "what is wrong"),
            Field::choice(
                "owner",
                view.roster.clone(),
                Some(view.header.operator.clone()),
            ),
        ],
    )
}

/// `c`: close an issue; offers the open issues this operator may close,
/// the one selected in the issues panel first.
pub fn issue_close(view: &CockpitView, ui: &UiState) -> Form {
    let ids: Vec<String> = view
        .forms
        .closable_issues
        .iter()
        .map(|(id, _)| id.clone())
        .collect();
    let listed: Vec<String> = view
        .forms
        .closable_issues
        .iter()
        .map(|(id, title)| format!("{id}: {title}"))
        .collect();
    let selected = (ui.focus == Region::Issues)
        .then(|| view.issues.get(ui.selection(Region::Issues)))
        .flatten()
        .map(|i| i.id.clone())
        .filter(|id| ids.contains(id));
    Form::new(
        FormKind::IssueClose,
        "Close an issue",
        vec![
            Field::choice("id", ids, selected),
            Field::text("rationale", "how it was resolved"),
        ],
    )
    .with_note(format!("open: {}", listed.join("; ")))
}

/// `o`: hand the commander role over.
pub fn handover(view: &CockpitView) -> Form {
    let others: Vec<String> = view
        .roster
        .iter()
        .filter(|o| **o != view.header.operator)
        .cloned()
        .collect();
    let keeps = &view.forms.handover_keeps;
    let note = match keeps.is_empty() {
        true => format!(
            "{} keeps no decision rights after the handover",
            view.header.operator
        ),
        false => format!(
            "{} keeps: {} (phase owners decide in their phase)",
            view.header.operator,
            keeps.join(", ")
        ),
    };
    Form::new(
        FormKind::Handover,
        "Hand over command",
        vec![
            Field::choice("to", others, None),
            Field::text("rationale", "why"),
        ],
    )
    .with_note(note)
}

/// The signing key is locked: its passphrase (masked), asked before
/// `pending` is signed. `prompt` says whose key and why.
pub fn passphrase(pending: Pending, prompt: String) -> Form {
    Form::new(
        FormKind::Passphrase {
            pending: Box::new(pending),
        },
        "Signing key locked: passphrase",
        vec![Field::passphrase(
            "passphrase",
            "not shown; Enter unlocks and signs, Esc cancels",
        )],
    )
    .with_note(prompt)
}

/// `A` on a log line: amend record `seq` (shown in the note); the record
/// itself never changes, the amendment is appended after it.
pub fn amend(seq: u64, line: &str) -> Form {
    Form::new(
        FormKind::Amend { seq },
        format!("Amend record #{seq}"),
        vec![
            Field::text("reason", "why it is amended (required)"),
            Field::optional("correction", "what it should have said (optional)"),
        ],
    )
    .with_note(format!(
        "#{seq} stays as recorded; an amend record is appended: {line}"
    ))
}
