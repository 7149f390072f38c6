"""Checks that datasets agree with the closed-form theory, so the speed
comparison is between implementations of the same model.

    python check.py DATASET_DIR [DATASET_DIR ...]

For every grid point and generation with a theory value, compares the
replicate mean of each simulated column with its `*_theory` column, in
standard errors estimated from the replicates. Prints the largest |z| per
dataset and column, and fails (exit 1) when one exceeds 5 (a miss that
large has probability ~6e-7 per comparison for a correct model; with a
few thousand comparisons a correct model passes all but with ~1e-3
probability). `variance_ratio` is skipped: its mean is dominated by rare
large values (docs/COLLAPSE.md) so its standard error is unreliable.
"""

import sys

import numpy as np
import pyarrow.compute as pc
import pyarrow.dataset as ds

PAIRS = {
    "gaussian": ["mean_sq_error", "log_variance_ratio", "wasserstein2_sq"],
    "linreg": ["test_error"],
}
LIMIT = 5.0


def check(path):
    data = ds.dataset(path + "/generations", format="parquet")
    names = data.schema.names
    scenario = data.head(1).column("scenario")[0].as_py()
    keys = names[names.index("scenario") + 1: names.index("generation") + 1]
    table = data.to_table()
    worst = {}
    for column in PAIRS[scenario]:
        theory = column + "_theory"
        rows = table.filter(pc.is_valid(table[theory]))
        rows = rows.filter(pc.greater(rows["generation"], 0))
        stats = rows.group_by(keys).aggregate(
            [(column, "mean"), (column, "stddev"), (column, "count"), (theory, "min"), (theory, "max")]
        )
        mean = stats[column + "_mean"].to_numpy()
        se = stats[column + "_stddev"].to_numpy() / np.sqrt(stats[column + "_count"].to_numpy())
        expected = stats[theory + "_min"].to_numpy()
        assert np.array_equal(expected, stats[theory + "_max"].to_numpy()), "theory varies within a point"
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.abs(mean - expected) / se
        z = z[np.isfinite(z)]
        worst[column] = (float(z.max()) if z.size else float("nan"), z.size)
    return scenario, worst


def main():
    failed = False
    for path in sys.argv[1:]:
        scenario, worst = check(path)
        for column, (z, n) in worst.items():
            ok = n > 0 and z <= LIMIT
            failed |= not ok
            print(f"{'ok  ' if ok else 'FAIL'} {path}: {column} vs theory, max |z| = {z:.2f} over {n} points")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
