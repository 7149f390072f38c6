//! `prune`: training on verified synthetic data, after Feng et al. 2024
//! ("Beyond model collapse: scaling up with synthesized data requires
//! verification"), a setting whose breakdown point is known exactly, so
//! that the adaptive search (`[search]`) can be checked against it.
//!
//! Gaussian-mixture classification: x ~ N(y mu, I_dim), y = +-1 with equal
//! probability, |mu| = `signal`. Each generation draws `samples` examples.
//! Generation 1's labels are wrong with probability `label_error`; a later
//! generation's labels are the previous classifier's predictions (its own
//! errors are the next label errors: the self-consuming loop). A verifier
//! that knows the truth keeps a correctly labelled example with probability
//! `keep_right` and a wrong one with `keep_wrong`; the mean-difference
//! classifier w = mean(label * x) over the kept examples is fitted, and its
//! accuracy on fresh data is computed exactly from w: Phi(w.mu / |w|).

use std::borrow::Cow;

mod theory;

use rand_pcg::Pcg64;

use super::contract::{CurveSpec, ReportSpec};
use super::gaussian::normal::{fill_standard_normal, unit};
use super::{Deadline, Hooks, PointError, RunError, RunFn, RunOutput, Scenario};
use crate::params::{ParamSpec, Params};
use crate::value::Names;
use crate::value::{Better, ColumnSpec, ColumnType, Support, Value};

/// The parameters' keys: each name spelled once, for the declaration and
/// every read.
pub mod key {
    use crate::params::Key;

    pub const LABEL_ERROR: Key<f64> = Key::new("label_error");
    pub const KEEP_RIGHT: Key<f64> = Key::new("keep_right");
    pub const KEEP_WRONG: Key<f64> = Key::new("keep_wrong");
    pub const DIM: Key<i64> = Key::new("dim");
    pub const SAMPLES: Key<i64> = Key::new("samples");
    pub const SIGNAL: Key<f64> = Key::new("signal");
    pub const GENERATIONS: Key<i64> = Key::new("generations");
}

static PARAMS: &[ParamSpec] = &[
    key::LABEL_ERROR.declare(0.0, 1.0, 0.1, "probability that a first-generation label is wrong"),
    key::KEEP_RIGHT.declare(
        0.0,
        1.0,
        1.0,
        "probability that the verifier keeps a correctly labelled example",
    ),
    key::KEEP_WRONG.declare(0.0, 1.0, 0.5, "probability that the verifier keeps a wrongly labelled example"),
    key::DIM.declare(1, 10_000, 10, "dimension of x"),
    key::SAMPLES.declare(1, 10_000_000, 1000, "synthetic examples drawn per generation, before the verifier"),
    key::SIGNAL.declare(0.0, 100.0, 1.0, "|mu|: the class means are +mu and -mu"),
    key::GENERATIONS.declare(
        1,
        10_000,
        1,
        "fits; from the second on, the previous classifier labels the data",
    ),
];

static GENERATION_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::new(
        "accuracy",
        ColumnType::Float,
        "accuracy of this generation's classifier on fresh data, exact from its weights",
    )
    .label("accuracy", None)
    .better(Better::Higher)
    .support(Support::Unit),
    ColumnSpec::new(
        "label_error_seen",
        ColumnType::Float,
        "share of this generation's drawn labels that were wrong",
    )
    .support(Support::Unit),
    ColumnSpec::new("kept", ColumnType::Int, "examples the verifier kept"),
    ColumnSpec::new("kept_wrong", ColumnType::Int, "of those, wrongly labelled"),
];

static SUMMARY_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::new("accuracy", ColumnType::Float, "accuracy of the last generation's classifier, exact from its weights (1/2 when nothing was kept)")
        .label("accuracy", None)
        .better(Better::Higher)
        .support(Support::Unit)
        .theory("accuracy_theory"),
    ColumnSpec::new(
        "accuracy_theory",
        ColumnType::Float,
        "expected accuracy of the first fit to leading order in samples (null when generations > 1)",
    ),
    ColumnSpec::new(
        "breakdown_theory",
        ColumnType::Float,
        "1 / (1 + keep_wrong / keep_right): the label error above which the first fit points away from the truth",
    ),
    ColumnSpec::new("first_accuracy", ColumnType::Float, "accuracy of the first generation's classifier"),
    ColumnSpec::new("kept", ColumnType::Int, "examples the last generation's verifier kept"),
];

/// The scenario.
pub static SCENARIO: Scenario = Scenario {
    name: "prune",
    about: "a linear classifier trained on verified synthetic labels, with a known breakdown point (Feng et al. 2024)",
    params: Cow::Borrowed(PARAMS),
    summary_columns: Cow::Borrowed(SUMMARY_COLUMNS),
    generation_columns: Cow::Borrowed(GENERATION_COLUMNS),
    check,
    run: RunFn::plain(run),
    cores_per_run: 1,
    hooks: Hooks::NONE,
    report: ReportSpec {
        headline: Names::Literal(&["accuracy"]),
        curves: Cow::Borrowed(&[CurveSpec::of("accuracy")]),
        horizon: Some(Cow::Borrowed("generations")),
        ..ReportSpec::EMPTY
    },
};

fn check(params: &Params) -> Result<(), PointError> {
    if params.get(key::KEEP_RIGHT) + params.get(key::KEEP_WRONG) <= 0.0 {
        return Err(PointError {
            param: key::KEEP_RIGHT.name(),
            message: "`keep_right` and `keep_wrong` are both 0: the verifier keeps nothing".into(),
        });
    }
    if params.get(key::SAMPLES).saturating_mul(params.get(key::DIM)) > MAX_DRAWS {
        return Err(PointError {
            param: key::SAMPLES.name(),
            message: format!("`samples` * `dim` exceeds {MAX_DRAWS} normal draws per generation"),
        });
    }
    Ok(())
}

/// The most normal draws one generation may take (about a second of work).
const MAX_DRAWS: i64 = 100_000_000;

fn run(params: &Params, rng: &mut Pcg64, deadline: &Deadline) -> Result<RunOutput, RunError> {
    check(params).map_err(|e| RunError::Failed(e.message))?;
    let label_error = params.get(key::LABEL_ERROR);
    let (keep_right, keep_wrong) = (params.get(key::KEEP_RIGHT), params.get(key::KEEP_WRONG));
    let (dim, samples) = (params.get(key::DIM) as usize, params.get(key::SAMPLES) as usize);
    let signal = params.get(key::SIGNAL);
    let generations = params.get(key::GENERATIONS) as usize;

    // mu = signal * e_1: the model is rotation invariant, so one axis loses nothing.
    let mut x = vec![0.0; dim];
    let mut teacher: Option<Vec<f64>> = None;
    let mut rows = Vec::with_capacity(generations);
    let (mut first, mut accuracy, mut kept) = (None, 0.5, 0);
    for _ in 0..generations {
        deadline.check()?;
        let mut w = vec![0.0; dim];
        let (mut wrong, mut kept_wrong) = (0usize, 0usize);
        kept = 0;
        for _ in 0..samples {
            let y = if rng.next_u64_bit() { 1.0 } else { -1.0 };
            fill_standard_normal(rng, &mut x);
            x[0] += y * signal;
            let label = match &teacher {
                None => {
                    if unit(rng) < label_error {
                        -y
                    } else {
                        y
                    }
                }
                // The previous classifier labels; a zero one says +1.
                Some(t) => {
                    if dot(t, &x) >= 0.0 {
                        1.0
                    } else {
                        -1.0
                    }
                }
            };
            let right = label == y;
            wrong += usize::from(!right);
            if unit(rng) < if right { keep_right } else { keep_wrong } {
                kept += 1;
                kept_wrong += usize::from(!right);
                for (wi, xi) in w.iter_mut().zip(&x) {
                    *wi += label * xi;
                }
            }
        }
        if kept > 0 {
            w.iter_mut().for_each(|wi| *wi /= kept as f64);
        }
        accuracy = exact_accuracy(&w, signal);
        first.get_or_insert(accuracy);
        rows.push(vec![
            Some(Value::Float(accuracy)),
            Some(Value::Float(wrong as f64 / samples as f64)),
            Some(Value::Int(kept as i64)),
            Some(Value::Int(kept_wrong as i64)),
        ]);
        teacher = Some(w);
    }
    let accuracy_theory = (generations == 1)
        .then(|| {
            theory::first_accuracy(label_error, keep_right, keep_wrong, signal, dim as f64, samples as f64)
        })
        .flatten();
    let summary = super::row_by_name(
        SUMMARY_COLUMNS,
        &[
            ("accuracy", Some(Value::Float(accuracy))),
            ("accuracy_theory", accuracy_theory.map(Value::Float)),
            ("breakdown_theory", Some(Value::Float(theory::breakdown(keep_right, keep_wrong)))),
            ("first_accuracy", first.map(Value::Float)),
            ("kept", Some(Value::Int(kept as i64))),
        ],
    );
    Ok(RunOutput { summary, generations: rows })
}

/// P(y w.x > 0) for a fresh (x, y): w.x given y is N(y w.mu, |w|^2), so the
/// accuracy is Phi(w.mu / |w|) exactly; a zero w (nothing kept) guesses.
fn exact_accuracy(w: &[f64], signal: f64) -> f64 {
    let norm = dot(w, w).sqrt();
    if norm == 0.0 {
        return 0.5;
    }
    theory::normal_cdf(w[0] * signal / norm)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// One fair random bit.
trait Bit {
    fn next_u64_bit(&mut self) -> bool;
}

impl Bit for Pcg64 {
    fn next_u64_bit(&mut self) -> bool {
        rand::RngCore::next_u64(self) >> 63 == 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn mean_accuracy(overrides: &[(&str, Value)], runs: u64) -> (f64, f64) {
        let values = Params::with(PARAMS, overrides);
        let params = Params { specs: PARAMS, values: &values };
        let accuracies: Vec<f64> = (0..runs)
            .map(|seed| {
                let mut rng = Pcg64::seed_from_u64(seed);
                let out = run(&params, &mut rng, &Deadline::none()).unwrap();
                match out.summary[0] {
                    Some(Value::Float(a)) => a,
                    _ => panic!("accuracy is a float"),
                }
            })
            .collect();
        let n = accuracies.len() as f64;
        let mean = accuracies.iter().sum::<f64>() / n;
        let var = accuracies.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, (var / n).sqrt())
    }

    #[test]
    fn the_first_fit_matches_its_leading_order_accuracy() {
        // 10,000 samples: the theory's neglected terms are O(1/samples),
        // about 1e-4 in accuracy, below the 4-standard-error tolerance.
        for (label_error, keep_wrong) in [(0.1, 1.0), (0.3, 0.5), (0.45, 0.2)] {
            let overrides = [
                ("label_error", Value::Float(label_error)),
                ("keep_wrong", Value::Float(keep_wrong)),
                ("samples", Value::Int(10_000)),
            ];
            let (mean, se) = mean_accuracy(&overrides, 200);
            let expected = theory::first_accuracy(label_error, 1.0, keep_wrong, 1.0, 10.0, 10_000.0).unwrap();
            assert!(
                (mean - expected).abs() < 4.0 * se + 2e-4,
                "{label_error}, {keep_wrong}: {mean} vs {expected} (se {se})"
            );
        }
    }

    #[test]
    fn past_the_breakdown_the_classifier_points_away_from_the_truth() {
        // keep_wrong 0.5: breakdown at 2/3. Well past it, accuracy is below
        // 1/2 in (nearly) every run; well before it, above.
        let at = |label_error: f64| mean_accuracy(&[("label_error", Value::Float(label_error))], 50).0;
        assert!(at(0.8) < 0.3, "{}", at(0.8));
        assert!(at(0.5) > 0.7, "{}", at(0.5));
    }
}
