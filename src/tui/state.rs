//! Screen-only state: focus, selection, overlays, the open form, toggles.
//!
//! Nothing here is cutover state (that lives in the core and reaches the
//! screen as a `CockpitView`); losing it loses nothing that matters.

use crate::tui::form::Form;
use crate::tui::theme::Theme;
use crate::tui::view::{CockpitView, StepView, Toast};

/// A region of the screen that can take focus with `tab`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Region {
    #[default]
    Steps,
    Gates,
    Thresholds,
    Endpoints,
    Issues,
    Recommendations,
    Log,
}

impl Region {
    /// Focus order for `tab`.
    pub const ALL: [Region; 7] = [
        Region::Steps,
        Region::Gates,
        Region::Thresholds,
        Region::Endpoints,
        Region::Issues,
        Region::Recommendations,
        Region::Log,
    ];

    fn index(self) -> usize {
        Region::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }

    /// The next region in focus order (wraps).
    pub fn next(self) -> Region {
        Region::ALL[(self.index() + 1) % Region::ALL.len()]
    }

    /// The previous region in focus order (wraps).
    pub fn prev(self) -> Region {
        Region::ALL[(self.index() + Region::ALL.len() - 1) % Region::ALL.len()]
    }
}

/// What is drawn over the main screen.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Overlay {
    #[default]
    None,
    /// The `?` key list.
    Help,
    /// `q` was pressed: `y` quits, anything else stays.
    ConfirmQuit,
    /// A small form collecting an action's fields.
    Form(Form),
    /// A filled communication template (index into `view.templates`).
    Template(usize),
    /// Everything about one row (Enter on it; Esc back).
    Detail(DetailRef),
}

/// The row a detail view shows: a region and the row's index there, and
/// how far the text is scrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DetailRef {
    pub region: Region,
    pub index: usize,
    pub scroll: u16,
}

/// Everything the screen remembers between frames.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UiState {
    /// Chosen once at start (`Theme::from_env`).
    pub theme: Theme,
    pub focus: Region,
    /// Selected row per region, indexed like `Region::ALL`; clamped on use.
    pub selected: [usize; Region::ALL.len()],
    pub overlay: Overlay,
    /// The tui-logger pane with the program's own diagnostics (`l`).
    pub show_diagnostics: bool,
    /// Team view: only the operator's own steps (`m` or `/`).
    pub only_mine: bool,
    /// The answer to the last action taken at this keyboard.
    pub toast: Option<Toast>,
    /// When `toast` was put up (view time): notes expire (see `app`).
    pub toast_at: Option<crate::core::time::Ts>,
    /// How fast view time runs against wall time (a rehearsal's speed):
    /// messages stay up for the same wall time a reader needs at any speed.
    pub pace: crate::clock::Pace,
    /// The form just submitted, until the core answers: a refusal reopens
    /// it with everything typed and the reason.
    pub submitted: Option<Form>,
}

impl UiState {
    /// The start state for an operator: the commander sees everything, a
    /// team member opens on "my steps".
    pub fn for_view(theme: Theme, view: &CockpitView) -> UiState {
        UiState {
            theme,
            only_mine: !view.header.operator_is_commander,
            ..UiState::default()
        }
    }

    /// Selected row of `region` (not clamped).
    pub fn selection(&self, region: Region) -> usize {
        self.selected[region.index()]
    }

    /// Moves the selection of the focused region by `delta`, within `len` rows.
    pub fn move_selection(&mut self, delta: isize, len: usize) {
        let i = self.focus.index();
        let cur = self.selected[i].min(len.saturating_sub(1)) as isize;
        let max = len.saturating_sub(1) as isize;
        self.selected[i] = (cur + delta).clamp(0, max) as usize;
    }

    /// Steps as shown: all, or only the operator's own in team view.
    pub fn visible_steps<'a>(&self, view: &'a CockpitView) -> Vec<&'a StepView> {
        view.steps
            .iter()
            .filter(|s| !self.only_mine || s.owner == view.header.operator)
            .collect()
    }

    /// The selected step among the visible ones.
    pub fn selected_step<'a>(&self, view: &'a CockpitView) -> Option<&'a StepView> {
        let steps = self.visible_steps(view);
        let i = self
            .selection(Region::Steps)
            .min(steps.len().saturating_sub(1));
        steps.get(i).copied()
    }

    /// Rows in a region, for moving the selection.
    pub fn rows(&self, view: &CockpitView, region: Region) -> usize {
        match region {
            Region::Steps => self.visible_steps(view).len(),
            Region::Gates => view.gates.len() + view.signoffs.len(),
            Region::Thresholds => view.thresholds.len(),
            Region::Endpoints => view.endpoints.len() + view.datasets.len(),
            Region::Issues => view.issues.len(),
            Region::Recommendations => view.recommendations.len(),
            Region::Log => view.log_tail.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn focus_wraps_both_ways() {
        assert_eq!(Region::Log.next(), Region::Steps);
        assert_eq!(Region::Steps.prev(), Region::Log);
    }

    #[test]
    fn selection_stays_inside_the_rows() {
        let mut ui = UiState::default();
        ui.move_selection(5, 3);
        assert_eq!(ui.selection(Region::Steps), 2);
        ui.move_selection(-9, 3);
        assert_eq!(ui.selection(Region::Steps), 0);
        ui.move_selection(1, 0);
        assert_eq!(ui.selection(Region::Steps), 0);
    }
}
