//! A small synthetic dataset in the documented layout, written with the
//! parquet crate directly, so the report can be tested without the engine.
//!
//! Grid: verifier in {none, majority} x noise_rate in {0.01, 0.1}, seven
//! replicates each, horizon 20 rounds, plus one failed run at
//! (none, 0.01). Runway of replicate r: `none` 3 + r; `majority` at 0.01
//! 10 + r for r < 2 and null (never collapsed) after; `majority` at 0.1
//! 3 + r, the same as `none`.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

pub const HORIZON: i64 = 20;
pub const REPLICATES: i64 = 7;

/// The runway of one run, `None` when it never collapsed.
pub fn runway(verifier: &str, noise: f64, replicate: i64) -> Option<i64> {
    match (verifier, noise < 0.05) {
        ("majority", true) if replicate >= 2 => None,
        ("majority", true) => Some(10 + replicate),
        _ => Some(3 + replicate),
    }
}

struct Run {
    id: u64,
    replicate: i64,
    verifier: &'static str,
    noise: f64,
    failed: bool,
}

fn runs() -> Vec<Run> {
    let mut runs = Vec::new();
    for verifier in ["none", "majority"] {
        for noise in [0.01, 0.1] {
            for replicate in 0..REPLICATES {
                runs.push(Run { id: runs.len() as u64, replicate, verifier, noise, failed: false });
            }
        }
    }
    runs.push(Run {
        id: runs.len() as u64,
        replicate: REPLICATES,
        verifier: "none",
        noise: 0.01,
        failed: true,
    });
    runs
}

fn field(name: &str, ty: DataType) -> Field {
    Field::new(name, ty, true)
}

/// Writes the dataset into `dir` with `avalanche.schema_version` = `version`,
/// splitting each table into two parts.
pub fn write(dir: &Path, version: &str) {
    let runs = runs();
    let identity = |rows: &[&Run]| -> Vec<(Field, ArrayRef)> {
        vec![
            (
                field("run_id", DataType::UInt64),
                Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.id))),
            ),
            (
                field("replicate", DataType::Int64),
                Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.replicate))),
            ),
            (
                field("seed", DataType::UInt64),
                Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.id * 7919))),
            ),
            (
                field("scenario", DataType::Utf8),
                Arc::new(StringArray::from_iter_values(rows.iter().map(|_| "addition"))),
            ),
            (
                field("noise_rate", DataType::Float64),
                Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.noise))),
            ),
            (
                field("verifier", DataType::Utf8),
                Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.verifier))),
            ),
            (
                field("generations", DataType::Int64),
                Arc::new(Int64Array::from_iter_values(rows.iter().map(|_| HORIZON))),
            ),
        ]
    };
    let half = runs.len() / 2;
    for (part, rows) in [&runs[..half], &runs[half..]].into_iter().enumerate() {
        let rows: Vec<&Run> = rows.iter().collect();
        let mut columns = identity(&rows);
        let status = rows.iter().map(|r| if r.failed { "failed" } else { "ok" });
        columns.push((field("status", DataType::Utf8), Arc::new(StringArray::from_iter_values(status))));
        let error = rows.iter().map(|r| r.failed.then_some("boom"));
        columns.push((field("error", DataType::Utf8), Arc::new(StringArray::from_iter(error))));
        columns.push((
            field("elapsed_ms", DataType::Float64),
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|_| 1.5))),
        ));
        let runway_values =
            rows.iter().map(|r| if r.failed { None } else { runway(r.verifier, r.noise, r.replicate) });
        columns.push((field("runway", DataType::Int64), Arc::new(Int64Array::from_iter(runway_values))));
        columns.push((
            field("max_digits", DataType::Int64),
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| 6 + r.replicate))),
        ));
        write_part(&dir.join("runs"), part, "runs", version, columns);

        // One generations row per round the run lasted (all 20 when it never collapsed).
        let mut flat: Vec<(&Run, i64)> = Vec::new();
        for run in rows.iter().filter(|r| !r.failed) {
            let last = runway(run.verifier, run.noise, run.replicate).unwrap_or(HORIZON - 1);
            flat.extend((0..=last).map(|g| (*run, g)));
        }
        let flat_runs: Vec<&Run> = flat.iter().map(|(r, _)| *r).collect();
        let mut columns = identity(&flat_runs);
        columns.push((
            field("generation", DataType::Int64),
            Arc::new(Int64Array::from_iter_values(flat.iter().map(|(_, g)| *g))),
        ));
        let accuracy = flat.iter().map(|(r, g)| {
            let end = runway(r.verifier, r.noise, r.replicate).map(|e| e as f64).unwrap_or(100.0);
            1.0 - *g as f64 / (end + 1.0)
        });
        columns.push((
            field("accuracy_frontier", DataType::Float64),
            Arc::new(Float64Array::from_iter_values(accuracy)),
        ));
        let contamination = flat.iter().map(|(_, g)| *g as f64 * 0.01);
        columns.push((
            field("contamination", DataType::Float64),
            Arc::new(Float64Array::from_iter_values(contamination)),
        ));
        write_part(&dir.join("generations"), part, "generations", version, columns);
    }
    std::fs::write(dir.join("sweep.toml"), SWEEP).unwrap();
}

pub const SWEEP: &str = "name = \"fixture\"\nscenario = \"addition\"\nreplicates = 7\ngenerations = 20\n";

fn write_part(dir: &Path, part: usize, table: &str, version: &str, columns: Vec<(Field, ArrayRef)>) {
    std::fs::create_dir_all(dir).unwrap();
    let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = columns.into_iter().unzip();
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), arrays).unwrap();
    let metadata = [
        ("avalanche.sweep", SWEEP),
        ("avalanche.version", "test"),
        ("avalanche.schema_version", version),
        ("avalanche.table", table),
    ];
    let properties = WriterProperties::builder()
        .set_key_value_metadata(Some(
            metadata.iter().map(|(k, v)| KeyValue::new(k.to_string(), v.to_string())).collect(),
        ))
        .build();
    let file = File::create(dir.join(format!("part-{part:05}.parquet"))).unwrap();
    let mut writer = ArrowWriter::try_new(file, schema, Some(properties)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}
