//! The Slurm job array, run on a real Slurm: the script `avalanche slurm`
//! writes is submitted as a 4-task array with `sbatch --wait`, and the
//! merged dataset must equal a single-process run of the same sweep.
//!
//! Needs a running cluster (`scripts/slurm-local.sh start`, which prints the
//! `SLURM_CONF` to export). Without `sbatch` the test is skipped with a
//! message on the test output (not captured), unless `AVALANCHE_REQUIRE_SLURM=1` (set by `.ci/run`) turns the
//! skip into a failure.

mod common;

use std::io::Write;
use std::process::Command;

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
    Command::new("sbatch").arg("--version").output().is_ok_and(|o| o.status.success())
}

#[test]
fn job_array_dataset_equals_single_process_dataset() {
    if !sbatch_available() {
        assert!(
            std::env::var("AVALANCHE_REQUIRE_SLURM").as_deref() != Ok("1"),
            "AVALANCHE_REQUIRE_SLURM=1 but `sbatch` is not available: start scripts/slurm-local.sh"
        );
        // Straight to the process's stderr: the test harness captures
        // `eprintln!` of passing tests, and a skip must not pass unseen.
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED job_array_dataset_equals_single_process_dataset: `sbatch` not found; run under \
             scripts/slurm-local.sh to test the Slurm job array (AVALANCHE_REQUIRE_SLURM=1 makes this a failure)"
        );
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
    let logs: String = std::fs::read_dir(dir.join("cluster/array.slurm-logs"))
        .map(|entries| {
            entries.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default()).collect()
        })
        .unwrap_or_default();
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
