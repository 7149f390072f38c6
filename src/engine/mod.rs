//! The engine: what turns a validated sweep into committed runs.
//!
//! `runner` is one `avalanche run` (prepare the folder, take the shard's
//! lock, resume, execute, commit); `executor` the rayon pool that runs each
//! (point, replicate) pair with its own seeded generator and hands rows to
//! per-worker writers; `tally` counts finished runs for the observer and
//! commits the writers; `options` what a run is asked and what it answers.
//! Underneath: `seed` (a run's identity and generator), `shard` (the
//! deterministic partition of runs), `lock` (one writer per shard),
//! `interrupt` (the graceful stop) and `record` (what a finished run hands
//! its writer). Nothing here knows a scenario by name, or formats for people.

pub mod executor;
pub mod interrupt;
pub(crate) mod lock;
pub mod options;
pub mod record;
pub mod runner;
pub mod seed;
pub mod shard;
pub(crate) mod tally;
