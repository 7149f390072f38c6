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

# shellcheck source=scripts/setup.sh
source "$(dirname "$0")/setup.sh"
# Pinned as in scripts/interop.sh and scripts/selftrain-example.sh.
venv_install duckdb==1.4.4 numpy==2.2.6

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
