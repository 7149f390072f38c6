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

use crate::lock::{self, LockError, Role};
use crate::names::{column, Status, DAMAGED_SUFFIX, GENERATIONS_DIR, RUNS_DIR, SWEEP_FILE};
use crate::sink::dataset::{self, part_files};
use crate::sink::error::codec_advice;
use crate::sink::SinkError;

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
    /// ([`dataset::generations_expected`]): their runs' curves are lost.
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
            avalanche = crate::invocation::command()
        )
    }
}

/// Reads every part of `dir` to the end and checks that each run is
/// recorded once. Reads every byte of the dataset, in parallel over parts.
pub fn check_integrity(dir: &Path) -> Result<Integrity, IntegrityError> {
    if !dir.join(SWEEP_FILE).exists() {
        return Err(IntegrityError::NotADataset(dir.to_path_buf()));
    }
    let runs = part_files(&dir.join(RUNS_DIR))?;
    let generations = part_files(&dir.join(GENERATIONS_DIR))?;
    let read = |files: &[PathBuf]| -> Vec<Result<PartRead, String>> {
        files.par_iter().map(|p| read_part(p)).collect()
    };
    let (runs_read, generations_read) = (read(&runs), read(&generations));
    let mut integrity = Integrity { dir: dir.to_path_buf(), ..Integrity::default() };
    for (files, read) in [(&runs, &runs_read), (&generations, &generations_read)] {
        for (path, result) in files.iter().zip(read) {
            if let Err(why) = result {
                match dataset::foreign_codec(path) {
                    Some(codec) => integrity.foreign_codec.push((path.clone(), codec)),
                    None => integrity.unreadable.push((path.clone(), why.clone())),
                }
            }
        }
    }
    // Generations land before runs, so a runs part without its twin lost it.
    for (path, read) in runs.iter().zip(&runs_read) {
        let Ok(read) = read else { continue };
        let expected = dataset::generations_expected(read.recorded, read.ok, !generations.is_empty());
        if dataset::lost_generations(dir, path, expected) {
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
    let live_tags: Vec<String> = lock::live_holders(dir)
        .into_iter()
        .filter_map(|(_, h)| match h.role {
            Role::Shard(shard) => Some(format!("part-{}-", shard.tag())),
            _ => None,
        })
        .collect();
    for path in &generations {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !dir.join(RUNS_DIR).join(name).exists() && !live_tags.iter().any(|t| name.starts_with(t)) {
            integrity.orphans.push(path.clone());
        }
    }
    Ok(integrity)
}

/// What [`read_part`] found in one part.
struct PartRead {
    /// Every run_id, one per row.
    ids: Vec<u64>,
    /// Whether a row has status `ok` (runs parts only).
    ok: bool,
    /// The runs part's record of its generations twin.
    recorded: Option<bool>,
}

/// Every run_id of a part, reading the whole file (a damaged page anywhere
/// makes it unreadable).
fn read_part(path: &Path) -> Result<PartRead, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| e.to_string())?;
    let recorded = dataset::generations_recorded(builder.metadata().file_metadata());
    let reader = builder.build().map_err(|e| e.to_string())?;
    let mut part = PartRead { ids: Vec::new(), ok: false, recorded };
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
        part.ok |= statuses.is_some_and(|s| s.iter().any(|s| s == Some(Status::Ok.as_str())));
    }
    Ok(part)
}

/// What [`repair`] did.
#[derive(Debug, Default)]
pub struct Repaired {
    /// Files moved out of the dataset, and where to.
    pub moved: Vec<(PathBuf, PathBuf)>,
    /// Rows dropped from each rewritten part.
    pub dropped: Vec<(PathBuf, usize)>,
    /// Parts left in place because this build cannot decompress their codec
    /// (and its name): not damage, but the dataset is not whole to it.
    pub foreign_codec: Vec<(PathBuf, &'static str)>,
}

/// Mends `dir`: moves unreadable parts, orphaned generations parts and runs
/// parts that lost their generations twin (and each unreadable part's twin,
/// whose rows would otherwise be duplicated or orphaned when the lost runs
/// are redone) to `<dir>.damaged/`, and drops
/// duplicate rows, keeping each run in the first runs part (by name) that
/// holds it and its generation rows in that part's twin. Every rewrite is
/// atomic, so an interrupted repair can be rerun. Takes the whole dataset's
/// lock: refused while any writer is live.
pub fn repair(dir: &Path, break_lock: bool) -> Result<Repaired, IntegrityError> {
    if !dir.join(SWEEP_FILE).exists() {
        return Err(IntegrityError::NotADataset(dir.to_path_buf()));
    }
    let _lock = lock::acquire(dir, Role::Exclusive, break_lock)?;
    let integrity = check_integrity(dir)?;
    let mut repaired = Repaired::default();
    let aside = PathBuf::from(format!("{}{DAMAGED_SUFFIX}", dir.display()));
    let mut to_move: Vec<PathBuf> = integrity.orphans.clone();
    to_move.extend(integrity.without_generations.iter().cloned());
    for (path, _) in &integrity.unreadable {
        let name = path.file_name().unwrap_or_default();
        for table in [RUNS_DIR, GENERATIONS_DIR] {
            let twin = dir.join(table).join(name);
            if twin.exists() && !to_move.contains(&twin) {
                to_move.push(twin);
            }
        }
    }
    for path in &to_move {
        let table = path.parent().and_then(|p| p.file_name()).unwrap_or_default();
        let target_dir = aside.join(table);
        std::fs::create_dir_all(&target_dir).map_err(SinkError::io(&target_dir))?;
        let target = target_dir.join(path.file_name().unwrap_or_default());
        std::fs::rename(path, &target).map_err(SinkError::io(path))?;
        dataset::sync_dir(path.parent().unwrap_or(dir));
        repaired.moved.push((path.clone(), target));
    }
    // Parts in a foreign codec stay, unless they went as a damaged part's twin.
    repaired.foreign_codec =
        integrity.foreign_codec.iter().filter(|(path, _)| !to_move.contains(path)).cloned().collect();

    // Duplicates among what is left: the keeper is the first runs part.
    let sweep_text =
        std::fs::read_to_string(dir.join(SWEEP_FILE)).map_err(SinkError::io(dir.join(SWEEP_FILE)))?;
    let mut drop: HashMap<PathBuf, HashSet<u64>> = HashMap::new();
    for (run_id, files) in &integrity.duplicates {
        let files: Vec<&PathBuf> = files.iter().filter(|p| !to_move.contains(p)).collect();
        let keeper = files
            .iter()
            .filter(|p| p.parent().and_then(|d| d.file_name()).is_some_and(|n| n == RUNS_DIR))
            .min()
            .or_else(|| files.iter().min())
            .and_then(|p| p.file_name())
            .map(|n| n.to_owned());
        for path in files {
            if Some(path.file_name().unwrap_or_default().to_owned()) != keeper {
                drop.entry(path.clone()).or_default().insert(*run_id);
            }
        }
    }
    let mut rewrites: Vec<_> = drop.into_iter().collect();
    rewrites.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, ids) in rewrites {
        let dropped = dataset::drop_rows(&path, &sweep_text, &ids)?;
        repaired.dropped.push((path, dropped));
    }
    Ok(repaired)
}
