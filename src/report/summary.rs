//! The runs table reduced to one row per grid point: replicates, failures,
//! how the runs ended, and a statistic with its interval for every headline
//! column.
//!
//! A grid point is the combination of the parameters that vary across the
//! dataset; parameters that are the same for every run are reported once.
//! Failed runs (any status but `ok`) are counted and left out of every
//! statistic. Points are ordered by the scenario's declared choice order,
//! the comparison's baseline first.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use arrow::array::Array;

use super::columns::{self, Cell, Layout};
use super::dataset::{self, Dataset};
use super::error::ReportError;
use super::outline::{Headline, OutcomePlan, Outline, Statistic};
use super::stats::{self, Estimate};
use crate::dataset::names::{self, column, Status};
use crate::value::NullMeaning;

/// One headline column summarised at one grid point.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSummary {
    /// The statistic and its interval; for [`Statistic::Mode`] the share of
    /// runs taking the commonest value.
    pub summary: Estimate,
    /// Runs whose value was null.
    pub nulls: usize,
    /// For [`Statistic::Mode`]: the commonest value and its count.
    pub mode: Option<(String, usize)>,
    /// For a mean and its ratio to a theory: the values' tail shape
    /// ([`super::tail::shape`]), `None` where too few values to tell.
    pub tail: Option<f64>,
    /// For a mean: runs whose value was infinite (a variance that
    /// underflowed to 0 has a log of `-inf`), left out of the mean and said,
    /// not dropped in silence. (A ratio counts them among its `nulls`.)
    pub infinite: usize,
}

impl ColumnSummary {
    /// Whether the values are so heavy-tailed that the normal interval of
    /// their mean may cover less than 95% ([`super::tail::HEAVY`]).
    pub fn heavy_tailed(&self) -> bool {
        self.summary.interval.is_some() && self.tail.is_some_and(|k| k >= super::tail::HEAVY)
    }
}

/// How the successful runs at one grid point ended.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OutcomeSummary {
    /// Runs per declared outcome, in outline order.
    pub counts: Vec<usize>,
    /// Runs whose outcome the declaration does not list.
    pub other: usize,
    /// Per outcome: the median generation its runs ended at.
    pub times: Vec<Estimate>,
    /// Per outcome: the median of where its runs got to.
    pub places: Vec<Estimate>,
    /// The time to the timed event with every other ending counted as
    /// never: its median is the generation by which half the runs had the
    /// event (the cumulative incidence reaching 1/2), `+inf` when fewer did.
    pub event_time: Option<Estimate>,
}

impl OutcomeSummary {
    /// Successful runs counted.
    pub fn total(&self) -> usize {
        self.counts.iter().sum::<usize>() + self.other
    }
}

/// One grid point's row.
#[derive(Clone, Debug, PartialEq)]
pub struct GridPoint {
    /// Values of [`Summary::varying`], in that order.
    pub key: Vec<Cell>,
    /// Runs at this point, failed ones included.
    pub replicates: usize,
    pub failures: usize,
    /// The horizon parameter's value, where the outline names one.
    pub horizon: Option<f64>,
    /// One entry per headline column, in outline order.
    pub columns: Vec<ColumnSummary>,
    pub outcome: Option<OutcomeSummary>,
}

/// The runs table, summarised.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub scenario: String,
    /// Parameters that take more than one value, in schema order.
    pub varying: Vec<String>,
    /// Parameters with a single value across the dataset.
    pub fixed: Vec<(String, Cell)>,
    pub points: Vec<GridPoint>,
    /// Which grid point each successful run belongs to, for the curves.
    pub point_of_run: HashMap<u64, usize>,
    /// Per grid point, only when the outline names paired axes: each successful
    /// run's seed (shared by its partners) and headline values, in outline
    /// order, for the paired differences.
    pub per_run: Vec<Vec<(u64, Vec<Option<f64>>)>>,
}

impl Summary {
    /// All runs in the dataset.
    pub fn runs(&self) -> usize {
        self.points.iter().map(|p| p.replicates).sum()
    }

    /// All failed runs in the dataset.
    pub fn failures(&self) -> usize {
        self.points.iter().map(|p| p.failures).sum()
    }

    /// The position of parameter `name` among the varying ones.
    pub fn axis(&self, name: &str) -> Option<usize> {
        self.varying.iter().position(|v| v == name)
    }

    /// The distinct values of varying parameter `axis`: choices in the
    /// scenario's declared order (the baseline first), numbers ascending.
    pub fn values_of(&self, axis: usize, outline: &Outline) -> Vec<Cell> {
        let name = &self.varying[axis];
        let mut values: Vec<Cell> =
            self.points.iter().map(|p| p.key[axis].clone()).collect::<BTreeSet<_>>().into_iter().collect();
        values.sort_by_key(|v| match v {
            Cell::Text(t) => outline.choice_rank(name, t).unwrap_or(usize::MAX),
            _ => 0,
        });
        values
    }

    /// The value of parameter `name` at grid point `point`, varying or fixed.
    pub fn value_at(&self, point: usize, name: &str) -> Option<&Cell> {
        match self.axis(name) {
            Some(axis) => self.points.get(point).map(|p| &p.key[axis]),
            None => self.fixed.iter().find(|(n, _)| n == name).map(|(_, v)| v),
        }
    }

    /// `name = value` for every varying parameter of `point` except `skip`.
    pub fn describe(&self, point: usize, skip: &[&str]) -> Vec<String> {
        self.varying
            .iter()
            .zip(&self.points[point].key)
            .filter(|(name, _)| !skip.contains(&name.as_str()))
            .map(|(name, value)| format!("{name} = {value}"))
            .collect()
    }
}

/// What one successful run contributes.
#[derive(Default)]
struct Accumulator {
    replicates: usize,
    failures: usize,
    horizon: Option<f64>,
    runs: Vec<u64>,
    /// Per successful run, in a paired dataset: its seed.
    seeds: Vec<u64>,
    /// Per headline column, per run: the value and, for a ratio, the theory.
    values: Vec<Vec<(Option<f64>, Option<f64>)>>,
    /// Per headline column, per run: the text, for modes.
    texts: Vec<Vec<Option<String>>>,
    /// Per run: (outcome, time, place).
    endings: Vec<(Option<String>, Option<f64>, Option<f64>)>,
}

/// Reads the columns the outline needs from the runs table and summarises
/// them by grid point.
pub fn summarise(dataset: &Dataset, layout: &Layout, outline: &Outline) -> Result<Summary, ReportError> {
    let path = dataset.dir.join(names::RUNS_DIR);
    let headline = &outline.headline;
    let paired = !outline.paired.is_empty();
    let mut wanted: Vec<&str> = vec![column::RUN_ID, column::SCENARIO, column::STATUS];
    if paired {
        wanted.push(column::SEED);
    }
    wanted.extend(layout.parameters.iter().map(String::as_str));
    for h in headline {
        wanted.push(&h.column);
        wanted.extend(h.theory.as_deref());
    }
    if let Some(outcome) = &outline.outcome {
        wanted.push(&outcome.column);
        wanted.push(&outcome.time);
        wanted.extend(outcome.place.as_ref().map(|(p, _)| p.as_str()));
    }
    wanted.sort_unstable();
    wanted.dedup();
    let horizon_index = outline.horizon.as_ref().and_then(|h| layout.parameters.iter().position(|p| p == h));
    let mut groups: BTreeMap<Vec<Cell>, Accumulator> = BTreeMap::new();
    let mut scenario = String::new();
    dataset::for_each_batch(&dataset.runs, &wanted, |batch| {
        let column = |name: &str| {
            batch.column_by_name(name).cloned().ok_or_else(|| ReportError::BadSchema {
                path: path.clone(),
                message: format!("no column `{name}`"),
            })
        };
        let floats = |name: &str| column(name).and_then(|c| columns::floats(&path, &c));
        let texts = |name: &str| column(name).map(|c| columns::cells(&c));
        let ids = columns::run_ids(&path, &column(column::RUN_ID)?)?;
        let seeds = if paired { Some(columns::run_ids(&path, &column(column::SEED)?)?) } else { None };
        let status = texts(column::STATUS)?;
        if scenario.is_empty() {
            if let Some(Cell::Text(name)) = texts(column::SCENARIO)?.first() {
                scenario = name.clone();
            }
        }
        let parameters: Vec<Vec<Cell>> =
            layout.parameters.iter().map(|p| texts(p)).collect::<Result<_, _>>()?;
        let mut values = Vec::with_capacity(headline.len());
        let mut strings = Vec::with_capacity(headline.len());
        for h in headline {
            if h.statistic == Statistic::Mode {
                values.push((None, None));
                strings.push(Some(texts(&h.column)?));
            } else {
                let theory = h.theory.as_deref().map(floats).transpose()?;
                values.push((Some(floats(&h.column)?), theory));
                strings.push(None);
            }
        }
        let endings = match &outline.outcome {
            Some(o) => Some((
                texts(&o.column)?,
                floats(&o.time)?,
                o.place.as_ref().map(|(p, _)| floats(p)).transpose()?,
            )),
            None => None,
        };
        for row in 0..batch.num_rows() {
            let key: Vec<Cell> = parameters.iter().map(|p| p[row].clone()).collect();
            let group = groups.entry(key).or_insert_with(|| Accumulator {
                values: vec![Vec::new(); headline.len()],
                texts: vec![Vec::new(); headline.len()],
                ..Default::default()
            });
            group.replicates += 1;
            let text = match &status[row] {
                Cell::Text(text) => Some(text.as_str()),
                _ => None,
            };
            if Status::parse(text) == Status::Failed {
                group.failures += 1;
                continue;
            }
            group.horizon = horizon_index.and_then(|i| parameters[i][row].as_f64());
            group.runs.push(ids.value(row));
            group.seeds.extend(seeds.as_ref().map(|s| s.value(row)));
            let read = |a: &arrow::array::Float64Array| a.is_valid(row).then(|| a.value(row));
            for (k, (value, theory)) in values.iter().enumerate() {
                group.values[k].push((value.as_ref().and_then(read), theory.as_ref().and_then(read)));
                if let Some(cells) = &strings[k] {
                    group.texts[k].push(match &cells[row] {
                        Cell::Text(t) => Some(t.clone()),
                        _ => None,
                    });
                }
            }
            if let Some((outcomes, times, places)) = &endings {
                let outcome = match &outcomes[row] {
                    Cell::Text(t) => Some(t.clone()),
                    _ => None,
                };
                group.endings.push((outcome, read(times), places.as_ref().and_then(read)));
            }
        }
        Ok(())
    })?;
    if groups.is_empty() {
        return Err(ReportError::Empty {
            path: dataset.dir.clone(),
            what: "the runs table has no rows".into(),
        });
    }
    Ok(reduce(scenario, layout, outline, groups))
}

fn reduce(
    scenario: String,
    layout: &Layout,
    outline: &Outline,
    groups: BTreeMap<Vec<Cell>, Accumulator>,
) -> Summary {
    let distinct: Vec<BTreeSet<&Cell>> =
        (0..layout.parameters.len()).map(|i| groups.keys().map(|key| &key[i]).collect()).collect();
    let mut varying_index: Vec<usize> = (0..distinct.len()).filter(|&i| distinct[i].len() > 1).collect();
    // The sweep file's order (stable: the rest keep the scenario's order).
    varying_index.sort_by_key(|&i| {
        outline.axis_order.iter().position(|a| *a == layout.parameters[i]).unwrap_or(usize::MAX)
    });
    let fixed = (0..distinct.len())
        .filter(|&i| distinct[i].len() == 1)
        .filter_map(|i| distinct[i].first().map(|c| (layout.parameters[i].clone(), (*c).clone())))
        .collect();
    let varying: Vec<String> = varying_index.iter().map(|&i| layout.parameters[i].clone()).collect();
    // Declared choice order (baseline first), numbers numerically.
    let rank = |axis: usize, cell: &Cell| match cell {
        Cell::Text(text) => match outline.choice_rank(&varying[axis], text) {
            Some(rank) => Cell::Int(rank as i64),
            None => cell.clone(),
        },
        other => other.clone(),
    };
    let mut ordered: Vec<(Vec<Cell>, Vec<Cell>, Accumulator)> = groups
        .into_iter()
        .map(|(key, group)| {
            let key: Vec<Cell> = varying_index.iter().map(|&i| key[i].clone()).collect();
            let sort: Vec<Cell> = key.iter().enumerate().map(|(axis, c)| rank(axis, c)).collect();
            (sort, key, group)
        })
        .collect();
    ordered.sort_by(|a, b| a.0.cmp(&b.0));
    let mut summary = Summary { scenario, varying, fixed, ..Default::default() };
    for (_, key, group) in ordered {
        let index = summary.points.len();
        if !outline.paired.is_empty() {
            let values = (0..group.seeds.len())
                .map(|run| group.values.iter().map(|column| column[run].0).collect())
                .collect();
            let values: Vec<Vec<Option<f64>>> = values;
            summary.per_run.push(group.seeds.iter().copied().zip(values).collect());
        }
        for run in &group.runs {
            summary.point_of_run.insert(*run, index);
        }
        let columns = outline
            .headline
            .iter()
            .zip(group.values)
            .zip(group.texts)
            .map(|((h, values), texts)| summarise_column(h, &values, &texts))
            .collect();
        let outcome = outline.outcome.as_ref().map(|o| summarise_outcome(o, &group.endings));
        summary.points.push(GridPoint {
            key,
            replicates: group.replicates,
            failures: group.failures,
            horizon: group.horizon,
            columns,
            outcome,
        });
    }
    summary
}

fn summarise_column(
    headline: &Headline,
    values: &[(Option<f64>, Option<f64>)],
    texts: &[Option<String>],
) -> ColumnSummary {
    let present = || values.iter().filter_map(|(v, _)| *v).filter(|v| !v.is_nan());
    let nulls = values.iter().filter(|(v, _)| v.is_none()).count();
    match headline.statistic {
        Statistic::Median(nulls_mean) => {
            let mut all = as_the_median_counts(values, nulls_mean);
            ColumnSummary {
                summary: stats::median_interval(&mut all),
                nulls,
                mode: None,
                tail: None,
                infinite: 0,
            }
        }
        Statistic::Mean => {
            let infinite = present().filter(|v| v.is_infinite()).count();
            let present: Vec<f64> = present().filter(|v| v.is_finite()).collect();
            ColumnSummary {
                summary: stats::mean_interval(&present, headline.support),
                nulls,
                mode: None,
                tail: super::tail::shape(&present, headline.support),
                infinite,
            }
        }
        Statistic::Theory => {
            // Exact: the theory's mean over runs (one value per grid point,
            // as it depends on parameters only), with no interval.
            let present: Vec<f64> = present().filter(|v| v.is_finite()).collect();
            let n = present.len();
            let value = if n == 0 { f64::NAN } else { super::stats::mean(&present) };
            ColumnSummary {
                summary: Estimate { n, value, interval: None },
                nulls,
                mode: None,
                tail: None,
                infinite: 0,
            }
        }
        Statistic::Ratio => {
            let pairs: Vec<(f64, f64)> = values
                .iter()
                .filter_map(|(sim, theory)| sim.zip(*theory))
                .filter(|(sim, theory)| sim.is_finite() && theory.is_finite())
                .collect();
            let (simulated, theory): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
            ColumnSummary {
                summary: stats::mean_ratio(&simulated, &theory, headline.support),
                nulls: values.len() - pairs.len(),
                mode: None,
                tail: super::tail::shape(&simulated, headline.support),
                infinite: 0,
            }
        }
        Statistic::MedianRatio(nulls_mean) => {
            // The theory is one value per grid point; runs are counted as
            // the median counts them (nothing achieved ranks lowest).
            let theory: Vec<f64> = values.iter().filter_map(|(_, t)| *t).filter(|t| t.is_finite()).collect();
            let mut all = as_the_median_counts(values, nulls_mean);
            ColumnSummary {
                summary: stats::median_ratio(&mut all, &theory),
                nulls,
                mode: None,
                tail: None,
                infinite: 0,
            }
        }
        Statistic::Mode => {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for text in texts.iter().flatten() {
                *counts.entry(text).or_default() += 1;
            }
            let n = texts.len();
            // The commonest value; ties go to the first in sorted order so
            // the report is deterministic.
            let best = counts.iter().fold(None::<(&str, usize)>, |best, (text, count)| match best {
                Some((_, b)) if b >= *count => best,
                _ => Some((text, *count)),
            });
            let share = best.map(|(_, c)| c as f64 / n as f64).unwrap_or(f64::NAN);
            ColumnSummary {
                summary: Estimate { n, value: share, interval: None },
                nulls: texts.iter().filter(|t| t.is_none()).count(),
                mode: best.map(|(t, c)| (t.to_string(), c)),
                tail: None,
                infinite: 0,
            }
        }
    }
}

/// A column's values as its median counts them ([`ranked`]).
fn as_the_median_counts(values: &[(Option<f64>, Option<f64>)], nulls: NullMeaning) -> Vec<f64> {
    values.iter().filter_map(|(v, _)| ranked(*v, nulls)).collect()
}

/// A value as a median ranks it, here and in the paired differences: a null
/// that means nothing was achieved below every value (`-inf`); an undefined
/// null, or a `NaN`, not at all.
pub(super) fn ranked(value: Option<f64>, nulls: NullMeaning) -> Option<f64> {
    match (value, nulls) {
        (Some(v), _) if !v.is_nan() => Some(v),
        (None, NullMeaning::NothingAchieved) => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

fn summarise_outcome(
    outline: &OutcomePlan,
    endings: &[(Option<String>, Option<f64>, Option<f64>)],
) -> OutcomeSummary {
    let slots = outline.outcomes.len();
    let mut summary = OutcomeSummary { counts: vec![0; slots], ..Default::default() };
    let mut times = vec![Vec::new(); slots];
    let mut places = vec![Vec::new(); slots];
    let event = outline.event();
    let mut event_times = Vec::new();
    for (outcome, time, place) in endings {
        let slot = outcome.as_ref().and_then(|o| outline.outcomes.iter().position(|(v, _, _)| v == o));
        let Some(slot) = slot else {
            summary.other += 1;
            event_times.push(f64::INFINITY);
            continue;
        };
        summary.counts[slot] += 1;
        times[slot].extend(*time);
        places[slot].extend(*place);
        let timed = Some(slot) == event;
        event_times.push(if timed { time.unwrap_or(f64::INFINITY) } else { f64::INFINITY });
    }
    summary.times = times.iter_mut().map(|t| stats::median_interval(t)).collect();
    summary.places = places.iter_mut().map(|p| stats::median_interval(p)).collect();
    summary.event_time = event.map(|_| stats::median_interval(&mut event_times));
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::contract::OutcomeKind;
    use crate::value::{Better, Support};

    fn headline(statistic: Statistic) -> Headline {
        Headline {
            column: "x".into(),
            theory: None,
            statistic,
            label: "x".into(),
            name: "x".into(),
            unit: None,
            better: Better::Unknown,
            support: Support::Real,
            nulls: NullMeaning::Undefined,
        }
    }

    #[test]
    fn nothing_achieved_ranks_lowest_and_undefined_is_left_out() {
        let values = [(Some(3.0), None), (None, None), (Some(5.0), None)];
        let lowest =
            summarise_column(&headline(Statistic::Median(NullMeaning::NothingAchieved)), &values, &[]);
        assert_eq!((lowest.summary.value, lowest.summary.n, lowest.nulls), (3.0, 3, 1));
        let dropped = summarise_column(&headline(Statistic::Median(NullMeaning::Undefined)), &values, &[]);
        assert_eq!((dropped.summary.value, dropped.summary.n, dropped.nulls), (4.0, 2, 1));
    }

    #[test]
    fn a_mean_leaves_infinite_values_out_and_counts_them() {
        // A log variance ratio of -inf (the variance underflowed to 0): the
        // mean is over the finite values, 2, and the run is counted apart
        // from the null.
        let values = [(Some(1.0), None), (Some(f64::NEG_INFINITY), None), (Some(3.0), None), (None, None)];
        let mean = summarise_column(&headline(Statistic::Mean), &values, &[]);
        assert_eq!((mean.summary.value, mean.summary.n, mean.nulls, mean.infinite), (2.0, 2, 1, 1));
    }

    #[test]
    fn a_median_theory_divides_the_median_counted_as_the_median_counts() {
        // Theory 4 at every run; one run achieved nothing (-inf), so the
        // median of [-inf, 3, 5] is 3, not the 4 of the two values present.
        let values = [(Some(3.0), Some(4.0)), (None, Some(4.0)), (Some(5.0), Some(4.0))];
        let nothing = NullMeaning::NothingAchieved;
        let ratio = summarise_column(&headline(Statistic::MedianRatio(nothing)), &values, &[]);
        assert_eq!((ratio.summary.value, ratio.summary.n, ratio.nulls), (0.75, 3, 1));
        let ratio = summarise_column(&headline(Statistic::MedianRatio(NullMeaning::Undefined)), &values, &[]);
        assert_eq!((ratio.summary.value, ratio.summary.n), (1.0, 2));
    }

    #[test]
    fn the_mode_is_the_commonest_value_with_its_count() {
        let texts: Vec<Option<String>> =
            ["a", "b", "b", "c"].iter().map(|t| Some(t.to_string())).chain([None]).collect();
        let mode = summarise_column(&headline(Statistic::Mode), &[], &texts);
        assert_eq!(mode.mode, Some(("b".to_string(), 2)));
        assert_eq!(mode.summary.value, 2.0 / 5.0);
        assert_eq!(mode.nulls, 1);
    }

    fn outcome_plan() -> OutcomePlan {
        OutcomePlan {
            column: "end".into(),
            outcomes: vec![
                ("collapsed".into(), "collapsed".into(), OutcomeKind::Event),
                ("stalled".into(), "stalled".into(), OutcomeKind::Competing),
                ("limit".into(), "reached the limit".into(), OutcomeKind::Censored),
            ],
            time: "rounds".into(),
            place: None,
        }
    }

    #[test]
    fn stalls_are_never_survivors_and_the_event_median_needs_half_the_runs() {
        let ending = |o: &str, t: f64| (Some(o.to_string()), Some(t), None);
        // 3 of 7 collapse (at 2, 4, 6), 3 stall, 1 reaches the limit: fewer
        // than half collapse, so the time to collapse has no median.
        let mut endings = vec![ending("collapsed", 2.0), ending("collapsed", 4.0), ending("collapsed", 6.0)];
        endings.extend([ending("stalled", 12.0), ending("stalled", 13.0), ending("stalled", 14.0)]);
        endings.push(ending("limit", 40.0));
        let summary = summarise_outcome(&outcome_plan(), &endings);
        assert_eq!(summary.counts, [3, 3, 1]);
        assert_eq!(summary.times[1].value, 13.0, "median round of the stalls");
        assert_eq!(summary.event_time.unwrap().value, f64::INFINITY);
        // One more collapse at round 3: 4 of 8, the 4th order statistic of
        // (2, 3, 4, 6, inf x 4) and the 5th average to +inf: still none.
        endings.push(ending("collapsed", 3.0));
        assert_eq!(summarise_outcome(&outcome_plan(), &endings).event_time.unwrap().value, f64::INFINITY);
        // A 5th collapse at round 5: 5 of 9, the median is the 5th value, 6.
        endings.push(ending("collapsed", 5.0));
        assert_eq!(summarise_outcome(&outcome_plan(), &endings).event_time.unwrap().value, 6.0);
    }

    #[test]
    fn unlisted_outcomes_are_counted_apart() {
        let endings = vec![(Some("exploded".to_string()), Some(1.0), None), (None, None, None)];
        let summary = summarise_outcome(&outcome_plan(), &endings);
        assert_eq!((summary.counts.iter().sum::<usize>(), summary.other, summary.total()), (0, 2, 2));
    }
}
