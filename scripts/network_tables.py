"""The tables of docs/MODEL.md, "What the network learner shows", from the
datasets of sweeps/network.toml, network-symmetry.toml and
network-forgetting.toml, so that every number there can be re-counted:

    avalanche run sweeps/network.toml        # and the other two
    python scripts/network_tables.py results

Needs duckdb (the interop venv has it: target/interop-venv/bin/python).
"""

import sys

import duckdb

ORDER = "list_position(['none', 'majority', 'commutative', 'outcome'], verifier)"


def runs(root, name):
    return f"read_parquet('{root}/{name}/runs/*.parquet')"


def generations(root, name):
    return f"read_parquet('{root}/{name}/generations/*.parquet')"


def outcomes(con, root):
    """One row per learner, encoding and verifier of sweeps/network.toml."""
    rows = con.sql(f"""
        select learner, encoding, verifier,
            sum((end_reason = 'collapsed')::int) || '/' || sum((end_reason = 'stalled')::int)
                || '/' || sum((end_reason = 'round_limit')::int),
            median(end_round), min(end_round), max(end_round),
            round(avg(final_digits), 1),
            sum((growth_law = 'exponential')::int) || '/' || sum((growth_law = 'polynomial')::int)
                || '/' || sum((growth_law = 'flat')::int) || '/' || sum((growth_law = 'too_few_points')::int),
            round(avg(mean_first_visit_errors), 1), round(avg(final_entropy_frontier), 3),
            round(avg(final_mirror_error_share), 2), round(avg(final_mirror_error_share_chance), 3),
            round(avg(supervised_steps))
        from {runs(root, 'network')}
        group by learner, encoding, verifier
        order by learner desc, encoding, {ORDER}""").fetchall()
    print("| learner | encoding | verifier | ends c/s/l | rounds: median (range) | final digits: mean | law e/p/f/t "
          "| first-visit errors | final entropy | final mirror share (chance) | supervised steps |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for (learner, encoding, verifier, ends, median, low, high, final, law, first, entropy, mirror, chance,
         steps) in rows:
        encoding = encoding if learner == "network" else "-"
        mirror = "-" if mirror is None else f"{mirror} ({chance})"
        steps = "-" if steps is None else int(steps)
        print(f"| {learner} | {encoding} | {verifier} | {ends} | {median} ({low}-{high}) | {final} | {law} "
              f"| {first} | {entropy} | {mirror} | {steps} |")


def first_visits(con, root):
    """Under `none`: mean first-visit errors and frontier error by round."""
    print("\n| learner, encoding | " + " | ".join(f"round {r}" for r in range(6)) + " |")
    print("|---|" + "---|" * 6)
    for learner, encoding in [("table", "copy"), ("network", "learned"), ("network", "copy"),
                              ("network", "sinusoidal")]:
        rows = dict(((g, (n, f, e)) for g, n, f, e in con.sql(f"""
            select generation, count(*), round(avg(first_visit_errors), 1), round(avg(1 - accuracy_frontier), 3)
            from {generations(root, 'network')}
            where verifier = 'none' and learner = '{learner}' and encoding = '{encoding}' and generation < 6
            group by generation""").fetchall()))
        cells = [f"{rows[r][1]} / {rows[r][2]} ({rows[r][0]})" if r in rows else "-" for r in range(6)]
        label = "table" if learner == "table" else f"network, {encoding}"
        print(f"| {label} | " + " | ".join(cells) + " |")


def symmetry(con, root, name):
    """Mirror-symmetric wrong pairs by phase of the run, pooled: mirrored
    pairs over wrong pairs with a != b, each summed over every round. The
    wrong pairs with a != b are `systematic_errors - self_mirror_errors`
    (the same count as `mirror_errors / mirror_error_share` wherever that is
    defined); recovering them from the share alone left out every round with
    no mirrored pair (share 0), which inflated the pooled share."""
    rows = con.sql(f"""
        select learner, encoding, verifier,
            case when generation <= 3 then '0-3' when generation <= 10 then '4-10' else '11+' end as phase,
            count(*), round(avg(mirror_errors), 1),
            round(sum(mirror_errors) / nullif(sum(systematic_errors - self_mirror_errors), 0), 2),
            round(avg(mirror_error_share_chance), 3), round(avg(mirror_error_share_context_chance), 2)
        from {generations(root, name)}
        where verifier in ('majority', 'commutative')
        group by all order by learner desc, encoding, verifier desc, min(generation)""").fetchall()
    print(f"\n{name}:\n")
    print("| learner | encoding | verifier | rounds | round rows | mirrored wrong pairs per round "
          "| pooled mirrored share | chance by position | chance by context |")
    print("|---|---|---|---|---|---|---|---|---|")
    for learner, encoding, verifier, phase, n, mirrored, share, chance, context in rows:
        encoding = encoding if learner == "network" else "-"
        share, chance, context = ("-" if x is None else x for x in (share, chance, context))
        print(f"| {learner} | {encoding} | {verifier} | {phase} | {n} | {mirrored} | {share} | {chance} | {context} |")


def first_visit_symmetry(con, root, name):
    """Mirror symmetry of the errors a new position brings, before any training on it.

    Caution: the wrong pairs with a != b of a first visit are recovered as
    `first_visit_mirror_errors / first_visit_mirror_share`, which is 0 / 0
    for a first visit with no mirrored pair; no column counts them (and
    `first_visit_errors` counts a = b too), so those visits are left out of
    the wrong pairs and the pooled share is biased upwards."""
    rows = con.sql(f"""
        select encoding, verifier,
            case when generation <= 3 then '0-3' when generation <= 10 then '4-10' else '11+' end as phase,
            count(first_visit_mirror_errors),
            round(sum(first_visit_mirror_errors / nullif(first_visit_mirror_share, 0))),
            round(sum(first_visit_mirror_errors) / sum(first_visit_mirror_errors / nullif(first_visit_mirror_share, 0)), 2),
            round(avg(first_visit_mirror_share_chance), 3)
        from {generations(root, name)}
        where verifier in ('majority', 'commutative') and learner = 'network'
        group by all order by encoding, verifier desc, min(generation)""").fetchall()
    print(f"\n{name}, first visits (network):\n")
    print("| encoding | verifier | rounds | first visits | wrong pairs | pooled mirrored share | chance by position |")
    print("|---|---|---|---|---|---|---|")
    for encoding, verifier, phase, visits, wrong, share, chance in rows:
        wrong = "-" if wrong is None else int(wrong)
        share, chance = ("-" if x is None else x for x in (share, chance))
        print(f"| {encoding} | {verifier} | {phase} | {visits} | {wrong} | {share} | {chance} |")


def forgetting(con, root):
    rows = con.sql(f"""
        select r.verifier, r.real_fraction,
            sum((end_reason = 'collapsed')::int) || '/' || sum((end_reason = 'stalled')::int)
                || '/' || sum((end_reason = 'round_limit')::int),
            round(avg(max_forgetting), 1), max(max_forgetting), round(min(g.low), 3)
        from {runs(root, 'network-forgetting')} r
        join (select run_id, min(accuracy_start) low from {generations(root, 'network-forgetting')}
              group by run_id) g using (run_id)
        group by r.verifier, r.real_fraction order by {ORDER.replace('verifier', 'r.verifier')}, r.real_fraction""").fetchall()
    print("\n| verifier | real_fraction | ends c/s/l | max_forgetting: mean (largest) | lowest accuracy_start |")
    print("|---|---|---|---|---|")
    for verifier, fraction, ends, mean, largest, low in rows:
        print(f"| {verifier} | {fraction} | {ends} | {mean} ({largest}) | {low} |")


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "results"
    con = duckdb.connect()
    outcomes(con, root)
    first_visits(con, root)
    symmetry(con, root, "network")
    symmetry(con, root, "network-symmetry")
    first_visit_symmetry(con, root, "network")
    first_visit_symmetry(con, root, "network-symmetry")
    forgetting(con, root)


if __name__ == "__main__":
    main()
