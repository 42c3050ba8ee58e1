//! Communication notices: the runbook's `[[template]]` of the same id, or a
//! built-in default, with `{placeholders}` filled.

use super::{Cockpit, Effect};
use crate::time::Ts;

/// Values for a template's placeholders; a `None` is said in words
/// ("(no hold so far)"), never as a bare "n/a".
#[derive(Debug, Default, Clone)]
pub struct Fill<'a> {
    /// When the event happened (default: now).
    pub time: Option<Ts>,
    pub actor: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub scope: Option<&'a str>,
    pub threshold: Option<&'a str>,
    pub value: Option<String>,
    /// The phase name to show instead of the current one (e.g. the phase `go` enters).
    pub phase: Option<String>,
}

/// Built-in texts, used when the runbook has no template of that id.
fn default_text(id: &str) -> &'static str {
    match id {
        "hold" => "HOLD at {time}: {phase} paused by {actor}: {reason}. Next update {next_update}.",
        "resume" => "RESUMED at {time}: {phase} resumed by {actor}: {reason}. Next update {next_update}.",
        "go" => "GO at {time}: {actor} moved the cutover to {phase}: {reason}. Next update {next_update}.",
        "rollback" => "ROLLBACK at {time}: {actor} decided to roll back {scope} during {phase}: {reason}. Next update {next_update}.",
        "watch" => "WATCH at {time}: threshold {threshold} is at {value} during {phase}. Next update {next_update}.",
        "breach" => "BREACH at {time}: threshold {threshold} breached at {value} during {phase}; {reason} awaits a decision. Next update {next_update}.",
        "overrun" => "OVERRUN at {time}: the approved window is exceeded during {phase}; a decision is pending. Next update {next_update}.",
        _ => "{time}: {phase}: {reason}",
    }
}

impl Cockpit {
    /// Every runbook template filled from the current state at `now`
    /// (id, title, text), for the template popup and for saving to a file.
    pub fn filled_templates(&self, now: Ts) -> Vec<(String, String, String)> {
        self.runbook
            .templates
            .iter()
            .filter_map(
                |t| match self.notify(&t.id, now, self.fill_from_state(&t.id)) {
                    Effect::Notify { text, .. } => Some((t.id.clone(), t.title.clone(), text)),
                    _ => None,
                },
            )
            .collect()
    }

    /// What the state says for template `id`: the latest decision of that
    /// kind (hold, resume, go, rollback), or the first alarming threshold.
    fn fill_from_state(&self, id: &str) -> Fill<'_> {
        let mut fill = Fill::default();
        let kind = match id {
            "overrun" => "hold",
            other => other,
        };
        if let Some(d) = self.last.get(kind) {
            fill.actor = Some(d.actor.as_str());
            fill.reason = Some(d.rationale.as_str());
            fill.scope = d.scope.as_deref();
            if id != "overrun" {
                fill.time = Some(d.at);
            }
            if let Some(p) = d.to.as_deref().and_then(|to| self.runbook.phase(to)) {
                fill.phase = Some(p.name.clone());
            }
        }
        let wanted = match id {
            "watch" => Some(crate::threshold::ThresholdState::Watch),
            "breach" => Some(crate::threshold::ThresholdState::Breached),
            _ => None,
        };
        if let Some(t) =
            wanted.and_then(|w| self.thresholds.iter().find(|t| t.state == w && !t.advisory))
        {
            fill.threshold = Some(t.id.as_str());
            fill.value = t.sides().0.map(crate::gate::fmt_num);
            fill.scope = t.scope.as_deref();
        }
        if fill.scope.is_none() {
            fill.scope = self.rollback.as_ref().map(|r| r.scope.as_str());
        }
        fill
    }

    /// A `Notify` effect for template `id` at `now`.
    pub(super) fn notify(&self, id: &str, now: Ts, f: Fill) -> Effect {
        let text = self
            .runbook
            .template(id)
            .map(|t| t.text.as_str())
            .unwrap_or_else(|| default_text(id));
        let actor = f.actor.map(|a| {
            self.runbook
                .owner(a)
                .map(|o| o.name.as_str())
                .unwrap_or(a)
                .to_string()
        });
        let phase = f
            .phase
            .clone()
            .or_else(|| self.phase().map(|p| p.name.clone()))
            .unwrap_or_default();
        // A missing value is said in words, never as "n/a".
        let none_yet = match id {
            "hold" | "resume" | "go" | "rollback" => format!("(no {id} so far)"),
            _ => "(none recorded)".to_string(),
        };
        let or = |v: Option<String>, words: &str| v.unwrap_or_else(|| words.to_string());
        let pairs = [
            ("{time}", format!("{} UTC", f.time.unwrap_or(now).hms())),
            ("{phase}", phase),
            ("{actor}", or(actor, &none_yet)),
            ("{reason}", or(f.reason.map(str::to_string), &none_yet)),
            (
                "{next_update}",
                format!("{} UTC", (now + self.runbook.update_every).hms()),
            ),
            (
                "{scope}",
                or(f.scope.map(str::to_string), "(no rollback scope)"),
            ),
            (
                "{threshold}",
                or(f.threshold.map(str::to_string), "(no threshold alarming)"),
            ),
            ("{value}", or(f.value, "(no value yet)")),
        ];
        Effect::Notify {
            template: id.to_string(),
            // Rationales come from people: keep the notice one inert line.
            text: crate::sanitize::inert(&fill(text, &pairs)),
        }
    }
}

/// Replaces every placeholder in one pass (so filled text is never re-scanned).
fn fill(text: &str, pairs: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match pairs.iter().find(|(k, _)| tail.starts_with(k)) {
            Some((k, v)) => {
                out.push_str(v);
                rest = &tail[k.len()..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::fill;

    #[test]
    fn placeholders_fill_once_and_unknown_braces_stay() {
        let pairs = [
            ("{actor}", "{reason}".to_string()),
            ("{reason}", "x".to_string()),
        ];
        assert_eq!(
            fill("{actor} said {reason} {other}", &pairs),
            "{reason} said x {other}"
        );
    }
}
