//! How a file appears in a dataset: whole or not at all. Every file is
//! written under a hidden temporary name that carries its writer's token,
//! flushed, then renamed into place, so a reader never sees half a file and
//! a start removes a temporary file only when its writer is dead.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::sink::error::SinkError;

/// Writes `contents` to `path` whole or not at all: a hidden temporary file,
/// flushed, then renamed. The temporary name carries the writer's token, so
/// shards writing the same file at once never share one.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), SinkError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let temporary = temporary_name(path);
    std::fs::write(&temporary, contents).map_err(SinkError::io(&temporary))?;
    File::open(&temporary).and_then(|f| f.sync_all()).map_err(SinkError::io(&temporary))?;
    std::fs::rename(&temporary, path).map_err(SinkError::io(path))?;
    sync_dir(dir);
    Ok(())
}

/// Makes a rename durable. Some filesystems cannot sync a directory; the
/// rename itself is still atomic there, so failure is not an error.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// `.<name>.<writer token>.tmp` beside `path`: hidden, and naming its
/// writer, so a start removes it only when that writer is dead.
pub fn temporary_name(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    path.with_file_name(format!(".{name}.{}.tmp", crate::engine::lock::process_token()))
}

/// The writer token a temporary file name carries: `.<name>.<token>.tmp`.
pub fn token_of_temporary(name: &str) -> Option<&str> {
    name.strip_prefix('.')?.strip_suffix(".tmp")?.rsplit_once('.').map(|(_, token)| token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_carry_the_writer() {
        assert_eq!(token_of_temporary(".part-s0of1-w00-000001.parquet.123-abcd.tmp"), Some("123-abcd"));
        assert_eq!(token_of_temporary("part.parquet"), None);
        let temporary = temporary_name(Path::new("d/runs/part-s0of1-w00-000001.parquet"));
        let name = temporary.file_name().and_then(|n| n.to_str()).unwrap();
        assert_eq!(token_of_temporary(name), Some(crate::engine::lock::process_token()));
    }
}
