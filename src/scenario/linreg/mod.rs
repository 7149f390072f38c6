//! `linreg`: ordinary least squares retrained on its own predictions, the
//! linear-regression model collapse of Dohmatob, Feng and Kempe (2024) and
//! Gerstgrasser et al. (2024), where the error growth is known exactly.
//!
//! Generation 0 is the true weight vector w*. Generation n >= 1 draws a
//! design of `samples` rows (or reuses the first one), labels it with
//! generation n-1's weights plus fresh noise of variance `noise_rate`
//! (`mix`: a share of rows labelled by w* instead), and refits by OLS on the
//! newest batch (`replace`, `mix`) or on every batch so far (`accumulate`).

use std::borrow::Cow;

mod ols;
mod theory;

#[cfg(test)]
mod tests;

use rand_pcg::Pcg64;

use super::contract::{CurveSpec, ReportSpec};
use super::gaussian::normal::fill_standard_normal;
use super::gaussian::regime::{self, Data};
use super::{Deadline, Hooks, PointError, RunError, RunFn, RunOutput, Scenario};
use crate::params::{ParamSpec, Params};
use crate::value::Names;
use crate::value::{Better, ColumnSpec, ColumnType, Support, Value};
use theory::{Design, Schedule, Setting};

/// The parameters' keys: each name spelled once, for the declaration and
/// every read.
pub mod key {
    use crate::params::{Choice, Key};

    pub const SAMPLES: Key<i64> = Key::new("samples");
    pub const DIM: Key<i64> = Key::new("dim");
    pub const GENERATIONS: Key<i64> = Key::new("generations");
    pub const NOISE_RATE: Key<f64> = Key::new("noise_rate");
    pub const DESIGN: Key<Choice> = Key::new("design");
    pub const VERIFIER: Key<Choice> = Key::new("verifier");
}

static PARAMS: &[ParamSpec] = &[
    key::SAMPLES.declare(3, 100_000_000, 100, "rows per generation (T); must exceed dim + 1"),
    // Three d x d matrices are kept: 2 000 caps them at 32 MB each.
    key::DIM.declare(1, 2_000, 10, "number of features (d)"),
    key::GENERATIONS.declare(0, 1_000_000, 10, "fits after generation 0 (the true weights)"),
    regime::DATA_PARAM,
    regime::REAL_FRACTION_PARAM,
    key::NOISE_RATE.declare(0.0, f64::INFINITY, 1.0, "label noise variance (sigma^2) added every generation"),
    key::DESIGN.declare(
        &["fresh", "fixed"],
        "fresh",
        "fresh: new feature rows every generation; fixed: the first generation's rows reused",
    ),
    key::VERIFIER.declare(&["none"], "none", "no verifier is defined for linear regression"),
];

static GENERATION_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::new(
        "test_error",
        ColumnType::Float,
        "||w_n - w*||^2, the excess risk for isotropic features",
    )
    .label("test error (mean squared)", None)
    .support(Support::NonNegative)
    .theory("test_error_theory"),
    ColumnSpec::new(
        "test_error_theory",
        ColumnType::Float,
        "E[test_error] in closed form, null where unknown",
    ),
    ColumnSpec::new("train_size", ColumnType::Int, "rows the fit used (null at generation 0)"),
];

static SUMMARY_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::new("final_test_error", ColumnType::Float, "test_error of the last generation")
        .label("final test error", None)
        .better(Better::Lower)
        .support(Support::NonNegative)
        .theory("final_test_error_theory"),
    ColumnSpec::new("final_test_error_theory", ColumnType::Float, "test_error_theory of the last generation"),
    ColumnSpec::new(
        "first_test_error",
        ColumnType::Float,
        "test_error of generation 1, a fit to real labels",
    ),
    ColumnSpec::new(
        "error_growth",
        ColumnType::Float,
        "final_test_error / first_test_error (null without generations, or at zero noise: both round-off)",
    )
    .label("error growth", Some("x"))
    .better(Better::Lower)
    .support(Support::NonNegative),
];

/// The scenario.
pub static SCENARIO: Scenario = Scenario {
    name: "linreg",
    about: "OLS refitted on its own noisy predictions (Dohmatob et al. 2024, Gerstgrasser et al. 2024)",
    params: Cow::Borrowed(PARAMS),
    summary_columns: Cow::Borrowed(SUMMARY_COLUMNS),
    generation_columns: Cow::Borrowed(GENERATION_COLUMNS),
    check,
    run: RunFn::plain(run),
    cores_per_run: 1,
    hooks: Hooks::NONE,
    report: ReportSpec {
        headline: Names::Literal(&["final_test_error", "error_growth"]),
        curves: Cow::Borrowed(&[CurveSpec::of("test_error")]),
        horizon: Some(Cow::Borrowed("generations")),
        ..ReportSpec::EMPTY
    },
};

fn check(params: &Params) -> Result<(), PointError> {
    let (samples, dim) = (params.get(key::SAMPLES), params.get(key::DIM));
    // E[(X^T X)^{-1}] = I / (T - d - 1) needs T > d + 1; below that the
    // expected error is infinite (T = d + 1) or the fit is not unique.
    if samples <= dim + 1 {
        return Err(PointError {
            param: key::SAMPLES.name(),
            message: format!(
                "`samples` = {samples} must exceed `dim` + 1 = {} for a least-squares fit",
                dim + 1
            ),
        });
    }
    if samples.saturating_mul(dim) > MAX_DESIGN_ENTRIES {
        return Err(PointError {
            param: key::SAMPLES.name(),
            message: format!(
                "`samples` * `dim` = {} exceeds {MAX_DESIGN_ENTRIES} design entries (800 MB)",
                samples.saturating_mul(dim)
            ),
        });
    }
    Ok(())
}

/// The largest design matrix a run may hold, so no sweep point can ask for
/// more memory than a machine has.
const MAX_DESIGN_ENTRIES: i64 = 100_000_000;

/// One run's parameters, read once.
#[derive(Clone, Copy, Debug)]
struct Config {
    generations: u64,
    setting: Setting,
}

impl Config {
    fn from_params(params: &Params) -> Config {
        let samples = params.get(key::SAMPLES) as usize;
        Config {
            generations: params.get(key::GENERATIONS) as u64,
            setting: Setting {
                data: Data::from_params(params, samples),
                design: match params.get(key::DESIGN) {
                    "fixed" => Design::Fixed,
                    _ => Design::Fresh,
                },
                dim: params.get(key::DIM) as usize,
                samples,
                noise_variance: params.get(key::NOISE_RATE),
            },
        }
    }
}

fn run(params: &Params, rng: &mut Pcg64, deadline: &Deadline) -> Result<RunOutput, RunError> {
    // The sweep validator already refuses these; a direct caller gets an error, not a panic.
    check(params).map_err(|e| RunError::Failed(e.message))?;
    simulate(&Config::from_params(params), rng, deadline)
}

/// Reused buffers, allocated once per run.
struct Workspace {
    /// The current design, `samples x dim`, row-major.
    rows: Vec<f64>,
    labels: Vec<f64>,
    /// X^T X of the current design (lower triangle).
    batch_gram: Vec<f64>,
    /// The Gram matrix and moment vector the fit solves with.
    gram: Vec<f64>,
    rhs: Vec<f64>,
    factor: Vec<f64>,
}

fn simulate(config: &Config, rng: &mut Pcg64, deadline: &Deadline) -> Result<RunOutput, RunError> {
    let s = config.setting;
    let (dim, samples) = (s.dim, s.samples);
    let sigma = s.noise_variance.sqrt();
    let real = s.data.real_points();
    let mut truth = vec![0.0; dim];
    fill_standard_normal(rng, &mut truth);
    let mut model = truth.clone();
    let mut next = vec![0.0; dim];
    let mut ws = Workspace {
        rows: vec![0.0; samples * dim],
        labels: vec![0.0; samples],
        batch_gram: vec![0.0; dim * dim],
        gram: vec![0.0; dim * dim],
        rhs: vec![0.0; dim],
        factor: vec![0.0; dim * dim],
    };
    let mut schedule = Schedule::new(s);
    let mut rows = Vec::with_capacity(config.generations as usize + 1);
    rows.push(vec![Some(Value::Float(0.0)), Some(Value::Float(0.0)), None]);
    let (mut first, mut last, mut last_theory) = (None, 0.0, Some(0.0));
    let mut train_size = 0u64;
    for generation in 1..=config.generations {
        deadline.check()?;
        if generation == 1 || s.design == Design::Fresh {
            fill_standard_normal(rng, &mut ws.rows);
            ws.batch_gram.fill(0.0);
            ols::add_gram(&mut ws.batch_gram, &ws.rows, dim);
        }
        // Labels: prediction of the labelling model plus sigma * noise.
        fill_standard_normal(rng, &mut ws.labels);
        for (t, (row, y)) in ws.rows.chunks_exact(dim).zip(ws.labels.iter_mut()).enumerate() {
            let teacher = if t < real { &truth } else { &model };
            *y = ols::dot(row, teacher) + sigma * *y;
        }
        if s.data != Data::Accumulate {
            ws.gram.fill(0.0);
            ws.rhs.fill(0.0);
            train_size = 0;
        }
        for (g, b) in ws.gram.iter_mut().zip(&ws.batch_gram) {
            *g += b;
        }
        ols::add_moment(&mut ws.rhs, &ws.rows, &ws.labels);
        train_size += samples as u64;
        ols::solve(&ws.gram, &ws.rhs, &mut ws.factor, &mut next)
            .map_err(|_| RunError::Failed(format!("singular design at generation {generation}")))?;
        std::mem::swap(&mut model, &mut next);
        last = model.iter().zip(&truth).map(|(w, t)| (w - t) * (w - t)).sum();
        first.get_or_insert(last);
        last_theory = schedule.advance();
        rows.push(vec![
            Some(Value::Float(last)),
            last_theory.map(Value::Float),
            Some(Value::Int(train_size as i64)),
        ]);
    }
    // Without noise every fit recovers w* exactly, so both errors are 0 and
    // the computed ones are round-off: their ratio measures nothing.
    let growth = if s.noise_variance > 0.0 {
        first.filter(|&f| f > 0.0).map(|f| Value::Float(last / f))
    } else {
        None
    };
    let summary = super::row_by_name(
        SUMMARY_COLUMNS,
        &[
            ("final_test_error", Some(Value::Float(last))),
            ("final_test_error_theory", last_theory.map(Value::Float)),
            ("first_test_error", first.map(Value::Float)),
            ("error_growth", growth),
        ],
    );
    Ok(RunOutput { summary, generations: rows })
}
