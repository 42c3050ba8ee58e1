//! The running cockpit: probes and a 1 s tick feed the shared session, the
//! TUI loop draws it and takes keys. All three meet at the session's lock;
//! the core inside it stays the single owner of state.

use crate::app::session::{lock, SharedPort, SharedSession};
use crate::clock::{Clock, Pace};
use crate::core::config::Config;
use crate::core::sample::ProbeReport;
use crate::probe;
use crate::tui::{self, AppEvent, Outcome, TuiError, UiState};
use ratatui::backend::Backend;
use ratatui::Terminal;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How often the core is ticked (gate/threshold timers, window clock); a
/// sped-up rehearsal ticks more often ([`Pace::tick_period`]).
pub const TICK: Duration = Duration::from_secs(1);

/// Background tasks of a live session; stopped on drop.
pub struct Feeders {
    probes: Option<probe::ProbeHandles>,
    tasks: Vec<JoinHandle<()>>,
}

impl Feeders {
    /// Stops probes, the forwarder and the tick.
    pub fn stop(mut self) {
        self.shutdown();
    }
    fn shutdown(&mut self) {
        if let Some(p) = self.probes.take() {
            p.stop();
        }
        self.tasks.drain(..).for_each(|t| t.abort());
    }
}

impl Drop for Feeders {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Spawns the probes (when `config` is given), the report forwarder and the
/// tick; each tells `tx` after the core moved (`AppEvent::Probe` for a
/// report, drawn at most once a second; `AppEvent::Changed` for the tick).
pub fn spawn_feeders(
    session: SharedSession,
    config: Option<&Config>,
    clock: Clock,
    tx: mpsc::Sender<AppEvent>,
) -> Feeders {
    spawn_feeders_at(session, config, clock, Pace::default(), tx)
}

/// [`spawn_feeders`] for a clock running at `pace` (a rehearsal's
/// `--speed`): probes and the tick run that many times as often in wall
/// time, each down to its floor ([`Pace`]).
pub fn spawn_feeders_at(
    session: SharedSession,
    config: Option<&Config>,
    clock: Clock,
    pace: Pace,
    tx: mpsc::Sender<AppEvent>,
) -> Feeders {
    let (ptx, mut prx) = mpsc::channel::<ProbeReport>(256);
    let probes = config.map(|c| probe::spawn_all_at(c, ptx, clock, pace));
    let (s, t) = (session.clone(), tx.clone());
    let forward = tokio::spawn(async move {
        while let Some(report) = prx.recv().await {
            // The session lock can be held through a tick's fsync: wait for
            // it off the async workers, or every probe task stalls with us.
            let shared = s.clone();
            let _ = tokio::task::spawn_blocking(move || lock(&shared).probe(report)).await;
            if t.send(AppEvent::Probe).await.is_err() {
                break;
            }
        }
    });
    let tick = tokio::spawn(async move {
        let mut every = tokio::time::interval(pace.tick_period(TICK));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            every.tick().await;
            // the tick commits (fsync): a blocking thread, not an async worker
            let shared = session.clone();
            let _ = tokio::task::spawn_blocking(move || lock(&shared).tick()).await;
            if tx.send(AppEvent::Changed).await.is_err() {
                break;
            }
        }
    });
    Feeders {
        probes,
        tasks: vec![forward, tick],
    }
}

/// Runs the TUI loop over the session until quit; stops the feeders after.
pub async fn run_screen<B: Backend>(
    terminal: &mut Terminal<B>,
    session: SharedSession,
    events: mpsc::Receiver<AppEvent>,
    feeders: Feeders,
    ui: &mut UiState,
) -> Result<Outcome, TuiError> {
    let mut port = SharedPort::new(session);
    let out = tui::run(terminal, events, &mut port, ui).await;
    feeders.stop();
    out
}
