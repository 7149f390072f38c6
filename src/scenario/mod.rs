//! Scenarios: the simulations a sweep runs, as plain data plus pure functions.
//!
//! A scenario is a function of its parameter point and a seeded generator.
//! It does no I/O, touches no globals and spawns no threads; it knows nothing
//! of Parquet, of sweeps or of the executor. It declares its parameters and
//! its output columns so the sweep validator, `avalanche scenarios` and the
//! sinks all read one description. What a scenario is lives in [`spec`], the
//! leaf every scenario imports; which scenarios exist, in [`mod@registry`].

pub mod addition;
pub mod command;
pub mod contract;
pub mod empty;
pub mod gaussian;
pub mod linreg;
pub mod prune;
pub mod registry;
pub mod spec;

pub use registry::{find, registry, INTERNAL};
pub use spec::{
    no_check, row_by_name, Deadline, Hooks, PointError, Row, RunError, RunFn, RunIdentity, RunOutput,
    Scenario,
};
