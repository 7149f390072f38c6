//! `report.md`: the one page a user reads the answer off, with its
//! uncertainty, the method behind the numbers, and the figures.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::plan::{Nulls, Plan};
use super::stats::COVERAGE;
use super::summary::Summary;
use super::table;

/// What the page is made from.
pub struct Page<'a> {
    pub dataset: &'a Path,
    pub summary: &'a Summary,
    pub plan: &'a Plan,
    pub answer: &'a [String],
    /// Figure files, PNG and SVG; the PNGs are embedded.
    pub figures: &'a [PathBuf],
    pub sweep: Option<&'a str>,
}

/// The Markdown text of `report.md`.
pub fn markdown(page: &Page) -> String {
    let summary = page.summary;
    let mut text = String::new();
    let name = page.dataset.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let _ = writeln!(text, "# {name}: report on the `{}` sweep\n", summary.scenario);
    let _ = writeln!(
        text,
        "Dataset `{}`: {} runs at {} grid points; failed runs: {} (counted, and excluded from every \
         statistic below).\n",
        page.dataset.display(),
        summary.runs(),
        summary.points.len(),
        summary.failures()
    );
    if !summary.fixed.is_empty() {
        let fixed: Vec<String> = summary.fixed.iter().map(|(n, v)| format!("{n} = {v}")).collect();
        let _ = writeln!(text, "Fixed parameters: {}.\n", fixed.join(", "));
    }
    let _ = writeln!(text, "## The answer\n");
    if page.answer.is_empty() {
        let _ = writeln!(text, "No headline column to answer from.\n");
    }
    for sentence in page.answer {
        let _ = writeln!(text, "- {sentence}");
    }
    let _ = writeln!(text, "\n## Headline table\n");
    let _ = writeln!(
        text,
        "Each cell is the median across the successful replicates of a grid point (the mean over \
         theory in `mean / theory` columns), with its {}% confidence interval in brackets. \
         `headline.csv` holds the same numbers at full precision.\n",
        COVERAGE * 100.0
    );
    text.push_str(&table::markdown(summary, &page.plan.headline));
    let _ = writeln!(text, "\n### How the numbers are computed\n");
    text.push_str(&method(page.plan));
    if !page.figures.is_empty() {
        let _ = writeln!(text, "\n## Figures\n");
        let _ = writeln!(
            text,
            "Lines are medians across replicates and bands their interquartile range, except beside a \
             dashed closed-form theory (an expectation), where lines are means and bands their 95% \
             interval. A run that ended early keeps its last value for the later generations, so each \
             line is over all replicates, not only the survivors. Each figure is also written as SVG.\n"
        );
        for figure in page.figures.iter().filter(|f| f.extension().is_some_and(|e| e == "png")) {
            if let Some(file) = figure.file_name() {
                let file = file.to_string_lossy();
                let _ = writeln!(text, "![{file}]({file})\n");
            }
        }
    }
    if let Some(sweep) = page.sweep {
        let _ = writeln!(text, "## Sweep file\n\n```toml\n{}\n```", sweep.trim_end());
    }
    text
}

fn method(plan: &Plan) -> String {
    let mut text = String::from(
        "- Interval: the exact distribution-free interval for a median from order statistics. With the \
         n values sorted, [x(j), x(k)] covers the median with probability P(j <= B <= k-1), \
         B ~ Binomial(n, 1/2); the report takes the tightest symmetric ranks (k = n + 1 - j) reaching \
         95%. Below n = 6 no pair of ranks reaches 95%, shown as `[n/a]`.\n\
         - Failed runs (status = failed) are counted in the `failed` column and left out.\n",
    );
    for headline in &plan.headline {
        match headline.nulls {
            Nulls::Censored => {
                let _ = writeln!(
                    text,
                    "- {}: a null means the event never happened while the run lasted (at most the \
                     `generations` rounds, H); it counts as +infinity (right-censored), so a median or \
                     bound shown as `> H` lies beyond what was observed. Censoring keeps the values' \
                     order, so the order-statistic interval stays valid.",
                    headline.column
                );
            }
            Nulls::Lowest => {
                let _ = writeln!(
                    text,
                    "- {}: a null means the run achieved none (no length solved); it ranks below every \
                     value and counts as -infinity, shown as `none`.",
                    headline.column
                );
            }
            Nulls::Dropped => {}
        }
    }
    text.push_str(
        "- Other nulls (a value undefined for that run) are left out; `headline.csv` counts them per \
         cell in `nulls`.\n",
    );
    if plan.headline.iter().any(|h| h.ratio.is_some()) {
        text.push_str(
            "- `x: mean / theory`: closed-form predictions are expectations, so the simulation's mean \
             across replicates is divided by the theory's, with a 95% interval from the normal \
             approximation to the mean (mean -/+ 1.96 standard errors, over the theory).\n",
        );
    }
    text
}
