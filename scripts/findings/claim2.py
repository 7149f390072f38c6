"""Claim 2: self-consistency checks (majority vote, commutativity) slow the avalanche
but do not stop it: the runway is longer, and the process still ends by accumulated
error. Judged on paired runs: every verifier at a noise rate meets the same problems
and blind spots, so the gain in rounds is a per-seed difference."""

from ends import HEADER, cell, paired_end_gain, summarise
from svg import dot_chart

CHECKS = ["majority", "commutative"]


def section(ds, figure_dir):
    rows = ds.dicts("select seed, verifier, noise_rate, end_reason, end_round, final_accuracy, generations "
                    "from {runs}")
    noises = sorted({r["noise_rate"] for r in rows})
    order = ["none"] + CHECKS
    table, dots, gains, still, stopped_right, checked_ended, checked = [], [], [], [], [], 0, 0
    horizon = rows[0]["generations"]
    for noise in noises:
        for v in order:
            group = [r for r in rows if r["verifier"] == v and r["noise_rate"] == noise]
            s = summarise(group)
            gain = "-"
            if v != "none":
                (m, lo, hi), n = paired_end_gain([r for r in rows if r["noise_rate"] == noise], "none", v, [])
                at_least = ">= " if s["end_round"][0] >= horizon else ""  # censored at the horizon
                gain = f"{at_least}{m:+g} [{lo:+g}, {hi:+g}] ({n} pairs)"
                gains.append((v, noise, m, lo, hi))
                checked += s["n"]
                checked_ended += s["ended"]
                if s["ended"] < s["n"]:
                    going = [r for r in group if r["end_reason"] == "round_limit"]
                    eroding = sum(r["final_accuracy"] < 0.99 for r in going)
                    still.append(f"`{v}` at noise {noise:g} ({len(going)} of {s['n']} runs, {eroding} of them with "
                                 f"frontier accuracy already below 0.99 at the horizon)")
                if s["stopped_right"]:
                    stopped_right.append((v, noise, s["stopped_right"], s["ended"]))
            table.append(f"| `{v}` | {noise:g} | {cell(s)} | {gain} |")
            m, lo, hi = s["end_round"]
            dots.append((f"{v}, noise {noise:g}", m, lo, hi, order.index(v)))
    with open(f"{figure_dir}/claim2.svg", "w") as f:
        f.write(dot_chart(dots, "Claim 2: rounds until the run ended (median, 95% CI)",
                          f"end round (dashed: the horizon, {horizon}; a run still going there ends at it)",
                          reference=float(horizon)))
    slower = [g for g in gains if g[3] > 0]
    parts = []
    if len(slower) == len(gains):
        lo = min(g[2] for g in gains)
        hi = max(g[2] for g in gains)
        parts.append(f"both checks lengthen the run at every noise rate (median paired gain over `none` "
                     f"{lo:+g} to {hi:+g} rounds, every interval above 0)")
    else:
        parts.append(f"the checks lengthen the run at {len(slower)} of {len(gains)} (check, noise) points (median "
                     f"paired gain over `none` {min(g[2] for g in slower):+g} to {max(g[2] for g in slower):+g} rounds, "
                     "the largest a lower bound where runs were still going at the horizon), "
                     "not measurably at " + ", ".join(f"`{g[0]}` at noise {g[1]:g} ({g[2]:+g} [{g[3]:+g}, {g[4]:+g}])"
                                                       for g in gains if g[3] <= 0))
    if still:
        parts.append(f"but within {horizon} rounds they did not end at every point: still advancing were "
                     + ", ".join(still))
    else:
        parts.append(f"and every checked run ended within {horizon} rounds")
    right = sum(x[2] for x in stopped_right)
    if right:
        parts.append(f"{right} of the {checked_ended} checked runs that ended stopped with frontier accuracy "
                     f"still >= 0.99 (a stall: the check stopped accepting enough problems to advance), which is "
                     f"not an end by accumulated error ("
                     + ", ".join(f"`{v}` at noise {n:g}: {k} of {e}" for v, n, k, e in stopped_right) + ")")
    holds = len(slower) == len(gains) and not still and not right
    verdict = ("holds: " if holds else "holds only in part: ") + "; ".join(parts)
    return [
        f"Verdict: {verdict}.",
        "",
        "A run ends `collapsed` (frontier accuracy below 0.5), `stalled` (3 rounds in a row without enough "
        "accepted problems to advance) or at the horizon (`round_limit`, still going). *Ended with error*: its "
        "last frontier accuracy is below 0.99. The gain is the median over seeds of the paired difference in "
        "end round against `none`, with the exact order-statistic 95% interval; shares have exact binomial "
        "(Clopper-Pearson) intervals. A run still going at the horizon counts as ending there, so an end round "
        "or gain marked `>=` is a lower bound.",
        "",
        "| verifier | noise_rate " + HEADER + " gain over `none` in rounds, median paired [95% CI] |",
        "|---|---|---|---|---|---|---|",
        *table,
        "",
        "![Claim 2](findings/claim2.svg)",
    ]
