//! Sinks: where finished runs go. Only this module knows Parquet exists.
//!
//! [`DatasetWriter`] turns [`RunRecord`]s into rows of the runs and
//! generations tables and commits them in parts at a bounded interval, each
//! part appearing whole or not at all. The parts' names and the folders
//! they go in are [`crate::dataset`]'s: this module writes through them.

pub mod boundaries;
pub mod columns;
pub mod error;
mod part;
pub mod rewrite;
pub mod schema;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use error::SinkError;
pub use part::{properties, row_group_rows};

use crate::dataset::names::{Status, GENERATIONS_DIR, RUNS_DIR};
use crate::dataset::PartName;
use crate::engine::record::RunRecord;
use crate::engine::shard::Shard;
use crate::scenario::Scenario;
use crate::value::Value;
use columns::TableBuilder;
use part::Part;

/// Rows buffered in Arrow builders before they are handed to the Parquet
/// writer as one batch; per worker and table, so kept small (memory).
pub const BATCH_ROWS: usize = 4 * 1024;

/// When to commit a part: after this many runs or this much time,
/// whichever comes first. At most one interval of work is lost to a kill.
#[derive(Clone, Copy, Debug)]
pub struct Checkpoint {
    pub runs: u64,
    pub interval: Duration,
}

impl Checkpoint {
    /// The most runs between commits `--checkpoint-every` accepts.
    pub const MAX_RUNS: u64 = 1_000_000_000;
    /// The longest interval between commits `--checkpoint-every` accepts.
    pub const MAX_INTERVAL: Duration = Duration::from_secs(7 * 24 * 3600);

    /// Refuses intervals that would never commit or commit constantly.
    pub fn check(&self) -> Result<(), String> {
        if !(1..=Self::MAX_RUNS).contains(&self.runs) {
            return Err(format!(
                "--checkpoint-every {}: a number of runs must be between 1 and {}",
                self.runs,
                Self::MAX_RUNS
            ));
        }
        if self.interval < Duration::from_secs(1) || self.interval > Self::MAX_INTERVAL {
            return Err(format!(
                "--checkpoint-every {} s: a time must be between 1 s and {} s (7 days)",
                self.interval.as_secs(),
                Self::MAX_INTERVAL.as_secs()
            ));
        }
        Ok(())
    }
}

impl Default for Checkpoint {
    fn default() -> Self {
        Checkpoint { runs: 100_000, interval: Duration::from_secs(60) }
    }
}

/// Writes runs into a dataset folder.
pub struct DatasetWriter {
    dir: PathBuf,
    scenario: Arc<Scenario>,
    sweep_text: String,
    /// The shard and worker this writer names its parts by.
    shard: Shard,
    worker: usize,
    row_group_rows: usize,
    checkpoint: Checkpoint,
    runs: TableBuilder,
    generations: TableBuilder,
    part: Option<Part>,
    part_runs: u64,
    part_started: Instant,
    next_part: u64,
    /// Parts committed by this writer.
    pub parts_committed: u64,
}

impl DatasetWriter {
    /// Worker `worker`'s writer (of `workers`) for `dir`, which must
    /// already hold `sweep.toml`. Its part files are named by shard and
    /// worker (`part-s0of4-w01-000003.parquet`), so no two writers share a
    /// name.
    pub fn open(
        dir: &Path,
        scenario: Arc<Scenario>,
        sweep_text: &str,
        shard: Shard,
        (worker, workers): (usize, usize),
        checkpoint: Checkpoint,
    ) -> Result<DatasetWriter, SinkError> {
        for table in [RUNS_DIR, GENERATIONS_DIR] {
            let table_dir = dir.join(table);
            std::fs::create_dir_all(&table_dir).map_err(SinkError::io(&table_dir))?;
        }
        Ok(DatasetWriter {
            dir: dir.to_path_buf(),
            scenario: Arc::clone(&scenario),
            sweep_text: sweep_text.to_string(),
            shard,
            worker,
            row_group_rows: part::row_group_rows(workers),
            checkpoint,
            runs: TableBuilder::new(schema::runs_schema(&scenario), BATCH_ROWS),
            generations: TableBuilder::new(schema::generations_schema(&scenario), BATCH_ROWS),
            part: None,
            part_runs: 0,
            part_started: Instant::now(),
            next_part: crate::dataset::scan::next_part_number(dir, shard, worker)?,
            parts_committed: 0,
        })
    }

    /// Appends the identity and parameter columns of `rows` rows of one run;
    /// returns the index of the next column.
    fn push_identity(
        table: &mut TableBuilder,
        scenario: &Scenario,
        record: &RunRecord,
        rows: usize,
    ) -> usize {
        let spec = &record.spec;
        table.push_u64(0, spec.run_id, rows);
        table.push_repeated(1, Some(&Value::Int(spec.replicate as i64)), rows);
        table.push_u64(2, spec.seed, rows);
        table.push_repeated(3, Some(&Value::Str(scenario.name.into())), rows);
        for (i, value) in spec.values.iter().enumerate() {
            table.push_repeated(4 + i, Some(value), rows);
        }
        4 + spec.values.len()
    }

    /// Adds one finished run, committing a part when the checkpoint is due.
    pub fn write(&mut self, record: &RunRecord) -> Result<(), SinkError> {
        let scenario = Arc::clone(&self.scenario);
        let mut column = Self::push_identity(&mut self.runs, &scenario, record, 1);
        let (status, error, summary) = match &record.outcome {
            Ok(output) => (Status::Ok.as_str(), None, Some(&output.summary)),
            Err(message) => (Status::Failed.as_str(), Some(message.as_str()), None),
        };
        self.runs.push(column, Some(&Value::Str(status.into())));
        self.runs.push_text(column + 1, error);
        self.runs.push(column + 2, Some(&Value::Float(record.elapsed_ms)));
        column += 3;
        for i in 0..scenario.summary_columns.len() {
            self.runs.push(column + i, summary.and_then(|s| s.get(i)).and_then(Option::as_ref));
        }
        self.runs.end_rows(1);

        if let Ok(output) = &record.outcome {
            // Column by column: the run's identity once for all its rows,
            // then each metric down the generations.
            let rows = output.generations.len();
            if rows > 0 {
                let column = Self::push_identity(&mut self.generations, &scenario, record, rows);
                self.generations.push_ints(column, (0..rows).map(|g| g as i64));
                for metric in 0..scenario.generation_columns.len() {
                    self.generations.push_all(
                        column + 1 + metric,
                        output.generations.iter().map(|row| row[metric].as_ref()),
                    );
                }
                self.generations.end_rows(rows);
            }
        }
        if self.part_runs == 0 {
            self.part_started = Instant::now();
        }
        self.part_runs += 1;
        if self.generations.rows() >= BATCH_ROWS {
            self.flush_batch(true)?;
        }
        if self.runs.rows() >= BATCH_ROWS {
            self.flush_batch(false)?;
        }
        if self.part_runs >= self.checkpoint.runs {
            self.commit()?;
        }
        Ok(())
    }

    /// Commits the open part if its time interval has passed; the executor
    /// calls this while waiting, so slow sweeps still checkpoint.
    pub fn tick(&mut self) -> Result<(), SinkError> {
        if self.part_runs > 0 && self.part_started.elapsed() >= self.checkpoint.interval {
            self.commit()?;
        }
        Ok(())
    }

    fn part_path(&self) -> PathBuf {
        self.dir.join(RUNS_DIR).join(self.part_name())
    }

    fn part_name(&self) -> String {
        PartName { shard: self.shard, worker: Some(self.worker), number: self.next_part }.to_string()
    }

    fn flush_batch(&mut self, generations: bool) -> Result<(), SinkError> {
        let path = self.part_path();
        let table = if generations { &mut self.generations } else { &mut self.runs };
        if table.rows() == 0 {
            return Ok(());
        }
        let batch = table.finish().map_err(SinkError::arrow(&path))?;
        if self.part.is_none() {
            self.part = Some(Part::new(&self.dir, self.part_name(), self.row_group_rows));
        }
        self.part.as_mut().expect("created above").write(generations, &batch, &self.sweep_text)
    }

    /// Commits everything written so far as one part.
    pub fn commit(&mut self) -> Result<(), SinkError> {
        self.flush_batch(true)?;
        self.flush_batch(false)?;
        if let Some(part) = self.part.take() {
            part.commit()?;
            self.parts_committed += 1;
            self.next_part += 1;
        }
        self.part_runs = 0;
        Ok(())
    }
}

impl crate::engine::executor::RunSink for DatasetWriter {
    type Error = SinkError;

    fn write(&mut self, record: &RunRecord) -> Result<(), SinkError> {
        DatasetWriter::write(self, record)
    }

    fn tick(&mut self) -> Result<(), SinkError> {
        DatasetWriter::tick(self)
    }

    fn commit(&mut self) -> Result<(), SinkError> {
        DatasetWriter::commit(self)
    }
}
