//! The report of a sweep with `[search]`: one sentence per point of the
//! other axes saying where the event's probability crosses its level (or
//! why there is no boundary), a table, `boundaries.csv`, and the figure of
//! the boundaries with their intervals. The searches are replayed from the
//! runs by the same code that wrote the boundaries table, so the two agree.

use std::fmt::Write as _;

use super::page::Block;
use crate::search::{axis_text, drive, observed, Ended, Next, Search};
use crate::sweep::Sweep;

/// One point's search, as the report shows it.
#[derive(Clone, Debug)]
pub struct Found {
    /// The other axes' values in words ("verifier = commutative, samples = 5").
    pub at: String,
    pub boundary: Option<crate::search::Boundary>,
    /// How the search ended, or `None` while unfinished.
    pub ended: Option<Ended>,
    pub runs: u64,
    pub probes: usize,
}

/// The searches of a dataset's sweep, or `None` for a sweep without one.
pub fn find(dir: &std::path::Path, sweep: &Sweep) -> Option<(Search, Vec<Found>)> {
    let search = sweep.search.clone()?;
    let states = observed::read(dir, &search.event).ok()?;
    let (_, progress) = drive::round(sweep, &search, crate::engine::shard::Shard::WHOLE, &states);
    let found = progress
        .iter()
        .map(|(point, p)| {
            let at = crate::search::drive::point_words(sweep, *point);
            let ended = match p.next {
                Next::Ended(e) => Some(e),
                Next::Probe { .. } => None,
            };
            Found { at: at.join(", "), boundary: p.boundary, ended, runs: p.runs(), probes: p.probes.len() }
        })
        .collect();
    Some((search, found))
}

/// One sentence per point.
pub fn sentences(search: &Search, found: &[Found]) -> Vec<String> {
    let event = format!("P({})", search.event.describe());
    let range = format!("{} in [{}, {}]", search.name, search.range.0, search.range.1);
    found
        .iter()
        .map(|f| {
            let at = if f.at.is_empty() { String::new() } else { format!("At {}: ", f.at) };
            let runs = format!("{} runs in {} probes", f.runs, f.probes);
            let crossing = |b: &crate::search::Boundary| {
                format!(
                    "{event} crosses {} at {} {} [{}, {}] (95% interval; {runs}",
                    search.level,
                    search.name,
                    axis_text(b.estimate),
                    axis_text(b.lower),
                    axis_text(b.upper)
                )
            };
            let said = match (f.ended, &f.boundary) {
                (Some(Ended::Converged), Some(b)) => format!("{})", crossing(b)),
                (Some(Ended::MaxRuns), Some(b)) => format!(
                    "{}; max_runs reached before the interval was {} wide)",
                    crossing(b),
                    search.tolerance
                ),
                (Some(Ended::BelowLevel), _) => {
                    format!("{event} stays below {} over {range} ({runs}): no boundary", search.level)
                }
                (Some(Ended::AboveLevel), _) => {
                    format!("{event} stays above {} over {range} ({runs}): no boundary", search.level)
                }
                (Some(Ended::NonMonotone), _) => {
                    format!("{event} rises and falls along {range} ({runs}): no single boundary")
                }
                _ => format!("the search is unfinished ({runs} so far); rerun the sweep to resume it"),
            };
            format!("{at}{said}.")
        })
        .collect()
}

/// The markdown section: the sentences' numbers as a table (the caller
/// places the figure after it).
pub fn blocks(search: &Search, found: &[Found]) -> Vec<Block> {
    let header =
        ["point", "estimate", "lower", "upper", "runs", "probes", "ended"].map(String::from).to_vec();
    let rows = found
        .iter()
        .map(|f| {
            let (e, l, u) = f.boundary.map_or((String::new(), String::new(), String::new()), |b| {
                (axis_text(b.estimate), axis_text(b.lower), axis_text(b.upper))
            });
            let ended = f.ended.map_or(crate::search::UNFINISHED, Ended::as_str);
            vec![f.at.clone(), e, l, u, f.runs.to_string(), f.probes.to_string(), ended.to_string()]
        })
        .collect();
    vec![
        Block::Heading(2, "Boundaries".into()),
        Block::Paragraph(format!(
            "Where {} crosses {} along `{}` (95% profile-likelihood interval; method: docs/SEARCH.md).",
            search.event.describe(),
            search.level,
            search.name
        )),
        Block::Table((header, rows)),
    ]
}

/// `boundaries.csv`, at full precision.
pub fn csv(found: &[Found]) -> String {
    let mut s = String::from("point,estimate,lower,upper,runs,probes,ended\n");
    for f in found {
        let (e, l, u) = f.boundary.map_or((String::new(), String::new(), String::new()), |b| {
            (b.estimate.to_string(), b.lower.to_string(), b.upper.to_string())
        });
        let ended = f.ended.map_or(crate::search::UNFINISHED, Ended::as_str);
        let _ = writeln!(s, "\"{}\",{e},{l},{u},{},{},{ended}", f.at, f.runs, f.probes);
    }
    s
}
