//! `cot_reliance` through the real binary: `avalanche scenarios` lists it, a
//! small paired sweep writes it and the new columns, an outcome checker
//! trains on wrong steps under right answers below reliance 1 and a step
//! checker never does, and the theory columns are empty where the reduced
//! model cannot follow the unfaithful chain (docs/MODEL.md, "Unfaithful
//! chains of thought").

mod common;

use common::{avalanche, ok, read_table, run_in, workspace};

const SWEEP: &str = r#"name = "cot"
scenario = "addition"
seed = 5
replicates = 2
paired = ["cot_reliance"]

[grid]
verifier = ["outcome", "step"]
cot_reliance = [1.0, 0.0]

[params]
generations = 5
start_digits = 3
supervised_problems = 500
problems = 200
eval_problems = 200
noise_rate = 0.05
"#;

#[test]
fn outcome_trains_on_unused_wrong_carries_and_step_does_not() {
    let listing = ok(avalanche().args(["scenarios", "addition"]).output().expect("starts"));
    assert!(listing.contains("cot_reliance"), "{listing}");

    let dir = workspace(&[("cot.toml", SWEEP)]);
    ok(run_in(dir.path(), &["run", "cot.toml", "-o", "out"]));
    let runs = read_table(&dir.path().join("out").join("cot"), "runs");
    assert_eq!(runs.len(), 8);
    for run in &runs {
        let verifier = run["verifier"].as_str();
        let reliance: f64 = run["cot_reliance"].parse().expect("a number");
        let share: f64 = run["mean_wrong_step_right_answer"].parse().expect("rounds accepted");
        match (verifier, reliance == 1.0) {
            ("step", _) => assert_eq!(share, 0.0, "{run:?}"),
            // At reliance 0 every step's written carry flips with
            // probability 0.025 without the next step reading it, so a
            // trace of n >= 4 digits has such a wrong step under a right
            // answer with probability at least 1 - 0.975^3 = 0.073; over
            // about 1,000 accepted traces its sd is 0.008, and 0.04 is 4 sd
            // below. At reliance 1 only two errors that cancel give one.
            (_, false) => assert!(share > 0.04, "{run:?}"),
            (_, true) => assert!(share < 0.01, "{run:?}"),
        }
        let theory_is_empty = run["beta_theory"].is_empty();
        assert_eq!(theory_is_empty, reliance < 1.0, "{run:?}");
    }
}
