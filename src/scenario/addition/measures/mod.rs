//! What a run measures: `diagnostics` (entropy, forgetting, blind spots and
//! mirror symmetry of the model), `metrics` (the declared columns and the
//! rows), `reach` and `growth` (how far runs got and how fast their errors
//! grew, read off the rounds).

pub mod diagnostics;
pub mod growth;
pub mod metrics;
pub mod reach;
