//! Source positions, so every problem can be reported as FILE:LINE:COL.

use serde::{Deserialize, Serialize};

/// A 1-based line and column (column counted in characters, not bytes).
#[derive(
    Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub col: u32,
}

impl Pos {
    /// The position at `line`, `col` (both 1-based).
    pub fn new(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }

    /// The position of byte offset `offset` in `text` (clamped to the end).
    pub fn of_offset(text: &str, offset: usize) -> Pos {
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() as u32 + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let col = before.get(line_start..).unwrap_or("").chars().count() as u32 + 1;
        Pos { line, col }
    }

    /// This position moved right by `chars` characters on the same line.
    pub fn shifted(self, chars: usize) -> Pos {
        Pos {
            line: self.line,
            col: self.col + chars as u32,
        }
    }
}

/// Line starts of a text, so that many offsets can be turned into positions
/// without rescanning the text each time (`Pos::of_offset` is O(offset)).
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The same answer as `Pos::of_offset(text, offset)`, in O(log lines + line length).
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0) as u32
            + 1;
        Pos {
            line: line as u32,
            col,
        }
    }
}

impl std::fmt::Display for Pos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_one_based_char_columns() {
        let text = "ab\nçd = 1\n";
        assert_eq!(Pos::of_offset(text, 0), Pos::new(1, 1));
        assert_eq!(Pos::of_offset(text, 3), Pos::new(2, 1));
        // 'ç' is two bytes but one column
        assert_eq!(Pos::of_offset(text, 6), Pos::new(2, 3));
    }

    #[test]
    fn the_line_index_agrees_with_of_offset() {
        let text = "ab\nçd = 1\n\nlast";
        let idx = LineIndex::new(text);
        for off in 0..=text.len() + 2 {
            if text.is_char_boundary(off.min(text.len())) {
                assert_eq!(
                    idx.pos(text, off),
                    Pos::of_offset(text, off),
                    "offset {off}"
                );
            }
        }
    }
}
