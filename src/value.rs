//! Plain values shared by sweep files, scenarios and sinks.
//!
//! Parameters and per-run metrics are small typed scalars. Keeping them in
//! one `Copy` enum lets the executor pass a run's parameter point around
//! without allocation and lets a sink map each variant onto one column type.

use std::fmt;

/// A scalar parameter or metric value.
///
/// Strings are always `&'static str`: string parameters are choices from a
/// fixed list declared by the scenario, so the sweep parser canonicalises
/// them to the scenario's own literal, and metrics that are strings (such as
/// why a run ended) are literals too.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Str(&'static str),
    Bool(bool),
}

impl Value {
    /// The column type this value is stored as.
    pub fn column_type(&self) -> ColumnType {
        match self {
            Value::Int(_) => ColumnType::Int,
            Value::Float(_) => ColumnType::Float,
            Value::Str(_) => ColumnType::Str,
            Value::Bool(_) => ColumnType::Bool,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v}"),
            Value::Str(v) => write!(f, "{v:?}"),
            Value::Bool(v) => write!(f, "{v}"),
        }
    }
}

/// The storage type of a column: Int64, Float64, Utf8 or Boolean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Int,
    Float,
    Str,
    Bool,
}

impl ColumnType {
    /// The name used in `avalanche scenarios` and in the README's schema.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Int => "int",
            ColumnType::Float => "float",
            ColumnType::Str => "string",
            ColumnType::Bool => "bool",
        }
    }
}

/// A metric column a scenario reports, per run or per generation.
#[derive(Clone, Copy, Debug)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub ty: ColumnType,
    /// One line saying what the number is, shown by `avalanche scenarios`.
    pub doc: &'static str,
}

impl ColumnSpec {
    pub const fn new(name: &'static str, ty: ColumnType, doc: &'static str) -> Self {
        ColumnSpec { name, ty, doc }
    }
}
