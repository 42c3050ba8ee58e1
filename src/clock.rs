//! The edge's clock: the only place that reads time for the live cockpit.
//!
//! `now()` is the wall time at start plus monotonic time elapsed since then,
//! so a wall-clock jump (NTP step, manual change) never makes a `for` timer
//! run backwards or leap forwards. `jump()` tells how far the wall clock has
//! drifted from that, so the cockpit can record a jump as a note.
//!
//! Both sources are injectable ([`AnchoredClock::with_sources`]) so the
//! clock-fault tests can step the wall clock while monotonic time runs on.
//!
//! A rehearsal runs its clock faster ([`AnchoredClock::at_speed`]): rehearsal
//! time is the anchor plus monotonic time elapsed times the speed, and
//! [`Pace`] says how the wall-time schedules (probes, the core's tick) follow.

use crate::core::time::{Dur, Ts};
use std::sync::{Arc, OnceLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Wall time anchored once, advanced by a monotonic source.
#[derive(Debug, Clone, Copy)]
pub struct AnchoredClock<W, M> {
    start_wall: Ts,
    start_mono: Dur,
    /// Rehearsal time per wall time (1 for a live run).
    speed: f64,
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
            speed: 1.0,
            wall,
            mono,
        }
    }

    /// This clock running `speed` times wall speed from its anchor (a
    /// rehearsal; 1 is real time). A non-positive or non-finite speed is 1.
    pub fn at_speed(mut self, speed: f64) -> Self {
        self.speed = Pace::new(speed).speed();
        self
    }

    /// This clock anchored no earlier than `floor`: a resumed rehearsal's
    /// earlier records ran ahead of the wall clock, and its time must not
    /// go back behind them.
    pub fn not_before(mut self, floor: Ts) -> Self {
        self.start_wall = self.start_wall.max(floor);
        self
    }

    /// Monotonic wall time elapsed since the anchor (never negative).
    fn elapsed(&self) -> Dur {
        // a monotonic source never runs backwards; max() guards a bad one
        ((self.mono)() - self.start_mono).max(Dur::ZERO)
    }

    /// Monotonic "now" expressed as UTC milliseconds (never goes back); in
    /// a rehearsal, the anchor plus elapsed time times the speed.
    pub fn now(&self) -> Ts {
        let elapsed = self.elapsed();
        if self.speed == 1.0 {
            return self.start_wall + elapsed;
        }
        self.start_wall + Dur((elapsed.0 as f64 * self.speed) as i64)
    }

    /// How far the system wall clock has moved away from our monotonic time
    /// (at wall speed whatever the rehearsal speed: a sped-up clock is no jump).
    pub fn jump(&self) -> Dur {
        (self.wall)() - (self.start_wall + self.elapsed())
    }
}

/// How wall-time schedules follow a clock running `speed` times wall speed
/// (docs/runbook.md, "Rehearsals"): timers, windows and staleness are in
/// clock time already; the probe schedule and the core's tick are wall time
/// and run `speed` times as often, each down to a floor, so that a fast
/// rehearsal still spends little CPU and its windows still hold samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pace {
    speed: f64,
}

impl Default for Pace {
    fn default() -> Self {
        Pace { speed: 1.0 }
    }
}

impl Pace {
    /// The shortest wall-time gap between two attempts of one probe when sped up.
    pub const PROBE_FLOOR: std::time::Duration = std::time::Duration::from_millis(250);
    /// The shortest wall-time gap between two ticks of the core when sped up.
    pub const TICK_FLOOR: std::time::Duration = std::time::Duration::from_millis(250);
    /// Staleness is never tighter than this many floored probe periods
    /// (in clock time), or a fast rehearsal would see every metric stale.
    pub const STALE_PERIODS: f64 = 3.0;

    /// `speed` times wall speed; a non-positive or non-finite speed is 1.
    pub fn new(speed: f64) -> Pace {
        match speed.is_finite() && speed > 0.0 {
            true => Pace { speed },
            false => Pace::default(),
        }
    }

    /// Clock time per wall time.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// The wall-time gap that stands for `d` of clock time, never shorter
    /// than `floor` unless `d` itself already is (a live run keeps its
    /// configured intervals exactly).
    fn wall(&self, d: std::time::Duration, floor: std::time::Duration) -> std::time::Duration {
        if self.speed == 1.0 {
            return d;
        }
        d.div_f64(self.speed).max(floor.min(d))
    }

    /// The wall-time period of a probe configured with `interval` (clock time).
    pub fn probe_period(&self, interval: std::time::Duration) -> std::time::Duration {
        self.wall(interval, Self::PROBE_FLOOR)
    }

    /// The wall-time period of the core's tick, `tick` being the live one.
    pub fn tick_period(&self, tick: std::time::Duration) -> std::time::Duration {
        self.wall(tick, Self::TICK_FLOOR)
    }

    /// A staleness limit (clock time) widened, if need be, to
    /// [`Pace::STALE_PERIODS`] probe periods as they really run in clock time.
    pub fn stale_after(&self, limit: Dur, interval: Dur) -> Dur {
        let period = self.probe_period(std::time::Duration::from_millis(interval.0.max(1) as u64));
        let clock_ms = period.as_secs_f64() * 1000.0 * self.speed * Self::STALE_PERIODS;
        limit.max(Dur(clock_ms.ceil() as i64))
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
    fn a_sped_up_clock_runs_that_many_times_wall_speed_and_is_no_jump() {
        let wall = Cell::new(Ts(1_000_000));
        let mono = Cell::new(Dur(0));
        let c = AnchoredClock::with_sources(|| wall.get(), || mono.get()).at_speed(60.0);
        mono.set(Dur(10_000));
        wall.set(Ts(1_010_000));
        assert_eq!(
            c.now(),
            Ts(1_000_000 + 600_000),
            "10 s of wall time is 10 min"
        );
        assert_eq!(c.jump(), Dur::ZERO);
        let resumed = AnchoredClock::with_sources(|| Ts(5_000), || Dur(0)).not_before(Ts(9_000));
        assert_eq!(resumed.now(), Ts(9_000));
        let bad = AnchoredClock::with_sources(|| Ts(0), || mono.get()).at_speed(f64::NAN);
        assert_eq!(bad.now(), Ts(0));
    }

    #[test]
    fn the_pace_scales_wall_schedules_down_to_their_floors() {
        use std::time::Duration as D;
        let live = Pace::default();
        assert_eq!(live.probe_period(D::from_millis(50)), D::from_millis(50));
        assert_eq!(live.tick_period(D::from_secs(1)), D::from_secs(1));
        let fast = Pace::new(60.0);
        // 5 s polls at 60x would be 83 ms: floored at 250 ms (15 s of rehearsal time)
        assert_eq!(fast.probe_period(D::from_secs(5)), Pace::PROBE_FLOOR);
        assert_eq!(fast.probe_period(D::from_secs(60)), D::from_secs(1));
        assert_eq!(fast.tick_period(D::from_secs(1)), Pace::TICK_FLOOR);
        // an interval already under the floor is not slowed down
        assert_eq!(fast.probe_period(D::from_millis(40)), D::from_millis(40));
        // 60 s staleness holds at 60x (3 x 15 s = 45 s) ...
        assert_eq!(fast.stale_after(Dur(60_000), Dur(5_000)), Dur(60_000));
        // ... 20 s is widened to three floored periods ...
        assert_eq!(fast.stale_after(Dur(20_000), Dur(5_000)), Dur(45_000));
        // ... and at 600x a 250 ms period is 2.5 minutes
        assert_eq!(
            Pace::new(600.0).stale_after(Dur(20_000), Dur(5_000)),
            Dur(450_000)
        );
        assert_eq!(Pace::new(-3.0), Pace::default());
        let slow = Pace::new(0.5);
        assert_eq!(slow.probe_period(D::from_secs(5)), D::from_secs(10));
    }

    #[test]
    fn the_system_clock_starts_near_the_wall_clock() {
        let c = MonoClock::start();
        assert!(c.jump().0.abs() < 5_000);
    }
}
