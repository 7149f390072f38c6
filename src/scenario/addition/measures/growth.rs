//! The growth law of a run's frontier error, tested rather than assumed:
//! an exponential in rounds and a power law in self-trained digits are both
//! fitted to the same rounds, and the better one names the run's law. And
//! the accumulation rate `beta` of systematic errors per new digit.
//!
//! Errors are measured on the log-accuracy scale, `lambda = -ln(accuracy)`:
//! the expected number of wrong greedy steps per problem when each is rare
//! and independent, so `accuracy = exp(-lambda)`. It equals `1 - accuracy`
//! while that is small and, unlike it, does not saturate at 1 as a run
//! collapses, so the law it follows does not bend with the horizon.
//! docs/MODEL.md states the fits and the criterion.

/// Fewest rounds a growth fit uses: two parameters and two residual degrees
/// of freedom, so that the fits' standard errors and their comparison mean
/// something.
pub const MIN_GROWTH_POINTS: usize = 4;

/// The two-sided 95% normal quantile: a rate is growth when it exceeds this
/// many standard errors.
const Z95: f64 = 1.959_964;

/// A weighted least-squares line `y = intercept + slope x`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Line {
    pub intercept: f64,
    pub slope: f64,
    /// The slope's standard error, scaled by the residual variance (so a
    /// misfitting model gets a wider error, not a falsely narrow one).
    pub slope_se: f64,
    /// The weighted residual sum of squares.
    pub rss: f64,
}

/// Fits `(x, y, weight)` points; `None` with fewer than
/// [`MIN_GROWTH_POINTS`] points or when every `x` is the same.
pub fn weighted_line(points: &[(f64, f64, f64)]) -> Option<Line> {
    if points.len() < MIN_GROWTH_POINTS {
        return None;
    }
    let total: f64 = points.iter().map(|p| p.2).sum();
    let mean_x = points.iter().map(|p| p.2 * p.0).sum::<f64>() / total;
    let mean_y = points.iter().map(|p| p.2 * p.1).sum::<f64>() / total;
    let sxx: f64 = points.iter().map(|p| p.2 * (p.0 - mean_x).powi(2)).sum();
    if sxx <= 1e-12 * total {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| p.2 * (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    let rss: f64 = points.iter().map(|p| p.2 * (p.1 - intercept - slope * p.0).powi(2)).sum();
    let slope_se = (rss / (points.len() - 2) as f64 / sxx).sqrt();
    Some(Line { intercept, slope, slope_se, rss })
}

/// Which law describes a run's frontier error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrowthLaw {
    /// `lambda ~ exp(rate * round)` fits better.
    Exponential,
    /// `lambda ~ digits ^ exponent` fits better.
    Polynomial,
    /// The error does not grow: the rate is within 1.96 standard errors of 0 or below.
    Flat,
    /// Fewer than [`MIN_GROWTH_POINTS`] usable rounds, or no spread in digits.
    TooFewPoints,
}

impl GrowthLaw {
    /// The string stored in `growth_law`.
    pub fn name(self) -> &'static str {
        match self {
            GrowthLaw::Exponential => "exponential",
            GrowthLaw::Polynomial => "polynomial",
            GrowthLaw::Flat => "flat",
            GrowthLaw::TooFewPoints => "too_few_points",
        }
    }
}

/// Both fits of one run's growth phase, and the verdict.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Growth {
    /// `ln lambda` on the 0-based round: the slope is the rate per round.
    pub exponential: Option<Line>,
    /// `ln lambda` on `ln k`, `k` the self-trained digits: the slope is the exponent.
    pub power: Option<Line>,
    pub law: GrowthLaw,
    /// Rounds both fits used.
    pub points: usize,
}

/// One round as the fits see it.
#[derive(Clone, Copy, Debug)]
pub struct RoundPoint {
    /// Digits beyond the supervised ones, `frontier_digits - start_digits` (at least 1).
    pub self_trained: usize,
    pub accuracy: f64,
}

/// Fits the growth phase of `rounds`: from the first round with a measured
/// error to the first round below `collapse_accuracy` (or the last round),
/// using the rounds in it whose accuracy is strictly between 0 and 1.
///
/// Each point is weighted by the inverse of the binomial variance of
/// `ln lambda` on `eval_problems` problems (delta method:
/// `(1 - a) / (n a lambda^2)`), so that one wrong problem in a thousand,
/// whose logarithm is known only roughly, does not steer the fit.
pub fn growth(rounds: &[RoundPoint], collapse_accuracy: f64, eval_problems: usize) -> Growth {
    let first = rounds.iter().position(|r| r.accuracy < 1.0);
    let last = rounds.iter().position(|r| r.accuracy < collapse_accuracy).unwrap_or(rounds.len());
    let phase = first.map_or(&rounds[..0], |first| &rounds[first..(last + 1).min(rounds.len()).max(first)]);
    let first = first.unwrap_or(0);
    let usable: Vec<(usize, &RoundPoint)> = phase
        .iter()
        .enumerate()
        .filter(|(_, r)| r.accuracy > 0.0 && r.accuracy < 1.0)
        .map(|(i, r)| (first + i, r))
        .collect();
    let weight = |a: f64| {
        let lambda = -a.ln();
        eval_problems as f64 * a * lambda * lambda / (1.0 - a)
    };
    let fit = |x: &dyn Fn(usize, &RoundPoint) -> f64| {
        let points: Vec<_> =
            usable.iter().map(|(i, r)| (x(*i, r), (-r.accuracy.ln()).ln(), weight(r.accuracy))).collect();
        weighted_line(&points)
    };
    let exponential = fit(&|round, _| round as f64);
    let power = fit(&|_, r| (r.self_trained.max(1) as f64).ln());
    let law = match (exponential, power) {
        (Some(e), Some(p)) => {
            if e.slope <= Z95 * e.slope_se {
                GrowthLaw::Flat
            } else if e.rss < p.rss {
                GrowthLaw::Exponential
            } else {
                GrowthLaw::Polynomial
            }
        }
        _ => GrowthLaw::TooFewPoints,
    };
    Growth { exponential, power, law, points: usable.len() }
}

/// The accumulation rate `beta`: systematic errors admitted per new digit,
/// under the law that the `j`-th self-trained position carries `beta j`
/// of them (it inherits its predecessor's and adds `beta`), so after `k`
/// self-trained digits `S = S_0 + beta k (k + 1) / 2`.
///
/// `supervised` is `S_0` (after supervised training), `rounds` the
/// `(self-trained digits, systematic errors)` of each round. Per new length
/// the increment of `S` (from the last round at the previous length to the
/// last round at this one) is `beta` times the increment of
/// `T = k (k + 1) / 2`, with variance proportional to it (independent new
/// errors); the weighted estimate is `(S_last - S_0) / T_last` and its
/// standard error comes from the increments' own scatter. `(beta, se)`;
/// `None` with fewer than [`MIN_GROWTH_POINTS`] lengths.
pub fn accumulation(supervised: usize, rounds: &[(usize, usize)]) -> Option<(f64, f64)> {
    // The last round at each length, with the supervised count at k = 0.
    let mut by_length: Vec<(usize, usize)> = vec![(0, supervised)];
    for &(k, s) in rounds {
        match by_length.last_mut() {
            Some(last) if last.0 == k => last.1 = s,
            _ => by_length.push((k, s)),
        }
    }
    let triangle = |k: usize| (k * (k + 1) / 2) as f64;
    let steps: Vec<(f64, f64)> = by_length
        .windows(2)
        .map(|w| (triangle(w[1].0) - triangle(w[0].0), w[1].1 as f64 - w[0].1 as f64))
        .filter(|(dt, _)| *dt > 0.0)
        .collect();
    if steps.len() < MIN_GROWTH_POINTS {
        return None;
    }
    let total_t: f64 = steps.iter().map(|s| s.0).sum();
    let beta = steps.iter().map(|s| s.1).sum::<f64>() / total_t;
    let scatter: f64 =
        steps.iter().map(|(dt, ds)| (ds - beta * dt).powi(2) / dt).sum::<f64>() / (steps.len() - 1) as f64;
    Some((beta, (scatter / total_t).sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(self_trained: &[usize], lambda: impl Fn(usize, usize) -> f64) -> Vec<RoundPoint> {
        self_trained
            .iter()
            .enumerate()
            .map(|(round, k)| RoundPoint { self_trained: *k, accuracy: (-lambda(round, *k)).exp() })
            .collect()
    }

    #[test]
    fn an_exactly_exponential_error_is_called_exponential_with_its_rate() {
        // lambda = 0.001 * 1.5^round over 10 rounds advancing every round.
        let ks: Vec<usize> = (1..=10).collect();
        let rounds = points(&ks, |r, _| 0.001 * 1.5f64.powi(r as i32));
        let growth = growth(&rounds, 0.0, 1000);
        assert_eq!(growth.points, 10);
        assert_eq!(growth.law, GrowthLaw::Exponential);
        let rate = growth.exponential.unwrap();
        assert!((rate.slope - 1.5f64.ln()).abs() < 1e-9 && rate.rss < 1e-18, "{rate:?}");
    }

    #[test]
    fn an_exactly_quadratic_error_is_called_polynomial_with_exponent_two() {
        let ks: Vec<usize> = (1..=12).collect();
        let rounds = points(&ks, |_, k| 0.0005 * (k * k) as f64);
        let growth = growth(&rounds, 0.0, 1000);
        assert_eq!(growth.law, GrowthLaw::Polynomial);
        let power = growth.power.unwrap();
        assert!((power.slope - 2.0).abs() < 1e-9 && power.rss < 1e-18, "{power:?}");
        // The exponential misfits: its residuals are not zero.
        assert!(growth.exponential.unwrap().rss > 1e-3);
    }

    #[test]
    fn a_constant_error_is_flat_and_few_points_are_too_few() {
        let ks = [1, 2, 3, 4, 5, 6];
        let wobble = [0.010, 0.012, 0.009, 0.011, 0.010, 0.011];
        let rounds = points(&ks, |r, _| wobble[r]);
        assert_eq!(growth(&rounds, 0.0, 1000).law, GrowthLaw::Flat);
        let short = points(&[1, 2, 3], |r, _| 0.01 * (r + 1) as f64);
        let growth = growth(&short, 0.0, 1000);
        assert_eq!((growth.law, growth.points), (GrowthLaw::TooFewPoints, 3));
    }

    #[test]
    fn the_growth_phase_starts_at_the_first_error_and_ends_at_collapse() {
        // Perfect rounds, then errors, then collapse (accuracy 0.3 < 0.5)
        // and rounds after it that must be ignored; the perfect round inside
        // the phase is skipped (no logarithm).
        let accuracy = [1.0, 1.0, 0.99, 1.0, 0.97, 0.93, 0.85, 0.3, 0.9, 0.9];
        let rounds: Vec<RoundPoint> = accuracy
            .iter()
            .enumerate()
            .map(|(r, a)| RoundPoint { self_trained: r + 1, accuracy: *a })
            .collect();
        assert_eq!(growth(&rounds, 0.5, 1000).points, 5);
    }

    #[test]
    fn a_weighted_line_passes_through_the_weighted_means() {
        // With two points of weight 1 and 3 on each side the weighted mean
        // decides the intercept: y = 0 at x = 0 (weight 1), y = 4 at x = 0 (weight 3).
        let line =
            weighted_line(&[(0.0, 0.0, 1.0), (0.0, 4.0, 3.0), (1.0, 5.0, 1.0), (1.0, 5.0, 1.0)]).unwrap();
        assert!((line.intercept - 3.0).abs() < 1e-12 && (line.slope - 2.0).abs() < 1e-12, "{line:?}");
    }

    #[test]
    fn beta_is_new_errors_per_new_digit() {
        // S = 3 + 0.5 k (k + 1): beta 1 exactly, with one stalled round
        // (two rounds at k = 3, the last of which counts) and no scatter.
        let rounds = [(1, 4), (2, 6), (3, 8), (3, 9), (4, 13), (5, 18)];
        let (beta, se) = accumulation(3, &rounds).unwrap();
        assert!((beta - 1.0).abs() < 1e-12 && se < 1e-12, "{beta} {se}");
        // Too few lengths.
        assert_eq!(accumulation(0, &rounds[..3]), None);
    }
}
