//! What a run reports: one row per round and one summary per run (reach,
//! runway, the growth law and the accumulation rate, from `reach` and
//! `growth`).

use super::diagnostics::{After, Before};
use super::growth::{accumulation, growth, RoundPoint};
use super::reach::{clears_bar_surely, reach, REACH_ACCURACY, REACH_CONFIDENCE};
use crate::scenario::addition::theory::prediction::Theory;
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
    ColumnSpec::new(
        "wrong_step_right_answer",
        ColumnType::Float,
        "share of trained-on traces whose answer is right but some step wrong",
    )
    .label("wrong steps, right answer (share of trained traces)", None)
    .support(Support::Unit),
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
    .support(Support::Unit)
    .theory("accuracy_frontier_theory"),
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
    )
    .theory("systematic_errors_theory"),
    ColumnSpec::new(
        "systematic_errors_theory",
        ColumnType::Float,
        "theory: mean systematic_errors of the reduced per-context model (from parameters only)",
    ),
    ColumnSpec::new(
        "accuracy_frontier_theory",
        ColumnType::Float,
        "theory: mean exp(-S / 200) of the reduced model (from parameters only)",
    )
    .support(Support::Unit),
    ColumnSpec::new(
        "entropy_frontier_before",
        ColumnType::Float,
        "mean entropy of the model's output distribution over the frontier position's contexts, before training",
    )
    .label("frontier entropy before training", Some("nats"))
    .support(Support::NonNegative),
    ColumnSpec::new(
        "entropy_frontier",
        ColumnType::Float,
        "mean entropy of the model's output distribution over the frontier position's contexts, after training",
    )
    .label("frontier entropy", Some("nats"))
    .support(Support::NonNegative),
    ColumnSpec::new(
        "distinct_answers",
        ColumnType::Float,
        "mean distinct answers among a problem's a + b samples (null: one trace per problem)",
    )
    .label("distinct answers per problem", None)
    .support(Support::NonNegative),
    ColumnSpec::new(
        "forgetting",
        ColumnType::Int,
        "reachable (position, context) pairs below start_digits with a wrong mode, after training",
    )
    .label("wrong contexts below start_digits", Some("contexts"))
    .better(Better::Lower)
    .support(Support::NonNegative),
    ColumnSpec::new(
        "first_visit_errors",
        ColumnType::Int,
        "contexts with a wrong mode at a new frontier position before training on it (null: not a first visit)",
    )
    .label("wrong contexts at a new position", Some("contexts"))
    .better(Better::Lower)
    .support(Support::NonNegative),
    ColumnSpec::new(
        "mirror_errors",
        ColumnType::Int,
        "wrong-mode pairs (a != b, below frontier_digits) whose mirror (b, a, k) has the same wrong mode",
    )
    .support(Support::NonNegative),
    ColumnSpec::new(
        "mirror_error_share",
        ColumnType::Float,
        "mirror_errors / wrong-mode pairs with a != b, after training (null: none wrong)",
    )
    .label("mirror-symmetric share of errors", None)
    .support(Support::Unit),
    ColumnSpec::new(
        "mirror_error_share_chance",
        ColumnType::Float,
        "mirror_error_share expected if each position's errors fell on its contexts at random (counted, not theory)",
    )
    .label("mirror-symmetric share by chance", None)
    .support(Support::Unit),
    ColumnSpec::new(
        "mirror_error_share_context_chance",
        ColumnType::Float,
        "mirror_error_share expected if each context's modes fell on its positions at random (counted, not theory)",
    )
    .support(Support::Unit),
    ColumnSpec::new(
        "self_mirror_errors",
        ColumnType::Int,
        "wrong-mode pairs below frontier_digits at contexts with a = b (their own mirror), after training",
    )
    .support(Support::NonNegative),
    // The same at a new position before training on it: symmetry the model
    // generalised, where no verifier has selected anything yet.
    ColumnSpec::new(
        "first_visit_mirror_errors",
        ColumnType::Int,
        "of the first-visit wrong-mode pairs with a != b, those whose mirror has the same wrong mode (null: not a first visit)",
    )
    .support(Support::NonNegative),
    ColumnSpec::new(
        "first_visit_mirror_share",
        ColumnType::Float,
        "first_visit_mirror_errors / first-visit wrong-mode pairs with a != b (null: none wrong, or not a first visit)",
    )
    .support(Support::Unit),
    ColumnSpec::new(
        "first_visit_mirror_share_chance",
        ColumnType::Float,
        "first_visit_mirror_share expected if that position's errors fell on its contexts at random (counted, not theory)",
    )
    .support(Support::Unit),
];

/// Per-run columns.
pub static SUMMARY_COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::new(
        "supervised_accuracy",
        ColumnType::Float,
        "greedy accuracy at start_digits before self-training",
    ),
    ColumnSpec::new(
        "supervised_steps",
        ColumnType::Int,
        "network learner: Adam steps of supervised training (null: the table learner)",
    )
    .support(Support::NonNegative),
    ColumnSpec::new(
        "reach99",
        ColumnType::Int,
        "longest frontier before the first round below 0.99 accuracy (null: the first round)",
    )
    .label("reach at 99%", Some("digits"))
    .nulls(NullMeaning::NothingAchieved)
    .better(Better::Higher)
    .median_theory("reach99_theory"),
    ColumnSpec::new(
        "reach99_conservative",
        ColumnType::Int,
        "reach99 counting a round only if its 95% lower bound is >= 0.99 (null: the first round)",
    )
    .label("reach at surely 99%", Some("digits"))
    .nulls(NullMeaning::NothingAchieved)
    .better(Better::Higher),
    ColumnSpec::new(
        "best_digits",
        ColumnType::Int,
        "longest frontier of any single round at >= 0.99, even after a drop (not reach; null: none)",
    )
    .label("best single round at 99%", Some("digits"))
    .nulls(NullMeaning::NothingAchieved)
    .better(Better::Higher),
    ColumnSpec::new("final_digits", ColumnType::Int, "frontier length of the last round")
        .label("final frontier", Some("digits"))
        .better(Better::Higher),
    ColumnSpec::new("end_round", ColumnType::Int, "1-based number of the last round run (= rounds run)")
        .label("last round", Some("rounds")),
    ColumnSpec::new("end_reason", ColumnType::Str, "collapsed, stalled or round_limit"),
    ColumnSpec::new(
        "runway",
        ColumnType::Int,
        "rounds until frontier accuracy < collapse_accuracy (null: never)",
    ),
    ColumnSpec::new(
        "growth_rate",
        ColumnType::Float,
        "fitted d ln(-ln accuracy) / d round over the growth phase (exponential law)",
    )
    .label("exponential growth rate", Some("per round"))
    .better(Better::Lower),
    ColumnSpec::new("growth_rate_se", ColumnType::Float, "standard error of growth_rate")
        .support(Support::NonNegative),
    ColumnSpec::new(
        "growth_exponent",
        ColumnType::Float,
        "fitted d ln(-ln accuracy) / d ln(self-trained digits) (power law)",
    )
    .label("power-law exponent", None)
    .better(Better::Lower),
    ColumnSpec::new("growth_exponent_se", ColumnType::Float, "standard error of growth_exponent")
        .support(Support::NonNegative),
    ColumnSpec::new(
        "growth_law",
        ColumnType::Str,
        "exponential, polynomial, flat or too_few_points (the better of the two fits)",
    )
    .label("growth law", None),
    ColumnSpec::new("growth_points", ColumnType::Int, "rounds the growth fits used"),
    ColumnSpec::new(
        "beta",
        ColumnType::Float,
        "systematic errors admitted per new digit (S = S0 + beta k(k+1)/2)",
    )
    .label("new systematic errors", Some("per digit"))
    .better(Better::Lower)
    .theory("beta_theory"),
    ColumnSpec::new("beta_se", ColumnType::Float, "standard error of beta").support(Support::NonNegative),
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
    ColumnSpec::new(
        "mean_wrong_step_right_answer",
        ColumnType::Float,
        "wrong_step_right_answer averaged over rounds that accepted",
    )
    .label("mean share of trained traces with wrong steps and a right answer", None)
    .better(Better::Lower)
    .support(Support::Unit),
    ColumnSpec::new("final_systematic_errors", ColumnType::Int, "systematic_errors of the last round"),
    ColumnSpec::new(
        "beta_theory",
        ColumnType::Float,
        "theory: mean beta of the reduced per-context model (from parameters only; docs/MODEL.md)",
    ),
    ColumnSpec::new(
        "reach99_theory",
        ColumnType::Int,
        "theory: median reach99 of the reduced model (from parameters only; null: the first round)",
    )
    .nulls(NullMeaning::NothingAchieved),
    ColumnSpec::new(
        "runway_theory",
        ColumnType::Int,
        "theory: median runway of the reduced model (from parameters only; null: not within generations)",
    ),
    ColumnSpec::new("final_entropy_frontier", ColumnType::Float, "entropy_frontier of the last round")
        .label("final frontier entropy", Some("nats"))
        .support(Support::NonNegative),
    ColumnSpec::new("max_forgetting", ColumnType::Int, "the largest forgetting of any round")
        .label("most wrong contexts below start_digits", Some("contexts"))
        .better(Better::Lower)
        .support(Support::NonNegative),
    ColumnSpec::new(
        "mean_first_visit_errors",
        ColumnType::Float,
        "first_visit_errors averaged over the rounds that reached a new position",
    )
    .label("wrong contexts per new position", Some("contexts"))
    .better(Better::Lower)
    .support(Support::NonNegative),
    ColumnSpec::new(
        "mean_distinct_answers",
        ColumnType::Float,
        "distinct_answers averaged over rounds (null: one trace per problem)",
    )
    .support(Support::NonNegative),
    ColumnSpec::new("final_mirror_error_share", ColumnType::Float, "mirror_error_share of the last round")
        .label("final mirror-symmetric share of errors", None)
        .support(Support::Unit),
    ColumnSpec::new(
        "final_mirror_error_share_chance",
        ColumnType::Float,
        "mirror_error_share_chance of the last round",
    )
    .support(Support::Unit),
    ColumnSpec::new(
        "final_mirror_error_share_context_chance",
        ColumnType::Float,
        "mirror_error_share_context_chance of the last round",
    )
    .support(Support::Unit),
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
    /// Trained-on traces with a right answer and at least one wrong step.
    pub wrong_step_right_answers: usize,
    pub label_noise_injected: usize,
    pub generated_steps: usize,
    pub wrong_generated_steps: usize,
    pub accuracy_frontier: f64,
    pub accuracy_next: f64,
    pub accuracy_start: f64,
    pub systematic_errors: usize,
    /// Sum over problems drawing two or more traces of their distinct
    /// answers, and the number of those problems.
    pub distinct_answers_sum: usize,
    pub distinct_answer_problems: usize,
    /// The model that sampled the round, and the model it trained.
    pub before: Before,
    pub after: After,
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

    /// Share of trained-on traces whose answer is right though a step is
    /// wrong; `None` when none was accepted.
    pub fn wrong_step_right_answer(&self) -> Option<f64> {
        (self.accepted > 0).then(|| self.wrong_step_right_answers as f64 / self.accepted as f64)
    }

    /// Mean distinct answers per problem; `None` when no problem drew two traces.
    pub fn distinct_answers(&self) -> Option<f64> {
        (self.distinct_answer_problems > 0)
            .then(|| self.distinct_answers_sum as f64 / self.distinct_answer_problems as f64)
    }

    /// The generations-table row, in [`GENERATION_COLUMNS`] order, for the
    /// run's 0-based round `round` (whose theory it carries).
    pub fn to_row(&self, theory: Option<&Theory>, round: usize) -> Row {
        let theory_at = |values: fn(&Theory) -> &Vec<f64>| {
            theory.and_then(|t| values(t).get(round).copied()).map(Value::Float)
        };
        vec![
            int(self.frontier_digits),
            int(self.accepted),
            ratio(self.accepted, self.problems),
            (self.problems > 0).then(|| Value::Float(self.agreement_sum / self.problems as f64)),
            Some(Value::Bool(self.advanced)),
            self.contamination().map(Value::Float),
            ratio(self.wrong_trained_steps, self.accepted * self.frontier_digits),
            self.wrong_step_right_answer().map(Value::Float),
            int(self.label_noise_injected),
            ratio(self.wrong_generated_steps, self.generated_steps),
            Some(Value::Float(self.accuracy_frontier)),
            Some(Value::Float(self.accuracy_next)),
            Some(Value::Float(self.accuracy_start)),
            int(self.systematic_errors),
            theory_at(|t| &t.systematic_errors),
            theory_at(|t| &t.accuracy_frontier),
            self.before.entropy_frontier.map(Value::Float),
            self.after.entropy_frontier.map(Value::Float),
            self.distinct_answers().map(Value::Float),
            int(self.after.forgetting),
            self.before.first_visit_errors.and_then(int),
            int(self.after.mirror.mirrored),
            self.after.mirror.share().map(Value::Float),
            self.after.mirror.chance_share().map(Value::Float),
            self.after.mirror.context_chance_share().map(Value::Float),
            int(self.after.mirror.self_mirrored),
            self.before.first_visit_mirror.and_then(|m| int(m.mirrored)),
            self.before.first_visit_mirror.and_then(|m| m.share()).map(Value::Float),
            self.before.first_visit_mirror.and_then(|m| m.chance_share()).map(Value::Float),
        ]
    }
}

/// The mean of `values`; `None` when there are none.
fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (count > 0).then(|| sum / count as f64)
}

/// What the runs-table row needs beyond the rounds.
#[derive(Clone, Copy, Debug)]
pub struct RunFacts {
    pub supervised_accuracy: f64,
    /// Systematic errors in the supervised positions before self-training.
    pub supervised_systematic_errors: usize,
    /// The network learner's supervised Adam steps; `None` for the table learner.
    pub supervised_steps: Option<usize>,
    pub end: EndReason,
    pub start_digits: usize,
    pub eval_problems: usize,
    pub collapse_accuracy: f64,
}

/// The runs-table row, in [`SUMMARY_COLUMNS`] order.
/// `theory` is `None` where there is none (the network learner).
pub fn summary(rounds: &[RoundRecord], facts: RunFacts, theory: Option<&Theory>) -> Row {
    let frontier: Vec<(usize, f64)> =
        rounds.iter().map(|r| (r.frontier_digits, r.accuracy_frontier)).collect();
    let reach99 = reach(&frontier, |a| a >= REACH_ACCURACY);
    let conservative =
        reach(&frontier, |a| clears_bar_surely(a, facts.eval_problems, REACH_ACCURACY, REACH_CONFIDENCE));
    let best_digits =
        rounds.iter().filter(|r| r.accuracy_frontier >= REACH_ACCURACY).map(|r| r.frontier_digits).max();
    let runway = rounds.iter().position(|r| r.accuracy_frontier < facts.collapse_accuracy).map(|r| r + 1);
    let self_trained = |r: &RoundRecord| r.frontier_digits.saturating_sub(facts.start_digits);
    let points: Vec<RoundPoint> = rounds
        .iter()
        .map(|r| RoundPoint { self_trained: self_trained(r), accuracy: r.accuracy_frontier })
        .collect();
    let growth = growth(&points, facts.collapse_accuracy, facts.eval_problems);
    let errors: Vec<(usize, usize)> = rounds.iter().map(|r| (self_trained(r), r.systematic_errors)).collect();
    let beta = accumulation(facts.supervised_systematic_errors, &errors);
    let contaminations: Vec<f64> = rounds.iter().filter_map(RoundRecord::contamination).collect();
    let mean_contamination = (!contaminations.is_empty())
        .then(|| contaminations.iter().sum::<f64>() / contaminations.len() as f64);
    let float = |x: Option<f64>| x.map(Value::Float);
    vec![
        Some(Value::Float(facts.supervised_accuracy)),
        facts.supervised_steps.and_then(int),
        reach99.and_then(int),
        conservative.and_then(int),
        best_digits.and_then(int),
        rounds.last().and_then(|r| int(r.frontier_digits)),
        int(rounds.len()),
        Some(Value::Str(facts.end.name().into())),
        runway.and_then(int),
        float(growth.exponential.map(|l| l.slope)),
        float(growth.exponential.map(|l| l.slope_se)),
        float(growth.power.map(|l| l.slope)),
        float(growth.power.map(|l| l.slope_se)),
        Some(Value::Str(growth.law.name().into())),
        int(growth.points),
        float(beta.map(|b| b.0)),
        float(beta.map(|b| b.1)),
        rounds.last().map(|r| Value::Float(r.accuracy_frontier)),
        float(mean_contamination),
        float(mean(rounds.iter().filter_map(RoundRecord::wrong_step_right_answer))),
        rounds.last().and_then(|r| int(r.systematic_errors)),
        theory.map(|t| Value::Float(t.beta)),
        theory.and_then(|t| t.reach99).and_then(int),
        theory.and_then(|t| t.runway).and_then(int),
        float(rounds.last().and_then(|r| r.after.entropy_frontier)),
        rounds.iter().map(|r| r.after.forgetting).max().and_then(int),
        float(mean(rounds.iter().filter_map(|r| r.before.first_visit_errors.map(|e| e as f64)))),
        float(mean(rounds.iter().filter_map(RoundRecord::distinct_answers))),
        float(rounds.last().and_then(|r| r.after.mirror.share())),
        float(rounds.last().and_then(|r| r.after.mirror.chance_share())),
        float(rounds.last().and_then(|r| r.after.mirror.context_chance_share())),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(row: &Row, name: &str) -> Option<Value> {
        row[SUMMARY_COLUMNS.iter().position(|c| c.name == name).unwrap()].clone()
    }

    #[test]
    fn summary_counts_reach_runway_and_best_digits_from_rounds() {
        let round = |digits, accuracy| RoundRecord {
            frontier_digits: digits,
            problems: 10,
            accepted: 5,
            wrong_answers: 1,
            accuracy_frontier: accuracy,
            ..RoundRecord::default()
        };
        // 0.995 clears 0.99 but not its 95% lower bound on 1000 problems
        // (996 right needed); 0.985 breaks the reach; 0.999 regains 0.99.
        let rounds = [round(7, 1.0), round(8, 0.995), round(9, 0.985), round(10, 0.999), round(11, 0.4)];
        let facts = RunFacts {
            supervised_accuracy: 1.0,
            supervised_systematic_errors: 0,
            supervised_steps: None,
            end: EndReason::Collapsed,
            start_digits: 6,
            eval_problems: 1000,
            collapse_accuracy: 0.5,
        };
        let theory = Theory {
            beta: 0.5,
            systematic_errors: vec![1.0],
            accuracy_frontier: vec![0.99],
            reach99: Some(7),
            runway: None,
        };
        let row = summary(&rounds, facts, Some(&theory));
        assert_eq!(row.len(), SUMMARY_COLUMNS.len());
        assert_eq!(column(&row, "reach99"), Some(Value::Int(8)));
        assert_eq!(column(&row, "reach99_conservative"), Some(Value::Int(7)));
        assert_eq!(column(&row, "best_digits"), Some(Value::Int(10)));
        assert_eq!(column(&row, "final_digits"), Some(Value::Int(11)));
        assert_eq!(column(&row, "end_round"), Some(Value::Int(5)));
        assert_eq!(column(&row, "end_reason"), Some(Value::Str("collapsed".into())));
        assert_eq!(column(&row, "runway"), Some(Value::Int(5)), "the 5th round fell below 0.5");
        assert_eq!(column(&row, "mean_contamination"), Some(Value::Float(0.2)));
        assert_eq!(column(&row, "beta_theory"), Some(Value::Float(0.5)));
        assert_eq!(
            (column(&row, "reach99_theory"), column(&row, "runway_theory")),
            (Some(Value::Int(7)), None)
        );
        assert_eq!(rounds[0].to_row(Some(&theory), 0).len(), GENERATION_COLUMNS.len());
        let theory_column =
            GENERATION_COLUMNS.iter().position(|c| c.name == "accuracy_frontier_theory").unwrap();
        assert_eq!(rounds[1].to_row(Some(&theory), 1)[theory_column], None, "no theory past its rounds");
        // Without a collapse there is no runway, but there is an end round.
        let row = summary(&rounds[..4], RunFacts { end: EndReason::RoundLimit, ..facts }, Some(&theory));
        assert_eq!((column(&row, "runway"), column(&row, "end_round")), (None, Some(Value::Int(4))));
        assert_eq!(column(&row, "growth_law"), Some(Value::Str("too_few_points".into())));
    }

    #[test]
    fn model_measurements_summarise_over_the_rounds_that_have_them() {
        use crate::scenario::addition::measures::diagnostics::MirrorSymmetry;
        let round = |first_visit, forgetting, distinct: (usize, usize), entropy, wrong| RoundRecord {
            distinct_answers_sum: distinct.0,
            distinct_answer_problems: distinct.1,
            before: Before {
                entropy_frontier: Some(0.5),
                first_visit_errors: first_visit,
                // A first visit with 4 wrong pairs, 3 of them mirrored.
                first_visit_mirror: first_visit.map(|_| MirrorSymmetry {
                    wrong: 4,
                    mirrored: 3,
                    chance: 0.2,
                    ..MirrorSymmetry::default()
                }),
            },
            after: After {
                entropy_frontier: Some(entropy),
                forgetting,
                mirror: MirrorSymmetry {
                    wrong,
                    mirrored: 1,
                    self_mirrored: 0,
                    chance: 0.5,
                    context_chance: 1.0,
                },
            },
            ..RoundRecord::default()
        };
        // First visits with 4 and 7 wrong contexts and a retrained round;
        // 30 distinct answers over 10 problems (3) and 20 over 10 (2).
        let rounds = [
            round(Some(4), 2, (30, 10), 0.3, 0),
            round(None, 5, (20, 10), 0.2, 2),
            round(Some(7), 1, (0, 0), 0.1, 4),
        ];
        let facts = RunFacts {
            supervised_accuracy: 1.0,
            supervised_systematic_errors: 0,
            supervised_steps: None,
            end: EndReason::RoundLimit,
            start_digits: 6,
            eval_problems: 1000,
            collapse_accuracy: 0.5,
        };
        let theory = Theory {
            beta: 0.0,
            systematic_errors: vec![],
            accuracy_frontier: vec![],
            reach99: None,
            runway: None,
        };
        let row = summary(&rounds, facts, Some(&theory));
        assert_eq!(column(&row, "final_entropy_frontier"), Some(Value::Float(0.1)));
        assert_eq!(column(&row, "max_forgetting"), Some(Value::Int(5)));
        assert_eq!(column(&row, "mean_first_visit_errors"), Some(Value::Float(5.5)));
        assert_eq!(column(&row, "mean_distinct_answers"), Some(Value::Float(2.5)));
        assert_eq!(column(&row, "final_mirror_error_share"), Some(Value::Float(0.25)));
        assert_eq!(column(&row, "final_mirror_error_share_chance"), Some(Value::Float(0.125)));
        assert_eq!(column(&row, "final_mirror_error_share_context_chance"), Some(Value::Float(0.25)));
        let generation = |round: &RoundRecord, name: &str| {
            round.to_row(Some(&theory), 0)[GENERATION_COLUMNS.iter().position(|c| c.name == name).unwrap()]
                .clone()
        };
        // No wrong pair: no share; no problem with two traces: no distinct count.
        assert_eq!(generation(&rounds[0], "mirror_error_share"), None);
        assert_eq!(generation(&rounds[2], "distinct_answers"), None);
        assert_eq!(generation(&rounds[1], "first_visit_errors"), None);
        assert_eq!(generation(&rounds[1], "distinct_answers"), Some(Value::Float(2.0)));
        assert_eq!(generation(&rounds[0], "first_visit_mirror_errors"), Some(Value::Int(3)));
        assert_eq!(generation(&rounds[0], "first_visit_mirror_share"), Some(Value::Float(0.75)));
        assert_eq!(generation(&rounds[0], "first_visit_mirror_share_chance"), Some(Value::Float(0.05)));
        assert_eq!(generation(&rounds[1], "first_visit_mirror_share"), None, "not a first visit");
    }
}
