//! The floor of a `gaussian` sweep: the standard normal draws its runs make,
//! with the same generator and seeds, and nothing else (issue 13 measures
//! the whole process against this).
//!
//! ```sh
//! cargo bench --bench draws -- [SWEEP.toml [REPEATS]]
//! ```
//!
//! Without a sweep file it uses issue 13's workload (4,000 runs x 100
//! generations x 100 samples); REPEATS defaults to 5.
//!
//! Every run of the sweep (a `gaussian` sweep with `noise_rate = 0`, whose
//! runs draw exactly `samples` normals per generation and no uniforms) gets
//! its generator from its seed, as the engine does, and fills a `samples`
//! buffer once per generation. Seeds and sizes are worked out before the
//! clock starts; one thread. Then, for the breakdown, the runs themselves
//! (`executor::run_one`: seeding, the scenario, its output checks) without
//! writing. Prints each repeat (wall and CPU time) and the lines
//! `draws_median_s`, `draws_median_cpu_s`, `runs_median_s` and
//! `runs_median_cpu_s` (seconds) for scripts (benches/baseline/perf13.sh).

use std::path::Path;
use std::time::Instant;

use avalanche::executor::run_one;
use avalanche::params::Params;
use avalanche::scenario::gaussian::normal::fill_standard_normal;
use avalanche::seed::rng_for;

/// The sweep used when none is given (plain `cargo bench` runs this bench
/// too): issue 13's workload, as benches/baseline/perf13.sh writes it.
const ISSUE_13_WORKLOAD: &str = "name = \"perf13-gaussian\"\nscenario = \"gaussian\"\nseed = 7\n\
replicates = 4000\ngenerations = 100\n[params]\nsamples = 100\ndata = \"replace\"\n\
verifier = \"none\"\nnoise_rate = 0.0\n";

fn main() {
    // `cargo bench` adds `--bench`; everything starting with `-` is its.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let repeats: usize = args.get(1).map_or(5, |r| r.parse().expect("REPEATS is a whole number"));
    let sweep = match args.first() {
        Some(file) => avalanche::sweep::load(Path::new(file), u64::MAX),
        None => avalanche::sweep::parse(Path::new("perf13.toml"), ISSUE_13_WORKLOAD, u64::MAX),
    }
    .unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2);
    });
    assert_eq!(sweep.scenario.name, "gaussian", "the draws bench reproduces gaussian runs only");
    // (seed, samples, generations) of every run.
    let runs: Vec<(u64, usize, u64)> = (0..sweep.runs())
        .map(|i| {
            let spec = sweep.run(i);
            let params = Params { specs: sweep.scenario.params, values: &spec.values };
            assert_eq!(
                params.float("noise_rate"),
                0.0,
                "with outliers a run also draws uniforms, which this bench does not reproduce"
            );
            (spec.seed, params.int("samples") as usize, params.int("generations") as u64)
        })
        .collect();
    let draws: u64 = runs.iter().map(|&(_, m, g)| m as u64 * g).sum();
    let largest = runs.iter().map(|r| r.1).max().unwrap_or(0);
    let mut batch = vec![0.0; largest];
    let mut times = Vec::with_capacity(repeats);
    let mut cpu_times = Vec::with_capacity(repeats);
    let mut checksum = 0.0;
    for repeat in 0..repeats.max(1) {
        let start = Instant::now();
        let cpu_start = thread_cpu_seconds();
        for &(seed, samples, generations) in &runs {
            let mut rng = rng_for(seed);
            for _ in 0..generations {
                fill_standard_normal(&mut rng, &mut batch[..samples]);
                // Read the batch so the draws cannot be optimised away.
                checksum += batch[0];
            }
        }
        let seconds = start.elapsed().as_secs_f64();
        let cpu = thread_cpu_seconds() - cpu_start;
        println!(
            "repeat {}: {draws} normals in {seconds:.4} s wall, {cpu:.4} s CPU ({:.2} ns each by CPU)",
            repeat + 1,
            cpu * 1e9 / draws as f64
        );
        times.push(seconds);
        cpu_times.push(cpu);
    }
    println!("checksum {checksum}");
    println!("draws_median_s {:.6}", median(&mut times));
    println!("draws_median_cpu_s {:.6}", median(&mut cpu_times));

    // The runs themselves (scenario, seeding, output checks), still without
    // writing anything: what the scenario adds to its draws.
    let (mut times, mut cpu_times) = (Vec::new(), Vec::new());
    for repeat in 0..repeats.max(1) {
        let start = Instant::now();
        let cpu_start = thread_cpu_seconds();
        let mut rows = 0;
        for i in 0..sweep.runs() {
            let record = run_one(sweep.scenario, sweep.run(i), None);
            rows += record.outcome.map_or(0, |o| o.generations.len());
        }
        let (seconds, cpu) = (start.elapsed().as_secs_f64(), thread_cpu_seconds() - cpu_start);
        println!(
            "repeat {}: {} runs ({rows} generation rows) in {seconds:.4} s wall, {cpu:.4} s CPU",
            repeat + 1,
            sweep.runs()
        );
        times.push(seconds);
        cpu_times.push(cpu);
    }
    println!("runs_median_s {:.6}", median(&mut times));
    println!("runs_median_cpu_s {:.6}", median(&mut cpu_times));
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// CPU time of this thread: on a shared machine, wall time also counts the
/// time other tenants held the core.
fn thread_cpu_seconds() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `t` is a valid timespec for the call to fill.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0;
    assert!(ok, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}
