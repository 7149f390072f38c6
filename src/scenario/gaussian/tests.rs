//! Statistical tests of the simulation against the closed forms, and tests
//! of the verifiers and contamination through whole runs.
//!
//! Every comparison uses a fixed seed and a tolerance of five standard
//! errors of the replicate mean (estimated from the replicates themselves),
//! and also asserts that the standard error is a small fraction of the
//! expected value, so the test could not pass with a loose tolerance.

use rand::SeedableRng;
use rand_pcg::Pcg64;

use super::*;

/// Runs `replicates` runs from one seeded stream and returns, for each, its
/// generation rows.
fn runs(overrides: &[(&str, Value)], replicates: usize, seed: u64) -> Vec<RunOutput> {
    let values = Params::with(PARAMS, overrides);
    let params = Params { specs: PARAMS, values: &values };
    check(&params).unwrap();
    let mut rng = Pcg64::seed_from_u64(seed);
    (0..replicates).map(|_| run(&params, &mut rng, &Deadline::none()).unwrap()).collect()
}

fn column(name: &str) -> usize {
    GENERATION_COLUMNS.iter().position(|c| c.name == name).unwrap()
}

fn summary_column(name: &str) -> usize {
    SUMMARY_COLUMNS.iter().position(|c| c.name == name).unwrap()
}

fn as_f64(value: &Option<Value>) -> f64 {
    match value {
        &Some(Value::Float(x)) => x,
        &Some(Value::Int(x)) => x as f64,
        other => panic!("expected a number, got {other:?}"),
    }
}

/// The values of `name` at `generation` across runs.
fn at(outputs: &[RunOutput], generation: usize, name: &str) -> Vec<f64> {
    outputs.iter().map(|o| as_f64(&o.generations[generation][column(name)])).collect()
}

/// The theory column of the first run (identical in all runs).
fn theory(outputs: &[RunOutput], generation: usize, name: &str) -> f64 {
    as_f64(&outputs[0].generations[generation][column(name)])
}

fn mean_and_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Asserts the replicate mean is within five standard errors of `expected`
/// and that five standard errors are at most `max_rel` of |expected|.
fn assert_matches(xs: &[f64], expected: f64, max_rel: f64, what: &str) {
    let (mean, se) = mean_and_se(xs);
    assert!(
        5.0 * se <= max_rel * expected.abs(),
        "{what}: too few replicates (se {se}, expected {expected})"
    );
    assert!((mean - expected).abs() <= 5.0 * se, "{what}: simulated {mean} +- {se}, theory {expected}");
}

fn int(x: i64) -> Value {
    Value::Int(x)
}

fn float(x: f64) -> Value {
    Value::Float(x)
}

fn choice(x: &'static str) -> Value {
    Value::Str(x.into())
}

#[test]
fn unbiased_replace_log_variance_drifts_at_the_digamma_rate() {
    // M = 10: each fit multiplies the variance by chi^2_9 / 9, whose log has
    // mean psi(4.5) - ln 4.5 = -0.115 and sd 0.50; 20 000 runs give a
    // standard error of 0.0035 sqrt(n): five of them are 7% of the drift at
    // n = 5 and 3.4% at n = 20 (n = 1 would need 20 times more runs).
    let outputs = runs(&[("samples", int(10)), ("generations", int(20))], 20_000, 1);
    for n in [5, 20] {
        let expected = theory(&outputs, n, "log_variance_ratio_theory");
        let by_hand = n as f64 * (digamma_4_5() - 4.5f64.ln());
        assert!((expected - by_hand).abs() < 1e-12, "theory column at {n}: {expected} vs {by_hand}");
        assert_matches(&at(&outputs, n, "log_variance_ratio"), expected, 0.08, &format!("E ln var, n={n}"));
    }
    // The variance is a martingale: E[var_n] = std^2 for every n, but its
    // mean is only stable while n << M; test it at n = 1 and 3.
    for n in [1, 3] {
        assert_matches(&at(&outputs, n, "variance_ratio"), 1.0, 0.05, &format!("E var, n={n}"));
    }
}

/// psi(9/2) from psi(1/2) = -gamma - 2 ln 2 and psi(x + 1) = psi(x) + 1/x.
fn digamma_4_5() -> f64 {
    -1.963_510_026_021_423_5 + 2.0 + 2.0 / 3.0 + 2.0 / 5.0 + 2.0 / 7.0
}

#[test]
fn unbiased_replace_mean_error_grows_linearly() {
    // E[(mu_n - mu)^2] = std^2 n / M. With M = 50 the variance stays near
    // std^2 over 10 generations, so (mu_n - mu)^2 is close to a scaled chi^2_1
    // (relative sd sqrt 2); 8 000 runs put five standard errors near 8%.
    // std = 2 checks the scaling by std^2.
    let outputs = runs(
        &[("samples", int(50)), ("generations", int(10)), ("std", float(2.0)), ("mean", float(-3.0))],
        8_000,
        2,
    );
    for n in [1, 4, 10] {
        let expected = 4.0 * n as f64 / 50.0;
        assert!((theory(&outputs, n, "mean_sq_error_theory") - expected).abs() < 1e-12);
        assert_matches(&at(&outputs, n, "mean_sq_error"), expected, 0.1, &format!("mse n={n}"));
    }
}

#[test]
fn mle_replace_variance_decays_geometrically() {
    // E[var_n] = std^2 ((M-1)/M)^n; at M = 20, n = 5 that is 0.774 against
    // 1 for the unbiased fit, so the two estimators are told apart.
    let outputs =
        runs(&[("samples", int(20)), ("generations", int(20)), ("estimator", choice("mle"))], 20_000, 3);
    for n in [1, 5] {
        let expected = 0.95f64.powi(n as i32);
        assert!((theory(&outputs, n, "variance_ratio_theory") - expected).abs() < 1e-12);
        assert_matches(&at(&outputs, n, "variance_ratio"), expected, 0.05, &format!("E var n={n}"));
        let mse = 1.0 - expected;
        assert_matches(&at(&outputs, n, "mean_sq_error"), mse, 0.1, &format!("mse n={n}"));
    }
    // At n = M the raw mean is unstable; the mean log is not:
    // n (psi((M-1)/2) - ln(M/2)).
    let expected = theory(&outputs, 20, "log_variance_ratio_theory");
    assert_matches(&at(&outputs, 20, "log_variance_ratio"), expected, 0.05, "E ln var n=20");
}

#[test]
fn replace_wasserstein_matches_its_closed_form() {
    // E W2 = E(mu-mu*)^2 + E var - 2 std E sigma + std^2, with E sigma from
    // the chi mean; at M = 5 the sigma term matters (E sigma_3 = 0.83 std).
    // Five standard errors are under 6% of the expectation here.
    let outputs = runs(&[("samples", int(5)), ("generations", int(3))], 20_000, 4);
    for n in [1, 3] {
        let expected = theory(&outputs, n, "wasserstein2_sq_theory");
        assert_matches(&at(&outputs, n, "wasserstein2_sq"), expected, 0.06, &format!("W2 n={n}"));
    }
}

#[test]
fn accumulate_matches_its_moment_recursion() {
    // The recursion's m_n and v_n (theory.rs) against simulation at M = 10.
    // Accumulation keeps the error bounded: by n = 10 it must be well below
    // the replace value n/M = 1.
    let outputs =
        runs(&[("samples", int(10)), ("generations", int(10)), ("data", choice("accumulate"))], 10_000, 5);
    for n in [2, 10] {
        let mse = theory(&outputs, n, "mean_sq_error_theory");
        assert_matches(&at(&outputs, n, "mean_sq_error"), mse, 0.1, &format!("mse n={n}"));
        let var = theory(&outputs, n, "variance_ratio_theory");
        assert_matches(&at(&outputs, n, "variance_ratio"), var, 0.05, &format!("var n={n}"));
        assert_eq!(at(&outputs, n, "train_size")[0], (10 * n) as f64);
    }
    assert!(theory(&outputs, 10, "mean_sq_error_theory") < 0.2);
    assert!(outputs[0].generations[10][column("log_variance_ratio_theory")].is_none());
}

#[test]
fn mix_matches_its_moment_recursion() {
    // M = 20 with 5 real points: the real anchor keeps errors near their
    // one-fit size; MLE so the variance recursion has a non-trivial fixed point.
    let outputs = runs(
        &[
            ("samples", int(20)),
            ("generations", int(10)),
            ("data", choice("mix")),
            ("real_fraction", float(0.25)),
            ("estimator", choice("mle")),
        ],
        10_000,
        6,
    );
    for n in [1, 10] {
        let mse = theory(&outputs, n, "mean_sq_error_theory");
        assert_matches(&at(&outputs, n, "mean_sq_error"), mse, 0.1, &format!("mse n={n}"));
        let var = theory(&outputs, n, "variance_ratio_theory");
        assert_matches(&at(&outputs, n, "variance_ratio"), var, 0.05, &format!("var n={n}"));
    }
    // Without real data the MLE variance would be 0.95^10 = 0.60.
    assert!(theory(&outputs, 10, "variance_ratio_theory") > 0.8);
}

#[test]
fn contaminated_runs_match_the_moment_recursion() {
    // 5% outliers at scale 10 (variance 100 std^2): each generation's
    // expected variance jumps by about 5 std^2, and under replace it keeps
    // climbing towards 100 std^2. The count of outliers per batch is
    // binomial, so the variance is noisy: relative sd about 0.5 at M = 100,
    // 4 000 runs put five standard errors near 4%.
    let noisy = [("samples", int(100)), ("generations", int(5)), ("noise_rate", float(0.05))];
    for (data, seed) in [("replace", 20), ("accumulate", 21), ("mix", 22)] {
        let overrides: Vec<_> = noisy.iter().cloned().chain([("data", choice(data))]).collect();
        let outputs = runs(&overrides, 4_000, seed);
        for n in [1, 5] {
            let var = theory(&outputs, n, "variance_ratio_theory");
            assert_matches(&at(&outputs, n, "variance_ratio"), var, 0.06, &format!("{data} var n={n}"));
            let mse = theory(&outputs, n, "mean_sq_error_theory");
            // A squared mean error has relative sd ~1.4 even without outliers
            // (chi^2_1), more with them: five standard errors are ~12% here.
            assert_matches(&at(&outputs, n, "mean_sq_error"), mse, 0.15, &format!("{data} mse n={n}"));
        }
        assert!(outputs[0].generations[5][column("log_variance_ratio_theory")].is_none());
    }
}

#[test]
fn oracle_keeps_outliers_at_the_rate_the_truth_predicts() {
    // Outliers ~ N(mu, (10 std)^2) survive |x - mu| <= 3 std with probability
    // P(|Z| <= 0.3) = 2 Phi(0.3) - 1 = 0.235823 (normal table); clean points
    // from the truth survive with 0.997300 at generation 1.
    let outputs = runs(
        &[
            ("samples", int(1000)),
            ("generations", int(5)),
            ("noise_rate", float(0.2)),
            ("verifier", choice("oracle")),
        ],
        40,
        7,
    );
    let (mut outliers, mut outliers_kept) = (0.0, 0.0);
    for o in &outputs {
        for row in &o.generations[1..] {
            outliers += as_f64(&row[column("outliers")]);
            outliers_kept += as_f64(&row[column("outliers_kept")]);
        }
    }
    // Injected count ~ Binomial(200 000, 0.2): sd 179.
    assert!((outliers - 40_000.0).abs() < 5.0 * 179.0, "{outliers}");
    let p: f64 = 0.235_823;
    let se = (p * (1.0 - p) / outliers).sqrt();
    assert!((outliers_kept / outliers - p).abs() < 5.0 * se, "kept share {}", outliers_kept / outliers);
    // Clean points at generation 1: 1000 - outliers, kept at 0.9973.
    let clean: f64 = outputs.iter().map(|o| 1000.0 - as_f64(&o.generations[1][column("outliers")])).sum();
    let clean_kept: f64 = outputs
        .iter()
        .map(|o| {
            as_f64(&o.generations[1][column("kept")]) - as_f64(&o.generations[1][column("outliers_kept")])
        })
        .sum();
    let se = (0.9973 * 0.0027 / clean).sqrt();
    assert!((clean_kept / clean - 0.997_300).abs() < 5.0 * se, "clean share {}", clean_kept / clean);
}

#[test]
fn self_verifier_keeps_the_share_of_its_own_central_interval() {
    // Without noise every point comes from the judging model, so it survives
    // z_max = 1 with P(|Z| <= 1) = 0.682689 whatever the model has become.
    let outputs =
        runs(&[("generations", int(10)), ("verifier", choice("self")), ("z_max", float(1.0))], 50, 8);
    let kept: Vec<f64> =
        outputs.iter().map(|o| as_f64(&o.summary[summary_column("kept_fraction")])).collect();
    let p: f64 = 0.682_689;
    // 50 runs x 10 generations x 100 points.
    let se = (p * (1.0 - p) / 50_000.0).sqrt();
    let share = kept.iter().sum::<f64>() / 50.0;
    assert!((share - p).abs() < 5.0 * se, "{share}");
    // Truncating at 1 sd shrinks each fit's variance to 0.29 of its model's:
    // a model verifying itself collapses fast.
    let var = at(&outputs, 10, "variance_ratio");
    assert!(var.iter().all(|&v| v < 1e-3), "{:?}", &var[..5]);
    assert!(outputs[0].generations[10][column("variance_ratio_theory")].is_none());
}

#[test]
fn noise_inflates_the_error_and_the_oracle_removes_most_of_it() {
    let base = [("samples", int(100)), ("generations", int(10))];
    let w2 = |extra: &[(&str, Value)], seed| {
        let overrides: Vec<_> = base.iter().chain(extra).cloned().collect();
        mean_and_se(&at(&runs(&overrides, 400, seed), 10, "wasserstein2_sq"))
    };
    let clean = w2(&[], 9);
    let noisy = w2(&[("noise_rate", float(0.05))], 10);
    let filtered = w2(&[("noise_rate", float(0.05)), ("verifier", choice("oracle"))], 11);
    // 5% outliers at scale 10 add about 0.05 * 100 = 5 std^2 to each fit's
    // variance, a W2 of order (sqrt 6 - 1)^2 = 2.1 against 0.1 clean; the
    // oracle cuts the surviving outliers to a quarter, all within 3 std.
    let apart = |a: (f64, f64), b: (f64, f64)| (b.0 - a.0) / (a.1.hypot(b.1));
    assert!(apart(clean, noisy) > 10.0, "clean {clean:?} noisy {noisy:?}");
    assert!(apart(filtered, noisy) > 10.0, "filtered {filtered:?} noisy {noisy:?}");
}

#[test]
fn generation_zero_is_the_truth_and_has_no_batch() {
    let outputs = runs(&[("mean", float(2.0)), ("std", float(3.0)), ("generations", int(0))], 1, 12);
    let row = &outputs[0].generations[0];
    assert_eq!(outputs[0].generations.len(), 1);
    assert_eq!(row[column("fitted_mean")], Some(Value::Float(2.0)));
    assert_eq!(row[column("fitted_variance")], Some(Value::Float(9.0)));
    assert_eq!(row[column("wasserstein2_sq")], Some(Value::Float(0.0)));
    assert_eq!(row[column("kept")], None);
    assert_eq!(outputs[0].summary[summary_column("kept_fraction")], None);
}

#[test]
fn a_verifier_that_keeps_nothing_leaves_the_model_unchanged() {
    let outputs =
        runs(&[("verifier", choice("oracle")), ("z_max", float(0.0)), ("generations", int(4))], 1, 13);
    let out = &outputs[0];
    assert_eq!(out.summary[summary_column("skipped_fits")], Some(Value::Int(4)));
    assert_eq!(out.generations[4][column("train_size")], Some(Value::Int(0)));
    assert_eq!(out.generations[4][column("fitted_mean")], Some(Value::Float(0.0)));
}

#[test]
fn same_seed_same_numbers() {
    let overrides =
        [("noise_rate", float(0.1)), ("verifier", choice("self")), ("data", choice("accumulate"))];
    assert_eq!(runs(&overrides, 3, 14), runs(&overrides, 3, 14));
    assert_ne!(runs(&overrides, 1, 14), runs(&overrides, 1, 15));
}

#[test]
fn check_rejects_a_variance_that_does_not_fit_a_float() {
    let values = Params::with(PARAMS, &[("std", float(1e200))]);
    let err = check(&Params { specs: PARAMS, values: &values }).unwrap_err();
    assert_eq!(err.param, "std");
    let values = Params::with(PARAMS, &[("std", float(1e100)), ("outlier_scale", float(1e60))]);
    let err = check(&Params { specs: PARAMS, values: &values }).unwrap_err();
    assert_eq!(err.param, "outlier_scale");
    let values = Params::with(PARAMS, &[("std", float(1e100)), ("outlier_scale", float(1e50))]);
    assert!(check(&Params { specs: PARAMS, values: &values }).is_ok());
    // A mean whose square overflows made every run NaN.
    let values = Params::with(PARAMS, &[("mean", float(-1e308))]);
    assert_eq!(check(&Params { specs: PARAMS, values: &values }).unwrap_err().param, "mean");
    let values = Params::with(PARAMS, &[("mean", float(1e150))]);
    assert!(check(&Params { specs: PARAMS, values: &values }).is_ok());
}
