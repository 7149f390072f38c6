//! From sweep-file text to a validated [`Sweep`].

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::axis::{axis, axis_values, scalar};
use super::error::{line_column, suggestion, table, Source, SweepError};
use super::parsed::{Factor, Origin, Sweep};
use crate::params::{ParamSpec, Params};
use crate::scenario::registry::{self, Declared};
use crate::scenario::Scenario;

const TOP_LEVEL_KEYS: &[&str] = &[
    "name",
    "scenario",
    "seed",
    "replicates",
    "generations",
    "description",
    "grid",
    "params",
    "zip",
    "command",
    "search",
    crate::dataset::names::PAIRED,
];

/// Parses and validates sweep text; `path` is only used in messages and
/// recorded in the result.
pub fn parse(path: &Path, text: &str, max_runs: u64) -> Result<Sweep, SweepError> {
    let file = path.display().to_string();
    let src = Source { file: &file, text };
    let document = DeTable::parse(text)
        .map_err(|e| src.error_at(e.span(), format!("invalid TOML: {}", e.message().trim_end())))?;
    let top = document.get_ref();

    for (key, _) in top.iter() {
        let k = key.get_ref().as_ref();
        if !TOP_LEVEL_KEYS.contains(&k) {
            if let Some(scenario) = named_scenario(top).filter(|s| s.params.iter().any(|p| p.name == k)) {
                return Err(src.error_at(
                    Some(key.span()),
                    format!(
                        "`{k}` is a parameter of scenario `{}`: put it under [params] to fix its value, or \
                         under [grid] to sweep it (only `generations` may stand at the top level)",
                        scenario.name
                    ),
                ));
            }
            return Err(src.error_at(
                Some(key.span()),
                format!(
                    "unknown key `{k}`; {}valid top-level keys: {}",
                    suggestion(k, TOP_LEVEL_KEYS.iter().copied()),
                    TOP_LEVEL_KEYS.join(", ")
                ),
            ));
        }
    }

    let name = required_string(&src, top, "name")?;
    if name.1.is_empty()
        || name.1.starts_with('.')
        || !name.1.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(src.error_at(
            Some(name.0),
            "`name` names the output folder: use letters, digits, `-`, `_` and `.` (not first)",
        ));
    }
    let (scenario_span, scenario_name) = required_string(&src, top, "scenario")?;
    // A table declaring a scenario belongs to that scenario's sweeps only.
    for known in registry::registry() {
        if let Declared::BySweep(by_sweep) = &known.declared {
            if known.name == scenario_name {
                continue;
            }
            if let Some((key, _)) = top.iter().find(|(k, _)| k.get_ref() == by_sweep.table) {
                return Err(src.error_at(
                    Some(key.span()),
                    format!(
                        "[{}] declares {} for `scenario = \"{}\"` only",
                        by_sweep.table, by_sweep.declares, known.name
                    ),
                ));
            }
        }
    }
    let scenario: Arc<Scenario> = match registry::known(&scenario_name).map(|k| &k.declared) {
        Some(Declared::InCode(scenario)) => Arc::clone(scenario),
        Some(Declared::BySweep(by_sweep)) => Arc::new((by_sweep.build)(&src, top, &name.1)?),
        None => {
            let names = registry::names();
            return Err(src.error_at(
                Some(scenario_span),
                format!(
                    "unknown scenario `{scenario_name}`; {}known scenarios: {}",
                    suggestion(&scenario_name, names.clone()),
                    names.collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    };
    let seed = required_int(&src, top, "seed", 0, i64::MAX)? as u64;
    let replicates = required_int(&src, top, "replicates", 1, i64::MAX)? as u64;
    if let Some(description) = top.get("description") {
        if !matches!(description.get_ref(), DeValue::String(_)) {
            return Err(src.error_at(Some(description.span()), "`description` must be a string"));
        }
    }

    let mut builder = Builder::new(&src, Arc::clone(&scenario));
    if let Some(generations) = top.get("generations") {
        let key = top.iter().find(|(k, _)| k.get_ref() == "generations").map(|(k, _)| k).expect("present");
        builder.fixed(key, generations, "the top level")?;
    }
    if let Some(params) = top.get("params") {
        for (key, value) in table(&src, params, "params")?.iter() {
            builder.fixed(key, value, "[params]")?;
        }
    }
    if let Some(grid) = top.get("grid") {
        for (key, value) in table(&src, grid, "grid")?.iter() {
            let index = builder.param(key, "[grid]")?;
            let values = axis(&src, &scenario.params[index], value, max_runs)?;
            builder.factors.push(Factor { params: vec![index], values: vec![values], zipped: false });
        }
    }
    if let Some(zips) = top.get("zip") {
        let DeValue::Array(blocks) = zips.get_ref() else {
            return Err(src.error_at(Some(zips.span()), "`zip` must be written as [[zip]] blocks"));
        };
        for block in blocks {
            builder.zip(table(&src, block, "[[zip]]")?, block.span(), max_runs)?;
        }
    }

    let search = super::search::search(&src, top, &scenario, &builder.spans, replicates)?;
    if let Some((search, span)) = &search {
        let p = search.param;
        builder.base[p] = match search.integer {
            true => crate::value::Value::Int(search.range.0 as i64),
            false => crate::value::Value::Float(search.range.0),
        };
        builder.origins[p] = Origin::Axis { line: line_column(text, span.start).0 };
        builder.spans[p] = Some(span.clone());
    }
    let per_point = search.as_ref().map_or(replicates, |(s, _)| s.worst_case_runs(replicates));
    let points = builder.factors.iter().try_fold(1u64, |acc, f| acc.checked_mul(f.len() as u64));
    let runs = points.and_then(|p| p.checked_mul(per_point));
    match runs {
        Some(runs) if runs <= max_runs => {}
        _ => {
            return Err(src.error(format!(
                "the sweep expands to {} runs, more than the limit of {max_runs}; \
                 shrink the grid or raise --max-runs",
                runs.map_or("more than 2^64".to_string(), |r| r.to_string())
            )))
        }
    }

    let paired = super::paired::axes(&src, top, &scenario, &builder.factors)?;
    let cores_per_run = scenario.cores_per_run;
    let mut sweep = Sweep {
        file: path.to_path_buf(),
        text: text.to_string(),
        name: name.1,
        scenario,
        seed,
        replicates,
        base: builder.base,
        origins: builder.origins,
        paired,
        factors: builder.factors,
        by_name: Vec::new(),
        cores_per_run,
        search: search.map(|(s, _)| s),
    };
    sweep.set_canonical_order();
    check_points(&src, &sweep, &builder.spans)?;
    Ok(sweep)
}

/// Collects fixed values and axes, refusing a parameter set twice.
struct Builder<'a> {
    src: &'a Source<'a>,
    scenario: Arc<Scenario>,
    base: Vec<crate::value::Value>,
    origins: Vec<Origin>,
    spans: Vec<Option<Range<usize>>>,
    factors: Vec<Factor>,
}

impl<'a> Builder<'a> {
    fn new(src: &'a Source<'a>, scenario: Arc<Scenario>) -> Self {
        let n = scenario.params.len();
        // Required parameters without a default get a placeholder that
        // `check_required` replaces or reports.
        let base = scenario
            .params
            .iter()
            .map(|p| p.default.clone().unwrap_or(crate::value::Value::Int(0)))
            .collect();
        Builder {
            src,
            scenario,
            base,
            origins: vec![Origin::Default; n],
            spans: vec![None; n],
            factors: Vec::new(),
        }
    }

    /// The index of the parameter named by `key`, refusing unknown names and
    /// names already set elsewhere.
    fn param(&mut self, key: &Spanned<std::borrow::Cow<str>>, place: &str) -> Result<usize, SweepError> {
        let name = key.get_ref().as_ref();
        let specs: &[ParamSpec] = &self.scenario.params;
        let Some(index) = specs.iter().position(|p| p.name == name) else {
            return Err(self.src.error_at(
                Some(key.span()),
                format!(
                    "unknown parameter `{name}` in {place} for scenario `{}`; {}valid parameters: {}",
                    self.scenario.name,
                    suggestion(name, specs.iter().map(|p| p.name.as_ref())),
                    specs.iter().map(|p| p.name.as_ref()).collect::<Vec<_>>().join(", ")
                ),
            ));
        };
        if let Some(previous) = &self.spans[index] {
            let (line, _) = line_column(self.src.text, previous.start);
            return Err(self
                .src
                .error_at(Some(key.span()), format!("`{name}` is set twice (first at line {line})")));
        }
        let line = line_column(self.src.text, key.span().start).0;
        self.spans[index] = Some(key.span());
        self.origins[index] = if place == "[params]" || place == "the top level" {
            Origin::Fixed { line }
        } else {
            Origin::Axis { line }
        };
        Ok(index)
    }

    fn fixed(
        &mut self,
        key: &Spanned<std::borrow::Cow<str>>,
        value: &Spanned<DeValue>,
        place: &str,
    ) -> Result<(), SweepError> {
        let index = self.param(key, place)?;
        if matches!(value.get_ref(), DeValue::Array(_) | DeValue::Table(_)) {
            return Err(self.src.error_at(
                Some(value.span()),
                format!("`{}` in {place} takes one value; to sweep it, move it to [grid]", key.get_ref()),
            ));
        }
        self.base[index] = scalar(self.src, &self.scenario.params[index], value)?;
        Ok(())
    }

    fn zip(&mut self, block: &DeTable, span: Range<usize>, max_runs: u64) -> Result<(), SweepError> {
        let mut factor = Factor { params: Vec::new(), values: Vec::new(), zipped: true };
        let mut first: Option<(String, usize)> = None;
        for (key, value) in block.iter() {
            let index = self.param(key, "[[zip]]")?;
            let values = axis_values(self.src, &self.scenario.params[index], value, max_runs)?;
            match &first {
                None => first = Some((key.get_ref().to_string(), values.len())),
                Some((first_key, len)) if *len != values.len() => {
                    return Err(self.src.error_at(
                        Some(value.span()),
                        format!(
                        "zipped lists must have equal length: `{}` has {} values but `{first_key}` has {len}",
                        key.get_ref(),
                        values.len()
                    ),
                    ))
                }
                Some(_) => {}
            }
            factor.params.push(index);
            factor.values.push(values);
        }
        if factor.params.is_empty() {
            return Err(self.src.error_at(Some(span), "a [[zip]] block needs at least one list"));
        }
        // A list may repeat a value (`learner = ["table", "network",
        // "network"]`), but two equal tuples would be one grid point twice.
        let tuple = |i: usize| factor.values.iter().map(|v| &v[i]).collect::<Vec<_>>();
        let len = factor.values[0].len();
        if let Some((i, j)) =
            (0..len).flat_map(|j| (0..j).map(move |i| (i, j))).find(|&(i, j)| tuple(i) == tuple(j))
        {
            let names: Vec<&str> =
                factor.params.iter().map(|&p| self.scenario.params[p].name.as_ref()).collect();
            let values: Vec<String> = tuple(j).iter().map(|v| v.to_string()).collect();
            return Err(self.src.error_at(
                Some(span),
                format!(
                    "[[zip]] repeats the tuple ({}) = ({}): entries {} and {} are the same grid point",
                    names.join(", "),
                    values.join(", "),
                    i + 1,
                    j + 1
                ),
            ));
        }
        self.factors.push(factor);
        Ok(())
    }
}

/// Required parameters are set, and every grid point passes the scenario's
/// cross-parameter check.
fn check_points(src: &Source, sweep: &Sweep, spans: &[Option<Range<usize>>]) -> Result<(), SweepError> {
    let specs: &[ParamSpec] = &sweep.scenario.params;
    for (i, spec) in specs.iter().enumerate() {
        if spec.default.is_none() && spans[i].is_none() {
            return Err(src.error(format!(
                "scenario `{}` needs `{}` ({}); set it in [params] or [grid]",
                sweep.scenario.name,
                spec.name,
                spec.type_description()
            )));
        }
    }
    let mut values = Vec::with_capacity(specs.len());
    // A search's probes lie anywhere in its range: check both ends.
    let ends: Vec<Option<crate::value::Value>> = match &sweep.search {
        None => vec![None],
        Some(s) => [s.range.0, s.range.1]
            .map(|x| {
                Some(if s.integer {
                    crate::value::Value::Int(x as i64)
                } else {
                    crate::value::Value::Float(x)
                })
            })
            .to_vec(),
    };
    for (point, end) in (0..sweep.points()).flat_map(|p| ends.iter().map(move |e| (p, e))) {
        sweep.point_values(point, &mut values);
        if let (Some(end), Some(s)) = (end, &sweep.search) {
            values[s.param] = end.clone();
        }
        if let Err(e) = (sweep.scenario.check)(&Params { specs, values: &values }) {
            let index = specs.iter().position(|p| p.name == e.param);
            let varying: Vec<String> = sweep
                .factors
                .iter()
                .flat_map(|f| f.params.iter())
                .chain(sweep.search.as_ref().map(|s| &s.param))
                .map(|&i| format!("{} = {}", specs[i].name, values[i]))
                .collect();
            let at = if varying.is_empty() { String::new() } else { format!(" at {}", varying.join(", ")) };
            let default_note = match index.map(|i| &spans[i]) {
                Some(None) => format!(" (`{}` is at its default)", e.param),
                _ => String::new(),
            };
            return Err(src
                .error_at(index.and_then(|i| spans[i].clone()), format!("{}{at}{default_note}", e.message)));
        }
    }
    Ok(())
}

/// The scenario the file names, if it names a known one.
fn named_scenario(top: &DeTable) -> Option<Arc<Scenario>> {
    match top.get("scenario")?.get_ref() {
        DeValue::String(name) => registry::find(name),
        _ => None,
    }
}

fn required<'a, 'i>(
    src: &Source,
    top: &'a DeTable<'i>,
    key: &str,
) -> Result<&'a Spanned<DeValue<'i>>, SweepError> {
    top.get(key).ok_or_else(|| src.error(format!("missing required key `{key}`")))
}

fn required_string(src: &Source, top: &DeTable, key: &str) -> Result<(Range<usize>, String), SweepError> {
    let value = required(src, top, key)?;
    match value.get_ref() {
        DeValue::String(s) => Ok((value.span(), s.to_string())),
        _ => Err(src.error_at(Some(value.span()), format!("`{key}` must be a string"))),
    }
}

fn required_int(src: &Source, top: &DeTable, key: &str, min: i64, max: i64) -> Result<i64, SweepError> {
    let value = required(src, top, key)?;
    match value.get_ref() {
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(v) if v >= min && v <= max => Ok(v),
            // TOML integers are signed 64-bit: a larger literal cannot be
            // read at all, which deserves its own message.
            Err(_) if !i.as_str().starts_with('-') => Err(src.error_at(
                Some(value.span()),
                format!("`{key}` must be at most {max} (TOML integers are signed 64-bit)"),
            )),
            _ => Err(src.error_at(Some(value.span()), format!("`{key}` must be an integer >= {min}"))),
        },
        _ => Err(src.error_at(Some(value.span()), format!("`{key}` must be an integer >= {min}"))),
    }
}

#[cfg(test)]
mod tests {
    //! Generator axes (`range`, `linspace`, `logspace`) as a whole sweep file parses them.
    use crate::value::Value;

    #[test]
    fn every_table_a_sweep_file_may_declare_a_scenario_in_is_a_top_level_key() {
        for known in crate::scenario::registry::registry() {
            if let crate::scenario::registry::Declared::BySweep(by) = &known.declared {
                assert!(super::TOP_LEVEL_KEYS.contains(&by.table), "[{}] is refused as unknown", by.table);
            }
        }
    }

    fn axis_of(axis: &str) -> Vec<Value> {
        let text = format!("name = \"t\"\nscenario = \"empty\"\nseed = 1\nreplicates = 1\n[grid]\n{axis}\n");
        let sweep = super::parse(std::path::Path::new("t.toml"), &text, 1000).unwrap();
        sweep.factors[0].values[0].clone()
    }

    #[test]
    fn an_integer_range_must_step_in_whole_numbers() {
        // Rounded, [10, 10.5] would be [10, 11]: the excluded stop.
        let text = "name = \"t\"\nscenario = \"empty\"\nseed = 1\nreplicates = 1\n[grid]\n\
                    spin = { range = [10, 11, 0.5] }\n";
        let error = super::parse(std::path::Path::new("t.toml"), text, 1000).unwrap_err().to_string();
        assert!(error.contains("t.toml:6") && error.contains("whole-number start, stop and step"), "{error}");
        let values = axis_of("spin = { range = [10, 16, 2] }");
        assert_eq!(values, [Value::Int(10), Value::Int(12), Value::Int(14)]);
        // A choice parameter is not called an integer: it gets the error
        // for a generator on a non-number.
        let text = "name = \"t\"\nscenario = \"gaussian\"\nseed = 1\nreplicates = 1\n[grid]\n\
                    verifier = { range = [0, 1, 0.5] }\n";
        let error = super::parse(std::path::Path::new("t.toml"), text, 1000).unwrap_err().to_string();
        assert!(error.contains("makes numbers") && !error.contains("is an integer"), "{error}");
    }

    #[test]
    fn large_integers_from_generators_stay_distinct() {
        // Rounding to 12 significant digits would merge these.
        let values = axis_of("spin = { range = [1000000000000, 1000000000003, 1] }");
        assert_eq!(
            values,
            [Value::Int(1_000_000_000_000), Value::Int(1_000_000_000_001), Value::Int(1_000_000_000_002)]
        );
    }
}
