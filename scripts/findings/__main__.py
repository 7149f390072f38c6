"""Writes docs/FINDINGS.md from the claim sweeps' datasets (sweeps/claims/):

    python scripts/findings RESULTS_ROOT OUT.md

Every number on the page is computed here from the datasets; nothing is typed by
hand. `scripts/findings.sh` runs the sweeps and then this. Needs duckdb and numpy
(the interop venv has them). The figures go to `findings/` beside OUT.md."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from data import Dataset  # noqa: E402
import claim1  # noqa: E402
import claim2  # noqa: E402
import claim3  # noqa: E402
import claim4  # noqa: E402
import claim5  # noqa: E402

# (sweep name, the claim in the project's words, the module that judges it)
CLAIMS = {
    1: ("claim1-growth-law", "Without verification, small mistakes amplify. Exponentially?", claim1),
    2: ("claim2-self-consistency", "Self-consistency checks (majority vote, commutativity) lengthen the runway "
        "but do not stop the avalanche: the process still ends by accumulated error.", claim2),
    3: ("claim3-floor", "The error floor is set by the quality of the check, not by the model's capability.",
        claim3),
    4: ("claim4-outcome-steps", "Outcome-only verification carries an error signal, but step mistakes that "
        "happen to give the right outcome stay uncorrected and can compound.", claim4),
    5: ("claim5-time-limited", "Hence self-training with neither external ground truth nor cross-model "
        "verification is inherently time-limited.", claim5),
}

INTRO = """# Findings

How quickly do errors compound when a model trains on its own outputs, and how much does each kind of
verification buy? The question comes with five claims; each is tested here by one sweep of the `addition`
scenario (a SECToR-style self-training loop, docs/MODEL.md) in `sweeps/claims/`, and judged from its dataset.
Every number, verdict and figure on this page is computed by `scripts/findings` from those datasets; rebuild the
page with

```sh
scripts/findings.sh
```

(it runs the claim sweeps with the release binary, resuming what `results/` already holds, then writes this
page and `docs/findings/*.svg`). docs/MODEL.md says where the simulation cannot speak for a real model.
"""


def main(argv):
    if len(argv) != 3:
        raise SystemExit("usage: python scripts/findings RESULTS_ROOT OUT.md")
    root, out = argv[1], argv[2]
    figures = os.path.join(os.path.dirname(os.path.abspath(out)), "findings")
    os.makedirs(figures, exist_ok=True)
    page = [INTRO]
    for number, (sweep, claim, module) in CLAIMS.items():
        page += [f"## Claim {number}", "", f"*{claim}*", ""]
        page += module.section(Dataset(root, sweep), figures)
        page += ["", f"Reproduce: `cargo run --release -- run sweeps/claims/{sweep}.toml`, then "
                     "`scripts/findings.sh`.", ""]
    verdicts = sum(line.startswith("Verdict: ") for line in page)
    if verdicts != len(CLAIMS):
        raise SystemExit(f"findings: {verdicts} verdicts for {len(CLAIMS)} claims")
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(page))
    os.replace(tmp, out)


if __name__ == "__main__":
    main(sys.argv)
