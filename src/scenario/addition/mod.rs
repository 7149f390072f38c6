//! `addition`: a learner teaches itself longer additions from its own
//! verified chain-of-thought traces, and its errors avalanche.
//!
//! A SECToR-style self-training loop over real problems: every error rate it
//! reports is counted from traces actually generated, verified and trained
//! on. docs/MODEL.md states the model and every metric.
//!
//! Layout. The loop, at the top: `config` (parameters), `digits` (problems
//! and traces), `rounds` (the run), `generation` (one round's sampling and
//! filtering), `verifier` (what each verifier means: who writes the traces,
//! which it accepts, and its chances in the theory) and `checks` (the checks
//! verifiers run on sampled traces). Then three folders:
//!
//! * `learners/`: `table` (counting and extrapolation), `network/` (the
//!   neural learner: `model`, `training` and the fixed-order `kernel`),
//!   `sampler` (the compiled tables either learner becomes, and the hot
//!   loop) and `fixed_math` (the crate's own `exp`/`ln`/`powf`/`sin`/`cos`).
//! * `measures/`: `diagnostics` (entropy, forgetting, blind spots and mirror
//!   symmetry of the model), `metrics` (the columns and rows), `reach` and
//!   `growth` (what the runs table says about them).
//! * `theory/`: the parameter-only prediction beside them (`chain`, the
//!   reduced per-context model; `race`, the blind-spot race).

use std::borrow::Cow;

use rand_pcg::Pcg64;

use super::contract::{Comparison, CurveSpec, HeatmapSpec, Outcome, OutcomeKind, OutcomeSpec, ReportSpec};
use super::{Deadline, Hooks, RunError, RunFn, RunOutput, Scenario};
use crate::params::Params;
use crate::value::Names;
use measures::metrics;

pub mod checks;
pub mod config;
pub mod digits;
pub mod generation;
pub mod learners;
pub mod measures;
pub mod rounds;
pub mod theory;
pub mod verifier;

/// The scenario.
pub static SCENARIO: Scenario = Scenario {
    name: "addition",
    about: "self-training on n-digit addition with verifiers; how fast errors avalanche",
    params: Cow::Borrowed(config::PARAMS),
    summary_columns: Cow::Borrowed(metrics::SUMMARY_COLUMNS),
    generation_columns: Cow::Borrowed(metrics::GENERATION_COLUMNS),
    check: config::check,
    run: RunFn::plain(run),
    cores_per_run: 1,
    hooks: Hooks::NONE,
    report: REPORT,
};

/// The report: how runs ended, how far they got and how fast their errors
/// grew (beside how sharp the model's outputs are at the frontier), per
/// verifier against `none`, along the noise rate.
const REPORT: ReportSpec = ReportSpec {
    headline: Names::Literal(&[
        "reach99",
        "final_digits",
        "growth_law",
        "growth_exponent",
        "growth_rate",
        "beta",
        "final_accuracy",
        "mean_contamination",
        // Claim 4: right answers trained on through wrong steps.
        "mean_wrong_step_right_answer",
        // What the model became: sharpness, forgetting, the
        // errors a new position brings, and how symmetric the errors are.
        "final_entropy_frontier",
        "max_forgetting",
        "mean_first_visit_errors",
        "final_mirror_error_share",
        "final_mirror_error_share_chance",
    ]),
    curves: Cow::Borrowed(&[
        CurveSpec::of("accuracy_frontier")
            .complement_log()
            .threshold("collapse_accuracy")
            .label("frontier error (1 - accuracy)"),
        // Beside the error: entropy falling with accuracy is diversity
        // lost; accuracy falling at steady entropy is an avalanche.
        CurveSpec::of("entropy_frontier"),
        CurveSpec::of("accuracy_frontier").against("frontier_digits").threshold("collapse_accuracy"),
        CurveSpec::of("acceptance_rate").against("frontier_digits").threshold("advance_threshold"),
        CurveSpec::of("contamination"),
        CurveSpec::of("wrong_step_right_answer"),
        CurveSpec::of("forgetting"),
        // Commutativity's blind spot: errors whose mirror is wrong the same
        // way pass the check. Their count, their share of the errors, and
        // beside it the share chance alone would give.
        CurveSpec::of("mirror_errors"),
        CurveSpec::of("mirror_error_share"),
        CurveSpec::of("mirror_error_share_chance"),
        // The same at a new position before training on it: symmetry the
        // model generalised rather than what the verifier selected.
        CurveSpec::of("first_visit_mirror_share"),
    ]),
    comparison: Some(Comparison::of("verifier", "none", Some("noise_rate"))),
    horizon: Some(Cow::Borrowed("generations")),
    outcome: Some(OutcomeSpec::of("end_reason", OUTCOMES, "end_round", Some("final_digits"))),
    heatmap: Some(HeatmapSpec { column: "reach99", x: "noise_rate", y: "verifier" }),
    step: (Cow::Borrowed("round"), Cow::Borrowed("rounds")),
};

/// How a run ends, in the order the report lists them.
const OUTCOMES: &[Outcome] = &[
    Outcome::of("collapsed", "collapsed", OutcomeKind::Event),
    Outcome::of("stalled", "stalled", OutcomeKind::Competing),
    Outcome::of("round_limit", "reached the round limit", OutcomeKind::Censored),
];

fn run(params: &Params, rng: &mut Pcg64, deadline: &Deadline) -> Result<RunOutput, RunError> {
    let config = config::Config::from_params(params);
    let record = rounds::run(&config, rng, deadline)?;
    // The theory is the table learner's with a faithful chain of thought; a
    // network has none, and neither has an unfaithful chain (docs/MODEL.md,
    // "Unfaithful chains of thought": the reduction cannot follow it).
    let theory = (config.learner == config::LearnerKind::Table && config.cot_reliance == 1.0)
        .then(|| theory::predict(&config));
    let theory = theory.as_deref();
    Ok(RunOutput {
        summary: metrics::summary(
            &record.rounds,
            metrics::RunFacts {
                supervised_accuracy: record.supervised_accuracy,
                supervised_systematic_errors: record.supervised_systematic_errors,
                supervised_steps: record.supervised_steps,
                end: record.end,
                start_digits: config.start_digits,
                eval_problems: config.eval_problems,
                collapse_accuracy: config.collapse_accuracy,
            },
            theory,
        ),
        generations: record.rounds.iter().enumerate().map(|(i, r)| r.to_row(theory, i)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Row;
    use crate::value::Value;
    use rand::SeedableRng;

    fn summary(overrides: &[(&str, Value)], seed: u64) -> Row {
        let values = Params::with(config::PARAMS, overrides);
        let params = Params { specs: config::PARAMS, values: &values };
        run(&params, &mut Pcg64::seed_from_u64(seed), &Deadline::none()).unwrap().summary
    }

    fn float(row: &Row, name: &str) -> f64 {
        match row[metrics::SUMMARY_COLUMNS.iter().position(|c| c.name == name).unwrap()] {
            Some(Value::Float(x)) => x,
            ref other => panic!("{name}: {other:?}"),
        }
    }

    fn cell(row: &Row, name: &str) -> Option<Value> {
        row[metrics::SUMMARY_COLUMNS.iter().position(|c| c.name == name).unwrap()].clone()
    }

    #[test]
    fn growth_estimates_do_not_move_with_the_horizon_but_an_exponential_rate_does() {
        // `commutative` at noise 0.003 and blind_spot_rate 0.005 (enough
        // blind spots for a growth phase) is still growing at round 40 (no
        // collapse, no stall). The same runs continued to 60 rounds must give
        // the same power-law exponent and accumulation rate within 3
        // standard errors of the difference (the two estimates share their
        // first 40 rounds, so this tolerance is if anything generous), while
        // the exponential rate, if the error is polynomial, must fall: a
        // rate fitted to k^2 growth flattens as the window lengthens.
        let mut growing = 0;
        for seed in 1000..1006 {
            let point = |generations| {
                [
                    ("noise_rate", Value::Float(0.003)),
                    ("blind_spot_rate", Value::Float(0.005)),
                    ("generations", Value::Int(generations)),
                ]
            };
            let short = summary(&point(40), seed);
            if cell(&short, "end_reason") != Some(Value::Str("round_limit".into())) {
                continue;
            }
            let long = summary(&point(60), seed);
            if cell(&long, "end_round") == Some(Value::Int(40)) {
                continue;
            }
            growing += 1;
            for name in ["growth_exponent", "beta"] {
                let (a, b) = (float(&short, name), float(&long, name));
                let se = float(&short, &format!("{name}_se")).hypot(float(&long, &format!("{name}_se")));
                assert!(
                    (a - b).abs() < 3.0 * se,
                    "seed {seed} {name}: {a} at 40 rounds, {b} at 60 (se {se})"
                );
            }
            let (a, b) = (float(&short, "growth_rate"), float(&long, "growth_rate"));
            assert!(b < a, "seed {seed}: the exponential rate {a} at 40 rounds, {b} at 60");
            assert_eq!(cell(&long, "growth_law"), Some(Value::Str("polynomial".into())), "seed {seed}");
        }
        assert!(growing >= 4, "only {growing} runs were still growing at round 40");
    }

    /// Mean and its standard error.
    fn mean_se(values: &[f64]) -> (f64, f64) {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, (var / n).sqrt())
    }

    #[test]
    fn theory_predicts_runway_and_beta_within_twenty_percent() {
        // Where blind spots drive the run (majority, and commutative with
        // every blind spot mirrored, at blind_spot_rate 0.005 so that every
        // run collapses within 40 rounds) and where drift does (`none`, and
        // a checker that passes 30% of wrong traces), the parameter-only
        // runway and beta must come within 20% of the simulated mean (what
        // docs/MODEL.md promises of the theory columns), allowing for the
        // mean's own sampling error:
        // |mean - theory| <= 0.2 theory + 1.96 se over 12 runs.
        let points: [&[(&str, Value)]; 4] = [
            &[("verifier", Value::Str("none".into()))],
            &[
                ("verifier", Value::Str("outcome".into())),
                ("false_accept", Value::Float(0.3)),
                ("generations", Value::Int(40)),
            ],
            &[
                ("verifier", Value::Str("majority".into())),
                ("blind_spot_rate", Value::Float(0.005)),
                ("generations", Value::Int(40)),
            ],
            &[
                ("noise_rate", Value::Float(0.003)),
                ("blind_spot_rate", Value::Float(0.005)),
                ("mirror_correlation", Value::Float(1.0)),
                ("generations", Value::Int(40)),
            ],
        ];
        for point in points {
            let rows: Vec<Row> = (2000..2012).map(|seed| summary(point, seed)).collect();
            let int = |row: &Row, name: &str| match cell(row, name) {
                Some(Value::Int(x)) => x as f64,
                other => panic!("{name}: {other:?}"),
            };
            let runways: Vec<f64> = rows.iter().map(|r| int(r, "runway")).collect();
            let betas: Vec<f64> = rows.iter().map(|r| float(r, "beta")).collect();
            let theory = [int(&rows[0], "runway_theory"), float(&rows[0], "beta_theory")];
            for ((name, values), theory) in [("runway", runways), ("beta", betas)].into_iter().zip(theory) {
                let (mean, se) = mean_se(&values);
                assert!(
                    (mean - theory).abs() <= 0.2 * theory + 1.96 * se,
                    "{point:?}: {name} {mean} +- {se} simulated, {theory} predicted"
                );
            }
        }
    }
}
