//! The report's page: the one page a user reads the answer off, with its
//! uncertainty, the method behind the numbers, and the figures beside the
//! text they support. It is built once as blocks (headings, paragraphs,
//! lists, tables, figures) and rendered twice, as `report.md` here and as
//! `report.html` in `html.rs`, so the two cannot say different things.

use std::fmt::Write;
use std::path::Path;

use super::figures::{Figure, Kind};
use super::outline::{Outline, Statistic};
use super::paired::Difference;
use super::stats::COVERAGE;
use super::summary::Summary;
use super::table;
use crate::scenario::contract::OutcomeKind;
use crate::value::NullMeaning;

/// What a dataset lacks of its sweep: the report says so first, because the
/// runs present need not represent it (the runs that finish first are the
/// short ones, collapses and stalls; a shard holds only its share).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Incomplete {
    /// Runs the sweep expands to, and of them those not in the dataset.
    pub expected: u64,
    pub missing: u64,
    /// Grid points of the sweep, and of them those without a single run.
    pub points: u64,
    pub empty_points: u64,
}

impl std::fmt::Display for Incomplete {
    /// "8 of its 12 runs are missing, and 1 of its 2 grid points have no run
    /// at all", for the page and the terminal alike.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} of its {} runs are missing", self.missing, self.expected)?;
        match self.empty_points {
            0 => Ok(()),
            n => write!(f, ", and {n} of its {} grid points have no run at all", self.points),
        }
    }
}

/// What the page is made from.
pub struct Page<'a> {
    pub dataset: &'a Path,
    pub summary: &'a Summary,
    pub outline: &'a Outline,
    /// The `## In short` paragraphs: one sentence per compared choice.
    pub in_short: &'a [String],
    pub answer: &'a [String],
    /// The figures drawn, each placed beside the text it supports.
    pub figures: &'a [Figure],
    pub sweep: Option<&'a str>,
    /// Paired differences; empty unless the sweep paired its runs.
    pub paired: &'a [Difference],
    /// A search's boundaries (heading, table, figure), after the answer;
    /// empty unless the sweep has a `[search]`.
    pub boundaries: &'a [Block],
    /// What the dataset lacks of its sweep, if anything.
    pub incomplete: Option<Incomplete>,
}

/// One block of the page: what `report.md` and `report.html` are both
/// rendered from, so the two say the same. Text is inline text: plain, with
/// `code` in backticks and **strong** in double asterisks, as in Markdown.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A heading of level 1 to 3.
    Heading(u8, String),
    Paragraph(String),
    /// A bulleted list, one inline text per item.
    List(Vec<String>),
    Table(table::Rows),
    /// A figure beside the text it supports.
    Figure(Figure),
    /// Preformatted text (the sweep file) and its language.
    Code(&'static str, String),
}

/// The page's blocks, in order.
pub fn blocks(page: &Page) -> Vec<Block> {
    use Block::{Code, Heading, List, Paragraph, Table};
    let summary = page.summary;
    let outline = page.outline;
    let mut blocks = Vec::new();
    let figures =
        |kind: Kind| page.figures.iter().filter(move |f| f.kind == kind).cloned().map(Block::Figure);
    let name = page.dataset.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    blocks.push(Heading(1, format!("{name}: report on the `{}` sweep", summary.scenario)));
    blocks.push(Paragraph(format!(
        "Dataset `{}`: {} runs at {} grid points; failed runs: {} (counted, and excluded from every \
         statistic below).",
        page.dataset.display(),
        summary.runs(),
        summary.points.len(),
        summary.failures()
    )));
    if let Some(lack) = page.incomplete {
        blocks.push(Paragraph(format!(
            "**Incomplete sweep: {lack}.** The counts and medians below describe only the runs present, \
             which need not represent the sweep: an interrupted sweep's finished runs lean towards those \
             that end early, and a shard holds only its share of each grid point. Finish the sweep (run \
             the same sweep file again: it resumes; run any missing shard) before reading them as its \
             answer."
        )));
    }
    if !outline.declared {
        blocks.push(Paragraph(format!(
            "This binary does not know the `{}` scenario, so this report is read off the dataset's schema \
             alone: the first summary columns, medians, no comparison and no outcomes.",
            summary.scenario
        )));
    }
    if !summary.fixed.is_empty() {
        let fixed: Vec<String> = summary.fixed.iter().map(|(n, v)| format!("{n} = {v}")).collect();
        blocks.push(Paragraph(format!("Fixed parameters: {}.", fixed.join(", "))));
    }
    if !page.in_short.is_empty() {
        blocks.push(Heading(2, "In short".into()));
        blocks.extend(page.in_short.iter().map(|sentence| Paragraph(sentence.clone())));
    }
    blocks.push(Heading(2, "The answer".into()));
    if page.answer.is_empty() {
        blocks.push(Paragraph("No headline column to answer from.".into()));
    } else {
        blocks.push(List(page.answer.to_vec()));
    }
    blocks.extend(figures(Kind::Heatmap));
    blocks.extend(page.boundaries.iter().cloned());
    if let Some(outcomes) = table::outcome_rows(summary, outline) {
        blocks.push(Heading(2, "How runs ended".into()));
        let method = outcome_method(outline);
        if !method.is_empty() {
            blocks.push(Paragraph(method));
        }
        blocks.push(Table(outcomes));
        blocks.extend(figures(Kind::Outcomes));
    }
    if page.figures.iter().any(|f| f.kind == Kind::Curve) {
        blocks.push(Heading(2, "Curves".into()));
        blocks.push(Paragraph(CURVES.into()));
        blocks.extend(figures(Kind::Curve));
    }
    blocks.push(Heading(2, "Headline table".into()));
    blocks.push(Paragraph(format!(
        "Each cell is a statistic across the successful replicates of a grid point, named in its heading \
         (the median unless it says otherwise), with its {}% confidence interval in brackets. \
         `headline.csv` holds the same numbers at full precision.",
        COVERAGE * 100.0
    )));
    blocks.push(Table(table::headline_rows(summary, &outline.headline)));
    if !page.paired.is_empty() {
        blocks.push(Heading(2, "Paired differences".into()));
        blocks.push(Paragraph(paired_method(outline)));
        blocks.push(Table(table::paired_rows(summary, outline, page.paired)));
    }
    blocks.push(Heading(3, "How the numbers are computed".into()));
    blocks.push(List(method(outline, summary)));
    if let Some(sweep) = page.sweep {
        blocks.push(Heading(2, "Sweep file".into()));
        blocks.push(Code("toml", sweep.trim_end().to_string()));
    }
    blocks
}

/// How the line figures are drawn, said once above them.
const CURVES: &str = "Lines are medians across the runs with a value at that point and bands their interquartile \
    range, except beside a dashed theory from the parameters (an expectation), where lines are means and bands \
    their 95% interval (which, where the table marks the final mean `(heavy tail)`, may cover less than 95%, \
    mostly by falling short). A run leaves a line when it ends, so a line's tail is over fewer runs; a column \
    that is null in some rounds (a measurement of first visits, say) counts only the runs where it has a \
    value. Where that number varies, thin lines (right axis) count the runs behind each point. Dotted \
    horizontal lines are thresholds the scenario declares (the collapse accuracy, say). On a log scale a value \
    whose neighbours are zero or absent (one error in a thousand at one round) is drawn as a small point, not \
    joined: it is a rare event, not a trend. Each choice keeps its colour, line pattern and marker in every \
    report (by the scenario's declared order of choices), so lines can be told apart in greyscale too. Figures \
    with many panels are split into pages (`-p2`, `-p3`, ...), none left out. Each figure is also written as \
    SVG and PNG.";

/// The Markdown text of `report.md`.
pub fn markdown(blocks: &[Block]) -> String {
    let mut text = String::new();
    for block in blocks {
        match block {
            Block::Heading(level, title) => {
                let _ = writeln!(text, "{} {title}\n", "#".repeat(usize::from(*level)));
            }
            Block::Paragraph(paragraph) => {
                let _ = writeln!(text, "{paragraph}\n");
            }
            Block::List(items) => {
                for item in items {
                    let _ = writeln!(text, "- {item}");
                }
                text.push('\n');
            }
            Block::Table(rows) => {
                text.push_str(&table::markdown(rows));
                text.push('\n');
            }
            Block::Figure(figure) => {
                let file = figure.file("png");
                let _ = writeln!(text, "![{file}]({file})\n");
            }
            Block::Code(language, code) => {
                let _ = writeln!(text, "```{language}\n{code}\n```\n");
            }
        }
    }
    text.truncate(text.trim_end().len());
    text.push('\n');
    text
}

/// How the outcome table counts and times runs.
fn outcome_method(outline: &Outline) -> String {
    let Some(outcome) = &outline.outcome else { return String::new() };
    let step = &outline.step.0;
    let mut text =
        format!("Every successful run ended in exactly one way, counted from `{}`.", outcome.column);
    let of = |kind: OutcomeKind| -> Vec<String> {
        outcome.outcomes.iter().filter(|o| o.2 == kind).map(|o| format!("`{}`", o.0)).collect()
    };
    if let Some(event) = outcome.event() {
        let event = &outcome.outcomes[event].0;
        let _ = write!(
            text,
            " `{event}` is the event timed; {} end a run without it (competing outcomes: such a run did \
             not survive, it never reached `{event}`), and {} stops a run from outside (censoring at the \
             horizon). `half {event} by {step}` is the {step} by which half of the runs had ended \
             `{event}`, where the cumulative incidence of `{event}` reaches 1/2, with its exact 95% \
             interval (order statistics, every other ending counted as never); `not reached` when fewer \
             than half did. Median {step}s and places are over the runs that ended that way.",
            join_or_none(&of(OutcomeKind::Competing)),
            join_or_none(&of(OutcomeKind::Censored)),
        );
    }
    text
}

/// How the paired differences are formed and summarised.
fn paired_method(outline: &Outline) -> String {
    let axes: Vec<String> = outline.paired.iter().map(|a| format!("`{a}`")).collect();
    format!(
        "The sweep paired its runs across {} (`{} = [...]` in the sweep file): runs that differ only there \
         shared their seed, so they started from the same random draws. Each row pairs the runs of a grid point \
         with those of its baseline (same other parameters) by their `seed`, takes value - baseline value \
         per pair, and summarises these differences by the statistic the column's headline shows, named in \
         the row. For a column shown as a mean: the mean difference with its {cov}% t interval (mean -/+ \
         t(n-1) sd / sqrt(n)), n being the pairs with a finite value on both sides. For a column shown as a \
         median: the median difference with the exact {cov}% interval of a median (below), taken over the \
         sorted differences, so that one extreme pair cannot outweigh the rest; values count as the median \
         counts them, so a pair where one side achieved nothing (or is infinite) differs by -inf or inf, \
         its size unknown but its sign, all the order statistics need, known, and a pair of equal values \
         (both achieving nothing included) by 0. Pairs missing a value are counted as left out. A \
         difference is in the units of the values differenced: a unit such as `x` then counts values in x, \
         and a difference of 3 (values in x) is not a factor of 3. Higher / lower / tied count the pairs \
         by sign, a null that means nothing was achieved ranking below every value; `favours` reads them \
         in the column's better direction. `paired.csv` holds these numbers at full precision and \
         `pairs.csv` every pair.",
        axes.join(", "),
        crate::dataset::names::PAIRED,
        cov = COVERAGE * 100.0
    )
}

fn join_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "no other outcome".into()
    } else {
        items.join(" and ")
    }
}

/// The items of "How the numbers are computed".
fn method(outline: &Outline, summary: &Summary) -> Vec<String> {
    let mut items = vec![
        "Interval of a median: the exact distribution-free interval from order statistics. With the \
         n values sorted, [x(j), x(k)] covers the median with probability P(j <= B <= k-1), \
         B ~ Binomial(n, 1/2); the report takes the tightest symmetric ranks (k = n + 1 - j) reaching \
         95%. Below n = 6 no pair of ranks reaches 95%, shown as `[n/a]`."
            .to_string(),
        "Failed runs (any status but ok) are counted in the `failed` column and left out.".to_string(),
    ];
    for headline in &outline.headline {
        if headline.statistic == Statistic::Median(NullMeaning::NothingAchieved) {
            items.push(format!(
                "{}: a null means the run achieved nothing; it ranks below every value, shown as `none`.",
                headline.column
            ));
        }
        if headline.statistic == Statistic::Mode {
            items.push(format!(
                "{}: the commonest value and how many of the successful runs took it.",
                headline.label
            ));
        }
    }
    items.push(
        "Other nulls (a value undefined for that run) are left out; `headline.csv` counts them per \
         cell in `nulls`."
            .to_string(),
    );
    if outline.headline.iter().any(|h| h.statistic == Statistic::Ratio) {
        items.push(
            "`x: mean`, `x: mean in theory`, `x: mean / theory`: where the theory predicts an \
             expectation, the simulation's mean across replicates is shown beside it (the theory is \
             derived from the parameters alone, one value per grid point, so without an interval) and \
             divided by it. The mean's 95% interval is the normal approximation, mean -/+ 1.96 standard \
             errors, or for quantities that cannot be negative mean x exp(-/+ 1.96 se / mean) (the delta \
             method on the log scale), so the interval never leaves the quantity's range. `no closed form`: the scenario has no theory at those \
             parameters. `(heavy tail)`: the shape k of a generalized Pareto distribution fitted to the \
             largest values (Zhang and Stephens 2009, with the prior of Vehtari et al. 2024; \
             `tail_shape` in `headline.csv`) is 0.5 or more: the largest values spread like a tail of \
             infinite variance (the rule of thumb of Vehtari et al.; a lognormal-like tail with all its \
             moments finite can read so too), and there the normal interval of a mean covers less than \
             95%, mostly because the sample missed rare large values and its mean falls short. A warning: \
             such points are still counted and compared, since leaving them out would keep exactly the \
             samples whose means fell short. Below 196 runs a point the fit is too uncertain to tell."
                .to_string(),
        );
    }
    if outline.headline.iter().any(|h| matches!(h.statistic, Statistic::MedianRatio(_))) {
        items.push(
            "`x: median`, `x: median in theory`, `x: median / theory`: where the theory predicts the \
             median over replicates (of a reduced model run from the parameters alone), the simulation's \
             median is shown beside it, counting runs as the median above does, and divided by it; the \
             ratio's interval is the median's exact interval divided by the theory. `no closed form`: \
             the scenario has no theory at those parameters."
                .to_string(),
        );
    }
    // Only a sweep that varies the compared parameter compares anything.
    if let Some(c) = outline.comparison.as_ref().filter(|c| summary.varying.contains(&c.parameter)) {
        let lead = match &c.absent {
            Some(absent) => format!(
                "the scenario compares each `{}` with `{absent}`, which this sweep did not run, so each is set \
                 against `{}`, the first of its choices in this sweep,",
                c.parameter, c.baseline
            ),
            None => format!("each `{}` is set against `{}`", c.parameter, c.baseline),
        };
        items.push(format!(
                "Comparisons: {lead} at the same other parameters; better or worse (in the direction the \
             column declares) only where the two 95% intervals do not overlap, otherwise `no clear difference`. \
             For a column better toward a target (a variance ratio's 1), better only where every value of one \
             interval is nearer the target than every value of the other. Nearness to a target is measured as \
             a factor (on the log scale, |ln(value / target)|) for a quantity that cannot be negative, so 1e-30 \
             is farther from 1 (a factor of 1e30) than 361 is; as a plain difference for other quantities."
        ));
        if outline.paired.contains(&c.parameter) {
            items.push(format!(
                "`{}` was paired, so the sentences judge a numeric column with a higher or lower better \
                 by its paired difference instead (the mean difference for a column shown as a mean, the \
                 median difference for one shown as a median): better or worse only where that statistic's \
                 95% interval excludes 0 (see Paired differences). A column better toward a target is \
                 judged as above, since a difference's sign does not say which side is nearer; its paired \
                 difference is shown beside.",
                c.parameter
            ));
        }
    }
    items
}
