//! Damage a dataset can carry, found and repaired: part files that cannot
//! be read, run_ids with more than one row, generations parts whose runs
//! twin never landed, and runs parts whose generations twin was lost.
//! Parts compressed with a codec this build lacks are told apart from
//! damage: they cannot be read here, but moving them aside would lose good
//! data, so they are named with the rewrite that fixes them and left alone.
//!
//! Writers are built never to leave any of these (one writer per shard,
//! files appearing by rename), but a file system can still corrupt a file
//! and older versions or hand-copied parts can duplicate runs. A count that
//! included them would be wrong without saying so, so `status` and `report`
//! refuse damaged datasets and `avalanche repair` mends them.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::{Array, StringArray, UInt64Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rayon::prelude::*;

use super::scan::{self, part_files, Committed};
use crate::dataset::names::{column, Status, DAMAGED_SUFFIX, GENERATIONS_DIR, RUNS_DIR};
use crate::engine::lock::{self, LockError};
use crate::sink::error::{codec_advice, SinkError};

/// What is wrong with a dataset; empty when nothing is.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Integrity {
    pub dir: PathBuf,
    /// Part files (either table) that cannot be read to the end, with why.
    pub unreadable: Vec<(PathBuf, String)>,
    /// Runs with more than one row in the runs table, or whose generations
    /// rows sit in more than one part: run_id and the files holding them.
    pub duplicates: Vec<(u64, Vec<PathBuf>)>,
    /// Generations parts without their runs twin (not from a live writer).
    pub orphans: Vec<PathBuf>,
    /// Runs parts whose generations twin should exist but does not
    /// ([`scan::generations_expected`]): their runs' curves are lost.
    pub without_generations: Vec<PathBuf>,
    /// Parts compressed with a codec this build cannot decompress, and its
    /// name: not damage, but not readable here either.
    pub foreign_codec: Vec<(PathBuf, &'static str)>,
}

/// Why the check itself could not run.
#[derive(Debug, thiserror::Error)]
pub enum IntegrityError {
    #[error("{}: not an avalanche dataset (no sweep.toml)", .0.display())]
    NotADataset(PathBuf),
    #[error(transparent)]
    Sink(#[from] SinkError),
    #[error(transparent)]
    Lock(#[from] LockError),
}

impl Integrity {
    /// Whether nothing is wrong.
    pub fn is_clean(&self) -> bool {
        !self.is_damaged() && self.foreign_codec.is_empty()
    }

    /// Whether something is wrong that `avalanche repair` mends.
    pub fn is_damaged(&self) -> bool {
        !(self.unreadable.is_empty()
            && self.duplicates.is_empty()
            && self.orphans.is_empty()
            && self.without_generations.is_empty())
    }
}

impl fmt::Display for Integrity {
    /// The files named and the fix spelled out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_damaged() {
            self.fmt_damage(f)?;
            if !self.foreign_codec.is_empty() {
                writeln!(f)?;
            }
        }
        if !self.foreign_codec.is_empty() {
            write!(f, "{}", codec_advice(&self.foreign_codec))?;
        }
        Ok(())
    }
}

impl Integrity {
    /// The damage, file by file, and how `repair` mends it.
    fn fmt_damage(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = self.dir.display();
        writeln!(f, "{dir} is damaged:")?;
        for (path, why) in &self.unreadable {
            writeln!(f, "  unreadable: {} ({why})", path.display())?;
        }
        let shown = 10;
        for (run_id, files) in self.duplicates.iter().take(shown) {
            let files: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
            writeln!(f, "  run_id {run_id} is written more than once: {}", files.join(", "))?;
        }
        if self.duplicates.len() > shown {
            writeln!(f, "  ... {} duplicated run_ids in all", self.duplicates.len())?;
        }
        for path in &self.orphans {
            writeln!(f, "  generations part without its runs twin: {}", path.display())?;
        }
        for path in &self.without_generations {
            writeln!(
                f,
                "  runs part without its generations twin (its runs' generation rows are lost): {}",
                path.display()
            )?;
        }
        write!(
            f,
            "Fix: `{avalanche} repair {dir}` moves unreadable parts and parts without their twin to \
             {dir}{DAMAGED_SUFFIX}/ and drops duplicate rows keeping one; then rerun the sweep \
             (`{avalanche} run ...`) to redo the runs that were lost.",
            avalanche = crate::display::invocation::command()
        )
    }
}

/// Reads every part of `dir` to the end, in parallel over parts, and checks
/// that each run is recorded once; returns what is wrong and, from the same
/// reading, every committed run's status (from the runs parts that could be
/// read), so that one pass over the parts serves integrity and completion.
/// The caller has checked that `dir` holds a sweep file.
pub(super) fn check(dir: &Path) -> Result<(Integrity, Committed), IntegrityError> {
    let runs = part_files(&dir.join(RUNS_DIR))?;
    let generations = part_files(&dir.join(GENERATIONS_DIR))?;
    let read = |files: &[PathBuf]| -> Vec<Result<PartRead, String>> {
        files.par_iter().map(|p| read_part(p)).collect()
    };
    let (runs_read, generations_read) = (read(&runs), read(&generations));
    let mut integrity = Integrity { dir: dir.to_path_buf(), ..Integrity::default() };
    let committed = committed(&runs, &runs_read);
    for (files, read) in [(&runs, &runs_read), (&generations, &generations_read)] {
        for (path, result) in files.iter().zip(read) {
            if let Err(why) = result {
                match scan::foreign_codec(path) {
                    Some(codec) => integrity.foreign_codec.push((path.clone(), codec)),
                    None => integrity.unreadable.push((path.clone(), why.clone())),
                }
            }
        }
    }
    // Generations land before runs, so a runs part without its twin lost it.
    for (path, read) in runs.iter().zip(&runs_read) {
        let Ok(read) = read else { continue };
        let expected = scan::generations_expected(read.recorded, read.ok > 0, !generations.is_empty());
        if scan::lost_generations(dir, path, expected) {
            integrity.without_generations.push(path.clone());
        }
    }
    fn ids(read: &[Result<PartRead, String>]) -> Vec<&[u64]> {
        read.iter().map(|r| r.as_ref().map_or(&[][..], |r| r.ids.as_slice())).collect()
    }
    let (runs_ids, generations_ids) = (ids(&runs_read), ids(&generations_read));
    let mut holders: HashMap<u64, Vec<PathBuf>> = HashMap::new();
    let mut duplicated = HashSet::new();
    for (path, ids) in runs.iter().zip(&runs_ids) {
        for &id in *ids {
            let files = holders.entry(id).or_default();
            if !files.is_empty() {
                duplicated.insert(id);
            }
            files.push(path.clone());
        }
    }
    // A run's generation rows all belong in one part.
    let mut generation_part: HashMap<u64, &PathBuf> = HashMap::new();
    for (path, ids) in generations.iter().zip(&generations_ids) {
        for &id in *ids {
            let first = *generation_part.entry(id).or_insert(path);
            if first != path {
                duplicated.insert(id);
                let files = holders.entry(id).or_default();
                for p in [first, path] {
                    if !files.contains(p) {
                        files.push(p.clone());
                    }
                }
            }
        }
    }
    let mut duplicates: Vec<(u64, Vec<PathBuf>)> =
        duplicated.into_iter().map(|id| (id, holders.remove(&id).unwrap_or_default())).collect();
    duplicates.sort();
    integrity.duplicates = duplicates;
    let live = lock::live_holders(dir);
    let live_shards = scan::live_shards(live.iter().map(|(_, h)| h));
    for path in &generations {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !dir.join(RUNS_DIR).join(name).exists() && !scan::written_by(name, &live_shards) {
            integrity.orphans.push(path.clone());
        }
    }
    Ok((integrity, committed))
}

/// The committed runs of the runs parts read, as [`scan::scan`] counts
/// them: parts in name order, a later row of a run_id replacing an earlier.
fn committed(runs: &[PathBuf], read: &[Result<PartRead, String>]) -> Committed {
    let mut committed = Committed::default();
    for (path, read) in runs.iter().zip(read) {
        let Ok(read) = read else { continue };
        for (&id, &status) in read.ids.iter().zip(&read.statuses) {
            if committed.runs.insert(id, status).is_some() {
                committed.duplicates += 1;
            }
        }
        let failed = read.statuses.iter().filter(|&&s| s == Status::Failed).count();
        if failed > 0 {
            committed.failed_files.push((path.clone(), failed));
        }
        committed.files += 1;
    }
    committed
}

/// What [`read_part`] found in one part.
struct PartRead {
    /// Every run_id, one per row.
    ids: Vec<u64>,
    /// Every row's status, beside `ids` (runs parts only; empty in
    /// generations parts, which have no status column).
    statuses: Vec<Status>,
    /// Rows with status `ok`.
    ok: usize,
    /// The runs part's record of its generations twin.
    recorded: Option<bool>,
}

/// Every run_id of a part, reading the whole file (a damaged page anywhere
/// makes it unreadable).
fn read_part(path: &Path) -> Result<PartRead, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| e.to_string())?;
    let recorded = scan::generations_recorded(builder.metadata().file_metadata());
    let reader = builder.build().map_err(|e| e.to_string())?;
    let mut part = PartRead { ids: Vec::new(), statuses: Vec::new(), ok: 0, recorded };
    for batch in reader {
        let batch = batch.map_err(|e| e.to_string())?;
        let column = batch
            .column_by_name(column::RUN_ID)
            .and_then(|c| c.as_any().downcast_ref::<UInt64Array>())
            .ok_or("no UInt64 run_id column")?;
        if column.null_count() > 0 {
            return Err("null run_id".into());
        }
        part.ids.extend(column.values().iter().copied());
        let statuses =
            batch.column_by_name(column::STATUS).and_then(|c| c.as_any().downcast_ref::<StringArray>());
        if let Some(statuses) = statuses {
            for status in statuses {
                let status = Status::parse(status);
                part.ok += usize::from(status == Status::Ok);
                part.statuses.push(status);
            }
        }
    }
    Ok(part)
}
