//! `avalanche status`: how complete a dataset is, across all shards that
//! wrote into it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::sink::dataset::{self, Status};
use crate::sink::SinkError;
use crate::sweep::{self, SweepError};

/// Run counts of a dataset against its sweep.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Completion {
    pub expected: u64,
    pub completed: u64,
    pub failed: u64,
    pub missing: u64,
    /// Committed runs that the sweep does not contain.
    pub stray: u64,
    /// Rows that repeat a run_id (should be zero).
    pub duplicates: u64,
    /// Per shard count N seen in part names: (shard index, missing runs).
    pub missing_by_shard: BTreeMap<u64, (u64, u64)>,
}

/// Why a status could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error("{}: not an avalanche dataset (no sweep.toml)", .0.display())]
    NotADataset(PathBuf),
    #[error(transparent)]
    Sweep(#[from] SweepError),
    #[error(transparent)]
    Sink(#[from] SinkError),
}

/// Compares what `dir` holds with what its `sweep.toml` expands to.
pub fn completion(dir: &Path) -> Result<Completion, StatusError> {
    let sweep_file = dir.join(dataset::SWEEP_FILE);
    if !sweep_file.exists() {
        return Err(StatusError::NotADataset(dir.to_path_buf()));
    }
    let sweep = sweep::load(&sweep_file, u64::MAX)?;
    let committed = dataset::scan(dir)?;
    let shard_count = shard_count(dir)?;
    let completed = AtomicU64::new(0);
    let failed = AtomicU64::new(0);
    let missing_by_shard: Vec<AtomicU64> = (0..shard_count).map(|_| AtomicU64::new(0)).collect();
    (0..sweep.runs() as usize).into_par_iter().with_min_len(1024).for_each(|index| {
        let spec = sweep.run(index as u64);
        match committed.runs.get(&spec.run_id) {
            Some(Status::Ok) => completed.fetch_add(1, Ordering::Relaxed),
            Some(Status::Failed) => failed.fetch_add(1, Ordering::Relaxed),
            None => missing_by_shard[(index as u64 % shard_count) as usize].fetch_add(1, Ordering::Relaxed),
        };
    });
    let completed = completed.into_inner();
    let failed = failed.into_inner();
    let missing: u64 = missing_by_shard.iter().map(|m| m.load(Ordering::Relaxed)).sum();
    let expected = sweep.runs();
    let mut by_shard = BTreeMap::new();
    if shard_count > 1 {
        for (i, m) in missing_by_shard.iter().enumerate() {
            by_shard.insert(i as u64, (shard_count, m.load(Ordering::Relaxed)));
        }
    }
    Ok(Completion {
        expected,
        completed,
        failed,
        missing,
        stray: (committed.runs.len() as u64).saturating_sub(completed + failed),
        duplicates: committed.duplicates,
        missing_by_shard: by_shard,
    })
}

/// The shard count N in part names `part-sIofN-*`, when all agree; else 1.
fn shard_count(dir: &Path) -> Result<u64, SinkError> {
    let mut counts = std::collections::BTreeSet::new();
    for path in dataset::part_files(&dir.join(dataset::RUNS))? {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(n) = name
            .strip_prefix("part-s")
            .and_then(|r| r.split_once("of"))
            .and_then(|(_, r)| r.split_once('-'))
            .and_then(|(n, _)| n.parse::<u64>().ok())
        {
            counts.insert(n);
        }
    }
    Ok(if counts.len() == 1 { *counts.first().expect("one") } else { 1 })
}
