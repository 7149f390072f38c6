//! The answer in one sentence per verifier, computed from the headline
//! statistics: how many rounds of runway a verifier buys over `none` at each
//! noise rate, and the noise rate at which it stops helping.
//!
//! "Helps" means the verifier's median exceeds `none`'s by at least one
//! round (runway is a whole number of rounds, so a smaller gain is no gain).
//! Where a median lies beyond the horizon, the gain is a lower bound.

use std::collections::BTreeMap;

use super::columns::Cell;
use super::plan::Headline;
use super::summary::Summary;
use super::table::format_value;

/// The smallest gain that counts as helping, in the column's unit.
const HELPS: f64 = 1.0;

/// One sentence per verifier, or generic sentences when the dataset has no
/// verifier axis with a `none` baseline.
pub fn sentences(summary: &Summary, headline: &[Headline], column: &str) -> Vec<String> {
    let Some(index) = headline.iter().position(|h| h.column == column) else { return Vec::new() };
    let label = &headline[index].label;
    match summary.axis("verifier") {
        Some(verifier) if summary.points.iter().any(|p| p.key[verifier] == Cell::Text("none".into())) => {
            by_verifier(summary, index, label, verifier)
        }
        _ => generic(summary, index, label),
    }
}

/// A median and the horizon it may lie beyond.
type Median = (f64, Option<f64>);

fn by_verifier(summary: &Summary, index: usize, label: &str, verifier: usize) -> Vec<String> {
    let noise = summary.axis("noise_rate");
    // (verifier, other parameters) -> noise value -> median
    let mut table: BTreeMap<(Cell, Vec<Cell>), BTreeMap<Cell, Median>> = BTreeMap::new();
    for point in &summary.points {
        let others: Vec<Cell> = point
            .key
            .iter()
            .enumerate()
            .filter(|(axis, _)| *axis != verifier && Some(*axis) != noise)
            .map(|(_, c)| c.clone())
            .collect();
        let level = noise.map(|axis| point.key[axis].clone()).unwrap_or(Cell::Null);
        let median = (point.columns[index].summary.value, point.horizon);
        table.entry((point.key[verifier].clone(), others)).or_default().insert(level, median);
    }
    let other_names: Vec<&String> = summary
        .varying
        .iter()
        .enumerate()
        .filter(|(axis, _)| *axis != verifier && Some(*axis) != noise)
        .map(|(_, n)| n)
        .collect();
    let none = Cell::Text("none".into());
    let mut out = Vec::new();
    for ((name, others), levels) in &table {
        if *name == none {
            continue;
        }
        let Some(baseline) = table.get(&(none.clone(), others.clone())) else { continue };
        let gains: Vec<(Cell, Option<(f64, bool)>)> = levels
            .iter()
            .filter_map(|(level, m)| baseline.get(level).map(|b| (level.clone(), gain(*m, *b))))
            .collect();
        if gains.is_empty() {
            continue;
        }
        let context = if others.is_empty() {
            String::new()
        } else {
            let pairs: Vec<String> =
                other_names.iter().zip(others).map(|(n, v)| format!("{n} = {v}")).collect();
            format!(" (with {})", pairs.join(", "))
        };
        let parts: Vec<String> = gains
            .iter()
            .map(|(level, g)| {
                let amount = match g {
                    None => "no measurable difference (both beyond the horizon)".to_string(),
                    Some((g, true)) => format!("at least {}", format_value(*g, None)),
                    Some((g, false)) => format_value(*g, None),
                };
                match level {
                    Cell::Null => amount,
                    level => format!("{amount} at noise_rate = {level}"),
                }
            })
            .collect();
        let mut sentence = format!("`{name}` buys more {label} than `none`{context}: {}", parts.join(", "));
        if noise.is_some() {
            sentence.push_str(&stops_helping(&gains));
        }
        sentence.push('.');
        out.push(sentence);
    }
    out
}

/// The difference of two medians and whether it is only a lower bound
/// (the verifier's median lies beyond the horizon); `None` when both do.
fn gain(with: Median, without: Median) -> Option<(f64, bool)> {
    match (with.0.is_infinite(), without.0.is_infinite()) {
        (true, true) => None,
        (true, false) => Some((with.1.unwrap_or(without.0) - without.0, true)),
        (false, true) => Some((with.0 - without.1.unwrap_or(with.0), false)),
        (false, false) => Some((with.0 - without.0, false)),
    }
}

/// "; it stops helping at noise_rate = r": the lowest swept noise rate from
/// which on every gain is below one round.
fn stops_helping(gains: &[(Cell, Option<(f64, bool)>)]) -> String {
    let helps = |g: &Option<(f64, bool)>| !matches!(g, Some((g, false)) if *g < HELPS);
    match gains.iter().rposition(|(_, g)| helps(g)) {
        None => "; it does not help at any noise rate swept".into(),
        Some(last) if last + 1 == gains.len() => {
            format!("; it still helps at the highest noise rate swept ({})", gains[last].0)
        }
        Some(last) => format!("; it stops helping at noise_rate = {}", gains[last + 1].0),
    }
}

/// One sentence per simulation-against-theory column: at how many grid
/// points the 95% interval of mean / theory contains 1, naming (up to three)
/// points where it does not.
pub fn theory_sentences(summary: &Summary, headline: &[Headline]) -> Vec<String> {
    let mut out = Vec::new();
    for (index, column) in headline.iter().enumerate().filter(|(_, h)| h.ratio.is_some()) {
        let mut agree = 0;
        let mut total = 0;
        let mut apart = Vec::new();
        for point in &summary.points {
            let Some((low, high)) = point.columns[index].summary.interval else { continue };
            total += 1;
            if low <= 1.0 && 1.0 <= high {
                agree += 1;
            } else {
                let at: Vec<String> =
                    summary.varying.iter().zip(&point.key).map(|(n, v)| format!("{n} = {v}")).collect();
                apart.push(format!(
                    "{} at {}",
                    format_value(point.columns[index].summary.value, None),
                    at.join(", ")
                ));
            }
        }
        if total == 0 {
            continue;
        }
        let mut sentence = format!(
            "{}: simulation and theory agree (95% interval contains 1) at {agree} of {total} grid points",
            column.label
        );
        if !apart.is_empty() {
            let shown: Vec<&str> = apart.iter().take(3).map(String::as_str).collect();
            sentence.push_str(&format!("; the ratio is {}", shown.join("; ")));
            if apart.len() > 3 {
                sentence.push_str(&format!(" and {} more", apart.len() - 3));
            }
        }
        sentence.push('.');
        out.push(sentence);
    }
    out
}

fn generic(summary: &Summary, index: usize, label: &str) -> Vec<String> {
    let describe = |median: f64, horizon| format_value(median, horizon);
    if summary.varying.is_empty() {
        return summary
            .points
            .iter()
            .map(|p| {
                format!(
                    "The median {label} is {} over {} runs.",
                    describe(p.columns[index].summary.value, p.horizon),
                    p.replicates - p.failures
                )
            })
            .collect();
    }
    let first = &summary.varying[0];
    let mut by_level: BTreeMap<&Cell, Vec<f64>> = BTreeMap::new();
    for point in &summary.points {
        by_level.entry(&point.key[0]).or_default().push(point.columns[index].summary.value);
    }
    let horizon = summary.points.first().and_then(|p| p.horizon);
    let parts: Vec<String> = by_level
        .iter()
        .map(|(level, medians)| {
            let low = medians.iter().copied().fold(f64::INFINITY, f64::min);
            let high = medians.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if low == high {
                format!("{} at {first} = {level}", describe(low, horizon))
            } else {
                format!("{} to {} at {first} = {level}", describe(low, horizon), describe(high, horizon))
            }
        })
        .collect();
    vec![format!("The median {label} is {}.", parts.join(", "))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_censored_verifier_gains_at_least_the_rest_of_the_horizon() {
        assert_eq!(gain((f64::INFINITY, Some(30.0)), (7.0, Some(30.0))), Some((23.0, true)));
        assert_eq!(gain((12.0, Some(30.0)), (7.0, Some(30.0))), Some((5.0, false)));
        assert_eq!(gain((f64::INFINITY, Some(30.0)), (f64::INFINITY, Some(30.0))), None);
    }

    #[test]
    fn theory_agreement_counts_intervals_containing_one() {
        use crate::report::plan::Nulls;
        use crate::report::stats::Estimate;
        use crate::report::summary::{ColumnSummary, GridPoint};
        let point = |x: f64, interval: (f64, f64)| GridPoint {
            key: vec![Cell::Float(x)],
            replicates: 10,
            failures: 0,
            horizon: None,
            columns: vec![ColumnSummary {
                summary: Estimate { n: 10, value: (interval.0 + interval.1) / 2.0, interval: Some(interval) },
                nulls: 0,
                treatment: Nulls::Dropped,
            }],
        };
        let summary = Summary {
            varying: vec!["samples".into()],
            points: vec![point(10.0, (0.9, 1.1)), point(100.0, (1.2, 1.4))],
            ..Default::default()
        };
        let headline = [Headline {
            column: "e/e_theory".into(),
            label: "e: mean / theory".into(),
            nulls: Nulls::Dropped,
            ratio: Some(("e".into(), "e_theory".into())),
        }];
        assert_eq!(
            theory_sentences(&summary, &headline),
            ["e: mean / theory: simulation and theory agree (95% interval contains 1) at 1 of 2 grid points; \
              the ratio is 1.30 at samples = 100."]
        );
    }

    #[test]
    fn helping_stops_where_every_later_gain_is_below_one_round() {
        let gains = |values: &[f64]| -> Vec<(Cell, Option<(f64, bool)>)> {
            values
                .iter()
                .enumerate()
                .map(|(i, g)| (Cell::Float(i as f64 / 10.0), Some((*g, false))))
                .collect()
        };
        assert_eq!(stops_helping(&gains(&[9.0, 4.0, 0.5, 0.0])), "; it stops helping at noise_rate = 0.2");
        assert_eq!(
            stops_helping(&gains(&[9.0, 0.0, 3.0])),
            "; it still helps at the highest noise rate swept (0.2)"
        );
        assert_eq!(stops_helping(&gains(&[0.0, 0.5])), "; it does not help at any noise rate swept");
    }
}
