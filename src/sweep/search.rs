//! Reading `[search]`: which numeric axis is searched, over which range,
//! for the crossing of which event's probability, to what precision and
//! with how many runs at most. Every error names the file, line and column.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::error::{line_column, suggestion, Source, SweepError};
use crate::params::ParamKind;
use crate::scenario::Scenario;
use crate::search::{Event, Observed, Search, Test};
use crate::value::{ColumnType, NullMeaning};

const KEYS: &[&str] = &["axis", "range", "event", "level", "tolerance", "max_runs"];
const EVENT_KEYS: &[&str] = &["column", "equals", "below", "above"];

/// The `[search]` table, or `None` when the file has none. `set` says
/// where each parameter was already set (fixed or swept), by byte span.
pub fn search(
    src: &Source,
    top: &DeTable,
    scenario: &Scenario,
    set: &[Option<Range<usize>>],
    replicates: u64,
) -> Result<Option<(Search, Range<usize>)>, SweepError> {
    let Some(value) = top.get("search") else { return Ok(None) };
    let DeValue::Table(table) = value.get_ref() else {
        return Err(src.error_at(Some(value.span()), "`search` must be a table: [search]"));
    };
    for (key, _) in table.iter() {
        let k = key.get_ref().as_ref();
        if !KEYS.contains(&k) {
            return Err(src.error_at(
                Some(key.span()),
                format!(
                    "unknown key `{k}` in [search]; {}valid keys: {}",
                    suggestion(k, KEYS.iter().copied()),
                    KEYS.join(", ")
                ),
            ));
        }
    }
    let need = |key: &str| {
        table.get(key).ok_or_else(|| src.error_at(Some(value.span()), format!("[search] needs `{key}`")))
    };
    let axis = need("axis")?;
    let DeValue::String(name) = axis.get_ref() else {
        return Err(src.error_at(Some(axis.span()), "`axis` in [search] names a parameter, as a string"));
    };
    let Some(param) = scenario.params.iter().position(|p| p.name == name.as_ref()) else {
        return Err(src.error_at(
            Some(axis.span()),
            format!(
                "`axis` = {:?} is not a parameter of scenario `{}`; {}",
                name.as_ref(),
                scenario.name,
                suggestion(name, scenario.params.iter().map(|p| p.name.as_ref()))
            ),
        ));
    };
    let spec = &scenario.params[param];
    if let Some(previous) = &set[param] {
        let (line, _) = line_column(src.text, previous.start);
        return Err(src.error_at(
            Some(axis.span()),
            format!(
                "`{}` is searched, so it cannot also be set at line {line} ([grid], [[zip]] or [params])",
                spec.name
            ),
        ));
    }
    let (min, max, integer) = match spec.kind {
        ParamKind::Int { min, max } => (min as f64, max as f64, true),
        ParamKind::Float { min, max } => (min, max, false),
        _ => {
            return Err(src.error_at(
                Some(axis.span()),
                format!(
                    "`{}` is {}: only a numeric parameter can be searched",
                    spec.name,
                    spec.type_description()
                ),
            ))
        }
    };
    let range = need("range")?;
    let ends = match range.get_ref() {
        DeValue::Array(items) if items.len() == 2 => {
            items.iter().map(|i| number(i.get_ref())).collect::<Option<Vec<_>>>()
        }
        _ => None,
    };
    let (lo, hi) = match ends.as_deref() {
        Some(&[lo, hi]) if lo < hi => (lo, hi),
        _ => {
            return Err(
                src.error_at(Some(range.span()), "`range` takes two numbers [start, end], start below end")
            )
        }
    };
    if lo < min || hi > max {
        return Err(src.error_at(
            Some(range.span()),
            format!("`range` [{lo}, {hi}] leaves `{}`'s admissible range [{min}, {max}]", spec.name),
        ));
    }
    if integer && (lo.fract() != 0.0 || hi.fract() != 0.0) {
        return Err(src.error_at(
            Some(range.span()),
            format!("`{}` is an integer: `range` needs whole numbers", spec.name),
        ));
    }
    let level = optional_number(src, table, "level", 0.5)?;
    if !(level > 0.0 && level < 1.0) {
        return Err(src.error_at(span(table, "level"), "`level` is a probability strictly between 0 and 1"));
    }
    let tolerance = number_of(src, need("tolerance")?, "tolerance")?;
    let floor = if integer { 1.0 } else { 0.0 };
    if !(tolerance > 0.0 && tolerance >= floor && tolerance < hi - lo) {
        return Err(src.error_at(
            span(table, "tolerance"),
            format!(
                "`tolerance` (the widest 95% interval accepted, in `{}`'s units) must be above 0{} and below the range's width {}",
                spec.name,
                if integer { ", at least 1 for an integer axis," } else { "" },
                hi - lo
            ),
        ));
    }
    let max_runs = need("max_runs")?;
    let max_runs_value = match max_runs.get_ref() {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().filter(|&v| v > 0),
        _ => None,
    };
    let Some(max_runs_value) = max_runs_value.map(|v| v as u64).filter(|&v| v >= 3 * replicates) else {
        return Err(src.error_at(
            Some(max_runs.span()),
            format!(
                "`max_runs` (runs per point of the other axes) must be an integer of at least 3 probes of \
                 `replicates` runs: {}",
                3 * replicates
            ),
        ));
    };
    let event = event(src, need("event")?, scenario)?;
    let search = Search {
        param,
        name: spec.name.clone(),
        range: (lo, hi),
        integer,
        event,
        level,
        tolerance,
        max_runs: max_runs_value,
    };
    Ok(Some((search, axis.span())))
}

fn event(src: &Source, value: &Spanned<DeValue>, scenario: &Scenario) -> Result<Event, SweepError> {
    let form = "`event` is { column = \"...\", equals = ... } or { column = \"...\", below = x } or { ..., above = x }";
    let DeValue::Table(table) = value.get_ref() else { return Err(src.error_at(Some(value.span()), form)) };
    for (key, _) in table.iter() {
        let k = key.get_ref().as_ref();
        if !EVENT_KEYS.contains(&k) {
            return Err(src.error_at(
                Some(key.span()),
                format!("unknown key `{k}` in `event`; {}{form}", suggestion(k, EVENT_KEYS.iter().copied())),
            ));
        }
    }
    let Some(DeValue::String(name)) = table.get("column").map(|c| c.get_ref()) else {
        return Err(
            src.error_at(Some(value.span()), format!("`event` needs `column`, a run column's name; {form}"))
        );
    };
    let columns = &scenario.summary_columns;
    let Some(column) = columns.iter().find(|c| c.name == name.as_ref()) else {
        return Err(src.error_at(
            span(table, "column"),
            format!(
                "`{}` is not a run column of scenario `{}`; {}run columns: {}",
                name.as_ref(),
                scenario.name,
                suggestion(name, columns.iter().map(|c| c.name.as_ref())),
                columns.iter().map(|c| c.name.as_ref()).collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    let tests: Vec<&str> =
        ["equals", "below", "above"].into_iter().filter(|k| table.contains_key(*k)).collect();
    let [test] = tests[..] else {
        return Err(src.error_at(
            Some(value.span()),
            format!("`event` takes exactly one of equals, below, above; {form}"),
        ));
    };
    let given = table.get(test).expect("present");
    let numeric = matches!(column.ty, ColumnType::Int | ColumnType::Float);
    let test = match (test, given.get_ref()) {
        ("equals", DeValue::String(s)) if column.ty == ColumnType::Str => Test::Equals(Observed::Text(s.to_string())),
        ("equals", DeValue::Boolean(b)) if column.ty == ColumnType::Bool => Test::Equals(Observed::Bool(*b)),
        ("equals", v) if numeric && number(v).is_some() => Test::Equals(Observed::Number(number(v).expect("checked"))),
        ("below", v) if numeric && number(v).is_some() => Test::Below(number(v).expect("checked")),
        ("above", v) if numeric && number(v).is_some() => Test::Above(number(v).expect("checked")),
        _ => {
            return Err(src.error_at(
                Some(given.span()),
                format!(
                    "`{test}` does not fit column `{}`, which holds {} values (below and above need a numeric column \
                     and a number; equals a value of the column's type)",
                    column.name,
                    column.ty.name()
                ),
            ))
        }
    };
    Ok(Event {
        column: column.name.clone(),
        test,
        null_is_lowest: column.nulls == NullMeaning::NothingAchieved,
    })
}

fn span(table: &DeTable, key: &str) -> Option<Range<usize>> {
    table.get(key).map(|v| v.span())
}

fn number(value: &DeValue) -> Option<f64> {
    match value {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|v| v as f64),
        DeValue::Float(f) => f.as_str().parse::<f64>().ok().filter(|v| v.is_finite()),
        _ => None,
    }
}

fn number_of(src: &Source, value: &Spanned<DeValue>, key: &str) -> Result<f64, SweepError> {
    number(value.get_ref())
        .ok_or_else(|| src.error_at(Some(value.span()), format!("`{key}` must be a number")))
}

fn optional_number(src: &Source, table: &DeTable, key: &str, default: f64) -> Result<f64, SweepError> {
    table.get(key).map_or(Ok(default), |v| number_of(src, v, key))
}
