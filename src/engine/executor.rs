//! The executor: runs a sweep's runs in parallel on a rayon pool.
//!
//! Each worker thread owns a sink (a Parquet part writer) and writes the
//! runs it finishes itself, so encoding and compression scale with the
//! threads instead of queueing behind one writer. The calling thread reads
//! a shared count of finished runs for progress, hears of each failed run
//! through a small [`RunEvent`], and wakes the sinks periodically for
//! time-based commits.
//!
//! Each run's generator is built from its own seed inside the worker, so
//! results never depend on which thread ran what or in which order runs
//! finished.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::engine::interrupt;
use crate::engine::record::{RunEvent, RunRecord};
use crate::engine::seed::rng_for;
use crate::engine::shard::Shard;
use crate::params::Params;
use crate::scenario::{Deadline, RunIdentity, RunOutput, Scenario};
use crate::sweep::{RunSpec, Sweep};

/// Failure events that may wait for the coordinating thread before workers
/// block.
const CHANNEL_CAPACITY: usize = 1024;

/// How often the coordinating thread wakes for progress and time-based
/// checkpoints.
const TICK: Duration = Duration::from_millis(200);

/// Worker threads are named with this prefix, so that
/// [`quiet_worker_panics`] can keep a run's panic (already recorded as a
/// failed run) off the terminal.
pub const WORKER_THREAD_PREFIX: &str = "avalanche-worker-";

/// Installs a panic hook for the process: a panic inside a run is caught,
/// recorded as that run's failure and logged with its message, and printing
/// it again from the hook would only tear the progress bar. Panics anywhere
/// else still print.
pub fn quiet_worker_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let worker = std::thread::current().name().is_some_and(|n| n.starts_with(WORKER_THREAD_PREFIX));
        if !worker {
            default(info);
        }
    }));
}

/// The most worker threads `--threads` accepts. Each worker holds its own
/// Parquet writer and buffers; a mistyped `--threads 100000` once took 4 GB
/// and hung. 1024 covers the largest single machines.
pub const MAX_THREADS: usize = 1024;

/// The longest `--run-timeout` accepted, in seconds (30 days); beyond it the
/// deadline would overflow the clock.
pub const MAX_RUN_TIMEOUT_SECS: f64 = 30.0 * 24.0 * 3600.0;

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
    /// Start no new run once one has failed. Checked by the workers
    /// themselves: waiting for the coordinator to hear of the failure would
    /// let fast runs race far past it.
    pub fail_fast: bool,
    /// Start no new run once this is set (the runner sets it when its lock
    /// was taken over: going on would write runs another process owns).
    pub halt: Option<Arc<AtomicBool>>,
}

/// One thread per core, at most [`MAX_THREADS`].
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_THREADS)
}

impl ExecConfig {
    /// The number of worker threads this configuration gives.
    pub fn thread_count(&self) -> usize {
        self.threads.unwrap_or_else(default_threads)
    }

    /// Refuses thread counts and time limits the executor cannot honour,
    /// with the message to show.
    pub fn check(&self) -> Result<(), String> {
        if let Some(threads) = self.threads {
            if !(1..=MAX_THREADS).contains(&threads) {
                return Err(format!("--threads {threads}: must be between 1 and {MAX_THREADS}"));
            }
        }
        if let Some(t) = self.run_timeout {
            if !(t.is_finite() && t > 0.0 && t <= MAX_RUN_TIMEOUT_SECS) {
                return Err(format!(
                    "--run-timeout {t}: must be a number of seconds above 0 and at most {MAX_RUN_TIMEOUT_SECS} (30 days)"
                ));
            }
        }
        Ok(())
    }
}

/// What the coordinator tells the executor after each run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Start no new runs (runs already under way still finish).
    Stop,
}

/// Where a worker puts the runs it finishes; one per worker thread.
pub trait RunSink: Send {
    type Error: Send + std::fmt::Debug;
    /// Keeps one finished run.
    fn write(&mut self, record: &RunRecord) -> Result<(), Self::Error>;
    /// Called periodically from the coordinating thread (for time-based
    /// commits) when the worker is not using the sink.
    fn tick(&mut self) -> Result<(), Self::Error>;
    /// Commits everything kept so far (called when runs are abandoned);
    /// sinks that keep nothing need not implement it.
    fn commit(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Follows the runs, on the thread that called [`execute`].
pub trait Coordinator {
    /// A run failed.
    fn failed(&mut self, event: RunEvent) -> Flow;
    /// `finished` runs (failed ones included) are done so far; called a few
    /// times a second and once at the end.
    fn progress(&mut self, finished: u64);
    /// Runs outlived the grace period after a stop signal: every sink has
    /// been committed (`committed` says whether that worked) and the runs
    /// still going will never be recorded. An implementation normally ends
    /// the process here; if it returns, [`execute`] waits for them.
    fn abandon(&mut self, finished: u64, committed: Result<(), String>) {
        let _ = (finished, committed);
    }
}

/// A failure to set up the worker pool.
#[derive(Debug, thiserror::Error)]
#[error("cannot start {threads} worker threads: {message}")]
pub struct PoolError {
    pub threads: usize,
    pub message: String,
}

/// How [`execute`] ended.
#[derive(Debug)]
pub enum Ending<E> {
    /// Every selected run was executed.
    Completed,
    /// The coordinator asked to stop.
    Stopped,
    /// A sink failed; no new runs were started after that.
    SinkFailed(E),
    /// A signal (the number) asked to stop; runs under way finished or were
    /// abandoned after the grace period.
    Interrupted(i32),
}

/// Runs every run of `sweep` in `config.shard` for which `wanted` holds,
/// worker `i` writing into `sinks[i]`. Returns how it ended and the sinks,
/// which may still hold uncommitted runs.
pub fn execute<S: RunSink>(
    sweep: &Sweep,
    config: &ExecConfig,
    wanted: &(dyn Fn(&RunSpec) -> bool + Sync),
    sinks: Vec<S>,
    coordinator: &mut dyn Coordinator,
) -> Result<(Ending<S::Error>, Vec<S>), PoolError> {
    execute_work(Work::Sweep(sweep), config, wanted, sinks, coordinator)
}

/// What [`execute_work`] runs: a sweep's runs in `config.shard`, by index,
/// or a list of runs chosen by the caller (a search's next probes), which
/// the shard does not filter again.
#[derive(Clone, Copy)]
pub enum Work<'a> {
    Sweep(&'a Sweep),
    Specs(&'a Scenario, &'a [RunSpec]),
}

/// [`execute`] for any [`Work`].
pub fn execute_work<S: RunSink>(
    work: Work,
    config: &ExecConfig,
    wanted: &(dyn Fn(&RunSpec) -> bool + Sync),
    sinks: Vec<S>,
    coordinator: &mut dyn Coordinator,
) -> Result<(Ending<S::Error>, Vec<S>), PoolError> {
    let threads = sinks.len();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("{WORKER_THREAD_PREFIX}{i}"))
        .build()
        .map_err(|e| PoolError { threads, message: e.to_string() })?;
    let shard = config.shard.unwrap_or(Shard::WHOLE);
    let (scenario, in_shard) = match work {
        Work::Sweep(sweep) => (&*sweep.scenario, shard.runs_in(sweep.runs())),
        Work::Specs(scenario, specs) => (scenario, specs.len() as u64),
    };
    let stop = AtomicBool::new(false);
    // Set once the grace period is over: a run finishing later is dropped.
    let abandoned = AtomicBool::new(false);
    let failure: Mutex<Option<S::Error>> = Mutex::new(None);
    let sinks: Vec<Mutex<S>> = sinks.into_iter().map(Mutex::new).collect();
    let finished = AtomicU64::new(0);
    let (sender, receiver) = sync_channel::<RunEvent>(CHANNEL_CAPACITY);

    let outcome = std::thread::scope(|scope| {
        let (stop, abandoned, failure, sinks, finished) = (&stop, &abandoned, &failure, &sinks, &finished);
        scope.spawn(move || {
            pool.install(|| {
                (0..in_shard as usize).into_par_iter().with_min_len(16).for_each_with(sender, |sender, k| {
                    let halted = config.halt.as_ref().is_some_and(|h| h.load(Ordering::Relaxed));
                    if stop.load(Ordering::Relaxed) || halted || interrupt::requested().is_some() {
                        return;
                    }
                    let spec = match work {
                        Work::Sweep(sweep) => sweep.run(shard.index + k as u64 * shard.count),
                        Work::Specs(_, specs) => specs[k].clone(),
                    };
                    if !wanted(&spec) {
                        return;
                    }
                    let record = run_one(scenario, spec, config.run_timeout);
                    let worker = rayon::current_thread_index().unwrap_or(0) % sinks.len();
                    let mut sink = sinks[worker].lock().unwrap_or_else(|e| e.into_inner());
                    if abandoned.load(Ordering::SeqCst) {
                        return;
                    }
                    let written = sink.write(&record);
                    drop(sink);
                    if config.fail_fast && record.outcome.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    match written {
                        Ok(()) => {
                            finished.fetch_add(1, Ordering::Relaxed);
                            if record.outcome.is_err() {
                                // A send fails only when the coordinator has gone.
                                drop(sender.send(RunEvent::of(&record)));
                            }
                        }
                        Err(e) => {
                            stop.store(true, Ordering::Relaxed);
                            failure.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
                        }
                    }
                })
            })
        });

        let mut stopped = false;
        let mut failed = false;
        let mut last_tick = Instant::now();
        let mut interrupted: Option<(i32, Instant)> = None;
        loop {
            if let Some(signal) = interrupt::requested() {
                let (_, since) = *interrupted.get_or_insert((signal, Instant::now()));
                stop.store(true, Ordering::Relaxed);
                if since.elapsed() >= interrupt::GRACE && !abandoned.swap(true, Ordering::SeqCst) {
                    // Holding each sink's lock while committing means no
                    // run is half-kept; the flag keeps later ones out.
                    let committed = sinks.iter().try_for_each(|sink| {
                        let mut sink = sink.lock().unwrap_or_else(|e| e.into_inner());
                        sink.commit().map_err(|e| format!("{e:?}"))
                    });
                    coordinator.abandon(finished.load(Ordering::Relaxed), committed);
                }
            }
            match receiver.recv_timeout(TICK.saturating_sub(last_tick.elapsed())) {
                Ok(event) => {
                    failed = true;
                    if coordinator.failed(event) == Flow::Stop {
                        stop.store(true, Ordering::Relaxed);
                        stopped = true;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {}
            }
            if last_tick.elapsed() >= TICK {
                last_tick = Instant::now();
                coordinator.progress(finished.load(Ordering::Relaxed));
                for sink in sinks {
                    // A busy sink belongs to a worker that will write
                    // soon anyway; never wait for it.
                    if let Ok(mut sink) = sink.try_lock() {
                        if let Err(e) = sink.tick() {
                            stop.store(true, Ordering::Relaxed);
                            failure.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(e);
                        }
                    }
                }
            }
        }
        coordinator.progress(finished.load(Ordering::Relaxed));
        // Workers that saw the signal first may all have returned before
        // the loop above looked at it.
        if let (None, Some(signal)) = (interrupted, interrupt::requested()) {
            interrupted = Some((signal, Instant::now()));
        }
        match failure.lock().unwrap_or_else(|e| e.into_inner()).take() {
            Some(e) => Ending::SinkFailed(e),
            None if interrupted.is_some() => Ending::Interrupted(interrupted.expect("checked").0),
            None if stopped || (config.fail_fast && failed) => Ending::Stopped,
            None => Ending::Completed,
        }
    });
    let sinks = sinks.into_iter().map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner())).collect();
    Ok((outcome, sinks))
}

/// Runs one run on the current thread: seeded from its own identity,
/// guarded against panics, and checked against the scenario's declared
/// output shape.
pub fn run_one(scenario: &Scenario, spec: RunSpec, run_timeout: Option<f64>) -> RunRecord {
    let mut rng = rng_for(spec.seed);
    let identity = RunIdentity { run_id: spec.run_id, seed: spec.seed, replicate: spec.replicate };
    let deadline = run_timeout.map_or(Deadline::none(), Deadline::after_secs).for_run(identity);
    let started = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| {
        scenario.run(&Params { specs: &scenario.params, values: &spec.values }, &mut rng, &deadline)
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
            && row.iter().zip(columns).all(|(v, c)| v.as_ref().is_none_or(|v| v.column_type() == c.ty))
    };
    if !row_ok(&output.summary, &scenario.summary_columns) {
        return Err(format!(
            "scenario `{}` returned a run summary that does not match its columns",
            scenario.name
        ));
    }
    if !output.generations.iter().all(|row| row_ok(row, &scenario.generation_columns)) {
        return Err(format!(
            "scenario `{}` returned a generation row that does not match its columns",
            scenario.name
        ));
    }
    Ok(output)
}
