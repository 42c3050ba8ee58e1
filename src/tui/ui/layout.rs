//! Where each region goes and how tall it is. Regions ask for the rows their
//! content needs; a column hands out its rows so that no region sits on
//! empty rows while another in the same column is cut (water-filling), the
//! two movable regions (issues, recommendations) go to the column with
//! more room, and the body is only as tall as its taller column: rows left
//! over go to the log tail. Pure arithmetic on `Rect`s (no constraint solver).

use super::area;
use crate::tui::state::{Region, UiState};
use crate::tui::view::CockpitView;
use ratatui::layout::Rect;

/// A region's place on screen and how many rows its content wants there
/// (title rule included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub region: Region,
    pub rect: Rect,
    pub want: u16,
}

/// The body's regions and the log tail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyLayout {
    pub placed: Vec<Placed>,
    pub tail: Rect,
    pub tail_want: u16,
}

impl BodyLayout {
    /// The rectangle of `region`, empty when it is not placed.
    pub fn rect(&self, region: Region) -> Rect {
        self.placed
            .iter()
            .find(|p| p.region == region)
            .map(|p| p.rect)
            .unwrap_or_default()
    }
}

/// Rows a region's content wants (title rule included): `full` shows
/// everything (two lines per gate, threshold, recommendation), `compact`
/// one line per row, which the region falls back to when cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Want {
    pub region: Region,
    pub full: u16,
    pub compact: u16,
}

/// What each region wants for `view`.
pub fn wants(view: &CockpitView, ui: &UiState) -> [Want; 6] {
    let n = |x: usize| x.min(u16::MAX as usize / 4) as u16;
    let w = |region, full: u16, compact: u16| Want {
        region,
        full,
        compact: compact.min(full),
    };
    let steps = n(ui.visible_steps(view).len()).max(1) + 1;
    let (g, s) = (n(view.gates.len()), n(view.signoffs.len()));
    let t = n(view.thresholds.len());
    let endpoints = n(view.endpoints.len() + view.datasets.len()).max(1) + 2;
    let issues = n(view.issues.len()).max(1) + 1;
    let r = n(view.recommendations.len());
    [
        w(Region::Steps, steps, steps),
        w(Region::Gates, (2 * g + s).max(1) + 1, (g + s).max(1) + 1),
        w(Region::Thresholds, (2 * t).max(1) + 1, t.max(1) + 1),
        w(Region::Endpoints, endpoints, endpoints),
        w(Region::Issues, issues, issues),
        // nothing pending: the header and footer say so, the region gives its rows away
        w(
            Region::Recommendations,
            if r == 0 { 0 } else { 2 * r + 1 },
            if r == 0 { 0 } else { r + 1 },
        ),
    ]
}

/// Lays out `rest` (everything between the phase strip and the footer)
/// into body regions and the log tail (`tail_min` rows at least, more when
/// the body does not need them).
pub fn body(rest: Rect, wants: [Want; 6], tail_min: u16, tail_want: u16) -> BodyLayout {
    let find = |r: Region| wants.iter().find(|w| w.region == r).copied();
    let want = |r: Region| find(r).map(|w| w.full).unwrap_or(1);
    let mut left = vec![Region::Steps, Region::Gates];
    let mut right = vec![Region::Thresholds, Region::Endpoints];
    // the movable regions go where they fit best: the shorter column
    for r in [Region::Issues, Region::Recommendations] {
        let sum = |c: &[Region]| c.iter().map(|r| want(*r) as u32).sum::<u32>();
        if sum(&left) < sum(&right) {
            left.push(r);
        } else {
            right.push(r);
        }
    }
    let sum = |c: &[Region]| c.iter().map(|r| want(*r)).fold(0u16, u16::saturating_add);
    let body_need = sum(&left).max(sum(&right));
    // spare rows beyond the body's need go to the tail, up to what it can show
    let tail_h = rest
        .height
        .saturating_sub(body_need)
        .clamp(tail_min.min(rest.height), tail_want.max(tail_min));
    let body_h = rest.height.saturating_sub(tail_h);
    let columns = |h: u16| {
        let (body_rect, _) = area::top(rest, h);
        let (lcol, rcol) = area::columns(body_rect, body_rect.width.div_ceil(2), 1);
        let mut placed = Vec::new();
        let mut spare = [0u16; 2];
        for (k, (col, regions)) in [(lcol, &left), (rcol, &right)].into_iter().enumerate() {
            let (hs, ws) = fill_modes(col.height, regions, &find);
            spare[k] = hs.iter().zip(&ws).map(|(h, w)| h.saturating_sub(*w)).sum();
            let mut y = col.y;
            for ((r, w), h) in regions.iter().zip(&ws).zip(&hs) {
                placed.push(Placed {
                    region: *r,
                    rect: Rect {
                        y,
                        height: *h,
                        ..col
                    },
                    want: *w,
                });
                y += h;
            }
        }
        (placed, spare)
    };
    let mut body_h = body_h.min(rest.height);
    let (mut placed, mut spare) = columns(body_h);
    // a region in its one-line form may leave both columns rows to spare:
    // they go to the tail when it has more to show. Shrinking the body can
    // switch another region to its one-line form and free rows again, so
    // repeat until nothing more is given (a few rounds at most).
    for _ in 0..8 {
        let give = spare[0]
            .min(spare[1])
            .min(tail_want.saturating_sub(rest.height - body_h));
        if give == 0 {
            break;
        }
        body_h -= give;
        (placed, spare) = columns(body_h);
    }
    let (_, tail) = area::top(rest, body_h);
    BodyLayout {
        placed,
        tail,
        tail_want,
    }
}

/// Fills a column, falling back to one line per row (`compact`) for each
/// region that cannot have its two-line want, so that a region in its
/// compact form does not sit on rows it cannot use. Returns (heights, wants).
fn fill_modes(
    height: u16,
    regions: &[Region],
    find: &impl Fn(Region) -> Option<Want>,
) -> (Vec<u16>, Vec<u16>) {
    let all: Vec<Want> = regions
        .iter()
        .map(|r| {
            find(*r).unwrap_or(Want {
                region: *r,
                full: 1,
                compact: 1,
            })
        })
        .collect();
    let mut ws: Vec<u16> = all.iter().map(|w| w.full).collect();
    loop {
        let hs = fill(height, &ws);
        let mut changed = false;
        for (i, w) in all.iter().enumerate() {
            if hs[i] < ws[i] && ws[i] > w.compact {
                ws[i] = w.compact;
                changed = true;
            }
        }
        if !changed {
            return (hs, ws);
        }
    }
}

/// Shares `height` rows among regions wanting `wants`: every region gets
/// an equal share or its want if smaller, repeatedly, so a cut region never
/// sits beside one with spare rows; spare rows left at the end go to the
/// last region that wants any (a column with nothing to cut ends in blank
/// rows); a region wanting none gets none.
pub fn fill(height: u16, wants: &[u16]) -> Vec<u16> {
    let mut got = vec![0u16; wants.len()];
    if wants.is_empty() {
        return got;
    }
    let mut left = height;
    loop {
        let open: Vec<usize> = (0..wants.len()).filter(|&i| got[i] < wants[i]).collect();
        if open.is_empty() || left == 0 {
            break;
        }
        let share = (left / open.len() as u16).max(1);
        for i in open {
            let add = share.min(wants[i] - got[i]).min(left);
            got[i] += add;
            left -= add;
        }
    }
    // spare rows: to the last region that shows anything
    if let Some(i) = (0..wants.len()).rev().find(|&i| wants[i] > 0) {
        got[i] += left;
    }
    got
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_gives_every_region_its_want_when_there_is_room() {
        assert_eq!(fill(10, &[3, 4]), vec![3, 7]);
        assert_eq!(fill(7, &[3, 4]), vec![3, 4]);
    }

    #[test]
    fn fill_cuts_only_the_regions_wanting_more_than_a_share() {
        assert_eq!(fill(10, &[2, 20, 20]), vec![2, 4, 4]);
        assert_eq!(fill(9, &[20, 2]), vec![7, 2]);
        assert_eq!(fill(0, &[5, 5]), vec![0, 0]);
        assert_eq!(fill(3, &[5, 5, 5, 5]), vec![1, 1, 1, 0]);
        assert_eq!(fill(10, &[3, 4, 0]), vec![3, 7, 0]);
    }
}
