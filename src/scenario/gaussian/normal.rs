//! Standard normal draws from any `RngCore`, written here because the crate
//! takes no distribution dependency and both collapse scenarios spend most of
//! their time drawing normals.
//!
//! Marsaglia's polar method: two uniforms in the unit disc give two
//! independent N(0, 1) values with one `ln` and one `sqrt`, and no state has
//! to be carried between calls when whole buffers are filled at once.

use rand::RngCore;

/// 2^-53: maps the top 53 bits of a `u64` onto `[0, 1)` exactly.
const UNIT: f64 = 1.0 / (1u64 << 53) as f64;

/// A uniform draw in `[0, 1)` with 53 random bits.
#[inline]
pub fn unit<R: RngCore + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * UNIT
}

/// Two independent standard normal draws.
#[inline]
pub fn standard_normal_pair<R: RngCore + ?Sized>(rng: &mut R) -> (f64, f64) {
    loop {
        let u = 2.0 * unit(rng) - 1.0;
        let v = 2.0 * unit(rng) - 1.0;
        let s = u * u + v * v;
        // s == 0 would divide by zero; s >= 1 lies outside the disc.
        if s < 1.0 && s > 0.0 {
            let factor = (-2.0 * s.ln() / s).sqrt();
            return (u * factor, v * factor);
        }
    }
}

/// Fills `out` with independent standard normal draws.
pub fn fill_standard_normal<R: RngCore + ?Sized>(rng: &mut R, out: &mut [f64]) {
    let mut pairs = out.chunks_exact_mut(2);
    for pair in &mut pairs {
        let (a, b) = standard_normal_pair(rng);
        pair[0] = a;
        pair[1] = b;
    }
    if let [last] = pairs.into_remainder() {
        *last = standard_normal_pair(rng).0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64;

    const DRAWS: usize = 400_000;

    fn draws(seed: u64) -> Vec<f64> {
        let mut rng = Pcg64::seed_from_u64(seed);
        // An odd length exercises the remainder path too.
        let mut out = vec![0.0; DRAWS + 1];
        fill_standard_normal(&mut rng, &mut out);
        out
    }

    /// Fraction of `xs` for which `pred` holds, and its binomial standard error
    /// under the probability `p` the test expects.
    fn frequency(xs: &[f64], p: f64, pred: impl Fn(f64) -> bool) -> (f64, f64) {
        let n = xs.len() as f64;
        let hits = xs.iter().filter(|&&x| pred(x)).count() as f64;
        (hits / n, (p * (1.0 - p) / n).sqrt())
    }

    #[test]
    fn moments_match_the_standard_normal() {
        let xs = draws(11);
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let skew = xs.iter().map(|x| x.powi(3)).sum::<f64>() / n;
        let kurt = xs.iter().map(|x| x.powi(4)).sum::<f64>() / n;
        // Standard errors for N(0,1) samples: mean 1/sqrt(n), variance
        // sqrt(2/n), third moment sqrt(15/n), fourth moment sqrt(96/n)
        // (Var Z^3 = 15, Var Z^4 = 105 - 9 = 96). Five of them is ~1% here.
        assert!(mean.abs() < 5.0 / n.sqrt(), "mean {mean}");
        assert!((var - 1.0).abs() < 5.0 * (2.0 / n).sqrt(), "variance {var}");
        assert!(skew.abs() < 5.0 * (15.0 / n).sqrt(), "third moment {skew}");
        assert!((kurt - 3.0).abs() < 5.0 * (96.0 / n).sqrt(), "fourth moment {kurt}");
    }

    #[test]
    fn tails_match_the_standard_normal() {
        let xs = draws(12);
        // Reference probabilities from the normal table: P(Z > 1) = 0.158655254,
        // P(|Z| > 2) = 0.045500264, P(|Z| > 3) = 0.002699796, P(Z < -3) half of it.
        let cases: [(f64, &dyn Fn(f64) -> bool); 4] = [
            (0.158_655_254, &|x| x > 1.0),
            (0.045_500_264, &|x: f64| x.abs() > 2.0),
            (0.002_699_796, &|x: f64| x.abs() > 3.0),
            (0.001_349_898, &|x| x < -3.0),
        ];
        for (p, pred) in cases {
            let (freq, se) = frequency(&xs, p, pred);
            // Five binomial standard errors: a wrong tail (a uniform or a
            // Student t, say) misses by far more than that.
            assert!((freq - p).abs() < 5.0 * se, "expected {p}, got {freq} (se {se})");
        }
    }

    #[test]
    fn pairs_are_uncorrelated() {
        let xs = draws(13);
        let n = (xs.len() / 2) as f64;
        let corr = xs.chunks_exact(2).map(|p| p[0] * p[1]).sum::<f64>() / n;
        // Var(XY) = 1 for independent standard normals: se = 1/sqrt(n).
        assert!(corr.abs() < 5.0 / n.sqrt(), "lag-one correlation {corr}");
    }

    #[test]
    fn unit_stays_in_the_half_open_interval() {
        let mut rng = Pcg64::seed_from_u64(14);
        let mut lo = 1.0f64;
        let mut hi = 0.0f64;
        for _ in 0..10_000 {
            let u = unit(&mut rng);
            assert!((0.0..1.0).contains(&u));
            lo = lo.min(u);
            hi = hi.max(u);
        }
        // 10 000 uniforms leave gaps of about 1e-4 at both ends.
        assert!(lo < 1e-3 && hi > 1.0 - 1e-3, "range [{lo}, {hi}]");
    }
}
