//! How complete a dataset is against its sweep, across all shards that
//! wrote into it: every run the sweep expands to, looked up among the
//! committed ones.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use super::scan::Committed;
use crate::dataset::names::Status;
use crate::sweep::Sweep;

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

/// Compares what was `committed` with what `sweep` expands to, counting
/// missing runs per shard of `shard_count` (the count the part names agree
/// on; 1 when they do not).
pub fn completion(sweep: &Sweep, committed: &Committed, shard_count: u64) -> Completion {
    let shards = reconcile(sweep, &committed.runs, shard_count);
    let completed = shards.iter().map(|s| s.ok).sum();
    let failed = shards.iter().map(|s| s.failed).sum();
    let mut by_shard = BTreeMap::new();
    if shard_count > 1 {
        for (i, s) in shards.iter().enumerate() {
            by_shard.insert(i as u64, (shard_count, s.missing));
        }
    }
    Completion {
        expected: sweep.runs(),
        points: sweep.points(),
        completed,
        failed,
        missing: shards.iter().map(|s| s.missing).sum(),
        stray: (committed.runs.len() as u64).saturating_sub(completed + failed),
        duplicates: committed.duplicates,
        missing_by_shard: by_shard,
    }
}
