//! The `cutover` binary: parse the command line, dispatch, map errors to exit codes.

mod cli;
mod commands;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let backtrace = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
    if backtrace {
        // full reports only when asked for; otherwise one line on stderr
        let _ = color_eyre::install();
    }
    let result = match cli.command {
        Command::Demo(a) => commands::demo::run(a),
        Command::Run(a) => commands::run::run(a),
        Command::Check(a) => commands::check::run(a),
        Command::Status(a) => commands::status::run(a),
        Command::Sim(a) => commands::sim::run(a),
        Command::Rehearse(a) => commands::rehearse::run(a),
        Command::Replay(a) => commands::replay::run(a),
        Command::Verify(a) => commands::verify::run(a),
        Command::Report(a) => commands::report::run(a),
        Command::Follow(a) => commands::follow::run(a),
        Command::Token(a) => commands::token::run(a),
        Command::Keygen(a) => commands::keygen::run(a),
        Command::Amend(a) => commands::amend::amend(a),
        Command::Review(a) => commands::amend::review(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if backtrace => {
            eprintln!("cutover: {e:?}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("cutover: {}", one_line(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes on one line: "what failed: why".
fn one_line(e: &color_eyre::Report) -> String {
    e.chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(": ")
        .replace('\n', " ")
}
