//! `avalanche slurm`: writes an sbatch script that runs a sweep as a Slurm
//! job array, one shard per array task, all writing into one dataset folder.
//! [`write()`] puts the scripts on disk (splitting arrays larger than the
//! cluster allows) and returns what it wrote, whose display says how to
//! submit them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::display::invocation;
use crate::sweep::Sweep;

/// The default `--max-array-size`: Slurm's own default `MaxArraySize`, so
/// array indices stay below it.
pub const DEFAULT_MAX_ARRAY_SIZE: u64 = 1001;

/// How long before its time limit a task is asked to stop (SIGTERM to the
/// batch shell, which is `avalanche` itself): [`crate::engine::interrupt::GRACE`]
/// for runs under way plus time to commit, with room to spare.
pub const WARNING_SECS: u64 = 120;

/// What the job array asks Slurm for.
#[derive(Clone, Debug)]
pub struct SlurmJob {
    /// Array tasks, i.e. shards.
    pub tasks: u64,
    /// `--time`, e.g. `02:00:00`.
    pub time: Option<String>,
    pub cpus_per_task: u64,
    /// Cores each run uses (a `command` sweep's `cpus_per_run`, else 1):
    /// a task runs `cpus_per_task / cores_per_run` runs at once.
    pub cores_per_run: u64,
    pub partition: Option<String>,
    /// `--mem`, e.g. `4G`.
    pub memory: Option<String>,
    /// Tasks per script: arrays larger than the cluster allows are split.
    pub max_array_size: u64,
    /// At most this many tasks of one script run at once (`%N`).
    pub throttle: Option<u64>,
}

/// Why a job cannot be written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct JobError(pub String);

impl SlurmJob {
    /// Refuses a job that could not run as asked, given the sweep's run count.
    pub fn check(&self, runs: u64) -> Result<(), JobError> {
        let bad = |m: String| Err(JobError(m));
        if self.tasks == 0 {
            return bad("--tasks must be at least 1".into());
        }
        if self.tasks > runs {
            return bad(format!(
                "--tasks {}: the sweep has only {runs} runs, so {} tasks would have nothing to do; \
                 use --tasks {runs} or fewer",
                self.tasks,
                self.tasks - runs
            ));
        }
        if !(1..=crate::engine::executor::MAX_THREADS as u64).contains(&self.cpus_per_task) {
            return bad(format!(
                "--cpus-per-task {}: must be between 1 and {}",
                self.cpus_per_task,
                crate::engine::executor::MAX_THREADS
            ));
        }
        if self.max_array_size == 0 {
            return bad("--max-array-size must be at least 1".into());
        }
        if self.throttle == Some(0) {
            return bad("--throttle must be at least 1".into());
        }
        if let Some(time) = &self.time {
            time_limit_secs(time).ok_or_else(|| {
                JobError(format!(
                    "--time {time:?} is not a Slurm time: use minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or \
                     D-HH:MM:SS (e.g. 02:00:00)"
                ))
            })?;
        }
        Ok(())
    }

    /// How many scripts the array is split into.
    pub fn scripts(&self) -> u64 {
        self.tasks.div_ceil(self.max_array_size.max(1))
    }
}

/// A Slurm `--time` in seconds; `None` when malformed. `UNLIMITED` and
/// `INFINITE` are `Some(u64::MAX)`.
pub fn time_limit_secs(time: &str) -> Option<u64> {
    if time.eq_ignore_ascii_case("unlimited") || time.eq_ignore_ascii_case("infinite") {
        return Some(u64::MAX);
    }
    let number = |t: &str| {
        (!t.is_empty() && t.len() <= 9 && t.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse::<u64>().ok())
            .flatten()
    };
    let (days, rest) = match time.split_once('-') {
        Some((d, rest)) => (Some(number(d)?), rest),
        None => (None, time),
    };
    let fields: Vec<u64> = rest.split(':').map(number).collect::<Option<_>>()?;
    let under = |v: u64, limit: u64| (v < limit).then_some(v);
    let seconds = match (days, fields.as_slice()) {
        (None, [m]) => m * 60,
        (None, [m, s]) => m * 60 + under(*s, 60)?,
        (None, [h, m, s]) => h * 3600 + under(*m, 60)? * 60 + under(*s, 60)?,
        (Some(d), [h]) => d * 86_400 + under(*h, 24)? * 3600,
        (Some(d), [h, m]) => d * 86_400 + under(*h, 24)? * 3600 + under(*m, 60)? * 60,
        (Some(d), [h, m, s]) => d * 86_400 + under(*h, 24)? * 3600 + under(*m, 60)? * 60 + under(*s, 60)?,
        _ => return None,
    };
    (seconds > 0).then_some(seconds)
}

/// Quotes a string for a POSIX shell.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The sbatch scripts, one per [`SlurmJob::max_array_size`] tasks. Each
/// fixes the shard count and its first shard when written, so any subset of
/// its tasks can be resubmitted (`sbatch --array=5 x.sbatch`) and runs
/// exactly those shards. Paths should be absolute: array tasks may start in
/// another directory on another node.
pub fn scripts(
    job: &SlurmJob,
    name: &str,
    binary: &Path,
    sweep_file: &Path,
    out: &Path,
    log_dir: &Path,
) -> Vec<String> {
    (0..job.scripts()).map(|k| script(job, k, name, binary, sweep_file, out, log_dir)).collect()
}

/// Why the scripts could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SlurmError {
    /// A job that could not run as asked.
    #[error(transparent)]
    Job(#[from] JobError),
    /// A folder or script that could not be made, or a path that could
    /// not be resolved; `doing` says which (`creating <path>`).
    #[error("{doing}")]
    Io {
        doing: String,
        #[source]
        source: std::io::Error,
    },
}

/// What [`write()`] wrote. Its display is what `avalanche slurm` prints: the
/// scripts, how to submit them, how to follow the dataset, and how to
/// resubmit one task.
#[derive(Clone, Debug)]
pub struct Written {
    /// The scripts, in the order of the shards they run.
    pub scripts: Vec<PathBuf>,
    /// The dataset folder every task writes into.
    pub dataset: PathBuf,
    tasks: u64,
    max_array_size: u64,
}

/// Writes the sbatch scripts that run `sweep` (read from `sweep_file`) as
/// `job`, with `binary` as the program each task starts. The dataset goes
/// to `<out>/<name>/` and the tasks' logs to `<out>/<name>.slurm-logs/`;
/// the script to `script`, by default `<out>/<name>.sbatch`, and a split
/// array's to `<stem>.part0.sbatch`, `<stem>.part1.sbatch`, .... The paths
/// written into the scripts are absolute, since array tasks may start in
/// another directory on another node.
pub fn write(
    job: &SlurmJob,
    sweep: &Sweep,
    sweep_file: &Path,
    binary: &Path,
    out: &Path,
    script: Option<PathBuf>,
) -> Result<Written, SlurmError> {
    if sweep.search.is_some() && job.tasks > sweep.points() {
        return Err(JobError(format!(
            "--tasks {}: a search's tasks split the {} points of its other axes; use --tasks {} or fewer",
            job.tasks,
            sweep.points(),
            sweep.points()
        ))
        .into());
    }
    job.check(sweep.runs())?;
    let io = |doing: String| move |source| SlurmError::Io { doing, source };
    let absolute = |p: &Path| p.canonicalize().map_err(io(format!("resolving {}", p.display())));
    std::fs::create_dir_all(out).map_err(io(format!("creating {}", out.display())))?;
    let out = absolute(out)?;
    let log_dir = out.join(format!("{}.slurm-logs", sweep.name));
    std::fs::create_dir_all(&log_dir).map_err(io(format!("creating {}", log_dir.display())))?;
    let texts = scripts(job, &sweep.name, binary, &absolute(sweep_file)?, &out, &log_dir);
    let script = script.unwrap_or_else(|| out.join(format!("{}.sbatch", sweep.name)));
    let paths: Vec<PathBuf> = if texts.len() == 1 {
        vec![script]
    } else {
        let stem = script.file_stem().map_or("job".into(), |s| s.to_string_lossy().into_owned());
        (0..texts.len()).map(|k| script.with_file_name(format!("{stem}.part{k}.sbatch"))).collect()
    };
    for (path, text) in paths.iter().zip(&texts) {
        std::fs::write(path, text).map_err(io(format!("writing {}", path.display())))?;
    }
    Ok(Written {
        scripts: paths,
        dataset: out.join(&sweep.name),
        tasks: job.tasks,
        max_array_size: job.max_array_size,
    })
}

impl std::fmt::Display for Written {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Wrote {} ({} array tasks, one shard each{}).",
            self.scripts.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
            self.tasks,
            if self.scripts.len() > 1 {
                format!(", split at --max-array-size {}", self.max_array_size)
            } else {
                String::new()
            }
        )?;
        for path in &self.scripts {
            writeln!(f, "Submit:  sbatch {}", path.display())?;
        }
        writeln!(f, "Then:    {} status {}", invocation::command(), self.dataset.display())?;
        // The example names a task the first script has (its last).
        let example = self.tasks.min(self.max_array_size).saturating_sub(1);
        write!(
            f,
            "A task that failed or was cancelled: resubmit just it, e.g. sbatch --array={example} {}",
            self.scripts[0].display()
        )
    }
}

fn script(
    job: &SlurmJob,
    part: u64,
    name: &str,
    binary: &Path,
    sweep_file: &Path,
    out: &Path,
    log_dir: &Path,
) -> String {
    let first = part * job.max_array_size;
    let size = (job.tasks - first).min(job.max_array_size);
    let mut s = String::from("#!/bin/bash\n");
    let _ = writeln!(s, "#SBATCH --job-name=avalanche-{name}");
    let throttle = job.throttle.map_or(String::new(), |n| format!("%{n}"));
    let _ = writeln!(s, "#SBATCH --array=0-{}{throttle}", size - 1);
    let _ = writeln!(s, "#SBATCH --cpus-per-task={}", job.cpus_per_task);
    let _ = writeln!(s, "#SBATCH --ntasks=1");
    let mut warning = WARNING_SECS;
    if let Some(time) = &job.time {
        let _ = writeln!(s, "#SBATCH --time={time}");
        // Short jobs get a warning of a quarter of their time instead.
        warning = warning.min(time_limit_secs(time).map_or(warning, |t| (t / 4).max(1)));
    }
    let _ = writeln!(s, "#SBATCH --signal=B:TERM@{warning}");
    if let Some(partition) = &job.partition {
        let _ = writeln!(s, "#SBATCH --partition={partition}");
    }
    if let Some(memory) = &job.memory {
        let _ = writeln!(s, "#SBATCH --mem={memory}");
    }
    let _ = writeln!(s, "#SBATCH --output={}/%A_%a.out", log_dir.display());
    let _ = write!(
        s,
        "# Written by `avalanche slurm`: {tasks} shards in all; this script runs shards {first}..{last},\n\
         # shard {first} + SLURM_ARRAY_TASK_ID of {tasks}. The shard count is fixed here, so any subset of\n\
         # tasks can be resubmitted (sbatch --array={example} this.sbatch) and resumes exactly those shards:\n\
         # committed runs are never run twice. {warning} s before the time limit Slurm sends SIGTERM;\n\
         # avalanche then commits the finished runs and exits, and resubmitting resumes.\n\
         set -euo pipefail\n",
        tasks = job.tasks,
        last = first + size - 1,
        // A task this script has: its last.
        example = size - 1,
    );
    let _ = writeln!(
        s,
        "threads=$(( ${{SLURM_CPUS_PER_TASK:-{}}} / {} )); [ \"$threads\" -ge 1 ] || threads=1",
        job.cpus_per_task,
        job.cores_per_run.max(1),
    );
    let _ = writeln!(
        s,
        "exec {} run {} --out {} --threads \"$threads\" --shard \"$(({first} + SLURM_ARRAY_TASK_ID))/{}\"",
        quote(&binary.display().to_string()),
        quote(&sweep_file.display().to_string()),
        quote(&out.display().to_string()),
        job.tasks,
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(tasks: u64) -> SlurmJob {
        SlurmJob {
            tasks,
            time: Some("01:00:00".into()),
            cpus_per_task: 2,
            cores_per_run: 1,
            partition: None,
            memory: None,
            max_array_size: DEFAULT_MAX_ARRAY_SIZE,
            throttle: None,
        }
    }

    fn write(job: &SlurmJob) -> Vec<String> {
        let (bin, sweep, out, logs) =
            (Path::new("/bin/avalanche"), Path::new("/s/x.toml"), Path::new("/r"), Path::new("/r/x/slurm"));
        scripts(job, "x", bin, sweep, out, logs)
    }

    #[test]
    fn script_fixes_the_shard_count_and_asks_for_a_warning() {
        let texts = write(&job(4));
        assert_eq!(texts.len(), 1);
        let text = &texts[0];
        assert!(text.contains("#SBATCH --array=0-3\n"));
        // The resubmission example names a task the array has.
        assert!(text.contains("(sbatch --array=3 this.sbatch)"), "{text}");
        assert!(text.contains("#SBATCH --time=01:00:00\n"));
        assert!(text.contains("#SBATCH --signal=B:TERM@120\n"), "{text}");
        assert!(!text.contains("--partition"));
        assert!(text.contains("exec '/bin/avalanche' run '/s/x.toml' --out '/r'"));
        assert!(text.contains("--shard \"$((0 + SLURM_ARRAY_TASK_ID))/4\""), "{text}");
        assert_eq!(quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn large_arrays_are_split_and_throttled() {
        let big = SlurmJob { max_array_size: 1000, throttle: Some(50), ..job(2500) };
        let texts = write(&big);
        assert_eq!(texts.len(), 3);
        assert!(texts[0].contains("#SBATCH --array=0-999%50\n"));
        assert!(texts[2].contains("#SBATCH --array=0-499%50\n"));
        assert!(texts[2].contains("--shard \"$((2000 + SLURM_ARRAY_TASK_ID))/2500\""));
    }

    #[test]
    fn bad_jobs_are_refused() {
        assert!(job(4).check(10).is_ok());
        assert!(job(11).check(10).is_err());
        assert!(job(0).check(10).is_err());
        assert!(SlurmJob { cpus_per_task: 0, ..job(2) }.check(10).is_err());
        assert!(SlurmJob { time: Some("banana".into()), ..job(2) }.check(10).is_err());
        assert!(SlurmJob { throttle: Some(0), ..job(2) }.check(10).is_err());
    }

    #[test]
    fn split_arrays_are_written_beside_the_script_asked_for_and_named_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let sweep_file = dir.path().join("x.toml");
        let text = "name = \"x\"\nscenario = \"empty\"\nseed = 1\nreplicates = 10\n";
        std::fs::write(&sweep_file, text).unwrap();
        let sweep = crate::sweep::parse(&sweep_file, text, 100).unwrap();
        let split = SlurmJob { max_array_size: 2, ..job(5) };
        let out = dir.path().join("results");
        let script = Some(out.join("jobs/x.sbatch"));
        std::fs::create_dir_all(out.join("jobs")).unwrap();
        let written =
            super::write(&split, &sweep, &sweep_file, Path::new("/bin/avalanche"), &out, script).unwrap();
        let out = out.canonicalize().unwrap();
        let names: Vec<_> = written.scripts.iter().map(|p| p.strip_prefix(&out).unwrap()).collect();
        assert_eq!(
            names,
            ["jobs/x.part0.sbatch", "jobs/x.part1.sbatch", "jobs/x.part2.sbatch"].map(Path::new)
        );
        assert_eq!(written.dataset, out.join("x"));
        assert!(out.join("x.slurm-logs").is_dir());
        let last = std::fs::read_to_string(&written.scripts[2]).unwrap();
        assert!(last.contains("--shard \"$((4 + SLURM_ARRAY_TASK_ID))/5\""), "{last}");
        let said = written.to_string();
        assert!(said.contains("(5 array tasks, one shard each, split at --max-array-size 2)."), "{said}");
        assert_eq!(said.matches("Submit:  sbatch ").count(), 3, "{said}");
        // The resubmission example is a task of the first script.
        assert!(said.ends_with(&format!("e.g. sbatch --array=1 {}", written.scripts[0].display())), "{said}");
        // A job the sweep cannot fill is refused before anything is written.
        let refused = super::write(&job(11), &sweep, &sweep_file, Path::new("/bin/avalanche"), &out, None);
        assert!(matches!(refused, Err(SlurmError::Job(_))), "{refused:?}");
        assert!(!out.join("x.sbatch").exists());
    }

    #[test]
    fn slurm_times_parse_in_every_form() {
        assert_eq!(time_limit_secs("90"), Some(5400));
        assert_eq!(time_limit_secs("10:30"), Some(630));
        assert_eq!(time_limit_secs("02:00:00"), Some(7200));
        assert_eq!(time_limit_secs("1-12"), Some(129_600));
        assert_eq!(time_limit_secs("1-00:30"), Some(88_200));
        assert_eq!(time_limit_secs("2-01:00:05"), Some(176_405));
        assert_eq!(time_limit_secs("UNLIMITED"), Some(u64::MAX));
        for bad in ["banana", "", "1:2:3:4", "00:61:00", "-5", "1-", "0", "1-25"] {
            assert_eq!(time_limit_secs(bad), None, "{bad}");
        }
    }
}
