//! Progress display for `avalanche run`: a bar with rate and ETA on a
//! terminal, periodic log lines through `tracing` otherwise (batch jobs,
//! CI, Slurm logs). Kept apart from the engine, which only calls the
//! [`Observer`] hooks.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::record::RunEvent;
use crate::runner::Observer;

/// How often a log line is written when stderr is not a terminal.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// The progress display chosen for this process's stderr.
pub enum Progress {
    Bar(ProgressBar),
    Log { started: Instant, last: Instant, done: u64, failed: u64, total: u64 },
}

impl Progress {
    /// A bar when stderr is a terminal, log lines otherwise.
    pub fn for_stderr() -> Progress {
        if std::io::stderr().is_terminal() {
            Progress::Bar(ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr()))
        } else {
            let now = Instant::now();
            Progress::Log { started: now, last: now, done: 0, failed: 0, total: 0 }
        }
    }
}

impl Observer for Progress {
    fn start(&mut self, pending: u64, committed: u64) {
        if committed > 0 {
            tracing::info!("resuming: {committed} runs already committed, {pending} to go");
        }
        match self {
            Progress::Bar(bar) => {
                bar.set_length(pending);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} runs \
                         {per_sec} ETA {eta} {msg}",
                    )
                    .expect("the template is valid"),
                );
                bar.enable_steady_tick(Duration::from_millis(200));
            }
            Progress::Log { total, started, last, .. } => {
                *total = pending;
                *started = Instant::now();
                *last = *started;
            }
        }
    }

    fn run_finished(&mut self, event: &RunEvent) {
        match self {
            Progress::Bar(bar) => {
                bar.inc(1);
                if event.error.is_some() {
                    bar.set_message("(some runs failed)");
                }
            }
            Progress::Log { done, failed, .. } => {
                *done += 1;
                *failed += u64::from(event.error.is_some());
                self.idle();
            }
        }
    }

    fn idle(&mut self) {
        if let Progress::Log { started, last, done, failed, total } = self {
            if last.elapsed() >= LOG_EVERY {
                *last = Instant::now();
                let rate = *done as f64 / started.elapsed().as_secs_f64().max(1e-9);
                let eta = (*total - *done) as f64 / rate.max(1e-9);
                tracing::info!(
                    "{done}/{total} runs ({:.1}%), {failed} failed, {rate:.0} runs/s, ETA {eta:.0} s",
                    100.0 * *done as f64 / (*total).max(1) as f64
                );
            }
        }
    }

    fn finish(&mut self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
