//! What the parameters alone predict, set beside what the runs counted:
//! `race` (the blind-spot race, and the prediction's type) and `chain` (the
//! reduced per-context model most verifiers' predictions come from).

pub mod chain;
pub mod race;
