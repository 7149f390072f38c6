//! `avalanche plan`: what a sweep would run, and with `--estimate` how
//! long it would take and how much disk it would use.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use avalanche::display::describe;
use avalanche::sweep;

/// Prints the sweep's plan and, asked for, its estimate; exit 0.
pub fn plan(file: &Path, max_runs: u64, estimate: bool) -> Result<ExitCode> {
    let sweep = sweep::load(file, max_runs)?;
    print!("{}", describe::plan(&sweep));
    if estimate {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let e = avalanche::estimate::estimate(&sweep, threads).context("running pilot runs")?;
        println!("{e}");
    }
    Ok(ExitCode::SUCCESS)
}
