//! The hot loop: sampling trace steps from the learner's tables.
//!
//! After each round of training the learner's per-position distributions are
//! compiled into alias tables (one per position and context), so that a step
//! costs one 64-bit draw, one multiply and one table load. The low 32 bits of
//! the draw pick a column and its acceptance threshold; the high 32 bits
//! decide whether the step slips (is replaced by a uniformly random output).

use rand::RngCore;
use rand_pcg::Pcg64;

use super::digits::{carry, context, CONTEXTS, OUTPUTS};

/// One column of an alias table packed in 32 bits: the top 27 bits are the
/// threshold below which the column is kept (in units of 2^-27), the low 5
/// bits the alias taken otherwise. Four bytes per entry keep a 30-digit
/// model's tables (480 KB) inside the L2 cache.
type AliasEntry = u32;

/// Threshold units per unit probability.
const THRESHOLD_SCALE: f64 = (1u64 << 27) as f64;

/// Compiled sampling and greedy tables for positions `0..positions()`.
#[derive(Clone, Debug, Default)]
pub struct Tables {
    alias: Vec<AliasEntry>,
    greedy: Vec<u8>,
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

impl Tables {
    /// The number of positions compiled.
    pub fn positions(&self) -> usize {
        self.greedy.len() / CONTEXTS
    }

    /// Compiles position `position` from `distribution` (`CONTEXTS x OUTPUTS`
    /// probabilities, rows summing to one) at sampling temperature
    /// `temperature`, growing the tables if needed.
    pub fn set_position(&mut self, position: usize, distribution: &[f32], temperature: f64) {
        if self.positions() <= position {
            self.alias.resize((position + 1) * CONTEXTS * OUTPUTS, 0);
            self.greedy.resize((position + 1) * CONTEXTS, 0);
        }
        for c in 0..CONTEXTS {
            let row = &distribution[c * OUTPUTS..(c + 1) * OUTPUTS];
            let start = (position * CONTEXTS + c) * OUTPUTS;
            build_alias(row, temperature, &mut self.alias[start..start + OUTPUTS]);
            self.greedy[position * CONTEXTS + c] = argmax(row);
        }
    }

    /// The most likely output at `position` in `context`.
    #[inline(always)]
    pub fn greedy_output(&self, position: usize, context: usize) -> u8 {
        self.greedy[position * CONTEXTS + context]
    }
}

/// The index of the largest probability (the first on ties).
pub fn argmax(row: &[f32]) -> u8 {
    let mut best = 0;
    for (i, p) in row.iter().enumerate() {
        if *p > row[best] {
            best = i;
        }
    }
    best as u8
}

/// Vose's alias method over 20 outcomes, with probabilities `row^(1/T)`
/// renormalised. Thresholds are in units of 2^-32.
fn build_alias(row: &[f32], temperature: f64, out: &mut [AliasEntry]) {
    let mut scaled = [0f64; OUTPUTS];
    for (s, p) in scaled.iter_mut().zip(row) {
        *s = if temperature == 1.0 { f64::from(*p) } else { f64::from(*p).powf(1.0 / temperature) };
    }
    let total: f64 = scaled.iter().sum();
    scaled.iter_mut().for_each(|s| *s *= OUTPUTS as f64 / total);
    let (mut small, mut large) = ([0u8; OUTPUTS], [0u8; OUTPUTS]);
    let (mut n_small, mut n_large) = (0, 0);
    for (i, s) in scaled.iter().enumerate() {
        if *s < 1.0 {
            small[n_small] = i as u8;
            n_small += 1;
        } else {
            large[n_large] = i as u8;
            n_large += 1;
        }
    }
    while n_small > 0 && n_large > 0 {
        n_small -= 1;
        let s = small[n_small] as usize;
        let l = large[n_large - 1] as usize;
        out[s] = pack(scaled[s], l);
        scaled[l] -= 1.0 - scaled[s];
        if scaled[l] < 1.0 {
            n_large -= 1;
            small[n_small] = l as u8;
            n_small += 1;
        }
    }
    // What is left has probability one up to rounding: it aliases itself,
    // so the column is kept whatever the threshold says.
    for i in small[..n_small].iter().chain(&large[..n_large]) {
        out[*i as usize] = pack(1.0, *i as usize);
    }
}

/// An alias entry keeping its column with probability `keep`.
fn pack(keep: f64, alias: usize) -> AliasEntry {
    let threshold = (keep.clamp(0.0, 1.0) * THRESHOLD_SCALE).min(THRESHOLD_SCALE - 1.0) as u32;
    (threshold << 5) | alias as u32
}

/// The output an alias entry gives for a column and a 27-bit uniform fraction.
#[inline(always)]
fn resolve(entry: AliasEntry, column: u8, fraction: u32) -> u8 {
    if fraction < entry >> 5 {
        column
    } else {
        (entry & 31) as u8
    }
}

/// Samples one trace of `a + b` into `out` (one output per position), each
/// step drawn from the tables and replaced by a uniformly random output with
/// the slip probability.
///
/// The carry makes each step depend on the one before. To keep that chain
/// short, each step resolves its draw against both carry-in rows (whose
/// addresses do not depend on the carry, so the loads overlap across steps)
/// and only then selects by the carry.
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
    let alias = &tables.alias[..n * CONTEXTS * OUTPUTS];
    let mut carry_in = 0u8;
    for p in 0..n {
        let draw = rng.next_u64();
        // A uniform 32-bit number times 20: the integer part is a uniform
        // column, the fractional part a fresh uniform for its threshold.
        let wide = (draw & 0xffff_ffff) * OUTPUTS as u64;
        let column = (wide >> 32) as u8;
        let fraction = (wide as u32) >> 5;
        let row = (p * CONTEXTS + context(a[p], b[p], 0)) * OUTPUTS + column as usize;
        let without_carry = resolve(alias[row], column, fraction);
        let with_carry = resolve(alias[row + OUTPUTS], column, fraction);
        let sampled = if carry_in == 0 { without_carry } else { with_carry };
        let output = if (draw >> 32) < slip.0 { column } else { sampled };
        out[p] = output;
        carry_in = carry(output);
    }
}

/// Writes the greedy (most likely, slip-free) trace of `a + b` into `out`.
pub fn greedy_trace(tables: &Tables, a: &[u8], b: &[u8], out: &mut [u8]) {
    let mut carry_in = 0u8;
    for (p, step) in out.iter_mut().enumerate() {
        *step = tables.greedy_output(p, context(a[p], b[p], carry_in));
        carry_in = carry(*step);
    }
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
