//! One `avalanche run` of a sweep with `[search]`, in rounds: each round
//! replays every point of this shard from the committed runs ([`drive`]),
//! executes the runs their next probes lack as ordinary runs, and commits
//! them; the boundaries table is then written from the same replay, also
//! after an interruption (its unfinished points say so). The runner calls
//! this once it holds the shard's lock.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{drive, observed};
use crate::dataset::scan;
use crate::engine::executor::{execute_work, Ending, ExecConfig, Work};
use crate::engine::lock::{self, WriterLock};
use crate::engine::options::{Observer, RunOptions, RunSummary, RunnerError};
use crate::engine::shard::Shard;
use crate::engine::tally::{commit_all, failures, open_writers, Tally};
use crate::sweep::Sweep;

/// Where [`crate::engine::runner::run_sweep`] hands a search over to [`run`].
pub struct Start<'a> {
    /// The shard whose points this call searches.
    pub shard: Shard,
    /// The dataset folder, prepared and locked.
    pub dir: &'a Path,
    /// When `run` started (for the summary's wall time).
    pub started: Instant,
    /// Where `--fresh` moved an old dataset.
    pub moved_aside: Option<PathBuf>,
}

/// Runs a sweep with `[search]` in rounds: each round replays every point
/// of this shard from the committed runs, executes the runs their next
/// probes lack, and commits them; the boundaries table is then written
/// from the same replay, also after an interruption (`unfinished` rows).
pub fn run(
    sweep: &Sweep,
    search: &crate::search::Search,
    start: Start,
    options: &RunOptions,
    observer: &mut dyn Observer,
    lock: &mut WriterLock,
) -> Result<RunSummary, RunnerError> {
    let Start { shard, dir, started, moved_aside } = start;
    let live = lock::live_holders(dir);
    for path in scan::clean_leftovers(dir, &live)? {
        tracing::info!("removed leftover {} from an interrupted run", path.display());
    }
    let exec = ExecConfig { shard: Some(shard), halt: Some(lock.lost_flag()), ..options.exec.clone() };
    let workers = exec.thread_count();
    let states = observed::read(dir, &search.event)
        .map_err(|source| RunnerError::Damaged { dir: dir.to_path_buf(), source })?;
    let (mut specs, mut progress) = drive::round(sweep, search, shard, &states);
    let already_committed = drive::committed(sweep, &progress);
    let points = drive::points(sweep, shard).count() as u64;
    observer.start(
        (points * search.worst_case_runs(sweep.replicates)).saturating_sub(already_committed),
        already_committed,
    );
    let mut summary = RunSummary::starting(dir.to_path_buf(), shard, already_committed, moved_aside);
    let mut tally = Tally::new(observer, &mut summary, started, lock, options, sweep.scenario.hooks);
    while !specs.is_empty() {
        let writers = open_writers(dir, sweep, shard, workers, options.checkpoint)?;
        let work = Work::Specs(&sweep.scenario, &specs);
        let (outcome, writers) = execute_work(work, &exec, &|_| true, writers, &mut tally)?;
        let committed_now = commit_all(writers);
        tally.offset = tally.summary.executed;
        let stop = match outcome {
            Ending::Completed => false,
            Ending::Stopped => {
                tally.summary.stopped_early = true;
                true
            }
            Ending::Interrupted(signal) => {
                tally.summary.interrupted = Some(signal);
                true
            }
            Ending::SinkFailed(e) => return Err(e.into()),
        };
        committed_now?;
        if tally.lock.lost() {
            return Err(RunnerError::LockLost { dir: dir.to_path_buf() });
        }
        let states = observed::read(dir, &search.event)?;
        (specs, progress) = drive::round(sweep, search, shard, &states);
        if stop {
            break;
        }
    }
    crate::sink::boundaries::write(dir, sweep, shard, &drive::rows(sweep, &progress))?;
    tally.observer.finish();
    tally.summary.failures = failures(&tally.by_message);
    summary.wall = started.elapsed();
    Ok(summary)
}
