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

/// What the coordinating thread learns of a finished run: enough for
/// progress, counts and `--fail-fast`, without the run's data, which a
/// worker has already handed to its own sink.
#[derive(Clone, Debug, PartialEq)]
pub struct RunEvent {
    pub run_id: u64,
    /// Why the run failed, if it did.
    pub error: Option<String>,
}

impl RunEvent {
    /// The event for a finished run.
    pub fn of(record: &RunRecord) -> RunEvent {
        RunEvent { run_id: record.spec.run_id, error: record.outcome.as_ref().err().cloned() }
    }
}
