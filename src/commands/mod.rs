//! One module per subcommand; each returns the process exit code.

pub mod amend;
pub mod check;
pub mod demo;
pub mod demo_team;
pub mod follow;
pub mod keygen;
pub mod rehearse;
pub mod replay;
pub mod report;
pub mod run;
pub mod sim;
pub mod status;
pub mod token;
pub mod verify;

/// An owner id as the roster writes it: letters, digits, `_`, `-` or `.`.
pub fn is_owner_id(owner: &str) -> bool {
    !owner.is_empty()
        && owner
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}
