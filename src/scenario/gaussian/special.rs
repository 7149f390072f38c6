//! The two special functions the closed-form theory needs: the digamma
//! function (the mean of a log chi-square) and ln(Gamma(x + 1/2) / Gamma(x))
//! (the mean of a chi). Both use the standard pattern: shift the argument
//! up with the recurrence until an asymptotic series is accurate to about
//! 1e-15, then evaluate the series.

/// Below this the recurrence shifts the argument up; at 10 the first omitted
/// series terms are below 1e-15 relative to the result.
const ASYMPTOTIC_FROM: f64 = 10.0;

/// The digamma function psi(x) = d/dx ln Gamma(x), for x > 0.
///
/// Returns NaN for x <= 0 or NaN: the theory only ever asks for positive
/// arguments ((M - 1) / 2 with M >= 2 samples).
pub fn digamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    // psi(x) = psi(x + 1) - 1/x.
    let mut shift = 0.0;
    let mut x = x;
    while x < ASYMPTOTIC_FROM {
        shift -= 1.0 / x;
        x += 1.0;
    }
    // psi(x) ~ ln x - 1/(2x) - sum_k B_2k / (2k x^2k), Bernoulli numbers
    // B2 = 1/6, B4 = -1/30, B6 = 1/42, B8 = -1/30, B10 = 5/66, B12 = -691/2730.
    let inv2 = 1.0 / (x * x);
    let series = inv2
        * (1.0 / 12.0
            - inv2
                * (1.0 / 120.0
                    - inv2
                        * (1.0 / 252.0
                            - inv2 * (1.0 / 240.0 - inv2 * (1.0 / 132.0 - inv2 * 691.0 / 32760.0)))));
    shift + x.ln() - 0.5 / x - series
}

/// ln(Gamma(x + 1/2) / Gamma(x)) for x > 0, without the cancellation of
/// subtracting two large log-gammas (needed for E[chi] when M is large).
pub fn ln_gamma_half_ratio(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    // Gamma(x + 3/2) / Gamma(x + 1) = (x + 1/2) / x * Gamma(x + 1/2) / Gamma(x).
    let mut shift = 0.0;
    let mut x = x;
    while x < ASYMPTOTIC_FROM {
        shift -= (0.5 / x).ln_1p();
        x += 1.0;
    }
    // Stirling: ln Gamma(y) = (y - 1/2) ln y - y + ln(2 pi)/2 + tail(y); the
    // difference at y = x + 1/2 and y = x, with (x)ln(x + 1/2) - (x - 1/2)ln x
    // rewritten as x ln(1 + 1/(2x)) + ln(x)/2.
    shift + x * (0.5 / x).ln_1p() + 0.5 * x.ln() - 0.5 + stirling_tail(x + 0.5) - stirling_tail(x)
}

/// The correction terms of Stirling's series for ln Gamma(y):
/// sum_k B_2k / (2k (2k - 1) y^(2k - 1)).
fn stirling_tail(y: f64) -> f64 {
    let inv2 = 1.0 / (y * y);
    (1.0 / 12.0
        - inv2
            * (1.0 / 360.0
                - inv2
                    * (1.0 / 1260.0
                        - inv2 * (1.0 / 1680.0 - inv2 * (1.0 / 1188.0 - inv2 * 691.0 / 360_360.0)))))
        / y
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, tol: f64) {
        assert!((actual - expected).abs() <= tol * expected.abs().max(1.0), "{actual} vs {expected}");
    }

    #[test]
    fn digamma_matches_known_values() {
        // psi(1) = -gamma (Euler-Mascheroni), psi(1/2) = -gamma - 2 ln 2,
        // psi(n + 1) = -gamma + H_n, psi(1/4) = -gamma - pi/2 - 3 ln 2.
        let gamma = 0.577_215_664_901_532_9;
        close(digamma(1.0), -gamma, 1e-14);
        close(digamma(0.5), -1.963_510_026_021_423_5, 1e-14);
        close(digamma(0.25), -gamma - std::f64::consts::FRAC_PI_2 - 3.0 * 2f64.ln(), 1e-14);
        let h10: f64 = (1..=10).map(|k| 1.0 / k as f64).sum();
        close(digamma(11.0), -gamma + h10, 1e-14);
        // Large argument: psi(x) = ln x - 1/(2x) - 1/(12x^2) + O(x^-4).
        let x = 1e6;
        close(digamma(x), x.ln() - 0.5 / x - 1.0 / (12.0 * x * x), 1e-15);
    }

    #[test]
    fn digamma_satisfies_its_recurrence_across_the_switch() {
        // The recurrence must hold where the series takes over (x near 10).
        for x in [9.3, 9.99, 10.0, 10.5, 37.2] {
            close(digamma(x + 1.0) - digamma(x), 1.0 / x, 1e-13);
        }
    }

    #[test]
    fn digamma_rejects_non_positive_arguments() {
        assert!(digamma(0.0).is_nan());
        assert!(digamma(-1.5).is_nan());
    }

    #[test]
    fn half_ratio_matches_known_values() {
        let pi = std::f64::consts::PI;
        // Gamma(1)/Gamma(1/2) = 1/sqrt(pi); Gamma(3/2)/Gamma(1) = sqrt(pi)/2.
        close(ln_gamma_half_ratio(0.5), -0.5 * pi.ln(), 1e-14);
        close(ln_gamma_half_ratio(1.0), (pi.sqrt() / 2.0).ln(), 1e-14);
        // Gamma(11/2)/Gamma(5) = (9/2)(7/2)(5/2)(3/2)(1/2) sqrt(pi) / 4!.
        let ratio = 4.5 * 3.5 * 2.5 * 1.5 * 0.5 * pi.sqrt() / 24.0;
        close(ln_gamma_half_ratio(5.0), ratio.ln(), 1e-14);
        // Large x: ln x / 2 - 1/(8x) + 1/(192 x^3) + O(x^-5).
        let x = 1e5;
        close(ln_gamma_half_ratio(x), 0.5 * x.ln() - 1.0 / (8.0 * x), 1e-15);
    }
}
