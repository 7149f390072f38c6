//! `command`: sweeps any program, such as a real self-training script, with
//! the engine's seeds, Parquet, resume, shards, Slurm and report.
//!
//! The sweep file declares everything (`[command]`, read by
//! `sweep::command`): the argument vector with `{placeholders}`, the
//! environment, the output columns and the report. Each run starts the
//! program once, in a working folder of its own, without a shell, in a
//! process group of its own that is ended whole at the time limit; the
//! program writes its results as JSON Lines (see [`FORMAT_VERSION`]) on
//! standard output or to the file named by `AVALANCHE_OUTPUT`. Anything
//! that does not match the declaration fails that run with the reason and
//! the tail of its standard error; the sweep goes on.
//!
//! This is the one scenario that does I/O: it is as pure as the program it
//! runs. The engine's guarantees (identity seeds, resume, exactly-once
//! across shards) hold as they do for every scenario; that the program
//! gives the same numbers for the same seed is the program's part.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value as Json;

use super::spec::{Deadline, Row, RunError, RunIdentity, RunOutput};
use crate::params::Params;
use crate::value::{ColumnSpec, ColumnType, Value};

/// The scenario's name, and the sweep file's table that declares it.
pub const NAME: &str = "command";

/// The sweep file's table holding the declaration.
pub const TABLE: &str = "command";

/// What the `command` scenario is, in one line.
pub const ABOUT: &str = "runs a program declared in the sweep file once per run";

/// What `avalanche scenarios` says of `command`: its parameters and columns
/// are whatever a sweep file declares, so this says where they come from.
pub fn listing() -> Vec<(&'static str, String)> {
    vec![
        (
            "parameters:",
            "the keys of the sweep file's [grid] and [params], typed from their values".to_string(),
        ),
        (
            "per-run columns:",
            "declared in [command.summary] (int, float, string, bool); per-generation ones in \
             [command.generations]"
                .to_string(),
        ),
        (
            "the program:",
            format!(
                "started once per run from `argv` (no shell), with AVALANCHE_SEED, AVALANCHE_RUN_ID, \
                 AVALANCHE_REPLICATE and AVALANCHE_OUTPUT; it prints {{\"avalanche\": {FORMAT_VERSION}, \
                 \"generation\": {{...}}}} per generation and one {{\"avalanche\": {FORMAT_VERSION}, \
                 \"summary\": {{...}}}}"
            ),
        ),
        ("see:", "README.md, \"Bring your own model\"; sweeps/selftrain.toml".to_string()),
    ]
}

/// The version of the output format, the value of every record's
/// `"avalanche"` key. Version 1: one JSON object per line,
/// `{"avalanche": 1, "generation": {...}}` per generation (in order) and
/// exactly one `{"avalanche": 1, "summary": {...}}`; other lines are ignored.
pub const FORMAT_VERSION: i64 = 1;

/// The file name, inside the run's working folder, of `AVALANCHE_OUTPUT`.
pub const OUTPUT_FILE: &str = "avalanche-output.jsonl";

/// Bytes of standard error kept for a failed run's message.
const STDERR_TAIL: usize = 2000;

/// What to do with a run's working folder once it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Kept when the run failed, for diagnosis; removed when it succeeded.
    Failed,
    Always,
    Never,
}

/// One piece of an argument or environment value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// A parameter's index into the scenario's parameters.
    Param(usize),
    Seed,
    RunId,
    Replicate,
}

/// An argument or environment value with its placeholders resolved to
/// what they stand for.
pub type Template = Vec<Piece>;

/// The declaration of one `command` sweep.
#[derive(Clone, Debug)]
pub struct CommandSpec {
    /// The sweep's name, for the working folders.
    pub sweep: String,
    pub argv: Vec<Template>,
    pub env: Vec<(String, Template)>,
    /// Where working folders go: `<workdir>/<sweep>/<run_id>`.
    pub workdir: PathBuf,
    pub keep: Keep,
    /// Seconds a run may take before its process group is ended.
    pub timeout: Option<f64>,
    /// Cores each program may use: sets the usual thread-count variables.
    pub cpus_per_run: Option<u32>,
    /// Bytes of output (standard output or the output file) accepted.
    pub max_output: u64,
    pub summary: Vec<ColumnSpec>,
    pub generations: Vec<ColumnSpec>,
}

/// Variables that make numerical libraries use `cpus_per_run` threads.
const THREAD_VARIABLES: &[&str] = &[
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "RAYON_NUM_THREADS",
];

/// A parameter value as an argument: integers plainly, floats in their
/// shortest exact form, strings as they are.
fn text_of(value: &Value) -> String {
    match value {
        Value::Int(v) => v.to_string(),
        Value::Float(v) => v.to_string(),
        Value::Str(v) => v.to_string(),
        Value::Bool(v) => v.to_string(),
    }
}

fn render(template: &Template, params: &Params, identity: RunIdentity) -> String {
    template
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.clone(),
            Piece::Param(index) => text_of(&params.values[*index]),
            Piece::Seed => identity.seed.to_string(),
            Piece::RunId => identity.run_id.to_string(),
            Piece::Replicate => identity.replicate.to_string(),
        })
        .collect()
}

/// Runs the program once for the run `params` / `deadline.identity()`.
pub fn run(spec: &CommandSpec, params: &Params, deadline: &Deadline) -> Result<RunOutput, RunError> {
    let identity = deadline
        .identity()
        .ok_or_else(|| RunError::Failed("a command run needs its identity (run_id, seed)".into()))?;
    let folder = spec.workdir.join(&spec.sweep).join(format!("{:016x}", identity.run_id));
    // A folder left by an interrupted earlier attempt is stale: start clean.
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).map_err(|e| {
        RunError::Failed(format!("cannot create its working folder: {e}{}", folder_note("", &folder)))
    })?;
    let result = execute(spec, params, deadline, identity, &folder);
    let keep = match spec.keep {
        Keep::Always => true,
        Keep::Never => false,
        Keep::Failed => result.is_err(),
    };
    if !keep {
        let _ = std::fs::remove_dir_all(&folder);
    }
    result.map_err(|message| {
        let kept = if keep { folder_note(" kept", &folder) } else { String::new() };
        RunError::Failed(format!("{message}{kept}"))
    })
}

/// Opens the note that ends a failed run's message when it names the run's
/// working folder.
const FOLDER_NOTE: &str = " (working folder";

/// The note naming a run's working folder, at the end of its message:
/// " (working folder kept: /path)".
fn folder_note(state: &str, folder: &Path) -> String {
    format!("{FOLDER_NOTE}{state}: {})", folder.display())
}

/// `message` with the path in its working-folder note, if it ends with
/// one, replaced by `<working folder>`: every run has a folder of its own,
/// so failures that differ only there are one kind of failure (the run
/// summary groups them with this; the runs table keeps the path).
pub fn without_folder(message: &str) -> std::borrow::Cow<'_, str> {
    let note = message.rfind(FOLDER_NOTE).map(|at| (at, &message[at..]));
    match note.and_then(|(at, note)| Some((at, note.find(": ")?)).filter(|_| note.ends_with(')'))) {
        Some((at, colon)) => format!("{}: <working folder>)", &message[..at + colon]).into(),
        None => message.into(),
    }
}

fn execute(
    spec: &CommandSpec,
    params: &Params,
    deadline: &Deadline,
    identity: RunIdentity,
    folder: &Path,
) -> Result<RunOutput, String> {
    let argv: Vec<String> = spec.argv.iter().map(|t| render(t, params, identity)).collect();
    let output_file = folder.join(OUTPUT_FILE);
    let mut command = Command::new(&argv[0]);
    command
        .args(&argv[1..])
        .current_dir(folder)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("AVALANCHE_SEED", identity.seed.to_string())
        .env("AVALANCHE_RUN_ID", identity.run_id.to_string())
        .env("AVALANCHE_REPLICATE", identity.replicate.to_string())
        .env("AVALANCHE_OUTPUT", &output_file);
    if let Some(cpus) = spec.cpus_per_run {
        for variable in THREAD_VARIABLES {
            command.env(variable, cpus.to_string());
        }
    }
    for (name, value) in &spec.env {
        command.env(name, render(value, params, identity));
    }
    process_group(&mut command);
    let mut child = command.spawn().map_err(|e| format!("cannot start `{}`: {e}", argv[0]))?;
    let _live = Live::register(child.id());
    let limit = spec.max_output;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    // Both pipes are drained on their own threads so that a chatty
    // program never blocks on a full pipe.
    let out_reader = std::thread::spawn(move || read_capped(&mut stdout, limit));
    let err_reader = std::thread::spawn(move || read_tail(&mut stderr, STDERR_TAIL));
    let started = Instant::now();
    let budget = match (spec.timeout.map(Duration::from_secs_f64), deadline.remaining()) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) => {}
            Err(e) => break Err(format!("cannot wait for the program: {e}")),
        }
        if budget.is_some_and(|b| started.elapsed() >= b) {
            end_group(&mut child);
            let _ = child.wait();
            break Err(format!(
                "timed out after {:.1} s; its process group was ended",
                started.elapsed().as_secs_f64()
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // Whatever the program left running in its group ends with the run.
    end_group(&mut child);
    let (stdout, oversized) = out_reader.join().unwrap_or_default();
    let tail = err_reader.join().unwrap_or_default();
    let with_tail = |message: String| {
        if tail.trim().is_empty() {
            message
        } else {
            format!("{message}; stderr ends: {}", tail.trim_end())
        }
    };
    let status = status.map_err(with_tail)?;
    if !status.success() {
        return Err(with_tail(format!("`{}` exited with {status}", argv[0])));
    }
    let text = if output_file.exists() {
        let size = std::fs::metadata(&output_file).map(|m| m.len()).unwrap_or(0);
        if size > limit {
            return Err(format!("AVALANCHE_OUTPUT holds {size} bytes, more than the {limit} accepted"));
        }
        std::fs::read_to_string(&output_file).map_err(|e| format!("cannot read AVALANCHE_OUTPUT: {e}"))?
    } else {
        if oversized {
            return Err(format!("the program wrote more than {limit} bytes to standard output"));
        }
        String::from_utf8_lossy(&stdout).into_owned()
    };
    parse_records(&text, &spec.summary, &spec.generations).map_err(with_tail)
}

/// The process groups of the programs running now, so that a sweep that
/// stops before they end (a signal's grace period running out) can end
/// them rather than leave them running on their own.
static LIVE: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());

/// A running program's entry in [`LIVE`], removed when the run ends.
struct Live(u32);

impl Live {
    fn register(pid: u32) -> Live {
        LIVE.lock().unwrap_or_else(|e| e.into_inner()).push(pid);
        Live(pid)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        LIVE.lock().unwrap_or_else(|e| e.into_inner()).retain(|p| *p != self.0);
    }
}

/// Ends the process group of every program still running: called when a
/// stopped sweep abandons its runs, just before the process exits.
pub fn end_all_programs() {
    #[cfg(unix)]
    for pid in LIVE.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        if let Ok(pid) = i32::try_from(*pid) {
            // SAFETY: kill(2) on a process group touches no memory of ours.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
    }
}

/// Starts the child in a process group of its own, so that a timeout can
/// end it and everything it started.
fn process_group(command: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
}

/// Ends the child's whole process group (the child alone where groups do
/// not exist).
fn end_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        // The group id is the child's pid (process_group(0) above). A
        // group that is already gone answers ESRCH, which is fine.
        if let Ok(pid) = i32::try_from(child.id()) {
            // SAFETY: kill(2) with a negative pid signals a process group;
            // it touches no memory of ours.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
            return;
        }
    }
    let _ = child.kill();
}

/// Reads everything up to `limit` bytes, then drains the rest unkept;
/// returns the bytes and whether there were more.
fn read_capped(reader: &mut impl Read, limit: u64) -> (Vec<u8>, bool) {
    let mut kept = Vec::new();
    let _ = reader.by_ref().take(limit).read_to_end(&mut kept);
    let mut rest = [0u8; 8192];
    let mut more = false;
    while let Ok(n) = reader.read(&mut rest) {
        if n == 0 {
            break;
        }
        more = true;
    }
    (kept, more)
}

/// The last `keep` bytes of a stream, as text.
fn read_tail(reader: &mut impl Read, keep: usize) -> String {
    let mut tail: Vec<u8> = Vec::new();
    let mut buffer = [0u8; 8192];
    while let Ok(n) = reader.read(&mut buffer) {
        if n == 0 {
            break;
        }
        tail.extend_from_slice(&buffer[..n]);
        if tail.len() > 2 * keep {
            tail.drain(..tail.len() - keep);
        }
    }
    let start = tail.len().saturating_sub(keep);
    String::from_utf8_lossy(&tail[start..]).into_owned()
}

/// The records of a program's output, checked against the declaration.
pub fn parse_records(
    text: &str,
    summary: &[ColumnSpec],
    generations: &[ColumnSpec],
) -> Result<RunOutput, String> {
    let mut rows = Vec::new();
    let mut found: Option<Row> = None;
    for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
        if !line.starts_with('{') {
            continue; // log lines
        }
        let record: Json = match serde_json::from_str(line) {
            Ok(record) => record,
            Err(_) if !line.contains("\"avalanche\"") => continue,
            Err(e) => {
                return Err(format!(
                    "output line {number} is not valid JSON ({e}); note that Python's json.dumps writes \
                     NaN and Infinity, which JSON lacks: write None"
                ))
            }
        };
        let Some(object) = record.as_object() else { continue };
        let Some(version) = object.get("avalanche") else { continue };
        if version.as_i64() != Some(FORMAT_VERSION) {
            return Err(format!(
                "output line {number} has format version {version}; this avalanche reads version {FORMAT_VERSION}"
            ));
        }
        match (object.get("generation"), object.get("summary")) {
            (Some(values), None) => rows.push(row(values, generations, "generation", number)?),
            (None, Some(values)) => {
                if found.is_some() {
                    return Err(format!("output line {number} is a second summary; a run has one"));
                }
                found = Some(row(values, summary, "summary", number)?);
            }
            _ => {
                return Err(format!(
                    "output line {number} must have exactly one of the keys `generation` and `summary`"
                ))
            }
        }
    }
    let summary = found.ok_or_else(|| {
        "the program wrote no summary line ({\"avalanche\": 1, \"summary\": {...}})".to_string()
    })?;
    Ok(RunOutput { summary, generations: rows })
}

/// One record's values as a row of the declared columns: every declared
/// column present (null allowed), nothing else, each of its declared type.
fn row(values: &Json, columns: &[ColumnSpec], kind: &str, line: usize) -> Result<Row, String> {
    let Some(object) = values.as_object() else {
        return Err(format!("output line {line}: `{kind}` must be an object of column values"));
    };
    if let Some(extra) = object.keys().find(|k| !columns.iter().any(|c| c.name == k.as_str())) {
        let declared: Vec<&str> = columns.iter().map(|c| c.name.as_ref()).collect();
        return Err(format!(
            "output line {line}: `{extra}` is not a declared {kind} column (declared: {})",
            declared.join(", ")
        ));
    }
    columns
        .iter()
        .map(|column| {
            let value = object
                .get(column.name.as_ref())
                .ok_or_else(|| format!("output line {line}: {kind} column `{}` is missing", column.name))?;
            typed(value, column.ty).map_err(|wanted| {
                format!("output line {line}: {kind} column `{}` is {value}, not {wanted}", column.name)
            })
        })
        .collect()
}

fn typed(value: &Json, ty: ColumnType) -> Result<Option<Value>, &'static str> {
    if value.is_null() {
        return Ok(None);
    }
    match ty {
        ColumnType::Int => match (value.as_i64(), value.as_f64()) {
            (Some(v), _) => Ok(Some(Value::Int(v))),
            // 3.0 from a program that computed a count in floats.
            (None, Some(v)) if v.fract() == 0.0 && v.abs() < 9.0e15 => Ok(Some(Value::Int(v as i64))),
            _ => Err("an integer"),
        },
        ColumnType::Float => value.as_f64().map(|v| Some(Value::Float(v))).ok_or("a number"),
        ColumnType::Str => value.as_str().map(|v| Some(Value::Str(v.to_string().into()))).ok_or("a string"),
        ColumnType::Bool => value.as_bool().map(|v| Some(Value::Bool(v))).ok_or("true or false"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUMMARY: &[ColumnSpec] = &[
        ColumnSpec::new("accuracy", ColumnType::Float, ""),
        ColumnSpec::new("rounds", ColumnType::Int, ""),
        ColumnSpec::new("end", ColumnType::Str, ""),
    ];
    const GENERATIONS: &[ColumnSpec] = &[ColumnSpec::new("loss", ColumnType::Float, "")];

    #[test]
    fn records_become_rows_in_declared_order_and_logs_are_ignored() {
        let text = "training...\n{\"avalanche\": 1, \"generation\": {\"loss\": 0.5}}\n{\"note\": 1}\n\
                    {\"avalanche\": 1, \"generation\": {\"loss\": null}}\n\
                    {\"avalanche\": 1, \"summary\": {\"end\": \"stalled\", \"rounds\": 3.0, \"accuracy\": 0.9}}\n";
        let output = parse_records(text, SUMMARY, GENERATIONS).unwrap();
        assert_eq!(
            output.summary,
            [Some(Value::Float(0.9)), Some(Value::Int(3)), Some(Value::Str("stalled".into()))]
        );
        assert_eq!(output.generations, [vec![Some(Value::Float(0.5))], vec![None]]);
    }

    #[test]
    fn anything_off_the_declaration_fails_with_the_line_and_the_column() {
        let summary = |body: &str| format!("{{\"avalanche\": 1, \"summary\": {body}}}");
        let cases = [
            (summary("{\"accuracy\": 1, \"rounds\": 2}"), "`end` is missing"),
            (
                summary("{\"accuracy\": 1, \"rounds\": 2, \"end\": \"x\", \"extra\": 1}"),
                "`extra` is not a declared",
            ),
            (summary("{\"accuracy\": \"high\", \"rounds\": 2, \"end\": \"x\"}"), "is \"high\", not a number"),
            (summary("{\"accuracy\": 1, \"rounds\": 2.5, \"end\": \"x\"}"), "not an integer"),
            ("{\"avalanche\": 2, \"summary\": {}}".to_string(), "format version 2"),
            ("{\"avalanche\": 1, \"generation\": {\"loss\": NaN}}".to_string(), "NaN"),
            ("{\"avalanche\": 1, \"generation\": {\"loss\": 1}}".to_string(), "no summary line"),
        ];
        for (text, expected) in cases {
            let error = parse_records(&text, SUMMARY, GENERATIONS).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
        let twice =
            format!("{}\n{}", summary("{\"accuracy\": 1, \"rounds\": 2, \"end\": \"x\"}"), summary("{}"));
        assert!(parse_records(&twice, SUMMARY, GENERATIONS).unwrap_err().contains("second summary"));
    }

    #[test]
    fn the_working_folder_note_is_recognised_and_nothing_else() {
        let folder = Path::new("/tmp/w/s (1)/00ab12");
        let kept = format!("`python3` exited with exit status: 3{}", folder_note(" kept", folder));
        assert_eq!(kept, "`python3` exited with exit status: 3 (working folder kept: /tmp/w/s (1)/00ab12)");
        assert_eq!(
            without_folder(&kept),
            "`python3` exited with exit status: 3 (working folder kept: <working folder>)"
        );
        let created = format!("cannot create its working folder: denied{}", folder_note("", folder));
        assert_eq!(
            without_folder(&created),
            "cannot create its working folder: denied (working folder: <working folder>)"
        );
        for other in ["no note here", "stderr ends: (working folder", "x (working folder kept: /a) and more"]
        {
            assert_eq!(without_folder(other), other);
        }
    }

    #[test]
    fn failures_differing_only_in_their_working_folder_are_one_kind() {
        // A run's working folder is its own: a placeholder, then numbers blanked.
        let at =
            |folder: &str| format!("`python3` exited with exit status: 3 (working folder kept: {folder})");
        let shape = "`python3` exited with exit status: # (working folder kept: <working folder>)";
        let general = |message: &str| crate::engine::tally::message_shape(&without_folder(message));
        assert_eq!(general(&at("/tmp/avalanche-work/b1/7f2b1768c01b21c9")), shape);
        assert_eq!(general(&at("/tmp/avalanche-work/b1/039e6b26e781fe87")), shape);
    }

    #[test]
    fn placeholders_render_parameters_and_identity() {
        use crate::params::ParamSpec;
        static SPECS: &[ParamSpec] = &[ParamSpec::float("noise", 0.0, 1.0, 0.1, "")];
        let values = [Value::Float(0.01)];
        let params = Params { specs: SPECS, values: &values };
        let identity = RunIdentity { run_id: 7, seed: 42, replicate: 3 };
        let template =
            vec![Piece::Text("--noise=".into()), Piece::Param(0), Piece::Text("/".into()), Piece::Seed];
        assert_eq!(render(&template, &params, identity), "--noise=0.01/42");
    }
}
