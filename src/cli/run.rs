//! `avalanche run`: runs a sweep (or resumes it) and says what it did,
//! with the exit status of its runs.

use std::process::ExitCode;

use anyhow::{Context, Result};

use avalanche::display::progress::Progress;
use avalanche::display::{closing, describe, invocation};
use avalanche::engine::executor::ExecConfig;
use avalanche::engine::options::{default_threads_for, RunOptions, RunSummary};
use avalanche::engine::runner::run_sweep;
use avalanche::engine::shard::Shard;
use avalanche::sink::Checkpoint;
use avalanche::sweep;

use crate::cli::args::{CheckpointArg, RunArgs};

/// Runs the sweep and prints how it went; exit 1 when a run failed or
/// `--fail-fast` stopped it, 128 + the signal when one stopped it.
pub fn run(args: RunArgs) -> Result<ExitCode> {
    let sweep = sweep::load(&args.file, args.max_runs)?;
    let shard = match args.shard {
        Some(shard) => {
            tracing::info!("running shard {shard}");
            Some(shard)
        }
        None => {
            let from_env = Shard::from_slurm(|k| std::env::var(k).ok()).map_err(anyhow::Error::msg)?;
            if let Some(shard) = from_env {
                tracing::info!(
                    "running shard {shard}, from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT \
                     (resubmitting a subset of the tasks would change the count: pass --shard I/N)"
                );
            }
            from_env
        }
    };
    let mut checkpoint = Checkpoint::default();
    for c in &args.checkpoint_every {
        match *c {
            CheckpointArg::Runs(n) => checkpoint.runs = n,
            CheckpointArg::Every(d) => checkpoint.interval = d,
        }
    }
    let options = RunOptions {
        out: args.out,
        exec: ExecConfig {
            threads: args.threads.or_else(|| default_threads_for(&sweep)),
            run_timeout: args.run_timeout,
            shard,
            fail_fast: args.fail_fast,
            halt: None,
        },
        checkpoint,
        retry_failed: args.retry_failed,
        extend: args.extend,
        fresh: args.fresh,
        break_lock: args.break_lock,
        on_abandon: Some(print_interrupted),
    };
    let threads = options.exec.thread_count();
    if let Some(r) = sweep.redundancy() {
        tracing::warn!("{}", describe::redundancy_warning(&r, sweep.runs()).trim_start_matches("warning: "));
    }
    if let Some(warning) = describe::baseline_warning(&sweep) {
        tracing::warn!("{}", warning.trim_start_matches("warning: "));
    }
    avalanche::engine::interrupt::install();
    let summary = run_sweep(&sweep, &options, &mut Progress::for_stderr())
        .with_context(|| format!("running {}", args.file.display()))?;
    println!("{}", closing::text(&sweep.name, &summary, threads));
    if let Some(signal) = summary.interrupted {
        print_interrupted(&summary);
        return Ok(ExitCode::from(avalanche::engine::interrupt::exit_code(signal)));
    }
    Ok(if summary.complete() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// What a stop signal left, on stderr; also the runner's `on_abandon`,
/// called just before the process exits when runs outlive the grace period.
fn print_interrupted(summary: &RunSummary) {
    eprintln!("{}", closing::interrupted(summary, &invocation::as_started()));
}
