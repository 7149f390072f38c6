//! What a scenario's report shows, declared beside its parameters and
//! columns, so that `avalanche report` reads one description and knows no
//! scenario by name.
//!
//! Column-level facts (label, unit, what a null means, which way is better,
//! the theory twin) sit on each [`crate::value::ColumnSpec`]; this module
//! holds the scenario-level ones: which columns lead, which curves to draw,
//! which parameter the report compares and against which baseline, the
//! horizon, and how runs end. Built-in reports are literals; one a sweep
//! file declares owns its strings.

use std::borrow::Cow;

use crate::value::{Names, Text};

/// The scenario's report, as data.
#[derive(Clone, Debug)]
pub struct ReportSpec {
    /// Summary columns of the headline table, in order. Numeric ones show a
    /// median with its interval (a mean beside the theory where the column
    /// names one); string ones show their commonest value and its share.
    pub headline: Names,
    /// Per-generation figures, in order.
    pub curves: Cow<'static, [CurveSpec]>,
    /// The comparison the report is about, if any.
    pub comparison: Option<Comparison>,
    /// The parameter bounding a run's number of generations.
    pub horizon: Option<Text>,
    /// How runs end, if they can end in more than one way.
    pub outcome: Option<OutcomeSpec>,
    /// A heatmap of one headline column over two parameters.
    pub heatmap: Option<HeatmapSpec>,
    /// What one generation is called, singular and plural ("round", "rounds").
    pub step: (Text, Text),
}

impl ReportSpec {
    /// A report that declares nothing: the report falls back to what the
    /// schema alone says.
    pub const EMPTY: ReportSpec = ReportSpec {
        headline: Names::Literal(&[]),
        curves: Cow::Borrowed(&[]),
        comparison: None,
        horizon: None,
        outcome: None,
        heatmap: None,
        step: (Cow::Borrowed("generation"), Cow::Borrowed("generations")),
    };
}

/// Choices of one parameter compared against a baseline choice.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// A choice parameter (`verifier`).
    pub parameter: Text,
    /// The choice every other is compared with (`none`).
    pub baseline: Text,
    /// The parameter the sentences walk along (`noise_rate`), if any.
    pub along: Option<Text>,
}

impl Comparison {
    /// A comparison declared in code.
    pub const fn of(parameter: &'static str, baseline: &'static str, along: Option<&'static str>) -> Self {
        let along = match along {
            Some(along) => Some(Cow::Borrowed(along)),
            None => None,
        };
        Comparison { parameter: Cow::Borrowed(parameter), baseline: Cow::Borrowed(baseline), along }
    }
}

/// The choice that stands in for a comparison's `baseline` where a sweep
/// varies the compared parameter but leaves the baseline out: the first of
/// the choices `run`, which are in declared order. `None` where the
/// baseline is run or fewer than two choices are (nothing is compared).
/// `plan` warns by this rule before a sweep runs and the report compares by
/// it after, so the two cannot disagree.
pub fn stand_in<'a>(baseline: &str, run: &[&'a str]) -> Option<&'a str> {
    if run.len() < 2 || run.contains(&baseline) {
        return None;
    }
    run.first().copied()
}

/// How a run ended, as one string summary column, with the round it ended
/// and where it got to.
#[derive(Clone, Debug)]
pub struct OutcomeSpec {
    /// The string summary column (`end_reason`).
    pub column: Text,
    /// Every value it takes, in the order the report lists them.
    pub outcomes: Cow<'static, [Outcome]>,
    /// The summary column holding the generation (round) the run ended at.
    pub time: Text,
    /// A summary column saying where the run got to (`final_digits`), if any.
    pub place: Option<Text>,
}

/// One way a run can end.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The value stored in the outcome column.
    pub value: Text,
    /// What happened, as a past-tense phrase ("collapsed").
    pub phrase: Text,
    pub kind: OutcomeKind,
}

impl OutcomeSpec {
    /// An outcome declared in code.
    pub const fn of(
        column: &'static str,
        outcomes: &'static [Outcome],
        time: &'static str,
        place: Option<&'static str>,
    ) -> Self {
        let place = match place {
            Some(place) => Some(Cow::Borrowed(place)),
            None => None,
        };
        OutcomeSpec {
            column: Cow::Borrowed(column),
            outcomes: Cow::Borrowed(outcomes),
            time: Cow::Borrowed(time),
            place,
        }
    }
}

impl Outcome {
    /// An outcome declared in code.
    pub const fn of(value: &'static str, phrase: &'static str, kind: OutcomeKind) -> Self {
        Outcome { value: Cow::Borrowed(value), phrase: Cow::Borrowed(phrase), kind }
    }
}

/// How the report treats an outcome when it times the event it is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutcomeKind {
    /// The event the report times (collapse).
    Event,
    /// Another way to end that rules the event out (a stall): a competing
    /// risk, never counted as surviving.
    Competing,
    /// The run was stopped from outside (the round limit): censored.
    Censored,
}

/// A per-generation figure.
#[derive(Clone, Debug)]
pub struct CurveSpec {
    /// The generations-table column drawn.
    pub column: Text,
    /// A generations-table column to draw against instead of the
    /// generation index (`frontier_digits`).
    pub x: Option<&'static str>,
    /// Draw `1 - value` (an error rate from an accuracy).
    pub complement: bool,
    /// A logarithmic value axis.
    pub log: bool,
    /// A parameter whose value is drawn as a horizontal line (the collapse
    /// threshold), complemented with the curve.
    pub threshold: Option<&'static str>,
    /// The axis label; the column's heading when `None`.
    pub label: Option<&'static str>,
}

impl CurveSpec {
    /// A column by generation, on a linear axis.
    pub const fn of(column: &'static str) -> Self {
        CurveSpec {
            column: Cow::Borrowed(column),
            x: None,
            complement: false,
            log: false,
            threshold: None,
            label: None,
        }
    }

    /// Drawn against the generations-table column `x`.
    pub const fn against(mut self, x: &'static str) -> Self {
        self.x = Some(x);
        self
    }

    /// Drawn as `1 - value`, on a logarithmic axis.
    pub const fn complement_log(mut self) -> Self {
        self.complement = true;
        self.log = true;
        self
    }

    /// With the parameter `threshold` drawn as a horizontal line.
    pub const fn threshold(mut self, threshold: &'static str) -> Self {
        self.threshold = Some(threshold);
        self
    }

    /// With the axis label `label`.
    pub const fn label(mut self, label: &'static str) -> Self {
        self.label = Some(label);
        self
    }
}

/// A heatmap of a headline column's median over two parameters.
#[derive(Clone, Copy, Debug)]
pub struct HeatmapSpec {
    pub column: &'static str,
    pub x: &'static str,
    pub y: &'static str,
}

#[cfg(test)]
mod tests {
    use super::stand_in;

    #[test]
    fn the_first_choice_run_stands_in_only_for_an_absent_baseline() {
        assert_eq!(stand_in("none", &["self", "oracle"]), Some("self"));
        assert_eq!(stand_in("none", &["none", "self"]), None);
        // One choice run compares nothing, so nothing stands in.
        assert_eq!(stand_in("none", &["self"]), None);
        assert_eq!(stand_in("none", &[]), None);
    }
}
