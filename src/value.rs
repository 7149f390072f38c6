//! Plain values shared by sweep files, scenarios and sinks.
//!
//! Parameters and per-run metrics are small typed scalars. Keeping them in
//! one enum whose strings are borrowed literals wherever a scenario declares
//! them in code lets the executor pass a run's parameter point around
//! without allocation and lets a sink map each variant onto one column type.

use std::borrow::Cow;
use std::fmt;

/// A string of a declaration or a value: a literal borrowed for free where a
/// built-in scenario declares it, owned where a sweep file or a program's
/// output supplies it.
pub type Text = Cow<'static, str>;

/// A scalar parameter or metric value.
///
/// String parameters are choices from a list the scenario declares, so the
/// sweep parser canonicalises them to the declaration's own text (a
/// borrowed literal for a built-in scenario, so cloning a point copies no
/// string); string metrics are literals, or owned where an external
/// program wrote them.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Str(Text),
    Bool(bool),
}

/// A list of names (a choice parameter's values, a report's headline
/// columns): a literal list for built-in declarations, owned for those a
/// sweep file makes.
#[derive(Clone, Debug, PartialEq)]
pub enum Names {
    Literal(&'static [&'static str]),
    Owned(Vec<Text>),
}

impl Names {
    /// The names, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &str> + ExactSizeIterator + Clone + '_ {
        (0..self.len()).map(move |index| self.get(index).expect("within the list"))
    }

    /// The `index`th name.
    pub fn get(&self, index: usize) -> Option<&str> {
        match self {
            Names::Literal(names) => names.get(index).copied(),
            Names::Owned(names) => names.get(index).map(|n| n.as_ref()),
        }
    }

    /// The name as the list holds it, as a value: borrowed for a literal
    /// list, so a built-in choice costs no allocation.
    pub fn text(&self, index: usize) -> Option<Text> {
        match self {
            Names::Literal(names) => names.get(index).map(|n| Cow::Borrowed(*n)),
            Names::Owned(names) => names.get(index).cloned(),
        }
    }

    /// Where `name` stands in the list.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.iter().position(|n| n == name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    pub fn len(&self) -> usize {
        match self {
            Names::Literal(names) => names.len(),
            Names::Owned(names) => names.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The names joined by `separator`.
    pub fn join(&self, separator: &str) -> String {
        self.iter().collect::<Vec<_>>().join(separator)
    }
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

impl<'a> IntoIterator for &'a Names {
    type Item = &'a str;
    type IntoIter = Box<dyn Iterator<Item = &'a str> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
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
#[derive(Clone, Debug)]
pub struct ColumnSpec {
    pub name: Text,
    pub ty: ColumnType,
    /// One line saying what the number is, shown by `avalanche scenarios`.
    pub doc: Text,
    /// A short heading for tables and axes; the name with spaces when `None`.
    pub label: Option<Text>,
    /// The unit, shown after the label in parentheses.
    pub unit: Option<Text>,
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
            name: Cow::Borrowed(name),
            ty,
            doc: Cow::Borrowed(doc),
            label: None,
            unit: None,
            nulls: NullMeaning::Undefined,
            better: Better::Unknown,
            support: Support::Real,
            theory: None,
            prediction: Prediction::Mean,
        }
    }

    /// Sets the heading and unit, on a literal declaration (a `const`
    /// context cannot drop what it replaces: the replaced values, `None` on
    /// a fresh column and borrowed literals otherwise, own nothing).
    pub const fn label(mut self, label: &'static str, unit: Option<&'static str>) -> Self {
        let unit = match unit {
            Some(unit) => Some(Cow::Borrowed(unit)),
            None => None,
        };
        std::mem::forget(self.label.replace(Cow::Borrowed(label)));
        std::mem::forget(std::mem::replace(&mut self.unit, unit));
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
        let label = match &self.label {
            Some(label) => label.to_string(),
            None => self.name.replace('_', " "),
        };
        match &self.unit {
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
