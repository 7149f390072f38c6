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
            Value::Float(v) => write!(f, "{}", float_text(*v)),
            Value::Str(v) => write!(f, "{v:?}"),
            Value::Bool(v) => write!(f, "{v}"),
        }
    }
}

/// The shortest text that reads back as `v`, in plain notation where that
/// is short (`0.00316227766017`, `12.5`) and in scientific notation beyond
/// it (`1e308`, which plain notation writes with 309 digits; `1e-9`).
pub fn float_text(v: f64) -> String {
    let magnitude = v.abs();
    if magnitude == 0.0 || !magnitude.is_finite() || (1e-5..1e16).contains(&magnitude) {
        format!("{v}")
    } else {
        format!("{v:e}")
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

/// What a null in a column means, so the report counts it honestly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NullMeaning {
    /// The value is undefined for that run (no growth phase to fit, say):
    /// left out of statistics, and the number left out is reported.
    Undefined,
    /// The run achieved nothing measurable (no length solved): it ranks
    /// below every value.
    NothingAchieved,
}

/// Which way a column is better, for sentences that compare choices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Better {
    /// No direction: the report describes differences without judging them.
    Unknown,
    Higher,
    Lower,
    /// Closer to this value (a variance ratio's 1, say).
    Toward(f64),
}

/// Which statistic over a grid point's replicates a theory column predicts,
/// so the report sets the simulation's same statistic beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prediction {
    /// An expectation (closed forms, means over a model's replicates).
    Mean,
    /// A median (of a reduced model's replicates, say).
    Median,
}

/// The values a column can take, so that intervals never leave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    Real,
    /// Zero or more (counts, variances, ratios of them).
    NonNegative,
    /// A share in [0, 1].
    Unit,
}

/// A metric column a scenario reports, per run or per generation, with what
/// the report needs to read it: its label and unit, what a null means, which
/// way is better and which column holds its closed-form theory.
#[derive(Clone, Copy, Debug)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub ty: ColumnType,
    /// One line saying what the number is, shown by `avalanche scenarios`.
    pub doc: &'static str,
    /// A short heading for tables and axes; the name with spaces when `None`.
    pub label: Option<&'static str>,
    /// The unit, shown after the label in parentheses.
    pub unit: Option<&'static str>,
    pub nulls: NullMeaning,
    pub better: Better,
    pub support: Support,
    /// The column holding this one's theory from the parameters, if any.
    pub theory: Option<&'static str>,
    /// What that theory predicts: the replicates' mean or their median.
    pub prediction: Prediction,
}

impl ColumnSpec {
    /// A column with no report metadata beyond its name and doc.
    pub const fn new(name: &'static str, ty: ColumnType, doc: &'static str) -> Self {
        ColumnSpec {
            name,
            ty,
            doc,
            label: None,
            unit: None,
            nulls: NullMeaning::Undefined,
            better: Better::Unknown,
            support: Support::Real,
            theory: None,
            prediction: Prediction::Mean,
        }
    }

    /// Sets the heading and unit.
    pub const fn label(mut self, label: &'static str, unit: Option<&'static str>) -> Self {
        self.label = Some(label);
        self.unit = unit;
        self
    }

    /// Sets which way is better.
    pub const fn better(mut self, better: Better) -> Self {
        self.better = better;
        self
    }

    /// Sets the values the column can take.
    pub const fn support(mut self, support: Support) -> Self {
        self.support = support;
        self
    }

    /// Sets what a null means.
    pub const fn nulls(mut self, nulls: NullMeaning) -> Self {
        self.nulls = nulls;
        self
    }

    /// Names the column holding this one's expectation in theory.
    pub const fn theory(mut self, column: &'static str) -> Self {
        self.theory = Some(column);
        self.prediction = Prediction::Mean;
        self
    }

    /// Names the column holding this one's median over replicates in theory.
    pub const fn median_theory(mut self, column: &'static str) -> Self {
        self.theory = Some(column);
        self.prediction = Prediction::Median;
        self
    }

    /// The heading with its unit: `runway (rounds)`.
    pub fn heading(&self) -> String {
        let label = match self.label {
            Some(label) => label.to_string(),
            None => self.name.replace('_', " "),
        };
        match self.unit {
            Some(unit) => format!("{label} ({unit})"),
            None => label,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::float_text;

    #[test]
    fn floats_are_written_short_and_read_back_exactly() {
        for (v, text) in [
            (1e308, "1e308"),
            (-2.5e-9, "-2.5e-9"),
            (0.00316227766017, "0.00316227766017"),
            (12.5, "12.5"),
            (0.0, "0"),
            (1e15, "1000000000000000"),
            (f64::INFINITY, "inf"),
        ] {
            assert_eq!(float_text(v), text);
            assert_eq!(text.parse::<f64>().unwrap(), v, "{text} reads back");
        }
    }
}
