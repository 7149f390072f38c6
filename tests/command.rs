//! The `command` scenario through the real binary: a stand-in training
//! script (tests/command/stub.py, standard library only) is swept with
//! seeds, failures, timeouts, a kill and a resume, and the dataset is read
//! back.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{avalanche, ok, read_table, workspace};

fn stub() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/command/stub.py").display().to_string()
}

fn sweep(name: &str, extra_args: &str, grid: &str) -> String {
    format!(
        r#"name = "{name}"
scenario = "command"
seed = 11
replicates = 3
[grid]
noise = [0.1, 0.4]
filter = ["none", "confidence"]
{grid}
[params]
rounds = 4
[command]
argv = ["python3", "{stub}", "--noise", "{{noise}}", "--rounds", "{{rounds}}", "--filter", "{{filter}}"{extra_args}]
timeout = 20
[command.summary]
final_error = {{ type = "float", better = "lower" }}
seed_seen = "string"
end = "string"
[command.generations]
round = "int"
loss = "float"
[command.report]
compare = "filter"
baseline = "none"
along = "noise"
"#,
        stub = stub()
    )
}

/// Column `name` of the runs table by run_id, as display strings.
fn by_run(dir: &Path, table: &str, name: &str) -> HashMap<String, Vec<String>> {
    let rows = read_table(dir, table);
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for row in rows {
        out.entry(row["run_id"].clone()).or_default().push(row[name].clone());
    }
    out
}

#[test]
fn a_program_is_swept_with_its_seed_and_its_columns_land_in_the_dataset() {
    let dir = workspace(&[("s.toml", &sweep("cmd", "", ""))]);
    ok(avalanche().current_dir(dir.path()).args(["run", "s.toml", "--out", "r"]).output().unwrap());
    let data = dir.path().join("r/cmd");
    let runs = read_table(&data, "runs");
    assert_eq!(runs.len(), 12);
    for row in &runs {
        assert_eq!(row["status"], "ok", "{row:?}");
        // The program saw the run's own seed.
        assert_eq!(row["seed_seen"], row["seed"], "{row:?}");
        assert!(row["final_error"].parse::<f64>().unwrap() >= 0.0);
    }
    let rounds = by_run(&data, "generations", "round");
    assert!(rounds.values().all(|r| r.len() == 4), "four generations rows per run");
    // The same sweep elsewhere gives the same numbers, value for value.
    ok(avalanche()
        .current_dir(dir.path())
        .args(["run", "s.toml", "--out", "again", "--threads", "1"])
        .output()
        .unwrap());
    let first = by_run(&data, "runs", "final_error");
    let second = by_run(&dir.path().join("again/cmd"), "runs", "final_error");
    assert_eq!(first, second);
    // The report reads the comparison the sweep file declared.
    let report = ok(avalanche().current_dir(dir.path()).args(["report", "r/cmd"]).output().unwrap());
    assert!(report.contains("`confidence` at noise = 0.1"), "{report}");
}

#[test]
fn failures_and_timeouts_are_recorded_and_the_sweep_goes_on() {
    let grid = "mode = [\"ok\", \"fail\", \"hang\", \"garbage\"]";
    let text = sweep("bad", ", \"--mode\", \"{mode}\"", grid).replace("timeout = 20", "timeout = 1.5");
    let dir = workspace(&[("s.toml", &text)]);
    let output = avalanche().current_dir(dir.path()).args(["run", "s.toml", "--out", "r"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "some runs failed: exit 1");
    let runs = read_table(&dir.path().join("r/bad"), "runs");
    assert_eq!(runs.len(), 48);
    let errors = |mode: &str| -> Vec<String> {
        runs.iter().filter(|r| r["mode"] == mode).map(|r| r["error"].clone()).collect()
    };
    assert!(errors("ok").iter().all(|e| e.is_empty()), "{:?}", errors("ok"));
    assert!(errors("fail").iter().all(|e| e.contains("exited with") && e.contains("CUDA out of memory")));
    assert!(errors("fail").iter().all(|e| e.contains("working folder kept")));
    assert!(errors("hang").iter().all(|e| e.contains("timed out")), "{:?}", errors("hang"));
    assert!(errors("garbage").iter().all(|e| e.contains("`error` is not a declared summary column")));
}

#[test]
fn failures_that_differ_only_in_their_working_folders_are_one_kind_in_the_summary() {
    let text = sweep("late", ", \"--mode\", \"late-fail\"", "")
        .replace("replicates = 3", "replicates = 8")
        .replace("noise = [0.1, 0.4]", "noise = [0.1]")
        .replace("filter = [\"none\", \"confidence\"]", "filter = [\"none\"]")
        .replace("timeout = 20", "timeout = 20\nworkdir = \"work\"");
    let dir = workspace(&[("s.toml", &text)]);
    let output = avalanche().current_dir(dir.path()).args(["run", "s.toml", "--out", "r"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "every run failed: exit 1");
    let stdout = String::from_utf8_lossy(&output.stdout);
    // One group of eight, its message readable: the program's name whole,
    // the exit status blanked as a number, the per-run folder a placeholder.
    let groups: Vec<&str> = stdout.lines().filter(|l| l.contains("exited with")).map(str::trim).collect();
    assert_eq!(
        groups.first().copied(),
        Some("8  `python3` exited with exit status: # (working folder kept: <working folder>)"),
        "{stdout}"
    );
    assert!(!stdout.contains("other messages"), "{stdout}");
    // Each run's own message still names its own folder, which is there.
    let runs = read_table(&dir.path().join("r/late"), "runs");
    assert_eq!(runs.len(), 8);
    for row in &runs {
        let run_id: u64 = row["run_id"].parse().unwrap();
        let folder = format!("work/late/{run_id:016x}");
        let expected = format!("`python3` exited with exit status: 3 (working folder kept: {folder})");
        assert_eq!(row["error"], expected);
        assert!(dir.path().join(&folder).is_dir(), "{folder} kept");
    }
}

#[test]
fn a_killed_sweep_resumes_to_every_run_exactly_once() {
    let text = sweep("kill", ", \"--sleep\", \"0.3\"", "");
    let dir = workspace(&[("s.toml", &text)]);
    let mut child = avalanche()
        .current_dir(dir.path())
        .args(["run", "s.toml", "--out", "r", "--threads", "2", "--checkpoint-every", "1"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    child.kill().unwrap();
    child.wait().unwrap();
    ok(avalanche().current_dir(dir.path()).args(["run", "s.toml", "--out", "r"]).output().unwrap());
    let ids = by_run(&dir.path().join("r/kill"), "runs", "final_error");
    assert_eq!(ids.len(), 12);
    assert!(ids.values().all(|v| v.len() == 1), "no run twice");
    ok(avalanche().current_dir(dir.path()).args(["run", "s.toml", "--out", "whole"]).output().unwrap());
    assert_eq!(ids, by_run(&dir.path().join("whole/kill"), "runs", "final_error"), "resumed = uninterrupted");
}

#[test]
fn scenarios_describes_command_by_where_its_declaration_comes_from() {
    let text = ok(avalanche().args(["scenarios", "command"]).output().unwrap());
    assert!(text.starts_with("command: runs a program declared in the sweep file"), "{text}");
    for needle in ["[grid] and [params]", "[command.summary]", "AVALANCHE_SEED", "Bring your own model"] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    // The listing has it too, after the simulations and before the test scenario.
    let all = ok(avalanche().args(["scenarios", "--all"]).output().unwrap());
    let at = |name: &str| all.find(&format!("\n{name}: ")).unwrap_or_else(|| panic!("{name}: {all}"));
    assert!(at("linreg") < at("command") && at("command") < at("empty"), "{all}");
    let output = avalanche().args(["scenarios", "comand"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `command`?"));
}

#[test]
fn a_bad_declaration_is_refused_with_its_line() {
    let text = sweep("typo", "", "").replace("{{filter}}", "{filtr}").replace("\"{filter}\"", "\"{filtr}\"");
    let dir = workspace(&[("s.toml", &text)]);
    let output = avalanche().current_dir(dir.path()).args(["run", "s.toml", "--out", "r"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("s.toml:12:") && stderr.contains("unknown placeholder `{filtr}`"), "{stderr}");
    assert!(stderr.contains("did you mean `filter`"), "{stderr}");
    assert!(!dir.path().join("r").exists(), "nothing written");
}

#[test]
fn cpus_per_run_sizes_the_slurm_task_and_the_programs_at_once() {
    let text = sweep("cores", "", "").replace("timeout = 20", "timeout = 20\ncpus_per_run = 4");
    let dir = workspace(&[("s.toml", &text)]);
    ok(avalanche()
        .current_dir(dir.path())
        .args(["slurm", "s.toml", "--tasks", "3", "-o", "r"])
        .output()
        .unwrap());
    let script = std::fs::read_to_string(dir.path().join("r/cores.sbatch")).unwrap();
    assert!(script.contains("#SBATCH --cpus-per-task=4"), "{script}");
    // Each task runs cpus / cpus_per_run programs at once, at least one.
    assert!(script.contains("threads=$(( ${SLURM_CPUS_PER_TASK:-4} / 4 ))"), "{script}");
    assert!(script.contains("--threads \"$threads\""), "{script}");
    // The programs are told to use cpus_per_run threads.
    let stub = stub();
    let probe = text.replace(&format!("\"{stub}\", "), &format!("\"{stub}\", \"--mode\", \"env\", "));
    let dir = workspace(&[("s.toml", &probe)]);
    ok(avalanche().current_dir(dir.path()).args(["run", "s.toml", "--out", "r"]).output().unwrap());
    let runs = read_table(&dir.path().join("r/cores"), "runs");
    assert!(runs.iter().all(|r| r["final_error"] == "4.0"), "{runs:?}");
}
