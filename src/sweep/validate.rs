//! Checks of single values against their declarations.
use crate::params::{ParamKind, ParamSpec};
use crate::value::Value;

/// `Ok` when `value` has the declared type and lies in the declared range.
pub fn check_value(spec: &ParamSpec, value: &Value) -> Result<(), String> {
    match (&spec.kind, value) {
        (&ParamKind::Int { min, max }, &Value::Int(v)) if v >= min && v <= max => Ok(()),
        (&ParamKind::Float { min, max }, &Value::Float(v)) if v.is_finite() && v >= min && v <= max => Ok(()),
        (ParamKind::Choice(choices), Value::Str(v)) if choices.contains(v) => Ok(()),
        (ParamKind::Bool, Value::Bool(_)) => Ok(()),
        _ => Err(format!("`{}` must be {}, got {value}", spec.name, spec.type_description())),
    }
}
