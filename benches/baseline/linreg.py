"""The `linreg` scenario (OLS refitted on its own noisy predictions;
Dohmatob et al. 2024, Gerstgrasser et al. 2024) in NumPy, in two forms:

* `simulate_run`: one run at a time, NumPy (BLAS matmul, LAPACK solve)
  within a generation;
* `simulate_batch`: all replicates of a grid point at once, with batched
  matmul and batched solve over a (replicates x samples x dim) array.

Same model, parameters and output columns as src/scenario/linreg
(docs/COLLAPSE.md): w* ~ N(0, I_d) per run; generation n >= 1 labels a
design (fresh each generation or the first one reused) with generation
n-1's weights plus N(0, noise_rate) noise (the first `real` rows with w*
under `mix`), and refits OLS on the batch or, under `accumulate`, the pool.
"""

import math

import numpy as np

NAME = "linreg"

PARAMS = [
    ("samples", int, 100),
    ("dim", int, 10),
    ("generations", int, 10),
    ("data", str, "replace"),
    ("real_fraction", float, 0.1),
    ("noise_rate", float, 1.0),
    ("design", str, "fresh"),
    ("verifier", str, "none"),
]

GENERATION_COLUMNS = ["test_error", "test_error_theory", "train_size"]
SUMMARY_COLUMNS = ["final_test_error", "final_test_error_theory", "first_test_error", "error_growth"]


def real_points(p):
    if p["data"] != "mix":
        return 0
    return min(int(math.floor(p["real_fraction"] * p["samples"] + 0.5)), p["samples"])


def theory(p):
    """Expected test error per generation (NaN = no closed form)."""
    d, t, s2 = p["dim"], p["samples"], p["noise_rate"]
    one_fit = s2 * d / (t - d - 1)
    real = real_points(p)
    out = np.zeros(p["generations"] + 1)
    error = 0.0
    for k in range(1, p["generations"] + 1):
        if k == 1 or p["data"] == "replace" or (p["data"] == "mix" and real == 0):
            step = one_fit
        elif p["data"] == "mix":
            out[k] = one_fit if real == t else np.nan
            continue
        elif p["design"] == "fixed":
            step = one_fit / (k * k)
        else:
            step = s2 * d / (k * (k * t - d - 1))
        error += step
        out[k] = error
    return out


def simulate_run(p, rng):
    """One run: test errors (G+1,) and train sizes (G+1,)."""
    g, t, d = p["generations"], p["samples"], p["dim"]
    sigma = math.sqrt(p["noise_rate"])
    real = real_points(p)
    accumulate = p["data"] == "accumulate"
    truth = rng.standard_normal(d)
    w = truth
    gram = np.zeros((d, d))
    rhs = np.zeros(d)
    errors = np.zeros(g + 1)
    sizes = np.zeros(g + 1, np.int64)
    x = None
    for n in range(1, g + 1):
        if x is None or p["design"] == "fresh":
            x = rng.standard_normal((t, d))
            batch_gram = x.T @ x
        noise = rng.standard_normal(t)
        y = x @ w + sigma * noise
        if real:
            y[:real] = x[:real] @ truth + sigma * noise[:real]
        if not accumulate:
            gram[:] = 0.0
            rhs[:] = 0.0
        gram += batch_gram
        rhs += x.T @ y
        sizes[n] = sizes[n - 1] + t if accumulate else t
        w = np.linalg.solve(gram, rhs)
        errors[n] = ((w - truth) ** 2).sum()
    return errors, sizes


def simulate_batch(p, rng, replicates):
    """All replicates: test errors (G+1, R) and train sizes (G+1,)."""
    g, t, d, r_n = p["generations"], p["samples"], p["dim"], replicates
    sigma = math.sqrt(p["noise_rate"])
    real = real_points(p)
    accumulate = p["data"] == "accumulate"
    truth = rng.standard_normal((r_n, d))
    w = truth
    gram = np.zeros((r_n, d, d))
    rhs = np.zeros((r_n, d))
    errors = np.zeros((g + 1, r_n))
    sizes = np.zeros(g + 1, np.int64)
    x = None
    for n in range(1, g + 1):
        if x is None or p["design"] == "fresh":
            x = rng.standard_normal((r_n, t, d))
            xt = x.transpose(0, 2, 1)
            batch_gram = xt @ x
        noise = rng.standard_normal((r_n, t))
        y = np.einsum("rtd,rd->rt", x, w) + sigma * noise
        if real:
            y[:, :real] = np.einsum("rtd,rd->rt", x[:, :real], truth) + sigma * noise[:, :real]
        if not accumulate:
            gram[:] = 0.0
            rhs[:] = 0.0
        gram += batch_gram
        rhs += (xt @ y[:, :, None])[:, :, 0]
        sizes[n] = sizes[n - 1] + t if accumulate else t
        w = np.linalg.solve(gram, rhs[:, :, None])[:, :, 0]
        errors[n] = ((w - truth) ** 2).sum(axis=1)
    return errors, sizes


def tables(p, theory_rows, errors, sizes):
    """Generation and summary columns for R runs from errors (G+1, R)."""
    g = p["generations"]
    runs = errors.shape[1]
    gen = {
        "test_error": errors.T.ravel(),
        "test_error_theory": np.tile(theory_rows, runs),
        "train_size": (np.tile(sizes, runs), np.tile(np.arange(g + 1) == 0, runs)),
    }
    first = errors[1] if g >= 1 else np.full(runs, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = np.where(first > 0, errors[-1] / first, np.nan)
    summary = {
        "final_test_error": errors[-1],
        "final_test_error_theory": np.full(runs, theory_rows[-1]),
        "first_test_error": first,
        "error_growth": growth,
    }
    return gen, summary
