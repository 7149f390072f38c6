//! How heavy the upper tail of a column's values is, so the report warns
//! where the normal interval of a mean may not hold.
//!
//! Self-training runs can end with a few values thousands of times the
//! typical one (a Gaussian chain's variance is a product of chi-squares).
//! Where the values' distribution has an infinite variance, or a lognormal-
//! like tail as heavy in a sample, the mean's `mean -/+ 1.96 se` interval
//! covers the truth less often than 95%, mostly because the sample missed
//! rare large values: gaussian's squared error at 10 samples held its exact
//! theory at 31 of 40 grid points of 1,250 runs. The shape `k` of a
//! generalized Pareto distribution fitted to the largest values tells: a
//! Pareto tail of `k >= 1/2` has no finite variance. The report marks such
//! means as a warning and still counts and compares them: leaving them out
//! would keep exactly the samples whose means fell short (a reviewer found
//! the points kept by such a screen covering 86%, every miss low).
//!
//! The fit is Zhang and Stephens' (2009) empirical-Bayes estimate on the
//! largest `min(S / 5, 3 sqrt(S))` of `S` values, with the weakly
//! informative prior towards 1/2 of Vehtari, Simpson, Gelman, Yao and Gabry
//! ("Pareto smoothed importance sampling", JMLR 2024), as in their `loo` and
//! `posterior` R packages.

use crate::value::Support;

/// At or above this shape the fitted tail has no finite variance, and the
/// normal interval of a mean is marked as one that may cover less than 95%.
pub const HEAVY: f64 = 0.5;

/// How a table marks such an interval.
pub const MARK: &str = "(heavy tail)";

/// How a sentence says what the mark means.
pub const WARNING: &str = "heavy tail: this interval may cover less than 95%";

/// Tail values the fit needs (196 values in all); fewer say nothing. The
/// shape's standard error is about `(1 + k) / sqrt(tail)`: at 40 a light
/// tail (`k` = 0.15, a linreg test error's) reads as heavy about 3% of the
/// time, at 8 (40 runs) about 20%, which would mark sound intervals.
pub const MIN_TAIL: usize = 40;

/// The tail shape `k` of `values` (non-finite ones ignored): of the upper
/// tail, and for a quantity that can be negative the heavier of both tails.
/// `None` with too few values, or where the tail has too many ties to fit
/// (a quarter of it at its threshold).
pub fn shape(values: &[f64], support: Support) -> Option<f64> {
    let upper = upper_shape(values.iter().copied());
    if support != Support::Real {
        return upper;
    }
    let lower = upper_shape(values.iter().map(|v| -v));
    match (upper, lower) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn upper_shape(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut sorted: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let s = sorted.len() as f64;
    let tail = (0.2 * s).min(3.0 * s.sqrt()).ceil() as usize;
    if tail < MIN_TAIL || tail >= sorted.len() {
        return None;
    }
    let threshold = sorted[sorted.len() - tail - 1];
    let exceedances: Vec<f64> = sorted[sorted.len() - tail..].iter().map(|v| v - threshold).collect();
    pareto_shape(&exceedances)
}

/// The shape of a generalized Pareto distribution fitted to `x` (sorted,
/// non-negative exceedances), shrunk towards 1/2 as if ten more values had
/// shown exactly 1/2.
fn pareto_shape(x: &[f64]) -> Option<f64> {
    let n = x.len() as f64;
    let largest = *x.last()?;
    // The first quartile scales the grid; the profile needs it positive.
    let quartile = x[((n / 4.0 + 0.5).floor() as usize).max(1) - 1];
    if quartile <= 0.0 || largest <= 0.0 {
        return None;
    }
    let points = 30 + n.sqrt() as usize;
    const PRIOR: f64 = 3.0;
    // theta = -k / sigma over a grid below 1 / largest, so 1 - theta x > 0.
    let grid: Vec<f64> = (1..=points)
        .map(|j| 1.0 / largest + (1.0 - (points as f64 / (j as f64 - 0.5)).sqrt()) / PRIOR / quartile)
        .collect();
    let shape_at = |theta: f64| x.iter().map(|v| (-theta * v).ln_1p()).sum::<f64>() / n;
    // The profile log-likelihood of each grid value.
    let profile: Vec<f64> = grid
        .iter()
        .map(|&theta| {
            let k = shape_at(theta);
            let l = n * ((-theta / k).ln() - k - 1.0);
            if l.is_nan() {
                f64::NEG_INFINITY
            } else {
                l
            }
        })
        .collect();
    let top = profile.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return None;
    }
    let weights: Vec<f64> = profile.iter().map(|l| (l - top).exp()).collect();
    let total: f64 = weights.iter().sum();
    let theta = grid.iter().zip(&weights).map(|(t, w)| t * w).sum::<f64>() / total;
    let k = shape_at(theta);
    const PRIOR_VALUES: f64 = 10.0;
    Some((k * n + PRIOR_VALUES * HEAVY) / (n + PRIOR_VALUES))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` values at the quantiles `(i - 1/2) / n` of `quantile`: a sample
    /// with no sampling noise, so the fit should find the true shape.
    fn at_quantiles(n: usize, quantile: impl Fn(f64) -> f64) -> Vec<f64> {
        (1..=n).map(|i| quantile((i as f64 - 0.5) / n as f64)).collect()
    }

    #[test]
    fn a_pareto_tail_gives_back_its_shape() {
        // A generalized Pareto with shape 0.8 has quantile ((1-u)^-k - 1)/k.
        // Of 2,000 values the largest 134 are fitted; the prior of ten
        // values at 1/2 moves 0.8 to (134 * 0.8 + 5) / 144 = 0.779.
        let values = at_quantiles(2000, |u| ((1.0 - u).powf(-0.8) - 1.0) / 0.8);
        let k = shape(&values, Support::NonNegative).unwrap();
        assert!((k - 0.779).abs() < 0.03, "{k}");
        assert!(k >= HEAVY);
    }

    #[test]
    fn light_tails_are_not_heavy() {
        // Exponential (shape 0): (134 * 0 + 5) / 144 = 0.035. Uniform
        // (shape -1): a bounded tail, well below.
        let exponential = shape(&at_quantiles(2000, |u| -(1.0 - u).ln()), Support::NonNegative).unwrap();
        assert!((exponential - 0.035).abs() < 0.03, "{exponential}");
        let uniform = shape(&at_quantiles(2000, |u| u), Support::NonNegative).unwrap();
        assert!(uniform < -0.5, "{uniform}");
    }

    #[test]
    fn a_real_quantity_is_judged_by_its_heavier_tail() {
        // Pareto values negated: heavy below, bounded above.
        let values: Vec<f64> = at_quantiles(2000, |u| -((1.0 - u).powf(-0.8) - 1.0) / 0.8);
        assert!(shape(&values, Support::NonNegative).unwrap() < 0.0);
        assert!((shape(&values, Support::Real).unwrap() - 0.779).abs() < 0.03);
    }

    #[test]
    fn the_fit_agrees_with_an_independent_implementation() {
        // The squares of 1..=400: the largest 60 fitted. Expected value from
        // a separate Python transcription of loo's gpdfit (R), not from this
        // code: -0.696 (a polynomial tail is light, bounded-like).
        let values: Vec<f64> = (1..=400).map(|i| (i * i) as f64).collect();
        let k = shape(&values, Support::NonNegative).unwrap();
        assert!((k - EXPECTED_SQUARES).abs() < 1e-9, "{k}");
    }

    const EXPECTED_SQUARES: f64 = -0.696_376_045_692_735_3;

    #[test]
    fn too_few_or_tied_values_say_nothing() {
        // 195 values: a tail of ceil(min(195 / 5, 3 sqrt(195))) = 39, too
        // few; 196 give 40.
        assert_eq!(shape(&(1..=195).map(f64::from).collect::<Vec<_>>(), Support::NonNegative), None);
        // 200 values, the top 50 of them tied: the 40 fitted lie at their
        // threshold, no tail to fit.
        let mut tied: Vec<f64> = (1..=150).map(f64::from).collect();
        tied.extend([500.0; 50]);
        assert_eq!(shape(&tied, Support::NonNegative), None);
        assert!(shape(&(1..=196).map(f64::from).collect::<Vec<_>>(), Support::NonNegative).is_some());
    }
}
