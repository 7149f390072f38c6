//! Medians with exact, distribution-free 95% intervals, and means with
//! intervals that respect their quantity's support, for the report.
//!
//! Replicate outcomes of a self-training run are skewed and sometimes
//! right-censored (a runway that outlives the horizon), so the report uses
//! order statistics, which need neither a distribution nor finite values:
//! the interval `[x(j), x(k)]` covers the population median with probability
//! `P(j <= B <= k - 1)`, `B ~ Binomial(n, 1/2)`, because `B`, the number of
//! observations below the median, is binomial whatever the distribution.
//! A censored value is stored as `+inf`; censoring at a fixed horizon keeps
//! the order of the observations, so the ranks, and hence the interval,
//! stay exact.

use crate::value::Support;

/// The coverage the report's intervals promise at least.
pub const COVERAGE: f64 = 0.95;

/// A point estimate (a median, or a ratio of means) and, where the sample is
/// large enough, its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The number of values summarised.
    pub n: usize,
    /// For a median: the mean of the two middle values for even `n`, `+inf`
    /// when the upper middle value is censored. `NaN` when `n = 0`.
    pub value: f64,
    /// The interval's ends, or `None` when `n` is too small (`n < 6` for a
    /// median: no pair of order statistics reaches 95% coverage).
    pub interval: Option<(f64, f64)>,
}

/// The 1-based ranks `(j, k)` of the order statistics bounding a two-sided
/// interval for the median with coverage at least `coverage`, as tight as
/// possible among symmetric choices `k = n + 1 - j`; `None` when even
/// `[x(1), x(n)]` covers less than `coverage`.
pub fn median_ranks(n: usize, coverage: f64) -> Option<(usize, usize)> {
    if n == 0 {
        return None;
    }
    // The interval [x(j), x(n+1-j)] misses the median when B <= j-1 or
    // B >= n+1-j; by symmetry that has probability 2 P(B <= j-1). Take the
    // largest j whose miss probability stays within 1 - coverage.
    let alpha = 1.0 - coverage;
    let cdf = binomial_half_cdf(n);
    let mut best = None;
    for j in 1..=n.div_ceil(2) {
        if 2.0 * cdf[j - 1] <= alpha {
            best = Some((j, n + 1 - j));
        } else {
            break;
        }
    }
    best
}

/// `P(B <= i)` for `i = 0..=n`, `B ~ Binomial(n, 1/2)`, computed in log space
/// so that large `n` (where `2^-n` underflows) keeps its accuracy in the
/// tails that matter.
fn binomial_half_cdf(n: usize) -> Vec<f64> {
    let nf = n as f64;
    let mut log_pmf = -nf * std::f64::consts::LN_2;
    let mut cdf = Vec::with_capacity(n + 1);
    let mut total = 0.0;
    for i in 0..=n {
        total += log_pmf.exp();
        cdf.push(total.min(1.0));
        // C(n, i+1) = C(n, i) (n - i) / (i + 1)
        log_pmf += ((nf - i as f64) / (i as f64 + 1.0)).ln();
    }
    cdf
}

/// The median of `values` with its exact order-statistic 95% interval.
/// `NaN`s are not expected (callers drop nulls they do not censor); they are
/// sorted last by `total_cmp` and would count as large values.
pub fn median_interval(values: &mut [f64]) -> Estimate {
    let n = values.len();
    if n == 0 {
        return Estimate { n, value: f64::NAN, interval: None };
    }
    values.sort_by(f64::total_cmp);
    let value = if n % 2 == 1 {
        values[n / 2]
    } else {
        let (low, high) = (values[n / 2 - 1], values[n / 2]);
        // Beside an infinite (censored) middle value the median is on that
        // side of every finite one: report the infinity, not a NaN.
        if high == f64::INFINITY {
            high
        } else if low == f64::NEG_INFINITY {
            low
        } else {
            (low + high) / 2.0
        }
    };
    let interval = median_ranks(n, COVERAGE).map(|(j, k)| (values[j - 1], values[k - 1]));
    Estimate { n, value, interval }
}

/// `values` sorted, so that a sum over them has one order whatever order
/// the dataset's rows came in: the rows of a dataset written by several
/// threads arrive in the order the runs finished, and a floating-point sum
/// in that order could differ in its last digit between two datasets of
/// the same sweep.
fn in_order(values: &[f64]) -> Vec<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
}

/// The mean of `values`, the same whatever their order; `NaN` when empty.
pub fn mean(values: &[f64]) -> f64 {
    in_order(values).iter().sum::<f64>() / values.len() as f64
}

/// The normal quantile for a two-sided 95% interval.
const Z_95: f64 = 1.959_963_984_540_054;

/// The mean of `values` with a 95% interval from the normal approximation
/// to the mean, kept inside the column's support: for a quantity that
/// cannot be negative the interval is taken on the log scale (the delta
/// method, `mean * exp(-/+ 1.96 se / mean)`), so a skewed positive mean
/// never gets a negative lower end; a share is also capped at 1. No
/// interval below two values; `NaN` without values.
pub fn mean_interval(values: &[f64], support: Support) -> Estimate {
    let n = values.len();
    if n == 0 {
        return Estimate { n, value: f64::NAN, interval: None };
    }
    let values = in_order(values);
    let mean = values.iter().sum::<f64>() / n as f64;
    let interval = (n >= 2).then(|| {
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half = Z_95 * (variance / n as f64).sqrt();
        match support {
            Support::Real => (mean - half, mean + half),
            Support::NonNegative | Support::Unit if mean > 0.0 => {
                let factor = (half / mean).exp();
                let high = mean * factor;
                (mean / factor, if support == Support::Unit { high.min(1.0) } else { high })
            }
            // A mean of zero over non-negative values: every value is 0.
            Support::NonNegative | Support::Unit => (0.0, 0.0),
        }
    });
    Estimate { n, value: mean, interval }
}

/// Student's t quantile for a two-sided 95% interval with `df` degrees of
/// freedom: the published values up to 30, then the Cornish-Fisher
/// expansion in `1/df` (within 1e-5 of the exact quantile above 30).
pub fn t_95(df: usize) -> f64 {
    // t(0.975, df) for df = 1..=30 (standard tables, e.g. Abramowitz and
    // Stegun table 26.10).
    const TABLE: [f64; 30] = [
        12.706_205, 4.302_653, 3.182_446, 2.776_445, 2.570_582, 2.446_912, 2.364_624, 2.306_004, 2.262_157,
        2.228_139, 2.200_985, 2.178_813, 2.160_369, 2.144_787, 2.131_450, 2.119_905, 2.109_816, 2.100_922,
        2.093_024, 2.085_963, 2.079_614, 2.073_873, 2.068_658, 2.063_899, 2.059_539, 2.055_529, 2.051_831,
        2.048_407, 2.045_230, 2.042_272,
    ];
    if df == 0 {
        return f64::NAN;
    }
    if let Some(t) = TABLE.get(df - 1) {
        return *t;
    }
    let (z, v) = (Z_95, df as f64);
    let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
    z + (z3 + z) / (4.0 * v)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * v * v)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * v.powi(3))
        + (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / (92_160.0 * v.powi(4))
}

/// The mean of paired differences with its 95% t interval, `mean -/+
/// t(n - 1) sd / sqrt(n)`: the differences of runs that shared their seed
/// are independent of each other, however skewed the runs themselves are,
/// and t rather than the normal keeps the coverage at the few pairs a
/// paired sweep often has. No interval below two differences.
pub fn mean_difference(differences: &[f64]) -> Estimate {
    let n = differences.len();
    if n == 0 {
        return Estimate { n, value: f64::NAN, interval: None };
    }
    let differences = in_order(differences);
    let mean = differences.iter().sum::<f64>() / n as f64;
    let interval = (n >= 2).then(|| {
        let variance = differences.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let half = t_95(n - 1) * (variance / n as f64).sqrt();
        (mean - half, mean + half)
    });
    Estimate { n, value: mean, interval }
}

/// The median of `values` over the theory's value (the mean of `theory`,
/// whose values are one per grid point), with the median's exact interval
/// divided by it. `values` may hold `-inf` for runs that achieved nothing;
/// a median or an interval end that is not finite gives no ratio there.
pub fn median_ratio(values: &mut [f64], theory: &[f64]) -> Estimate {
    over_theory(median_interval(values), theory)
}

/// `estimate` and its interval divided by the mean of `theory`: `NaN`
/// without values, with a zero or infinite theory or an infinite estimate,
/// and no interval where an end is not finite.
fn over_theory(estimate: Estimate, theory: &[f64]) -> Estimate {
    let n = estimate.n;
    let expected = if theory.is_empty() { 0.0 } else { mean(theory) };
    if n == 0 || expected == 0.0 || !expected.is_finite() || !estimate.value.is_finite() {
        return Estimate { n, value: f64::NAN, interval: None };
    }
    let interval =
        estimate.interval.filter(|(low, high)| low.is_finite() && high.is_finite()).map(|(low, high)| {
            let (low, high) = (low / expected, high / expected);
            (low.min(high), low.max(high))
        });
    Estimate { n, value: estimate.value / expected, interval }
}

/// The simulation's mean over the theory's, with the 95% interval of the
/// simulated mean ([`mean_interval`]) divided by the theory's mean. Closed-
/// form predictions are expectations, so means, not medians, are what they
/// predict. `NaN` without values or with a zero theory.
pub fn mean_ratio(simulated: &[f64], theory: &[f64], support: Support) -> Estimate {
    // A share's mean may exceed 1 when divided, so only the sign is kept.
    let support = if support == Support::Unit { Support::NonNegative } else { support };
    over_theory(mean_interval(simulated, support), theory)
}

/// The `q`-quantile of already sorted values by linear interpolation between
/// order statistics (the definition NumPy, DuckDB's `quantile_cont` and
/// polars' `linear` use), for the figures' bands. `NaN` when empty.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let position = q.clamp(0.0, 1.0) * (n - 1) as f64;
            let below = position.floor() as usize;
            let above = (below + 1).min(n - 1);
            let weight = position - below as f64;
            if weight == 0.0 {
                sorted[below]
            } else {
                sorted[below] + (sorted[above] - sorted[below]) * weight
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_for_twenty_match_the_binomial_table() {
        // B ~ Bin(20, 1/2): P(B <= 5) = (1+20+190+1140+4845+15504)/2^20
        // = 21700/1048576 = 0.02069, so [x(6), x(15)] misses with
        // probability 2 * 0.02069 = 0.0414 <= 0.05. One rank tighter,
        // P(B <= 6) = (21700 + 38760)/2^20 = 0.05766, 2 * 0.0577 > 0.05.
        assert_eq!(median_ranks(20, 0.95), Some((6, 15)));
    }

    #[test]
    fn small_samples_have_no_95_percent_interval() {
        // n = 5: even [x(1), x(5)] misses with probability 2/2^5 = 0.0625.
        assert_eq!(median_ranks(5, 0.95), None);
        // n = 6: [x(1), x(6)] misses with probability 2/2^6 = 0.03125.
        assert_eq!(median_ranks(6, 0.95), Some((1, 6)));
        assert_eq!(median_ranks(0, 0.95), None);
    }

    #[test]
    fn ranks_for_larger_samples_match_published_tables() {
        // n = 10: P(B <= 1) = 11/1024 = 0.0107 (x2 = 0.021 <= 0.05) but
        // P(B <= 2) = 56/1024 = 0.0547 (x2 = 0.109), so (2, 9).
        // n = 100: P(B <= 39) = 0.0176 (x2 = 0.035) but P(B <= 40) =
        // 0.0284 (x2 = 0.057), values from scipy.stats.binom.cdf, so (40, 61).
        assert_eq!(median_ranks(10, 0.95), Some((2, 9)));
        assert_eq!(median_ranks(100, 0.95), Some((40, 61)));
    }

    #[test]
    fn huge_samples_do_not_underflow() {
        // n = 10,000: the normal approximation gives j = 5000 - 1.96*50 =
        // 4902; the exact tail moves it by at most one rank.
        let (j, k) = median_ranks(10_000, 0.95).unwrap();
        assert!((4900..=4903).contains(&j), "j = {j}");
        assert_eq!(j + k, 10_001);
    }

    #[test]
    fn median_and_interval_of_one_to_twenty() {
        let mut values: Vec<f64> = (1..=20).rev().map(f64::from).collect();
        let summary = median_interval(&mut values);
        assert_eq!(summary.value, 10.5);
        assert_eq!(summary.interval, Some((6.0, 15.0)));
    }

    #[test]
    fn censored_values_sort_last_and_can_be_the_median() {
        let mut values = vec![3.0, f64::INFINITY, 1.0, f64::INFINITY, f64::INFINITY];
        let summary = median_interval(&mut values);
        assert_eq!(summary.value, f64::INFINITY);
        let mut even = vec![3.0, f64::INFINITY, 1.0, 2.0];
        assert_eq!(median_interval(&mut even).value, 2.5);
    }

    #[test]
    fn median_ratio_interval_by_hand() {
        // Values 1..=9: median 5; for n = 9 the exact 95% interval is the
        // 2nd and 8th order statistics (coverage 1 - 2 * 10/512 = 0.961;
        // the 3rd and 7th cover only 0.820). Over a theory of 4: 1.25 with
        // [0.5, 2].
        let mut values: Vec<f64> = (1..=9).rev().map(f64::from).collect();
        let estimate = median_ratio(&mut values, &[4.0; 9]);
        assert_eq!(estimate.value, 1.25);
        assert_eq!(estimate.interval, Some((0.5, 2.0)));
        // Runs that achieved nothing rank lowest: with 5 of 9 at -inf the
        // median is -inf and there is no ratio.
        let mut mostly_nothing = [
            f64::NEG_INFINITY,
            3.0,
            f64::NEG_INFINITY,
            7.0,
            f64::NEG_INFINITY,
            2.0,
            f64::NEG_INFINITY,
            8.0,
            f64::NEG_INFINITY,
        ];
        assert!(median_ratio(&mut mostly_nothing, &[4.0; 9]).value.is_nan());
        // With 2 of 9 at -inf the median is finite but the interval's low
        // end is not: a ratio without an interval.
        let mut some_nothing = [f64::NEG_INFINITY, 3.0, f64::NEG_INFINITY, 7.0, 5.0, 2.0, 6.0, 8.0, 4.0];
        let estimate = median_ratio(&mut some_nothing, &[4.0; 9]);
        assert_eq!((estimate.value, estimate.interval), (1.0, None));
        assert!(median_ratio(&mut [1.0, 2.0], &[0.0, 0.0]).value.is_nan());
    }

    #[test]
    fn mean_ratio_interval_by_hand() {
        // Values 1..=4: mean 2.5, sample variance 5/3, standard error
        // sqrt(5/12) = 0.6455; half width 1.96 * 0.6455 = 1.2652. Over a
        // theory of 2: 1.25 with [0.6174, 1.8826].
        let estimate = mean_ratio(&[1.0, 2.0, 3.0, 4.0], &[2.0; 4], Support::Real);
        assert_eq!(estimate.value, 1.25);
        let (low, high) = estimate.interval.unwrap();
        assert!((low - 0.617_4).abs() < 1e-4 && (high - 1.882_6).abs() < 1e-4, "{low} {high}");
        assert!(mean_ratio(&[1.0], &[0.0], Support::Real).value.is_nan());
    }

    #[test]
    fn a_non_negative_mean_keeps_a_positive_interval_on_the_log_scale() {
        // One large value among small ones: mean 25.75, sample sd 49.5,
        // se 24.75, half width 48.51, below zero on the linear scale.
        // On the log scale: 25.75 * exp(-/+ 48.51 / 25.75) = 25.75 /
        // 6.58 = 3.91 and 25.75 * 6.58 = 169.4.
        let values = [1.0, 1.0, 1.0, 100.0];
        let linear = mean_interval(&values, Support::Real).interval.unwrap();
        assert!(linear.0 < 0.0, "{linear:?}");
        let (low, high) = mean_interval(&values, Support::NonNegative).interval.unwrap();
        assert!((low - 3.91).abs() < 0.01 && (high - 169.4).abs() < 0.1, "{low} {high}");
        let shares = mean_interval(&[0.9, 1.0, 1.0, 1.0], Support::Unit).interval.unwrap();
        assert!(shares.1 <= 1.0 && shares.0 > 0.0, "{shares:?}");
    }

    #[test]
    fn t_quantiles_match_published_values() {
        // Published t(0.975, df): 40 -> 2.021075, 60 -> 2.000298,
        // 120 -> 1.979930 (tables beyond the 30 rows kept here).
        for (df, t) in [(40, 2.021_075), (60, 2.000_298), (120, 1.979_930)] {
            assert!((t_95(df) - t).abs() < 2e-5, "df {df}: {}", t_95(df));
        }
        // The expansion joins the table without a jump: t(31) = 2.039513.
        assert!((t_95(31) - 2.039_513).abs() < 2e-5, "{}", t_95(31));
        assert_eq!(t_95(7), 2.364_624);
        assert!(t_95(100_000) - Z_95 < 1e-4);
    }

    #[test]
    fn mean_difference_interval_by_hand() {
        // Differences 1, 2, 3, 6: mean 3, sample variance (4+1+0+9)/3 =
        // 14/3, se sqrt(14/12) = 1.0801; t(0.975, 3) = 3.182446, half width
        // 3.4374: [-0.4374, 6.4374].
        let estimate = mean_difference(&[1.0, 2.0, 3.0, 6.0]);
        assert_eq!((estimate.n, estimate.value), (4, 3.0));
        let (low, high) = estimate.interval.unwrap();
        assert!((low + 0.437_4).abs() < 1e-4 && (high - 6.437_4).abs() < 1e-4, "{low} {high}");
        assert_eq!(mean_difference(&[2.0]).interval, None);
        assert!(mean_difference(&[]).value.is_nan());
    }

    #[test]
    fn quantiles_interpolate_like_numpy() {
        // numpy.quantile([1, 2, 3, 4], 0.25) = 1.75 (position 0.75).
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.25), 1.75);
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
        assert!(quantile_sorted(&[], 0.5).is_nan());
    }

    #[test]
    fn means_do_not_depend_on_the_order_of_the_rows() {
        // Summed left to right, these give different last digits in the two
        // orders (0.1 + 0.2 + 0.3 = 0.6000000000000001, 0.3 + 0.2 + 0.1 = 0.6).
        let forward = [0.1, 0.2, 0.3, 1e-17];
        let backward = [1e-17, 0.3, 0.2, 0.1];
        assert_ne!(forward.iter().sum::<f64>(), backward.iter().sum::<f64>());
        assert_eq!(mean(&forward).to_bits(), mean(&backward).to_bits());
        let (a, b) = (mean_interval(&forward, Support::Real), mean_interval(&backward, Support::Real));
        assert_eq!((a.value.to_bits(), a.interval), (b.value.to_bits(), b.interval));
        let (a, b) = (mean_difference(&forward), mean_difference(&backward));
        assert_eq!((a.value.to_bits(), a.interval), (b.value.to_bits(), b.interval));
    }
}
