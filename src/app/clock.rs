//! The edge's clock: the only place that reads time for the live cockpit.
//!
//! `now()` is the wall time at start plus monotonic time elapsed since then,
//! so a wall-clock jump (NTP step, manual change) never makes a `for` timer
//! run backwards or leap forwards. `jump()` tells how far the wall clock has
//! drifted from that, so the cockpit can record a jump as a note.

use crate::core::time::{Dur, Ts};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Wall time anchored once, advanced by the monotonic clock.
#[derive(Debug, Clone, Copy)]
pub struct MonoClock {
    start_wall: Ts,
    start_mono: Instant,
}

/// Reads the system wall clock as `Ts` (milliseconds since the epoch, UTC).
pub fn wall_now() -> Ts {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    Ts(ms)
}

impl MonoClock {
    pub fn start() -> MonoClock {
        MonoClock {
            start_wall: wall_now(),
            start_mono: Instant::now(),
        }
    }

    /// Monotonic "now" expressed as UTC milliseconds.
    pub fn now(&self) -> Ts {
        self.start_wall + Dur(self.start_mono.elapsed().as_millis() as i64)
    }

    /// How far the system wall clock has moved away from our monotonic time.
    pub fn jump(&self) -> Dur {
        wall_now() - self.now()
    }
}
