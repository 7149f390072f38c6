//! What each generation trains on: the `data` and `real_fraction`
//! parameters, shared by both collapse scenarios so they read the same way.

use crate::params::{ParamSpec, Params};

/// The parameters' keys: each name spelled once, for the declaration and
/// every read.
pub mod key {
    use crate::params::{Choice, Key};

    pub const DATA: Key<Choice> = Key::new("data");
    pub const REAL_FRACTION: Key<f64> = Key::new("real_fraction");
}

/// The `data` choices, in the order `avalanche scenarios` lists them.
pub const DATA_CHOICES: &[&str] = &["replace", "accumulate", "mix"];

/// The `data` parameter declaration.
pub const DATA_PARAM: ParamSpec = key::DATA.declare(
    DATA_CHOICES,
    "replace",
    "replace: train on the newest batch only; accumulate: on every batch so far; \
     mix: newest batch, real_fraction of it fresh real data",
);

/// The `real_fraction` parameter declaration.
pub const REAL_FRACTION_PARAM: ParamSpec = key::REAL_FRACTION
    .declare(
        0.0,
        1.0,
        0.1,
        "mix only: share of each batch drawn from the true distribution (rounded to whole points)",
    )
    .only_when(key::DATA, &["mix"]);

/// How a generation's training set is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Data {
    /// Only the batch drawn from the previous generation's model.
    Replace,
    /// Every batch drawn so far, each weighted by its size.
    Accumulate,
    /// Only the newest batch, of which `real` points come from the truth.
    Mix { real: usize },
}

impl Data {
    /// Reads `data` and `real_fraction` for batches of `samples` points.
    pub fn from_params(params: &Params, samples: usize) -> Data {
        match params.get(key::DATA) {
            "accumulate" => Data::Accumulate,
            "mix" => Data::Mix { real: real_count(params.get(key::REAL_FRACTION), samples) },
            _ => Data::Replace,
        }
    }

    /// How many points of each batch are fresh real data.
    pub fn real_points(self) -> usize {
        match self {
            Data::Mix { real } => real,
            _ => 0,
        }
    }
}

/// The number of real points in a mixed batch: the nearest whole number, so
/// every generation has the same composition (no binomial jitter).
pub fn real_count(fraction: f64, samples: usize) -> usize {
    ((fraction * samples as f64).round() as usize).min(samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_count_rounds_to_the_nearest_point() {
        assert_eq!(real_count(0.1, 100), 10);
        assert_eq!(real_count(0.25, 10), 3); // 2.5 rounds away from zero
        assert_eq!(real_count(0.04, 10), 0);
        assert_eq!(real_count(1.0, 7), 7);
        assert_eq!(real_count(0.0, 7), 0);
    }
}
