//! `avalanche slurm`: writes an sbatch script that runs a sweep as a Slurm
//! job array, one shard per array task, all writing into one dataset folder.

use std::fmt::Write as _;
use std::path::Path;

/// What the job array asks Slurm for.
#[derive(Clone, Debug)]
pub struct SlurmJob {
    /// Array tasks, i.e. shards.
    pub tasks: u64,
    /// `--time`, e.g. `02:00:00`.
    pub time: Option<String>,
    pub cpus_per_task: u64,
    pub partition: Option<String>,
    /// `--mem`, e.g. `4G`.
    pub memory: Option<String>,
}

/// Quotes a string for a POSIX shell.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// The sbatch script. Paths should be absolute: array tasks may start in
/// another directory on another node.
pub fn script(
    job: &SlurmJob,
    name: &str,
    binary: &Path,
    sweep_file: &Path,
    out: &Path,
    log_dir: &Path,
) -> String {
    let mut s = String::from("#!/bin/bash\n");
    let _ = writeln!(s, "#SBATCH --job-name=avalanche-{name}");
    let _ = writeln!(s, "#SBATCH --array=0-{}", job.tasks.saturating_sub(1));
    let _ = writeln!(s, "#SBATCH --cpus-per-task={}", job.cpus_per_task);
    let _ = writeln!(s, "#SBATCH --ntasks=1");
    if let Some(time) = &job.time {
        let _ = writeln!(s, "#SBATCH --time={time}");
    }
    if let Some(partition) = &job.partition {
        let _ = writeln!(s, "#SBATCH --partition={partition}");
    }
    if let Some(memory) = &job.memory {
        let _ = writeln!(s, "#SBATCH --mem={memory}");
    }
    let _ = writeln!(s, "#SBATCH --output={}/%A_%a.out", log_dir.display());
    s.push_str(
        "# Written by `avalanche slurm`. Each array task runs one shard; the shard\n\
         # comes from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT. Resubmitting\n\
         # (or rerunning one task) resumes: committed runs are never run twice.\n\
         set -euo pipefail\n",
    );
    let _ = writeln!(
        s,
        "exec {} run {} --out {} --threads \"${{SLURM_CPUS_PER_TASK:-{}}}\"",
        quote(&binary.display().to_string()),
        quote(&sweep_file.display().to_string()),
        quote(&out.display().to_string()),
        job.cpus_per_task
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_asks_for_one_task_per_shard() {
        let job = SlurmJob {
            tasks: 4,
            time: Some("01:00:00".into()),
            cpus_per_task: 2,
            partition: None,
            memory: None,
        };
        let text = script(
            &job,
            "x",
            Path::new("/bin/avalanche"),
            Path::new("/s/x.toml"),
            Path::new("/r"),
            Path::new("/r/x/slurm"),
        );
        assert!(text.contains("#SBATCH --array=0-3\n"));
        assert!(text.contains("#SBATCH --time=01:00:00\n"));
        assert!(!text.contains("--partition"));
        assert!(text.contains("exec '/bin/avalanche' run '/s/x.toml' --out '/r'"));
        assert_eq!(quote("it's"), "'it'\\''s'");
    }
}
