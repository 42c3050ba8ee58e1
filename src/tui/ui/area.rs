//! Rectangle arithmetic for the fixed layout. ratatui's constraint solver
//! costs hundreds of microseconds per split without its cache; every split
//! here is plain subtraction, so a frame stays well under its budget.

use ratatui::layout::Rect;

/// Splits off `n` rows at the top: (top, rest).
pub fn top(area: Rect, n: u16) -> (Rect, Rect) {
    let n = n.min(area.height);
    (
        Rect { height: n, ..area },
        Rect {
            y: area.y + n,
            height: area.height - n,
            ..area
        },
    )
}

/// Splits off `n` rows at the bottom: (rest, bottom).
pub fn bottom(area: Rect, n: u16) -> (Rect, Rect) {
    let (rest, bottom) = top(area, area.height.saturating_sub(n));
    (rest, bottom)
}

/// Two columns with a gap: the left one `left_w` wide.
pub fn columns(area: Rect, left_w: u16, gap: u16) -> (Rect, Rect) {
    let left_w = left_w.min(area.width);
    let right_x = (area.x + left_w + gap).min(area.x + area.width);
    (
        Rect {
            width: left_w,
            ..area
        },
        Rect {
            x: right_x,
            width: area.x + area.width - right_x,
            ..area
        },
    )
}

/// A rectangle of at most `w`x`h`, centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let (w, h) = (w.min(area.width), h.min(area.height));
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_cover_the_area_without_overlap() {
        let a = Rect::new(0, 0, 80, 24);
        let (t, r) = top(a, 2);
        assert_eq!((t.height, r.y, r.height), (2, 2, 22));
        let (r2, b) = bottom(r, 2);
        assert_eq!((r2.height, b.y, b.height), (20, 22, 2));
        let (l, rt) = columns(a, 40, 1);
        assert_eq!((l.width, rt.x, rt.width), (40, 41, 39));
        assert_eq!(top(a, 99).1.height, 0);
        assert_eq!(columns(a, 99, 1).1.width, 0);
        assert_eq!(centered(a, 20, 4), Rect::new(30, 10, 20, 4));
        assert_eq!(centered(a, 200, 40), a);
    }
}
