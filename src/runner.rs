//! Running a sweep into its dataset folder: preparing the folder, resuming
//! what was committed before, executing the rest and committing it.
//!
//! This is where the engine's pieces meet; it holds no simulation and no
//! Parquet code of its own. Progress display is an [`Observer`] supplied by
//! the caller, so the engine never draws to a terminal.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::dataset::completion::reconcile;
use crate::dataset::files::write_atomically;
use crate::dataset::names::{Status, GENERATIONS_DIR, RUNS_DIR, SWEEP_FILE};
use crate::dataset::scan::{self, Committed};
use crate::executor::{execute, Coordinator, ExecConfig, Flow, Outcome, PoolError};
use crate::interrupt;
use crate::lock::{self, LockError, Role, WriterLock};
use crate::record::RunEvent;
use crate::shard::Shard;
use crate::sink::rewrite::drop_rows;
use crate::sink::{Checkpoint, DatasetWriter, SinkError};
use crate::sweep::diff::differing_keys;
use crate::sweep::Sweep;

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
    pub on_abandon: Option<fn(&Summary)>,
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

/// What a call to [`run_sweep`] did.
#[derive(Debug)]
pub struct Summary {
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

impl Summary {
    /// A call's summary before it has run anything.
    pub(crate) fn starting(
        dir: PathBuf,
        shard: Shard,
        already_committed: u64,
        moved_aside: Option<PathBuf>,
    ) -> Summary {
        Summary {
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
        dir.display(), dir.display(), dir.display(), avalanche = crate::invocation::command()
    )]
    Damaged { dir: PathBuf, source: SinkError },
    #[error(
        "{}: this runs part's generations twin is gone, so its runs' generation rows are lost; \
         `{avalanche} repair {}` moves the part aside, and rerunning then redoes its runs",
        part.display(), dir.display(), avalanche = crate::invocation::command()
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
        avalanche = crate::invocation::command()
    )]
    LockLost { dir: PathBuf },
}

/// Refuses options the engine cannot honour, before anything is written.
fn check_options(sweep: &Sweep, options: &RunOptions) -> Result<(), RunnerError> {
    options.exec.check().map_err(RunnerError::Invalid)?;
    options.checkpoint.check().map_err(RunnerError::Invalid)?;
    if sweep.search.is_some() {
        // A failed run is part of its probe's record, which decided the
        // probes after it; rerunning it, or growing the probes, would
        // rewrite a history the later probes were chosen from.
        if options.retry_failed || options.extend {
            return Err(RunnerError::Invalid(format!(
                "{} does not apply to a sweep with [search]: its probes were chosen from the runs as they are",
                if options.retry_failed { "--retry-failed" } else { "--extend" }
            )));
        }
        if let Some(shard) = options.exec.shard.filter(|s| s.count > sweep.points()) {
            return Err(RunnerError::Invalid(format!(
                "shard {shard}: a search's shards split the {} points of its other axes, so there cannot be {} shards",
                sweep.points(),
                shard.count
            )));
        }
        return Ok(());
    }
    if let Some(shard) = options.exec.shard {
        if shard.count > sweep.runs() {
            return Err(RunnerError::Invalid(format!(
                "shard {shard}: the sweep has {} runs, so there cannot be {} shards \
                 (each shard needs at least one run)",
                sweep.runs(),
                shard.count
            )));
        }
    }
    Ok(())
}

/// Refuses `what` while any writer other than this process holds a lock.
fn refuse_if_busy(dir: &Path, what: &'static str) -> Result<(), RunnerError> {
    let others = lock::live_holders(dir).into_iter().find(|(_, h)| h.token != lock::process_token());
    match others {
        Some((path, holder)) => {
            Err(RunnerError::Busy { dir: dir.to_path_buf(), what, holder: holder.to_string(), path })
        }
        None => Ok(()),
    }
}

/// Runs `sweep` (or the shard of it in `options.exec.shard`) into its
/// dataset folder, resuming whatever was committed there before.
pub fn run_sweep(
    sweep: &Sweep,
    options: &RunOptions,
    observer: &mut dyn Observer,
) -> Result<Summary, RunnerError> {
    check_options(sweep, options)?;
    let started = Instant::now();
    let shard = options.exec.shard.unwrap_or(Shard::WHOLE);
    let dir = options.out.join(&sweep.name);
    let moved_aside = prepare_folder(&dir, sweep, options)?;
    let mut lock = lock::acquire(&dir, Role::Shard(shard), options.break_lock)?;
    if options.extend {
        refuse_if_busy(&dir, "--extend")?;
    }

    let mut committed = scan::scan(&dir).map_err(|source| match source {
        // Not damage: the error says how to make the part readable.
        SinkError::Codec { .. } => RunnerError::Sink(source),
        source => RunnerError::Damaged { dir: dir.clone(), source },
    })?;
    if let Some(part) = committed.without_generations.first() {
        return Err(RunnerError::LostGenerations { dir: dir.clone(), part: part.clone() });
    }
    if let Some(search) = &sweep.search {
        let start = crate::search::run::Start { shard, dir: &dir, started, moved_aside };
        return crate::search::run::run(sweep, search, start, options, observer, &mut lock);
    }
    if options.retry_failed {
        retry_failed(sweep, shard, &dir, &mut committed)?;
    }
    let (already_committed, pending) = count_pending(sweep, shard, &committed.runs, &dir, options.extend)?;
    if options.extend {
        write_atomically(&dir.join(SWEEP_FILE), sweep.text.as_bytes())?;
    }

    let live = lock::live_holders(&dir);
    for path in scan::clean_leftovers(&dir, &live)? {
        tracing::info!("removed leftover {} from an interrupted run", path.display());
    }
    let exec = ExecConfig { shard: Some(shard), halt: Some(lock.lost_flag()), ..options.exec.clone() };
    let workers = exec.thread_count();
    let writers = (0..workers)
        .map(|worker| {
            DatasetWriter::open(
                &dir,
                Arc::clone(&sweep.scenario),
                &sweep.text,
                shard,
                (worker, workers),
                options.checkpoint,
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    observer.start(pending, already_committed);
    let mut summary = Summary::starting(dir.clone(), shard, already_committed, moved_aside);
    let mut tally = Tally {
        observer,
        failed: 0,
        by_message: HashMap::new(),
        summary: &mut summary,
        started,
        lock: &mut lock,
        options,
        offset: 0,
        hooks: sweep.scenario.hooks,
    };
    let committed_runs = &committed.runs;
    let wanted = move |spec: &crate::sweep::RunSpec| !committed_runs.contains_key(&spec.run_id);
    let (outcome, writers) = execute(sweep, &exec, &wanted, writers, &mut tally)?;
    // Whatever happened, what the writers hold is finished work: commit it.
    let committed_now = commit_all(writers);
    tally.observer.finish();
    tally.summary.failures = failures(&tally.by_message);
    match outcome {
        Outcome::Completed => {}
        Outcome::Stopped => summary.stopped_early = true,
        Outcome::Interrupted(signal) => summary.interrupted = Some(signal),
        Outcome::SinkFailed(e) => return Err(e.into()),
    }
    committed_now?;
    if lock.lost() {
        return Err(RunnerError::LockLost { dir });
    }
    summary.wall = started.elapsed();
    Ok(summary)
}

/// Commits every writer, each on its own thread: a commit encodes and
/// compresses the writer's last row group and flushes its files to disk,
/// work that would otherwise run one writer after another while the other
/// cores wait. Every writer is committed even if one fails; the first
/// failure (in worker order) is returned.
pub(crate) fn commit_all(writers: Vec<DatasetWriter>) -> Result<(), SinkError> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = writers.into_iter().map(|mut w| scope.spawn(move || w.commit())).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    })
}

/// Prepares `--retry-failed`: rewrites the parts holding this shard's
/// failed runs without them (other shards' rows, failed or not, stay), one
/// writer at a time, and forgets those runs so they run again.
fn retry_failed(
    sweep: &Sweep,
    shard: Shard,
    dir: &Path,
    committed: &mut Committed,
) -> Result<(), RunnerError> {
    if committed.failed_files.is_empty() {
        return Ok(());
    }
    let own: HashSet<u64> = (0..shard.runs_in(sweep.runs()))
        .map(|k| sweep.run(shard.index + k * shard.count).run_id)
        .filter(|id| committed.runs.get(id) == Some(&Status::Failed))
        .collect();
    if own.is_empty() {
        return Ok(());
    }
    // Shards of one array retry at once; two rewriting the same part
    // concurrently would bring back each other's dropped rows.
    let _rewriting = lock::acquire_waiting(dir, "rewrite", Duration::from_secs(120))?;
    for (path, _) in &committed.failed_files {
        drop_rows(path, &sweep.text, &own)?;
    }
    committed.runs.retain(|id, _| !own.contains(id));
    Ok(())
}

/// Creates the folder and its `sweep.toml`, or checks that an existing one
/// was made by the same sweep. Returns where `--fresh` moved an old folder.
fn prepare_folder(dir: &Path, sweep: &Sweep, options: &RunOptions) -> Result<Option<PathBuf>, RunnerError> {
    let sweep_file = dir.join(SWEEP_FILE);
    let mut moved_aside = None;
    if dir.exists() && options.fresh {
        refuse_if_busy(dir, "--fresh")?;
        let aside = aside_name(dir);
        std::fs::rename(dir, &aside).map_err(SinkError::io(dir))?;
        moved_aside = Some(aside);
    } else if sweep_file.exists() {
        return same_sweep(dir, &sweep_file, sweep, options).map(|()| None);
    } else if holds_foreign_files(dir)? {
        // Shards of one array start together: another may have put its
        // sweep.toml in place since the check above, and then the folder is
        // a dataset to check, not a foreign one.
        if sweep_file.exists() {
            return same_sweep(dir, &sweep_file, sweep, options).map(|()| None);
        }
        return Err(RunnerError::NotADataset { dir: dir.to_path_buf() });
    }
    std::fs::create_dir_all(dir).map_err(SinkError::io(dir))?;
    write_atomically(&sweep_file, sweep.text.as_bytes())?;
    Ok(moved_aside)
}

/// Checks that the dataset in `dir`, whose sweep file is `sweep_file`, was
/// made by `sweep` (or one `--extend` may grow).
fn same_sweep(dir: &Path, sweep_file: &Path, sweep: &Sweep, options: &RunOptions) -> Result<(), RunnerError> {
    let old = std::fs::read_to_string(sweep_file).map_err(SinkError::io(sweep_file))?;
    let keys = differing_keys(&old, &sweep.text);
    if !keys.is_empty() && !options.extend {
        return Err(RunnerError::SweepChanged { dir: dir.to_path_buf(), keys });
    }
    if let Some(key) = keys.iter().find(|k| k.starts_with("seed:") || k.starts_with("scenario:")) {
        return Err(RunnerError::NotAnExtension {
            dir: dir.to_path_buf(),
            reason: format!("{key} changes every run"),
        });
    }
    // Pairing keeps run_ids but changes seeds: the committed runs would
    // match by id and silently carry the old seeds.
    let paired = format!("{}:", crate::dataset::names::PAIRED);
    if let Some(key) = keys.iter().find(|k| k.starts_with(&paired)) {
        return Err(RunnerError::NotAnExtension {
            dir: dir.to_path_buf(),
            reason: format!("{key} changes the seeds of the runs already done"),
        });
    }
    Ok(())
}

/// Whether `dir` holds anything but what avalanche itself puts there. Shards
/// of one array start together, so a folder another shard is creating (its
/// tables, its temporary sweep copy) is not foreign.
fn holds_foreign_files(dir: &Path) -> Result<bool, SinkError> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(false) };
    for entry in entries {
        let name = entry.map_err(SinkError::io(dir))?.file_name();
        let name = name.to_string_lossy();
        if !(name == RUNS_DIR
            || name == GENERATIONS_DIR
            || name == crate::dataset::names::BOUNDARIES_DIR
            || name.starts_with('.'))
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `<dir>.old-<UTC time>` (`results/x.old-2026-11-25T14-58-45Z`), with a
/// counter if that exists too.
fn aside_name(dir: &Path) -> PathBuf {
    let seconds =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let base = format!("{}.old-{}", dir.display(), crate::human::file_stamp(seconds));
    (0..)
        .map(|i| if i == 0 { PathBuf::from(&base) } else { PathBuf::from(format!("{base}-{i}")) })
        .find(|p| !p.exists())
        .expect("some name is free")
}

/// Counts this shard's committed and pending runs, and checks that every
/// committed run belongs to the sweep (which is what makes `--extend` safe).
fn count_pending(
    sweep: &Sweep,
    shard: Shard,
    committed: &HashMap<u64, Status>,
    dir: &Path,
    extend: bool,
) -> Result<(u64, u64), RunnerError> {
    let in_shard = shard.runs_in(sweep.runs());
    if committed.is_empty() {
        return Ok((0, in_shard));
    }
    let shards = reconcile(sweep, committed, shard.count);
    let matched: u64 = shards.iter().map(|s| s.ok + s.failed).sum();
    if matched < committed.len() as u64 {
        let stray = committed.len() as u64 - matched;
        let reason = format!("{stray} runs already in the dataset are not part of this sweep");
        return Err(if extend {
            RunnerError::NotAnExtension { dir: dir.to_path_buf(), reason }
        } else {
            RunnerError::SweepChanged {
                dir: dir.to_path_buf(),
                keys: vec![format!("{reason} (was the dataset written by another version of avalanche?)")],
            }
        });
    }
    let own = shards[shard.index as usize];
    Ok((own.ok + own.failed, own.missing))
}

/// Failed runs logged one by one; later ones are only counted, and
/// summarised by message at the end (a big sweep can fail thousands).
const LOGGED_FAILURES: u64 = 5;

/// Counts finished runs and shows them to the observer.
pub(crate) struct Tally<'a> {
    pub(crate) observer: &'a mut dyn Observer,
    pub(crate) failed: u64,
    /// Failures by message shape: count and the first full message.
    pub(crate) by_message: HashMap<String, (u64, String)>,
    pub(crate) summary: &'a mut Summary,
    pub(crate) started: Instant,
    pub(crate) lock: &'a mut WriterLock,
    pub(crate) options: &'a RunOptions,
    /// Runs finished by earlier executions of this call (a search's rounds).
    pub(crate) offset: u64,
    /// The sweep's scenario's hooks: what ends its runs' programs on an
    /// abandon, and how its failure messages are grouped.
    pub(crate) hooks: crate::scenario::Hooks,
}

/// Failures grouped by message shape, commonest first.
pub(crate) fn failures(by_message: &HashMap<String, (u64, String)>) -> Vec<(u64, String, String)> {
    let mut groups: Vec<(u64, String, String)> =
        by_message.iter().map(|(shape, (count, example))| (*count, shape.clone(), example.clone())).collect();
    groups.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    groups
}

/// A message with its standalone numbers blanked, so that failures which
/// differ only in a value ("draw 0.93 is above ...") count as one kind (the
/// scenario's [`crate::scenario::Hooks::general_failure`] first replaces
/// details of the run they happened to). Digits inside a word (`python3`,
/// `b1`, a hexadecimal id) are part of that word, not numbers.
pub fn message_shape(message: &str) -> String {
    let chars: Vec<char> = message.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut shape = String::with_capacity(message.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && word(chars[i - 1])) {
            shape.push(chars[i]);
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < chars.len() && (chars[end].is_ascii_digit() || matches!(chars[end], '.' | 'e' | '-')) {
            end += 1;
        }
        if end < chars.len() && word(chars[end]) {
            // Digits that run into letters: one word, kept whole.
            while end < chars.len() && word(chars[end]) {
                end += 1;
            }
            shape.extend(&chars[i..end]);
        } else {
            shape.push('#');
        }
        i = end;
    }
    shape
}

impl Coordinator for Tally<'_> {
    /// Everything finished is committed; the runs still going cannot be
    /// waited for, so the process ends here, its lock released.
    fn abandon(&mut self, finished: u64, committed: Result<(), String>) {
        let signal = interrupt::requested().unwrap_or(libc::SIGTERM);
        self.summary.executed = self.offset + finished;
        self.summary.failed = self.failed;
        self.summary.wall = self.started.elapsed();
        self.summary.interrupted = Some(signal);
        self.summary.abandoned = true;
        self.summary.failures = failures(&self.by_message);
        self.observer.finish();
        if let Err(e) = committed {
            // Not exiting here would wait for runs that may never end; the
            // lock stays, and is broken as dead on the next start.
            tracing::error!("committing finished runs failed: {e}");
            std::process::exit(2);
        }
        // What the runs started outside the process (a program's process
        // group, which the signal did not reach) ends with them.
        if let Some(abandon) = self.hooks.abandon {
            abandon();
        }
        self.lock.release();
        if let Some(report) = self.options.on_abandon {
            report(self.summary);
        }
        std::process::exit(i32::from(interrupt::exit_code(signal)));
    }

    fn failed(&mut self, event: RunEvent) -> Flow {
        self.failed += 1;
        self.summary.failed = self.failed;
        let message = event.error.as_deref().unwrap_or("?");
        if self.failed <= LOGGED_FAILURES {
            tracing::warn!(run_id = event.run_id, "run failed: {message}");
            if self.failed == LOGGED_FAILURES {
                tracing::warn!(
                    "further failed runs are counted, not logged; the summary groups them by message"
                );
            }
        }
        let general = match self.hooks.general_failure {
            Some(general) => general(message),
            None => message.into(),
        };
        let entry =
            self.by_message.entry(message_shape(&general)).or_insert_with(|| (0, message.to_string()));
        entry.0 += 1;
        Flow::Continue
    }

    fn progress(&mut self, finished: u64) {
        self.summary.executed = self.offset + finished;
        self.observer.progress(self.offset + finished, self.failed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiny_time_limits_are_not_shown_as_zero() {
        let message = crate::scenario::RunError::TimedOut(1e-9).to_string();
        assert_eq!(message, "run exceeded its time limit of 0.000000001 s");
        assert_eq!(
            crate::scenario::RunError::TimedOut(60.0).to_string(),
            "run exceeded its time limit of 60 s"
        );
    }

    #[test]
    fn message_shapes_blank_numbers_only() {
        assert_eq!(
            message_shape("draw 0.93 is above fail_above, as asked"),
            "draw # is above fail_above, as asked"
        );
        assert_eq!(message_shape("exceeded 1e-9 s"), "exceeded # s");
        assert_eq!(message_shape("no numbers"), "no numbers");
        // Digits that belong to a word are not numbers.
        assert_eq!(
            message_shape("`python3` exited with exit status: 3"),
            "`python3` exited with exit status: #"
        );
        assert_eq!(
            message_shape("x86_64 id 7f2b17 or 2916ad, -0.5, 3."),
            "x86_64 id 7f2b17 or 2916ad, -#, #"
        );
    }
}
