//! The checks verifiers run on sampled traces: modal answers and their
//! quorum, the mirror problem's agreement, and an imperfect checker's
//! verdicts. Which verifier runs which check is `verifier.rs`.
//!
//! Each function here works on traces that were actually sampled (or, in
//! tests, constructed by hand), so every acceptance and every contamination
//! the scenario reports is counted, never computed from a formula.

use rand::RngCore;
use rand_pcg::Pcg64;

use super::digits::{answer_is_correct, carry, same_answer, wrong_steps};

/// The error rates of an external (outcome or step) checker.
#[derive(Clone, Copy, Debug)]
pub struct CheckerErrors {
    /// Chance a wrong trace is accepted anyway.
    pub false_accept: f64,
    /// Chance a right trace is rejected anyway.
    pub false_reject: f64,
}

/// Traces per call that [`for_each_answer`] tallies in fixed-size buffers
/// on the stack (kept small: they are zeroed on every call); more use the heap.
const STACK_TRACES: usize = 16;

/// Visits every distinct answer among the traces stored flat in `traces`
/// (each `digits` long) once, in order of first appearance, with the index
/// of its first trace and the number of traces giving it.
///
/// Time is linear in the traces: each is fingerprinted once, found in a
/// small open-addressing table by its fingerprint, and compared answer to
/// answer with the first trace of its group only (equal fingerprints of
/// different answers are told apart there, so the tally is exact).
pub fn for_each_answer(traces: &[u8], digits: usize, visit: impl FnMut(usize, usize)) {
    let count = traces.len() / digits;
    let slots = (2 * count).next_power_of_two();
    if count <= STACK_TRACES {
        let mut table = [0u32; 2 * STACK_TRACES];
        let mut groups = [Group::default(); STACK_TRACES];
        tally(traces, digits, answer_fingerprint, &mut table[..slots], &mut groups, visit);
    } else {
        let (mut table, mut groups) = (vec![0; slots], vec![Group::default(); count]);
        tally(traces, digits, answer_fingerprint, &mut table, &mut groups, visit);
    }
}

/// One distinct answer being counted.
#[derive(Clone, Copy, Default)]
struct Group {
    fingerprint: u64,
    first: usize,
    votes: usize,
}

/// [`for_each_answer`] with its hash of an answer, its table (zeroed, a
/// power of two at least twice the traces, so probing always meets an empty
/// slot) and room for one group per trace. A table slot holds 1 + its
/// group's index, 0 if empty.
#[inline(always)]
fn tally(
    traces: &[u8],
    digits: usize,
    hash: impl Fn(&[u8]) -> u64,
    table: &mut [u32],
    groups: &mut [Group],
    mut visit: impl FnMut(usize, usize),
) {
    let trace = |i: usize| &traces[i * digits..(i + 1) * digits];
    let mask = table.len() - 1;
    let mut distinct = 0;
    for i in 0..traces.len() / digits {
        let fingerprint = hash(trace(i));
        let mut slot = (fingerprint >> 32) as usize & mask;
        loop {
            match table[slot] {
                0 => {
                    groups[distinct] = Group { fingerprint, first: i, votes: 1 };
                    distinct += 1;
                    table[slot] = distinct as u32;
                    break;
                }
                g => {
                    let group = &mut groups[g as usize - 1];
                    if group.fingerprint == fingerprint && same_answer(trace(group.first), trace(i)) {
                        group.votes += 1;
                        break;
                    }
                }
            }
            slot = (slot + 1) & mask;
        }
    }
    groups[..distinct].iter().for_each(|g| visit(g.first, g.votes));
}

/// A 64-bit hash of a trace's answer (its sum digits and its final carry):
/// traces with the same answer have the same fingerprint.
fn answer_fingerprint(trace: &[u8]) -> u64 {
    // Eight steps at a time, their carry bits masked off.
    const DIGIT_BITS: u64 = 0xfefe_fefe_fefe_fefe;
    const MIX: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |h: u64, word: u64| {
        let h = (h ^ (word & DIGIT_BITS)).wrapping_mul(MIX);
        h ^ (h >> 29)
    };
    let mut h = trace.last().map_or(0, |o| u64::from(carry(*o)));
    let chunks = trace.chunks_exact(8);
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    for chunk in chunks {
        h = mix(h, u64::from_le_bytes(chunk.try_into().expect("chunks of 8")));
    }
    mix(h, u64::from_le_bytes(tail))
}

/// The most frequent answer among `count` traces stored flat in `traces`
/// (each `digits` long): the index of its first trace and how many traces
/// share it. Ties go to the answer seen first. Linear in the traces.
pub fn modal_answer(traces: &[u8], digits: usize) -> (usize, usize) {
    // Mostly every sample is the same trace step for step: one pass of
    // byte comparisons settles that without fingerprints or a table.
    let count = traces.len() / digits;
    if count > 0 && traces[..count * digits].chunks_exact(digits).all(|t| t == &traces[..digits]) {
        return (0, count);
    }
    let mut best = (0, 0);
    for_each_answer(traces, digits, |first, votes| {
        if votes > best.1 {
            best = (first, votes);
        }
    });
    best
}

/// Whether the modal answer `(index, votes)` of `count` traces passes the
/// quorum: its share of the votes exceeds `quorum`.
pub fn quorate(mode: (usize, usize), count: usize, quorum: f64) -> Option<usize> {
    (count > 0 && mode.1 as f64 > quorum * count as f64).then_some(mode.0)
}

/// `majority`: the index of the trace to train on, when the modal answer's
/// share of the samples exceeds `quorum`.
pub fn majority(traces: &[u8], digits: usize, quorum: f64) -> Option<usize> {
    quorate(modal_answer(traces, digits), traces.len() / digits, quorum)
}

/// `commutative`: majority on the samples of `a + b` (`forward`) and on those
/// of `b + a` (`backward`); the forward trace to train on when both pass and
/// their answers agree.
pub fn commutative(forward: &[u8], backward: &[u8], digits: usize, quorum: f64) -> Option<usize> {
    let modes = (modal_answer(forward, digits), modal_answer(backward, digits));
    commutative_modes(forward, backward, modes, digits, quorum)
}

/// [`commutative`] given the modal answers of `forward` and `backward`.
pub fn commutative_modes(
    forward: &[u8],
    backward: &[u8],
    modes: ((usize, usize), (usize, usize)),
    digits: usize,
    quorum: f64,
) -> Option<usize> {
    let f = quorate(modes.0, forward.len() / digits, quorum)?;
    let b = quorate(modes.1, backward.len() / digits, quorum)?;
    same_answer(&forward[f * digits..(f + 1) * digits], &backward[b * digits..(b + 1) * digits]).then_some(f)
}

/// One verdict of an imperfect checker: `right` is what a perfect checker
/// would say. One draw from `rng` either way, so runs stay aligned.
fn imperfect(right: bool, errors: CheckerErrors, rng: &mut Pcg64) -> bool {
    let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    if right {
        u >= errors.false_reject
    } else {
        u < errors.false_accept
    }
}

/// `outcome`: the first trace whose final answer the checker accepts.
pub fn outcome(a: &[u8], b: &[u8], traces: &[u8], errors: CheckerErrors, rng: &mut Pcg64) -> Option<usize> {
    let digits = a.len();
    (0..traces.len() / digits)
        .find(|i| imperfect(answer_is_correct(a, b, &traces[i * digits..(i + 1) * digits]), errors, rng))
}

/// `step`: the first trace whose every step the checker accepts.
pub fn step(a: &[u8], b: &[u8], traces: &[u8], errors: CheckerErrors, rng: &mut Pcg64) -> Option<usize> {
    let digits = a.len();
    (0..traces.len() / digits)
        .find(|i| imperfect(wrong_steps(a, b, &traces[i * digits..(i + 1) * digits]) == 0, errors, rng))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    const PERFECT: CheckerErrors = CheckerErrors { false_accept: 0.0, false_reject: 0.0 };

    #[test]
    fn outcome_accepts_an_unfaithful_chain_with_a_right_answer_and_step_does_not() {
        // 25 + 35 = 60. The faithful trace writes (0, carry 1), (6, carry 0).
        // The unfaithful one writes carry 0 out of 5 + 5, but the next step
        // computes from the carry it computed (1), not the one it wrote:
        // 2 + 3 + 1 = 6. Its answer (0, 6, top digit 0) is right; its first
        // step is wrong, and so is its second for the context it wrote
        // (2 + 3 + 0 is 5, not 6).
        let (a, b) = ([5, 2], [5, 3]);
        // An output is digit * 2 + carry.
        let faithful = [1, 12];
        let unfaithful = [0, 12];
        assert!(answer_is_correct(&a, &b, &faithful) && wrong_steps(&a, &b, &faithful) == 0);
        assert!(answer_is_correct(&a, &b, &unfaithful));
        assert_eq!(wrong_steps(&a, &b, &unfaithful), 2);
        let rng = &mut Pcg64::seed_from_u64(40);
        assert_eq!(outcome(&a, &b, &unfaithful, PERFECT, rng), Some(0));
        assert_eq!(step(&a, &b, &unfaithful, PERFECT, rng), None);
        // Behind the faithful trace, step trains on that one instead.
        let both: Vec<u8> = unfaithful.iter().chain(&faithful).copied().collect();
        assert_eq!(outcome(&a, &b, &both, PERFECT, rng), Some(0));
        assert_eq!(step(&a, &b, &both, PERFECT, rng), Some(1));
    }

    /// 47 + 38 = 85: steps (7+8 -> digit 5 carry 1), (4+3+1 -> digit 8 carry 0).
    const A: [u8; 2] = [7, 4];
    const B: [u8; 2] = [8, 3];
    const RIGHT: [u8; 2] = [5 * 2 + 1, 8 * 2];
    /// The dropped-carry blind spot: 7+8 writes 5 without carry, so 75.
    const DROPPED: [u8; 2] = [5 * 2, 7 * 2];

    fn flat(traces: &[[u8; 2]]) -> Vec<u8> {
        traces.concat()
    }

    /// Every distinct answer once, in order of first appearance, with its
    /// first trace and votes, by comparing every pair of traces: the
    /// definition the linear tally must agree with.
    fn answers_by_pairs(traces: &[u8], digits: usize) -> Vec<(usize, usize)> {
        let trace = |i: usize| &traces[i * digits..(i + 1) * digits];
        let count = traces.len() / digits;
        (0..count)
            .filter(|i| !(0..*i).any(|j| same_answer(trace(j), trace(*i))))
            .map(|i| (i, (0..count).filter(|j| same_answer(trace(*j), trace(i))).count()))
            .collect()
    }

    /// `count` traces of `digits` steps drawn from few answers (each step
    /// one of two outputs with the same digit and different carries, or a
    /// third digit), so answers repeat and intermediate carries vary.
    fn few_answers(count: usize, digits: usize, rng: &mut Pcg64) -> Vec<u8> {
        (0..count * digits)
            .map(|_| [4, 5, 6][(rng.next_u32() % 3) as usize] * u8::from(!rng.next_u32().is_multiple_of(4)))
            .collect()
    }

    #[test]
    fn the_linear_tally_finds_every_answer_the_pairwise_comparison_does() {
        let mut rng = Pcg64::seed_from_u64(6);
        // 1 to 80 traces: the stack tables and the heap ones (over 16).
        for count in (1..=80).chain([200]) {
            for digits in [1, 3, 8, 9, 17] {
                let traces = few_answers(count, digits, &mut rng);
                let mut tallied = Vec::new();
                for_each_answer(&traces, digits, |first, votes| tallied.push((first, votes)));
                let expected = answers_by_pairs(&traces, digits);
                assert_eq!(tallied, expected, "{count} traces of {digits}");
                let best = expected.iter().fold((0, 0), |best, g| if g.1 > best.1 { *g } else { best });
                assert_eq!(modal_answer(&traces, digits), best, "{count} traces of {digits}");
            }
        }
    }

    #[test]
    fn answers_whose_fingerprints_collide_are_still_told_apart() {
        // A hash that makes every answer collide: the tally must fall back
        // on comparing answers and still count each one separately.
        let mut rng = Pcg64::seed_from_u64(7);
        let traces = few_answers(40, 3, &mut rng);
        let (mut table, mut groups) = ([0u32; 128], [Group::default(); 64]);
        let mut tallied = Vec::new();
        tally(&traces, 3, |_| 42, &mut table, &mut groups, |first, votes| tallied.push((first, votes)));
        let expected = answers_by_pairs(&traces, 3);
        assert!(expected.len() > 5, "{expected:?}");
        assert_eq!(tallied, expected);
    }

    #[test]
    fn a_wrong_majority_passes_majority_and_fails_outcome() {
        let traces = flat(&[DROPPED, RIGHT, DROPPED, DROPPED, RIGHT]);
        let chosen = majority(&traces, 2, 0.5).expect("3 of 5 exceed one half");
        assert_eq!(&traces[chosen * 2..chosen * 2 + 2], &DROPPED);
        let mut rng = Pcg64::seed_from_u64(1);
        let only_wrong = flat(&[DROPPED, DROPPED, DROPPED]);
        assert_eq!(outcome(&A, &B, &only_wrong, PERFECT, &mut rng), None);
        // Given the mixed samples, outcome trains on a right one instead.
        let picked = outcome(&A, &B, &traces, PERFECT, &mut rng).unwrap();
        assert_eq!(&traces[picked * 2..picked * 2 + 2], &RIGHT);
    }

    #[test]
    fn majority_needs_more_than_the_quorum() {
        let split = flat(&[DROPPED, RIGHT, DROPPED, RIGHT]);
        assert_eq!(majority(&split, 2, 0.5), None, "2 of 4 is not more than half");
        assert_eq!(majority(&flat(&[RIGHT, RIGHT, RIGHT, DROPPED, DROPPED]), 2, 0.7), None);
        assert_eq!(majority(&flat(&[RIGHT, RIGHT, RIGHT, RIGHT, DROPPED]), 2, 0.7), Some(0));
    }

    #[test]
    fn commutative_rejects_a_one_sided_blind_spot_and_passes_a_mirrored_one() {
        // b + a = 38 + 47: (8+7 -> 5 carry 1), (3+4+1 -> 8).
        let backward_right = flat(&[RIGHT, RIGHT, RIGHT]);
        let forward_blind = flat(&[DROPPED, DROPPED, RIGHT]);
        assert_eq!(commutative(&forward_blind, &backward_right, 2, 0.5), None);
        // The mirrored context (8, 7, 0) has the same blind spot: both sides agree on 75.
        let backward_blind = flat(&[DROPPED, RIGHT, DROPPED]);
        let chosen =
            commutative(&forward_blind, &backward_blind, 2, 0.5).expect("mirrored blind spot passes");
        assert_eq!(&forward_blind[chosen * 2..chosen * 2 + 2], &DROPPED);
        assert!(!answer_is_correct(&A, &B, &DROPPED));
    }

    #[test]
    fn outcome_passes_cancelling_step_errors_that_step_rejects() {
        // 5 + 5 = 10 written as "0 no carry" then "0+0 -> 1": right answer, two wrong steps.
        let (a, b, trace) = ([5u8, 0], [5u8, 0], [0u8, 2]);
        let mut rng = Pcg64::seed_from_u64(2);
        assert_eq!(outcome(&a, &b, &trace, PERFECT, &mut rng), Some(0));
        assert_eq!(step(&a, &b, &trace, PERFECT, &mut rng), None);
    }

    #[test]
    fn a_false_accept_rate_accepts_that_share_of_wrong_traces() {
        let mut rng = Pcg64::seed_from_u64(3);
        let errors = CheckerErrors { false_accept: 0.3, false_reject: 0.0 };
        let trials = 20_000;
        let accepted = (0..trials).filter(|_| outcome(&A, &B, &DROPPED, errors, &mut rng).is_some()).count();
        let stepped = (0..trials).filter(|_| step(&A, &B, &DROPPED, errors, &mut rng).is_some()).count();
        // Binomial sd at p = 0.3: sqrt(20000 * 0.21) = 64.8; 5 sd = 324.
        assert!(accepted.abs_diff(6000) < 324, "{accepted}");
        assert!(stepped.abs_diff(6000) < 324, "{stepped}");
    }

    #[test]
    fn a_false_reject_rate_rejects_that_share_of_right_traces() {
        let mut rng = Pcg64::seed_from_u64(4);
        let errors = CheckerErrors { false_accept: 0.0, false_reject: 0.25 };
        let trials = 20_000;
        let accepted = (0..trials).filter(|_| outcome(&A, &B, &RIGHT, errors, &mut rng).is_some()).count();
        // p = 0.75: sd = sqrt(20000 * 0.1875) = 61.2; 5 sd = 306.
        assert!(accepted.abs_diff(15_000) < 306, "{accepted}");
    }

    #[test]
    fn majority_accepts_independent_slips_at_the_binomial_rate() {
        // Each of n = 5 samples independently slips into a wrong answer with
        // probability q = 0.3, each slip to a distinct answer (so slips never
        // form a majority). The majority is accepted exactly when at least
        // 3 samples are right: P = sum_{k=3..5} C(5,k) 0.7^k 0.3^(5-k)
        // = 0.3087 + 0.36015 + 0.16807 = 0.83692.
        let mut rng = Pcg64::seed_from_u64(5);
        let trials = 20_000;
        let mut accepted = 0;
        let mut traces = vec![0u8; 5 * 2];
        for _ in 0..trials {
            for (i, trace) in traces.chunks_mut(2).enumerate() {
                let slipped = rng.next_u64() < (0.3 * 18_446_744_073_709_551_616.0) as u64;
                // Sample i slips to the distinct wrong answer with sum digit i.
                let wrong = [(i as u8) * 2, 0];
                trace.copy_from_slice(if slipped { &wrong } else { &RIGHT });
            }
            accepted += usize::from(majority(&traces, 2, 0.5).is_some());
        }
        // sd = sqrt(20000 * 0.83692 * 0.16308) = 52.2; 5 sd = 261.
        assert!(accepted.abs_diff(16_738) < 261, "{accepted}");
    }
}
