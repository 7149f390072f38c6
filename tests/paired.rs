//! Paired sweeps through the real binary: `paired = [...]` is validated with
//! located errors, runs that differ only on a paired axis share their seed
//! (for the built-in scenarios and for a `command` program), and the
//! report's paired differences agree with a computation made here from the
//! runs table, and are far tighter than the unpaired comparison.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use common::{avalanche, ok, read_table, table_rows, workspace};

const PREAMBLE: &str = "name = \"p\"\nscenario = \"gaussian\"\nseed = 1\nreplicates = 2\n";

/// (what, the lines after the preamble, what stderr must say).
const BAD: &[(&str, &str, &[&str])] = &[
    (
        "a misspelt axis",
        "paired = [\"verifer\"]\n[grid]\nverifier = [\"none\", \"self\"]\n",
        &["bad.toml:5:11:", "`verifer`", "did you mean `verifier`?", "swept axes: verifier"],
    ),
    (
        "a fixed parameter",
        "paired = [\"z_max\"]\n[grid]\nverifier = [\"none\", \"self\"]\n[params]\nz_max = 2.0\n",
        &["bad.toml:5:11:", "`z_max`, which is not swept", "swept axes: verifier"],
    ),
    (
        "an axis zipped with an unpaired partner",
        "paired = [\"verifier\"]\n[[zip]]\nverifier = [\"self\", \"oracle\"]\nz_max = [2.0, 3.0]\n",
        &["bad.toml:5:11:", "zipped with `z_max`", "add `z_max` to `paired`"],
    ),
    (
        "not a list",
        "paired = \"verifier\"\n[grid]\nverifier = [\"none\", \"self\"]\n",
        &["bad.toml:5:10:", "takes a list"],
    ),
    (
        "an axis named twice",
        "paired = [\"verifier\", \"verifier\"]\n[grid]\nverifier = [\"none\", \"self\"]\n",
        &["bad.toml:5:23:", "named twice"],
    ),
    (
        "no axis",
        "paired = []\n[grid]\nverifier = [\"none\", \"self\"]\n",
        &["bad.toml:5:10:", "names no axis"],
    ),
];

#[test]
fn bad_pairings_get_located_errors_and_no_output() {
    for (what, lines, expected) in BAD {
        let dir = workspace(&[("bad.toml", &format!("{PREAMBLE}{lines}"))]);
        for command in ["plan", "run"] {
            let output = avalanche().current_dir(dir.path()).args([command, "bad.toml"]).output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
            for needle in *expected {
                assert!(stderr.contains(needle), "{what}: expected {needle:?} in\n{stderr}");
            }
        }
        assert!(!dir.path().join("results").exists(), "{what}: nothing is written");
    }
}

#[test]
fn a_zip_is_paired_whole_when_every_member_is_named() {
    let text = format!("{PREAMBLE}paired = [\"z_max\", \"verifier\"]\n[[zip]]\nverifier = [\"self\", \"oracle\"]\nz_max = [2.0, 3.0]\n");
    let dir = workspace(&[("s.toml", &text)]);
    ok(avalanche().current_dir(dir.path()).args(["run", "s.toml"]).output().unwrap());
    let runs = read_table(&dir.path().join("results/p"), "runs");
    let seeds: HashSet<&str> = runs.iter().map(|r| r["seed"].as_str()).collect();
    assert_eq!((runs.len(), seeds.len()), (4, 2), "one seed per replicate");
}

/// The successful runs' `column` by seed, for each value of `axis`.
fn by_seed(
    runs: &[HashMap<String, String>],
    axis: &str,
    column: &str,
) -> HashMap<String, HashMap<String, f64>> {
    let mut out: HashMap<String, HashMap<String, f64>> = HashMap::new();
    for run in runs {
        assert_eq!(run["status"], "ok");
        let value = run[column].parse().expect("a number");
        let previous = out.entry(run[axis].clone()).or_default().insert(run["seed"].clone(), value);
        assert!(previous.is_none(), "a seed appears twice at one point");
    }
    out
}

/// `paired.csv` rows as column name -> field.
fn csv(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .map(|l| header.iter().map(|h| h.to_string()).zip(l.split(',').map(String::from)).collect())
        .collect()
}

const GAUSSIAN: &str = "name = \"g\"\nscenario = \"gaussian\"\nseed = 3\nreplicates = 30\n\
                        [grid]\nverifier = [\"none\", \"self\"]\n[params]\nsamples = 20\ngenerations = 30\n";

#[test]
fn paired_differences_match_an_independent_computation_and_are_far_tighter() {
    let dir = workspace(&[("g.toml", &format!("paired = [\"verifier\"]\n{GAUSSIAN}")), ("u.toml", GAUSSIAN)]);
    ok(avalanche().current_dir(dir.path()).args(["run", "g.toml", "--out", "paired"]).output().unwrap());
    ok(avalanche().current_dir(dir.path()).args(["run", "u.toml", "--out", "unpaired"]).output().unwrap());
    let paired = read_table(&dir.path().join("paired/g"), "runs");
    let unpaired = read_table(&dir.path().join("unpaired/g"), "runs");

    // Pairing changes seeds, never identities; unpaired, every seed differs.
    let ids =
        |runs: &[HashMap<String, String>]| runs.iter().map(|r| r["run_id"].clone()).collect::<HashSet<_>>();
    assert_eq!(ids(&paired), ids(&unpaired));
    assert_eq!(ids(&paired).len(), 60);
    assert_eq!(unpaired.iter().map(|r| &r["seed"]).collect::<HashSet<_>>().len(), 60);
    let column = "final_mean_sq_error";
    let values = by_seed(&paired, "verifier", column);
    let (none, filtered) = (&values["none"], &values["self"]);
    assert_eq!(
        none.keys().collect::<HashSet<_>>(),
        filtered.keys().collect::<HashSet<_>>(),
        "the same 30 seeds"
    );

    // The paired interval, computed here: mean of the 30 differences -/+
    // t(0.975, 29) sd / sqrt(30), t = 2.045230 from a published table.
    let differences: Vec<f64> = none.iter().map(|(seed, base)| filtered[seed] - base).collect();
    let n = differences.len() as f64;
    let mean = differences.iter().sum::<f64>() / n;
    let sd = (differences.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let half = 2.045_230 * sd / n.sqrt();

    ok(avalanche().current_dir(dir.path()).args(["report", "paired/g"]).output().unwrap());
    let rows = csv(&dir.path().join("paired/g/report/paired.csv"));
    let row = rows.iter().find(|r| r["column"] == column && r["verifier"] == "self").expect("a paired row");
    let field = |name: &str| row[name].parse::<f64>().unwrap_or_else(|_| panic!("{name}: {}", row[name]));
    assert_eq!(
        (row["axis"].as_str(), row["baseline"].as_str(), row["n"].as_str()),
        ("verifier", "none", "30")
    );
    assert!(
        (field("difference") - mean).abs() <= 1e-12 * mean.abs().max(1.0),
        "{} vs {mean}",
        field("difference")
    );
    assert_eq!(row["statistic"], "mean", "the column's headline is a mean beside its theory");
    assert!((field("low") - (mean - half)).abs() < 1e-9 && (field("high") - (mean + half)).abs() < 1e-9);
    let higher = differences.iter().filter(|d| **d > 0.0).count();
    assert_eq!(field("higher") as usize, higher);
    assert_eq!(
        field("favours_this") as usize,
        differences.iter().filter(|d| **d < 0.0).count(),
        "lower is better"
    );

    // The unpaired comparison of the same runs: the normal interval of a
    // difference of two independent means. Runs that share their draws
    // differ far less than runs that do not (measured: 0.27 of the width).
    let variance = |v: Vec<f64>| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64
    };
    let unpaired_half = 1.959_964
        * (variance(none.values().copied().collect()) / n
            + variance(filtered.values().copied().collect()) / n)
            .sqrt();
    assert!(half < 0.5 * unpaired_half, "paired half width {half} vs unpaired {unpaired_half}");

    // The sentence judges by the paired interval; an unpaired dataset has
    // no paired section at all.
    let page = std::fs::read_to_string(dir.path().join("paired/g/report/report.md")).unwrap();
    assert!(page.contains("## Paired differences"), "{page}");
    assert!(page.contains("by a mean paired difference of") && page.contains("over 30 seeds"), "{page}");
    ok(avalanche().current_dir(dir.path()).args(["report", "unpaired/g"]).output().unwrap());
    assert!(!dir.path().join("unpaired/g/report/paired.csv").exists());
    let page = std::fs::read_to_string(dir.path().join("unpaired/g/report/report.md")).unwrap();
    assert!(!page.contains("Paired") && !page.contains("paired difference"));
}

#[test]
fn a_sweep_without_the_declared_baseline_is_compared_with_its_first_choice_and_says_so() {
    // gaussian compares `verifier` with `none`; this sweep runs `oracle`
    // and `self` only (in that file order: the stand-in is the first of
    // the scenario's declared choices, `self`, not the first written).
    let text = "name = \"g\"\nscenario = \"gaussian\"\nseed = 3\nreplicates = 12\npaired = [\"verifier\"]\n\
                [grid]\nverifier = [\"oracle\", \"self\"]\nnoise_rate = [0, 0.05]\n";
    let dir = workspace(&[("g.toml", text)]);
    let plan = ok(avalanche().current_dir(dir.path()).args(["plan", "g.toml"]).output().unwrap());
    let warning =
        "compares each `verifier` with `none`, which this sweep does not run; it will compare with `self`";
    assert!(plan.contains(&format!("warning: the `gaussian` report {warning}")), "{plan}");
    let with_none = workspace(&[("g.toml", &text.replace("\"oracle\", \"self\"", "\"oracle\", \"none\""))]);
    let plan = ok(avalanche().current_dir(with_none.path()).args(["plan", "g.toml"]).output().unwrap());
    assert!(plan.contains("\"none\"") && !plan.contains("warning"), "{plan}");
    let run = avalanche().current_dir(dir.path()).args(["run", "g.toml", "--out", "r"]).output().unwrap();
    assert!(String::from_utf8_lossy(&run.stderr).contains(warning), "run logs it too");
    ok(run);
    let stdout = ok(avalanche().current_dir(dir.path()).args(["report", "r/g"]).output().unwrap());
    assert!(stdout.contains("This sweep did not run `none`"), "{stdout}");
    let page = std::fs::read_to_string(dir.path().join("r/g/report/report.md")).unwrap();
    assert!(page.contains("This sweep did not run `none`"), "{page}");
    assert!(page.contains("compares each `verifier` with `none`, which this sweep did not run"), "{page}");
    assert!(!page.contains("set against `none`") && !page.contains("than `none`"), "{page}");
    assert!(page.contains("## Paired differences"), "{page}");
    let oracle: Vec<&str> = page.lines().filter(|l| l.starts_with("- `oracle` at")).collect();
    assert_eq!(oracle.len(), 2, "{page}");
    assert!(oracle.iter().all(|l| l.contains("`self`") && l.contains("paired")), "{oracle:?}");

    // The paired rows set `oracle` against `self`, seed by seed: checked
    // against the runs table.
    let runs = read_table(&dir.path().join("r/g"), "runs");
    let rows = csv(&dir.path().join("r/g/report/paired.csv"));
    let column = "final_mean_sq_error";
    let noise_of = |row: &HashMap<String, String>| row["noise_rate"].parse::<f64>().expect("a number");
    for noise in [0.0, 0.05] {
        let at: Vec<HashMap<String, String>> =
            runs.iter().filter(|r| noise_of(r) == noise).cloned().collect();
        assert_eq!(at.len(), 24);
        let values = by_seed(&at, "verifier", column);
        let differences: Vec<f64> =
            values["self"].iter().map(|(seed, base)| values["oracle"][seed] - base).collect();
        let mean = differences.iter().sum::<f64>() / differences.len() as f64;
        let row = rows
            .iter()
            .find(|r| r["column"] == column && noise_of(r) == noise)
            .unwrap_or_else(|| panic!("a paired row at noise_rate {noise}: {rows:?}"));
        assert_eq!(
            (row["verifier"].as_str(), row["baseline"].as_str(), row["n"].as_str()),
            ("oracle", "self", "12")
        );
        let reported: f64 = row["difference"].parse().unwrap();
        assert!((reported - mean).abs() <= 1e-12 * mean.abs().max(1.0), "{reported} vs {mean}");
    }
}

/// A reviewer's sweep: linreg's `error growth` is a ratio with a long right
/// tail (one `replace` run grows its error 471-fold), shown as a median.
const GROWTH: &str = "name = \"lp\"\nscenario = \"linreg\"\nseed = 3\nreplicates = 20\ngenerations = 15\n\
                      paired = [\"data\"]\n[grid]\ndata = [\"accumulate\", \"replace\", \"mix\"]\n\
                      design = [\"fresh\", \"fixed\"]\n[params]\nsamples = 30\ndim = 5\nnoise_rate = 1.0\n";

#[test]
fn a_median_column_is_judged_by_the_median_paired_difference() {
    let dir = workspace(&[("lp.toml", GROWTH)]);
    ok(avalanche().current_dir(dir.path()).args(["run", "lp.toml", "--out", "r"]).output().unwrap());
    ok(avalanche().current_dir(dir.path()).args(["report", "r/lp"]).output().unwrap());
    let runs = read_table(&dir.path().join("r/lp"), "runs");
    let fixed: Vec<HashMap<String, String>> =
        runs.iter().filter(|r| r["design"] == "fixed").cloned().collect();
    let growth = by_seed(&fixed, "data", "error_growth");
    let mut differences: Vec<f64> =
        growth["replace"].iter().map(|(seed, base)| growth["accumulate"][seed] - base).collect();
    differences.sort_by(f64::total_cmp);
    // The premise: every pair is lower under `accumulate`, but one pair's
    // difference is so large that the mean of the 20, with its t interval
    // (t(0.975, 19) = 2.093024), cannot exclude 0.
    assert_eq!(differences.len(), 20);
    assert!(differences.iter().all(|d| *d < 0.0), "{differences:?}");
    let mean = differences.iter().sum::<f64>() / 20.0;
    let sd = (differences.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / 19.0).sqrt();
    assert!(mean + 2.093_024 * sd / 20f64.sqrt() > 0.0, "premise: the mean's interval holds 0");

    // The median of the 20 differences, (d(10) + d(11)) / 2, and its exact
    // interval [d(6), d(15)]: 2 P(Bin(20, 1/2) <= 5) = 2 * 21700 / 2^20 =
    // 0.041 <= 0.05, while 2 P(B <= 6) = 0.115 would not do.
    let rows = csv(&dir.path().join("r/lp/report/paired.csv"));
    let row = rows
        .iter()
        .find(|r| r["column"] == "error_growth" && r["data"] == "accumulate" && r["design"] == "fixed")
        .unwrap_or_else(|| panic!("a paired row: {rows:?}"));
    let field = |name: &str| row[name].parse::<f64>().unwrap_or_else(|_| panic!("{name}: {}", row[name]));
    assert_eq!(
        (row["statistic"].as_str(), row["baseline"].as_str(), row["n"].as_str()),
        ("median", "replace", "20")
    );
    assert_eq!(field("difference"), (differences[9] + differences[10]) / 2.0);
    assert_eq!((field("low"), field("high")), (differences[5], differences[14]));
    assert!(field("high") < 0.0);
    // The mean column beside it keeps the mean difference.
    let test_error = rows
        .iter()
        .find(|r| r["column"] == "final_test_error" && r["data"] == "accumulate" && r["design"] == "fixed")
        .expect("a paired row");
    assert_eq!(test_error["statistic"], "mean");

    // The sentence: better, by the median difference, its unit said as
    // that of the values (a difference of 12 in x is not a factor of 12).
    let page = std::fs::read_to_string(dir.path().join("r/lp/report/report.md")).unwrap();
    let sentence = page
        .lines()
        .find(|l| l.starts_with("- `accumulate` at design = fixed"))
        .unwrap_or_else(|| panic!("{page}"));
    // Numbers between 1 and 100 are written with two decimals.
    let two = |v: f64| {
        assert!((1.0..100.0).contains(&v.abs()), "{v}");
        format!("{v:.2}")
    };
    let mut accumulate: Vec<f64> = growth["accumulate"].values().copied().collect();
    accumulate.sort_by(f64::total_cmp);
    let expected = format!(
        "error growth median {} [{}, {}] x, better than `replace` by a median paired difference of {} [{}, \
         {}] (values in x), over 20 seeds",
        two((accumulate[9] + accumulate[10]) / 2.0),
        two(accumulate[5]),
        two(accumulate[14]),
        two(-field("difference")),
        two(-field("high")),
        two(-field("low"))
    );
    assert!(sentence.contains(&expected), "expected {expected:?} in\n{sentence}");
    assert!(page.contains("| median -"), "the table names the statistic: {page}");
}

#[test]
fn a_paired_dataset_is_the_same_whatever_the_threads_or_shards() {
    let small = format!("paired = [\"verifier\"]\n{}", GAUSSIAN.replace("replicates = 30", "replicates = 5"));
    let dir = workspace(&[("g.toml", &small)]);
    let run = |args: &[&str]| {
        ok(avalanche().current_dir(dir.path()).args(["run", "g.toml"]).args(args).output().unwrap())
    };
    run(&["--out", "one", "-j", "1"]);
    run(&["--out", "sharded", "--shard", "0/3", "-j", "2"]);
    run(&["--out", "sharded", "--shard", "2/3", "-j", "1"]);
    run(&["--out", "sharded", "--shard", "1/3", "-j", "2"]);
    for table in ["runs", "generations"] {
        let one = table_rows(&dir.path().join("one/g"), table, &["elapsed_ms"]);
        assert_eq!(one.len(), if table == "runs" { 10 } else { 310 });
        assert_eq!(one, table_rows(&dir.path().join("sharded/g"), table, &["elapsed_ms"]), "{table}");
    }
}

#[test]
fn changing_the_pairing_of_a_dataset_is_refused() {
    let small = GAUSSIAN.replace("replicates = 30", "replicates = 2");
    let dir = workspace(&[("g.toml", &small)]);
    ok(avalanche().current_dir(dir.path()).args(["run", "g.toml"]).output().unwrap());
    std::fs::write(dir.path().join("g.toml"), format!("paired = [\"verifier\"]\n{small}")).unwrap();
    for extra in [None, Some("--extend")] {
        let output =
            avalanche().current_dir(dir.path()).args(["run", "g.toml"]).args(extra).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains("paired"), "{stderr}");
    }
}

fn stub() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/command/stub.py").display().to_string()
}

#[test]
fn a_command_program_gets_the_shared_seed() {
    // The stub's error grows by noise * u per round, halved under
    // `confidence`, with u drawn from AVALANCHE_SEED: given the same seed,
    // `confidence` ends at exactly half of `none` (no clipping at 0.1 x 4).
    let text = format!(
        r#"name = "c"
scenario = "command"
seed = 5
replicates = 4
paired = ["filter"]
[grid]
filter = ["none", "confidence"]
[params]
noise = 0.1
[command]
argv = ["python3", "{stub}", "--noise", "{{noise}}", "--rounds", "4", "--filter", "{{filter}}"]
[command.summary]
final_error = {{ type = "float", better = "lower" }}
seed_seen = "string"
end = "string"
[command.generations]
round = "int"
loss = "float"
"#,
        stub = stub()
    );
    let dir = workspace(&[("c.toml", &text)]);
    ok(avalanche().current_dir(dir.path()).args(["run", "c.toml"]).output().unwrap());
    let data = dir.path().join("results/c");
    let runs = read_table(&data, "runs");
    assert_eq!(runs.iter().map(|r| &r["run_id"]).collect::<HashSet<_>>().len(), 8);
    for run in &runs {
        assert_eq!(run["seed_seen"], run["seed"], "the program got the run's seed");
    }
    let errors = by_seed(&runs, "filter", "final_error");
    assert_eq!(errors["none"].len(), 4);
    for (seed, none) in &errors["none"] {
        assert!(*none > 0.0);
        assert!((errors["confidence"][seed] - none / 2.0).abs() < 1e-12, "seed {seed}");
    }
    // Without a declared comparison, the report compares along the paired
    // axis, its first value in the file the baseline.
    ok(avalanche().current_dir(dir.path()).args(["report", "results/c"]).output().unwrap());
    let rows = csv(&data.join("report/paired.csv"));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0]["filter"].as_str(), rows[0]["baseline"].as_str()), ("confidence", "none"));
    let pairs = csv(&data.join("report/pairs.csv"));
    assert_eq!(pairs.len(), 4);
    for pair in &pairs {
        let (value, base): (f64, f64) =
            (pair["value"].parse().unwrap(), pair["baseline_value"].parse().unwrap());
        assert!((value - base / 2.0).abs() < 1e-12, "{pair:?}");
    }
}

#[test]
fn the_shipped_demo_is_paired() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("sweeps/paired-demo.toml");
    let text = ok(avalanche().args(["plan", demo.to_str().unwrap()]).output().unwrap());
    assert!(text.contains("paired across: verifier"), "{text}");
}
