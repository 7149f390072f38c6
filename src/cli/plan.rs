//! `avalanche plan`: what a sweep would run, and with `--estimate` how
//! long it would take and how much disk it would use.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};

use avalanche::{describe, sweep};

pub fn plan(file: &Path, max_runs: u64, estimate: bool) -> Result<ExitCode> {
    let sweep = sweep::load(file, max_runs)?;
    print!("{}", describe::plan(&sweep));
    if estimate {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let e = avalanche::estimate::estimate(&sweep, threads).context("running pilot runs")?;
        println!("{}", estimate_text(&e));
    }
    Ok(ExitCode::SUCCESS)
}

fn estimate_text(e: &avalanche::estimate::Estimate) -> String {
    use avalanche::human;
    // "about under 0.1 s" says nothing twice.
    let wall = match human::duration(e.wall) {
        short if short.starts_with("under") => short,
        wall => format!("about {wall}"),
    };
    let mut text = format!(
        "estimate: {wall} on {} threads and {} on disk (from {} pilot runs on one thread: \
         {} per run, {} of Parquet per run; scaled assuming every thread is busy)",
        e.threads,
        human::bytes(e.bytes),
        e.pilots,
        if e.seconds_per_run < 1.0 {
            format!("{:.3} ms", e.seconds_per_run * 1e3)
        } else {
            human::duration(Duration::from_secs_f64(e.seconds_per_run))
        },
        human::bytes(e.bytes_per_run),
    );
    if e.failed > 0 {
        text += &format!("\nwarning: {} of the {} pilot runs failed", e.failed, e.pilots);
    }
    text
}
