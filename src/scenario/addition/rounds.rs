//! The run: supervised training on ground truth, then self-training rounds
//! until the process stalls, collapses or reaches the round limit.

use rand_pcg::Pcg64;

use super::config::{Config, DataMode};
use super::digits::{answer_is_correct, solve, Problems};
use super::generation::{count_contamination, generate_round, inject_label_noise};
use super::learner::Learner;
use super::metrics::{EndReason, RoundRecord};
use super::sampler::{greedy_trace, Tables};
use super::verifiers::Verifier;
use crate::scenario::{Deadline, RunError};

/// What a run produced, before it is turned into rows.
#[derive(Clone, Debug)]
pub struct RunRecord {
    /// Greedy accuracy at `start_digits` after supervised training.
    pub supervised_accuracy: f64,
    pub rounds: Vec<RoundRecord>,
    pub end: EndReason,
}

/// Problems per supervised training batch, to bound memory.
const BATCH: usize = 4096;

/// Trains every learner on ground-truth traces of 1..=start_digits digits,
/// returning the counts of the retained share (`real_fraction`).
fn supervised_phase(config: &Config, learners: &mut [Learner], rng: &mut Pcg64) -> Vec<Vec<Vec<u32>>> {
    let retained = (config.real_fraction * config.supervised_problems as f64).round() as usize;
    let mut snapshot = Vec::new();
    // Two passes per length: first the retained problems, then the rest,
    // so the retained counts can be read off in between.
    for (pass, (from, to)) in [(0, retained), (retained, config.supervised_problems)].into_iter().enumerate()
    {
        for digits in 1..=config.start_digits {
            let mut done = from;
            while done < to {
                let batch = BATCH.min(to - done);
                let problems = Problems::draw(batch, digits, rng);
                let mut traces = vec![0u8; problems.a.len()];
                for (i, trace) in traces.chunks_mut(digits).enumerate() {
                    let (a, b) = problems.operands(i);
                    solve(a, b, trace);
                }
                for learner in learners.iter_mut() {
                    let items = (0..batch).map(|i| {
                        let (a, b) = problems.operands(i);
                        (a, b, &traces[i * digits..(i + 1) * digits])
                    });
                    learner.train(digits, items, rng);
                }
                done += batch;
            }
        }
        if pass == 0 {
            snapshot = learners.iter().map(|l| l.counts().to_vec()).collect();
        }
    }
    snapshot
}

/// Greedy accuracy of `tables` on `count` fresh problems of `digits` digits.
pub fn greedy_accuracy(tables: &Tables, digits: usize, count: usize, rng: &mut Pcg64) -> f64 {
    let problems = Problems::draw(count, digits, rng);
    let mut trace = vec![0u8; digits];
    let correct = (0..count)
        .filter(|i| {
            let (a, b) = problems.operands(*i);
            greedy_trace(tables, a, b, &mut trace);
            answer_is_correct(a, b, &trace)
        })
        .count();
    correct as f64 / count as f64
}

/// Runs supervised training and the self-training rounds.
pub fn run(config: &Config, rng: &mut Pcg64, deadline: &Deadline) -> Result<RunRecord, RunError> {
    let members = if config.verifier == Verifier::Committee { config.committee_size } else { 1 };
    let mut learners = vec![Learner::new(config.generalisation); members];
    let retained = supervised_phase(config, &mut learners, rng);
    if config.real_fraction < 1.0 {
        for (learner, counts) in learners.iter_mut().zip(&retained) {
            learner.clear_counts();
            learner.add_counts(counts);
        }
    }
    let mut tables = vec![Tables::default(); members];
    let compile = |learners: &mut [Learner], tables: &mut [Tables], last: usize, rng: &mut Pcg64| {
        for (learner, table) in learners.iter_mut().zip(tables.iter_mut()) {
            learner.compile(last, config.temperature, rng, table);
        }
    };
    compile(&mut learners, &mut tables, config.start_digits, rng);
    let supervised_accuracy = greedy_accuracy(&tables[0], config.start_digits, config.eval_problems, rng);

    let mut rounds = Vec::new();
    let mut digits = config.start_digits + 1;
    let mut stalled_for = 0;
    let mut end = EndReason::RoundLimit;
    for round in 0..config.generations {
        deadline.check()?;
        let mut record = RoundRecord::default();
        let mut accepted = generate_round(config, digits, &tables, rng, &mut record);
        if config.label_noise_rounds.contains(&round) {
            record.label_noise_injected = inject_label_noise(&mut accepted, config.label_noise, rng);
        }
        count_contamination(&accepted, &mut record);
        for (learner, counts) in learners.iter_mut().zip(&retained) {
            if config.data == DataMode::Replace {
                learner.clear_counts();
                learner.add_counts(counts);
            }
            learner.train(digits, accepted.items(), rng);
        }
        compile(&mut learners, &mut tables, digits, rng);
        record.accuracy_frontier = greedy_accuracy(&tables[0], digits, config.eval_problems, rng);
        record.accuracy_next = greedy_accuracy(&tables[0], digits + 1, config.eval_problems, rng);
        record.accuracy_start = greedy_accuracy(&tables[0], config.start_digits, config.eval_problems, rng);
        record.systematic_errors = learners[0].systematic_errors(&tables[0], digits);
        record.advanced = record.accepted as f64 >= config.advance_threshold * config.problems as f64;
        let collapsed = record.accuracy_frontier < config.collapse_accuracy;
        rounds.push(record);
        if collapsed {
            end = EndReason::Collapsed;
            break;
        }
        if rounds.last().is_some_and(|r| r.advanced) {
            digits += 1;
            stalled_for = 0;
        } else {
            stalled_for += 1;
            if stalled_for >= config.patience {
                end = EndReason::Stalled;
                break;
            }
        }
    }
    Ok(RunRecord { supervised_accuracy, rounds, end })
}
