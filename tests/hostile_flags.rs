//! No flag value makes the binary panic: every subcommand, given hostile
//! values, exits 2 (or another deliberate code) with a message, never 101,
//! and a refused `run` writes nothing.

mod common;

use common::*;

const SWEEP: &str = "name = \"h\"\nscenario = \"empty\"\nseed = 1\nreplicates = 3\n[grid]\nx = [1.0, 2.0]\n";

#[test]
fn hostile_flag_values_are_refused_without_a_panic() {
    let ws = workspace(&[("h.toml", SWEEP)]);
    let dir = ws.path();
    let run_flags: &[&[&str]] = &[
        &["--threads", "0"],
        &["--threads", "100000"],
        &["--threads", "-1"],
        &["--threads", "18446744073709551616"],
        &["--run-timeout", "1e19"],
        &["--run-timeout", "0"],
        &["--run-timeout", "-5"],
        &["--run-timeout", "nan"],
        &["--run-timeout", "inf"],
        &["--checkpoint-every", "0"],
        &["--checkpoint-every", "0s"],
        &["--checkpoint-every", "-1"],
        &["--checkpoint-every", "99999999999999999999"],
        &["--checkpoint-every", "999999999999999999m"],
        &["--checkpoint-every", "10000000000"],
        &["--shard", "5/2"],
        &["--shard", "0/0"],
        &["--shard", "0/7"],
        &["--shard", "18446744073709551614/18446744073709551615"],
        &["--max-runs", "0"],
        &["--max-runs", "-1"],
    ];
    for flags in run_flags {
        let mut args = vec!["run", "h.toml", "--out", "out"];
        args.extend_from_slice(flags);
        let output = run_in(dir, &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flags:?}: {stderr}");
        assert!(stderr.contains("error"), "{flags:?}: {stderr}");
        assert!(!dir.join("out").exists(), "{flags:?} wrote before refusing");
    }

    let others: &[&[&str]] = &[
        &["plan", "h.toml", "--max-runs", "0"],
        &["plan", "missing.toml"],
        &["scenarios", "nope"],
        &["status", "nowhere"],
        &["status", "h.toml"],
        &["report", "nowhere"],
        &["repair", "nowhere"],
        &["slurm", "h.toml", "--tasks", "0"],
        &["slurm", "h.toml", "--tasks", "100000"],
        &["slurm", "h.toml", "--tasks", "18446744073709551615"],
        &["slurm", "h.toml", "--tasks", "2", "--cpus-per-task", "0"],
        &["slurm", "h.toml", "--tasks", "2", "--cpus-per-task", "100000"],
        &["slurm", "h.toml", "--tasks", "2", "--time", "banana"],
        &["slurm", "h.toml", "--tasks", "2", "--time", "99:99:99:99"],
        &["slurm", "h.toml", "--tasks", "2", "--max-array-size", "0"],
        &["slurm", "h.toml", "--tasks", "2", "--throttle", "0"],
    ];
    for args in others {
        let output = run_in(dir, args);
        let code = output.status.code();
        assert!(code.is_some() && code != Some(101) && code != Some(0), "{args:?}: {code:?} {output:?}");
        assert!(!output.stderr.is_empty(), "{args:?}: no message");
    }
    // A dataset folder a refused slurm call would have made.
    assert!(!dir.join("results").exists());
}
