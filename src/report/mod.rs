//! `avalanche report`: reads a finished dataset and answers the question it
//! was run for, in a headline table with uncertainty, one sentence per
//! verifier, and figures, written to `report.md`, `headline.csv` and PNG and
//! SVG files.

mod answer;
pub mod columns;
mod curves;
pub mod dataset;
mod error;
mod export;
mod figures;
mod page;
pub mod plan;
pub mod stats;
pub mod summary;
mod table;

use std::path::PathBuf;

pub use error::ReportError;

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
    /// Every file written.
    pub files: Vec<PathBuf>,
    pub runs: usize,
    pub failures: usize,
}

/// Reads the dataset in `config.dir` and writes the report.
pub fn report(config: &ReportConfig) -> Result<ReportSummary, ReportError> {
    let dataset = dataset::open(&config.dir)?;
    let layout =
        columns::layout(&dataset.dir, &dataset.runs.schema, dataset.generations.as_ref().map(|t| &t.schema))?;
    let scenario = scenario_name(&dataset)?;
    let plan = plan::plan(&scenario, &layout);
    let summary = summary::summarise(&dataset, &layout, &plan.headline)?;
    let mut answer = match &plan.answer_column {
        Some(column) => answer::sentences(&summary, &plan.headline, column),
        None => Vec::new(),
    };
    answer.extend(answer::theory_sentences(&summary, &plan.headline));
    let out = config.out.clone().unwrap_or_else(|| config.dir.join(crate::names::REPORT_DIR));
    std::fs::create_dir_all(&out).map_err(|e| ReportError::write(&out, e))?;
    let mut files = Vec::new();
    if let (Some(table), false) = (&dataset.generations, plan.curves.is_empty()) {
        let curves = curves::reduce(table, &summary, &plan.curves)?;
        files.extend(figures::draw_all(&out, &summary, &plan, &curves)?);
    } else {
        files.extend(figures::draw_all(&out, &summary, &plan, &Vec::new())?);
    }
    let figures = files.clone();
    let csv = out.join("headline.csv");
    std::fs::write(&csv, export::headline_csv(&summary, &plan.headline))
        .map_err(|e| ReportError::write(&csv, e))?;
    let page = page::Page {
        dataset: &config.dir,
        summary: &summary,
        plan: &plan,
        answer: &answer,
        figures: &figures,
        sweep: dataset.sweep.as_deref(),
    };
    let markdown = out.join("report.md");
    std::fs::write(&markdown, page::markdown(&page)).map_err(|e| ReportError::write(&markdown, e))?;
    files.push(csv);
    files.push(markdown);
    let mut text = table::plain(&summary, &plan.headline);
    for sentence in &answer {
        text.push_str(&format!("\n{sentence}"));
    }
    Ok(ReportSummary { out, table: text, files, runs: summary.runs(), failures: summary.failures() })
}

/// The scenario named in the runs table's first row, read alone so the
/// plan (which columns to read) is known before the full pass.
fn scenario_name(dataset: &dataset::Dataset) -> Result<String, ReportError> {
    let mut name = None;
    dataset::for_each_batch(&dataset.runs, &["scenario"], |batch| {
        if name.is_none() {
            if let Some(columns::Cell::Text(text)) =
                batch.column_by_name("scenario").and_then(|c| columns::cells(c).into_iter().next())
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
