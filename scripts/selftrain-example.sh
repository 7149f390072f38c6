#!/usr/bin/env bash
# The bring-your-own-model example end to end: sweeps/selftrain.toml runs a
# real NumPy self-training script (examples/selftrain/selftrain.py) through
# the `command` scenario; the sweep is killed part-way (kill -9), resumed,
# and the dataset is read back with pyarrow: every run exactly once, all
# successful, value for value equal to an uninterrupted sweep, and reported.
#
# Usage: scripts/selftrain-example.sh   (after scripts/interop.sh, whose venv
# it reuses; AVALANCHE_BIN and AVALANCHE_INTEROP_VENV as there)
set -euo pipefail

# shellcheck source=scripts/setup.sh
source "$(dirname "$0")/setup.sh"
venv_install numpy==2.2.6 pyarrow==22.0.0
export PATH="$venv/bin:$PATH"   # the sweep runs `python3` with NumPy

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"   # the sweep names its script relative to here ({here})
"$bin" run sweeps/selftrain.toml --out "$work/killed" --checkpoint-every 1 > "$work/log" 2>&1 &
pid=$!
sleep 5
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
"$bin" run sweeps/selftrain.toml --out "$work/killed"
"$bin" run sweeps/selftrain.toml --out "$work/whole"
"$bin" report "$work/killed/selftrain" > /dev/null

"$venv/bin/python" - "$work" <<'PY'
import sys
import pyarrow.dataset as ds

work = sys.argv[1]
def runs(folder):
    table = ds.dataset(f"{work}/{folder}/selftrain/runs", format="parquet").to_table()
    return {r["run_id"]: r for r in table.to_pylist()}

killed, whole = runs("killed"), runs("whole")
problems = []
if len(killed) != 80 or len(ds.dataset(f"{work}/killed/selftrain/runs", format="parquet").to_table()) != 80:
    problems.append(f"expected 80 runs exactly once, found {len(killed)} distinct")
problems += [f"run {i} failed: {r['error']}" for i, r in killed.items() if r["status"] != "ok"]
for run_id, row in whole.items():
    other = killed.get(run_id)
    if other is None or other["final_accuracy"] != row["final_accuracy"] or other["runway"] != row["runway"]:
        problems.append(f"run {run_id}: resumed {other and other['final_accuracy']} != uninterrupted {row['final_accuracy']}")
generations = ds.dataset(f"{work}/killed/selftrain/generations", format="parquet").to_table()
if generations.num_rows < 80:
    problems.append(f"only {generations.num_rows} generations rows")
for p in problems[:20]:
    print("MISMATCH:", p)
if problems:
    sys.exit(1)
print(f"selftrain example: 80 runs exactly once after kill -9 and resume, equal to an uninterrupted sweep; "
      f"{generations.num_rows} generations rows")
PY
