//! Benchmarks of the `addition` scenario: the trace-sampling inner loop
//! (trace steps per second on one core) against the random draws it needs,
//! and one full run at the defaults.

use std::hint::black_box;

use avalanche::params::Params;
use avalanche::scenario::addition::digits::{solve, Problems};
use avalanche::scenario::addition::learners::sampler::{
    sample_trace, sample_traces, Rows, SlipThreshold, Tables,
};
use avalanche::scenario::addition::learners::table::{Generalisation, Learner};
use avalanche::scenario::{addition, Deadline};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{RngCore, SeedableRng};
use rand_pcg::Pcg64;

/// Digits per benchmarked trace: a typical frontier late in a sector.toml run.
const DIGITS: usize = 30;
/// Traces per benchmark iteration.
const TRACES: usize = 1000;
/// Traces sampled per problem in `problem_traces` (the default `samples`).
const SAMPLES: usize = 5;

/// Tables of a learner trained on ground truth at every position up to
/// `DIGITS`, with the default generalisation settings.
fn trained_tables(rng: &mut Pcg64) -> Tables {
    let mut learner = trained_learner(rng);
    let mut tables = Tables::default();
    learner.compile(DIGITS, 1.0, rng, &mut tables);
    tables
}

/// A learner trained on ground truth at every position up to `DIGITS`,
/// with the default generalisation settings.
fn trained_learner(rng: &mut Pcg64) -> Learner {
    let generalisation = Generalisation {
        gap: 0.05,
        blind_spot_rate: 0.005,
        blind_spot_mass: 0.6,
        prior_strength: 1.0,
        mirror_correlation: 0.0,
    };
    let mut learner = Learner::new(generalisation);
    let problems = Problems::draw(2000, DIGITS, rng);
    let mut traces = vec![0u8; problems.a.len()];
    for (i, trace) in traces.chunks_mut(DIGITS).enumerate() {
        let (a, b) = problems.operands(i);
        solve(a, b, trace);
    }
    let items = (0..problems.len()).map(|i| {
        let (a, b) = problems.operands(i);
        (a, b, &traces[i * DIGITS..(i + 1) * DIGITS])
    });
    learner.train(DIGITS, items, rng);
    learner
}

fn inner_loop(c: &mut Criterion) {
    let mut rng = Pcg64::seed_from_u64(1);
    let tables = trained_tables(&mut rng);
    let problems = Problems::draw(TRACES, DIGITS, &mut rng);
    let slip = SlipThreshold::new(0.01);
    let mut out = vec![0u8; DIGITS];
    let mut group = c.benchmark_group("addition");
    group.throughput(Throughput::Elements((TRACES * DIGITS) as u64));
    group.bench_function("trace_steps", |bench| {
        bench.iter(|| {
            for i in 0..TRACES {
                let (a, b) = problems.operands(i);
                sample_trace(&tables, a, b, slip, &mut rng, &mut out);
                black_box(&out);
            }
        })
    });
    // As a round samples them: `SAMPLES` traces per problem, which share
    // the problem's table rows.
    let mut rows = Rows::default();
    let mut batch = vec![0u8; SAMPLES * DIGITS];
    group.bench_function("problem_traces", |bench| {
        bench.iter(|| {
            for i in 0..TRACES / SAMPLES {
                let (a, b) = problems.operands(i);
                tables.rows(a, b, &mut rows);
                sample_traces(&tables, &rows, slip, &mut rng, &mut batch);
                black_box(&batch);
            }
        })
    });
    // Drawing a round's problems: two digits per step.
    group.bench_function("problem_draws", |bench| {
        bench.iter(|| black_box(Problems::draw(TRACES / 2, DIGITS, &mut rng)))
    });
    // The limit: the random draws those steps need (one u64 per step) and
    // nothing else. trace_steps / rng_draws and problem_traces / rng_draws
    // are the inner loop's cost over the generator's.
    group.bench_function("rng_draws", |bench| {
        bench.iter(|| {
            let mut acc = 0u64;
            for _ in 0..TRACES * DIGITS {
                acc ^= rng.next_u64();
            }
            black_box(acc)
        })
    });
    group.finish();
}

/// Compiling a learner's tables whole: every context of `DIGITS + 1`
/// positions (a round rebuilds about that many: most contexts' counts
/// change), into fresh tables each time.
fn compile(c: &mut Criterion) {
    let mut rng = Pcg64::seed_from_u64(2);
    let mut learner = trained_learner(&mut rng);
    let mut group = c.benchmark_group("addition");
    group.throughput(Throughput::Elements(((DIGITS + 1) * 200) as u64));
    group.bench_function("compile_contexts", |bench| {
        bench.iter(|| {
            let mut tables = Tables::default();
            learner.compile(DIGITS, 1.0, &mut rng, &mut tables);
            black_box(tables)
        })
    });
    group.finish();
}

fn default_run(c: &mut Criterion) {
    let scenario = &addition::SCENARIO;
    let values = Params::defaults(&scenario.params);
    let params = Params { specs: &scenario.params, values: &values };
    let mut group = c.benchmark_group("addition");
    group.sample_size(10);
    group.bench_function("default_run", |bench| {
        bench.iter(|| {
            let mut rng = Pcg64::seed_from_u64(7);
            black_box(scenario.run(&params, &mut rng, &Deadline::none()).unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, inner_loop, compile, default_run);
criterion_main!(benches);
