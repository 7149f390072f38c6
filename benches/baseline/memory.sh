#!/usr/bin/env bash
# Peak memory (maximum resident set size, /usr/bin/time -v) of avalanche on
# a 100,000-run and a 1,000,000-run sweep with a generations table: memory
# must stay flat in the sweep size (the two within 20% of each other, both
# under 256 MB; ARCHITECTURE.md's last invariant).
#
#   benches/baseline/memory.sh [THREADS]      # default: all cores
#
# Two scenarios: `empty` with 5 generations (the engine and writer alone,
# 6 generation rows per run) and `gaussian` with 10 samples and 5
# generations (29 generation columns per row: the widest rows we write).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
THREADS=${1:-$(nproc)}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/avalanche-memory.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
if [[ ! -x /usr/bin/time ]]; then
    echo "needs GNU time: apt-get install time" >&2
    exit 1
fi
(cd "$ROOT" && cargo build --release --quiet)
AVALANCHE="$TARGET/release/avalanche"

sweep() { # scenario, replicates, extra lines
    cat <<EOF
name = "memory-$1-$2"
scenario = "$1"
seed = 3
replicates = $2
generations = 5
$3
EOF
}

echo "threads: $THREADS; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| scenario | runs | generation rows | wall s | peak RSS MB | part files (runs) |"
echo "|---|---:|---:|---:|---:|---:|"
for scenario in empty gaussian; do
    case $scenario in
        empty) grid=$'[grid]\nx = { linspace = [0.0, 1.0], num = 100 }' ;;
        gaussian) grid=$'[params]\nsamples = 10\n[grid]\nmean = { linspace = [0.0, 1.0], num = 100 }' ;;
    esac
    for replicates in 1000 10000; do
        sweep "$scenario" "$replicates" "$grid" > "$WORK/sweep.toml"
        /usr/bin/time -v "$AVALANCHE" run "$WORK/sweep.toml" --out "$WORK/out" --threads "$THREADS" \
            > "$WORK/log" 2> "$WORK/time"
        rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time")
        wall=$(awk -F'): ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time")
        parts=$(find "$WORK/out/memory-$scenario-$replicates/runs" -name '*.parquet' | wc -l)
        runs=$((100 * replicates))
        echo "| $scenario | $runs | $((runs * 6)) | $wall | $((rss_kb / 1024)) | $parts |"
        rm -rf "$WORK/out"
    done
done
