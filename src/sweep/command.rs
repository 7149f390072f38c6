//! The `[command]` table of a `scenario = "command"` sweep file, read into a
//! scenario like any built-in one: its parameters are the keys the grid and
//! `[params]` name, typed from their TOML values; its columns, environment,
//! argument vector and report are declared in the table. Every error names
//! the file, line and column, before anything runs.
//!
//! The scenario owns what it read: its names are owned strings where a
//! built-in scenario's are borrowed literals.

use std::borrow::Cow;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::error::{self, suggestion, Source, SweepError};
use crate::dataset::names::RESERVED_COLUMNS;
use crate::params::{ParamKind, ParamSpec};
use crate::scenario::command::{self, CommandSpec, Keep, Piece, Template, ABOUT, NAME};
use crate::scenario::contract::{Comparison, CurveSpec, Outcome, OutcomeKind, OutcomeSpec, ReportSpec};
use crate::scenario::spec::{no_check, Hooks, RunFn, Scenario};
use crate::value::{Better, ColumnSpec, ColumnType, Names, Text};

const KEYS: &[&str] = &[
    "argv",
    "env",
    "workdir",
    "keep_workdir",
    "timeout",
    "cpus_per_run",
    "max_output_mb",
    "summary",
    "generations",
    "report",
];

const REPORT_KEYS: &[&str] = &["headline", "compare", "baseline", "along", "horizon", "outcome", "step"];
const OUTCOME_KEYS: &[&str] = &["column", "time", "place", "event", "competing", "censored"];

/// The scenario a `command` sweep file declares, its runs using
/// `cpus_per_run` cores each (1 when not set).
pub fn scenario(src: &Source, top: &DeTable, sweep: &str) -> Result<Scenario, SweepError> {
    let Some(table_value) = top.get("command") else {
        return Err(src.error(
            "scenario `command` needs a [command] table with at least `argv` and [command.summary] columns",
        ));
    };
    let table = error::table(src, table_value, "[command]")?;
    known_keys(src, table, KEYS, "[command]")?;
    let params = infer_params(src, top)?;
    let params = params.as_slice();
    let argv_value = table.get("argv").ok_or_else(|| {
        src.error_at(Some(table_value.span()), "[command] needs `argv`, the program and its arguments")
    })?;
    let DeValue::Array(items) = argv_value.get_ref() else {
        return Err(src.error_at(Some(argv_value.span()), "`argv` must be a list of strings"));
    };
    if items.is_empty() {
        return Err(src.error_at(Some(argv_value.span()), "`argv` needs at least the program"));
    }
    let argv = items.iter().map(|item| template(src, item, params)).collect::<Result<Vec<_>, _>>()?;
    let summary = columns(src, table, "summary", params)?;
    if summary.is_empty() {
        return Err(
            src.error_at(Some(table_value.span()), "[command.summary] must declare at least one column")
        );
    }
    let generations = columns(src, table, "generations", params)?;
    let mut env = Vec::new();
    if let Some(value) = table.get("env") {
        for (key, item) in error::table(src, value, "[command.env]")?.iter() {
            env.push((key.get_ref().to_string(), template(src, item, params)?));
        }
    }
    let workdir = match table.get("workdir") {
        Some(value) => PathBuf::from(string(src, value, "workdir")?),
        None => std::env::temp_dir().join("avalanche-work"),
    };
    let keep = match table.get("keep_workdir") {
        None => Keep::Failed,
        Some(value) => match string(src, value, "keep_workdir")?.as_str() {
            "failed" => Keep::Failed,
            "always" => Keep::Always,
            "never" => Keep::Never,
            _ => {
                return Err(src.error_at(Some(value.span()), "`keep_workdir` is one of failed, always, never"))
            }
        },
    };
    let timeout = table.get("timeout").map(|v| number(src, v, "timeout", 1e-3, 1e7)).transpose()?;
    let cpus_per_run =
        table.get("cpus_per_run").map(|v| number(src, v, "cpus_per_run", 1.0, 4096.0)).transpose()?;
    if cpus_per_run.is_some_and(|c| c.fract() != 0.0) {
        return Err(src
            .error_at(table.get("cpus_per_run").map(|v| v.span()), "`cpus_per_run` must be a whole number"));
    }
    let max_output_mb =
        table.get("max_output_mb").map(|v| number(src, v, "max_output_mb", 1e-3, 1e6)).transpose()?;
    let report = report(src, table, params, &summary, &generations)?;
    let spec = CommandSpec {
        sweep: sweep.to_string(),
        argv,
        env,
        workdir,
        keep,
        timeout,
        cpus_per_run: cpus_per_run.map(|c| c as u32),
        max_output: (max_output_mb.unwrap_or(64.0) * 1e6) as u64,
        summary: summary.clone(),
        generations: generations.clone(),
    };
    let spec = Arc::new(spec);
    let run = RunFn::closure(move |params, _rng, deadline| command::run(&spec, params, deadline));
    Ok(Scenario {
        name: NAME,
        about: ABOUT,
        params: Cow::Owned(params.to_vec()),
        summary_columns: Cow::Owned(summary),
        generation_columns: Cow::Owned(generations),
        report,
        check: no_check,
        run,
        cores_per_run: cpus_per_run.map_or(1, |c| c as u32),
        hooks: Hooks {
            abandon: Some(command::end_all_programs),
            general_failure: Some(command::without_folder),
        },
    })
}

/// Each key the grid, `[params]`, `[[zip]]`, the top-level `generations` or
/// `[search]`'s `axis` sets, typed from its values: integers, floats (integers among floats are
/// floats), booleans, or strings (a choice among the strings given).
fn infer_params(src: &Source, top: &DeTable) -> Result<Vec<ParamSpec>, SweepError> {
    let mut found: Vec<(String, Range<usize>, Vec<Kind>)> = Vec::new();
    let mut add =
        |name: &str, span: Range<usize>, kinds: Vec<Kind>| match found.iter_mut().find(|f| f.0 == name) {
            Some(entry) => entry.2.extend(kinds),
            None => found.push((name.to_string(), span, kinds)),
        };
    if let Some(value) = top.get("generations") {
        add("generations", value.span(), vec![kind_of(value.get_ref())]);
    }
    if let Some(params) = top.get("params") {
        for (key, value) in error::table(src, params, "params")?.iter() {
            add(key.get_ref(), key.span(), vec![kind_of(value.get_ref())]);
        }
    }
    let mut axes = |table: &DeTable| {
        for (key, value) in table.iter() {
            add(key.get_ref(), key.span(), axis_kinds(value.get_ref()));
        }
    };
    if let Some(grid) = top.get("grid") {
        axes(error::table(src, grid, "grid")?);
    }
    if let Some(Spanned { .. }) = top.get("zip") {
        if let DeValue::Array(blocks) = top.get("zip").map(|z| z.get_ref()).expect("present") {
            for block in blocks {
                axes(error::table(src, block, "[[zip]]")?);
            }
        }
    }
    // A searched axis is set only by [search]: typed from its range.
    if let Some(DeValue::Table(search)) = top.get("search").map(|s| s.get_ref()) {
        if let (Some(axis), Some(range)) = (search.get("axis"), search.get("range")) {
            if let DeValue::String(name) = axis.get_ref() {
                add(name, axis.span(), axis_kinds(range.get_ref()));
            }
        }
    }
    found
        .into_iter()
        .map(|(name, span, kinds)| {
            if RESERVED_COLUMNS.contains(&name.as_str()) {
                return Err(src.error_at(
                    Some(span),
                    format!("`{name}` is a column the engine writes; name the parameter otherwise"),
                ));
            }
            let kind = unify(&kinds).ok_or_else(|| {
                src.error_at(
                    Some(span.clone()),
                    format!("`{name}` mixes value types; give it all numbers, all strings or all booleans"),
                )
            })?;
            Ok(ParamSpec {
                name: Cow::Owned(name),
                kind,
                default: None,
                doc: Cow::Borrowed("set by the sweep file"),
                matters_when: None,
                unhashed_at_default: false,
            })
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Int,
    Float,
    Bool,
    Str(String),
    Other,
}

fn kind_of(value: &DeValue) -> Kind {
    match value {
        DeValue::Integer(_) => Kind::Int,
        DeValue::Float(_) => Kind::Float,
        DeValue::Boolean(_) => Kind::Bool,
        DeValue::String(s) => Kind::Str(s.to_string()),
        _ => Kind::Other,
    }
}

/// The kinds of an axis's values: a list's elements, or a generated form
/// (`logspace` and `linspace` give floats, `range` integers unless given floats).
fn axis_kinds(value: &DeValue) -> Vec<Kind> {
    match value {
        DeValue::Array(items) => items.iter().map(|i| kind_of(i.get_ref())).collect(),
        DeValue::Table(table) if table.get("range").is_some() => {
            match table.get("range").map(|r| r.get_ref()) {
                Some(DeValue::Array(items)) => items.iter().map(|i| kind_of(i.get_ref())).collect(),
                _ => vec![Kind::Int],
            }
        }
        DeValue::Table(_) => vec![Kind::Float],
        other => vec![kind_of(other)],
    }
}

fn unify(kinds: &[Kind]) -> Option<ParamKind> {
    let all = |f: fn(&Kind) -> bool| kinds.iter().all(f);
    if all(|k| *k == Kind::Int) {
        Some(ParamKind::Int { min: i64::MIN, max: i64::MAX })
    } else if all(|k| matches!(k, Kind::Int | Kind::Float)) {
        Some(ParamKind::Float { min: f64::MIN, max: f64::MAX })
    } else if all(|k| *k == Kind::Bool) {
        Some(ParamKind::Bool)
    } else if all(|k| matches!(k, Kind::Str(_))) {
        let mut choices: Vec<Text> = Vec::new();
        for kind in kinds {
            if let Kind::Str(s) = kind {
                if !choices.iter().any(|c| c == s) {
                    choices.push(Cow::Owned(s.clone()));
                }
            }
        }
        Some(ParamKind::Choice(Names::Owned(choices)))
    } else {
        None
    }
}

/// `[command.summary]` or `[command.generations]`: `name = "float"` or
/// `name = { type = "float", label = "...", unit = "...", better = "higher" }`.
fn columns(
    src: &Source,
    table: &DeTable,
    key: &str,
    params: &[ParamSpec],
) -> Result<Vec<ColumnSpec>, SweepError> {
    let Some(value) = table.get(key) else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    for (name, declared) in error::table(src, value, &format!("[command.{key}]"))?.iter() {
        let column = name.get_ref().as_ref();
        if RESERVED_COLUMNS.contains(&column)
            || params.iter().any(|p| p.name == column)
            || out.iter().any(|c: &ColumnSpec| c.name == column)
        {
            return Err(src.error_at(
                Some(name.span()),
                format!("column `{column}` collides with an engine column, a parameter or another column"),
            ));
        }
        let (ty_value, facts) = match declared.get_ref() {
            DeValue::Table(facts) => (
                facts.get("type").ok_or_else(|| {
                    src.error_at(Some(declared.span()), format!("column `{column}` needs a `type`"))
                })?,
                Some(facts),
            ),
            _ => (declared, None),
        };
        let ty = match string(src, ty_value, "type")?.as_str() {
            "int" => ColumnType::Int,
            "float" => ColumnType::Float,
            "string" => ColumnType::Str,
            "bool" => ColumnType::Bool,
            _ => {
                return Err(
                    src.error_at(Some(ty_value.span()), "a column's type is one of int, float, string, bool")
                )
            }
        };
        let mut spec = ColumnSpec::new("", ty, "declared by the sweep file");
        spec.name = Cow::Owned(column.to_string());
        if let Some(facts) = facts {
            for (fact, value) in facts.iter() {
                match fact.get_ref().as_ref() {
                    "type" => {}
                    "label" => spec.label = Some(Cow::Owned(string(src, value, "label")?)),
                    "unit" => spec.unit = Some(Cow::Owned(string(src, value, "unit")?)),
                    "doc" => spec.doc = Cow::Owned(string(src, value, "doc")?),
                    "better" => {
                        spec.better = match string(src, value, "better")?.as_str() {
                            "higher" => Better::Higher,
                            "lower" => Better::Lower,
                            _ => {
                                return Err(
                                    src.error_at(Some(value.span()), "`better` is `higher` or `lower`")
                                )
                            }
                        }
                    }
                    other => {
                        return Err(src.error_at(
                            Some(fact.span()),
                            format!("unknown column key `{other}`; valid: type, label, unit, doc, better"),
                        ))
                    }
                }
            }
        }
        out.push(spec);
    }
    Ok(out)
}

/// `[command.report]`: the headline columns, the comparison and the horizon.
/// Every generations column is drawn by generation.
fn report(
    src: &Source,
    table: &DeTable,
    params: &[ParamSpec],
    summary: &[ColumnSpec],
    generations: &[ColumnSpec],
) -> Result<ReportSpec, SweepError> {
    let curves: Vec<CurveSpec> = generations
        .iter()
        .filter(|c| c.ty != ColumnType::Str)
        .map(|c| CurveSpec { column: c.name.clone(), ..CurveSpec::of("") })
        .collect();
    let mut spec = ReportSpec {
        headline: Names::Owned(summary.iter().map(|c| c.name.clone()).collect()),
        curves: Cow::Owned(curves),
        ..ReportSpec::EMPTY
    };
    let Some(value) = table.get("report") else { return Ok(spec) };
    let report = error::table(src, value, "[command.report]")?;
    let param = |key: &str| -> Result<Option<Text>, SweepError> {
        let Some(value) = report.get(key) else { return Ok(None) };
        let name = string(src, value, key)?;
        params.iter().find(|p| p.name == name).map(|p| Some(p.name.clone())).ok_or_else(|| {
            src.error_at(Some(value.span()), format!("`{key}` names `{name}`, which the sweep does not set"))
        })
    };
    known_keys(src, report, REPORT_KEYS, "[command.report]")?;
    if let Some(value) = report.get("headline") {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(src.error_at(Some(value.span()), "`headline` must be a list of summary columns"));
        };
        let mut names = Vec::new();
        for item in items {
            let name = string(src, item, "headline")?;
            let column = summary.iter().find(|c| c.name == name).ok_or_else(|| {
                src.error_at(Some(item.span()), format!("`{name}` is not a [command.summary] column"))
            })?;
            names.push(column.name.clone());
        }
        spec.headline = Names::Owned(names);
    }
    spec.horizon = param("horizon")?;
    if let Some(value) = report.get("step") {
        let step = string(src, value, "step")?;
        let plural = format!("{step}s");
        spec.step = (Cow::Owned(step), Cow::Owned(plural));
    }
    if let Some(parameter) = param("compare")? {
        let choices = match params.iter().find(|p| p.name == parameter).map(|p| &p.kind) {
            Some(ParamKind::Choice(choices)) => choices,
            _ => {
                return Err(src.error_at(
                    report.get("compare").map(|v| v.span()),
                    "`compare` must name a parameter whose values are strings",
                ))
            }
        };
        let baseline = match report.get("baseline") {
            Some(value) => {
                let name = string(src, value, "baseline")?;
                let index = choices.position(&name).ok_or_else(|| {
                    src.error_at(
                        Some(value.span()),
                        format!("`baseline` `{name}` is not one of {}", choices.join(", ")),
                    )
                })?;
                choices.text(index).expect("found")
            }
            None => choices.text(0).expect("a choice parameter has a value"),
        };
        spec.comparison = Some(Comparison { parameter, baseline, along: param("along")? });
    }
    if let Some(value) = report.get("outcome") {
        spec.outcome = Some(outcome(src, error::table(src, value, "[command.report.outcome]")?, summary)?);
    }
    Ok(spec)
}

/// `outcome = { column = "end_reason", time = "rounds", event = "collapsed",
/// competing = ["stalled"], censored = ["round_limit"], place = "reach" }`:
/// how a run ended, for the report's outcome table and bars.
fn outcome(src: &Source, table: &DeTable, summary: &[ColumnSpec]) -> Result<OutcomeSpec, SweepError> {
    known_keys(src, table, OUTCOME_KEYS, "the outcome")?;
    let column = |key: &str, ty: &[ColumnType]| -> Result<Option<Text>, SweepError> {
        let Some(value) = table.get(key) else { return Ok(None) };
        let name = string(src, value, key)?;
        match summary.iter().find(|c| c.name == name) {
            Some(c) if ty.contains(&c.ty) => Ok(Some(c.name.clone())),
            _ => Err(src.error_at(
                Some(value.span()),
                format!(
                    "`{key}` must name a [command.summary] column of type {}",
                    ty.iter().map(|t| t.name()).collect::<Vec<_>>().join(" or ")
                ),
            )),
        }
    };
    let required = |key: &str, found: Option<Text>| {
        found.ok_or_else(|| src.error(format!("the outcome in [command.report] needs `{key}`")))
    };
    let name = required("column", column("column", &[ColumnType::Str])?)?;
    let time = required("time", column("time", &[ColumnType::Int, ColumnType::Float])?)?;
    let place = column("place", &[ColumnType::Int, ColumnType::Float])?;
    let mut outcomes = Vec::new();
    for (key, kind) in [
        ("event", OutcomeKind::Event),
        ("competing", OutcomeKind::Competing),
        ("censored", OutcomeKind::Censored),
    ] {
        let Some(value) = table.get(key) else { continue };
        let values: Vec<String> = match value.get_ref() {
            DeValue::String(s) => vec![s.to_string()],
            DeValue::Array(items) => items.iter().map(|i| string(src, i, key)).collect::<Result<_, _>>()?,
            _ => {
                return Err(
                    src.error_at(Some(value.span()), format!("`{key}` is a string or a list of strings"))
                )
            }
        };
        if kind == OutcomeKind::Event && values.len() != 1 {
            return Err(src.error_at(Some(value.span()), "`event` names the one outcome the report times"));
        }
        for v in values {
            let phrase = Cow::Owned(format!("ended `{v}`"));
            outcomes.push(Outcome { value: Cow::Owned(v), phrase, kind });
        }
    }
    if outcomes.is_empty() {
        return Err(
            src.error("the outcome in [command.report] needs `event`, `competing` or `censored` values")
        );
    }
    Ok(OutcomeSpec { column: name, outcomes: Cow::Owned(outcomes), time, place })
}

/// Refuses a key of `table` that is not one of `keys`, suggesting the closest.
fn known_keys(src: &Source, table: &DeTable, keys: &[&str], place: &str) -> Result<(), SweepError> {
    for (key, _) in table.iter() {
        let k = key.get_ref().as_ref();
        if !keys.contains(&k) {
            return Err(src.error_at(
                Some(key.span()),
                format!(
                    "unknown key `{k}` in {place}; {}valid keys: {}",
                    suggestion(k, keys.iter().copied()),
                    keys.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn template(src: &Source, value: &Spanned<DeValue>, params: &[ParamSpec]) -> Result<Template, SweepError> {
    let text = match value.get_ref() {
        DeValue::String(s) => s.to_string(),
        DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) => {
            return Err(src.error_at(Some(value.span()), "arguments are strings: quote this value"))
        }
        _ => return Err(src.error_at(Some(value.span()), "arguments are strings")),
    };
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = text.as_str();
    while let Some(open) = rest.find(['{', '}']) {
        literal.push_str(&rest[..open]);
        let bracket = &rest[open..];
        if bracket.starts_with("{{") || bracket.starts_with("}}") {
            literal.push_str(&bracket[..1]);
            rest = &bracket[2..];
            continue;
        }
        let Some(close) = bracket.find('}').filter(|_| bracket.starts_with('{')) else {
            return Err(src.error_at(
                Some(value.span()),
                format!("unmatched brace in `{text}`; write {{{{ or }}}} for a literal one"),
            ));
        };
        let name = &bracket[1..close];
        let piece = match name {
            // The folder avalanche was started from, so that a sweep file
            // can name a script by a path relative to it although each run
            // works in a folder of its own.
            "here" => Piece::Text(
                std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_else(|_| ".".into()),
            ),
            "seed" => Piece::Seed,
            "run_id" => Piece::RunId,
            "replicate" => Piece::Replicate,
            _ => match params.iter().position(|p| p.name == name) {
                Some(index) => Piece::Param(index),
                None => {
                    let known =
                        params.iter().map(|p| p.name.as_ref()).chain(["seed", "run_id", "replicate", "here"]);
                    return Err(src.error_at(
                        Some(value.span()),
                        format!(
                            "unknown placeholder `{{{name}}}`; {}known: {}",
                            suggestion(name, known.clone()),
                            known.collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
            },
        };
        if !literal.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut literal)));
        }
        pieces.push(piece);
        rest = &bracket[close + 1..];
    }
    literal.push_str(rest);
    if !literal.is_empty() || pieces.is_empty() {
        pieces.push(Piece::Text(literal));
    }
    Ok(pieces)
}

fn string(src: &Source, value: &Spanned<DeValue>, key: &str) -> Result<String, SweepError> {
    match value.get_ref() {
        DeValue::String(s) => Ok(s.to_string()),
        _ => Err(src.error_at(Some(value.span()), format!("`{key}` must be a string"))),
    }
}

fn number(src: &Source, value: &Spanned<DeValue>, key: &str, min: f64, max: f64) -> Result<f64, SweepError> {
    let parsed = match value.get_ref() {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|v| v as f64),
        DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
        _ => None,
    };
    parsed.filter(|v| v.is_finite() && *v >= min && *v <= max).ok_or_else(|| {
        src.error_at(Some(value.span()), format!("`{key}` must be a number in [{min}, {max}]"))
    })
}
