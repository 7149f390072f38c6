//! The dataset folder on disk: its layout, what has been committed, and the
//! clean-up of what a killed writer left behind.
//!
//! A run is committed when its row is in a `runs/part-*.parquet` file. A
//! part's generations file is renamed into place before its runs file, so a
//! generations part without its runs twin is the residue of a kill between
//! the two renames; it is removed on the next start, as are hidden
//! temporary files, but only those a dead writer left: temporary names carry
//! their writer's token and live writers hold locks ([`crate::lock`]), so
//! writers sharing a folder never touch each other's files.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::{Array, StringArray, UInt64Array};
use arrow::record_batch::RecordBatchReader;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use super::error::SinkError;
use crate::lock::{Holder, Role};

use crate::names::column;
pub use crate::names::{Status, GENERATIONS_DIR as GENERATIONS, RUNS_DIR as RUNS, SWEEP_FILE};

/// What a dataset folder holds.
#[derive(Debug, Default)]
pub struct Committed {
    /// Each committed run_id and its status.
    pub runs: HashMap<u64, Status>,
    /// Runs part files read.
    pub files: usize,
    /// run_ids found in more than one row (never written by avalanche).
    pub duplicates: u64,
    /// Each runs part file holding failed runs, with how many.
    pub failed_files: Vec<(PathBuf, usize)>,
}

/// The committed `*.parquet` files of one table, sorted by name; hidden and
/// temporary files are never data.
pub fn part_files(table_dir: &Path) -> Result<Vec<PathBuf>, SinkError> {
    let entries = match std::fs::read_dir(table_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(SinkError::io(table_dir)(e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(SinkError::io(table_dir))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !name.starts_with('.') && name.ends_with(".parquet") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads the run_id and status of every committed run.
pub fn scan(dir: &Path) -> Result<Committed, SinkError> {
    let mut committed = Committed::default();
    for path in part_files(&dir.join(RUNS))? {
        let file = File::open(&path).map_err(SinkError::io(&path))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(SinkError::parquet(&path))?;
        let schema = builder.parquet_schema();
        let find = |name: &str| {
            (0..schema.num_columns()).find(|&i| schema.column(i).name() == name).ok_or_else(|| {
                SinkError::Invalid {
                    path: path.clone(),
                    message: format!("not an avalanche runs file: no `{name}` column"),
                }
            })
        };
        let mask = ProjectionMask::leaves(schema, [find(column::RUN_ID)?, find(column::STATUS)?]);
        let reader = builder.with_projection(mask).build().map_err(SinkError::parquet(&path))?;
        let mut failed = 0;
        for batch in reader {
            let batch = batch.map_err(SinkError::arrow(&path))?;
            let ids =
                batch.column_by_name(column::RUN_ID).and_then(|c| c.as_any().downcast_ref::<UInt64Array>());
            let statuses =
                batch.column_by_name(column::STATUS).and_then(|c| c.as_any().downcast_ref::<StringArray>());
            let (Some(ids), Some(statuses)) = (ids, statuses) else {
                return Err(SinkError::Invalid {
                    path: path.clone(),
                    message: "run_id or status has an unexpected type".into(),
                });
            };
            for i in 0..batch.num_rows() {
                let status = Status::parse(statuses.is_valid(i).then(|| statuses.value(i)));
                failed += usize::from(status == Status::Failed);
                if committed.runs.insert(ids.value(i), status).is_some() {
                    committed.duplicates += 1;
                }
            }
        }
        if failed > 0 {
            committed.failed_files.push((path, failed));
        }
        committed.files += 1;
    }
    Ok(committed)
}

/// Removes what dead writers left: temporary files whose writer token
/// belongs to no live lock holder, and generations parts whose runs twin
/// never landed, unless a live writer of that shard may be between its two
/// renames. The caller holds its own shard's lock. Returns what it removed.
pub fn clean_leftovers(dir: &Path, live: &[(PathBuf, Holder)]) -> Result<Vec<PathBuf>, SinkError> {
    let own = crate::lock::process_token();
    let live_tokens: Vec<&str> = live.iter().map(|(_, h)| h.token.as_str()).filter(|t| *t != own).collect();
    let live_tags: Vec<String> = live
        .iter()
        .filter(|(_, h)| h.token != own)
        .filter_map(|(_, h)| match h.role {
            Role::Shard(shard) => Some(format!("part-{}-", shard.tag())),
            _ => None,
        })
        .collect();
    let mut removed = Vec::new();
    for table in [RUNS, GENERATIONS] {
        let table_dir = dir.join(table);
        let Ok(entries) = std::fs::read_dir(&table_dir) else { continue };
        for entry in entries {
            let path = entry.map_err(SinkError::io(&table_dir))?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
            let temporary = name.starts_with('.')
                && name.ends_with(".tmp")
                && !crate::lock::token_of_temporary(&name).is_some_and(|t| live_tokens.contains(&t));
            let orphan = table == GENERATIONS
                && name.starts_with("part-")
                && name.ends_with(".parquet")
                && !live_tags.iter().any(|tag| name.starts_with(tag))
                && !dir.join(RUNS).join(&name).exists();
            if temporary || orphan {
                std::fs::remove_file(&path).map_err(SinkError::io(&path))?;
                removed.push(path);
            }
        }
    }
    Ok(removed)
}

/// The next free part number among files named `<prefix><number>.parquet`.
pub fn next_part_number(dir: &Path, prefix: &str) -> Result<u64, SinkError> {
    let mut next = 0;
    for table in [RUNS, GENERATIONS] {
        for path in part_files(&dir.join(table))? {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if let Some(n) = name.strip_prefix(prefix).and_then(|r| r.strip_suffix(".parquet")) {
                if let Ok(n) = n.parse::<u64>() {
                    next = next.max(n + 1);
                }
            }
        }
    }
    Ok(next)
}

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
    path.with_file_name(format!(".{name}.{}.tmp", crate::lock::process_token()))
}

/// Rewrites a part without the rows of the runs in `drop` (whole or not at
/// all), so that `--retry-failed` can run them again without writing a run
/// twice, and `repair` can drop duplicates. Returns how many rows went.
pub fn drop_rows(path: &Path, sweep_text: &str, drop: &HashSet<u64>) -> Result<usize, SinkError> {
    let file = File::open(path).map_err(SinkError::io(path))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(SinkError::parquet(path))?;
    let schema = reader.schema();
    let temporary = temporary_name(path);
    let out = File::create(&temporary).map_err(SinkError::io(&temporary))?;
    let table = if path.parent().and_then(|p| p.file_name()).is_some_and(|n| n == GENERATIONS) {
        GENERATIONS
    } else {
        RUNS
    };
    let properties = super::part::properties(table, &schema, sweep_text, super::part::row_group_rows(1));
    let mut writer = parquet::arrow::ArrowWriter::try_new(out, schema, Some(properties))
        .map_err(SinkError::parquet(&temporary))?;
    let mut dropped = 0;
    for batch in reader {
        let batch = batch.map_err(SinkError::arrow(path))?;
        let ids = batch
            .column_by_name(column::RUN_ID)
            .and_then(|c| c.as_any().downcast_ref::<UInt64Array>())
            .ok_or_else(|| SinkError::Invalid {
                path: path.to_path_buf(),
                message: "no run_id column".into(),
            })?;
        let keep: arrow::array::BooleanArray =
            (0..ids.len()).map(|i| Some(!drop.contains(&ids.value(i)))).collect();
        dropped += keep.false_count();
        let kept = arrow::compute::filter_record_batch(&batch, &keep).map_err(SinkError::arrow(path))?;
        writer.write(&kept).map_err(SinkError::parquet(&temporary))?;
    }
    let out = writer.into_inner().map_err(SinkError::parquet(&temporary))?;
    out.sync_all().map_err(SinkError::io(&temporary))?;
    std::fs::rename(&temporary, path).map_err(SinkError::io(path))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(dropped)
}
