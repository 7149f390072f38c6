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
//! - **Running**: [`runner::run_sweep`] runs or resumes a sweep into its
//!   dataset folder; underneath it [`executor`] (the worker pool, and
//!   [`executor::run_one`] for a single run), [`seed`] (a run's identity and
//!   generator), [`shard`], [`interrupt`] (the graceful stop), [`record`]
//!   and [`sink`] (the only writer of Parquet). [`progress`] is the display
//!   while a run goes and [`closing`] what it says when it ends.
//! - **Datasets**: [`dataset`] owns the layout on disk (part names, scanning,
//!   integrity, repair, completion) and opens a dataset once; [`status`] says
//!   how complete and how whole it is; [`report`] summarises it.
//! - **The other commands' texts and files**: [`describe`] (`plan`,
//!   `scenarios`), [`estimate`] (`plan --estimate`), [`slurm`] (sbatch
//!   scripts) and [`invocation`] (how the binary was started, so every
//!   command a message suggests can be pasted as printed).
//!
//! The binary (`src/main.rs`, `src/cli/`) parses arguments, calls these and
//! prints what they return. The modules below that are not `pub` are
//! internal: the lock files, the dataset's reserved names, the adaptive
//! search, the normal distribution and human formatting. See
//! ARCHITECTURE.md for the map and the invariants.

pub mod closing;
pub mod dataset;
pub mod describe;
pub mod engine;
pub mod estimate;
pub(crate) mod human;
pub mod invocation;
pub(crate) mod normal;
pub mod params;
pub mod progress;
pub mod report;
pub mod scenario;
pub(crate) mod search;
pub mod sink;
pub mod slurm;
pub mod status;
pub mod sweep;
pub mod value;
