//! What a scenario is: its declaration and its run function, as plain data.
//!
//! A built-in scenario is a function of its parameter point and a seeded
//! generator. It does no I/O, shares no state between runs (a per-thread
//! memo of a pure function of the parameters aside) and spawns no threads;
//! it knows nothing of Parquet, of sweeps or of the executor. It declares
//! its parameters and its output columns so the sweep validator, `avalanche
//! scenarios` and the sinks all read one description. `command` is the
//! exception by design: it runs the program its sweep file declares.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

use rand_pcg::Pcg64;

use super::contract;
use crate::params::{ParamSpec, Params};
use crate::value::{ColumnSpec, Value};

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

/// The signature of a scenario's run function.
type Run = dyn Fn(&Params, &mut Pcg64, &Deadline) -> Result<RunOutput, RunError> + Send + Sync;

/// What every scenario's run function is: a plain function for the built-in
/// scenarios, a closure over its sweep file's declaration for one declared
/// there (`command`).
#[derive(Clone)]
pub struct RunFn(RunKind);

#[derive(Clone)]
enum RunKind {
    Plain(fn(&Params, &mut Pcg64, &Deadline) -> Result<RunOutput, RunError>),
    Closure(Arc<Run>),
}

impl RunFn {
    /// A plain function, for a scenario declared in code.
    pub const fn plain(run: fn(&Params, &mut Pcg64, &Deadline) -> Result<RunOutput, RunError>) -> Self {
        RunFn(RunKind::Plain(run))
    }

    /// A closure, for a scenario built from a declaration it owns.
    pub fn closure(
        run: impl Fn(&Params, &mut Pcg64, &Deadline) -> Result<RunOutput, RunError> + Send + Sync + 'static,
    ) -> Self {
        RunFn(RunKind::Closure(Arc::new(run)))
    }

    /// Runs the scenario once.
    pub fn call(&self, params: &Params, rng: &mut Pcg64, deadline: &Deadline) -> Result<RunOutput, RunError> {
        match &self.0 {
            RunKind::Plain(run) => run(params, rng, deadline),
            RunKind::Closure(run) => run(params, rng, deadline),
        }
    }
}

/// A scenario: its name, documentation, declarations and functions.
///
/// An owned value: a built-in scenario is a `static` of borrowed literals
/// (cloning it copies no string), one a sweep file declares owns what it
/// read. Sweeps hold theirs in an [`Arc`].
#[derive(Clone)]
pub struct Scenario {
    pub name: &'static str,
    /// One line saying what it simulates.
    pub about: &'static str,
    pub params: Cow<'static, [ParamSpec]>,
    pub summary_columns: Cow<'static, [ColumnSpec]>,
    pub generation_columns: Cow<'static, [ColumnSpec]>,
    /// What its report shows (docs in [`contract`]).
    pub report: contract::ReportSpec,
    /// Cross-parameter checks on one point (samples larger than the
    /// dimension, say); single-parameter ranges live in `params`.
    pub check: fn(&Params) -> Result<(), PointError>,
    pub run: RunFn,
    /// Cores one run uses: 1 for a built-in scenario.
    pub cores_per_run: u32,
    /// What the engine calls besides `run`, for a scenario whose runs
    /// reach outside the process.
    pub hooks: Hooks,
}

/// What the engine calls on a scenario besides its run function. Pure
/// scenarios need none ([`Hooks::NONE`]); the runner calls these rather
/// than name the scenario that needs them.
#[derive(Clone, Copy, Debug)]
pub struct Hooks {
    /// Called when a stopped sweep abandons its runs, just before the
    /// process exits: ends whatever the runs started outside the process
    /// (a program's process group).
    pub abandon: Option<fn()>,
    /// A failure message with its per-run details (a working folder's
    /// path) replaced by placeholders, so that failures differing only
    /// there are counted as one kind.
    pub general_failure: Option<for<'m> fn(&'m str) -> Cow<'m, str>>,
}

impl Hooks {
    /// No hooks: a pure scenario.
    pub const NONE: Hooks = Hooks { abandon: None, general_failure: None };
}

impl Scenario {
    /// Runs the scenario once at `params`.
    pub fn run(&self, params: &Params, rng: &mut Pcg64, deadline: &Deadline) -> Result<RunOutput, RunError> {
        self.run.call(params, rng, deadline)
    }
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario").field("name", &self.name).finish_non_exhaustive()
    }
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
        row[index] = value.clone();
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
}
