//! Closed-form expected test error E||w_n - w*||^2 for OLS retrained on its
//! own labels, kept apart from the simulation it is compared with.
//!
//! Generation n is the fit after n rounds; generation 0 is w* itself. Round
//! n labels its design X_n (T x d, rows N(0, I_d)) with the previous model
//! plus fresh noise of variance sigma^2, so the error takes one step
//!   replace:    w_n - w* = (w_{n-1} - w*) + (X_n^T X_n)^{-1} X_n^T e_n
//!   accumulate: w_n - w* = (w_{n-1} - w*) + G_n^{-1} X_n^T e_n,
//! with G_n = sum_{k <= n} X_k^T X_k the pooled Gram matrix (docs/COLLAPSE.md
//! derives the second). The steps are uncorrelated (each e_n is fresh and
//! mean zero), so their expected squared norms add, and for a Wishart
//! G ~ W_d(m, I), E[G^{-1}] = I / (m - d - 1).

use crate::scenario::gaussian::regime::Data;

/// Whether each round draws a new design matrix or reuses the first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Design {
    Fresh,
    Fixed,
}

/// The setting the formulas depend on.
#[derive(Clone, Copy, Debug)]
pub struct Setting {
    pub data: Data,
    pub design: Design,
    /// d.
    pub dim: usize,
    /// T, points per round (> d + 1).
    pub samples: usize,
    /// sigma^2.
    pub noise_variance: f64,
}

/// sigma^2 d / (T - d - 1): the expected error of one OLS fit on real data.
pub fn one_fit(setting: &Setting) -> f64 {
    let d = setting.dim as f64;
    setting.noise_variance * d / (setting.samples as f64 - d - 1.0)
}

/// Advances the expected error one round at a time.
#[derive(Clone, Debug)]
pub struct Schedule {
    setting: Setting,
    round: u64,
    error: f64,
}

impl Schedule {
    /// At generation 0 (the truth: error 0).
    pub fn new(setting: Setting) -> Schedule {
        Schedule { setting, round: 0, error: 0.0 }
    }

    /// The expected error at the next generation, or `None` once the
    /// setting has no closed form (mixed batches after the first round).
    pub fn advance(&mut self) -> Option<f64> {
        self.round += 1;
        let s = &self.setting;
        let k = self.round as f64;
        let step = match (s.data, s.design) {
            // Round 1 always fits real labels, whatever the regime.
            _ if self.round == 1 => one_fit(s),
            (Data::Replace, _) | (Data::Mix { real: 0 }, _) => one_fit(s),
            // Every batch is real: the error restarts each round.
            (Data::Mix { real }, _) if real == s.samples => return Some(one_fit(s)),
            (Data::Mix { .. }, _) => return None,
            // G_k = k X^T X: the k-th step is (1/k) (X^T X)^{-1} X^T e_k.
            (Data::Accumulate, Design::Fixed) => one_fit(s) / (k * k),
            // Batches are exchangeable in G_k, so E tr(G_k^{-2} X_k^T X_k)
            // = E tr(G_k^{-1}) / k with G_k ~ W_d(kT, I).
            (Data::Accumulate, Design::Fresh) => {
                let d = s.dim as f64;
                s.noise_variance * d / (k * (k * s.samples as f64 - d - 1.0))
            }
        };
        self.error += step;
        Some(self.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setting(data: Data, design: Design) -> Setting {
        Setting { data, design, dim: 5, samples: 20, noise_variance: 2.0 }
    }

    fn schedule(setting: Setting, rounds: usize) -> Vec<Option<f64>> {
        let mut s = Schedule::new(setting);
        (0..rounds).map(|_| s.advance()).collect()
    }

    #[test]
    fn replace_grows_linearly_in_either_design() {
        // sigma^2 d / (T - d - 1) n = 2 * 5 / 14 n.
        for design in [Design::Fresh, Design::Fixed] {
            let errors = schedule(setting(Data::Replace, design), 4);
            for (n, e) in errors.iter().enumerate() {
                assert!((e.unwrap() - 10.0 / 14.0 * (n + 1) as f64).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn fixed_accumulate_is_the_basel_sum_and_fresh_stays_below_it() {
        // Gerstgrasser et al.: sigma^2 d / (T - d - 1) sum 1/i^2 <= pi^2/6 first term.
        let fixed = schedule(setting(Data::Accumulate, Design::Fixed), 1000);
        let fresh = schedule(setting(Data::Accumulate, Design::Fresh), 1000);
        let first = 10.0 / 14.0;
        let basel: f64 = (1..=3).map(|i| 1.0 / (i * i) as f64).sum();
        assert!((fixed[2].unwrap() - first * basel).abs() < 1e-12);
        let limit = first * std::f64::consts::PI.powi(2) / 6.0;
        assert!(fixed[999].unwrap() < limit && fixed[999].unwrap() > 0.999 * limit);
        // Fresh: k (kT - d - 1) >= k^2 (T - d - 1), equal at k = 1.
        assert_eq!(fresh[0], fixed[0]);
        for (a, b) in fresh.iter().zip(&fixed).skip(1) {
            assert!(a.unwrap() < b.unwrap());
        }
        // Second fresh step by hand: 2 * 5 / (2 * (40 - 6)).
        assert!((fresh[1].unwrap() - first - 10.0 / 68.0).abs() < 1e-12);
    }

    #[test]
    fn mixed_rounds_have_theory_only_where_they_reduce_to_a_known_case() {
        let mixed = schedule(setting(Data::Mix { real: 5 }, Design::Fresh), 3);
        assert_eq!(mixed[1], None);
        assert!((mixed[0].unwrap() - 10.0 / 14.0).abs() < 1e-12);
        let all_real = schedule(setting(Data::Mix { real: 20 }, Design::Fresh), 3);
        assert!(all_real.iter().all(|e| (e.unwrap() - 10.0 / 14.0).abs() < 1e-12));
    }
}
