#!/usr/bin/env bash
# Rebuilds docs/FINDINGS.md: runs every claim sweep in sweeps/claims/ with the
# release binary (resuming what is already in results/), then computes the
# page from their datasets with scripts/findings (Python with DuckDB and NumPy,
# from PyPI, in the interop venv). No number on the page is typed by hand.
#
# Usage: scripts/findings.sh                    # the shipped sweeps -> docs/FINDINGS.md (about 8 min on 2 cores)
#        scripts/findings.sh --reduced OUT.md   # every sweep at 3 replicates, in a temporary folder (CI)
#        AVALANCHE_BIN=path/to/avalanche scripts/findings.sh ...
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
venv=${AVALANCHE_INTEROP_VENV:-$target/interop-venv}
bin=${AVALANCHE_BIN:-}
if [ -z "$bin" ]; then
    (cd "$root" && cargo build --release --quiet)
    bin=$target/release/avalanche
fi
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
# Pinned as in scripts/interop.sh and scripts/selftrain-example.sh.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check duckdb==1.4.4 numpy==2.2.6

sweeps=$root/sweeps/claims
results=$root/results
out=$root/docs/FINDINGS.md
if [ "${1:-}" = "--reduced" ]; then
    [ -n "${2:-}" ] || { echo "usage: scripts/findings.sh --reduced OUT.md" >&2; exit 2; }
    out=$2
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$work/sweeps"
    # The same sweeps with 3 seeds each: every code path of the page, in about a minute.
    for f in "$root"/sweeps/claims/*.toml; do
        sed -e 's/^replicates = .*/replicates = 3/' "$f" > "$work/sweeps/$(basename "$f")"
    done
    sweeps=$work/sweeps
    results=$work/results
fi

for f in "$sweeps"/*.toml; do
    "$bin" run "$f" --out "$results"
done
"$venv/bin/python" "$root/scripts/findings/stats.py"
"$venv/bin/python" "$root/scripts/findings" "$results" "$out"
echo "findings: wrote $out"
