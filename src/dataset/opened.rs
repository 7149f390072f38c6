//! A dataset opened once: its sweep file read and parsed once, every part
//! read once for both its integrity and its runs' statuses, so that
//! `report`, `status` and `repair` start from the same value instead of
//! each reading `sweep.toml` and scanning the parts again.

use std::path::{Path, PathBuf};

use super::completion::{self, Completion};
use super::integrity::{self, Integrity, IntegrityError};
use super::scan::{self, Committed};
use crate::dataset::names::{PAIRED, SWEEP_FILE};
use std::sync::Arc;

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
    pub fn scenario(&self) -> Option<Arc<Scenario>> {
        self.sweep.as_ref().ok().map(|sweep| Arc::clone(&sweep.scenario))
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

/// A dataset written by the real runner, for the tests of what reads it.
#[cfg(test)]
pub(crate) mod written {
    use std::path::PathBuf;
    use std::time::Duration;

    use crate::engine::executor::ExecConfig;
    use crate::engine::options::{RunOptions, Silent};
    use crate::engine::runner::run_sweep;
    use crate::engine::shard::Shard;
    use crate::sink::Checkpoint;

    /// `replicates` runs of `empty` at two values of `fail_above` (1.0
    /// fails nothing, 0.5 about half), by `shards` shards in parts of at
    /// most 7 runs; the folder and its temporary root.
    pub fn dataset(replicates: u64, fail_above: &str, shards: u64) -> (tempfile::TempDir, PathBuf) {
        let out = tempfile::tempdir().unwrap();
        let text = format!(
            "name = \"d\"\nscenario = \"empty\"\nseed = 3\nreplicates = {replicates}\n\
             generations = 2\n[grid]\nfail_above = {fail_above}\n"
        );
        let sweep = crate::sweep::parse(std::path::Path::new("d.toml"), &text, u64::MAX).unwrap();
        for index in 0..shards {
            let options = RunOptions {
                out: out.path().to_path_buf(),
                exec: ExecConfig {
                    threads: Some(2),
                    shard: Some(Shard { index, count: shards }),
                    ..ExecConfig::default()
                },
                checkpoint: Checkpoint { runs: 7, interval: Duration::from_secs(60) },
                ..RunOptions::default()
            };
            run_sweep(&sweep, &options, &mut Silent).unwrap();
        }
        let dir = out.path().join("d");
        (out, dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::names::Status;

    #[test]
    fn one_reading_counts_the_runs_as_a_scan_of_their_statuses_does() {
        let (_out, dir) = written::dataset(30, "[0.5, 1.0]", 2);
        let opened = Opened::open(&dir).unwrap();
        let scanned = scan::scan(&dir).unwrap();
        assert!(opened.integrity.is_clean(), "{}", opened.integrity);
        assert_eq!(opened.committed.runs, scanned.runs);
        assert_eq!(opened.committed.files, scanned.files);
        assert!(opened.committed.files > 2, "several parts per shard");
        assert_eq!(opened.committed.failed_files, scanned.failed_files);
        assert_eq!(opened.committed.duplicates, 0);
        assert_eq!(opened.shard_count, 2);
        let failed = scanned.runs.values().filter(|&&s| s == Status::Failed).count() as u64;
        // fail_above = 0.5 fails about half of its 30 runs, 1.0 none.
        assert!((5..=25).contains(&failed), "{failed}");
        let completion = opened.completion().unwrap();
        assert_eq!((completion.expected, completion.points), (60, 2));
        assert_eq!((completion.completed, completion.failed, completion.missing), (60 - failed, failed, 0));
        assert_eq!(opened.scenario().map(|s| s.name), Some("empty"));
        assert_eq!(opened.axis_order(), ["fail_above"]);
    }

    #[test]
    fn a_sweep_file_this_build_cannot_parse_still_opens() {
        let (_out, dir) = written::dataset(3, "[1.0]", 1);
        let text = std::fs::read_to_string(dir.join(SWEEP_FILE)).unwrap();
        // A top-level key, so before the `[grid]` table.
        let foreign = "paired = [\"fail_above\"]\n".to_string() + &text.replace("\"empty\"", "\"elsewhere\"");
        std::fs::write(dir.join(SWEEP_FILE), foreign).unwrap();
        let opened = Opened::open(&dir).unwrap();
        assert!(opened.sweep.is_err());
        assert!(opened.scenario().is_none() && opened.axis_order().is_empty());
        assert_eq!(opened.paired, ["fail_above"]);
        assert!(opened.completion().is_err());
        assert_eq!(opened.committed.runs.len(), 3);
    }

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
