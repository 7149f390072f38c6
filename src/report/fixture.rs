//! A small synthetic dataset in the documented layout, written with the
//! parquet crate directly, so the report can be tested without the engine,
//! and the scenario declaration it belongs to, which only tests know: the
//! report must read everything it shows from that declaration.
//!
//! Grid: verifier in {majority, none} (declared in that order; `none` is the
//! baseline) x noise_rate in {0.01, 0.1}, seven replicates each, horizon 20
//! rounds, plus one failed run at (none, 0.01). Replicate r: `none`
//! collapses at round 3 + r with reach 6 + r; `majority` at 0.01 collapses
//! at 10 + r for r < 2, stalls at round 12 for 2 <= r < 6 (reach 11), and
//! reaches the round limit at r = 6 (reach 30); `majority` at 0.1 behaves
//! as `none`.

use std::borrow::Cow;

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use crate::params::{ParamSpec, Params};
use crate::scenario::contract::{
    Comparison, CurveSpec, HeatmapSpec, Outcome, OutcomeKind, OutcomeSpec, ReportSpec,
};
use crate::scenario::{Deadline, Hooks, RunError, RunFn, RunOutput, Scenario};
use crate::value::Names;
use crate::value::{Better, ColumnSpec, ColumnType, NullMeaning, Support};

pub const HORIZON: i64 = 20;
pub const REPLICATES: i64 = 7;

/// How the fixture's runs end.
const OUTCOMES: &[Outcome] = &[
    Outcome::of("collapsed", "collapsed", OutcomeKind::Event),
    Outcome::of("stalled", "stalled", OutcomeKind::Competing),
    Outcome::of("limit", "reached the round limit", OutcomeKind::Censored),
];

/// The scenario the fixture's dataset belongs to, declared here only.
pub static SCENARIO: Scenario = Scenario {
    name: "fixture",
    about: "a synthetic self-training dataset for the report's tests",
    params: Cow::Borrowed(&[
        ParamSpec::float("noise_rate", 0.0, 1.0, 0.01, "slips"),
        ParamSpec::choice("verifier", &["majority", "none"], "none", "filter"),
        ParamSpec::int("generations", 0, 100, HORIZON, "rounds at most"),
    ]),
    summary_columns: Cow::Borrowed(&[
        ColumnSpec::new("end", ColumnType::Str, "how the run ended"),
        ColumnSpec::new("rounds", ColumnType::Int, "rounds run"),
        ColumnSpec::new("reach", ColumnType::Int, "longest length solved")
            .label("reach", Some("digits"))
            .better(Better::Higher)
            .nulls(NullMeaning::NothingAchieved),
        ColumnSpec::new("growth", ColumnType::Str, "growth law").label("growth law", None),
        ColumnSpec::new("length", ColumnType::Int, "frontier length at the end (reach + 2)")
            .label("length", Some("digits")),
    ]),
    generation_columns: Cow::Borrowed(&[
        ColumnSpec::new("accuracy", ColumnType::Float, "frontier accuracy").support(Support::Unit),
        ColumnSpec::new("contamination", ColumnType::Float, "share of trained answers wrong"),
    ]),
    check: crate::scenario::no_check,
    run: RunFn::plain(never_run),
    cores_per_run: 1,
    hooks: Hooks::NONE,
    report: ReportSpec {
        headline: Names::Literal(&["reach", "growth"]),
        curves: Cow::Borrowed(&[
            CurveSpec::of("accuracy").complement_log().label("error"),
            CurveSpec::of("contamination"),
        ]),
        comparison: Some(Comparison::of("verifier", "none", Some("noise_rate"))),
        horizon: Some(Cow::Borrowed("generations")),
        outcome: Some(OutcomeSpec::of("end", OUTCOMES, "rounds", Some("length"))),
        heatmap: Some(HeatmapSpec { column: "reach", x: "noise_rate", y: "verifier" }),
        step: (Cow::Borrowed("round"), Cow::Borrowed("rounds")),
    },
};

fn never_run(_: &Params, _: &mut rand_pcg::Pcg64, _: &Deadline) -> Result<RunOutput, RunError> {
    Err(RunError::Failed("the fixture scenario is never run".into()))
}

/// How replicate `replicate` ended: (outcome, round, reach).
pub fn ending(verifier: &str, noise: f64, replicate: i64) -> (&'static str, i64, i64) {
    match (verifier, noise < 0.05) {
        ("majority", true) if replicate < 2 => ("collapsed", 10 + replicate, 9),
        ("majority", true) if replicate < 6 => ("stalled", 12, 11),
        ("majority", true) => ("limit", HORIZON, 30),
        _ => ("collapsed", 3 + replicate, 6 + replicate),
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
                Arc::new(StringArray::from_iter_values(rows.iter().map(|_| "fixture"))),
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
        let endings: Vec<Option<(&str, i64, i64)>> =
            rows.iter().map(|r| (!r.failed).then(|| ending(r.verifier, r.noise, r.replicate))).collect();
        let end = endings.iter().map(|e| e.map(|e| e.0));
        columns.push((field("end", DataType::Utf8), Arc::new(StringArray::from_iter(end))));
        let rounds = endings.iter().map(|e| e.map(|e| e.1));
        columns.push((field("rounds", DataType::Int64), Arc::new(Int64Array::from_iter(rounds))));
        let reach = endings.iter().map(|e| e.map(|e| e.2));
        columns.push((field("reach", DataType::Int64), Arc::new(Int64Array::from_iter(reach))));
        let growth =
            endings.iter().map(|e| e.map(|e| if e.0 == "collapsed" { "exponential" } else { "polynomial" }));
        columns.push((field("growth", DataType::Utf8), Arc::new(StringArray::from_iter(growth))));
        let length = endings.iter().map(|e| e.map(|e| e.2 + 2));
        columns.push((field("length", DataType::Int64), Arc::new(Int64Array::from_iter(length))));
        write_part(&dir.join("runs"), part, "runs", version, columns);

        // One generations row per round the run lasted.
        let mut flat: Vec<(&Run, i64)> = Vec::new();
        for run in rows.iter().filter(|r| !r.failed) {
            let rounds = ending(run.verifier, run.noise, run.replicate).1;
            flat.extend((0..rounds).map(|g| (*run, g)));
        }
        let flat_runs: Vec<&Run> = flat.iter().map(|(r, _)| *r).collect();
        let mut columns = identity(&flat_runs);
        columns.push((
            field("generation", DataType::Int64),
            Arc::new(Int64Array::from_iter_values(flat.iter().map(|(_, g)| *g))),
        ));
        // Accuracy falls linearly to 1/(rounds + 1) at the last round.
        let accuracy = flat.iter().map(|(r, g)| {
            let rounds = ending(r.verifier, r.noise, r.replicate).1 as f64;
            1.0 - (*g as f64 + 1.0) / (rounds + 1.0)
        });
        columns
            .push((field("accuracy", DataType::Float64), Arc::new(Float64Array::from_iter_values(accuracy))));
        let contamination = flat.iter().map(|(_, g)| *g as f64 * 0.01);
        columns.push((
            field("contamination", DataType::Float64),
            Arc::new(Float64Array::from_iter_values(contamination)),
        ));
        let table = crate::dataset::names::GENERATIONS_DIR;
        write_part(&dir.join(table), part, table, version, columns);
    }
    std::fs::write(dir.join("sweep.toml"), SWEEP).unwrap();
}

pub const SWEEP: &str = "name = \"fixture\"\nscenario = \"fixture\"\nreplicates = 7\ngenerations = 20\n";

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
