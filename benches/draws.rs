//! The floor of a `gaussian` sweep: the standard normal draws its runs make,
//! with the same generator and seeds, and nothing else: the floor the
//! whole process is measured against (BENCHMARKS.md).
//!
//! ```sh
//! cargo bench --bench draws -- [SWEEP.toml [REPEATS]]
//! ```
//!
//! Without a sweep file it uses the `gaussian` speed workload (4,000 runs x 100
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
//!   statistics, to show that no setting lowers that floor much;
//! - `encoder_columns`: the same rows with the parts' settings through
//!   parquet-rs's lowest layer, its column writers, fed plain slices of
//!   values and levels instead of Arrow arrays: the floor for a writer of
//!   ours that kept its own column buffers but still encoded through
//!   parquet-rs. The file is read back and checked to hold the same rows.
//!
//! Prints each repeat (wall and CPU time) and, for scripts
//! (benches/baseline/perf13.sh), the lines `draws_median_s`,
//! `draws_median_cpu_s`, `runs_median_s`, `runs_median_cpu_s`,
//! `sink_median_s`, `sink_median_cpu_s`, `encoder_median_s`,
//! `encoder_median_cpu_s`, `encoder_bare_median_s`,
//! `encoder_bare_median_cpu_s`, `encoder_columns_median_s` and
//! `encoder_columns_median_cpu_s` (seconds).

use std::fs::File;
use std::path::Path;
use std::time::Instant;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Float64Type, Int64Type, Schema, UInt64Type};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{add_encoded_arrow_schema_to_metadata, ArrowSchemaConverter, ArrowWriter};
use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int64Type as Int64ParquetType};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;

use avalanche::dataset::names::{GENERATIONS_DIR as GENERATIONS, RUNS_DIR as RUNS};
use avalanche::engine::executor::run_one;
use avalanche::engine::seed::rng_for;
use avalanche::engine::shard::Shard;
use avalanche::params::Params;
use avalanche::scenario::gaussian::key;
use avalanche::scenario::gaussian::normal::fill_standard_normal;
use avalanche::sink::{Checkpoint, DatasetWriter};

/// The sweep used when none is given (plain `cargo bench` runs this bench
/// too): the `gaussian` speed workload, as benches/baseline/perf13.sh writes it.
const GAUSSIAN_WORKLOAD: &str = "name = \"perf13-gaussian\"\nscenario = \"gaussian\"\nseed = 7\n\
replicates = 4000\ngenerations = 100\n[params]\nsamples = 100\ndata = \"replace\"\n\
verifier = \"none\"\nnoise_rate = 0.0\n";

fn main() {
    // `cargo bench` adds `--bench`; everything starting with `-` is its.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let repeats: usize = args.get(1).map_or(5, |r| r.parse().expect("REPEATS is a whole number"));
    let sweep = match args.first() {
        Some(file) => avalanche::sweep::load(Path::new(file), u64::MAX),
        None => avalanche::sweep::parse(Path::new("perf13.toml"), GAUSSIAN_WORKLOAD, u64::MAX),
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
            let params = Params { specs: &sweep.scenario.params, values: &spec.values };
            assert_eq!(
                params.get(key::NOISE_RATE),
                0.0,
                "with outliers a run also draws uniforms, which this bench does not reproduce"
            );
            (spec.seed, params.get(key::SAMPLES) as usize, params.get(key::GENERATIONS) as u64)
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
            let record = run_one(&sweep.scenario, sweep.run(i), None);
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
                DatasetWriter::open(&dir, sweep.scenario.clone(), &text, Shard::WHOLE, (0, 1), checkpoint)
                    .expect("a writer"),
            )
        });
        let mut writer = writer.expect("opened");
        for i in 0..sweep.runs() {
            let record = run_one(&sweep.scenario, sweep.run(i), None);
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

    // The same rows again through parquet-rs's column writers, fed plain
    // slices: the lowest layer of parquet-rs, below its Arrow writer.
    let plain: Vec<_> = tables.iter().map(|(t, b)| (*t, b[0].schema(), Plain::columns(b))).collect();
    let (mut times, mut cpu_times) = (Vec::new(), Vec::new());
    for repeat in 0..repeats.max(1) {
        let (start, cpu_start) = (Instant::now(), thread_cpu_seconds());
        for (table, schema, batches) in &plain {
            let properties =
                avalanche::sink::properties(table, schema, &text, avalanche::sink::row_group_rows(1));
            write_columns(
                &work.path().join(format!("columns-{repeat}-{table}.parquet")),
                schema,
                batches,
                properties,
            );
        }
        let (seconds, cpu) = (start.elapsed().as_secs_f64(), thread_cpu_seconds() - cpu_start);
        println!(
            "repeat {}: parquet-rs's column writers wrote the same rows in {seconds:.4} s wall, {cpu:.4} s CPU",
            repeat + 1
        );
        times.push(seconds);
        cpu_times.push(cpu);
    }
    // A floor only counts if the file holds the same rows.
    for (table, batches) in &tables {
        let path = work.path().join(format!("columns-0-{table}.parquet"));
        let back = read_part(&path);
        let concat = |b: &[RecordBatch]| {
            arrow::compute::concat_batches(&b[0].schema(), b).expect("batches of one schema")
        };
        assert!(
            concat(&back) == concat(batches),
            "{table}: the column writers' file differs from the sink's rows"
        );
    }
    println!("encoder_columns_median_s {:.6}", median(&mut times));
    println!("encoder_columns_median_cpu_s {:.6}", median(&mut cpu_times));
}

/// Every row of the table folder `dir`, in batches of the sink's batch size.
fn read_back(dir: &Path) -> Vec<RecordBatch> {
    let mut batches = Vec::new();
    let mut parts: Vec<_> =
        std::fs::read_dir(dir).expect("a table folder").map(|e| e.expect("an entry").path()).collect();
    parts.sort();
    for part in parts {
        batches.extend(read_part(&part));
    }
    batches
}

/// Every row of one Parquet file, in batches of the sink's batch size.
fn read_part(path: &Path) -> Vec<RecordBatch> {
    ParquetRecordBatchReaderBuilder::try_new(File::open(path).expect("a part"))
        .expect("a Parquet file")
        .with_batch_size(avalanche::sink::BATCH_ROWS)
        .build()
        .expect("a reader")
        .map(|b| b.expect("a batch"))
        .collect()
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

/// One column of one batch as the values and definition levels parquet-rs's
/// column writers take: what a writer of our own would keep per column
/// instead of Arrow builders.
enum Plain {
    Float(Vec<f64>),
    Int(Vec<i64>),
    Bool(Vec<bool>),
    Text(Vec<ByteArray>),
}

/// A column's values and, where it is nullable, its definition levels.
type PlainColumn = (Plain, Option<Vec<i16>>);

impl Plain {
    /// Every column of every batch, with its levels where it is nullable
    /// (unsigned columns as Parquet stores them, in INT64).
    fn columns(batches: &[RecordBatch]) -> Vec<Vec<PlainColumn>> {
        let schema = batches[0].schema();
        let plain = |field: &arrow::datatypes::Field, a: &dyn Array| {
            let levels =
                field.is_nullable().then(|| (0..a.len()).map(|i| i16::from(a.is_valid(i))).collect());
            let values = match a.data_type() {
                DataType::Float64 => Plain::Float(a.as_primitive::<Float64Type>().iter().flatten().collect()),
                DataType::Int64 => Plain::Int(a.as_primitive::<Int64Type>().iter().flatten().collect()),
                DataType::UInt64 => {
                    Plain::Int(a.as_primitive::<UInt64Type>().iter().flatten().map(|x| x as i64).collect())
                }
                DataType::Boolean => Plain::Bool(a.as_boolean().iter().flatten().collect()),
                _ => Plain::Text(
                    a.as_string::<i32>().iter().flatten().map(|s| s.as_bytes().to_vec().into()).collect(),
                ),
            };
            (values, levels)
        };
        batches
            .iter()
            .map(|b| schema.fields().iter().zip(b.columns()).map(|(f, a)| plain(f, a.as_ref())).collect())
            .collect()
    }
}

/// Writes `batches` to `path` through parquet-rs's column writers, in the
/// sink's row groups, with `properties` and the Arrow schema the Arrow
/// writer embeds, then fsyncs.
fn write_columns(
    path: &Path,
    schema: &Schema,
    batches: &[Vec<PlainColumn>],
    mut properties: WriterProperties,
) {
    let descriptor = ArrowSchemaConverter::new().convert(schema).expect("a Parquet schema");
    add_encoded_arrow_schema_to_metadata(schema, &mut properties);
    let file = File::create(path).expect("a file");
    let mut writer =
        SerializedFileWriter::new(file, descriptor.root_schema_ptr(), properties.into()).expect("a writer");
    let batches_per_group = avalanche::sink::row_group_rows(1) / avalanche::sink::BATCH_ROWS;
    for group in batches.chunks(batches_per_group) {
        let mut row_group = writer.next_row_group().expect("a row group");
        for c in 0..schema.fields().len() {
            let mut column = row_group.next_column().expect("a column").expect("a column left");
            for batch in group {
                let (values, levels) = &batch[c];
                let levels = levels.as_deref();
                match values {
                    Plain::Float(v) => column.typed::<DoubleType>().write_batch(v, levels, None),
                    Plain::Int(v) => column.typed::<Int64ParquetType>().write_batch(v, levels, None),
                    Plain::Bool(v) => column.typed::<BoolType>().write_batch(v, levels, None),
                    Plain::Text(v) => column.typed::<ByteArrayType>().write_batch(v, levels, None),
                }
                .expect("written");
            }
            column.close().expect("closed");
        }
        row_group.close().expect("closed");
    }
    writer.into_inner().expect("closed").sync_all().expect("synced");
}
