"""Statistical check of the Rust network learner against the NumPy reference.

Why it exists: a NumPy reference is only a check of the Rust learner if it
is shown to give the same statistics. The two use different random generators, so no run
matches value for value; what must match is the distribution over seeds.
This script takes a Rust dataset, runs the reference (network_reference.py)
on the same parameters for K seeds per cell, and compares a few statistics
with 95% intervals:

* supervised_steps (if the Rust runs table has it), supervised_accuracy;
* in round 1 (generation 0): accuracy_frontier (the first unseen length),
  acceptance_rate, first_visit_errors (contexts with a wrong argmax at the
  new position: the emergent blind spots) and entropy_frontier_before;
* final_digits (the last round's frontier) and mean_contamination (over
  the rounds that accepted), from the runs table;
* the rounds until collapse, counting a run that did not collapse as its
  last round (a lower bound, so a mean of mixed runs is only comparable
  between the two tools, not a runway);
* the share of runs per end_reason (collapsed, stalled, round_limit).

For means, the difference NumPy - Rust with a Welch interval and z; for
shares, a two-proportion z (pooled). A statistic is flagged when |z| > 3
(about 0.3% of comparisons for identical distributions; with ~5 statistics
per cell a few dozen cells may still show one false flag, so read flags
against how many comparisons there are). Runs are independent across
tools, so there is no pairing between the two sides.

    python network_compare.py results/network                  # K = 8 reference seeds per cell
    python network_compare.py results/network --seeds 16 --save ref.csv
    python network_compare.py results/network --reference ref.csv   # reuse saved reference runs
    python network_compare.py --write-dataset DIR --seeds 8 --first-seed 1001 [--verifier ...]
        # writes reference runs in the Rust layout (DIR/runs, DIR/generations):
        # comparing such a dataset with fresh reference seeds is the A/A check
        # of this script's own false-alarm rate.

The Rust dataset is read as README "Output" describes it: DIR/runs/*.parquet
(one row per run: parameters, status, supervised_accuracy, end_reason,
runway, ...) and DIR/generations/*.parquet (one row per run per round, with
the 0-based `generation`). Only runs with status "ok" and, where the column
exists, learner = "network" are used. Cells are the distinct combinations of
the reference's parameters among those runs.
"""

import argparse
import csv
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import network_reference as reference  # noqa: E402  (sets the BLAS threads to 1 before NumPy loads)
import numpy as np  # noqa: E402

#: Generations-table columns compared in round 1 (as NAME_1).
FIRST_ROUND = ["accuracy_frontier", "acceptance_rate", "first_visit_errors", "entropy_frontier_before"]
MEANS = ["supervised_steps", "supervised_accuracy", *(c + "_1" for c in FIRST_ROUND), "final_digits",
         "mean_contamination", "runway_or_limit"]
#: What a run's record takes from its summary (the runs table's columns).
SUMMARY = ["supervised_steps", "supervised_accuracy", "final_digits", "mean_contamination", "end_reason", "runway",
           "end_round"]
END_REASONS = ["collapsed", "stalled", "round_limit"]
FLAG_Z = 3.0
#: One reference run's record: the cell's parameters and what is compared.
RECORD = ["seed", *reference.DEFAULTS, *SUMMARY, *(c + "_1" for c in FIRST_ROUND)]


# ---- the Rust side ----

def read_rust(path):
    """Per-run records of a Rust dataset: parameters, the runs table's summary, round 1 values."""
    import pyarrow.dataset as ds

    runs = ds.dataset(os.path.join(path, "runs"), format="parquet").to_table().to_pylist()
    generations = ds.dataset(os.path.join(path, "generations"), format="parquet")
    columns = ["run_id", "generation", *FIRST_ROUND]
    # A sweep with generations = 0 writes no generations rows (and no schema).
    generations = generations.to_table(columns=columns).to_pylist() if "run_id" in generations.schema.names else []
    first = {g["run_id"]: g for g in generations if g["generation"] == 0}
    records = []
    for run in runs:
        if run.get("status") != "ok" or run.get("learner", "network") != "network":
            continue
        round1 = first.get(run["run_id"], {})
        record = {k: run.get(k) for k in RECORD if k in run}
        record.update({c + "_1": round1.get(c) for c in FIRST_ROUND})
        records.append(record)
    return records


# ---- the reference side ----

def run_reference(params, seeds):
    """Reference records for `seeds` at the parameters `params`."""
    records = []
    for seed in seeds:
        rows, summary = reference.run(params, seed)
        record = dict(params, seed=seed, **{k: summary[k] for k in SUMMARY})
        record.update({c + "_1": rows[0][c] if rows else None for c in FIRST_ROUND})
        records.append(record)
        print(f"  reference seed {seed}: {reference.describe(seed, summary)}", file=sys.stderr)
    return records


def cell_params(record):
    """The reference's parameters for a Rust run: its values where the runs table has them, else the defaults."""
    params = dict(reference.DEFAULTS)
    for name, kind, _, _ in reference.PARAMS:
        if record.get(name) is not None:
            params[name] = kind(record[name])
    return params


def cell_key(params):
    return tuple(sorted(params.items()))


def load_csv(path):
    kinds = {name: kind for name, kind, _, _ in reference.PARAMS}
    kinds.update({c + "_1": float for c in FIRST_ROUND})
    kinds.update(seed=int, supervised_steps=int, supervised_accuracy=float, final_digits=int,
                 mean_contamination=float, end_reason=str, runway=int, end_round=int)
    with open(path) as handle:
        return [{k: (kinds[k](v) if v != "" else None) for k, v in row.items()} for row in csv.DictReader(handle)]


def save_csv(path, records):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=RECORD)
        writer.writeheader()
        writer.writerows({k: ("" if r.get(k) is None else r[k]) for k in RECORD} for r in records)


# ---- statistics ----

def mean_interval(values):
    """Mean, its standard error and the count of the non-missing values."""
    x = np.array([v for v in values if v is not None], dtype=float)
    if len(x) == 0:
        return None
    se = x.std(ddof=1) / math.sqrt(len(x)) if len(x) > 1 else float("nan")
    return x.mean(), se, len(x)


def runway_or_limit(record):
    """Rounds run until collapse; a run that did not collapse counts as its last round (a lower bound)."""
    return record.get("runway") if record.get("runway") is not None else record.get("end_round")


def compare_means(name, rust, numpy_):
    r, n = mean_interval(rust), mean_interval(numpy_)
    if r is None or n is None:
        side = "Rust" if r is None else "NumPy"
        return [name, "-", "-", "-", "-", f"not in the {side} data"]
    difference, se = n[0] - r[0], math.hypot(r[1], n[1])
    return [name, fmt(r), fmt(n), f"{difference:+.4g} ± {1.96 * se:.2g}", *verdict(difference, se)]


def verdict(difference, se):
    """z and the verdict; two constant, equal samples are "equal" (not a comparison)."""
    if not se > 0:
        return ("-", "equal") if difference == 0 else ("inf", "FLAG")
    z = difference / se
    return f"{z:+.2f}", "FLAG" if abs(z) > FLAG_Z else "ok"


def compare_share(reason, rust, numpy_):
    k1, n1 = sum(x == reason for x in rust), len(rust)
    k2, n2 = sum(x == reason for x in numpy_), len(numpy_)
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    difference = k2 / n2 - k1 / n1
    return [f"share {reason}", f"{k1}/{n1}", f"{k2}/{n2}", f"{difference:+.3f}", *verdict(difference, se)]


def fmt(stat):
    mean, se, n = stat
    return f"{mean:.4g} ± {1.96 * se:.2g} (n={n})" if n > 1 else f"{mean:.4g} (n=1)"


def compare_cell(rust, numpy_):
    """Rows of the comparison table for one cell."""
    rows = []
    for name in MEANS:
        get = runway_or_limit if name == "runway_or_limit" else (lambda r, k=name: r.get(k))
        rows.append(compare_means(name, [get(r) for r in rust], [get(r) for r in numpy_]))
    for reason in END_REASONS:
        rows.append(compare_share(reason, [r["end_reason"] for r in rust], [r["end_reason"] for r in numpy_]))
    return rows


def describe_cell(params):
    changed = {k: v for k, v in params.items() if v != reference.DEFAULTS[k] or k in ("verifier", "encoding")}
    return ", ".join(f"{k}={v}" for k, v in changed.items())


# ---- writing reference runs as a dataset (for the A/A check) ----

def write_dataset(path, params, seeds):
    """Reference runs in the Rust layout: path/runs/part-0.parquet and path/generations/part-0.parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    runs, generations = [], []
    for seed in seeds:
        rows, summary = reference.run(params, seed)
        run_id = seed
        runs.append(dict(params, run_id=run_id, seed=seed, learner="network", status="ok",
                         **{k: summary[k] for k in SUMMARY}))
        generations += [dict(run_id=run_id, generation=r["generation"], **{c: r[c] for c in FIRST_ROUND})
                        for r in rows]
    for table, rows in (("runs", runs), ("generations", generations)):
        os.makedirs(os.path.join(path, table), exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows), os.path.join(path, table, "part-0.parquet"))


# ---- command line ----

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="?", help="a Rust dataset folder (holding runs/ and generations/)")
    parser.add_argument("--seeds", type=int, default=8, help="reference runs per cell")
    parser.add_argument("--first-seed", type=int, default=1, help="the reference's first seed")
    parser.add_argument("--reference", help="reuse reference runs saved with --save (runs missing there are run)")
    parser.add_argument("--save", help="save the reference runs to this CSV")
    parser.add_argument("--write-dataset", help="write reference runs as a dataset here (with --verifier etc.)")
    for name, kind, default, _ in reference.PARAMS:
        parser.add_argument("--" + name, type=kind, default=default, help="with --write-dataset")
    args = parser.parse_args(argv)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    if args.write_dataset:
        write_dataset(args.write_dataset, {k: getattr(args, k) for k in reference.DEFAULTS}, seeds)
        return 0
    if not args.dataset:
        parser.error("a dataset folder is needed (or --write-dataset)")
    rust = read_rust(args.dataset)
    if not rust:
        sys.exit(f"{args.dataset}: no successful network runs")
    saved = load_csv(args.reference) if args.reference else []
    cells, flags, compared, all_reference = {}, 0, 0, []
    for record in rust:
        cells.setdefault(cell_key(cell_params(record)), []).append(record)
    print(f"{len(rust)} Rust runs in {len(cells)} cells; {args.seeds} reference seeds per cell\n")
    for key, rust_runs in sorted(cells.items()):
        params = dict(key)
        ours = [r for r in saved if cell_key(cell_params(r)) == key and r["seed"] in seeds]
        missing = [s for s in seeds if s not in {r["seed"] for r in ours}]
        ours += run_reference(params, missing)
        all_reference += ours
        rows = compare_cell(rust_runs, ours)
        flags += sum(r[-1] == "FLAG" for r in rows)
        compared += sum(r[-1] in ("ok", "FLAG") for r in rows)
        print(f"### {describe_cell(params)}\n")
        print("| statistic | Rust | NumPy | NumPy - Rust (95%) | z | |")
        print("|---|---|---|---|---:|---|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        print()
    if args.save:
        save_csv(args.save, all_reference)
    print(f"{flags} of {compared} comparisons flagged (|z| > {FLAG_Z}); "
          f"about {compared * 0.0027:.1f} expected by chance if the distributions are equal")
    return 1 if flags else 0


if __name__ == "__main__":
    sys.exit(main())
