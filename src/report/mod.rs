//! `avalanche report`: reads a finished dataset and answers the question it
//! was run for: the answer in short (one sentence per compared choice), how
//! runs ended, a headline table with uncertainty, one sentence per grid
//! point, and figures, written to `report.md` (and the same page as
//! `report.html`, figures inline),
//! `headline.csv`, `outcomes.csv` and PNG and SVG files; for a sweep that
//! paired its runs, also paired differences (`paired.csv`, `pairs.csv`).
//!
//! What to show comes from the scenario's declared report contract
//! (`outline.rs`); nothing in this module names a scenario, column or parameter.

mod answer;
pub mod boundaries;
pub mod columns;
mod curves;
pub mod dataset;
mod error;
mod export;
mod figures;
mod html;
pub mod outline;
mod page;
pub mod paired;
mod short;
pub mod stats;
pub mod summary;
mod table;
pub mod tail;

use std::path::PathBuf;

use crate::dataset::Opened;
use crate::scenario::Scenario;

pub use error::ReportError;
pub use page::Incomplete;

/// What to report on and where to write it.
#[derive(Clone, Debug)]
pub struct ReportConfig {
    /// The dataset folder, `results/<name>/`.
    pub dir: PathBuf,
    /// Where the report goes; `<dir>/report` when `None`.
    pub out: Option<PathBuf>,
}

/// What a finished report contains, for the CLI to print.
#[derive(Clone, Debug)]
pub struct ReportSummary {
    /// The folder written to.
    pub out: PathBuf,
    /// The headline table with aligned columns, followed by the answer.
    pub table: String,
    /// The `## In short` sentences, one per compared choice (see
    /// [`in_short`]), for the terminal.
    pub in_short: Vec<String>,
    /// Every file written.
    pub files: Vec<PathBuf>,
    pub runs: usize,
    pub failures: usize,
    /// Runs and grid points of the sweep not in the dataset (an interrupted
    /// or partly run sweep), when it is incomplete.
    pub incomplete: Option<Incomplete>,
}

/// Reads the dataset in `config.dir` and writes the report, reading the
/// scenario's declared report contract when this binary knows the scenario
/// and the schema alone when it does not.
pub fn report(config: &ReportConfig) -> Result<ReportSummary, ReportError> {
    let (opened, dataset) = open_checked(&config.dir)?;
    let name = scenario_name(&dataset)?;
    let scenario = crate::scenario::find(&name).or_else(|| opened.as_ref().and_then(Opened::scenario));
    report_dataset(config, opened, dataset, scenario.as_deref())
}

/// [`report`] for a scenario given directly, such as one defined only in a
/// test or a program embedding the library.
pub fn report_with(config: &ReportConfig, scenario: &Scenario) -> Result<ReportSummary, ReportError> {
    let (opened, dataset) = open_checked(&config.dir)?;
    report_dataset(config, opened, dataset, Some(scenario))
}

/// Opens the dataset (its sweep file and parts read once, [`Opened`]) and
/// refuses one with unreadable parts, duplicated runs or orphaned
/// generations parts: counting a run twice would narrow every interval, and
/// `avalanche repair` mends all three. A folder of parts without a sweep
/// file is read as it is, with no [`Opened`].
fn open_checked(dir: &std::path::Path) -> Result<(Option<Opened>, dataset::Dataset), ReportError> {
    let opened = if dir.join(crate::dataset::names::RUNS_DIR).is_dir()
        && dir.join(crate::dataset::names::SWEEP_FILE).exists()
    {
        let opened = Opened::open(dir).map_err(|e| ReportError::unreadable(dir, e))?;
        if !opened.integrity.is_clean() {
            let details = opened.integrity.to_string();
            return Err(ReportError::Damaged { path: dir.to_path_buf(), details });
        }
        Some(opened)
    } else {
        None
    };
    Ok((opened, dataset::open(dir)?))
}

/// A dataset read and summarised: what every part of the report is made of.
struct Analysis {
    dataset: dataset::Dataset,
    outline: outline::Outline,
    summary: summary::Summary,
    differences: Vec<paired::Difference>,
    incomplete: Option<Incomplete>,
    /// A `[search]` sweep's boundaries, replayed from its runs.
    searched: Option<(crate::search::Search, Vec<boundaries::Found>)>,
}

/// Reads the dataset in `dir` (already opened) against the scenario's
/// declared contract, or the schema alone, and summarises it.
fn analyse(
    dir: &std::path::Path,
    opened: Option<Opened>,
    dataset: dataset::Dataset,
    scenario: Option<&Scenario>,
) -> Result<Analysis, ReportError> {
    let layout =
        columns::layout(&dataset.dir, &dataset.runs.schema, dataset.generations.as_ref().map(|t| &t.schema))?;
    let mut outline = outline::outline(scenario, &layout);
    // A folder of parts alone: the sweep its parts record stands in.
    let recorded = match &opened {
        Some(_) => None,
        None => dataset.sweep.as_deref().and_then(|text| {
            crate::sweep::parse(&dataset.dir.join(crate::dataset::names::SWEEP_FILE), text, u64::MAX).ok()
        }),
    };
    let sweep = opened.as_ref().map_or(recorded.as_ref(), |o| o.sweep.as_ref().ok());
    let paired = match &opened {
        Some(opened) => opened.paired.clone(),
        None => crate::dataset::opened::paired_axes(dataset.sweep.as_deref()),
    };
    outline.paired = paired.into_iter().filter(|axis| layout.parameters.contains(axis)).collect();
    outline.axis_order = sweep.map_or_else(Vec::new, |sweep| sweep.axes());
    let summary = summary::summarise(&dataset, &layout, &outline)?;
    let searched = sweep.and_then(|sweep| boundaries::find(dir, sweep));
    // A search has no fixed run count: its unfinished points say so instead.
    let incomplete = match &opened {
        Some(opened) if searched.is_none() => incompleteness(opened, &summary),
        _ => None,
    };
    if outline.comparison.is_none() {
        // Nothing declared to compare: a paired axis is the comparison.
        if let Some((axis, baseline)) = paired::comparisons(&summary, &outline).into_iter().next() {
            outline.comparison = Some(outline::ResolvedComparison {
                parameter: summary.varying[axis].clone(),
                baseline: baseline.to_string(),
                along: None,
                absent: None,
            });
        }
    }
    stand_in_for_absent_baseline(&mut outline, &summary);
    let differences = paired::differences(&summary, &outline);
    Ok(Analysis { dataset, outline, summary, differences, incomplete, searched })
}

/// The answer in a few sentences, as `report.md` opens with it under
/// `## In short`: one per choice of the compared parameter (one for the
/// whole sweep without a comparison), each true of every grid point it
/// covers or naming the points where it is not. Reads the dataset in `dir`
/// as [`report`] does and writes nothing. Where the dataset lacks runs of
/// its sweep the sentences describe only the runs present ([`report`]'s
/// `incomplete` says so).
pub fn in_short(dir: &std::path::Path) -> Result<Vec<String>, ReportError> {
    let (opened, dataset) = open_checked(dir)?;
    let name = scenario_name(&dataset)?;
    let scenario = crate::scenario::find(&name).or_else(|| opened.as_ref().and_then(Opened::scenario));
    let analysis = analyse(dir, opened, dataset, scenario.as_deref())?;
    Ok(short_answer(&analysis))
}

/// The In short sentences; a search's boundaries come first, since they are
/// what it was run for.
fn short_answer(analysis: &Analysis) -> Vec<String> {
    let mut said = analysis
        .searched
        .as_ref()
        .map_or_else(Vec::new, |(search, found)| boundaries::sentences(search, found));
    said.extend(short::sentences(&analysis.summary, &analysis.outline, &analysis.differences));
    said
}

fn report_dataset(
    config: &ReportConfig,
    opened: Option<Opened>,
    dataset: dataset::Dataset,
    scenario: Option<&Scenario>,
) -> Result<ReportSummary, ReportError> {
    let analysis = analyse(&config.dir, opened, dataset, scenario)?;
    let in_short = short_answer(&analysis);
    let Analysis { dataset, outline, summary, differences, incomplete, searched } = analysis;
    let mut answer = answer::sentences(&summary, &outline, &differences);
    answer.extend(answer::theory_sentences(&summary, &outline.headline));
    let out = config.out.clone().unwrap_or_else(|| config.dir.join(crate::dataset::names::REPORT_DIR));
    std::fs::create_dir_all(&out).map_err(|e| ReportError::write(&out, e))?;
    let curves = match &dataset.generations {
        Some(table) if !outline.curves.is_empty() => curves::reduce(table, &summary, &outline.curves)?,
        _ => Vec::new(),
    };
    let mut figures = figures::draw_all(&out, &summary, &outline, &curves)?;
    let mut lead = Vec::new();
    if let Some((search, found)) = &searched {
        // The boundaries lead: they are what a search was run for.
        let mut said = boundaries::sentences(search, found);
        said.append(&mut answer);
        answer = said;
        let drawn = figures::draw_boundaries(&out, search, found)?;
        lead = boundaries::blocks(search, found);
        lead.extend(drawn.iter().cloned().map(page::Block::Figure));
        figures.extend(drawn);
    }
    let mut files: Vec<PathBuf> = figures.iter().flat_map(|f| [f.path("png"), f.path("svg")]).collect();
    if let Some((_, found)) = &searched {
        let csv = out.join("boundaries.csv");
        write(&csv, &boundaries::csv(found))?;
        files.push(csv);
    }
    let csv = out.join("headline.csv");
    write(&csv, &export::headline_csv(&summary, &outline.headline))?;
    files.push(csv);
    if let Some(text) = export::outcomes_csv(&summary, &outline) {
        let csv = out.join("outcomes.csv");
        write(&csv, &text)?;
        files.push(csv);
    }
    if !differences.is_empty() {
        for (name, text) in [
            ("paired.csv", export::paired_csv(&summary, &outline, &differences)),
            ("pairs.csv", export::pairs_csv(&summary, &outline, &differences)),
        ] {
            let csv = out.join(name);
            write(&csv, &text)?;
            files.push(csv);
        }
    }
    let page = page::Page {
        dataset: &config.dir,
        summary: &summary,
        outline: &outline,
        in_short: &in_short,
        answer: &answer,
        figures: &figures,
        sweep: dataset.sweep.as_deref(),
        paired: &differences,
        incomplete,
        boundaries: &lead,
    };
    let blocks = page::blocks(&page);
    let markdown = out.join("report.md");
    write(&markdown, &page::markdown(&blocks))?;
    files.push(markdown);
    let html = out.join("report.html");
    write(&html, &html::html(&blocks)?)?;
    files.push(html);
    let mut text = String::new();
    if let Some(outcomes) = table::outcome_rows(&summary, &outline) {
        text.push_str(&table::plain(&outcomes));
        text.push('\n');
    }
    text.push_str(&table::plain(&table::headline_rows(&summary, &outline.headline)));
    if !differences.is_empty() {
        text.push('\n');
        text.push_str(&table::plain(&table::paired_rows(&summary, &outline, &differences)));
    }
    for sentence in &answer {
        text.push_str(&format!("\n{sentence}"));
    }
    Ok(ReportSummary {
        out,
        table: text,
        in_short,
        files,
        runs: summary.runs(),
        failures: summary.failures(),
        incomplete,
    })
}

/// The runs and grid points of the dataset's sweep that it lacks; `None`
/// when it has them all, or when its sweep file does not parse.
fn incompleteness(opened: &Opened, summary: &summary::Summary) -> Option<Incomplete> {
    let completion = opened.completion().ok()?;
    (completion.missing > 0).then(|| Incomplete {
        expected: completion.expected,
        missing: completion.missing,
        points: completion.points,
        empty_points: completion.points.saturating_sub(summary.points.len() as u64),
    })
}

/// Where the sweep varied the compared parameter but left its declared
/// baseline out, another choice stands in (by
/// [`crate::scenario::contract::stand_in`], the rule `plan` warns by), and
/// `absent` keeps the declared one so the page says so rather than claiming
/// a comparison with it.
fn stand_in_for_absent_baseline(outline: &mut outline::Outline, summary: &summary::Summary) {
    let Some(c) = &outline.comparison else { return };
    let Some(axis) = summary.axis(&c.parameter) else { return };
    let values: Vec<String> = summary.values_of(axis, outline).iter().map(ToString::to_string).collect();
    let run: Vec<&str> = values.iter().map(String::as_str).collect();
    let Some(first) = crate::scenario::contract::stand_in(&c.baseline, &run).map(String::from) else {
        return;
    };
    if let Some(c) = outline.comparison.as_mut() {
        c.absent = Some(std::mem::replace(&mut c.baseline, first));
    }
}

/// Writes a report file whole or not at all: under a temporary name, then
/// renamed, so an interrupted report never leaves a half-written file.
fn write(path: &std::path::Path, text: &str) -> Result<(), ReportError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&temporary, text).map_err(|e| ReportError::write(path, e))?;
    std::fs::rename(&temporary, path).map_err(|e| ReportError::write(path, e))
}

/// The scenario named in the runs table's first row, read alone so the
/// outline (which columns to read) is known before the full pass.
fn scenario_name(dataset: &dataset::Dataset) -> Result<String, ReportError> {
    let mut name = None;
    let column = crate::dataset::names::column::SCENARIO;
    dataset::for_each_batch(&dataset.runs, &[column], |batch| {
        if name.is_none() {
            if let Some(columns::Cell::Text(text)) =
                batch.column_by_name(column).and_then(|c| columns::cells(c).into_iter().next())
            {
                name = Some(text);
            }
        }
        Ok(())
    })?;
    name.ok_or_else(|| ReportError::Empty {
        path: dataset.dir.clone(),
        what: "the runs table has no rows".into(),
    })
}

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod tests;
