//! The scenario's parameters: their declarations, and the typed
//! configuration one run reads them into.

use super::learner::Generalisation;
use super::verifiers::{CheckerErrors, Verifier, VERIFIER_NAMES};
use crate::params::{ParamSpec, Params};
use crate::scenario::PointError;

/// Every parameter of `addition`, in declaration order. docs/MODEL.md
/// explains each one.
pub static PARAMS: &[ParamSpec] = &[
    ParamSpec::int("generations", 0, 500, 30, "self-training rounds at most (one generations row each)"),
    ParamSpec::int("start_digits", 1, 50, 6, "supervised training covers 1..start_digits digits"),
    ParamSpec::int("supervised_problems", 1, 1_000_000, 2000, "ground-truth problems per supervised length"),
    ParamSpec::int("problems", 1, 1_000_000, 1000, "problems generated per round at the frontier length"),
    ParamSpec::int("samples", 1, 64, 5, "traces sampled per problem")
        .only_when("verifier", &["majority", "commutative", "outcome", "step"]),
    ParamSpec::int("eval_problems", 1, 1_000_000, 1000, "fresh problems per greedy accuracy measurement"),
    ParamSpec::choice("verifier", VERIFIER_NAMES, "commutative", "which traces are trained on"),
    ParamSpec::float("quorum", 0.0, 0.99, 0.5, "accept when the modal answer's share exceeds this")
        .only_when("verifier", &["majority", "commutative", "committee"]),
    ParamSpec::int("committee_size", 2, 9, 5, "learners voting in the committee")
        .only_when("verifier", &["committee"]),
    ParamSpec::float("false_accept", 0.0, 1.0, 0.0, "the checker's chance of passing a wrong trace")
        .only_when("verifier", &["outcome", "step"]),
    ParamSpec::float("false_reject", 0.0, 1.0, 0.0, "the checker's chance of failing a right trace")
        .only_when("verifier", &["outcome", "step"]),
    ParamSpec::float("noise_rate", 0.0, 1.0, 0.01, "chance each generated step slips to a uniform output"),
    ParamSpec::float("temperature", 0.05, 10.0, 1.0, "sampling temperature of generation"),
    ParamSpec::float("gap", 0.0, 1.0, 0.05, "uniform error mass mixed in at each extrapolated position"),
    ParamSpec::float(
        "blind_spot_rate",
        0.0,
        1.0,
        0.001,
        "chance a context at a new position is a blind spot",
    ),
    ParamSpec::float(
        "blind_spot_mass",
        0.0,
        1.0,
        0.6,
        "probability mass a blind spot moves to its wrong output",
    ),
    ParamSpec::float(
        "mirror_correlation",
        0.0,
        1.0,
        0.0,
        "chance a blind spot at (a, b, k) also sits, same output, at its mirror (b, a, k)",
    ),
    ParamSpec::float("prior_strength", 0.0, 1000.0, 1.0, "pseudo-counts of the prior in each context"),
    ParamSpec::choice(
        "data",
        &["replace", "accumulate"],
        "accumulate",
        "train on this round's data or all so far",
    ),
    ParamSpec::float("real_fraction", 0.0, 1.0, 1.0, "share of the supervised data kept in training"),
    ParamSpec::float("advance_threshold", 0.0, 1.0, 0.8, "acceptance rate needed to move to one more digit"),
    ParamSpec::int("patience", 1, 1000, 3, "rounds without advancing before the run ends as stalled"),
    ParamSpec::float("collapse_accuracy", 0.0, 1.0, 0.5, "frontier accuracy below which the run collapses"),
    ParamSpec::float("label_noise", 0.0, 1.0, 0.0, "share of accepted traces corrupted in noisy rounds"),
    ParamSpec::int("label_noise_start", -1, 500, -1, "first noisy round (0-based generation; -1 = never)"),
    ParamSpec::int("label_noise_length", 1, 500, 1, "number of consecutive noisy rounds"),
];

/// How the training data is kept between rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataMode {
    /// Each round trains on that round's accepted traces (plus retained supervised data).
    Replace,
    /// Each round adds its accepted traces to everything trained on before.
    Accumulate,
}

/// One run's parameters, typed.
#[derive(Clone, Debug)]
pub struct Config {
    pub generations: usize,
    pub start_digits: usize,
    pub supervised_problems: usize,
    pub problems: usize,
    pub samples: usize,
    pub eval_problems: usize,
    pub verifier: Verifier,
    pub quorum: f64,
    pub committee_size: usize,
    pub checker: CheckerErrors,
    pub noise_rate: f64,
    pub temperature: f64,
    pub generalisation: Generalisation,
    pub data: DataMode,
    pub real_fraction: f64,
    pub advance_threshold: f64,
    pub patience: usize,
    pub collapse_accuracy: f64,
    pub label_noise: f64,
    /// The noisy rounds, 0-based, half open; empty when never.
    pub label_noise_rounds: std::ops::Range<usize>,
}

/// The most accepted-trace digits one round may hold (problems x longest
/// length), so no parameter point can ask for gigabytes.
const MAX_ROUND_DIGITS: i64 = 50_000_000;

/// Cross-parameter rules.
pub fn check(params: &Params) -> Result<(), PointError> {
    let longest = params.int("start_digits") + params.int("generations") + 1;
    if params.int("problems") * longest > MAX_ROUND_DIGITS {
        return Err(PointError {
            param: "problems",
            message: format!(
                "problems x (start_digits + generations + 1) must be at most {MAX_ROUND_DIGITS}"
            ),
        });
    }
    Ok(())
}

impl Config {
    /// Reads a checked parameter point.
    pub fn from_params(params: &Params) -> Config {
        let count = |name: &str| params.int(name).max(0) as usize;
        let start = params.int("label_noise_start");
        let label_noise_rounds = if start < 0 {
            0..0
        } else {
            start as usize..(start + params.int("label_noise_length")) as usize
        };
        Config {
            generations: count("generations"),
            start_digits: count("start_digits"),
            supervised_problems: count("supervised_problems"),
            problems: count("problems"),
            samples: count("samples"),
            eval_problems: count("eval_problems"),
            verifier: Verifier::from_name(params.choice("verifier")).expect("declared choices only"),
            quorum: params.float("quorum"),
            committee_size: count("committee_size"),
            checker: CheckerErrors {
                false_accept: params.float("false_accept"),
                false_reject: params.float("false_reject"),
            },
            noise_rate: params.float("noise_rate"),
            temperature: params.float("temperature"),
            generalisation: Generalisation {
                gap: params.float("gap"),
                blind_spot_rate: params.float("blind_spot_rate"),
                blind_spot_mass: params.float("blind_spot_mass"),
                prior_strength: params.float("prior_strength"),
                mirror_correlation: params.float("mirror_correlation"),
            },
            data: if params.choice("data") == "replace" { DataMode::Replace } else { DataMode::Accumulate },
            real_fraction: params.float("real_fraction"),
            advance_threshold: params.float("advance_threshold"),
            patience: count("patience"),
            collapse_accuracy: params.float("collapse_accuracy"),
            label_noise: params.float("label_noise"),
            label_noise_rounds,
        }
    }
}

/// A configuration at the defaults but for `overrides`, for tests.
#[cfg(test)]
pub fn for_test(overrides: &[(&str, crate::value::Value)]) -> Config {
    let values = Params::with(PARAMS, overrides);
    Config::from_params(&Params { specs: PARAMS, values: &values })
}
