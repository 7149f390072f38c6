//! Finding and streaming a dataset's Parquet parts.
//!
//! A dataset is a folder `results/<name>/` with `runs/part-*.parquet`,
//! `generations/part-*.parquet` and `sweep.toml`. The generations table can
//! hold millions of rows, so nothing here loads a table: callers name the
//! columns they need and receive them batch by batch.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::RecordBatch;
use arrow::datatypes::SchemaRef;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use super::error::ReportError;

use crate::dataset::names;
use crate::sink::schema::metadata_keys;
pub use crate::sink::schema::SCHEMA_VERSION;

/// Rows per decoded batch: large enough to amortise decoding, small enough
/// that a batch of a few numeric columns stays well under a megabyte.
const BATCH_ROWS: usize = 8192;

/// One table of a dataset: its part files and their common schema.
#[derive(Clone, Debug)]
pub struct Table {
    pub parts: Vec<PathBuf>,
    pub schema: SchemaRef,
}

/// An opened dataset: where it is, its tables and the sweep that made it.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub dir: PathBuf,
    pub runs: Table,
    /// `None` when the scenario reports nothing per generation.
    pub generations: Option<Table>,
    /// The sweep file's text, from the parts' metadata or `sweep.toml`.
    pub sweep: Option<String>,
}

/// Opens the dataset in `dir`, reading only the parts' footers.
pub fn open(dir: &Path) -> Result<Dataset, ReportError> {
    let runs_dir = dir.join(names::RUNS_DIR);
    if !dir.exists() {
        return Err(ReportError::NoSuchFolder { path: dir.to_path_buf() });
    }
    if !runs_dir.is_dir() {
        return Err(ReportError::NotADataset { path: dir.to_path_buf() });
    }
    let parts = list_parts(&runs_dir)?;
    if parts.is_empty() {
        return Err(ReportError::Empty {
            path: dir.to_path_buf(),
            what: "runs/ holds no Parquet parts".into(),
        });
    }
    let (schema, mut sweep) = check_parts(&parts)?;
    let runs = Table { parts, schema };
    let generations_dir = dir.join(names::GENERATIONS_DIR);
    let generations = if generations_dir.is_dir() {
        let parts = list_parts(&generations_dir)?;
        if parts.is_empty() {
            None
        } else {
            let (schema, _) = check_parts(&parts)?;
            Some(Table { parts, schema })
        }
    } else {
        None
    };
    if sweep.is_none() {
        sweep = std::fs::read_to_string(dir.join(names::SWEEP_FILE)).ok();
    }
    Ok(Dataset { dir: dir.to_path_buf(), runs, generations, sweep })
}

/// The visible `*.parquet` files of a table folder, sorted by name: the
/// writer's own definition, so that a half-written hidden part is never data.
fn list_parts(dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    crate::dataset::part_files(dir)
        .map_err(|e| ReportError::Unreadable { path: dir.to_path_buf(), message: e.to_string() })
}

/// Reads every part's footer: checks its schema version and that all parts
/// share the first part's columns. Returns that schema and the sweep text.
fn check_parts(parts: &[PathBuf]) -> Result<(SchemaRef, Option<String>), ReportError> {
    let mut first: Option<(SchemaRef, Option<String>)> = None;
    for path in parts {
        let builder = open_part(path)?;
        let metadata = builder.metadata().file_metadata().key_value_metadata();
        let lookup = |key: &str| {
            metadata.and_then(|kv| kv.iter().find(|entry| entry.key == key)).and_then(|e| e.value.clone())
        };
        if let Some(found) = lookup(metadata_keys::SCHEMA_VERSION) {
            match found.trim().parse::<u32>() {
                Ok(version) if version <= SCHEMA_VERSION => {}
                _ => {
                    return Err(ReportError::NewerSchema { path: path.clone(), found, known: SCHEMA_VERSION })
                }
            }
        }
        let schema = builder.schema().clone();
        match &first {
            None => first = Some((schema, lookup(metadata_keys::SWEEP))),
            Some((expected, _)) => {
                let names = |s: &SchemaRef| s.fields().iter().map(|f| f.name().clone()).collect::<Vec<_>>();
                if names(expected) != names(&schema) {
                    return Err(ReportError::BadSchema {
                        path: path.clone(),
                        message: format!("its columns differ from those of {}", parts[0].display()),
                    });
                }
            }
        }
    }
    // `parts` is non-empty at every call site, so `first` is set.
    first.ok_or_else(|| ReportError::Empty { path: PathBuf::new(), what: "no parts".into() })
}

fn open_part(path: &Path) -> Result<ParquetRecordBatchReaderBuilder<File>, ReportError> {
    let file = File::open(path).map_err(|e| ReportError::unreadable(path, e))?;
    ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| ReportError::unreadable(path, e))
}

/// Calls `visit` with every batch of `table`, decoding only `columns`.
/// Batches hold the columns in the file's order; look them up by name.
pub fn for_each_batch(
    table: &Table,
    columns: &[&str],
    mut visit: impl FnMut(&RecordBatch) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    for path in &table.parts {
        let builder = open_part(path)?;
        let mut indices = Vec::with_capacity(columns.len());
        for name in columns {
            let index = builder.schema().index_of(name).map_err(|_| ReportError::BadSchema {
                path: path.clone(),
                message: format!("it has no column `{name}`"),
            })?;
            indices.push(index);
        }
        let mask = ProjectionMask::roots(builder.parquet_schema(), indices);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(|e| ReportError::unreadable(path, e))?;
        for batch in reader {
            let batch = batch.map_err(|e| ReportError::unreadable(path, e))?;
            visit(&batch)?;
        }
    }
    Ok(())
}
