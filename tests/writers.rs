//! Writers that meet: two processes on one dataset, overlapping shard
//! layouts, and stop signals, with the real binary. One writer per shard is
//! enforced, a stop commits what finished, and the resumed dataset equals
//! an uninterrupted one.

mod common;

use std::path::Path;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

const TIMING: &[&str] = &["elapsed_ms"];

/// 1,200 runs slow enough (about 2 s on 2 threads in release) that a second
/// process or a signal lands mid-sweep.
fn sweep(name: &str) -> String {
    let spin = if cfg!(debug_assertions) { 100_000 } else { 1_500_000 };
    format!(
        "name = \"{name}\"\nscenario = \"empty\"\nseed = 4\nreplicates = 400\ngenerations = 2\n\
         [grid]\nx = [0.5, 1.5, 2.5]\n[params]\nspin = {spin}\n"
    )
}

fn spawn(dir: &Path, args: &[&str]) -> Child {
    avalanche().current_dir(dir).args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
}

fn signal(child: &Child, signal: i32) {
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
}

fn status_of(dir: &Path, dataset: &str) -> String {
    String::from_utf8_lossy(&run_in(dir, &["status", dataset]).stdout).into_owned()
}

/// Every run_id of the runs table exactly once.
fn assert_no_duplicates(dataset: &Path) {
    let rows = table_rows(dataset, "runs", &[]);
    let mut ids: Vec<&String> = rows.iter().map(|r| &r[0]).collect();
    ids.sort();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "duplicated run_ids in {}", dataset.display());
}

#[test]
fn a_second_writer_on_the_same_runs_is_refused_at_once() {
    let ws = workspace(&[("w.toml", &sweep("w"))]);
    let dir = ws.path();
    ok(run_in(dir, &["run", "w.toml", "--out", "clean"]));

    // Started together: exactly one takes the lock.
    let first = spawn(dir, &["run", "w.toml", "--out", "both", "--threads", "2"]);
    let second = spawn(dir, &["run", "w.toml", "--out", "both", "--threads", "2"]);
    let outputs: Vec<Output> = [first, second].map(|c| c.wait_with_output().unwrap()).into();
    let codes: Vec<Option<i32>> = outputs.iter().map(|o| o.status.code()).collect();
    assert!(codes.contains(&Some(0)) && codes.contains(&Some(2)), "{codes:?} {outputs:?}");
    let refused = outputs.iter().find(|o| o.status.code() == Some(2)).unwrap();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    for needle in ["is being written by pid", "on host", "started", "--break-lock", "s0of1.lock"] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }

    // Started while the first is mid-sweep: refused at once, not after it.
    let first = spawn(dir, &["run", "w.toml", "--out", "late", "--threads", "2"]);
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let late = run_in(dir, &["run", "w.toml", "--out", "late"]);
    assert_eq!(late.status.code(), Some(2), "{late:?}");
    assert!(started.elapsed() < Duration::from_secs(1), "refused only after {:?}", started.elapsed());
    assert!(first.wait_with_output().unwrap().status.success());

    for out in ["both/w", "late/w"] {
        assert!(status_of(dir, out).contains("1200 of 1200 runs completed, 0 failed, 0 missing"));
        assert_no_duplicates(&dir.join(out));
        for table in ["runs", "generations"] {
            assert_eq!(
                table_rows(&dir.join("clean/w"), table, TIMING),
                table_rows(&dir.join(out), table, TIMING)
            );
        }
        // The lock went with its writer.
        assert!(std::fs::read_dir(dir.join(out).join(".locks")).unwrap().next().is_none());
    }
}

#[test]
fn overlapping_layouts_never_write_at_once_but_shards_of_one_layout_do() {
    let ws = workspace(&[("o.toml", &sweep("o"))]);
    let dir = ws.path();
    let whole = spawn(dir, &["run", "o.toml", "--out", "out", "--threads", "1"]);
    std::thread::sleep(Duration::from_millis(300));
    let sharded = run_in(dir, &["run", "o.toml", "--out", "out", "--shard", "0/2"]);
    assert_eq!(sharded.status.code(), Some(2), "{sharded:?}");
    let stderr = String::from_utf8_lossy(&sharded.stderr);
    assert!(stderr.contains("overlaps shard 0/2") && stderr.contains("the whole sweep"), "{stderr}");
    assert!(whole.wait_with_output().unwrap().status.success());

    // Two shards of one count at once are fine, and a third layout is not.
    let ws = workspace(&[("o.toml", &sweep("o"))]);
    let dir = ws.path();
    let zero = spawn(dir, &["run", "o.toml", "--out", "out", "--shard", "0/2", "--threads", "1"]);
    let one = spawn(dir, &["run", "o.toml", "--out", "out", "--shard", "1/2", "--threads", "1"]);
    std::thread::sleep(Duration::from_millis(300));
    let three = run_in(dir, &["run", "o.toml", "--out", "out", "--shard", "0/3"]);
    assert_eq!(three.status.code(), Some(2), "{three:?}");
    for child in [zero, one] {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{output:?}");
    }
    assert!(status_of(dir, "out/o").contains("1200 of 1200 runs completed"));
    assert_no_duplicates(&dir.join("out/o"));
}

#[test]
fn a_dead_writers_lock_is_broken_and_its_leftovers_removed() {
    let ws = workspace(&[("d.toml", &sweep("d"))]);
    let dir = ws.path();
    let mut child =
        spawn(dir, &["run", "d.toml", "--out", "out", "--threads", "2", "--checkpoint-every", "50"]);
    std::thread::sleep(Duration::from_millis(600));
    child.kill().unwrap(); // SIGKILL: the lock file stays behind
    child.wait().unwrap();
    assert!(dir.join("out/d/.locks/s0of1.lock").exists());
    let resumed = run_in(dir, &["run", "d.toml", "--out", "out"]);
    assert!(resumed.status.success(), "{resumed:?}");
    assert!(status_of(dir, "out/d").contains("1200 of 1200 runs completed"));
    assert_no_duplicates(&dir.join("out/d"));
    for table in ["runs", "generations"] {
        for entry in std::fs::read_dir(dir.join("out/d").join(table)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            assert!(!name.starts_with('.'), "leftover {name}");
        }
    }
}

#[test]
fn sigterm_commits_finished_runs_and_the_resumed_dataset_is_uninterrupted() {
    let ws = workspace(&[("t.toml", &sweep("t"))]);
    let dir = ws.path();
    ok(run_in(dir, &["run", "t.toml", "--out", "clean"]));

    for (sig, code, out) in [(libc::SIGTERM, 143, "term"), (libc::SIGINT, 130, "int")] {
        // The default checkpoint (60 s) would commit nothing before the signal.
        let child = spawn(dir, &["run", "t.toml", "--out", out, "--threads", "2"]);
        std::thread::sleep(Duration::from_millis(700));
        signal(&child, sig);
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{stderr}");
        assert!(
            stderr.contains("Resume with:") && stderr.contains(&format!("run t.toml --out {out}")),
            "{stderr}"
        );
        let dataset = format!("{out}/t");
        let status = status_of(dir, &dataset);
        let completed: u64 = status.split(": ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        assert!(completed > 0 && completed < 1200, "{status}");

        ok(run_in(dir, &["run", "t.toml", "--out", out]));
        assert_no_duplicates(&dir.join(&dataset));
        for table in ["runs", "generations"] {
            assert_eq!(
                table_rows(&dir.join("clean/t"), table, TIMING),
                table_rows(&dir.join(&dataset), table, TIMING),
                "{table}"
            );
        }
    }
}

#[test]
fn a_second_signal_aborts_at_once_and_stays_resumable() {
    // Slow runs hold the 30 s grace period open; the second signal must not wait.
    let text = "name = \"a\"\nscenario = \"empty\"\nseed = 2\nreplicates = 20\ngenerations = 1\n\
                [grid]\nspin = [0, 100000000000]\n";
    let ws = workspace(&[("a.toml", text)]);
    let dir = ws.path();
    let child = spawn(dir, &["run", "a.toml", "--out", "out", "--threads", "2", "--checkpoint-every", "5"]);
    std::thread::sleep(Duration::from_millis(1500));
    signal(&child, libc::SIGTERM);
    std::thread::sleep(Duration::from_millis(500));
    let second = Instant::now();
    signal(&child, libc::SIGTERM);
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(143), "{output:?}");
    assert!(second.elapsed() < Duration::from_secs(5), "took {:?} after the second signal", second.elapsed());
    for table in ["runs", "generations"] {
        for part in parts(&dir.join("out/a"), table) {
            read_file(&part);
        }
    }
    // The aborted writer's lock is left behind and broken as dead; a resume
    // (with a time limit, so the slow runs end as failures) completes it.
    assert!(dir.join("out/a/.locks/s0of1.lock").exists());
    let resumed = run_in(dir, &["run", "a.toml", "--out", "out", "--run-timeout", "0.5"]);
    assert_eq!(resumed.status.code(), Some(1), "{resumed:?}");
    assert!(status_of(dir, "out/a").contains("20 of 40 runs completed, 20 failed, 0 missing"));
    assert_no_duplicates(&dir.join("out/a"));
}

#[test]
fn runs_outliving_the_grace_period_are_abandoned_and_the_rest_committed() {
    // Half the runs take seconds at most, the other half far longer than
    // the 30 s grace period.
    let text = "name = \"g\"\nscenario = \"empty\"\nseed = 2\nreplicates = 10\ngenerations = 1\n\
                [grid]\nspin = [0, 100000000000]\n";
    let ws = workspace(&[("g.toml", text)]);
    let dir = ws.path();
    let child = spawn(dir, &["run", "g.toml", "--out", "out", "--threads", "2"]);
    std::thread::sleep(Duration::from_millis(1500));
    let signalled = Instant::now();
    signal(&child, libc::SIGTERM);
    let output = child.wait_with_output().unwrap();
    let waited = signalled.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    assert!(stderr.contains("abandoned (not recorded)") && stderr.contains("Resume with:"), "{stderr}");
    assert!(waited >= Duration::from_secs(30) && waited < Duration::from_secs(40), "{waited:?}");
    // The fast runs that finished are committed; no slow run is recorded.
    let rows = table_rows(&dir.join("out/g"), "runs", &[]);
    assert!(!rows.is_empty());
    let spin = schema_of(&dir.join("out/g"), "runs").iter().position(|(name, _)| name == "spin").unwrap();
    assert!(rows.iter().all(|r| r[spin] == "0"), "a slow run was recorded: {rows:?}");
    assert!(std::fs::read_dir(dir.join("out/g/.locks")).unwrap().next().is_none(), "lock released");
}

/// Plants a lock as a writer on another host would leave it, its last
/// heartbeat `age` ago.
fn plant_remote_lock(dataset: &Path, age: Duration) {
    let locks = dataset.join(".locks");
    std::fs::create_dir_all(&locks).unwrap();
    let path = locks.join("s0of1.lock");
    std::fs::write(
        &path,
        "host=elsewhere.cluster\npid=4242\nstarted=1764000000\ntoken=4242-feedbeef\nshard=0/1\n",
    )
    .unwrap();
    let file = std::fs::File::options().append(true).open(&path).unwrap();
    file.set_modified(std::time::SystemTime::now() - age).unwrap();
}

#[test]
fn another_hosts_lock_holds_until_its_heartbeat_is_stale_or_it_is_broken() {
    let text = "name = \"r\"\nscenario = \"empty\"\nseed = 1\nreplicates = 20\n";
    let ws = workspace(&[("r.toml", text)]);
    let dir = ws.path();
    let dataset = dir.join("out/r");

    plant_remote_lock(&dataset, Duration::from_secs(30));
    let refused = run_in(dir, &["run", "r.toml", "--out", "out"]);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("pid 4242 on host elsewhere.cluster") && stderr.contains("180 s"), "{stderr}");
    assert!(!dataset.join("runs").exists(), "nothing written before refusing");
    assert!(ok(run_in(dir, &["run", "r.toml", "--out", "out", "--break-lock"])).contains("ran 20 runs"));

    plant_remote_lock(&dataset, Duration::from_secs(181));
    assert!(ok(run_in(dir, &["run", "r.toml", "--out", "out"])).contains("ran 0 runs"));

    // A lock file that is not one (junk, never finished) does not block forever.
    std::fs::write(dataset.join(".locks/s0of1.lock"), "garbage").unwrap();
    let junk = std::fs::File::options().append(true).open(dataset.join(".locks/s0of1.lock")).unwrap();
    junk.set_modified(std::time::SystemTime::now() - Duration::from_secs(60)).unwrap();
    ok(run_in(dir, &["run", "r.toml", "--out", "out"]));
    assert!(std::fs::read_dir(dataset.join(".locks")).unwrap().next().is_none());
}

#[test]
fn retry_failed_on_one_shard_leaves_other_shards_rows_alone() {
    let text = "name = \"f\"\nscenario = \"empty\"\nseed = 5\nreplicates = 60\n[params]\nfail_above = 0.5\n";
    let ws = workspace(&[("f.toml", text)]);
    let dir = ws.path();
    // Written unsharded, so every part holds runs of both shards.
    assert_eq!(run_in(dir, &["run", "f.toml", "--out", "out"]).status.code(), Some(1));
    let before = table_rows(&dir.join("out/f"), "runs", TIMING);
    let status = status_of(dir, "out/f");
    assert!(status.contains("0 missing"), "{status}");

    let retried = run_in(dir, &["run", "f.toml", "--out", "out", "--shard", "0/2", "--retry-failed"]);
    assert_eq!(retried.status.code(), Some(1), "{retried:?}");
    // Shard 1's failed runs are still recorded (not turned into missing
    // runs), and shard 0's were rerun to the same rows.
    let status = status_of(dir, "out/f");
    assert!(status.contains("0 missing"), "{status}");
    assert_eq!(table_rows(&dir.join("out/f"), "runs", TIMING), before);
}

#[test]
fn a_writer_whose_lock_is_broken_stops_and_the_damage_is_mended() {
    // The first writer notices the broken lock at its next heartbeat
    // (lock::HEARTBEAT, 15 s), so it must still be running then: 3,000 runs
    // take it about 50 s alone on the 2-core development machine, leaving
    // room for a machine several times faster.
    let spin = if cfg!(debug_assertions) { 500_000 } else { 10_000_000 };
    let text = format!(
        "name = \"b\"\nscenario = \"empty\"\nseed = 6\nreplicates = 1000\ngenerations = 1\n\
         [grid]\nx = [0.5, 1.5, 2.5]\n[params]\nspin = {spin}\n"
    );
    let ws = workspace(&[("b.toml", &text)]);
    let dir = ws.path();
    let first = spawn(dir, &["run", "b.toml", "--out", "out", "--threads", "1", "--checkpoint-every", "20"]);
    // Broken only once the first writer holds its lock and has committed a
    // part (a fixed wait could fall before it started, on a loaded machine).
    let started = std::time::Instant::now();
    while parts(&dir.join("out/b"), "runs").is_empty() {
        assert!(started.elapsed() < Duration::from_secs(120), "the first writer committed nothing");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Wrongly taken over: the first writer notices at its next heartbeat.
    let second = spawn(dir, &["run", "b.toml", "--out", "out", "--threads", "1", "--break-lock"]);
    let first = first.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("broke this writer's lock") && stderr.contains("avalanche repair"), "{stderr}");
    let second = second.wait_with_output().unwrap();
    assert!(second.status.success(), "{second:?}");

    if run_in(dir, &["status", "out/b"]).status.code() == Some(3) {
        ok(run_in(dir, &["repair", "out/b"]));
    }
    ok(run_in(dir, &["run", "b.toml", "--out", "out"]));
    assert!(status_of(dir, "out/b").contains("3000 of 3000 runs completed, 0 failed, 0 missing"));
    assert_no_duplicates(&dir.join("out/b"));
}
