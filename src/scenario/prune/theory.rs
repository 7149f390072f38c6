//! `prune`'s closed forms: the label error at which training on verified
//! data breaks down, and the first fit's accuracy in the proportional limit.
//!
//! Both follow from one fact: the mean-difference classifier fitted to the
//! kept examples is w = s mu + z, where s is the mean agreement (+1 right,
//! -1 wrong) of the kept labels with the truth and z ~ N(0, I / kept).

/// The share of wrong labels among the kept examples when labels are wrong
/// with probability `label_error` and the verifier keeps right ones with
/// probability `keep_right`, wrong ones with `keep_wrong`. `None` when the
/// verifier keeps nothing.
pub fn kept_wrong_share(label_error: f64, keep_right: f64, keep_wrong: f64) -> Option<f64> {
    let wrong = label_error * keep_wrong;
    let kept = wrong + (1.0 - label_error) * keep_right;
    (kept > 0.0).then(|| wrong / kept)
}

/// The label error at which the kept labels are wrong as often as right
/// (`kept_wrong_share` = 1/2): 1 / (1 + keep_wrong / keep_right). Above it
/// the fitted direction points away from the truth (accuracy below 1/2);
/// at it, accuracy below 1/2 has probability exactly 1/2 by symmetry.
pub fn breakdown(keep_right: f64, keep_wrong: f64) -> f64 {
    keep_right / (keep_right + keep_wrong)
}

/// The expected accuracy of the first fit to leading order in `samples`
/// with `dim / samples` fixed (the law of large numbers for s and |z|^2):
/// Phi(s m^2 / sqrt(s^2 m^2 + dim / n)), with s = 1 - 2 * kept wrong share,
/// m = |mu| and n the expected number kept. `None` when nothing is kept.
pub fn first_accuracy(
    label_error: f64,
    keep_right: f64,
    keep_wrong: f64,
    signal: f64,
    dim: f64,
    samples: f64,
) -> Option<f64> {
    let share = kept_wrong_share(label_error, keep_right, keep_wrong)?;
    let kept = samples * (label_error * keep_wrong + (1.0 - label_error) * keep_right);
    let s = 1.0 - 2.0 * share;
    let m2 = signal * signal;
    let scale = (s * s * m2 + dim / kept).sqrt();
    Some(if scale > 0.0 { normal_cdf(s * m2 / scale) } else { 0.5 })
}

pub use crate::normal::cdf as normal_cdf;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breakdown_is_where_kept_labels_are_a_coin_flip() {
        for (right, wrong) in [(1.0, 1.0), (0.9, 0.3), (0.5, 0.05), (1.0, 0.0)] {
            let at = breakdown(right, wrong);
            assert!((at - 1.0 / (1.0 + wrong / right)).abs() < 1e-15);
            if at < 1.0 {
                assert!((kept_wrong_share(at, right, wrong).unwrap() - 0.5).abs() < 1e-12);
                // At the breakdown the theory's accuracy is a coin flip (to erfc's 1.2e-7).
                assert!((first_accuracy(at, right, wrong, 1.0, 10.0, 1000.0).unwrap() - 0.5).abs() < 1e-6);
            }
        }
        // Without a verifier (keep everything) it is 1/2, the textbook case.
        assert_eq!(breakdown(1.0, 1.0), 0.5);
        assert_eq!(kept_wrong_share(0.3, 0.0, 0.0), None);
    }

    #[test]
    fn clean_labels_and_infinite_data_give_the_bayes_accuracy() {
        // With no label error and dim / n -> 0 the direction is mu itself:
        // accuracy Phi(|mu|), the Bayes rate for this mixture.
        let accuracy = first_accuracy(0.0, 1.0, 1.0, 1.5, 1.0, 1e12).unwrap();
        assert!((accuracy - normal_cdf(1.5)).abs() < 1e-6);
        // Label error 0.2 with no verifier: s = 0.6, and with dim / n = 0.01,
        // Phi(0.6 / sqrt(0.36 + 0.01)) = Phi(0.98639...).
        let accuracy = first_accuracy(0.2, 1.0, 1.0, 1.0, 10.0, 1000.0).unwrap();
        assert!((accuracy - normal_cdf(0.6 / 0.37f64.sqrt())).abs() < 1e-12);
    }
}
