//! The headless `cutover status` object (README.md, "Commands"), built from a
//! cockpit that has been fed probe reports and ticks.

use super::Cockpit;
use crate::derived;
use crate::gate::GateState;
use crate::time::Ts;
use serde_json::{json, Map, Value};

impl Cockpit {
    /// `{"metrics": {...}, "gates": [...], "signoffs": [...], "thresholds": [...]}`
    /// at `now`. `metric_names` are the metrics to list (e.g. every metric the
    /// config's probes can produce); the derived metrics are always added.
    pub fn status_json(&self, metric_names: &[String], now: Ts) -> Value {
        let mut names: Vec<String> = metric_names.to_vec();
        // every derived metric, the slack of every rollback scope included,
        // whether or not a tick has computed it yet
        names.extend(derived::names(
            self.runbook.rollbacks.iter().map(|r| r.scope.as_str()),
        ));
        names.sort();
        names.dedup();
        let mut metrics = Map::new();
        for n in names {
            let (value, reason) = match self.store.latest(&n, now) {
                Ok(v) => (Some(v), None),
                Err(m) => (None, Some(m.0)),
            };
            let age = self.store.age(&n, now).ok();
            metrics.insert(n, json!({"value": value, "age_s": age, "reason": reason}));
        }
        let mut doc = self.board_json(super::board::Extra::Reason);
        doc["metrics"] = Value::Object(metrics);
        doc
    }

    /// Whether every entry and exit gate of `phase` passes (or is waived):
    /// the exit code of `cutover status --phase`. Advisory gates are left
    /// out, as `go` leaves them out. `None` for an unknown phase.
    pub fn phase_gates_pass(&self, phase: &str) -> Option<bool> {
        self.runbook.phase(phase)?;
        Some(
            self.gates
                .iter()
                .filter(|g| g.phase == phase && !g.advisory)
                .all(|g| matches!(g.state(), GateState::Pass | GateState::Waived)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::Session;

    #[test]
    fn status_lists_metrics_gates_signoffs_and_thresholds() {
        let mut s = Session::new();
        s.at(1, &[("target.pacs.up", 1.0)]);
        let v =
            s.c.status_json(&["target.pacs.up".into(), "source.pacs.up".into()], s.now);
        assert_eq!(v["metrics"]["target.pacs.up"]["value"], 1.0);
        assert_eq!(v["metrics"]["target.pacs.up"]["age_s"], 0.0);
        assert_eq!(
            v["metrics"]["source.pacs.up"]["reason"],
            "no sample of source.pacs.up"
        );
        assert_eq!(v["metrics"]["cutover.elapsed_min"]["value"], 1.0 / 60.0);
        assert_eq!(v["gates"][0]["state"], "pass");
        assert_eq!(v["gates"][1]["kind"], "entry");
        assert_eq!(v["gates"][2]["state"], "unknown");
        assert_eq!(
            v["gates"][2]["reason"],
            "no sample of recon.pacs-pilot.match"
        );
        assert_eq!(v["signoffs"][0]["state"], "awaiting");
        assert_eq!(v["thresholds"][1]["id"], "target-down");
        assert_eq!(v["thresholds"][1]["state"], "ok");
        assert_eq!(v["thresholds"][1]["value"], 1.0);
        assert_eq!(v["thresholds"][1]["limit"], 0.0);
        assert_eq!(s.c.phase_gates_pass("readiness"), Some(true));
        assert_eq!(s.c.phase_gates_pass("pilot"), Some(false));
        assert_eq!(s.c.phase_gates_pass("nope"), None);
    }
}
