"""Claim 4: outcome-only verification still carries an error signal, but step
mistakes that happen to give the right outcome stay uncorrected and can compound in
later rounds. Decided by `outcome` against `step` (both perfect checkers: they differ
only in whether they look at the steps) across `cot_reliance`, the chance that a
step computes from the carry its own trace wrote, paired by seed, for both learners.
The mechanism is counted: accepted traces whose answer is right but a step is wrong."""

from stats import bootstrap_mean, median_interval, paired_difference
from svg import line_chart


def _runs(ds):
    pooled = {}
    for run_id, hidden, steps, accepted, late_hidden, late_accepted in ds.rows(
            "select run_id, sum(wrong_step_right_answer * accepted), sum(step_contamination * accepted), "
            "sum(accepted), sum(case when generation >= 10 then wrong_step_right_answer * accepted end), "
            "sum(case when generation >= 10 then accepted end) "
            "from {generations} where accepted > 0 group by run_id"):
        pooled[run_id] = (hidden / accepted, steps / accepted)
    rows = ds.dicts("select run_id, seed, learner, verifier, cot_reliance, end_round, end_reason, reach99, "
                    "final_digits, final_accuracy from {runs}")
    for r in rows:
        r["hidden"], r["step_share"] = pooled.get(r["run_id"], (0.0, 0.0))
    return rows


def _paired(rows, key, a, b, value):
    """Mean over seeds of value(b) - value(a) at the same key, with its interval."""
    return paired_difference([r for r in rows if r["verifier"] == a], [r for r in rows if r["verifier"] == b],
                             value, key=lambda r: (r["seed"],) + key(r))


def section(ds, figure_dir):
    rows = _runs(ds)
    ceiling = ds.rows("select max(start_digits + generations) from {runs}")[0][0]
    reliances = sorted({r["cot_reliance"] for r in rows}, reverse=True)
    learners = [x for x in ("table", "network") if any(r["learner"] == x for r in rows)]
    table, series, gaps_at_one, gaps_below, step_hidden = [], [], [], [], []
    for learner in learners:
        for verifier in ("outcome", "step"):
            pts = []
            for c in reliances:
                group = [r for r in rows if r["learner"] == learner and r["verifier"] == verifier
                         and r["cot_reliance"] == c]
                hidden = bootstrap_mean([r["hidden"] for r in group])
                # The mean, as the gaps below are mean paired differences (reach99 is bimodal near the
                # ceiling, where a median jumps between the two modes).
                pts.append((c, sum(r["reach99"] or 0 for r in group) / len(group)))
                if verifier == "outcome":
                    key = (lambda r: (r["learner"], r["cot_reliance"]))
                    sub = [r for r in rows if r["learner"] == learner and r["cot_reliance"] == c]
                    (gap, glo, ghi), n = _paired(sub, key, "outcome", "step", lambda r: r["reach99"] or 0)
                    (egap, elo, ehi), _ = _paired(sub, key, "outcome", "step", lambda r: r["end_round"])
                    step = [r for r in sub if r["verifier"] == "step"]
                    hidden_step = bootstrap_mean([r["hidden"] for r in step])[0]
                    reach = median_interval([r["reach99"] or 0 for r in group])
                    reach_step = median_interval([r["reach99"] or 0 for r in step])
                    table.append(
                        f"| {learner} | {c:g} | {hidden[0]:.4f} [{hidden[1]:.4f}, {hidden[2]:.4f}] | {hidden_step:.4f} "
                        f"| {reach[0]:g} [{reach[1]}, {reach[2]}] | {reach_step[0]:g} [{reach_step[1]}, "
                        f"{reach_step[2]}] | {gap:+.2f} [{glo:+.2f}, {ghi:+.2f}] | {egap:+.2f} [{elo:+.2f}, "
                        f"{ehi:+.2f}] |")
                    (gaps_at_one if c == 1 else gaps_below).append((learner, c, hidden[0], gap, glo, ghi))
                    step_hidden.append(hidden_step)
            series.append((f"{learner}, {verifier}", pts))
    with open(f"{figure_dir}/claim4.svg", "w") as f:
        f.write(line_chart(series, "Claim 4: how far self-training stays 99% right, outcome against step checks",
                           "cot_reliance (chance a step reads the carry its trace wrote)",
                           f"reach99, mean over seeds (digits; ceiling {ceiling})", y_range=(0, ceiling)))
    mechanism = [g for g in gaps_below if g[2] > 0]
    parts = []
    if mechanism:
        lo, hi = min(g[2] for g in mechanism), max(g[2] for g in mechanism)
        parts.append(f"below full reliance `outcome` trains on traces with a right answer and a wrong step "
                     f"({lo:.1%} to {hi:.1%} of what it trains on, at {len(mechanism)} of {len(gaps_below)} "
                     f"(learner, reliance) points)" + (", which `step` never accepts" if max(step_hidden) == 0 else
                                                    f"; `step` at most {max(step_hidden):.1%}"))
    compounding, harmless = [], []
    for learner in learners:
        mine = [g for g in gaps_below if g[0] == learner]
        costly = [g for g in mine if g[4] > 0]
        if costly and len(costly) == len(mine):
            capped = sum((r["reach99"] or 0) >= ceiling for r in rows
                         if r["learner"] == learner and r["verifier"] == "step" and r["cot_reliance"] < 1)
            compounding.append(f"for the {learner} learner they compound: `step` reaches further than "
                               f"`outcome` at every reliance below 1, by {min(g[3] for g in costly):.1f} to "
                               f"{max(g[3] for g in costly):.1f} digits (reach99, mean paired gap; a lower bound, as "
                               f"{capped} of its `step` runs end at the reach ceiling)")
        elif costly:
            compounding.append(f"for the {learner} learner `step` reaches further at reliance " + ", ".join(
                f"{g[1]:g} (+{g[3]:.1f} [{g[4]:+.1f}, {g[5]:+.1f}])" for g in costly))
        else:
            harmless.append(learner)
    parts += compounding
    censored = []
    for learner in harmless:
        mine = [r for r in rows if r["learner"] == learner and r["cot_reliance"] < 1]
        capped = sum((r["reach99"] or 0) >= ceiling for r in mine)
        if capped * 2 > len(mine):
            censored.append(learner)
        parts.append(f"for the {learner} learner they cost no measurable reach within the horizon ({capped} of "
                     f"{len(mine)} of its runs below full reliance end at the reach ceiling of {ceiling} digits under "
                     "either check, so a later cost cannot be ruled out)")
    differ_at_one = [g for g in gaps_at_one if not g[4] <= 0 <= g[5]]
    if differ_at_one:
        parts.append("at full reliance (`cot_reliance = 1`, where only cancelling errors give a wrong step a right "
                     "answer) `step` still reaches further for the " + ", ".join(
                         f"{g[0]} learner ({g[3]:+.1f} digits [{g[4]:+.1f}, {g[5]:+.1f}])" for g in differ_at_one)
                     + ", so part of the gap below 1 may come from other differences between the checks than hidden "
                     "wrong steps; not measurably for the " + ", ".join(
                         f"{g[0]} learner" for g in gaps_at_one if g not in differ_at_one))
    else:
        parts.append(f"at full reliance (`cot_reliance = 1`) `outcome` and `step` do not differ measurably in reach "
                     f"for any of the {len(gaps_at_one)} learners")
    if mechanism and compounding and not harmless:
        verdict = "holds when the chain of thought is not fully used: " + "; ".join(parts)
    elif mechanism and compounding:
        held = " and ".join(x for x in learners if x not in harmless)
        if censored:
            verdict = (f"holds for the {held} learner; undecided within the horizon for the "
                       + " and ".join(censored) + " learner: " + "; ".join(parts))
        else:
            verdict = f"holds for the {held} learner only: " + "; ".join(parts)
    else:
        verdict = "fails here: " + "; ".join(parts)
    return [
        f"Verdict: {verdict}.",
        "",
        "Both checkers are perfect (`false_accept = 0`): `outcome` looks at the final answer, `step` at every "
        "step. The hidden share is, over every round of a run, accepted traces whose answer is right but some "
        "step wrong, divided by all accepted traces (a ratio of sums); its mean over runs has a 95% bootstrap "
        "interval. The gaps are `step` minus `outcome` per seed (reach99 in digits, a run that never reached "
        "0.99 counting 0; end round), mean with a 95% bootstrap interval. A reach99 of "
        f"{ceiling} digits is the horizon's ceiling (`start_digits` + `generations`): still 99% right at the "
        "last round.",
        "",
        "| learner | cot_reliance | hidden share under `outcome` [95% CI] | under `step` | reach99 `outcome`, "
        "median [95% CI] | reach99 `step` | reach99 gap, `step` - `outcome` [95% CI] | end-round gap [95% CI] |",
        "|---|---|---|---|---|---|---|---|",
        *table,
        "",
        "![Claim 4](findings/claim4.svg)",
    ]
