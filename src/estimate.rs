//! `avalanche plan --estimate`: how long a sweep will take and how much disk
//! it will fill, measured by running a few pilot runs of it for real.
//!
//! Run times differ by orders of magnitude across scenarios and grid points,
//! and file sizes depend on compression, so neither can be derived from the
//! sweep file alone. The pilots are ordinary runs (spread evenly over the
//! run index, so every region of the grid is sampled) written through the
//! ordinary writer into a temporary folder that is removed afterwards.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::display::human;
use crate::engine::executor::ExecConfig;
use crate::engine::options::{RunOptions, RunnerError, Silent};
use crate::engine::runner::run_sweep;
use crate::engine::shard::Shard;
use crate::sink::Checkpoint;
use crate::sweep::Sweep;

/// Pilot runs are chosen to take about this long.
const PILOT_BUDGET: Duration = Duration::from_secs(3);
/// At most this many pilot runs (enough to average out the noise of
/// timing runs that take microseconds).
const MAX_PILOTS: u64 = 2000;

/// What the pilots measured, scaled to the whole sweep.
#[derive(Clone, Debug)]
pub struct CostEstimate {
    /// Pilot runs executed (one thread).
    pub pilots: u64,
    /// Of those, how many failed.
    pub failed: u64,
    /// Wall time per run on one thread, writing included.
    pub seconds_per_run: f64,
    /// The sweep's expected wall time on `threads` threads.
    pub wall: Duration,
    pub threads: usize,
    /// Bytes each further run adds to the dataset.
    pub bytes_per_run: f64,
    /// The whole dataset's expected size.
    pub bytes: f64,
}

/// The line `plan --estimate` prints: the whole sweep's time and disk use,
/// then what they were scaled from; a warning follows when pilots failed.
impl std::fmt::Display for CostEstimate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // "about under 0.1 s" says nothing twice.
        let wall = match human::duration(self.wall) {
            short if short.starts_with("under") => short,
            wall => format!("about {wall}"),
        };
        write!(
            f,
            "estimate: {wall} on {} threads and {} on disk (from {} pilot runs on one thread: \
             {} per run, {} of Parquet per run; scaled assuming every thread is busy)",
            self.threads,
            human::bytes(self.bytes),
            self.pilots,
            if self.seconds_per_run < 1.0 {
                format!("{:.3} ms", self.seconds_per_run * 1e3)
            } else {
                human::duration(Duration::from_secs_f64(self.seconds_per_run))
            },
            human::bytes(self.bytes_per_run),
        )?;
        if self.failed > 0 {
            write!(f, "\nwarning: {} of the {} pilot runs failed", self.failed, self.pilots)?;
        }
        Ok(())
    }
}

/// Runs pilots of `sweep` in a temporary folder and scales their time and
/// size to all of its runs on `threads` threads.
pub fn estimate(sweep: &Sweep, threads: usize) -> Result<CostEstimate, RunnerError> {
    if sweep.search.is_some() {
        // Pilots would have to run the searches themselves.
        return Err(RunnerError::Invalid(format!(
            "--estimate does not time a sweep with [search] yet; its worst case is {} runs (see above)",
            sweep.worst_case_runs()
        )));
    }
    let runs = sweep.runs();
    let scratch = Scratch::new()?;
    // One run alone: mostly the fixed cost of starting workers and writing
    // a part (footers, the sweep text in the metadata).
    let first = pilot(sweep, &scratch.0.join("one"), Shard::new(0, runs).expect("runs >= 1"))?;
    let wanted = ((PILOT_BUDGET.as_secs_f64() / first.seconds.max(1e-6)) as u64).clamp(2, MAX_PILOTS);
    // Then every `stride`-th run: about `wanted` runs spread over the grid.
    // What they cost beyond the single run is the cost per run.
    let stride = runs.div_ceil(wanted.min(runs));
    let many = if stride < runs {
        Some(pilot(sweep, &scratch.0.join("many"), Shard::new(0, stride).expect("stride >= 1"))?)
    } else {
        None
    };
    let (pilots, failed, seconds_per_run, bytes_per_run) = match &many {
        Some(many) if many.runs > 1 => {
            let extra = (many.runs - 1) as f64;
            (
                many.runs + 1,
                many.failed + first.failed,
                ((many.seconds - first.seconds) / extra).max(many.seconds / many.runs as f64 / 10.0),
                ((many.bytes - first.bytes) / extra).max(1.0),
            )
        }
        _ => (1, first.failed, first.seconds, first.bytes),
    };
    let wall = seconds_per_run * runs as f64 / threads.max(1) as f64;
    // Each worker commits a part per checkpoint (60 s or 100,000 runs).
    let checkpoint = Checkpoint::default();
    let commits = (wall / checkpoint.interval.as_secs_f64())
        .max(runs as f64 / threads.max(1) as f64 / checkpoint.runs as f64)
        .ceil()
        .max(1.0);
    let fixed = (first.bytes - bytes_per_run).max(0.0);
    Ok(CostEstimate {
        pilots,
        failed,
        seconds_per_run,
        wall: Duration::from_secs_f64(wall),
        threads,
        bytes_per_run,
        bytes: bytes_per_run * runs as f64 + fixed * commits * threads as f64,
    })
}

struct Pilot {
    runs: u64,
    failed: u64,
    seconds: f64,
    bytes: f64,
}

/// Runs the runs of `shard` on one thread into `out`, timing them and
/// measuring what they wrote.
fn pilot(sweep: &Sweep, out: &Path, shard: Shard) -> Result<Pilot, RunnerError> {
    let options = RunOptions {
        out: out.to_path_buf(),
        exec: ExecConfig { threads: Some(1), shard: Some(shard), ..ExecConfig::default() },
        // One part per pilot, so that its size is what the runs add to one.
        checkpoint: Checkpoint { runs: Checkpoint::MAX_RUNS, interval: Checkpoint::MAX_INTERVAL },
        ..RunOptions::default()
    };
    let started = Instant::now();
    let summary = run_sweep(sweep, &options, &mut Silent)?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(Pilot { runs: summary.executed, failed: summary.failed, seconds, bytes: parquet_bytes(&summary.dir) })
}

/// Total size of the Parquet files under `dir`.
fn parquet_bytes(dir: &Path) -> f64 {
    let mut total = 0u64;
    for table in ["runs", "generations"] {
        if let Ok(entries) = std::fs::read_dir(dir.join(table)) {
            for entry in entries.flatten() {
                total += entry.metadata().map_or(0, |m| m.len());
            }
        }
    }
    total as f64
}

/// A temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Scratch, RunnerError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!("avalanche-estimate-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(crate::sink::SinkError::io(&dir))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(wall: Duration, seconds_per_run: f64, failed: u64) -> CostEstimate {
        CostEstimate {
            pilots: 40,
            failed,
            seconds_per_run,
            wall,
            threads: 4,
            bytes_per_run: 2_100.0,
            bytes: 85_300_000.0,
        }
    }

    #[test]
    fn the_estimate_reads_as_one_sentence_and_warns_of_failed_pilots() {
        assert_eq!(
            measured(Duration::from_secs(245), 0.0125, 2).to_string(),
            "estimate: about 4 min 05 s on 4 threads and 85 MB on disk (from 40 pilot runs on one \
             thread: 12.500 ms per run, 2.1 kB of Parquet per run; scaled assuming every thread is \
             busy)\nwarning: 2 of the 40 pilot runs failed"
        );
        // No "about under", and runs of a second or more in hours and minutes.
        let slow = measured(Duration::from_millis(50), 3_700.0, 0).to_string();
        assert!(slow.starts_with("estimate: under 0.1 s on 4 threads"), "{slow}");
        assert!(slow.contains(": 1 h 01 min per run,"), "{slow}");
        assert!(!slow.contains("warning"), "{slow}");
    }
}
