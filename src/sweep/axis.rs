//! Reading parameter values and axes from TOML: scalars, lists, and the
//! generated forms `logspace`, `linspace` and `range`.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::error::{suggestion, Source, SweepError};
use super::validate::check_value;
use crate::params::{ParamKind, ParamSpec};
use crate::value::Value;

/// The generated axis forms, for messages.
const GENERATORS: &[&str] = &["logspace", "linspace", "range"];

fn type_name(value: &DeValue) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

fn as_i64(value: &DeValue) -> Option<i64> {
    match value {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
        _ => None,
    }
}

/// A float literal with no fractional part, as an integer.
fn whole(value: &DeValue) -> Option<i64> {
    match value {
        DeValue::Float(_) => as_f64(value).filter(|v| v.fract() == 0.0 && v.abs() < 9.2e18).map(|v| v as i64),
        _ => None,
    }
}

fn as_f64(value: &DeValue) -> Option<f64> {
    match value {
        DeValue::Integer(_) => as_i64(value).map(|v| v as f64),
        DeValue::Float(f) => f.as_str().parse().ok(),
        _ => None,
    }
}

/// One value of parameter `spec`, converted to its declared type and
/// checked against its range.
pub fn scalar(src: &Source, spec: &ParamSpec, value: &Spanned<DeValue>) -> Result<Value, SweepError> {
    let raw = value.get_ref();
    let converted = match &spec.kind {
        // A whole number is an integer however it is written (2 or 2.0);
        // a fraction is refused rather than silently rounded.
        ParamKind::Int { .. } => as_i64(raw).or_else(|| whole(raw)).map(Value::Int),
        ParamKind::Float { .. } => as_f64(raw).map(Value::Float),
        ParamKind::Bool => match raw {
            DeValue::Boolean(b) => Some(Value::Bool(*b)),
            _ => None,
        },
        ParamKind::Choice(choices) => match raw {
            DeValue::String(s) => match choices.position(s) {
                Some(index) => Some(Value::Str(choices.text(index).expect("found"))),
                None => {
                    return Err(src.error_at(
                        Some(value.span()),
                        format!(
                            "`{}` has no choice {:?}; {}valid choices: {}",
                            spec.name,
                            s.as_ref(),
                            suggestion(s, choices.iter()),
                            choices.join(", ")
                        ),
                    ))
                }
            },
            _ => None,
        },
    };
    let converted = converted.ok_or_else(|| {
        src.error_at(
            Some(value.span()),
            match raw {
                DeValue::Float(f) => format!(
                    "`{}` must be {}, found {} (not a whole number)",
                    spec.name,
                    spec.type_description(),
                    f.as_str()
                ),
                _ => format!("`{}` must be {}, found {}", spec.name, spec.type_description(), type_name(raw)),
            },
        )
    })?;
    check_value(spec, &converted).map_err(|message| src.error_at(Some(value.span()), message))?;
    Ok(converted)
}

/// The values of an axis: a list, or a generated form, each value once.
/// `max_len` bounds generated axes: one longer than the run limit could
/// never be run, and generating it first would only waste memory.
pub fn axis(
    src: &Source,
    spec: &ParamSpec,
    value: &Spanned<DeValue>,
    max_len: u64,
) -> Result<Vec<Value>, SweepError> {
    let values = axis_values(src, spec, value, max_len)?;
    if let Some(duplicate) = values.iter().enumerate().find(|(i, v)| values[..*i].contains(v)) {
        return Err(src.error_at(
            Some(value.span()),
            match (&spec.kind, value.get_ref()) {
                (ParamKind::Int { .. }, DeValue::Table(_)) => format!(
                    "axis `{}` repeats the value {} once its generated values are rounded to integers; \
                     ask for fewer values",
                    spec.name, duplicate.1
                ),
                _ => format!("axis `{}` repeats the value {}", spec.name, duplicate.1),
            },
        ));
    }
    Ok(values)
}

/// The values of an axis, repeats allowed: a list in a `[[zip]]` block may
/// repeat a value as long as the zipped tuples differ (checked there).
pub fn axis_values(
    src: &Source,
    spec: &ParamSpec,
    value: &Spanned<DeValue>,
    max_len: u64,
) -> Result<Vec<Value>, SweepError> {
    let values = match value.get_ref() {
        DeValue::Array(items) => {
            items.iter().map(|item| scalar(src, spec, item)).collect::<Result<_, _>>()?
        }
        DeValue::Table(table) => generated(src, spec, table, value, max_len.min(usize::MAX as u64) as usize)?,
        other => {
            return Err(src.error_at(
                Some(value.span()),
                format!(
                    "axis `{}` must be a list or one of {{ logspace | linspace | range = ... }}, found {}; \
                     put fixed values in [params]",
                    spec.name,
                    type_name(other)
                ),
            ))
        }
    };
    if values.is_empty() {
        return Err(src.error_at(Some(value.span()), format!("axis `{}` is empty", spec.name)));
    }
    Ok(values)
}

fn number(src: &Source, key: &str, value: &Spanned<DeValue>) -> Result<f64, SweepError> {
    as_f64(value.get_ref()).filter(|v| v.is_finite()).ok_or_else(|| {
        src.error_at(
            Some(value.span()),
            format!("`{key}` needs finite numbers, found {}", type_name(value.get_ref())),
        )
    })
}

/// The two or three numbers of a generator, e.g. `logspace = [1e-3, 1e-1]`.
fn bounds(src: &Source, key: &str, value: &Spanned<DeValue>, n: usize) -> Result<Vec<f64>, SweepError> {
    match value.get_ref() {
        DeValue::Array(items) if items.len() == n => {
            items.iter().map(|item| number(src, key, item)).collect()
        }
        _ => Err(src.error_at(Some(value.span()), format!("`{key}` takes a list of {n} numbers"))),
    }
}

fn generated(
    src: &Source,
    spec: &ParamSpec,
    table: &DeTable,
    whole: &Spanned<DeValue>,
    max_len: usize,
) -> Result<Vec<Value>, SweepError> {
    let mut generator = None;
    let mut num = None;
    for (key, value) in table.iter() {
        match key.get_ref().as_ref() {
            "num" => num = Some(value),
            k if GENERATORS.contains(&k) && generator.is_none() => generator = Some((k, value)),
            k => {
                return Err(src.error_at(
                    Some(key.span()),
                    format!(
                        "unknown key `{k}` in axis `{}`; {}an axis table takes one of {} (with `num` for \
                         logspace and linspace)",
                        spec.name,
                        suggestion(k, GENERATORS.iter().copied().chain(["num"])),
                        GENERATORS.join(", ")
                    ),
                ))
            }
        }
    }
    let Some((kind, value)) = generator else {
        return Err(src.error_at(
            Some(whole.span()),
            format!("axis `{}` needs one of {}", spec.name, GENERATORS.join(", ")),
        ));
    };
    let count = |needed: bool| -> Result<usize, SweepError> {
        match (needed, num) {
            (true, Some(n)) => match as_i64(n.get_ref()) {
                Some(k) if k >= 1 && k as u64 <= max_len as u64 => Ok(k as usize),
                Some(k) if k >= 1 => Err(src.error_at(
                    Some(n.span()),
                    format!("`num` = {k} gives more values than the run limit of {max_len} (--max-runs)"),
                )),
                _ => Err(src.error_at(Some(n.span()), "`num` must be a whole number, at least 1")),
            },
            (true, None) => Err(src.error_at(Some(whole.span()), format!("`{kind}` needs `num`"))),
            (false, Some(n)) => {
                Err(src.error_at(Some(n.span()), "`range` takes no `num`; its step sets the count"))
            }
            (false, None) => Ok(0),
        }
    };
    // Float values are rounded as written; integer ones are rounded to
    // integers below (12 digits would merge large neighbouring integers).
    let float = matches!(spec.kind, ParamKind::Float { .. });
    let written = |x: f64| if float { as_written(x) } else { x };
    let numbers: Vec<f64> = match kind {
        "logspace" => {
            let [a, b] = bounds(src, kind, value, 2)?[..] else { unreachable!() };
            if a <= 0.0 || b <= 0.0 {
                return Err(src.error_at(Some(value.span()), "`logspace` bounds must be positive"));
            }
            let n = count(true)?;
            // Exponents are interpolated in base 10 from both ends, so that
            // whole decades come out as whole decades.
            let (la, lb) = (a.log10(), b.log10());
            spaced(a, b, n, |i, last| written(10f64.powf((la * (last - i) + lb * i) / last)))
        }
        "linspace" => {
            let [a, b] = bounds(src, kind, value, 2)?[..] else { unreachable!() };
            let n = count(true)?;
            spaced(a, b, n, |i, last| written((a * (last - i) + b * i) / last))
        }
        _ => {
            let [start, stop, step] = bounds(src, kind, value, 3)?[..] else { unreachable!() };
            count(false)?;
            // Rounding a fractional range's values could bring back the stop
            // it excludes (`[10, 11, 0.5]` would give 10 and 11).
            let integer = matches!(spec.kind, ParamKind::Int { .. });
            if integer && [start, stop, step].iter().any(|x| x.fract() != 0.0) {
                return Err(src.error_at(
                    Some(value.span()),
                    format!(
                        "`{}` is an integer: its `range` needs whole-number start, stop and step \
                         (for fractional spacing use `linspace`, whose values are rounded)",
                        spec.name
                    ),
                ));
            }
            if step == 0.0 || (stop - start) / step > max_len as f64 {
                return Err(src.error_at(
                    Some(value.span()),
                    format!("`range` step must be non-zero and give at most {max_len} values (the run limit, --max-runs)"),
                ));
            }
            // Python's convention: stop is excluded. The small slack keeps
            // 0.1-steps from gaining or losing an end point to rounding.
            let n = ((stop - start) / step - 1e-9).ceil().max(0.0) as usize;
            (0..n).map(|i| if i == 0 { start } else { written(start + step * i as f64) }).collect()
        }
    };
    numbers
        .into_iter()
        .map(|x| {
            let v = match &spec.kind {
                // Computed values are rounded to what a person would write:
                // integers for integer parameters (see `as_written` for floats).
                ParamKind::Int { .. } => Value::Int(x.round() as i64),
                ParamKind::Float { .. } => Value::Float(x),
                _ => {
                    return Err(src.error_at(
                        Some(value.span()),
                        format!("`{kind}` makes numbers, but `{}` is {}", spec.name, spec.type_description()),
                    ))
                }
            };
            check_value(spec, &v).map_err(|message| src.error_at(Some(value.span()), message))?;
            Ok(v)
        })
        .collect()
}

/// Significant digits kept of a computed axis value. Twelve is far beyond
/// any precision a sweep needs and far above the few ulps of error in the
/// arithmetic, so `{ logspace = [1e-3, 1e-1], num = 3 }` gives exactly the
/// floats `0.001, 0.01, 0.1` that a query `WHERE noise_rate = 0.01` matches.
const SIGNIFICANT_DIGITS: usize = 12;

/// `x` rounded to `SIGNIFICANT_DIGITS` (12) significant digits, through its decimal text: the
/// nearest float to a short decimal, as if the user had typed it.
pub fn as_written(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.prec$e}", prec = SIGNIFICANT_DIGITS - 1).parse().unwrap_or(x)
}

/// `n` values from `a` to `b`: the ends exactly as written, the points
/// between from `at(i, n - 1)`.
fn spaced(a: f64, b: f64, n: usize, at: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    let last = n.saturating_sub(1);
    (0..n)
        .map(|i| match i {
            0 => a,
            i if i == last => b,
            i => at(i as f64, last as f64),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::as_written;

    #[test]
    fn computed_floats_round_to_the_decimal_a_person_types() {
        // 0.1 + 0.2 is 0.30000000000000004 in binary arithmetic.
        assert_eq!(as_written(0.1 + 0.2), 0.3);
        assert_eq!(as_written(10f64.powf(-2.0000000000000004)), 0.01);
        assert_eq!(as_written(-1.0 / 3.0), -0.333333333333);
    }
}
