//! `## In short`: the answer a researcher can quote, one sentence per
//! compared choice (one for the whole sweep without a comparison), each
//! summing up every grid point of that choice: how its runs ended, the range
//! of the lead headline column across points, the commonest value of the
//! first categorical one, and how the choice compares with the baseline.
//! The per-point sentences below it on the page are the evidence.
//!
//! Each claim is true of every point it covers or names the points where it
//! is not, with what happened there; where that would make a sentence
//! longer than [`WORDS`], a clause with more than [`NAMED`] such points
//! lists them compactly instead. Like the rest of the report it reads the
//! outline and the summary only, and names no scenario, column or parameter.

use std::cell::Cell;

use super::outline::{Headline, Outline, Statistic};
use super::paired::{self, Centre, Difference, Verdict};
use super::summary::{ColumnSummary, Summary};
use super::table::format_value;
use crate::scenario::contract::OutcomeKind;
use crate::value::NullMeaning;

/// Exceptions named one by one with what happened there; more are grouped
/// by what happened and listed compactly, so a sentence stays readable.
const NAMED: usize = 3;

/// A sentence longer than this many words (see [`words`]) says its
/// exceptions more briefly, down to [`BRIEFEST`].
const WORDS: usize = 60;

/// The briefest way to say exceptions: where, not what.
const BRIEFEST: usize = 2;

/// The kind of a point where no one value takes most runs.
const MIXED: &str = "mixed";

/// The In short sentences: per compared choice in the report's order
/// (baseline first), or one for the whole sweep. Where the compared
/// parameter was paired, `paired` holds the differences its comparison
/// clause counts.
pub fn sentences(summary: &Summary, outline: &Outline, paired: &[Difference]) -> Vec<String> {
    let comparison = outline.comparison.as_ref().and_then(|c| Some((c, summary.axis(&c.parameter)?)));
    let all: Vec<usize> = (0..summary.points.len()).collect();
    let Some((c, axis)) = comparison else {
        let lead = match all.len() {
            1 => "All runs".to_string(),
            n => format!("Across all {n} grid points"),
        };
        return Group::new(summary, outline, all, Vec::new())
            .sentence(&lead, None, paired)
            .into_iter()
            .collect();
    };
    summary
        .values_of(axis, outline)
        .into_iter()
        .filter_map(|choice| {
            let points = all.iter().copied().filter(|&p| summary.points[p].key[axis] == choice).collect();
            let group = Group::new(summary, outline, points, vec![c.parameter.as_str()]);
            let baseline = (choice.to_string() != c.baseline).then_some((axis, c.baseline.as_str()));
            group.sentence(&format!("`{choice}`"), baseline, paired)
        })
        .collect()
}

/// The grid points one sentence covers.
struct Group<'a> {
    summary: &'a Summary,
    outline: &'a Outline,
    /// Indices into the summary's points, in its order.
    points: Vec<usize>,
    /// Parameters the same at every point of the group (the compared one),
    /// left out of point names.
    skip: Vec<&'a str>,
    /// How briefly exceptions are said (see [`Group::except`]): raised
    /// until the sentence fits [`WORDS`].
    brevity: Cell<usize>,
    /// How many points the last clause named as exceptions.
    excepted: Cell<usize>,
}

/// A point where a claim does not hold: what happened there, and the kind
/// of exception it is, by which more than [`NAMED`] are grouped.
struct Exception {
    point: usize,
    detail: String,
    kind: String,
}

impl<'a> Group<'a> {
    fn new(summary: &'a Summary, outline: &'a Outline, points: Vec<usize>, skip: Vec<&'a str>) -> Self {
        Group { summary, outline, points, skip, brevity: Cell::new(0), excepted: Cell::new(0) }
    }

    /// `lead: clause; clause; clause.`; `None` without anything to say.
    /// `baseline` (the compared axis and its baseline) for a choice that is
    /// not the baseline.
    ///
    /// Exceptions are said as fully as the sentence's length allows: while
    /// it is longer than [`WORDS`], the clause with the most exceptions
    /// says them more briefly.
    fn sentence(&self, lead: &str, baseline: Option<(usize, &str)>, paired: &[Difference]) -> Option<String> {
        let mut brevity = [0; 4];
        loop {
            let mut excepted = [0; 4];
            let clauses: Vec<Option<String>> = (0..brevity.len())
                .map(|clause| {
                    self.brevity.set(brevity[clause]);
                    self.excepted.set(0);
                    let said = match clause {
                        0 => self.endings(),
                        1 => self.range(),
                        2 => self.commonest(),
                        _ => baseline.and_then(|(axis, name)| self.against(axis, name, paired)),
                    };
                    excepted[clause] = self.excepted.get();
                    said
                })
                .collect();
            let said: Vec<&str> = clauses.iter().flatten().map(String::as_str).collect();
            if said.is_empty() {
                return None;
            }
            let sentence = format!("{lead}: {}.", said.join("; "));
            // The clause with the most exceptions first, then the longest.
            let longest = (0..brevity.len())
                .filter(|&c| brevity[c] < BRIEFEST && excepted[c] > 0)
                .max_by_key(|&c| (excepted[c], clauses[c].as_deref().map_or(0, words)));
            match longest {
                Some(clause) if words(&sentence) > WORDS => brevity[clause] += 1,
                _ => return Some(sentence),
            }
        }
    }

    /// "at 8 of 9 points", "at all 9 points", or nothing for a group of one.
    fn at(&self, k: usize) -> String {
        match self.points.len() {
            1 => String::new(),
            2 if k == 2 => " at both points".into(),
            n if k == n => format!(" at all {n} points"),
            n => format!(" at {k} of {n} points"),
        }
    }

    /// The varying parameters that tell the group's points apart, the
    /// comparison's `along` first (as the per-point sentences name them).
    fn axes(&self) -> Vec<usize> {
        let along = self.outline.comparison.as_ref().and_then(|c| c.along.as_deref());
        let mut axes: Vec<usize> = (0..self.summary.varying.len())
            .filter(|&a| !self.skip.contains(&self.summary.varying[a].as_str()))
            .collect();
        axes.sort_by_key(|&a| Some(self.summary.varying[a].as_str()) != along);
        axes
    }

    /// "noise_rate = 0.003, samples = 9".
    fn name(&self, point: usize) -> String {
        let key = &self.summary.points[point].key;
        let named: Vec<String> =
            self.axes().iter().map(|&a| format!("{} = {}", self.summary.varying[a], key[a])).collect();
        named.join(", ")
    }

    /// The points' values, "0.003, 0.01" or "(0.003, 9), (0.01, 9)", and
    /// the header that names them, "noise_rate = " or "(noise_rate, samples) = ".
    fn compact(&self, points: &[usize]) -> (String, String) {
        let axes = self.axes();
        let names: Vec<&str> = axes.iter().map(|&a| self.summary.varying[a].as_str()).collect();
        let values = |p: usize| -> Vec<String> {
            axes.iter().map(|&a| self.summary.points[p].key[a].to_string()).collect()
        };
        if axes.len() == 1 {
            let values: Vec<String> = points.iter().map(|&p| values(p).join("")).collect();
            return (format!("{} = ", names[0]), values.join(", "));
        }
        let tuples: Vec<String> = points.iter().map(|&p| format!("({})", values(p).join(", "))).collect();
        (format!("({}) = ", names.join(", ")), tuples.join(", "))
    }

    /// Where `points` are, as briefly as is exact: "noise_rate = 0.003" when
    /// they are the group's points with that value, one point's name, or
    /// the compact list.
    fn place(&self, points: &[usize]) -> String {
        if let Some(named) = self.by_value(points) {
            return named;
        }
        match points {
            [point] => self.name(*point),
            _ => {
                let (header, values) = self.compact(points);
                format!("{header}{values}")
            }
        }
    }

    /// "noise_rate = 0.003" where `points` (more than one) are exactly the
    /// group's points with that value.
    fn by_value(&self, points: &[usize]) -> Option<String> {
        if points.len() < 2 {
            return None;
        }
        self.axes().into_iter().find_map(|a| {
            let value = &self.summary.points[points[0]].key[a];
            let with: Vec<usize> =
                self.points.iter().copied().filter(|&p| self.summary.points[p].key[a] == *value).collect();
            (with == points).then(|| format!("{} = {value}", self.summary.varying[a]))
        })
    }

    /// Groups of points and what they share, under one header: " (at (a,
    /// b) = (1, 2), (1, 3): what; (2, 2): what)".
    fn under_one_header(&self, groups: &[(&str, Vec<usize>)]) -> String {
        let mut header = String::new();
        let said: Vec<String> = groups
            .iter()
            .map(|(what, points)| {
                let (named, values) = self.compact(points);
                header = named;
                format!("{values}: {what}")
            })
            .collect();
        format!(" (at {header}{})", said.join("; "))
    }

    /// The points where a claim does not hold, as fully as
    /// [`Group::brevity`] allows; empty without exceptions. At 0, grouped by
    /// what happened there, " (at A: what; at B, C: what)" (several points
    /// no one value names under one header, as below), or, beyond [`NAMED`]
    /// such groups, as at 1: by their kind under one header, " (at (a, b) =
    /// (1, 2), (1, 3): mostly stalled; (2, 2): mixed)"; at [`BRIEFEST`],
    /// only where: " (not at (a, b) = (1, 2), (1, 3))", or where the claim
    /// holds, " (at a = 2 only)", if fewer.
    fn except(&self, exceptions: &[Exception]) -> String {
        self.excepted.set(exceptions.len());
        if exceptions.is_empty() {
            return String::new();
        }
        let by_detail = grouped(exceptions, |e| &e.detail);
        let brevity = self.brevity.get();
        if brevity == 0 && by_detail.len() <= NAMED {
            let by_values = by_detail.len() > 1 && self.axes().len() > 1;
            if by_values && by_detail.iter().all(|(_, points)| self.by_value(points).is_none()) {
                return self.under_one_header(&by_detail);
            }
            let named: Vec<String> = by_detail
                .iter()
                .map(|(detail, points)| format!("at {}: {detail}", self.place(points)))
                .collect();
            return format!(" ({})", named.join("; "));
        }
        if brevity < BRIEFEST {
            return self.under_one_header(&grouped(exceptions, |e| &e.kind));
        }
        // Whichever is shorter: where the claim fails, or where it holds.
        let mut points: Vec<usize> = exceptions.iter().map(|e| e.point).collect();
        points.sort_unstable();
        let holds: Vec<usize> = self.points.iter().copied().filter(|p| !points.contains(p)).collect();
        if !holds.is_empty() && holds.len() < points.len() {
            return format!(" (at {} only)", self.place(&holds));
        }
        format!(" (not at {})", self.place(&points))
    }

    /// "every run collapsed at 8 of 9 points, after a median of 5-9 rounds
    /// (at noise_rate = 0.003, samples = 9: 14 of 20 stalled, 6 collapsed)":
    /// the ending that takes most runs at the most points, and every point
    /// where it does not, with its counts.
    fn endings(&self) -> Option<String> {
        let outcome = self.outline.outcome.as_ref()?;
        let other = outcome.outcomes.len();
        let phrase = |slot: usize| {
            outcome.outcomes.get(slot).map_or("ended in a way the scenario does not declare", |o| &o.1)
        };
        // Per point: runs per declared outcome, then the undeclared ones.
        let counts: Vec<(usize, Vec<usize>)> = self
            .points
            .iter()
            .filter_map(|&p| {
                let o = self.summary.points[p].outcome.as_ref()?;
                Some((p, o.counts.iter().copied().chain([o.other]).collect()))
            })
            .collect();
        if counts.is_empty() {
            return None;
        }
        let majority = |c: &[usize]| {
            let n: usize = c.iter().sum();
            c.iter().position(|&k| 2 * k > n)
        };
        let mut held = vec![0; other + 1];
        for (_, c) in &counts {
            if let Some(slot) = majority(c) {
                held[slot] += 1;
            }
        }
        // Ties go to the declared order: the event first.
        let Some(slot) = (0..=other).filter(|&s| held[s] > 0).max_by_key(|&s| (held[s], usize::MAX - s))
        else {
            return Some(self.no_majority(&counts, &phrase));
        };
        let agree: Vec<usize> =
            counts.iter().filter(|(_, c)| majority(c) == Some(slot)).map(|(p, _)| *p).collect();
        let every = counts.iter().filter(|(_, c)| c[slot] > 0 && c[slot] == c.iter().sum::<usize>()).count();
        let runs = if every == agree.len() { "every run" } else { "most runs" };
        let mut text = format!("{runs} {}{}", phrase(slot), self.at(agree.len()));
        let timed = outcome.outcomes.get(slot).is_some_and(|o| o.2 != OutcomeKind::Censored);
        if timed {
            let times: Vec<f64> = agree
                .iter()
                .filter_map(|&p| self.summary.points[p].outcome.as_ref())
                .map(|o| o.times[slot].value)
                .filter(|t| t.is_finite())
                .collect();
            if let Some(range) = span(&times) {
                let many = range != "1";
                let step = if many { &self.outline.step.1 } else { &self.outline.step.0 };
                text.push_str(&format!(", after a median of {range} {step}"));
            }
        }
        let exceptions: Vec<Exception> = counts
            .iter()
            .filter(|(_, c)| majority(c) != Some(slot))
            .map(|(p, c)| Exception { point: *p, detail: tally(c, &phrase), kind: most(c, &phrase) })
            .collect();
        text.push_str(&self.except(&exceptions));
        let failed: usize = self.points.iter().map(|&p| self.summary.points[p].failures).sum();
        if failed > 0 {
            let all: usize = self.points.iter().map(|&p| self.summary.points[p].replicates).sum();
            text.push_str(&format!("; {failed} of {all} runs failed and are left out"));
        }
        Some(text)
    }

    /// Where no ending takes most runs at any point: the totals, true of
    /// the group as a whole.
    fn no_majority<'p>(&self, counts: &[(usize, Vec<usize>)], phrase: &dyn Fn(usize) -> &'p str) -> String {
        let slots = counts.first().map_or(0, |(_, c)| c.len());
        let totals: Vec<usize> = (0..slots).map(|s| counts.iter().map(|(_, c)| c[s]).sum()).collect();
        format!(
            "no way of ending took most runs{}; in all, {}",
            self.at(counts.len()),
            tally(&totals, phrase)
        )
    }

    /// "median reach at 99% 7-12 digits across points (at a = 1: none)":
    /// the lead numeric headline column's statistic at every point, as a
    /// range; points where it is not a number (a median of runs that
    /// achieved nothing) named.
    fn range(&self) -> Option<String> {
        let (index, h) = lead(self.outline)?;
        let statistic = if h.statistic == Statistic::Mean { "mean" } else { "median" };
        let mut finite = Vec::new();
        let mut exceptions = Vec::new();
        for &p in &self.points {
            let value = self.summary.points[p].columns[index].summary.value;
            if value.is_finite() {
                finite.push(value);
            } else {
                let said = format_value(value, None);
                exceptions.push(Exception { point: p, detail: said.clone(), kind: said });
            }
        }
        let unit = h.unit.as_ref().map(|u| format!(" {u}")).unwrap_or_default();
        let same = finite.windows(2).all(|w| w[0] == w[1]);
        let at = match (self.points.len(), exceptions.is_empty(), same) {
            (1, ..) => String::new(),
            (_, true, true) => " at every point".into(),
            (_, true, false) => " across points".into(),
            _ => self.at(finite.len()),
        };
        let mut text = match span(&finite) {
            // Without endings to tell the points apart, where the range
            // ends is the finding: named.
            Some(_) if self.outline.outcome.is_none() && !same => {
                let (low, high) = self.extremes(index);
                let end = |p: usize| {
                    let value = format_value(self.summary.points[p].columns[index].summary.value, None);
                    format!("{value}{unit} (at {})", self.name(p))
                };
                let at = if exceptions.is_empty() { String::new() } else { self.at(finite.len()) };
                format!("{statistic} {} from {} to {}{at}", h.name, end(low), end(high))
            }
            Some(range) => format!("{statistic} {} {range}{unit}{at}", h.name),
            None => format!("{statistic} {}", h.name),
        };
        if finite.is_empty() {
            // Nothing finite: the exceptions are the whole story.
            let kinds: Vec<&str> = exceptions.iter().map(|e| e.kind.as_str()).collect();
            if kinds.windows(2).all(|w| w[0] == w[1]) {
                text.push_str(&format!(": {}{}", kinds[0], self.at(kinds.len())));
                return Some(text);
            }
            text.push(':');
        }
        text.push_str(&self.except(&exceptions));
        Some(text)
    }

    /// The points with the lowest and the highest finite value of headline
    /// column `index` (the first of equals).
    fn extremes(&self, index: usize) -> (usize, usize) {
        let value = |p: &usize| self.summary.points[*p].columns[index].summary.value;
        let finite: Vec<usize> = self.points.iter().copied().filter(|p| value(p).is_finite()).collect();
        let low = finite.iter().copied().reduce(|a, b| if value(&b) < value(&a) { b } else { a });
        let high = finite.iter().copied().reduce(|a, b| if value(&b) > value(&a) { b } else { a });
        (low.unwrap_or(self.points[0]), high.unwrap_or(self.points[0]))
    }

    /// "growth law polynomial in most runs at 8 of 9 points (at a = 1:
    /// exponential in 12 of 20)": the first categorical headline column's
    /// value that most runs took at the most points, and every point where
    /// most runs did not.
    fn commonest(&self) -> Option<String> {
        let index = self.outline.headline.iter().position(|h| h.statistic == Statistic::Mode)?;
        let name = &self.outline.headline[index].name;
        let columns: Vec<(usize, &ColumnSummary)> =
            self.points.iter().map(|&p| (p, &self.summary.points[p].columns[index])).collect();
        fn majority(c: &ColumnSummary) -> Option<&str> {
            c.mode.as_ref().filter(|(_, count)| 2 * count > c.summary.n).map(|(value, _)| value.as_str())
        }
        let mut held: Vec<(&str, usize)> = Vec::new();
        for (_, c) in &columns {
            if let Some(value) = majority(c) {
                match held.iter_mut().find(|(v, _)| *v == value) {
                    Some((_, k)) => *k += 1,
                    None => held.push((value, 1)),
                }
            }
        }
        // The most points; ties to the value first met.
        let value = held.iter().fold(None::<(&str, usize)>, |best, &(v, k)| match best {
            Some((_, b)) if b >= k => best,
            _ => Some((v, k)),
        });
        let Some((value, agree)) = value else {
            return Some(format!("{name}: no majority{}", self.at(columns.len())));
        };
        let every = columns
            .iter()
            .filter(|(_, c)| c.mode.as_ref().is_some_and(|(v, k)| v == value && *k == c.summary.n))
            .count();
        let most = if every == agree { "every run" } else { "most runs" };
        let mut text = format!("{name} {value} in {most}{}", self.at(agree));
        let exceptions: Vec<Exception> = columns
            .iter()
            .filter(|(_, c)| majority(c) != Some(value))
            .map(|(p, c)| Exception {
                point: *p,
                detail: match &c.mode {
                    Some((v, k)) => format!("{v} in {k} of {}", c.summary.n),
                    None => "no value".into(),
                },
                kind: majority(c).map_or(MIXED.into(), |v| format!("mostly {v}")),
            })
            .collect();
        text.push_str(&self.except(&exceptions));
        Some(text)
    }

    /// "reach at 99% better than `none` at 9 of 9 points, by a median
    /// paired difference of 4-11 digits": the lead column judged against the
    /// baseline at each point, by the paired difference where the compared
    /// parameter was paired (the size counted only at the points with that
    /// verdict) and by whether the two 95% intervals part otherwise; the
    /// verdict the most points share, and every point where it differs.
    fn against(&self, axis: usize, baseline: &str, paired: &[Difference]) -> Option<String> {
        let (index, h) = lead(self.outline)?;
        let was_paired = self.outline.paired.contains(&self.summary.varying[axis]);
        let mut verdicts: Vec<(usize, Option<Verdict>, Option<&Difference>)> = Vec::new();
        for &p in &self.points {
            // A point without a baseline partner, pairs or intervals has
            // no verdict: named as such where others have one.
            if was_paired {
                let d = paired.iter().find(|d| {
                    d.point == p
                        && d.axis == self.summary.varying[axis]
                        && self.outline.headline[d.column].column == h.column
                });
                verdicts.push((p, d.and_then(|d| paired::verdict(h, d)), d));
            } else {
                let verdict =
                    super::answer::find_baseline(self.summary, p, axis, baseline).and_then(|base| {
                        let (this, base) = (
                            &self.summary.points[p].columns[index],
                            &self.summary.points[base].columns[index],
                        );
                        super::answer::unpaired(h.better, h.support, &this.summary, &base.summary)
                    });
                verdicts.push((p, verdict, None));
            }
        }
        let count = |v: Option<Verdict>| verdicts.iter().filter(|(_, w, _)| *w == v).count();
        // The verdict the most points share; ties in this order. No verdict
        // anywhere (no direction, too few runs): nothing to say.
        let order = [Verdict::Better, Verdict::Worse, Verdict::Unclear];
        let top = order
            .iter()
            .enumerate()
            .filter(|(_, &v)| count(Some(v)) > 0)
            .max_by_key(|(i, &v)| (count(Some(v)), usize::MAX - i))
            .map(|(_, &v)| Some(v))?;
        let said = match top {
            Some(Verdict::Better) => format!("better than `{baseline}`"),
            Some(Verdict::Worse) => format!("worse than `{baseline}`"),
            _ => format!("no clear difference from `{baseline}`"),
        };
        let mut text = format!("{} {said}{}", h.name, self.at(count(top)));
        if matches!(top, Some(Verdict::Better | Verdict::Worse)) {
            let signed: Vec<f64> = verdicts
                .iter()
                .filter(|(_, v, _)| *v == top)
                .filter_map(|(_, _, d)| d.map(|d| d.estimate.value))
                .collect();
            let sizes: Vec<f64> = signed.iter().map(|v| v.abs()).collect();
            let centre = verdicts.iter().find_map(|(_, _, d)| d.map(|d| d.centre)).unwrap_or(Centre::Median);
            // An infinite difference (one side achieved nothing) is an end
            // of the range, not left out of it.
            let infinite = sizes.iter().any(|s| s.is_infinite());
            let least = sizes.iter().copied().filter(|s| s.is_finite()).fold(f64::INFINITY, f64::min);
            let unit = h.unit.as_ref().map(|u| format!(" {u}")).unwrap_or_default();
            let by = |size: String| format!(", by a {} paired difference of {size}", centre.name());
            let said = match (span(&sizes), infinite) {
                (Some(range), false) => Some(by(format!("{range}{unit}"))),
                (Some(_), true) => Some(by(format!("{} to inf{unit}", format_value(least, None)))),
                // Every median difference infinite: in half the pairs or
                // more one side ranked below every value, which for a
                // column whose null means nothing achieved is that side
                // achieving none; said so, as it is no size.
                (None, true) if h.nulls == NullMeaning::NothingAchieved => {
                    let side =
                        if signed.iter().all(|v| *v > 0.0) { format!("`{baseline}`") } else { "it".into() };
                    Some(format!(", where {side} achieved none in half the pairs or more"))
                }
                (None, true) => Some(by("inf".into())),
                (None, false) => None,
            };
            text.push_str(&said.unwrap_or_default());
        }
        let exceptions: Vec<Exception> = verdicts
            .iter()
            .filter(|(_, v, _)| *v != top)
            .map(|(p, v, _)| {
                let verdict = match v {
                    Some(Verdict::Better) => "better".to_string(),
                    Some(Verdict::Worse) => "worse".to_string(),
                    Some(Verdict::Unclear) => "no clear difference".to_string(),
                    None => "too few runs to compare".to_string(),
                };
                Exception { point: *p, detail: verdict.clone(), kind: verdict }
            })
            .collect();
        text.push_str(&self.except(&exceptions));
        Some(text)
    }
}

/// The lead headline column: the first shown as a median or a mean, other
/// than where runs ended (the endings say it), as in the per-point
/// sentences.
fn lead(outline: &Outline) -> Option<(usize, &Headline)> {
    let place = outline.outcome.as_ref().and_then(|o| o.place.as_ref()).map(|(p, _)| p.as_str());
    outline.headline.iter().enumerate().find(|(_, h)| {
        matches!(h.statistic, Statistic::Median(_) | Statistic::Mean) && Some(h.column.as_str()) != place
    })
}

/// Words as a reader counts them: "=" is none, and a point's values
/// "(0.003, 9)" are one.
fn words(text: &str) -> usize {
    let mut count = 0;
    let mut in_values = false;
    for token in text.split_whitespace().filter(|w| *w != "=") {
        let values = !token.chars().any(char::is_alphabetic);
        if !(in_values && values) {
            count += 1;
        }
        // Within "(0.003, 9)" until its ")".
        in_values = if in_values {
            values && !token.contains(')')
        } else {
            values && token.starts_with('(') && !token.contains(')')
        };
    }
    count
}

/// Exceptions' points grouped by a text, in the order first met.
fn grouped<'e>(
    exceptions: &'e [Exception],
    by: impl Fn(&'e Exception) -> &'e str,
) -> Vec<(&'e str, Vec<usize>)> {
    let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
    for e in exceptions {
        match groups.iter_mut().find(|(text, _)| *text == by(e)) {
            Some((_, points)) => points.push(e.point),
            None => groups.push((by(e), vec![e.point])),
        }
    }
    groups
}

/// "7-12" (or "-3 to 5" and "1e-3 to 0.01" where a hyphen would read as
/// part of a number), "12" when every value is the same; `None` without
/// finite values.
fn span(values: &[f64]) -> Option<String> {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let low = finite.clone().fold(f64::INFINITY, f64::min);
    let high = finite.fold(f64::NEG_INFINITY, f64::max);
    if low > high {
        return None;
    }
    let (low, high) = (format_value(low, None), format_value(high, None));
    Some(if low == high {
        low
    } else if low.contains('-') || high.contains('-') {
        format!("{low} to {high}")
    } else {
        format!("{low}-{high}")
    })
}

/// "14 of 20 stalled, 6 collapsed": a point's counts, the largest first.
fn tally<'p>(counts: &[usize], phrase: &dyn Fn(usize) -> &'p str) -> String {
    let n: usize = counts.iter().sum();
    if n == 0 {
        return "no run succeeded".into();
    }
    let mut slots: Vec<usize> = (0..counts.len()).filter(|&s| counts[s] > 0).collect();
    slots.sort_by_key(|&s| std::cmp::Reverse(counts[s]));
    let parts: Vec<String> = slots
        .iter()
        .enumerate()
        .map(|(i, &s)| match i {
            0 if counts[s] == n && n > 1 => format!("all {n} {}", phrase(s)),
            0 => format!("{} of {n} {}", counts[s], phrase(s)),
            _ => format!("{} {}", counts[s], phrase(s)),
        })
        .collect();
    parts.join(", ")
}

/// "mostly stalled", how a point that breaks the rule is grouped.
fn most<'p>(counts: &[usize], phrase: &dyn Fn(usize) -> &'p str) -> String {
    let n: usize = counts.iter().sum();
    match counts.iter().position(|&k| 2 * k > n) {
        _ if n == 0 => "no run succeeded".into(),
        Some(slot) => format!("mostly {}", phrase(slot)),
        None => MIXED.into(),
    }
}

#[cfg(test)]
mod tests;
