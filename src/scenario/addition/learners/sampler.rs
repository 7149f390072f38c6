//! The hot loop: sampling trace steps from the learner's tables.
//!
//! After each round of training the learner's per-position distributions are
//! compiled into alias tables (one per position and context), so that a step
//! costs one 64-bit draw, one multiply and one table load. The low 32 bits of
//! the draw pick a column and its acceptance threshold; the high 32 bits
//! decide whether the step slips (is replaced by a uniformly random output).
//!
//! The loop is bound by the generator: each draw waits for the one before
//! (a 128-bit multiply), about 6 cycles. Everything else a step does is
//! kept small enough to run in its shadow: the two carry-in rows of a
//! context sit side by side in one 64-bit word, so a step makes one load
//! whose address does not depend on the carry, and the carry only shifts
//! the entry it reads out of that word.
//!
//! Below `cot_reliance` 1 a second loop samples unfaithful chains of thought
//! (the written carry not always the one the next step uses); at 1 the
//! loop above runs alone, so nothing it draws changes.

use rand::RngCore;
use rand_pcg::Pcg64;

use super::fixed_math;
use crate::scenario::addition::digits::{carry, context, correct_output, digit, Problems, CONTEXTS, OUTPUTS};

/// One column of an alias table packed in 32 bits: the top 27 bits are the
/// threshold below which the column is kept (in units of 2^-27), the low 5
/// bits the alias taken otherwise.
type AliasEntry = u32;

/// The alias entries of one column for both carries in: carry 0 in the low
/// 32 bits, carry 1 in the high 32 bits. Eight bytes per column keep a
/// 30-digit model's tables (480 KB) inside the L2 cache.
type AliasPair = u64;

/// Threshold units per unit probability.
const THRESHOLD_SCALE: f64 = (1u64 << 27) as f64;

/// Operand-digit pairs `(a, b)` per position: a context without its carry.
const DIGIT_PAIRS: usize = CONTEXTS / 2;

/// Compiled sampling and greedy tables for positions `0..positions()`.
#[derive(Clone, Debug, Default)]
pub struct Tables {
    /// `[position][a * 10 + b][column]`, both carries per entry.
    alias: Vec<AliasPair>,
    /// `[position][context]`: the most likely output.
    greedy: Vec<u8>,
    /// Set by the learner that compiled these tables, to recognise them.
    stamp: u64,
}

/// The chance a generated step slips, as a threshold on 32 random bits.
#[derive(Clone, Copy, Debug)]
pub struct SlipThreshold(u64);

impl SlipThreshold {
    /// A slip probability in `[0, 1]`.
    pub fn new(noise_rate: f64) -> Self {
        SlipThreshold((noise_rate.clamp(0.0, 1.0) * 4_294_967_296.0).round() as u64)
    }
}

/// Where the steps of one problem read the tables: per position, the index
/// of the first alias pair of its operand digits. Traces of the same
/// problem share it.
#[derive(Clone, Debug, Default)]
pub struct Rows(Vec<u32>);

impl Tables {
    /// The number of positions compiled.
    pub fn positions(&self) -> usize {
        self.greedy.len() / CONTEXTS
    }

    /// Makes room for positions `0..positions` (new ones empty).
    fn grow(&mut self, positions: usize) {
        if self.positions() < positions {
            self.alias.resize(positions * DIGIT_PAIRS * OUTPUTS, 0);
            self.greedy.resize(positions * CONTEXTS, 0);
        }
    }

    /// The stamp the learner that compiled these tables left (0 if none).
    pub fn stamp(&self) -> u64 {
        self.stamp
    }

    /// Marks these tables as compiled by the learner holding `stamp`.
    pub fn set_stamp(&mut self, stamp: u64) {
        self.stamp = stamp;
    }

    /// Compiles position `position` from `distribution` (`CONTEXTS x OUTPUTS`
    /// probabilities, rows summing to one) at sampling temperature
    /// `temperature`, growing the tables if needed.
    pub fn set_position(&mut self, position: usize, distribution: &[f32], temperature: f64) {
        for (digits, rows) in distribution.chunks_exact(2 * OUTPUTS).enumerate() {
            self.set_digit_pair(position, digits, rows, temperature);
        }
    }

    /// Compiles the two contexts of operand digits `digits` (`a * 10 + b`)
    /// at position `position` from their distributions `rows` (carry in 0,
    /// then carry in 1: `2 x OUTPUTS` probabilities).
    pub fn set_digit_pair(&mut self, position: usize, digits: usize, rows: &[f32], temperature: f64) {
        self.grow(position + 1);
        let mut entries = [[0; OUTPUTS]; 2];
        build_alias_pair(rows, temperature, &mut entries);
        let start = (position * DIGIT_PAIRS + digits) * OUTPUTS;
        let [low, high] = &entries;
        for (pair, (low, high)) in self.alias[start..start + OUTPUTS].iter_mut().zip(low.iter().zip(high)) {
            *pair = u64::from(*low) | (u64::from(*high) << 32);
        }
        let (without, with) = rows.split_at(OUTPUTS);
        let greedy = position * CONTEXTS + 2 * digits;
        self.greedy[greedy..greedy + 2].copy_from_slice(&[argmax(without), argmax(with)]);
    }

    /// Whether two tables hold the same entries (whoever compiled them).
    pub fn same_entries(&self, other: &Tables) -> bool {
        self.alias == other.alias && self.greedy == other.greedy
    }

    /// The most likely output at `position` in `context`.
    #[inline(always)]
    pub fn greedy_output(&self, position: usize, context: usize) -> u8 {
        self.greedy[position * CONTEXTS + context]
    }

    /// The rows the steps of `a + b` read, into `rows`.
    pub fn rows(&self, a: &[u8], b: &[u8], rows: &mut Rows) {
        rows.0.clear();
        rows.0.extend(a.iter().zip(b).enumerate().map(|(p, (x, y))| row(p, *x, *y) as u32));
    }
}

/// The first alias pair of digits `(a, b)` at `position`.
#[inline(always)]
fn row(position: usize, a: u8, b: u8) -> usize {
    (position * DIGIT_PAIRS + a as usize * 10 + b as usize) * OUTPUTS
}

/// The index of the largest probability (the first on ties).
pub fn argmax(row: &[f32]) -> u8 {
    // The best value is kept in a register rather than reloaded through
    // `row[best]`, which made every comparison wait for the one before.
    let (mut best, mut best_value) = (0, row[0]);
    for (i, p) in row.iter().enumerate() {
        if *p > best_value {
            (best, best_value) = (i, *p);
        }
    }
    best as u8
}

/// Vose's alias method over 20 outcomes, with probabilities `row^(1/T)`
/// renormalised, for the two rows in `rows` (`2 x OUTPUTS`) at once.
///
/// Each row's work is a chain of dependent floating-point steps (its sum
/// alone is 20 additions in a row), so the two rows go side by side: their
/// chains overlap. Each row's arithmetic is the one-row algorithm's, in the
/// same order, so the tables are the same.
fn build_alias_pair(rows: &[f32], temperature: f64, out: &mut [[AliasEntry; OUTPUTS]; 2]) {
    let mut scaled = [[0f64; OUTPUTS]; 2];
    for (scaled, row) in scaled.iter_mut().zip(rows.chunks_exact(OUTPUTS)) {
        for (s, p) in scaled.iter_mut().zip(row) {
            // The crate's own `powf`, not the platform's, so that tempered
            // tables (and every trace sampled from them) have the same bits
            // on every platform; zero stays zero.
            *s = match temperature == 1.0 || *p == 0.0 {
                true => f64::from(*p),
                false => fixed_math::powf(f64::from(*p), 1.0 / temperature),
            };
        }
    }
    // Summed in `Iterator::sum`'s order (from -0.0, left to right).
    let mut totals = [-0.0f64; 2];
    for (without, with) in scaled[0].iter().zip(&scaled[1]) {
        totals[0] += without;
        totals[1] += with;
    }
    for (scaled, total) in scaled.iter_mut().zip(totals) {
        scaled.iter_mut().for_each(|s| *s *= OUTPUTS as f64 / total);
    }
    // Both stacks written at every column, only one advanced: no branch.
    let (mut small, mut large) = ([[0u8; OUTPUTS]; 2], [[0u8; OUTPUTS]; 2]);
    let (mut n_small, mut n_large) = ([0usize; 2], [0usize; 2]);
    for (i, (without, with)) in scaled[0].iter().zip(&scaled[1]).enumerate() {
        for (r, value) in [without, with].into_iter().enumerate() {
            let is_small = *value < 1.0;
            small[r][n_small[r]] = i as u8;
            large[r][n_large[r]] = i as u8;
            n_small[r] += usize::from(is_small);
            n_large[r] += usize::from(!is_small);
        }
    }
    for r in 0..2 {
        pair_columns(&mut scaled[r], (&mut small[r], n_small[r]), (&large[r], n_large[r]), &mut out[r]);
    }
}

/// Vose's pairing of one row's `small` and `large` columns (stacks with
/// their heights), and the row's alias entries from it. What is never
/// paired has probability one up to rounding: it aliases itself, so the
/// column is kept whatever the threshold says.
#[inline(always)]
fn pair_columns(
    scaled: &mut [f64; OUTPUTS],
    (small, mut n_small): (&mut [u8; OUTPUTS], usize),
    (large, mut n_large): (&[u8; OUTPUTS], usize),
    out: &mut [AliasEntry; OUTPUTS],
) {
    let mut alias: [u8; OUTPUTS] = std::array::from_fn(|i| i as u8);
    let mut keep = [1f64; OUTPUTS];
    // The large column on top of its stack held in a register (`l`,
    // `mass`) rather than reloaded from `scaled` each time; the entries are
    // packed afterwards, all at once.
    if n_large > 0 {
        let mut l = large[n_large - 1];
        let mut mass = scaled[l as usize];
        while n_small > 0 {
            n_small -= 1;
            let s = small[n_small] as usize;
            (alias[s], keep[s]) = (l, scaled[s]);
            mass -= 1.0 - scaled[s];
            if mass < 1.0 {
                // `l` turns small: it is the next to be paired, with the
                // large column below it on the stack.
                scaled[l as usize] = mass;
                n_large -= 1;
                small[n_small] = l;
                n_small += 1;
                if n_large == 0 {
                    break;
                }
                l = large[n_large - 1];
                mass = scaled[l as usize];
            }
        }
    }
    for ((entry, keep), alias) in out.iter_mut().zip(keep).zip(alias) {
        *entry = pack(keep, alias);
    }
}

/// An alias entry keeping its column with probability `keep`.
#[inline(always)]
fn pack(keep: f64, alias: u8) -> AliasEntry {
    let threshold = (keep.clamp(0.0, 1.0) * THRESHOLD_SCALE).min(THRESHOLD_SCALE - 1.0) as u32;
    (threshold << 5) | u32::from(alias)
}

/// Samples `out.len() / n` traces of `n` steps one after another, the
/// steps at position `p` reading the alias pairs from `row(p)`.
#[inline(always)]
fn sample(
    alias: &[AliasPair],
    n: usize,
    row: impl Fn(usize) -> usize,
    slip: SlipThreshold,
    rng: &mut Pcg64,
    out: &mut [u8],
) {
    for trace in out.chunks_exact_mut(n) {
        // 32 x the carry in: shifts the pair to the entry of that carry.
        let mut carry_shift = 0u32;
        for (p, step) in trace.iter_mut().enumerate() {
            let draw = rng.next_u64();
            let (column, sampled) = alias_step(draw, alias, row(p), carry_shift);
            let output = if (draw >> 32) < slip.0 { column } else { sampled };
            *step = output as u8;
            carry_shift = (output & 1) << 5;
        }
    }
}

/// One step drawn from its alias pairs (`alias[row + column]`, the entry of
/// the carry in at `carry_shift`) by the low 32 bits of `draw`: the uniform
/// column, and the output the alias entry gives (the column or its alias).
#[inline(always)]
fn alias_step(draw: u64, alias: &[AliasPair], row: usize, carry_shift: u32) -> (u32, u32) {
    // A uniform 32-bit number times 20: the integer part is a uniform
    // column, the fractional part (27 bits of it) a fresh uniform for its
    // threshold. With its low 5 bits set, the fraction is below an entry
    // exactly when it is below the entry's threshold, so the entry needs
    // no unpacking before the comparison.
    let wide = (draw & 0xffff_ffff) * OUTPUTS as u64;
    let column = (wide >> 32) as u32;
    let fraction = (wide as u32) | 31;
    let entry = (alias[row + column as usize] >> carry_shift) as u32;
    (column, if fraction < entry { column } else { entry & 31 })
}

/// How an unfaithful chain of thought is written (`cot_reliance` below 1;
/// docs/MODEL.md, "Unfaithful chains of thought"). Each step tosses a coin:
/// with the reliance its carry reaches the next step through what it wrote
/// (one act, written and slipping as at reliance 1); otherwise the next step
/// reads the carry the step computed, and the written digit and the written
/// carry are copied out apart, each slipping at the rate it slips at
/// reliance 1 (the digit to a uniform digit with the noise rate, the carry
/// to a uniform carry, i.e. flipped with half of it), independently.
///
/// Its coins and slips come from a generator of their own, one draw per
/// step, so the run's stream is drawn exactly as at reliance 1: the same
/// problems, columns and slip events; only what a slip does differs.
#[derive(Clone, Debug)]
pub struct Reliance {
    /// The step's carry is passed on through the writing when the low 32
    /// bits of its draw are below this.
    through_writing: u64,
    /// An unfaithful step's written carry flips when a 32-bit uniform is below this.
    carry_flip: u64,
    rng: Pcg64,
}

impl Reliance {
    /// Reliance `cot_reliance` in `[0, 1]` at slip rate `noise_rate`, drawing from `rng`.
    pub fn new(cot_reliance: f64, noise_rate: f64, rng: Pcg64) -> Self {
        let threshold = |p: f64| (p.clamp(0.0, 1.0) * 4_294_967_296.0).round() as u64;
        Reliance { through_writing: threshold(cot_reliance), carry_flip: threshold(noise_rate / 2.0), rng }
    }
}

/// [`sample`] with an unfaithful chain of thought: each step draws from
/// `rng` exactly as [`sample`] does, and from `reliance`'s generator once.
#[inline(always)]
fn sample_unfaithful(
    alias: &[AliasPair],
    n: usize,
    row: impl Fn(usize) -> usize,
    slip: SlipThreshold,
    reliance: &mut Reliance,
    rng: &mut Pcg64,
    out: &mut [u8],
) {
    for trace in out.chunks_exact_mut(n) {
        // 32 x the carry the next step reads.
        let mut carry_shift = 0u32;
        for (p, step) in trace.iter_mut().enumerate() {
            let draw = rng.next_u64();
            // What the step computes from the carry it read.
            let (column, computed) = alias_step(draw, alias, row(p), carry_shift);
            let slipped = (draw >> 32) < slip.0;
            let coin = reliance.rng.next_u64();
            let output = if (coin & 0xffff_ffff) < reliance.through_writing {
                let output = if slipped { column } else { computed };
                carry_shift = (output & 1) << 5;
                output
            } else {
                // The high half times 10: a uniform digit (integer part) and
                // a uniform for the carry's flip (fractional part), apart.
                let wide = (coin >> 32) * 10;
                let digit = if slipped { (wide >> 32) as u32 } else { computed >> 1 };
                let flip = u32::from((wide & 0xffff_ffff) < reliance.carry_flip);
                carry_shift = (computed & 1) << 5;
                digit * 2 + ((computed & 1) ^ flip)
            };
            *step = output as u8;
        }
    }
}

/// [`sample_traces`] with an unfaithful chain of thought (see [`Reliance`]).
pub fn sample_traces_unfaithful(
    tables: &Tables,
    rows: &Rows,
    slip: SlipThreshold,
    reliance: &mut Reliance,
    rng: &mut Pcg64,
    out: &mut [u8],
) {
    let rows = &rows.0[..];
    let n = rows.len();
    let alias = &tables.alias[..n * DIGIT_PAIRS * OUTPUTS];
    sample_unfaithful(alias, n, |p| rows[p] as usize, slip, reliance, rng, out);
}

/// Samples one trace of `a + b` into `out` (one output per position), each
/// step drawn from the tables and replaced by a uniformly random output with
/// the slip probability.
#[inline]
pub fn sample_trace(
    tables: &Tables,
    a: &[u8],
    b: &[u8],
    slip: SlipThreshold,
    rng: &mut Pcg64,
    out: &mut [u8],
) {
    let n = out.len();
    let (a, b) = (&a[..n], &b[..n]);
    let alias = &tables.alias[..n * DIGIT_PAIRS * OUTPUTS];
    sample(alias, n, |p| row(p, a[p], b[p]), slip, rng, out);
}

/// Samples `out.len() / rows.len()` traces of the problem whose `rows` these
/// are, one after another, each as [`sample_trace`] would (the same draws
/// in the same order, so the same traces).
pub fn sample_traces(tables: &Tables, rows: &Rows, slip: SlipThreshold, rng: &mut Pcg64, out: &mut [u8]) {
    let rows = &rows.0[..];
    let n = rows.len();
    let alias = &tables.alias[..n * DIGIT_PAIRS * OUTPUTS];
    sample(alias, n, |p| rows[p] as usize, slip, rng, out);
}

/// Whether the greedy (most likely, slip-free) trace of `a + b` writes the
/// right answer. At any `cot_reliance`: without slips an unfaithful step
/// writes what it computed, so the written and the internal chain agree.
pub fn greedy_is_right(tables: &Tables, a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    let greedy = &tables.greedy[..n * CONTEXTS];
    // 8 x the carry in, of the greedy trace and of the true one.
    let (mut greedy_shift, mut true_shift) = (0, 0);
    let mut right = true;
    let mut last = (0, 0);
    for (p, (x, y)) in a.iter().zip(&b[..n]).enumerate() {
        // Both carries' outputs are loaded before the carry is known (the
        // two contexts are adjacent), and the carry shifts out the one it
        // needs: no branch to mispredict, and only a shift waits for the
        // step before.
        let c = context(*x, *y, 0);
        let greedy_steps = u16::from_le_bytes([greedy[p * CONTEXTS + c], greedy[p * CONTEXTS + c + 1]]);
        let true_steps = u16::from_le_bytes([correct_output(c), correct_output(c + 1)]);
        let step = (greedy_steps >> greedy_shift) as u8;
        let truth = (true_steps >> true_shift) as u8;
        right &= digit(step) == digit(truth);
        (greedy_shift, true_shift) = (carry(step) << 3, carry(truth) << 3);
        last = (step, truth);
    }
    right && carry(last.0) == carry(last.1)
}

/// Greedy accuracy of `tables` on `count` fresh problems of `digits` digits.
pub fn greedy_accuracy(tables: &Tables, digits: usize, count: usize, rng: &mut Pcg64) -> f64 {
    let problems = Problems::draw(count, digits, rng);
    let correct = (0..count)
        .filter(|i| {
            let (a, b) = problems.operands(*i);
            greedy_is_right(tables, a, b)
        })
        .count();
    correct as f64 / count as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn one_context_distribution(row: &[f32; OUTPUTS]) -> Vec<f32> {
        row.iter().copied().cycle().take(CONTEXTS * OUTPUTS).collect()
    }

    #[test]
    fn sampled_frequencies_match_the_distribution() {
        let mut row = [0f32; OUTPUTS];
        row[3] = 0.5;
        row[7] = 0.3;
        row[19] = 0.2;
        let mut tables = Tables::default();
        tables.set_position(0, &one_context_distribution(&row), 1.0);
        let mut rng = Pcg64::seed_from_u64(11);
        let mut counts = [0usize; OUTPUTS];
        let mut out = [0u8; 1];
        let draws = 100_000;
        for _ in 0..draws {
            sample_trace(&tables, &[4], &[2], SlipThreshold::new(0.0), &mut rng, &mut out);
            counts[out[0] as usize] += 1;
        }
        // Binomial sd of a count at p = 0.5 is sqrt(1e5 * 0.25) = 158; at
        // p = 0.3, 145; at 0.2, 126. 5 sd bounds never fail for a correct sampler.
        assert!(counts[3].abs_diff(50_000) < 790, "{counts:?}");
        assert!(counts[7].abs_diff(30_000) < 725, "{counts:?}");
        assert!(counts[19].abs_diff(20_000) < 630, "{counts:?}");
        assert_eq!(counts.iter().sum::<usize>(), draws);
        assert_eq!(tables.greedy_output(0, context(4, 2, 0)), 3);
    }

    #[test]
    fn slips_replace_a_step_with_a_uniform_output() {
        let mut row = [0f32; OUTPUTS];
        row[0] = 1.0;
        let mut tables = Tables::default();
        tables.set_position(0, &one_context_distribution(&row), 1.0);
        let mut rng = Pcg64::seed_from_u64(12);
        let mut out = [0u8; 1];
        let draws = 100_000;
        let mut not_zero = 0;
        for _ in 0..draws {
            sample_trace(&tables, &[0], &[0], SlipThreshold::new(0.2), &mut rng, &mut out);
            not_zero += usize::from(out[0] != 0);
        }
        // A slip shows unless it lands on output 0: p = 0.2 * 19/20 = 0.19;
        // sd = sqrt(1e5 * 0.19 * 0.81) = 124; 5 sd = 620.
        assert!(not_zero.abs_diff(19_000) < 620, "{not_zero}");
    }

    #[test]
    fn low_temperature_sharpens_towards_the_mode() {
        let mut row = [0f32; OUTPUTS];
        row[1] = 0.6;
        row[2] = 0.4;
        let mut tables = Tables::default();
        tables.set_position(0, &one_context_distribution(&row), 0.25);
        let mut rng = Pcg64::seed_from_u64(13);
        let mut out = [0u8; 1];
        let ones = (0..100_000)
            .filter(|_| {
                sample_trace(&tables, &[0], &[0], SlipThreshold::new(0.0), &mut rng, &mut out);
                out[0] == 1
            })
            .count();
        // p^(1/T) at T = 1/4: 0.6^4 / (0.6^4 + 0.4^4) = 0.1296 / 0.1552 = 0.835;
        // sd = sqrt(1e5 * 0.835 * 0.165) = 117; 5 sd = 590.
        assert!(ones.abs_diff(83_505) < 590, "{ones}");
    }
}
