//! Notifications to webhooks and checkpoint publishing:
//! an edge (tokio, reqwest) that never blocks the cockpit.
//!
//! The session only calls [`Notifier::enqueue`], which pushes onto a bounded
//! queue and returns at once; a full queue drops its oldest notice and says
//! so. One delivery task POSTs each notice to every webhook that wants its
//! event, in order, retrying with exponential backoff (see
//! [`deliver::RetryPolicy`]). Failures are logged (diagnostics pane) and
//! handed back through [`Notifier::take_problems`]; the session records them
//! as `note` decisions by `system`. Messages name a webhook by its index and
//! host only: the URL itself may carry a secret path.

pub mod body;
pub mod deliver;

pub use body::Notice;
pub use deliver::{RetryPolicy, Target};

use crate::core::config::Webhook;
use std::collections::VecDeque;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Default queue length: far more than a cutover produces between two deliveries.
pub const QUEUE_CAP: usize = 256;

struct Queue {
    jobs: Mutex<VecDeque<Notice>>,
    cap: usize,
    wake: tokio::sync::Notify,
}

impl Queue {
    fn pop(&self) -> Option<Notice> {
        match self.jobs.lock() {
            Ok(mut q) => q.pop_front(),
            Err(p) => p.into_inner().pop_front(),
        }
    }
}

/// The handle the session keeps; dropping it stops the delivery task.
pub struct Notifier {
    queue: Arc<Queue>,
    problems_tx: mpsc::Sender<String>,
    problems: mpsc::Receiver<String>,
    task: JoinHandle<()>,
    targets: usize,
}

impl Notifier {
    /// Resolves the webhooks' URLs with `env` (a variable that is unset is a
    /// problem reported once, and that webhook is left out) and spawns the
    /// delivery task. Must be called inside a tokio runtime.
    pub fn spawn(
        webhooks: &[Webhook],
        env: impl Fn(&str) -> Option<String>,
        policy: RetryPolicy,
        cap: usize,
    ) -> Notifier {
        let (problems_tx, problems) = mpsc::channel();
        let mut targets = Vec::new();
        for (i, w) in webhooks.iter().enumerate() {
            match w.resolve_url(&env) {
                Ok(url) => targets.push(Target {
                    index: i + 1,
                    host: deliver::host_of(&url),
                    url,
                    format: w.format,
                    events: w.events.clone(),
                    timeout: Duration::from_millis(w.timeout.0.max(1) as u64),
                }),
                Err(why) => {
                    let text = format!("webhook #{}: {why}; notifications to it are off", i + 1);
                    log::warn!("{text}");
                    let _ = problems_tx.send(text);
                }
            }
        }
        let queue = Arc::new(Queue {
            jobs: Mutex::new(VecDeque::new()),
            cap: cap.max(1),
            wake: tokio::sync::Notify::new(),
        });
        let n = targets.len();
        let task = tokio::spawn(run(queue.clone(), targets, policy, problems_tx.clone()));
        Notifier {
            queue,
            problems_tx,
            problems,
            task,
            targets: n,
        }
    }

    /// How many webhooks are live (URL resolved).
    pub fn targets(&self) -> usize {
        self.targets
    }

    /// Queues a notice and returns at once; a full queue drops its oldest.
    pub fn enqueue(&self, n: Notice) {
        if self.targets == 0 {
            return;
        }
        let dropped = {
            let mut q = match self.queue.jobs.lock() {
                Ok(q) => q,
                Err(p) => p.into_inner(),
            };
            q.push_back(n);
            if q.len() > self.queue.cap {
                q.pop_front()
            } else {
                None
            }
        };
        self.queue.wake.notify_one();
        if let Some(old) = dropped {
            let text = format!(
                "notification queue full ({} waiting): dropped the oldest, `{}` of {}",
                self.queue.cap,
                old.event,
                old.time.hms()
            );
            log::warn!("{text}");
            let _ = self.problems_tx.send(text);
        }
    }

    /// Problems since the last call (failed deliveries, drops, unset URLs).
    pub fn take_problems(&self) -> Vec<String> {
        self.problems.try_iter().collect()
    }
}

impl Drop for Notifier {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run(
    queue: Arc<Queue>,
    targets: Vec<Target>,
    policy: RetryPolicy,
    problems: mpsc::Sender<String>,
) {
    let http = reqwest::Client::new();
    // per webhook: failing since its last success. Only the change is a
    // problem (a note): a dead receiver must not fill the log, and a note is
    // a decision whose checkpoint would otherwise fail and note again.
    let mut failing = vec![false; targets.len()];
    loop {
        let notice = match queue.pop() {
            Some(n) => n,
            None => {
                queue.wake.notified().await;
                continue;
            }
        };
        for (i, t) in targets.iter().enumerate() {
            if !t.events.contains(&notice.event) {
                continue;
            }
            let outcome = deliver::deliver(&http, t, &notice, policy).await;
            if let Some(text) = report(t, &notice, policy, outcome, &mut failing[i]) {
                let _ = problems.send(text);
            }
        }
    }
}

/// Logs a delivery's outcome; returns the text to record when the webhook
/// started failing or recovered.
fn report(
    t: &Target,
    notice: &Notice,
    policy: RetryPolicy,
    outcome: Result<u32, String>,
    failing: &mut bool,
) -> Option<String> {
    match outcome {
        Ok(attempts) => {
            log::info!(
                "{}: delivered `{}` ({attempts} attempt(s))",
                t.label(),
                notice.event
            );
            if std::mem::replace(failing, false) {
                return Some(format!("{} delivers again", t.label()));
            }
            None
        }
        Err(why) => {
            let text = format!(
                "{} could not deliver `{}` of {} UTC after {} attempts: {why}",
                t.label(),
                notice.event,
                notice.time.hms(),
                policy.attempts
            );
            log::warn!("{text}");
            if std::mem::replace(failing, true) {
                return None;
            }
            Some(format!(
                "{text}; later failures go to the diagnostics pane until it delivers again"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::config::WebhookFormat;
    use crate::core::time::Ts;

    #[test]
    fn only_the_change_between_failing_and_delivering_is_recorded() {
        let t = Target {
            index: 2,
            host: "hooks.example.org".into(),
            url: "https://hooks.example.org/s3cret".into(),
            format: WebhookFormat::Slack,
            events: vec!["hold".into()],
            timeout: Duration::from_secs(1),
        };
        let n = Notice::checkpoint(3, "ab", "rb", "p", Ts(0));
        let p = RetryPolicy::default();
        let mut failing = false;
        let first = report(&t, &n, p, Err("HTTP 500".into()), &mut failing).unwrap();
        assert!(first.starts_with("webhook #2 (hooks.example.org) could not deliver `checkpoint`"));
        assert!(!first.contains("s3cret"));
        assert_eq!(
            report(&t, &n, p, Err("HTTP 500".into()), &mut failing),
            None
        );
        let back = report(&t, &n, p, Ok(1), &mut failing).unwrap();
        assert_eq!(back, "webhook #2 (hooks.example.org) delivers again");
        assert_eq!(report(&t, &n, p, Ok(1), &mut failing), None);
    }
}
