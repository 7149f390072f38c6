# Sourced by the scripts that drive the release binary and a Python venv
# (interop.sh, selftrain-example.sh, findings.sh, html-check.sh): sets `root`, `target`,
# `venv` and `bin` the same way for all of them, building the binary unless
# AVALANCHE_BIN names one, and offers `venv_install PACKAGE==VERSION ...`,
# which makes the shared venv ($AVALANCHE_INTEROP_VENV, default
# target/interop-venv) if it is missing and installs the pinned packages.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
venv=${AVALANCHE_INTEROP_VENV:-$target/interop-venv}
bin=${AVALANCHE_BIN:-}
if [ -z "$bin" ]; then
    (cd "$root" && cargo build --release --quiet)
    bin=$target/release/avalanche
fi

venv_install() {
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
}
