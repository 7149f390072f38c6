//! Text for `avalanche plan` and `avalanche scenarios`: what a sweep will do
//! and what each scenario takes, without running anything.

use std::fmt::Write as _;

use crate::params::ParamSpec;
use crate::scenario::registry::{Declared, Known};
use crate::scenario::Scenario;
use crate::sweep::{or_list, Origin, Redundancy, Sweep};
use crate::value::Value;

fn list(values: &[Value]) -> String {
    let shown: Vec<String> = if values.len() <= 8 {
        values.iter().map(Value::to_string).collect()
    } else {
        let mut v: Vec<String> = values[..4].iter().map(Value::to_string).collect();
        v.push(format!("... ({} more) ...", values.len() - 6));
        v.extend(values[values.len() - 2..].iter().map(Value::to_string));
        v
    };
    format!("[{}]", shown.join(", "))
}

/// The axes, counts and a few example points of a sweep.
pub fn plan(sweep: &Sweep) -> String {
    let params = &sweep.scenario.params;
    let mut s = String::new();
    let _ =
        writeln!(s, "sweep `{}` ({}), scenario `{}`", sweep.name, sweep.file.display(), sweep.scenario.name);
    let _ = writeln!(s, "axes (first varies slowest):");
    if sweep.factors.is_empty() {
        let _ = writeln!(s, "  (none: a single point)");
    }
    for factor in &sweep.factors {
        let label = if factor.zipped { "zip " } else { "" };
        for (j, (&p, values)) in factor.params.iter().zip(&factor.values).enumerate() {
            let lead =
                if j == 0 { format!("{label}{} values", factor.len()) } else { "  (zipped)".to_string() };
            let _ = writeln!(s, "  {:<20} {:<16} {}", params[p].name, lead, list(values));
        }
    }
    let fixed: Vec<String> = params
        .iter()
        .zip(&sweep.origins)
        .zip(&sweep.base)
        .filter(|((_, origin), _)| matches!(origin, Origin::Fixed { .. } | Origin::Default))
        .map(|((spec, origin), value)| {
            let mark = if *origin == Origin::Default { " (default)" } else { "" };
            format!("{} = {value}{mark}", spec.name)
        })
        .collect();
    s += &wrap("fixed:", 7, &fixed.join(", "));
    match &sweep.search {
        None => {
            let _ = writeln!(
                s,
                "{} points x {} replicates = {} runs; master seed {}",
                sweep.points(),
                sweep.replicates,
                sweep.runs(),
                sweep.seed
            );
        }
        Some(search) => s += &search_plan(sweep, search),
    }
    if !sweep.paired.is_empty() {
        let names: Vec<&str> = sweep.paired.iter().map(|&p| params[p].name.as_ref()).collect();
        let _ =
            writeln!(s, "paired across: {} (runs that differ only there share their seed)", names.join(", "));
    }
    if let Some(r) = sweep.redundancy() {
        let _ = writeln!(s, "{}", redundancy_warning(&r, sweep.runs()));
    }
    if let Some(warning) = baseline_warning(sweep) {
        let _ = writeln!(s, "{warning}");
    }
    let runs = sweep.runs();
    let mut examples = vec![0, runs / 3, 2 * runs / 3, runs - 1];
    examples.dedup();
    let _ =
        writeln!(s, "example runs{}:", if sweep.search.is_some() { " (of the first probes)" } else { "" });
    for index in examples {
        let run = sweep.run(index);
        let varying: Vec<String> = sweep
            .factors
            .iter()
            .flat_map(|f| f.params.iter())
            .map(|&p| format!("{}={}", params[p].name, run.values[p]))
            .collect();
        let _ = writeln!(
            s,
            "  #{index}: {} replicate={} run_id={} seed={}",
            varying.join(" "),
            run.replicate,
            run.run_id,
            run.seed
        );
    }
    s
}

/// What a search will do, and its worst-case run count.
fn search_plan(sweep: &Sweep, search: &crate::search::Search) -> String {
    let kind = if search.integer { "integer " } else { "" };
    let worst = search.worst_case_runs(sweep.replicates);
    format!(
        "search: at each of {points} points, the {kind}axis {name} in [{lo}, {hi}] is probed with {r} runs per probe \
         for where P({event}) crosses {level}:\n  \
         first its two ends (no boundary if both are on the same side of {level}), then the current estimate \
         of a logistic fit,\n  until the 95% interval is at most {tol} wide or another probe would pass \
         max_runs = {max} (docs/SEARCH.md)\n\
         worst case {worst} runs per point ({probes} probes), {total} runs in all; at least {least} runs; \
         master seed {seed}\n",
        points = sweep.points(),
        name = search.name,
        lo = search.range.0,
        hi = search.range.1,
        r = sweep.replicates,
        event = search.event.describe(),
        level = search.level,
        tol = search.tolerance,
        max = search.max_runs,
        probes = worst / sweep.replicates,
        total = sweep.worst_case_runs(),
        least = 2 * sweep.points() * sweep.replicates,
        seed = sweep.seed,
    )
}

/// The warning `plan` prints and `run` logs when axes are inert at some
/// grid points.
pub fn redundancy_warning(r: &Redundancy, runs: u64) -> String {
    let mut text = if r.runs > 0 {
        format!(
            "warning: {} of {runs} runs ({} grid points) only repeat runs at other points, because they \
             differ in parameters that have no effect there:",
            r.runs, r.points
        )
    } else {
        "warning: swept parameters have no effect at some grid points:".to_string()
    };
    for line in &r.params {
        text += &format!("\n  {line}");
    }
    text + "\n  (sweep such parameters in a separate sweep that fixes the choice they need)"
}

/// The warning `plan` prints and `run` logs when the sweep varies the
/// parameter the report compares but leaves out its baseline.
pub fn baseline_warning(sweep: &Sweep) -> Option<String> {
    let (c, stand_in) = sweep.absent_baseline()?;
    Some(format!(
        "warning: the `{}` report compares each `{}` with `{}`, which this sweep does not run; it will \
         compare with `{stand_in}`, the first of the scenario's choices that the sweep runs (add `{}` to \
         `{}` for the comparison the scenario declares)",
        sweep.scenario.name, c.parameter, c.baseline, c.baseline, c.parameter
    ))
}

fn default_text(spec: &ParamSpec) -> String {
    spec.default.as_ref().map_or("(required)".to_string(), |v| v.to_string())
}

/// Listings stay within this many columns, so they read in an ordinary
/// terminal without wrapping.
pub const WIDTH: usize = 100;

/// `text` broken at spaces into lines of at most `WIDTH` columns, the first
/// starting after `first` (already written) and the rest indented by
/// `indent` spaces.
fn wrap(first: &str, indent: usize, text: &str) -> String {
    let mut out = first.to_string();
    let mut column = first.chars().count();
    let mut fresh = first.is_empty() || first.ends_with(' ');
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if !fresh && column + 1 + len > WIDTH {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            column = indent;
            fresh = true;
        }
        if !fresh {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += len;
        fresh = false;
    }
    out.push('\n');
    out
}

/// Every scenario with its parameters and output columns, or one if named.
/// Each parameter takes two lines: name, type and default, then what it
/// means (and where it has an effect, if not everywhere). A scenario a
/// sweep file declares says where its declaration comes from instead.
pub fn scenarios(scenarios: &[&Known]) -> String {
    let mut s = String::new();
    for known in scenarios {
        s += &wrap(&format!("{}:", known.name), 2, known.about);
        match &known.declared {
            Declared::InCode(scenario) => s += &declaration(scenario),
            Declared::BySweep(by_sweep) => {
                for (title, text) in (by_sweep.listing)() {
                    s += &wrap(&format!("  {title:<17} "), 20, &text);
                }
            }
        }
        s.push('\n');
    }
    s
}

/// A scenario's parameters and columns, for [`scenarios`].
fn declaration(scenario: &Scenario) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "  parameters:");
    let name = scenario.params.iter().map(|p| p.name.len()).max().unwrap_or(0);
    for p in scenario.params.iter() {
        let kind = format!("{}; default {}", p.type_description(), default_text(p));
        s += &wrap(&format!("    {:<name$}  ", p.name), 6 + name, &kind);
        let mut doc = p.doc.to_string();
        if let Some(when) = p.matters_when {
            doc += &format!(" (no effect unless {} is {})", when.param, or_list(when.one_of));
        }
        s += &wrap(&" ".repeat(6 + name), 6 + name, &doc);
    }
    for (title, columns) in [
        ("per-run columns", &scenario.summary_columns),
        ("per-generation columns", &scenario.generation_columns),
    ] {
        if !columns.is_empty() {
            let _ = writeln!(s, "  {title}:");
            let name = columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
            for c in columns.iter() {
                let head = format!("    {:<name$}  {:<6}", c.name, c.ty.name());
                s += &wrap(&format!("{head} "), head.chars().count() + 1, &c.doc);
            }
        }
    }
    s
}
