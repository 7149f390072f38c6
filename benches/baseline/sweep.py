"""Sweep files and Parquet output for the NumPy baseline.

Reads the same TOML sweep files as `avalanche run` (grid axes, linspace /
logspace / range axes, [params], [[zip]], top-level `generations`) and writes
the same two tables (runs/, generations/) with the same column names and
Arrow types, so the two tools are compared on identical work and output.
"""

import itertools
import os
import tomllib

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

# The identity columns both tables start with, as avalanche writes them.
IDENTITY = [("run_id", pa.uint64()), ("replicate", pa.int64()), ("seed", pa.uint64()), ("scenario", pa.string())]

ARROW_TYPE = {int: pa.int64(), float: pa.float64(), str: pa.string(), bool: pa.bool_()}


def _axis(values):
    """One grid axis: a list, or a {linspace|logspace|range} table."""
    if isinstance(values, list):
        return values
    if "linspace" in values:
        a, b = values["linspace"]
        return list(np.linspace(a, b, values["num"]))
    if "logspace" in values:
        a, b = values["logspace"]
        return list(np.geomspace(a, b, values["num"]))
    if "range" in values:
        return list(range(*values["range"]))
    raise ValueError(f"unknown axis {values!r}")


def load(path):
    """The sweep file as a dict, with the raw text kept for the metadata."""
    with open(path, "rb") as f:
        text = f.read()
    sweep = tomllib.loads(text.decode())
    sweep["_text"] = text.decode()
    return sweep


def points(sweep, params):
    """Every grid point as a full parameter dict (defaults filled in).

    `params` is the scenario's [(name, python type, default)] list.
    """
    fixed = dict(sweep.get("params", {}))
    if "generations" in sweep:
        fixed["generations"] = sweep["generations"]
    axes = [[{k: v} for v in _axis(vals)] for k, vals in sweep.get("grid", {}).items()]
    for zipped in sweep.get("zip", []):
        keys = list(zipped)
        axes.append([dict(zip(keys, row)) for row in zip(*(zipped[k] for k in keys))])
    result = []
    for combo in itertools.product(*axes):
        point = {name: kind(default) for name, kind, default in params}
        point.update(fixed)
        for part in combo:
            point.update(part)
        result.append({name: kind(point[name]) for name, kind, _ in params})
    return result


def run_ids(master_seed, point_index, replicates):
    """Distinct 64-bit run ids and seeds for one point's replicates."""
    words = np.random.SeedSequence(master_seed, spawn_key=(point_index,)).generate_state(
        2 * replicates, np.uint64
    )
    return words[0::2], words[1::2]


def _repeat(value, kind, n):
    """A column holding `value` n times (parameters, scenario name)."""
    return pa.array([value], ARROW_TYPE[kind]).take(pa.array(np.zeros(n, np.int64)))


def identity_columns(scenario, params, point, run_id, replicate, seed, rows_per_run):
    """run_id, replicate, seed, scenario and every parameter, each row of a
    run repeated `rows_per_run` times (1 for the runs table)."""
    n = len(run_id) * rows_per_run
    columns = {
        "run_id": pa.array(np.repeat(run_id, rows_per_run), pa.uint64()),
        "replicate": pa.array(np.repeat(replicate, rows_per_run), pa.int64()),
        "seed": pa.array(np.repeat(seed, rows_per_run), pa.uint64()),
        "scenario": _repeat(scenario, str, n),
    }
    for name, kind, _ in params:
        columns[name] = _repeat(point[name], kind, n)
    return columns


def float_column(values):
    """Float64 with NaN kept as NaN (a simulated -inf or NaN is data)."""
    return pa.array(np.asarray(values, np.float64), pa.float64())


def nullable_float(values):
    """Float64 where NaN means "no value" (theory columns, ratios)."""
    values = np.asarray(values, np.float64)
    return pa.array(values, pa.float64(), mask=np.isnan(values))


def nullable_int(values, null_mask):
    return pa.array(np.asarray(values, np.int64), pa.int64(), mask=null_mask)


class Dataset:
    """Collects a sweep's tables and writes them as one part each."""

    def __init__(self, out, name, sweep_text, identity_names):
        self.dir = os.path.join(out, name)
        self.sweep_text = sweep_text
        self.identity_names = identity_names
        self.tables = {"runs": [], "generations": []}

    def add(self, table, columns):
        self.tables[table].append(pa.table(columns))

    def write(self):
        for table, parts in self.tables.items():
            os.makedirs(os.path.join(self.dir, table), exist_ok=True)
            data = pa.concat_tables(parts)
            # Identity, parameters, status, elapsed_ms and generation are
            # never null: declare them so, as avalanche's schema does.
            required = set(self.identity_names) | {"status", "elapsed_ms", "generation"}
            schema = pa.schema([f.with_nullable(f.name not in required) for f in data.schema])
            data = data.cast(schema)
            data = data.replace_schema_metadata(
                {
                    "avalanche.sweep": self.sweep_text,
                    "avalanche.version": "numpy-baseline",
                    "avalanche.schema_version": "1",
                    "avalanche.table": table,
                }
            )
            # The same codec and dictionary policy as avalanche's writer:
            # zstd level 3, dictionaries only for identity and parameters.
            dictionary = [c for c in self.identity_names if c not in ("run_id", "seed")]
            if table == "generations":
                dictionary.append("generation")
            pq.write_table(
                data,
                os.path.join(self.dir, table, "part-000000.parquet"),
                compression="zstd",
                compression_level=3,
                use_dictionary=dictionary,
                row_group_size=128 * 1024,
            )
