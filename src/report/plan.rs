//! What the report leads with for each scenario: the headline summary
//! columns, the per-generation curves, the heatmap and the one-sentence
//! answer, as a small table that is easy to extend, with a generic fallback
//! for scenarios it does not list (or columns a scenario has renamed).

use super::columns::Layout;

/// What a null in a summary column means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nulls {
    /// The event never happened within the horizon (a runway that never
    /// ended): the value is right-censored and counts as `+inf`.
    Censored,
    /// The value is undefined for that run (no growth phase to fit, say): it
    /// is left out and the number left out is reported.
    Dropped,
    /// The run achieved nothing measurable (no length solved): the value
    /// ranks below every other and counts as `-inf`, shown as "none".
    Lowest,
}

/// A summary column the headline table shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Headline {
    pub column: String,
    /// Column heading, with its unit.
    pub label: String,
    pub nulls: Nulls,
    /// For simulation against theory: the simulated and the theory column,
    /// summarised as the ratio of their means; `column` is then
    /// `simulated/theory`.
    pub ratio: Option<(String, String)>,
}

/// A per-generation metric drawn by generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    pub column: String,
    /// The closed-form prediction drawn beside it, where the table has one.
    pub theory: Option<String>,
    /// The y-axis label, with its unit.
    pub label: String,
}

/// A heatmap of one summary column over two parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    pub column: String,
    pub label: String,
    /// The parameters on the axes, and the axes' labels with units.
    pub x: String,
    pub y: String,
    pub x_label: String,
    pub y_label: String,
}

/// What the report shows for one dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub headline: Vec<Headline>,
    pub curves: Vec<Curve>,
    pub heatmap: Option<Heatmap>,
    /// The summary column the one-sentence answer is about (runway for
    /// `addition`; the first headline column otherwise).
    pub answer_column: Option<String>,
}

/// A heatmap axis: the parameter and its label with units.
type Axis = (&'static str, &'static str);

struct KnownScenario {
    name: &'static str,
    /// (column, label with unit, meaning of null)
    headline: &'static [(&'static str, &'static str, Nulls)],
    /// (column, label with unit)
    curves: &'static [(&'static str, &'static str)],
    /// (column, label, x axis, y axis)
    heatmap: Option<(&'static str, &'static str, Axis, Axis)>,
    answer: Option<&'static str>,
}

/// The table to fill in as scenarios settle their column names. Columns a
/// dataset lacks are skipped; a scenario with none of its columns present
/// falls back to the generic plan.
static KNOWN: &[KnownScenario] = &[
    KnownScenario {
        name: "addition",
        headline: &[
            ("runway", "runway (rounds)", Nulls::Censored),
            ("max_digits", "max digits solved", Nulls::Lowest),
            ("amplification", "error amplification (x per round)", Nulls::Dropped),
            ("doubling_rounds", "doubling time (rounds)", Nulls::Dropped),
            ("final_accuracy", "final frontier accuracy", Nulls::Dropped),
        ],
        curves: &[
            ("accuracy_frontier", "frontier accuracy (fraction correct)"),
            ("contamination", "contamination (share of trained answers wrong)"),
        ],
        heatmap: Some((
            "runway",
            "median runway (rounds)",
            ("noise_rate", "noise rate (slip probability per step)"),
            ("verifier", "verifier"),
        )),
        answer: Some("runway"),
    },
    KnownScenario {
        name: "gaussian",
        headline: &[
            ("final_variance_ratio", "final variance / true", Nulls::Dropped),
            ("final_variance_ratio_theory", "theory", Nulls::Dropped),
            ("final_mean_sq_error", "final mean sq. error", Nulls::Dropped),
            ("final_mean_sq_error_theory", "theory", Nulls::Dropped),
        ],
        curves: &[
            ("variance_ratio", "fitted variance / true variance"),
            ("mean_sq_error", "mean squared error of the fitted mean"),
        ],
        heatmap: None,
        answer: Some("final_variance_ratio"),
    },
    KnownScenario {
        name: "linreg",
        headline: &[
            ("final_test_error", "final test error", Nulls::Dropped),
            ("final_test_error_theory", "theory", Nulls::Dropped),
        ],
        curves: &[("test_error", "test error (mean squared)")],
        heatmap: None,
        answer: Some("final_test_error"),
    },
];

/// At most this many columns in the generic headline table and curves, so
/// that a wide scenario still gives a readable page.
const GENERIC_HEADLINE: usize = 8;
const GENERIC_CURVES: usize = 4;

/// The plan for `scenario` given the columns the dataset actually has.
pub fn plan(scenario: &str, layout: &Layout) -> Plan {
    let known = KNOWN.iter().find(|k| k.name == scenario);
    let has_summary = |c: &str| layout.summaries.iter().any(|s| s == c);
    let has_metric = |c: &str| layout.metrics.iter().any(|s| s == c);
    let mut headline: Vec<Headline> = known
        .map(|k| k.headline)
        .unwrap_or_default()
        .iter()
        .filter(|(column, _, _)| has_summary(column))
        .map(|(column, label, nulls)| Headline {
            column: column.to_string(),
            label: label.to_string(),
            nulls: *nulls,
            ratio: None,
        })
        .collect();
    if headline.is_empty() {
        headline = layout
            .summaries
            .iter()
            .take(GENERIC_HEADLINE)
            .map(|c| Headline {
                column: c.clone(),
                label: c.replace('_', " "),
                nulls: Nulls::Dropped,
                ratio: None,
            })
            .collect();
    }
    // Simulation against closed-form theory: every headline `x` with an
    // `x_theory` column gets the ratio of their means beside it.
    let shown: Vec<String> = headline.iter().map(|h| h.column.clone()).collect();
    for column in &shown {
        let theory = format!("{column}_theory");
        if has_summary(&theory) {
            headline.push(Headline {
                column: format!("{column}/{theory}"),
                label: format!("{}: mean / theory", column.replace('_', " ")),
                nulls: Nulls::Dropped,
                ratio: Some((column.clone(), theory)),
            });
        }
    }
    let curve = |column: &str, label: &str| {
        let theory = format!("{column}_theory");
        Curve {
            column: column.to_string(),
            theory: has_metric(&theory).then_some(theory),
            label: label.to_string(),
        }
    };
    let mut curves: Vec<Curve> = known
        .map(|k| k.curves)
        .unwrap_or_default()
        .iter()
        .filter(|(column, _)| has_metric(column))
        .map(|(column, label)| curve(column, label))
        .collect();
    if curves.is_empty() {
        curves = layout
            .metrics
            .iter()
            .filter(|m| !m.ends_with("_theory"))
            .take(GENERIC_CURVES)
            .map(|m| curve(m, &m.replace('_', " ")))
            .collect();
    }
    let heatmap = known.and_then(|k| k.heatmap).filter(|(column, ..)| has_summary(column)).map(
        |(column, label, (x, x_label), (y, y_label))| Heatmap {
            column: column.into(),
            label: label.into(),
            x: x.into(),
            y: y.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
        },
    );
    let answer_column = known
        .and_then(|k| k.answer)
        .filter(|c| has_summary(c))
        .map(String::from)
        .or_else(|| headline.first().map(|h| h.column.clone()));
    Plan { headline, curves, heatmap, answer_column }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(summaries: &[&str], metrics: &[&str]) -> Layout {
        Layout {
            parameters: vec!["verifier".into()],
            summaries: summaries.iter().map(|s| s.to_string()).collect(),
            metrics: metrics.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn addition_leads_with_runway_censored_and_skips_missing_columns() {
        let found = plan("addition", &layout(&["max_digits", "runway"], &["contamination"]));
        let columns: Vec<_> = found.headline.iter().map(|h| h.column.as_str()).collect();
        assert_eq!(columns, ["runway", "max_digits"], "table order, not schema order");
        assert_eq!(found.headline[0].nulls, Nulls::Censored);
        assert_eq!(found.curves.len(), 1);
        assert_eq!(found.answer_column.as_deref(), Some("runway"));
        assert!(found.heatmap.is_some());
    }

    #[test]
    fn theory_columns_pair_with_their_simulation() {
        let found = plan(
            "gaussian",
            &layout(&["final_variance", "final_variance_theory"], &["variance", "variance_theory"]),
        );
        let ratio = found.headline.last().unwrap();
        assert_eq!(ratio.ratio, Some(("final_variance".into(), "final_variance_theory".into())));
        assert_eq!(found.curves.len(), 1, "the theory curve is drawn with its simulation, not alone");
        assert_eq!(found.curves[0].theory.as_deref(), Some("variance_theory"));
    }

    #[test]
    fn unknown_scenarios_get_every_summary() {
        let found = plan("empty", &layout(&["draw"], &[]));
        assert_eq!(found.headline[0].column, "draw");
        assert!(found.curves.is_empty() && found.heatmap.is_none());
        assert_eq!(found.answer_column.as_deref(), Some("draw"));
    }
}
