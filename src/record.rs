//! What the executor hands to a sink for each finished run.

use crate::scenario::RunOutput;
use crate::sweep::RunSpec;

/// One finished run, successful or not.
#[derive(Clone, Debug)]
pub struct RunRecord {
    pub spec: RunSpec,
    /// The scenario's output, or why the run failed (an error or a panic).
    pub outcome: Result<RunOutput, String>,
    /// Wall time of the scenario call.
    pub elapsed_ms: f64,
}
