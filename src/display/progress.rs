//! Progress display for `avalanche run`: a bar with rate and ETA on a
//! terminal, periodic log lines through `tracing` otherwise (batch jobs,
//! CI, Slurm logs). Kept apart from the engine, which only calls the
//! [`Observer`] hooks.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::display::human;

use crate::engine::options::Observer;

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
                         {rate} ETA {remaining} {msg}",
                    )
                    .expect("the template is valid")
                    .with_key("rate", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{}", rate_text(state.pos(), state.elapsed()));
                    })
                    .with_key(
                        "remaining",
                        |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                            let total = state.len().unwrap_or(0);
                            let _ = write!(w, "{}", eta_text(state.pos(), total, state.elapsed()));
                        },
                    ),
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

    fn progress(&mut self, finished: u64, failed: u64) {
        match self {
            Progress::Bar(bar) => {
                bar.set_position(finished);
                if failed > 0 {
                    bar.set_message(format!("({failed} failed)"));
                }
            }
            Progress::Log { started, last, done, failed: failures, total } => {
                *done = finished;
                *failures = failed;
                if last.elapsed() >= LOG_EVERY {
                    *last = Instant::now();
                    let elapsed = started.elapsed();
                    tracing::info!(
                        "{done}/{total} runs ({:.1}%), {failures} failed, {}, ETA {}",
                        100.0 * *done as f64 / (*total).max(1) as f64,
                        rate_text(*done, elapsed),
                        eta_text(*done, *total, elapsed)
                    );
                }
            }
        }
    }

    fn finish(&mut self) {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// Runs per second to three significant figures at most: `126 runs/s`,
/// `3.42 runs/s`.
pub fn rate_text(done: u64, elapsed: Duration) -> String {
    let rate = done as f64 / elapsed.as_secs_f64().max(1e-9);
    match rate {
        r if r >= 100.0 => format!("{r:.0} runs/s"),
        r if r >= 10.0 => format!("{r:.1} runs/s"),
        r => format!("{r:.2} runs/s"),
    }
}

/// The time left at the rate so far, in hours, minutes and seconds;
/// "unknown" until a run has finished.
pub fn eta_text(done: u64, total: u64, elapsed: Duration) -> String {
    if done == 0 {
        return "unknown (no run finished yet)".to_string();
    }
    let left = total.saturating_sub(done) as f64 * elapsed.as_secs_f64() / done as f64;
    human::duration(Duration::from_secs_f64(left))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_and_etas_read_plainly() {
        assert_eq!(rate_text(1259, Duration::from_secs(10)), "126 runs/s");
        assert_eq!(rate_text(342, Duration::from_secs(100)), "3.42 runs/s");
        assert_eq!(eta_text(0, 100, Duration::from_secs(5)), "unknown (no run finished yet)");
        // 10 runs in 20 s; 19,854 left at 2 s each is 39,708 s.
        assert_eq!(eta_text(10, 19_864, Duration::from_secs(20)), "11 h 01 min");
    }
}
