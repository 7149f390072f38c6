//! `headline.csv`: the headline table in long form with full-precision
//! numbers, so scripts (and the interoperability test) can compare their
//! own DuckDB or polars queries with the report number for number.
//!
//! Columns: the varying parameters, `replicates`, `failed`, `column`,
//! `statistic` (`median`, or `mean_ratio` for simulation over theory), `n`,
//! `estimate`, `low`, `high` (the 95% interval), `nulls`, `nulls_as`. `nulls` counts the runs
//! whose value was null and `nulls_as` says how they were counted: `inf`
//! (never happened while the run lasted), `-inf` (achieved none) or
//! `dropped`. Infinite values are written `inf` / `-inf`; an absent one (no
//! interval for n < 6) is left empty.

use super::plan::{Headline, Nulls};
use super::summary::Summary;

/// The CSV text.
pub fn headline_csv(summary: &Summary, headline: &[Headline]) -> String {
    let mut header: Vec<String> = summary.varying.clone();
    header.extend(
        ["replicates", "failed", "column", "statistic", "n", "estimate", "low", "high", "nulls", "nulls_as"]
            .map(String::from),
    );
    let mut text = line(&header);
    for point in &summary.points {
        for (column, stats) in headline.iter().zip(&point.columns) {
            let mut row: Vec<String> = point.key.iter().map(|c| c.to_string()).collect();
            let (low, high) = match stats.summary.interval {
                Some((low, high)) => (number(low), number(high)),
                None => (String::new(), String::new()),
            };
            row.extend([
                point.replicates.to_string(),
                point.failures.to_string(),
                column.column.clone(),
                if column.ratio.is_some() { "mean_ratio" } else { "median" }.to_string(),
                stats.summary.n.to_string(),
                number(stats.summary.value),
                low,
                high,
                stats.nulls.to_string(),
                match stats.treatment {
                    Nulls::Censored => "inf",
                    Nulls::Lowest => "-inf",
                    Nulls::Dropped => "dropped",
                }
                .to_string(),
            ]);
            text.push_str(&line(&row));
        }
    }
    text
}

/// Shortest text that reads back to the same `f64`; `inf` for a censored
/// value, empty for none.
fn number(value: f64) -> String {
    if value.is_nan() {
        String::new()
    } else {
        format!("{value}")
    }
}

fn line(fields: &[String]) -> String {
    let quoted: Vec<String> =
        fields
            .iter()
            .map(|f| {
                if f.contains([',', '"', '\n']) {
                    format!("\"{}\"", f.replace('"', "\"\""))
                } else {
                    f.clone()
                }
            })
            .collect();
    format!("{}\n", quoted.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_are_quoted_and_numbers_round_trip() {
        assert_eq!(line(&["a,b".into(), "say \"x\"".into(), "1".into()]), "\"a,b\",\"say \"\"x\"\"\",1\n");
        let value = 0.1 + 0.2;
        assert_eq!(number(value).parse::<f64>().unwrap(), value);
        assert_eq!(number(f64::INFINITY), "inf");
        assert_eq!(number(f64::NAN), "");
    }
}
