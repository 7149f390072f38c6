//! One part: a runs file and a generations file written together under
//! hidden temporary names and committed by rename, generations first.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::datatypes::{Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use super::error::SinkError;
use super::schema::{metadata_keys, SCHEMA_VERSION};
use crate::dataset::files::{sync_dir, temporary_name};
use crate::dataset::names::{column, GENERATIONS_DIR as GENERATIONS, RUNS_DIR as RUNS};

/// Rows per row group, summed over all workers. Every worker holds one
/// in-progress row group per table, unencoded pages included, so memory
/// grows with the row group: at 128 Ki rows per worker a `gaussian` worker
/// held ~38 MB and 8 workers 319 MB; at 32 Ki, 204 MB, with no measurable
/// change in speed or file size (benches/baseline/RESULTS.md). Sharing one
/// budget keeps many-core machines within the same memory.
const ROW_GROUP_BUDGET: usize = 64 * 1024;

/// The row group size of each of `workers` writers: an equal share of
/// `ROW_GROUP_BUDGET`, between 4 Ki and 32 Ki rows.
pub fn row_group_rows(workers: usize) -> usize {
    (ROW_GROUP_BUDGET / workers.max(1)).clamp(4 * 1024, 32 * 1024)
}

/// One table's file in progress.
struct OpenFile {
    temporary: PathBuf,
    writer: ArrowWriter<File>,
    /// Bytes handed to the kernel's writeback so far (see [`start_writeback`]).
    written_back: usize,
}

/// Bytes written between two [`start_writeback`] calls.
const WRITEBACK_BYTES: usize = 4 << 20;

/// Asks the kernel to start writing the file's dirty pages to disk now,
/// without waiting: the commit's `fsync` then waits only for the last few
/// megabytes instead of the whole part, a wait no other core can share.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain system call on an open descriptor; failure only means
    // the fsync at commit has more to do.
    unsafe { libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE) };
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File) {}

/// A part being written; nothing of it is visible until [`Part::commit`].
pub struct Part {
    dir: PathBuf,
    name: String,
    row_group_rows: usize,
    runs: Option<OpenFile>,
    generations: Option<OpenFile>,
}

/// Writer settings for one table's files (public so that benches can time
/// the Parquet encoder alone with the settings the parts use).
///
/// Dictionary encoding pays off for the identity and parameter columns,
/// which repeat across runs and across a run's generations, and costs dearly
/// for measured floats, which almost never repeat: hashing every value into
/// a dictionary that is then abandoned was the writer's largest cost.
pub fn properties(table: &str, schema: &Schema, sweep_text: &str, row_group_rows: usize) -> WriterProperties {
    let last_repeating = schema
        .fields()
        .iter()
        .position(|f| f.name() == column::STATUS || f.name() == column::GENERATION)
        .unwrap_or(schema.fields().len());
    let mut builder = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(1).expect("1 is a valid zstd level")))
        .set_max_row_group_size(row_group_rows)
        .set_dictionary_enabled(false);
    for (i, field) in schema.fields().iter().enumerate() {
        let unique_per_row =
            table == RUNS && (field.name() == column::RUN_ID || field.name() == column::SEED);
        if i <= last_repeating && !unique_per_row {
            builder = builder.set_column_dictionary_enabled(ColumnPath::from(field.name().as_str()), true);
        }
    }
    builder
        .set_key_value_metadata(Some(vec![
            KeyValue::new(metadata_keys::SWEEP.to_string(), sweep_text.to_string()),
            KeyValue::new(metadata_keys::VERSION.to_string(), env!("CARGO_PKG_VERSION").to_string()),
            KeyValue::new(metadata_keys::SCHEMA_VERSION.to_string(), SCHEMA_VERSION.to_string()),
            KeyValue::new(metadata_keys::TABLE.to_string(), table.to_string()),
        ]))
        .build()
}

/// The runs file's record of whether its part has a generations file.
pub fn generations_record(has_generations: bool) -> KeyValue {
    KeyValue::new(metadata_keys::GENERATIONS.to_string(), has_generations.to_string())
}

impl Part {
    /// A part called `name` (a [`crate::dataset::PartName`]) in `dir`.
    pub fn new(dir: &Path, name: String, row_group_rows: usize) -> Part {
        Part { dir: dir.to_path_buf(), name, row_group_rows, runs: None, generations: None }
    }

    /// Appends a batch to the runs (`generations == false`) or generations file.
    pub fn write(
        &mut self,
        generations: bool,
        batch: &RecordBatch,
        sweep_text: &str,
    ) -> Result<(), SinkError> {
        let table = if generations { GENERATIONS } else { RUNS };
        let slot = if generations { &mut self.generations } else { &mut self.runs };
        if slot.is_none() {
            let properties = properties(table, &batch.schema(), sweep_text, self.row_group_rows);
            *slot = Some(open(&self.dir.join(table), &self.name, &batch.schema(), properties)?);
        }
        let open = slot.as_mut().expect("opened above");
        open.writer.write(batch).map_err(SinkError::parquet(&open.temporary))?;
        if open.writer.bytes_written() >= open.written_back + WRITEBACK_BYTES {
            open.written_back = open.writer.bytes_written();
            start_writeback(open.writer.inner());
        }
        Ok(())
    }

    /// Writes the footers, flushes the files to disk and renames them into
    /// place: generations first, so a runs file never lands without them.
    /// The runs file records whether it has a generations twin, so that a
    /// twin lost later is told from one that was never written.
    pub fn commit(self) -> Result<(), SinkError> {
        let mut finished = Vec::new();
        let has_generations = self.generations.is_some();
        for (table, open) in [(GENERATIONS, self.generations), (RUNS, self.runs)] {
            if let Some(mut open) = open {
                if table == RUNS {
                    open.writer.append_key_value_metadata(generations_record(has_generations));
                }
                let file = open.writer.into_inner().map_err(SinkError::parquet(&open.temporary))?;
                file.sync_all().map_err(SinkError::io(&open.temporary))?;
                finished.push((self.dir.join(table), open.temporary));
            }
        }
        for (table_dir, temporary) in finished {
            let target = table_dir.join(&self.name);
            std::fs::rename(&temporary, &target).map_err(SinkError::io(&target))?;
            sync_dir(&table_dir);
        }
        Ok(())
    }
}

/// Creates a table's temporary file inside `table_dir`.
fn open(
    table_dir: &Path,
    name: &str,
    schema: &SchemaRef,
    properties: WriterProperties,
) -> Result<OpenFile, SinkError> {
    std::fs::create_dir_all(table_dir).map_err(SinkError::io(table_dir))?;
    let temporary = temporary_name(&table_dir.join(name));
    let file = File::create(&temporary).map_err(SinkError::io(&temporary))?;
    let writer = ArrowWriter::try_new(file, schema.clone(), Some(properties))
        .map_err(SinkError::parquet(&temporary))?;
    Ok(OpenFile { temporary, writer, written_back: 0 })
}
