//! The program's own log for the diagnostics pane (`l`), kept by tui-logger
//! without the 100 Hz thread its `init_logger` starts.
//!
//! tui-logger collects records in a small "hot" buffer and moves them to the
//! buffer its widget draws from in `move_events`. Its `init_logger` runs a
//! thread that does this every 10 ms whether anything was logged or not,
//! which cost an idle cockpit more CPU than its probes. Here the records go
//! in through tui-logger's `Drain`, and `move_events` runs when the pane is
//! drawn, or on the logging thread once the hot buffer is half full (the
//! same point at which the crate's own thread would be woken), so no record
//! is lost and nothing wakes up while nothing is logged.

use log::{LevelFilter, Log, Metadata, Record};
use std::sync::atomic::{AtomicUsize, Ordering};

/// tui-logger's hot buffer holds this many records; moved at half.
const HOT_DEPTH: usize = 1000;
const MOVE_EVERY: usize = HOT_DEPTH / 2;

struct Diagnostics {
    /// Records since the last move (approximate across threads, which only
    /// shifts when the move happens).
    pending: AtomicUsize,
}

static LOGGER: Diagnostics = Diagnostics {
    pending: AtomicUsize::new(0),
};

impl Log for Diagnostics {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        tui_logger::Drain::new().log(record);
        if self.pending.fetch_add(1, Ordering::Relaxed) + 1 >= MOVE_EVERY {
            flush();
        }
    }

    fn flush(&self) {}
}

/// Installs the logger at `level` (once per process; a second call fails).
pub fn init(level: LevelFilter) -> Result<(), log::SetLoggerError> {
    tui_logger::set_hot_buffer_depth(HOT_DEPTH);
    tui_logger::set_default_level(level);
    log::set_logger(&LOGGER)?;
    log::set_max_level(level);
    Ok(())
}

/// Moves the records logged so far to where the pane's widget reads them
/// (cheap when there are none: one lock).
pub fn flush() {
    LOGGER.pending.store(0, Ordering::Relaxed);
    tui_logger::move_events();
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::widgets::Widget;

    /// What the diagnostics pane would show now (the last lines).
    fn pane() -> String {
        let area = Rect::new(0, 0, 60, 3);
        let mut buf = Buffer::empty(area);
        tui_logger::TuiLoggerWidget::default().render(area, &mut buf);
        buf.content().iter().map(|c| c.symbol()).collect()
    }

    fn mover_threads() -> usize {
        let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
            return 0;
        };
        dir.filter_map(|t| t.ok())
            .filter_map(|t| std::fs::read_to_string(t.path().join("comm")).ok())
            .filter(|name| name.starts_with("tui-logger"))
            .count()
    }

    /// Records reach the pane without tui-logger's thread: on `flush` (frame
    /// time), and on their own once half the hot buffer is used.
    #[test]
    fn records_reach_the_pane_without_a_mover_thread() {
        init(LevelFilter::Info).expect("the first logger of this test binary");
        log::info!(target: "diag", "first record");
        flush();
        assert!(pane().contains("first record"), "{}", pane());
        for i in 0..MOVE_EVERY {
            log::info!(target: "diag", "line {i}");
        }
        let last = format!("line {}", MOVE_EVERY - 1);
        assert!(pane().contains(&last), "moved without flush: {}", pane());
        log::debug!(target: "diag", "below the level");
        flush();
        assert!(!pane().contains("below the level"));
        assert_eq!(mover_threads(), 0, "no tui-logger thread runs");
    }
}
