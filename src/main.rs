//! The `avalanche` command line: argument parsing and printing only; the
//! work happens in the library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use avalanche::executor::{ExecConfig, WORKER_THREAD_PREFIX};
use avalanche::progress::Progress;
use avalanche::runner::{run_sweep, RunOptions, Summary};
use avalanche::shard::Shard;
use avalanche::sink::Checkpoint;
use avalanche::slurm::SlurmJob;
use avalanche::sweep::{self, DEFAULT_MAX_RUNS};
use avalanche::{describe, invocation, report, scenario, status};

/// Measure how fast errors compound when a model trains on its own outputs:
/// run parameter sweeps of self-training simulations into Parquet datasets.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
struct RunArgs {
    /// The sweep file (TOML; see README "Sweep files").
    file: PathBuf,
    /// Results root: the dataset goes to <out>/<name>/.
    #[arg(short, long, default_value = "results")]
    out: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(short = 'j', long)]
    threads: Option<usize>,
    /// Run only shard I of N (0-based), e.g. 0/4. Defaults to the Slurm
    /// array task when SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT are set.
    #[arg(long)]
    shard: Option<Shard>,
    /// Commit finished runs every N runs or, with a unit, every so long
    /// ("30s", "5m", "1h"). May be given twice, once for each.
    #[arg(long, value_parser = parse_checkpoint)]
    checkpoint_every: Vec<CheckpointArg>,
    /// Stop starting new runs after the first failure.
    #[arg(long)]
    fail_fast: bool,
    /// Rerun runs the dataset records as failed.
    #[arg(long)]
    retry_failed: bool,
    /// Mark a run failed when it takes longer than this many seconds.
    #[arg(long)]
    run_timeout: Option<f64>,
    /// Accept a changed sweep file that only adds grid values or replicates.
    #[arg(long)]
    extend: bool,
    /// Move an existing dataset folder aside (to <name>.old-<time>) and start over.
    #[arg(long, conflicts_with = "extend")]
    fresh: bool,
    /// Refuse sweeps that expand to more runs than this.
    #[arg(long, default_value_t = DEFAULT_MAX_RUNS, value_parser = clap::value_parser!(u64).range(1..))]
    max_runs: u64,
    /// Take over the shard's lock even though its holder looks alive (only
    /// when you know that writer is gone, e.g. its node crashed).
    #[arg(long)]
    break_lock: bool,
}

#[derive(clap::Args)]
struct SlurmArgs {
    /// The sweep file (TOML; see README "Sweep files").
    file: PathBuf,
    /// Array tasks (shards).
    #[arg(long)]
    tasks: u64,
    /// Results root, as for `run`.
    #[arg(short, long, default_value = "results")]
    out: PathBuf,
    /// Wall-time limit per task, e.g. 02:00:00.
    #[arg(long)]
    time: Option<String>,
    /// CPU cores per task; each task runs that many worker threads (default
    /// 1, or a `command` sweep's `cpus_per_run`, whose programs then share
    /// the task's cores `cpus_per_run` each).
    #[arg(long)]
    cpus_per_task: Option<u64>,
    /// The Slurm partition (queue) to submit to (default: the cluster's).
    #[arg(long)]
    partition: Option<String>,
    /// Memory per task, e.g. 4G.
    #[arg(long)]
    mem: Option<String>,
    /// Where to write the script (default: <out>/<name>.sbatch; split
    /// arrays get .part0, .part1, ... before the extension).
    #[arg(long)]
    script: Option<PathBuf>,
    /// The cluster's MaxArraySize: larger arrays are split into several
    /// scripts.
    #[arg(long, default_value_t = avalanche::slurm::DEFAULT_MAX_ARRAY_SIZE)]
    max_array_size: u64,
    /// Run at most N tasks of each script at once (Slurm's `%N`).
    #[arg(long)]
    throttle: Option<u64>,
}

#[derive(Clone, Copy, Debug)]
enum CheckpointArg {
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

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
    quiet_worker_panics();
    // The first steps, written the way this binary was started.
    let command = Cli::command().after_help(format!(
        "Start with `{avalanche} scenarios`, then `{avalanche} plan FILE` and `{avalanche} run FILE`.\n\
         Exit status: 0 success; 1 some run failed or is missing (run, status); 2 an error; \
         3 a damaged dataset (status); 130 or 143 interrupted (run).",
        avalanche = invocation::command()
    ));
    let cli = Cli::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit());
    match dispatch(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", error_text(&error));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes, joined by ": ", leaving out a cause whose text
/// the message before it already contains (library errors often print
/// their source too: "x: Permission denied" needs no second
/// "Permission denied").
fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text += ": ";
            }
            text += &part;
        }
    }
    text
}

/// A panic inside a run is caught, recorded as that run's failure and
/// logged with its message; printing it again from the panic hook would
/// only tear the progress bar. Panics anywhere else still print.
fn quiet_worker_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let worker = std::thread::current().name().is_some_and(|n| n.starts_with(WORKER_THREAD_PREFIX));
        if !worker {
            default(info);
        }
    }));
}

fn dispatch(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Plan { file, max_runs, estimate } => {
            let sweep = sweep::load(&file, max_runs)?;
            print!("{}", describe::plan(&sweep));
            if estimate {
                let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
                let e = avalanche::estimate::estimate(&sweep, threads).context("running pilot runs")?;
                println!("{}", estimate_text(&e));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Scenarios { name, all } => {
            let known = scenario::registry();
            let internal = |s: &scenario::registry::Known| scenario::INTERNAL.contains(&s.name);
            match &name {
                None => {
                    // The simulations and `command` first, the engine's test scenario last.
                    let public: Vec<_> = known.iter().filter(|s| !internal(s)).collect();
                    let tests: Vec<_> = known.iter().filter(|s| all && internal(s)).collect();
                    print!("{}{}", describe::scenarios(&public), describe::scenarios(&tests));
                }
                Some(n) => match scenario::registry::known(n) {
                    Some(s) => print!("{}", describe::scenarios(&[s])),
                    None => {
                        let names = scenario::registry::names();
                        bail!(
                            "no scenario `{n}`; {}known: {}",
                            sweep::error::suggestion(n, names.clone()),
                            names.collect::<Vec<_>>().join(", ")
                        )
                    }
                },
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { dir } => {
            let report = status::status(&dir)?;
            print!("{}", report.text);
            Ok(match report.standing {
                status::Standing::Complete => ExitCode::SUCCESS,
                status::Standing::Unfinished => ExitCode::from(1),
                status::Standing::Unreadable => ExitCode::from(2),
                status::Standing::Damaged => ExitCode::from(3),
            })
        }
        Command::Repair { dir, break_lock } => {
            if !dir.exists() {
                bail!("{}: no such file or folder", dir.display());
            }
            let repaired = avalanche::dataset::repair(&dir, break_lock)?;
            for (from, to) in &repaired.moved {
                println!("moved {} to {}", from.display(), to.display());
            }
            for (path, rows) in &repaired.dropped {
                println!("dropped {rows} duplicate rows from {}", path.display());
            }
            let mended = !(repaired.moved.is_empty() && repaired.dropped.is_empty());
            if !repaired.foreign_codec.is_empty() {
                // Not damage: left in place, and the dataset is still not whole.
                println!("left in place: {}", avalanche::sink::error::codec_advice(&repaired.foreign_codec));
                if mended {
                    println!("After rewriting, rerun the sweep to redo the runs that were moved aside.");
                }
                return Ok(ExitCode::from(2));
            }
            if mended {
                println!(
                    "Now rerun the sweep to redo lost runs, then check with: {} status {}",
                    invocation::command(),
                    dir.display()
                );
            } else {
                println!("{}: nothing to repair", dir.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Slurm(args) => slurm(args),
        Command::Report { dir, to, out } => {
            if out.is_some() {
                eprintln!("note: `report --out` is now `report --to` (for `run`, --out is the results root)");
            }
            let summary = report::report(&report::ReportConfig { dir, out: to.or(out) })?;
            if let Some(lack) = summary.incomplete {
                eprintln!(
                    "warning: incomplete sweep: {lack}; the report describes only the runs present, which \
                     need not represent the sweep. Finish the sweep (run it again: it resumes), then report."
                );
            }
            println!("{}", summary.table);
            println!("\nReport: {}", summary.out.join("report.md").display());
            println!("        {} (the same page, for a browser)", summary.out.join("report.html").display());
            if !summary.in_short.is_empty() {
                // The answer without opening the file.
                println!("\nIn short:");
                for sentence in &summary.in_short {
                    println!("- {sentence}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run(args: RunArgs) -> Result<ExitCode> {
    let sweep = sweep::load(&args.file, args.max_runs)?;
    let shard = match args.shard {
        Some(shard) => {
            tracing::info!("running shard {shard}");
            Some(shard)
        }
        None => {
            let from_env = Shard::from_slurm(|k| std::env::var(k).ok()).map_err(anyhow::Error::msg)?;
            if let Some(shard) = from_env {
                tracing::info!(
                    "running shard {shard}, from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT \
                     (resubmitting a subset of the tasks would change the count: pass --shard I/N)"
                );
            }
            from_env
        }
    };
    let mut checkpoint = Checkpoint::default();
    for c in &args.checkpoint_every {
        match *c {
            CheckpointArg::Runs(n) => checkpoint.runs = n,
            CheckpointArg::Every(d) => checkpoint.interval = d,
        }
    }
    let options = RunOptions {
        out: args.out,
        exec: ExecConfig {
            // A `command` sweep's programs use `cpus_per_run` cores each.
            threads: args.threads.or_else(|| {
                (sweep.cores_per_run > 1).then(|| sweep.runs_at_once(avalanche::executor::default_threads()))
            }),
            run_timeout: args.run_timeout,
            shard,
            fail_fast: args.fail_fast,
            halt: None,
        },
        checkpoint,
        retry_failed: args.retry_failed,
        extend: args.extend,
        fresh: args.fresh,
        break_lock: args.break_lock,
        on_abandon: Some(print_interrupted),
    };
    let threads = options.exec.thread_count();
    if let Some(r) = sweep.redundancy() {
        tracing::warn!("{}", describe::redundancy_warning(&r, sweep.runs()).trim_start_matches("warning: "));
    }
    if let Some(warning) = describe::baseline_warning(&sweep) {
        tracing::warn!("{}", warning.trim_start_matches("warning: "));
    }
    avalanche::interrupt::install();
    let summary = run_sweep(&sweep, &options, &mut Progress::for_stderr())
        .with_context(|| format!("running {}", args.file.display()))?;
    println!("{}", summary_paragraph(&sweep.name, &summary, threads));
    if summary.interrupted.is_none() && !summary.stopped_early && summary.shard == Shard::WHOLE {
        print_in_short(&summary.dir);
    }
    println!("{}", next_step(&summary));
    if let Some(signal) = summary.interrupted {
        print_interrupted(&summary);
        return Ok(ExitCode::from(avalanche::interrupt::exit_code(signal)));
    }
    Ok(if summary.failed > 0 || summary.stopped_early { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The report's `## In short` sentences after a whole sweep has run, so that
/// the first command a user runs ends with the answer (the `Next:` line above
/// says how to get the full report). A sweep the report cannot read (say, a
/// command scenario whose columns give it nothing to say) just says nothing
/// here: the run itself succeeded.
fn print_in_short(dir: &std::path::Path) {
    match avalanche::report::in_short(dir) {
        Ok(sentences) if !sentences.is_empty() => {
            println!("\nIn short:");
            for sentence in sentences {
                println!("- {sentence}");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::debug!("no In short for {}: {e}", dir.display()),
    }
}

/// What a stop signal left: what was saved, and the command that resumes.
fn print_interrupted(summary: &Summary) {
    let signal = summary.interrupted.map_or("a signal".into(), avalanche::interrupt::name);
    let quote = |a: String| {
        if !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c)) {
            a
        } else {
            format!("'{}'", a.replace('\'', "'\\''"))
        }
    };
    // The way this binary was started, then the arguments it was given.
    let command: Vec<String> = std::iter::once(invocation::command().to_string())
        .chain(std::env::args().skip(1).map(quote))
        .collect();
    let abandoned = if summary.abandoned {
        format!(
            "; runs still going after {} s were abandoned (not recorded)",
            avalanche::interrupt::GRACE.as_secs()
        )
    } else {
        String::new()
    };
    eprintln!(
        "Stopped by {signal}: the {} runs finished in this session are committed{abandoned}. \
         Resume with:\n  {}",
        summary.executed,
        command.join(" ")
    );
}

fn summary_paragraph(name: &str, s: &Summary, threads: usize) -> String {
    let secs = s.wall.as_secs_f64();
    let shard = if s.shard == Shard::WHOLE { String::new() } else { format!(" (shard {})", s.shard) };
    let mut text = format!(
        "Sweep `{name}`{shard}: ran {} runs, {} failed, in {secs:.2} s on {threads} {} ({}).",
        s.executed,
        s.failed,
        if threads == 1 { "thread" } else { "threads" },
        avalanche::progress::rate_text(s.executed, s.wall)
    );
    if s.already_committed > 0 {
        text += &format!(" {} runs were already committed and were not rerun.", s.already_committed);
    }
    if s.stopped_early {
        text += " Stopped early after a failure (--fail-fast); rerun to resume.";
    }
    if let Some(aside) = &s.moved_aside {
        text += &format!(" The previous dataset was moved to {}.", aside.display());
    }
    text += &format!(" Data: {}/ (runs/ and generations/, Parquet).", s.dir.display());
    if !s.failures.is_empty() {
        text += "\nFailed runs by message (numbers shown as #):";
        for (count, shape, example) in s.failures.iter().take(FAILURE_KINDS_SHOWN) {
            text += &format!("\n  {count:>8}  {shape}");
            if *count == 1 || shape != example {
                text += &format!("\n            e.g. {example}");
            }
        }
        if s.failures.len() > FAILURE_KINDS_SHOWN {
            let rest: u64 = s.failures[FAILURE_KINDS_SHOWN..].iter().map(|f| f.0).sum();
            text += &format!("\n  {rest:>8}  with {} other messages", s.failures.len() - FAILURE_KINDS_SHOWN);
        }
        text += "\n(the `error` column of the runs table has every message; --retry-failed reruns them)";
    }
    text
}

/// The command that writes the full report (report.md and report.html), as
/// the binary was invoked.
fn next_step(s: &Summary) -> String {
    let dir = invocation::quoted(&s.dir.to_string_lossy());
    format!("Next: {} report {dir}", invocation::command())
}

/// Kinds of failure listed in the summary; the rest are counted.
const FAILURE_KINDS_SHOWN: usize = 5;

fn estimate_text(e: &avalanche::estimate::Estimate) -> String {
    use avalanche::estimate::{human_bytes, human_duration};
    // "about under 0.1 s" says nothing twice.
    let wall = match human_duration(e.wall) {
        short if short.starts_with("under") => short,
        wall => format!("about {wall}"),
    };
    let mut text = format!(
        "estimate: {wall} on {} threads and {} on disk (from {} pilot runs on one thread: \
         {} per run, {} of Parquet per run; scaled assuming every thread is busy)",
        e.threads,
        human_bytes(e.bytes),
        e.pilots,
        if e.seconds_per_run < 1.0 {
            format!("{:.3} ms", e.seconds_per_run * 1e3)
        } else {
            human_duration(Duration::from_secs_f64(e.seconds_per_run))
        },
        human_bytes(e.bytes_per_run),
    );
    if e.failed > 0 {
        text += &format!("\nwarning: {} of the {} pilot runs failed", e.failed, e.pilots);
    }
    text
}

fn slurm(args: SlurmArgs) -> Result<ExitCode> {
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
