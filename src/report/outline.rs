//! What the report shows for one dataset: the scenario's declared report
//! contract ([`crate::scenario::contract`]) resolved against the columns the
//! dataset actually has, or, for a scenario this binary does not know, a
//! generic outline read off the schema alone.
//!
//! Everything downstream (summary, sentences, tables, figures) reads this
//! outline and nothing scenario-specific: the report names no scenario, column
//! or parameter of its own.

use std::collections::HashMap;

use super::columns::Layout;
use crate::params::ParamKind;
use crate::scenario::contract::{Outcome, OutcomeKind};
use crate::scenario::Scenario;
use crate::value::{Better, ColumnSpec, ColumnType, NullMeaning, Prediction, Support};

/// How a headline column is summarised at a grid point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Statistic {
    /// The median with its exact order-statistic interval.
    Median(NullMeaning),
    /// The mean with a 95% interval, shown beside a closed-form theory
    /// (an expectation, so means are what it predicts).
    Mean,
    /// The closed-form theory's value: exact, so shown without an interval.
    Theory,
    /// The simulation's mean over the theory's, with a 95% interval.
    Ratio,
    /// The simulation's median over the theory's (a theory that predicts a
    /// median): the median's exact interval divided by the theory.
    MedianRatio(NullMeaning),
    /// A string column's commonest value and how many runs took it.
    Mode,
}

/// One column of the headline table.
#[derive(Clone, Debug, PartialEq)]
pub struct Headline {
    /// The runs-table column summarised.
    pub column: String,
    /// For [`Statistic::Ratio`] and [`Statistic::MedianRatio`], the theory
    /// column divided by.
    pub theory: Option<String>,
    pub statistic: Statistic,
    /// The table heading, unique within the table.
    pub label: String,
    /// The label without statistic, for sentences.
    pub name: String,
    pub unit: Option<String>,
    pub better: Better,
    pub support: Support,
    /// What a null in the column means.
    pub nulls: NullMeaning,
}

/// A per-generation figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    pub column: String,
    /// The generations-table column on the x axis; the generation index when `None`.
    pub x: Option<String>,
    /// The x axis label.
    pub x_label: String,
    /// The closed-form prediction drawn beside it, where the table has one.
    pub theory: Option<String>,
    /// Draw `1 - value`.
    pub complement: bool,
    pub log: bool,
    /// A parameter drawn as a horizontal line.
    pub threshold: Option<String>,
    /// The y axis label, with its unit.
    pub label: String,
    /// The values the drawn quantity can take, so a mean's band stays in them.
    pub support: Support,
}

/// Choices of one parameter compared with a baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedComparison {
    pub parameter: String,
    pub baseline: String,
    pub along: Option<String>,
    /// The declared baseline, when the sweep did not run it and `baseline`,
    /// the first choice it ran, stands in.
    pub absent: Option<String>,
}

/// How runs end.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomePlan {
    pub column: String,
    /// (stored value, past-tense phrase, kind), in display order.
    pub outcomes: Vec<(String, String, OutcomeKind)>,
    /// The summary column holding the generation a run ended at.
    pub time: String,
    /// Where a run got to, with its unit (`final_digits`, "digits").
    pub place: Option<(String, Option<String>)>,
}

impl OutcomePlan {
    /// The index of the timed event (collapse), if one is declared.
    pub fn event(&self) -> Option<usize> {
        self.outcomes.iter().position(|(_, _, kind)| *kind == OutcomeKind::Event)
    }
}

/// A heatmap of one headline column over two parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    pub column: String,
    pub label: String,
    pub x: String,
    pub y: String,
}

/// What the report shows for one dataset.
#[derive(Clone, Debug, PartialEq)]
pub struct Outline {
    pub headline: Vec<Headline>,
    pub curves: Vec<Curve>,
    pub comparison: Option<ResolvedComparison>,
    pub outcome: Option<OutcomePlan>,
    pub heatmap: Option<Heatmap>,
    /// The parameter bounding a run's generations.
    pub horizon: Option<String>,
    /// What a generation is called, singular and plural.
    pub step: (String, String),
    /// The declared order of every choice parameter's values, so tables,
    /// legends and colours follow the scenario's order, not the alphabet.
    pub choice_order: HashMap<String, Vec<String>>,
    /// Whether the outline comes from a declaration (false: the schema alone).
    pub declared: bool,
    /// The axes the sweep paired its runs across (`paired = [...]`), read
    /// from the dataset's sweep copy; empty when the runs are not paired.
    pub paired: Vec<String>,
    /// The sweep file's axes in its order, slowest-varying first, read from
    /// the dataset's sweep copy: tables list the varying parameters in this
    /// order, as the researcher wrote them, and parameters it does not name
    /// follow in the scenario's order. Empty when the copy does not parse.
    pub axis_order: Vec<String>,
}

impl Outline {
    /// The position of `value` in the declared order of `parameter`, with
    /// the comparison's baseline first.
    pub fn choice_rank(&self, parameter: &str, value: &str) -> Option<usize> {
        let order = self.choice_order.get(parameter)?;
        let position = order.iter().position(|v| v == value)?;
        match &self.comparison {
            Some(c) if c.parameter == parameter => {
                let baseline = order.iter().position(|v| *v == c.baseline);
                Some(match baseline {
                    Some(b) if position == b => 0,
                    Some(b) if position < b => position + 1,
                    _ => position,
                })
            }
            _ => Some(position),
        }
    }
}

/// At most this many columns in a generic headline table and curves, so
/// that a wide scenario still gives a readable page.
const GENERIC_HEADLINE: usize = 8;
const GENERIC_CURVES: usize = 4;

/// The outline for a dataset of `scenario` (`None`: not known to this binary)
/// given the columns the dataset actually has. Declared columns the dataset
/// lacks (an older version wrote it) are skipped.
pub fn outline(scenario: Option<&Scenario>, layout: &Layout) -> Outline {
    match scenario {
        Some(scenario) => declared(scenario, layout),
        None => generic(layout),
    }
}

fn declared(scenario: &Scenario, layout: &Layout) -> Outline {
    let spec = &scenario.report;
    let has_summary = |c: &str| layout.summaries.iter().any(|s| s == c);
    let has_text = |c: &str| layout.texts.iter().any(|s| s == c);
    let has_metric = |c: &str| layout.metrics.iter().any(|s| s == c);
    let summary_spec = |name: &str| scenario.summary_columns.iter().find(|c| c.name == name);
    let metric_spec = |name: &str| scenario.generation_columns.iter().find(|c| c.name == name);
    let mut headline = Vec::new();
    for name in spec.headline.iter() {
        let Some(column) = summary_spec(name) else { continue };
        if column.ty == ColumnType::Str {
            if has_text(name) {
                headline.push(mode(column));
            }
        } else if has_summary(name) {
            let theory = column.theory.filter(|t| has_summary(t));
            headline.extend(numeric(column, theory));
        }
    }
    let curves = spec
        .curves
        .iter()
        .filter(|c| has_metric(&c.column) && c.x.is_none_or(has_metric))
        .map(|c| {
            let column = metric_spec(&c.column);
            let label = c
                .label
                .map(String::from)
                .or_else(|| column.map(ColumnSpec::heading))
                .unwrap_or_else(|| c.column.replace('_', " "));
            let x_label = match c.x {
                Some(x) => metric_spec(x).map(ColumnSpec::heading).unwrap_or_else(|| x.replace('_', " ")),
                None => spec.step.0.to_string(),
            };
            Curve {
                column: c.column.to_string(),
                x: c.x.map(String::from),
                x_label,
                theory: column.and_then(|s| s.theory).filter(|t| has_metric(t)).map(String::from),
                complement: c.complement,
                log: c.log,
                threshold: c.threshold.filter(|p| layout.parameters.iter().any(|q| q == p)).map(String::from),
                label,
                // 1 - a share is a share; otherwise the column's own.
                support: column.map_or(Support::Real, |s| s.support),
            }
        })
        .collect();
    let outcome =
        spec.outcome.as_ref().filter(|o| has_text(&o.column) && has_summary(&o.time)).map(|o| OutcomePlan {
            column: o.column.to_string(),
            outcomes: o
                .outcomes
                .iter()
                .map(|Outcome { value, phrase, kind }| (value.to_string(), phrase.to_string(), *kind))
                .collect(),
            time: o.time.to_string(),
            place: o.place.as_ref().filter(|p| has_summary(p)).map(|p| {
                (p.to_string(), summary_spec(p).and_then(|s| s.unit.as_ref()).map(|u| u.to_string()))
            }),
        });
    let heatmap = spec.heatmap.filter(|h| has_summary(h.column)).map(|h| Heatmap {
        column: h.column.to_string(),
        label: summary_spec(h.column).map(ColumnSpec::heading).unwrap_or_else(|| h.column.to_string()),
        x: h.x.to_string(),
        y: h.y.to_string(),
    });
    let choice_order = scenario
        .params
        .iter()
        .filter_map(|p| match &p.kind {
            ParamKind::Choice(choices) => {
                Some((p.name.to_string(), choices.iter().map(|c| c.to_string()).collect()))
            }
            _ => None,
        })
        .collect();
    Outline {
        headline,
        curves,
        comparison: spec.comparison.as_ref().map(|c| ResolvedComparison {
            parameter: c.parameter.to_string(),
            baseline: c.baseline.to_string(),
            along: c.along.as_ref().map(|a| a.to_string()),
            absent: None,
        }),
        outcome,
        heatmap,
        horizon: spec
            .horizon
            .as_ref()
            .filter(|h| layout.parameters.iter().any(|p| *p == **h))
            .map(|h| h.to_string()),
        step: (spec.step.0.to_string(), spec.step.1.to_string()),
        choice_order,
        declared: true,
        paired: Vec::new(),
        axis_order: Vec::new(),
    }
}

fn label_of(column: &ColumnSpec) -> String {
    column.label.as_ref().map(|l| l.to_string()).unwrap_or_else(|| column.name.replace('_', " "))
}

/// A numeric column: its median, or, beside a theory, the statistic the
/// theory predicts (mean or median), the theory and their ratio, each under
/// its own heading.
fn numeric(column: &ColumnSpec, theory: Option<&str>) -> Vec<Headline> {
    let name = label_of(column);
    let unit = column.unit.as_ref().map(|u| u.to_string());
    numeric_named(&column.name, name, unit, column, theory)
}

/// [`numeric`] for a column known by name only or by its declaration
/// (`facts` gives what a null means, the better direction, support and what
/// its theory predicts).
fn numeric_named(
    column: &str,
    name: String,
    unit: Option<String>,
    facts: &ColumnSpec,
    theory: Option<&str>,
) -> Vec<Headline> {
    let with_unit = |label: String| match &unit {
        Some(unit) => format!("{label} ({unit})"),
        None => label,
    };
    let base = Headline {
        column: column.to_string(),
        theory: None,
        statistic: Statistic::Median(facts.nulls),
        label: with_unit(name.clone()),
        name: name.clone(),
        unit: unit.clone(),
        better: facts.better,
        support: facts.support,
        nulls: facts.nulls,
    };
    let Some(theory) = theory else { return vec![base] };
    let (simulated, predicted, ratio) = match facts.prediction {
        Prediction::Mean => (Statistic::Mean, "mean", Statistic::Ratio),
        Prediction::Median => (Statistic::Median(facts.nulls), "median", Statistic::MedianRatio(facts.nulls)),
    };
    vec![
        Headline { statistic: simulated, label: with_unit(format!("{name}: {predicted}")), ..base.clone() },
        Headline {
            column: theory.to_string(),
            statistic: Statistic::Theory,
            label: with_unit(format!("{name}: {predicted} in theory")),
            better: Better::Unknown,
            ..base.clone()
        },
        Headline {
            theory: Some(theory.to_string()),
            statistic: ratio,
            label: format!("{name}: {predicted} / theory"),
            unit: None,
            better: Better::Toward(1.0),
            // A ratio of two quantities that cannot be negative cannot be
            // either; one of a real quantity (a log ratio) can.
            support: if facts.support == Support::Real { Support::Real } else { Support::NonNegative },
            ..base
        },
    ]
}

fn mode(column: &ColumnSpec) -> Headline {
    let name = label_of(column);
    Headline {
        column: column.name.to_string(),
        theory: None,
        statistic: Statistic::Mode,
        label: format!("{name}: commonest"),
        name,
        unit: None,
        better: Better::Unknown,
        support: Support::Real,
        nulls: NullMeaning::Undefined,
    }
}

/// The outline for a scenario this binary does not know: the first numeric
/// summaries (with their `_theory` twins by name) and metrics, no
/// comparison, no outcome.
fn generic(layout: &Layout) -> Outline {
    // A generation is called what a report that declares nothing calls it.
    let (one, many) = crate::scenario::contract::ReportSpec::EMPTY.step;
    let is_theory = |c: &String| c.ends_with("_theory");
    let mut headline = Vec::new();
    // Nothing is known of these columns: nulls are left out, no direction.
    let facts = ColumnSpec::new("", ColumnType::Float, "");
    for column in layout.summaries.iter().filter(|c| !is_theory(c)).take(GENERIC_HEADLINE) {
        let theory = format!("{column}_theory");
        let theory = layout.summaries.contains(&theory).then_some(theory.as_str());
        headline.extend(numeric_named(column, column.replace('_', " "), None, &facts, theory));
    }
    let curves = layout
        .metrics
        .iter()
        .filter(|m| !is_theory(m))
        .take(GENERIC_CURVES)
        .map(|m| {
            let theory = format!("{m}_theory");
            Curve {
                column: m.clone(),
                x: None,
                x_label: one.to_string(),
                theory: layout.metrics.contains(&theory).then_some(theory),
                complement: false,
                log: false,
                threshold: None,
                label: m.replace('_', " "),
                support: Support::Real,
            }
        })
        .collect();
    // Nothing is declared, so no parameter is known to bound a run: the
    // horizon only words censored outcomes, which a generic outline has none of.
    Outline {
        headline,
        curves,
        comparison: None,
        outcome: None,
        heatmap: None,
        horizon: None,
        step: (one.to_string(), many.to_string()),
        choice_order: HashMap::new(),
        declared: false,
        paired: Vec::new(),
        axis_order: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;

    fn layout_of(scenario: &Scenario) -> Layout {
        Layout {
            parameters: scenario.params.iter().map(|p| p.name.to_string()).collect(),
            summaries: scenario
                .summary_columns
                .iter()
                .filter(|c| c.ty != ColumnType::Str)
                .map(|c| c.name.to_string())
                .collect(),
            texts: scenario
                .summary_columns
                .iter()
                .filter(|c| c.ty == ColumnType::Str)
                .map(|c| c.name.to_string())
                .collect(),
            metrics: scenario.generation_columns.iter().map(|c| c.name.to_string()).collect(),
        }
    }

    #[test]
    fn every_declared_name_resolves_for_every_scenario() {
        for scenario in scenario::registry::in_code() {
            let outline = outline(Some(scenario), &layout_of(scenario));
            let spec = &scenario.report;
            let shown: Vec<&str> = outline.headline.iter().map(|h| h.column.as_str()).collect();
            for column in spec.headline.iter() {
                assert!(
                    shown.contains(&column),
                    "{}: headline `{column}` is not a summary column",
                    scenario.name
                );
            }
            assert_eq!(
                outline.curves.len(),
                spec.curves.len(),
                "{}: a curve names a missing column",
                scenario.name
            );
            assert_eq!(
                outline.outcome.is_some(),
                spec.outcome.is_some(),
                "{}: outcome columns",
                scenario.name
            );
            assert_eq!(
                outline.heatmap.is_some(),
                spec.heatmap.is_some(),
                "{}: heatmap column",
                scenario.name
            );
            if let Some(c) = &outline.comparison {
                let order = outline.choice_order.get(&c.parameter).expect("comparison is a choice parameter");
                assert!(order.contains(&c.baseline), "{}: baseline not a choice", scenario.name);
            }
            for threshold in spec.curves.iter().filter_map(|c| c.threshold) {
                assert!(scenario.params.iter().any(|p| p.name == threshold), "{threshold}");
            }
            let labels: std::collections::HashSet<&String> =
                outline.headline.iter().map(|h| &h.label).collect();
            assert_eq!(labels.len(), outline.headline.len(), "{}: headings must be unique", scenario.name);
        }
    }

    #[test]
    fn a_column_with_a_theory_gets_mean_theory_and_ratio_under_distinct_headings() {
        let gaussian = scenario::find("gaussian").unwrap();
        let outline = outline(Some(&gaussian), &layout_of(&gaussian));
        let variance: Vec<_> =
            outline.headline.iter().filter(|h| h.name == "final log variance ratio").collect();
        let statistics: Vec<Statistic> = variance.iter().map(|h| h.statistic).collect();
        assert_eq!(statistics, [Statistic::Mean, Statistic::Theory, Statistic::Ratio]);
        assert_eq!(variance[1].column, "final_log_variance_ratio_theory");
        assert_eq!(variance[2].theory.as_deref(), Some("final_log_variance_ratio_theory"));
        assert_eq!(variance[2].label, "final log variance ratio: mean / theory");
        // A log ratio is negative when the variance shrank: its ratio to a
        // negative theory keeps a two-sided interval, where a support of
        // "non-negative" gave [-0, -0] for every grid point.
        assert_eq!(variance[2].support, Support::Real);
        let error =
            outline.headline.iter().find(|h| h.label == "final mean sq. error: mean / theory").unwrap();
        assert_eq!(error.support, Support::NonNegative);
    }

    #[test]
    fn a_theory_of_the_median_is_set_beside_the_simulated_median() {
        // addition's reach99_theory is the reduced model's median reach: a
        // mean beside it would compare two different statistics.
        let addition = scenario::find("addition").unwrap();
        let outline = outline(Some(&addition), &layout_of(&addition));
        let reach: Vec<_> = outline.headline.iter().filter(|h| h.name == "reach at 99%").collect();
        let statistics: Vec<Statistic> = reach.iter().map(|h| h.statistic).collect();
        let nothing = NullMeaning::NothingAchieved;
        assert_eq!(
            statistics,
            [Statistic::Median(nothing), Statistic::Theory, Statistic::MedianRatio(nothing)]
        );
        let labels: Vec<&str> = reach.iter().map(|h| h.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "reach at 99%: median (digits)",
                "reach at 99%: median in theory (digits)",
                "reach at 99%: median / theory"
            ]
        );
        assert_eq!(reach[2].theory.as_deref(), Some("reach99_theory"));
    }

    #[test]
    fn the_baseline_ranks_first_and_the_rest_keep_their_declared_order() {
        let addition = scenario::find("addition").unwrap();
        let outline = outline(Some(&addition), &layout_of(&addition));
        let order = &outline.choice_order["verifier"];
        let mut ranked: Vec<&String> = order.iter().collect();
        ranked.sort_by_key(|v| outline.choice_rank("verifier", v));
        assert_eq!(ranked[0], "none");
        let rest: Vec<&String> = order.iter().filter(|v| *v != "none").collect();
        assert_eq!(&ranked[1..], &rest[..]);
    }

    #[test]
    fn unknown_scenarios_get_a_plan_from_the_schema_alone() {
        let layout = Layout {
            parameters: vec!["x".into()],
            summaries: vec!["score".into(), "score_theory".into(), "other".into()],
            texts: vec![],
            metrics: vec!["loss".into()],
        };
        let outline = outline(None, &layout);
        let columns: Vec<(&str, Statistic)> =
            outline.headline.iter().map(|h| (h.column.as_str(), h.statistic)).collect();
        assert_eq!(
            columns,
            [
                ("score", Statistic::Mean),
                ("score_theory", Statistic::Theory),
                ("score", Statistic::Ratio),
                ("other", Statistic::Median(NullMeaning::Undefined)),
            ]
        );
        assert_eq!(outline.curves[0].column, "loss");
        assert!(outline.comparison.is_none() && outline.outcome.is_none() && !outline.declared);
    }
}
