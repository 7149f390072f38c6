//! The learners: what a run trains and samples from. Either learner is
//! compiled into the sampler's tables, so verifiers and measurements never
//! know which one they read.
//!
//! `table` counts steps per context and extrapolates to a new position by
//! a written-in rule; `network` is a small neural network trained by Adam;
//! `sampler` holds the compiled tables and the hot sampling loop;
//! `fixed_math` the crate's own `exp`/`ln`/`powf`/`sin`/`cos`, so no CPU or C
//! library decides a run's path.

pub mod fixed_math;
pub mod network;
pub mod sampler;
pub mod table;
