//! `avalanche report` through the real binary: a sweep is run, reported on,
//! and the printed table, the written files and the errors are checked.

use std::path::Path;
use std::process::{Command, Output};

fn avalanche(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_avalanche")).current_dir(dir).args(args).output().unwrap()
}

const SWEEP: &str =
    "name = \"cli\"\nscenario = \"empty\"\nseed = 3\nreplicates = 6\n[grid]\nx = [1.0, 2.0]\n";

#[test]
fn report_prints_the_table_and_writes_its_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sweep.toml"), SWEEP).unwrap();
    let run = avalanche(dir.path(), &["run", "sweep.toml", "--out", "results"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let report = avalanche(dir.path(), &["report", "results/cli"]);
    let stdout = String::from_utf8_lossy(&report.stdout);
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    // Two grid points of six replicates each: one table row per point,
    // and six is the smallest sample with a 95% interval, so none is n/a.
    let rows: Vec<&str> = stdout.lines().filter(|l| l.starts_with("1 ") || l.starts_with("2 ")).collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    assert!(rows.iter().all(|r| r.contains(" 6 ") && r.contains('[') && !r.contains("n/a")), "{stdout}");
    for file in ["report.md", "headline.csv"] {
        assert!(dir.path().join("results/cli/report").join(file).is_file(), "{file} missing");
    }
}

#[test]
fn report_on_a_folder_that_is_not_a_dataset_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("notes")).unwrap();
    let report = avalanche(dir.path(), &["report", "notes"]);
    assert!(!report.status.success());
    let stderr = String::from_utf8_lossy(&report.stderr);
    assert!(stderr.contains("notes is not an avalanche dataset"), "{stderr}");
    // A folder that is not there at all is named as missing, not as foreign.
    let report = avalanche(dir.path(), &["report", "results/typo"]);
    let stderr = String::from_utf8_lossy(&report.stderr);
    assert!(report.status.code() == Some(2) && stderr.contains("results/typo: no such folder"), "{stderr}");
}

#[test]
fn a_report_on_an_unfinished_sweep_says_what_is_missing_first() {
    // Shard 1 of 3 of 2 points x 6 replicates holds every third run: 4 of
    // the 12, so 8 are missing (as `status` counts them).
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sweep.toml"), SWEEP).unwrap();
    let run = avalanche(dir.path(), &["run", "sweep.toml", "--out", "results", "--shard", "1/3"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let report = avalanche(dir.path(), &["report", "results/cli"]);
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    let stderr = String::from_utf8_lossy(&report.stderr);
    assert!(stderr.contains("incomplete sweep: 8 of its 12 runs are missing"), "{stderr}");
    let page = std::fs::read_to_string(dir.path().join("results/cli/report/report.md")).unwrap();
    assert!(page.contains("**Incomplete sweep: 8 of its 12 runs are missing.**"), "{page}");
    // A point with no run at all is named as such: shard 1 of 12 holds one
    // run, so one of the two points is empty.
    let run = avalanche(dir.path(), &["run", "sweep.toml", "--out", "other", "--shard", "1/12"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let report = avalanche(dir.path(), &["report", "other/cli"]);
    let page = std::fs::read_to_string(dir.path().join("other/cli/report/report.md")).unwrap();
    assert!(
        report.status.success()
            && page.contains("11 of its 12 runs are missing, and 1 of its 2 grid points have no run at all"),
        "{page}"
    );
    // The finished sweep has no such line.
    let run = avalanche(dir.path(), &["run", "sweep.toml", "--out", "whole"]);
    assert!(run.status.success());
    let report = avalanche(dir.path(), &["report", "whole/cli"]);
    let page = std::fs::read_to_string(dir.path().join("whole/cli/report/report.md")).unwrap();
    assert!(
        report.status.success()
            && !page.contains("Incomplete")
            && !String::from_utf8_lossy(&report.stderr).contains("incomplete")
    );
}

/// Runs `sweep` (whose `name` names its folder) in a fresh folder and
/// reports on it; returns `report.md` and `headline.csv`.
fn run_and_report(sweep: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sweep.toml"), sweep).unwrap();
    let run = avalanche(dir.path(), &["run", "sweep.toml", "--out", "results"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let name = sweep.lines().find_map(|l| l.strip_prefix("name = ")).unwrap().trim_matches('"');
    let report_dir = format!("results/{name}");
    let report = avalanche(dir.path(), &["report", &report_dir]);
    assert!(report.status.success(), "{}", String::from_utf8_lossy(&report.stderr));
    let read =
        |file: &str| std::fs::read_to_string(dir.path().join(&report_dir).join("report").join(file)).unwrap();
    (read("report.md"), read("headline.csv"))
}

#[test]
fn tables_list_the_varying_parameters_in_the_sweep_files_order() {
    // gaussian declares samples before verifier; each file's order wins, and
    // the rows follow it slowest-varying first, as the runs were numbered.
    for (grid, header, points) in [
        (
            "verifier = [\"none\", \"oracle\"]\nsamples = [10, 20]",
            "verifier,samples",
            ["none,10", "none,20", "oracle,10", "oracle,20"],
        ),
        (
            "samples = [10, 20]\nverifier = [\"none\", \"oracle\"]",
            "samples,verifier",
            ["10,none", "10,oracle", "20,none", "20,oracle"],
        ),
    ] {
        let (page, csv) = run_and_report(&format!(
            "name = \"order\"\nscenario = \"gaussian\"\nseed = 5\nreplicates = 2\ngenerations = 3\n[grid]\n{grid}\n"
        ));
        // One line per point and column: the points, in the order met.
        let mut met: Vec<String> = Vec::new();
        for line in csv.lines() {
            let point = line.splitn(3, ',').take(2).collect::<Vec<_>>().join(",");
            if met.last() != Some(&point) {
                met.push(point);
            }
        }
        assert_eq!(met[0], header, "{csv}");
        assert_eq!(met[1..], points, "{csv}");
        assert!(page.contains("- Comparisons: each `verifier` is set against `none`"), "{page}");
    }
}

#[test]
fn a_mean_of_heavy_tailed_runs_is_marked_and_still_counted() {
    // Clean `replace` at 10 samples: the variance is a product of 50 scaled
    // chi-squares with 9 degrees of freedom (log-variance about 50 * 2/9 =
    // 11), so the squared error of the mean, which sums those variances, has
    // a tail too heavy for a normal interval; at 100 samples (log-variance
    // about 1) it is light. Its theory (n s^2 / M) is exact in both.
    let (page, csv) = run_and_report(
        "name = \"tail\"\nscenario = \"gaussian\"\nseed = 11\nreplicates = 1250\ngenerations = 50\n\
         [grid]\nsamples = [10, 100]\n",
    );
    // Both points are counted (leaving the heavy one out would keep only
    // samples that missed their rare large values); the heavy one is named.
    assert!(
        page.contains(
            "final mean sq. error: mean / theory: simulation and theory agree (95% interval contains 1) at 2 \
             of 2 grid points; at 1 of the 2 the runs are heavy-tailed (tail shape k >= 0.5, marked)"
        ),
        "{page}"
    );
    assert!(page.contains("(heavy tail)"), "{page}");
    // gaussian compares verifiers, but this sweep runs only `none`: the
    // methods do not describe a comparison that is not made.
    assert!(!page.contains("- Comparisons:"), "{page}");
    let shape = |samples: &str| -> f64 {
        let row = csv
            .lines()
            .find(|l| l.starts_with(&format!("{samples},")) && l.contains(",final_mean_sq_error,mean,"))
            .unwrap();
        row.rsplit(',').next().unwrap().parse().unwrap()
    };
    assert!(shape("10") >= 0.5 && shape("100") < 0.5, "{csv}");
}
