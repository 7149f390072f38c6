//! One round's generation: sample traces for every problem, run the
//! verifier on them, and keep what passes, counting as it goes.

use rand_pcg::Pcg64;

use super::config::Config;
use super::digits::{answer_is_correct, wrong_steps, Problems};
use super::metrics::RoundRecord;
use super::sampler::{sample_trace, SlipThreshold, Tables};
use super::verifiers::{self, modal_answer, Verifier};

/// The traces a round accepted, flat like [`Problems`]: accepted trace `i`
/// solves `problems.operands(i)`.
#[derive(Clone, Debug, Default)]
pub struct Accepted {
    pub problems: Problems,
    pub traces: Vec<u8>,
}

impl Accepted {
    /// `(a, b, trace)` of every accepted problem, as the learner trains on them.
    pub fn items(&self) -> impl Iterator<Item = (&[u8], &[u8], &[u8])> {
        let digits = self.problems.digits;
        (0..self.problems.len()).map(move |i| {
            let (a, b) = self.problems.operands(i);
            (a, b, &self.traces[i * digits..(i + 1) * digits])
        })
    }
}

/// Samples `count` traces of `a + b` from `tables` into `out`.
fn sample_many(tables: &Tables, a: &[u8], b: &[u8], slip: SlipThreshold, rng: &mut Pcg64, out: &mut [u8]) {
    for trace in out.chunks_mut(a.len()) {
        sample_trace(tables, a, b, slip, rng, trace);
    }
}

/// Counts a batch of generated traces into the round's step statistics.
fn count_steps(record: &mut RoundRecord, a: &[u8], b: &[u8], traces: &[u8]) {
    for trace in traces.chunks(a.len()) {
        record.generated_steps += a.len();
        record.wrong_generated_steps += wrong_steps(a, b, trace);
    }
}

/// Generates and verifies `config.problems` problems of `digits` digits.
/// `tables` holds one compiled learner per committee member (one unless
/// the verifier is `committee`); the first is the learner being trained.
pub fn generate_round(
    config: &Config,
    digits: usize,
    tables: &[Tables],
    rng: &mut Pcg64,
    record: &mut RoundRecord,
) -> Accepted {
    let slip = SlipThreshold::new(config.noise_rate);
    let samples = if config.verifier == Verifier::None { 1 } else { config.samples };
    let mut forward = vec![0u8; samples.max(tables.len()) * digits];
    let mut backward = vec![0u8; samples * digits];
    let mut accepted = Accepted { problems: Problems { digits, ..Problems::default() }, traces: Vec::new() };
    record.frontier_digits = digits;
    record.problems = config.problems;
    for _ in 0..config.problems {
        let problem = Problems::draw(1, digits, rng);
        let (a, b) = problem.operands(0);
        let shown = match config.verifier {
            Verifier::Committee => tables.len(),
            _ => samples,
        };
        let forward = &mut forward[..shown * digits];
        match config.verifier {
            Verifier::Committee => {
                for (member, trace) in tables.iter().zip(forward.chunks_mut(digits)) {
                    sample_trace(member, a, b, slip, rng, trace);
                }
            }
            _ => sample_many(&tables[0], a, b, slip, rng, forward),
        }
        count_steps(record, a, b, forward);
        let mut agreement = modal_answer(forward, digits).1 as f64 / shown as f64;
        let chosen = match config.verifier {
            Verifier::None => Some(0),
            Verifier::Majority | Verifier::Committee => verifiers::majority(forward, digits, config.quorum),
            Verifier::Commutative => {
                sample_many(&tables[0], b, a, slip, rng, &mut backward);
                count_steps(record, b, a, &backward);
                agreement = (agreement + modal_answer(&backward, digits).1 as f64 / samples as f64) / 2.0;
                verifiers::commutative(forward, &backward, digits, config.quorum)
            }
            Verifier::Outcome => verifiers::outcome(a, b, forward, config.checker, rng),
            Verifier::Step => verifiers::step(a, b, forward, config.checker, rng),
        };
        record.agreement_sum += agreement;
        if let Some(i) = chosen {
            accepted.problems.a.extend_from_slice(a);
            accepted.problems.b.extend_from_slice(b);
            accepted.traces.extend_from_slice(&forward[i * digits..(i + 1) * digits]);
        }
    }
    record.accepted = accepted.problems.len();
    accepted
}

/// Corrupts the answer of each accepted trace with probability `rate`: one
/// uniformly chosen step gets a different sum digit (carry kept), so the
/// answer is certainly wrong. Returns how many traces were corrupted.
pub fn inject_label_noise(accepted: &mut Accepted, rate: f64, rng: &mut Pcg64) -> usize {
    use rand::Rng;
    let digits = accepted.problems.digits;
    let mut injected = 0;
    for trace in accepted.traces.chunks_mut(digits) {
        if rng.random::<f64>() < rate {
            let position = rng.random_range(0..digits);
            let shift = rng.random_range(1..10u8);
            let output = trace[position];
            trace[position] = (((output >> 1) + shift) % 10) * 2 + (output & 1);
            injected += 1;
        }
    }
    injected
}

/// Counts the contamination of what will be trained on.
pub fn count_contamination(accepted: &Accepted, record: &mut RoundRecord) {
    for (a, b, trace) in accepted.items() {
        record.wrong_answers += usize::from(!answer_is_correct(a, b, trace));
        record.wrong_trained_steps += wrong_steps(a, b, trace);
    }
}
