//! Paired differences, for a dataset whose sweep paired axes
//! (`paired = ["verifier"]`): runs that differ only on a paired axis shared
//! their seed, so the per-seed difference between a choice and its baseline
//! cancels the seed-to-seed spread both runs had in common. Where that spread
//! is large, the centre of these differences is far better determined than a
//! difference of two medians.
//!
//! Pairs are found by the `seed` column within two grid points that differ
//! only on the compared axis. The differences are summarised by the
//! statistic the column's headline shows: a column shown as a mean by the
//! mean difference (pairs in which both runs have a finite value, t
//! interval); a column shown as a median by the median difference, with the
//! median's exact order-statistic interval, counting values as the median
//! does. A median of skewed values would otherwise be judged by a mean that
//! one extreme pair can drag across 0 while every pair points the other way.
//! A null that means nothing was achieved ranks below every value, so a pair
//! where one side achieved nothing differs by `-inf` or `inf`: its size is
//! unknown but its sign, all an order statistic needs, is not.

use super::columns::Cell;
use super::outline::{Headline, Outline, Statistic};
use super::stats::{self, Estimate};
use super::summary::{ranked, Summary};
use crate::value::{Better, NullMeaning, Support};

/// Which statistic of the paired differences a column is judged by: the one
/// its headline shows over replicates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Centre {
    /// The mean difference, with its 95% t interval.
    Mean,
    /// The median difference, with the exact order-statistic 95% interval.
    Median,
}

impl Centre {
    /// The statistic's name, as the page and `paired.csv` write it.
    pub fn name(self) -> &'static str {
        match self {
            Centre::Mean => "mean",
            Centre::Median => "median",
        }
    }
}

/// One pair: the runs of the two points that shared `seed`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub seed: u64,
    /// The choice's value (`None` for a null).
    pub value: Option<f64>,
    /// The baseline's value.
    pub baseline: Option<f64>,
    /// value - baseline as the centre counts it (see [`pair_difference`]);
    /// `None` for a pair it leaves out.
    pub difference: Option<f64>,
}

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
    /// The headline column (index into the outline's headline).
    pub column: usize,
    /// The statistic of the differences: the column's headline statistic.
    pub centre: Centre,
    /// The mean or median of the pairs' differences with its 95% interval;
    /// `n` counts the pairs with a difference.
    pub estimate: Estimate,
    /// Pairs (runs of the two points sharing a seed, both successful).
    pub pairs: usize,
    /// Pairs left out of the estimate: for a mean, a null or non-finite
    /// value on a side; for a median, an undefined (or `NaN`) value.
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
    /// Every pair, in the choice's run order.
    pub values: Vec<Pair>,
    /// For a mean: the differences' tail shape ([`super::tail::shape`]);
    /// at [`super::tail::HEAVY`] or more their t interval is marked.
    pub tail: Option<f64>,
}

impl Difference {
    /// Whether the differences are heavy-tailed enough that the t interval
    /// of their mean may cover less than 95% (marked, still judged).
    pub fn heavy_tailed(&self) -> bool {
        self.centre == Centre::Mean
            && self.estimate.interval.is_some()
            && self.tail.is_some_and(|k| k >= super::tail::HEAVY)
    }
}

/// What a paired difference says of the choice against its baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The interval excludes 0 on the side the column declares better.
    Better,
    /// The interval excludes 0 on the other side.
    Worse,
    /// The interval contains 0.
    Unclear,
}

/// The verdict of a paired difference in the column's better direction:
/// better or worse only where the 95% interval of its centre excludes 0.
/// `None` without an interval (too few pairs), or for a column better
/// toward a target or without a direction, where the sign of a difference
/// does not say which side is better.
pub fn verdict(h: &Headline, d: &Difference) -> Option<Verdict> {
    let (low, high) = d.estimate.interval?;
    let higher_is_better = match h.better {
        Better::Higher => true,
        Better::Lower => false,
        Better::Toward(_) | Better::Unknown => return None,
    };
    Some(if low <= 0.0 && 0.0 <= high {
        Verdict::Unclear
    } else if (low > 0.0) == higher_is_better {
        Verdict::Better
    } else {
        Verdict::Worse
    })
}

/// The headline columns that get paired differences: numeric ones shown as
/// a median or a mean, each once.
pub fn columns(outline: &Outline) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for (i, h) in outline.headline.iter().enumerate() {
        let numeric = matches!(h.statistic, Statistic::Median(_) | Statistic::Mean);
        if numeric && !out.iter().any(|&j| outline.headline[j].column == h.column) {
            out.push(i);
        }
    }
    out
}

/// The comparisons a paired dataset answers: along each paired axis that
/// varies, against the declared baseline where the axis is the declared
/// comparison parameter, else against the axis's first value in the
/// report's order (the first declared choice, the smallest number).
pub fn comparisons(summary: &Summary, outline: &Outline) -> Vec<(usize, Cell)> {
    outline
        .paired
        .iter()
        .filter_map(|name| {
            let axis = summary.axis(name)?;
            let values = summary.values_of(axis, outline);
            let declared = outline.comparison.as_ref().filter(|c| &c.parameter == name);
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
pub fn differences(summary: &Summary, outline: &Outline) -> Vec<Difference> {
    if summary.per_run.len() != summary.points.len() {
        return Vec::new();
    }
    let columns = columns(outline);
    let mut out = Vec::new();
    for (axis, baseline) in comparisons(summary, outline) {
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
                    &outline.headline[column],
                    values,
                    &summary.varying[axis],
                    &baseline,
                    point,
                    base,
                    column,
                );
                // A column with no value in any pair (outliers kept, where
                // there were no outliers) has nothing to show.
                if d.estimate.n > 0 || d.higher + d.lower + d.ties > 0 {
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
type Partners<'a> = (u64, &'a [Option<f64>], &'a [Option<f64>]);

/// Runs of two points that share a seed, in the choice's run order. A seed
/// seen twice at a point (which identity hashing makes all but impossible)
/// pairs nothing rather than guess.
fn partners<'a>(choice: &'a [Run], baseline: &'a [Run]) -> Vec<Partners<'a>> {
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

/// The statistic a headline column's differences are summarised by.
fn centre(h: &Headline) -> Centre {
    match h.statistic {
        Statistic::Mean => Centre::Mean,
        _ => Centre::Median,
    }
}

/// value - baseline as `centre` counts it. A mean needs both finite. A
/// median needs both ranked: a pair with an infinite side (one achieved
/// nothing, or an unreached value) differs by `inf` or `-inf` in the
/// direction of its order, and two equal values, infinite ones included,
/// by 0, so the differences sort as the pairs' signs do.
pub fn pair_difference(
    centre: Centre,
    nulls: NullMeaning,
    value: Option<f64>,
    base: Option<f64>,
) -> Option<f64> {
    match centre {
        Centre::Mean => value.zip(base).filter(|(a, b)| a.is_finite() && b.is_finite()).map(|(a, b)| a - b),
        Centre::Median => {
            let (a, b) = (ranked(value, nulls)?, ranked(base, nulls)?);
            Some(if a == b { 0.0 } else { a - b })
        }
    }
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
    let centre = centre(h);
    // By seed, so that `pairs.csv` and every sum over the pairs are the same
    // whatever order the runs finished in.
    let mut values = values;
    values.sort_by_key(|&(seed, _, _)| seed);
    let values: Vec<Pair> = values
        .into_iter()
        .map(|(seed, value, base)| Pair {
            seed,
            value,
            baseline: base,
            difference: pair_difference(centre, h.nulls, value, base),
        })
        .collect();
    let mut differences: Vec<f64> = values.iter().filter_map(|p| p.difference).collect();
    let (estimate, tail) = match centre {
        Centre::Mean => {
            (stats::mean_difference(&differences), super::tail::shape(&differences, Support::Real))
        }
        Centre::Median => (stats::median_interval(&mut differences), None),
    };
    let (mut higher, mut lower, mut ties) = (0, 0, 0);
    let (mut for_choice, mut for_baseline) = (0, 0);
    for pair in &values {
        let (Some(a), Some(b)) = (ranked(pair.value, h.nulls), ranked(pair.baseline, h.nulls)) else {
            continue;
        };
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
        centre,
        estimate,
        pairs: values.len(),
        dropped: values.len() - estimate.n,
        higher,
        lower,
        ties,
        favours: (h.better != Better::Unknown).then_some((for_choice, for_baseline)),
        values,
        tail,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn headline(statistic: Statistic, better: Better, nulls: NullMeaning) -> Headline {
        Headline {
            column: "x".into(),
            theory: None,
            statistic,
            label: "x".into(),
            name: "x".into(),
            unit: None,
            better,
            support: Support::Real,
            nulls,
        }
    }

    fn d_values(d: &Difference) -> Vec<(u64, Option<f64>, Option<f64>)> {
        d.values.iter().map(|p| (p.seed, p.value, p.baseline)).collect()
    }

    fn compare(h: &Headline, values: Vec<(u64, Option<f64>, Option<f64>)>) -> Difference {
        difference(h, values, "v", &Cell::Text("none".into()), 0, 1, 0)
    }

    #[test]
    fn a_mean_of_heavy_tailed_differences_is_marked() {
        // 300 pairs whose differences are all positive: by the t interval
        // "better". Differences at the quantiles of a Pareto tail of shape
        // 0.8 have no finite variance, so that interval is marked as one
        // that may not hold; exponential ones (shape 0) are not.
        let h = headline(Statistic::Mean, Better::Higher, NullMeaning::Undefined);
        let pairs = |quantile: &dyn Fn(f64) -> f64| -> Vec<(u64, Option<f64>, Option<f64>)> {
            (1..=300u64).map(|i| (i, Some(1.0 + quantile((i as f64 - 0.5) / 300.0)), Some(0.0))).collect()
        };
        let heavy = compare(&h, pairs(&|u| ((1.0 - u).powf(-0.8) - 1.0) / 0.8));
        assert!(heavy.estimate.interval.unwrap().0 > 0.0 && heavy.heavy_tailed(), "{:?}", heavy.tail);
        assert_eq!(verdict(&h, &heavy), Some(Verdict::Better));
        let light = compare(&h, pairs(&|u| -(1.0 - u).ln()));
        assert!(!light.heavy_tailed(), "{:?}", light.tail);
        assert_eq!(verdict(&h, &light), Some(Verdict::Better));
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
        let nothing = NullMeaning::NothingAchieved;
        let mean = compare(&headline(Statistic::Mean, Better::Higher, nothing), values.clone());
        // Differences 3, 3, -2 over three pairs; the null pair is dropped
        // from the mean but, achieving nothing, counts for the baseline.
        assert_eq!(mean.centre, Centre::Mean);
        assert_eq!((mean.estimate.n, mean.estimate.value, mean.dropped, mean.pairs), (3, 4.0 / 3.0, 1, 4));
        assert_eq!((mean.higher, mean.lower, mean.ties), (2, 2, 0));
        assert_eq!(mean.favours, Some((2, 2)));
        // The median keeps it, as -inf: sorted -inf, -2, 3, 3, median 0.5;
        // four pairs are too few for a 95% interval.
        let median = compare(&headline(Statistic::Median(nothing), Better::Higher, nothing), values.clone());
        assert_eq!(median.centre, Centre::Median);
        assert_eq!((median.estimate.n, median.estimate.value, median.dropped), (4, 0.5, 0));
        assert_eq!(median.estimate.interval, None);
        assert_eq!(median.values[2].difference, Some(f64::NEG_INFINITY));
        let undefined = NullMeaning::Undefined;
        let dropped = compare(&headline(Statistic::Median(undefined), Better::Lower, undefined), values);
        assert_eq!((dropped.estimate.n, dropped.estimate.value, dropped.dropped), (3, 3.0, 1));
        assert_eq!((dropped.higher, dropped.lower), (2, 1));
        assert_eq!(dropped.favours, Some((1, 2)), "lower is better");
    }

    #[test]
    fn a_median_column_is_judged_by_the_median_difference_which_one_extreme_pair_cannot_reverse() {
        // 20 pairs, every one lower under the choice (lower is better):
        // differences -1, ..., -19, and -1000 where the baseline blew up.
        let values: Vec<_> = (1..=20u64)
            .map(|i| (i, Some(10.0), Some(if i == 20 { 1010.0 } else { 10.0 + i as f64 })))
            .collect();
        let undefined = NullMeaning::Undefined;
        let median =
            compare(&headline(Statistic::Median(undefined), Better::Lower, undefined), values.clone());
        // Sorted: x(1) = -1000, then x(k) = -(21 - k): the median is
        // (x(10) + x(11)) / 2 = (-11 - 10) / 2 = -10.5. For n = 20 the exact
        // interval is [x(6), x(15)]: B ~ Bin(20, 1/2), P(B <= 5) = 21700 /
        // 2^20 = 0.0207, so it misses with probability 0.0414 <= 0.05, while
        // [x(7), x(14)] would miss with 2 P(B <= 6) = 2 * 60460 / 2^20 =
        // 0.115. x(6) = -15, x(15) = -6.
        assert_eq!(median.estimate, Estimate { n: 20, value: -10.5, interval: Some((-15.0, -6.0)) });
        assert_eq!((median.higher, median.lower, median.favours), (0, 20, Some((20, 0))));
        let h = headline(Statistic::Median(undefined), Better::Lower, undefined);
        assert_eq!(verdict(&h, &median), Some(Verdict::Better));
        // The same pairs judged by their mean, as a column shown as a mean
        // is: -1190 / 20 = -59.5, sample variance 931665 / 19 = 49035,
        // half width t(0.975, 19) sqrt(49035 / 20) = 2.093024 * 49.515 =
        // 103.64, so [-163.14, 44.14] holds 0: the one extreme pair hides
        // 20 of 20 pairs pointing the same way.
        let h = headline(Statistic::Mean, Better::Lower, undefined);
        let mean = compare(&h, values);
        assert_eq!((mean.centre, mean.estimate.value), (Centre::Mean, -59.5));
        let (low, high) = mean.estimate.interval.unwrap();
        assert!((low + 163.136).abs() < 1e-3 && (high - 44.136).abs() < 1e-3, "{low} {high}");
        assert_eq!(verdict(&h, &mean), Some(Verdict::Unclear));
    }

    #[test]
    fn an_infinite_difference_keeps_its_sign_in_the_median() {
        // Higher is better; the baseline achieved nothing at seeds 1 and 2:
        // differences inf, inf, 6, 6, 6, 2, 2. Sorted 2, 2, 6, 6, 6, inf,
        // inf: median 6; for n = 7 only [x(1), x(7)] reaches 95% (misses
        // with 2 / 2^7 = 0.016; [x(2), x(6)] with 2 * 8 / 2^7 = 0.125), so
        // [2, inf], which excludes 0.
        let nothing = NullMeaning::NothingAchieved;
        let h = headline(Statistic::Median(nothing), Better::Higher, nothing);
        let choice = [5.0, 6.0, 7.0, 8.0, 9.0, 4.0, 3.0];
        let base = [None, None, Some(1.0), Some(2.0), Some(3.0), Some(2.0), Some(1.0)];
        let values: Vec<_> = (0..7).map(|i| (i as u64, Some(choice[i]), base[i])).collect();
        let d = compare(&h, values);
        assert_eq!(d.estimate, Estimate { n: 7, value: 6.0, interval: Some((2.0, f64::INFINITY)) });
        assert_eq!(verdict(&h, &d), Some(Verdict::Better));
        // A mean cannot take them: five finite pairs, two left out.
        let mean = compare(&Headline { statistic: Statistic::Mean, ..h.clone() }, d_values(&d));
        assert_eq!((mean.estimate.n, mean.dropped), (5, 2));
        // Toward a target, a difference's sign is no verdict.
        assert_eq!(verdict(&Headline { better: Better::Toward(1.0), ..h }, &d), None);
        // Equal values, infinite ones included, differ by 0; an undefined
        // side by nothing.
        let pd = |c, n, a, b| pair_difference(c, n, a, b);
        assert_eq!(pd(Centre::Median, nothing, None, None), Some(0.0));
        assert_eq!(pd(Centre::Median, nothing, None, Some(3.0)), Some(f64::NEG_INFINITY));
        let (inf, undefined) = (f64::INFINITY, NullMeaning::Undefined);
        assert_eq!(pd(Centre::Median, undefined, Some(inf), Some(inf)), Some(0.0));
        assert_eq!(
            pd(Centre::Median, undefined, Some(f64::NEG_INFINITY), Some(inf)),
            Some(f64::NEG_INFINITY)
        );
        assert_eq!(pd(Centre::Median, undefined, None, Some(1.0)), None);
        assert_eq!(pd(Centre::Median, undefined, Some(f64::NAN), Some(1.0)), None);
        assert_eq!(pd(Centre::Mean, nothing, Some(inf), Some(1.0)), None);
        assert_eq!(pd(Centre::Mean, nothing, None, Some(1.0)), None);
        assert_eq!(pd(Centre::Mean, nothing, Some(4.0), Some(1.5)), Some(2.5));
    }

    #[test]
    fn a_repeated_seed_pairs_nothing() {
        let choice = vec![(1, vec![Some(1.0)]), (1, vec![Some(2.0)]), (2, vec![Some(3.0)])];
        let baseline = vec![(1, vec![Some(0.0)]), (2, vec![Some(0.0)]), (2, vec![Some(1.0)])];
        assert!(partners(&choice, &baseline).is_empty());
    }
}
