//! The executor: runs a sweep's runs in parallel on a rayon pool and hands
//! each finished run to a consumer on the calling thread.
//!
//! Each run's generator is built from its own seed inside the worker, so
//! results never depend on which thread ran what or in which order runs
//! finished. A bounded channel between workers and the consumer keeps
//! memory flat however large the sweep: workers wait when the consumer
//! (the Parquet writer) falls behind.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::params::Params;
use crate::record::RunRecord;
use crate::scenario::{Deadline, RunOutput, Scenario};
use crate::seed::rng_for;
use crate::shard::Shard;
use crate::sweep::{RunSpec, Sweep};

/// Finished runs that may wait for the consumer before workers block.
const CHANNEL_CAPACITY: usize = 4096;

/// How often the consumer is woken when no run finishes, for time-based
/// checkpoints and progress.
const IDLE_TICK: Duration = Duration::from_millis(200);

/// Worker threads are named with this prefix, so the binary can keep a
/// run's panic (already recorded as a failed run) off the terminal.
pub const WORKER_THREAD_PREFIX: &str = "avalanche-worker-";

/// How to execute.
#[derive(Clone, Debug, Default)]
pub struct ExecConfig {
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
    /// Per-run time limit in seconds, checked by scenarios between
    /// generations.
    pub run_timeout: Option<f64>,
    /// Which runs of the sweep this process owns.
    pub shard: Option<Shard>,
}

/// What the consumer tells the executor after each run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Start no new runs (runs already under way still finish and are
    /// delivered).
    Stop,
}

/// Receives finished runs, on the thread that called [`execute`].
pub trait Consumer {
    type Error;
    /// One finished run.
    fn record(&mut self, record: RunRecord) -> Result<Flow, Self::Error>;
    /// Called when no run has finished for a while.
    fn idle(&mut self) -> Result<(), Self::Error>;
}

/// A failure to set up the worker pool.
#[derive(Debug, thiserror::Error)]
#[error("cannot start {threads} worker threads: {message}")]
pub struct PoolError {
    pub threads: usize,
    pub message: String,
}

/// What [`execute`] did.
#[derive(Debug)]
pub enum Outcome<E> {
    /// Every selected run was delivered.
    Completed,
    /// The consumer asked to stop.
    Stopped,
    /// The consumer failed; no new runs were started after that.
    ConsumerFailed(E),
}

/// Runs every run of `sweep` in `config.shard` for which `wanted` holds, in
/// parallel, delivering each to `consumer`.
pub fn execute<C: Consumer>(
    sweep: &Sweep,
    config: &ExecConfig,
    wanted: &(dyn Fn(&RunSpec) -> bool + Sync),
    consumer: &mut C,
) -> Result<Outcome<C::Error>, PoolError> {
    let mut builder = rayon::ThreadPoolBuilder::new().thread_name(|i| format!("{WORKER_THREAD_PREFIX}{i}"));
    if let Some(threads) = config.threads {
        builder = builder.num_threads(threads);
    }
    let pool = builder
        .build()
        .map_err(|e| PoolError { threads: config.threads.unwrap_or(0), message: e.to_string() })?;
    let shard = config.shard.unwrap_or(Shard::WHOLE);
    let total = sweep.runs();
    let in_shard = total / shard.count + u64::from(total % shard.count > shard.index);
    let stop = AtomicBool::new(false);
    let (sender, receiver) = sync_channel::<RunRecord>(CHANNEL_CAPACITY);

    std::thread::scope(|scope| {
        let stop = &stop;
        scope.spawn(move || {
            pool.install(|| {
                (0..in_shard as usize).into_par_iter().with_min_len(16).for_each_with(sender, |sender, k| {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let spec = sweep.run(shard.index + k as u64 * shard.count);
                    if wanted(&spec) {
                        // A send fails only when the consumer has gone.
                        let _ = sender.send(run_one(sweep.scenario, spec, config.run_timeout));
                    }
                })
            })
        });

        let mut outcome = Outcome::Completed;
        loop {
            let event = match receiver.recv_timeout(IDLE_TICK) {
                Ok(record) => match outcome {
                    Outcome::Completed => consumer.record(record),
                    // After a stop, runs already under way are still
                    // delivered; after a failure they are dropped.
                    Outcome::Stopped => consumer.record(record).map(|_| Flow::Stop),
                    Outcome::ConsumerFailed(_) => Ok(Flow::Stop),
                },
                Err(RecvTimeoutError::Timeout) => match outcome {
                    Outcome::ConsumerFailed(_) => Ok(Flow::Stop),
                    _ => consumer.idle().map(|_| Flow::Continue),
                },
                Err(RecvTimeoutError::Disconnected) => break,
            };
            match event {
                Ok(Flow::Continue) => {}
                Ok(Flow::Stop) => {
                    stop.store(true, Ordering::Relaxed);
                    if matches!(outcome, Outcome::Completed) {
                        outcome = Outcome::Stopped;
                    }
                }
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    if !matches!(outcome, Outcome::ConsumerFailed(_)) {
                        outcome = Outcome::ConsumerFailed(e);
                    }
                }
            }
        }
        Ok(outcome)
    })
}

/// Runs one run on the current thread: seeded from its own identity,
/// guarded against panics, and checked against the scenario's declared
/// output shape.
pub fn run_one(scenario: &Scenario, spec: RunSpec, run_timeout: Option<f64>) -> RunRecord {
    let mut rng = rng_for(spec.seed);
    let deadline = run_timeout.map_or(Deadline::none(), Deadline::after_secs);
    let started = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| {
        (scenario.run)(&Params { specs: scenario.params, values: &spec.values }, &mut rng, &deadline)
    }));
    let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
    let outcome = match result {
        Ok(Ok(output)) => check_shape(scenario, output),
        Ok(Err(error)) => Err(error.to_string()),
        Err(panic) => Err(format!("the run panicked: {}", panic_message(&panic))),
    };
    RunRecord { spec, outcome, elapsed_ms }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_string()
    }
}

/// A scenario returning rows of the wrong width or type is a bug in the
/// scenario; it fails that run loudly instead of writing misaligned data.
fn check_shape(scenario: &Scenario, output: RunOutput) -> Result<RunOutput, String> {
    let row_ok = |row: &[Option<crate::value::Value>], columns: &[crate::value::ColumnSpec]| {
        row.len() == columns.len()
            && row.iter().zip(columns).all(|(v, c)| v.is_none_or(|v| v.column_type() == c.ty))
    };
    if !row_ok(&output.summary, scenario.summary_columns) {
        return Err(format!(
            "scenario `{}` returned a run summary that does not match its columns",
            scenario.name
        ));
    }
    if !output.generations.iter().all(|row| row_ok(row, scenario.generation_columns)) {
        return Err(format!(
            "scenario `{}` returned a generation row that does not match its columns",
            scenario.name
        ));
    }
    Ok(output)
}
