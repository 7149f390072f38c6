//! The boundaries table of a sweep with `[search]`: one row per point of
//! the other axes, with those axes' values, the boundary and its 95%
//! interval, the runs used and how the search ended. Each shard writes the
//! rows of its own points into `boundaries/part-sIofN.parquet`, whole or
//! not at all (a temporary name, flushed, renamed), replacing its previous
//! version: the table is recomputed from the runs on every `run`.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema};

use super::columns::TableBuilder;
use super::error::SinkError;
use super::schema::param_field;
use crate::dataset::files::{sync_dir, temporary_name};
use crate::dataset::names::BOUNDARIES_DIR;
use crate::dataset::part_name::boundaries_part;
use crate::engine::shard::Shard;
use crate::sweep::Sweep;
use crate::value::Value;

/// The columns after the other axes' values, in order.
pub mod column {
    /// The boundary's point estimate on the searched axis (null without one).
    pub const ESTIMATE: &str = "estimate";
    /// The 95% interval's ends on the searched axis.
    pub const LOWER: &str = "lower";
    pub const UPPER: &str = "upper";
    /// Runs the search used at this point, failed ones included.
    pub const RUNS: &str = "runs";
    /// Probes (batches of `replicates` runs at one axis value).
    pub const PROBES: &str = "probes";
    /// How the search ended (`crate::search::Ended`, or `unfinished`).
    pub const ENDED: &str = "ended";
}

/// One point's row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Every parameter's value at the point (the searched one is ignored).
    pub values: Vec<Value>,
    pub boundary: Option<crate::search::Boundary>,
    pub runs: u64,
    pub probes: u64,
    pub ended: &'static str,
}

/// Writes `rows` as this shard's part of the boundaries table.
pub fn write(dir: &Path, sweep: &Sweep, shard: Shard, rows: &[Row]) -> Result<(), SinkError> {
    let table = dir.join(BOUNDARIES_DIR);
    std::fs::create_dir_all(&table).map_err(SinkError::io(&table))?;
    let axes: Vec<usize> = sweep.factors.iter().flat_map(|f| f.params.iter().copied()).collect();
    let mut fields: Vec<Field> = axes.iter().map(|&p| param_field(&sweep.scenario.params[p])).collect();
    for name in [column::ESTIMATE, column::LOWER, column::UPPER] {
        fields.push(Field::new(name, DataType::Float64, true));
    }
    fields.push(Field::new(column::RUNS, DataType::Int64, false));
    fields.push(Field::new(column::PROBES, DataType::Int64, false));
    fields.push(Field::new(column::ENDED, DataType::Utf8, false));
    let schema = Arc::new(Schema::new(fields));
    let mut builder = TableBuilder::new(schema.clone(), rows.len().max(1));
    let n = axes.len();
    for row in rows {
        for (i, &p) in axes.iter().enumerate() {
            builder.push(i, Some(&row.values[p]));
        }
        let b = row.boundary;
        builder.push(n, b.map(|b| Value::Float(b.estimate)).as_ref());
        builder.push(n + 1, b.map(|b| Value::Float(b.lower)).as_ref());
        builder.push(n + 2, b.map(|b| Value::Float(b.upper)).as_ref());
        builder.push(n + 3, Some(&Value::Int(row.runs as i64)));
        builder.push(n + 4, Some(&Value::Int(row.probes as i64)));
        builder.push_text(n + 5, Some(row.ended));
        builder.end_rows(1);
    }
    let batch = builder.finish().map_err(SinkError::arrow(&table))?;
    let path = table.join(boundaries_part(shard));
    let temporary = temporary_name(&path);
    let file = File::create(&temporary).map_err(SinkError::io(&temporary))?;
    let properties = super::part::properties(BOUNDARIES_DIR, &schema, &sweep.text, rows.len().max(1));
    let mut writer = parquet::arrow::ArrowWriter::try_new(file, schema, Some(properties))
        .map_err(SinkError::parquet(&temporary))?;
    writer.write(&batch).map_err(SinkError::parquet(&temporary))?;
    let file = writer.into_inner().map_err(SinkError::parquet(&temporary))?;
    file.sync_all().map_err(SinkError::io(&temporary))?;
    std::fs::rename(&temporary, &path).map_err(SinkError::io(&path))?;
    sync_dir(&table);
    Ok(())
}
