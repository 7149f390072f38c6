//! The column layout of the runs and generations tables, derived from the
//! scenario's declarations so that the schema has one source.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use crate::scenario::Scenario;
use crate::value::ColumnType;

use crate::dataset::names::column;
pub use crate::dataset::names::RESERVED_COLUMNS;

/// The dataset schema version; `avalanche report` refuses newer ones.
pub const SCHEMA_VERSION: u32 = 1;

/// Parquet key-value metadata keys.
pub mod metadata_keys {
    /// The full text of the sweep file.
    pub const SWEEP: &str = "avalanche.sweep";
    /// The version of avalanche that wrote the file.
    pub const VERSION: &str = "avalanche.version";
    /// [`super::SCHEMA_VERSION`].
    pub const SCHEMA_VERSION: &str = "avalanche.schema_version";
    /// `runs` or `generations`.
    pub const TABLE: &str = "avalanche.table";
    /// Runs files only: `true` when the part's generations file was written
    /// beside it, `false` when none of its runs wrote a generation row. A
    /// runs part whose record says `true` and whose twin is gone has lost
    /// its runs' curves ([`crate::dataset::scan::generations_expected`]).
    pub const GENERATIONS: &str = "avalanche.generations";
}

fn data_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::Int => DataType::Int64,
        ColumnType::Float => DataType::Float64,
        ColumnType::Str => DataType::Utf8,
        ColumnType::Bool => DataType::Boolean,
    }
}

/// run_id, replicate, seed, scenario, then one column per parameter.
fn identity_fields(scenario: &Scenario) -> Vec<Field> {
    let mut fields = vec![
        Field::new(column::RUN_ID, DataType::UInt64, false),
        Field::new(column::REPLICATE, DataType::Int64, false),
        Field::new(column::SEED, DataType::UInt64, false),
        Field::new(column::SCENARIO, DataType::Utf8, false),
    ];
    fields.extend(scenario.params.iter().map(param_field));
    fields
}

/// A parameter's column, typed as its values are.
pub fn param_field(p: &crate::params::ParamSpec) -> Field {
    let ty = match &p.kind {
        crate::params::ParamKind::Int { .. } => ColumnType::Int,
        crate::params::ParamKind::Float { .. } => ColumnType::Float,
        crate::params::ParamKind::Choice(_) => ColumnType::Str,
        crate::params::ParamKind::Bool => ColumnType::Bool,
    };
    Field::new(p.name.as_ref(), data_type(ty), false)
}

/// The runs table: identity, parameters, status, error, elapsed_ms, summary.
pub fn runs_schema(scenario: &Scenario) -> SchemaRef {
    let mut fields = identity_fields(scenario);
    fields.push(Field::new(column::STATUS, DataType::Utf8, false));
    fields.push(Field::new(column::ERROR, DataType::Utf8, true));
    fields.push(Field::new(column::ELAPSED_MS, DataType::Float64, false));
    fields
        .extend(scenario.summary_columns.iter().map(|c| Field::new(c.name.as_ref(), data_type(c.ty), true)));
    Arc::new(Schema::new(fields))
}

/// The generations table: identity, parameters, generation, metrics.
pub fn generations_schema(scenario: &Scenario) -> SchemaRef {
    let mut fields = identity_fields(scenario);
    fields.push(Field::new(column::GENERATION, DataType::Int64, false));
    fields.extend(
        scenario.generation_columns.iter().map(|c| Field::new(c.name.as_ref(), data_type(c.ty), true)),
    );
    Arc::new(Schema::new(fields))
}
