#!/usr/bin/env bash
# Side-by-side throughput of avalanche and the NumPy baseline on the same
# sweeps, in one invocation, so that load on a shared machine hits both alike.
#
#   benches/baseline/compare.sh            # 5 alternating repetitions
#   REPEATS=3 benches/baseline/compare.sh
#
# Steps: (1) a venv with pinned numpy/pyarrow under target/ (reused on
# reruns); (2) avalanche built in release; (3) a correctness check: both
# tools' replicate means against the *_theory columns; (4) REPEATS rounds,
# each running every configuration once, in the same order, so load drifts
# hit all of them alike; (5) a table of medians, spreads and ratios.
#
# NumPy runs with OMP/OPENBLAS/MKL_NUM_THREADS=1 (one core) and with
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset, so OpenBLAS picks its own kernel.
# The per-run form (a) runs the same grid with REPLICATES / SLOW_DIVISOR
# replicates so it stays a few seconds; runs per second are comparable
# because every grid point keeps the same share of runs.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/benches/baseline"
REPEATS=${REPEATS:-5}
SLOW_DIVISOR=${SLOW_DIVISOR:-10}
GAUSSIAN_REPLICATES=${GAUSSIAN_REPLICATES:-1250}
LINREG_REPLICATES=${LINREG_REPLICATES:-2000}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
VENV="$ROOT/target/baseline-venv"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/avalanche-compare.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
CORES=$(nproc)

# ---- 1. Python environment ----
if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet numpy==2.1.3 pyarrow==18.1.0 threadpoolctl==3.5.0
PY="$VENV/bin/python"
# The environment NumPy runs in: one BLAS/OpenMP thread, default BLAS kernel.
NUMPY_ENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1)

# ---- 2. avalanche ----
(cd "$ROOT" && cargo build --release --quiet)
AVALANCHE="$TARGET/release/avalanche"

# ---- the sweeps ----
cat > "$WORK/gaussian.toml" <<EOF
# sweeps/quickstart.toml: 8 points, 50 generations.
name = "bench-gaussian"
scenario = "gaussian"
seed = 7
replicates = $GAUSSIAN_REPLICATES
generations = 50
[grid]
samples = [10, 100]
estimator = ["unbiased", "mle"]
data = ["replace", "accumulate"]
EOF
cat > "$WORK/linreg.toml" <<EOF
# linreg at its defaults (d = 10, T = 100), 4 points, 20 generations.
name = "bench-linreg"
scenario = "linreg"
seed = 9
replicates = $LINREG_REPLICATES
generations = 20
[grid]
data = ["replace", "accumulate"]
design = ["fresh", "fixed"]
[params]
samples = 100
dim = 10
noise_rate = 1.0
EOF
# Correctness sweeps: every regime with a theory, contamination included.
cat > "$WORK/check-gaussian.toml" <<EOF
name = "check-gaussian"
scenario = "gaussian"
seed = 11
replicates = 2000
generations = 10
[grid]
samples = [10, 100]
data = ["replace", "accumulate", "mix"]
estimator = ["unbiased", "mle"]
noise_rate = [0.0, 0.05]
EOF
cat > "$WORK/check-linreg.toml" <<EOF
name = "check-linreg"
scenario = "linreg"
seed = 12
replicates = 500
generations = 10
[grid]
data = ["replace", "accumulate", "mix"]
design = ["fresh", "fixed"]
[params]
samples = 40
dim = 10
EOF

echo "== machine"
lscpu | grep -E '^(Model name|CPU\(s\))' | sed 's/  */ /g'
free -m | awk '/^Mem:/ {print "Memory: " $2 " MiB"}'
echo "Load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "avalanche: $("$AVALANCHE" --version)"
"${NUMPY_ENV[@]}" "$PY" -c 'import numpy, pyarrow, threadpoolctl, platform
print("python", platform.python_version(), "numpy", numpy.__version__, "pyarrow", pyarrow.__version__)
for lib in threadpoolctl.threadpool_info():
    print("numpy BLAS:", lib["internal_api"], lib.get("version"), "kernel", lib.get("architecture"),
          "threads", lib["num_threads"])'

# ---- 3. correctness ----
echo "== check: replicate means against theory (fixed seeds, |z| <= 5)"
for s in gaussian linreg; do
    "$AVALANCHE" run "$WORK/check-$s.toml" --out "$WORK/check" >/dev/null
    (cd "$HERE" && "${NUMPY_ENV[@]}" "$PY" baseline.py "$WORK/check-$s.toml" --out "$WORK/check" --form batch >/dev/null)
    (cd "$HERE" && "${NUMPY_ENV[@]}" "$PY" baseline.py "$WORK/check-$s.toml" --out "$WORK/check" --form run \
        --replicates 500 >/dev/null)
done
(cd "$HERE" && "$PY" check.py "$WORK"/check/check-*)
rm -rf "$WORK/check"

# ---- 4. timings ----
runs_of() { # sweep, replicates
    local points
    # `avalanche plan` says "N points x R replicates = ..." (awk reads it all: no SIGPIPE).
    points=$("$AVALANCHE" plan "$1" | awk '$2 ~ /^points?$/ && $3 == "x" && !n++ {print $1}')
    echo $((points * $2))
}
THREADS=(1 2)
if ((CORES > 2)); then THREADS+=("$CORES"); fi
TIMES="$WORK/times.tsv"
: > "$TIMES"
measure() { # scenario, config, runs, command...
    local scenario=$1 config=$2 runs=$3
    shift 3
    rm -rf "$WORK/out"
    local start end
    start=$(date +%s%N)
    /usr/bin/time -f '%M %U %S' -o "$WORK/rss" "$@" > "$WORK/log" 2>&1 || { cat "$WORK/log"; exit 1; }
    end=$(date +%s%N)
    # The tool's own timing (without process start and imports): avalanche
    # prints "in X s", the baseline "N runs X s".
    local inner
    inner=$(grep -oE '(in |runs )[0-9.]+ s' "$WORK/log" | tail -1 | grep -oE '[0-9.]+')
    # Peak RSS (KB) and CPU seconds (user + system) of the whole process.
    local rss cpu
    rss=$(tail -1 "$WORK/rss" | awk '{print $1}')
    cpu=$(tail -1 "$WORK/rss" | awk '{print $2 + $3}')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$config" "$runs" \
        "$(((end - start) / 1000))" "$rss" "$inner" "$cpu" >> "$TIMES"
}
echo "== timing: $REPEATS rounds, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$REPEATS"); do
    for s in gaussian linreg; do
        sweep="$WORK/$s.toml"
        reps_var="${s^^}_REPLICATES"
        full=$(runs_of "$sweep" "${!reps_var}")
        slow_reps=$((${!reps_var} / SLOW_DIVISOR))
        slow=$(runs_of "$sweep" "$slow_reps")
        for t in "${THREADS[@]}"; do
            measure "$s" "avalanche-${t}t" "$full" "$AVALANCHE" run "$sweep" --out "$WORK/out" --threads "$t"
        done
        measure "$s" "numpy-a-run" "$slow" "${NUMPY_ENV[@]}" "$PY" "$HERE/baseline.py" "$sweep" --out "$WORK/out" \
            --form run --replicates "$slow_reps"
        measure "$s" "numpy-b-batch" "$full" "${NUMPY_ENV[@]}" "$PY" "$HERE/baseline.py" "$sweep" --out "$WORK/out" \
            --form batch
    done
    echo "round $round done, load average $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- 5. summary ----
"$PY" "$HERE/summarize.py" "$TIMES" "$CORES"
