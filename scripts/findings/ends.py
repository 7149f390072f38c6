"""How runs ended, shared by claims 2 and 5: whether a run ended within the horizon,
whether it ended with accumulated error (frontier accuracy below 0.99 at its last
round) or was stopped while still right (a stall: its check stopped accepting
enough problems to advance), and its end round."""

from stats import median_interval, share_interval

ACCURATE = 0.99


def summarise(rows):
    """rows: dicts with end_reason, end_round, final_accuracy, generations."""
    n = len(rows)
    ended = [r for r in rows if r["end_reason"] != "round_limit"]
    with_error = [r for r in ended if r["final_accuracy"] < ACCURATE]
    return {
        "n": n,
        "ended": len(ended),
        "ended_ci": share_interval(len(ended), n),
        "collapsed": sum(r["end_reason"] == "collapsed" for r in rows),
        "stalled": sum(r["end_reason"] == "stalled" for r in rows),
        "with_error": len(with_error),
        "stopped_right": len(ended) - len(with_error),
        "end_round": median_interval([r["end_round"] for r in rows]),
        "last_end": max((r["end_round"] for r in ended), default=None),
        "horizon": rows[0]["generations"] if rows else None,
    }


def paired_end_gain(rows, baseline, choice, key):
    """Median paired difference in end_round of `choice` over `baseline` (same seed,
    same other parameters), with its exact interval."""
    base = {(r["seed"],) + tuple(r[k] for k in key): r["end_round"] for r in rows if r["verifier"] == baseline}
    diffs = [r["end_round"] - base[(r["seed"],) + tuple(r[k] for k in key)] for r in rows
             if r["verifier"] == choice and (r["seed"],) + tuple(r[k] for k in key) in base]
    return median_interval(diffs), len(diffs)


def cell(s):
    lo, hi = s["ended_ci"]
    m, mlo, mhi = s["end_round"]
    # A run still going at the horizon ends there: a median at the horizon is a lower bound.
    at_least = ">= " if m >= s["horizon"] else ""
    return (f"{s['ended']} of {s['n']} [{lo:.2f}, {hi:.2f}] | {s['collapsed']} / {s['stalled']} "
            f"| {s['with_error']} / {s['stopped_right']} | {at_least}{m:g} [{mlo}, {mhi}]")


HEADER = ("| ended within the horizon [95% CI] | collapsed / stalled | ended with error / stopped while right "
          "| end round, median [95% CI] |")


def survival(rows, horizon):
    """Share of runs still going after each round 0..horizon."""
    n = len(rows)
    return [(t, sum(r["end_round"] > t or r["end_reason"] == "round_limit" for r in rows) / n)
            for t in range(horizon + 1)]
