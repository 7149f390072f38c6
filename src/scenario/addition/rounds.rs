//! The run: supervised training on ground truth, then self-training rounds
//! until the process stalls, collapses or reaches the round limit, with
//! either learner (counted tables or a network).

use rand::RngCore;
use rand_pcg::Pcg64;

use super::config::{Config, DataMode, LearnerKind};
use super::digits::{solve, Problems};
use super::generation::{count_contamination, generate_round, inject_label_noise, Accepted};
use super::learners::network::training::NeuralLearner;
use super::learners::sampler::{greedy_accuracy, Reliance, Tables};
use super::learners::table::{systematic_errors, Learner};
use super::measures::diagnostics;
use super::measures::metrics::{EndReason, RoundRecord};
use crate::engine::seed::substream;
use crate::scenario::{Deadline, RunError};

/// What a run produced, before it is turned into rows.
#[derive(Clone, Debug)]
pub struct Trajectory {
    /// Greedy accuracy at `start_digits` after supervised training.
    pub supervised_accuracy: f64,
    /// Systematic errors in positions `0..start_digits` after supervised training.
    pub supervised_systematic_errors: usize,
    /// Adam steps of the network learner's supervised training; `None` for the table learner.
    pub supervised_steps: Option<usize>,
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

/// The learners of a run: counted tables (one per committee member, with
/// the retained supervised counts) or networks.
enum Model {
    Table { learners: Vec<Learner>, retained: Vec<Vec<Vec<u32>>> },
    Network(Box<NeuralLearner>),
}

impl Model {
    /// Supervised training of `members` learners.
    fn supervised(
        config: &Config,
        members: usize,
        rng: &mut Pcg64,
        deadline: &Deadline,
    ) -> Result<Self, RunError> {
        Ok(match config.learner {
            LearnerKind::Table => {
                let mut learners = vec![Learner::new(config.generalisation); members];
                let retained = supervised_phase(config, &mut learners, rng);
                if config.real_fraction < 1.0 {
                    for (learner, counts) in learners.iter_mut().zip(&retained) {
                        learner.clear_counts();
                        learner.add_counts(counts);
                    }
                }
                Model::Table { learners, retained }
            }
            LearnerKind::Network(network) => {
                let base = rng.next_u64();
                Model::Network(Box::new(NeuralLearner::supervised(config, network, members, base, deadline)?))
            }
        })
    }

    /// Compiles positions `0..=last` of every member into its tables.
    fn compile(
        &mut self,
        last: usize,
        temperature: f64,
        rng: &mut Pcg64,
        tables: &mut [Tables],
    ) -> Result<(), RunError> {
        match self {
            Model::Table { learners, .. } => {
                for (learner, table) in learners.iter_mut().zip(tables.iter_mut()) {
                    learner.compile(last, temperature, rng, table);
                }
                Ok(())
            }
            Model::Network(network) => network.compile(last, temperature, tables),
        }
    }

    /// Trains on a round's accepted traces of `digits` digits.
    fn train(
        &mut self,
        config: &Config,
        digits: usize,
        accepted: &Accepted,
        rng: &mut Pcg64,
        deadline: &Deadline,
    ) -> Result<(), RunError> {
        match self {
            Model::Table { learners, retained } => {
                for (learner, counts) in learners.iter_mut().zip(retained.iter()) {
                    learner.extend_to(digits, rng);
                    if config.data == DataMode::Replace {
                        learner.clear_counts();
                        learner.add_counts(counts);
                    }
                    learner.train(digits, accepted.items(), rng);
                }
                Ok(())
            }
            Model::Network(network) => network.train_round(accepted, config.data, deadline),
        }
    }

    /// The first learner's distribution at `position`, without drawing.
    fn drawn_distribution(&mut self, position: usize) -> Option<Vec<f32>> {
        match self {
            Model::Table { learners, .. } => learners[0].drawn_distribution(position),
            Model::Network(network) => network.drawn_distribution(position),
        }
    }

    /// Adam steps of supervised training; `None` for counted tables.
    fn supervised_steps(&self) -> Option<usize> {
        match self {
            Model::Table { .. } => None,
            Model::Network(network) => Some(network.supervised_steps),
        }
    }
}

/// Runs supervised training and the self-training rounds.
pub fn run(config: &Config, rng: &mut Pcg64, deadline: &Deadline) -> Result<Trajectory, RunError> {
    // Below reliance 1 the unfaithful chain's coins come from a substream of
    // the number the run's generator would draw next, read without drawing
    // it, so the run's own stream is drawn exactly as at reliance 1 and
    // runs paired across the reliance share their problems and slips.
    let mut reliance = (config.cot_reliance < 1.0).then(|| {
        let base = rng.clone().next_u64();
        Reliance::new(config.cot_reliance, config.noise_rate, substream(base, "cot_reliance", 0))
    });
    let members = config.verifier.writers(&config.verifying()).learners();
    let mut model = Model::supervised(config, members, rng, deadline)?;
    let mut tables = vec![Tables::default(); members];
    model.compile(config.start_digits, config.temperature, rng, &mut tables)?;
    let supervised_accuracy = greedy_accuracy(&tables[0], config.start_digits, config.eval_problems, rng);
    let supervised_systematic_errors = systematic_errors(&tables[0], config.start_digits);

    let mut rounds = Vec::new();
    let mut digits = config.start_digits + 1;
    let mut stalled_for = 0;
    let mut end = EndReason::RoundLimit;
    for round in 0..config.generations {
        deadline.check()?;
        let mut record = RoundRecord::default();
        let first_visit = rounds.last().is_none_or(|r: &RoundRecord| r.advanced);
        let frontier = model.drawn_distribution(digits - 1);
        record.before = diagnostics::before(frontier.as_deref(), &tables[0], digits, first_visit);
        let mut accepted = generate_round(config, digits, &tables, rng, reliance.as_mut(), &mut record);
        if config.label_noise_rounds.contains(&round) {
            record.label_noise_injected = inject_label_noise(&mut accepted, config.label_noise, rng);
        }
        count_contamination(&accepted, &mut record);
        model.train(config, digits, &accepted, rng, deadline)?;
        model.compile(digits, config.temperature, rng, &mut tables)?;
        record.accuracy_frontier = greedy_accuracy(&tables[0], digits, config.eval_problems, rng);
        record.accuracy_next = greedy_accuracy(&tables[0], digits + 1, config.eval_problems, rng);
        record.accuracy_start = greedy_accuracy(&tables[0], config.start_digits, config.eval_problems, rng);
        record.systematic_errors = systematic_errors(&tables[0], digits);
        let frontier = model.drawn_distribution(digits - 1);
        record.after = diagnostics::after(frontier.as_deref(), &tables[0], digits, config.start_digits);
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
    let supervised_steps = model.supervised_steps();
    Ok(Trajectory { supervised_accuracy, supervised_systematic_errors, supervised_steps, rounds, end })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;
    use crate::scenario::addition::config::PARAMS;
    use crate::scenario::addition::verifier::VERIFIER_NAMES;
    use crate::value::Value;
    use rand::SeedableRng;

    fn config(overrides: &[(&str, Value)]) -> Config {
        let mut all = vec![
            ("start_digits", Value::Int(3)),
            ("problems", Value::Int(200)),
            ("eval_problems", Value::Int(200)),
            ("generations", Value::Int(5)),
        ];
        all.extend_from_slice(overrides);
        let values = Params::with(PARAMS, &all);
        Config::from_params(&Params { specs: PARAMS, values: &values })
    }

    #[test]
    fn without_slips_gaps_or_blind_spots_every_verifier_reaches_the_limit_perfectly() {
        // The smoothing prior is the one error source left: at position 0 it
        // is uniform (an untrained model's guess), and `none` would train on
        // what it samples from it. Prior strength 0 removes it; every
        // context is covered by the supervised data, so nothing is undefined.
        let modes = VERIFIER_NAMES.iter().map(|v| (*v, "accumulate")).chain([("majority", "replace")]);
        for (verifier, data) in modes {
            let config = config(&[
                ("verifier", Value::Str(verifier.into())),
                ("data", Value::Str(data.into())),
                ("real_fraction", Value::Float(0.5)),
                ("noise_rate", Value::Float(0.0)),
                ("gap", Value::Float(0.0)),
                ("blind_spot_rate", Value::Float(0.0)),
                ("prior_strength", Value::Float(0.0)),
            ]);
            let run = run(&config, &mut Pcg64::seed_from_u64(31), &Deadline::none()).unwrap();
            assert_eq!(run.end, EndReason::RoundLimit, "{verifier}");
            assert_eq!(run.rounds.len(), 5, "{verifier}");
            assert_eq!(run.rounds.last().unwrap().frontier_digits, 8, "{verifier}: advanced every round");
            for round in &run.rounds {
                assert_eq!(round.accuracy_frontier, 1.0, "{verifier}");
                assert_eq!(round.accuracy_next, 1.0, "{verifier}");
                assert_eq!(round.systematic_errors, 0, "{verifier}");
            }
        }
    }

    #[test]
    fn the_model_measured_before_a_round_is_the_one_the_round_before_trained() {
        // Without a gap or blind spots a new position starts as a copy of
        // the one before it, so the frontier entropy before every round is
        // the one measured after the round before, exactly. A gap mixes in
        // uniform mass at a new position, which raises the entropy there
        // (entropy is concave and the uniform row has the most), so then
        // only retrained rounds keep the equality.
        for (gap, verifier) in [(0.0, "none"), (0.0, "majority"), (0.2, "majority")] {
            let config = config(&[
                ("verifier", Value::Str(verifier.into())),
                ("gap", Value::Float(gap)),
                ("blind_spot_rate", Value::Float(0.0)),
                ("generations", Value::Int(8)),
            ]);
            let run = run(&config, &mut Pcg64::seed_from_u64(37), &Deadline::none()).unwrap();
            assert!(run.rounds.len() > 3, "{verifier}");
            for pair in run.rounds.windows(2) {
                let (last, this) = (&pair[0], &pair[1]);
                let (after, before) =
                    (last.after.entropy_frontier.unwrap(), this.before.entropy_frontier.unwrap());
                assert_eq!(this.before.first_visit_errors.is_some(), last.advanced);
                if gap == 0.0 || !last.advanced {
                    assert_eq!(before, after, "{verifier} gap {gap}");
                } else {
                    assert!(before > after, "{verifier} gap {gap}: {before} <= {after}");
                }
            }
        }
    }

    #[test]
    fn without_slips_the_reliance_changes_nothing() {
        // An unfaithful step writes what it computed unless it slips, and
        // greedy evaluation has no slips: at noise 0 a run at reliance 0.3
        // is the run at reliance 1, round for round.
        for verifier in ["outcome", "majority"] {
            let at = |reliance| {
                let config = config(&[
                    ("verifier", Value::Str(verifier.into())),
                    ("noise_rate", Value::Float(0.0)),
                    ("cot_reliance", Value::Float(reliance)),
                ]);
                run(&config, &mut Pcg64::seed_from_u64(61), &Deadline::none()).unwrap().rounds
            };
            assert_eq!(at(1.0), at(0.3), "{verifier}");
        }
    }

    /// `wrong_step_right_answers` and accepted traces summed over the rounds
    /// of runs with seeds `seeds`, and the number a perfect learner would
    /// give in expectation (see the test below).
    fn wrong_steps_right_answers(
        verifier: &'static str,
        reliance: f64,
        seeds: std::ops::Range<u64>,
    ) -> (usize, usize, f64) {
        let noise = 0.05;
        let config = config(&[
            ("verifier", Value::Str(verifier.into())),
            ("noise_rate", Value::Float(noise)),
            ("gap", Value::Float(0.0)),
            ("blind_spot_rate", Value::Float(0.0)),
            ("cot_reliance", Value::Float(reliance)),
        ]);
        let (mut counted, mut accepted, mut expected) = (0, 0, 0.0);
        for seed in seeds {
            for round in run(&config, &mut Pcg64::seed_from_u64(seed), &Deadline::none()).unwrap().rounds {
                counted += round.wrong_step_right_answers;
                accepted += round.accepted;
                let flip = (1.0 - reliance) * noise / 2.0;
                expected +=
                    round.accepted as f64 * (1.0 - (1.0 - flip).powi(round.frontier_digits as i32 - 1));
            }
        }
        (counted, accepted, expected)
    }

    #[test]
    fn outcome_trains_on_wrong_steps_with_right_answers_below_reliance_one_and_step_never() {
        // A learner without gap or blind spots at slip rate 0.05. At
        // reliance 0.5 an unfaithful step (half of them) flips its written
        // carry with probability 0.025 while the next step reads the carry
        // it computed: a wrong step under a right answer, independent of
        // whether the answer is right. So an accepted trace of n digits has
        // one with probability 1 - (1 - 0.0125)^(n - 1) (a flip at the last
        // step changes the answer), and outcome, which accepts a right
        // answer whatever its steps, must train on that share, within 5
        // binomial sd of the count. At reliance 1 a wrong step leaves the
        // answer right only when two errors cancel, and `step` accepts no
        // wrong step at all.
        let (counted, accepted, expected) = wrong_steps_right_answers("outcome", 0.5, 70..76);
        let sd = (expected * (1.0 - expected / accepted as f64)).sqrt();
        assert!((counted as f64 - expected).abs() < 5.0 * sd, "{counted} of {accepted}, expected {expected}");
        let (faithful, faithful_accepted, _) = wrong_steps_right_answers("outcome", 1.0, 70..76);
        assert!(
            (faithful as f64) < 0.1 * expected,
            "{faithful} of {faithful_accepted} at reliance 1, {counted} of {accepted} at 0.5"
        );
        let (by_step, step_accepted, _) = wrong_steps_right_answers("step", 0.5, 70..76);
        assert!(step_accepted > 0);
        assert_eq!(by_step, 0);
    }

    #[test]
    fn a_run_is_a_pure_function_of_its_seed() {
        let config = config(&[("verifier", Value::Str("majority".into()))]);
        let once = run(&config, &mut Pcg64::seed_from_u64(32), &Deadline::none()).unwrap();
        let again = run(&config, &mut Pcg64::seed_from_u64(32), &Deadline::none()).unwrap();
        let other = run(&config, &mut Pcg64::seed_from_u64(33), &Deadline::none()).unwrap();
        assert_eq!(once.rounds, again.rounds);
        assert_ne!(once.rounds, other.rounds);
    }

    #[test]
    fn an_expired_deadline_stops_the_run() {
        let config = config(&[]);
        let expired = Deadline::after_secs(0.0);
        assert!(matches!(run(&config, &mut Pcg64::seed_from_u64(34), &expired), Err(RunError::TimedOut(_))));
    }

    /// Many blind spots (each moving 60% of its context's mass to a wrong
    /// output) and no other source of error.
    fn blind_spots_only(verifier: &'static str) -> Config {
        config(&[
            ("verifier", Value::Str(verifier.into())),
            ("noise_rate", Value::Float(0.0)),
            ("gap", Value::Float(0.0)),
            ("blind_spot_rate", Value::Float(0.05)),
            ("blind_spot_mass", Value::Float(0.6)),
        ])
    }

    #[test]
    fn blind_spots_outlast_majority_but_not_an_outcome_checker() {
        // Many blind spots and no other error: majority trains on the blind
        // spots' answers (they are each context's mode), the outcome checker
        // only on right answers, so it repairs every blind spot it samples
        // right at least once (a blind context keeps 40% on the truth) and
        // is left only with those its 200 problems never reach.
        let majority =
            run(&blind_spots_only("majority"), &mut Pcg64::seed_from_u64(35), &Deadline::none()).unwrap();
        let outcome =
            run(&blind_spots_only("outcome"), &mut Pcg64::seed_from_u64(35), &Deadline::none()).unwrap();
        assert!(majority.rounds.iter().any(|r| r.wrong_answers > 0));
        assert!(majority.rounds.last().unwrap().systematic_errors > 0);
        assert!(outcome.rounds.iter().all(|r| r.wrong_answers == 0));
        let last_errors = |run: &Trajectory| run.rounds.last().unwrap().systematic_errors;
        assert!(2 * last_errors(&outcome) < last_errors(&majority), "{:?}", outcome.rounds);
    }

    #[test]
    fn a_committee_outvotes_blind_spots_a_single_model_adopts() {
        // Each committee member draws its own blind spots, so at a context
        // where one member is blind the others mostly are not and outvote
        // it; a single model's samples share its blind spots. Same blind
        // spot rate, no other error: the committee must train on far fewer
        // wrong answers than majority.
        let wrong = |verifier| {
            let run =
                run(&blind_spots_only(verifier), &mut Pcg64::seed_from_u64(36), &Deadline::none()).unwrap();
            run.rounds.iter().map(|r| r.wrong_answers).sum::<usize>()
        };
        let (committee, majority) = (wrong("committee"), wrong("majority"));
        assert!(4 * committee < majority, "committee {committee}, majority {majority}");
    }

    #[test]
    fn paired_network_runs_share_their_supervised_model_and_first_frontier() {
        // The same seed under two verifiers: the network is drawn from
        // substreams, so both start round 0 from the same supervised model
        // (same accuracy, same entropy and blind spots at the first new
        // position) and part only where the verifier's data differ.
        let network = |verifier: &'static str| {
            config(&[
                ("learner", Value::Str("network".into())),
                ("verifier", Value::Str(verifier.into())),
                ("hidden_width", Value::Int(24)),
                ("supervised_max_steps", Value::Int(1000)),
                ("steps_per_round", Value::Int(50)),
                ("generations", Value::Int(3)),
            ])
        };
        let none = run(&network("none"), &mut Pcg64::seed_from_u64(38), &Deadline::none()).unwrap();
        let outcome = run(&network("outcome"), &mut Pcg64::seed_from_u64(38), &Deadline::none()).unwrap();
        let other = run(&network("none"), &mut Pcg64::seed_from_u64(39), &Deadline::none()).unwrap();
        assert!(none.supervised_steps.is_some_and(|s| s > 0));
        assert_eq!(none.supervised_steps, outcome.supervised_steps);
        assert_eq!(none.supervised_accuracy, outcome.supervised_accuracy);
        assert_eq!(none.rounds[0].before, outcome.rounds[0].before);
        assert_ne!(none.rounds[0].before, other.rounds[0].before, "another seed, another network");
        // The verifier then matters: `outcome` trains on right answers only.
        assert_eq!(outcome.rounds.iter().map(|r| r.wrong_answers).sum::<usize>(), 0);
        assert_eq!(config(&[]).learner, crate::scenario::addition::config::LearnerKind::Table);
    }
}
