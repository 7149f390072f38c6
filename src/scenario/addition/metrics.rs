//! What a run reports: one row per round, one summary per run, and the fit
//! of the frontier error's growth that gives the amplification factor.

use crate::scenario::Row;
use crate::value::{Better, ColumnSpec, ColumnType, NullMeaning, Support, Value};

/// Per-round columns (the engine adds the 0-based `generation` index; round
/// `generation` is the run's `generation + 1`-th self-training round). The
/// problems generated per round are the `problems` parameter's column.
pub static GENERATION_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::new("frontier_digits", ColumnType::Int, "length of this round's problems"),
    ColumnSpec::new("accepted", ColumnType::Int, "problems whose trace the verifier accepted"),
    ColumnSpec::new("acceptance_rate", ColumnType::Float, "accepted / problems")
        .label("acceptance rate", None)
        .support(Support::Unit),
    ColumnSpec::new(
        "agreement",
        ColumnType::Float,
        "mean share of a problem's samples giving its modal answer",
    ),
    ColumnSpec::new(
        "advanced",
        ColumnType::Bool,
        "acceptance_rate reached advance_threshold: next round is longer",
    ),
    ColumnSpec::new("contamination", ColumnType::Float, "share of trained-on traces whose answer is wrong")
        .label("contamination (share of trained answers wrong)", None)
        .support(Support::Unit),
    ColumnSpec::new("step_contamination", ColumnType::Float, "share of trained-on steps that are wrong"),
    ColumnSpec::new("label_noise_injected", ColumnType::Int, "accepted traces corrupted before training"),
    ColumnSpec::new(
        "step_error_rate",
        ColumnType::Float,
        "share of generated steps (all samples) that are wrong",
    ),
    ColumnSpec::new(
        "accuracy_frontier",
        ColumnType::Float,
        "greedy accuracy at frontier_digits after training",
    )
    .label("frontier accuracy", None)
    .support(Support::Unit),
    ColumnSpec::new(
        "accuracy_next",
        ColumnType::Float,
        "greedy accuracy at frontier_digits + 1 after training",
    ),
    ColumnSpec::new("accuracy_start", ColumnType::Float, "greedy accuracy at start_digits after training"),
    ColumnSpec::new(
        "systematic_errors",
        ColumnType::Int,
        "reachable (position, context) pairs with a wrong mode",
    ),
];

/// Per-run columns.
pub static SUMMARY_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::new(
        "supervised_accuracy",
        ColumnType::Float,
        "greedy accuracy at start_digits before self-training",
    ),
    ColumnSpec::new(
        "max_digits",
        ColumnType::Int,
        "longest frontier solved with accuracy >= 0.99 (null: none)",
    )
    .label("max digits solved", Some("digits"))
    .nulls(NullMeaning::NothingAchieved)
    .better(Better::Higher),
    ColumnSpec::new("final_digits", ColumnType::Int, "frontier length of the last round")
        .label("final frontier", Some("digits"))
        .better(Better::Higher),
    ColumnSpec::new("rounds", ColumnType::Int, "self-training rounds run"),
    ColumnSpec::new("end_reason", ColumnType::Str, "collapsed, stalled or round_limit"),
    ColumnSpec::new(
        "runway",
        ColumnType::Int,
        "rounds until frontier accuracy < collapse_accuracy (null: never)",
    ),
    ColumnSpec::new("amplification", ColumnType::Float, "fitted per-round growth factor of frontier error")
        .label("error amplification", Some("x per round"))
        .better(Better::Lower)
        .support(Support::NonNegative),
    ColumnSpec::new("doubling_rounds", ColumnType::Float, "ln 2 / ln amplification (null unless it grows)"),
    ColumnSpec::new("growth_points", ColumnType::Int, "rounds the amplification fit used"),
    ColumnSpec::new("final_accuracy", ColumnType::Float, "frontier accuracy of the last round")
        .label("final frontier accuracy", None)
        .support(Support::Unit),
    ColumnSpec::new(
        "mean_contamination",
        ColumnType::Float,
        "contamination averaged over rounds that accepted",
    )
    .label("mean contamination", None)
    .better(Better::Lower)
    .support(Support::Unit),
    ColumnSpec::new("final_systematic_errors", ColumnType::Int, "systematic_errors of the last round"),
];

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// Frontier accuracy fell below `collapse_accuracy`.
    Collapsed,
    /// `patience` rounds in a row without advancing.
    Stalled,
    /// `generations` rounds ran.
    RoundLimit,
}

impl EndReason {
    /// The string stored in `end_reason`.
    pub fn name(self) -> &'static str {
        match self {
            EndReason::Collapsed => "collapsed",
            EndReason::Stalled => "stalled",
            EndReason::RoundLimit => "round_limit",
        }
    }
}

/// Everything counted in one round.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RoundRecord {
    pub frontier_digits: usize,
    pub problems: usize,
    pub accepted: usize,
    /// Sum over problems of the modal answer's share of their samples.
    pub agreement_sum: f64,
    pub advanced: bool,
    /// Trained-on traces with a wrong answer, and their wrong steps.
    pub wrong_answers: usize,
    pub wrong_trained_steps: usize,
    pub label_noise_injected: usize,
    pub generated_steps: usize,
    pub wrong_generated_steps: usize,
    pub accuracy_frontier: f64,
    pub accuracy_next: f64,
    pub accuracy_start: f64,
    pub systematic_errors: usize,
}

fn ratio(numerator: usize, denominator: usize) -> Option<Value> {
    (denominator > 0).then(|| Value::Float(numerator as f64 / denominator as f64))
}

fn int(value: usize) -> Option<Value> {
    Some(Value::Int(value as i64))
}

impl RoundRecord {
    /// Share of trained-on traces whose answer is wrong; `None` when none was accepted.
    pub fn contamination(&self) -> Option<f64> {
        (self.accepted > 0).then(|| self.wrong_answers as f64 / self.accepted as f64)
    }

    /// The generations-table row, in [`GENERATION_COLUMNS`] order.
    pub fn to_row(&self) -> Row {
        vec![
            int(self.frontier_digits),
            int(self.accepted),
            ratio(self.accepted, self.problems),
            (self.problems > 0).then(|| Value::Float(self.agreement_sum / self.problems as f64)),
            Some(Value::Bool(self.advanced)),
            self.contamination().map(Value::Float),
            ratio(self.wrong_trained_steps, self.accepted * self.frontier_digits),
            int(self.label_noise_injected),
            ratio(self.wrong_generated_steps, self.generated_steps),
            Some(Value::Float(self.accuracy_frontier)),
            Some(Value::Float(self.accuracy_next)),
            Some(Value::Float(self.accuracy_start)),
            int(self.systematic_errors),
        ]
    }
}

/// The least-squares fit of `ln(error)` on the round number over the growth
/// phase: `(amplification, points used)`.
///
/// The growth phase runs from the first round with a nonzero frontier error
/// to the runway round (the first with accuracy below `collapse_accuracy`),
/// or to the last round if the run never collapsed; rounds inside it with
/// zero measured error are skipped (their logarithm is undefined). Fewer
/// than three usable rounds give no fit.
pub fn amplification(frontier_accuracy: &[f64], collapse_accuracy: f64) -> (Option<f64>, usize) {
    let Some(first) = frontier_accuracy.iter().position(|a| *a < 1.0) else { return (None, 0) };
    let last =
        frontier_accuracy.iter().position(|a| *a < collapse_accuracy).unwrap_or(frontier_accuracy.len() - 1);
    let points: Vec<(f64, f64)> = (first..=last.max(first))
        .filter(|r| frontier_accuracy[*r] < 1.0)
        .map(|r| (r as f64, (1.0 - frontier_accuracy[r]).ln()))
        .collect();
    if points.len() < 3 {
        return (None, points.len());
    }
    let n = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    (Some((sxy / sxx).exp()), points.len())
}

/// The runs-table row, in [`SUMMARY_COLUMNS`] order.
pub fn summary(
    rounds: &[RoundRecord],
    supervised_accuracy: f64,
    end: EndReason,
    collapse_accuracy: f64,
) -> Row {
    let accuracy: Vec<f64> = rounds.iter().map(|r| r.accuracy_frontier).collect();
    let max_digits = rounds.iter().filter(|r| r.accuracy_frontier >= 0.99).map(|r| r.frontier_digits).max();
    let runway = accuracy.iter().position(|a| *a < collapse_accuracy).map(|r| r + 1);
    let (growth, points) = amplification(&accuracy, collapse_accuracy);
    let doubling = growth.filter(|g| *g > 1.0).map(|g| std::f64::consts::LN_2 / g.ln());
    let contaminations: Vec<f64> = rounds.iter().filter_map(RoundRecord::contamination).collect();
    let mean_contamination = (!contaminations.is_empty())
        .then(|| contaminations.iter().sum::<f64>() / contaminations.len() as f64);
    vec![
        Some(Value::Float(supervised_accuracy)),
        max_digits.and_then(int),
        rounds.last().and_then(|r| int(r.frontier_digits)),
        int(rounds.len()),
        Some(Value::Str(end.name())),
        runway.and_then(int),
        growth.map(Value::Float),
        doubling.map(Value::Float),
        int(points),
        rounds.last().map(|r| Value::Float(r.accuracy_frontier)),
        mean_contamination.map(Value::Float),
        rounds.last().and_then(|r| int(r.systematic_errors)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doubling_error_fits_an_amplification_of_two() {
        // Error 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64: exactly doubling,
        // so ln(error) is linear with slope ln 2; collapse (accuracy < 0.5)
        // at the 0.64 round, which is included, and the zero-error rounds
        // before the first error are excluded.
        let accuracy = [1.0, 1.0, 0.99, 0.98, 0.96, 0.92, 0.84, 0.68, 0.36, 0.2];
        let (growth, points) = amplification(&accuracy, 0.5);
        assert_eq!(points, 7);
        assert!((growth.unwrap() - 2.0).abs() < 1e-9, "{growth:?}");
    }

    #[test]
    fn too_few_error_rounds_give_no_fit() {
        assert_eq!(amplification(&[1.0, 1.0, 0.9, 1.0], 0.5), (None, 1));
        assert_eq!(amplification(&[1.0; 5], 0.5), (None, 0));
    }

    #[test]
    fn summary_counts_runway_and_max_digits_from_rounds() {
        let round = |digits, accuracy| RoundRecord {
            frontier_digits: digits,
            problems: 10,
            accepted: 5,
            wrong_answers: 1,
            accuracy_frontier: accuracy,
            ..RoundRecord::default()
        };
        let rounds = [round(7, 1.0), round(8, 0.995), round(9, 0.7), round(10, 0.4)];
        let row = summary(&rounds, 1.0, EndReason::Collapsed, 0.5);
        assert_eq!(row[1], Some(Value::Int(8)), "max digits at >= 0.99");
        assert_eq!(row[2], Some(Value::Int(10)));
        assert_eq!(row[3], Some(Value::Int(4)));
        assert_eq!(row[4], Some(Value::Str("collapsed")));
        assert_eq!(row[5], Some(Value::Int(4)), "runway: the 4th round fell below 0.5");
        assert_eq!(row[10], Some(Value::Float(0.2)));
        assert_eq!(row.len(), SUMMARY_COLUMNS.len());
        assert_eq!(rounds[0].to_row().len(), GENERATION_COLUMNS.len());
    }
}
