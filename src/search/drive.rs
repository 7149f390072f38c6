//! One round of a search at every point a shard owns: replay each point
//! from the committed runs, collect the runs its next probe still lacks,
//! and turn finished or interrupted searches into boundaries-table rows.
//! The runner executes a round's runs as ordinary runs and comes back.

use std::collections::HashMap;

use super::{replay, Next, Progress, RunState, Search, UNFINISHED};
use crate::engine::shard::Shard;
use crate::sink::boundaries::Row;
use crate::sweep::{RunSpec, Sweep};
use crate::value::Value;

/// The values of the other axes at `point`, "name = value" each, in the sweep
/// file's order: how `status` and the report name a searched point.
pub fn point_words(sweep: &Sweep, point: u64) -> Vec<String> {
    let mut values = Vec::new();
    sweep.point_values(point, &mut values);
    sweep
        .factors
        .iter()
        .flat_map(|f| &f.params)
        .map(|&i| format!("{} = {}", sweep.scenario.params[i].name, values[i]))
        .collect()
}

/// The points of the other axes that `shard` searches: every N-th from I,
/// as runs are dealt without a search, so a point is searched in one shard.
pub fn points(sweep: &Sweep, shard: Shard) -> impl Iterator<Item = u64> {
    (shard.index..sweep.points()).step_by(shard.count as usize)
}

/// The searched parameter's value for axis value `x`.
pub fn value(search: &Search, x: f64) -> Value {
    if search.integer {
        Value::Int(x as i64)
    } else {
        Value::Float(x)
    }
}

/// Where the search at `point` stands, given every committed run's state.
pub fn progress(sweep: &Sweep, search: &Search, states: &HashMap<u64, RunState>, point: u64) -> Progress {
    let mut values = Vec::new();
    sweep.point_values(point, &mut values);
    replay(search, sweep.replicates, |x, replicate| {
        let mut at = values.clone();
        at[search.param] = value(search, x);
        states.get(&sweep.spec_at(0, point, at, replicate).run_id).copied()
    })
}

/// The runs each unfinished point's next probe still lacks, and every
/// point's progress.
pub fn round(
    sweep: &Sweep,
    search: &Search,
    shard: Shard,
    states: &HashMap<u64, RunState>,
) -> (Vec<RunSpec>, Vec<(u64, Progress)>) {
    let mut specs = Vec::new();
    let mut all = Vec::new();
    for point in points(sweep, shard) {
        let progress = progress(sweep, search, states, point);
        if let Next::Probe { value: x, .. } = progress.next {
            let mut values = Vec::new();
            sweep.point_values(point, &mut values);
            values[search.param] = value(search, x);
            for &replicate in &progress.missing {
                let index = specs.len() as u64;
                specs.push(sweep.spec_at(index, point, values.clone(), replicate));
            }
        }
        all.push((point, progress));
    }
    (specs, all)
}

/// Runs already committed at these points (for the progress display).
pub fn committed(sweep: &Sweep, progress: &[(u64, Progress)]) -> u64 {
    progress
        .iter()
        .map(|(_, p)| {
            p.runs() + (sweep.replicates - p.missing.len() as u64) * u64::from(!p.missing.is_empty())
        })
        .sum()
}

/// The boundaries-table rows of these points.
pub fn rows(sweep: &Sweep, progress: &[(u64, Progress)]) -> Vec<Row> {
    progress
        .iter()
        .map(|(point, p)| {
            let mut values = Vec::new();
            sweep.point_values(*point, &mut values);
            let ended = match p.next {
                Next::Ended(e) => e.as_str(),
                Next::Probe { .. } => UNFINISHED,
            };
            Row { values, boundary: p.boundary, runs: p.runs(), probes: p.probes.len() as u64, ended }
        })
        .collect()
}
