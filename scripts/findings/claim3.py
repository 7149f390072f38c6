"""Claim 3: the error floor is set by the quality of the check, not by the model's
capability. Capability (how often the model errs on its own) and check quality are
crossed, for both learners and two kinds of check, with every cell at a replicate
sharing its seed, so each effect is a per-seed difference.

The floor of a run is the contamination of the data it trained on: wrong answers
among every accepted trace of every round (a ratio of sums, not a mean of per-round
shares). Beside it, the frontier error the run ended at (1 - final accuracy)."""

from collections import defaultdict

from stats import bootstrap_mean, median_interval, paired_difference
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
                    "false_accept, final_accuracy, final_digits, start_digits from {runs}")
    for r in rows:
        r["floor"] = floors.get(r["run_id"], 0.0)
        r["end_error"] = 1 - r["final_accuracy"]
        # A run whose check never let it past its first frontier did not self-train: it has no floor.
        r["trained"] = r["final_digits"] > r["start_digits"] + 1
        r["first_error"] = first_error.get(r["run_id"])
        r["capability"] = (r["noise_rate"], r["blind_spot_rate"] if r["learner"] == "table" else r["hidden_width"])
        knob, stricter_high = FAMILIES[r["verifier"]]
        r["check"] = r[knob]
        r["strictness"] = r[knob] if stricter_high else -r[knob]
    return rows


def _has_floor(runs):
    """A cell has a floor when most of its runs self-trained (advanced past their first frontier); where
    the check let most runs through nothing, its contamination describes a loop that never ran."""
    return sum(r["trained"] for r in runs) * 2 > len(runs)


def _span(levels, cell_of):
    """The first and last of `levels` whose cells have a floor, or None if fewer than two do."""
    usable = [x for x in levels if _has_floor(cell_of(x))]
    return (usable[0], usable[-1]) if len(usable) >= 2 else None


def _effect(seeds_from, seeds_to):
    """Mean over seeds of floor(to) - floor(from), with its bootstrap interval."""
    return paired_difference(seeds_from, seeds_to, lambda r: r["floor"])


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
                    runs = cell[(cap, c)]
                    if not _has_floor(runs):
                        idle = sum(not r["trained"] for r in runs)
                        cells.append(f"none: {idle} of {len(runs)} runs never advanced")
                        continue
                    m, lo, hi = bootstrap_mean([r["floor"] for r in runs])
                    end = median_interval([r["end_error"] for r in runs])[0]
                    cells.append(f"{m:.3f} [{lo:.3f}, {hi:.3f}]; end {end:.3f}")
                out.append(f"| {cap[0]:g}, {cap[1]:g} ({first:.3f}) | " + " | ".join(cells) + " |")
            out.append("")
            # Each effect spans the widest range of the factor whose cells have a floor.
            check_effects, cap_effects = [], []
            for cap in caps:
                span = _span(checks, lambda c: cell[(cap, c)])
                if span:
                    check_effects.append((cap, span, _effect(cell[(cap, span[0])], cell[(cap, span[1])])))
            for c in checks:
                span = _span(caps, lambda cap: cell[(cap, c)])
                if span:
                    cap_effects.append((c, span, _effect(cell[(span[0], c)], cell[(span[1], c)])))
            name = f"the {learner} learner with `{family}`"
            short = f"{learner}, {family}"
            levels = dict(zip(caps, ["strong", "middle", "weak"] if len(caps) == 3 else
                              [f"level {i + 1}" for i in range(len(caps))]))
            for cap, span, ((m, lo, hi), _) in check_effects:
                dots.append((f"{short}: check, at {levels[cap]} capability", m, lo, hi, 0))
            for c, span, ((m, lo, hi), _) in cap_effects:
                dots.append((f"{short}: capability, at {knob} {c:g}", m, lo, hi, 1))
            idle = sum(not _has_floor(cell[(cap, c)]) for cap in caps for c in checks)
            findings.append((name, knob, levels, check_effects, cap_effects, idle, len(caps) * len(checks)))
    with open(f"{figure_dir}/claim3.svg", "w") as f:
        f.write(dot_chart(dots, "Claim 3: how far the floor moves across each range (paired by seed)",
                          "change in floor: loosest minus strictest check (circles), "
                          "weakest minus strongest capability (squares)", reference=0.0))

    def spans(effects, fmt):
        return "; ".join(f"{fmt(x, span)} by {m:+.3f} [{lo:+.3f}, {hi:+.3f}]" for x, span, ((m, lo, hi), _) in effects)

    sentences, raises, lowers, still, check_everywhere = [], [], [], [], 0
    for name, knob, levels, check_effects, cap_effects, idle, cells in findings:
        check_moves = bool(check_effects) and all(lo > 0 for _, _, ((_, lo, _), _) in check_effects)
        check_everywhere += check_moves
        moved = [m for _, _, ((m, lo, hi), _) in cap_effects if lo > 0 or hi < 0]
        if moved:
            largest = max(moved, key=abs)
            (raises if largest > 0 else lowers).append(f"{name} (up to {largest:+.3f})")
        else:
            still.append(name)
        idle_note = (f" At {idle} of {cells} cells most runs never advanced past their first frontier (the check "
                     "let nothing through), so they have no floor and the effects span the levels that do."
                     if idle else "")
        sentences.append(
            f"- **{name}**: loosening `{knob}` changes the floor "
            + (spans(check_effects, lambda cap, sp: f"at {levels[cap]} capability ({knob} {sp[0]:g} to {sp[1]:g})")
               or "nothing measurable (too few cells with a floor)")
            + "; weakening capability changes it "
            + (spans(cap_effects, lambda c, sp: f"at {knob} {c:g} ({levels[sp[0]]} to {levels[sp[1]]})")
               or "nothing measurable (too few cells with a floor)")
            + "." + idle_note)
    parts = [f"loosening the check raises the floor at every capability level with a floor in {check_everywhere} "
             f"of {len(findings)} cases"]
    if raises or lowers:
        said = ([("raises it for " + ", ".join(raises))] if raises else []) + \
            ([("lowers it for " + ", ".join(lowers))] if lowers else [])
        parts.append("but capability moves it as well: a weaker model " + "; and ".join(said))
    if still:
        parts.append("capability moves it not measurably for " + ", ".join(still))
    holds = check_everywhere == len(findings) and not raises and not lowers
    verdict = ("holds: " if holds else "holds only in part: ") + "; ".join(parts)
    return [
        f"Verdict: {verdict}.",
        "",
        "The *floor* of a run is the share of wrong answers among all traces it trained on (every round, a "
        "ratio of sums); *end error* is 1 minus its last frontier accuracy. Capability runs from strong to weak "
        "as slips (`noise_rate`) and systematic errors (the table's `blind_spot_rate`, the network's smaller "
        "`hidden_width`) rise; the bracketed share is what the model actually got wrong in its first round. "
        "Check quality runs from strict to loose: majority vote's `quorum`, the outcome checker's "
        "`false_accept`. An effect is the mean over seeds of the paired change in floor across the whole range "
        "of one factor at a fixed level of the other, with a 95% bootstrap interval. The bracketed first-round "
        "share is the median over the row's runs of `step_error_rate` in round 0. The floor is averaged over the "
        "rounds a run lasted (a run that stalls early has a short one), and the end error of runs still going at "
        "the horizon is where they stood then.",
        "",
        *sentences,
        "",
        *out,
        "![Claim 3](findings/claim3.svg)",
    ]
