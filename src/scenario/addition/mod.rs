//! `addition`: a learner teaches itself longer additions from its own
//! verified chain-of-thought traces, and its errors avalanche.
//!
//! A SECToR-style self-training loop over real problems: every error rate it
//! reports is counted from traces actually generated, verified and trained
//! on. docs/MODEL.md states the model and every metric.
//!
//! Layout: `digits` (problems and traces), `learner` (counting and
//! extrapolation), `sampler` (the compiled tables and the hot loop),
//! `verifiers`, `generation` (one round's sampling and filtering), `rounds`
//! (the run), `metrics` (rows and fits), `config` (parameters).

use rand_pcg::Pcg64;

use super::{Deadline, RunError, RunOutput, Scenario};
use crate::params::Params;

pub mod config;
pub mod digits;
pub mod generation;
pub mod learner;
pub mod metrics;
pub mod rounds;
pub mod sampler;
pub mod verifiers;

/// The scenario.
pub static SCENARIO: Scenario = Scenario {
    name: "addition",
    about: "self-training on n-digit addition with verifiers; how fast errors avalanche",
    params: config::PARAMS,
    summary_columns: metrics::SUMMARY_COLUMNS,
    generation_columns: metrics::GENERATION_COLUMNS,
    check: config::check,
    run,
};

fn run(params: &Params, rng: &mut Pcg64, deadline: &Deadline) -> Result<RunOutput, RunError> {
    let config = config::Config::from_params(params);
    let record = rounds::run(&config, rng, deadline)?;
    Ok(RunOutput {
        summary: metrics::summary(
            &record.rounds,
            record.supervised_accuracy,
            record.end,
            config.collapse_accuracy,
        ),
        generations: record.rounds.iter().map(metrics::RoundRecord::to_row).collect(),
    })
}
