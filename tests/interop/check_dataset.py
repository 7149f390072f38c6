"""Checks that an avalanche dataset loads in DuckDB, polars and pyarrow with
one call on the folder, that its schema is the documented one, that the
sweep file is readable from the Parquet metadata, and that a grouped median
computed by each library equals the one `avalanche report` wrote to
headline.csv.

Run from the folder holding results/ (scripts/interop.sh does):
    python check_dataset.py README.md

The blocks between "# readme:" and "# end" are the README's loading
snippets; this script checks that README.md contains each verbatim, so the
README cannot drift from what is tested. Exits 1 on any mismatch.
"""

import csv
import math
import statistics
import sys
import tomllib

DIR = "results/interop"
SELF_TRAINING = "results/interop-addition"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("MISMATCH:", message)


# readme: duckdb
import duckdb
runs = duckdb.sql("SELECT * FROM read_parquet('results/interop/runs/*.parquet')")
# end
duck_runs = runs

# readme: polars
import polars as pl
runs = pl.scan_parquet("results/interop/runs/*.parquet").collect()
# end
polars_runs = runs

# readme: pyarrow
import pyarrow.dataset as ds
runs = ds.dataset("results/interop/runs", format="parquet").to_table()
# end
arrow_runs = runs

# readme: sweep
import glob
import pyarrow.parquet as pq
part = sorted(glob.glob("results/interop/runs/*.parquet"))[0]
sweep = pq.read_metadata(part).metadata[b"avalanche.sweep"].decode()
# end

# readme: generations
generations = pl.read_parquet("results/interop-addition/generations/*.parquet")
curve = (generations.group_by("verifier", "generation")
         .agg(pl.col("accuracy_frontier").median()).sort("verifier", "generation"))
# end

# readme: runway
runs = pl.read_parquet("results/interop-addition/runs/*.parquet").filter(pl.col("status") == "ok")
print(runs.group_by("verifier", "end_reason").len().sort("verifier", "end_reason"))
runway = pl.col("runway").cast(pl.Float64).fill_null(float("inf"))
print(runs.group_by("verifier").agg(runway.median()).sort("verifier"))
# end
self_training_runs = runs


def check_runway_nulls():
    """A null runway is exactly a run that did not collapse, and end_reason
    says how it ended instead (the README's runway snippet relies on it)."""
    for row in self_training_runs.iter_rows(named=True):
        collapsed = row["end_reason"] == "collapsed"
        check((row["runway"] is not None) == collapsed,
              f"run {row['run_id']}: runway {row['runway']} with end_reason {row['end_reason']}")
    check(curve.height > 0, "the generations snippet found no rows")


def snippets():
    """The README blocks of this file, by name."""
    blocks, name, lines = {}, None, []
    for line in open(__file__, encoding="utf-8").read().splitlines():
        if line.startswith("# readme: "):
            name, lines = line.removeprefix("# readme: "), []
        elif line == "# end" and name:
            blocks[name] = "\n".join(lines)
            name = None
        elif name:
            lines.append(line)
    return blocks


def check_readme(path):
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as error:
        check(False, f"cannot read {path} to compare its loading snippets: {error}")
        return
    for name, block in snippets().items():
        check(block in text, f"{path} lacks the {name} loading snippet verbatim:\n{block}")


# The documented layout: engine columns and their Arrow types.
RUNS_FIXED = {"run_id": "uint64", "replicate": "int64", "seed": "uint64", "scenario": "string",
              "status": "string", "error": "string", "elapsed_ms": "double"}
TOML_TYPES = {bool: "bool", int: "int64", float: "double", str: "string"}


def axis_values(spec):
    """The values a [grid] axis expands to (lists and the three range forms)."""
    if isinstance(spec, list):
        return spec
    if "linspace" in spec:
        (a, b), n = spec["linspace"], spec["num"]
        return [a + (b - a) * i / (n - 1) for i in range(n)] if n > 1 else [a]
    if "logspace" in spec:
        (a, b), n = spec["logspace"], spec["num"]
        return [a * (b / a) ** (i / (n - 1)) for i in range(n)] if n > 1 else [a]
    start, stop, step = spec["range"]
    return list(range(start, stop, step))


def check_schema(parsed):
    names = duck_runs.columns
    types = {f.name: str(f.type) for f in arrow_runs.schema}
    check(names == polars_runs.columns, f"duckdb columns {names} != polars columns {polars_runs.columns}")
    check(names == arrow_runs.column_names, f"duckdb columns {names} != pyarrow columns {arrow_runs.column_names}")
    for name, expected in RUNS_FIXED.items():
        check(types.get(name) == expected, f"runs.{name} is {types.get(name)}, documented {expected}")
    check(names[:4] == ["run_id", "replicate", "seed", "scenario"], f"runs start with {names[:4]}")
    parameters = names[4:names.index("status")]
    check(names[names.index("status"):names.index("status") + 3] == ["status", "error", "elapsed_ms"],
          "status, error, elapsed_ms do not follow the parameters")
    for key, spec in {**parsed.get("grid", {}), **parsed.get("params", {})}.items():
        check(key in parameters, f"swept parameter {key} is not a column between scenario and status")
        value = axis_values(spec)[0] if key in parsed.get("grid", {}) else spec
        check(types.get(key) == TOML_TYPES[type(value)], f"runs.{key} is {types.get(key)}, value {value!r}")
    expected_rows = parsed.get("replicates", 1)
    for spec in parsed.get("grid", {}).values():
        expected_rows *= len(axis_values(spec))
    for library, count in [("duckdb", duck_runs.count("*").fetchone()[0]), ("polars", polars_runs.height),
                           ("pyarrow", arrow_runs.num_rows)]:
        check(count == expected_rows, f"{library} counts {count} runs, the sweep expands to {expected_rows}")
    return parameters


def check_generations():
    """The generations table, where the scenario writes one, loads the same way."""
    files = glob.glob("results/interop/generations/*.parquet")
    if not files:
        print("generations: no parts (the scenario reports nothing per generation)")
        return
    count = duckdb.sql("SELECT count(*) FROM read_parquet('results/interop/generations/*.parquet')").fetchone()[0]
    lazy = pl.scan_parquet("results/interop/generations/*.parquet")
    table = ds.dataset("results/interop/generations", format="parquet").to_table()
    check(count == lazy.select(pl.len()).collect().item() == table.num_rows, "generations row counts differ")
    check(str(table.schema.field("generation").type) == "int64", "generations.generation is not int64")


def same(a, b):
    # Medians of the same values; DuckDB and polars interpolate the two
    # middle values as lo + (hi - lo) / 2, the report as (lo + hi) / 2: the
    # two can differ in the last bit, so allow a few ulps, nothing more.
    # With an infinite middle value DuckDB's interpolation gives NaN or the
    # infinity; the report gives the infinity.
    if math.isinf(b) and a is not None and (math.isnan(a) or a == b):
        return True
    # No value at all at a grid point (every run's is null): the libraries
    # say None, the report leaves the estimate empty.
    if math.isnan(b) and a is None:
        return True
    return a is not None and math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


def check_medians(varying, dir=DIR, table=None):
    """Grouped medians of every headline column of the dataset in `dir`
    agree across DuckDB, polars, pyarrow and the report's headline.csv."""
    table = arrow_runs if table is None else table
    rows = list(csv.DictReader(open(f"{dir}/report/headline.csv", encoding="utf-8")))
    check(rows, "headline.csv is empty")
    types = {f.name: str(f.type) for f in table.schema}

    def key_of(values):
        return tuple(float(v) if types[p] in ("double", "int64") else str(v).lower() for p, v in zip(varying, values))

    by_key = {}
    for row in rows:
        if row["statistic"] != "median":
            continue  # means, theories, ratios and modes are checked by the report's own tests
        by_key[(key_of([row[p] for p in varying]), row["column"])] = row
    columns = sorted({c for (_, c) in by_key})
    group = ", ".join(varying)
    for column in columns:
        # How the report counted nulls in this column: as -inf (achieved
        # none) or not at all.
        nulls_as = next(r["nulls_as"] for (_, c), r in by_key.items() if c == column)
        fill = None if nulls_as == "dropped" else float(nulls_as)
        value = f"coalesce({column}::DOUBLE, '{nulls_as}'::DOUBLE)" if fill is not None else f"{column}::DOUBLE"
        # DuckDB: one grouped query over the folder.
        query = (f"SELECT {group}, count(*), count(*) FILTER (status = 'failed'), "
                 f"median({value}) FILTER (status = 'ok') "
                 f"FROM read_parquet('{dir}/runs/*.parquet') GROUP BY {group}")
        duck = {key_of(r[:len(varying)]): r[len(varying):] for r in duckdb.sql(query).fetchall()}
        # polars: the same grouping, lazily.
        expression = pl.col(column).cast(pl.Float64)
        if fill is not None:
            expression = expression.fill_null(fill)
        frame = (pl.scan_parquet(f"{dir}/runs/*.parquet").filter(pl.col("status") == "ok")
                 .group_by(varying).agg(expression.median().alias("median")).collect())
        polars = {key_of([r[p] for p in varying]): r["median"] for r in frame.iter_rows(named=True)}
        # pyarrow: the table, medians by Python's statistics module.
        values = {}
        for r in table.to_pylist():
            if r["status"] == "ok":
                v = r[column]
                if v is None:
                    v = fill
                if v is not None:
                    values.setdefault(key_of([r[p] for p in varying]), []).append(float(v))
        for (key, c), row in by_key.items():
            if c != column:
                continue
            expected = float(row["estimate"]) if row["estimate"] else math.nan
            total, failed, median = duck.get(key, (None, None, None))
            check(total == int(row["replicates"]), f"{key}: duckdb counts {total} runs, report {row['replicates']}")
            check(failed == int(row["failed"]), f"{key}: duckdb counts {failed} failed, report {row['failed']}")
            check(same(median, expected), f"{key} {column}: duckdb median {median}, report {expected}")
            check(same(polars.get(key), expected), f"{key} {column}: polars median {polars.get(key)}, report {expected}")
            arrow_median = statistics.median(values[key]) if values.get(key) else None
            check(same(arrow_median, expected), f"{key} {column}: pyarrow median {arrow_median}, report {expected}")
    print(f"medians ({dir}): {len(by_key)} grid point x column cells agree across duckdb, polars, pyarrow and the report")


def check_outcomes(varying, dir, table):
    """How runs ended: the count and share of each outcome per grid point in
    the report's outcomes.csv agree with DuckDB, polars and pyarrow counting
    the outcome column (successful runs only; failed ones are counted apart)."""
    rows = list(csv.DictReader(open(f"{dir}/report/outcomes.csv", encoding="utf-8")))
    check(rows, "outcomes.csv is empty")
    column = "end_reason"
    types = {f.name: str(f.type) for f in table.schema}

    def key_of(values):
        return tuple(float(v) if types[p] in ("double", "int64") else str(v).lower() for p, v in zip(varying, values))

    group = ", ".join(varying)
    query = (f"SELECT {group}, {column}, count(*) FROM read_parquet('{dir}/runs/*.parquet') "
             f"WHERE status = 'ok' GROUP BY {group}, {column}")
    duck, duck_total = {}, {}
    for r in duckdb.sql(query).fetchall():
        key = key_of(r[:len(varying)])
        duck[(key, r[len(varying)])] = r[-1]
        duck_total[key] = duck_total.get(key, 0) + r[-1]
    frame = (pl.scan_parquet(f"{dir}/runs/*.parquet").filter(pl.col("status") == "ok")
             .group_by(varying + [column]).agg(pl.len().alias("n")).collect())
    polars = {(key_of([r[p] for p in varying]), r[column]): r["n"] for r in frame.iter_rows(named=True)}
    arrow = {}
    for r in table.to_pylist():
        if r["status"] == "ok":
            key = (key_of([r[p] for p in varying]), r[column])
            arrow[key] = arrow.get(key, 0) + 1
    seen = 0
    for row in rows:
        key = key_of([row[p] for p in varying])
        outcome, runs = row["outcome"], int(row["runs"])
        for library, counts in [("duckdb", duck), ("polars", polars), ("pyarrow", arrow)]:
            found = counts.get((key, outcome), 0)
            check(found == runs, f"{key} {outcome}: {library} counts {found}, report {runs}")
        total = duck_total.get(key, 0)
        share = runs / total if total else None
        check(share is not None and math.isclose(float(row["share"]), share, rel_tol=1e-12),
              f"{key} {outcome}: share {row['share']}, duckdb gives {share}")
        seen += 1
    listed = {(key_of([r[p] for p in varying]), r["outcome"]) for r in rows}
    check(all(k in listed for k in duck), f"an outcome in the data is missing from outcomes.csv: {set(duck) - listed}")
    print(f"outcomes ({dir}): {seen} grid point x outcome cells agree across duckdb, polars, pyarrow and the report")


def main():
    parsed = tomllib.loads(sweep)
    check(parsed.get("name") == "interop", "the sweep text in the metadata does not parse to the sweep run")
    check(sweep == open(f"{DIR}/sweep.toml", encoding="utf-8").read(), "metadata sweep text differs from sweep.toml")
    check(duck_runs.columns, "duckdb loaded no columns")
    parameters = check_schema(parsed)
    check_generations()
    varying = [p for p in parameters if len(set(arrow_runs.column(p).to_pylist())) > 1]
    check_medians(varying)
    # The self-training sweep: how runs ended and the headline medians by
    # verifier, nulls and all.
    table = ds.dataset(f"{SELF_TRAINING}/runs", format="parquet").to_table()
    names = table.column_names
    check("end_reason" in names, f"{SELF_TRAINING} has no end_reason column")
    varying = [p for p in names[4:names.index("status")] if len(set(table.column(p).to_pylist())) > 1]
    check(varying == ["verifier"], f"{SELF_TRAINING} varies {varying}, expected verifier only")
    check_medians(varying, SELF_TRAINING, table)
    check_runway_nulls()
    check_outcomes(varying, SELF_TRAINING, table)
    if len(sys.argv) > 1:
        check_readme(sys.argv[1])
    if failures:
        print(f"interop: {len(failures)} mismatches")
        sys.exit(1)
    print("interop: dataset loads identically in duckdb, polars and pyarrow, and matches the report")


main()
