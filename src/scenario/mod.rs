//! Scenarios: the simulations a sweep runs, as plain data plus pure functions.
//!
//! A scenario is a function of its parameter point and a seeded generator.
//! It does no I/O, touches no globals and spawns no threads; it knows nothing
//! of Parquet, of sweeps or of the executor. It declares its parameters and
//! its output columns statically so the sweep validator, `avalanche
//! scenarios` and the sinks all read one description.

use std::time::Instant;

use rand_pcg::Pcg64;

use crate::params::{ParamSpec, Params};
use crate::value::{ColumnSpec, Value};

pub mod addition;
pub mod command;
pub mod contract;
pub mod empty;
pub mod gaussian;
pub mod linreg;
pub mod prune;

/// A row of metric values: one entry per declared column, `None` for null
/// (a runway that never ended, say).
pub type Row = Vec<Option<Value>>;

/// What one run reports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunOutput {
    /// One value per [`Scenario::summary_columns`] entry.
    pub summary: Row,
    /// One row per generation (round), each with one value per
    /// [`Scenario::generation_columns`] entry.
    pub generations: Vec<Row>,
}

/// Why a run did not produce output.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum RunError {
    /// The run passed its time budget (`--run-timeout`).
    #[error("run exceeded its time limit of {0} s")]
    TimedOut(f64),
    /// The scenario found its parameters unusable at run time.
    #[error("{0}")]
    Failed(String),
}

/// A cancellation point a long scenario checks between generations, and the
/// identity of the run it belongs to.
///
/// This is the one concession built-in scenarios make to the outside world:
/// it can only abort a run, never change the numbers of a run that
/// completes. The identity is for scenarios that hand it on (the `command`
/// scenario gives an external program its seed); built-in ones draw from
/// the generator they are handed instead.
#[derive(Clone, Copy, Debug, Default)]
pub struct Deadline {
    at: Option<(Instant, f64)>,
    identity: Option<RunIdentity>,
}

/// Who a run is: the values of its `run_id`, `seed` and `replicate` columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunIdentity {
    pub run_id: u64,
    pub seed: u64,
    pub replicate: u64,
}

impl Deadline {
    /// No limit.
    pub fn none() -> Self {
        Deadline { at: None, identity: None }
    }

    /// A limit `seconds` from now.
    pub fn after_secs(seconds: f64) -> Self {
        let at = Instant::now() + std::time::Duration::from_secs_f64(seconds);
        Deadline { at: Some((at, seconds)), identity: None }
    }

    /// The same limit, for the run `identity`.
    pub fn for_run(self, identity: RunIdentity) -> Self {
        Deadline { identity: Some(identity), ..self }
    }

    /// The run's identity, where the executor gave one.
    pub fn identity(&self) -> Option<RunIdentity> {
        self.identity
    }

    /// The time left before the limit, `None` without one.
    pub fn remaining(&self) -> Option<std::time::Duration> {
        self.at.map(|(at, _)| at.saturating_duration_since(Instant::now()))
    }

    /// `Err(TimedOut)` once the limit has passed.
    pub fn check(&self) -> Result<(), RunError> {
        match self.at {
            Some((at, seconds)) if Instant::now() >= at => Err(RunError::TimedOut(seconds)),
            _ => Ok(()),
        }
    }
}

/// A parameter point the scenario cannot run, found before anything runs.
#[derive(Debug, Clone, PartialEq)]
pub struct PointError {
    /// The parameter to blame (its line is shown to the user).
    pub param: &'static str,
    pub message: String,
}

/// What every scenario's run function is: a plain function for the built-in
/// scenarios, a closure over its sweep file's declaration for `command`.
pub type RunFn = &'static (dyn Fn(&Params, &mut Pcg64, &Deadline) -> Result<RunOutput, RunError> + Sync);

/// A scenario: its name, documentation, declarations and functions.
pub struct Scenario {
    pub name: &'static str,
    /// One line saying what it simulates.
    pub about: &'static str,
    pub params: &'static [ParamSpec],
    pub summary_columns: &'static [ColumnSpec],
    pub generation_columns: &'static [ColumnSpec],
    /// What its report shows (docs in [`contract`]).
    pub report: contract::ReportSpec,
    /// Cross-parameter checks on one point (samples larger than the
    /// dimension, say); single-parameter ranges live in `params`.
    pub check: fn(&Params) -> Result<(), PointError>,
    pub run: RunFn,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario").field("name", &self.name).finish_non_exhaustive()
    }
}

/// Every scenario the tool knows, in the order `avalanche scenarios` lists
/// them: the self-training loop first, the engine's test scenario last.
pub fn registry() -> &'static [&'static Scenario] {
    static REGISTRY: [&Scenario; 5] =
        [&addition::SCENARIO, &gaussian::SCENARIO, &linreg::SCENARIO, &prune::SCENARIO, &empty::SCENARIO];
    &REGISTRY
}

/// Scenarios for the engine's own tests and benchmarks: usable in sweeps,
/// listed by `avalanche scenarios` only with `--all`.
pub const INTERNAL: &[&str] = &["empty"];

/// The scenario called `name`.
pub fn find(name: &str) -> Option<&'static Scenario> {
    registry().iter().copied().find(|s| s.name == name)
}

/// A summary row built by column name, so that a declaration and the values
/// it describes cannot drift apart when columns are added or reordered.
/// Every declared column must be named exactly once; anything else is a bug
/// in the scenario and panics (each scenario's tests run it).
pub fn row_by_name(columns: &[ColumnSpec], values: &[(&str, Option<Value>)]) -> Row {
    let mut row: Row = vec![None; columns.len()];
    let mut filled = vec![false; columns.len()];
    for (name, value) in values {
        let index = columns
            .iter()
            .position(|c| c.name == *name)
            .unwrap_or_else(|| panic!("the scenario fills undeclared column `{name}`"));
        assert!(!filled[index], "the scenario fills column `{name}` twice");
        filled[index] = true;
        row[index] = *value;
    }
    if let Some(missing) = filled.iter().position(|f| !f) {
        panic!("the scenario leaves column `{}` unfilled", columns[missing].name);
    }
    row
}

/// A check that accepts every point, for scenarios without cross-parameter rules.
pub fn no_check(_: &Params) -> Result<(), PointError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::schema::RESERVED_COLUMNS;
    use std::collections::HashSet;

    #[test]
    fn column_and_parameter_names_never_collide() {
        for scenario in registry() {
            let mut seen: HashSet<&str> = RESERVED_COLUMNS.iter().copied().collect();
            for name in scenario.params.iter().map(|p| p.name) {
                assert!(seen.insert(name), "{}: parameter `{name}` collides", scenario.name);
            }
            let mut runs = seen.clone();
            for column in scenario.summary_columns {
                assert!(runs.insert(column.name), "{}: run column `{}` collides", scenario.name, column.name);
            }
            let mut generations = seen;
            for column in scenario.generation_columns {
                assert!(
                    generations.insert(column.name),
                    "{}: generation column `{}` collides",
                    scenario.name,
                    column.name
                );
            }
        }
    }

    #[test]
    fn rows_by_name_land_in_declaration_order_whatever_the_order_given() {
        use crate::value::ColumnType;
        let columns = [ColumnSpec::new("a", ColumnType::Int, ""), ColumnSpec::new("b", ColumnType::Int, "")];
        let row = row_by_name(&columns, &[("b", Some(Value::Int(2))), ("a", None)]);
        assert_eq!(row, [None, Some(Value::Int(2))]);
    }

    #[test]
    #[should_panic(expected = "leaves column `b` unfilled")]
    fn a_row_missing_a_declared_column_is_a_bug() {
        use crate::value::ColumnType;
        let columns = [ColumnSpec::new("a", ColumnType::Int, ""), ColumnSpec::new("b", ColumnType::Int, "")];
        row_by_name(&columns, &[("a", None)]);
    }

    /// What is wrong with the `only_when` lists of `specs`: each must name a
    /// choice parameter declared among them, and only values it can take.
    fn only_when_mistakes(specs: &[ParamSpec]) -> Vec<String> {
        use crate::params::ParamKind;
        let mut mistakes = Vec::new();
        for spec in specs {
            let Some(when) = spec.matters_when else { continue };
            let Some(on) = specs.iter().find(|s| s.name == when.param) else {
                mistakes
                    .push(format!("`{}` is only_when `{}`, which is not declared", spec.name, when.param));
                continue;
            };
            let ParamKind::Choice(choices) = on.kind else {
                mistakes
                    .push(format!("`{}` is only_when `{}`, which is not a choice", spec.name, when.param));
                continue;
            };
            for value in when.one_of.iter().filter(|v| !choices.contains(v)) {
                mistakes.push(format!(
                    "`{}` is only_when {} = `{value}`, not one of {choices:?}",
                    spec.name, on.name
                ));
            }
        }
        mistakes
    }

    #[test]
    fn every_only_when_list_names_real_choices() {
        for scenario in registry() {
            assert_eq!(only_when_mistakes(scenario.params), Vec::<String>::new(), "{}", scenario.name);
        }
        // A typo, a parameter that is not a choice, and one not declared are
        // each found.
        let typo = [
            ParamSpec::choice("verifier", &["none", "majority"], "none", ""),
            ParamSpec::int("samples", 1, 9, 5, "").only_when("verifier", &["majority", "majorty"]),
            ParamSpec::int("quorum", 1, 9, 5, "").only_when("samples", &["5"]),
            ParamSpec::int("size", 1, 9, 5, "").only_when("learner", &["table"]),
        ];
        let mistakes = only_when_mistakes(&typo);
        assert_eq!(mistakes.len(), 3, "{mistakes:?}");
        assert!(mistakes[0].contains("`majorty`"), "{mistakes:?}");
    }

    #[test]
    fn defaults_satisfy_their_own_ranges() {
        for scenario in registry() {
            for spec in scenario.params {
                if let Some(default) = spec.default {
                    crate::sweep::validate::check_value(spec, default)
                        .unwrap_or_else(|e| panic!("{}: default of `{}`: {e}", scenario.name, spec.name));
                }
            }
        }
    }

    #[test]
    fn every_scenario_runs_at_its_defaults_and_fills_its_columns() {
        use rand::SeedableRng;
        for scenario in registry() {
            let values = Params::defaults(scenario.params);
            let params = Params { specs: scenario.params, values: &values };
            (scenario.check)(&params).unwrap();
            let mut rng = Pcg64::seed_from_u64(1);
            let out = (scenario.run)(&params, &mut rng, &Deadline::none()).unwrap();
            assert_eq!(out.summary.len(), scenario.summary_columns.len(), "{}", scenario.name);
            for (value, column) in out.summary.iter().zip(scenario.summary_columns) {
                if let Some(v) = value {
                    assert_eq!(v.column_type(), column.ty, "{}.{}", scenario.name, column.name);
                }
            }
            for row in &out.generations {
                assert_eq!(row.len(), scenario.generation_columns.len(), "{}", scenario.name);
                for (value, column) in row.iter().zip(scenario.generation_columns) {
                    if let Some(v) = value {
                        assert_eq!(v.column_type(), column.ty, "{}.{}", scenario.name, column.name);
                    }
                }
            }
        }
    }
}
