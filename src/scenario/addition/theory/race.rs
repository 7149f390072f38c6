//! The blind-spot race: what the parameters alone predict of new systematic
//! errors per digit (`beta`), then systematic errors and frontier accuracy
//! per round, runway and reach, from the fate of blind spots alone. It is
//! `committee`'s prediction; `chain.rs` refines it for the other verifiers.
//!
//! Nothing here reads a simulated number. The chain (docs/MODEL.md, "The
//! theory", states it with its approximations):
//!
//! 1. A blind spot at a new position puts mass `m` on a wrong output `w`.
//!    In the position's first round each of its 200 contexts is met by
//!    about `problems / 200` problems (100 digit pairs; the carry into a
//!    position is 1 half the time in the long run). Per meeting, the
//!    verifier trains `w` with probability `a_w` and the truth with `a_t`
//!    (exact binomial sums over the samples).
//! 2. The blind spot survives its first round with the chance `P` that,
//!    after those Poisson many meetings, `w` still outweighs the truth in
//!    the smoothed counts. If the verifier favours it (`a_w > a_t`) it is
//!    *persistent*: kept for good and copied into every later position.
//!    Otherwise it is *transient*: each later round, and each position it is
//!    copied into, is another such race, survived with `P` again. `beta` is
//!    the expected number of persistent blind spots per new position.
//! 3. So after `k` self-trained digits the position-`i` blind spots leave
//!    `(k - i + 1) P` copies if persistent and `(k - i + 1) P^(k - i + 1)` if
//!    transient; their sum is `S` (for persistent ones alone
//!    `S = sum_i (k - i + 1) beta_i`), and a greedy trace meets each
//!    systematic error with probability 1/200, so `accuracy = exp(-S / 200)`.

use super::prediction::Theory;
use crate::scenario::addition::config::Config;

/// Contexts per position, and those that are their own mirror (`a = b`).
const CONTEXTS: f64 = 200.0;
const SYMMETRIC: f64 = 20.0;
/// Outputs a step can write.
const OUTPUTS: f64 = 20.0;

/// The blind-spot race alone: persistent and transient blind spots, their
/// expected copies, and the mean count's accuracy, assuming every round
/// advances; `beta` is the persistent blind spots at the first
/// self-trained digit.
pub fn predict_by_race(config: &Config) -> Theory {
    // Round `r` (0-based) creates self-trained position `i = r + 1` and
    // trains `start_digits + i` digits.
    let kinds: Vec<Vec<Kind>> =
        (1..=config.generations).map(|i| blind_spot_kinds(config, config.start_digits + i)).collect();
    let beta = kinds.first().map_or(0.0, |k| persistent(k));
    let (mut systematic, mut accuracy) = (Vec::new(), Vec::new());
    for k in 1..=config.generations {
        let errors: f64 = (1..=k)
            .flat_map(|i| kinds[i - 1].iter().map(move |kind| (i, kind)))
            .map(|(i, kind)| {
                let age = (k - i + 1) as f64;
                let survives =
                    if kind.persistent { kind.survival } else { kind.survival.powi((k - i + 1) as i32) };
                kind.count * age * survives
            })
            .sum();
        systematic.push(errors);
        accuracy.push((-errors / CONTEXTS).exp());
    }
    let below = |bar: f64| accuracy.iter().position(|a| *a < bar);
    let reach99 = match below(0.99) {
        Some(0) => None,
        Some(round) => Some(config.start_digits + round),
        None => (config.generations > 0).then_some(config.start_digits + config.generations),
    };
    let runway = below(config.collapse_accuracy).map(|round| round + 1);
    Theory { beta, systematic_errors: systematic, accuracy_frontier: accuracy, reach99, runway }
}

/// One kind of blind spot at a new position: how many to expect, the chance
/// each survives a race, and whether the verifier then keeps it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Kind {
    pub count: f64,
    pub survival: f64,
    pub persistent: bool,
}

/// Expected persistent blind spots among `kinds`: `beta`.
pub fn persistent(kinds: &[Kind]) -> f64 {
    // A fold from +0.0: an empty float sum is -0.0.
    kinds.iter().filter(|k| k.persistent).fold(0.0, |total, k| total + k.count * k.survival)
}

/// The blind spots of a new position first trained in a round of
/// `digits`-digit problems, by kind.
pub fn blind_spot_kinds(config: &Config, digits: usize) -> Vec<Kind> {
    let rate = config.generalisation.blind_spot_rate;
    let kind = |count: f64, mirrored: bool| {
        let (survival, persistent) = race_at_blind_spot(config, digits, mirrored);
        Kind { count: count * rate, survival, persistent }
    };
    if !config.verifier.reads_the_mirror() {
        return vec![kind(CONTEXTS, true)];
    }
    // A blind spot whose mirror shares it fools both votes; one whose mirror
    // is clean is outvoted by `b + a`. Shared: every symmetric context, and
    // of the others those paired on purpose or blind alike by chance.
    let mirrored = config.generalisation.mirror_correlation
        + (1.0 - config.generalisation.mirror_correlation) * rate / 3.0;
    let shared = SYMMETRIC + (CONTEXTS - SYMMETRIC) * mirrored;
    vec![kind(shared, true), kind(CONTEXTS - shared, false)]
}

/// The sampling probabilities at a blind-spot context of a fresh position
/// (extrapolated from a confident one): `(truth, w, each other output)`
/// before slips, and the truth at a clean context.
fn sampled(config: &Config) -> ([f64; 3], f64) {
    let g = config.generalisation;
    let (m, gap) = (g.blind_spot_mass, g.gap);
    let tempered = |truth: f64, wrong: f64, other: f64| {
        let t = 1.0 / config.temperature;
        let (a, b, c) = (truth.powf(t), wrong.powf(t), other.powf(t));
        let total = a + b + (OUTPUTS - 2.0) * c;
        [a / total, b / total, c / total]
    };
    let blind = tempered(
        (1.0 - m) * (1.0 - gap + gap / OUTPUTS),
        m + (1.0 - m) * gap / OUTPUTS,
        (1.0 - m) * gap / OUTPUTS,
    );
    let clean = tempered(1.0 - gap + gap / OUTPUTS, gap / OUTPUTS, gap / OUTPUTS);
    (blind, clean[0])
}

/// The chance that a blind spot is still its context's mode after one
/// round, and whether the verifier favours it (`a_w > a_t`). `mirrored`
/// says whether the `b + a` vote shares it (only `commutative` asks).
pub fn race_at_blind_spot(config: &Config, digits: usize, mirrored: bool) -> (f64, bool) {
    let ([truth, wrong, _], clean) = sampled(config);
    let slip = |p: f64| (1.0 - config.noise_rate) * p + config.noise_rate / OUTPUTS;
    let (truth, wrong, clean) = (slip(truth), slip(wrong), slip(clean));
    // Every other step of the trace must come out unslipped (a slip to the
    // same output, 1 in 20, changes nothing) for its answer to be this
    // step's truth or `w`.
    let rest = (1.0 - config.noise_rate * (OUTPUTS - 1.0) / OUTPUTS).powi(digits as i32 - 1);
    let (a_wrong, a_truth) =
        config.verifier.race_chances(&config.verifying(), (wrong, truth, clean), rest, mirrored);
    let g = config.generalisation;
    let visits = config.problems as f64 / CONTEXTS;
    let prior_wrong = g.prior_strength * (g.blind_spot_mass + (1.0 - g.blind_spot_mass) * g.gap / OUTPUTS);
    let prior_truth = g.prior_strength * (1.0 - g.blind_spot_mass) * (1.0 - g.gap + g.gap / OUTPUTS);
    (race(visits * a_wrong, visits * a_truth, prior_wrong - prior_truth), a_wrong > a_truth)
}

/// `P(N_w + lead > N_t)` for independent `N_w ~ Poisson(wrong)` and
/// `N_t ~ Poisson(truth)`: the wrong output ends its first round the mode
/// (`lead` is the prior's head start, in counts). Linear in the cutoff, so
/// a million problems a round cost milliseconds.
pub fn race(wrong: f64, truth: f64, lead: f64) -> f64 {
    let cutoff = |mean: f64| (mean + 12.0 * mean.sqrt() + 30.0) as usize;
    let wrong_pmf = poisson(wrong, cutoff(wrong));
    // below[j] = P(N_t < j).
    let mut below = vec![0.0];
    for p in poisson(truth, cutoff(truth)) {
        below.push(below.last().copied().unwrap_or(0.0) + p);
    }
    wrong_pmf
        .iter()
        .enumerate()
        .map(|(w, pw)| {
            // N_t < w + lead, i.e. N_t <= ceil(w + lead) - 1.
            let limit = (w as f64 + lead).ceil().max(0.0) as usize;
            pw * below[limit.min(below.len() - 1)]
        })
        .sum()
}

/// `P(N = 0..=max)` for `N ~ Poisson(mean)`, by the recurrence in log
/// space (`e^-mean` alone underflows for a mean past about 745).
fn poisson(mean: f64, max: usize) -> Vec<f64> {
    let mut log_p = -mean;
    let mut pmf = vec![log_p.exp()];
    for k in 1..=max {
        log_p += mean.ln() - (k as f64).ln();
        pmf.push(log_p.exp());
    }
    pmf
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::addition::config::for_test as config;
    use crate::value::Value;

    #[test]
    fn the_race_follows_the_poisson_law() {
        // No truth and no head start: w wins when it is met at all.
        assert!((race(1.5, 0.0, 0.0) - (1.0 - (-1.5f64).exp())).abs() < 1e-12);
        // A head start of 0.5 and no meetings: w keeps the mode.
        assert!((race(0.0, 0.0, 0.5) - 1.0).abs() < 1e-12);
        // Both once on average, no head start: P(N_w > N_t) for equal means
        // is (1 - P(tie)) / 2, P(tie) = e^-2 I_0(2) = 0.3085 (Bessel).
        assert!((race(1.0, 1.0, 0.0) - (1.0 - 0.308_508) / 2.0).abs() < 1e-5);
        // Large means (a million problems a round) neither underflow nor
        // take long: far apart, the larger wins surely; equal, about half.
        assert!((race(5000.0, 4000.0, 0.0) - 1.0).abs() < 1e-9);
        assert!((race(5000.0, 5000.0, 0.0) - 0.5).abs() < 0.01);
    }

    #[test]
    fn errors_accumulate_as_beta_k_k_plus_1_over_2_without_slips() {
        // Without slips beta does not depend on the length, and majority's
        // blind spots are all persistent, so S is exactly beta k (k + 1) / 2
        // and the accuracy exp(-S / 200).
        let theory = predict_by_race(&config(&[
            ("verifier", Value::Str("majority".into())),
            ("noise_rate", Value::Float(0.0)),
        ]));
        assert!(theory.beta > 0.0);
        for (round, s) in theory.systematic_errors.iter().enumerate() {
            let k = (round + 1) as f64;
            assert!((s - theory.beta * k * (k + 1.0) / 2.0).abs() < 1e-9 * s.max(1.0));
            assert!((theory.accuracy_frontier[round] - (-s / 200.0).exp()).abs() < 1e-12);
        }
    }

    #[test]
    fn transient_blind_spots_leave_k_p_to_the_k_copies() {
        // Commutative's unshared blind spots are transient (the mirror vote
        // never passes `w`): position i's leave (k - i + 1) P^(k - i + 1)
        // copies at round k. Check S against that sum, by hand, at k = 3.
        let config = config(&[("noise_rate", Value::Float(0.0)), ("generations", Value::Int(3))]);
        let kinds = blind_spot_kinds(&config, 7);
        let [shared, unshared] = kinds[..] else { panic!("{kinds:?}") };
        assert!(shared.persistent && !unshared.persistent);
        assert!(unshared.survival > 0.0 && unshared.survival < 1.0);
        let p = unshared.survival;
        let by_hand = shared.count * shared.survival * (3.0 + 2.0 + 1.0)
            + unshared.count * (3.0 * p.powi(3) + 2.0 * p.powi(2) + p);
        let theory = predict_by_race(&config);
        assert!((theory.systematic_errors[2] - by_hand).abs() < 1e-9, "{theory:?}");
        assert!((theory.beta - shared.count * shared.survival).abs() < 1e-12);
    }

    #[test]
    fn a_perfect_checker_and_a_clean_mirror_admit_nothing() {
        let outcome = predict_by_race(&config(&[("verifier", Value::Str("outcome".into()))]));
        assert_eq!((outcome.beta, outcome.runway, outcome.reach99), (0.0, None, Some(6 + 30)));
        assert!(outcome.systematic_errors.iter().all(|s| *s < 0.05), "{outcome:?}");
        // Commutative without mirror correlation admits only blind spots at
        // the 20 symmetric contexts and chance pairs: beta is at most
        // (20 + 180 r / 3) r, and at full correlation it is majority's
        // squared-vote twin over all 200 contexts.
        let rate = 0.005;
        let commutative = |correlation| {
            let point =
                [("mirror_correlation", Value::Float(correlation)), ("blind_spot_rate", Value::Float(rate))];
            predict_by_race(&config(&point)).beta
        };
        assert!(commutative(0.0) <= (20.0 + 60.0 * rate) * rate && commutative(0.0) > 0.0);
        assert!((commutative(1.0) / commutative(0.0) - 200.0 / (20.0 + 60.0 * rate)).abs() < 1e-9);
    }
}
