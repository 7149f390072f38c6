//! Engine benchmarks: the cost per run of seeding, scheduling and writing,
//! measured on the `empty` scenario (which does almost nothing), and the
//! throughput of the collapse scenarios at a small and a large point.

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

use avalanche::executor::{execute, Consumer, ExecConfig, Flow};
use avalanche::record::RunRecord;
use avalanche::runner::{run_sweep, RunOptions, Silent};
use avalanche::sweep::{parse, Sweep};

fn sweep(text: &str) -> Sweep {
    parse(Path::new("bench.toml"), text, u64::MAX).expect("valid bench sweep")
}

fn empty_sweep(runs: u64) -> Sweep {
    sweep(&format!("name = \"bench\"\nscenario = \"empty\"\nseed = 1\nreplicates = {runs}\n"))
}

/// Counts records and drops them: the executor without a sink.
struct Discard(u64);
impl Consumer for Discard {
    type Error = ();
    fn record(&mut self, _: RunRecord) -> Result<Flow, ()> {
        self.0 += 1;
        Ok(Flow::Continue)
    }
    fn idle(&mut self) -> Result<(), ()> {
        Ok(())
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
                let mut sink = Discard(0);
                execute(&sweep, config, &|_| true, &mut sink).expect("pool");
                assert_eq!(sink.0, RUNS);
            })
        });
        group.bench_with_input(BenchmarkId::new("with_parquet_writer", threads), &config, |b, config| {
            b.iter(|| {
                let out = tempfile::tempdir().expect("tempdir");
                let options = RunOptions { out: out.path().to_path_buf(), exec: config.clone(), ..RunOptions::default() };
                let summary = run_sweep(&sweep, &options, &mut Silent).expect("run");
                assert_eq!(summary.executed, RUNS);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, engine_overhead);
criterion_main!(benches);
