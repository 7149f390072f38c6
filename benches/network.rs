//! Benchmark of the network learner's training step, most of a network
//! run's time: one Adam
//! step on a batch of 256 steps at the prototype's widths (12-wide
//! embeddings, 48 hidden units), single-threaded; and compiling one
//! position's distribution over all 200 contexts, as after every round.

use std::hint::black_box;

use avalanche::scenario::addition::digits::{correct_output, CONTEXTS, OUTPUTS};
use avalanche::scenario::addition::learners::network::model::{Encoding, Network, Shape, Step};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

const BATCH: usize = 256;

fn train_step(c: &mut Criterion) {
    let mut rng = Pcg64::seed_from_u64(1);
    let mut network =
        Network::new(Shape { embed: 12, hidden: 48 }, Encoding::Learned { sigma: 2.0 }, &mut rng);
    network.extend_to(9, &mut rng);
    let batch: Vec<Step> = (0..BATCH)
        .map(|_| {
            let context = rng.random_range(0..CONTEXTS);
            Step {
                position: rng.random_range(0..10),
                context: context as u8,
                output: correct_output(context),
            }
        })
        .collect();
    let mut group = c.benchmark_group("network");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("train_step_256", |b| b.iter(|| network.train_step(black_box(&batch), 3e-3)));
    let mut distribution = vec![0.0; CONTEXTS * OUTPUTS];
    group.throughput(Throughput::Elements(CONTEXTS as u64));
    group.bench_function("distribution_200", |b| {
        b.iter(|| network.distribution_into(black_box(5), &mut distribution))
    });
    group.finish();
}

criterion_group!(benches, train_step);
criterion_main!(benches);
