//! Shared pieces of the integration tests: running the real binary and
//! reading a dataset back with the parquet crate.
#![allow(dead_code)]

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

/// The binary under test.
pub fn avalanche() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_avalanche"));
    command.env("RUST_LOG", "warn");
    command
}

/// Runs the binary in `dir` and returns its output.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    avalanche().current_dir(dir).args(args).output().expect("the binary starts")
}

/// Asserts success and returns stdout.
pub fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// A fresh temporary folder holding `files` (name, contents).
pub fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, contents) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write");
    }
    dir
}

/// The committed part files of a table.
pub fn parts(dataset: &Path, table: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dataset.join(table))
        .map(|entries| entries.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default();
    files.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        name.ends_with(".parquet") && !name.starts_with('.')
    });
    files.sort();
    files
}

/// All batches of one file.
pub fn read_file(path: &Path) -> (SchemaRef, Vec<RecordBatch>, Vec<(String, String)>) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).expect("open"))
        .unwrap_or_else(|e| panic!("{} is not readable Parquet: {e}", path.display()));
    let metadata = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kv| kv.iter().map(|k| (k.key.clone(), k.value.clone().unwrap_or_default())).collect())
        .unwrap_or_default();
    let schema = builder.schema().clone();
    let batches = builder.build().expect("reader").collect::<Result<Vec<_>, _>>().expect("batches");
    (schema, batches, metadata)
}

/// A table as text rows (one string per cell), sorted, with the listed
/// columns left out (timings differ between runs of the same sweep).
pub fn table_rows(dataset: &Path, table: &str, skip: &[&str]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for path in parts(dataset, table) {
        let (schema, batches, _) = read_file(&path);
        for batch in batches {
            let keep: Vec<usize> = (0..schema.fields().len())
                .filter(|&i| !skip.contains(&schema.field(i).name().as_str()))
                .collect();
            let formatters: Vec<ArrayFormatter> = keep
                .iter()
                .map(|&i| {
                    ArrayFormatter::try_new(batch.column(i).as_ref(), &FormatOptions::default()).expect("fmt")
                })
                .collect();
            for row in 0..batch.num_rows() {
                rows.push(formatters.iter().map(|f| f.value(row).to_string()).collect());
            }
        }
    }
    rows.sort();
    rows
}

/// Column names and Arrow types of a table's first part.
pub fn schema_of(dataset: &Path, table: &str) -> Vec<(String, String)> {
    let first = parts(dataset, table).into_iter().next().expect("a part file");
    let (schema, _, _) = read_file(&first);
    schema.fields().iter().map(|f| (f.name().clone(), f.data_type().to_string())).collect()
}

/// Every row of a table as column name -> displayed value (nulls empty).
pub fn read_table(dataset: &Path, table: &str) -> Vec<HashMap<String, String>> {
    let mut rows = Vec::new();
    for path in parts(dataset, table) {
        let (schema, batches, _) = read_file(&path);
        for batch in batches {
            let formatters: Vec<ArrayFormatter> = batch
                .columns()
                .iter()
                .map(|c| ArrayFormatter::try_new(c.as_ref(), &FormatOptions::default()).expect("fmt"))
                .collect();
            for row in 0..batch.num_rows() {
                rows.push(
                    schema
                        .fields()
                        .iter()
                        .zip(&formatters)
                        .map(|(f, v)| (f.name().clone(), v.value(row).to_string()))
                        .collect(),
                );
            }
        }
    }
    rows
}
