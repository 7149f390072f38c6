//! The statistics of one search: a logistic model of the event's share
//! along the axis, its level crossing with a profile-likelihood interval,
//! exact binomial tests for the range's ends, and a test for a share that
//! is not monotone. Pure functions of the counts, so the next probe, and
//! every boundary, is the same wherever and whenever it is computed.

use crate::normal;

/// Runs and events at one probed axis value (in units of the range: 0 at
/// its start, 1 at its end).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Count {
    pub at: f64,
    pub runs: u64,
    pub events: u64,
}

/// The profile interval keeps the crossings whose deviance is within this
/// of the best: the chi-square(1) 97.5% point, not its 95% point (3.84).
/// The search stops when the interval first gets narrow, which selects
/// intervals narrow by chance; with the 95% point, simulated searches of a
/// logistic share covered the crossing only 88-94% of the time, with this
/// one 94-99% (docs/SEARCH.md has the table).
const DEVIANCE_LIMIT: f64 = 5.023_886_187_314_888;

/// Where the profile is scanned, before the interval's ends are refined.
const SCAN: usize = 200;

/// A crossing and its interval, in range units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Crossing {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    /// +1 when the event's share rises along the axis, -1 when it falls.
    pub direction: f64,
}

/// The level crossing t of the model logit p(u) = logit(level) + b (u - t),
/// with b fitted by maximum likelihood for each t (the profile), searched
/// over the range [0, 1]. `steepest` bounds |b| (in logits per range) so
/// that separated data (every run below some value without the event, every
/// run above with it) have a finite fit: the interval is then the gap,
/// shrunk by about 2 / steepest at each side.
pub fn crossing(counts: &[Count], level: f64, steepest: f64) -> Crossing {
    let c = (level / (1.0 - level)).ln();
    let profile = |t: f64| best_slope(counts, c, t, steepest);
    let grid: Vec<(f64, f64, f64)> = (0..=SCAN)
        .map(|i| {
            let t = i as f64 / SCAN as f64;
            let (l, b) = profile(t);
            (t, l, b)
        })
        .collect();
    let best = grid.iter().map(|g| g.1).fold(f64::NEG_INFINITY, f64::max);
    let deviance = |l: f64| 2.0 * (best - l);
    let inside = |t: f64| deviance(profile(t).0) <= DEVIANCE_LIMIT;
    let kept: Vec<usize> = (0..grid.len()).filter(|&i| deviance(grid[i].1) <= DEVIANCE_LIMIT).collect();
    let (first, last) = (kept[0], *kept.last().expect("the best point is kept"));
    // Refine each end between the last grid point in and the first out.
    let refine = |mut yes: f64, mut no: f64| {
        for _ in 0..40 {
            let mid = 0.5 * (yes + no);
            if inside(mid) {
                yes = mid;
            } else {
                no = mid;
            }
        }
        yes
    };
    let lower = if first == 0 { 0.0 } else { refine(grid[first].0, grid[first - 1].0) };
    let upper = if last == SCAN { 1.0 } else { refine(grid[last].0, grid[last + 1].0) };
    // The centre of the near-best points: the maximum-likelihood crossing
    // where the profile has a peak, the middle of the gap where it is flat.
    let near: Vec<usize> = (0..grid.len()).filter(|&i| deviance(grid[i].1) <= 0.1).collect();
    let (a, b) = (near[0], near[near.len() - 1]);
    let estimate = if b - a <= 2 {
        // A peak: refine it between the grid points around it (the
        // profile is unimodal there), so the estimate is not a grid point.
        let (mut lo, mut hi) = (grid[a.saturating_sub(1)].0, grid[(b + 1).min(SCAN)].0);
        for _ in 0..60 {
            let (m1, m2) = (lo + (hi - lo) / 3.0, hi - (hi - lo) / 3.0);
            if profile(m1).0 < profile(m2).0 {
                lo = m1;
            } else {
                hi = m2;
            }
        }
        0.5 * (lo + hi)
    } else {
        0.5 * (grid[a].0 + grid[b].0)
    };
    let slope = profile(estimate).1;
    Crossing { estimate, lower, upper, direction: if slope < 0.0 { -1.0 } else { 1.0 } }
}

/// The log-likelihood maximised over b in [-steepest, steepest] at crossing
/// t, and that b. The log-likelihood is concave in b, so its derivative is
/// decreasing and bisection on its sign finds the maximum.
fn best_slope(counts: &[Count], c: f64, t: f64, steepest: f64) -> (f64, f64) {
    let slope = |b: f64| -> f64 {
        counts
            .iter()
            .map(|k| {
                let p = logistic(c + b * (k.at - t));
                (k.events as f64 - k.runs as f64 * p) * (k.at - t)
            })
            .sum()
    };
    let b = if slope(steepest) >= 0.0 {
        steepest
    } else if slope(-steepest) <= 0.0 {
        -steepest
    } else {
        let (mut lo, mut hi) = (-steepest, steepest);
        for _ in 0..80 {
            let mid = 0.5 * (lo + hi);
            if slope(mid) > 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    };
    (log_likelihood(counts, c, b, t), b)
}

fn log_likelihood(counts: &[Count], c: f64, b: f64, t: f64) -> f64 {
    counts
        .iter()
        .map(|k| {
            let eta = c + b * (k.at - t);
            // log p = -softplus(-eta), log(1 - p) = -softplus(eta).
            -(k.events as f64) * softplus(-eta) - (k.runs - k.events) as f64 * softplus(eta)
        })
        .sum()
}

fn logistic(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

fn softplus(x: f64) -> f64 {
    if x > 30.0 {
        x
    } else {
        x.exp().ln_1p()
    }
}

/// Which side of `level` a share is on, by one-sided exact binomial tests
/// at 2.5% each (together a 95% two-sided decision).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Below,
    Above,
    Unsure,
}

/// The side of `level` that `events` of `runs` puts the share on.
pub fn side(events: u64, runs: u64, level: f64) -> Side {
    if runs == 0 {
        return Side::Unsure;
    }
    if binomial_cdf(events, runs, level) < 0.025 {
        Side::Below
    } else if events > 0 && 1.0 - binomial_cdf(events - 1, runs, level) < 0.025 {
        Side::Above
    } else {
        Side::Unsure
    }
}

/// P(X <= k) for X ~ Binomial(n, p), summed in log space.
fn binomial_cdf(k: u64, n: u64, p: f64) -> f64 {
    if p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return if k >= n { 1.0 } else { 0.0 };
    }
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    let mut log_choose = 0.0;
    let mut total = 0.0;
    for i in 0..=k.min(n) {
        if i > 0 {
            log_choose += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        total += (log_choose + i as f64 * lp + (n - i) as f64 * lq).exp();
    }
    total.min(1.0)
}

/// Whether some probed value's share lies on the wrong side of a later
/// one's, given the fitted `direction`, by more than chance allows: a
/// pooled two-proportion z test on every ordered pair, one-sided at 0.1%
/// Bonferroni-corrected over the pairs (the test is repeated after every
/// probe; at 1% a monotone share was called non-monotone in 1 of 160
/// simulated searches).
pub fn reversal(counts: &[Count], direction: f64) -> Option<(Count, Count)> {
    let mut merged: Vec<Count> = Vec::new();
    let mut sorted = counts.to_vec();
    sorted.sort_by(|a, b| a.at.total_cmp(&b.at));
    for k in sorted {
        match merged.last_mut() {
            Some(last) if last.at == k.at => {
                last.runs += k.runs;
                last.events += k.events;
            }
            _ => merged.push(k),
        }
    }
    merged.retain(|k| k.runs > 0);
    let pairs = merged.len() * merged.len().saturating_sub(1) / 2;
    if pairs == 0 {
        return None;
    }
    let critical = normal::quantile(1.0 - 0.001 / pairs as f64);
    let share = |k: &Count| k.events as f64 / k.runs as f64;
    for (i, a) in merged.iter().enumerate() {
        for b in &merged[i + 1..] {
            let pooled = (a.events + b.events) as f64 / (a.runs + b.runs) as f64;
            let se = (pooled * (1.0 - pooled) * (1.0 / a.runs as f64 + 1.0 / b.runs as f64)).sqrt();
            if se > 0.0 && direction * (share(a) - share(b)) / se > critical {
                return Some((*a, *b));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(at: f64, runs: u64, events: u64) -> Count {
        Count { at, runs, events }
    }

    #[test]
    fn separated_data_give_the_gap_as_interval_and_its_middle_as_estimate() {
        let counts = [count(0.0, 20, 0), count(0.25, 20, 0), count(0.5, 20, 20), count(1.0, 20, 20)];
        let fit = crossing(&counts, 0.5, 1e4);
        assert!((fit.estimate - 0.375).abs() < 0.01, "{fit:?}");
        // 20 runs without the event at 0.25 rule out a crossing at or below
        // it (P = 0.5^20 there); the interval is the gap less ~2/steepest.
        assert!(fit.lower > 0.25 && fit.lower < 0.252, "{fit:?}");
        assert!(fit.upper < 0.5 && fit.upper > 0.498, "{fit:?}");
        assert_eq!(fit.direction, 1.0);
    }

    #[test]
    fn a_logistic_share_is_crossed_where_it_meets_the_level() {
        // Expected counts of p(u) = logistic(10 (u - 0.6)), falling for a
        // decreasing share: the crossing of level 0.5 is 0.6 either way.
        let p = |u: f64| logistic(10.0 * (u - 0.6));
        let rising: Vec<Count> = (0..=10)
            .map(|i| i as f64 / 10.0)
            .map(|u| count(u, 1000, (1000.0 * p(u)).round() as u64))
            .collect();
        let fit = crossing(&rising, 0.5, 1e4);
        assert!((fit.estimate - 0.6).abs() < 0.003, "{fit:?}");
        assert!(fit.lower < 0.6 && fit.upper > 0.6 && fit.upper - fit.lower < 0.03, "{fit:?}");
        let falling: Vec<Count> = rising.iter().map(|k| count(k.at, k.runs, k.runs - k.events)).collect();
        let fit = crossing(&falling, 0.5, 1e4);
        assert!((fit.estimate - 0.6).abs() < 0.003 && fit.direction == -1.0, "{fit:?}");
        // Level 0.25: logit(0.25) = -ln 3, so u = 0.6 - ln(3) / 10.
        let fit = crossing(&rising, 0.25, 1e4);
        assert!((fit.estimate - (0.6 - 3f64.ln() / 10.0)).abs() < 0.003, "{fit:?}");
    }

    #[test]
    fn ends_are_judged_by_exact_binomial_tests() {
        // P(X = 0 | 5, 0.5) = 1/32 > 0.025: five runs cannot decide; six can.
        assert_eq!(side(0, 5, 0.5), Side::Unsure);
        assert_eq!(side(0, 6, 0.5), Side::Below);
        assert_eq!(side(6, 6, 0.5), Side::Above);
        assert_eq!(side(10, 20, 0.5), Side::Unsure);
        assert!((binomial_cdf(2, 4, 0.5) - 11.0 / 16.0).abs() < 1e-12);
    }

    #[test]
    fn a_share_that_rises_then_falls_is_caught() {
        let hump = [count(0.0, 20, 0), count(0.5, 20, 20), count(1.0, 20, 0)];
        assert!(reversal(&hump, 1.0).is_some());
        let monotone = [count(0.0, 20, 1), count(0.5, 20, 9), count(0.6, 20, 8), count(1.0, 20, 19)];
        assert_eq!(reversal(&monotone, 1.0), None);
    }
}
