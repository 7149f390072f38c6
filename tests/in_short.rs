//! `## In short` against the runs table: a small real `addition` sweep whose
//! verifiers end differently (`none` collapses, `majority` mostly reaches
//! the round limit but stalls at the highest noise, `outcome` survives) is
//! run and reported through the binary; the runs are read back from Parquet
//! and every claim of every In short sentence (counts, ranges, commonest
//! values, verdicts, and the points named as exceptions) is checked against
//! per-point figures this test computes itself.

mod common;

use std::collections::{BTreeMap, HashMap};

const SWEEP: &str = "name = \"short\"\nscenario = \"addition\"\nseed = 3\nreplicates = 6\ngenerations = 15\n\
                     [grid]\nverifier = [\"none\", \"majority\", \"outcome\"]\n\
                     noise_rate = [0.003, 0.01, 0.02, 0.03]\n\
                     [params]\nstart_digits = 4\nsupervised_problems = 1000\nproblems = 300\n\
                     eval_problems = 300\nsamples = 5\npatience = 3\n";

const REPLICATES: usize = 6;
const NOISE: [&str; 4] = ["0.003", "0.01", "0.02", "0.03"];

/// One grid point's runs, as this test reads them.
#[derive(Default)]
struct Point {
    /// end_reason -> end_round of each run that ended so.
    ended: BTreeMap<String, Vec<f64>>,
    /// reach99 per run, a null (nothing achieved) as -inf.
    reach: Vec<f64>,
    /// growth_law -> runs.
    growth: BTreeMap<String, usize>,
    /// seed -> reach99, as `reach`, for pairing.
    by_seed: BTreeMap<String, f64>,
}

impl Point {
    fn runs(&self) -> usize {
        self.ended.values().map(Vec::len).sum()
    }

    fn count(&self, reason: &str) -> usize {
        self.ended.get(reason).map_or(0, Vec::len)
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// A median of whole numbers as the report writes it: whole or a half.
fn number(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// "5-6" or "6", as a range across points is written.
fn range(values: &[f64]) -> String {
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if low == high {
        number(low)
    } else {
        format!("{}-{}", number(low), number(high))
    }
}

/// The phrase the addition scenario declares for each end_reason.
fn reason(phrase: &str) -> &'static str {
    match phrase {
        "collapsed" => "collapsed",
        "stalled" => "stalled",
        "reached the round limit" => "round_limit",
        other => panic!("unknown ending `{other}`"),
    }
}

/// Splits at `sep` outside parentheses.
fn split_top<'a>(text: &'a str, sep: &str) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let (mut depth, mut start, mut i) = (0i32, 0, 0);
    let bytes = text.as_bytes();
    while i < text.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth -= 1,
            _ if depth == 0 && text[i..].starts_with(sep) => {
                parts.push(&text[start..i]);
                i += sep.len();
                start = i;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parts.push(&text[start..]);
    parts
}

/// A clause's claim and its named exceptions, each with what happened
/// there: "claim (at noise_rate = a, b: detail; at noise_rate = c: detail)",
/// "(at noise_rate = a: kind; b: kind)", or without what happened, "(not
/// at noise_rate = a, b)" and "(at noise_rate = c only)" (the claim holds
/// there alone) -> (claim, [([a, b], detail or ""), ...]).
fn exceptions(clause: &str) -> (&str, Vec<(Vec<String>, String)>) {
    let Some(body) = clause.strip_suffix(')') else { return (clause, Vec::new()) };
    let open = body.rfind(" (").expect("exceptions in parentheses");
    let (claim, inner) = (&clause[..open], &body[open + 2..]);
    let list = |points: &str| -> Vec<String> { points.split(", ").map(String::from).collect() };
    if let Some(points) = inner.strip_prefix("not at noise_rate = ") {
        return (claim, vec![(list(points), String::new())]);
    }
    if let Some(points) = inner.strip_prefix("at noise_rate = ").and_then(|i| i.strip_suffix(" only")) {
        let holds = list(points);
        let others = NOISE.iter().filter(|n| !holds.iter().any(|h| h == *n)).map(|n| n.to_string()).collect();
        return (claim, vec![(others, String::new())]);
    }
    let named = split_top(inner.strip_prefix("at ").expect("at"), "; ")
        .into_iter()
        .map(|item| {
            let item = item.strip_prefix("at ").unwrap_or(item);
            let item = item.strip_prefix("noise_rate = ").unwrap_or(item);
            let (points, detail) = item.split_once(": ").expect("points: detail");
            (list(points), detail.to_string())
        })
        .collect();
    (claim, named)
}

/// " at 3 of 4 points", " at all 4 points", " at both points": (k, n).
fn at(claim: &str) -> (&str, usize, usize) {
    if let Some(rest) = claim.strip_suffix(" points") {
        let (head, count) = rest.rsplit_once(" at ").expect("at k of n");
        if let Some(all) = count.strip_prefix("all ") {
            let n = all.parse().unwrap();
            return (head, n, n);
        }
        if count == "both" {
            return (head, 2, 2);
        }
        let (k, n) = count.split_once(" of ").expect("k of n");
        return (head, k.parse().unwrap(), n.parse().unwrap());
    }
    panic!("no point count in `{claim}`")
}

/// The points of a choice a claim covers: those not named as exceptions.
fn covered(named: &[(Vec<String>, String)]) -> Vec<&'static str> {
    NOISE.iter().copied().filter(|n| !named.iter().any(|(points, _)| points.iter().any(|p| p == n))).collect()
}

#[test]
fn every_in_short_claim_holds_in_the_runs_table() {
    let printed = check(SWEEP);
    assert!(printed.iter().any(|s| s.contains(" (at noise_rate = ")), "no exception named: {printed:?}");
}

#[test]
fn a_paired_comparison_holds_pair_by_pair() {
    // Runs differing only in the verifier share their seed: the comparison
    // clause then counts the median paired difference's verdicts.
    let printed = check(&SWEEP.replace("[grid]", "paired = [\"verifier\"]\n[grid]"));
    let sized =
        |s: &String| s.contains(" paired difference of ") || s.contains(" achieved none in half the pairs");
    assert!(printed[1..].iter().all(sized), "{printed:?}");
}

/// Runs `sweep`, reports on it, checks every In short claim against the
/// runs table and returns the sentences.
fn check(sweep: &str) -> Vec<String> {
    let paired = sweep.contains("paired");
    let dir = common::workspace(&[("sweep.toml", sweep)]);
    common::ok(common::run_in(dir.path(), &["run", "sweep.toml", "--out", "results"]));
    let stdout = common::ok(common::run_in(dir.path(), &["report", "results/short"]));
    let page = std::fs::read_to_string(dir.path().join("results/short/report/report.md")).unwrap();

    // Printed after where the report is, and the page's first section.
    let printed: Vec<&str> = stdout
        .split_once("\nIn short:\n")
        .unwrap_or_else(|| panic!("no In short on stdout: {stdout}"))
        .1
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .collect();
    assert!(stdout.find("Report: ").unwrap() < stdout.find("\nIn short:").unwrap(), "{stdout}");
    let section = page.split_once("## In short\n\n").expect("the section").1;
    let section = section.split_once("## The answer").expect("before the answer").0;
    let paragraphs: Vec<&str> = section.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect();
    assert_eq!(paragraphs, printed, "the page and the terminal say the same");
    assert_eq!(printed.len(), 3, "one sentence per verifier: {printed:?}");

    // The runs, by (verifier, noise_rate).
    let mut points: HashMap<(String, String), Point> = HashMap::new();
    for row in common::read_table(&dir.path().join("results/short"), "runs") {
        assert_eq!(row["status"], "ok");
        let point = points.entry((row["verifier"].clone(), row["noise_rate"].clone())).or_default();
        point.ended.entry(row["end_reason"].clone()).or_default().push(row["end_round"].parse().unwrap());
        let reach = row["reach99"].parse().unwrap_or(f64::NEG_INFINITY);
        point.reach.push(reach);
        point.by_seed.insert(row["seed"].clone(), reach);
        *point.growth.entry(row["growth_law"].clone()).or_default() += 1;
    }
    // The sweep exercises every way to end.
    for reason in ["collapsed", "stalled", "round_limit"] {
        assert!(points.values().any(|p| p.count(reason) > 0), "no run {reason}");
    }

    for (sentence, verifier) in printed.iter().zip(["none", "majority", "outcome"]) {
        let body = sentence
            .strip_prefix(&format!("`{verifier}`: "))
            .and_then(|s| s.strip_suffix('.'))
            .unwrap_or_else(|| panic!("`{verifier}` leads: {sentence}"));
        // Readable: at most about 60 words ("=" is no word).
        let words = sentence.split_whitespace().filter(|w| *w != "=").count();
        assert!(words <= 65, "{words} words: {sentence}");
        let point = |noise: &str| &points[&(verifier.to_string(), noise.to_string())];
        let clauses = split_top(body, "; ");
        assert_eq!(clauses.len(), if verifier == "none" { 3 } else { 4 }, "{sentence}");

        // How runs ended: "every run collapsed at all 4 points, after a
        // median of 5-6 rounds (at noise_rate = 0.03: 5 of 6 stalled, 1 ...)".
        let (claim, named) = exceptions(clauses[0]);
        let (claim, after) = match claim.split_once(", after a median of ") {
            Some((claim, after)) => (claim, Some(after)),
            None => (claim, None),
        };
        let (claim, k, n) = at(claim);
        let (every, phrase) = match claim.strip_prefix("every run ") {
            Some(phrase) => (true, phrase),
            None => (false, claim.strip_prefix("most runs ").expect("every run or most runs")),
        };
        let ending = reason(phrase);
        let holds = covered(&named);
        assert_eq!((k, n), (holds.len(), NOISE.len()), "{sentence}");
        for noise in &holds {
            let p = point(noise);
            match every {
                true => assert_eq!(p.count(ending), p.runs(), "{noise}: {sentence}"),
                false => assert!(2 * p.count(ending) > p.runs(), "{noise}: {sentence}"),
            }
        }
        if !every {
            assert!(holds.iter().any(|n| point(n).count(ending) < REPLICATES), "say every run: {sentence}");
        }
        if let Some(after) = after {
            let rounds: Vec<f64> = holds.iter().map(|n| median(&point(n).ended[ending])).collect();
            assert_eq!(after, format!("{} rounds", range(&rounds)), "{sentence}");
        }
        for (noises, detail) in &named {
            for noise in noises {
                let p = point(noise);
                assert!(2 * p.count(ending) <= p.runs(), "{noise} is no exception: {sentence}");
                // Said briefly: where only, or what most runs did.
                let most =
                    |phrase: &str| p.ended.keys().find(|r| 2 * p.count(r) > p.runs()) == Some(&phrase.into());
                if detail.is_empty() {
                    continue;
                } else if let Some(phrase) = detail.strip_prefix("mostly ") {
                    assert!(most(reason(phrase)), "{noise}: {sentence}");
                    continue;
                } else if detail == "mixed" {
                    assert!(p.ended.values().all(|runs| 2 * runs.len() <= p.runs()), "{noise}: {sentence}");
                    continue;
                }
                // "5 of 6 stalled, 1 reached the round limit" or "all 6 stalled".
                let mut total = 0;
                for (i, part) in detail.split(", ").enumerate() {
                    let (count, phrase) = match part.strip_prefix("all ") {
                        Some(rest) => rest.split_once(' ').unwrap(),
                        None if i == 0 => {
                            let (count, rest) = part.split_once(" of ").unwrap();
                            let (of, phrase) = rest.split_once(' ').unwrap();
                            assert_eq!(of.parse::<usize>().unwrap(), p.runs(), "{sentence}");
                            (count, phrase)
                        }
                        None => part.split_once(' ').unwrap(),
                    };
                    let count: usize = count.parse().unwrap();
                    assert_eq!(count, p.count(reason(phrase)), "{noise} {phrase}: {sentence}");
                    total += count;
                }
                assert_eq!(total, p.runs(), "every run counted at {noise}: {sentence}");
            }
        }

        // Reach: "median reach at 99% 8.5-10 digits across points", "...:
        // none at all 4 points", "... 19 digits at every point".
        let (claim, named) = exceptions(clauses[1]);
        let claim = claim.strip_prefix("median reach at 99%").expect("the lead column");
        let holds = covered(&named);
        let medians: Vec<f64> = holds.iter().map(|n| median(&point(n).reach)).collect();
        for (noises, detail) in &named {
            assert!(detail == "none" || detail.is_empty(), "{sentence}");
            assert!(noises.iter().all(|n| median(&point(n).reach) == f64::NEG_INFINITY), "{sentence}");
        }
        if let Some(rest) = claim.strip_prefix(": none") {
            assert!(rest == format!(" at all {} points", NOISE.len()), "{sentence}");
            assert!(medians.iter().all(|m| *m == f64::NEG_INFINITY), "{sentence}");
        } else {
            let (stated, _) = claim.trim_start().split_once(" digits").expect("digits");
            assert_eq!(stated, range(&medians), "{sentence}");
        }

        // Growth law: "growth law polynomial in most runs at 3 of 4 points
        // (at noise_rate = 0.03: too_few_points in 3 of 6)".
        let (claim, named) = exceptions(clauses[2]);
        let (claim, k, n) = at(claim);
        let holds = covered(&named);
        assert_eq!((k, n), (holds.len(), NOISE.len()), "{sentence}");
        if let Some(rest) = claim.strip_prefix("growth law: no majority") {
            assert!(rest.is_empty(), "{sentence}");
            for noise in &holds {
                let p = point(noise);
                assert!(p.growth.values().all(|c| 2 * c <= p.runs()), "{noise}: {sentence}");
            }
        } else {
            let claim = claim.strip_prefix("growth law ").expect("growth law");
            let (law, runs) = claim.split_once(" in ").expect("in");
            for noise in &holds {
                let (p, count) = (point(noise), point(noise).growth.get(law).copied().unwrap_or(0));
                match runs {
                    "every run" => assert_eq!(count, p.runs(), "{noise}: {sentence}"),
                    _ => assert!(2 * count > p.runs(), "{noise}: {sentence}"),
                }
            }
            for (noises, detail) in &named {
                for noise in noises {
                    let p = point(noise);
                    assert!(2 * p.growth.get(law).copied().unwrap_or(0) <= p.runs(), "{sentence}");
                    if detail.is_empty() {
                        continue;
                    } else if let Some(other) = detail.strip_prefix("mostly ") {
                        assert!(2 * p.growth[other] > p.runs(), "{noise}: {sentence}");
                        continue;
                    } else if detail == "mixed" {
                        assert!(p.growth.values().all(|c| 2 * c <= p.runs()), "{noise}: {sentence}");
                        continue;
                    }
                    // "too_few_points in 3 of 6": the point's commonest law.
                    let (other, count) = detail.split_once(" in ").unwrap();
                    let (count, of) = count.split_once(" of ").unwrap();
                    let count: usize = count.parse().unwrap();
                    assert_eq!(
                        (count, of.parse::<usize>().unwrap()),
                        (p.growth[other], p.runs()),
                        "{sentence}"
                    );
                    assert_eq!(count, *p.growth.values().max().unwrap(), "{other} is commonest: {sentence}");
                }
            }
        }

        // Against `none`: with six runs a point, the exact 95% interval of a
        // median is [min, max] (ranks 1 and 6 cover with 62/64; ranks 2
        // and 5 only 50/64), so a verifier is better where its lowest reach
        // exceeds `none`'s highest, worse where its highest is below
        // `none`'s lowest, and otherwise no clearly different.
        if verifier != "none" {
            let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
            let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let base = |noise: &str| &points[&("none".to_string(), noise.to_string())];
            // Paired: the six differences (a run that achieved none ranks
            // lowest, two such runs tie), judged by the same [min, max].
            let differences = |noise: &str| -> Vec<f64> {
                let (this, base) = (&point(noise).by_seed, &base(noise).by_seed);
                assert_eq!(this.len(), REPLICATES, "seeds are distinct");
                this.iter().map(|(seed, a)| if *a == base[seed] { 0.0 } else { a - base[seed] }).collect()
            };
            let verdict = |noise: &str| {
                let (low, high) = match paired {
                    true => (min(&differences(noise)), max(&differences(noise))),
                    false => {
                        let (this, base) = (&point(noise).reach, &base(noise).reach);
                        (min(this) - max(base), max(this) - min(base))
                    }
                };
                if low > 0.0 {
                    "better"
                } else if high < 0.0 {
                    "worse"
                } else {
                    "no clear difference"
                }
            };
            let (claim, named) = exceptions(clauses[3]);
            let (claim, by) = match claim.split_once(", by a median paired difference of ") {
                Some((claim, by)) => (claim, Some(by)),
                None => match claim.split_once(", where `none` achieved none in half the pairs or more") {
                    Some((claim, "")) => (claim, Some("inf")),
                    _ => (claim, None),
                },
            };
            let (stated, k, n) = at(claim);
            let holds = covered(&named);
            assert_eq!((k, n), (holds.len(), NOISE.len()), "{sentence}");
            assert_eq!(by.is_some(), paired, "a size only where paired: {sentence}");
            if let Some(by) = by {
                let medians: Vec<f64> = holds.iter().map(|n| median(&differences(n)).abs()).collect();
                if medians.iter().all(|m| m.is_infinite()) {
                    assert_eq!(by, "inf", "{sentence}");
                    assert!(holds.iter().all(|n| median(&differences(n)) > 0.0), "{sentence}");
                } else if medians.iter().any(|m| m.is_infinite()) {
                    let least = medians.iter().copied().fold(f64::INFINITY, f64::min);
                    assert_eq!(by, format!("{} to inf digits", number(least)), "{sentence}");
                } else {
                    assert_eq!(by, format!("{} digits", range(&medians)), "{sentence}");
                }
            }
            let stated = stated.strip_prefix("reach at 99% ").expect("the lead column");
            let stated = match stated {
                "better than `none`" => "better",
                "worse than `none`" => "worse",
                "no clear difference from `none`" => "no clear difference",
                other => panic!("verdict `{other}`"),
            };
            assert!(holds.iter().all(|n| verdict(n) == stated), "{sentence}");
            for (noises, detail) in &named {
                match detail.is_empty() {
                    true => assert!(noises.iter().all(|n| verdict(n) != stated), "{sentence}"),
                    false => assert!(noises.iter().all(|n| verdict(n) == detail), "{sentence}"),
                }
            }
        }
    }
    printed.iter().map(|s| s.to_string()).collect()
}
