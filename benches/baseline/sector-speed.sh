#!/usr/bin/env bash
# Wall time of two avalanche binaries on the frozen SECToR sweep
# (benches/sector-fixed.toml, 720 `addition` runs), run alternately, and
# whether they wrote the same dataset: a speed-up counts only if the values
# are identical, and only against the other binary in the same invocation.
#
#   benches/baseline/sector-speed.sh OLD_BINARY NEW_BINARY
#   REPEATS=5 THREADS="1 2" benches/baseline/sector-speed.sh OLD NEW
#   REPLICATES=2 benches/baseline/sector-speed.sh OLD NEW   # a 72-run subset
#
# REPEATS (default 3) rounds; each round runs every (threads, binary) pair
# once, the binaries' order swapped every other round, so drifts in the
# machine's load hit both alike. Prints every time (wall, and CPU = user +
# system, which waiting for a core shared with other jobs does not inflate),
# then the medians per pair and the ratios OLD / NEW (above 1: NEW is
# faster), and the load average before and after. REPLICATES (default: the
# file's 20) cuts the sweep to fewer replicates for a quick look; the
# recorded number is the whole sweep. Needs GNU time (/usr/bin/time).
#
# Before timing, both binaries run the sweep once on 2 threads and
# benches/baseline/same-tables.py compares the two datasets value for value
# (needs Python with pyarrow and numpy: PYTHON, default
# target/interop-venv/bin/python as scripts/interop.sh creates it; the
# check is skipped with a warning when there is none). Exits 1 if they differ.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi
OLD=$(realpath "$1")
NEW=$(realpath "$2")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
REPEATS=${REPEATS:-3}
THREADS=${THREADS:-"1 2"}
PYTHON=${PYTHON:-${CARGO_TARGET_DIR:-$ROOT/target}/interop-venv/bin/python}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/avalanche-sector-speed.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

SWEEP="$WORK/sector-fixed.toml"
if [[ -n "${REPLICATES:-}" ]]; then
    sed "s/^replicates = .*/replicates = $REPLICATES/" "$ROOT/benches/sector-fixed.toml" >"$SWEEP"
else
    cp "$ROOT/benches/sector-fixed.toml" "$SWEEP"
fi
runs=$("$NEW" plan "$SWEEP" 2>/dev/null | grep -o '= [0-9]* runs' | grep -o '[0-9]*')

echo "sweep: benches/sector-fixed.toml, $runs runs; repeats: $REPEATS; threads: $THREADS"
echo "old: $OLD"
echo "new: $NEW"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ ! -x /usr/bin/time ]]; then
    echo "needs GNU time: apt-get install time" >&2
    exit 1
fi

# One run of `binary` on `threads` threads into a fresh folder; prints
# "wall_seconds cpu_seconds".
run() { # binary, threads, folder
    rm -rf "$3"
    /usr/bin/time -f '%e %U %S' -o "$WORK/time" "$1" run "$SWEEP" --out "$3" --threads "$2" \
        >/dev/null 2>"$WORK/stderr" || {
        echo "failed: $1 run --threads $2" >&2
        cat "$WORK/stderr" >&2
        exit 1
    }
    awk '{print $1, $2 + $3}' "$WORK/time"
}

# ---- the same values ----
run "$OLD" 2 "$WORK/old" >/dev/null
run "$NEW" 2 "$WORK/new" >/dev/null
echo "(each binary ran the sweep once on 2 threads; comparing their datasets)"
if [[ -x "$PYTHON" ]] && "$PYTHON" -c 'import pyarrow, numpy' 2>/dev/null; then
    "$PYTHON" "$ROOT/benches/baseline/same-tables.py" "$WORK/old/sector-fixed" "$WORK/new/sector-fixed" || {
        echo "the two binaries wrote different datasets" >&2
        exit 1
    }
else
    echo "warning: no Python with pyarrow at $PYTHON (set PYTHON): datasets not compared" >&2
fi

# ---- timings ----
declare -A walls cpus
for ((round = 1; round <= REPEATS; round++)); do
    order=("old" "new")
    ((round % 2 == 0)) && order=("new" "old")
    for threads in $THREADS; do
        for which in "${order[@]}"; do
            binary=$OLD
            [[ $which == new ]] && binary=$NEW
            read -r wall cpu < <(run "$binary" "$threads" "$WORK/$which")
            walls[$which,$threads]+="$wall "
            cpus[$which,$threads]+="$cpu "
            printf 'round %d  %-3s  %2s threads  %8.2f s wall  %8.2f s CPU\n' "$round" "$which" "$threads" "$wall" "$cpu"
        done
    done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo
echo "| threads | old wall s | new wall s | old / new wall | old CPU s | new CPU s | old / new CPU |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for threads in $THREADS; do
    old=$(echo "${walls[old,$threads]}" | median)
    new=$(echo "${walls[new,$threads]}" | median)
    old_cpu=$(echo "${cpus[old,$threads]}" | median)
    new_cpu=$(echo "${cpus[new,$threads]}" | median)
    printf '| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n' "$threads" "$old" "$new" \
        "$(awk "BEGIN {print $old / $new}")" "$old_cpu" "$new_cpu" "$(awk "BEGIN {print $old_cpu / $new_cpu}")"
done
echo "(medians of $REPEATS; wall and CPU medians are taken separately)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
