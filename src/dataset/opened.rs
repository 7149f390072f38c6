//! A dataset opened once: its sweep file read and parsed once, every part
//! read once for both its integrity and its runs' statuses, so that
//! `report`, `status` and `repair` start from the same value instead of
//! each reading `sweep.toml` and scanning the parts again.

use std::path::{Path, PathBuf};

use super::completion::{self, Completion};
use super::integrity::{self, Integrity, IntegrityError};
use super::scan::{self, Committed};
use crate::names::{PAIRED, SWEEP_FILE};
use crate::scenario::Scenario;
use crate::sink::error::SinkError;
use crate::sweep::{Sweep, SweepError};

/// A dataset folder with its sweep file, read in one pass.
#[derive(Debug)]
pub struct Opened {
    pub dir: PathBuf,
    /// The text of the dataset's copy of its sweep file.
    pub sweep_text: String,
    /// That file parsed; an error for one this build cannot read (a
    /// scenario it does not know), which the report answers generically.
    pub sweep: Result<Sweep, SweepError>,
    /// The axes the sweep file pairs its runs across, read from its text
    /// even where it does not parse.
    pub paired: Vec<String>,
    /// What is wrong with the parts, if anything.
    pub integrity: Integrity,
    /// Every committed run's status, from the same reading as
    /// [`Opened::integrity`]; incomplete where parts are unreadable.
    pub committed: Committed,
    /// The shard count the runs parts' names agree on; 1 when they do not.
    pub shard_count: u64,
}

impl Opened {
    /// Reads `dir`'s sweep file and every part to the end (in parallel over
    /// parts). Refuses a folder without a sweep file: it is not a dataset
    /// `status` or `repair` can judge.
    pub fn open(dir: &Path) -> Result<Opened, IntegrityError> {
        let sweep_file = dir.join(SWEEP_FILE);
        if !sweep_file.exists() {
            return Err(IntegrityError::NotADataset(dir.to_path_buf()));
        }
        let (integrity, committed) = integrity::check(dir)?;
        let shard_count = scan::shard_count(dir)?;
        let sweep_text = std::fs::read_to_string(&sweep_file).map_err(SinkError::io(&sweep_file))?;
        let sweep = crate::sweep::parse(&sweep_file, &sweep_text, u64::MAX);
        let paired = paired_axes(Some(&sweep_text));
        Ok(Opened { dir: dir.to_path_buf(), sweep_text, sweep, paired, integrity, committed, shard_count })
    }

    /// The scenario the sweep file names or declares; `None` when it does
    /// not parse.
    pub fn scenario(&self) -> Option<&'static Scenario> {
        self.sweep.as_ref().ok().map(|sweep| sweep.scenario)
    }

    /// The swept parameters in the sweep file's order (empty when it does
    /// not parse): the report's axis order.
    pub fn axis_order(&self) -> Vec<String> {
        self.sweep.as_ref().map_or_else(|_| Vec::new(), Sweep::axes)
    }

    /// Whether every part could be read, so that the committed runs are all
    /// counted.
    pub fn is_readable(&self) -> bool {
        self.integrity.unreadable.is_empty() && self.integrity.foreign_codec.is_empty()
    }

    /// The dataset's runs against its sweep; the sweep's error when it does
    /// not parse.
    pub fn completion(&self) -> Result<Completion, SweepError> {
        let sweep = self.sweep.as_ref().map_err(Clone::clone)?;
        Ok(completion::completion(sweep, &self.committed, self.shard_count))
    }
}

/// The paired axes named by a sweep file's text (`paired = [...]`); empty
/// when it names none or does not parse. Read from the raw text so that a
/// sweep of a scenario this build does not know still pairs.
pub fn paired_axes(sweep: Option<&str>) -> Vec<String> {
    let Some(table) = sweep.and_then(|text| text.parse::<toml::Table>().ok()) else { return Vec::new() };
    match table.get(PAIRED) {
        Some(toml::Value::Array(items)) => {
            items.iter().filter_map(|v| v.as_str().map(String::from)).collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paired_axes_come_from_the_sweep_text() {
        assert_eq!(
            paired_axes(Some("name = \"x\"\npaired = [\"verifier\", \"encoding\"]\n")),
            ["verifier", "encoding"]
        );
        assert!(paired_axes(Some("name = \"x\"\n")).is_empty());
        assert!(paired_axes(Some("not toml [")).is_empty());
        assert!(paired_axes(None).is_empty());
    }
}
