//! The answer in sentences, one per grid point, grouped by the compared
//! choice (baseline first): how the runs ended, then the headline columns
//! the scenario answers with, and how each compares with the baseline at the
//! same other parameters, in the direction the column declares better.
//!
//! Every number comes from the summary; a comparison is called better or
//! worse only when the two 95% intervals do not overlap, and "no clear
//! difference" otherwise.

use super::outline::{Headline, Outline, Statistic};
use super::paired::{self, distance, Centre, Difference, Verdict};
use super::stats::Estimate;
use super::summary::{ColumnSummary, GridPoint, OutcomeSummary, Summary};
use super::table::{format_difference, format_estimate, format_value};
use crate::scenario::contract::OutcomeKind;
use crate::value::{Better, NullMeaning, Support};

/// At most this many headline columns go into a sentence.
const PER_SENTENCE: usize = 4;

/// One sentence per grid point, grouped by compared choice. Where the
/// compared parameter was paired, `paired` holds the per-seed differences
/// the comparisons are then made with.
pub fn sentences(summary: &Summary, outline: &Outline, paired: &[Difference]) -> Vec<String> {
    let comparison = outline.comparison.as_ref().and_then(|c| Some((c, summary.axis(&c.parameter)?)));
    let mut order: Vec<usize> = (0..summary.points.len()).collect();
    if let Some((_, axis)) = comparison {
        // Group by choice, keeping the summary's order within a group.
        let rank = |p: usize| match &summary.points[p].key[axis] {
            super::columns::Cell::Text(t) => {
                outline.choice_rank(&summary.varying[axis], t).unwrap_or(usize::MAX)
            }
            _ => usize::MAX,
        };
        order.sort_by_key(|&p| rank(p));
    }
    // Where runs ended is said by the outcome clause already.
    let place = outline.outcome.as_ref().and_then(|o| o.place.as_ref()).map(|(p, _)| p.as_str());
    let answer: Vec<usize> = outline
        .headline
        .iter()
        .enumerate()
        .filter(|(_, h)| matches!(h.statistic, Statistic::Median(_) | Statistic::Mean | Statistic::Mode))
        .filter(|(_, h)| Some(h.column.as_str()) != place)
        .map(|(i, _)| i)
        .take(PER_SENTENCE)
        .collect();
    let mut out = Vec::new();
    if let Some((c, _)) = comparison {
        if let Some(absent) = &c.absent {
            out.push(format!(
                "This sweep did not run `{absent}`, the `{}` the scenario compares with: each `{}` is \
                 compared with `{}`, the first choice it ran, instead.",
                c.parameter, c.parameter, c.baseline
            ));
        }
    }
    for point in order {
        let mut skip: Vec<&str> = Vec::new();
        let mut subject = String::new();
        let mut baseline = None;
        if let Some((c, axis)) = comparison {
            let choice = summary.points[point].key[axis].to_string();
            subject = format!("`{choice}`");
            skip.push(&c.parameter);
            if choice != c.baseline {
                baseline = find_baseline(summary, point, axis, &c.baseline);
            }
        }
        let at = along_first(summary.describe(point, &skip), outline);
        let lead = match (subject.is_empty(), at.is_empty()) {
            (true, true) => "All runs".to_string(),
            (true, false) => format!("At {}", at.join(", ")),
            (false, true) => subject,
            (false, false) => format!("{subject} at {}", at.join(", ")),
        };
        let p = &summary.points[point];
        let mut clauses = Vec::new();
        if let (Some(outcome), Some(o)) = (&outline.outcome, &p.outcome) {
            clauses.push(endings(outline, outcome, o, p));
        } else if p.failures > 0 {
            clauses.push(format!("{} of {} runs failed", p.failures, p.replicates));
        }
        let mut facts = Vec::new();
        for &index in &answer {
            let base = baseline.map(|b| &summary.points[b]);
            let column = &outline.headline[index].column;
            let pairs = comparison.and_then(|(c, _)| {
                paired.iter().find(|d| {
                    d.point == point && d.axis == c.parameter && outline.headline[d.column].column == *column
                })
            });
            facts.push(fact(
                &outline.headline[index],
                &p.columns[index],
                base.map(|b| &b.columns[index]),
                pairs,
                p,
                outline,
            ));
        }
        if !facts.is_empty() {
            clauses.push(facts.join("; "));
        }
        out.push(format!("{lead}: {}.", clauses.join(". ")));
    }
    out
}

/// The comparison's `along` parameter first: "at noise_rate = 0.01, samples = 3".
fn along_first(mut at: Vec<String>, outline: &Outline) -> Vec<String> {
    if let Some(along) = outline.comparison.as_ref().and_then(|c| c.along.as_ref()) {
        let prefix = format!("{along} = ");
        if let Some(index) = at.iter().position(|a| a.starts_with(&prefix)) {
            let first = at.remove(index);
            at.insert(0, first);
        }
    }
    at
}

/// The grid point equal to `point` except that the compared parameter takes
/// the baseline.
pub(super) fn find_baseline(summary: &Summary, point: usize, axis: usize, baseline: &str) -> Option<usize> {
    let key = &summary.points[point].key;
    summary.points.iter().position(|other| {
        other
            .key
            .iter()
            .enumerate()
            .all(|(a, c)| if a == axis { c.to_string() == baseline } else { c == &key[a] })
    })
}

/// "20 of 20 runs stalled after a median of 12 rounds at 11 digits; none collapsed".
fn endings(
    outline: &Outline,
    outcome: &super::outline::OutcomePlan,
    o: &OutcomeSummary,
    p: &GridPoint,
) -> String {
    let n = o.total();
    let (one, many) = (&outline.step.0, &outline.step.1);
    let rounds =
        |v: f64| if v == 1.0 { format!("1 {one}") } else { format!("{} {many}", format_value(v, None)) };
    let mut parts = Vec::new();
    for (slot, (_, phrase, kind)) in outcome.outcomes.iter().enumerate() {
        let count = o.counts[slot];
        if count == 0 {
            continue;
        }
        let who = if count == n && n > 1 { format!("all {n} runs") } else { format!("{count} of {n} runs") };
        let when = match kind {
            OutcomeKind::Censored => match p.horizon {
                Some(h) => format!(" ({})", rounds(h)),
                None => String::new(),
            },
            _ if count == 1 => format!(" after {}", rounds(o.times[slot].value)),
            _ => format!(" after a median of {}", rounds(o.times[slot].value)),
        };
        let place = match (&outcome.place, o.places.get(slot)) {
            (Some((_, unit)), Some(place)) if place.n > 0 => {
                format!(
                    " at {}{}",
                    format_value(place.value, None),
                    unit.as_ref().map(|u| format!(" {u}")).unwrap_or_default()
                )
            }
            _ => String::new(),
        };
        parts.push(format!("{who} {phrase}{when}{place}"));
    }
    if o.other > 0 {
        parts.push(format!("{} of {n} runs ended in a way the scenario does not declare", o.other));
    }
    if let Some(event) = outcome.outcomes.iter().position(|(_, _, k)| *k == OutcomeKind::Event) {
        if o.counts[event] == 0 && n > 0 {
            parts.push(format!("none {}", outcome.outcomes[event].1));
        } else if let Some(time) = &o.event_time {
            // When every run had the event its median time is said already.
            if time.value.is_finite() && o.counts[event] < n {
                parts.push(format!(
                    "half had {} by {} {}",
                    outcome.outcomes[event].1,
                    one,
                    format_estimate(time, None)
                ));
            }
        }
    }
    if n == 0 {
        parts.push("no run succeeded".into());
    }
    if p.failures > 0 {
        // Counts above are of the runs that finished; failures are often
        // not random (a time limit fails the longest runs), so say so.
        let verb = if p.failures == 1 { "is" } else { "are" };
        parts.push(format!(
            "{} of {} failed and {verb} left out of these counts (if runs failed for time, the \
             longest runs are the ones missing)",
            p.failures, p.replicates
        ));
    }
    parts.join("; ")
}

/// One headline column at a point, and against the baseline where it has a
/// better direction: by the paired difference where the runs were paired,
/// else by whether the two intervals overlap.
fn fact(
    h: &Headline,
    c: &ColumnSummary,
    base: Option<&ColumnSummary>,
    pairs: Option<&Difference>,
    p: &GridPoint,
    outline: &Outline,
) -> String {
    if h.statistic == Statistic::Mode {
        return match &c.mode {
            Some((value, count)) => format!("{}: {value} in {count} of {}", h.name, c.summary.n),
            None => format!("{}: no value", h.name),
        };
    }
    if c.summary.n == 0 {
        return format!("{}: no value in any run", h.name);
    }
    let statistic = if h.statistic == Statistic::Mean { "mean" } else { "median" };
    let unit = h.unit.as_ref().map(|u| format!(" {u}")).unwrap_or_default();
    let mut text = format!("{} {statistic} {}{unit}", h.name, format_estimate(&c.summary, p.horizon));
    let runs = |n: usize| if n == 1 { "1 run".to_string() } else { format!("{n} runs") };
    match (h.statistic, h.nulls) {
        _ if c.nulls == 0 => {}
        (Statistic::Mean, NullMeaning::NothingAchieved) => {
            text.push_str(&format!(" ({} achieved none, left out of the mean)", runs(c.nulls)))
        }
        (Statistic::Mean, _) | (Statistic::Median(NullMeaning::Undefined), _) => {
            text.push_str(&format!(" (undefined in {})", runs(c.nulls)))
        }
        _ => {}
    }
    if c.infinite > 0 {
        text.push_str(&format!(" ({} infinite, left out of the mean)", runs(c.infinite)));
    }
    if let (Some(pairs), Some(comparison)) = (pairs, &outline.comparison) {
        if let Some(said) = paired_verdict(h, pairs, &comparison.baseline) {
            text.push_str(&said);
            return text;
        }
    }
    if c.heavy_tailed() {
        text.push_str(&format!(" ({})", super::tail::WARNING));
    }
    if let (Some(base), Some(comparison)) = (base, &outline.comparison) {
        if base.summary.n > 0 {
            let baseline = format_value(base.summary.value, p.horizon);
            match verdict(h.better, h.support, &c.summary, &base.summary) {
                Some(verdict) => {
                    text.push_str(&format!(", {verdict} `{}` ({baseline})", comparison.baseline))
                }
                None => text.push_str(&format!(" (`{}`: {baseline})", comparison.baseline)),
            }
        }
    }
    if let Some(aside) = pairs.and_then(|d| paired_aside(h, d)) {
        text.push_str(&aside);
    }
    text
}

/// ", median paired difference 0.3 [-0.2, 0.8] (values in x), over 20
/// seeds", said after the unpaired verdict of a column whose sign of
/// difference is not a verdict.
fn paired_aside(h: &Headline, d: &Difference) -> Option<String> {
    d.estimate.interval?;
    let unit = h.unit.as_deref().map(|u| format!(" ({})", values_in(u))).unwrap_or_default();
    Some(format!(
        ", {} paired difference {}{unit}, {}",
        d.centre.name(),
        format_difference(&d.estimate),
        over(h, d)
    ))
}

/// "values in digits", "values per round": the unit of the values a
/// difference is taken between, said apart from the number.
fn values_in(unit: &str) -> String {
    if unit.starts_with("per ") {
        format!("values {unit}")
    } else {
        format!("values in {unit}")
    }
}

/// "over 20 seeds", and the pairs the centre left out.
fn over(h: &Headline, d: &Difference) -> String {
    let n = d.estimate.n;
    let over = match d.dropped {
        0 => format!("over {n} seeds"),
        k if h.nulls == NullMeaning::NothingAchieved && d.centre == Centre::Mean => {
            format!("over {n} seeds; {k} pairs in which a run achieved none left out")
        }
        k => format!("over {n} seeds; {k} pairs missing a value left out"),
    };
    match d.heavy_tailed() {
        true => format!("{over}; {}", super::tail::WARNING),
        false => over,
    }
}

/// ", better than `none` by a mean paired difference of 4.1 [3.2, 5.0]
/// (values in digits), over 20 seeds": the verdict from the paired interval
/// of the centre the column's headline shows (better or worse only where it
/// excludes 0, see [`paired::verdict`]), the size of the difference
/// positive, its interval flipped with it. The unit is said as that of the
/// values differenced, apart from the number, so that a unit such as `x`
/// (a factor) does not read as the difference being a factor. `None`
/// without an interval (too few pairs), or for a column whose better
/// direction is a target or unknown, where the sign of a difference says
/// nothing of better (see [`paired_aside`]).
fn paired_verdict(h: &Headline, d: &Difference, baseline: &str) -> Option<String> {
    let verdict = paired::verdict(h, d)?;
    let (centre, over) = (d.centre.name(), over(h, d));
    let verdict = match verdict {
        Verdict::Unclear => {
            let unit = h.unit.as_deref().map(|u| format!(", {}", values_in(u))).unwrap_or_default();
            // A median of 0 with many ties can hide pairs that all moved one
            // way: the signs are said with it.
            let signs = match d.centre {
                Centre::Median => format!(": {} higher, {} lower, {} tied", d.higher, d.lower, d.ties),
                Centre::Mean => String::new(),
            };
            return Some(format!(
                ", no clear difference from `{baseline}` ({centre} paired difference {}{unit}, {over}{signs})",
                format_difference(&d.estimate)
            ));
        }
        Verdict::Better => "better than",
        Verdict::Worse => "worse than",
    };
    // The size of the difference: positive, its interval flipped with it.
    let e = d.estimate;
    let size = match e.interval {
        Some((low, high)) if high < 0.0 => Estimate { value: -e.value, interval: Some((-high, -low)), ..e },
        _ => e,
    };
    let unit = h.unit.as_deref().map(|u| format!(" ({})", values_in(u))).unwrap_or_default();
    Some(format!(
        ", {verdict} `{baseline}` by a {centre} paired difference of {}{unit}, {over}",
        format_difference(&size)
    ))
}

/// "better than", "worse than" or "no clear difference from"; `None` where
/// the column declares no direction or an interval is missing.
fn verdict(
    better: Better,
    support: Support,
    this: &super::stats::Estimate,
    base: &super::stats::Estimate,
) -> Option<&'static str> {
    Some(match unpaired(better, support, this, base)? {
        Verdict::Better => "better than",
        Verdict::Worse => "worse than",
        Verdict::Unclear => "no clear difference from",
    })
}

/// The verdict of two unpaired 95% intervals in the column's direction:
/// better or worse only where they part; `None` where the column declares
/// no direction or an interval is missing.
pub(super) fn unpaired(
    better: Better,
    support: Support,
    this: &super::stats::Estimate,
    base: &super::stats::Estimate,
) -> Option<Verdict> {
    let (Some((lo, hi)), Some((base_lo, base_hi))) = (this.interval, base.interval) else { return None };
    if let Better::Toward(target) = better {
        // Disjoint intervals do not say which side is nearer the target (one
        // may straddle it): judge by how far each interval can be from it.
        let (near, far) = distances(lo, hi, target, support);
        let (base_near, base_far) = distances(base_lo, base_hi, target, support);
        return Some(if far < base_near {
            Verdict::Better
        } else if near > base_far {
            Verdict::Worse
        } else {
            Verdict::Unclear
        });
    }
    if better == Better::Unknown {
        return None;
    }
    if lo <= base_hi && base_lo <= hi {
        return Some(Verdict::Unclear);
    }
    let higher = lo > base_hi;
    Some(if higher == (better == Better::Higher) { Verdict::Better } else { Verdict::Worse })
}

/// The least and the greatest distance from `target` of a value in
/// `[low, high]`, in the column's scale (see [`distance`]).
fn distances(low: f64, high: f64, target: f64, support: Support) -> (f64, f64) {
    let (to_low, to_high) = (distance(low, target, support), distance(high, target, support));
    let near = if low <= target && target <= high { 0.0 } else { to_low.min(to_high) };
    (near, to_low.max(to_high))
}

/// One sentence per simulation-against-theory column: at how many grid
/// points the 95% interval of mean / theory (median / theory for a theory of
/// the median) contains 1, naming (up to three)
/// points where it does not.
pub fn theory_sentences(summary: &Summary, headline: &[Headline]) -> Vec<String> {
    let mut out = Vec::new();
    let is_ratio = |h: &Headline| matches!(h.statistic, Statistic::Ratio | Statistic::MedianRatio(_));
    for (index, column) in headline.iter().enumerate().filter(|(_, h)| is_ratio(h)) {
        let mut agree = 0;
        let mut total = 0;
        let mut heavy = 0;
        let mut apart = Vec::new();
        for (p, point) in summary.points.iter().enumerate() {
            let Some((low, high)) = point.columns[index].summary.interval else { continue };
            // Counted all the same: leaving heavy-tailed points out keeps
            // the samples that missed their rare large values, whose means
            // fall short (a reviewer measured 86% coverage on those kept).
            heavy += usize::from(point.columns[index].heavy_tailed());
            total += 1;
            if low <= 1.0 && 1.0 <= high {
                agree += 1;
            } else {
                apart.push(format!(
                    "{} at {}",
                    format_value(point.columns[index].summary.value, None),
                    summary.describe(p, &[]).join(", ")
                ));
            }
        }
        if total == 0 {
            continue;
        }
        let mut sentence = format!(
            "{}: simulation and theory agree (95% interval contains 1) at {agree} of {total} grid points",
            column.label
        );
        if !apart.is_empty() {
            let shown: Vec<&str> = apart.iter().take(3).map(String::as_str).collect();
            sentence.push_str(&format!("; the ratio is {}", shown.join("; ")));
            if apart.len() > 3 {
                sentence.push_str(&format!(" and {} more", apart.len() - 3));
            }
        }
        if heavy > 0 {
            sentence.push_str(&format!(
                "; at {heavy} of the {total} the runs are heavy-tailed (tail shape k >= {}, marked), where \
                 the interval of a mean covers less than 95%, mostly by falling short",
                super::tail::HEAVY
            ));
        }
        sentence.push('.');
        out.push(sentence);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::stats::Estimate;

    fn estimate(value: f64, interval: (f64, f64)) -> Estimate {
        Estimate { n: 20, value, interval: Some(interval) }
    }

    #[test]
    fn direction_decides_better_only_when_intervals_part() {
        let high = estimate(30.0, (25.0, 35.0));
        let low = estimate(7.0, (6.0, 8.0));
        let real = Support::Real;
        assert_eq!(verdict(Better::Higher, real, &high, &low), Some("better than"));
        assert_eq!(verdict(Better::Lower, real, &high, &low), Some("worse than"));
        assert_eq!(
            verdict(Better::Higher, real, &estimate(8.5, (7.5, 9.0)), &low),
            Some("no clear difference from")
        );
        assert_eq!(verdict(Better::Unknown, real, &high, &low), None);
    }

    #[test]
    fn toward_a_target_better_needs_the_whole_interval_nearer() {
        // The reviewer's case (paired-demo, variance ratio toward 1 on the
        // factor scale): `none` [0.563, 11.24] straddles 1, `oracle` [0.148,
        // 0.519] is within a factor 1.93-6.8 of it, `none` within 1-11.2:
        // the intervals are disjoint, yet neither is surely nearer.
        let toward = Better::Toward(1.0);
        let factor = Support::NonNegative;
        let oracle = estimate(0.277, (0.148, 0.519));
        let none = estimate(2.51, (0.563, 11.24));
        assert_eq!(verdict(toward, factor, &oracle, &none), Some("no clear difference from"));
        assert_eq!(verdict(toward, factor, &none, &oracle), Some("no clear difference from"));
        // Within a factor 1.05 of 1 against at least a factor 2 away.
        let near = estimate(1.0, (0.96, 1.04));
        let far = estimate(0.3, (0.2, 0.5));
        assert_eq!(verdict(toward, factor, &near, &far), Some("better than"));
        assert_eq!(verdict(toward, factor, &far, &near), Some("worse than"));
        // On both sides of the target: 0.5 below against 2 to 3 above.
        let real = Support::Real;
        let below = estimate(0.6, (0.5, 0.7));
        let above = estimate(3.5, (3.0, 4.0));
        assert_eq!(verdict(toward, real, &below, &above), Some("better than"));
    }

    fn paired(centre: Centre, value: f64, interval: (f64, f64), dropped: usize) -> Difference {
        Difference {
            axis: "verifier".into(),
            baseline: crate::report::columns::Cell::Text("none".into()),
            point: 1,
            baseline_point: 0,
            column: 0,
            centre,
            estimate: Estimate { n: 20 - dropped, value, interval: Some(interval) },
            pairs: 20,
            dropped,
            higher: 0,
            lower: 0,
            ties: 0,
            favours: None,
            values: Vec::new(),
            tail: None,
        }
    }

    fn headline(better: Better, nulls: NullMeaning) -> Headline {
        Headline {
            column: "reach".into(),
            theory: None,
            statistic: Statistic::Mean,
            label: "reach".into(),
            name: "reach".into(),
            unit: Some("digits".into()),
            better,
            support: Support::Real,
            nulls,
        }
    }

    #[test]
    fn paired_verdicts_read_the_paired_interval_in_the_declared_direction() {
        let higher = headline(Better::Higher, NullMeaning::Undefined);
        let gain = paired(Centre::Mean, 4.1, (3.2, 5.0), 0);
        assert_eq!(
            paired_verdict(&higher, &gain, "none").unwrap(),
            ", better than `none` by a mean paired difference of 4.10 [3.20, 5] (values in digits), over 20 \
             seeds"
        );
        // Lower is better: a negative difference is a gain, said as a size.
        let lower = headline(Better::Lower, NullMeaning::Undefined);
        assert_eq!(
            paired_verdict(&lower, &paired(Centre::Median, -0.3, (-0.4, -0.2), 2), "none").unwrap(),
            ", better than `none` by a median paired difference of 0.300 [0.200, 0.400] (values in digits), \
             over 18 seeds; 2 pairs missing a value left out"
        );
        assert!(paired_verdict(&lower, &gain, "none")
            .unwrap()
            .starts_with(", worse than `none` by a mean paired difference of 4.10"));
        let tied =
            Difference { higher: 3, lower: 12, ties: 5, ..paired(Centre::Median, 0.3, (-0.2, 0.8), 0) };
        let unclear = paired_verdict(&higher, &tied, "none").unwrap();
        assert_eq!(
            unclear,
            ", no clear difference from `none` (median paired difference 0.300 [-0.200, 0.800], values in \
             digits, over 20 seeds: 3 higher, 12 lower, 5 tied)"
        );
        // A target or no direction: the sign is no verdict.
        assert_eq!(
            paired_verdict(&headline(Better::Toward(1.0), NullMeaning::Undefined), &gain, "none"),
            None
        );
        assert_eq!(paired_verdict(&headline(Better::Unknown, NullMeaning::Undefined), &gain, "none"), None);
        assert_eq!(
            paired_aside(&headline(Better::Toward(1.0), NullMeaning::Undefined), &gain).unwrap(),
            ", mean paired difference 4.10 [3.20, 5] (values in digits), over 20 seeds"
        );
        // A mean leaves out pairs that achieved none; a median counts them.
        let achieved = headline(Better::Higher, NullMeaning::NothingAchieved);
        assert!(paired_verdict(&achieved, &paired(Centre::Mean, 4.1, (3.2, 5.0), 2), "none")
            .unwrap()
            .ends_with("2 pairs in which a run achieved none left out"));
        // An interval end where one side achieved nothing is a difference
        // of inf, not `not reached`.
        let open = paired(Centre::Median, 2.0, (1.0, f64::INFINITY), 0);
        assert_eq!(
            paired_verdict(&achieved, &open, "none").unwrap(),
            ", better than `none` by a median paired difference of 2 [1, inf] (values in digits), over 20 seeds"
        );
        let rate = Headline { unit: Some("per round".into()), ..higher.clone() };
        assert!(paired_verdict(&rate, &gain, "none").unwrap().contains("5] (values per round), over"));
        let unitless = Headline { unit: None, ..higher };
        assert_eq!(
            paired_verdict(&unitless, &gain, "none").unwrap(),
            ", better than `none` by a mean paired difference of 4.10 [3.20, 5], over 20 seeds"
        );
    }

    #[test]
    fn toward_one_prefers_the_ratio_nearer_one() {
        // The oracle cut the variance blow-up from about 95x to about 1.1x.
        let oracle = estimate(1.1, (1.05, 1.15));
        let none = estimate(95.0, (60.0, 130.0));
        let ratio = Support::NonNegative;
        assert_eq!(verdict(Better::Toward(1.0), ratio, &oracle, &none), Some("better than"));
        assert_eq!(verdict(Better::Toward(1.0), ratio, &none, &oracle), Some("worse than"));
        // A variance collapsed to a millionth is further from 1 than one
        // blown up sixfold: distances are factors for a ratio.
        let collapsed = estimate(2.8e-6, (2.5e-6, 3.2e-6));
        let blown = estimate(6.19, (5.6, 6.8));
        assert_eq!(verdict(Better::Toward(1.0), ratio, &collapsed, &blown), Some("worse than"));
        assert_eq!(verdict(Better::Toward(1.0), Support::Real, &collapsed, &blown), Some("better than"));
    }
}
