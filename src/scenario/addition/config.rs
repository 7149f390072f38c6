//! The scenario's parameters: their declarations, and the typed
//! configuration one run reads them into.

use super::checks::CheckerErrors;
use super::learners::network::model::{Encoding, Shape};
use super::learners::table::Generalisation;
use super::verifier::{Settings, Verifier, VERIFIER_NAMES};
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
    // Added after datasets were written; at 1 every run is the one before it,
    // identity and seed included.
    ParamSpec::float(
        "cot_reliance",
        0.0,
        1.0,
        1.0,
        "chance a step's carry reaches the next step through what it wrote, not internally",
    )
    .unhashed_at_default(),
    ParamSpec::choice(
        "learner",
        &["table", "network"],
        "table",
        "counted step tables with written-in extrapolation, or a trained neural network",
    ),
    ParamSpec::float("gap", 0.0, 1.0, 0.05, "uniform error mass mixed in at each extrapolated position")
        .only_when("learner", &["table"]),
    ParamSpec::float(
        "blind_spot_rate",
        0.0,
        1.0,
        0.001,
        "chance a context at a new position is a blind spot",
    )
    .only_when("learner", &["table"]),
    ParamSpec::float(
        "blind_spot_mass",
        0.0,
        1.0,
        0.6,
        "probability mass a blind spot moves to its wrong output",
    )
    .only_when("learner", &["table"]),
    ParamSpec::float(
        "mirror_correlation",
        0.0,
        1.0,
        0.0,
        "chance a blind spot at (a, b, k) also sits, same output, at its mirror (b, a, k)",
    )
    .only_when("learner", &["table"]),
    ParamSpec::float("prior_strength", 0.0, 1000.0, 1.0, "pseudo-counts of the prior in each context")
        .only_when("learner", &["table"]),
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
    // The network learner (docs/MODEL.md, "The network learner").
    ParamSpec::choice(
        "encoding",
        &["learned", "copy", "sinusoidal"],
        "copy",
        "how the network gets the vector of a position it has not met",
    )
    .only_when("learner", &["network"]),
    ParamSpec::float(
        "position_sigma",
        0.0,
        100.0,
        2.0,
        "learned encoding: a new position's vector is N(0, sigma^2)",
    )
    .only_when("encoding", &["learned"]),
    ParamSpec::float(
        "copy_noise",
        0.0,
        100.0,
        2.0,
        "copy encoding: a new position's vector is the previous one's + N(0, sigma^2)",
    )
    .only_when("encoding", &["copy"]),
    ParamSpec::float("sinusoid_base", 1.0, 1e6, 10.0, "sinusoidal encoding: base of the frequencies")
        .only_when("encoding", &["sinusoidal"]),
    ParamSpec::float("sinusoid_scale", 0.0, 100.0, 5.0, "sinusoidal encoding: amplitude of the sinusoids")
        .only_when("encoding", &["sinusoidal"]),
    ParamSpec::int("embed_width", 1, 256, 12, "width of the digit, carry and position vectors")
        .only_when("learner", &["network"]),
    ParamSpec::int("hidden_width", 1, 1024, 48, "hidden units of the network")
        .only_when("learner", &["network"]),
    ParamSpec::float("learning_rate", 1e-6, 1.0, 0.003, "Adam's learning rate")
        .only_when("learner", &["network"]),
    ParamSpec::int("batch_size", 1, 65_536, 256, "training examples (steps) per Adam step")
        .only_when("learner", &["network"]),
    ParamSpec::int("steps_per_round", 0, 100_000, 200, "Adam steps after each round")
        .only_when("learner", &["network"]),
    ParamSpec::float(
        "supervised_greedy_target",
        0.0,
        1.0,
        0.99,
        "supervised training ends once greedy accuracy at start_digits reaches this...",
    )
    .only_when("learner", &["network"]),
    ParamSpec::float(
        "supervised_sampled_target",
        0.0,
        1.0,
        0.98,
        "...and sampled accuracy (slip-free, at the temperature) this",
    )
    .only_when("learner", &["network"]),
    ParamSpec::int(
        "supervised_max_steps",
        0,
        1_000_000,
        6000,
        "supervised Adam steps at most, targets met or not",
    )
    .only_when("learner", &["network"]),
];

/// How the training data is kept between rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataMode {
    /// Each round trains on that round's accepted traces (plus retained supervised data).
    Replace,
    /// Each round adds its accepted traces to everything trained on before.
    Accumulate,
}

/// Which learner a run trains.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LearnerKind {
    /// Counted step tables with written-in extrapolation (`learners/table.rs`).
    Table,
    /// A small neural network trained by Adam (`learners/network/`).
    Network(NetworkConfig),
}

/// The network learner's parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NetworkConfig {
    pub shape: Shape,
    pub encoding: Encoding,
    pub learning_rate: f32,
    pub batch_size: usize,
    pub steps_per_round: usize,
    /// Supervised training stops once both accuracies reach these, or
    /// after `supervised_max_steps`.
    pub greedy_target: f64,
    pub sampled_target: f64,
    pub supervised_max_steps: usize,
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
    /// Chance a step's carry is passed on through the written trace
    /// (docs/MODEL.md, "Unfaithful chains of thought"); 1 = always.
    pub cot_reliance: f64,
    pub learner: LearnerKind,
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
    /// The parameters the verifier reads.
    pub fn verifying(&self) -> Settings {
        Settings {
            samples: self.samples,
            quorum: self.quorum,
            committee_size: self.committee_size,
            checker: self.checker,
        }
    }

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
            cot_reliance: params.float("cot_reliance"),
            learner: learner_kind(params),
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

fn learner_kind(params: &Params) -> LearnerKind {
    if params.choice("learner") == "table" {
        return LearnerKind::Table;
    }
    let float = |name: &str| params.float(name) as f32;
    let encoding = match params.choice("encoding") {
        "learned" => Encoding::Learned { sigma: float("position_sigma") },
        "copy" => Encoding::Copy { sigma: float("copy_noise") },
        _ => Encoding::Sinusoidal { base: float("sinusoid_base"), scale: float("sinusoid_scale") },
    };
    let count = |name: &str| params.int(name).max(0) as usize;
    LearnerKind::Network(NetworkConfig {
        shape: Shape { embed: count("embed_width"), hidden: count("hidden_width") },
        encoding,
        learning_rate: float("learning_rate"),
        batch_size: count("batch_size"),
        steps_per_round: count("steps_per_round"),
        greedy_target: params.float("supervised_greedy_target"),
        sampled_target: params.float("supervised_sampled_target"),
        supervised_max_steps: count("supervised_max_steps"),
    })
}

/// A configuration at the defaults but for `overrides`, for tests.
#[cfg(test)]
pub fn for_test(overrides: &[(&str, crate::value::Value)]) -> Config {
    let values = Params::with(PARAMS, overrides);
    Config::from_params(&Params { specs: PARAMS, values: &values })
}
