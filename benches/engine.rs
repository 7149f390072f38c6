//! Engine benchmarks: the cost per run of seeding, scheduling and writing,
//! measured on the `empty` scenario (which does almost nothing), and the
//! throughput of the collapse scenarios at a small and a large point.

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use avalanche::engine::executor::{execute, run_one, Coordinator, ExecConfig, Flow, RunSink};
use avalanche::engine::options::{RunOptions, Silent};
use avalanche::engine::record::{RunEvent, RunRecord};
use avalanche::engine::runner::run_sweep;
use avalanche::sweep::{parse, Sweep};

fn sweep(text: &str) -> Sweep {
    parse(Path::new("bench.toml"), text, u64::MAX).expect("valid bench sweep")
}

fn empty_sweep(runs: u64) -> Sweep {
    sweep(&format!("name = \"bench\"\nscenario = \"empty\"\nseed = 1\nreplicates = {runs}\n"))
}

/// Drops records: the executor without a writer.
struct Discard;
impl RunSink for Discard {
    type Error = ();
    fn write(&mut self, _: &RunRecord) -> Result<(), ()> {
        Ok(())
    }
    fn tick(&mut self) -> Result<(), ()> {
        Ok(())
    }
}

/// Counts finished runs.
struct Count(u64);
impl Coordinator for Count {
    fn failed(&mut self, _: RunEvent) -> Flow {
        Flow::Continue
    }
    fn progress(&mut self, finished: u64) {
        self.0 = finished;
    }
}

fn engine_overhead(c: &mut Criterion) {
    const RUNS: u64 = 100_000;
    let sweep = empty_sweep(RUNS);
    let mut group = c.benchmark_group("engine_overhead");
    group.sample_size(10);
    group.throughput(Throughput::Elements(RUNS));
    for threads in [1usize, 2] {
        let config = ExecConfig { threads: Some(threads), ..ExecConfig::default() };
        group.bench_with_input(BenchmarkId::new("execute_only", threads), &config, |b, config| {
            b.iter(|| {
                let mut count = Count(0);
                let sinks = (0..config.thread_count()).map(|_| Discard).collect();
                execute(&sweep, config, &|_| true, sinks, &mut count).expect("pool");
                assert_eq!(count.0, RUNS);
            })
        });
        group.bench_with_input(BenchmarkId::new("with_parquet_writer", threads), &config, |b, config| {
            b.iter(|| {
                let out = tempfile::tempdir().expect("tempdir");
                let options = RunOptions {
                    out: out.path().to_path_buf(),
                    exec: config.clone(),
                    ..RunOptions::default()
                };
                let summary = run_sweep(&sweep, &options, &mut Silent).expect("run");
                assert_eq!(summary.executed, RUNS);
            })
        });
    }
    group.finish();
}

/// One gaussian run at a small and a large grid point, on one core.
fn gaussian_runs(c: &mut Criterion) {
    let mut group = c.benchmark_group("gaussian_run");
    for (label, samples, generations) in [("small_M10_n10", 10, 10), ("large_M1000_n100", 1000, 100)] {
        let sweep = sweep(&format!(
            "name = \"bench\"\nscenario = \"gaussian\"\nseed = 1\nreplicates = 1000000\n\
             [params]\nsamples = {samples}\ngenerations = {generations}\n"
        ));
        group.throughput(Throughput::Elements(1));
        let mut index = 0u64;
        group.bench_function(label, |b| {
            b.iter(|| {
                index = (index + 1) % sweep.runs();
                let record = run_one(&sweep.scenario, sweep.run(index), None);
                assert!(record.outcome.is_ok());
                record
            })
        });
    }
    group.finish();
}

criterion_group!(benches, engine_overhead, gaussian_runs);
criterion_main!(benches);
