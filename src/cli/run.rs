//! `avalanche run`: runs a sweep (or resumes it) and says what it did,
//! with the exit status of its runs.

use std::process::ExitCode;

use anyhow::{Context, Result};

use avalanche::executor::ExecConfig;
use avalanche::progress::Progress;
use avalanche::runner::{run_sweep, RunOptions, Summary};
use avalanche::shard::Shard;
use avalanche::sink::Checkpoint;
use avalanche::{describe, invocation, sweep};

use super::args::{CheckpointArg, RunArgs};

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
            // A `command` sweep's programs use `cpus_per_run` cores each.
            threads: args.threads.or_else(|| {
                (sweep.cores_per_run > 1).then(|| sweep.runs_at_once(avalanche::executor::default_threads()))
            }),
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
    avalanche::interrupt::install();
    let summary = run_sweep(&sweep, &options, &mut Progress::for_stderr())
        .with_context(|| format!("running {}", args.file.display()))?;
    println!("{}", summary_paragraph(&sweep.name, &summary, threads));
    if summary.interrupted.is_none() && !summary.stopped_early && summary.shard == Shard::WHOLE {
        print_in_short(&summary.dir);
    }
    println!("{}", next_step(&summary));
    if let Some(signal) = summary.interrupted {
        print_interrupted(&summary);
        return Ok(ExitCode::from(avalanche::interrupt::exit_code(signal)));
    }
    Ok(if summary.failed > 0 || summary.stopped_early { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The report's `## In short` sentences after a whole sweep has run, so that
/// the first command a user runs ends with the answer (the `Next:` line above
/// says how to get the full report). A sweep the report cannot read (say, a
/// command scenario whose columns give it nothing to say) just says nothing
/// here: the run itself succeeded.
fn print_in_short(dir: &std::path::Path) {
    match avalanche::report::in_short(dir) {
        Ok(sentences) if !sentences.is_empty() => {
            println!("\nIn short:");
            for sentence in sentences {
                println!("- {sentence}");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::debug!("no In short for {}: {e}", dir.display()),
    }
}

/// What a stop signal left: what was saved, and the command that resumes.
fn print_interrupted(summary: &Summary) {
    let signal = summary.interrupted.map_or("a signal".into(), avalanche::interrupt::name);
    let quote = |a: String| {
        if !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c)) {
            a
        } else {
            format!("'{}'", a.replace('\'', "'\\''"))
        }
    };
    // The way this binary was started, then the arguments it was given.
    let command: Vec<String> = std::iter::once(invocation::command().to_string())
        .chain(std::env::args().skip(1).map(quote))
        .collect();
    let abandoned = if summary.abandoned {
        format!(
            "; runs still going after {} s were abandoned (not recorded)",
            avalanche::interrupt::GRACE.as_secs()
        )
    } else {
        String::new()
    };
    eprintln!(
        "Stopped by {signal}: the {} runs finished in this session are committed{abandoned}. \
         Resume with:\n  {}",
        summary.executed,
        command.join(" ")
    );
}

fn summary_paragraph(name: &str, s: &Summary, threads: usize) -> String {
    let secs = s.wall.as_secs_f64();
    let shard = if s.shard == Shard::WHOLE { String::new() } else { format!(" (shard {})", s.shard) };
    let mut text = format!(
        "Sweep `{name}`{shard}: ran {} runs, {} failed, in {secs:.2} s on {threads} {} ({}).",
        s.executed,
        s.failed,
        if threads == 1 { "thread" } else { "threads" },
        avalanche::progress::rate_text(s.executed, s.wall)
    );
    if s.already_committed > 0 {
        text += &format!(" {} runs were already committed and were not rerun.", s.already_committed);
    }
    if s.stopped_early {
        text += " Stopped early after a failure (--fail-fast); rerun to resume.";
    }
    if let Some(aside) = &s.moved_aside {
        text += &format!(" The previous dataset was moved to {}.", aside.display());
    }
    text += &format!(" Data: {}/ (runs/ and generations/, Parquet).", s.dir.display());
    if !s.failures.is_empty() {
        text += "\nFailed runs by message (numbers shown as #):";
        for (count, shape, example) in s.failures.iter().take(FAILURE_KINDS_SHOWN) {
            text += &format!("\n  {count:>8}  {shape}");
            if *count == 1 || shape != example {
                text += &format!("\n            e.g. {example}");
            }
        }
        if s.failures.len() > FAILURE_KINDS_SHOWN {
            let rest: u64 = s.failures[FAILURE_KINDS_SHOWN..].iter().map(|f| f.0).sum();
            text += &format!("\n  {rest:>8}  with {} other messages", s.failures.len() - FAILURE_KINDS_SHOWN);
        }
        text += "\n(the `error` column of the runs table has every message; --retry-failed reruns them)";
    }
    text
}

/// The command that writes the full report (report.md and report.html), as
/// the binary was invoked.
fn next_step(s: &Summary) -> String {
    let dir = invocation::quoted(&s.dir.to_string_lossy());
    format!("Next: {} report {dir}", invocation::command())
}

/// Kinds of failure listed in the summary; the rest are counted.
const FAILURE_KINDS_SHOWN: usize = 5;
