//! The network learner in the rounds (`learner = "network"`):
//! what to train the step model of `model.rs` on, for how long, and how
//! it is handed to the table learner's sampler and verifiers.
//!
//! Training examples are single steps `(position, context, output)` read off
//! traces; Adam draws its batches uniformly with replacement from a buffer
//! of them. After supervised training the buffer keeps only the retained
//! share of the ground truth (`real_fraction`); each round then adds its
//! accepted traces (`accumulate`) or replaces everything but that share
//! (`replace`). The network is compiled into per-(position, context)
//! distributions after each round, so sampling, verification and every
//! measurement are the table learner's, unchanged.
//!
//! Randomness: initialisation and new position vectors, batch indices and
//! the supervised problems come from substreams of one number the run draws
//! first (`seed::substream`), so runs paired across verifiers share their
//! initial network, their supervised model and the vectors new positions
//! draw; only what the verifier changes (which traces are trained on)
//! separates them.

use rand::Rng;
use rand_pcg::Pcg64;

use super::model::{Network, Step};
use crate::engine::seed::substream;
use crate::scenario::addition::config::{Config, DataMode, NetworkConfig};
use crate::scenario::addition::digits::{answer_is_correct, solve, step_contexts, Problems};
use crate::scenario::addition::generation::Accepted;
use crate::scenario::addition::learners::sampler::{greedy_accuracy, sample_trace, SlipThreshold, Tables};
use crate::scenario::{Deadline, RunError};

/// Adam steps between the supervised phase's accuracy checks.
const CHECK_EVERY: usize = 200;

/// One network of the learner (several for `committee`).
#[derive(Clone, Debug)]
struct Member {
    network: Network,
    /// Draws the network's initialisation, then each new position's vector.
    positions: Pcg64,
    /// Draws the indices of batch examples.
    batches: Pcg64,
}

/// The network learner of one run: its networks and the examples they train on.
#[derive(Clone, Debug)]
pub struct NeuralLearner {
    config: NetworkConfig,
    members: Vec<Member>,
    /// The supervised examples kept in training (`real_fraction`).
    retained: Vec<Step>,
    /// What the next Adam steps draw their batches from.
    buffer: Vec<Step>,
    /// Adam steps the first network took in supervised training.
    pub supervised_steps: usize,
}

/// Appends the steps of `trace`, the trace of `a + b`, as examples.
fn push_steps(a: &[u8], b: &[u8], trace: &[u8], out: &mut Vec<Step>) {
    let steps = step_contexts(a, b, trace).zip(trace).enumerate();
    out.extend(steps.map(|(p, (c, output))| Step { position: p as u16, context: c as u8, output: *output }));
}

/// Ground-truth examples of `problems` problems at each length
/// `1..=start_digits`, and those of the first `retained` problems of each length.
fn supervised_examples(config: &Config, rng: &mut Pcg64) -> (Vec<Step>, Vec<Step>) {
    let retained = (config.real_fraction * config.supervised_problems as f64).round() as usize;
    let (mut all, mut kept) = (Vec::new(), Vec::new());
    for digits in 1..=config.start_digits {
        let problems = Problems::draw(config.supervised_problems, digits, rng);
        let mut trace = vec![0u8; digits];
        for i in 0..problems.len() {
            let (a, b) = problems.operands(i);
            solve(a, b, &mut trace);
            push_steps(a, b, &trace, &mut all);
            if i < retained {
                push_steps(a, b, &trace, &mut kept);
            }
        }
    }
    (all, kept)
}

/// Slip-free sampled accuracy of `tables` on `count` fresh problems.
fn sampled_accuracy(tables: &Tables, digits: usize, count: usize, rng: &mut Pcg64) -> f64 {
    let problems = Problems::draw(count, digits, rng);
    let mut trace = vec![0u8; digits];
    let right = (0..count)
        .filter(|i| {
            let (a, b) = problems.operands(*i);
            sample_trace(tables, a, b, SlipThreshold::new(0.0), rng, &mut trace);
            answer_is_correct(a, b, &trace)
        })
        .count();
    right as f64 / count as f64
}

impl Member {
    /// `count` Adam steps on batches drawn from `examples`.
    fn train(&mut self, examples: &[Step], count: usize, config: &NetworkConfig, batch: &mut Vec<Step>) {
        if examples.is_empty() {
            return;
        }
        for _ in 0..count {
            batch.clear();
            batch.extend(
                (0..config.batch_size).map(|_| examples[self.batches.random_range(0..examples.len())]),
            );
            self.network.train_step(batch, config.learning_rate);
        }
    }

    /// Compiles positions `0..=last` into `tables`, first giving any
    /// position not met yet its vector. A network whose outputs are no
    /// longer finite (Adam diverged) fails the run rather than sampling
    /// from garbage.
    fn compile(&mut self, last: usize, temperature: f64, tables: &mut Tables) -> Result<(), RunError> {
        self.network.extend_to(last, &mut self.positions);
        for p in 0..=last {
            let distribution = self.network.distribution(p);
            if !distribution.iter().all(|x| x.is_finite()) {
                return Err(RunError::Failed(format!(
                    "the network diverged: its outputs at position {p} are not finite (learning_rate too high?)"
                )));
            }
            tables.set_position(p, &distribution, temperature);
        }
        // Tables compiled from a network are always rebuilt whole.
        tables.set_stamp(0);
        Ok(())
    }
}

impl NeuralLearner {
    /// `members` freshly initialised networks trained on ground truth until
    /// each meets the supervised targets (or the step cap). `base` is the
    /// number the run drew first for its substreams.
    pub fn supervised(
        config: &Config,
        network: NetworkConfig,
        members: usize,
        base: u64,
        deadline: &Deadline,
    ) -> Result<Self, RunError> {
        let (all, retained) = supervised_examples(config, &mut substream(base, "supervised", 0));
        let mut learner = NeuralLearner {
            config: network,
            members: Vec::with_capacity(members),
            retained,
            buffer: Vec::new(),
            supervised_steps: 0,
        };
        let mut batch = Vec::with_capacity(network.batch_size);
        let mut tables = Tables::default();
        for m in 0..members {
            let mut positions = substream(base, "network", m as u64);
            let mut fresh = Network::new(network.shape, network.encoding, &mut positions);
            fresh.extend_to(config.start_digits - 1, &mut positions);
            let batches = substream(base, "batches", m as u64);
            let mut member = Member { network: fresh, positions, batches };
            let mut checks = substream(base, "supervised_check", m as u64);
            let mut steps = 0;
            while steps < network.supervised_max_steps {
                deadline.check()?;
                let chunk = CHECK_EVERY.min(network.supervised_max_steps - steps);
                member.train(&all, chunk, &network, &mut batch);
                steps += chunk;
                member.compile(config.start_digits - 1, config.temperature, &mut tables)?;
                let greedy = greedy_accuracy(&tables, config.start_digits, config.eval_problems, &mut checks);
                if greedy >= network.greedy_target
                    && sampled_accuracy(&tables, config.start_digits, config.eval_problems, &mut checks)
                        >= network.sampled_target
                {
                    break;
                }
            }
            if m == 0 {
                learner.supervised_steps = steps;
            }
            learner.members.push(member);
        }
        learner.buffer = learner.retained.clone();
        Ok(learner)
    }

    /// Compiles every member's positions `0..=last` into its tables.
    pub fn compile(&mut self, last: usize, temperature: f64, tables: &mut [Tables]) -> Result<(), RunError> {
        for (member, table) in self.members.iter_mut().zip(tables) {
            member.compile(last, temperature, table)?;
        }
        Ok(())
    }

    /// Trains every member for one round on `accepted` (kept with or
    /// instead of the earlier rounds' examples, by `data`).
    pub fn train_round(
        &mut self,
        accepted: &Accepted,
        data: DataMode,
        deadline: &Deadline,
    ) -> Result<(), RunError> {
        if data == DataMode::Replace {
            self.buffer.clone_from(&self.retained);
        }
        for (a, b, trace) in accepted.items() {
            push_steps(a, b, trace, &mut self.buffer);
        }
        let mut batch = Vec::with_capacity(self.config.batch_size);
        let last = accepted.problems.digits.saturating_sub(1);
        for member in &mut self.members {
            deadline.check()?;
            member.network.extend_to(last, &mut member.positions);
            member.train(&self.buffer, self.config.steps_per_round, &self.config, &mut batch);
        }
        Ok(())
    }

    /// The first network's distribution at `position` (raw, before the
    /// temperature), `None` at a position it has not met: measurements read
    /// the model through this without drawing a random number.
    pub fn drawn_distribution(&self, position: usize) -> Option<Vec<f32>> {
        let network = &self.members[0].network;
        (position < network.positions()).then(|| network.distribution(position))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::addition::config::{for_test, LearnerKind};
    use crate::scenario::addition::digits::{context, correct_output};
    use crate::value::Value;

    #[test]
    fn examples_follow_the_trace_and_its_carries() {
        // 95 + 17 = 112, least significant digit first: 5 + 7 = 12 writes 2
        // carry 1; 9 + 1 + 1 = 11 writes 1 carry 1.
        let (a, b) = ([5u8, 9], [7u8, 1]);
        let mut trace = [0u8; 2];
        solve(&a, &b, &mut trace);
        let mut steps = Vec::new();
        push_steps(&a, &b, &trace, &mut steps);
        assert_eq!(steps[0], Step { position: 0, context: context(5, 7, 0) as u8, output: 2 * 2 + 1 });
        assert_eq!(steps[1], Step { position: 1, context: context(9, 1, 1) as u8, output: 2 + 1 });
        for step in steps {
            assert_eq!(step.output, correct_output(step.context as usize));
        }
    }

    #[test]
    fn retained_examples_are_the_first_problems_of_each_length() {
        let config = for_test(&[
            ("start_digits", Value::Int(3)),
            ("supervised_problems", Value::Int(10)),
            ("real_fraction", Value::Float(0.3)),
        ]);
        let (all, kept) = supervised_examples(&config, &mut Pcg64::new(1, 1));
        // 10 problems of 1, 2 and 3 digits: 60 steps; 3 of each: 18.
        assert_eq!((all.len(), kept.len()), (60, 18));
        assert_eq!(&kept[..3], &all[..3]);
        assert_eq!(&kept[3..9], &all[10..16]);
        assert!(all.iter().all(|s| s.output == correct_output(s.context as usize)));
    }

    fn network_config(overrides: &[(&str, Value)]) -> (Config, NetworkConfig) {
        let mut all = vec![("learner", Value::Str("network".into())), ("start_digits", Value::Int(3))];
        all.extend_from_slice(overrides);
        let config = for_test(&all);
        let LearnerKind::Network(network) = config.learner else { panic!("network learner expected") };
        (config, network)
    }

    #[test]
    fn supervised_training_stops_at_its_targets_and_the_cap() {
        // Three digits are learnt to the targets well before the cap; a cap
        // of 300 steps is two checks (200, then 100) and no more.
        let (config, network) = network_config(&[]);
        let learner = NeuralLearner::supervised(&config, network, 1, 7, &Deadline::none()).unwrap();
        assert!(learner.supervised_steps < network.supervised_max_steps);
        assert_eq!(learner.supervised_steps % CHECK_EVERY, 0);
        let mut tables = vec![Tables::default()];
        let mut trained = learner.clone();
        trained.compile(2, 1.0, &mut tables).unwrap();
        let greedy = greedy_accuracy(&tables[0], 3, 2000, &mut Pcg64::new(2, 2));
        // Met 0.99 on 1,000 check problems; 2,000 fresh ones, binomial sd <= 0.003.
        assert!(greedy >= 0.97, "{greedy}");
        let (config, network) = network_config(&[("supervised_max_steps", Value::Int(300))]);
        let capped = NeuralLearner::supervised(
            &config,
            NetworkConfig { greedy_target: 1.0, sampled_target: 1.0, ..network },
            1,
            7,
            &Deadline::none(),
        )
        .unwrap();
        assert_eq!(capped.supervised_steps, 300);
    }

    #[test]
    fn replace_keeps_only_the_retained_truth_and_the_newest_round() {
        let (config, network) =
            network_config(&[("real_fraction", Value::Float(0.1)), ("supervised_max_steps", Value::Int(0))]);
        let mut learner = NeuralLearner::supervised(&config, network, 1, 7, &Deadline::none()).unwrap();
        let retained = learner.retained.len();
        assert_eq!(retained, 200 * (1 + 2 + 3));
        let mut rng = Pcg64::new(3, 3);
        let round = |n, rng: &mut Pcg64| {
            let problems = Problems::draw(n, 4, rng);
            Accepted { traces: vec![0u8; problems.a.len()], problems }
        };
        let quiet = NetworkConfig { steps_per_round: 0, ..network };
        learner.config = quiet;
        learner.train_round(&round(5, &mut rng), DataMode::Accumulate, &Deadline::none()).unwrap();
        learner.train_round(&round(7, &mut rng), DataMode::Accumulate, &Deadline::none()).unwrap();
        assert_eq!(learner.buffer.len(), retained + 4 * 12);
        learner.train_round(&round(3, &mut rng), DataMode::Replace, &Deadline::none()).unwrap();
        assert_eq!(learner.buffer.len(), retained + 4 * 3);
        assert_eq!(learner.buffer[..retained], learner.retained[..]);
    }

    #[test]
    fn paired_learners_share_their_network_until_their_data_differ() {
        // The same base: the same supervised network, bit for bit, whatever
        // the verifier; another base: another network.
        let (config, network) = network_config(&[("supervised_max_steps", Value::Int(200))]);
        let one = NeuralLearner::supervised(&config, network, 1, 11, &Deadline::none()).unwrap();
        let two = NeuralLearner::supervised(&config, network, 1, 11, &Deadline::none()).unwrap();
        let other = NeuralLearner::supervised(&config, network, 1, 12, &Deadline::none()).unwrap();
        assert_eq!(one.drawn_distribution(2), two.drawn_distribution(2));
        assert_ne!(one.drawn_distribution(2), other.drawn_distribution(2));
        assert_eq!(one.drawn_distribution(3), None, "position 3 is not met before it is compiled");
    }

    #[test]
    fn a_network_with_non_finite_outputs_fails_the_run() {
        // An infinite position vector stands for weights Adam blew up: the
        // compiled tables would be garbage, so the run fails, naming why.
        let mut positions = Pcg64::new(5, 5);
        let network = Network::new(
            crate::scenario::addition::learners::network::model::Shape { embed: 4, hidden: 8 },
            crate::scenario::addition::learners::network::model::Encoding::Learned { sigma: f32::INFINITY },
            &mut positions,
        );
        let mut member = Member { network, positions, batches: Pcg64::new(6, 6) };
        let error = member.compile(1, 1.0, &mut Tables::default()).unwrap_err();
        assert!(error.to_string().contains("diverged"), "{error}");
    }
}
