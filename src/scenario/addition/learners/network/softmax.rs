//! The network's softmax over its outputs for a whole batch: `exp` is a
//! long chain of dependent operations, and it is fast only when several of
//! them are in flight at once.
//!
//! The logits are stored transposed (`rows x n`, one row per output, one
//! column per example), so the softmax vectorises across examples. Each
//! example's maximum is a fold over its outputs in order and its total the
//! same fixed order as ever (four interleaved partial sums, then pairwise),
//! so the bits are those of one example at a time, on every [`Path`]: the
//! x86 body below (`x86::columns`, one generic body for AVX2's 8 and
//! AVX-512's 16 lanes) does the operations of
//! [`fixed_math::exp_non_positive`] in the same order, two vectors of
//! examples side by side so that their `exp`s overlap, with the maxima and
//! sums held in registers.

use super::aligned::Floats;
use super::kernel::Path;
use crate::scenario::addition::learners::fixed_math;

/// Softmax of every column of `p` (`rows x n`) in place, with the fixed
/// `exp`: leaves the exponentials in `p` and each column's inverse total in
/// `inverse[..n]`, for [`normalize`] or the output gradients' single pass.
#[inline(always)]
pub fn softmax(path: Path, p: &mut [f32], n: usize, inverse: &mut Floats) {
    inverse.clear();
    inverse.resize(n, 0.0);
    if n == 0 {
        return;
    }
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if path == Path::Avx512 && super::kernel::has_avx512() {
        let upto = n / 32 * 32;
        // SAFETY: the CPU has AVX-512, checked just above.
        unsafe { x86::columns_avx512(p, n, done, upto, inverse) };
        done = upto;
    }
    #[cfg(target_arch = "x86_64")]
    if matches!(path, Path::Avx2Fma | Path::Avx512) && super::kernel::has_avx2_fma() {
        let upto = n / 16 * 16;
        // SAFETY: the CPU has AVX2, checked just above.
        unsafe { x86::columns_avx2(p, n, done, upto, inverse) };
        done = upto;
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = path;
    while done + 8 <= n {
        columns::<8>(p, n, done, (&mut inverse[done..done + 8]).try_into().expect("8 columns"));
        done += 8;
    }
    for c in done..n {
        columns::<1>(p, n, c, (&mut inverse[c..c + 1]).try_into().expect("1 column"));
    }
}

/// The last pass of [`softmax`]: every column times its inverse total.
#[inline(always)]
pub fn normalize(p: &mut [f32], n: usize, inverse: &[f32]) {
    for row in p.chunks_exact_mut(n) {
        row.iter_mut().zip(&inverse[..n]).for_each(|(x, inverse)| *x *= inverse);
    }
}

/// [`softmax`] of columns `c..c + W`, in the vector unit the caller is
/// compiled for: the maxima in registers.
#[inline(always)]
fn columns<const W: usize>(p: &mut [f32], n: usize, c: usize, inverse: &mut [f32; W]) {
    let rows = p.len() / n;
    let column = |p: &[f32], o: usize| -> [f32; W] { p[o * n + c..][..W].try_into().expect("W columns") };
    let mut top = column(p, 0);
    for o in 1..rows {
        let x = column(p, o);
        top = std::array::from_fn(|u| if x[u] > top[u] { x[u] } else { top[u] });
    }
    let mut lanes = [[0.0f32; W]; 4];
    for o in 0..rows {
        let x = column(p, o);
        // x <= top, or NaN where a logit is.
        let e: [f32; W] = std::array::from_fn(|u| fixed_math::exp_non_positive(x[u] - top[u]));
        p[o * n + c..][..W].copy_from_slice(&e);
        lanes[o % 4].iter_mut().zip(&e).for_each(|(l, e)| *l += e);
    }
    *inverse = std::array::from_fn(|u| 1.0 / ((lanes[0][u] + lanes[1][u]) + (lanes[2][u] + lanes[3][u])));
}

/// The AVX2 and AVX-512 copies: one generic body over [`x86::Lanes`], the
/// vector operations it uses at each width.
#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use crate::scenario::addition::learners::fixed_math::{
        EXP_CLAMP, EXP_LN2_HI, EXP_LN2_LO, EXP_LOW, EXP_POLYNOMIAL, LOG2_E, ROUND_F32,
    };

    /// A vector of `f32` lanes and the operations the softmax does on it,
    /// each one instruction that rounds as the scalar operation does.
    ///
    /// # Safety
    /// The methods may run only on a CPU with the width's features. (They
    /// are meant to be inlined into a function compiled with them, where
    /// each is one instruction.)
    pub(super) trait Lanes: Copy {
        /// Lanes per vector.
        const WIDTH: usize;
        unsafe fn load(from: *const f32) -> Self;
        unsafe fn store(self, to: *mut f32);
        unsafe fn splat(x: f32) -> Self;
        unsafe fn add(self, other: Self) -> Self;
        unsafe fn sub(self, other: Self) -> Self;
        unsafe fn mul(self, other: Self) -> Self;
        unsafe fn div(self, other: Self) -> Self;
        /// `self > other ? self : other`: NaN in either gives `other`.
        unsafe fn max(self, other: Self) -> Self;
        /// `2^n` for the `n` that `exp` leaves in the low mantissa bits of
        /// `shifted` (`shifted - ROUND_F32` as integers, plus the bias).
        unsafe fn power_of_two(shifted: Self) -> Self;
        /// `x < low ? 0 : self` (NaN in `x` keeping `self`).
        unsafe fn zero_where_below(self, x: Self, low: f32) -> Self;
    }

    impl Lanes for __m256 {
        const WIDTH: usize = 8;
        #[inline(always)]
        unsafe fn load(from: *const f32) -> Self {
            unsafe { _mm256_loadu_ps(from) }
        }
        #[inline(always)]
        unsafe fn store(self, to: *mut f32) {
            unsafe { _mm256_storeu_ps(to, self) }
        }
        #[inline(always)]
        unsafe fn splat(x: f32) -> Self {
            unsafe { _mm256_set1_ps(x) }
        }
        #[inline(always)]
        unsafe fn add(self, other: Self) -> Self {
            unsafe { _mm256_add_ps(self, other) }
        }
        #[inline(always)]
        unsafe fn sub(self, other: Self) -> Self {
            unsafe { _mm256_sub_ps(self, other) }
        }
        #[inline(always)]
        unsafe fn mul(self, other: Self) -> Self {
            unsafe { _mm256_mul_ps(self, other) }
        }
        #[inline(always)]
        unsafe fn div(self, other: Self) -> Self {
            unsafe { _mm256_div_ps(self, other) }
        }
        #[inline(always)]
        unsafe fn max(self, other: Self) -> Self {
            unsafe { _mm256_max_ps(self, other) }
        }
        #[inline(always)]
        unsafe fn power_of_two(shifted: Self) -> Self {
            unsafe {
                let round_bits = _mm256_set1_epi32(ROUND_F32.to_bits() as i32);
                let n_bits = _mm256_sub_epi32(_mm256_castps_si256(shifted), round_bits);
                _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(n_bits, _mm256_set1_epi32(127))))
            }
        }
        #[inline(always)]
        unsafe fn zero_where_below(self, x: Self, low: f32) -> Self {
            unsafe { _mm256_and_ps(_mm256_cmp_ps::<_CMP_NLT_UQ>(x, _mm256_set1_ps(low)), self) }
        }
    }

    impl Lanes for __m512 {
        const WIDTH: usize = 16;
        #[inline(always)]
        unsafe fn load(from: *const f32) -> Self {
            unsafe { _mm512_loadu_ps(from) }
        }
        #[inline(always)]
        unsafe fn store(self, to: *mut f32) {
            unsafe { _mm512_storeu_ps(to, self) }
        }
        #[inline(always)]
        unsafe fn splat(x: f32) -> Self {
            unsafe { _mm512_set1_ps(x) }
        }
        #[inline(always)]
        unsafe fn add(self, other: Self) -> Self {
            unsafe { _mm512_add_ps(self, other) }
        }
        #[inline(always)]
        unsafe fn sub(self, other: Self) -> Self {
            unsafe { _mm512_sub_ps(self, other) }
        }
        #[inline(always)]
        unsafe fn mul(self, other: Self) -> Self {
            unsafe { _mm512_mul_ps(self, other) }
        }
        #[inline(always)]
        unsafe fn div(self, other: Self) -> Self {
            unsafe { _mm512_div_ps(self, other) }
        }
        #[inline(always)]
        unsafe fn max(self, other: Self) -> Self {
            unsafe { _mm512_max_ps(self, other) }
        }
        #[inline(always)]
        unsafe fn power_of_two(shifted: Self) -> Self {
            unsafe {
                let round_bits = _mm512_set1_epi32(ROUND_F32.to_bits() as i32);
                let n_bits = _mm512_sub_epi32(_mm512_castps_si512(shifted), round_bits);
                _mm512_castsi512_ps(_mm512_slli_epi32::<23>(_mm512_add_epi32(n_bits, _mm512_set1_epi32(127))))
            }
        }
        #[inline(always)]
        unsafe fn zero_where_below(self, x: Self, low: f32) -> Self {
            unsafe { _mm512_maskz_mov_ps(_mm512_cmp_ps_mask::<_CMP_NLT_UQ>(x, _mm512_set1_ps(low)), self) }
        }
    }

    /// [`super::softmax`] of columns `from..upto` (multiples of 16) with
    /// AVX2, 16 at a time.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn columns_avx2(
        p: &mut [f32],
        n: usize,
        from: usize,
        upto: usize,
        inverse: &mut [f32],
    ) {
        unsafe { columns::<__m256>(p, n, from, upto, inverse) }
    }

    /// [`super::softmax`] of columns `from..upto` (multiples of 32) with
    /// AVX-512, 32 at a time.
    ///
    /// # Safety
    /// The CPU must have AVX-512F.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn columns_avx512(
        p: &mut [f32],
        n: usize,
        from: usize,
        upto: usize,
        inverse: &mut [f32],
    ) {
        unsafe { columns::<__m512>(p, n, from, upto, inverse) }
    }

    /// Columns `from..upto` (multiples of two vectors), two vectors of
    /// examples at a time, so that their `exp`s overlap, with the maxima
    /// and the four partial sums in registers.
    ///
    /// # Safety
    /// The CPU must have `V`'s features (and for speed, the caller is
    /// compiled with them).
    #[inline(always)]
    unsafe fn columns<V: Lanes>(p: &mut [f32], n: usize, from: usize, upto: usize, inverse: &mut [f32]) {
        let block = 2 * V::WIDTH;
        let rows = p.len() / n;
        assert!(
            rows > 0
                && from.is_multiple_of(block)
                && upto.is_multiple_of(block)
                && upto <= n
                && inverse.len() >= upto,
            "softmax: sizes"
        );
        let base = p.as_mut_ptr();
        for c in (from..upto).step_by(block) {
            // SAFETY (for every use below): row o < rows and columns
            // c..c + block <= n lie in `p` (rows * n values), asserted above;
            // the CPU has V's features (the caller's contract).
            let at = |o: usize, b: usize| unsafe { base.add(o * n + c + V::WIDTH * b) };
            let load = |o: usize, b: usize| unsafe { V::load(at(o, b)) };
            let mut top = [load(0, 0), load(0, 1)];
            for o in 1..rows {
                // `max(x, top)` is `x > top ? x : top`, NaN in `x` keeping `top`.
                top = unsafe { [load(o, 0).max(top[0]), load(o, 1).max(top[1])] };
            }
            let zero = unsafe { V::splat(0.0) };
            let mut lanes = [[zero; 4]; 2];
            for first in (0..rows).step_by(4) {
                // A constant lane index, so that the sums stay in registers.
                #[allow(clippy::needless_range_loop)]
                for lane in 0..4 {
                    let o = first + lane;
                    if o >= rows {
                        break;
                    }
                    for b in 0..2 {
                        unsafe {
                            let e = exp_non_positive(load(o, b).sub(top[b]));
                            e.store(at(o, b));
                            lanes[b][lane] = lanes[b][lane].add(e);
                        }
                    }
                }
            }
            for (b, l) in lanes.iter().enumerate() {
                unsafe {
                    let total = l[0].add(l[1]).add(l[2].add(l[3]));
                    // c + WIDTH b + WIDTH <= upto <= inverse.len().
                    V::splat(1.0).div(total).store(inverse.as_mut_ptr().add(c + V::WIDTH * b));
                }
            }
        }
    }

    /// [`fixed_math::exp_non_positive`](crate::scenario::addition::learners::fixed_math::exp_non_positive)
    /// of a vector: the same operations in the same order.
    ///
    /// # Safety
    /// As [`columns`].
    #[inline(always)]
    pub(super) unsafe fn exp_non_positive<V: Lanes>(x: V) -> V {
        unsafe {
            let splat = V::splat;
            // `x < EXP_CLAMP ? EXP_CLAMP : x`, NaN passing through.
            let clamped = splat(EXP_CLAMP).max(x);
            let shifted = clamped.mul(splat(LOG2_E)).add(splat(ROUND_F32));
            let n = shifted.sub(splat(ROUND_F32));
            let r = clamped.sub(n.mul(splat(EXP_LN2_HI))).sub(n.mul(splat(EXP_LN2_LO)));
            let [c0, c1, c2, c3, c4, c5] = EXP_POLYNOMIAL;
            let mut p = splat(c0);
            for c in [c1, c2, c3, c4, c5] {
                p = p.mul(r).add(splat(c));
            }
            let y = p.mul(r.mul(r)).add(r).add(splat(1.0));
            y.mul(V::power_of_two(shifted)).zero_where_below(x, EXP_LOW)
        }
    }

    /// [`exp_non_positive`] of 8 values, for the tests.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[cfg(test)]
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn exp_avx2(x: __m256) -> __m256 {
        unsafe { exp_non_positive(x) }
    }

    /// [`exp_non_positive`] of 16 values, for the tests.
    ///
    /// # Safety
    /// The CPU must have AVX-512F.
    #[cfg(test)]
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn exp_avx512(x: __m512) -> __m512 {
        unsafe { exp_non_positive(x) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_pcg::Pcg64;

    /// Equal bits, or both NaN (whose payload no result depends on).
    fn same(a: f32, b: f32) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    #[test]
    fn every_path_gives_the_bits_of_one_column_at_a_time() {
        let mut rng = Pcg64::seed_from_u64(7);
        // 20 outputs as in the network, and 3 rows (no whole group of four);
        // widths with and without the 32-, 16-, 8- and 1-column blocks.
        for (rows, n) in [(20, 256), (20, 200), (20, 48), (20, 37), (3, 16), (20, 1), (5, 9)] {
            let mut logits: Vec<f32> = (0..rows * n).map(|_| rng.random_range(-30.0f32..30.0)).collect();
            // Ties, large spreads, and the values an unstable network makes.
            let specials = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e30, -1e30, 0.0, -0.0, 88.0, -100.0];
            for (i, x) in specials.iter().enumerate() {
                logits[(i * 31) % (rows * n)] = *x;
            }
            if n > 3 {
                logits[n + 2] = logits[2];
            }
            // One column at a time, the plain fold: the reference.
            let mut want = logits.clone();
            let mut want_inverse = vec![0.0f32; n];
            for c in 0..n {
                let top =
                    (1..rows).fold(want[c], |t, o| if want[o * n + c] > t { want[o * n + c] } else { t });
                let mut lanes = [0.0f32; 4];
                for o in 0..rows {
                    want[o * n + c] = fixed_math::exp_non_positive(want[o * n + c] - top);
                    lanes[o % 4] += want[o * n + c];
                }
                want_inverse[c] = 1.0 / ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]));
            }
            for path in Path::available() {
                let (mut got, mut inverse) = (logits.clone(), Floats::default());
                super::super::kernel::on(path, || softmax(path, &mut got, n, &mut inverse));
                for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                    assert!(same(*g, *w), "{path:?} {rows} x {n}: value {i}: {g:e} against {w:e}");
                }
                for (c, (g, w)) in inverse.iter().zip(&want_inverse).enumerate() {
                    assert!(same(*g, *w), "{path:?} {rows} x {n}: inverse {c}: {g:e} against {w:e}");
                }
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_exp_is_the_fixed_exp_bit_for_bit() {
        use std::arch::x86_64::{_mm256_loadu_ps, _mm256_storeu_ps};
        if !std::is_x86_feature_detected!("avx2") {
            eprintln!("skipped: this CPU has no AVX2");
            return;
        }
        let values: Vec<f32> = fixed_math::non_positive_test_values().collect();
        let mut checked = 0;
        for chunk in values.chunks_exact(8) {
            let mut got = [0.0f32; 8];
            // SAFETY: the CPU has AVX2 (checked above); 8 values each way.
            unsafe { _mm256_storeu_ps(got.as_mut_ptr(), x86::exp_avx2(_mm256_loadu_ps(chunk.as_ptr()))) };
            for (x, g) in chunk.iter().zip(got) {
                assert!(same(g, fixed_math::exp_non_positive(*x)), "at {x:e}: {g:e}");
                checked += 1;
            }
        }
        assert!(checked > 2_000_000, "{checked}");
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx512_exp_is_the_fixed_exp_bit_for_bit() {
        use std::arch::x86_64::{_mm512_loadu_ps, _mm512_storeu_ps};
        if !std::is_x86_feature_detected!("avx512f") {
            eprintln!("skipped: this CPU has no AVX-512F");
            return;
        }
        let values: Vec<f32> = fixed_math::non_positive_test_values().collect();
        let mut checked = 0;
        for chunk in values.chunks_exact(16) {
            let mut got = [0.0f32; 16];
            // SAFETY: the CPU has AVX-512F (checked above); 16 values each way.
            unsafe { _mm512_storeu_ps(got.as_mut_ptr(), x86::exp_avx512(_mm512_loadu_ps(chunk.as_ptr()))) };
            for (x, g) in chunk.iter().zip(got) {
                assert!(same(g, fixed_math::exp_non_positive(*x)), "at {x:e}: {g:e}");
                checked += 1;
            }
        }
        assert!(checked > 2_000_000, "{checked}");
    }
}
