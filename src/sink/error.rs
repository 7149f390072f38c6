//! Errors of the output side, each naming the path involved.

use std::path::{Path, PathBuf};

/// A problem reading or writing the dataset folder.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("{}: {source}", shown(path))]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: {source}", shown(path))]
    Parquet { path: PathBuf, source: parquet::errors::ParquetError },
    #[error("{}: {source}", shown(path))]
    Arrow { path: PathBuf, source: arrow::error::ArrowError },
    #[error("{}: {message}", shown(path))]
    Invalid { path: PathBuf, message: String },
}

/// A path as users know it: a file is written under a hidden temporary
/// name (`.part-….parquet.tmp`) and renamed when complete, and an error
/// while writing it names the file it was to become.
fn shown(path: &Path) -> String {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return path.display().to_string();
    };
    // `write_atomically` adds the process id, `drop_failed_rows` `.retry`.
    let inner = match inner.rsplit_once('.') {
        Some((stem, tail))
            if tail == "retry" || (!tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit())) =>
        {
            stem
        }
        _ => inner,
    };
    format!("{} (while writing it)", path.with_file_name(inner).display())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_shown_as_the_files_they_become() {
        let shown = |p: &str| shown(Path::new(p));
        assert_eq!(
            shown("d/runs/.part-s0of1-w00-000000.parquet.tmp"),
            "d/runs/part-s0of1-w00-000000.parquet (while writing it)"
        );
        assert_eq!(shown("d/.sweep.toml.4242.tmp"), "d/sweep.toml (while writing it)");
        assert_eq!(shown("d/runs/.part-x.parquet.retry.tmp"), "d/runs/part-x.parquet (while writing it)");
        assert_eq!(shown("d/runs/part-x.parquet"), "d/runs/part-x.parquet");
    }
}
