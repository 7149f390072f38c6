//! Measurements of the model itself rather than of its traces: how sharp its
//! output distribution is at the frontier (entropy, which separates a loss
//! of diversity from a loss of accuracy), which (position, context) pairs
//! have a wrong most likely output below `start_digits` (forgetting) and at
//! a new position on its first visit (emergent blind spots), and whether its
//! errors are mirror symmetric, beside the share independent errors would
//! give. Everything is read from the model's distribution over the 20
//! outputs at (position, context) and from its argmax (the compiled
//! tables), which any learner provides, and nothing here draws a random
//! number, so measuring never moves a run's random stream. docs/MODEL.md
//! defines each measurement.

use crate::scenario::addition::digits::{
    carry, correct_output, digit, reachable, same_answer, CONTEXTS, OUTPUTS,
};
use crate::scenario::addition::learners::sampler::Tables;
use crate::scenario::addition::learners::table::mirror;

/// Entropy in nats of one output distribution (renormalised, `0 ln 0 = 0`).
pub fn entropy(row: &[f32]) -> f64 {
    // -sum (p / t) ln (p / t) = ln t - (sum p ln p) / t: one division.
    let total: f64 = row.iter().map(|p| f64::from(*p)).sum();
    let sum: f64 = row.iter().map(|p| f64::from(*p)).filter(|p| *p > 0.0).map(|p| p * p.ln()).sum();
    total.ln() - sum / total
}

/// Mean entropy of one position's distribution (`CONTEXTS x OUTPUTS`) over
/// the contexts reachable at `position`, each weighted equally.
pub fn mean_entropy(distribution: &[f32], position: usize) -> f64 {
    let (sum, count) = (0..CONTEXTS)
        .filter(|c| reachable(position, *c))
        .map(|c| entropy(&distribution[c * OUTPUTS..(c + 1) * OUTPUTS]))
        .fold((0.0, 0usize), |(s, n), h| (s + h, n + 1));
    sum / count as f64
}

/// Reachable contexts at `position` whose most likely output is wrong.
pub fn wrong_contexts(tables: &Tables, position: usize) -> usize {
    (0..CONTEXTS)
        .filter(|c| reachable(position, *c) && tables.greedy_output(position, *c) != correct_output(*c))
        .count()
}

/// The number of distinct answers among `traces` (each `digits` long), of
/// which the commonest is given by `modal_votes` traces.
pub fn distinct_answers(traces: &[u8], digits: usize, modal_votes: usize) -> usize {
    // With at most one trace off the mode, nothing is left to compare (the
    // common case, so the count costs nothing beyond the mode).
    let off_mode = traces.len() / digits - modal_votes;
    if off_mode <= 1 {
        return 1 + off_mode;
    }
    let trace = |i: usize| &traces[i * digits..(i + 1) * digits];
    // Most samples repeat an earlier trace step for step: a byte comparison
    // settles those before the digit-by-digit one.
    let same = |i: usize, j: usize| trace(i) == trace(j) || same_answer(trace(i), trace(j));
    (0..traces.len() / digits).filter(|i| !(0..*i).any(|j| same(j, *i))).count()
}

/// How mirror symmetric the model's errors are over a range of positions.
/// Only the 180 contexts with `a != b` count as pairs: the other 20 are
/// their own mirror, so their errors are symmetric by construction and are
/// counted apart.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MirrorSymmetry {
    /// Reachable (position, context) pairs with `a != b` whose most likely
    /// output is wrong.
    pub wrong: usize,
    /// Of those, the pairs whose mirror `(b, a, k)` at the same position has
    /// the same wrong most likely output (a symmetric pair counts twice).
    pub mirrored: usize,
    /// Reachable pairs with `a = b` whose most likely output is wrong.
    pub self_mirrored: usize,
    /// `mirrored` expected if each position's errors (their number and
    /// their outputs relative to the truth) were placed on its contexts at
    /// random: the sum over wrong pairs of `(n - 1) / (N - 1)`, with `n` the
    /// position's wrong pairs of that error and `N` its pairs.
    pub chance: f64,
    /// `mirrored` expected if each context's modes were placed on its
    /// positions at random: the sum over wrong pairs `(p, c)` with output
    /// `o` of the share of the mirror's positions whose mode is `o`.
    pub context_chance: f64,
}

impl MirrorSymmetry {
    /// The share of wrong pairs whose mirror is wrong the same way; `None`
    /// with no wrong pair.
    pub fn share(&self) -> Option<f64> {
        (self.wrong > 0).then(|| self.mirrored as f64 / self.wrong as f64)
    }

    /// The share expected by chance, errors placed at random within each
    /// position; `None` with no wrong pair.
    pub fn chance_share(&self) -> Option<f64> {
        (self.wrong > 0).then(|| self.chance / self.wrong as f64)
    }

    /// The share expected by chance, each context's errors placed at
    /// random across positions; `None` with no wrong pair.
    pub fn context_chance_share(&self) -> Option<f64> {
        (self.wrong > 0).then(|| self.context_chance / self.wrong as f64)
    }
}

/// An output's error relative to the truth of its context: the sum digit's
/// offset and whether the carry is flipped, 0 when right. A context and its
/// mirror share their truth, so they are wrong the same way exactly when
/// their outputs are equal.
fn error_kind(context: usize, output: u8) -> usize {
    let truth = correct_output(context);
    let offset = (digit(output) + 10 - digit(truth)) % 10;
    usize::from(offset * 2 + (carry(output) ^ carry(truth)))
}

/// Mirror symmetry of the errors at positions `0..positions` of `tables`.
pub fn mirror_symmetry(tables: &Tables, positions: usize) -> MirrorSymmetry {
    mirror_symmetry_over(tables, 0..positions)
}

/// Mirror symmetry of the errors at `positions` of `tables` (over a single
/// position, the chance by context says no more than the share itself).
pub fn mirror_symmetry_over(tables: &Tables, positions: std::ops::Range<usize>) -> MirrorSymmetry {
    let positions = positions.start..positions.end.min(tables.positions());
    let pair = |p: usize, c: usize| reachable(p, c) && mirror(c) != c;
    // Each context's most likely outputs across the positions it is reachable at.
    let mut modes = vec![[0u32; OUTPUTS]; CONTEXTS];
    let mut seen = [0u32; CONTEXTS];
    for p in positions.clone() {
        for c in (0..CONTEXTS).filter(|c| pair(p, *c)) {
            modes[c][tables.greedy_output(p, c) as usize] += 1;
            seen[c] += 1;
        }
    }
    let mut result = MirrorSymmetry::default();
    for p in positions {
        let mut kinds = [0u32; OUTPUTS];
        let mut pairs = 0u32;
        for c in (0..CONTEXTS).filter(|c| pair(p, *c)) {
            kinds[error_kind(c, tables.greedy_output(p, c))] += 1;
            pairs += 1;
        }
        for c in (0..CONTEXTS).filter(|c| reachable(p, *c)) {
            let output = tables.greedy_output(p, c);
            if output == correct_output(c) {
                continue;
            }
            let m = mirror(c);
            if m == c {
                result.self_mirrored += 1;
                continue;
            }
            // A mirror has the same carry, so it is reachable wherever c is.
            result.wrong += 1;
            result.mirrored += usize::from(tables.greedy_output(p, m) == output);
            result.chance += f64::from(kinds[error_kind(c, output)] - 1) / f64::from(pairs - 1);
            result.context_chance += f64::from(modes[m][output as usize]) / f64::from(seen[m]);
        }
    }
    result
}

/// What is measured of the model that sampled a round, before it trains.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Before {
    /// Mean entropy at the frontier position (`digits - 1`).
    pub entropy_frontier: Option<f64>,
    /// Wrong contexts at the frontier position, in the round that first
    /// reaches it; `None` in a round that retrains a length.
    pub first_visit_errors: Option<usize>,
    /// How mirror symmetric those first-visit errors are: errors at a
    /// position nothing has trained on yet, so any symmetry there is what
    /// the model generalised from earlier positions, not what a verifier
    /// selected at this one.
    pub first_visit_mirror: Option<MirrorSymmetry>,
}

/// Measures the model about to sample a round of `digits`-digit problems:
/// `frontier` is its distribution at position `digits - 1` (`None` if not
/// available), `tables` its compiled argmax.
pub fn before(frontier: Option<&[f32]>, tables: &Tables, digits: usize, first_visit: bool) -> Before {
    let position = digits - 1;
    Before {
        entropy_frontier: frontier.map(|d| mean_entropy(d, position)),
        first_visit_errors: first_visit.then(|| wrong_contexts(tables, position)),
        first_visit_mirror: first_visit.then(|| mirror_symmetry_over(tables, position..position + 1)),
    }
}

/// What is measured of the model after a round's training.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct After {
    /// Mean entropy at the frontier position (`digits - 1`).
    pub entropy_frontier: Option<f64>,
    /// Wrong contexts at positions below `start_digits`.
    pub forgetting: usize,
    /// Over positions `0..digits`.
    pub mirror: MirrorSymmetry,
}

/// Measures the model trained in a round of `digits`-digit problems, as
/// [`before`] does.
pub fn after(frontier: Option<&[f32]>, tables: &Tables, digits: usize, start_digits: usize) -> After {
    After {
        entropy_frontier: frontier.map(|d| mean_entropy(d, digits - 1)),
        forgetting: (0..start_digits.min(tables.positions())).map(|p| wrong_contexts(tables, p)).sum(),
        mirror: mirror_symmetry(tables, digits),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::addition::digits::{context, solve, Problems};
    use crate::scenario::addition::learners::table::{Generalisation, Learner};
    use rand::{Rng, SeedableRng};
    use rand_pcg::Pcg64;

    /// Tables whose most likely output at `(p, c)` is `modes[p][c]`, as a
    /// point mass.
    fn tables_of(modes: &[Vec<u8>]) -> Tables {
        let mut tables = Tables::default();
        for (p, row) in modes.iter().enumerate() {
            let mut distribution = vec![0f32; CONTEXTS * OUTPUTS];
            for (c, o) in row.iter().enumerate() {
                distribution[c * OUTPUTS + *o as usize] = 1.0;
            }
            tables.set_position(p, &distribution, 1.0);
        }
        tables
    }

    fn truth(positions: usize) -> Vec<Vec<u8>> {
        vec![(0..CONTEXTS).map(correct_output).collect(); positions]
    }

    /// A wrong output of `c` other than `other`'s wrong one: the carry flipped.
    fn flipped(c: usize) -> u8 {
        correct_output(c) ^ 1
    }

    #[test]
    fn entropy_of_uniform_point_and_even_two_point_distributions() {
        assert!((entropy(&[1.0 / 20.0; 20]) - 20f64.ln()).abs() < 1e-6);
        let mut point = [0f32; 20];
        point[7] = 1.0;
        assert_eq!(entropy(&point), 0.0);
        let mut two = [0f32; 20];
        two[0] = 0.5;
        two[19] = 0.5;
        assert!((entropy(&two) - 2f64.ln()).abs() < 1e-9);
        // Rows are renormalised: twice the mass, the same entropy.
        let doubled: Vec<f32> = two.iter().map(|p| 2.0 * p).collect();
        assert!((entropy(&doubled) - 2f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn mean_entropy_counts_only_the_contexts_reachable_at_a_position() {
        // Carry-0 contexts uniform (ln 20 each), carry-1 contexts certain (0).
        let mut distribution = vec![0f32; CONTEXTS * OUTPUTS];
        for c in 0..CONTEXTS {
            let row = &mut distribution[c * OUTPUTS..(c + 1) * OUTPUTS];
            if c % 2 == 0 {
                row.fill(1.0 / 20.0);
            } else {
                row[0] = 1.0;
            }
        }
        // Position 0 has only the 100 carry-0 contexts; later ones all 200.
        assert!((mean_entropy(&distribution, 0) - 20f64.ln()).abs() < 1e-6);
        assert!((mean_entropy(&distribution, 3) - 20f64.ln() / 2.0).abs() < 1e-6);
    }

    #[test]
    fn forgetting_and_first_visit_count_wrong_modes_where_they_can_occur() {
        let mut modes = truth(4);
        // Position 0: one wrong reachable context and one wrong context
        // with carry 1, which never occurs there. Position 1: two wrong.
        // Position 3 (the frontier of a 4-digit round): three wrong.
        modes[0][context(2, 3, 0)] = flipped(context(2, 3, 0));
        modes[0][context(2, 3, 1)] = flipped(context(2, 3, 1));
        modes[1][context(9, 9, 1)] = flipped(context(9, 9, 1));
        modes[1][context(0, 0, 0)] = 5;
        for c in [context(1, 1, 0), context(4, 5, 1), context(8, 0, 0)] {
            modes[3][c] = flipped(c);
        }
        let tables = tables_of(&modes);
        assert_eq!((wrong_contexts(&tables, 0), wrong_contexts(&tables, 1)), (1, 2));
        assert_eq!(after(None, &tables, 4, 2).forgetting, 3, "positions 0 and 1");
        assert_eq!(after(None, &tables, 4, 1).forgetting, 1, "position 0 only");
        assert_eq!(before(None, &tables, 4, true).first_visit_errors, Some(3));
        assert_eq!(before(None, &tables, 4, false).first_visit_errors, None);
    }

    #[test]
    fn mirror_symmetry_counts_pairs_and_their_chance_by_hand() {
        let mut modes = truth(3);
        // Position 1: (3, 5, 0) and its mirror (5, 3, 0) share a wrong output w.
        let (x, mx) = (context(3, 5, 0), context(5, 3, 0));
        let w = flipped(x);
        modes[1][x] = w;
        modes[1][mx] = w;
        // Position 2: (2, 7, 1) wrong, its mirror right.
        let y = context(2, 7, 1);
        modes[2][y] = flipped(y);
        // (1, 6, 0) wrong with v at position 0, its mirror with v at
        // position 2: the same error, never at the same position.
        let (z, mz) = (context(1, 6, 0), context(6, 1, 0));
        let v = flipped(z);
        modes[0][z] = v;
        modes[2][mz] = v;
        // (4, 4, 0) is its own mirror: counted apart.
        modes[1][context(4, 4, 0)] = flipped(context(4, 4, 0));
        let symmetry = mirror_symmetry(&tables_of(&modes), 3);
        assert_eq!((symmetry.wrong, symmetry.mirrored, symmetry.self_mirrored), (5, 2, 1));
        assert_eq!(symmetry.share(), Some(0.4));
        // By position: every error here is a flipped carry. Position 0 has
        // one (z: no other to land on its mirror, 0); positions 1 and 2 two
        // each among 180 pairs, so each of those four has 1 of the 179
        // other pairs' errors land on its mirror: 4/179 in all.
        assert!((symmetry.chance - 4.0 / 179.0).abs() < 1e-12, "{symmetry:?}");
        assert!((symmetry.chance_share().unwrap() - 4.0 / 179.0 / 5.0).abs() < 1e-12);
        // By context: x's mirror has mode w at 1 of its 3 positions (1/3),
        // and mx's likewise; y's mirror never has y's output (0); z's
        // mirror has v at 1 of 3 positions, and mz's mirror likewise: 4/3.
        assert!((symmetry.context_chance - 4.0 / 3.0).abs() < 1e-12, "{symmetry:?}");
        assert!((symmetry.context_chance_share().unwrap() - 4.0 / 15.0).abs() < 1e-12);
        // y's mirror wrong the same way at position 1. By position: three
        // errors there, 2/179 each, and 2/179 for y and mz at position 2.
        // By context: carry-1 contexts are reachable at 2 of 3 positions,
        // so 1/2 for y (its mirror's rate) and 1/2 for the mirror (y's).
        modes[1][context(7, 2, 1)] = flipped(y);
        let symmetry = mirror_symmetry(&tables_of(&modes), 3);
        assert_eq!((symmetry.wrong, symmetry.mirrored), (6, 2));
        assert!((symmetry.chance - 8.0 / 179.0).abs() < 1e-12, "{symmetry:?}");
        assert!((symmetry.context_chance - (4.0 / 3.0 + 1.0)).abs() < 1e-12, "{symmetry:?}");
        assert_eq!(mirror_symmetry(&tables_of(&truth(3)), 3).share(), None);
        // Position 1 alone (what a first visit there measures): x, mx and
        // (7, 2, 1) wrong among its pairs, x and mx mirrored; the 4, 4
        // context apart. Three carry flips among 180 pairs: 2/179 each.
        let first = mirror_symmetry_over(&tables_of(&modes), 1..2);
        assert_eq!((first.wrong, first.mirrored, first.self_mirrored), (3, 2, 1));
        assert!((first.chance - 6.0 / 179.0).abs() < 1e-12, "{first:?}");
        let visit = before(None, &tables_of(&modes), 2, true);
        assert_eq!(visit.first_visit_mirror, Some(first));
        assert_eq!(before(None, &tables_of(&modes), 2, false).first_visit_mirror, None);
    }

    /// Mirrored pairs in `modes`, counted directly.
    fn mirrored(modes: &[Vec<u8>]) -> usize {
        let mut count = 0;
        for (p, row) in modes.iter().enumerate() {
            for c in (0..CONTEXTS).filter(|c| reachable(p, *c) && mirror(*c) != *c) {
                count += usize::from(row[c] != correct_output(c) && row[mirror(c)] == row[c]);
            }
        }
        count
    }

    /// Fisher-Yates.
    fn shuffle<T>(items: &mut [T], rng: &mut Pcg64) {
        for i in (1..items.len()).rev() {
            items.swap(i, rng.random_range(0..=i));
        }
    }

    /// The mean and standard error of `trials` draws.
    fn mean_se(trials: usize, mut draw: impl FnMut() -> f64) -> (f64, f64) {
        let values: Vec<f64> = (0..trials).map(|_| draw()).collect();
        let mean = values.iter().sum::<f64>() / trials as f64;
        let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (trials - 1) as f64;
        (mean, (var / trials as f64).sqrt())
    }

    #[test]
    fn both_chance_rates_are_what_shuffling_the_errors_gives() {
        // A random model: 6 positions, each mode right with probability
        // 0.5, else a flipped carry or a sum digit one too high, so chance
        // coincidences are common. The chances must be the mean mirrored
        // count when (by position) each position's errors are dealt to its
        // pairs at random, and when (by context) each context's modes are
        // dealt to its positions at random, within 4 standard errors of
        // 2,000 such shuffles.
        let mut rng = Pcg64::seed_from_u64(41);
        let positions = 6;
        let mut modes = truth(positions);
        for row in modes.iter_mut() {
            for (c, o) in row.iter_mut().enumerate() {
                let u: f64 = rng.random();
                if u < 0.25 {
                    *o = flipped(c);
                } else if u < 0.5 {
                    *o = ((correct_output(c) >> 1) + 1) % 10 * 2 + (correct_output(c) & 1);
                }
            }
        }
        let symmetry = mirror_symmetry(&tables_of(&modes), positions);
        assert_eq!(mirrored(&modes), symmetry.mirrored);
        let by_position = mean_se(2000, || {
            let mut shuffled = modes.clone();
            for (p, row) in shuffled.iter_mut().enumerate() {
                let pairs: Vec<usize> =
                    (0..CONTEXTS).filter(|c| reachable(p, *c) && mirror(*c) != *c).collect();
                let mut kinds: Vec<usize> = pairs.iter().map(|c| error_kind(*c, row[*c])).collect();
                shuffle(&mut kinds, &mut rng);
                for (c, kind) in pairs.iter().zip(kinds) {
                    let truth = correct_output(*c);
                    let sum_digit = (digit(truth) as usize + kind / 2) % 10;
                    row[*c] = (sum_digit * 2) as u8 + (carry(truth) ^ (kind % 2) as u8);
                }
            }
            mirrored(&shuffled) as f64
        });
        let by_context = mean_se(2000, || {
            let mut shuffled = modes.clone();
            for c in 0..CONTEXTS {
                let at: Vec<usize> = (0..positions).filter(|p| reachable(*p, c)).collect();
                let mut column: Vec<u8> = at.iter().map(|p| modes[*p][c]).collect();
                shuffle(&mut column, &mut rng);
                at.iter().zip(column).for_each(|(p, o)| shuffled[*p][c] = o);
            }
            mirrored(&shuffled) as f64
        });
        for ((mean, se), chance) in [(by_position, symmetry.chance), (by_context, symmetry.context_chance)] {
            assert!((mean - chance).abs() < 4.0 * se, "{mean} +- {se} shuffled, {symmetry:?}");
            // The tolerance is tight: under half a pair on a chance of over 50.
            assert!(se < 0.5 && chance > 50.0, "{se} {symmetry:?}");
        }
    }

    #[test]
    fn distinct_answers_ignore_intermediate_carries() {
        // 47 + 38 = 85 right, and 75 (dropped carry), as 2-step traces.
        let (right, dropped) = ([5 * 2 + 1, 8 * 2], [5 * 2, 7 * 2]);
        // The same answer 85 without the carry out of the first step.
        let odd_carry = [5 * 2, 8 * 2];
        let traces = [right, dropped, right, odd_carry, dropped].concat();
        assert_eq!(distinct_answers(&traces, 2, 3), 2);
        assert_eq!(distinct_answers(&right, 2, 1), 1);
        let three = [right, [0, 1], [0, 0]].concat();
        assert_eq!(distinct_answers(&three, 2, 1), 3, "final carries differ");
        // With the mode given, one trace off it is a second answer.
        assert_eq!(distinct_answers(&[right, right, dropped].concat(), 2, 2), 2);
        assert_eq!(distinct_answers(&[odd_carry, right].concat(), 2, 2), 1);
    }

    /// A learner trained on the truth at 1 and 2 digits that extrapolates
    /// with blind spots only (no gap).
    fn extrapolating(mirror_correlation: f64, rng: &mut Pcg64) -> Learner {
        let mut learner = Learner::new(Generalisation {
            gap: 0.0,
            blind_spot_rate: 0.05,
            blind_spot_mass: 0.6,
            prior_strength: 1.0,
            mirror_correlation,
        });
        for digits in 1..=2 {
            let problems = Problems::draw(2000, digits, rng);
            let mut traces = vec![0u8; problems.a.len()];
            for (i, trace) in traces.chunks_mut(digits).enumerate() {
                let (a, b) = problems.operands(i);
                solve(a, b, trace);
            }
            let items: Vec<_> = (0..problems.len())
                .map(|i| {
                    let (a, b) = problems.operands(i);
                    (a, b, &traces[i * digits..(i + 1) * digits])
                })
                .collect();
            learner.train(digits, items, rng);
        }
        learner
    }

    #[test]
    fn blind_spots_drawn_as_mirror_pairs_are_all_mirror_symmetric() {
        // Fully correlated, every blind spot at (a, b, k) sits with the same
        // output at (b, a, k), and blind spots are the only errors: every
        // wrong pair is mirrored. Uncorrelated, a mirror is blind the same
        // way only by chance (0.05 / 3 per position, plus a blind spot
        // copied forward meeting one drawn later), far below one half.
        for (correlation, symmetric) in [(1.0, true), (0.0, false)] {
            let mut rng = Pcg64::seed_from_u64(42);
            let mut learner = extrapolating(correlation, &mut rng);
            let mut tables = Tables::default();
            learner.compile(9, 1.0, &mut rng, &mut tables);
            let symmetry = mirror_symmetry(&tables, 10);
            assert!(symmetry.wrong > 50, "{symmetry:?}");
            if symmetric {
                assert_eq!(symmetry.share(), Some(1.0), "{symmetry:?}");
            } else {
                assert!(symmetry.share().unwrap() < 0.2, "{symmetry:?}");
            }
        }
    }

    #[test]
    fn a_drawn_distribution_draws_nothing_and_needs_a_compiled_position() {
        // (The learner's method, tested here where the measurements use it.)
        let mut rng = Pcg64::seed_from_u64(43);
        let mut learner = extrapolating(0.0, &mut rng);
        let mut tables = Tables::default();
        learner.compile(4, 1.0, &mut rng, &mut tables);
        let state = rng.clone();
        let drawn = learner.drawn_distribution(4).expect("position 4 was compiled");
        assert_eq!(learner.drawn_distribution(1).unwrap(), learner.distribution(1, &mut rng));
        assert_eq!(drawn, learner.distribution(4, &mut rng));
        assert!(rng == state, "reading compiled positions draws nothing");
        assert_eq!(learner.drawn_distribution(5), None, "position 5 has no blind spots yet");
    }
}
