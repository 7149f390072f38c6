//! CPU time of one Adam step of the default network, for a
//! machine shared with other jobs: a thread's CPU time is charged only
//! while it runs, so other tenants inflate it far less than wall time.
//! The same batch as `benches/network.rs`; prints the median and the
//! quartiles of `REPEATS` blocks of `STEPS` steps, in microseconds.
//!
//! ```sh
//! cargo build --release --example step_time
//! target/release/examples/step_time [STEPS] [REPEATS]
//! ```

use avalanche::scenario::addition::digits::{correct_output, CONTEXTS};
use avalanche::scenario::addition::learners::network::model::{Encoding, Network, Shape, Step};
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

/// This thread's CPU time in seconds.
fn cpu_seconds() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid timespec to write to.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

fn main() {
    let mut args =
        std::env::args().skip(1).map(|a| a.parse::<usize>().expect("STEPS and REPEATS are counts"));
    let steps = args.next().unwrap_or(2000);
    let repeats = args.next().unwrap_or(15);
    let mut rng = Pcg64::seed_from_u64(1);
    let mut network =
        Network::new(Shape { embed: 12, hidden: 48 }, Encoding::Learned { sigma: 2.0 }, &mut rng);
    network.extend_to(9, &mut rng);
    let batch: Vec<Step> = (0..256)
        .map(|_| {
            let context = rng.random_range(0..CONTEXTS);
            Step {
                position: rng.random_range(0..10),
                context: context as u8,
                output: correct_output(context),
            }
        })
        .collect();
    let mut times: Vec<f64> = (0..repeats)
        .map(|_| {
            let start = cpu_seconds();
            for _ in 0..steps {
                network.train_step(std::hint::black_box(&batch), 3e-3);
            }
            (cpu_seconds() - start) / steps as f64 * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{:.2} us per step (quartiles {:.2}, {:.2}; {repeats} x {steps} steps)",
        at(0.5),
        at(0.25),
        at(0.75)
    );
}
