#!/usr/bin/env bash
# Interoperability test: runs a small sweep with the real binary, reports on
# it, and checks with DuckDB, polars and pyarrow (installed from PyPI into a
# virtual environment) that the dataset loads with one call on the folder,
# has the documented schema and sweep metadata, and gives the same grouped
# medians as `avalanche report`, both on a small sweep with failed runs and on
# a small self-training sweep (how runs ended and the headline medians by
# verifier). Exits non-zero on any mismatch.
#
# Usage: scripts/interop.sh            (builds the release binary)
#        AVALANCHE_BIN=path/to/avalanche scripts/interop.sh
# The venv is kept in $AVALANCHE_INTEROP_VENV (default target/interop-venv)
# so reruns do not download again.
set -euo pipefail

# shellcheck source=scripts/setup.sh
source "$(dirname "$0")/setup.sh"

# Pinned: versions known to install on Python 3.11+ and to read these files.
venv_install duckdb==1.4.4 polars==1.44.2 pyarrow==22.0.0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# The sweep has failed runs on purpose; `run` then exits 1 (2 is an error).
status=0
"$bin" run "$root/tests/interop/sweep.toml" --out results || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
    echo "interop: avalanche run failed with status $status" >&2
    exit "$status"
fi
"$bin" report results/interop
# A small self-training sweep, for the outcomes and medians by verifier.
"$bin" run "$root/tests/interop/addition.toml" --out results
"$bin" report results/interop-addition
"$venv/bin/python" "$root/tests/interop/check_dataset.py" "$root/README.md"
