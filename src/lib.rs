//! `avalanche`: a parallel parameter-sweep runner that measures how fast
//! errors compound when a model trains on its own outputs.
//!
//! A sweep file names a scenario, a seed, replicates and a grid; the
//! library expands it into seeded runs, runs them in parallel into a
//! crash-safe Parquet dataset, and reads the dataset back into a report.
//! What it offers:
//!
//! - **Sweeps**: [`sweep::load`] and [`sweep::parse`] read and validate a
//!   sweep file into a [`sweep::Sweep`], every error naming file, key and line.
//! - **Scenarios**: [`scenario`] holds the simulations and their registry;
//!   [`params`] and [`value`] are the declarations they make and the values a
//!   run receives.
//! - **Running**: [`engine::runner::run_sweep`] runs or resumes a sweep
//!   into its dataset folder, with the options of [`engine::options`];
//!   underneath it the rest of [`engine`]: the worker pool
//!   ([`engine::executor`], and [`engine::executor::run_one`] for a single
//!   run), a run's identity and generator ([`engine::seed`]), shards, the
//!   lock, the graceful stop; and [`sink`], the only writer of Parquet.
//! - **Datasets**: [`dataset`] owns the layout on disk (names, part names,
//!   scanning, integrity, repair, completion) and opens a dataset once;
//!   [`status`] says how complete and how whole it is; [`report`]
//!   summarises it.
//! - **What people read**: [`display`] (progress while a run goes, what it
//!   says when it ends, the `plan` and `scenarios` listings, how the binary
//!   was started so that every command a message suggests can be pasted as
//!   printed); [`estimate`] (`plan --estimate`) and [`slurm`] (sbatch
//!   scripts).
//!
//! The binary (`src/main.rs`, `src/cli/`) parses arguments, calls these and
//! prints what they return. The modules that are not `pub` are internal:
//! the adaptive search (run through the engine, reported through the
//! report), the normal distribution, human formatting and the lock files.
//! See ARCHITECTURE.md for the map and the invariants.

pub mod dataset;
pub mod display;
pub mod engine;
pub mod estimate;
pub(crate) mod normal;
pub mod params;
pub mod report;
pub mod scenario;
pub(crate) mod search;
pub mod sink;
pub mod slurm;
pub mod status;
pub mod sweep;
pub mod value;
