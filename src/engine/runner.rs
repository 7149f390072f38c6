//! Running a sweep into its dataset folder: preparing the folder, resuming
//! what was committed before, executing the rest and committing it.
//!
//! This is where the engine's pieces meet; it holds no simulation and no
//! Parquet code of its own. Progress display is an [`Observer`] supplied by
//! the caller, so the engine never draws to a terminal.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::dataset::completion::reconcile;
use crate::dataset::files::write_atomically;
use crate::dataset::names::{Status, GENERATIONS_DIR, RUNS_DIR, SWEEP_FILE};
use crate::dataset::scan::{self, Committed};
use crate::engine::executor::{execute, Ending, ExecConfig};
use crate::engine::lock::{self, Role};
use crate::engine::options::{Observer, RunOptions, RunSummary, RunnerError};
use crate::engine::shard::Shard;
use crate::engine::tally::{commit_all, failures, open_writers, Tally};
use crate::sink::rewrite::drop_rows;
use crate::sink::SinkError;
use crate::sweep::diff::differing_keys;
use crate::sweep::Sweep;

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
) -> Result<RunSummary, RunnerError> {
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
    let writers = open_writers(&dir, sweep, shard, workers, options.checkpoint)?;
    observer.start(pending, already_committed);
    let mut summary = RunSummary::starting(dir.clone(), shard, already_committed, moved_aside);
    let mut tally = Tally::new(observer, &mut summary, started, &mut lock, options, sweep.scenario.hooks);
    let committed_runs = &committed.runs;
    let wanted = move |spec: &crate::sweep::RunSpec| !committed_runs.contains_key(&spec.run_id);
    let (outcome, writers) = execute(sweep, &exec, &wanted, writers, &mut tally)?;
    // Whatever happened, what the writers hold is finished work: commit it.
    let committed_now = commit_all(writers);
    tally.observer.finish();
    tally.summary.failures = failures(&tally.by_message);
    match outcome {
        Ending::Completed => {}
        Ending::Stopped => summary.stopped_early = true,
        Ending::Interrupted(signal) => summary.interrupted = Some(signal),
        Ending::SinkFailed(e) => return Err(e.into()),
    }
    committed_now?;
    if lock.lost() {
        return Err(RunnerError::LockLost { dir });
    }
    summary.wall = started.elapsed();
    Ok(summary)
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
    let base = format!("{}.old-{}", dir.display(), crate::display::human::file_stamp(seconds));
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

#[cfg(test)]
mod tests {
    #[test]
    fn tiny_time_limits_are_not_shown_as_zero() {
        let message = crate::scenario::RunError::TimedOut(1e-9).to_string();
        assert_eq!(message, "run exceeded its time limit of 0.000000001 s");
        assert_eq!(
            crate::scenario::RunError::TimedOut(60.0).to_string(),
            "run exceeded its time limit of 60 s"
        );
    }
}
