//! Why a report could not be made, in terms a user can act on: every error
//! that concerns a file names it.

use std::path::PathBuf;

/// A failure to read a dataset or to write the report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// There is no such folder (a typo, or a sweep not run yet).
    #[error("{path}: no such folder (a dataset is results/<name>/ as written by `avalanche run`)")]
    NoSuchFolder { path: PathBuf },
    /// The folder lacks the `runs/` table every dataset has.
    #[error("{path} is not an avalanche dataset: it has no runs/ folder of Parquet parts (expected results/<name>/ as written by `avalanche run`)")]
    NotADataset { path: PathBuf },
    /// The dataset has no part files or no rows yet.
    #[error("the dataset in {path} is empty: {what}")]
    Empty { path: PathBuf, what: String },
    /// A part file could not be opened or decoded.
    #[error("cannot read {path}: {message}")]
    Unreadable { path: PathBuf, message: String },
    /// A part file was written by a newer avalanche.
    #[error("{path} has schema version {found}, newer than this avalanche understands ({known}); upgrade avalanche to report on it")]
    NewerSchema { path: PathBuf, found: String, known: u32 },
    /// A part file lacks a column the layout of every avalanche table has,
    /// or its columns differ from the first part's.
    #[error("{path}: {message}")]
    BadSchema { path: PathBuf, message: String },
    /// The dataset holds unreadable parts or runs recorded twice: a report
    /// on it would be wrong, so none is made until it is repaired.
    #[error("{details}")]
    Damaged { path: PathBuf, details: String },
    /// The report's output could not be written.
    #[error("cannot write {path}: {message}")]
    Write { path: PathBuf, message: String },
}

impl ReportError {
    /// An [`ReportError::Unreadable`] for `path` from any displayable cause.
    pub fn unreadable(path: impl Into<PathBuf>, cause: impl std::fmt::Display) -> Self {
        ReportError::Unreadable { path: path.into(), message: cause.to_string() }
    }

    /// A [`ReportError::Write`] for `path` from any displayable cause.
    pub fn write(path: impl Into<PathBuf>, cause: impl std::fmt::Display) -> Self {
        ReportError::Write { path: path.into(), message: cause.to_string() }
    }
}
