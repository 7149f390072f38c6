//! Determinism and crash safety with the real binary: the dataset is the
//! same, row for row, whatever the thread count, sharding, kills and
//! resumes; finished work is never lost or written twice.

mod common;

use std::process::Stdio;
use std::time::Instant;

use common::*;

/// Timings legitimately differ between two runs of the same sweep.
const TIMING: &[&str] = &["elapsed_ms"];

fn sweep(name: &str, replicates: u32, spin: u32) -> String {
    format!(
        "name = \"{name}\"\nscenario = \"empty\"\nseed = 11\nreplicates = {replicates}\ngenerations = 3\n\
         [grid]\nx = [0.5, 1.5, 2.5, 3.5]\n[params]\nspin = {spin}\n"
    )
}

#[test]
fn same_rows_with_one_thread_two_threads_and_four_shards() {
    let text = sweep("det", 250, 0);
    let ws = workspace(&[("det.toml", &text)]);
    let dir = ws.path();
    ok(run_in(dir, &["run", "det.toml", "--out", "one", "--threads", "1", "--checkpoint-every", "97"]));
    ok(run_in(dir, &["run", "det.toml", "--out", "two", "--threads", "2"]));
    for shard in ["0/4", "1/4", "2/4", "3/4"] {
        ok(run_in(dir, &["run", "det.toml", "--out", "four", "--shard", shard, "--checkpoint-every", "60"]));
    }
    for table in ["runs", "generations"] {
        let one = table_rows(&dir.join("one/det"), table, TIMING);
        assert_eq!(one.len(), if table == "runs" { 1000 } else { 3000 });
        assert_eq!(one, table_rows(&dir.join("two/det"), table, TIMING), "{table}: 1 vs 2 threads");
        assert_eq!(one, table_rows(&dir.join("four/det"), table, TIMING), "{table}: 1 process vs 4 shards");
    }
    assert!(parts(&dir.join("one/det"), "runs").len() >= 10, "checkpoints make several parts");
    assert!(parts(&dir.join("four/det"), "runs").iter().any(|p| p.to_string_lossy().contains("part-s3of4-")));
}

#[test]
fn killed_and_resumed_sweeps_give_the_uninterrupted_dataset() {
    // Slow enough runs that every kill lands mid-sweep: about 2 s of work
    // on 2 threads, whether the tests are built with optimisations or not.
    let spin = if cfg!(debug_assertions) { 100_000 } else { 2_000_000 };
    let text = sweep("kill", 400, spin);
    let ws = workspace(&[("kill.toml", &text)]);
    let dir = ws.path();
    let started = Instant::now();
    ok(run_in(dir, &["run", "kill.toml", "--out", "clean", "--threads", "2"]));
    // Kills at shares of the uninterrupted sweep's own time (about 2 s when
    // the machine is idle), so that on a loaded machine they still land after
    // commits, not all before the first one.
    let whole = started.elapsed();

    let mut kills = 0;
    for share in [0.05, 0.1, 0.15, 0.2, 0.25] {
        let mut child = avalanche()
            .current_dir(dir)
            .args(["run", "kill.toml", "--out", "killed", "--threads", "2", "--checkpoint-every", "37"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(whole.mul_f64(share));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL: no chance to clean up
            kills += 1;
        }
        child.wait().unwrap();
        // Every committed file is complete and readable at any instant.
        for table in ["runs", "generations"] {
            for part in parts(&dir.join("killed/kill"), table) {
                read_file(&part);
            }
        }
    }
    assert!(kills >= 4, "the sweep finished too fast to be killed ({kills} kills)");
    let last = ok(run_in(dir, &["run", "kill.toml", "--out", "killed", "--threads", "2"]));
    assert!(last.contains("already committed"), "{last}");
    for table in ["runs", "generations"] {
        assert_eq!(
            table_rows(&dir.join("clean/kill"), table, TIMING),
            table_rows(&dir.join("killed/kill"), table, TIMING),
            "{table}"
        );
    }
    let again = ok(run_in(dir, &["run", "kill.toml", "--out", "killed"]));
    assert!(again.contains("ran 0 runs"), "{again}");
}

#[test]
fn leftovers_of_a_killed_writer_are_cleaned_and_never_read() {
    let text = sweep("left", 10, 0);
    let ws = workspace(&[("left.toml", &text)]);
    let dir = ws.path();
    ok(run_in(dir, &["run", "left.toml", "--out", "out"]));
    let dataset = dir.join("out/left");
    // A half-written temporary file and a generations part whose runs twin
    // never landed, as a kill between the two renames leaves them.
    std::fs::write(dataset.join("runs/.part-s0of1-000007.parquet.tmp"), b"PAR1 garbage").unwrap();
    std::fs::copy(
        parts(&dataset, "generations")[0].clone(),
        dataset.join("generations/part-s0of1-000008.parquet"),
    )
    .unwrap();
    let stdout = ok(run_in(dir, &["run", "left.toml", "--out", "out"]));
    assert!(stdout.contains("ran 0 runs"), "{stdout}");
    assert!(!dataset.join("runs/.part-s0of1-000007.parquet.tmp").exists());
    assert!(!dataset.join("generations/part-s0of1-000008.parquet").exists());
    assert_eq!(table_rows(&dataset, "generations", &[]).len(), 120);
}

#[test]
fn a_changed_sweep_is_refused_unless_it_only_extends() {
    let ws = workspace(&[("a.toml", &sweep("grow", 10, 0))]);
    let dir = ws.path();
    ok(run_in(dir, &["run", "a.toml", "--out", "out"]));

    std::fs::write(dir.join("a.toml"), sweep("grow", 15, 0)).unwrap();
    let refused = run_in(dir, &["run", "a.toml", "--out", "out"]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("replicates: 10 -> 15") && stderr.contains("--extend"), "{stderr}");

    let extended = ok(run_in(dir, &["run", "a.toml", "--out", "out", "--extend"]));
    assert!(
        extended.contains("ran 20 runs") && extended.contains("40 runs were already committed"),
        "{extended}"
    );
    let fresh_dir = dir.join("reference");
    std::fs::create_dir(&fresh_dir).unwrap();
    ok(run_in(dir, &["run", "a.toml", "--out", "reference"]));
    assert_eq!(
        table_rows(&dir.join("out/grow"), "runs", TIMING),
        table_rows(&dir.join("reference/grow"), "runs", TIMING)
    );

    // Changing a fixed value is not an extension: old runs would not belong.
    std::fs::write(dir.join("a.toml"), sweep("grow", 15, 5)).unwrap();
    let refused = run_in(dir, &["run", "a.toml", "--out", "out", "--extend"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not part of this sweep"));

    // --fresh moves the old dataset aside rather than deleting it.
    let fresh = ok(run_in(dir, &["run", "a.toml", "--out", "out", "--fresh"]));
    assert!(fresh.contains("moved to"), "{fresh}");
    let aside: Vec<_> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("grow.old-"))
        .collect();
    assert_eq!(aside.len(), 1);
    assert_eq!(table_rows(&dir.join("out").join(&aside[0]), "runs", &[]).len(), 60);
}

#[test]
fn retry_failed_reruns_only_failed_runs_without_duplicates() {
    let text =
        "name = \"retry\"\nscenario = \"empty\"\nseed = 5\nreplicates = 100\n[params]\nfail_above = 0.5\n";
    let ws = workspace(&[("r.toml", text)]);
    let dir = ws.path();
    assert_eq!(run_in(dir, &["run", "r.toml", "--out", "out"]).status.code(), Some(1));
    let before = table_rows(&dir.join("out/retry"), "runs", TIMING);
    let failed = before.iter().filter(|r| r[9] == "failed").count();
    assert!(failed > 20 && failed < 80, "{failed}");

    let plain = run_in(dir, &["run", "r.toml", "--out", "out"]);
    assert!(String::from_utf8_lossy(&plain.stdout).contains("ran 0 runs"));

    let retried = run_in(dir, &["run", "r.toml", "--out", "out", "--retry-failed"]);
    // The failures are deterministic, so they fail again, but are run again.
    assert!(String::from_utf8_lossy(&retried.stdout).contains(&format!("ran {failed} runs, {failed} failed")));
    assert_eq!(table_rows(&dir.join("out/retry"), "runs", TIMING), before, "no run written twice");
}

#[test]
fn environment_errors_name_the_path_and_keep_committed_work() {
    let ws = workspace(&[("e.toml", &sweep("env", 5, 0)), ("blocker", "a file, not a folder")]);
    let dir = ws.path();
    let output = run_in(dir, &["run", "e.toml", "--out", "blocker"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("blocker"));

    ok(run_in(dir, &["run", "e.toml", "--out", "out"]));
    let dataset = dir.join("out/env");
    let committed = table_rows(&dataset, "runs", &[]);
    std::fs::write(dataset.join("runs/part-foreign.parquet"), b"not parquet at all").unwrap();
    let output = run_in(dir, &["run", "e.toml", "--out", "out"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("part-foreign.parquet"), "{stderr}");
    std::fs::remove_file(dataset.join("runs/part-foreign.parquet")).unwrap();
    assert_eq!(table_rows(&dataset, "runs", &[]), committed);
}
