//! `empty`: a scenario that does almost nothing, so that benchmarks of it
//! measure the engine's own cost per run (seeding, scheduling, writing), and
//! so that tests can make runs slow, fail or panic on purpose.

use std::borrow::Cow;

use rand::Rng;
use rand_pcg::Pcg64;

use super::contract::{CurveSpec, ReportSpec};
use super::{Deadline, Hooks, RunError, RunFn, RunOutput, Scenario};
use crate::params::{ParamSpec, Params};
use crate::value::Names;
use crate::value::{ColumnSpec, ColumnType, Value};

/// The parameters' keys: each name spelled once, for the declaration and
/// every read.
pub mod key {
    use crate::params::Key;

    pub const X: Key<f64> = Key::new("x");
    pub const SPIN: Key<i64> = Key::new("spin");
    pub const GENERATIONS: Key<i64> = Key::new("generations");
    pub const FAIL_ABOVE: Key<f64> = Key::new("fail_above");
    pub const PANIC_ABOVE: Key<f64> = Key::new("panic_above");
}

static PARAMS: &[ParamSpec] = &[
    key::X.declare(-1e300, 1e300, 0.0, "an arbitrary number to sweep over; it only changes run identities"),
    key::SPIN.declare(0, i64::MAX, 0, "extra random draws per run, to make runs cost something"),
    key::GENERATIONS.declare(0, 1_000_000, 0, "rows written to the generations table per run"),
    key::FAIL_ABOVE.declare(0.0, 1.0, 1.0, "the run returns an error when its draw exceeds this"),
    key::PANIC_ABOVE.declare(0.0, 1.0, 1.0, "the run panics when its draw exceeds this"),
];

static SUMMARY: &[ColumnSpec] = &[
    ColumnSpec::new("draw", ColumnType::Float, "the run's first uniform draw in [0, 1)"),
    ColumnSpec::new(
        "spin_sum",
        ColumnType::Float,
        "the sum of the extra draws (so they are not optimised away)",
    ),
];

static GENERATION: &[ColumnSpec] =
    &[ColumnSpec::new("value", ColumnType::Float, "one uniform draw per generation")];

/// The engine-overhead and test scenario.
pub static SCENARIO: Scenario = Scenario {
    name: "empty",
    about: "draws random numbers and nothing else; measures the engine's overhead per run",
    params: Cow::Borrowed(PARAMS),
    summary_columns: Cow::Borrowed(SUMMARY),
    generation_columns: Cow::Borrowed(GENERATION),
    check: super::no_check,
    run: RunFn::plain(run),
    cores_per_run: 1,
    hooks: Hooks::NONE,
    report: ReportSpec {
        headline: Names::Literal(&["draw"]),
        curves: Cow::Borrowed(&[CurveSpec::of("value")]),
        ..ReportSpec::EMPTY
    },
};

fn run(params: &Params, rng: &mut Pcg64, deadline: &Deadline) -> Result<RunOutput, RunError> {
    let draw: f64 = rng.random();
    let mut spin_sum = 0.0;
    for i in 0..params.get(key::SPIN) {
        if i % 4096 == 0 {
            deadline.check()?;
        }
        spin_sum += rng.random::<f64>();
    }
    if draw > params.get(key::PANIC_ABOVE) {
        panic!("draw {draw} is above panic_above, as asked");
    }
    if draw > params.get(key::FAIL_ABOVE) {
        return Err(RunError::Failed(format!("draw {draw} is above fail_above, as asked")));
    }
    let generations =
        (0..params.get(key::GENERATIONS)).map(|_| vec![Some(Value::Float(rng.random()))]).collect();
    let summary = super::row_by_name(
        SUMMARY,
        &[("draw", Some(Value::Float(draw))), ("spin_sum", Some(Value::Float(spin_sum)))],
    );
    Ok(RunOutput { summary, generations })
}
