//! The `avalanche` command line: `args.rs` is its grammar (every flag and
//! help text), and each command has a file of its own that takes the
//! parsed values, calls the library, prints what it returns and maps the
//! result to an exit status. Nothing here computes what it prints.

pub mod args;
mod plan;
mod repair;
mod report;
mod run;
mod scenarios;
mod slurm;
mod status;

use std::process::ExitCode;

use anyhow::Result;

use args::{Cli, Command};

/// Runs the command `cli` names, returning its exit status; an error is
/// the caller's to print (exit status 2).
pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Plan { file, max_runs, estimate } => plan::plan(&file, max_runs, estimate),
        Command::Scenarios { name, all } => scenarios::scenarios(name, all),
        Command::Status { dir } => status::status(dir),
        Command::Repair { dir, break_lock } => repair::repair(dir, break_lock),
        Command::Slurm(args) => slurm::slurm(args),
        Command::Report { dir, to, out } => report::report(dir, to, out),
    }
}

/// The error and its causes, joined by ": ", leaving out a cause whose text
/// the message before it already contains (library errors often print
/// their source too: "x: Permission denied" needs no second
/// "Permission denied").
pub fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text += ": ";
            }
            text += &part;
        }
    }
    text
}
