//! `avalanche status`: completed, failed and missing runs of a dataset,
//! and whether its parts are whole, as an exit status a script can test.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};

use avalanche::status;

/// Prints how complete and how whole `dir` is; the exit status is in
/// `avalanche status --help`.
pub fn status(dir: PathBuf) -> Result<ExitCode> {
    if !dir.exists() {
        bail!("{}: no such file or folder", dir.display());
    }
    let integrity = status::check_integrity(&dir)?;
    // Runs in a part that cannot be read cannot be counted.
    if !integrity.unreadable.is_empty() || !integrity.foreign_codec.is_empty() {
        println!("{integrity}");
        return Ok(ExitCode::from(if integrity.is_damaged() { 3 } else { 2 }));
    }
    if let Some(search) = status::searches(&dir)? {
        println!("{}: {}", dir.display(), search.heading);
        search.lines.iter().for_each(|line| println!("{line}"));
        if !integrity.is_clean() {
            println!("{integrity}");
            return Ok(ExitCode::from(3));
        }
        return Ok(if search.unfinished == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) });
    }
    let c = status::completion(&dir)?;
    println!(
        "{}: {} of {} runs completed, {} failed, {} missing",
        dir.display(),
        c.completed,
        c.expected,
        c.failed,
        c.missing
    );
    for (shard, (count, missing)) in &c.missing_by_shard {
        if *missing > 0 {
            println!("  shard {shard}/{count}: {missing} missing (rerun it to resume)");
        }
    }
    if c.stray > 0 {
        println!("  warning: {} rows not in the sweep", c.stray);
    }
    if !integrity.is_clean() {
        println!("{integrity}");
        return Ok(ExitCode::from(3));
    }
    Ok(if c.failed == 0 && c.missing == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
