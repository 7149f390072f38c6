//! The column layout of the runs and generations tables.

/// Columns the engine itself writes, which no parameter or metric may shadow.
pub const RESERVED_COLUMNS: &[&str] =
    &["run_id", "replicate", "seed", "scenario", "status", "error", "elapsed_ms", "generation"];
