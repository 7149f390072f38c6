//! Arithmetic whose bits are the same on every CPU and platform, for the
//! learners.
//!
//! The platform's `exp`, `ln`, `sin` and `cos` differ between C libraries,
//! and glibc on x86-64 even picks FMA variants at run time, so a network
//! trained with them could give other bits on another machine. These are
//! written out here instead: range reduction by a split constant
//! (Cody-Waite) and a fixed polynomial, only `+ - * /` and bit operations,
//! which IEEE 754 rounds identically everywhere (Rust never fuses `a * b + c`).
//! The training step's matrix products are in `network/kernel.rs`.

/// `1.5 * 2^23`: adding and subtracting it rounds an `f32` below `2^22` in
/// magnitude to the nearest integer (ties to even).
pub(crate) const ROUND_F32: f32 = 12_582_912.0;
/// `1.5 * 2^52`, the same for `f64`.
const ROUND_F64: f64 = 6_755_399_441_055_744.0;

/// `e^x` in `f32`: relative error below 2 ulp (`2.4e-7`, tested against
/// `f64::exp` on a dense grid of `[-87, 88]`). Results below `2^-126`
/// (`x < -87.33`) are flushed to zero rather than made subnormal, which
/// would be slow for everything downstream; above `88.3` it is `+inf`.
/// Written without branches so a loop over it vectorises.
///
/// Range reduction `x = n ln 2 + r`, `|r| <= ln 2 / 2`, with `ln 2` split so
/// that `n * LN2_HI` is exact; the polynomial for `e^r` is Cephes' `expf`.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    let y = exp_reduced(x.clamp(EXP_CLAMP, EXP_HIGH));
    if x > EXP_HIGH {
        f32::INFINITY
    } else if x < EXP_LOW {
        0.0
    } else {
        y
    }
}

/// [`exp`] for `x <= 0` (or NaN), bit for bit, as a softmax needs it once
/// the maximum is taken off: without the upper clamp and the `+inf` case,
/// which cannot apply there, so a vector of it costs fewer operations.
#[inline(always)]
pub fn exp_non_positive(x: f32) -> f32 {
    debug_assert!(x <= 0.0 || x.is_nan(), "exp_non_positive({x})");
    // What `clamp(EXP_CLAMP, EXP_HIGH)` is for `x <= 0`, NaN passing through too.
    let y = exp_reduced(if x < EXP_CLAMP { EXP_CLAMP } else { x });
    if x < EXP_LOW {
        0.0
    } else {
        y
    }
}

/// Above this [`exp`] is `+inf`.
const EXP_HIGH: f32 = 88.3;
/// `ln(2^-126)`, the smallest normal result: below it [`exp`] is 0.
pub(crate) const EXP_LOW: f32 = -87.336_55;
/// Where [`exp`]'s argument is clamped below, before the flush to zero.
pub(crate) const EXP_CLAMP: f32 = -88.0;
pub(crate) const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// `ln 2` split: 355 / 512 exactly, so that `n * EXP_LN2_HI` is exact.
pub(crate) const EXP_LN2_HI: f32 = 0.693_359_4;
pub(crate) const EXP_LN2_LO: f32 = -2.121_944_4e-4;
/// Cephes' `expf` coefficients, highest power first, written as the
/// shortest literals of the same f32.
pub(crate) const EXP_POLYNOMIAL: [f32; 6] =
    [1.987_569_1e-4, 1.398_199_9e-3, 8.333_452e-3, 4.166_579_6e-2, 1.666_666_6e-1, 5e-1];

/// `e^x` for `x` in `[EXP_CLAMP, EXP_HIGH]` (or NaN), before the range
/// checks. (The network's softmax has a vector copy of these operations,
/// in this order, for AVX2: `network/softmax.rs`.)
#[inline(always)]
fn exp_reduced(clamped: f32) -> f32 {
    let shifted = clamped * LOG2_E + ROUND_F32;
    let n = shifted - ROUND_F32;
    let r = (clamped - n * EXP_LN2_HI) - n * EXP_LN2_LO;
    let [c0, c1, c2, c3, c4, c5] = EXP_POLYNOMIAL;
    let p = ((((c0 * r + c1) * r + c2) * r + c3) * r + c4) * r + c5;
    let y = p * (r * r) + r + 1.0;
    // n sits in the low mantissa bits of `shifted`; n >= -127 keeps the
    // exponent field in range (n = -127 is flushed by the callers).
    let n_bits = (shifted.to_bits() as i32).wrapping_sub(ROUND_F32.to_bits() as i32);
    let scale = f32::from_bits(((n_bits + 127) << 23) as u32);
    y * scale
}

/// `ln 2` split so that `k * LN2_HI` is exact for `|k| < 2^11` (fdlibm).
const LN2_HI: f64 = 6.931_471_803_691_238e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;

/// `2^54`, to scale a subnormal into the normal range exactly.
const TWO_54: f64 = 18_014_398_509_481_984.0;

/// Natural logarithm in `f64`, relative error below `1e-15` (tested against
/// `f64::ln`). `ln 0 = -inf`, negative or NaN gives NaN, `ln inf = inf`.
///
/// `x = 2^k m` with `m` in `[sqrt(1/2), sqrt(2))`, then
/// `ln m = 2 atanh(s)`, `s = (m - 1) / (m + 1)`, `|s| <= 0.172`, by its
/// series to `s^23` (the first omitted term is below `1e-20` of the sum).
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x == f64::INFINITY {
        return x;
    }
    // Subnormals: scale into the normal range first (exact).
    let (x, bias) = if x < f64::MIN_POSITIVE { (x * TWO_54, -54) } else { (x, 0) };
    let bits = x.to_bits();
    let mut k = ((bits >> 52) & 0x7ff) as i64 - 1023 + bias;
    let mut m = f64::from_bits((bits & ((1 << 52) - 1)) | (1023 << 52));
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        k += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    let mut series = 1.0 / 23.0;
    for odd in [21.0, 19.0, 17.0, 15.0, 13.0, 11.0, 9.0, 7.0, 5.0, 3.0, 1.0] {
        series = series * z + 1.0 / odd;
    }
    let k = k as f64;
    k * LN2_HI + (k * LN2_LO + 2.0 * s * series)
}

/// `e^x` in `f64`, relative error below `1e-15` (tested against `f64::exp`)
/// for `x` in `[-708, 709]`; outside it `0` or `+inf`.
///
/// `x = n ln 2 + r`, `|r| <= ln 2 / 2`, and Taylor's series of `e^r` to
/// `r^13` (remainder below `6e-18` relative).
pub fn exp_f64(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.0 {
        return f64::INFINITY;
    }
    if x < -708.0 {
        return 0.0;
    }
    let n = (x * std::f64::consts::LOG2_E + ROUND_F64) - ROUND_F64;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let mut sum = 1.0;
    for i in (1..=13).rev() {
        sum = 1.0 + sum * r / f64::from(i);
    }
    sum * f64::from_bits(((n as i64 + 1023) as u64) << 52)
}

/// `base^exponent` for a positive `base`, as `exp(exponent ln base)`.
pub fn powf(base: f64, exponent: f64) -> f64 {
    exp_f64(exponent * ln(base))
}

/// `pi / 2` split so that `q * PIO2_HI` is exact for `|q| < 2^20` (fdlibm).
const PIO2_HI: f64 = 1.570_796_326_734_125_6;
const PIO2_LO: f64 = 6.077_100_506_506_192e-11;

/// `x - q pi/2` in `[-pi/4, pi/4]` and the quadrant `q mod 4`.
fn reduce_quadrant(x: f64) -> (f64, i64) {
    let q = (x * std::f64::consts::FRAC_2_PI + ROUND_F64) - ROUND_F64;
    ((x - q * PIO2_HI) - q * PIO2_LO, (q as i64).rem_euclid(4))
}

/// Taylor's series of `sin r` to `r^17`, `|r| <= pi/4` (remainder below `1e-19`).
fn sin_reduced(r: f64) -> f64 {
    let z = r * r;
    let mut sum = 1.0;
    for i in (1..=8).rev() {
        sum = 1.0 - sum * z / f64::from((2 * i) * (2 * i + 1));
    }
    r * sum
}

/// Taylor's series of `cos r` to `r^18`, `|r| <= pi/4` (remainder below `1e-20`).
fn cos_reduced(r: f64) -> f64 {
    let z = r * r;
    let mut sum = 1.0;
    for i in (1..=9).rev() {
        sum = 1.0 - sum * z / f64::from((2 * i - 1) * (2 * i));
    }
    sum
}

/// `sin x` in `f64`, absolute error below `1e-15` for `|x| <= 1e5` (tested
/// against `f64::sin`); beyond that the reduction loses accuracy.
pub fn sin(x: f64) -> f64 {
    let (r, quadrant) = reduce_quadrant(x);
    match quadrant {
        0 => sin_reduced(r),
        1 => cos_reduced(r),
        2 => -sin_reduced(r),
        _ => -cos_reduced(r),
    }
}

/// `cos x` in `f64`, with [`sin`]'s error bound.
pub fn cos(x: f64) -> f64 {
    let (r, quadrant) = reduce_quadrant(x);
    match quadrant {
        0 => cos_reduced(r),
        1 => -sin_reduced(r),
        2 => -cos_reduced(r),
        _ => sin_reduced(r),
    }
}

/// Arguments on which [`exp_non_positive`] and its vector copies are
/// checked: every 1,021st negative f32 (NaNs and -inf among them), every
/// f32 within 20,000 ulp of where `exp`'s form changes (the clamp, the
/// flush to zero, and 0), and the special values.
#[cfg(test)]
pub(crate) fn non_positive_test_values() -> impl Iterator<Item = f32> {
    let near = |x: f32| {
        let at = x.to_bits();
        (at - 20_000..=at + 20_000).map(f32::from_bits).filter(|x| *x <= 0.0)
    };
    (0x8000_0000u32..=u32::MAX)
        .step_by(1021)
        .map(f32::from_bits)
        .chain(near(EXP_CLAMP))
        .chain(near(EXP_LOW))
        .chain(near(-f32::MIN_POSITIVE))
        .chain([0.0, -0.0, f32::NEG_INFINITY, f32::NAN, -f32::NAN, -f32::MIN_POSITIVE])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_pcg::Pcg64;

    /// Relative error in units of the last place of an `f32` result.
    fn ulps(got: f32, want: f64) -> f64 {
        let ulp = f64::from(f32::EPSILON) * want.abs().max(f64::from(f32::MIN_POSITIVE));
        (f64::from(got) - want).abs() / ulp
    }

    #[test]
    fn exp_non_positive_is_exp_bit_for_bit() {
        let mut checked = 0;
        for x in non_positive_test_values() {
            assert_eq!(exp_non_positive(x).to_bits(), exp(x).to_bits(), "at {x:e} ({:#x})", x.to_bits());
            checked += 1;
        }
        assert!(checked > 2_000_000, "{checked}");
    }

    #[test]
    fn exp_is_within_two_ulp_of_the_true_value() {
        // 2,000,000 points across the normal range, the reference in f64.
        let mut worst: f64 = 0.0;
        let n = 2_000_000;
        for i in 0..=n {
            let x = -87.0 + 175.0 * i as f32 / n as f32;
            let got = exp(x);
            worst = worst.max(ulps(got, f64::from(x).exp()));
        }
        assert!(worst < 2.0, "worst {worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(89.0), f32::INFINITY);
        assert_eq!(exp(-200.0), 0.0);
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert!(exp(f32::NAN).is_nan());
        // Below 2^-126 the result is zero, above it normal: never subnormal.
        for x in [-87.34f32, -87.5, -87.9, -88.0, -100.0] {
            assert_eq!(exp(x), 0.0, "{x}");
        }
        assert!(exp(-87.33).is_normal());
    }

    #[test]
    fn f64_functions_match_the_platform_to_a_few_ulp() {
        let mut rng = Pcg64::seed_from_u64(5);
        for _ in 0..200_000 {
            // Logarithm over many binades, including Box-Muller's (0, 1].
            let x: f64 = rng.random::<f64>() * 10f64.powi(rng.random_range(-300..300));
            if x > 0.0 {
                assert!((ln(x) - x.ln()).abs() <= 1e-15 * x.ln().abs().max(1e-300), "ln {x}");
            }
            let u: f64 = rng.random();
            assert!((ln(1.0 - u) - (1.0 - u).ln()).abs() <= 1e-15 * (1.0 - u).ln().abs() + 1e-300);
            let y = rng.random_range(-700.0..700.0);
            assert!((exp_f64(y) - y.exp()).abs() <= 1e-15 * y.exp(), "exp {y}");
            let angle = rng.random_range(-1e5..1e5);
            assert!((sin(angle) - angle.sin()).abs() <= 1e-15 * angle.abs().max(1.0), "sin {angle}");
            assert!((cos(angle) - angle.cos()).abs() <= 1e-15 * angle.abs().max(1.0), "cos {angle}");
            let small = rng.random_range(-10.0..10.0);
            assert!((sin(small) - small.sin()).abs() <= 1e-15, "sin {small}");
            assert!((cos(small) - small.cos()).abs() <= 1e-15, "cos {small}");
        }
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan());
        assert!((ln(5e-324) - 5e-324f64.ln()).abs() < 1e-12);
        assert_eq!(exp_f64(0.0), 1.0);
        assert_eq!(sin(0.0), 0.0);
        assert_eq!(cos(0.0), 1.0);
        assert!((powf(10.0, -1.0 / 3.0) - 10f64.powf(-1.0 / 3.0)).abs() < 1e-15);
    }
}
