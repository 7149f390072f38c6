//! Errors of the output side, each naming the path involved.

use std::path::PathBuf;

/// A problem reading or writing the dataset folder.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: {source}", path.display())]
    Parquet { path: PathBuf, source: parquet::errors::ParquetError },
    #[error("{}: {source}", path.display())]
    Arrow { path: PathBuf, source: arrow::error::ArrowError },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

impl SinkError {
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SinkError {
        let path = path.into();
        move |source| SinkError::Io { path, source }
    }
    pub fn parquet(path: impl Into<PathBuf>) -> impl FnOnce(parquet::errors::ParquetError) -> SinkError {
        let path = path.into();
        move |source| SinkError::Parquet { path, source }
    }
    pub fn arrow(path: impl Into<PathBuf>) -> impl FnOnce(arrow::error::ArrowError) -> SinkError {
        let path = path.into();
        move |source| SinkError::Arrow { path, source }
    }
}
