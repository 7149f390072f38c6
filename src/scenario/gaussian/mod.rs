//! `gaussian`: the recursive Gaussian fit of Shumailov et al. (Nature 2024),
//! the smallest model that collapses when trained on its own samples.
//!
//! Generation 0 is the true distribution N(mean, std^2). Generation n >= 1
//! draws `samples` points from generation n-1's model (some replaced by
//! outliers, some real under `mix`), optionally filters them with a verifier,
//! and fits a mean and a variance to its training set. Each simulated column
//! is computed from the points actually drawn; the `*_theory` columns hold
//! closed-form expectations where they are known (docs/COLLAPSE.md).

use std::borrow::Cow;

mod batch;
pub mod normal;
pub mod regime;
mod special;
mod theory;

#[cfg(test)]
mod tests;

use rand_pcg::Pcg64;

use super::contract::{Comparison, CurveSpec, ReportSpec};
use super::{Deadline, Hooks, PointError, RunError, RunFn, RunOutput, Scenario};
use crate::params::{ParamSpec, Params};
use crate::value::Names;
use crate::value::{Better, ColumnSpec, ColumnType, Support, Value};
use batch::{BatchVerifier, Counts, Estimator, Moments, Normal, Recipe};
use regime::Data;
use theory::{Contamination, Expected, Point};

/// The parameters' keys: each name spelled once, for the declaration and
/// every read.
pub mod key {
    use crate::params::{Choice, Key};

    pub const SAMPLES: Key<i64> = Key::new("samples");
    pub const GENERATIONS: Key<i64> = Key::new("generations");
    pub const NOISE_RATE: Key<f64> = Key::new("noise_rate");
    pub const OUTLIER_SCALE: Key<f64> = Key::new("outlier_scale");
    pub const VERIFIER: Key<Choice> = Key::new("verifier");
    pub const Z_MAX: Key<f64> = Key::new("z_max");
    pub const ESTIMATOR: Key<Choice> = Key::new("estimator");
    pub const MEAN: Key<f64> = Key::new("mean");
    pub const STD: Key<f64> = Key::new("std");
}

static PARAMS: &[ParamSpec] = &[
    key::SAMPLES.declare(2, 10_000_000, 100, "points drawn per generation (M)"),
    key::GENERATIONS.declare(0, 1_000_000, 10, "fits after generation 0 (the true distribution)"),
    regime::DATA_PARAM,
    regime::REAL_FRACTION_PARAM,
    key::NOISE_RATE.declare(0.0, 1.0, 0.0, "probability that a drawn point is replaced by an outlier"),
    key::OUTLIER_SCALE.declare(
        0.0,
        f64::INFINITY,
        10.0,
        "outliers ~ N(mean, (outlier_scale * std)^2), centred on the truth",
    ),
    key::VERIFIER.declare(
        &["none", "self", "oracle"],
        "none",
        "drop points beyond z_max sd of: nothing (none), the generating model (self), the truth (oracle)",
    ),
    key::Z_MAX
        .declare(0.0, f64::INFINITY, 3.0, "verifier threshold in standard deviations")
        .only_when(key::VERIFIER, &["self", "oracle"]),
    key::ESTIMATOR.declare(
        &["unbiased", "mle"],
        "unbiased",
        "variance fit: sum of squares over (count - 1) or over count",
    ),
    key::MEAN.declare(f64::NEG_INFINITY, f64::INFINITY, 0.0, "mean of the true distribution"),
    key::STD.declare(f64::MIN_POSITIVE, f64::INFINITY, 1.0, "standard deviation of the true distribution"),
];

const FLOAT: ColumnType = ColumnType::Float;
const INT: ColumnType = ColumnType::Int;

static GENERATION_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::new("fitted_mean", FLOAT, "mean of this generation's model"),
    ColumnSpec::new("fitted_variance", FLOAT, "variance of this generation's model"),
    ColumnSpec::new("mean_sq_error", FLOAT, "(fitted_mean - mean)^2")
        .label("mean squared error of the fitted mean", None)
        .support(Support::NonNegative)
        .theory("mean_sq_error_theory"),
    // The ratio is drawn as a median: its mean is a martingale's, dominated
    // by rare huge runs, so the sample mean cannot test E = 1 (docs/COLLAPSE.md);
    // the log ratio, light-tailed, carries the theory.
    ColumnSpec::new("variance_ratio", FLOAT, "fitted_variance / std^2")
        .label("fitted variance / true variance", None)
        .support(Support::NonNegative),
    ColumnSpec::new(
        "log_variance_ratio",
        FLOAT,
        "ln(fitted_variance / std^2); -inf once the variance hits 0",
    )
    .label("ln(fitted variance / true variance)", None)
    .theory("log_variance_ratio_theory"),
    ColumnSpec::new("wasserstein2_sq", FLOAT, "squared 2-Wasserstein distance to the truth"),
    ColumnSpec::new("kept", INT, "points of this generation's batch that passed the verifier (null at 0)"),
    ColumnSpec::new("outliers", INT, "points of this generation's batch replaced by outliers (null at 0)"),
    ColumnSpec::new("outliers_kept", INT, "outliers that passed the verifier (null at 0)"),
    ColumnSpec::new("train_size", INT, "points the fit used; below 2 the previous model is kept (null at 0)"),
    ColumnSpec::new("mean_sq_error_theory", FLOAT, "E[mean_sq_error] in closed form, null where unknown"),
    ColumnSpec::new("variance_ratio_theory", FLOAT, "E[variance_ratio] in closed form, null where unknown"),
    ColumnSpec::new("log_variance_ratio_theory", FLOAT, "E[log_variance_ratio], null where unknown"),
    ColumnSpec::new("wasserstein2_sq_theory", FLOAT, "E[wasserstein2_sq] in closed form, null where unknown"),
];

static SUMMARY_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::new("final_fitted_mean", FLOAT, "fitted_mean of the last generation"),
    ColumnSpec::new("final_fitted_variance", FLOAT, "fitted_variance of the last generation"),
    ColumnSpec::new("final_mean_sq_error", FLOAT, "mean_sq_error of the last generation")
        .label("final mean sq. error", None)
        .better(Better::Lower)
        .support(Support::NonNegative)
        .theory("final_mean_sq_error_theory"),
    ColumnSpec::new("final_variance_ratio", FLOAT, "variance_ratio of the last generation")
        .label("final variance ratio", None)
        .better(Better::Toward(1.0))
        .support(Support::NonNegative),
    ColumnSpec::new("final_log_variance_ratio", FLOAT, "log_variance_ratio of the last generation")
        .label("final log variance ratio", None)
        .theory("final_log_variance_ratio_theory"),
    ColumnSpec::new("final_wasserstein2_sq", FLOAT, "wasserstein2_sq of the last generation"),
    ColumnSpec::new("final_mean_sq_error_theory", FLOAT, "mean_sq_error_theory of the last generation"),
    ColumnSpec::new("final_variance_ratio_theory", FLOAT, "variance_ratio_theory of the last generation"),
    ColumnSpec::new(
        "final_log_variance_ratio_theory",
        FLOAT,
        "log_variance_ratio_theory of the last generation",
    ),
    ColumnSpec::new("final_wasserstein2_sq_theory", FLOAT, "wasserstein2_sq_theory of the last generation"),
    ColumnSpec::new("kept_fraction", FLOAT, "points kept / points drawn over all generations (null if none)")
        .label("kept fraction", None)
        .support(Support::Unit),
    ColumnSpec::new("outliers_kept_fraction", FLOAT, "outliers kept / outliers drawn (null if none)")
        .label("outliers kept fraction", None)
        .better(Better::Lower)
        .support(Support::Unit),
    ColumnSpec::new("skipped_fits", INT, "generations whose training set had under 2 points (model kept)"),
];

/// The scenario.
pub static SCENARIO: Scenario = Scenario {
    name: "gaussian",
    about: "recursive Gaussian fit on its own samples (Shumailov et al. 2024)",
    params: Cow::Borrowed(PARAMS),
    summary_columns: Cow::Borrowed(SUMMARY_COLUMNS),
    generation_columns: Cow::Borrowed(GENERATION_COLUMNS),
    check,
    run: RunFn::plain(run),
    cores_per_run: 1,
    hooks: Hooks::NONE,
    report: ReportSpec {
        headline: Names::Literal(&[
            "final_variance_ratio",
            "final_log_variance_ratio",
            "final_mean_sq_error",
            "kept_fraction",
            "outliers_kept_fraction",
        ]),
        curves: Cow::Borrowed(&[
            CurveSpec::of("variance_ratio"),
            CurveSpec::of("log_variance_ratio"),
            CurveSpec::of("mean_sq_error"),
        ]),
        comparison: Some(Comparison::of("verifier", "none", Some("noise_rate"))),
        horizon: Some(Cow::Borrowed("generations")),
        ..ReportSpec::EMPTY
    },
};

/// One run's parameters, read once.
#[derive(Clone, Copy, Debug)]
struct Config {
    samples: usize,
    generations: u64,
    data: Data,
    noise_rate: f64,
    outlier_scale: f64,
    verifier: BatchVerifier,
    z_max: f64,
    estimator: Estimator,
    truth: Normal,
}

impl Config {
    fn from_params(params: &Params) -> Config {
        let samples = params.get(key::SAMPLES) as usize;
        Config {
            samples,
            generations: params.get(key::GENERATIONS) as u64,
            data: Data::from_params(params, samples),
            noise_rate: params.get(key::NOISE_RATE),
            outlier_scale: params.get(key::OUTLIER_SCALE),
            verifier: match params.get(key::VERIFIER) {
                "self" => BatchVerifier::SelfFit,
                "oracle" => BatchVerifier::Oracle,
                _ => BatchVerifier::None,
            },
            z_max: params.get(key::Z_MAX),
            estimator: match params.get(key::ESTIMATOR) {
                "mle" => Estimator::Mle,
                _ => Estimator::Unbiased,
            },
            truth: Normal { mean: params.get(key::MEAN), sd: params.get(key::STD) },
        }
    }

    /// Closed forms assume unfiltered batches.
    fn has_theory(&self) -> bool {
        self.verifier == BatchVerifier::None
    }
}

fn check(params: &Params) -> Result<(), PointError> {
    let std = params.get(key::STD);
    if !(std * std).is_normal() {
        return Err(PointError {
            param: key::STD.name(),
            message: format!("`std` = {std} has a variance that underflows or overflows a float"),
        });
    }
    // The fitted mean's squared error, and sums of `samples` points near
    // the mean, must stay finite: at |mean| = 1e308 every run came out NaN.
    let mean = params.get(key::MEAN);
    if !(mean * mean).is_finite() {
        return Err(PointError {
            param: key::MEAN.name(),
            message: format!("`mean` = {mean} has a square that overflows a float (at most about 1e154)"),
        });
    }
    // Outliers enter sums of squares: their variance must stay finite too.
    let scale = params.get(key::OUTLIER_SCALE) * std;
    if !(scale * scale).is_finite() {
        return Err(PointError {
            param: key::OUTLIER_SCALE.name(),
            message: "(`outlier_scale` * `std`)^2 overflows a float".to_string(),
        });
    }
    Ok(())
}

/// The model fitted to `moments`, or `None` with fewer than two points.
fn fit(moments: Moments, estimator: Estimator) -> Option<Normal> {
    if moments.count < 2 {
        return None;
    }
    let n = moments.count as f64;
    let variance = match estimator {
        Estimator::Unbiased => moments.sum_sq / (n - 1.0),
        Estimator::Mle => moments.sum_sq / n,
    };
    Some(Normal { mean: moments.mean, sd: variance.sqrt() })
}

fn run(params: &Params, rng: &mut Pcg64, deadline: &Deadline) -> Result<RunOutput, RunError> {
    let config = Config::from_params(params);
    simulate(&config, rng, deadline)
}

/// Running totals for the summary row.
#[derive(Default)]
struct Totals {
    drawn: u64,
    kept: u64,
    outliers: u64,
    outliers_kept: u64,
    skipped_fits: i64,
}

fn simulate(config: &Config, rng: &mut Pcg64, deadline: &Deadline) -> Result<RunOutput, RunError> {
    let truth = config.truth;
    let mut model = truth;
    let mut pool = Moments::default();
    let mut batch = vec![0.0; config.samples];
    let contamination = Contamination { rate: config.noise_rate, scale: config.outlier_scale };
    let theory = config.has_theory().then(|| {
        theory::expectations(&Point {
            data: config.data,
            estimator: config.estimator,
            contamination,
            samples: config.samples,
            generations: config.generations,
        })
    });
    let mut totals = Totals::default();
    let mut rows = Vec::with_capacity(config.generations as usize + 1);
    let mut expected = Expected::TRUTH;
    rows.push(generation_row(config, model, None, 0, expected));
    for generation in 0..config.generations as usize {
        deadline.check()?;
        let recipe = Recipe {
            truth,
            generator: model,
            real: config.data.real_points(),
            noise_rate: config.noise_rate,
            outlier_scale: config.outlier_scale,
            verifier: config.verifier,
            z_max: config.z_max,
        };
        let counts = batch::draw(rng, &recipe, &mut batch);
        let fresh = Moments::of(&batch[..counts.kept]);
        let training = match config.data {
            Data::Accumulate => {
                pool = pool.merge(fresh);
                pool
            }
            _ => fresh,
        };
        match fit(training, config.estimator) {
            Some(fitted) => model = fitted,
            None => totals.skipped_fits += 1,
        }
        totals.drawn += config.samples as u64;
        totals.kept += counts.kept as u64;
        totals.outliers += counts.outliers as u64;
        totals.outliers_kept += counts.outliers_kept as u64;
        expected = theory.as_ref().map_or(Expected::default(), |theory| theory[generation]);
        rows.push(generation_row(config, model, Some(counts), training.count, expected));
    }
    let summary = summary_row(config, model, expected, &totals);
    Ok(RunOutput { summary, generations: rows })
}

/// The simulated distances of `model` from the truth.
struct Distances {
    mean_sq_error: f64,
    variance_ratio: f64,
    log_variance_ratio: f64,
    wasserstein2_sq: f64,
}

fn distances(config: &Config, model: Normal) -> Distances {
    let truth = config.truth;
    let mean_sq_error = (model.mean - truth.mean).powi(2);
    let variance_ratio = (model.sd * model.sd) / (truth.sd * truth.sd);
    Distances {
        mean_sq_error,
        variance_ratio,
        log_variance_ratio: variance_ratio.ln(),
        wasserstein2_sq: mean_sq_error + (model.sd - truth.sd).powi(2),
    }
}

fn float(x: f64) -> Option<Value> {
    Some(Value::Float(x))
}

fn int(x: u64) -> Option<Value> {
    Some(Value::Int(x as i64))
}

/// Theory in the scenario's units: errors scale with std^2, ratios do not.
fn scaled_theory(config: &Config, expected: Expected) -> [Option<Value>; 4] {
    let var = config.truth.sd * config.truth.sd;
    [
        expected.mean_sq_error.and_then(|x| float(x * var)),
        expected.variance_ratio.and_then(float),
        expected.log_variance_ratio.and_then(float),
        expected.wasserstein2_sq.and_then(|x| float(x * var)),
    ]
}

fn generation_row(
    config: &Config,
    model: Normal,
    counts: Option<Counts>,
    train_size: u64,
    expected: Expected,
) -> super::Row {
    let d = distances(config, model);
    let mut row = Vec::with_capacity(GENERATION_COLUMNS.len());
    row.extend([
        float(model.mean),
        float(model.sd * model.sd),
        float(d.mean_sq_error),
        float(d.variance_ratio),
        float(d.log_variance_ratio),
        float(d.wasserstein2_sq),
    ]);
    match counts {
        Some(c) => row.extend([
            int(c.kept as u64),
            int(c.outliers as u64),
            int(c.outliers_kept as u64),
            int(train_size),
        ]),
        None => row.extend([None, None, None, None]),
    }
    row.extend(scaled_theory(config, expected));
    row
}

fn summary_row(config: &Config, model: Normal, expected: Expected, totals: &Totals) -> super::Row {
    let d = distances(config, model);
    let ratio = |num: u64, den: u64| if den == 0 { None } else { float(num as f64 / den as f64) };
    let [mse_theory, ratio_theory, log_ratio_theory, w2_theory] = scaled_theory(config, expected);
    super::row_by_name(
        SUMMARY_COLUMNS,
        &[
            ("final_fitted_mean", float(model.mean)),
            ("final_fitted_variance", float(model.sd * model.sd)),
            ("final_mean_sq_error", float(d.mean_sq_error)),
            ("final_variance_ratio", float(d.variance_ratio)),
            ("final_log_variance_ratio", float(d.log_variance_ratio)),
            ("final_wasserstein2_sq", float(d.wasserstein2_sq)),
            ("final_mean_sq_error_theory", mse_theory),
            ("final_variance_ratio_theory", ratio_theory),
            ("final_log_variance_ratio_theory", log_ratio_theory),
            ("final_wasserstein2_sq_theory", w2_theory),
            ("kept_fraction", ratio(totals.kept, totals.drawn)),
            ("outliers_kept_fraction", ratio(totals.outliers_kept, totals.outliers)),
            ("skipped_fits", Some(Value::Int(totals.skipped_fits))),
        ],
    )
}
