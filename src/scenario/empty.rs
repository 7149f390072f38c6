//! `empty`: a scenario that does almost nothing, so that benchmarks of it
//! measure the engine's own cost per run (seeding, scheduling, writing).

use rand::Rng;
use rand_pcg::Pcg64;

use super::{Deadline, RunError, RunOutput, Scenario};
use crate::params::{ParamSpec, Params};
use crate::value::{ColumnSpec, ColumnType, Value};

static PARAMS: &[ParamSpec] = &[ParamSpec::float(
    "x",
    f64::MIN,
    f64::MAX,
    0.0,
    "an arbitrary number to sweep over; it only changes run identities",
)];

static SUMMARY: &[ColumnSpec] =
    &[ColumnSpec::new("draw", ColumnType::Float, "one uniform draw in [0, 1) from the run's generator")];

/// The engine-overhead scenario.
pub static SCENARIO: Scenario = Scenario {
    name: "empty",
    about: "draws one random number; measures the engine's overhead per run",
    params: PARAMS,
    summary_columns: SUMMARY,
    generation_columns: &[],
    check: super::no_check,
    run,
};

fn run(_: &Params, rng: &mut Pcg64, _: &Deadline) -> Result<RunOutput, RunError> {
    Ok(RunOutput { summary: vec![Some(Value::Float(rng.random::<f64>()))], generations: Vec::new() })
}
