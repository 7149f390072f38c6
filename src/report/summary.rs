//! The runs table reduced to one row per grid point: replicates, failures,
//! and a median with its interval for every headline column.
//!
//! A grid point is the combination of the parameters that vary across the
//! dataset; parameters that are the same for every run are reported once.
//! Failed runs (`status = "failed"`) are counted and left out of every
//! statistic.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use arrow::array::Array;

use super::columns::{self, Cell, Layout};
use super::dataset::{self, Dataset};
use super::error::ReportError;
use super::plan::{Headline, Nulls};
use super::stats::{self, Estimate};
use crate::names::{self, column, Status};

/// One headline column summarised at one grid point.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSummary {
    pub summary: Estimate,
    /// Runs whose value was null.
    pub nulls: usize,
    /// How those nulls were counted.
    pub treatment: Nulls,
}

/// One grid point's row of the headline table.
#[derive(Clone, Debug, PartialEq)]
pub struct GridPoint {
    /// Values of [`Summary::varying`], in that order.
    pub key: Vec<Cell>,
    /// Runs at this point, failed ones included.
    pub replicates: usize,
    pub failures: usize,
    /// The `generations` parameter, where the scenario has one: the horizon
    /// a censored value lies beyond.
    pub horizon: Option<f64>,
    /// One entry per headline column, in plan order.
    pub columns: Vec<ColumnSummary>,
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
}

#[derive(Default)]
struct Accumulator {
    replicates: usize,
    failures: usize,
    horizon: Option<f64>,
    runs: Vec<u64>,
    /// Per headline column, per run: the value and, for a ratio, the theory.
    values: Vec<Vec<(Option<f64>, Option<f64>)>>,
}

/// Reads the columns the headline table needs from the runs table and
/// summarises them by grid point.
pub fn summarise(dataset: &Dataset, layout: &Layout, headline: &[Headline]) -> Result<Summary, ReportError> {
    let path = dataset.dir.join(names::RUNS_DIR);
    // The raw columns each headline reads: itself, or a ratio's two operands.
    let sources: Vec<Vec<String>> = headline
        .iter()
        .map(|h| match &h.ratio {
            Some((top, bottom)) => vec![top.clone(), bottom.clone()],
            None => vec![h.column.clone()],
        })
        .collect();
    let mut wanted: Vec<&str> = vec![column::RUN_ID, column::SCENARIO, column::STATUS];
    wanted.extend(layout.parameters.iter().map(String::as_str));
    for source in sources.iter().flatten() {
        if !wanted.contains(&source.as_str()) {
            wanted.push(source);
        }
    }
    let horizon_index = layout.parameters.iter().position(|p| p == "generations");
    let mut groups: BTreeMap<Vec<Cell>, Accumulator> = BTreeMap::new();
    let mut scenario = String::new();
    dataset::for_each_batch(&dataset.runs, &wanted, |batch| {
        let column = |name: &str| {
            batch.column_by_name(name).cloned().ok_or_else(|| ReportError::BadSchema {
                path: path.clone(),
                message: format!("no column `{name}`"),
            })
        };
        let ids = columns::run_ids(&path, &column(column::RUN_ID)?)?;
        let status = columns::cells(&column(column::STATUS)?);
        if scenario.is_empty() {
            if let Some(Cell::Text(name)) = columns::cells(&column(column::SCENARIO)?).first() {
                scenario = name.clone();
            }
        }
        let parameters: Vec<Vec<Cell>> = layout
            .parameters
            .iter()
            .map(|p| column(p).map(|c| columns::cells(&c)))
            .collect::<Result<_, _>>()?;
        let mut values = Vec::with_capacity(sources.len());
        for source in &sources {
            let arrays: Vec<_> = source
                .iter()
                .map(|s| column(s).and_then(|c| columns::floats(&path, &c)))
                .collect::<Result<_, _>>()?;
            values.push(arrays);
        }
        for row in 0..batch.num_rows() {
            let key: Vec<Cell> = parameters.iter().map(|p| p[row].clone()).collect();
            let group = groups.entry(key).or_insert_with(|| Accumulator {
                values: vec![Vec::new(); sources.len()],
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
            for (slot, arrays) in group.values.iter_mut().zip(&values) {
                let read = |k: usize| arrays.get(k).and_then(|a| a.is_valid(row).then(|| a.value(row)));
                slot.push((read(0), read(1)));
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
    Ok(reduce(scenario, layout, headline, groups))
}

fn reduce(
    scenario: String,
    layout: &Layout,
    headline: &[Headline],
    groups: BTreeMap<Vec<Cell>, Accumulator>,
) -> Summary {
    let distinct: Vec<BTreeSet<&Cell>> =
        (0..layout.parameters.len()).map(|i| groups.keys().map(|key| &key[i]).collect()).collect();
    let varying_index: Vec<usize> = (0..distinct.len()).filter(|&i| distinct[i].len() > 1).collect();
    let fixed = (0..distinct.len())
        .filter(|&i| distinct[i].len() == 1)
        .filter_map(|i| distinct[i].first().map(|c| (layout.parameters[i].clone(), (*c).clone())))
        .collect();
    let varying = varying_index.iter().map(|&i| layout.parameters[i].clone()).collect();
    let mut summary = Summary { scenario, varying, fixed, ..Default::default() };
    for (key, group) in groups {
        let index = summary.points.len();
        for run in &group.runs {
            summary.point_of_run.insert(*run, index);
        }
        let columns = headline
            .iter()
            .zip(group.values)
            .map(|(h, values)| match h.ratio {
                Some(_) => summarise_ratio(&values),
                None => summarise_column(h.nulls, values.into_iter().map(|(v, _)| v).collect()),
            })
            .collect();
        summary.points.push(GridPoint {
            key: varying_index.iter().map(|&i| key[i].clone()).collect(),
            replicates: group.replicates,
            failures: group.failures,
            horizon: group.horizon,
            columns,
        });
    }
    summary
}

fn summarise_column(nulls: Nulls, values: Vec<Option<f64>>) -> ColumnSummary {
    let missing = values.iter().filter(|v| v.is_none()).count();
    let mut present: Vec<f64> = match nulls {
        Nulls::Censored => values.into_iter().map(|v| v.unwrap_or(f64::INFINITY)).collect(),
        Nulls::Lowest => values.into_iter().map(|v| v.unwrap_or(f64::NEG_INFINITY)).collect(),
        Nulls::Dropped => values.into_iter().flatten().filter(|v| !v.is_nan()).collect(),
    };
    let summary = stats::median_interval(&mut present);
    ColumnSummary { summary, nulls: missing, treatment: nulls }
}

/// Simulation against theory: the ratio of their means over the runs where
/// both are present (theory is an expectation; see [`stats::mean_ratio`]).
fn summarise_ratio(values: &[(Option<f64>, Option<f64>)]) -> ColumnSummary {
    let pairs: Vec<(f64, f64)> = values
        .iter()
        .filter_map(|(sim, theory)| sim.zip(*theory))
        .filter(|(sim, theory)| sim.is_finite() && theory.is_finite())
        .collect();
    let (simulated, theory): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
    let summary = stats::mean_ratio(&simulated, &theory);
    ColumnSummary { summary, nulls: values.len() - pairs.len(), treatment: Nulls::Dropped }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn censored_nulls_count_as_infinite_and_dropped_ones_are_left_out() {
        let runway = summarise_column(Nulls::Censored, vec![Some(3.0), None, None]);
        assert_eq!((runway.summary.value, runway.nulls, runway.summary.n), (f64::INFINITY, 2, 3));
        let digits = summarise_column(Nulls::Dropped, vec![Some(3.0), None, Some(5.0)]);
        assert_eq!((digits.summary.value, digits.nulls, digits.summary.n), (4.0, 1, 2));
        let solved = summarise_column(Nulls::Lowest, vec![None, None, Some(5.0)]);
        assert_eq!((solved.summary.value, solved.summary.n), (f64::NEG_INFINITY, 3));
    }
}
