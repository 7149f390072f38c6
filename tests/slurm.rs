//! The Slurm job array, run on a real Slurm: the script `avalanche slurm`
//! writes is submitted as a 4-task array with `sbatch --wait`, and the
//! merged dataset must equal a single-process run of the same sweep; a task
//! cancelled mid-run and resubmitted alone completes it just the same.
//!
//! Needs a running cluster (`scripts/slurm-local.sh start`, which prints the
//! `SLURM_CONF` to export). Without `sbatch` the test is skipped with a
//! message on the test output (not captured), unless `AVALANCHE_REQUIRE_SLURM=1` (set by `.ci/run`) turns the
//! skip into a failure.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

const SWEEP: &str = r#"
name = "array"
scenario = "empty"
seed = 21
replicates = 50
generations = 2
[grid]
x = [0.1, 0.2, 0.3]
spin = [0, 100]
"#;

fn sbatch_available() -> bool {
    let available = Command::new("sbatch").arg("--version").output().is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var("AVALANCHE_REQUIRE_SLURM").as_deref() != Ok("1"),
            "AVALANCHE_REQUIRE_SLURM=1 but `sbatch` is not available: start scripts/slurm-local.sh"
        );
        // Straight to the process's stderr: the test harness captures
        // `eprintln!` of passing tests, and a skip must not pass unseen.
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED a Slurm test (tests/slurm.rs): `sbatch` not found; run under \
             scripts/slurm-local.sh to test the Slurm job array (AVALANCHE_REQUIRE_SLURM=1 makes this a failure)"
        );
    }
    available
}

fn task_logs(dir: &Path, name: &str) -> String {
    std::fs::read_dir(dir.join(format!("cluster/{name}.slurm-logs")))
        .map(|entries| {
            entries.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default()).collect()
        })
        .unwrap_or_default()
}

fn squeue(job: &str) -> String {
    let out = Command::new("squeue").args(["-h", "-r", "-j", job, "-o", "%i %T"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(240);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn job_array_dataset_equals_single_process_dataset() {
    if !sbatch_available() {
        return;
    }
    let ws = workspace(&[("array.toml", SWEEP)]);
    let dir = ws.path();
    let stdout =
        ok(run_in(dir, &["slurm", "array.toml", "--tasks", "4", "--out", "cluster", "--time", "00:10:00"]));
    assert!(stdout.contains("sbatch"), "{stdout}");
    let script = dir.join("cluster/array.sbatch");
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(text.contains("#SBATCH --array=0-3"), "{text}");

    let submitted = Command::new("sbatch").arg("--wait").arg(&script).current_dir(dir).output().unwrap();
    let logs = task_logs(dir, "array");
    assert!(
        submitted.status.success(),
        "sbatch --wait failed: {}\n{}\ntask logs:\n{logs}",
        String::from_utf8_lossy(&submitted.stdout),
        String::from_utf8_lossy(&submitted.stderr)
    );
    // Each task took its shard from the array environment and said so.
    for shard in 0..4 {
        assert!(logs.contains(&format!("running shard {shard}/4")), "task logs:\n{logs}");
    }

    let status = ok(run_in(dir, &["status", "cluster/array"]));
    assert!(status.contains("300 of 300 runs completed, 0 failed, 0 missing"), "{status}");
    ok(run_in(dir, &["run", "array.toml", "--out", "single"]));
    for table in ["runs", "generations"] {
        let single = table_rows(&dir.join("single/array"), table, &["elapsed_ms"]);
        assert_eq!(single.len(), if table == "runs" { 300 } else { 600 });
        assert_eq!(single, table_rows(&dir.join("cluster/array"), table, &["elapsed_ms"]), "{table}");
    }
    let shards: Vec<String> = parts(&dir.join("cluster/array"), "runs")
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for shard in 0..4 {
        assert!(shards.iter().any(|n| n.starts_with(&format!("part-s{shard}of4-"))), "{shards:?}");
    }
}

#[test]
fn a_task_cancelled_mid_run_and_resubmitted_alone_completes_the_dataset() {
    if !sbatch_available() {
        return;
    }
    // Each shard takes about four seconds (150 runs of 16e6 draws at
    // about 6e8 draws/s), so the cancel 1.5 s after it starts lands mid-run.
    let text = "name = \"requeue\"\nscenario = \"empty\"\nseed = 8\nreplicates = 300\ngenerations = 2\n\
                [grid]\nx = [0.1, 0.2]\n[params]\nspin = 16000000\n";
    let ws = workspace(&[("requeue.toml", text)]);
    let dir = ws.path();
    ok(run_in(dir, &["slurm", "requeue.toml", "--tasks", "4", "--out", "cluster", "--time", "00:10:00"]));
    let script = dir.join("cluster/requeue.sbatch");
    let submitted = Command::new("sbatch").arg("--parsable").arg(&script).current_dir(dir).output().unwrap();
    assert!(submitted.status.success(), "{submitted:?}");
    let job = String::from_utf8_lossy(&submitted.stdout).trim().split(';').next().unwrap().to_string();
    let task = format!("{job}_2");
    wait_until("task 2 runs", || squeue(&job).contains(&format!("{task} RUNNING")));
    // Let it commit nothing yet (60 s default checkpoint): the stop must.
    std::thread::sleep(Duration::from_millis(1500));
    let cancelled = Command::new("scancel").arg(&task).output().unwrap();
    assert!(cancelled.status.success(), "{cancelled:?}");
    wait_until("the array has finished", || squeue(&job).trim().is_empty());

    let logs = task_logs(dir, "requeue");
    assert!(logs.contains("Stopped by SIGTERM"), "task logs:\n{logs}");
    let status = run_in(dir, &["status", "cluster/requeue"]);
    let stdout = String::from_utf8_lossy(&status.stdout);
    assert_eq!(status.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("shard 2/4:") && !stdout.contains("shard 1/4:"), "{stdout}");

    // Resubmitted alone, the task runs exactly its own shard.
    let again =
        Command::new("sbatch").args(["--wait", "--array=2"]).arg(&script).current_dir(dir).output().unwrap();
    assert!(again.status.success(), "{again:?}\n{}", task_logs(dir, "requeue"));
    let status = ok(run_in(dir, &["status", "cluster/requeue"]));
    assert!(status.contains("600 of 600 runs completed, 0 failed, 0 missing"), "{status}");
    ok(run_in(dir, &["run", "requeue.toml", "--out", "single"]));
    for table in ["runs", "generations"] {
        assert_eq!(
            table_rows(&dir.join("single/requeue"), table, &["elapsed_ms"]),
            table_rows(&dir.join("cluster/requeue"), table, &["elapsed_ms"]),
            "{table}"
        );
    }
}
