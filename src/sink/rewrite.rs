//! Rewriting a committed part without some of its runs' rows, whole or not
//! at all: `--retry-failed` drops the failed runs it is about to redo, and
//! `avalanche repair` drops duplicated rows.

use std::collections::HashSet;
use std::fs::File;
use std::path::Path;

use arrow::array::{Array, UInt64Array};
use arrow::record_batch::RecordBatchReader;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::error::SinkError;
use super::part::{generations_record, properties, row_group_rows};
use crate::dataset::files::{sync_dir, temporary_name};
use crate::dataset::names::{column, GENERATIONS_DIR as GENERATIONS, RUNS_DIR as RUNS};
use crate::dataset::scan::generations_recorded;

/// Rewrites a part without the rows of the runs in `drop` (whole or not at
/// all), so that `--retry-failed` can run them again without writing a run
/// twice, and `repair` can drop duplicates. Returns how many rows went.
pub fn drop_rows(path: &Path, sweep_text: &str, drop: &HashSet<u64>) -> Result<usize, SinkError> {
    let file = File::open(path).map_err(SinkError::io(path))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(SinkError::parquet(path))?;
    let recorded = generations_recorded(builder.metadata().file_metadata());
    let reader = builder.build().map_err(SinkError::parquet(path))?;
    let schema = reader.schema();
    let temporary = temporary_name(path);
    let out = File::create(&temporary).map_err(SinkError::io(&temporary))?;
    let table = if path.parent().and_then(|p| p.file_name()).is_some_and(|n| n == GENERATIONS) {
        GENERATIONS
    } else {
        RUNS
    };
    let properties = properties(table, &schema, sweep_text, row_group_rows(1));
    let mut writer = parquet::arrow::ArrowWriter::try_new(out, schema, Some(properties))
        .map_err(SinkError::parquet(&temporary))?;
    // Dropping rows never removes the twin, so the record stays true.
    if let Some(has_generations) = recorded {
        writer.append_key_value_metadata(generations_record(has_generations));
    }
    let mut dropped = 0;
    for batch in reader {
        let batch = batch.map_err(SinkError::arrow(path))?;
        let ids = batch
            .column_by_name(column::RUN_ID)
            .and_then(|c| c.as_any().downcast_ref::<UInt64Array>())
            .ok_or_else(|| SinkError::Invalid {
                path: path.to_path_buf(),
                message: "no run_id column".into(),
            })?;
        let keep: arrow::array::BooleanArray =
            (0..ids.len()).map(|i| Some(!drop.contains(&ids.value(i)))).collect();
        dropped += keep.false_count();
        let kept = arrow::compute::filter_record_batch(&batch, &keep).map_err(SinkError::arrow(path))?;
        writer.write(&kept).map_err(SinkError::parquet(&temporary))?;
    }
    let out = writer.into_inner().map_err(SinkError::parquet(&temporary))?;
    out.sync_all().map_err(SinkError::io(&temporary))?;
    std::fs::rename(&temporary, path).map_err(SinkError::io(path))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(dropped)
}
