"""The `gaussian` scenario (recursive Gaussian fit, Shumailov et al. 2024)
in NumPy, the way a researcher would write it, in two forms:

* `simulate_run`: one run at a time, NumPy within a generation;
* `simulate_batch`: all replicates of a grid point at once, one
  (replicates x samples) array per generation.

Same model, parameters and output columns as src/scenario/gaussian
(docs/COLLAPSE.md): generation 0 is the truth, generation n >= 1 draws
`samples` points from generation n-1 (the first `real` from the truth under
`mix`), replaces each by an outlier with probability `noise_rate`, filters
with the verifier, and fits mean and variance to the batch (or the pool).
"""

import math

import numpy as np

NAME = "gaussian"

PARAMS = [
    ("samples", int, 100),
    ("generations", int, 10),
    ("data", str, "replace"),
    ("real_fraction", float, 0.1),
    ("noise_rate", float, 0.0),
    ("outlier_scale", float, 10.0),
    ("verifier", str, "none"),
    ("z_max", float, 3.0),
    ("estimator", str, "unbiased"),
    ("mean", float, 0.0),
    ("std", float, 1.0),
]

SIMULATED = ["fitted_mean", "fitted_variance", "mean_sq_error", "variance_ratio", "log_variance_ratio",
             "wasserstein2_sq"]
COUNTS = ["kept", "outliers", "outliers_kept", "train_size"]
THEORY = ["mean_sq_error_theory", "variance_ratio_theory", "log_variance_ratio_theory",
          "wasserstein2_sq_theory"]
GENERATION_COLUMNS = SIMULATED + COUNTS + THEORY
SUMMARY_COLUMNS = ["final_" + c for c in SIMULATED + THEORY] + [
    "kept_fraction", "outliers_kept_fraction", "skipped_fits"]


def real_points(p):
    if p["data"] != "mix":
        return 0
    # Rust's f64::round rounds halves away from zero; Python's round() does not.
    return min(int(math.floor(p["real_fraction"] * p["samples"] + 0.5)), p["samples"])


# ---- theory (closed forms and recursions of docs/COLLAPSE.md) ----

def digamma(x):
    shift = 0.0
    while x < 10.0:
        shift -= 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * 691 / 32760)))))
    return shift + math.log(x) - 0.5 / x - series


def replace_closed_form(mle, m, n):
    k = m - 1.0
    c = m if mle else k
    variance_ratio = (k / c) ** n
    mse = 1.0 - variance_ratio if mle else n / m
    log_q = digamma(k / 2) + math.log(2 / c)
    log_sqrt_q = 0.5 * math.log(2 / c) + math.lgamma(k / 2 + 0.5) - math.lgamma(k / 2)
    mean_sigma = math.exp(n * log_sqrt_q)
    return mse, variance_ratio, n * log_q, mse + variance_ratio - 2 * mean_sigma + 1


def theory(p):
    """(generations + 1) x 4 expectations in the scenario's units; NaN = null."""
    g = p["generations"]
    out = np.full((g + 1, 4), np.nan)
    out[0] = [0.0, 1.0, 0.0, 0.0]
    if p["verifier"] != "none":
        out[1:] = np.nan
        return out * [p["std"] ** 2, 1, 1, p["std"] ** 2]
    mle = p["estimator"] == "mle"
    m = float(p["samples"])
    rate, scale = p["noise_rate"], p["outlier_scale"]
    r = float(real_points(p))
    s = m - r
    mse, var, within, batch_mean_sq = 0.0, 1.0, 0.0, 0.0
    for n in range(1, g + 1):
        outlier_var = rate * scale * scale
        real_var = outlier_var + (1 - rate)
        synthetic_var = outlier_var + (1 - rate) * var + rate * (1 - rate) * mse
        kept_offset_sq = (1 - rate) ** 2 * mse
        if p["data"] == "accumulate":
            mse = ((n - rate) / n) ** 2 * mse + synthetic_var / (m * n * n)
            within += (m - 1) * synthetic_var
            batch_mean_sq += kept_offset_sq + synthetic_var / m
            var = (within + m * (batch_mean_sq - n * mse)) / (n * m if mle else n * m - 1)
        else:
            new_mse = (r * real_var + s * synthetic_var + s * s * kept_offset_sq) / (m * m)
            w = max(r - 1, 0) * real_var + max(s - 1, 0) * synthetic_var
            between = r * s / m * (real_var / r + synthetic_var / s + kept_offset_sq) if r and s else 0.0
            mse, var = new_mse, (w + between) / (m if mle else m - 1)
        fits = None
        if rate == 0:
            if p["data"] == "replace" or (p["data"] == "mix" and r == 0):
                fits = n
            elif (p["data"] == "mix" and r == m) or (p["data"] == "accumulate" and n == 1):
                fits = 1
        closed = replace_closed_form(mle, m, fits) if fits else (np.nan,) * 4
        out[n] = [mse, var, closed[2], closed[3]]
    return out * [p["std"] ** 2, 1, 1, p["std"] ** 2]


# ---- simulation ----

def _distances(p, mean, variance):
    mu, sd = p["mean"], p["std"]
    mse = (mean - mu) ** 2
    ratio = variance / (sd * sd)
    with np.errstate(divide="ignore"):
        log_ratio = np.log(ratio)
    return mse, ratio, log_ratio, mse + (np.sqrt(variance) - sd) ** 2


def simulate_run(p, rng):
    """One run. Returns (per-generation columns, summary columns) as dicts
    of arrays of length generations + 1 and scalars."""
    g, m = p["generations"], p["samples"]
    mu_true, sd_true = p["mean"], p["std"]
    real = real_points(p)
    rate, outlier_sd = p["noise_rate"], p["outlier_scale"] * sd_true
    mle, accumulate = p["estimator"] == "mle", p["data"] == "accumulate"
    mean, sd = mu_true, sd_true
    pool_n, pool_mean, pool_ss = 0, 0.0, 0.0
    fitted = np.empty((g + 1, 2))
    fitted[0] = mean, sd * sd
    counts = np.zeros((g + 1, 4), np.int64)
    skipped = 0
    loc = np.empty(m)
    scale = np.empty(m)
    loc[:real], scale[:real] = mu_true, sd_true
    for n in range(1, g + 1):
        loc[real:], scale[real:] = mean, sd
        z = rng.standard_normal(m)
        x = loc + scale * z
        outlier = None
        if rate > 0:
            outlier = rng.random(m) < rate
            x = np.where(outlier, mu_true + outlier_sd * z, x)
        if p["verifier"] == "self":
            keep = np.abs(x - mean) <= p["z_max"] * sd
        elif p["verifier"] == "oracle":
            keep = np.abs(x - mu_true) <= p["z_max"] * sd_true
        else:
            keep = None
        kept = x if keep is None else x[keep]
        k = kept.size
        b_mean = kept.mean() if k else 0.0
        b_ss = float(((kept - b_mean) ** 2).sum()) if k else 0.0
        if accumulate:
            if k:
                total = pool_n + k
                delta = b_mean - pool_mean
                pool_ss += b_ss + delta * delta * pool_n * k / total
                pool_mean += delta * k / total
                pool_n = total
            count, t_mean, t_ss = pool_n, pool_mean, pool_ss
        else:
            count, t_mean, t_ss = k, b_mean, b_ss
        if count >= 2:
            mean, sd = t_mean, math.sqrt(t_ss / (count if mle else count - 1))
        else:
            skipped += 1
        fitted[n] = mean, sd * sd
        n_out = int(outlier.sum()) if outlier is not None else 0
        n_out_kept = n_out if keep is None else (int((outlier & keep).sum()) if outlier is not None else 0)
        counts[n] = k, n_out, n_out_kept, count
    return fitted, counts, skipped


def simulate_batch(p, rng, replicates):
    """All replicates of one point: the same model on (replicates x samples)
    arrays. Returns fitted (G+1, R, 2), counts (G+1, R, 4), skipped (R,)."""
    g, m, r_n = p["generations"], p["samples"], replicates
    mu_true, sd_true = p["mean"], p["std"]
    real = real_points(p)
    rate, outlier_sd = p["noise_rate"], p["outlier_scale"] * sd_true
    mle, accumulate = p["estimator"] == "mle", p["data"] == "accumulate"
    mean = np.full(r_n, mu_true)
    sd = np.full(r_n, sd_true)
    pool_n = np.zeros(r_n)
    pool_mean = np.zeros(r_n)
    pool_ss = np.zeros(r_n)
    fitted = np.empty((g + 1, r_n, 2))
    fitted[0, :, 0], fitted[0, :, 1] = mean, sd * sd
    counts = np.zeros((g + 1, r_n, 4), np.int64)
    skipped = np.zeros(r_n, np.int64)
    x = np.empty((r_n, m))
    for n in range(1, g + 1):
        z = rng.standard_normal((r_n, m))
        np.multiply(z, sd[:, None], out=x)
        x += mean[:, None]
        if real:
            x[:, :real] = mu_true + sd_true * z[:, :real]
        outlier = None
        if rate > 0:
            outlier = rng.random((r_n, m)) < rate
            x = np.where(outlier, mu_true + outlier_sd * z, x)
        if p["verifier"] == "self":
            keep = np.abs(x - mean[:, None]) <= p["z_max"] * sd[:, None]
        elif p["verifier"] == "oracle":
            keep = np.abs(x - mu_true) <= p["z_max"] * sd_true
        else:
            keep = None
        if keep is None:
            k = np.full(r_n, m)
            b_mean = x.mean(axis=1)
            b_ss = ((x - b_mean[:, None]) ** 2).sum(axis=1)
        else:
            k = keep.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                b_mean = np.where(k > 0, (x * keep).sum(axis=1) / k, 0.0)
            b_ss = (((x - b_mean[:, None]) * keep) ** 2).sum(axis=1)
        if accumulate:
            total = pool_n + k
            with np.errstate(invalid="ignore", divide="ignore"):
                delta = b_mean - pool_mean
                pool_ss = np.where(k > 0, pool_ss + b_ss + delta * delta * pool_n * k / total, pool_ss)
                pool_mean = np.where(k > 0, pool_mean + delta * k / total, pool_mean)
            pool_n = total
            count, t_mean, t_ss = pool_n, pool_mean, pool_ss
        else:
            count, t_mean, t_ss = k, b_mean, b_ss
        fits = count >= 2
        with np.errstate(invalid="ignore", divide="ignore"):
            new_sd = np.sqrt(t_ss / (count if mle else count - 1))
        mean = np.where(fits, t_mean, mean)
        sd = np.where(fits, new_sd, sd)
        skipped += ~fits
        fitted[n, :, 0], fitted[n, :, 1] = mean, sd * sd
        n_out = outlier.sum(axis=1) if outlier is not None else 0
        if outlier is None:
            n_out_kept = 0
        elif keep is None:
            n_out_kept = n_out
        else:
            n_out_kept = (outlier & keep).sum(axis=1)
        counts[n, :, 0], counts[n, :, 1], counts[n, :, 2], counts[n, :, 3] = k, n_out, n_out_kept, count
    return fitted, counts, skipped


def tables(p, theory_rows, fitted, counts, skipped):
    """Generation and summary columns for R runs, from (G+1, R, .) arrays.

    Generations come out run-major (all of run 0's rows, then run 1's)."""
    g = p["generations"]
    runs = fitted.shape[1]
    mse, ratio, log_ratio, w2 = _distances(p, fitted[..., 0], fitted[..., 1])
    gen = {}
    for name, values in zip(SIMULATED, [fitted[..., 0], fitted[..., 1], mse, ratio, log_ratio, w2]):
        gen[name] = values.T.ravel()
    null_first = np.tile(np.arange(g + 1) == 0, runs)
    for i, name in enumerate(COUNTS):
        gen[name] = (counts[:, :, i].T.ravel(), null_first)
    for i, name in enumerate(THEORY):
        gen[name] = np.tile(theory_rows[:, i], runs)
    summary = {}
    for name in SIMULATED:
        summary["final_" + name] = gen[name].reshape(runs, g + 1)[:, -1]
    for i, name in enumerate(THEORY):
        summary["final_" + name] = np.full(runs, theory_rows[-1, i])
    drawn = g * p["samples"]
    kept = counts[1:, :, 0].sum(axis=0)
    outliers = counts[1:, :, 1].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        summary["kept_fraction"] = kept / drawn if drawn else np.full(runs, np.nan)
        summary["outliers_kept_fraction"] = np.where(outliers > 0, counts[1:, :, 2].sum(axis=0) / outliers,
                                                     np.nan)
    summary["skipped_fits"] = np.asarray(skipped, np.int64)
    return gen, summary
