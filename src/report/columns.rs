//! Which columns of a dataset are parameters and which are metrics, and
//! turning Arrow arrays into the few plain types the report computes with.
//!
//! The runs table is laid out as `run_id, replicate, seed, scenario,
//! <parameters>, status, error, elapsed_ms, <summaries>` and the generations
//! table as `run_id, replicate, seed, scenario, <parameters>, generation,
//! <metrics>`, so the layout is read off the schema, whatever the scenario.

use std::cmp::Ordering;
use std::fmt;
use std::path::Path;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, UInt64Array};
use arrow::datatypes::{DataType, Float64Type, Int64Type, SchemaRef, UInt64Type};

use super::error::ReportError;
use crate::dataset::names::{self, column};

/// The columns of the runs and generations tables by role.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Parameter columns, in schema order.
    pub parameters: Vec<String>,
    /// Numeric per-run summary columns.
    pub summaries: Vec<String>,
    /// String per-run summary columns (how a run ended, say).
    pub texts: Vec<String>,
    /// Numeric per-generation metric columns (empty without a generations table).
    pub metrics: Vec<String>,
}

/// Reads the layout off the two schemas; `path` names the dataset in errors.
pub fn layout(path: &Path, runs: &SchemaRef, generations: Option<&SchemaRef>) -> Result<Layout, ReportError> {
    let names: Vec<&str> = runs.fields().iter().map(|f| f.name().as_str()).collect();
    let position = |name: &str| {
        names.iter().position(|n| *n == name).ok_or_else(|| ReportError::BadSchema {
            path: path.join(names::RUNS_DIR),
            message: format!("the runs table has no `{name}` column"),
        })
    };
    let (scenario, status, elapsed) =
        (position(column::SCENARIO)?, position(column::STATUS)?, position(column::ELAPSED_MS)?);
    if !(scenario < status && status < elapsed) {
        return Err(ReportError::BadSchema {
            path: path.join(names::RUNS_DIR),
            message: "columns are not in the order scenario, <parameters>, status, error, elapsed_ms".into(),
        });
    }
    let parameters = names[scenario + 1..status].iter().map(|n| n.to_string()).collect();
    let summaries = runs.fields()[elapsed + 1..]
        .iter()
        .filter(|f| is_numeric(f.data_type()))
        .map(|f| f.name().clone())
        .collect();
    let texts = runs.fields()[elapsed + 1..]
        .iter()
        .filter(|f| matches!(f.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View))
        .map(|f| f.name().clone())
        .collect();
    let metrics = match generations {
        None => Vec::new(),
        Some(schema) => match schema.index_of(column::GENERATION) {
            Ok(index) => schema.fields()[index + 1..]
                .iter()
                .filter(|f| is_numeric(f.data_type()))
                .map(|f| f.name().clone())
                .collect(),
            Err(_) => {
                return Err(ReportError::BadSchema {
                    path: path.join(names::GENERATIONS_DIR),
                    message: "the generations table has no `generation` column".into(),
                })
            }
        },
    };
    Ok(Layout { parameters, summaries, texts, metrics })
}

fn is_numeric(ty: &DataType) -> bool {
    ty.is_numeric() || *ty == DataType::Boolean
}

/// One parameter value, ordered numerically for numbers so that grid points
/// sort as 0.001 < 0.01 < 0.1, and by text otherwise.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl Cell {
    /// The value as a number, where it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Int(v) => Some(*v as f64),
            Cell::Float(v) => Some(*v),
            _ => None,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Cell::Null => 0,
            Cell::Bool(_) => 1,
            Cell::Int(_) | Cell::Float(_) => 2,
            Cell::Text(_) => 3,
        }
    }
}

impl Eq for Cell {}

impl Ord for Cell {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Cell::Bool(a), Cell::Bool(b)) => a.cmp(b),
            (Cell::Int(a), Cell::Int(b)) => a.cmp(b),
            (Cell::Text(a), Cell::Text(b)) => a.cmp(b),
            (a, b) if a.rank() == 2 && b.rank() == 2 => {
                a.as_f64().unwrap_or(0.0).total_cmp(&b.as_f64().unwrap_or(0.0))
            }
            (a, b) => a.rank().cmp(&b.rank()),
        }
    }
}

impl PartialOrd for Cell {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Null => write!(f, "null"),
            Cell::Bool(v) => write!(f, "{v}"),
            Cell::Int(v) => write!(f, "{v}"),
            Cell::Float(v) => write!(f, "{}", crate::value::float_text(*v)),
            Cell::Text(v) => write!(f, "{v}"),
        }
    }
}

/// The cells of a parameter column of any supported type.
pub fn cells(array: &ArrayRef) -> Vec<Cell> {
    let cell = |valid: bool, make: &dyn Fn() -> Cell| if valid { make() } else { Cell::Null };
    (0..array.len())
        .map(|i| {
            let valid = array.is_valid(i);
            match array.data_type() {
                DataType::Boolean => cell(valid, &|| Cell::Bool(array.as_boolean().value(i))),
                DataType::Int64 => cell(valid, &|| Cell::Int(array.as_primitive::<Int64Type>().value(i))),
                DataType::Float64 => {
                    cell(valid, &|| Cell::Float(array.as_primitive::<Float64Type>().value(i)))
                }
                DataType::Utf8 => cell(valid, &|| Cell::Text(array.as_string::<i32>().value(i).to_string())),
                DataType::LargeUtf8 => {
                    cell(valid, &|| Cell::Text(array.as_string::<i64>().value(i).to_string()))
                }
                // Other types do not occur in avalanche datasets; show them
                // as text rather than fail.
                _ => cell(valid, &|| {
                    Cell::Text(
                        arrow::util::display::array_value_to_string(array, i).unwrap_or_else(|_| "?".into()),
                    )
                }),
            }
        })
        .collect()
}

/// A numeric or boolean column as `f64`s (nulls kept as nulls).
pub fn floats(path: &Path, array: &ArrayRef) -> Result<Float64Array, ReportError> {
    let cast =
        arrow::compute::cast(array, &DataType::Float64).map_err(|e| ReportError::unreadable(path, e))?;
    Ok(cast.as_primitive::<Float64Type>().clone())
}

/// The `run_id` column as `u64`s.
pub fn run_ids(path: &Path, array: &ArrayRef) -> Result<UInt64Array, ReportError> {
    let cast =
        arrow::compute::cast(array, &DataType::UInt64).map_err(|e| ReportError::unreadable(path, e))?;
    Ok(cast.as_primitive::<UInt64Type>().clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::{Field, Schema};
    use std::sync::Arc;

    fn schema(names: &[(&str, DataType)]) -> SchemaRef {
        Arc::new(Schema::new(names.iter().map(|(n, t)| Field::new(*n, t.clone(), true)).collect::<Vec<_>>()))
    }

    #[test]
    fn parameters_sit_between_scenario_and_status() {
        let runs = schema(&[
            ("run_id", DataType::UInt64),
            ("scenario", DataType::Utf8),
            ("noise_rate", DataType::Float64),
            ("verifier", DataType::Utf8),
            ("status", DataType::Utf8),
            ("error", DataType::Utf8),
            ("elapsed_ms", DataType::Float64),
            ("runway", DataType::Int64),
            ("ended_by", DataType::Utf8),
        ]);
        let generations = schema(&[("run_id", DataType::UInt64), ("generation", DataType::Int64)]);
        let found = layout(Path::new("d"), &runs, Some(&generations)).unwrap();
        assert_eq!(found.parameters, ["noise_rate", "verifier"]);
        assert_eq!(found.summaries, ["runway"]);
        assert_eq!(found.texts, ["ended_by"], "strings are kept apart");
        assert!(found.metrics.is_empty());
    }

    #[test]
    fn a_runs_table_without_status_is_rejected_by_name() {
        let runs = schema(&[("scenario", DataType::Utf8)]);
        let error = layout(Path::new("d"), &runs, None).unwrap_err().to_string();
        assert!(error.contains("`status`"), "{error}");
    }

    #[test]
    fn numbers_sort_numerically_across_int_and_float() {
        let mut cells = vec![Cell::Float(0.1), Cell::Int(0), Cell::Float(0.01), Cell::Text("a".into())];
        cells.sort();
        assert_eq!(cells, [Cell::Int(0), Cell::Float(0.01), Cell::Float(0.1), Cell::Text("a".into())]);
    }
}
