//! What `avalanche run` is asked (one documented options struct) and what it
//! answers: the summary of a call, the observer that shows progress, and
//! the errors that stop a run before or while it writes. The runner and a
//! search's rounds share them.

use std::path::PathBuf;
use std::time::Duration;

use super::executor::{ExecConfig, PoolError};
use super::lock::{self, LockError};
use super::shard::Shard;
use crate::sink::{Checkpoint, SinkError};

/// Everything `avalanche run` can be asked to do, in one place.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// The results root; the dataset goes to `<out>/<sweep name>/`.
    pub out: PathBuf,
    pub exec: ExecConfig,
    pub checkpoint: Checkpoint,
    /// Rerun runs recorded as failed (their old rows are removed first).
    pub retry_failed: bool,
    /// Accept a changed sweep file that only adds grid values or replicates.
    pub extend: bool,
    /// Move an existing dataset folder aside and start over.
    pub fresh: bool,
    /// Take the shard's lock even from a writer that looks alive.
    pub break_lock: bool,
    /// Called when runs outlive the grace period after a stop signal, with
    /// what was committed, just before the process exits (128 + signal).
    pub on_abandon: Option<fn(&RunSummary)>,
}

/// Watches a sweep's progress; implemented by the terminal display.
pub trait Observer {
    /// `pending` runs are about to be executed; `committed` were already there.
    fn start(&mut self, pending: u64, committed: u64);
    /// `finished` runs are done so far, `failed` of them failed; called a
    /// few times a second.
    fn progress(&mut self, finished: u64, failed: u64);
    fn finish(&mut self) {}
}

/// An observer that shows nothing.
pub struct Silent;
impl Observer for Silent {
    fn start(&mut self, _: u64, _: u64) {}
    fn progress(&mut self, _: u64, _: u64) {}
}

/// What a call to [`crate::engine::runner::run_sweep`] did.
#[derive(Debug)]
pub struct RunSummary {
    pub dir: PathBuf,
    pub shard: Shard,
    /// Runs of this shard already in the dataset before this call.
    pub already_committed: u64,
    /// Runs executed by this call.
    pub executed: u64,
    /// Of those, how many failed.
    pub failed: u64,
    /// Whether the run stopped before everything pending was executed.
    pub stopped_early: bool,
    pub wall: Duration,
    /// Where an old dataset was moved by `--fresh`.
    pub moved_aside: Option<PathBuf>,
    /// The failed runs grouped by message (numbers blanked), commonest
    /// first: (count, the message's shape, one full message).
    pub failures: Vec<(u64, String, String)>,
    /// The signal that stopped the sweep; what finished was committed.
    pub interrupted: Option<i32>,
    /// Runs still under way when the grace period ended, not recorded.
    pub abandoned: bool,
}

impl RunSummary {
    /// Whether every run this call set out to run was executed and
    /// succeeded: a stop asked for by `--fail-fast`, a failed run or a stop
    /// signal makes it false, and the exit status says so.
    pub fn complete(&self) -> bool {
        self.failed == 0 && !self.stopped_early && self.interrupted.is_none()
    }

    /// A call's summary before it has run anything.
    pub(crate) fn starting(
        dir: PathBuf,
        shard: Shard,
        already_committed: u64,
        moved_aside: Option<PathBuf>,
    ) -> RunSummary {
        RunSummary {
            dir,
            shard,
            already_committed,
            executed: 0,
            failed: 0,
            stopped_early: false,
            wall: Duration::ZERO,
            moved_aside,
            failures: Vec::new(),
            interrupted: None,
            abandoned: false,
        }
    }
}

/// Why a sweep could not be run.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error(transparent)]
    Sink(#[from] SinkError),
    #[error(transparent)]
    Pool(#[from] PoolError),
    #[error(
        "{} holds a dataset from a different sweep; these keys differ:\n  {}\n\
         Use --extend if you only added grid values or replicates, --fresh to move the old dataset aside \
         and start over, or another --out.",
        dir.display(), keys.join("\n  ")
    )]
    SweepChanged { dir: PathBuf, keys: Vec<String> },
    #[error("{}: --extend only adds runs, but {reason}", dir.display())]
    NotAnExtension { dir: PathBuf, reason: String },
    #[error("{} exists but is not an avalanche dataset (no sweep.toml); refusing to write into it", dir.display())]
    NotADataset { dir: PathBuf },
    #[error(
        "{source}\n{} holds a part that cannot be read: `{avalanche} status {}` lists the damage, \
         `{avalanche} repair {}` moves it aside, and rerunning then redoes its runs",
        dir.display(), dir.display(), dir.display(), avalanche = crate::display::invocation::command()
    )]
    Damaged { dir: PathBuf, source: SinkError },
    #[error(
        "{}: this runs part's generations twin is gone, so its runs' generation rows are lost; \
         `{avalanche} repair {}` moves the part aside, and rerunning then redoes its runs",
        part.display(), dir.display(), avalanche = crate::display::invocation::command()
    )]
    LostGenerations { dir: PathBuf, part: PathBuf },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(
        "{}: {what} needs the dataset to itself, but {holder} is writing into it (lock {}); \
         wait for it to finish",
        dir.display(), path.display()
    )]
    Busy { dir: PathBuf, what: &'static str, holder: String, path: PathBuf },
    #[error(
        "{}: another process broke this writer's lock while it ran (--break-lock, or no heartbeat for \
         {} s); runs may have been written twice. Run `{avalanche} status {}` and, if it reports \
         duplicates, `{avalanche} repair {}`",
        dir.display(), lock::STALE_AFTER.as_secs(), dir.display(), dir.display(),
        avalanche = crate::display::invocation::command()
    )]
    LockLost { dir: PathBuf },
}

/// The worker threads for `sweep` when the user names none: `None` (one per
/// core) for runs of one core, and for a scenario whose runs use several
/// cores each (a `command` sweep's `cpus_per_run`), as many runs as fill the
/// cores.
pub fn default_threads_for(sweep: &crate::sweep::Sweep) -> Option<usize> {
    (sweep.cores_per_run > 1).then(|| sweep.runs_at_once(super::executor::default_threads()))
}
