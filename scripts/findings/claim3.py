"""Claim 3: the error floor is set by the quality of the check, not by the model's
capability. Capability (how often the model errs on its own) and check quality are
crossed, for both learners and two kinds of check, with every cell at a replicate
sharing its seed, so each effect is a per-seed difference.

The floor of a run is the contamination of the data it trained on: wrong answers
among every accepted trace of every round (a ratio of sums, not a mean of per-round
shares). Beside it, the frontier error the run ended at (1 - final accuracy)."""

from collections import defaultdict

from stats import bootstrap_mean, median_interval
from svg import dot_chart

FAMILIES = {"majority": ("quorum", True), "outcome": ("false_accept", False)}  # knob, higher is stricter


def _runs(ds):
    floors = {}
    for run_id, wrong, accepted in ds.rows(
            "select run_id, sum(contamination * accepted), sum(accepted) from {generations} "
            "where accepted > 0 group by run_id"):
        floors[run_id] = wrong / accepted
    first_error = dict(ds.rows("select run_id, step_error_rate from {generations} where generation = 0"))
    rows = ds.dicts("select run_id, seed, learner, noise_rate, blind_spot_rate, hidden_width, verifier, quorum, "
                    "false_accept, final_accuracy from {runs}")
    for r in rows:
        r["floor"] = floors.get(r["run_id"], 0.0)
        r["end_error"] = 1 - r["final_accuracy"]
        r["first_error"] = first_error.get(r["run_id"])
        r["capability"] = (r["noise_rate"], r["blind_spot_rate"] if r["learner"] == "table" else r["hidden_width"])
        knob, stricter_high = FAMILIES[r["verifier"]]
        r["check"] = r[knob]
        r["strictness"] = r[knob] if stricter_high else -r[knob]
    return rows


def _effect(seeds_from, seeds_to):
    """Mean over seeds of floor(to) - floor(from), with its bootstrap interval."""
    a = {r["seed"]: r["floor"] for r in seeds_from}
    diffs = [r["floor"] - a[r["seed"]] for r in seeds_to if r["seed"] in a]
    return bootstrap_mean(diffs), len(diffs)


def section(ds, figure_dir):
    rows = _runs(ds)
    out, dots, findings = [], [], []
    for learner in ("table", "network"):
        for family, (knob, _) in FAMILIES.items():
            group = [r for r in rows if r["learner"] == learner and r["verifier"] == family]
            if not group:
                continue
            caps = sorted({r["capability"] for r in group})  # strong (fewest slips) first
            checks = sorted({r["check"] for r in group}, key=lambda c: -next(
                r["strictness"] for r in group if r["check"] == c))  # strictest first
            cell = defaultdict(list)
            for r in group:
                cell[(r["capability"], r["check"])].append(r)
            cap_name = "noise_rate, " + ("blind_spot_rate" if learner == "table" else "hidden_width")
            out += [f"**{learner} learner, `{family}` (check quality: `{knob}`).** Floor (mean contamination "
                    f"[95% CI]) and median end error, by capability (rows: {cap_name}; first-round share of "
                    f"wrong generated steps in brackets) and check (columns):", "",
                    "| capability | " + " | ".join(f"{knob} = {c:g}" for c in checks) + " |",
                    "|---|" + "---|" * len(checks)]
            for cap in caps:
                first = median_interval([r["first_error"] for c in checks for r in cell[(cap, c)]
                                         if r["first_error"] is not None])[0]
                cells = []
                for c in checks:
                    m, lo, hi = bootstrap_mean([r["floor"] for r in cell[(cap, c)]])
                    end = median_interval([r["end_error"] for r in cell[(cap, c)]])[0]
                    cells.append(f"{m:.3f} [{lo:.3f}, {hi:.3f}]; end {end:.3f}")
                out.append(f"| {cap[0]:g}, {cap[1]:g} ({first:.3f}) | " + " | ".join(cells) + " |")
            out.append("")
            check_effects = [_effect(cell[(cap, checks[0])], cell[(cap, checks[-1])]) for cap in caps]
            cap_effects = [_effect(cell[(caps[0], c)], cell[(caps[-1], c)]) for c in checks]
            name = f"the {learner} learner with `{family}`"
            short = f"{learner}, {family}"
            levels = ["strong", "middle", "weak"] if len(caps) == 3 else [f"level {i + 1}" for i in range(len(caps))]
            for level, ((m, lo, hi), _) in zip(levels, check_effects):
                dots.append((f"{short}: check, at {level} capability", m, lo, hi, 0))
            for c, ((m, lo, hi), _) in zip(checks, cap_effects):
                dots.append((f"{short}: capability, at {knob} {c:g}", m, lo, hi, 1))
            findings.append((name, knob, checks, caps, check_effects, cap_effects))
    with open(f"{figure_dir}/claim3.svg", "w") as f:
        f.write(dot_chart(dots, "Claim 3: how far the floor moves across each range (paired by seed)",
                          "change in floor: loosest minus strictest check (circles), "
                          "weakest minus strongest capability (squares)", reference=0.0))
    sentences, by_check, by_both, by_cap = [], [], [], []
    for name, knob, checks, caps, check_effects, cap_effects in findings:
        ce = [e[0] for e in check_effects]
        ca = [e[0] for e in cap_effects]
        check_span = (min(e[0] for e in ce), max(e[0] for e in ce))
        cap_span = (min(e[0] for e in ca), max(e[0] for e in ca))
        # Set by the check alone: the check moves the floor at every capability, and the
        # capability's effect is within its noise (interval contains 0) at every check.
        check_moves = all(lo > 0 for _, lo, _ in ce)
        cap_still = all(lo <= 0 <= hi for _, lo, hi in ca)
        cap_moves = any(lo > 0 or hi < 0 for _, lo, hi in ca)
        verdict = ("by the check alone" if check_moves and cap_still else
                   "by both" if check_moves and cap_moves else
                   "by capability more than by the check" if cap_moves else "by neither, measurably")
        {"by the check alone": by_check, "by both": by_both}.get(verdict, by_cap).append(name)
        sentences.append(
            f"- **{name}**: {verdict}. Loosening `{knob}` from {checks[0]:g} to {checks[-1]:g} moves the floor by "
            f"{check_span[0]:+.3f} to {check_span[1]:+.3f} (across capability levels); weakening capability "
            f"moves it by {cap_span[0]:+.3f} to {cap_span[1]:+.3f} (across check levels); intervals in the "
            "figure.")
    check_moves_all = [f for f in findings if all(lo > 0 for (_, lo, _), _ in f[4])]
    if by_check and not by_both and not by_cap:
        verdict = "holds: the floor moves with the check and not measurably with capability, for " + \
            ", ".join(by_check)
    else:
        lows = [m for f in findings for (m, _, _), _ in f[4]]
        parts = [f"loosening the check raises the floor at every capability level in {len(check_moves_all)} of "
                 f"{len(findings)} cases (by {min(lows):+.3f} to {max(lows):+.3f})"]
        ways = {"raises": [], "lowers": []}
        for name, knob, checks, caps, check_effects, cap_effects in findings:
            moved = [m for (m, lo, hi), _ in cap_effects if lo > 0 or hi < 0]
            if moved:
                largest = max(moved, key=abs)
                ways["raises" if largest > 0 else "lowers"].append(f"{name} (up to {largest:+.3f})")
        said = [f"{way} it for " + ", ".join(who) for way, who in ways.items() if who]
        if said:
            parts.append("but capability moves it as well: a weaker model " + "; and ".join(said))
        if by_check:
            parts.append("set by the check alone for " + ", ".join(by_check))
        verdict = "holds only in part: " + "; ".join(parts)
    return [
        f"Verdict: {verdict}.",
        "",
        "The *floor* of a run is the share of wrong answers among all traces it trained on (every round, a "
        "ratio of sums); *end error* is 1 minus its last frontier accuracy. Capability runs from strong to weak "
        "as slips (`noise_rate`) and systematic errors (the table's `blind_spot_rate`, the network's smaller "
        "`hidden_width`) rise; the bracketed share is what the model actually got wrong in its first round. "
        "Check quality runs from strict to loose: majority vote's `quorum`, the outcome checker's "
        "`false_accept`. An effect is the mean over seeds of the paired change in floor across the whole range "
        "of one factor at a fixed level of the other, with a 95% bootstrap interval.",
        "",
        *sentences,
        "",
        *out,
        "![Claim 3](findings/claim3.svg)",
    ]
