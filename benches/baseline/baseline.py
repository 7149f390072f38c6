"""Runs a gaussian or linreg sweep file with the NumPy baseline and writes
the same runs/ and generations/ Parquet tables as `avalanche run`.

    python baseline.py SWEEP.toml --out DIR --form run|batch [--replicates N]

--form run:   one run at a time, each with its own generator (NumPy within
              a generation); the form most research code has.
--form batch: all replicates of a grid point as one array (the strongest
              NumPy form); its runs share the point's generator, so the
              seed column holds the point's seed.
--replicates: override the sweep's replicates (same grid, fewer runs) so the
              slow form's measurement stays short; runs per second compare.

Prints one line: runs, seconds, runs per second.
"""

import argparse
import time

import numpy as np
import pyarrow as pa

import gaussian
import linreg
import sweep as sw

SCENARIOS = {m.NAME: m for m in (gaussian, linreg)}

# Columns where NaN is a value (simulated) rather than null.
PLAIN_FLOAT = set(gaussian.SIMULATED) | {"final_" + c for c in gaussian.SIMULATED} | {
    "test_error", "final_test_error"}


def to_arrow(columns):
    out = {}
    for name, values in columns.items():
        if isinstance(values, tuple):
            out[name] = sw.nullable_int(*values)
        elif np.asarray(values).dtype.kind == "i":
            out[name] = pa.array(values, pa.int64())
        elif name in PLAIN_FLOAT:
            out[name] = sw.float_column(values)
        else:
            out[name] = sw.nullable_float(values)
    return out


def run_point(model, p, form, master, index, replicates):
    """Simulates one grid point; returns (generation columns, summary
    columns, run ids, seeds, per-run milliseconds)."""
    run_id, seeds = sw.run_ids(master, index, replicates)
    theory_rows = model.theory(p)
    started = time.perf_counter()
    if form == "batch":
        rng = np.random.default_rng(np.random.SeedSequence(master, spawn_key=(index,)))
        result = model.simulate_batch(p, rng, replicates)
        elapsed = np.full(replicates, (time.perf_counter() - started) * 1e3 / replicates)
        seeds = np.full(replicates, seeds[0], np.uint64)
    else:
        results, elapsed = [], np.empty(replicates)
        for r in range(replicates):
            t0 = time.perf_counter()
            results.append(model.simulate_run(p, np.random.default_rng(int(seeds[r]))))
            elapsed[r] = (time.perf_counter() - t0) * 1e3
        # Stack the runs' (G+1, ...) outputs along a new run axis 1.
        result = tuple(np.stack(parts, axis=1) if np.ndim(parts[0]) else np.array(parts)
                       for parts in zip(*results))
        if model is linreg:
            result = (result[0], result[1][:, 0])
    gen, summary = model.tables(p, theory_rows, *result)
    return gen, summary, run_id, seeds, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep")
    parser.add_argument("--out", default="results-baseline")
    parser.add_argument("--form", choices=["run", "batch"], default="batch")
    parser.add_argument("--replicates", type=int)
    args = parser.parse_args()

    started = time.perf_counter()
    spec = sw.load(args.sweep)
    model = SCENARIOS[spec["scenario"]]
    replicates = args.replicates or spec["replicates"]
    identity = [n for n, _ in sw.IDENTITY] + [n for n, _, _ in model.PARAMS]
    dataset = sw.Dataset(args.out, spec["name"] + "-" + args.form, spec["_text"], identity)
    total = 0
    for index, p in enumerate(sw.points(spec, model.PARAMS)):
        gen, summary, run_id, seeds, elapsed = run_point(model, p, args.form, spec["seed"], index, replicates)
        replicate = np.arange(replicates)
        rows = sw.identity_columns(model.NAME, model.PARAMS, p, run_id, replicate, seeds, 1)
        rows["status"] = pa.array(["ok"] * replicates, pa.string())
        rows["error"] = pa.nulls(replicates, pa.string())
        rows["elapsed_ms"] = pa.array(elapsed, pa.float64())
        rows.update(to_arrow(summary))
        dataset.add("runs", rows)
        g = p["generations"] + 1
        rows = sw.identity_columns(model.NAME, model.PARAMS, p, run_id, replicate, seeds, g)
        rows["generation"] = pa.array(np.tile(np.arange(g), replicates), pa.int64())
        rows.update(to_arrow(gen))
        dataset.add("generations", rows)
        total += replicates
    dataset.write()
    seconds = time.perf_counter() - started
    print(f"{total} runs {seconds:.3f} s {total / seconds:.1f} runs/s")


if __name__ == "__main__":
    main()
