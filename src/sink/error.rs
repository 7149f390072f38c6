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
    /// A part compressed with a codec this build cannot decompress: not
    /// damage, so nothing moves it aside; rewritten with ZSTD it reads again.
    #[error("{}", codec_advice(&[(path.clone(), codec)]))]
    Codec { path: PathBuf, codec: &'static str },
}

/// Rewrites the Parquet file given as its argument with ZSTD, keeping its
/// key-value metadata, through a copy renamed over it.
pub const REWRITE_WITH_ZSTD: &str = "python3 -c 'import os, sys, pyarrow.parquet as pq; p = sys.argv[1]; \
f = pq.ParquetFile(p); kv = {k: v for k, v in (f.metadata.metadata or {}).items() if k != b\"ARROW:schema\"}; \
pq.write_table(f.read().replace_schema_metadata(kv), p + \".zstd\", compression=\"zstd\"); \
os.replace(p + \".zstd\", p)'";

/// What to say about parts (path, codec name) this build cannot decompress:
/// which they are, that this is not damage, and the rewrite that fixes it.
pub fn codec_advice(parts: &[(PathBuf, &'static str)]) -> String {
    let mut text = String::new();
    for (path, codec) in parts {
        text += &format!(
            "{} is compressed with {codec}, a codec this build of avalanche cannot decompress \
             (it reads ZSTD, which it writes, and uncompressed parts)\n",
            path.display()
        );
    }
    text += "This is not damage (another tool rewrote the file), so `avalanche repair` leaves it in \
             place, but the dataset cannot be read in full until it is rewritten with ZSTD, e.g. with \
             pyarrow:\n  ";
    text += REWRITE_WITH_ZSTD;
    match parts {
        [(path, _)] => text += &format!(" {}", path.display()),
        _ => text += " FILE    (once for each file above)",
    }
    text
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
