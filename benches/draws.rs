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
//! writing. Then the writing, apart from the runs that feed it:
//! - `sink`: the crate's own writer (`DatasetWriter`: Arrow builders, the
//!   Parquet encoder, the commit's fsync and renames) fed the runs' records,
//!   timing only its calls;
//! - `encoder`: parquet-rs alone (`ArrowWriter`, with the settings every
//!   part is written with, then fsync) writing the very rows `sink` wrote,
//!   read back into Arrow batches of the sink's batch size beforehand. This
//!   is the floor of writing through parquet-rs: what no change of ours
//!   above the encoder can go below;
//! - `encoder_bare`: the same with no compression, no dictionary and no
//!   statistics, to show that no setting lowers that floor much.
//!
//! Prints each repeat (wall and CPU time) and, for scripts
//! (benches/baseline/perf13.sh), the lines `draws_median_s`,
//! `draws_median_cpu_s`, `runs_median_s`, `runs_median_cpu_s`,
//! `sink_median_s`, `sink_median_cpu_s`, `encoder_median_s`,
//! `encoder_median_cpu_s`, `encoder_bare_median_s` and
//! `encoder_bare_median_cpu_s` (seconds).

use std::fs::File;
use std::path::Path;
use std::time::Instant;

use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

use avalanche::executor::run_one;
use avalanche::params::Params;
use avalanche::scenario::gaussian::normal::fill_standard_normal;
use avalanche::seed::rng_for;
use avalanche::shard::Shard;
use avalanche::sink::dataset::{GENERATIONS, RUNS};
use avalanche::sink::{Checkpoint, DatasetWriter};

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

    let work = tempfile::tempdir().expect("a temporary folder");
    let text = sweep.text.clone();
    let (mut times, mut cpu_times) = (Vec::new(), Vec::new());
    for repeat in 0..repeats.max(1) {
        let dir = work.path().join(format!("sink-{repeat}"));
        std::fs::create_dir_all(&dir).expect("a dataset folder");
        // Only the end commits, as in the whole-process run (fewer runs
        // than the default checkpoint).
        let checkpoint = Checkpoint { runs: Checkpoint::MAX_RUNS, interval: Checkpoint::MAX_INTERVAL };
        let (mut seconds, mut cpu) = (0.0, 0.0);
        let mut timed = |f: &mut dyn FnMut()| {
            let (start, cpu_start) = (Instant::now(), thread_cpu_seconds());
            f();
            seconds += start.elapsed().as_secs_f64();
            cpu += thread_cpu_seconds() - cpu_start;
        };
        let mut writer = None;
        timed(&mut || {
            writer = Some(
                DatasetWriter::open(&dir, sweep.scenario, &text, Shard::WHOLE, (0, 1), checkpoint)
                    .expect("a writer"),
            )
        });
        let mut writer = writer.expect("opened");
        for i in 0..sweep.runs() {
            let record = run_one(sweep.scenario, sweep.run(i), None);
            timed(&mut || writer.write(&record).expect("written"));
        }
        timed(&mut || writer.commit().expect("committed"));
        println!("repeat {}: the sink wrote them in {seconds:.4} s wall, {cpu:.4} s CPU", repeat + 1);
        times.push(seconds);
        cpu_times.push(cpu);
    }
    println!("sink_median_s {:.6}", median(&mut times));
    println!("sink_median_cpu_s {:.6}", median(&mut cpu_times));

    // The same rows, read back, through parquet-rs alone.
    let tables: Vec<(&str, Vec<RecordBatch>)> = [RUNS, GENERATIONS]
        .into_iter()
        .map(|t| (t, read_back(&work.path().join("sink-0").join(t))))
        .collect();
    for bare in [false, true] {
        let (mut times, mut cpu_times) = (Vec::new(), Vec::new());
        for repeat in 0..repeats.max(1) {
            let (start, cpu_start) = (Instant::now(), thread_cpu_seconds());
            for (table, batches) in &tables {
                let schema = batches[0].schema();
                let properties = match bare {
                    false => {
                        avalanche::sink::properties(table, &schema, &text, avalanche::sink::row_group_rows(1))
                    }
                    true => WriterProperties::builder()
                        .set_compression(Compression::UNCOMPRESSED)
                        .set_dictionary_enabled(false)
                        .set_statistics_enabled(EnabledStatistics::None)
                        .set_max_row_group_size(avalanche::sink::row_group_rows(1))
                        .build(),
                };
                let path = work.path().join(format!("encoder-{repeat}-{table}.parquet"));
                let file = File::create(&path).expect("a file");
                let mut writer = ArrowWriter::try_new(file, schema, Some(properties)).expect("a writer");
                batches.iter().for_each(|b| writer.write(b).expect("written"));
                writer.into_inner().expect("closed").sync_all().expect("synced");
            }
            let (seconds, cpu) = (start.elapsed().as_secs_f64(), thread_cpu_seconds() - cpu_start);
            let what = if bare {
                "with nothing to spare (no compression, dictionary or statistics)"
            } else {
                "alone"
            };
            println!(
                "repeat {}: parquet-rs {what} wrote the same rows in {seconds:.4} s wall, {cpu:.4} s CPU",
                repeat + 1
            );
            times.push(seconds);
            cpu_times.push(cpu);
        }
        let name = if bare { "encoder_bare" } else { "encoder" };
        println!("{name}_median_s {:.6}", median(&mut times));
        println!("{name}_median_cpu_s {:.6}", median(&mut cpu_times));
    }
}

/// Every row of the table folder `dir`, in batches of the sink's batch size.
fn read_back(dir: &Path) -> Vec<RecordBatch> {
    let mut batches = Vec::new();
    let mut parts: Vec<_> =
        std::fs::read_dir(dir).expect("a table folder").map(|e| e.expect("an entry").path()).collect();
    parts.sort();
    for part in parts {
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(&part).expect("a part"))
            .expect("a Parquet file")
            .with_batch_size(avalanche::sink::BATCH_ROWS)
            .build()
            .expect("a reader");
        batches.extend(reader.map(|b| b.expect("a batch")));
    }
    batches
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
