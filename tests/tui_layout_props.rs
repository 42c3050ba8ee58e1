//! Property: at 80x24, 120x40 and 200x50, whatever the runbook's size, no
//! region sits on more than two empty rows while another region in its
//! column is cut, and the log tail grows only into rows the body does not
//! need. Checked on the layout the renderer uses (`ui::body_layout`), with
//! each region's want (rows its content needs, title rule included).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed unwrap is a failed test

#[path = "support/views.rs"]
mod fixtures;

use cutover_cockpit::tui::ui::{body_layout, tail_min};
use cutover_cockpit::tui::view::{CockpitView, IssueView, RecommendationView};
use cutover_cockpit::tui::UiState;
use proptest::prelude::*;
use ratatui::layout::Rect;

const SIZES: [(u16, u16); 3] = [(80, 24), (120, 40), (200, 50)];

fn view(
    steps: usize,
    gates: usize,
    thresholds: usize,
    endpoints: usize,
    issues: usize,
    recs: usize,
    log: usize,
) -> CockpitView {
    let mut v = fixtures::large_view(steps, gates);
    v.thresholds.truncate(thresholds);
    v.endpoints.truncate(endpoints);
    v.issues = (0..issues)
        .map(|i| IssueView {
            id: format!("INC-{i}"),
            severity: "major".into(),
            title: "something".into(),
            owner: "ana".into(),
            opened_at: v.now,
        })
        .collect();
    let r = v.recommendations.first().cloned().unwrap_or_default();
    v.recommendations = (0..recs)
        .map(|i| RecommendationView {
            threshold: format!("t{i}"),
            ..r.clone()
        })
        .collect();
    v.log_tail.truncate(log);
    v
}

/// The rows between the phase strip and the footer, as `render` computes them.
fn rest(w: u16, h: u16, view: &CockpitView) -> Rect {
    let head = (2 + view.recommendations.len().min(1) as u16)
        .min(h / 4)
        .max(2);
    Rect::new(0, head + 1, w, h - head - 1 - 2)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn no_region_is_empty_while_another_is_cut(
        steps in 0usize..30,
        gates in 0usize..12,
        thresholds in 0usize..20,
        endpoints in 0usize..10,
        issues in 0usize..8,
        recs in 0usize..4,
        log in 0usize..40,
    ) {
        let v = view(steps, gates, thresholds, endpoints, issues, recs, log);
        let ui = UiState::default();
        for (w, h) in SIZES {
            let screen = Rect::new(0, 0, w, h);
            let r = rest(w, h, &v);
            let plan = body_layout(r, screen, &v, &ui);
            // every row of `rest` belongs to the body or the tail, once
            let body_h = plan.placed.iter().filter(|p| p.rect.x == 0).map(|p| p.rect.height).sum::<u16>();
            prop_assert_eq!(body_h + plan.tail.height, r.height, "{}x{}", w, h);
            for x in [0u16, 1] {
                let col: Vec<_> = plan
                    .placed
                    .iter()
                    .filter(|p| (p.rect.x == 0) == (x == 0))
                    .collect();
                let cut = col.iter().any(|p| p.rect.height < p.want);
                let idle = col.iter().map(|p| p.rect.height.saturating_sub(p.want)).max().unwrap_or(0);
                prop_assert!(
                    !(cut && idle > 2),
                    "{}x{}: column {} cuts a region while another has {} empty rows: {:?}",
                    w, h, x, idle, col
                );
            }
            let body_cut = plan.placed.iter().any(|p| p.rect.height < p.want);
            if body_cut {
                prop_assert_eq!(
                    plan.tail.height,
                    tail_min(screen, &ui).min(r.height),
                    "{}x{}: the tail grew while the body cuts", w, h
                );
            }
            // the tail cut while the body leaves rows empty in both columns
            if plan.tail.height < plan.tail_want {
                let spare = |left: bool| {
                    plan.placed
                        .iter()
                        .filter(|p| (p.rect.x == 0) == left)
                        .map(|p| p.rect.height.saturating_sub(p.want))
                        .sum::<u16>()
                };
                prop_assert!(
                    spare(true).min(spare(false)) <= 2,
                    "{}x{}: the tail is cut while both columns have spare rows", w, h
                );
            }
        }
    }
}
