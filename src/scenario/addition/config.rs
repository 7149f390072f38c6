//! The scenario's parameters: their declarations, and the typed
//! configuration one run reads them into.

use super::checks::CheckerErrors;
use super::learners::network::model::{Encoding, Shape};
use super::learners::table::Generalisation;
use super::verifier::{
    Settings, Verifier, READ_CHECKER, READ_COMMITTEE_SIZE, READ_QUORUM, READ_SAMPLES, VERIFIER_NAMES,
};
use crate::params::{Key, ParamSpec, Params};
use crate::scenario::PointError;

/// The parameters' keys: each name spelled once, for the declaration and
/// every read.
pub mod key {
    use crate::params::{Choice, Key};

    pub const GENERATIONS: Key<i64> = Key::new("generations");
    pub const START_DIGITS: Key<i64> = Key::new("start_digits");
    pub const SUPERVISED_PROBLEMS: Key<i64> = Key::new("supervised_problems");
    pub const PROBLEMS: Key<i64> = Key::new("problems");
    pub const SAMPLES: Key<i64> = Key::new("samples");
    pub const EVAL_PROBLEMS: Key<i64> = Key::new("eval_problems");
    pub const VERIFIER: Key<Choice> = Key::new("verifier");
    pub const QUORUM: Key<f64> = Key::new("quorum");
    pub const COMMITTEE_SIZE: Key<i64> = Key::new("committee_size");
    pub const FALSE_ACCEPT: Key<f64> = Key::new("false_accept");
    pub const FALSE_REJECT: Key<f64> = Key::new("false_reject");
    pub const NOISE_RATE: Key<f64> = Key::new("noise_rate");
    pub const TEMPERATURE: Key<f64> = Key::new("temperature");
    pub const COT_RELIANCE: Key<f64> = Key::new("cot_reliance");
    pub const LEARNER: Key<Choice> = Key::new("learner");
    pub const GAP: Key<f64> = Key::new("gap");
    pub const BLIND_SPOT_RATE: Key<f64> = Key::new("blind_spot_rate");
    pub const BLIND_SPOT_MASS: Key<f64> = Key::new("blind_spot_mass");
    pub const MIRROR_CORRELATION: Key<f64> = Key::new("mirror_correlation");
    pub const PRIOR_STRENGTH: Key<f64> = Key::new("prior_strength");
    pub const DATA: Key<Choice> = Key::new("data");
    pub const REAL_FRACTION: Key<f64> = Key::new("real_fraction");
    pub const ADVANCE_THRESHOLD: Key<f64> = Key::new("advance_threshold");
    pub const PATIENCE: Key<i64> = Key::new("patience");
    pub const COLLAPSE_ACCURACY: Key<f64> = Key::new("collapse_accuracy");
    pub const LABEL_NOISE: Key<f64> = Key::new("label_noise");
    pub const LABEL_NOISE_START: Key<i64> = Key::new("label_noise_start");
    pub const LABEL_NOISE_LENGTH: Key<i64> = Key::new("label_noise_length");
    pub const ENCODING: Key<Choice> = Key::new("encoding");
    pub const POSITION_SIGMA: Key<f64> = Key::new("position_sigma");
    pub const COPY_NOISE: Key<f64> = Key::new("copy_noise");
    pub const SINUSOID_BASE: Key<f64> = Key::new("sinusoid_base");
    pub const SINUSOID_SCALE: Key<f64> = Key::new("sinusoid_scale");
    pub const EMBED_WIDTH: Key<i64> = Key::new("embed_width");
    pub const HIDDEN_WIDTH: Key<i64> = Key::new("hidden_width");
    pub const LEARNING_RATE: Key<f64> = Key::new("learning_rate");
    pub const BATCH_SIZE: Key<i64> = Key::new("batch_size");
    pub const STEPS_PER_ROUND: Key<i64> = Key::new("steps_per_round");
    pub const SUPERVISED_GREEDY_TARGET: Key<f64> = Key::new("supervised_greedy_target");
    pub const SUPERVISED_SAMPLED_TARGET: Key<f64> = Key::new("supervised_sampled_target");
    pub const SUPERVISED_MAX_STEPS: Key<i64> = Key::new("supervised_max_steps");
}

/// Every parameter of `addition`, in declaration order. docs/MODEL.md
/// explains each one.
pub static PARAMS: &[ParamSpec] = &[
    key::GENERATIONS.declare(0, 500, 30, "self-training rounds at most (one generations row each)"),
    key::START_DIGITS.declare(1, 50, 6, "supervised training covers 1..start_digits digits"),
    key::SUPERVISED_PROBLEMS.declare(1, 1_000_000, 2000, "ground-truth problems per supervised length"),
    key::PROBLEMS.declare(1, 1_000_000, 1000, "problems generated per round at the frontier length"),
    key::SAMPLES.declare(1, 64, 5, "traces sampled per problem").only_when(key::VERIFIER, READ_SAMPLES),
    key::EVAL_PROBLEMS.declare(1, 1_000_000, 1000, "fresh problems per greedy accuracy measurement"),
    key::VERIFIER.declare(VERIFIER_NAMES, "commutative", "which traces are trained on"),
    key::QUORUM
        .declare(0.0, 0.99, 0.5, "accept when the modal answer's share exceeds this")
        .only_when(key::VERIFIER, READ_QUORUM),
    key::COMMITTEE_SIZE
        .declare(2, 9, 5, "learners voting in the committee")
        .only_when(key::VERIFIER, READ_COMMITTEE_SIZE),
    key::FALSE_ACCEPT
        .declare(0.0, 1.0, 0.0, "the checker's chance of passing a wrong trace")
        .only_when(key::VERIFIER, READ_CHECKER),
    key::FALSE_REJECT
        .declare(0.0, 1.0, 0.0, "the checker's chance of failing a right trace")
        .only_when(key::VERIFIER, READ_CHECKER),
    key::NOISE_RATE.declare(0.0, 1.0, 0.01, "chance each generated step slips to a uniform output"),
    key::TEMPERATURE.declare(0.05, 10.0, 1.0, "sampling temperature of generation"),
    // Added after datasets were written; at 1 every run is the one before it,
    // identity and seed included.
    key::COT_RELIANCE
        .declare(
            0.0,
            1.0,
            1.0,
            "chance a step's carry reaches the next step through what it wrote, not internally",
        )
        .unhashed_at_default(),
    key::LEARNER.declare(
        &["table", "network"],
        "table",
        "counted step tables with written-in extrapolation, or a trained neural network",
    ),
    key::GAP
        .declare(0.0, 1.0, 0.05, "uniform error mass mixed in at each extrapolated position")
        .only_when(key::LEARNER, &["table"]),
    key::BLIND_SPOT_RATE
        .declare(0.0, 1.0, 0.001, "chance a context at a new position is a blind spot")
        .only_when(key::LEARNER, &["table"]),
    key::BLIND_SPOT_MASS
        .declare(0.0, 1.0, 0.6, "probability mass a blind spot moves to its wrong output")
        .only_when(key::LEARNER, &["table"]),
    key::MIRROR_CORRELATION
        .declare(
            0.0,
            1.0,
            0.0,
            "chance a blind spot at (a, b, k) also sits, same output, at its mirror (b, a, k)",
        )
        .only_when(key::LEARNER, &["table"]),
    key::PRIOR_STRENGTH
        .declare(0.0, 1000.0, 1.0, "pseudo-counts of the prior in each context")
        .only_when(key::LEARNER, &["table"]),
    key::DATA.declare(&["replace", "accumulate"], "accumulate", "train on this round's data or all so far"),
    key::REAL_FRACTION.declare(0.0, 1.0, 1.0, "share of the supervised data kept in training"),
    key::ADVANCE_THRESHOLD.declare(0.0, 1.0, 0.8, "acceptance rate needed to move to one more digit"),
    key::PATIENCE.declare(1, 1000, 3, "rounds without advancing before the run ends as stalled"),
    key::COLLAPSE_ACCURACY.declare(0.0, 1.0, 0.5, "frontier accuracy below which the run collapses"),
    key::LABEL_NOISE.declare(0.0, 1.0, 0.0, "share of accepted traces corrupted in noisy rounds"),
    key::LABEL_NOISE_START.declare(-1, 500, -1, "first noisy round (0-based generation; -1 = never)"),
    key::LABEL_NOISE_LENGTH.declare(1, 500, 1, "number of consecutive noisy rounds"),
    // The network learner (docs/MODEL.md, "The network learner").
    key::ENCODING
        .declare(
            &["learned", "copy", "sinusoidal"],
            "copy",
            "how the network gets the vector of a position it has not met",
        )
        .only_when(key::LEARNER, &["network"]),
    key::POSITION_SIGMA
        .declare(0.0, 100.0, 2.0, "learned encoding: a new position's vector is N(0, sigma^2)")
        .only_when(key::ENCODING, &["learned"]),
    key::COPY_NOISE
        .declare(
            0.0,
            100.0,
            2.0,
            "copy encoding: a new position's vector is the previous one's + N(0, sigma^2)",
        )
        .only_when(key::ENCODING, &["copy"]),
    key::SINUSOID_BASE
        .declare(1.0, 1e6, 10.0, "sinusoidal encoding: base of the frequencies")
        .only_when(key::ENCODING, &["sinusoidal"]),
    key::SINUSOID_SCALE
        .declare(0.0, 100.0, 5.0, "sinusoidal encoding: amplitude of the sinusoids")
        .only_when(key::ENCODING, &["sinusoidal"]),
    key::EMBED_WIDTH
        .declare(1, 256, 12, "width of the digit, carry and position vectors")
        .only_when(key::LEARNER, &["network"]),
    key::HIDDEN_WIDTH
        .declare(1, 1024, 48, "hidden units of the network")
        .only_when(key::LEARNER, &["network"]),
    key::LEARNING_RATE
        .declare(1e-6, 1.0, 0.003, "Adam's learning rate")
        .only_when(key::LEARNER, &["network"]),
    key::BATCH_SIZE
        .declare(1, 65_536, 256, "training examples (steps) per Adam step")
        .only_when(key::LEARNER, &["network"]),
    key::STEPS_PER_ROUND
        .declare(0, 100_000, 200, "Adam steps after each round")
        .only_when(key::LEARNER, &["network"]),
    key::SUPERVISED_GREEDY_TARGET
        .declare(
            0.0,
            1.0,
            0.99,
            "supervised training ends once greedy accuracy at start_digits reaches this...",
        )
        .only_when(key::LEARNER, &["network"]),
    key::SUPERVISED_SAMPLED_TARGET
        .declare(0.0, 1.0, 0.98, "...and sampled accuracy (slip-free, at the temperature) this")
        .only_when(key::LEARNER, &["network"]),
    key::SUPERVISED_MAX_STEPS
        .declare(0, 1_000_000, 6000, "supervised Adam steps at most, targets met or not")
        .only_when(key::LEARNER, &["network"]),
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
    let longest = params.get(key::START_DIGITS) + params.get(key::GENERATIONS) + 1;
    if params.get(key::PROBLEMS) * longest > MAX_ROUND_DIGITS {
        return Err(PointError {
            param: key::PROBLEMS.name(),
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
        let count = |key: Key<i64>| params.get(key).max(0) as usize;
        let start = params.get(key::LABEL_NOISE_START);
        let label_noise_rounds = if start < 0 {
            0..0
        } else {
            start as usize..(start + params.get(key::LABEL_NOISE_LENGTH)) as usize
        };
        Config {
            generations: count(key::GENERATIONS),
            start_digits: count(key::START_DIGITS),
            supervised_problems: count(key::SUPERVISED_PROBLEMS),
            problems: count(key::PROBLEMS),
            samples: count(key::SAMPLES),
            eval_problems: count(key::EVAL_PROBLEMS),
            verifier: Verifier::from_name(params.get(key::VERIFIER)).expect("declared choices only"),
            quorum: params.get(key::QUORUM),
            committee_size: count(key::COMMITTEE_SIZE),
            checker: CheckerErrors {
                false_accept: params.get(key::FALSE_ACCEPT),
                false_reject: params.get(key::FALSE_REJECT),
            },
            noise_rate: params.get(key::NOISE_RATE),
            temperature: params.get(key::TEMPERATURE),
            cot_reliance: params.get(key::COT_RELIANCE),
            learner: learner_kind(params),
            generalisation: Generalisation {
                gap: params.get(key::GAP),
                blind_spot_rate: params.get(key::BLIND_SPOT_RATE),
                blind_spot_mass: params.get(key::BLIND_SPOT_MASS),
                prior_strength: params.get(key::PRIOR_STRENGTH),
                mirror_correlation: params.get(key::MIRROR_CORRELATION),
            },
            data: if params.get(key::DATA) == "replace" { DataMode::Replace } else { DataMode::Accumulate },
            real_fraction: params.get(key::REAL_FRACTION),
            advance_threshold: params.get(key::ADVANCE_THRESHOLD),
            patience: count(key::PATIENCE),
            collapse_accuracy: params.get(key::COLLAPSE_ACCURACY),
            label_noise: params.get(key::LABEL_NOISE),
            label_noise_rounds,
        }
    }
}

fn learner_kind(params: &Params) -> LearnerKind {
    if params.get(key::LEARNER) == "table" {
        return LearnerKind::Table;
    }
    let float = |key: Key<f64>| params.get(key) as f32;
    let encoding = match params.get(key::ENCODING) {
        "learned" => Encoding::Learned { sigma: float(key::POSITION_SIGMA) },
        "copy" => Encoding::Copy { sigma: float(key::COPY_NOISE) },
        _ => Encoding::Sinusoidal { base: float(key::SINUSOID_BASE), scale: float(key::SINUSOID_SCALE) },
    };
    let count = |key: Key<i64>| params.get(key).max(0) as usize;
    LearnerKind::Network(NetworkConfig {
        shape: Shape { embed: count(key::EMBED_WIDTH), hidden: count(key::HIDDEN_WIDTH) },
        encoding,
        learning_rate: float(key::LEARNING_RATE),
        batch_size: count(key::BATCH_SIZE),
        steps_per_round: count(key::STEPS_PER_ROUND),
        greedy_target: params.get(key::SUPERVISED_GREEDY_TARGET),
        sampled_target: params.get(key::SUPERVISED_SAMPLED_TARGET),
        supervised_max_steps: count(key::SUPERVISED_MAX_STEPS),
    })
}

/// A configuration at the defaults but for `overrides`, for tests.
#[cfg(test)]
pub fn for_test(overrides: &[(&str, crate::value::Value)]) -> Config {
    let values = Params::with(PARAMS, overrides);
    Config::from_params(&Params { specs: PARAMS, values: &values })
}
