//! The headline table as text: Markdown for `report.md`, aligned columns for
//! the terminal, and the number formatting both share.

use super::outline::{Headline, Outline, Statistic};
use super::paired::Difference;
use super::stats::Estimate;
use super::summary::{ColumnSummary, GridPoint, Summary};
use super::tail;
use crate::scenario::contract::OutcomeKind;

/// A number as the table shows it: integers plainly, others to about three
/// significant digits; `+inf` (an event that half the runs never had) as
/// `not reached`, `-inf` (nothing achieved) as `none`.
pub fn format_value(value: f64, _horizon: Option<f64>) -> String {
    if value.is_nan() {
        return "n/a".into();
    }
    if value == f64::NEG_INFINITY {
        return "none".into();
    }
    if value == f64::INFINITY {
        return "not reached".into();
    }
    let magnitude = value.abs();
    if value.fract() == 0.0 && magnitude < 1e12 {
        format!("{value:.0}")
    } else if (value * 2.0).fract() == 0.0 && magnitude < 1e6 {
        // A median of whole numbers lands on halves: 19.5, not 19.50.
        format!("{value:.1}")
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

/// `estimate [low, high]`, or `estimate [n/a]` when there are too few
/// values for a 95% interval.
pub fn format_estimate(estimate: &Estimate, horizon: Option<f64>) -> String {
    if estimate.value == f64::INFINITY && estimate.n > 0 {
        // Nothing to bound: fewer than half the runs had the event.
        return format_value(estimate.value, horizon);
    }
    bracketed(estimate, |v| format_value(v, horizon))
}

/// A paired difference's `estimate [low, high]`: like [`format_estimate`],
/// but an infinite difference (a pair, or an interval end, where one side
/// achieved nothing or never reached a value) is written `inf` or `-inf`,
/// since `none` and `not reached` describe values, not differences.
pub fn format_difference(estimate: &Estimate) -> String {
    bracketed(estimate, |v| match v {
        f64::INFINITY => "inf".to_string(),
        f64::NEG_INFINITY => "-inf".to_string(),
        v => format_value(v, None),
    })
}

/// `estimate [low, high]` with each number written by `number`, `[n/a]`
/// without an interval, `no data` without values.
fn bracketed(estimate: &Estimate, number: impl Fn(f64) -> String) -> String {
    if estimate.n == 0 {
        return "no data".into();
    }
    match estimate.interval {
        Some((low, high)) => format!("{} [{}, {}]", number(estimate.value), number(low), number(high)),
        None => format!("{} [n/a]", number(estimate.value)),
    }
}

/// One headline cell as its statistic shows it.
pub fn format_cell(headline: &Headline, column: &ColumnSummary, horizon: Option<f64>) -> String {
    match headline.statistic {
        Statistic::Theory if column.summary.n > 0 => format_value(column.summary.value, horizon),
        Statistic::Mode => match &column.mode {
            Some((value, count)) => format!("{value} ({count}/{})", column.summary.n),
            None => "no data".into(),
        },
        _ if column.heavy_tailed() => format!("{} {}", format_estimate(&column.summary, horizon), tail::MARK),
        _ => format_estimate(&column.summary, horizon),
    }
}

/// A table: its header and rows.
pub type Rows = (Vec<String>, Vec<Vec<String>>);

/// A theory cell where the scenario has no closed form at those parameters.
pub const NO_CLOSED_FORM: &str = "no closed form";

/// The headline table's header and rows.
pub fn headline_rows(summary: &Summary, headline: &[Headline]) -> Rows {
    let mut header: Vec<String> = summary.varying.clone();
    header.push("replicates".into());
    header.push("failed".into());
    header.extend(headline.iter().map(|h| h.label.clone()));
    let body = summary
        .points
        .iter()
        .map(|point| {
            // A theory with no value here has no closed form at these
            // parameters (not missing data): its cells and its ratio's say so.
            let unknown: Vec<&str> = headline
                .iter()
                .zip(&point.columns)
                .filter(|(h, c)| h.statistic == Statistic::Theory && c.summary.n == 0)
                .map(|(h, _)| h.column.as_str())
                .collect();
            let mut row = leading_cells(point);
            row.extend(headline.iter().zip(&point.columns).map(|(h, c)| {
                let theory = match h.statistic {
                    Statistic::Theory => Some(h.column.as_str()),
                    _ => h.theory.as_deref(),
                };
                match theory {
                    Some(theory) if unknown.contains(&theory) => NO_CLOSED_FORM.to_string(),
                    _ => format_cell(h, c, point.horizon),
                }
            }));
            row
        })
        .collect();
    (header, body)
}

/// How runs ended per grid point: a count per outcome, the median
/// generation (and place) of each, and when half had had the timed event.
pub fn outcome_rows(summary: &Summary, outline: &Outline) -> Option<Rows> {
    let outcome = outline.outcome.as_ref()?;
    let mut header: Vec<String> = summary.varying.clone();
    header.push("runs".into());
    header.push("failed".into());
    for (value, _, _) in &outcome.outcomes {
        header.push(value.clone());
    }
    let other = summary.points.iter().any(|p| p.outcome.as_ref().is_some_and(|o| o.other > 0));
    if other {
        header.push("other".into());
    }
    let timed: Vec<usize> =
        (0..outcome.outcomes.len()).filter(|&k| outcome.outcomes[k].2 != OutcomeKind::Censored).collect();
    for &k in &timed {
        header.push(format!("{}: median {}", outcome.outcomes[k].0, outline.step.0));
        if let Some((place, unit)) = &outcome.place {
            let unit = unit.clone().unwrap_or_else(|| place.replace('_', " "));
            header.push(format!("{}: median {unit}", outcome.outcomes[k].0));
        }
    }
    let event = outcome.event();
    if let Some(event) = event {
        header.push(format!("half {} by {}", outcome.outcomes[event].0, outline.step.0));
    }
    let body = summary
        .points
        .iter()
        .map(|point| {
            let mut row = leading_cells(point);
            let o = point.outcome.clone().unwrap_or_default();
            let n = o.total();
            row.extend(o.counts.iter().map(|c| format!("{c}/{n}")));
            if other {
                row.push(format!("{}/{n}", o.other));
            }
            for &k in &timed {
                let cell = |e: Option<&Estimate>| match e {
                    Some(e) if e.n > 0 => format_estimate(e, None),
                    _ => "-".into(),
                };
                row.push(cell(o.times.get(k)));
                if outcome.place.is_some() {
                    row.push(cell(o.places.get(k)));
                }
            }
            if event.is_some() {
                row.push(o.event_time.as_ref().map(|e| format_estimate(e, None)).unwrap_or_default());
            }
            row
        })
        .collect();
    Some((header, body))
}

/// The paired differences: per choice point and headline column, against
/// the baseline at the same other parameters, the pairs used (and those
/// left out for a missing value), the statistic of the differences the
/// column's headline shows (mean or median) with its 95% interval, and how
/// many pairs fall on each side.
pub fn paired_rows(summary: &Summary, outline: &Outline, differences: &[Difference]) -> Rows {
    let mut header: Vec<String> = summary.varying.clone();
    header.extend(
        [
            "against",
            "column",
            "pairs",
            "paired difference",
            "higher / lower / tied",
            "favours this / baseline",
        ]
        .map(String::from),
    );
    let body = differences
        .iter()
        .map(|d| {
            let mut row: Vec<String> = summary.points[d.point].key.iter().map(|c| c.to_string()).collect();
            let pairs = match d.dropped {
                0 => d.estimate.n.to_string(),
                k => format!("{} ({k} left out)", d.estimate.n),
            };
            row.extend([
                format!("{} = {}", d.axis, d.baseline),
                match &outline.headline[d.column].unit {
                    Some(unit) => format!("{} ({unit})", outline.headline[d.column].name),
                    None => outline.headline[d.column].name.clone(),
                },
                pairs,
                match d.heavy_tailed() {
                    false => format!("{} {}", d.centre.name(), format_difference(&d.estimate)),
                    true => format!("{} {} {}", d.centre.name(), format_difference(&d.estimate), tail::MARK),
                },
                format!("{} / {} / {}", d.higher, d.lower, d.ties),
                d.favours.map_or("-".into(), |(this, base)| format!("{this} / {base}")),
            ]);
            row
        })
        .collect();
    (header, body)
}

/// The cells every table row starts with: the point's parameter values,
/// its runs and its failures.
fn leading_cells(point: &GridPoint) -> Vec<String> {
    let mut row: Vec<String> = point.key.iter().map(|c| c.to_string()).collect();
    row.push(point.replicates.to_string());
    row.push(point.failures.to_string());
    row
}

/// A table in Markdown.
pub fn markdown((header, body): &Rows) -> String {
    let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
    let mut text = line(header);
    text.push_str(&line(&vec!["---".to_string(); header.len()]));
    for row in body {
        text.push_str(&line(row));
    }
    text
}

/// A table with aligned columns, for the terminal.
pub fn plain((header, body): &Rows) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in body {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut text = line(header);
    for row in body {
        text.push_str(&line(row));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_a_person_would_write_them() {
        assert_eq!(format_value(12.0, None), "12");
        assert_eq!(format_value(0.98765, None), "0.988");
        assert_eq!(format_value(4.56789, None), "4.57");
        assert_eq!(format_value(1.5e-5, None), "1.50e-5");
        assert_eq!(format_value(f64::INFINITY, Some(30.0)), "not reached");
        assert_eq!(format_value(f64::NEG_INFINITY, Some(30.0)), "none");
    }

    #[test]
    fn estimates_show_the_interval_or_say_there_is_none() {
        assert_eq!(
            format_estimate(&Estimate { n: 20, value: 7.0, interval: Some((5.0, 9.5)) }, None),
            "7 [5, 9.5]"
        );
        assert_eq!(format_estimate(&Estimate { n: 3, value: 7.0, interval: None }, None), "7 [n/a]");
        let open = Estimate { n: 20, value: 9.0, interval: Some((6.0, f64::INFINITY)) };
        assert_eq!(format_estimate(&open, None), "9 [6, not reached]");
        let never = Estimate { n: 20, value: f64::INFINITY, interval: Some((30.0, f64::INFINITY)) };
        assert_eq!(format_estimate(&never, None), "not reached");
        assert_eq!(format_value(19.5, None), "19.5");
    }
}
