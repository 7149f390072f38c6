//! `avalanche repair`: mends a damaged dataset and says what it did.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};

use avalanche::display::invocation;

/// Repairs `dir` and prints what moved and what to do next; exit 2 when
/// parts in a codec this build cannot read are left in place.
pub fn repair(dir: PathBuf, break_lock: bool) -> Result<ExitCode> {
    if !dir.exists() {
        bail!("{}: no such file or folder", dir.display());
    }
    let repaired = avalanche::dataset::repair(&dir, break_lock)?;
    for (from, to) in &repaired.moved {
        println!("moved {} to {}", from.display(), to.display());
    }
    for (path, rows) in &repaired.dropped {
        println!("dropped {rows} duplicate rows from {}", path.display());
    }
    let mended = !(repaired.moved.is_empty() && repaired.dropped.is_empty());
    if !repaired.foreign_codec.is_empty() {
        // Not damage: left in place, and the dataset is still not whole.
        println!("left in place: {}", avalanche::sink::error::codec_advice(&repaired.foreign_codec));
        if mended {
            println!("After rewriting, rerun the sweep to redo the runs that were moved aside.");
        }
        return Ok(ExitCode::from(2));
    }
    if mended {
        println!(
            "Now rerun the sweep to redo lost runs, then check with: {} status {}",
            invocation::command(),
            dir.display()
        );
    } else {
        println!("{}: nothing to repair", dir.display());
    }
    Ok(ExitCode::SUCCESS)
}
