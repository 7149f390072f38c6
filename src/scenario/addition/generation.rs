//! One round's generation: sample traces for every problem, run the
//! verifier on them, and keep what passes, counting as it goes.

use rand_pcg::Pcg64;

use super::checks::modal_answer;
use super::config::Config;
use super::digits::{answer_is_correct, wrong_steps, CorrectSteps, Problems};
use super::learners::sampler::{
    sample_traces, sample_traces_unfaithful, Reliance, Rows, SlipThreshold, Tables,
};
use super::measures::diagnostics::distinct_answers;
use super::measures::metrics::RoundRecord;
use super::verifier::{Sampled, Verdict, Writers};

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

/// How a round writes its traces: the slip rate, and the unfaithful chain
/// of thought's coins when `cot_reliance` is below 1 (`None` at 1, where
/// nothing is drawn but the run's own stream).
struct Writing<'a> {
    slip: SlipThreshold,
    reliance: Option<&'a mut Reliance>,
}

impl Writing<'_> {
    /// Samples `out.len() / rows.len()` traces of the problem whose `rows`
    /// these are from `tables`, one after another.
    fn sample(&mut self, tables: &Tables, rows: &Rows, rng: &mut Pcg64, out: &mut [u8]) {
        match self.reliance.as_deref_mut() {
            None => sample_traces(tables, rows, self.slip, rng, out),
            Some(reliance) => sample_traces_unfaithful(tables, rows, self.slip, reliance, rng, out),
        }
    }

    /// Samples `out.len() / a.len()` traces of `a + b` from `tables` into
    /// `out`, one after another (`rows` is scratch space).
    fn sample_many(
        &mut self,
        tables: &Tables,
        (a, b): (&[u8], &[u8]),
        rng: &mut Pcg64,
        rows: &mut Rows,
        out: &mut [u8],
    ) {
        tables.rows(a, b, rows);
        self.sample(tables, rows, rng, out);
    }
}

/// [`Writing::sample_many`] at reliance 1.
#[cfg(test)]
fn sample_many(
    tables: &Tables,
    (a, b): (&[u8], &[u8]),
    slip: SlipThreshold,
    rng: &mut Pcg64,
    rows: &mut Rows,
    out: &mut [u8],
) {
    Writing { slip, reliance: None }.sample_many(tables, (a, b), rng, rows, out);
}

/// Counts a batch of generated traces of the problem whose correct steps
/// are `truth` into the round's step statistics.
fn count_steps(record: &mut RoundRecord, truth: &CorrectSteps, traces: &[u8], digits: usize) {
    for trace in traces.chunks(digits) {
        record.generated_steps += digits;
        record.wrong_generated_steps += truth.wrong_steps(trace);
    }
}

/// Generates and verifies `config.problems` problems of `digits` digits.
/// `tables` holds one compiled learner per committee member (one unless
/// the verifier is `committee`); the first is the learner being trained.
/// `reliance` is the run's unfaithful-chain generator (`None` at reliance 1).
pub fn generate_round(
    config: &Config,
    digits: usize,
    tables: &[Tables],
    rng: &mut Pcg64,
    reliance: Option<&mut Reliance>,
    record: &mut RoundRecord,
) -> Accepted {
    let mut writing = Writing { slip: SlipThreshold::new(config.noise_rate), reliance };
    let settings = config.verifying();
    let writers = config.verifier.writers(&settings);
    debug_assert!(tables.len() >= writers.learners());
    let drawn = writers.traces();
    let mut forward = vec![0u8; drawn * digits];
    let mut backward = vec![0u8; drawn * digits];
    let (mut rows, mut truth) = (Rows::default(), CorrectSteps::default());
    let mut accepted = Accepted { problems: Problems { digits, ..Problems::default() }, traces: Vec::new() };
    record.frontier_digits = digits;
    record.problems = config.problems;
    // One batch of operands per round rather than an allocation per problem.
    let problems = Problems::draw(config.problems, digits, rng);
    for problem in 0..config.problems {
        let (a, b) = problems.operands(problem);
        match writers {
            Writers::Members { .. } => {
                // Rows depend on the operands only, so the members share them.
                tables[0].rows(a, b, &mut rows);
                for (member, trace) in tables.iter().zip(forward.chunks_mut(digits)) {
                    writing.sample(member, &rows, rng, trace);
                }
            }
            Writers::Learner { .. } => writing.sample_many(&tables[0], (a, b), rng, &mut rows, &mut forward),
        }
        truth.solve(a, b);
        count_steps(record, &truth, &forward, digits);
        let mode = modal_answer(&forward, digits);
        if drawn > 1 {
            record.distinct_answers_sum += distinct_answers(&forward, digits, mode.1);
            record.distinct_answer_problems += 1;
        }
        let sample_mirror = |out: &mut [u8], rng: &mut Pcg64| {
            writing.sample_many(&tables[0], (b, a), rng, &mut rows, out);
            truth.solve(b, a);
            count_steps(record, &truth, out, digits);
        };
        let sampled = Sampled { a, b, traces: &forward, mode };
        let Verdict { chosen, agreement } =
            config.verifier.choose(&settings, sampled, &mut backward, sample_mirror, rng);
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

/// Counts the contamination of what will be trained on: wrong answers,
/// wrong steps, and right answers reached through a wrong step.
pub fn count_contamination(accepted: &Accepted, record: &mut RoundRecord) {
    for (a, b, trace) in accepted.items() {
        let right = answer_is_correct(a, b, trace);
        let wrong = wrong_steps(a, b, trace);
        record.wrong_answers += usize::from(!right);
        record.wrong_trained_steps += wrong;
        record.wrong_step_right_answers += usize::from(right && wrong > 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;
    use crate::scenario::addition::checks;
    use crate::scenario::addition::config::PARAMS;
    use crate::scenario::addition::digits::{correct_output, CONTEXTS, OUTPUTS};
    use crate::scenario::addition::learners::table::{Generalisation, Learner};
    use crate::scenario::addition::verifier::VERIFIER_NAMES;
    use crate::value::Value;
    use rand::SeedableRng;

    /// Tables whose every position puts all mass on the correct output.
    fn perfect_tables(positions: usize) -> Tables {
        let mut distribution = vec![0f32; CONTEXTS * OUTPUTS];
        for c in 0..CONTEXTS {
            distribution[c * OUTPUTS + correct_output(c) as usize] = 1.0;
        }
        let mut tables = Tables::default();
        (0..positions).for_each(|p| tables.set_position(p, &distribution, 1.0));
        tables
    }

    fn binomial_tail(n: u64, p: f64, at_least: u64) -> f64 {
        let choose = |k: u64| (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64);
        (at_least..=n).map(|k| choose(k) * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32)).sum()
    }

    #[test]
    fn majority_accepts_sampled_slips_at_the_binomial_rate() {
        // One-digit problems from a perfect learner with slip rate q = 0.5:
        // a slip draws one of 20 outputs uniformly, and for one digit the
        // output is the answer, so a sample is right with r = 1 - q + q/20
        // = 0.525 and gives each of the 19 wrong answers with w = q/20 =
        // 0.025. Five samples with quorum 1/2 are accepted when some answer
        // has at least 3 votes; at most one answer can, so
        // P = B(>=3; 5, r) + 19 B(>=3; 5, w) = 0.546797 + 0.002859 = 0.549655.
        let tables = perfect_tables(1);
        let slip = SlipThreshold::new(0.5);
        let mut rng = Pcg64::seed_from_u64(21);
        let trials = 20_000;
        let mut traces = vec![0u8; 5];
        let mut accepted = 0;
        for _ in 0..trials {
            let problem = Problems::draw(1, 1, &mut rng);
            let (a, b) = problem.operands(0);
            sample_many(&tables, (a, b), slip, &mut rng, &mut Rows::default(), &mut traces);
            accepted += usize::from(checks::majority(&traces, 1, 0.5).is_some());
        }
        let expected = binomial_tail(5, 0.525, 3) + 19.0 * binomial_tail(5, 0.025, 3);
        assert!((expected - 0.549655).abs() < 1e-6, "{expected}");
        // sd of the count: sqrt(20000 * 0.5497 * 0.4503) = 70.4; 5 sd = 352.
        assert!((accepted as f64 - expected * trials as f64).abs() < 352.0, "{accepted}");
    }

    /// Over `trials` traces of random 4-digit problems from a perfect
    /// learner at slip rate 0.2 and reliance `reliance`: the first step's
    /// (digit wrong only, carry wrong only, both), and the right answers.
    fn unfaithful_counts(reliance: f64, trials: usize, seed: u64) -> ([usize; 3], usize) {
        use crate::scenario::addition::digits::{carry, digit, solve};
        let tables = perfect_tables(4);
        let mut rng = Pcg64::seed_from_u64(seed);
        let mut coins = Reliance::new(reliance, 0.2, Pcg64::seed_from_u64(seed + 1));
        let mut writing =
            Writing { slip: SlipThreshold::new(0.2), reliance: (reliance < 1.0).then_some(&mut coins) };
        let (mut first, mut right) = ([0; 3], 0);
        let (mut trace, mut truth) = ([0u8; 4], [0u8; 4]);
        let problems = Problems::draw(trials, 4, &mut rng);
        for i in 0..trials {
            let (a, b) = problems.operands(i);
            writing.sample_many(&tables, (a, b), &mut rng, &mut Rows::default(), &mut trace);
            solve(a, b, &mut truth);
            let (digit_wrong, carry_wrong) =
                (digit(trace[0]) != digit(truth[0]), carry(trace[0]) != carry(truth[0]));
            match (digit_wrong, carry_wrong) {
                (true, false) => first[0] += 1,
                (false, true) => first[1] += 1,
                (true, true) => first[2] += 1,
                _ => {}
            }
            right += usize::from(answer_is_correct(a, b, &trace));
        }
        (first, right)
    }

    #[test]
    fn an_unfaithful_step_slips_its_digit_and_its_carry_apart_at_the_faithful_rates() {
        // Slip rate q = 0.2, perfect learner. A faithful step's slip is one
        // of 20 outputs: digit wrong only 9q/20, carry wrong only q/20, both
        // 9q/20. An unfaithful one (reliance 0) slips its digit (wrong 9q/10)
        // and flips its carry (q/2) independently: digit only 0.18 * 0.9 =
        // 0.162, carry only 0.82 * 0.1 = 0.082, both 0.018; the same
        // marginals (digit wrong 0.18, carry wrong 0.1) as the faithful step.
        // Reliance 0.5 is the even mixture. Its answer is right when no
        // digit slipped and the last carry (the top digit) did not flip,
        // since no step reads a written carry: 0.82^4 * 0.9 = 0.406862.
        let trials = 100_000;
        let expected: [(f64, [f64; 3]); 3] =
            [(1.0, [0.09, 0.01, 0.09]), (0.5, [0.126, 0.046, 0.054]), (0.0, [0.162, 0.082, 0.018])];
        for (reliance, shares) in expected {
            let (first, right) = unfaithful_counts(reliance, trials, 50);
            for (count, p) in first.iter().zip(shares) {
                // 5 binomial sd of the count.
                let sd = (trials as f64 * p * (1.0 - p)).sqrt();
                assert!(
                    (*count as f64 - p * trials as f64).abs() < 5.0 * sd,
                    "reliance {reliance}: {first:?}"
                );
            }
            if reliance == 0.0 {
                let p = 0.82f64.powi(4) * 0.9;
                let sd = (trials as f64 * p * (1.0 - p)).sqrt();
                assert!((right as f64 - p * trials as f64).abs() < 5.0 * sd, "{right}");
            }
        }
    }

    #[test]
    fn below_reliance_one_the_run_stream_is_drawn_as_at_one() {
        // Without slips an unfaithful step writes what it computed, so the
        // traces are those of reliance 1, draw for draw from the same stream.
        use rand::RngCore;
        let tables = perfect_tables(6);
        let mut traces = Vec::new();
        for reliance in [1.0, 0.3] {
            let mut rng = Pcg64::seed_from_u64(51);
            let mut coins = Reliance::new(reliance, 0.0, Pcg64::seed_from_u64(52));
            let mut writing =
                Writing { slip: SlipThreshold::new(0.0), reliance: (reliance < 1.0).then_some(&mut coins) };
            let mut out = vec![0u8; 6 * 50];
            let problems = Problems::draw(50, 6, &mut rng);
            writing.sample_many(&tables, problems.operands(0), &mut rng, &mut Rows::default(), &mut out);
            traces.push((out, rng.next_u64()));
        }
        assert_eq!(traces[0], traces[1]);
    }

    #[test]
    fn label_noise_corrupts_that_share_of_answers() {
        let mut rng = Pcg64::seed_from_u64(22);
        let problems = Problems::draw(10_000, 4, &mut rng);
        let mut traces = vec![0u8; problems.a.len()];
        for (i, trace) in traces.chunks_mut(4).enumerate() {
            let (a, b) = problems.operands(i);
            crate::scenario::addition::digits::solve(a, b, trace);
        }
        let mut accepted = Accepted { problems, traces };
        let injected = inject_label_noise(&mut accepted, 0.3, &mut rng);
        let mut record = RoundRecord::default();
        count_contamination(&accepted, &mut record);
        // Every corrupted trace has a changed sum digit, so exactly the
        // injected ones are wrong; binomial sd sqrt(10000 * 0.21) = 45.8, 5 sd = 229.
        assert_eq!(record.wrong_answers, injected);
        assert!(injected.abs_diff(3000) < 229, "{injected}");
    }

    #[test]
    fn a_perfect_learner_without_slips_generates_clean_rounds() {
        for &verifier in VERIFIER_NAMES {
            let values = Params::with(
                PARAMS,
                &[
                    ("verifier", Value::Str(verifier.into())),
                    ("noise_rate", Value::Float(0.0)),
                    ("problems", Value::Int(200)),
                ],
            );
            let config = Config::from_params(&Params { specs: PARAMS, values: &values });
            let tables = vec![perfect_tables(8); config.committee_size];
            let mut record = RoundRecord::default();
            let mut rng = Pcg64::seed_from_u64(23);
            let accepted = generate_round(&config, 8, &tables, &mut rng, None, &mut record);
            count_contamination(&accepted, &mut record);
            assert_eq!(record.accepted, 200, "{verifier}");
            assert_eq!((record.wrong_answers, record.wrong_generated_steps), (0, 0), "{verifier}");
            assert!((record.agreement_sum - 200.0).abs() < 1e-9, "{verifier}");
            // Every problem drawing several traces gets one answer; `none` draws one.
            let several = if verifier == "none" { 0 } else { 200 };
            assert_eq!((record.distinct_answers_sum, record.distinct_answer_problems), (several, several));
        }
    }

    /// Wrong answers accepted by `commutative` over `trials` problems of
    /// `digits` digits when its second vote is over the mirror problem
    /// `b + a`, and when it is over fresh samples of `a + b` itself; and
    /// the problems where exactly one of the two accepted a wrong answer.
    fn wrong_accepted_by_mirror_and_by_resampling(
        tables: &Tables,
        digits: usize,
        trials: usize,
        rng: &mut Pcg64,
    ) -> (usize, usize, usize) {
        let slip = SlipThreshold::new(0.0);
        let mut forward = vec![0u8; 5 * digits];
        let (mut mirror, mut again) = (forward.clone(), forward.clone());
        let (mut by_mirror, mut by_resampling, mut discordant) = (0, 0, 0);
        let problems = Problems::draw(trials, digits, rng);
        for i in 0..trials {
            let (a, b) = problems.operands(i);
            let rows = &mut Rows::default();
            sample_many(tables, (a, b), slip, rng, rows, &mut forward);
            sample_many(tables, (b, a), slip, rng, rows, &mut mirror);
            sample_many(tables, (a, b), slip, rng, rows, &mut again);
            let wrong = |chosen: Option<usize>| {
                chosen.is_some_and(|t| !answer_is_correct(a, b, &forward[t * digits..(t + 1) * digits]))
            };
            let through_mirror = wrong(checks::commutative(&forward, &mirror, digits, 0.5));
            let through_resampling = wrong(checks::commutative(&forward, &again, digits, 0.5));
            by_mirror += usize::from(through_mirror);
            by_resampling += usize::from(through_resampling);
            discordant += usize::from(through_mirror != through_resampling);
        }
        (by_mirror, by_resampling, discordant)
    }

    #[test]
    fn with_fully_correlated_mirrors_commutativity_sees_nothing_a_second_vote_would_not() {
        // A learner trained on 1..3 digits extrapolating to 8, with many
        // blind spots and no other error. Without correlation the mirror
        // problem rarely shares a blind spot, so commutativity rejects most
        // wrong majorities; fully correlated, `b + a` is as blind as `a + b`
        // and checking against it is worth no more than a second majority
        // vote over fresh samples of `a + b` (which sees nothing majority
        // does not): the two must accept the same number of wrong answers.
        let mut counts = Vec::new();
        for correlation in [0.0, 1.0] {
            let mut rng = Pcg64::seed_from_u64(24);
            let mut learner = Learner::new(Generalisation {
                gap: 0.0,
                blind_spot_rate: 0.05,
                blind_spot_mass: 0.6,
                prior_strength: 1.0,
                mirror_correlation: correlation,
            });
            for digits in 1..=3 {
                let problems = Problems::draw(2000, digits, &mut rng);
                let mut traces = vec![0u8; problems.a.len()];
                for (i, trace) in traces.chunks_mut(digits).enumerate() {
                    let (a, b) = problems.operands(i);
                    crate::scenario::addition::digits::solve(a, b, trace);
                }
                let items = (0..problems.len()).map(|i| {
                    let (a, b) = problems.operands(i);
                    (a, b, &traces[i * digits..(i + 1) * digits])
                });
                learner.train(digits, items.collect::<Vec<_>>(), &mut rng);
            }
            let mut tables = Tables::default();
            learner.compile(7, 1.0, &mut rng, &mut tables);
            counts.push(wrong_accepted_by_mirror_and_by_resampling(&tables, 8, 20_000, &mut rng));
        }
        let [(independent_mirror, independent_resampled, _), (mirror, resampled, discordant)] = counts[..]
        else {
            unreachable!()
        };
        // Paired counts (the two share their first vote): under equality
        // the difference has sd sqrt(discordant problems) (McNemar).
        let sd = (discordant as f64).sqrt();
        assert!((mirror as f64 - resampled as f64).abs() < 4.0 * sd, "{counts:?}");
        assert!(2 * independent_mirror < independent_resampled, "{counts:?}");
    }
}
