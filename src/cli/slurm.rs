//! `avalanche slurm`: writes the sbatch scripts that run a sweep as a
//! Slurm job array, and says how to submit them.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use avalanche::invocation;
use avalanche::slurm::SlurmJob;
use avalanche::sweep::{self, DEFAULT_MAX_RUNS};

use super::args::SlurmArgs;

pub fn slurm(args: SlurmArgs) -> Result<ExitCode> {
    let sweep = sweep::load(&args.file, DEFAULT_MAX_RUNS)?;
    let job = SlurmJob {
        tasks: args.tasks,
        time: args.time,
        cpus_per_task: args.cpus_per_task.unwrap_or(u64::from(sweep.cores_per_run)),
        cores_per_run: u64::from(sweep.cores_per_run),
        partition: args.partition,
        memory: args.mem,
        max_array_size: args.max_array_size,
        throttle: args.throttle,
    };
    if sweep.search.is_some() && args.tasks > sweep.points() {
        bail!(
            "--tasks {}: a search's tasks split the {} points of its other axes; use --tasks {} or fewer",
            args.tasks,
            sweep.points(),
            sweep.points()
        );
    }
    job.check(sweep.runs())?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let absolute =
        |p: &std::path::Path| p.canonicalize().with_context(|| format!("resolving {}", p.display()));
    let out = absolute(&args.out)?;
    let log_dir = out.join(format!("{}.slurm-logs", sweep.name));
    std::fs::create_dir_all(&log_dir).with_context(|| format!("creating {}", log_dir.display()))?;
    let binary = std::env::current_exe().context("locating the avalanche binary")?;
    let texts = avalanche::slurm::scripts(&job, &sweep.name, &binary, &absolute(&args.file)?, &out, &log_dir);
    let script = args.script.unwrap_or_else(|| out.join(format!("{}.sbatch", sweep.name)));
    let paths: Vec<PathBuf> = if texts.len() == 1 {
        vec![script]
    } else {
        let stem = script.file_stem().map_or("job".into(), |s| s.to_string_lossy().into_owned());
        (0..texts.len()).map(|k| script.with_file_name(format!("{stem}.part{k}.sbatch"))).collect()
    };
    for (path, text) in paths.iter().zip(&texts) {
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    println!(
        "Wrote {} ({} array tasks, one shard each{}).",
        paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        args.tasks,
        if paths.len() > 1 {
            format!(", split at --max-array-size {}", args.max_array_size)
        } else {
            String::new()
        }
    );
    for path in &paths {
        println!("Submit:  sbatch {}", path.display());
    }
    println!("Then:    {} status {}", invocation::command(), out.join(&sweep.name).display());
    // The example names a task the first script has (its last).
    let example = args.tasks.min(args.max_array_size).saturating_sub(1);
    println!(
        "A task that failed or was cancelled: resubmit just it, e.g. sbatch --array={example} {}",
        paths[0].display()
    );
    Ok(ExitCode::SUCCESS)
}
