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

/// Bytes reserved per row of a string column (choices and short messages).
const STRING_BYTES_PER_ROW: usize = 8;

impl Column {
    /// An empty builder for `data_type` with room for `rows` values.
    fn with_capacity(data_type: &DataType, rows: usize) -> Column {
        match data_type {
            DataType::UInt64 => Column::UInt(UInt64Builder::with_capacity(rows)),
            DataType::Int64 => Column::Int(Int64Builder::with_capacity(rows)),
            DataType::Float64 => Column::Float(Float64Builder::with_capacity(rows)),
            DataType::Boolean => Column::Bool(BooleanBuilder::with_capacity(rows)),
            _ => Column::Str(StringBuilder::with_capacity(rows, rows * STRING_BYTES_PER_ROW)),
        }
    }
}

/// Builders for every column of one table.
pub struct TableBuilder {
    schema: SchemaRef,
    columns: Vec<Column>,
    rows: usize,
    /// Rows each builder has room for when it starts, so that filling a
    /// batch does not grow (copy) every column's buffers again and again:
    /// `finish` hands the buffers to the batch and leaves empty builders.
    capacity: usize,
    /// The most `capacity` grows to: a batch overshoots the batch size by
    /// up to one run's rows, but one huge run must not leave every later
    /// batch reserving its size.
    max_capacity: usize,
}

impl TableBuilder {
    /// Builders for `schema`, each with room for `capacity` rows (and, after
    /// a larger batch, for up to twice that).
    pub fn new(schema: SchemaRef, capacity: usize) -> Self {
        let columns =
            schema.fields().iter().map(|f| Column::with_capacity(f.data_type(), capacity)).collect();
        TableBuilder { schema, columns, rows: 0, capacity, max_capacity: 2 * capacity }
    }

    /// Rows appended since the last [`TableBuilder::finish`].
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Appends `value` to column `index`. A value of another type than the
    /// column's is a scenario bug; it is stored as null rather than crash a
    /// whole sweep, and the writer's checks report it.
    pub fn push(&mut self, index: usize, value: Option<&Value>) {
        match (&mut self.columns[index], value) {
            (Column::Int(b), Some(&Value::Int(v))) => b.append_value(v),
            (Column::Float(b), Some(&Value::Float(v))) => b.append_value(v),
            (Column::Str(b), Some(Value::Str(v))) => b.append_value(v),
            (Column::Bool(b), Some(&Value::Bool(v))) => b.append_value(v),
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
    pub fn push_repeated(&mut self, index: usize, value: Option<&Value>, n: usize) {
        match (&mut self.columns[index], value) {
            (Column::Int(b), Some(&Value::Int(v))) => b.append_value_n(v, n),
            (Column::Float(b), Some(&Value::Float(v))) => b.append_value_n(v, n),
            (Column::Bool(b), Some(&Value::Bool(v))) => b.append_n(n, v),
            (Column::Str(b), Some(Value::Str(v))) => (0..n).for_each(|_| b.append_value(v)),
            _ => (0..n).for_each(|_| self.push(index, value)),
        }
    }

    /// Appends `values` to column `index`, as [`TableBuilder::push`] would
    /// one by one, choosing the builder once rather than per value.
    pub fn push_all<'v>(&mut self, index: usize, values: impl Iterator<Item = Option<&'v Value>>) {
        match &mut self.columns[index] {
            Column::Int(b) => values.for_each(|v| match v {
                Some(&Value::Int(v)) => b.append_value(v),
                _ => b.append_null(),
            }),
            Column::Float(b) => values.for_each(|v| match v {
                Some(&Value::Float(v)) => b.append_value(v),
                _ => b.append_null(),
            }),
            Column::Str(b) => values.for_each(|v| match v {
                Some(Value::Str(v)) => b.append_value(v),
                _ => b.append_null(),
            }),
            Column::Bool(b) => values.for_each(|v| match v {
                Some(&Value::Bool(v)) => b.append_value(v),
                _ => b.append_null(),
            }),
            Column::UInt(b) => values.for_each(|_| b.append_null()),
        }
    }

    /// Appends integers to the integer column `index` (the generation index).
    pub fn push_ints(&mut self, index: usize, values: impl Iterator<Item = i64>) {
        if let Column::Int(b) = &mut self.columns[index] {
            values.for_each(|v| b.append_value(v));
        }
    }

    /// Appends to an unsigned 64-bit column (run_id, seed), `n` times.
    pub fn push_u64(&mut self, index: usize, value: u64, n: usize) {
        if let Column::UInt(b) = &mut self.columns[index] {
            b.append_value_n(value, n);
        }
    }

    /// Appends a string that is not a [`Value`] (error messages).
    pub fn push_text(&mut self, index: usize, value: Option<&str>) {
        if let Column::Str(b) = &mut self.columns[index] {
            b.append_option(value);
        }
    }

    /// Marks the end of `n` rows, whose columns have all been appended.
    pub fn end_rows(&mut self, n: usize) {
        self.rows += n;
    }

    /// The rows so far as a batch; the builders start empty again, with
    /// room for as many rows as the largest batch so far (within limits).
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let capacity = self.capacity.max(self.rows.min(self.max_capacity));
        let fields = self.schema.fields();
        let arrays: Vec<ArrayRef> = self
            .columns
            .iter_mut()
            .zip(fields.iter())
            .map(|(c, field)| -> ArrayRef {
                let full = std::mem::replace(c, Column::with_capacity(field.data_type(), capacity));
                match full {
                    Column::UInt(mut b) => Arc::new(b.finish()),
                    Column::Int(mut b) => Arc::new(b.finish()),
                    Column::Float(mut b) => Arc::new(b.finish()),
                    Column::Str(mut b) => Arc::new(b.finish()),
                    Column::Bool(mut b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.capacity = capacity;
        self.rows = 0;
        RecordBatch::try_new(self.schema.clone(), arrays)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::{Field, Schema};

    fn schema() -> SchemaRef {
        Arc::new(Schema::new(vec![
            Field::new("i", DataType::Int64, true),
            Field::new("f", DataType::Float64, true),
            Field::new("s", DataType::Utf8, true),
            Field::new("b", DataType::Boolean, true),
        ]))
    }

    #[test]
    fn push_all_appends_what_push_appends_and_capacity_stays_bounded() {
        let cells = |row: usize| -> [Option<Value>; 4] {
            let null = row.is_multiple_of(3);
            [
                (!null).then_some(Value::Int(row as i64)),
                (!null).then_some(Value::Float(row as f64 / 7.0)),
                (!null).then_some(Value::Str(if row.is_multiple_of(2) { "even" } else { "odd" }.into())),
                // A value of the wrong type is stored as null by both.
                Some(if null { Value::Int(1) } else { Value::Bool(row.is_multiple_of(2)) }),
            ]
        };
        let (mut one_by_one, mut by_column) =
            (TableBuilder::new(schema(), 4), TableBuilder::new(schema(), 4));
        for batch_rows in [3, 11, 2] {
            for row in 0..batch_rows {
                for (column, value) in cells(row).into_iter().enumerate() {
                    one_by_one.push(column, value.as_ref());
                }
            }
            for column in 0..4 {
                let cells: Vec<Option<Value>> =
                    (0..batch_rows).map(|row| cells(row)[column].clone()).collect();
                by_column.push_all(column, cells.iter().map(Option::as_ref));
            }
            one_by_one.end_rows(batch_rows);
            by_column.end_rows(batch_rows);
            assert_eq!(by_column.finish().expect("batch"), one_by_one.finish().expect("batch"));
        }
        // An 11-row batch grows the reservation only to twice the start.
        assert_eq!(by_column.capacity, 8);
    }
}
