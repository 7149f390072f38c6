//! The theory's reduced model: every context of every self-trained position
//! a chain of its own, with no traces, carries or answers.
//!
//! The blind-spot race in `race.rs` is exact for one blind spot's first
//! round but misses what drives `none` and weak checkers: a context that is
//! *not* a blind spot, trained on a handful of its own samples per round,
//! drifts, and its mode flips by chance; the copy into the next position
//! starts from the drifted distribution, so flips breed flips. This module
//! follows that mechanism and nothing else (docs/MODEL.md, "The theory"):
//!
//! * Contexts are independent. Each holds its counts and frozen prior per
//!   position, exactly as the learner does (`D = (N + s Q) / (N' + s)`), and
//!   a new position starts as `(1 - gap) D_prev + gap / 20` plus a blind
//!   spot with `blind_spot_rate` (shared with the mirror as the learner does).
//! * Each round every self-trained position's context is met
//!   `Poisson(problems / 200)` times; per meeting the verifier trains output
//!   `o` with the chance `a_o` it would if the trace's other steps were right
//!   but for slips (the same per-meeting laws as the race, for all 20
//!   outputs), computed from the context's distribution (and, under
//!   `commutative`, its mirror's) at the start of the round.
//! * A round's systematic errors are the contexts whose mode is wrong, and
//!   its frontier accuracy `exp(-S / 200)`.
//!
//! It is evaluated by Monte Carlo over [`CHAINS`] replicate runs of 200
//! contexts each, from a fixed seed, so it is a function of the parameters
//! alone; nothing in it reads a simulated number. Each replicate stops at its
//! own collapse, so a round's prediction averages the replicates still going,
//! as the simulated per-round means do. Every replicate of a point gets the
//! same prediction; each worker thread keeps the last point's (`predict`).

use std::cell::RefCell;
use std::rc::Rc;

use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

use super::prediction::Theory;
use crate::scenario::addition::config::{Config, DataMode};
use crate::scenario::addition::measures::growth::accumulation;
use crate::scenario::addition::measures::reach::{reach, REACH_ACCURACY};
use crate::scenario::addition::verifier::Settings;

/// Replicate runs of the reduced model per parameter point.
pub const CHAINS: usize = 40;
const CONTEXTS: usize = 200;
/// Contexts that are their own mirror (`a = b`): the first 20 here; the
/// other 180 are 90 pairs `(20 + 2j, 21 + 2j)`.
const SYMMETRIC: usize = 20;
const OUTPUTS: usize = 20;
/// Output 0 is the truth, 1..=3 the plausible wrong outputs, the rest others.
const TRUTH: usize = 0;
/// A fixed seed: the prediction is the same for every run of a point, and
/// points differ only by their parameters (common random numbers).
const SEED: u64 = 0x05ee_d7e0_c4a1;

/// The prediction for `config`, computed once per parameter point and
/// thread rather than once per run.
///
/// Per round, `systematic_errors` and `accuracy_frontier` are means over the
/// replicates still going (ending at the last round any replicate
/// reaches); `reach99` and `runway` are medians over replicates (no reach
/// ranks lowest, never collapsing highest); `beta` is the mean of the
/// replicates' `beta`, estimated as the runs table estimates it (0 where no
/// replicate has enough rounds).
///
/// Runs are numbered point-major and each worker takes consecutive runs, so
/// a one-entry memo per thread recomputes only when the point changes. It
/// is a cache of a pure function of the parameters (from its own fixed
/// seed): it cannot change a value, only when it is computed.
pub fn predict(config: &Config) -> Rc<Theory> {
    thread_local! {
        static LAST: RefCell<Option<(String, Rc<Theory>)>> = const { RefCell::new(None) };
    }
    // Every field of the configuration, so two points share a prediction
    // only when every parameter is the same.
    let key = format!("{config:?}");
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        match &*last {
            Some((cached, theory)) if *cached == key => Rc::clone(theory),
            _ => {
                let theory = Rc::new(compute(config));
                *last = Some((key, Rc::clone(&theory)));
                theory
            }
        }
    })
}

fn compute(config: &Config) -> Theory {
    // The chains and the evaluations draw from separate streams.
    let (mut rng, mut eval_rng) = (Pcg64::seed_from_u64(SEED), Pcg64::seed_from_u64(SEED + 1));
    let replicates: Vec<Vec<Round>> =
        (0..CHAINS).map(|_| replicate(config, &mut rng, &mut eval_rng)).collect();
    let rounds = replicates.iter().map(Vec::len).max().unwrap_or(0);
    let mut systematic_errors = Vec::with_capacity(rounds);
    let mut accuracy_frontier = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let going: Vec<Round> = replicates.iter().filter_map(|r| r.get(round).copied()).collect();
        let n = going.len() as f64;
        systematic_errors.push(going.iter().map(|r| r.errors as f64).sum::<f64>() / n);
        accuracy_frontier.push(going.iter().map(|r| accuracy(r.errors)).sum::<f64>() / n);
    }
    let mut reaches: Vec<Option<usize>> = replicates
        .iter()
        .map(|r| {
            let points: Vec<(usize, f64)> = r.iter().map(|x| (x.digits, x.measured)).collect();
            reach(&points, |a| a >= REACH_ACCURACY)
        })
        .collect();
    let mut runways: Vec<Option<usize>> = replicates
        .iter()
        .map(|r| r.iter().position(|x| x.measured < config.collapse_accuracy).map(|i| i + 1))
        .collect();
    reaches.sort();
    // Never collapsing ranks above every runway.
    runways.sort_by_key(|r| r.unwrap_or(usize::MAX));
    let betas: Vec<f64> = replicates
        .iter()
        .filter_map(|r| {
            let errors: Vec<(usize, usize)> =
                r.iter().map(|x| (x.digits - config.start_digits, x.errors)).collect();
            accumulation(0, &errors).map(|b| b.0)
        })
        .collect();
    let beta = if betas.is_empty() { 0.0 } else { betas.iter().sum::<f64>() / betas.len() as f64 };
    Theory {
        systematic_errors,
        accuracy_frontier,
        reach99: reaches[CHAINS / 2],
        runway: runways[CHAINS / 2],
        beta,
    }
}

/// One context at one position: its counts and frozen prior.
#[derive(Clone, Copy)]
struct Cell {
    counts: [f64; OUTPUTS],
    total: f64,
    prior: [f64; OUTPUTS],
    /// Its sampled law at the start of the last round it was trained.
    sampled: [f64; OUTPUTS],
    /// Whether the verifier can only ever train its mode from now on (so
    /// the mode never changes and the cell is no longer followed).
    settled: bool,
    wrong: bool,
    /// Once settled: its mode, and the counts its mode is expected to gain
    /// per round (the law's mean at settling).
    mode: usize,
    gain: f64,
}

impl Cell {
    /// The most likely output (ties to the truth, then the lowest).
    fn mode(&self, s: f64) -> usize {
        let weight = |o: usize| self.counts[o] + s * self.prior[o];
        (1..OUTPUTS).fold(TRUTH, |best, o| if weight(o) > weight(best) { o } else { best })
    }

    /// How far `mode`'s weight exceeds every other output's.
    fn lead(&self, mode: usize, s: f64) -> f64 {
        let weight = |o: usize| self.counts[o] + s * self.prior[o];
        (0..OUTPUTS).filter(|o| *o != mode).map(|o| weight(mode) - weight(o)).fold(f64::INFINITY, f64::min)
    }

    fn distribution(&self, s: f64) -> [f64; OUTPUTS] {
        let denominator = self.total + s;
        if denominator <= 0.0 {
            return self.prior;
        }
        std::array::from_fn(|o| (self.counts[o] + s * self.prior[o]) / denominator)
    }
}

/// What every context-round of a point shares, computed once.
struct Point<'a> {
    config: &'a Config,
    /// Pseudo-count weight of the prior.
    s: f64,
    /// The parameters the verifier reads.
    verifying: Settings,
    /// Below this chance per sample a vote passes an output with a chance
    /// `C(n, k) p^k` under 1e-6 per meeting; it is taken as 0. (A whole
    /// 40-round run has about 10^6 context-meetings, and one stray count
    /// flips a mode only where the truth has no count yet.)
    vote_floor: f64,
}

impl<'a> Point<'a> {
    fn new(config: &'a Config) -> Self {
        let n = config.samples;
        let k = (config.quorum * n as f64).floor() as usize + 1;
        let choose = (0..k.min(n)).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64);
        let vote_floor = if k > n { f64::INFINITY } else { (1e-6 / choose).powf(1.0 / k as f64) };
        Point { config, s: config.generalisation.prior_strength, verifying: config.verifying(), vote_floor }
    }

    /// What one sampled step writes: the distribution at temperature, then slips.
    fn sample_law(&self, d: &[f64; OUTPUTS]) -> [f64; OUTPUTS] {
        let config = self.config;
        let mut law = *d;
        if config.temperature != 1.0 {
            // Relative to the largest mass, so T = 0.05 does not underflow.
            let (t, top) = (1.0 / config.temperature, d.iter().copied().fold(0.0, f64::max));
            law.iter_mut().for_each(|p| *p = if top > 0.0 { (*p / top).powf(t) } else { 1.0 });
        }
        let scale = (1.0 - config.noise_rate) / law.iter().sum::<f64>();
        law.iter_mut().for_each(|p| *p = *p * scale + config.noise_rate / OUTPUTS as f64);
        law
    }

    /// The chance per meeting that the verifier trains each output, from the
    /// context's sampled law `q` and its mirror's `q_mirror`.
    fn trained_law(&self, q: &[f64; OUTPUTS], q_mirror: &[f64; OUTPUTS], rest: f64) -> [f64; OUTPUTS] {
        self.config.verifier.trained_law(&self.verifying, self.vote_floor, (q, q_mirror), TRUTH, rest)
    }
}

/// The frontier accuracy `S` systematic errors leave: a greedy trace meets
/// each with chance 1/200.
fn accuracy(errors: usize) -> f64 {
    (-(errors as f64) / CONTEXTS as f64).exp()
}

/// One round of a replicate: its systematic errors, and its frontier
/// accuracy as `eval_problems` problems would measure it (the simulation's
/// reach and runway read measured accuracies, whose counting noise is
/// about as large as the 1% margin).
#[derive(Clone, Copy)]
struct Round {
    errors: usize,
    measured: f64,
    /// The frontier length the round trained.
    digits: usize,
}

impl Point<'_> {
    /// A settled cell's sampled chances of the truth and of its mode, with
    /// the mass off its mode taken as spread evenly over the other 19
    /// outputs when tempering.
    fn settled_shares(&self, cell: &Cell) -> (f64, f64) {
        let weight = |o: usize| cell.counts[o] + self.s * cell.prior[o];
        let denominator = cell.total + self.s;
        let (mode, truth) = (weight(cell.mode) / denominator, weight(TRUTH) / denominator);
        let slip = |p: f64| (1.0 - self.config.noise_rate) * p + self.config.noise_rate / OUTPUTS as f64;
        if self.config.temperature == 1.0 {
            return (slip(truth), slip(mode));
        }
        let t = 1.0 / self.config.temperature;
        let other = ((1.0 - mode) / (OUTPUTS - 1) as f64).powf(t);
        let total = mode.powf(t) + (OUTPUTS - 1) as f64 * other;
        let tempered_mode = mode.powf(t) / total;
        let tempered_truth = if cell.mode == TRUTH { tempered_mode } else { truth.powf(t) / total };
        (slip(tempered_truth), slip(tempered_mode))
    }

    /// The chance the verifier accepts a problem whose samples write the
    /// truth at every step with chance `truth` and the model's mode with
    /// `mode`: a vote passes the modal answer (right or wrong); the
    /// commutative check needs both votes and that the two modal answers
    /// agree (`agree`); a checker passes the truth and, wrongly, a share
    /// `false_accept` of the rest.
    fn acceptance(&self, truth: f64, mode: f64, agree: f64) -> f64 {
        self.config.verifier.acceptance(&self.verifying, truth, mode, agree)
    }
}

/// One replicate run, up to its collapse (as measured), its stall or
/// `generations`. A round advances to a new position when the share of
/// `problems` its verifier accepts reaches `advance_threshold`, as in the
/// run; otherwise the next round retrains the same positions.
fn replicate(config: &Config, rng: &mut Pcg64, eval_rng: &mut Pcg64) -> Vec<Round> {
    let point = Point::new(config);
    // The last supervised position is taken to be sure of the truth.
    let mut certain = [0.0; OUTPUTS];
    certain[TRUTH] = 1.0;
    let mut positions: Vec<Vec<Cell>> = Vec::new();
    let mut rounds = Vec::new();
    let meetings = config.problems as f64 / CONTEXTS as f64;
    let slip_free = 1.0 - config.noise_rate * (OUTPUTS as f64 - 1.0) / OUTPUTS as f64;
    let (mut advanced, mut waiting) = (true, 0);
    for round in 0..config.generations {
        if advanced {
            positions.push(new_position(config, positions.last(), &certain, rng));
        }
        let digits = config.start_digits + positions.len();
        let noisy = config.label_noise_rounds.contains(&round);
        let corrupt = if noisy { config.label_noise / digits as f64 } else { 0.0 };
        // A cell is settled, and no longer followed, once its mode leads
        // every other output by 3 counts and the verifier is expected to
        // train other outputs fewer than 0.1 times in all the rounds left:
        // then the chance it ever changes mode is below 0.1^3 / 3! per
        // output, and the mode's lead only grows. Its counts freeze, which
        // only understates its mode when its mirror's vote reads it. Not
        // when counts are reset or corrupted later.
        let can_settle = config.data == DataMode::Accumulate && config.label_noise_rounds.end <= round;
        let rounds_left = (config.generations - round) as f64;
        // The chance one sample of a problem writes the truth, or the
        // model's mode, at every step: supervised positions are sure, so
        // only slips spoil them; each self-trained position contributes its
        // contexts' mean chance. `rest` for a position is the chance that
        // every *other* step writes the truth.
        let supervised = slip_free.powi(config.start_digits as i32);
        let (mut path_truth, mut path_mode) = (supervised, supervised);
        // The chance that the modal answers of `a + b` and `b + a` agree:
        // at each position the share of contexts whose mode is their
        // mirror's.
        let mut mirrors_agree = 1.0;
        let mut truth_at = Vec::with_capacity(positions.len());
        for cells in &mut positions {
            let (mut truth, mut mode) = (0.0, 0.0);
            let modes: Vec<usize> =
                cells.iter().map(|c| if c.settled { c.mode } else { c.mode(point.s) }).collect();
            let differ = (0..CONTEXTS).filter(|&c| modes[c] != modes[mirror(c)]).count();
            mirrors_agree *= 1.0 - differ as f64 / CONTEXTS as f64;
            for (cell, &cell_mode) in cells.iter_mut().zip(&modes) {
                let (t, m) = if cell.settled {
                    // Its mode gains its expected counts; only the two
                    // shares the acceptance needs are worked out.
                    cell.counts[cell.mode] += cell.gain;
                    cell.total += cell.gain;
                    point.settled_shares(cell)
                } else {
                    cell.sampled = point.sample_law(&cell.distribution(point.s));
                    (cell.sampled[TRUTH], cell.sampled[cell_mode])
                };
                truth += t;
                mode += m;
            }
            let truth = truth / CONTEXTS as f64;
            truth_at.push(truth);
            path_truth *= truth;
            path_mode *= mode / CONTEXTS as f64;
        }
        let mut wrong = 0;
        for (cells, truth) in positions.iter_mut().zip(&truth_at) {
            let rest = if *truth > 0.0 { path_truth / truth } else { 0.0 };
            for c in 0..CONTEXTS {
                if cells[c].settled {
                    wrong += usize::from(cells[c].wrong);
                    continue;
                }
                let law = point.trained_law(&cells[c].sampled, &cells[mirror(c)].sampled, rest);
                let cell = &mut cells[c];
                if config.data == DataMode::Replace {
                    cell.counts = [0.0; OUTPUTS];
                    cell.total = 0.0;
                }
                train(cell, &law, meetings, corrupt, rng);
                let mode = cell.mode(point.s);
                cell.wrong = mode != TRUTH;
                cell.settled = can_settle && {
                    let others: f64 =
                        law.iter().enumerate().filter(|(o, _)| *o != mode).map(|(_, a)| a).sum();
                    others * meetings * rounds_left < 0.1 && cell.lead(mode, point.s) >= 3.0
                };
                (cell.mode, cell.gain) = (mode, meetings * law[mode]);
                wrong += usize::from(cell.wrong);
            }
        }
        let measured =
            binomial(config.eval_problems, accuracy(wrong), eval_rng) as f64 / config.eval_problems as f64;
        rounds.push(Round { errors: wrong, measured, digits });
        if measured < config.collapse_accuracy {
            break;
        }
        let acceptance = point.acceptance(path_truth, path_mode, mirrors_agree);
        let accepted = binomial(config.problems, acceptance, eval_rng) as f64;
        advanced = accepted >= config.advance_threshold * config.problems as f64;
        waiting = if advanced { 0 } else { waiting + 1 };
        if waiting >= config.patience {
            break;
        }
    }
    rounds
}

fn mirror(context: usize) -> usize {
    if context < SYMMETRIC {
        context
    } else {
        context ^ 1
    }
}

/// A new position extrapolated from `previous` (or from certainty).
fn new_position(
    config: &Config,
    previous: Option<&Vec<Cell>>,
    certain: &[f64; OUTPUTS],
    rng: &mut Pcg64,
) -> Vec<Cell> {
    let g = config.generalisation;
    let mut blind: Vec<Option<usize>> =
        (0..CONTEXTS).map(|_| rng.random_bool(g.blind_spot_rate).then(|| rng.random_range(1..=3))).collect();
    if g.mirror_correlation > 0.0 {
        for c in (SYMMETRIC..CONTEXTS).step_by(2) {
            if rng.random_bool(g.mirror_correlation) {
                blind[c + 1] = blind[c];
            }
        }
    }
    (0..CONTEXTS)
        .map(|c| {
            let from = previous.map_or(*certain, |cells| cells[c].distribution(g.prior_strength));
            let mut prior: [f64; OUTPUTS] =
                std::array::from_fn(|o| (1.0 - g.gap) * from[o] + g.gap / OUTPUTS as f64);
            if let Some(w) = blind[c] {
                prior.iter_mut().for_each(|p| *p *= 1.0 - g.blind_spot_mass);
                prior[w] += g.blind_spot_mass;
            }
            Cell {
                counts: [0.0; OUTPUTS],
                total: 0.0,
                prior,
                sampled: [0.0; OUTPUTS],
                settled: false,
                wrong: false,
                mode: TRUTH,
                gain: 0.0,
            }
        })
        .collect()
}

/// One round's training of a context: `Poisson(meetings x sum a)`
/// trained meetings, each output `o` with chance `a_o / sum a`, a share
/// `corrupt` of them turned into a wrong sum digit. Past [`NORMAL_FROM`]
/// meetings a round the counts are drawn per output (Poisson thinning),
/// so a million problems a round cost no more than a thousand.
fn train(cell: &mut Cell, law: &[f64; OUTPUTS], meetings: f64, corrupt: f64, rng: &mut Pcg64) {
    let total: f64 = law.iter().sum();
    if total <= 0.0 {
        return;
    }
    let mut counts = [0usize; OUTPUTS];
    if meetings * total <= NORMAL_FROM {
        for _ in 0..poisson(meetings * total, rng) {
            let mut u = rng.random::<f64>() * total;
            let mut o = OUTPUTS - 1;
            for (i, a) in law.iter().enumerate() {
                if u < *a {
                    o = i;
                    break;
                }
                u -= a;
            }
            counts[o] += 1;
        }
    } else {
        for (count, a) in counts.iter_mut().zip(law) {
            *count = poisson(meetings * a, rng);
        }
    }
    for (o, count) in counts.into_iter().enumerate() {
        let corrupted = if corrupt > 0.0 { binomial(count, corrupt.min(1.0), rng) } else { 0 };
        cell.counts[o] += (count - corrupted) as f64;
        // A corrupted label gets one of the other nine sum digits: two of
        // them are the plausible off-by-one outputs.
        for _ in 0..corrupted {
            let target = if rng.random_range(0..9) < 2 {
                rng.random_range(2..=3)
            } else {
                rng.random_range(4..OUTPUTS)
            };
            cell.counts[target] += 1.0;
        }
        cell.total += count as f64;
    }
}

/// The Poisson mean from which draws use the normal approximation.
const NORMAL_FROM: f64 = 64.0;

/// A `Binomial(n, p)` draw: the count of the rarer side by inversion
/// (exact) while its mean is at most 50, else the normal approximation.
fn binomial(n: usize, p: f64, rng: &mut Pcg64) -> usize {
    let (rare, flipped) = if p > 0.5 { (1.0 - p, true) } else { (p, false) };
    let mean = n as f64 * rare;
    let count = if rare <= 0.0 {
        0
    } else if mean <= 50.0 {
        let (mut k, mut pmf) = (0, (1.0 - rare).powf(n as f64));
        let mut u: f64 = rng.random();
        while u > pmf && k < n {
            u -= pmf;
            pmf *= (n - k) as f64 / (k + 1) as f64 * rare / (1.0 - rare);
            k += 1;
        }
        k
    } else {
        (mean + standard_normal(rng) * (mean * (1.0 - rare)).sqrt()).round().clamp(0.0, n as f64) as usize
    };
    if flipped {
        n - count
    } else {
        count
    }
}

/// A Poisson draw: exact (Knuth's product of uniforms) up to a mean of
/// [`NORMAL_FROM`], the normal approximation beyond.
fn poisson(mean: f64, rng: &mut Pcg64) -> usize {
    if mean > NORMAL_FROM {
        return (mean + standard_normal(rng) * mean.sqrt()).round().max(0.0) as usize;
    }
    let limit = (-mean).exp();
    let mut count = 0;
    let mut product: f64 = rng.random();
    while product > limit {
        count += 1;
        product *= rng.random::<f64>();
    }
    count
}

/// A standard normal draw (Box-Muller), so no distribution crate is needed.
pub fn standard_normal(rng: &mut Pcg64) -> f64 {
    let (u, v): (f64, f64) = (rng.random(), rng.random());
    (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::addition::config::for_test as config;
    use crate::value::Value;

    #[test]
    fn a_model_without_slips_gap_or_blind_spots_never_errs() {
        for verifier in ["none", "majority", "commutative", "outcome"] {
            let prediction = compute(&config(&[
                ("verifier", Value::Str(verifier.into())),
                ("noise_rate", Value::Float(0.0)),
                ("gap", Value::Float(0.0)),
                ("blind_spot_rate", Value::Float(0.0)),
                ("generations", Value::Int(8)),
            ]));
            assert_eq!(prediction.systematic_errors, vec![0.0; 8], "{verifier}");
            assert_eq!(prediction.accuracy_frontier, vec![1.0; 8], "{verifier}");
            assert_eq!((prediction.reach99, prediction.runway), (Some(6 + 8), None), "{verifier}");
        }
    }

    #[test]
    fn the_memo_gives_every_point_its_own_prediction() {
        // Points alternating on one thread: each gets what computing it
        // afresh gives, whatever was asked before it.
        let short = config(&[("generations", Value::Int(3))]);
        let long = config(&[("generations", Value::Int(5))]);
        let (expected_short, expected_long) = (compute(&short), compute(&long));
        assert_ne!(expected_short, expected_long);
        for (point, expected) in [
            (&short, &expected_short),
            (&long, &expected_long),
            (&long, &expected_long),
            (&short, &expected_short),
        ] {
            assert_eq!(*predict(point), *expected);
        }
    }

    /// `P(N = k)` for `N ~ Poisson(mean)`, `k = 0..=max`, written out
    /// independently of the module's sampler.
    fn poisson_pmf(mean: f64, max: usize) -> Vec<f64> {
        (0..=max)
            .map(|k| (-mean).exp() * mean.powi(k as i32) / (1..=k).map(|i| i as f64).product::<f64>())
            .collect()
    }

    #[test]
    fn the_first_round_of_drift_is_the_poisson_race_of_nineteen_wrong_outputs() {
        // `none`, no blind spots, one round: a context starts at
        // E = (1 - g) [truth] + g / 20 with prior weight s = 1, meets its
        // slipped law Poisson(problems / 200) times, and errs when some wrong
        // output's count n_o + g / 20 beats n_T + 1 - g + g / 20, i.e. (the
        // counts being integers, g = 0.05) n_o >= n_T + 1. By Poisson
        // thinning the 20 counts are independent Poisson variables, so
        // P(wrong) = sum_t P(n_T = t) (1 - P(n_o <= t)^19).
        let (noise, gap, problems) = (0.2, 0.05, 400);
        let prediction = compute(&config(&[
            ("verifier", Value::Str("none".into())),
            ("noise_rate", Value::Float(noise)),
            ("gap", Value::Float(gap)),
            ("blind_spot_rate", Value::Float(0.0)),
            ("problems", Value::Int(problems)),
            ("generations", Value::Int(1)),
        ]));
        let lambda = problems as f64 / 200.0;
        let q_truth = (1.0 - noise) * (1.0 - gap + gap / 20.0) + noise / 20.0;
        let q_wrong = (1.0 - noise) * gap / 20.0 + noise / 20.0;
        let truth = poisson_pmf(lambda * q_truth, 40);
        let wrong = poisson_pmf(lambda * q_wrong, 40);
        let p: f64 = (0..40).map(|t| truth[t] * (1.0 - wrong[..=t].iter().sum::<f64>().powi(19))).sum();
        let expected = 200.0 * p;
        // 200 independent contexts in each of CHAINS replicates.
        let se = (200.0 * p * (1.0 - p) / CHAINS as f64).sqrt();
        let simulated = prediction.systematic_errors[0];
        assert!(expected > 10.0, "a test with something to count: {expected}");
        assert!((simulated - expected).abs() < 4.0 * se, "{simulated} against {expected} +- {se}");
    }

    #[test]
    fn the_binomial_draw_has_the_binomial_mean_and_variance() {
        // Both branches: inversion (rare side mean 10) and the normal one.
        let mut rng = Pcg64::seed_from_u64(3);
        for (n, p) in [(1000, 0.99), (1000, 0.4)] {
            let draws: Vec<f64> = (0..20_000).map(|_| binomial(n, p, &mut rng) as f64).collect();
            let mean = draws.iter().sum::<f64>() / draws.len() as f64;
            let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (draws.len() - 1) as f64;
            let (mu, sigma2) = (n as f64 * p, n as f64 * p * (1.0 - p));
            // The mean's standard error, and the variance's (about
            // sigma^2 sqrt(2 / draws) for a near-normal law).
            assert!((mean - mu).abs() < 4.0 * (sigma2 / 20_000.0).sqrt(), "{n} {p}: mean {mean}");
            assert!((var - sigma2).abs() < 4.0 * sigma2 * (2.0f64 / 20_000.0).sqrt(), "{n} {p}: var {var}");
        }
    }
}
