//! `avalanche slurm`: writes the sbatch scripts that run a sweep as a
//! Slurm job array, and says how to submit them.

use std::process::ExitCode;

use anyhow::{Context, Result};

use avalanche::slurm::SlurmJob;
use avalanche::sweep::{self, DEFAULT_MAX_RUNS};

use crate::cli::args::SlurmArgs;

/// Writes the sweep's sbatch scripts and prints how to submit them; exit 0.
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
    let binary = std::env::current_exe().context("locating the avalanche binary")?;
    let written = avalanche::slurm::write(&job, &sweep, &args.file, &binary, &args.out, args.script)?;
    println!("{written}");
    Ok(ExitCode::SUCCESS)
}
