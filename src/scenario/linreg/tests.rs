//! Statistical tests of the simulated test error against the closed forms,
//! and of the parameter rules, through whole runs.
//!
//! Tolerances are five standard errors of the replicate mean, estimated from
//! the replicates; each test also asserts that five standard errors are a
//! small share of the expectation, so a loose tolerance could not pass.

use rand::SeedableRng;
use rand_pcg::Pcg64;

use super::*;

fn outputs(overrides: &[(&str, Value)], replicates: usize, seed: u64) -> Vec<RunOutput> {
    let values = Params::with(PARAMS, overrides);
    let params = Params { specs: PARAMS, values: &values };
    check(&params).unwrap();
    let mut rng = Pcg64::seed_from_u64(seed);
    (0..replicates).map(|_| run(&params, &mut rng, &Deadline::none()).unwrap()).collect()
}

fn float_at(row: &[Option<Value>], index: usize) -> Option<f64> {
    match &row[index] {
        &Some(Value::Float(x)) => Some(x),
        None => None,
        other => panic!("not a float: {other:?}"),
    }
}

/// Simulated test errors at `generation`, and the theory column there.
fn errors_at(runs: &[RunOutput], generation: usize) -> (Vec<f64>, Option<f64>) {
    let errors = runs.iter().map(|o| float_at(&o.generations[generation], 0).unwrap()).collect();
    (errors, float_at(&runs[0].generations[generation], 1))
}

fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Within five standard errors, which must be at most `max_rel` of `expected`.
fn assert_matches(xs: &[f64], expected: f64, max_rel: f64, what: &str) -> (f64, f64) {
    let (mean, se) = mean_and_se(xs);
    assert!(5.0 * se <= max_rel * expected, "{what}: too few replicates (se {se}, expected {expected})");
    assert!((mean - expected).abs() <= 5.0 * se, "{what}: simulated {mean} +- {se}, theory {expected}");
    (mean, se)
}

fn int(x: i64) -> Value {
    Value::Int(x)
}

fn choice(x: &'static str) -> Value {
    Value::Str(x.into())
}

/// d = 5, T = 20: one fit costs sigma^2 5/14. The error of one round is a
/// quadratic form in Gaussian noise with an inverse-Wishart weight; its
/// relative sd is about 0.75, so 6 000 runs give five standard errors of
/// about 5% at n = 1 and less later (the rounds add up independently).
const SMALL: [(&str, Value); 3] =
    [("dim", Value::Int(5)), ("samples", Value::Int(20)), ("generations", Value::Int(8))];

fn small(extra: &[(&str, Value)]) -> Vec<(&'static str, Value)> {
    let mut all: Vec<(&str, Value)> = SMALL.to_vec();
    for (name, value) in extra {
        let name: &'static str = &PARAMS.iter().find(|p| p.name == *name).unwrap().name;
        all.push((name, value.clone()));
    }
    all
}

#[test]
fn replace_error_grows_linearly_with_a_fresh_design() {
    let sigma2 = 0.5;
    let runs = outputs(&small(&[("noise_rate", Value::Float(sigma2))]), 6_000, 1);
    for n in [1, 4, 8] {
        let (errors, theory) = errors_at(&runs, n);
        let expected = sigma2 * 5.0 / 14.0 * n as f64;
        assert!((theory.unwrap() - expected).abs() < 1e-12);
        assert_matches(&errors, expected, 0.06, &format!("replace fresh n={n}"));
    }
}

#[test]
fn replace_error_grows_linearly_with_a_fixed_design() {
    // With one design the rounds share (X^T X)^{-1}, so runs vary more
    // (relative sd near 1 at n = 8): 8 000 runs.
    let runs = outputs(&small(&[("design", choice("fixed"))]), 8_000, 2);
    for n in [1, 8] {
        let (errors, theory) = errors_at(&runs, n);
        assert_matches(&errors, theory.unwrap(), 0.06, &format!("replace fixed n={n}"));
        assert!((theory.unwrap() - 5.0 / 14.0 * n as f64).abs() < 1e-12);
    }
}

#[test]
fn fixed_design_accumulation_follows_the_basel_sum() {
    // Gerstgrasser et al.'s sigma^2 d/(T-d-1) sum 1/i^2 is exact when every
    // round reuses one design (the pool then weights every round equally).
    let runs = outputs(&small(&[("data", choice("accumulate")), ("design", choice("fixed"))]), 8_000, 3);
    let (errors, theory) = errors_at(&runs, 8);
    let basel: f64 = (1..=8).map(|i| 1.0 / (i * i) as f64).sum();
    assert!((theory.unwrap() - 5.0 / 14.0 * basel).abs() < 1e-12);
    assert_matches(&errors, theory.unwrap(), 0.06, "accumulate fixed n=8");
}

#[test]
fn fresh_design_accumulation_matches_its_exact_sum_and_sits_below_the_bound() {
    // With fresh designs the pool's Gram matrix grows faster than k X^T X
    // on average, so the error is sum_k d sigma^2 / (k (kT - d - 1)): at
    // n = 8 that is 0.506 against the Basel bound 0.548, 8% apart, about
    // ten standard errors: the test tells the two apart.
    let runs = outputs(&small(&[("data", choice("accumulate"))]), 8_000, 4);
    let (errors, theory) = errors_at(&runs, 8);
    let exact: f64 = (1..=8).map(|k| 5.0 / (k as f64 * (20.0 * k as f64 - 6.0))).sum();
    assert!((theory.unwrap() - exact).abs() < 1e-12);
    let (mean, se) = assert_matches(&errors, exact, 0.05, "accumulate fresh n=8");
    let bound = 5.0 / 14.0 * (1..=8).map(|i| 1.0 / (i * i) as f64).sum::<f64>();
    assert!(mean + 5.0 * se < bound, "{mean} +- {se} not below {bound}");
    assert_eq!(runs[0].generations[8][2], Some(Value::Int(160)));
}

#[test]
fn mixing_real_labels_bounds_the_error_between_one_fit_and_replace() {
    // No closed form after round 1; half real labels must keep the error
    // well below replace's 8/14 n and above a single fit's 5/14.
    let runs = outputs(&small(&[("data", choice("mix")), ("real_fraction", Value::Float(0.5))]), 2_000, 5);
    let (first, theory) = errors_at(&runs, 1);
    assert_matches(&first, theory.unwrap(), 0.1, "mix n=1");
    let (late, theory) = errors_at(&runs, 8);
    assert_eq!(theory, None);
    let (mean, se) = mean_and_se(&late);
    assert!(mean - 5.0 * se > 5.0 / 14.0 && mean + 5.0 * se < 8.0 * 5.0 / 14.0 / 2.0, "{mean} +- {se}");
}

#[test]
fn without_noise_the_truth_is_recovered_exactly() {
    let runs = outputs(&[("noise_rate", Value::Float(0.0))], 3, 6);
    for run in &runs {
        // Only rounding remains: |w|^2 ~ 10, so errors of order 1e-30.
        assert!(run.generations.iter().all(|row| float_at(row, 0).unwrap() < 1e-20));
    }
}

/// The summary cell `name` of one run.
fn summary_of(run: &RunOutput, name: &str) -> Option<f64> {
    let index = SUMMARY_COLUMNS.iter().position(|c| c.name == name).unwrap();
    float_at(&run.summary, index)
}

#[test]
fn error_growth_is_null_at_zero_noise_and_the_ratio_otherwise() {
    // Without noise both errors are exactly 0 and the computed ones are
    // round-off (far below 1e-20, yet not 0), so no ratio is reported,
    // whatever the regime; with noise it is final / first.
    for data in ["replace", "accumulate", "mix"] {
        for design in ["fresh", "fixed"] {
            let setting = |noise: f64| {
                small(&[
                    ("data", choice(data)),
                    ("design", choice(design)),
                    ("noise_rate", Value::Float(noise)),
                ])
            };
            for run in outputs(&setting(0.0), 4, 8) {
                let first = summary_of(&run, "first_test_error").unwrap();
                assert!(first < 1e-20, "{data} {design}: {first}");
                assert_eq!(summary_of(&run, "error_growth"), None, "{data} {design}");
            }
            for run in outputs(&setting(0.5), 4, 8) {
                let (first, last) =
                    (summary_of(&run, "first_test_error"), summary_of(&run, "final_test_error"));
                assert_eq!(summary_of(&run, "error_growth"), Some(last.unwrap() / first.unwrap()));
            }
        }
    }
}

#[test]
fn samples_must_exceed_dim_plus_one() {
    for (samples, ok) in [(11, false), (12, true)] {
        let values = Params::with(PARAMS, &[("dim", int(10)), ("samples", int(samples))]);
        let params = Params { specs: PARAMS, values: &values };
        assert_eq!(check(&params).is_ok(), ok, "samples {samples}");
        if !ok {
            assert_eq!(check(&params).unwrap_err().param, "samples");
            let mut rng = Pcg64::seed_from_u64(0);
            assert!(run(&params, &mut rng, &Deadline::none()).is_err());
        }
    }
}

#[test]
fn designs_too_large_for_memory_are_refused() {
    let values = Params::with(PARAMS, &[("dim", int(2_000)), ("samples", int(60_000))]);
    let err = check(&Params { specs: PARAMS, values: &values }).unwrap_err();
    assert_eq!(err.param, "samples");
    let values = Params::with(PARAMS, &[("dim", int(2_000)), ("samples", int(50_000))]);
    assert!(check(&Params { specs: PARAMS, values: &values }).is_ok());
}

#[test]
fn the_only_verifier_is_none() {
    let spec = PARAMS.iter().find(|p| p.name == "verifier").unwrap();
    assert!(matches!(spec.kind, crate::params::ParamKind::Choice(crate::value::Names::Literal(&["none"]))));
    assert!(crate::sweep::validate::check_value(spec, &Value::Str("oracle".into())).is_err());
}

#[test]
fn same_seed_same_numbers_and_generation_zero_is_the_truth() {
    let a = outputs(&[("data", choice("accumulate"))], 2, 7);
    assert_eq!(a, outputs(&[("data", choice("accumulate"))], 2, 7));
    assert_eq!(a[0].generations.len(), 11);
    assert_eq!(a[0].generations[0], vec![Some(Value::Float(0.0)), Some(Value::Float(0.0)), None]);
}
