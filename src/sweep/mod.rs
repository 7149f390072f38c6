//! Sweep files: parsing, validation and grid expansion.
//!
//! A sweep is parsed once, fully validated (every value, every axis and
//! every grid point's cross-parameter rules) before any run starts, and then
//! addressed lazily by run index, so a ten-million-run grid costs no memory.

pub mod axis;
pub mod command;
pub mod diff;
pub mod error;
mod grid;
mod inert;
mod paired;
mod parse;
mod parsed;
mod search;
pub mod validate;

use std::path::Path;

pub use axis::as_written;
pub use error::SweepError;
pub use grid::RunSpec;
pub use inert::{or_list, Redundancy};
pub use parse::parse;
pub use parsed::{Factor, Origin, Sweep};

/// The default limit on how many runs a sweep may expand to.
pub const DEFAULT_MAX_RUNS: u64 = 10_000_000;

/// Reads and parses a sweep file.
pub fn load(path: &Path, max_runs: u64) -> Result<Sweep, SweepError> {
    let text = std::fs::read_to_string(path).map_err(|e| SweepError {
        file: path.display().to_string(),
        location: None,
        message: format!("cannot read the sweep file: {e}"),
    })?;
    parse(path, &text, max_runs)
}
