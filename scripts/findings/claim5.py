"""Claim 5: unsupervised self-training (no external ground truth, no cross-model
verification) is inherently time-limited. Self-only checks against a cross-model
committee and external checkers over a long horizon, paired by seed; the deciding
figure is the share of runs still going after each round."""

from ends import HEADER, cell, summarise, survival
from svg import line_chart

KINDS = {"none": "self-only", "majority": "self-only", "commutative": "self-only", "committee": "cross-model",
         "outcome": "external", "step": "external"}


def section(ds, figure_dir):
    rows = ds.dicts("select seed, verifier, end_reason, end_round, final_accuracy, reach99, final_digits, "
                    "generations from {runs}")
    horizon = rows[0]["generations"]
    order = [v for v in KINDS if any(r["verifier"] == v for r in rows)]
    table, series, by_kind = [], [], {}
    for v in order:
        group = [r for r in rows if r["verifier"] == v]
        s = summarise(group)
        k = by_kind.setdefault(KINDS[v], {"n": 0, "ended": 0, "last": 0, "right_at_end": 0})
        k["n"] += s["n"]
        k["ended"] += s["ended"]
        k["last"] = max(k["last"], s["last_end"] or 0)
        k["right_at_end"] += sum(r["end_reason"] == "round_limit" and r["final_accuracy"] >= 0.99 for r in group)
        k["stalled_right"] = k.get("stalled_right", 0) + s["stopped_right"]
        reach = sorted(r["final_digits"] for r in group)[len(group) // 2]
        table.append(f"| `{v}` | {KINDS[v]} | {cell(s)} | {reach} |")
        series.append((f"{v} ({KINDS[v]})", survival(group, horizon)))
    with open(f"{figure_dir}/claim5.svg", "w") as f:
        f.write(line_chart(series, "Claim 5: share of runs still self-training after each round", "round",
                           "share of runs still going", y_range=(0, 1.05)))
    own = by_kind.get("self-only", {"n": 0, "ended": 0, "last": 0})
    ext = by_kind.get("external", {"n": 0, "ended": 0, "right_at_end": 0})
    cross = by_kind.get("cross-model")
    if own["n"] and own["ended"] == own["n"] and ext["n"] and ext["ended"] == 0:
        verdict = (f"holds: every self-only run ended ({own['ended']} of {own['n']}, the last at round "
                   f"{own['last']} of {horizon}; {own['stalled_right']} of them by a stall with frontier accuracy "
                   f"still >= 0.99, the check no longer accepting enough to advance), while {ext['n'] - ext['ended']} of {ext['n']} runs with an "
                   f"external checker were still advancing at the horizon ({ext['right_at_end']} of them with "
                   f"frontier accuracy >= 0.99)")
    else:
        verdict = (f"holds only in part: {own['ended']} of {own['n']} self-only runs ended within {horizon} "
                   f"rounds, and {ext['ended']} of {ext['n']} externally checked runs ended")
    if cross:
        verdict += (f"; the cross-model committee is time-limited too here: {cross['ended']} of {cross['n']} "
                    f"runs ended, the last at round {cross['last']}" if cross["ended"] == cross["n"] else
                    f"; the cross-model committee ended in {cross['ended']} of {cross['n']} runs")
    return [
        f"Verdict: {verdict}.",
        "",
        "Self-only: the model checks itself (`none`, `majority`, `commutative`). Cross-model: a `committee` of "
        "independently drawn learners trained on the same accepted data. External: a checker that knows the "
        "truth (`outcome`: the final answer; `step`: every step). Same columns as Claim 2; *final digits* is "
        "the median frontier length of the last round. In the figure `outcome` and `step` coincide at 1 (every run "
        "still going).",
        "",
        "| verifier | kind " + HEADER + " final digits, median |",
        "|---|---|---|---|---|---|---|",
        *table,
        "",
        "![Claim 5](findings/claim5.svg)",
    ]
