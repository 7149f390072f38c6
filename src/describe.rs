//! Text for `avalanche plan` and `avalanche scenarios`: what a sweep will do
//! and what each scenario takes, without running anything.

use std::fmt::Write as _;

use crate::params::ParamSpec;
use crate::scenario::Scenario;
use crate::sweep::{Origin, Sweep};
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
    let params = sweep.scenario.params;
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
    let _ = writeln!(s, "fixed: {}", fixed.join(", "));
    let _ = writeln!(
        s,
        "{} points x {} replicates = {} runs; master seed {}",
        sweep.points(),
        sweep.replicates,
        sweep.runs(),
        sweep.seed
    );
    let runs = sweep.runs();
    let mut examples = vec![0, runs / 3, 2 * runs / 3, runs - 1];
    examples.dedup();
    let _ = writeln!(s, "example runs:");
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

fn default_text(spec: &ParamSpec) -> String {
    spec.default.map_or("(required)".to_string(), |v| v.to_string())
}

/// Every scenario with its parameters and output columns, or one if named.
pub fn scenarios(scenarios: &[&Scenario]) -> String {
    let mut s = String::new();
    for scenario in scenarios {
        let _ = writeln!(s, "{}: {}", scenario.name, scenario.about);
        let _ = writeln!(s, "  parameters:");
        // Columns as wide as their longest entry, so long choice lists do
        // not push the defaults and meanings out of line.
        let rows: Vec<[String; 4]> = scenario
            .params
            .iter()
            .map(|p| [p.name.to_string(), p.type_description(), default_text(p), p.doc.to_string()])
            .collect();
        let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
        let (name, kind, default) = (width(0), width(1), width(2));
        for [n, k, d, doc] in &rows {
            let _ = writeln!(s, "    {n:<name$}  {k:<kind$}  default {d:<default$}  {doc}");
        }
        for (title, columns) in [
            ("per-run columns", scenario.summary_columns),
            ("per-generation columns", scenario.generation_columns),
        ] {
            if !columns.is_empty() {
                let _ = writeln!(s, "  {title}:");
                let name = columns.iter().map(|c| c.name.len()).max().unwrap_or(0);
                for c in columns {
                    let _ = writeln!(s, "    {:<name$}  {:<6}  {}", c.name, c.ty.name(), c.doc);
                }
            }
        }
        s.push('\n');
    }
    s
}
