//! One module per subcommand; each returns the process exit code.

pub mod check;
pub mod demo;
pub mod demo_team;
pub mod follow;
pub mod rehearse;
pub mod replay;
pub mod report;
pub mod run;
pub mod sim;
pub mod status;
pub mod token;
pub mod verify;
