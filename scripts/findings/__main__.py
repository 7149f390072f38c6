"""Writes docs/FINDINGS.md from the claim sweeps' datasets (sweeps/claims/):

    python scripts/findings RESULTS_ROOT OUT.md

Every number on the page is computed here from the datasets; nothing is typed by
hand. `scripts/findings.sh` runs the sweeps and then this. Needs duckdb and numpy
(the interop venv has them)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from data import Dataset  # noqa: E402
import claim1  # noqa: E402
import claim2  # noqa: E402
import claim3  # noqa: E402
import claim5  # noqa: E402

SWEEPS = {1: "claim1-growth-law", 2: "claim2-self-consistency", 3: "claim3-floor", 4: "claim4-outcome-steps",
          5: "claim5-time-limited"}


def main(argv):
    if len(argv) != 3:
        raise SystemExit("usage: python scripts/findings RESULTS_ROOT OUT.md")
    root, out = argv[1], argv[2]
    figures = os.path.join(os.path.dirname(os.path.abspath(out)), "findings")
    os.makedirs(figures, exist_ok=True)
    page = ["# Findings", ""]
    for number, module in [(1, claim1), (2, claim2), (3, claim3), (5, claim5)]:
        page += [f"## Claim {number}", "", *module.section(Dataset(root, SWEEPS[number]), figures), ""]
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(page))
    os.replace(tmp, out)


if __name__ == "__main__":
    main(sys.argv)
