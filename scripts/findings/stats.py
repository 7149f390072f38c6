"""Interval estimates for the findings page, written out so that a reviewer can
check them without a statistics package: exact binomial (Clopper-Pearson)
intervals for shares, exact order-statistic intervals for medians (the same rule
as the report's `src/report/stats.rs`), and percentile bootstrap intervals with a
fixed seed for statistics with no exact interval (a pooled likelihood ratio, a
difference of means over paired seeds)."""

import math

import numpy as np

BOOTSTRAP = 20000
SEED = 20231
Z95 = 1.959964


def binomial_cdf(k, n, p):
    """P(X <= k) for X ~ Binomial(n, p)."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


def _solve(f, target):
    """The p in [0, 1] where the decreasing f(p) crosses target (bisection)."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if f(mid) > target:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def share_interval(k, n):
    """Clopper-Pearson 95% interval of a share k / n."""
    if n == 0:
        return (float("nan"), float("nan"))
    # P(X >= k | p) = 1 - cdf(k - 1) rises with p: the lower end is where it is 0.025.
    lower = 0.0 if k == 0 else _solve(lambda p: binomial_cdf(k - 1, n, p), 0.975)
    upper = 1.0 if k == n else _solve(lambda p: binomial_cdf(k, n, p), 0.025)
    return (lower, upper)


def median_interval(values):
    """The median and its exact 95% order-statistic interval (distribution-free):
    the widest-inside pair of order statistics (j, n+1-j) covering >= 95%."""
    xs = sorted(values)
    n = len(xs)
    if n == 0:
        return (float("nan"), float("nan"), float("nan"))
    median = float(np.median(xs))
    j = 0
    # Largest j with P(j <= X < n - j) >= 0.95 for X ~ Binomial(n, 1/2), 0-based ranks.
    while j + 1 < (n + 1) // 2 and 1 - 2 * binomial_cdf(j + 1, n, 0.5) >= 0.95:
        j += 1
    return (median, xs[j], xs[n - 1 - j])


def bootstrap_mean(values, seed=SEED):
    """Mean and 95% percentile bootstrap interval."""
    xs = np.asarray(values, dtype=float)
    if len(xs) == 0:
        return (float("nan"), float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = xs[rng.integers(0, len(xs), size=(BOOTSTRAP, len(xs)))].mean(axis=1)
    return (float(xs.mean()), float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975)))


def paired_difference(base, other, value, key=lambda r: r["seed"]):
    """Mean over pairs of value(other) - value(base), partners matched by key (the
    seed they share), with its bootstrap interval; and the number of pairs."""
    partner = {key(r): value(r) for r in base}
    diffs = [value(r) - partner[key(r)] for r in other if key(r) in partner]
    return bootstrap_mean(diffs), len(diffs)


if __name__ == "__main__":
    # Textbook values, not this module's output: Clopper-Pearson for 0/20 is
    # [0, 1 - 0.025^(1/20)] = [0, 0.1684]; for 5/10, [0.1871, 0.8129] (Clopper and
    # Pearson's tables). The median's exact interval for n = 20 is ranks 6 and 15
    # (coverage 1 - 2 P(Bin(20, 1/2) <= 5) = 0.9586); for n = 8 the whole range.
    assert abs(share_interval(0, 20)[1] - (1 - 0.025 ** (1 / 20))) < 1e-9
    lo, hi = share_interval(5, 10)
    assert abs(lo - 0.1871) < 1e-4 and abs(hi - 0.8129) < 1e-4, (lo, hi)
    assert median_interval(list(range(1, 21))) == (10.5, 6, 15)
    assert median_interval(list(range(1, 9))) == (4.5, 1, 8)
    print("stats: 4 checks passed")
