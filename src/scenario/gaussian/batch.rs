//! One generation's batch: draw it, contaminate it, verify it, and summarise
//! the points that survive. Kept apart from the run loop so the verifier and
//! the contamination can be tested point by point.

use rand::RngCore;

use super::normal::{fill_standard_normal, unit};

/// A normal distribution as a model: mean and standard deviation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Normal {
    pub mean: f64,
    pub sd: f64,
}

impl Normal {
    /// Whether `x` lies within `z_max` standard deviations of the mean.
    #[inline]
    pub fn accepts(&self, x: f64, z_max: f64) -> bool {
        (x - self.mean).abs() <= z_max * self.sd
    }
}

/// Which model, if any, filters a batch before training.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchVerifier {
    None,
    /// The model that generated the batch judges it.
    SelfFit,
    /// The true distribution judges it.
    Oracle,
}

/// How a batch is drawn and filtered.
#[derive(Clone, Copy, Debug)]
pub struct Recipe {
    /// The true distribution: source of real points and of outliers' centre.
    pub truth: Normal,
    /// The previous generation's model: source of synthetic points.
    pub generator: Normal,
    /// The first `real` points of the batch come from the truth.
    pub real: usize,
    /// Probability that a point is replaced by an outlier.
    pub noise_rate: f64,
    /// Outliers ~ N(truth.mean, (outlier_scale truth.sd)^2).
    pub outlier_scale: f64,
    pub verifier: BatchVerifier,
    pub z_max: f64,
}

/// What happened to one batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Points that passed verification (they now fill the buffer's front).
    pub kept: usize,
    /// Points replaced by outliers.
    pub outliers: usize,
    /// Outliers that passed verification.
    pub outliers_kept: usize,
}

/// Draws `batch.len()` points by `recipe`, and moves the points the verifier
/// keeps to the front of `batch`, in draw order.
pub fn draw<R: RngCore + ?Sized>(rng: &mut R, recipe: &Recipe, batch: &mut [f64]) -> Counts {
    fill_standard_normal(rng, batch);
    let judge = match recipe.verifier {
        BatchVerifier::None => None,
        BatchVerifier::SelfFit => Some(recipe.generator),
        BatchVerifier::Oracle => Some(recipe.truth),
    };
    let outlier_sd = recipe.outlier_scale * recipe.truth.sd;
    let mut counts = Counts::default();
    for i in 0..batch.len() {
        let z = batch[i];
        let source = if i < recipe.real { recipe.truth } else { recipe.generator };
        // The draw is skipped at noise_rate 0 so clean runs use fewer numbers.
        let outlier = recipe.noise_rate > 0.0 && unit(rng) < recipe.noise_rate;
        // An outlier reuses z: it is independent of the coin, and the clean
        // point it replaces is never seen.
        let x = if outlier { recipe.truth.mean + outlier_sd * z } else { source.mean + source.sd * z };
        counts.outliers += outlier as usize;
        if judge.is_none_or(|model| model.accepts(x, recipe.z_max)) {
            batch[counts.kept] = x;
            counts.kept += 1;
            counts.outliers_kept += outlier as usize;
        }
    }
    counts
}

/// Count, mean and sum of squared deviations of a set of points; pooled
/// exactly with [`Moments::merge`] so accumulated data need not be stored.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    pub count: u64,
    pub mean: f64,
    pub sum_sq: f64,
}

impl Moments {
    /// Two passes (mean, then squared deviations) to avoid the cancellation
    /// of the one-pass sum-of-squares formula.
    pub fn of(points: &[f64]) -> Moments {
        if points.is_empty() {
            return Moments::default();
        }
        let n = points.len() as f64;
        let mean = points.iter().sum::<f64>() / n;
        let sum_sq = points.iter().map(|x| (x - mean) * (x - mean)).sum();
        Moments { count: points.len() as u64, mean, sum_sq }
    }

    /// The moments of the union of both sets (Chan et al.'s pairwise update).
    pub fn merge(self, other: Moments) -> Moments {
        if other.count == 0 {
            return self;
        }
        if self.count == 0 {
            return other;
        }
        let (na, nb) = (self.count as f64, other.count as f64);
        let total = na + nb;
        let delta = other.mean - self.mean;
        Moments {
            count: self.count + other.count,
            mean: self.mean + delta * nb / total,
            sum_sq: self.sum_sq + other.sum_sq + delta * delta * na * nb / total,
        }
    }
}

/// How the variance is fitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Estimator {
    /// Sum of squares over count - 1.
    Unbiased,
    /// Sum of squares over count (maximum likelihood).
    Mle,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64;

    const TRUTH: Normal = Normal { mean: 1.0, sd: 2.0 };

    fn recipe(generator: Normal, verifier: BatchVerifier, noise_rate: f64) -> Recipe {
        Recipe { truth: TRUTH, generator, real: 0, noise_rate, outlier_scale: 10.0, verifier, z_max: 1.5 }
    }

    #[test]
    fn self_verifier_keeps_exactly_the_points_within_z_max_of_its_own_fit() {
        // Draw the same batch unfiltered and filtered: the kept set must be
        // the unfiltered points within 1.5 sd of the generator, in order.
        let generator = Normal { mean: -3.0, sd: 0.5 };
        let mut raw = vec![0.0; 501];
        draw(&mut Pcg64::seed_from_u64(5), &recipe(generator, BatchVerifier::None, 0.2), &mut raw);
        let expected: Vec<f64> = raw.iter().copied().filter(|&x| (x + 3.0).abs() <= 0.75).collect();
        let mut kept = vec![0.0; 501];
        let counts =
            draw(&mut Pcg64::seed_from_u64(5), &recipe(generator, BatchVerifier::SelfFit, 0.2), &mut kept);
        assert_eq!(&kept[..counts.kept], &expected[..]);
        assert!(counts.kept > 200 && counts.kept < 501, "{counts:?}");
    }

    #[test]
    fn oracle_judges_by_the_truth_not_the_generator() {
        let generator = Normal { mean: -3.0, sd: 0.5 };
        let mut kept = vec![0.0; 300];
        let counts =
            draw(&mut Pcg64::seed_from_u64(6), &recipe(generator, BatchVerifier::Oracle, 0.3), &mut kept);
        assert!(kept[..counts.kept].iter().all(|x| (x - 1.0).abs() <= 3.0));
        assert!(counts.kept > 0);
    }

    #[test]
    fn real_points_come_first_and_from_the_truth() {
        let generator = Normal { mean: 100.0, sd: 0.0 };
        let mut batch = vec![0.0; 10];
        let recipe = Recipe { real: 4, ..recipe(generator, BatchVerifier::None, 0.0) };
        let counts = draw(&mut Pcg64::seed_from_u64(7), &recipe, &mut batch);
        assert_eq!(counts, Counts { kept: 10, outliers: 0, outliers_kept: 0 });
        assert!(batch[..4].iter().all(|x| (x - 1.0).abs() < 20.0));
        assert!(batch[4..].iter().all(|&x| x == 100.0));
    }

    #[test]
    fn every_point_is_an_outlier_at_noise_rate_one() {
        let generator = Normal { mean: 0.0, sd: 0.0 };
        let mut batch = vec![0.0; 2000];
        let counts =
            draw(&mut Pcg64::seed_from_u64(8), &recipe(generator, BatchVerifier::None, 1.0), &mut batch);
        assert_eq!(counts.outliers, 2000);
        let m = Moments::of(&batch);
        // Outliers ~ N(1, 20^2): mean se 20/sqrt(2000) = 0.45, sd se ~ 20/sqrt(4000) = 0.32.
        assert!((m.mean - 1.0).abs() < 5.0 * 0.45, "{m:?}");
        assert!(((m.sum_sq / 1999.0).sqrt() - 20.0).abs() < 5.0 * 0.32, "{m:?}");
    }

    #[test]
    fn merged_moments_equal_the_moments_of_the_union() {
        let a = [1.0, 2.5, -4.0, 7.25];
        let b = [3.0, 3.5, 100.0];
        let union: Vec<f64> = a.iter().chain(&b).copied().collect();
        let merged = Moments::of(&a).merge(Moments::of(&b)).merge(Moments::of(&[]));
        let direct = Moments::of(&union);
        assert_eq!(merged.count, 7);
        assert!((merged.mean - direct.mean).abs() < 1e-12);
        assert!((merged.sum_sq - direct.sum_sq).abs() < 1e-9);
        // By hand: mean of the union is 113.25 / 7.
        assert!((direct.mean - 113.25 / 7.0).abs() < 1e-12);
    }
}
