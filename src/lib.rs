//! `avalanche`: a parallel parameter-sweep runner that measures how fast
//! errors compound when a model trains on its own outputs.
//!
//! The binary is thin glue over these modules; see ARCHITECTURE.md for the
//! map and the invariants.

pub mod executor;
pub mod params;
pub mod report;
pub mod scenario;
pub mod seed;
pub mod sink;
pub mod sweep;
pub mod value;
