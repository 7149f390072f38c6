//! The standard normal distribution function and its inverse, shared by
//! `prune`'s closed forms and the search's tests (neither crate we depend on
//! has them, and seven digits are far below any simulation's standard error).

/// Phi(x), from `erfc`.
pub fn cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The x with Phi(x) = p, for p in (0, 1), by bisection on [`cdf`]
/// (monotone, so this cannot fail; 100 halvings reach the last bit).
pub fn quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (-40.0, 40.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The complementary error function (Numerical Recipes' Chebyshev fit,
/// relative error below 1.2e-7 everywhere).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.26551223
        + t * (1.00002368
            + t * (0.37409196
                + t * (0.09678418
                    + t * (-0.18628806
                        + t * (0.27886807
                            + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_tabulated_values() {
        // Abramowitz and Stegun 26.2.
        for (x, phi) in [(0.0, 0.5), (1.0, 0.841344746), (-1.96, 0.024997895), (2.5, 0.993790335)] {
            assert!((cdf(x) - phi).abs() < 2e-7, "Phi({x}) = {}", cdf(x));
        }
        assert!((quantile(0.975) - 1.959964).abs() < 1e-5);
        assert!((quantile(0.5)).abs() < 1e-6);
    }
}
