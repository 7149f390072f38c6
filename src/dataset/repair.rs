//! `avalanche repair`: mends the damage [`super::integrity`] finds, moving
//! what cannot be trusted beside the dataset and dropping duplicated rows,
//! so that the runs lost can be redone by rerunning the sweep.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::files::sync_dir;
use super::integrity::IntegrityError;
use super::opened::Opened;
use crate::dataset::names::{DAMAGED_SUFFIX, GENERATIONS_DIR, RUNS_DIR, SWEEP_FILE};
use crate::engine::lock::{self, Role};
use crate::sink::error::SinkError;

/// What [`repair`] did.
#[derive(Debug, Default)]
pub struct Repaired {
    /// Files moved out of the dataset, and where to.
    pub moved: Vec<(PathBuf, PathBuf)>,
    /// Rows dropped from each rewritten part.
    pub dropped: Vec<(PathBuf, usize)>,
    /// Parts left in place because this build cannot decompress their codec
    /// (and its name): not damage, but the dataset is not whole to it.
    pub foreign_codec: Vec<(PathBuf, &'static str)>,
}

/// Mends `dir`: moves unreadable parts, orphaned generations parts and runs
/// parts that lost their generations twin (and each unreadable part's twin,
/// whose rows would otherwise be duplicated or orphaned when the lost runs
/// are redone) to `<dir>.damaged/`, and drops
/// duplicate rows, keeping each run in the first runs part (by name) that
/// holds it and its generation rows in that part's twin. Every rewrite is
/// atomic, so an interrupted repair can be rerun. Takes the whole dataset's
/// lock: refused while any writer is live.
pub fn repair(dir: &Path, break_lock: bool) -> Result<Repaired, IntegrityError> {
    if !dir.join(SWEEP_FILE).exists() {
        return Err(IntegrityError::NotADataset(dir.to_path_buf()));
    }
    let _lock = lock::acquire(dir, Role::Exclusive, break_lock)?;
    let opened = Opened::open(dir)?;
    let integrity = &opened.integrity;
    let mut repaired = Repaired::default();
    let aside = PathBuf::from(format!("{}{DAMAGED_SUFFIX}", dir.display()));
    let mut to_move: Vec<PathBuf> = integrity.orphans.clone();
    to_move.extend(integrity.without_generations.iter().cloned());
    for (path, _) in &integrity.unreadable {
        let name = path.file_name().unwrap_or_default();
        for table in [RUNS_DIR, GENERATIONS_DIR] {
            let twin = dir.join(table).join(name);
            if twin.exists() && !to_move.contains(&twin) {
                to_move.push(twin);
            }
        }
    }
    for path in &to_move {
        let table = path.parent().and_then(|p| p.file_name()).unwrap_or_default();
        let target_dir = aside.join(table);
        std::fs::create_dir_all(&target_dir).map_err(SinkError::io(&target_dir))?;
        let target = target_dir.join(path.file_name().unwrap_or_default());
        std::fs::rename(path, &target).map_err(SinkError::io(path))?;
        sync_dir(path.parent().unwrap_or(dir));
        repaired.moved.push((path.clone(), target));
    }
    // Parts in a foreign codec stay, unless they went as a damaged part's twin.
    repaired.foreign_codec =
        integrity.foreign_codec.iter().filter(|(path, _)| !to_move.contains(path)).cloned().collect();

    // Duplicates among what is left: the keeper is the first runs part.
    let sweep_text = &opened.sweep_text;
    let mut drop: HashMap<PathBuf, HashSet<u64>> = HashMap::new();
    for (run_id, files) in &integrity.duplicates {
        let files: Vec<&PathBuf> = files.iter().filter(|p| !to_move.contains(p)).collect();
        let keeper = files
            .iter()
            .filter(|p| p.parent().and_then(|d| d.file_name()).is_some_and(|n| n == RUNS_DIR))
            .min()
            .or_else(|| files.iter().min())
            .and_then(|p| p.file_name())
            .map(|n| n.to_owned());
        for path in files {
            if Some(path.file_name().unwrap_or_default().to_owned()) != keeper {
                drop.entry(path.clone()).or_default().insert(*run_id);
            }
        }
    }
    let mut rewrites: Vec<_> = drop.into_iter().collect();
    rewrites.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, ids) in rewrites {
        let dropped = crate::sink::rewrite::drop_rows(&path, sweep_text, &ids)?;
        repaired.dropped.push((path, dropped));
    }
    Ok(repaired)
}
