//! Reading back what a search needs from a dataset: for every committed
//! run, whether its event happened. Only `run_id`, `status` and the event's
//! column are decoded, so a replay costs one pass over three columns.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use arrow::array::{Array, BooleanArray, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use super::{Event, Observed, RunState};
use crate::dataset::names::{column, Status, RUNS_DIR};
use crate::dataset::part_files;
use crate::sink::SinkError;

/// Every committed run's state, by run_id.
pub fn read(dir: &Path, event: &Event) -> Result<HashMap<u64, RunState>, SinkError> {
    let mut states = HashMap::new();
    for path in part_files(&dir.join(RUNS_DIR))? {
        read_part(&path, event, &mut states)?;
    }
    Ok(states)
}

fn read_part(path: &Path, event: &Event, states: &mut HashMap<u64, RunState>) -> Result<(), SinkError> {
    let invalid = |message: String| SinkError::Invalid { path: path.to_path_buf(), message };
    let file = File::open(path).map_err(SinkError::io(path))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(SinkError::parquet(path))?;
    let schema = builder.parquet_schema();
    let find = |name: &str| {
        (0..schema.num_columns())
            .find(|&i| schema.column(i).name() == name)
            .ok_or_else(|| invalid(format!("no `{name}` column, which the search's event needs")))
    };
    let mask =
        ProjectionMask::leaves(schema, [find(column::RUN_ID)?, find(column::STATUS)?, find(&event.column)?]);
    let reader = builder.with_projection(mask).build().map_err(SinkError::parquet(path))?;
    for batch in reader {
        let batch = batch.map_err(SinkError::arrow(path))?;
        let ids = batch.column_by_name(column::RUN_ID).and_then(|c| c.as_any().downcast_ref::<UInt64Array>());
        let statuses =
            batch.column_by_name(column::STATUS).and_then(|c| c.as_any().downcast_ref::<StringArray>());
        let (Some(ids), Some(statuses)) = (ids, statuses) else {
            return Err(invalid("run_id or status has an unexpected type".into()));
        };
        let values = batch.column_by_name(&event.column).expect("projected");
        let observed = observe(values.as_ref()).map_err(|m| invalid(format!("`{}`: {m}", event.column)))?;
        for i in 0..batch.num_rows() {
            let ok = Status::parse(statuses.is_valid(i).then(|| statuses.value(i))) == Status::Ok;
            let state = match ok.then(|| event.happened(&observed(i))).flatten() {
                Some(happened) => RunState::Told(happened),
                None => RunState::Untold,
            };
            states.insert(ids.value(i), state);
        }
    }
    Ok(())
}

/// A reader of one column's values as [`Observed`].
fn observe(values: &dyn Array) -> Result<Box<dyn Fn(usize) -> Observed + '_>, String> {
    let null = move |i: usize| values.is_null(i);
    Ok(match values.data_type() {
        DataType::Utf8 => {
            let a = values.as_any().downcast_ref::<StringArray>().expect("utf8");
            Box::new(move |i| if null(i) { Observed::Null } else { Observed::Text(a.value(i).to_string()) })
        }
        DataType::Boolean => {
            let a = values.as_any().downcast_ref::<BooleanArray>().expect("bool");
            Box::new(move |i| if null(i) { Observed::Null } else { Observed::Bool(a.value(i)) })
        }
        DataType::Int64 | DataType::Float64 | DataType::UInt64 => {
            let cast = arrow::compute::cast(values, &DataType::Float64).map_err(|e| e.to_string())?;
            let a = cast.as_any().downcast_ref::<Float64Array>().expect("float64").clone();
            Box::new(move |i| if a.is_null(i) { Observed::Null } else { Observed::Number(a.value(i)) })
        }
        other => return Err(format!("a column of type {other} cannot hold an event")),
    })
}
