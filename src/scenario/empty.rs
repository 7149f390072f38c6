//! `empty`: a scenario that does almost nothing, so that benchmarks of it
//! measure the engine's own cost per run (seeding, scheduling, writing), and
//! so that tests can make runs slow, fail or panic on purpose.

use std::borrow::Cow;

use rand::Rng;
use rand_pcg::Pcg64;

use super::contract::{CurveSpec, ReportSpec};
use super::{Deadline, RunError, RunFn, RunOutput, Scenario};
use crate::params::{ParamSpec, Params};
use crate::value::Names;
use crate::value::{ColumnSpec, ColumnType, Value};

static PARAMS: &[ParamSpec] = &[
    ParamSpec::float(
        "x",
        -1e300,
        1e300,
        0.0,
        "an arbitrary number to sweep over; it only changes run identities",
    ),
    ParamSpec::int("spin", 0, i64::MAX, 0, "extra random draws per run, to make runs cost something"),
    ParamSpec::int("generations", 0, 1_000_000, 0, "rows written to the generations table per run"),
    ParamSpec::float("fail_above", 0.0, 1.0, 1.0, "the run returns an error when its draw exceeds this"),
    ParamSpec::float("panic_above", 0.0, 1.0, 1.0, "the run panics when its draw exceeds this"),
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
    abandon: None,
    report: ReportSpec {
        headline: Names::Literal(&["draw"]),
        curves: Cow::Borrowed(&[CurveSpec::of("value")]),
        ..ReportSpec::EMPTY
    },
};

fn run(params: &Params, rng: &mut Pcg64, deadline: &Deadline) -> Result<RunOutput, RunError> {
    let draw: f64 = rng.random();
    let mut spin_sum = 0.0;
    for i in 0..params.int("spin") {
        if i % 4096 == 0 {
            deadline.check()?;
        }
        spin_sum += rng.random::<f64>();
    }
    if draw > params.float("panic_above") {
        panic!("draw {draw} is above panic_above, as asked");
    }
    if draw > params.float("fail_above") {
        return Err(RunError::Failed(format!("draw {draw} is above fail_above, as asked")));
    }
    let generations =
        (0..params.int("generations")).map(|_| vec![Some(Value::Float(rng.random()))]).collect();
    let summary = super::row_by_name(
        SUMMARY,
        &[("draw", Some(Value::Float(draw))), ("spin_sum", Some(Value::Float(spin_sum)))],
    );
    Ok(RunOutput { summary, generations })
}
