//! The command line's grammar: every subcommand, flag and help text, as
//! clap reads them. The commands' own files take these values and call the
//! library.

use std::path::PathBuf;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use avalanche::display::invocation;
use avalanche::engine::shard::Shard;
use avalanche::sweep::DEFAULT_MAX_RUNS;

/// Measure how fast errors compound when a model trains on its own outputs:
/// run parameter sweeps of self-training simulations into Parquet datasets.
#[derive(Parser)]
#[command(version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run a sweep (or resume it) into <out>/<name>/.
    #[command(after_help = "Exit status: 0 every run succeeded; 1 some run failed or --fail-fast stopped \
                            the sweep; 2 an error (bad sweep file, unusable output folder).")]
    Run(RunArgs),
    /// Show what a sweep would run (axes, run count, example runs), without
    /// running it.
    Plan {
        /// The sweep file (TOML; see README "Sweep files").
        file: PathBuf,
        /// Refuse sweeps that expand to more runs than this.
        #[arg(long, default_value_t = DEFAULT_MAX_RUNS, value_parser = clap::value_parser!(u64).range(1..))]
        max_runs: u64,
        /// Also estimate the sweep's time and disk use, from a few pilot runs
        /// (about 3 s of them, in a temporary folder that is then removed).
        #[arg(long)]
        estimate: bool,
    },
    /// List the scenarios with their parameters and output columns.
    Scenarios {
        /// Show only this scenario.
        name: Option<String>,
        /// Also list the engine's internal test scenario (`empty`).
        #[arg(long)]
        all: bool,
    },
    /// Report completed, failed and missing runs of a dataset, across shards.
    #[command(after_help = "Exit status: 0 every run completed; 1 some run failed or is missing; \
                            2 an error (no such folder, not a dataset, a part compressed with a codec \
                            this build cannot read); 3 a part is unreadable or lacks its twin, or a run \
                            is recorded twice (see `avalanche repair`).")]
    Status {
        /// The dataset folder, <out>/<name>/ (e.g. results/quickstart).
        dir: PathBuf,
    },
    /// Mend a damaged dataset: move unreadable parts and parts without their
    /// twin to <dir>.damaged/ and drop duplicate rows, keeping one; then
    /// rerun the sweep. Exits 2 when it leaves parts in a codec this build
    /// cannot read (not damage: rewrite them with ZSTD).
    Repair {
        /// The dataset folder, <out>/<name>/.
        dir: PathBuf,
        /// Take the dataset's lock even though a writer looks alive.
        #[arg(long)]
        break_lock: bool,
    },
    /// Write an sbatch script that runs a sweep as a Slurm job array.
    Slurm(SlurmArgs),
    /// Summarise a dataset: headline table with 95% intervals, the answer per
    /// verifier, figures; writes report.md, report.html, headline.csv, PNG and SVG.
    Report {
        /// The dataset folder, results/<name>/.
        dir: PathBuf,
        /// Where to write the report (default: <dir>/report).
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        /// Old name of --to (accepted, with a note).
        #[arg(long, hide = true, conflicts_with = "to")]
        out: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// The sweep file (TOML; see README "Sweep files").
    pub file: PathBuf,
    /// Results root: the dataset goes to <out>/<name>/.
    #[arg(short, long, default_value = "results")]
    pub out: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,
    /// Run only shard I of N (0-based), e.g. 0/4. Defaults to the Slurm
    /// array task when SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT are set.
    #[arg(long)]
    pub shard: Option<Shard>,
    /// Commit finished runs every N runs or, with a unit, every so long
    /// ("30s", "5m", "1h"). May be given twice, once for each.
    #[arg(long, value_parser = parse_checkpoint)]
    pub checkpoint_every: Vec<CheckpointArg>,
    /// Stop starting new runs after the first failure.
    #[arg(long)]
    pub fail_fast: bool,
    /// Rerun runs the dataset records as failed.
    #[arg(long)]
    pub retry_failed: bool,
    /// Mark a run failed when it takes longer than this many seconds.
    #[arg(long)]
    pub run_timeout: Option<f64>,
    /// Accept a changed sweep file that only adds grid values or replicates.
    #[arg(long)]
    pub extend: bool,
    /// Move an existing dataset folder aside (to <name>.old-<time>) and start over.
    #[arg(long, conflicts_with = "extend")]
    pub fresh: bool,
    /// Refuse sweeps that expand to more runs than this.
    #[arg(long, default_value_t = DEFAULT_MAX_RUNS, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_runs: u64,
    /// Take over the shard's lock even though its holder looks alive (only
    /// when you know that writer is gone, e.g. its node crashed).
    #[arg(long)]
    pub break_lock: bool,
}

#[derive(clap::Args)]
pub struct SlurmArgs {
    /// The sweep file (TOML; see README "Sweep files").
    pub file: PathBuf,
    /// Array tasks (shards).
    #[arg(long)]
    pub tasks: u64,
    /// Results root, as for `run`.
    #[arg(short, long, default_value = "results")]
    pub out: PathBuf,
    /// Wall-time limit per task, e.g. 02:00:00.
    #[arg(long)]
    pub time: Option<String>,
    /// CPU cores per task; each task runs that many worker threads (default
    /// 1, or a `command` sweep's `cpus_per_run`, whose programs then share
    /// the task's cores `cpus_per_run` each).
    #[arg(long)]
    pub cpus_per_task: Option<u64>,
    /// The Slurm partition (queue) to submit to (default: the cluster's).
    #[arg(long)]
    pub partition: Option<String>,
    /// Memory per task, e.g. 4G.
    #[arg(long)]
    pub mem: Option<String>,
    /// Where to write the script (default: <out>/<name>.sbatch; split
    /// arrays get .part0, .part1, ... before the extension).
    #[arg(long)]
    pub script: Option<PathBuf>,
    /// The cluster's MaxArraySize: larger arrays are split into several
    /// scripts.
    #[arg(long, default_value_t = avalanche::slurm::DEFAULT_MAX_ARRAY_SIZE)]
    pub max_array_size: u64,
    /// Run at most N tasks of each script at once (Slurm's `%N`).
    #[arg(long)]
    pub throttle: Option<u64>,
}

/// One `--checkpoint-every`: a number of runs, or a time.
#[derive(Clone, Copy, Debug)]
pub enum CheckpointArg {
    Runs(u64),
    Every(Duration),
}

fn parse_checkpoint(s: &str) -> Result<CheckpointArg, String> {
    let bad = || format!("{s:?} is neither a number of runs (1000) nor a time (30s, 5m, 1h)");
    let number = |t: &str| t.parse::<u64>().ok().filter(|n| *n > 0);
    let units = [('s', 1), ('m', 60), ('h', 3600)];
    if let Some(secs) = units
        .iter()
        .find_map(|&(unit, scale)| s.strip_suffix(unit).and_then(number).and_then(|n| n.checked_mul(scale)))
    {
        Ok(CheckpointArg::Every(Duration::from_secs(secs)))
    } else {
        number(s).map(CheckpointArg::Runs).ok_or_else(bad)
    }
}

/// The arguments this process was given, or clap's own exit (help,
/// version, a usage error).
pub fn parse() -> Cli {
    // The first steps, written the way this binary was started.
    let command = Cli::command().after_help(format!(
        "Start with `{avalanche} scenarios`, then `{avalanche} plan FILE` and `{avalanche} run FILE`.\n\
         Exit status: 0 success; 1 some run failed or is missing (run, status); 2 an error; \
         3 a damaged dataset (status); 130 or 143 interrupted (run).",
        avalanche = invocation::command()
    ));
    Cli::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit())
}
