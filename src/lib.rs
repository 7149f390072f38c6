//! `avalanche`: a parallel parameter-sweep runner that measures how fast
//! errors compound when a model trains on its own outputs.
//!
//! The binary is thin glue over these modules; see ARCHITECTURE.md for the
//! map and the invariants.

pub mod dataset;
pub mod describe;
pub mod estimate;
pub mod executor;
pub mod interrupt;
pub mod invocation;
pub mod lock;
/// The names a dataset is made of, owned by [`dataset`] and reachable here
/// as well, where the sink, the sweep parser and the report have always
/// found them.
pub use dataset::names;
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
