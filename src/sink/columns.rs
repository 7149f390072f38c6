//! Arrow column builders fed one run at a time, so a part file is built
//! batch by batch without holding the runs themselves.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder, UInt64Builder};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;

use crate::value::Value;

/// A builder for one column of any of the types the tables use.
enum Column {
    UInt(UInt64Builder),
    Int(Int64Builder),
    Float(Float64Builder),
    Str(StringBuilder),
    Bool(BooleanBuilder),
}

/// Builders for every column of one table.
pub struct TableBuilder {
    schema: SchemaRef,
    columns: Vec<Column>,
    rows: usize,
}

impl TableBuilder {
    pub fn new(schema: SchemaRef) -> Self {
        let columns = schema
            .fields()
            .iter()
            .map(|f| match f.data_type() {
                DataType::UInt64 => Column::UInt(UInt64Builder::new()),
                DataType::Int64 => Column::Int(Int64Builder::new()),
                DataType::Float64 => Column::Float(Float64Builder::new()),
                DataType::Boolean => Column::Bool(BooleanBuilder::new()),
                _ => Column::Str(StringBuilder::new()),
            })
            .collect();
        TableBuilder { schema, columns, rows: 0 }
    }

    /// Rows appended since the last [`TableBuilder::finish`].
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Appends `value` to column `index`. A value of another type than the
    /// column's is a scenario bug; it is stored as null rather than crash a
    /// whole sweep, and the writer's checks report it.
    pub fn push(&mut self, index: usize, value: Option<Value>) {
        match (&mut self.columns[index], value) {
            (Column::Int(b), Some(Value::Int(v))) => b.append_value(v),
            (Column::Float(b), Some(Value::Float(v))) => b.append_value(v),
            (Column::Str(b), Some(Value::Str(v))) => b.append_value(v),
            (Column::Bool(b), Some(Value::Bool(v))) => b.append_value(v),
            (Column::UInt(b), _) => b.append_null(),
            (Column::Int(b), _) => b.append_null(),
            (Column::Float(b), _) => b.append_null(),
            (Column::Str(b), _) => b.append_null(),
            (Column::Bool(b), _) => b.append_null(),
        }
    }

    /// Appends `value` to column `index` `n` times: the identity and
    /// parameter columns repeat on every generation row of a run, and
    /// filling them in bulk skips a per-cell dispatch.
    pub fn push_repeated(&mut self, index: usize, value: Option<Value>, n: usize) {
        match (&mut self.columns[index], value) {
            (Column::Int(b), Some(Value::Int(v))) => b.append_value_n(v, n),
            (Column::Float(b), Some(Value::Float(v))) => b.append_value_n(v, n),
            (Column::Bool(b), Some(Value::Bool(v))) => b.append_n(n, v),
            _ => (0..n).for_each(|_| self.push(index, value)),
        }
    }

    /// Appends to an unsigned 64-bit column (run_id, seed), `n` times.
    pub fn push_u64(&mut self, index: usize, value: u64, n: usize) {
        if let Column::UInt(b) = &mut self.columns[index] {
            b.append_value_n(value, n);
        }
    }

    /// Appends a string that is not a `&'static str` (error messages).
    pub fn push_text(&mut self, index: usize, value: Option<&str>) {
        if let Column::Str(b) = &mut self.columns[index] {
            b.append_option(value);
        }
    }

    /// Marks the end of `n` rows, whose columns have all been appended.
    pub fn end_rows(&mut self, n: usize) {
        self.rows += n;
    }

    /// The rows so far as a batch; the builders start empty again.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let arrays: Vec<ArrayRef> = self
            .columns
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Column::UInt(b) => Arc::new(b.finish()),
                    Column::Int(b) => Arc::new(b.finish()),
                    Column::Float(b) => Arc::new(b.finish()),
                    Column::Str(b) => Arc::new(b.finish()),
                    Column::Bool(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.rows = 0;
        RecordBatch::try_new(self.schema.clone(), arrays)
    }
}
