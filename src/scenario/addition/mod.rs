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

use super::contract::{Comparison, CurveSpec, HeatmapSpec, Outcome, OutcomeKind, OutcomeSpec, ReportSpec};
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
    run: &run,
    report: REPORT,
};

/// The report: how runs ended, how far they got and how fast their errors
/// grew, per verifier against `none`, along the noise rate.
const REPORT: ReportSpec = ReportSpec {
    headline: &["max_digits", "final_digits", "amplification", "final_accuracy", "mean_contamination"],
    curves: &[
        CurveSpec {
            complement: true,
            log: true,
            threshold: Some("collapse_accuracy"),
            label: Some("frontier error (1 - accuracy)"),
            ..CurveSpec::of("accuracy_frontier")
        },
        CurveSpec {
            x: Some("frontier_digits"),
            threshold: Some("collapse_accuracy"),
            ..CurveSpec::of("accuracy_frontier")
        },
        CurveSpec {
            x: Some("frontier_digits"),
            threshold: Some("advance_threshold"),
            ..CurveSpec::of("acceptance_rate")
        },
        CurveSpec::of("contamination"),
    ],
    comparison: Some(Comparison { parameter: "verifier", baseline: "none", along: Some("noise_rate") }),
    horizon: Some("generations"),
    outcome: Some(OutcomeSpec {
        column: "end_reason",
        outcomes: &[
            Outcome { value: "collapsed", phrase: "collapsed", kind: OutcomeKind::Event },
            Outcome { value: "stalled", phrase: "stalled", kind: OutcomeKind::Competing },
            Outcome { value: "round_limit", phrase: "reached the round limit", kind: OutcomeKind::Censored },
        ],
        time: "rounds",
        place: Some("final_digits"),
    }),
    heatmap: Some(HeatmapSpec { column: "max_digits", x: "noise_rate", y: "verifier" }),
    step: ("round", "rounds"),
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
