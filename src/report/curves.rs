//! Per-generation metrics reduced to a line and a band across replicates,
//! for each grid point and generation (or value of another column, such as
//! the frontier length), streamed from the generations table: the median and
//! interquartile range, or, for a metric drawn against its closed-form
//! theory (an expectation), the mean and its 95% interval.
//!
//! Only `run_id`, `generation` and the plotted columns are decoded; runs are
//! mapped to grid points through the runs table, so the (possibly millions
//! of) parameter cells of the generations table are never read.
//!
//! A run that ended (it collapsed or stalled) has no rows after its last
//! generation and leaves the band there: each point of a line is over the
//! runs still going at that generation, and that count is kept beside it,
//! so a line's tail is never a plateau of finished runs.

use std::collections::HashMap;

use arrow::array::Array;

use super::columns;
use super::dataset::{self, Table};
use super::error::ReportError;
use super::outline::Curve;
use super::stats;
use super::summary::Summary;
use crate::dataset::names::column;
use crate::value::Support;

/// Generations beyond this mean a damaged file, not a long sweep (sweeps
/// cap `generations` at a million); refusing them bounds the memory a
/// corrupt value could ask for.
const MAX_GENERATION: f64 = 10_000_000.0;

/// One metric at one x value: the line's value, the band around it and the
/// number of runs behind them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    pub x: f64,
    /// The median, or the mean for a metric with a theory.
    pub center: f64,
    pub lower: f64,
    pub upper: f64,
    /// Runs with a value here.
    pub runs: usize,
}

/// One plotted series (a curve or its theory) at one grid point.
pub type Series = Vec<Band>;

/// For each curve (outline order): for each grid point (summary order): the
/// simulation's series and, where there is one, the theory's.
pub type Curves = Vec<Vec<(Series, Option<Series>)>>;

/// Values gathered for one curve: `cells[point][x]` = (simulated, theory).
type Cells = Vec<Vec<(Vec<f64>, Vec<f64>)>>;

/// The latest row of a run at one x value: (generation, value, theory).
type Latest = HashMap<(u64, i64), (i64, Option<f64>, Option<f64>)>;

/// Streams `table` and reduces every curve.
pub fn reduce(table: &Table, summary: &Summary, curves: &[Curve]) -> Result<Curves, ReportError> {
    let path = table.parts.first().cloned().unwrap_or_default();
    let mut wanted = vec![column::RUN_ID, column::GENERATION];
    for curve in curves {
        wanted.push(&curve.column);
        wanted.extend(curve.theory.as_deref());
        wanted.extend(curve.x.as_deref());
    }
    wanted.sort_unstable();
    wanted.dedup();
    let points = summary.points.len();
    let mut cells: Vec<Cells> = vec![vec![Vec::new(); points]; curves.len()];
    let mut latest: Vec<Latest> = vec![HashMap::new(); curves.len()];
    dataset::for_each_batch(table, &wanted, |batch| {
        let floats = |name: &str| {
            let array = batch.column_by_name(name).cloned().ok_or_else(|| ReportError::BadSchema {
                path: path.clone(),
                message: format!("no column `{name}`"),
            })?;
            columns::floats(&path, &array)
        };
        let ids = columns::run_ids(
            &path,
            batch.column_by_name(column::RUN_ID).ok_or_else(|| ReportError::BadSchema {
                path: path.clone(),
                message: "no column `run_id`".into(),
            })?,
        )?;
        let generations = floats(column::GENERATION)?;
        for (k, curve) in curves.iter().enumerate() {
            let values = floats(&curve.column)?;
            let theory = curve.theory.as_deref().map(floats).transpose()?;
            let xs = curve.x.as_deref().map(floats).transpose()?;
            let read = |a: &arrow::array::Float64Array, row: usize| {
                (a.is_valid(row) && a.value(row).is_finite()).then(|| a.value(row))
            };
            for row in 0..batch.num_rows() {
                // Failed runs have no grid point entry and are skipped.
                let Some(&point) = summary.point_of_run.get(&ids.value(row)) else { continue };
                let Some(generation) = read(&generations, row).filter(|g| *g >= 0.0) else { continue };
                if generation > MAX_GENERATION {
                    return Err(ReportError::BadSchema {
                        path: path.clone(),
                        message: format!("generation {generation} is beyond any sweep's horizon"),
                    });
                }
                let flip = |v: f64| if curve.complement { 1.0 - v } else { v };
                let value = read(&values, row).map(flip);
                let expected = theory.as_ref().and_then(|t| read(t, row)).map(flip);
                match &xs {
                    None => push(&mut cells[k][point], generation as usize, value, expected),
                    Some(xs) => {
                        let Some(x) = read(xs, row).filter(|x| (0.0..=MAX_GENERATION).contains(x)) else {
                            continue;
                        };
                        let slot = latest[k].entry((ids.value(row), x as i64)).or_insert((-1, None, None));
                        if generation as i64 > slot.0 {
                            *slot = (generation as i64, value, expected);
                        }
                    }
                }
            }
        }
        Ok(())
    })?;
    for (k, by_run) in latest.into_iter().enumerate() {
        for ((run, x), (_, value, expected)) in by_run {
            if let Some(&point) = summary.point_of_run.get(&run) {
                push(&mut cells[k][point], x as usize, value, expected);
            }
        }
    }
    Ok(cells
        .into_iter()
        .zip(curves)
        .map(|(by_point, curve)| {
            by_point
                .into_iter()
                .map(|point| {
                    let mean = curve.theory.is_some().then_some(curve.support);
                    let simulated = series(&point, |c| &c.0, mean);
                    let theory = curve.theory.as_ref().map(|_| series(&point, |c| &c.1, Some(curve.support)));
                    (simulated, theory)
                })
                .collect()
        })
        .collect())
}

fn push(point: &mut Vec<(Vec<f64>, Vec<f64>)>, x: usize, value: Option<f64>, theory: Option<f64>) {
    if point.len() <= x {
        point.resize(x + 1, (Vec::new(), Vec::new()));
    }
    point[x].0.extend(value);
    point[x].1.extend(theory);
}

/// Medians with quartiles, or (`mean` with the quantity's support) means
/// with their 95% interval, kept inside the support.
fn series(
    point: &[(Vec<f64>, Vec<f64>)],
    pick: impl Fn(&(Vec<f64>, Vec<f64>)) -> &Vec<f64>,
    mean: Option<Support>,
) -> Series {
    point
        .iter()
        .enumerate()
        .filter(|(_, cell)| !pick(cell).is_empty())
        .map(|(x, cell)| {
            let values = pick(cell);
            let x = x as f64;
            if let Some(support) = mean {
                let estimate = stats::mean_interval(values, support);
                let (lower, upper) = estimate.interval.unwrap_or((estimate.value, estimate.value));
                return Band { x, center: estimate.value, lower, upper, runs: values.len() };
            }
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            Band {
                x,
                center: stats::quantile_sorted(&sorted, 0.5),
                lower: stats::quantile_sorted(&sorted, 0.25),
                upper: stats::quantile_sorted(&sorted, 0.75),
                runs: values.len(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_run_leaves_the_band_instead_of_flattening_it() {
        // Run a lasts three generations, run b one: generation 2 is over a
        // alone, and says so.
        let mut point = Vec::new();
        for (x, v) in [(0, 1.0), (1, 2.0), (2, 3.0)] {
            push(&mut point, x, Some(v), None);
        }
        push(&mut point, 0, Some(5.0), None);
        let line = series(&point, |c| &c.0, None);
        assert_eq!(line.iter().map(|b| b.runs).collect::<Vec<_>>(), [2, 1, 1]);
        assert_eq!(line[0].center, 3.0);
        assert_eq!(line[2].center, 3.0);
    }
}
