//! `avalanche status`: how complete a dataset is, across all shards that
//! wrote into it.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

pub use crate::integrity::{check_integrity, Integrity, IntegrityError};
use crate::sink::dataset::{self, Status};
use crate::sink::SinkError;
use crate::sweep::{self, Sweep, SweepError};

/// Run counts of a dataset against its sweep.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Completion {
    /// Runs the sweep expands to, and its grid points.
    pub expected: u64,
    pub points: u64,
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
    #[error("{}: no such file or folder", .0.display())]
    NoSuchPath(PathBuf),
    #[error("{}: not an avalanche dataset (no sweep.toml)", .0.display())]
    NotADataset(PathBuf),
    #[error(transparent)]
    Sweep(#[from] SweepError),
    #[error(transparent)]
    Sink(#[from] SinkError),
}

/// Committed and missing runs of one shard (of some shard count).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShardCounts {
    pub ok: u64,
    pub failed: u64,
    pub missing: u64,
}

/// Expands `sweep` and looks every run up in `committed`, counting per
/// shard of `shards`. Runs in `committed` that no index reaches are the
/// difference between `committed.len()` and the counted ok + failed.
pub fn reconcile(sweep: &Sweep, committed: &HashMap<u64, Status>, shards: u64) -> Vec<ShardCounts> {
    let counters: Vec<[AtomicU64; 3]> = (0..shards).map(|_| Default::default()).collect();
    (0..sweep.runs() as usize).into_par_iter().with_min_len(1024).for_each(|index| {
        let slot = match committed.get(&sweep.run(index as u64).run_id) {
            Some(Status::Ok) => 0,
            Some(Status::Failed) => 1,
            None => 2,
        };
        counters[index % shards as usize][slot].fetch_add(1, Ordering::Relaxed);
    });
    counters
        .iter()
        .map(|[ok, failed, missing]| ShardCounts {
            ok: ok.load(Ordering::Relaxed),
            failed: failed.load(Ordering::Relaxed),
            missing: missing.load(Ordering::Relaxed),
        })
        .collect()
}

/// Compares what `dir` holds with what its `sweep.toml` expands to.
pub fn completion(dir: &Path) -> Result<Completion, StatusError> {
    if !dir.exists() {
        return Err(StatusError::NoSuchPath(dir.to_path_buf()));
    }
    let sweep_file = dir.join(dataset::SWEEP_FILE);
    if !sweep_file.exists() {
        return Err(StatusError::NotADataset(dir.to_path_buf()));
    }
    let sweep = sweep::load(&sweep_file, u64::MAX)?;
    let committed = dataset::scan(dir)?;
    let shard_count = shard_count(dir)?;
    let shards = reconcile(&sweep, &committed.runs, shard_count);
    let completed = shards.iter().map(|s| s.ok).sum();
    let failed = shards.iter().map(|s| s.failed).sum();
    let mut by_shard = BTreeMap::new();
    if shard_count > 1 {
        for (i, s) in shards.iter().enumerate() {
            by_shard.insert(i as u64, (shard_count, s.missing));
        }
    }
    Ok(Completion {
        expected: sweep.runs(),
        points: sweep.points(),
        completed,
        failed,
        missing: shards.iter().map(|s| s.missing).sum(),
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
pub fn searches(dir: &Path) -> Result<Option<SearchStatus>, StatusError> {
    use crate::search::{drive, observed, Next};
    let sweep = sweep::load(&dir.join(dataset::SWEEP_FILE), u64::MAX)?;
    let Some(search) = &sweep.search else { return Ok(None) };
    let states = observed::read(dir, &search.event)?;
    let (_, progress) = drive::round(&sweep, search, crate::shard::Shard::WHOLE, &states);
    let mut lines = Vec::new();
    let mut unfinished = 0;
    let mut used = 0;
    for (point, p) in &progress {
        let at = crate::search::point_words(&sweep, *point);
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
