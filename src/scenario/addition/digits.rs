//! Addition problems and their chain-of-thought traces.
//!
//! A trace has one step per digit position, least significant first. A step
//! reads a context (the two operand digits and the carry coming in) and
//! writes an output (the sum digit and the carry going out). Both are packed
//! into small integers so the learner can index flat tables by them.

use rand::RngCore;
use rand_pcg::Pcg64;

/// Distinct step contexts: 10 digits of `a` x 10 digits of `b` x 2 carries.
pub const CONTEXTS: usize = 200;
/// Distinct step outputs: 10 sum digits x 2 carries out.
pub const OUTPUTS: usize = 20;

/// The context index of a step reading digits `a`, `b` and carry `carry`.
#[inline(always)]
pub fn context(a: u8, b: u8, carry: u8) -> usize {
    a as usize * 20 + b as usize * 2 + carry as usize
}

/// The correct output of a context: `(a + b + carry) mod 10` and the carry out.
#[inline(always)]
pub fn correct_output(context: usize) -> u8 {
    CORRECT_OUTPUTS[context]
}

/// [`correct_output`] for every context, tabulated once at compile time
/// because verifiers and metrics look it up for every step they check.
const CORRECT_OUTPUTS: [u8; CONTEXTS] = {
    let mut table = [0u8; CONTEXTS];
    let mut c = 0;
    while c < CONTEXTS {
        let sum = c / 20 + (c / 2) % 10 + c % 2;
        table[c] = ((sum % 10) * 2 + sum / 10) as u8;
        c += 1;
    }
    table
};

/// The sum digit an output writes.
#[inline(always)]
pub fn digit(output: u8) -> u8 {
    output >> 1
}

/// The carry an output passes on.
#[inline(always)]
pub fn carry(output: u8) -> u8 {
    output & 1
}

/// Whether `context` can occur at `position`: nothing is carried into the
/// least significant digit, so contexts with carry 1 never occur there.
pub fn reachable(position: usize, context: usize) -> bool {
    position > 0 || context.is_multiple_of(2)
}

/// A batch of problems of one length, stored flat: operand digits of
/// problem `i` are `a[i * digits..(i + 1) * digits]`, least significant first.
#[derive(Clone, Debug, Default)]
pub struct Problems {
    pub digits: usize,
    pub a: Vec<u8>,
    pub b: Vec<u8>,
}

impl Problems {
    /// `count` problems with uniformly random digits (leading zeros allowed,
    /// so every context occurs at every position).
    pub fn draw(count: usize, digits: usize, rng: &mut Pcg64) -> Problems {
        let (mut a, mut b) = (vec![0; count * digits], vec![0; count * digits]);
        draw_digits(rng, &mut a);
        draw_digits(rng, &mut b);
        Problems { digits, a, b }
    }

    /// The number of problems.
    pub fn len(&self) -> usize {
        self.a.len().checked_div(self.digits).unwrap_or(0)
    }

    /// Whether there are no problems.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The operands of problem `i`.
    pub fn operands(&self, i: usize) -> (&[u8], &[u8]) {
        let range = i * self.digits..(i + 1) * self.digits;
        (&self.a[range.clone()], &self.b[range])
    }
}

/// Fills `out` with uniform digits, one 32-bit draw from `rng` each, in
/// order: the same digits as drawing them one after another.
///
/// One generator's draws wait for each other (a 128-bit multiply each), so
/// the run is cut into two consecutive blocks, each drawn by a copy of `rng`
/// jumped ahead to the block's start, the two interleaved in one loop (two
/// generators' states still fit in registers); `rng` ends where the second
/// block ends.
pub fn draw_digits(rng: &mut Pcg64, out: &mut [u8]) {
    let digit = |draw: u32| ((u64::from(draw) * 10) >> 32) as u8;
    let block = out.len() / 2;
    if block < 256 {
        // Too short for the jumps (a few dozen multiplies each) to pay.
        out.iter_mut().for_each(|d| *d = digit(rng.next_u32()));
        return;
    }
    let mut second = rng.clone();
    second.advance(block as u128);
    let (first_block, second_block) = out.split_at_mut(block);
    let (paired, rest) = second_block.split_at_mut(block);
    for (x, y) in first_block.iter_mut().zip(paired) {
        (*x, *y) = (digit(rng.next_u32()), digit(second.next_u32()));
    }
    rest.iter_mut().for_each(|d| *d = digit(second.next_u32()));
    *rng = second;
}

/// Writes the correct trace of `a + b` into `out`.
pub fn solve(a: &[u8], b: &[u8], out: &mut [u8]) {
    let mut carry_in = 0;
    for ((x, y), step) in a.iter().zip(b).zip(out.iter_mut()) {
        *step = correct_output(context(*x, *y, carry_in));
        carry_in = carry(*step);
    }
}

/// Whether two traces of the same length write the same answer: every sum
/// digit and the final carry (the answer's top digit). Intermediate carries
/// are not part of the answer.
pub fn same_answer(x: &[u8], y: &[u8]) -> bool {
    // Eight steps at a time, their carry bits masked off.
    const DIGIT_BITS: u64 = 0xfefe_fefe_fefe_fefe;
    let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().expect("chunks of 8"));
    let (xs, ys) = (x.chunks_exact(8), y.chunks_exact(8));
    x.len() == y.len()
        && x.last().map(|o| carry(*o)) == y.last().map(|o| carry(*o))
        && xs.remainder().iter().zip(ys.remainder()).all(|(p, q)| digit(*p) == digit(*q))
        && xs.zip(ys).all(|(p, q)| (word(p) ^ word(q)) & DIGIT_BITS == 0)
}

/// The correct step of one problem `a + b` at every position, for either
/// carry in: what checking many traces of the same problem compares them
/// with, computed once.
#[derive(Clone, Debug, Default)]
pub struct CorrectSteps {
    /// `[p]`: the correct output at position `p` with no carry in.
    without_carry: Vec<u8>,
    /// `[p]`: the correct output at position `p` with a carry in.
    with_carry: Vec<u8>,
    /// The correct trace.
    solution: Vec<u8>,
}

impl CorrectSteps {
    /// Fills in the correct steps of `a + b`.
    pub fn solve(&mut self, a: &[u8], b: &[u8]) {
        let n = a.len();
        self.without_carry.resize(n, 0);
        self.with_carry.resize(n, 0);
        self.solution.resize(n, 0);
        // 8 x the carry in.
        let mut carry_shift = 0;
        let operands = a.iter().zip(&b[..n]);
        let steps = self.without_carry.iter_mut().zip(&mut self.with_carry).zip(&mut self.solution);
        for ((x, y), ((without, with), solution)) in operands.zip(steps) {
            // Both carries' steps are looked up before the carry is known,
            // and the carry shifts out the one it needs: no branch, and
            // only a shift waits for the step before.
            let c = context(*x, *y, 0);
            (*without, *with) = (CORRECT_OUTPUTS[c], CORRECT_OUTPUTS[c + 1]);
            *solution = (u16::from_le_bytes([*without, *with]) >> carry_shift) as u8;
            carry_shift = carry(*solution) << 3;
        }
    }

    /// [`wrong_steps`] of `trace` for this problem.
    pub fn wrong_steps(&self, trace: &[u8]) -> usize {
        let n = self.solution.len();
        let Some(first) = trace.first() else { return 0 };
        // Position by position with the carry the trace itself passed in,
        // without a loop-carried dependency, so it runs on vectors.
        let later = trace[1..n]
            .iter()
            .zip(&trace[..n - 1])
            .zip(self.without_carry[1..].iter().zip(&self.with_carry[1..]))
            .map(|((step, before), (without, with))| {
                let truth = if carry(*before) == 0 { *without } else { *with };
                usize::from(*step != truth)
            })
            .sum::<usize>();
        later + usize::from(*first != self.without_carry[0])
    }

    /// [`answer_is_correct`] of `trace` for this problem.
    pub fn answer_is_correct(&self, trace: &[u8]) -> bool {
        same_answer(trace, &self.solution)
    }
}

/// Whether `trace` writes the true answer of `a + b` (its steps may still be
/// wrong in ways that cancel out).
pub fn answer_is_correct(a: &[u8], b: &[u8], trace: &[u8]) -> bool {
    let mut carry_in = 0;
    let mut final_carry = 0;
    for ((x, y), step) in a.iter().zip(b).zip(trace) {
        let truth = correct_output(context(*x, *y, carry_in));
        if digit(truth) != digit(*step) {
            return false;
        }
        carry_in = carry(truth);
        final_carry = carry_in;
    }
    trace.last().is_none_or(|o| carry(*o) == final_carry)
}

/// The context each step of `trace`, a trace of `a + b`, was written in:
/// its operand digits and the carry the trace itself wrote before it (not
/// the true carry). This is what a learner trains on and what a process
/// verifier checks each step against.
pub fn step_contexts<'t>(a: &'t [u8], b: &'t [u8], trace: &'t [u8]) -> impl Iterator<Item = usize> + 't {
    let mut carry_in = 0;
    a.iter().zip(b).zip(trace).map(move |((x, y), step)| {
        let c = context(*x, *y, carry_in);
        carry_in = carry(*step);
        c
    })
}

/// The number of steps in `trace` whose output is wrong for the context the
/// trace itself was in (its own carried-in value), as a process verifier sees it.
pub fn wrong_steps(a: &[u8], b: &[u8], trace: &[u8]) -> usize {
    step_contexts(a, b, trace).zip(trace).filter(|(c, step)| correct_output(*c) != **step).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Digits least significant first, as traces store them.
    fn digits_of(mut n: u64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                let d = (n % 10) as u8;
                n /= 10;
                d
            })
            .collect()
    }

    fn answer_of(trace: &[u8]) -> u64 {
        let top = u64::from(carry(*trace.last().unwrap()));
        trace.iter().rev().fold(top, |acc, o| acc * 10 + u64::from(digit(*o)))
    }

    #[test]
    fn solved_traces_add_like_integers() {
        let mut rng = Pcg64::seed_from_u64(3);
        for _ in 0..200 {
            let x = u64::from(rng.next_u32()) % 10_000_000;
            let y = u64::from(rng.next_u32()) % 10_000_000;
            let (a, b) = (digits_of(x, 7), digits_of(y, 7));
            let mut trace = vec![0; 7];
            solve(&a, &b, &mut trace);
            assert_eq!(answer_of(&trace), x + y, "{x} + {y}");
            assert!(answer_is_correct(&a, &b, &trace));
            assert_eq!(wrong_steps(&a, &b, &trace), 0);
        }
    }

    #[test]
    fn compensating_step_errors_keep_the_answer_but_not_the_steps() {
        // 5 + 5 = 10 written as digit 0 with no carry out, then the next step
        // 0 + 0 "+ 0" wrongly writing 1: answer 10 is still right.
        let (a, b) = (vec![5, 0], vec![5, 0]);
        let trace = vec![0, 2];
        assert!(answer_is_correct(&a, &b, &trace));
        assert_eq!(wrong_steps(&a, &b, &trace), 2);
    }

    #[test]
    fn a_problems_correct_steps_check_traces_as_the_definitions_do() {
        // Traces near the truth (each step kept, its carry flipped or its
        // digit moved) of problems of every length up to 20, so that both
        // the 8-step words and the leftover steps are compared.
        let mut rng = Pcg64::seed_from_u64(8);
        let mut truth = CorrectSteps::default();
        let mut wrong_answers = 0;
        for digits in 1..=20 {
            let problems = Problems::draw(50, digits, &mut rng);
            for i in 0..problems.len() {
                let (a, b) = problems.operands(i);
                truth.solve(a, b);
                let mut trace = vec![0; digits];
                solve(a, b, &mut trace);
                for step in trace.iter_mut() {
                    match rng.next_u32() % 8 {
                        0 => *step ^= 1,
                        1 => *step = (*step + 2) % 20,
                        _ => {}
                    }
                }
                assert_eq!(truth.wrong_steps(&trace), wrong_steps(a, b, &trace), "{a:?} + {b:?}: {trace:?}");
                let right = answer_is_correct(a, b, &trace);
                assert_eq!(truth.answer_is_correct(&trace), right, "{a:?} + {b:?}: {trace:?}");
                wrong_answers += usize::from(!right);
                let mut solution = vec![0; digits];
                solve(a, b, &mut solution);
                assert_eq!(same_answer(&trace, &solution), right);
            }
        }
        assert!(wrong_answers > 100, "{wrong_answers}");
    }

    #[test]
    fn digits_drawn_side_by_side_are_the_digits_drawn_one_by_one() {
        for len in [0, 1, 7, 511, 512, 513, 1000, 4097] {
            let (mut side_by_side, mut one_by_one) = (Pcg64::seed_from_u64(9), Pcg64::seed_from_u64(9));
            let mut digits = vec![0u8; len];
            draw_digits(&mut side_by_side, &mut digits);
            let expected: Vec<u8> =
                (0..len).map(|_| ((u64::from(one_by_one.next_u32()) * 10) >> 32) as u8).collect();
            assert_eq!(digits, expected, "{len}");
            assert_eq!(side_by_side.next_u64(), one_by_one.next_u64(), "{len}: the generators end level");
        }
    }

    #[test]
    fn drawn_digits_are_roughly_uniform() {
        let mut rng = Pcg64::seed_from_u64(5);
        let problems = Problems::draw(10_000, 2, &mut rng);
        let mut counts = [0usize; 10];
        problems.a.iter().for_each(|d| counts[*d as usize] += 1);
        // 20,000 draws, p = 0.1: sd of a count is sqrt(20000 * 0.1 * 0.9) = 42;
        // 5 sd is 212, so a correct sampler fails this about never.
        assert!(counts.iter().all(|c| c.abs_diff(2000) < 212), "{counts:?}");
    }
}
