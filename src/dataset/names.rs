//! The names a dataset is made of: folders, files, reserved columns and run
//! statuses, spelled once here so the sink that writes them, `status` and
//! `resume` that reconcile them, and the report that reads them cannot drift
//! apart.

/// The runs table's folder inside a dataset.
pub const RUNS_DIR: &str = "runs";
/// The generations table's folder inside a dataset.
pub const GENERATIONS_DIR: &str = "generations";
/// The boundaries table's folder inside a dataset: one row per point of
/// the other axes of a sweep with `[search]`.
pub const BOUNDARIES_DIR: &str = "boundaries";
/// The copy of the sweep file at a dataset's root.
pub const SWEEP_FILE: &str = "sweep.toml";
/// Writers' lock files inside a dataset (hidden: never data).
pub const LOCKS_DIR: &str = ".locks";
/// `avalanche repair` moves unreadable parts to `<dataset><this>/`, beside
/// the dataset rather than in it, so no reader globbing the folder sees them.
pub const DAMAGED_SUFFIX: &str = ".damaged";
/// The sweep file's top-level key naming the axes its runs are paired
/// across; `run` seeds by it and the report reads it back from the
/// dataset's copy of the sweep file.
pub const PAIRED: &str = "paired";
/// The report's default folder inside a dataset.
pub const REPORT_DIR: &str = "report";

/// Columns the engine itself writes.
pub mod column {
    /// Stable hash of the run's identity.
    pub const RUN_ID: &str = "run_id";
    /// Replicate index at the run's grid point.
    pub const REPLICATE: &str = "replicate";
    /// The run's seed.
    pub const SEED: &str = "seed";
    /// The scenario's name.
    pub const SCENARIO: &str = "scenario";
    /// [`super::Status`] as text.
    pub const STATUS: &str = "status";
    /// Why a run failed; null when it succeeded.
    pub const ERROR: &str = "error";
    /// The run's wall time.
    pub const ELAPSED_MS: &str = "elapsed_ms";
    /// The 0-based row index within a run in the generations table.
    pub const GENERATION: &str = "generation";
}

/// Columns the engine writes, which no parameter or metric may shadow.
pub const RESERVED_COLUMNS: &[&str] = &[
    column::RUN_ID,
    column::REPLICATE,
    column::SEED,
    column::SCENARIO,
    column::STATUS,
    column::ERROR,
    column::ELAPSED_MS,
    column::GENERATION,
];

/// How a run ended as far as the engine is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// The scenario returned its output.
    Ok,
    /// It returned an error, panicked or passed its time limit.
    Failed,
}

impl Status {
    /// The text stored in the `status` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
        }
    }

    /// Reads a stored status. Anything but `ok` (including a null or a value
    /// a newer version might write) counts as failed, everywhere: a run is a
    /// success only when it says so.
    pub fn parse(text: Option<&str>) -> Status {
        match text {
            Some("ok") => Status::Ok,
            _ => Status::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ok_is_a_success() {
        assert_eq!(Status::parse(Some(Status::Ok.as_str())), Status::Ok);
        assert_eq!(Status::parse(Some(Status::Failed.as_str())), Status::Failed);
        assert_eq!(Status::parse(Some("OK")), Status::Failed);
        assert_eq!(Status::parse(None), Status::Failed);
    }
}
