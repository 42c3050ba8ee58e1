//! The edge's clock: the only place that reads time for the live cockpit.
//!
//! `now()` is the wall time at start plus monotonic time elapsed since then,
//! so a wall-clock jump (NTP step, manual change) never makes a `for` timer
//! run backwards or leap forwards. `jump()` tells how far the wall clock has
//! drifted from that, so the cockpit can record a jump as a note.
//!
//! Both sources are injectable ([`AnchoredClock::with_sources`]) so the
//! clock-fault tests can step the wall clock while monotonic time runs on.

use crate::core::time::{Dur, Ts};
use std::sync::{Arc, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Wall time anchored once, advanced by a monotonic source.
#[derive(Debug, Clone, Copy)]
pub struct AnchoredClock<W, M> {
    start_wall: Ts,
    start_mono: Dur,
    wall: W,
    mono: M,
}

/// The live cockpit's clock: system wall clock and `Instant`.
pub type MonoClock = AnchoredClock<fn() -> Ts, fn() -> Dur>;

/// Where the live edges read "now": the anchored clock in production, the
/// system clock in one-shot commands, a fake in tests.
pub type Clock = Arc<dyn Fn() -> Ts + Send + Sync>;

/// The system wall clock as a `Clock`.
pub fn system_clock() -> Clock {
    Arc::new(wall_now)
}

/// Reads the system wall clock as `Ts` (milliseconds since the epoch, UTC).
pub fn wall_now() -> Ts {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    Ts(ms)
}

/// Monotonic time since the first call in this process.
pub fn mono_now() -> Dur {
    static BASE: OnceLock<Instant> = OnceLock::new();
    Dur(BASE.get_or_init(Instant::now).elapsed().as_millis() as i64)
}

impl MonoClock {
    /// Anchors the system clocks now.
    pub fn start() -> MonoClock {
        AnchoredClock::with_sources(wall_now as fn() -> Ts, mono_now as fn() -> Dur)
    }
}

impl<W: Fn() -> Ts, M: Fn() -> Dur> AnchoredClock<W, M> {
    /// Anchors `wall` at the current reading of `mono`.
    pub fn with_sources(wall: W, mono: M) -> AnchoredClock<W, M> {
        AnchoredClock {
            start_wall: wall(),
            start_mono: mono(),
            wall,
            mono,
        }
    }

    /// Monotonic "now" expressed as UTC milliseconds (never goes back).
    pub fn now(&self) -> Ts {
        // a monotonic source never runs backwards; max() guards a bad one
        let elapsed = ((self.mono)() - self.start_mono).max(Dur::ZERO);
        self.start_wall + elapsed
    }

    /// How far the system wall clock has moved away from our monotonic time.
    pub fn jump(&self) -> Dur {
        (self.wall)() - self.now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn now_follows_monotonic_time_and_jump_reports_the_wall_step() {
        let wall = Cell::new(Ts(1_000_000));
        let mono = Cell::new(Dur(500));
        let c = AnchoredClock::with_sources(|| wall.get(), || mono.get());
        mono.set(Dur(60_500));
        wall.set(Ts(1_000_000 - 600_000)); // wall stepped back 10 min
        assert_eq!(c.now(), Ts(1_060_000));
        assert_eq!(c.jump(), Dur(-660_000));
    }

    #[test]
    fn the_system_clock_starts_near_the_wall_clock() {
        let c = MonoClock::start();
        assert!(c.jump().0.abs() < 5_000);
    }
}
