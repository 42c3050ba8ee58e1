//! `cutover follow URL --as OWNER`: a team member's cockpit, fed from the
//! commander's `--serve` API (docs/team.md).
//!
//! The follower is read-mostly: it draws the `CockpitView` the server streams
//! (`GET /api/events`), and sends the owner's actions (`POST /api/act`) for the
//! commander's cockpit to judge and record. It never writes the cutover log:
//! this module does not use the journal (src/journal) and writes no file at all,
//! so the commander's cockpit stays the single writer of the log.
//!
//! - [`sse`]: the `text/event-stream` line parser.
//! - [`stream`]: the reconnecting stream task (backoff with jitter) and the
//!   link state it keeps (latest view, disconnected since when).
//! - [`port`]: the TUI's `CockpitPort` over that state; actions are POSTed
//!   from a spawned task so the screen never waits on the network.
//! - [`signing`]: with `--key`, the owner's decisions are signed here, on
//!   the follower's machine, over the exact record the server will write.

pub mod answer;
pub mod port;
pub mod signing;
pub mod sse;
pub mod stream;

pub use port::FollowPort;
pub use stream::{spawn_stream, Backoff, FollowTarget, Link, SharedLink};

#[cfg(test)]
mod tests {
    /// The follower can never write the log: none of its files names the journal
    /// or opens a file for writing.
    #[test]
    fn follow_does_not_depend_on_the_journal_or_write_files() {
        for (name, src) in [
            ("mod.rs", include_str!("mod.rs")),
            ("port.rs", include_str!("port.rs")),
            ("signing.rs", include_str!("signing.rs")),
            ("sse.rs", include_str!("sse.rs")),
            ("stream.rs", include_str!("stream.rs")),
        ] {
            let code = src.split("#[cfg(test)]").next().unwrap_or(src);
            for banned in ["crate::journal", "std::fs", "File::create", "OpenOptions"] {
                assert!(!code.contains(banned), "{name} uses {banned}");
            }
        }
    }
}
