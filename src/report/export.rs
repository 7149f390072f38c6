//! `headline.csv` and `outcomes.csv`: the report's tables in long form with
//! full-precision numbers, so scripts (and the interoperability test) can
//! compare their own DuckDB or polars queries with the report number for
//! number.
//!
//! `headline.csv` columns: the varying parameters, `replicates`, `failed`,
//! `column`, `statistic` (`median`, `mean`, `theory`, `mean_ratio` or
//! `median_ratio` for simulation over theory, as the theory predicts a mean
//! or a median, `mode` for a string column's commonest value),
//! `n`, `estimate` (for `mode`, the share of runs taking `value`), `low`,
//! `high` (the 95% interval), `nulls`, `nulls_as` (`dropped`, or `-inf`
//! where a null means nothing was achieved), `value` (the commonest value),
//! `tail_shape` (for a mean and its ratio: the fitted tail shape k of the
//! values, `src/report/tail.rs`; at 0.5 or more the interval is marked as one
//! that may cover less than 95%).
//! Infinite values are written `inf` / `-inf`; an absent one is left empty.
//!
//! `paired.csv` (paired datasets only) columns: the varying parameters of
//! the compared point, `axis` (the paired parameter compared along),
//! `baseline` (its baseline value), `column`, `statistic` (`mean` or
//! `median`: the statistic of the differences, the one the column's
//! headline shows), `pairs` (runs of the two points sharing a seed, both
//! successful), `n` (pairs with a difference, which the statistic is over:
//! for `mean` those with a finite value on both sides, for `median` those
//! with no undefined value), `dropped` (`pairs - n`), `difference` (the mean
//! or median of value - baseline value), `low`, `high` (its 95% interval: t
//! for a mean, the exact order-statistic interval for a median, whose ends
//! may be `inf` / `-inf`), `higher`, `lower`, `ties` (pairs by sign; a null
//! meaning nothing achieved ranks lowest), `favours_this`,
//! `favours_baseline` (in the column's better direction; empty where it
//! declares none), `tail_shape` (for `mean`: the differences' fitted tail
//! shape, as in `headline.csv`; at 0.5 or more the t interval is marked).
//!
//! `pairs.csv` (paired datasets only) has one row per pair per column: the
//! varying parameters of the compared point, `axis`, `baseline`, `column`,
//! `seed` (the shared seed), `value`, `baseline_value` (empty for a null),
//! `difference` (the difference the row's statistic in `paired.csv` is
//! over: for a mean, empty unless both values are finite; for a median,
//! empty only where a side is undefined, `-inf` / `inf` where one side
//! achieved nothing or is infinite, 0 where both sides are equal, both
//! achieving nothing included).
//!
//! `outcomes.csv` columns: the varying parameters, `replicates`, `failed`,
//! `outcome`, `runs` (successful runs that ended so), `share` (of the
//! successful runs), `median_time`, `median_place`.

use super::outline::{Headline, Outline, Statistic};
use super::paired::Difference;
use super::summary::Summary;
use crate::value::NullMeaning;

/// The headline CSV text.
pub fn headline_csv(summary: &Summary, headline: &[Headline]) -> String {
    let mut header: Vec<String> = summary.varying.clone();
    header.extend(
        [
            "replicates",
            "failed",
            "column",
            "statistic",
            "n",
            "estimate",
            "low",
            "high",
            "nulls",
            "nulls_as",
            "value",
            "tail_shape",
        ]
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
            let statistic = match column.statistic {
                Statistic::Median(_) => "median",
                Statistic::Mean => "mean",
                Statistic::Theory => "theory",
                Statistic::Ratio => "mean_ratio",
                Statistic::MedianRatio(_) => "median_ratio",
                Statistic::Mode => "mode",
            };
            let nulls_as = match column.statistic {
                Statistic::Median(NullMeaning::NothingAchieved)
                | Statistic::MedianRatio(NullMeaning::NothingAchieved) => "-inf",
                _ => "dropped",
            };
            row.extend([
                point.replicates.to_string(),
                point.failures.to_string(),
                column.column.clone(),
                statistic.to_string(),
                stats.summary.n.to_string(),
                number(stats.summary.value),
                low,
                high,
                stats.nulls.to_string(),
                nulls_as.to_string(),
                stats.mode.as_ref().map(|(v, _)| v.clone()).unwrap_or_default(),
                stats.tail.map(number).unwrap_or_default(),
            ]);
            text.push_str(&line(&row));
        }
    }
    text
}

/// The outcomes CSV text, `None` when the outline declares no outcome.
pub fn outcomes_csv(summary: &Summary, outline: &Outline) -> Option<String> {
    let outcome = outline.outcome.as_ref()?;
    let mut header: Vec<String> = summary.varying.clone();
    header.extend(
        ["replicates", "failed", "outcome", "runs", "share", "median_time", "median_place"].map(String::from),
    );
    let mut text = line(&header);
    for point in &summary.points {
        let Some(o) = &point.outcome else { continue };
        let n = o.total();
        for (slot, (value, _, _)) in outcome.outcomes.iter().enumerate() {
            let mut row: Vec<String> = point.key.iter().map(|c| c.to_string()).collect();
            let median = |e: Option<&super::stats::Estimate>| match e {
                Some(e) if e.n > 0 => number(e.value),
                _ => String::new(),
            };
            row.extend([
                point.replicates.to_string(),
                point.failures.to_string(),
                value.clone(),
                o.counts[slot].to_string(),
                if n > 0 { number(o.counts[slot] as f64 / n as f64) } else { String::new() },
                median(o.times.get(slot)),
                median(o.places.get(slot)),
            ]);
            text.push_str(&line(&row));
        }
    }
    Some(text)
}

/// The paired differences' CSV text.
pub fn paired_csv(summary: &Summary, outline: &Outline, differences: &[Difference]) -> String {
    let mut header: Vec<String> = summary.varying.clone();
    header.extend(
        [
            "axis",
            "baseline",
            "column",
            "statistic",
            "pairs",
            "n",
            "dropped",
            "difference",
            "low",
            "high",
            "higher",
            "lower",
            "ties",
            "favours_this",
            "favours_baseline",
            "tail_shape",
        ]
        .map(String::from),
    );
    let mut text = line(&header);
    for d in differences {
        let mut row: Vec<String> = summary.points[d.point].key.iter().map(|c| c.to_string()).collect();
        let (low, high) =
            d.estimate.interval.map_or((String::new(), String::new()), |(l, h)| (number(l), number(h)));
        let (this, base) =
            d.favours.map_or((String::new(), String::new()), |(t, b)| (t.to_string(), b.to_string()));
        row.extend([
            d.axis.clone(),
            d.baseline.to_string(),
            outline.headline[d.column].column.clone(),
            d.centre.name().to_string(),
            d.pairs.to_string(),
            d.estimate.n.to_string(),
            d.dropped.to_string(),
            number(d.estimate.value),
            low,
            high,
            d.higher.to_string(),
            d.lower.to_string(),
            d.ties.to_string(),
            this,
            base,
            d.tail.map(number).unwrap_or_default(),
        ]);
        text.push_str(&line(&row));
    }
    text
}

/// Every pair's values, one row per pair per column.
pub fn pairs_csv(summary: &Summary, outline: &Outline, differences: &[Difference]) -> String {
    let mut header: Vec<String> = summary.varying.clone();
    header.extend(
        ["axis", "baseline", "column", "seed", "value", "baseline_value", "difference"].map(String::from),
    );
    let mut text = line(&header);
    let cell = |v: Option<f64>| v.map(number).unwrap_or_default();
    for d in differences {
        let key: Vec<String> = summary.points[d.point].key.iter().map(|c| c.to_string()).collect();
        for pair in &d.values {
            let mut row = key.clone();
            row.extend([
                d.axis.clone(),
                d.baseline.to_string(),
                outline.headline[d.column].column.clone(),
                pair.seed.to_string(),
                cell(pair.value),
                cell(pair.baseline),
                cell(pair.difference),
            ]);
            text.push_str(&line(&row));
        }
    }
    text
}

/// Shortest text that reads back to the same `f64`; `inf` for an
/// unreached value, empty for none.
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
