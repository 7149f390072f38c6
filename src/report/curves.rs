//! Per-generation metrics reduced to a line and a band across replicates,
//! for each grid point and generation, streamed from the generations table:
//! the median and interquartile range, or, for a metric drawn against its
//! closed-form theory (an expectation), the mean and its 95% interval.
//!
//! Only `run_id`, `generation` and the plotted columns are decoded; runs are
//! mapped to grid points through the runs table, so the (possibly millions
//! of) parameter cells of the generations table are never read. Memory is
//! one `f64` per plotted value (8 bytes x rows x curves), since exact
//! medians need the values.
//!
//! A run that ended early (it collapsed or stalled) has no rows after its
//! last generation; its last value is carried forward to the last generation
//! any run of the dataset reached, so that the median at each generation is
//! over all replicates and not only the survivors.

use std::collections::HashMap;

use arrow::array::Array;

use super::columns;
use super::dataset::{self, Table};
use super::error::ReportError;
use super::plan::Curve;
use super::stats;
use super::summary::Summary;
use crate::names::column;

/// Generations beyond this mean a damaged file, not a long sweep (sweeps
/// cap `generations` at a million); refusing them bounds the memory a
/// corrupt value could ask for.
const MAX_GENERATION: f64 = 10_000_000.0;

/// One metric at one generation: the line's value and the band around it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    pub generation: i64,
    /// The median, or the mean for a metric with a theory.
    pub center: f64,
    pub lower: f64,
    pub upper: f64,
}

/// One plotted series (a curve or its theory) at one grid point.
pub type Series = Vec<Band>;

/// For each curve (plan order): for each grid point (summary order): the
/// simulation's series and, where there is one, the theory's.
pub type Curves = Vec<Vec<(Series, Option<Series>)>>;

/// Per-run state for carrying a run's last value forward.
struct LastRow {
    generation: i64,
    values: Vec<Option<f64>>,
}

/// Streams `table` and reduces every curve (and theory) column.
pub fn reduce(table: &Table, summary: &Summary, curves: &[Curve]) -> Result<Curves, ReportError> {
    let path = table.parts.first().cloned().unwrap_or_default();
    let mut columns: Vec<&str> = Vec::new();
    for curve in curves {
        columns.push(&curve.column);
        if let Some(theory) = &curve.theory {
            columns.push(theory);
        }
    }
    let mut wanted = vec![column::RUN_ID, column::GENERATION];
    wanted.extend(&columns);
    // cells[point][generation][column]: the values across replicates.
    let points = summary.points.len();
    let mut cells: Vec<Vec<Vec<Vec<f64>>>> = vec![Vec::new(); points];
    let mut last: HashMap<u64, LastRow> = HashMap::new();
    dataset::for_each_batch(table, &wanted, |batch| {
        let array = |name: &str| {
            batch.column_by_name(name).cloned().ok_or_else(|| ReportError::BadSchema {
                path: path.clone(),
                message: format!("no column `{name}`"),
            })
        };
        let ids = columns::run_ids(&path, &array(column::RUN_ID)?)?;
        let generations = columns::floats(&path, &array(column::GENERATION)?)?;
        let values: Vec<_> = columns
            .iter()
            .map(|c| array(c).and_then(|a| columns::floats(&path, &a)))
            .collect::<Result<_, _>>()?;
        for row in 0..batch.num_rows() {
            // Failed runs have no grid point entry and are skipped.
            let Some(&point) = summary.point_of_run.get(&ids.value(row)) else { continue };
            if !generations.is_valid(row) || generations.value(row) < 0.0 {
                continue;
            }
            if generations.value(row) > MAX_GENERATION {
                return Err(ReportError::BadSchema {
                    path: path.clone(),
                    message: format!("generation {} is beyond any sweep's horizon", generations.value(row)),
                });
            }
            let generation = generations.value(row) as i64;
            let slot = &mut cells[point];
            let needed = generation as usize + 1;
            if slot.len() < needed {
                slot.resize(needed, vec![Vec::new(); columns.len()]);
            }
            let row_values: Vec<Option<f64>> =
                values.iter().map(|v| v.is_valid(row).then(|| v.value(row))).collect();
            for (column, value) in row_values.iter().enumerate() {
                if let Some(value) = value.filter(|v| v.is_finite()) {
                    slot[generation as usize][column].push(value);
                }
            }
            let entry = last.entry(ids.value(row)).or_insert(LastRow { generation: -1, values: Vec::new() });
            if generation > entry.generation {
                *entry = LastRow { generation, values: row_values };
            }
        }
        Ok(())
    })?;
    carry_forward(&mut cells, summary, &last);
    Ok(assemble(cells, curves))
}

fn carry_forward(cells: &mut [Vec<Vec<Vec<f64>>>], summary: &Summary, last: &HashMap<u64, LastRow>) {
    // Every point is carried to the longest run of the whole dataset, so
    // that lines in one figure span the same rounds.
    let horizon = cells.iter().map(Vec::len).max().unwrap_or(0);
    let columns = last.values().next().map(|row| row.values.len()).unwrap_or(0);
    for point in cells.iter_mut() {
        point.resize(horizon, vec![Vec::new(); columns]);
    }
    for (run, row) in last {
        let Some(&point) = summary.point_of_run.get(run) else { continue };
        for generation in cells[point].iter_mut().skip(row.generation as usize + 1) {
            for (slot, value) in generation.iter_mut().zip(&row.values) {
                if let Some(value) = value.filter(|v| v.is_finite()) {
                    slot.push(value);
                }
            }
        }
    }
}

fn assemble(cells: Vec<Vec<Vec<Vec<f64>>>>, curves: &[Curve]) -> Curves {
    let mut result: Curves = vec![Vec::new(); curves.len()];
    for point in cells {
        // Columns were read curve by curve, each followed by its theory.
        let mut column = 0;
        for (curve, out) in curves.iter().zip(result.iter_mut()) {
            let with_theory = curve.theory.is_some();
            let simulation = series(&point, column, with_theory);
            let theory = curve.theory.as_ref().map(|_| series(&point, column + 1, true));
            column += 1 + usize::from(theory.is_some());
            out.push((simulation, theory));
        }
    }
    result
}

/// Medians with quartiles, or (`mean`) means with their 95% interval.
fn series(point: &[Vec<Vec<f64>>], column: usize, mean: bool) -> Series {
    point
        .iter()
        .enumerate()
        .filter(|(_, generation)| !generation[column].is_empty())
        .map(|(index, generation)| {
            let values = &generation[column];
            let generation = index as i64;
            if mean {
                let estimate = stats::mean_ratio(values, &[1.0]);
                let (lower, upper) = estimate.interval.unwrap_or((estimate.value, estimate.value));
                return Band { generation, center: estimate.value, lower, upper };
            }
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            Band {
                generation,
                center: stats::quantile_sorted(&sorted, 0.5),
                lower: stats::quantile_sorted(&sorted, 0.25),
                upper: stats::quantile_sorted(&sorted, 0.75),
            }
        })
        .collect()
}
