//! `avalanche status`: how complete a dataset is, across all shards that
//! wrote into it, and which exit status that state means, decided here so
//! the binary only maps it to a code.

use std::path::{Path, PathBuf};

use crate::dataset::{IntegrityError, Opened};
use crate::sink::SinkError;
use crate::sweep::{Sweep, SweepError};

/// Why a status could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error("{}: no such file or folder", .0.display())]
    NoSuchPath(PathBuf),
    #[error(transparent)]
    Integrity(#[from] IntegrityError),
    #[error(transparent)]
    Sweep(#[from] SweepError),
    #[error(transparent)]
    Sink(#[from] SinkError),
}

/// What a dataset's state means for whoever waits on it (a script, a
/// Slurm dependency): the binary's exit status follows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Every run is committed and succeeded, or every search ended.
    Complete,
    /// Runs are missing or failed, or a search has not ended: rerun.
    Unfinished,
    /// Parts this build cannot read, in a codec it lacks; not damage.
    Unreadable,
    /// Damage that `avalanche repair` mends.
    Damaged,
}

/// `avalanche status`'s answer: the text to print and what it means.
#[derive(Debug)]
pub struct StatusReport {
    /// The lines to print, each ending in a newline.
    pub text: String,
    pub standing: Standing,
}

/// The status of the dataset in `dir`: its integrity and, where its parts
/// can all be read, its searches' progress or its runs against its sweep.
pub fn status(dir: &Path) -> Result<StatusReport, StatusError> {
    if !dir.exists() {
        return Err(StatusError::NoSuchPath(dir.to_path_buf()));
    }
    let opened = Opened::open(dir)?;
    let integrity = &opened.integrity;
    // Runs in a part that cannot be read cannot be counted.
    if !opened.is_readable() {
        let standing = if integrity.is_damaged() { Standing::Damaged } else { Standing::Unreadable };
        return Ok(StatusReport { text: format!("{integrity}\n"), standing });
    }
    let sweep = opened.sweep.as_ref().map_err(Clone::clone)?;
    let mut text = String::new();
    let finished = if let Some(search) = searches(dir, sweep)? {
        text += &format!("{}: {}\n", dir.display(), search.heading);
        search.lines.iter().for_each(|line| text += &format!("{line}\n"));
        search.unfinished == 0
    } else {
        let c = opened.completion()?;
        text += &format!(
            "{}: {} of {} runs completed, {} failed, {} missing\n",
            dir.display(),
            c.completed,
            c.expected,
            c.failed,
            c.missing
        );
        for (shard, (count, missing)) in &c.missing_by_shard {
            if *missing > 0 {
                text += &format!("  shard {shard}/{count}: {missing} missing (rerun it to resume)\n");
            }
        }
        if c.stray > 0 {
            text += &format!("  warning: {} rows not in the sweep\n", c.stray);
        }
        c.failed == 0 && c.missing == 0
    };
    let standing = if !integrity.is_clean() {
        text += &format!("{integrity}\n");
        Standing::Damaged
    } else if finished {
        Standing::Complete
    } else {
        Standing::Unfinished
    };
    Ok(StatusReport { text, standing })
}

/// How far each search of a sweep with `[search]` got: one line per point
/// of the other axes, replayed from the committed runs of every shard.
#[derive(Debug)]
pub struct SearchStatus {
    /// The search and its event in words, the first line.
    pub heading: String,
    /// One line per point.
    pub lines: Vec<String>,
    /// Points whose search has not ended.
    pub unfinished: u64,
}

/// The searches' status, or `None` for a sweep without `[search]`.
pub fn searches(dir: &Path, sweep: &Sweep) -> Result<Option<SearchStatus>, StatusError> {
    use crate::search::{drive, observed, Next};
    let Some(search) = &sweep.search else { return Ok(None) };
    let states = observed::read(dir, &search.event)?;
    let (_, progress) = drive::round(sweep, search, crate::engine::shard::Shard::WHOLE, &states);
    let mut lines = Vec::new();
    let mut unfinished = 0;
    let mut used = 0;
    for (point, p) in &progress {
        let at = crate::search::drive::point_words(sweep, *point);
        let at = if at.is_empty() { "the sweep".to_string() } else { at.join(", ") };
        let interval = p.boundary.map_or(String::new(), |b| {
            let text = crate::search::axis_text;
            format!(": {} [{}, {}]", text(b.estimate), text(b.lower), text(b.upper))
        });
        used += p.runs();
        let state = match &p.next {
            Next::Ended(e) => e.as_str().to_string(),
            Next::Probe { value, .. } => {
                unfinished += 1;
                format!(
                    "unfinished, next probe {} = {} ({} of {} runs committed)",
                    search.name,
                    crate::value::float_text(*value),
                    sweep.replicates - p.missing.len() as u64,
                    sweep.replicates
                )
            }
        };
        lines.push(format!("  {at}: {state} after {} probes, {} runs{interval}", p.probes.len(), p.runs()));
    }
    let heading = format!(
        "search over {} in [{}, {}] for where P({}) crosses {}: {} of {} points ended, {used} runs used of at most {}",
        search.name,
        search.range.0,
        search.range.1,
        search.event.describe(),
        search.level,
        progress.len() as u64 - unfinished,
        progress.len(),
        sweep.worst_case_runs()
    );
    Ok(Some(SearchStatus { heading, lines, unfinished }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::opened::written;

    #[test]
    fn each_state_of_a_dataset_has_its_standing() {
        let (_out, dir) = written::dataset(4, "[1.0]", 1);
        let report = status(&dir).unwrap();
        assert_eq!(report.standing, Standing::Complete, "{}", report.text);
        assert!(report.text.ends_with(": 4 of 4 runs completed, 0 failed, 0 missing\n"), "{}", report.text);

        let (_out, failing) = written::dataset(20, "[0.5]", 1);
        assert_eq!(status(&failing).unwrap().standing, Standing::Unfinished);

        // A runs part copied under a second name repeats its runs.
        let runs = dir.join(crate::dataset::names::RUNS_DIR);
        let part = crate::dataset::part_files(&runs).unwrap().remove(0);
        let name = crate::dataset::PartName {
            number: 999,
            ..crate::dataset::PartName::parse(part.file_name().unwrap().to_str().unwrap()).unwrap()
        };
        std::fs::copy(&part, runs.join(name.to_string())).unwrap();
        let report = status(&dir).unwrap();
        assert_eq!(report.standing, Standing::Damaged, "{}", report.text);

        // A part that cannot be read leaves the runs uncounted.
        std::fs::write(runs.join(name.to_string()), b"not parquet").unwrap();
        let report = status(&dir).unwrap();
        assert_eq!(report.standing, Standing::Damaged);
        assert!(!report.text.contains("runs completed"), "{}", report.text);

        assert!(matches!(status(&dir.join("absent")), Err(StatusError::NoSuchPath(_))));
    }
}
