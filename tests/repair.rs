//! Damage is never silent: `status` finds planted duplicates, an unreadable
//! part and an orphaned generations part, names them and exits 3;
//! `avalanche repair` mends the dataset, and a rerun completes it equal to
//! an undamaged one.

mod common;

use common::*;

const SWEEP: &str = "name = \"d\"\nscenario = \"empty\"\nseed = 9\nreplicates = 50\ngenerations = 3\n\
                     [grid]\nx = [1.0, 2.0, 3.0, 4.0]\n";
const TIMING: &[&str] = &["elapsed_ms"];

#[test]
fn repair_mends_duplicates_and_unreadable_parts_and_a_rerun_completes() {
    let ws = workspace(&[("d.toml", SWEEP)]);
    let dir = ws.path();
    ok(run_in(dir, &["run", "d.toml", "--out", "clean"]));
    ok(run_in(dir, &["run", "d.toml", "--out", "out", "--threads", "1", "--checkpoint-every", "40"]));
    let dataset = dir.join("out/d");
    assert_eq!(run_in(dir, &["status", "out/d"]).status.code(), Some(0));
    let runs = parts(&dataset, "runs");
    assert_eq!(runs.len(), 5);

    // Duplicates: a part and its twin copied under another name.
    for table in ["runs", "generations"] {
        std::fs::copy(
            dataset.join(table).join(runs[0].file_name().unwrap()),
            dataset.join(table).join("part-s0of1-w00-000900.parquet"),
        )
        .unwrap();
    }
    // An orphan: a generations part whose runs twin never landed.
    std::fs::copy(
        dataset.join("generations").join(runs[1].file_name().unwrap()),
        dataset.join("generations/part-s0of1-w00-000901.parquet"),
    )
    .unwrap();
    // Unreadable: a runs part cut in half.
    let bytes = std::fs::read(&runs[2]).unwrap();
    std::fs::write(&runs[2], &bytes[..bytes.len() / 2]).unwrap();

    let status = run_in(dir, &["status", "out/d"]);
    assert_eq!(status.status.code(), Some(3), "{status:?}");
    let text = String::from_utf8_lossy(&status.stdout);
    let cut = runs[2].file_name().unwrap().to_string_lossy().into_owned();
    for needle in [cut.as_str(), "unreadable", "avalanche repair"] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    // A run refuses too, pointing at the fix.
    let refused = run_in(dir, &["run", "d.toml", "--out", "out"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("avalanche repair"));

    let repaired = ok(run_in(dir, &["repair", "out/d"]));
    assert!(repaired.contains(&cut) && repaired.contains("dropped 40 duplicate rows"), "{repaired}");
    assert!(dir.join("out/d.damaged/runs").join(&cut).exists());
    assert!(dir.join("out/d.damaged/generations").join(&cut).exists(), "the twin goes too");
    assert!(dir.join("out/d.damaged/generations/part-s0of1-w00-000901.parquet").exists());

    // Duplicates gone, the cut part's 40 runs missing, nothing else wrong.
    let status = run_in(dir, &["status", "out/d"]);
    assert_eq!(status.status.code(), Some(1), "{status:?}");
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("160 of 200 runs completed, 0 failed, 40 missing")
    );

    ok(run_in(dir, &["run", "d.toml", "--out", "out"]));
    assert_eq!(run_in(dir, &["status", "out/d"]).status.code(), Some(0));
    for table in ["runs", "generations"] {
        assert_eq!(
            table_rows(&dir.join("clean/d"), table, TIMING),
            table_rows(&dataset, table, TIMING),
            "{table}"
        );
    }
    assert!(ok(run_in(dir, &["repair", "out/d"])).contains("nothing to repair"));
}
