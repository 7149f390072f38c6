"""Whether two avalanche datasets hold the same values, bit for bit.

    python benches/baseline/same-tables.py DATASET_A DATASET_B

Each argument is a dataset folder (<out>/<name>, holding runs/ and
generations/). Both tables are read whole, sorted by run_id (and generation),
and compared column by column: nulls in the same places and every other value
identical, floats by their bit patterns (so NaN equals NaN and 0.0 differs
from -0.0). `elapsed_ms`, the wall time of each run, is the one column left
out. Exits 1 naming the first columns that differ, 0 when all agree. Needs
pyarrow and numpy (e.g. the interop venv: target/interop-venv/bin/python).
"""

import sys

import numpy as np
import pyarrow as pa
import pyarrow.dataset as ds

IGNORED = {"elapsed_ms"}


def load(folder, table):
    data = ds.dataset(f"{folder}/{table}", format="parquet").to_table()
    keys = [("run_id", "ascending")]
    if "generation" in data.schema.names:
        keys.append(("generation", "ascending"))
    return data.sort_by(keys)


def same_column(a, b):
    a, b = a.combine_chunks(), b.combine_chunks()
    if a.type != b.type or len(a) != len(b):
        return False
    if not np.array_equal(a.is_null().to_numpy(zero_copy_only=False), b.is_null().to_numpy(zero_copy_only=False)):
        return False
    if pa.types.is_floating(a.type):
        bits = {16: np.uint16, 32: np.uint32, 64: np.uint64}[a.type.bit_width]
        fill = pa.scalar(0, a.type)
        return np.array_equal(
            a.fill_null(fill).to_numpy().view(bits), b.fill_null(fill).to_numpy().view(bits)
        )
    return a.equals(b)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    first, second = sys.argv[1:]
    differences = []
    for table in ["runs", "generations"]:
        a, b = load(first, table), load(second, table)
        if a.schema.names != b.schema.names:
            differences.append(f"{table}: columns differ: {a.schema.names} vs {b.schema.names}")
            continue
        if a.num_rows != b.num_rows:
            differences.append(f"{table}: {a.num_rows} rows vs {b.num_rows}")
            continue
        for name in a.schema.names:
            if name not in IGNORED and not same_column(a.column(name), b.column(name)):
                differences.append(f"{table}.{name}")
        print(f"{table}: {a.num_rows} rows x {a.num_columns} columns compared")
    if differences:
        print("DIFFERENT: " + ", ".join(differences[:20]))
        sys.exit(1)
    print("identical (apart from elapsed_ms)")


if __name__ == "__main__":
    main()
