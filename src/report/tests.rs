//! End-to-end tests of the report on the synthetic fixture dataset.

use super::fixture::{self, HORIZON};
use super::*;

fn made(version: &str) -> (tempfile::TempDir, ReportConfig) {
    let dir = tempfile::tempdir().unwrap();
    fixture::write(dir.path(), version);
    let config = ReportConfig { dir: dir.path().to_path_buf(), out: None };
    (dir, config)
}

fn csv_rows(out: &std::path::Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(out.join("headline.csv")).unwrap();
    text.lines().map(|l| l.split(',').map(String::from).collect()).collect()
}

#[test]
fn headline_numbers_match_the_fixture_by_hand() {
    let (_dir, config) = made("1");
    let summary = report(&config).unwrap();
    assert_eq!((summary.runs, summary.failures), (29, 1));
    let rows = csv_rows(&summary.out);
    assert_eq!(rows[0][..5], ["noise_rate", "verifier", "replicates", "failed", "column"]);
    let counts = rows.iter().find(|r| r[0] == "0.01" && r[1] == "none").unwrap();
    assert_eq!(counts[2..4], ["8", "1"], "the failed run is counted, not summarised");
    let find = |noise: &str, verifier: &str, column: &str| {
        rows.iter().find(|r| r[0] == noise && r[1] == verifier && r[4] == column).unwrap()[5..].to_vec()
    };
    // none at 0.01: runways 3..=9 (the failed run excluded), median 6; for
    // n = 7 the 95% ranks are (1, 7): P(B <= 0) = 1/128, doubled 0.016,
    // while P(B <= 1) = 8/128 doubled is 0.125.
    assert_eq!(find("0.01", "none", "runway"), ["median", "7", "6", "3", "9", "0", "inf"]);
    // majority at 0.01: 10, 11 and five never-collapsed runs: the median
    // (4th of 7) is censored.
    assert_eq!(find("0.01", "majority", "runway")[1..], ["7", "inf", "10", "inf", "5", "inf"]);
    let page = std::fs::read_to_string(summary.out.join("report.md")).unwrap();
    assert!(page.contains(&format!("> {HORIZON}")), "censored medians shown as beyond the horizon");
    // The answer: at least 20 - 6 = 14 rounds at 0.01, none at 0.1.
    assert!(
        page.contains("`majority` buys more runway (rounds) than `none`: at least 14 at noise_rate = 0.01, 0 at noise_rate = 0.1; it stops helping at noise_rate = 0.1."),
        "{page}"
    );
    assert!(summary.table.contains("replicates"));
}

#[test]
fn figures_are_written_as_png_and_svg() {
    let (_dir, config) = made("1");
    let summary = report(&config).unwrap();
    for stem in ["curve-accuracy_frontier", "curve-contamination", "heatmap-runway"] {
        for extension in ["png", "svg"] {
            let path = summary.out.join(format!("{stem}.{extension}"));
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            assert!(size > 1000, "{} is missing or blank", path.display());
        }
    }
}

#[test]
fn a_newer_schema_version_is_refused_by_name() {
    let (_dir, config) = made("2");
    let error = report(&config).unwrap_err();
    assert!(matches!(error, ReportError::NewerSchema { .. }), "{error}");
    assert!(error.to_string().contains("part-00000.parquet"), "{error}");
}

#[test]
fn a_folder_without_runs_is_not_a_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let error = report(&ReportConfig { dir: dir.path().into(), out: None }).unwrap_err();
    assert!(matches!(error, ReportError::NotADataset { .. }), "{error}");
}

#[test]
fn a_dataset_without_parts_is_empty_and_hidden_files_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("runs")).unwrap();
    std::fs::write(dir.path().join("runs/.part-00000.parquet.tmp"), b"half written").unwrap();
    std::fs::write(dir.path().join("runs/.hidden.parquet"), b"half written").unwrap();
    let error = report(&ReportConfig { dir: dir.path().into(), out: None }).unwrap_err();
    assert!(matches!(error, ReportError::Empty { .. }), "{error}");
}

#[test]
fn a_corrupt_part_is_named() {
    let (dir, config) = made("1");
    let bad = dir.path().join("runs/part-00009.parquet");
    std::fs::write(&bad, b"not parquet").unwrap();
    let error = report(&config).unwrap_err();
    assert!(matches!(error, ReportError::Unreadable { .. }), "{error}");
    assert!(error.to_string().contains("part-00009.parquet"), "{error}");
}

/// Writes the fixture and its report into `$AVALANCHE_FIXTURE_DIR`, to look
/// at the figures by eye: `AVALANCHE_FIXTURE_DIR=/tmp/fx cargo test --lib
/// write_fixture -- --ignored`.
#[test]
#[ignore = "writes outside the test's own folder"]
fn write_fixture_for_inspection() {
    let dir =
        std::path::PathBuf::from(std::env::var("AVALANCHE_FIXTURE_DIR").expect("set AVALANCHE_FIXTURE_DIR"));
    fixture::write(&dir, "1");
    let summary = report(&ReportConfig { dir, out: None }).unwrap();
    assert!(!summary.files.is_empty());
}

#[test]
fn ended_runs_carry_their_last_value_to_the_last_round() {
    let (dir, _) = made("1");
    let dataset = dataset::open(dir.path()).unwrap();
    let layout =
        columns::layout(dir.path(), &dataset.runs.schema, dataset.generations.as_ref().map(|t| &t.schema))
            .unwrap();
    let plan = plan::plan("addition", &layout);
    let summary = summary::summarise(&dataset, &layout, &plan.headline).unwrap();
    let curves = curves::reduce(dataset.generations.as_ref().unwrap(), &summary, &plan.curves).unwrap();
    let point = summary
        .points
        .iter()
        .position(|p| p.key == [columns::Cell::Float(0.01), columns::Cell::Text("none".into())])
        .unwrap();
    let accuracy = &curves[0][point].0;
    // Runs at (0.01, none) end at runway r = 3..=9 with accuracy
    // 1 - r/(r+1) = 1/(r+1); carried to round 19, their median is the
    // middle one, 1/7. Without carrying, round 19 would have no values.
    let last = accuracy.last().unwrap();
    assert_eq!(last.generation, HORIZON - 1);
    assert!((last.center - 1.0 / 7.0).abs() < 1e-12, "{last:?}");
    // At round 0 every run starts at accuracy 1.
    assert_eq!(accuracy[0].center, 1.0);
}
