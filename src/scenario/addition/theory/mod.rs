//! What the parameters alone predict, set beside what the runs counted:
//! `chain` (the reduced per-context model most verifiers' predictions come
//! from), `race` (the blind-spot race, which `committee` keeps) and
//! `prediction` (what either predicts).

use std::sync::Arc;

use super::config::Config;
use super::verifier::Reduction;

pub mod chain;
pub mod prediction;
pub mod race;

pub use prediction::Theory;

/// Predicts a run of `config` by the reduction its verifier's theory
/// follows (`Verifier::reduction`).
pub fn predict(config: &Config) -> Arc<Theory> {
    match config.verifier.reduction() {
        Reduction::Chain => chain::predict(config),
        Reduction::Race => Arc::new(race::predict_by_race(config)),
    }
}
