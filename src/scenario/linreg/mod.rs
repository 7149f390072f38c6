//! `linreg`: placeholder until the scenario lands.

use rand_pcg::Pcg64;

use super::{Deadline, RunError, RunOutput, Scenario};
use crate::params::{ParamSpec, Params};

static PARAMS: &[ParamSpec] = &[ParamSpec::int("generations", 0, 100_000, 10, "generations after the first")];

/// The scenario.
pub static SCENARIO: Scenario = Scenario {
    name: "linreg",
    about: "placeholder",
    params: PARAMS,
    summary_columns: &[],
    generation_columns: &[],
    check: super::no_check,
    run,
};

fn run(_: &Params, _: &mut Pcg64, _: &Deadline) -> Result<RunOutput, RunError> {
    Ok(RunOutput::default())
}
