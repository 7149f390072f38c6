//! The headline table as text: Markdown for `report.md`, aligned columns for
//! the terminal, and the number formatting both share.

use super::plan::Headline;
use super::summary::{ColumnSummary, Summary};

/// A number as the table shows it: integers plainly, others to about three
/// significant digits; `+inf` (a censored value) as `> horizon`.
pub fn format_value(value: f64, horizon: Option<f64>) -> String {
    if value.is_nan() {
        return "n/a".into();
    }
    if value == f64::NEG_INFINITY {
        return "none".into();
    }
    if value == f64::INFINITY {
        return match horizon {
            Some(h) => format!("> {h}"),
            None => "inf".into(),
        };
    }
    let magnitude = value.abs();
    if value.fract() == 0.0 && magnitude < 1e12 {
        format!("{value:.0}")
    } else if magnitude != 0.0 && !(1e-3..1e6).contains(&magnitude) {
        format!("{value:.2e}")
    } else if magnitude >= 100.0 {
        format!("{value:.1}")
    } else if magnitude >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

/// `median [low, high]`, or `median [n/a]` when there are too few values
/// for a 95% interval.
pub fn format_cell(column: &ColumnSummary, horizon: Option<f64>) -> String {
    let summary = &column.summary;
    if summary.n == 0 {
        return "no data".into();
    }
    let median = format_value(summary.value, horizon);
    match summary.interval {
        Some((low, high)) => {
            format!("{median} [{}, {}]", format_value(low, horizon), format_value(high, horizon))
        }
        None => format!("{median} [n/a]"),
    }
}

/// The table's header and rows as plain strings.
fn rows(summary: &Summary, headline: &[Headline]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> = summary.varying.clone();
    header.push("replicates".into());
    header.push("failed".into());
    header.extend(headline.iter().map(|h| h.label.clone()));
    let body = summary
        .points
        .iter()
        .map(|point| {
            let mut row: Vec<String> = point.key.iter().map(|c| c.to_string()).collect();
            row.push(point.replicates.to_string());
            row.push(point.failures.to_string());
            row.extend(point.columns.iter().map(|c| format_cell(c, point.horizon)));
            row
        })
        .collect();
    (header, body)
}

/// The headline table in Markdown.
pub fn markdown(summary: &Summary, headline: &[Headline]) -> String {
    let (header, body) = rows(summary, headline);
    let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
    let mut text = line(&header);
    text.push_str(&line(&vec!["---".to_string(); header.len()]));
    for row in &body {
        text.push_str(&line(row));
    }
    text
}

/// The headline table with aligned columns, for the terminal.
pub fn plain(summary: &Summary, headline: &[Headline]) -> String {
    let (header, body) = rows(summary, headline);
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &body {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut text = line(&header);
    for row in &body {
        text.push_str(&line(row));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::stats::Estimate;

    #[test]
    fn numbers_read_as_a_person_would_write_them() {
        assert_eq!(format_value(12.0, None), "12");
        assert_eq!(format_value(0.98765, None), "0.988");
        assert_eq!(format_value(4.56789, None), "4.57");
        assert_eq!(format_value(1.5e-5, None), "1.50e-5");
        assert_eq!(format_value(f64::INFINITY, Some(30.0)), "> 30");
        assert_eq!(format_value(f64::NEG_INFINITY, Some(30.0)), "none");
    }

    #[test]
    fn cells_show_the_interval_or_say_there_is_none() {
        let cell = |n, interval| ColumnSummary {
            summary: Estimate { n, value: 7.0, interval },
            nulls: 0,
            treatment: crate::report::plan::Nulls::Dropped,
        };
        assert_eq!(format_cell(&cell(20, Some((5.0, 9.5))), None), "7 [5, 9.50]");
        assert_eq!(format_cell(&cell(3, None), None), "7 [n/a]");
    }
}
