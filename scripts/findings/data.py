"""Reading the claim sweeps' datasets (Parquet, through DuckDB) and the per-run
quantities the claims are judged by. Shares are ratios of sums over every round
and run they cover, never means of per-round ratios."""

import math
import os

import duckdb

CON = duckdb.connect()


class Dataset:
    """One claim sweep's dataset under `root/<name>/`."""

    def __init__(self, root, name):
        self.name = name
        self.dir = os.path.join(root, name)
        if not os.path.isdir(os.path.join(self.dir, "runs")):
            raise SystemExit(f"findings: no dataset at {self.dir} (run the claim sweeps first)")
        self.runs = f"read_parquet('{self.dir}/runs/*.parquet')"
        self.generations = f"read_parquet('{self.dir}/generations/*.parquet')"

    def rows(self, sql):
        """Rows of a query in which `{runs}` and `{generations}` name the tables."""
        return CON.sql(sql.format(runs=self.runs, generations=self.generations)).fetchall()

    def dicts(self, sql):
        rel = CON.sql(sql.format(runs=self.runs, generations=self.generations))
        names = rel.columns
        return [dict(zip(names, row)) for row in rel.fetchall()]


def weighted_line(points):
    """Weighted least squares (x, y, w) -> (slope, slope_se, rss), None if fewer than
    4 points or no spread in x. The same fit as src/scenario/addition/measures/growth.rs."""
    if len(points) < 4:
        return None
    total = sum(w for _, _, w in points)
    mx = sum(w * x for x, _, w in points) / total
    my = sum(w * y for _, y, w in points) / total
    sxx = sum(w * (x - mx) ** 2 for x, _, w in points)
    if sxx <= 1e-12 * total:
        return None
    slope = sum(w * (x - mx) * (y - my) for x, y, w in points) / sxx
    intercept = my - slope * mx
    rss = sum(w * (y - intercept - slope * x) ** 2 for x, y, w in points)
    return slope, math.sqrt(rss / (len(points) - 2) / sxx), rss


def growth_fits(rounds, start_digits, collapse_accuracy, eval_problems):
    """Both growth fits of one run from its rounds [(generation, frontier_digits,
    accuracy_frontier)] in order, following docs/MODEL.md, "The growth law": the
    growth phase runs from the first round with an error to the first round below
    collapse_accuracy; its rounds with 0 < accuracy < 1 are the points. Returns
    (exponential, power, points) with each fit (slope, se, rss) or None."""
    accuracies = [a for _, _, a in rounds]
    first = next((i for i, a in enumerate(accuracies) if a < 1.0), None)
    if first is None:
        return None, None, 0
    last = next((i for i, a in enumerate(accuracies) if a < collapse_accuracy), len(rounds))
    phase = range(first, max(min(last + 1, len(rounds)), first))
    usable = [i for i in phase if 0.0 < accuracies[i] < 1.0]

    def weight(a):
        lam = -math.log(a)
        return eval_problems * a * lam * lam / (1.0 - a)

    def fit(x):
        return weighted_line([(x(i), math.log(-math.log(accuracies[i])), weight(accuracies[i])) for i in usable])

    exponential = fit(lambda i: float(i))
    power = fit(lambda i: math.log(max(rounds[i][1] - start_digits, 1)))
    return exponential, power, len(usable)
