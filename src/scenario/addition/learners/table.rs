//! The learner: per-position step distributions learned by counting, and
//! length extrapolation with a generalisation gap and blind spots.
//!
//! At a trained position `p` the learner's distribution over outputs `o` in
//! context `c` is the smoothed count
//!
//! ```text
//! D_p(o | c) = (N_p(c, o) + s * Q_p(o | c)) / (N_p(c) + s)
//! ```
//!
//! where `N` counts the steps of its training traces, `s` is the prior
//! strength and `Q_p` the prior: uniform at position 0, and at later
//! positions the distribution the learner had there by extrapolation when it
//! was first trained there. At an untrained position the learner
//! extrapolates from the position before it:
//!
//! ```text
//! E_p(o | c) = (1 - gap) * D_{p-1}(o | c) + gap / 20, then at a blind spot
//! E_p(. | c) <- (1 - m) * E_p(. | c) + m * [o = w_p(c)]
//! ```
//!
//! with blind spots drawn once per position and context with probability
//! `blind_spot_rate`, `w` a plausible wrong output (carry flipped, or sum
//! digit off by one) and `m` the blind spot's mass. See docs/MODEL.md.

use std::sync::atomic::{AtomicU64, Ordering};

use rand::RngCore;
use rand_pcg::Pcg64;

use super::sampler::Tables;
use crate::scenario::addition::digits::{correct_output, reachable, step_contexts, CONTEXTS, OUTPUTS};

/// How the learner generalises and smooths.
#[derive(Clone, Copy, Debug)]
pub struct Generalisation {
    /// Uniform error mass mixed in at each extrapolated position.
    pub gap: f64,
    /// Chance that a context at a new position gets a blind spot.
    pub blind_spot_rate: f64,
    /// Probability mass a blind spot moves onto its wrong output.
    pub blind_spot_mass: f64,
    /// Pseudo-count weight `s` of the prior.
    pub prior_strength: f64,
    /// Chance that the pair of mirror contexts `(a, b, k)`, `(b, a, k)`
    /// shares one blind-spot draw (both blind with the same wrong output,
    /// or neither) instead of drawing independently.
    pub mirror_correlation: f64,
}

/// What one learner knows.
#[derive(Clone, Debug)]
pub struct Learner {
    generalisation: Generalisation,
    /// `N_p(c, o)` for trained positions, flat `CONTEXTS x OUTPUTS` per position.
    counts: Vec<Vec<u32>>,
    /// `Q_p`, frozen when position `p` was first trained.
    priors: Vec<Vec<f32>>,
    /// `w_p(c)` where context `c` at position `p` is a blind spot; drawn on
    /// first use, then fixed for the run.
    blind_spots: Vec<Vec<Option<u8>>>,
    /// `[p][c]`: whether the counts of context `c` at trained position `p`
    /// changed since the last [`Learner::compile`], which rebuilds only those.
    stale: Vec<Vec<bool>>,
    /// The stamp of the last compilation, 0 before the first: the tables
    /// that carry it are this learner's as it stood then, at the
    /// temperature `compiled_temperature`.
    compiled: u64,
    compiled_temperature: f64,
}

/// Stamps of compilations, unique in the process, so that a learner can
/// tell the tables it last compiled from any others (which it rebuilds
/// whole). They decide only how much is rebuilt, never what.
static COMPILATIONS: AtomicU64 = AtomicU64::new(1);

/// The mirror of a context: `(a, b, k)` read as `(b, a, k)`, the step
/// the same position of `b + a` takes.
pub fn mirror(context: usize) -> usize {
    let (a, b, carry) = (context / 20, (context / 2) % 10, context % 2);
    b * 20 + a * 2 + carry
}

/// The three plausible wrong outputs of a context: the carry flipped, or the
/// sum digit one higher or one lower (same carry).
pub fn plausible_wrong_outputs(context: usize) -> [u8; 3] {
    let truth = correct_output(context);
    let (digit, carry) = (truth >> 1, truth & 1);
    [truth ^ 1, ((digit + 1) % 10) * 2 + carry, ((digit + 9) % 10) * 2 + carry]
}

/// The number of systematic errors in positions `0..digits` of compiled
/// `tables` (of either learner): reachable (position, context) pairs whose
/// most likely output is wrong.
pub fn systematic_errors(tables: &Tables, digits: usize) -> usize {
    (0..digits.min(tables.positions()))
        .flat_map(|p| (0..CONTEXTS).map(move |c| (p, c)))
        .filter(|(p, c)| reachable(*p, *c))
        .filter(|(p, c)| tables.greedy_output(*p, *c) != correct_output(*c))
        .count()
}

impl Learner {
    /// A learner that knows nothing yet.
    pub fn new(generalisation: Generalisation) -> Self {
        Learner {
            generalisation,
            counts: Vec::new(),
            priors: Vec::new(),
            blind_spots: Vec::new(),
            stale: Vec::new(),
            compiled: 0,
            compiled_temperature: 1.0,
        }
    }

    /// The number of positions trained so far (positions `0..trained()`).
    pub fn trained(&self) -> usize {
        self.counts.len()
    }

    /// The blind spots at `position`, drawing them (and those of earlier
    /// positions) from `rng` the first time they are needed.
    pub fn blind_spots(&mut self, position: usize, rng: &mut Pcg64) -> &[Option<u8>] {
        let below = |draw: u64, chance: f64| (draw >> 32) < (chance * 4_294_967_296.0) as u64;
        while self.blind_spots.len() <= position {
            let rate = self.generalisation.blind_spot_rate;
            let mut spots: Vec<Option<u8>> = (0..CONTEXTS)
                .map(|c| {
                    let draw = rng.next_u64();
                    below(draw, rate)
                        .then(|| plausible_wrong_outputs(c)[(((draw & 0xffff_ffff) * 3) >> 32) as usize])
                })
                .collect();
            // A shared pair copies the lower context's draw to its mirror:
            // each context stays blind with `blind_spot_rate`, and mirrors
            // have the same plausible wrong outputs (the same digit sum).
            // No draws at 0, so the uncorrelated model's stream is unchanged.
            if self.generalisation.mirror_correlation > 0.0 {
                for c in 0..CONTEXTS {
                    let m = mirror(c);
                    if m > c && below(rng.next_u64(), self.generalisation.mirror_correlation) {
                        spots[m] = spots[c];
                    }
                }
            }
            self.blind_spots.push(spots);
        }
        &self.blind_spots[position]
    }

    /// `D_p` at a trained position.
    fn trained_distribution(&self, position: usize, out: &mut [f32]) {
        for (c, row) in out.chunks_exact_mut(OUTPUTS).enumerate() {
            self.trained_row(position, c, row);
        }
    }

    /// `D_p(. | c)` at a trained position.
    fn trained_row(&self, position: usize, context: usize, out: &mut [f32]) {
        let s = self.generalisation.prior_strength as f32;
        let row = context * OUTPUTS..(context + 1) * OUTPUTS;
        let (counts, prior) = (&self.counts[position][row.clone()], &self.priors[position][row]);
        let total: u32 = counts.iter().sum();
        let denominator = total as f32 + s;
        for ((o, n), q) in out.iter_mut().zip(counts).zip(prior) {
            *o = if denominator > 0.0 { (*n as f32 + s * q) / denominator } else { *q };
        }
    }

    /// `E_p` from `D_{p-1}` (in `previous`), with the blind spots of `position`.
    fn extrapolate(&mut self, position: usize, previous: &[f32], rng: &mut Pcg64, out: &mut [f32]) {
        let Generalisation { gap, blind_spot_mass, .. } = self.generalisation;
        let (gap, mass) = (gap as f32, blind_spot_mass as f32);
        for (o, p) in out.iter_mut().zip(previous) {
            *o = (1.0 - gap) * p + gap / OUTPUTS as f32;
        }
        for (c, spot) in self.blind_spots(position, rng).iter().enumerate() {
            if let Some(wrong) = spot {
                let row = &mut out[c * OUTPUTS..(c + 1) * OUTPUTS];
                row.iter_mut().for_each(|p| *p *= 1.0 - mass);
                row[*wrong as usize] += mass;
            }
        }
    }

    /// The learner's distribution at `position` (trained or extrapolated).
    pub fn distribution(&mut self, position: usize, rng: &mut Pcg64) -> Vec<f32> {
        let mut current = vec![0f32; CONTEXTS * OUTPUTS];
        if self.trained() == 0 {
            current.fill(1.0 / OUTPUTS as f32);
        } else {
            self.trained_distribution(position.min(self.trained() - 1), &mut current);
        }
        let mut next = vec![0f32; CONTEXTS * OUTPUTS];
        for p in self.trained().max(1)..=position {
            self.extrapolate(p, &current, rng, &mut next);
            std::mem::swap(&mut current, &mut next);
        }
        current
    }

    /// Counts the steps of `traces` (each with its operands) into positions
    /// `0..digits`, first making those positions trained ([`Learner::extend_to`]).
    pub fn train<'t>(
        &mut self,
        digits: usize,
        traces: impl IntoIterator<Item = (&'t [u8], &'t [u8], &'t [u8])>,
        rng: &mut Pcg64,
    ) {
        self.extend_to(digits, rng);
        for (a, b, trace) in traces {
            for (p, (c, output)) in step_contexts(a, b, trace).zip(trace).enumerate() {
                self.counts[p][c * OUTPUTS + *output as usize] += 1;
                self.stale[p][c] = true;
            }
        }
    }

    /// Makes positions `0..digits` trained: each untrained one gets the
    /// learner's current extrapolation there (uniform at position 0) as its
    /// prior, and no counts yet. Call it before changing any counts, so the
    /// prior is the extrapolation of the model that generated the data.
    pub fn extend_to(&mut self, digits: usize, rng: &mut Pcg64) {
        while self.trained() < digits {
            let prior = self.distribution(self.trained(), rng);
            self.priors.push(prior);
            self.counts.push(vec![0; CONTEXTS * OUTPUTS]);
            self.stale.push(vec![true; CONTEXTS]);
        }
    }

    /// Forgets every count (the `replace` data mode), keeping priors and
    /// blind spots: the learner's inductive bias survives retraining.
    pub fn clear_counts(&mut self) {
        self.counts.iter_mut().for_each(|c| c.fill(0));
        self.stale.iter_mut().for_each(|s| s.fill(true));
    }

    /// Adds counts gathered elsewhere (retained supervised data).
    pub fn add_counts(&mut self, counts: &[Vec<u32>]) {
        for (mine, theirs) in self.counts.iter_mut().zip(counts) {
            mine.iter_mut().zip(theirs).for_each(|(m, t)| *m += t);
        }
        self.stale.iter_mut().for_each(|s| s.fill(true));
    }

    /// The counts `N_p(c, o)` of every trained position (copied to retain
    /// the supervised data).
    pub fn counts(&self) -> &[Vec<u32>] {
        &self.counts
    }

    /// Compiles positions `0..=last` into `tables`.
    ///
    /// When `tables` are the ones this learner compiled into last, only the
    /// contexts whose counts changed since (and the extrapolated positions)
    /// are rebuilt; any other tables are rebuilt whole. Either way they end
    /// up the same.
    pub fn compile(&mut self, last: usize, temperature: f64, rng: &mut Pcg64, tables: &mut Tables) {
        let mut buffer = vec![0f32; CONTEXTS * OUTPUTS];
        let incremental =
            self.compiled != 0 && tables.stamp() == self.compiled && self.compiled_temperature == temperature;
        for p in 0..=last.min(self.trained().saturating_sub(1)) {
            if p < self.trained() {
                if incremental && p < tables.positions() {
                    // Both carries of a digit pair share their table words,
                    // so they are rebuilt together when either changed.
                    for digits in
                        (0..CONTEXTS / 2).filter(|d| self.stale[p][2 * d] || self.stale[p][2 * d + 1])
                    {
                        let rows = &mut buffer[..2 * OUTPUTS];
                        self.trained_row(p, 2 * digits, &mut rows[..OUTPUTS]);
                        self.trained_row(p, 2 * digits + 1, &mut rows[OUTPUTS..]);
                        tables.set_digit_pair(p, digits, rows, temperature);
                    }
                } else {
                    self.trained_distribution(p, &mut buffer);
                    tables.set_position(p, &buffer, temperature);
                }
                self.stale[p].fill(false);
            }
        }
        if last >= self.trained() {
            let mut next = vec![0f32; CONTEXTS * OUTPUTS];
            if self.trained() == 0 {
                buffer.fill(1.0 / OUTPUTS as f32);
                tables.set_position(0, &buffer, temperature);
            } else {
                self.trained_distribution(self.trained() - 1, &mut buffer);
            }
            for p in self.trained().max(1)..=last {
                self.extrapolate(p, &buffer, rng, &mut next);
                std::mem::swap(&mut buffer, &mut next);
                tables.set_position(p, &buffer, temperature);
            }
        }
        self.compiled = COMPILATIONS.fetch_add(1, Ordering::Relaxed);
        self.compiled_temperature = temperature;
        tables.set_stamp(self.compiled);
    }

    /// The distribution at `position` without drawing a random number:
    /// `None` when it would need blind spots not drawn yet (a position past
    /// the last one compiled). Measurements read the model through this, so
    /// measuring never moves a run's random stream.
    pub fn drawn_distribution(&mut self, position: usize) -> Option<Vec<f32>> {
        // With every blind spot up to `position` drawn, `distribution` never
        // touches the generator it is given.
        let drawn = position < self.trained() || position < self.blind_spots.len();
        drawn.then(|| self.distribution(position, &mut Pcg64::new(0, 0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::addition::digits::{solve, Problems};
    use rand::SeedableRng;

    fn generalisation(gap: f64, blind_spot_rate: f64) -> Generalisation {
        Generalisation {
            gap,
            blind_spot_rate,
            blind_spot_mass: 0.6,
            prior_strength: 1.0,
            mirror_correlation: 0.0,
        }
    }

    fn train_on_truth(learner: &mut Learner, problems: &Problems, rng: &mut Pcg64) {
        let mut traces = vec![0u8; problems.a.len()];
        for (i, trace) in traces.chunks_mut(problems.digits).enumerate() {
            let (a, b) = problems.operands(i);
            solve(a, b, trace);
        }
        let items: Vec<_> = (0..problems.len())
            .map(|i| {
                let (a, b) = problems.operands(i);
                (a, b, &traces[i * problems.digits..(i + 1) * problems.digits])
            })
            .collect();
        learner.train(problems.digits, items, rng);
    }

    #[test]
    fn plausible_wrong_outputs_are_wrong_and_distinct() {
        for c in 0..CONTEXTS {
            let wrong = plausible_wrong_outputs(c);
            assert!(wrong.iter().all(|w| *w != correct_output(c) && (*w as usize) < OUTPUTS));
            assert!(wrong[0] != wrong[1] && wrong[1] != wrong[2] && wrong[0] != wrong[2]);
        }
    }

    #[test]
    fn smoothed_counts_follow_the_formula() {
        let mut rng = Pcg64::seed_from_u64(1);
        let mut learner = Learner::new(generalisation(0.0, 0.0));
        // Three steps of 1 + 2 at position 0: N(c, 3*2) = 3, prior uniform 1/20.
        let (a, b, trace) = (vec![1u8], vec![2u8], vec![6u8]);
        learner.train(1, (0..3).map(|_| (&a[..], &b[..], &trace[..])), &mut rng);
        let d = learner.distribution(0, &mut rng);
        let c = crate::scenario::addition::digits::context(1, 2, 0);
        // (3 + 1 * 0.05) / (3 + 1) and (0 + 0.05) / 4.
        assert!((d[c * OUTPUTS + 6] - 3.05 / 4.0).abs() < 1e-6);
        assert!((d[c * OUTPUTS + 5] - 0.05 / 4.0).abs() < 1e-6);
    }

    #[test]
    fn extrapolation_mixes_in_the_gap_and_blind_spots_become_the_mode() {
        let mut rng = Pcg64::seed_from_u64(2);
        let mut learner = Learner::new(generalisation(0.1, 0.5));
        train_on_truth(&mut learner, &Problems::draw(4000, 1, &mut rng), &mut rng);
        let trained = learner.distribution(0, &mut rng);
        let next = learner.distribution(1, &mut rng);
        let spots = learner.blind_spots(1, &mut rng).to_vec();
        let mut tables = Tables::default();
        learner.compile(1, 1.0, &mut rng, &mut tables);
        for (c, spot) in spots.iter().enumerate() {
            let truth = c * OUTPUTS + correct_output(c) as usize;
            match *spot {
                None => assert!((next[truth] - (0.9 * trained[truth] + 0.005)).abs() < 1e-5),
                Some(w) => {
                    assert!((next[truth] - 0.4 * (0.9 * trained[truth] + 0.005)).abs() < 1e-5);
                    assert_eq!(tables.greedy_output(1, c), w);
                }
            }
        }
        // Half the 200 contexts are drawn as blind spots: sd sqrt(200/4) = 7.1.
        let count = spots.iter().flatten().count();
        assert!(count.abs_diff(100) < 36, "{count}");
    }

    #[test]
    fn compiling_only_what_changed_gives_the_tables_compiling_everything_does() {
        // One learner trained round by round, its tables updated in place
        // (only changed contexts rebuilt), against tables compiled whole
        // from a clone after every round. Rounds of few problems leave
        // most contexts unchanged, so the incremental path is exercised.
        let mut rng = Pcg64::seed_from_u64(4);
        let mut learner = Learner::new(generalisation(0.05, 0.01));
        train_on_truth(&mut learner, &Problems::draw(300, 3, &mut rng), &mut rng);
        let mut kept = Tables::default();
        for round in 0..6 {
            let digits = 3 + round / 2;
            learner.compile(digits, 1.0, &mut rng, &mut kept);
            let mut whole = Tables::default();
            learner.clone().compile(digits, 1.0, &mut rng.clone(), &mut whole);
            assert!(kept.same_entries(&whole), "round {round}");
            // A few wrong traces, so counts move away from the truth too.
            let problems = Problems::draw(5, digits, &mut rng);
            let mut traces = vec![0u8; problems.a.len()];
            traces.iter_mut().for_each(|t| *t = (rng.next_u32() % 20) as u8);
            let items: Vec<_> = (0..problems.len())
                .map(|i| {
                    let (a, b) = problems.operands(i);
                    (a, b, &traces[i * digits..(i + 1) * digits])
                })
                .collect();
            learner.train(digits, items, &mut rng);
            if round == 3 {
                learner.clear_counts();
            }
        }
        // Tables another learner compiled last are rebuilt whole.
        let mut other = Learner::new(generalisation(0.05, 0.01));
        train_on_truth(&mut other, &Problems::draw(300, 3, &mut rng), &mut rng);
        let mut shared = Tables::default();
        learner.compile(5, 1.0, &mut rng, &mut shared);
        other.compile(5, 1.0, &mut rng, &mut shared);
        learner.compile(5, 1.0, &mut rng, &mut shared);
        let mut whole = Tables::default();
        learner.clone().compile(5, 1.0, &mut rng, &mut whole);
        assert!(shared.same_entries(&whole));
    }

    #[test]
    fn mirror_correlation_shares_blind_spots_without_changing_their_rate() {
        // 200 positions x 180 asymmetric contexts at rate 0.2: about 7,200
        // blind spots. Correlation 1 mirrors every one; 0.5 mirrors a share
        // 0.5 + 0.5 * 0.2 / 3 (independent draws match by chance: mirror
        // blind, same of three outputs) = 0.533; 0 only the chance 0.067.
        // Each context stays blind with rate 0.2.
        for (correlation, expected) in [(0.0, 0.2 / 3.0), (0.5, 0.5 + 0.1 / 3.0), (1.0, 1.0)] {
            let mut learner =
                Learner::new(Generalisation { mirror_correlation: correlation, ..generalisation(0.0, 0.2) });
            let mut rng = Pcg64::seed_from_u64(3);
            let (mut blind, mut mirrored, mut contexts) = (0usize, 0usize, 0usize);
            for position in 0..200 {
                let spots = learner.blind_spots(position, &mut rng).to_vec();
                for (c, spot) in spots.iter().enumerate().filter(|(c, _)| mirror(*c) != *c) {
                    contexts += 1;
                    if spot.is_some() {
                        blind += 1;
                        mirrored += usize::from(spots[mirror(c)] == *spot);
                    }
                }
            }
            // Binomial sd of the blind count: sqrt(36000 * 0.16) = 76; of the
            // mirrored share: sqrt(p (1 - p) / 7200) <= 0.006. 5 sd each.
            assert!((blind as f64 - 0.2 * contexts as f64).abs() < 380.0, "{correlation}: {blind} blind");
            let share = mirrored as f64 / blind as f64;
            assert!((share - expected).abs() < 0.03, "{correlation}: {share} mirrored");
        }
        assert_eq!(
            mirror(crate::scenario::addition::digits::context(3, 7, 1)),
            crate::scenario::addition::digits::context(7, 3, 1)
        );
    }

    #[test]
    fn greedy_answers_are_judged_as_the_greedy_trace_would_be() {
        // A learner with many blind spots past its 2 trained digits, so
        // greedy traces go wrong in many ways (carries included); each
        // problem's greedy trace is built step by step from the greedy table
        // and checked with `answer_is_correct`.
        use super::super::sampler::{greedy_is_right, Tables};
        use crate::scenario::addition::digits::{answer_is_correct, carry, context};
        let mut rng = Pcg64::seed_from_u64(14);
        let mut learner = Learner::new(Generalisation {
            gap: 0.3,
            blind_spot_rate: 0.2,
            blind_spot_mass: 0.9,
            prior_strength: 1.0,
            mirror_correlation: 0.0,
        });
        let problems = Problems::draw(500, 2, &mut rng);
        let mut traces = vec![0u8; problems.a.len()];
        for (i, trace) in traces.chunks_mut(2).enumerate() {
            let (a, b) = problems.operands(i);
            solve(a, b, trace);
        }
        let items: Vec<_> = (0..problems.len())
            .map(|i| {
                let (a, b) = problems.operands(i);
                (a, b, &traces[i * 2..(i + 1) * 2])
            })
            .collect();
        learner.train(2, items, &mut rng);
        let mut tables = Tables::default();
        learner.compile(11, 1.0, &mut rng, &mut tables);
        let (mut right, mut total) = (0, 0);
        for digits in 1..=12 {
            let problems = Problems::draw(200, digits, &mut rng);
            for i in 0..problems.len() {
                let (a, b) = problems.operands(i);
                let mut trace = vec![0u8; digits];
                let mut carry_in = 0;
                for (p, step) in trace.iter_mut().enumerate() {
                    *step = tables.greedy_output(p, context(a[p], b[p], carry_in));
                    carry_in = carry(*step);
                }
                let expected = answer_is_correct(a, b, &trace);
                assert_eq!(greedy_is_right(&tables, a, b), expected, "{a:?} + {b:?}: {trace:?}");
                (right, total) = (right + usize::from(expected), total + 1);
            }
        }
        assert!(right > total / 10 && right < total * 9 / 10, "{right} of {total} right");
    }
}
