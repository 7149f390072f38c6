//! How far self-training got while it was still right: the reach at 99%
//! accuracy, and a conservative reach that only trusts an accuracy when
//! its measurement on `eval_problems` problems rules out less than 99%.
//!
//! Reach stops at the *first* round below the bar, not at the best round:
//! with 1,000 evaluation problems the counting noise is as large as the 1%
//! margin, so the best of forty rounds overstates how far the run got.

/// The accuracy a round must reach to extend the reach.
pub const REACH_ACCURACY: f64 = 0.99;

/// The one-sided confidence level of [`clears_bar_surely`].
pub const REACH_CONFIDENCE: f64 = 0.95;

/// The largest `digits` of any round before the first round that fails
/// `clears` (rounds are `(frontier_digits, accuracy)` in order); `None`
/// when the first round already fails.
pub fn reach(rounds: &[(usize, f64)], clears: impl Fn(f64) -> bool) -> Option<usize> {
    rounds.iter().take_while(|(_, accuracy)| clears(*accuracy)).map(|(digits, _)| *digits).max()
}

/// Whether an accuracy measured on `count` problems is at least `bar` with
/// one-sided confidence `confidence`: the exact (Clopper-Pearson) lower
/// confidence bound of the accuracy is at least `bar`.
///
/// The bound is at least `bar` exactly when `P(X >= correct)` for
/// `X ~ Binomial(count, bar)` is at most `1 - confidence` (the binomial
/// upper tail rises with its probability), so the bound itself is never
/// needed, only that tail, summed in log space so that a million problems
/// do not underflow.
pub fn clears_bar_surely(accuracy: f64, count: usize, bar: f64, confidence: f64) -> bool {
    if count == 0 {
        return false;
    }
    let correct = (accuracy * count as f64).round() as usize;
    if (correct as f64) < bar * count as f64 {
        // Below the bar's mean the tail exceeds one half.
        return false;
    }
    binomial_upper_tail(count, bar, correct) <= 1.0 - confidence
}

/// `P(X >= at_least)` for `X ~ Binomial(n, p)`, `0 < p < 1`.
fn binomial_upper_tail(n: usize, p: f64, at_least: usize) -> f64 {
    if at_least == 0 {
        return 1.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    // ln P(X = n) = n ln p, then ln P(X = k - 1) = ln P(X = k) + ln(k / (n - k + 1)) + ln(q / p).
    let ratio = ((1.0 - p) / p).ln();
    let mut log_term = n as f64 * p.ln();
    let mut terms = vec![log_term];
    for k in (at_least + 1..=n).rev() {
        log_term += (k as f64 / (n - k + 1) as f64).ln() + ratio;
        terms.push(log_term);
    }
    let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    top.exp() * terms.iter().map(|t| (t - top).exp()).sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_stops_at_the_first_round_below_the_bar() {
        // The fourth round regains 0.99 after the third fell below it: reach
        // is the second round's 8 digits, not the fourth's 10.
        let rounds = [(7, 1.0), (8, 0.995), (9, 0.985), (10, 0.999)];
        assert_eq!(reach(&rounds, |a| a >= REACH_ACCURACY), Some(8));
        assert_eq!(reach(&rounds[..2], |a| a >= REACH_ACCURACY), Some(8));
        assert_eq!(reach(&[(7, 0.98), (8, 1.0)], |a| a >= REACH_ACCURACY), None);
        assert_eq!(reach(&[], |a| a >= REACH_ACCURACY), None);
        // A stalled round repeats its length; reach is still the largest.
        assert_eq!(reach(&[(7, 1.0), (8, 1.0), (8, 0.99), (8, 0.9)], |a| a >= REACH_ACCURACY), Some(8));
    }

    /// The binomial tail by direct multiplication, usable for small `n`.
    fn direct_tail(n: usize, p: f64, at_least: usize) -> f64 {
        let choose = |k: usize| (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64);
        (at_least..=n).map(|k| choose(k) * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32)).sum()
    }

    #[test]
    fn the_log_space_tail_matches_direct_summation() {
        for (n, p, k) in [(10, 0.5, 6), (1000, 0.99, 995), (1000, 0.99, 1000), (200, 0.9, 185)] {
            let (ours, direct) = (binomial_upper_tail(n, p, k), direct_tail(n, p, k));
            assert!(
                (ours - direct).abs() < 1e-12 * direct.max(1e-300) + 1e-15,
                "{n} {p} {k}: {ours} {direct}"
            );
        }
    }

    #[test]
    fn a_thousand_problems_need_996_right_to_rule_out_less_than_99_percent() {
        // Direct sums: P(X >= 996 | 1000, 0.99) = 0.0287 <= 0.05 and
        // P(X >= 995) = 0.0661 > 0.05, so 996 is the least count that clears.
        assert!(direct_tail(1000, 0.99, 996) <= 0.05 && direct_tail(1000, 0.99, 995) > 0.05);
        assert!(clears_bar_surely(0.996, 1000, 0.99, 0.95));
        assert!(!clears_bar_surely(0.995, 1000, 0.99, 0.95));
        assert!(!clears_bar_surely(0.99, 1000, 0.99, 0.95));
        // A perfect score on 100 problems does not clear it: 0.99^100 = 0.366.
        assert!(!clears_bar_surely(1.0, 100, 0.99, 0.95));
        // A million problems at 99.1% do: the sd of the share is 0.0001.
        assert!(clears_bar_surely(0.991, 1_000_000, 0.99, 0.95));
        assert!(!clears_bar_surely(0.9901, 1_000_000, 0.99, 0.95));
    }
}
