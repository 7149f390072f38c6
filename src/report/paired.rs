//! Paired differences, for a dataset whose sweep paired axes
//! (`paired = ["verifier"]`): runs that differ only on a paired axis shared
//! their seed, so the per-seed difference between a choice and its baseline
//! cancels the seed-to-seed spread both runs had in common. Where that spread
//! is large, the mean of these differences is far better determined than a
//! difference of two medians.
//!
//! Pairs are found by the `seed` column within two grid points that differ
//! only on the compared axis. A column's mean difference uses the pairs in
//! which both runs have a finite value; a null that means nothing was
//! achieved still ranks below every value when counting which side each pair
//! favours, as it does in the medians.

use super::columns::Cell;
use super::plan::{Headline, Plan, Statistic};
use super::stats::{self, Estimate};
use super::summary::Summary;
use crate::value::{Better, NullMeaning, Support};

/// One choice against its baseline, on one headline column.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// The paired axis compared along.
    pub axis: String,
    /// The baseline's value on that axis.
    pub baseline: Cell,
    /// The compared grid point (an index into the summary's points).
    pub point: usize,
    /// The baseline's grid point: the same other parameters.
    pub baseline_point: usize,
    /// The headline column (index into the plan's headline).
    pub column: usize,
    /// The mean of value(choice) - value(baseline) over the pairs where both
    /// are finite, with its 95% t interval; `n` counts those pairs.
    pub mean: Estimate,
    /// Pairs (runs of the two points sharing a seed, both successful).
    pub pairs: usize,
    /// Pairs left out of the mean: a null or non-finite value on a side.
    pub dropped: usize,
    /// Pairs where the choice is higher (a nothing-achieved null ranks
    /// lowest; pairs with an undefined value are not counted).
    pub higher: usize,
    /// Pairs where the choice is lower, counted alike.
    pub lower: usize,
    /// Pairs where both are equal (or both achieved nothing).
    pub ties: usize,
    /// Pairs favouring the choice and the baseline, in the direction the
    /// column declares better; `None` for a column without one.
    pub favours: Option<(usize, usize)>,
    /// Every pair: seed, the choice's value, the baseline's value.
    pub values: Vec<(u64, Option<f64>, Option<f64>)>,
}

/// The headline columns that get paired differences: numeric ones shown as
/// a median or a mean, each once.
pub fn columns(plan: &Plan) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for (i, h) in plan.headline.iter().enumerate() {
        let numeric = matches!(h.statistic, Statistic::Median(_) | Statistic::Mean);
        if numeric && !out.iter().any(|&j| plan.headline[j].column == h.column) {
            out.push(i);
        }
    }
    out
}

/// The comparisons a paired dataset answers: along each paired axis that
/// varies, against the declared baseline where the axis is the declared
/// comparison parameter, else against the axis's first value in the
/// report's order (the first declared choice, the smallest number).
pub fn comparisons(summary: &Summary, plan: &Plan) -> Vec<(usize, Cell)> {
    plan.paired
        .iter()
        .filter_map(|name| {
            let axis = summary.axis(name)?;
            let values = summary.values_of(axis, plan);
            let declared = plan.comparison.as_ref().filter(|c| &c.parameter == name);
            let baseline = match declared {
                Some(c) => values.into_iter().find(|v| v.to_string() == c.baseline)?,
                None => values.into_iter().next()?,
            };
            Some((axis, baseline))
        })
        .collect()
}

/// Every paired difference of the dataset: per comparison, per point whose
/// axis value is not the baseline (in the summary's order), per column.
pub fn differences(summary: &Summary, plan: &Plan) -> Vec<Difference> {
    if summary.per_run.len() != summary.points.len() {
        return Vec::new();
    }
    let columns = columns(plan);
    let mut out = Vec::new();
    for (axis, baseline) in comparisons(summary, plan) {
        for (point, p) in summary.points.iter().enumerate() {
            if p.key[axis] == baseline {
                continue;
            }
            let Some(base) = summary.points.iter().position(|other| {
                other
                    .key
                    .iter()
                    .enumerate()
                    .all(|(a, c)| if a == axis { *c == baseline } else { *c == p.key[a] })
            }) else {
                continue;
            };
            let partners = partners(&summary.per_run[point], &summary.per_run[base]);
            for &column in &columns {
                let values = partners.iter().map(|&(seed, a, b)| (seed, a[column], b[column])).collect();
                let d = difference(
                    &plan.headline[column],
                    values,
                    &summary.varying[axis],
                    &baseline,
                    point,
                    base,
                    column,
                );
                // A column with no value in any pair (outliers kept, where
                // there were no outliers) has nothing to show.
                if d.mean.n > 0 || d.higher + d.lower + d.ties > 0 {
                    out.push(d);
                }
            }
        }
    }
    out
}

/// A run's seed and headline values, as the summary keeps them.
type Run = (u64, Vec<Option<f64>>);

/// Two partners' headline values, under their shared seed.
type Pair<'a> = (u64, &'a [Option<f64>], &'a [Option<f64>]);

/// Runs of two points that share a seed, in the choice's run order. A seed
/// seen twice at a point (which identity hashing makes all but impossible)
/// pairs nothing rather than guess.
fn partners<'a>(choice: &'a [Run], baseline: &'a [Run]) -> Vec<Pair<'a>> {
    let mut by_seed: std::collections::HashMap<u64, Option<&[Option<f64>]>> = Default::default();
    for (seed, values) in baseline {
        by_seed.entry(*seed).and_modify(|v| *v = None).or_insert(Some(values));
    }
    let mut seen = std::collections::HashMap::<u64, usize>::new();
    for (seed, _) in choice {
        *seen.entry(*seed).or_default() += 1;
    }
    choice
        .iter()
        .filter(|(seed, _)| seen[seed] == 1)
        .filter_map(|(seed, values)| Some((*seed, values.as_slice(), (*by_seed.get(seed)?)?)))
        .collect()
}

fn difference(
    h: &Headline,
    values: Vec<(u64, Option<f64>, Option<f64>)>,
    axis: &str,
    baseline: &Cell,
    point: usize,
    baseline_point: usize,
    column: usize,
) -> Difference {
    let finite: Vec<f64> = values
        .iter()
        .filter_map(|(_, a, b)| a.zip(*b))
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .map(|(a, b)| a - b)
        .collect();
    // Where a null means nothing was achieved it ranks lowest; otherwise a
    // pair with a null says nothing about which side is higher.
    let rank = |v: Option<f64>| match (v, h.nulls) {
        (Some(v), _) if !v.is_nan() => Some(v),
        (None, NullMeaning::NothingAchieved) => Some(f64::NEG_INFINITY),
        _ => None,
    };
    let (mut higher, mut lower, mut ties) = (0, 0, 0);
    let (mut for_choice, mut for_baseline) = (0, 0);
    for (_, a, b) in &values {
        let (Some(a), Some(b)) = (rank(*a), rank(*b)) else { continue };
        match a.partial_cmp(&b) {
            Some(std::cmp::Ordering::Greater) => higher += 1,
            Some(std::cmp::Ordering::Less) => lower += 1,
            _ => ties += 1,
        }
        match better_side(h.better, h.support, a, b) {
            Some(true) => for_choice += 1,
            Some(false) => for_baseline += 1,
            None => {}
        }
    }
    Difference {
        axis: axis.to_string(),
        baseline: baseline.clone(),
        point,
        baseline_point,
        column,
        mean: stats::mean_difference(&finite),
        pairs: values.len(),
        dropped: values.len() - finite.len(),
        higher,
        lower,
        ties,
        favours: (h.better != Better::Unknown).then_some((for_choice, for_baseline)),
        values,
    }
}

/// Whether `a` is better than `b` (`Some(true)`), worse (`Some(false)`), or
/// neither (equal, or no direction declared).
fn better_side(better: Better, support: Support, a: f64, b: f64) -> Option<bool> {
    let (a, b) = match better {
        Better::Higher => (a, b),
        Better::Lower => (-a, -b),
        Better::Toward(target) => (-distance(a, target, support), -distance(b, target, support)),
        Better::Unknown => return None,
    };
    match a.partial_cmp(&b)? {
        std::cmp::Ordering::Equal => None,
        order => Some(order == std::cmp::Ordering::Greater),
    }
}

/// How far `value` is from `target`: as a factor for a quantity that cannot
/// be negative, as a difference otherwise (the same rule as the verdicts).
pub fn distance(value: f64, target: f64, support: Support) -> f64 {
    match support {
        Support::NonNegative | Support::Unit if target > 0.0 => (value / target).ln().abs(),
        _ => (value - target).abs(),
    }
}

/// The paired axes named by a sweep file's text (`paired = [...]`); empty
/// when it names none or does not parse.
pub fn axes(sweep: Option<&str>) -> Vec<String> {
    let Some(table) = sweep.and_then(|text| text.parse::<toml::Table>().ok()) else { return Vec::new() };
    match table.get(crate::names::PAIRED) {
        Some(toml::Value::Array(items)) => {
            items.iter().filter_map(|v| v.as_str().map(String::from)).collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headline(better: Better, nulls: NullMeaning) -> Headline {
        Headline {
            column: "x".into(),
            theory: None,
            statistic: Statistic::Median(nulls),
            label: "x".into(),
            name: "x".into(),
            unit: None,
            better,
            support: Support::Real,
            nulls,
        }
    }

    #[test]
    fn pairs_are_matched_by_seed_and_nulls_follow_their_meaning() {
        let choice = vec![
            (1, vec![Some(5.0)]),
            (2, vec![Some(7.0)]),
            (3, vec![None]),
            (4, vec![Some(1.0)]),
            (9, vec![Some(100.0)]),
        ];
        // Seed 9 has no partner (its baseline run failed); order differs.
        let baseline =
            vec![(4, vec![Some(3.0)]), (2, vec![Some(4.0)]), (1, vec![Some(2.0)]), (3, vec![Some(6.0)])];
        let matched = partners(&choice, &baseline);
        assert_eq!(matched.iter().map(|m| m.0).collect::<Vec<_>>(), [1, 2, 3, 4]);
        let values: Vec<_> = matched.iter().map(|&(s, a, b)| (s, a[0], b[0])).collect();
        let cell = Cell::Text("none".into());
        let achieved = difference(
            &headline(Better::Higher, NullMeaning::NothingAchieved),
            values.clone(),
            "v",
            &cell,
            0,
            1,
            0,
        );
        // Differences 3, 3, -2 over three pairs; the null pair is dropped
        // from the mean but, achieving nothing, counts for the baseline.
        assert_eq!(
            (achieved.mean.n, achieved.mean.value, achieved.dropped, achieved.pairs),
            (3, 4.0 / 3.0, 1, 4)
        );
        assert_eq!((achieved.higher, achieved.lower, achieved.ties), (2, 2, 0));
        assert_eq!(achieved.favours, Some((2, 2)));
        let undefined =
            difference(&headline(Better::Lower, NullMeaning::Undefined), values, "v", &cell, 0, 1, 0);
        assert_eq!((undefined.higher, undefined.lower), (2, 1));
        assert_eq!(undefined.favours, Some((1, 2)), "lower is better");
    }

    #[test]
    fn a_repeated_seed_pairs_nothing() {
        let choice = vec![(1, vec![Some(1.0)]), (1, vec![Some(2.0)]), (2, vec![Some(3.0)])];
        let baseline = vec![(1, vec![Some(0.0)]), (2, vec![Some(0.0)]), (2, vec![Some(1.0)])];
        assert!(partners(&choice, &baseline).is_empty());
    }

    #[test]
    fn the_paired_axes_come_from_the_sweep_text() {
        assert_eq!(
            axes(Some("name = \"x\"\npaired = [\"verifier\", \"encoding\"]\n")),
            ["verifier", "encoding"]
        );
        assert!(axes(Some("name = \"x\"\n")).is_empty());
        assert!(axes(Some("not toml [")).is_empty());
        assert!(axes(None).is_empty());
    }
}
