//! What the parameters alone predict, set beside what the runs counted:
//! `chain` (the reduced per-context model most verifiers' predictions come
//! from), `race` (the blind-spot race, which `committee` keeps) and
//! `prediction` (what either predicts).

use std::rc::Rc;

use super::config::Config;
use super::verifier::Reduction;

pub mod chain;
pub mod prediction;
pub mod race;

pub use prediction::Theory;

/// Predicts a run of `config` by the reduction its verifier's theory
/// follows (`Verifier::reduction`).
pub fn predict(config: &Config) -> Rc<Theory> {
    match config.verifier.reduction() {
        Reduction::Chain => chain::predict(config),
        Reduction::Race => Rc::new(race::predict_by_race(config)),
    }
}
