//! What a dataset folder has committed, and the clean-up of what a killed
//! writer left behind.
//!
//! A run is committed when its row is in a `runs/part-*.parquet` file. A
//! part's generations file is renamed into place before its runs file, so a
//! generations part without its runs twin is the residue of a kill between
//! the two renames; it is removed on the next start, as are hidden
//! temporary files, but only those a dead writer left: temporary names carry
//! their writer's token and live writers hold locks (`engine::lock`), so
//! writers sharing a folder never touch each other's files. A runs part
//! whose generations twin is missing, by contrast, lost it
//! ([`generations_expected`]), and a part in a codec this build cannot
//! decompress is not damage at all ([`foreign_codec`]).

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::{Array, StringArray, UInt64Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use parquet::basic::Compression;
use parquet::file::metadata::{FileMetaData, ParquetMetaDataReader};

use super::files::token_of_temporary;
use super::part_name::{self, PartName};
use crate::dataset::names::{column, Status, GENERATIONS_DIR as GENERATIONS, RUNS_DIR as RUNS};
use crate::engine::lock::{Holder, Role};
use crate::engine::shard::Shard;
use crate::sink::error::SinkError;
use crate::sink::schema::metadata_keys;

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
    /// Runs parts whose generations twin should exist but does not: their
    /// runs' generation rows are lost (`avalanche repair` sets them aside).
    pub without_generations: Vec<PathBuf>,
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
        if !name.starts_with('.') && name.ends_with(part_name::EXTENSION) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads the run_id and status of every committed run, and notes the runs
/// parts whose generations twin is gone ([`generations_expected`]).
pub fn scan(dir: &Path) -> Result<Committed, SinkError> {
    let mut committed = Committed::default();
    let has_generations = !part_files(&dir.join(GENERATIONS))?.is_empty();
    for path in part_files(&dir.join(RUNS))? {
        let part = scan_part(&path, &mut committed).map_err(|e| explain_unreadable(&path, e))?;
        if part.failed > 0 {
            committed.failed_files.push((path.clone(), part.failed));
        }
        if lost_generations(dir, &path, generations_expected(part.recorded, part.ok > 0, has_generations)) {
            committed.without_generations.push(path);
        }
        committed.files += 1;
    }
    Ok(committed)
}

/// What [`scan_part`] counted in one runs part.
struct PartScan {
    ok: usize,
    failed: usize,
    recorded: Option<bool>,
}

/// Adds one runs part's run_ids and statuses to `committed`.
fn scan_part(path: &Path, committed: &mut Committed) -> Result<PartScan, SinkError> {
    let file = File::open(path).map_err(SinkError::io(path))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(SinkError::parquet(path))?;
    let recorded = generations_recorded(builder.metadata().file_metadata());
    let schema = builder.parquet_schema();
    let find = |name: &str| {
        (0..schema.num_columns()).find(|&i| schema.column(i).name() == name).ok_or_else(|| {
            SinkError::Invalid {
                path: path.to_path_buf(),
                message: format!("not an avalanche runs file: no `{name}` column"),
            }
        })
    };
    let mask = ProjectionMask::leaves(schema, [find(column::RUN_ID)?, find(column::STATUS)?]);
    let reader = builder.with_projection(mask).build().map_err(SinkError::parquet(path))?;
    let mut part = PartScan { ok: 0, failed: 0, recorded };
    for batch in reader {
        let batch = batch.map_err(SinkError::arrow(path))?;
        let ids = batch.column_by_name(column::RUN_ID).and_then(|c| c.as_any().downcast_ref::<UInt64Array>());
        let statuses =
            batch.column_by_name(column::STATUS).and_then(|c| c.as_any().downcast_ref::<StringArray>());
        let (Some(ids), Some(statuses)) = (ids, statuses) else {
            return Err(SinkError::Invalid {
                path: path.to_path_buf(),
                message: "run_id or status has an unexpected type".into(),
            });
        };
        for i in 0..batch.num_rows() {
            let status = Status::parse(statuses.is_valid(i).then(|| statuses.value(i)));
            match status {
                Status::Ok => part.ok += 1,
                Status::Failed => part.failed += 1,
            }
            if committed.runs.insert(ids.value(i), status).is_some() {
                committed.duplicates += 1;
            }
        }
    }
    Ok(part)
}

/// What a runs part's footer records about its generations twin
/// ([`metadata_keys::GENERATIONS`]); `None` for parts written before the
/// record existed, or rewritten by a tool that dropped it.
pub fn generations_recorded(metadata: &FileMetaData) -> Option<bool> {
    let kv = metadata.key_value_metadata()?.iter().find(|kv| kv.key == metadata_keys::GENERATIONS)?;
    kv.value.as_deref()?.parse().ok()
}

/// Whether a runs part must have a generations twin. Its own record
/// decides. A part without one must when it holds an `ok` run and the
/// dataset has generations parts at all: the scenario then writes
/// generation rows, and a part whose every run wrote none beside parts
/// whose runs did is rare (runs are spread over parts); calling it damage
/// costs a rerun of its runs, while not calling it would lose curves
/// without a word.
pub fn generations_expected(recorded: Option<bool>, has_ok_run: bool, dataset_has_generations: bool) -> bool {
    recorded.unwrap_or(has_ok_run && dataset_has_generations)
}

/// Whether the runs part `runs_part` of the dataset `dir` lost its
/// generations twin: one is `expected` ([`generations_expected`]) and none
/// is there. Generations land before runs, so a missing twin was lost, not
/// yet to come.
pub fn lost_generations(dir: &Path, runs_part: &Path, expected: bool) -> bool {
    expected && !dir.join(GENERATIONS).join(runs_part.file_name().unwrap_or_default()).exists()
}

/// The name of `codec` when this build cannot decompress it: parquet is
/// built with its `zstd` feature alone (Cargo.toml), the codec parts are
/// written with.
fn unreadable_codec(codec: Compression) -> Option<&'static str> {
    match codec {
        Compression::UNCOMPRESSED | Compression::ZSTD(_) => None,
        Compression::SNAPPY => Some("Snappy"),
        Compression::GZIP(_) => Some("gzip"),
        Compression::LZO => Some("LZO"),
        Compression::BROTLI(_) => Some("Brotli"),
        Compression::LZ4 => Some("LZ4"),
        Compression::LZ4_RAW => Some("LZ4_RAW"),
    }
}

/// The codec of a part that this build cannot decompress, when its footer
/// names one: such a part (another tool's rewrite, e.g. pyarrow's default
/// Snappy) fails to read though nothing in it need be damaged. `None` when
/// the footer itself is unreadable (that is damage) or every codec is read.
pub fn foreign_codec(path: &Path) -> Option<&'static str> {
    let file = File::open(path).ok()?;
    let metadata = ParquetMetaDataReader::new().parse_and_finish(&file).ok()?;
    let mut chunks = metadata.row_groups().iter().flat_map(|group| group.columns());
    chunks.find_map(|chunk| unreadable_codec(chunk.compression()))
}

/// `error` from reading `path`, unless the part's footer names a codec this
/// build lacks: then [`SinkError::Codec`], which says the fix.
pub fn explain_unreadable(path: &Path, error: SinkError) -> SinkError {
    match foreign_codec(path) {
        Some(codec) => SinkError::Codec { path: path.to_path_buf(), codec },
        None => error,
    }
}

/// Removes what dead writers left: temporary files whose writer token
/// belongs to no live lock holder, and generations parts whose runs twin
/// never landed, unless a live writer of that shard may be between its two
/// renames. The caller holds its own shard's lock. Returns what it removed.
pub fn clean_leftovers(dir: &Path, live: &[(PathBuf, Holder)]) -> Result<Vec<PathBuf>, SinkError> {
    let own = crate::engine::lock::process_token();
    let others = || live.iter().map(|(_, h)| h).filter(|h| h.token != own);
    let live_tokens: Vec<&str> = others().map(|h| h.token.as_str()).collect();
    let live_shards = live_shards(others());
    let mut removed = Vec::new();
    for table in [RUNS, GENERATIONS] {
        let table_dir = dir.join(table);
        let Ok(entries) = std::fs::read_dir(&table_dir) else { continue };
        for entry in entries {
            let path = entry.map_err(SinkError::io(&table_dir))?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
            let temporary = name.starts_with('.')
                && name.ends_with(".tmp")
                && !token_of_temporary(&name).is_some_and(|t| live_tokens.contains(&t));
            let orphan = table == GENERATIONS
                && part_name::is_part(&name)
                && !written_by(&name, &live_shards)
                && !dir.join(RUNS).join(&name).exists();
            if temporary || orphan {
                std::fs::remove_file(&path).map_err(SinkError::io(&path))?;
                removed.push(path);
            }
        }
    }
    Ok(removed)
}

/// The shards whose writers are among `holders`.
pub fn live_shards<'a>(holders: impl Iterator<Item = &'a Holder>) -> Vec<Shard> {
    holders
        .filter_map(|h| match h.role {
            Role::Shard(shard) => Some(shard),
            _ => None,
        })
        .collect()
}

/// Whether the part called `name` was written by a writer of one of
/// `shards`: such a part may be a live writer's, between its two renames.
pub fn written_by(name: &str, shards: &[Shard]) -> bool {
    PartName::parse(name).is_some_and(|part| shards.contains(&part.shard))
}

/// The next free part number of worker `worker` of `shard`: one past the
/// highest either table holds.
pub fn next_part_number(dir: &Path, shard: Shard, worker: usize) -> Result<u64, SinkError> {
    let mut next = 0;
    for table in [RUNS, GENERATIONS] {
        for path in part_files(&dir.join(table))? {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if let Some(part) = PartName::parse(name) {
                if part.shard == shard && part.worker == Some(worker) {
                    next = next.max(part.number.saturating_add(1));
                }
            }
        }
    }
    Ok(next)
}

/// The shard count N in runs part names `part-sIofN-*`, when all agree;
/// else 1 (`status` then reports the sweep as one).
pub fn shard_count(dir: &Path) -> Result<u64, SinkError> {
    let mut counts = std::collections::BTreeSet::new();
    for path in part_files(&dir.join(RUNS))? {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(part) = PartName::parse(name) {
            counts.insert(part.shard.count);
        }
    }
    Ok(if counts.len() == 1 { *counts.first().expect("one") } else { 1 })
}
