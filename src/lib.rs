//! `avalanche`: a parallel parameter-sweep runner that measures how fast
//! errors compound when a model trains on its own outputs.
//!
//! The binary is thin glue over these modules; see ARCHITECTURE.md for the
//! map and the invariants.

pub mod closing;
pub mod describe;
pub mod estimate;
pub mod executor;
pub mod human;
pub mod integrity;
pub mod interrupt;
pub mod invocation;
pub mod lock;
pub mod names;
pub mod normal;
pub mod params;
pub mod progress;
pub mod record;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod search;
pub mod seed;
pub mod shard;
pub mod sink;
pub mod slurm;
pub mod status;
pub mod sweep;
pub mod value;
