#!/usr/bin/env bash
# The network learner's speed against NumPy in one invocation: a default network run (30 rounds,
# `commutative`, copied positions: the defaults) with avalanche on one
# thread against the NumPy reference (benches/baseline/network_reference.py)
# on one core.
#
#   benches/baseline/network-speed.sh                 # 5 alternating rounds, seed 1
#   REPEATS=9 SEED=3 benches/baseline/network-speed.sh
#   AVALANCHE=/tmp/other/avalanche benches/baseline/network-speed.sh   # a given binary, no build
#   VERIFIER=none ENCODING=copy FORCE_ROUNDS=0 benches/baseline/network-speed.sh
#
# The two tools draw different random numbers, so the same seed gives
# different runs; a commutative run may stall or collapse before round 30 on
# one side and not on the other, and then they would not do the same work.
# FORCE_ROUNDS=1 (the default) sets patience = 1000 and collapse_accuracy = 0
# on both sides so that every run trains exactly GENERATIONS rounds of
# steps_per_round Adam steps; what still differs is the supervised phase
# (1,200-1,800 steps, a multiple of 200) and the frontier lengths sampled.
# The table therefore also gives time per Adam step of the whole run
# (run time / Adam steps), which takes the supervised difference out.
#
# Each round runs both tools once, their order swapped every other round so
# load drifts hit both alike: avalanche `run` on a one-run sweep (written to
# a temporary folder, `--threads 1`) and the reference with one BLAS thread.
# Wall and CPU time (user + system) of the whole process come from GNU
# time; the in-process time is the runs table's `elapsed_ms` for avalanche
# and the reference's own timer (after imports) for NumPy. Prints the
# medians, the best (minimum) times, and NumPy / avalanche ratios (goal >= 4).
#
# Needs GNU time (/usr/bin/time) and a Python with NumPy and pyarrow:
# PYTHON, default target/interop-venv/bin/python (scripts/interop.sh makes
# it). If the binary has no network learner yet (`avalanche scenarios
# addition` does not list `learner`), only the NumPy half is timed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/benches/baseline"
REPEATS=${REPEATS:-5}
SEED=${SEED:-1}
VERIFIER=${VERIFIER:-commutative}
ENCODING=${ENCODING:-copy}
GENERATIONS=${GENERATIONS:-30}
FORCE_ROUNDS=${FORCE_ROUNDS:-1}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PYTHON=${PYTHON:-$TARGET/interop-venv/bin/python}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/avalanche-network-speed.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

if [[ ! -x /usr/bin/time ]]; then
    echo "needs GNU time: apt-get install time" >&2
    exit 1
fi
if ! "$PYTHON" -c 'import numpy, pyarrow' 2>/dev/null; then
    echo "needs a Python with numpy and pyarrow: set PYTHON (tried $PYTHON)" >&2
    exit 1
fi
if [[ -z "${AVALANCHE:-}" ]]; then
    (cd "$ROOT" && cargo build --release --quiet)
    AVALANCHE="$TARGET/release/avalanche"
fi
RUST=1
# grep without -q reads all its input: with -q it could exit first and the
# binary's SIGPIPE would fail the pipeline (pipefail).
if ! "$AVALANCHE" scenarios addition 2>/dev/null | grep -w learner >/dev/null; then
    echo "note: $AVALANCHE has no network learner (no 'learner' parameter): timing NumPy only" >&2
    RUST=0
fi

# The same parameters on both sides.
PARAMS=(verifier "\"$VERIFIER\"" encoding "\"$ENCODING\"" generations "$GENERATIONS")
if [[ "$FORCE_ROUNDS" != 0 ]]; then PARAMS+=(patience 1000 collapse_accuracy 0.0); fi
SWEEP="$WORK/network-speed.toml"
{
    echo 'name = "network-speed"'
    echo 'scenario = "addition"'
    echo "seed = $SEED"
    echo 'replicates = 1'
    echo '[params]'
    echo 'learner = "network"'
    for ((i = 0; i < ${#PARAMS[@]}; i += 2)); do echo "${PARAMS[i]} = ${PARAMS[i + 1]}"; done
} > "$SWEEP"
NUMPY_ARGS=(--seed "$SEED")
for ((i = 0; i < ${#PARAMS[@]}; i += 2)); do NUMPY_ARGS+=("--${PARAMS[i]}" "${PARAMS[i + 1]//\"/}"); done
NUMPY_ENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1)

echo "== machine"
lscpu | grep -E '^(Model name|CPU\(s\))' | sed 's/  */ /g'
"$PYTHON" -c 'import numpy, platform; print("python", platform.python_version(), "numpy", numpy.__version__)'
((RUST)) && echo "avalanche: $("$AVALANCHE" --version) ($AVALANCHE)"
echo "workload: one network run, $VERIFIER, $ENCODING, $GENERATIONS rounds, seed $SEED," \
    "FORCE_ROUNDS=$FORCE_ROUNDS; rounds: $REPEATS"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

TIMES="$WORK/times.tsv"
: > "$TIMES"
# One timed command: "tool wall cpu" appended to $WORK/last, log in $WORK/log.
timed() { # tool, command...
    local tool=$1 start end
    shift
    start=$(date +%s%N)
    /usr/bin/time -f '%U %S' -o "$WORK/time" "$@" > "$WORK/log" 2>&1 || { cat "$WORK/log" >&2; exit 1; }
    end=$(date +%s%N)
    read -r user sys < <(tail -1 "$WORK/time")
    printf '%s\t%s\t%s' "$tool" "$(awk -v ns=$((end - start)) 'BEGIN {printf "%.4f", ns / 1e9}')" \
        "$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.3f", u + s}')" >> "$TIMES"
}
run_numpy() {
    timed numpy "${NUMPY_ENV[@]}" "$PYTHON" "$HERE/network_reference.py" "${NUMPY_ARGS[@]}"
    # In-process seconds, Adam steps, rounds run (from the reference's summary line).
    local line
    line=$(grep -E '^seed ' "$WORK/log" | tail -1)
    printf '\t%s\t%s\t%s\t%s\n' "$(grep -oE '[0-9.]+ runs [0-9.]+ s' "$WORK/log" | awk '{print $3}')" \
        "$(echo "$line" | grep -oE '[0-9]+ Adam steps' | awk '{print $1}')" \
        "$(echo "$line" | grep -oE 'after [0-9]+ rounds' | awk '{print $2}')" \
        "$(echo "$line" | grep -oE '[0-9.]+ ms/step CPU' | awk '{print $1}')" >> "$TIMES"
}
run_rust() {
    rm -rf "$WORK/out"
    timed avalanche "$AVALANCHE" run "$SWEEP" --out "$WORK/out" --threads 1
    # In-process seconds, Adam steps (supervised + rounds x steps_per_round), rounds run.
    "$PYTHON" - "$WORK/out/network-speed" "$GENERATIONS" >> "$TIMES" <<'EOF'
import sys
import pyarrow.dataset as ds
run = ds.dataset(sys.argv[1] + "/runs", format="parquet").to_table().to_pylist()[0]
assert run["status"] == "ok", run.get("error")
supervised = run.get("supervised_steps")
steps = "" if supervised is None else supervised + run["end_round"] * run.get("steps_per_round", 200)
print(f"\t{run['elapsed_ms'] / 1000:.4f}\t{steps}\t{run['end_round']}\t")
EOF
}

for round in $(seq "$REPEATS"); do
    if ((round % 2 == 1)); then
        run_numpy
        ((RUST)) && run_rust
    else
        ((RUST)) && run_rust
        run_numpy
    fi
    echo "round $round done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

"$PYTHON" - "$TIMES" <<'EOF'
import statistics
import sys

rows = {}
for line in open(sys.argv[1]):
    tool, wall, cpu, inner, steps, rounds, adam = line.rstrip("\n").split("\t")
    rows.setdefault(tool, []).append((float(wall), float(cpu), float(inner), int(steps) if steps else None,
                                      int(rounds), float(adam) if adam else None))


def column(tool, i):
    return [r[i] for r in rows[tool]]


print("\n| tool | median wall s | best wall s | median CPU s | median in-process s | Adam steps | rounds | "
      "in-process ms per Adam step | runs |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
per_step = {}
for tool in rows:
    steps = column(tool, 3)[0]
    inner = statistics.median(column(tool, 2))
    per_step[tool] = 1000 * inner / steps if steps else None
    print(f"| {tool} | {statistics.median(column(tool, 0)):.3f} | {min(column(tool, 0)):.3f} "
          f"| {statistics.median(column(tool, 1)):.3f} | {inner:.3f} | {steps or '?'} | {column(tool, 4)[0]} "
          f"| {per_step[tool] or float('nan'):.3f} | {len(rows[tool])} |")
print(f"\nNumPy's Adam steps alone (its own timer, CPU): {statistics.median(column('numpy', 5)):.3f} ms per step "
      f"(median over runs)")
if "avalanche" in rows:
    ratio = lambda i, f=statistics.median: f(column("numpy", i)) / f(column("avalanche", i))
    print(f"\nNumPy / avalanche (1 thread), goal >= 4:")
    print(f"  median wall {ratio(0):.2f}x, best wall {ratio(0, min):.2f}x, median CPU {ratio(1):.2f}x, "
          f"median in-process {ratio(2):.2f}x")
    if per_step.get("avalanche") and per_step.get("numpy"):
        print(f"  in-process time per Adam step of the run: {per_step['numpy'] / per_step['avalanche']:.2f}x")
EOF
