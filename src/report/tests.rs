//! End-to-end tests of the report on the synthetic fixture dataset.

use super::fixture::{self, HORIZON};
use super::*;

fn made(version: &str) -> (tempfile::TempDir, ReportConfig) {
    let dir = tempfile::tempdir().unwrap();
    fixture::write(dir.path(), version);
    let config = ReportConfig { dir: dir.path().to_path_buf(), out: None };
    (dir, config)
}

fn csv_rows(out: &std::path::Path, file: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(out.join(file)).unwrap();
    text.lines().map(|l| l.split(',').map(String::from).collect()).collect()
}

fn declared(config: &ReportConfig) -> ReportSummary {
    report_with(config, &fixture::SCENARIO).unwrap()
}

#[test]
fn outcomes_are_counted_by_hand_and_stalls_never_survive() {
    let (_dir, config) = made("1");
    let summary = declared(&config);
    assert_eq!((summary.runs, summary.failures), (29, 1));
    let rows = csv_rows(&summary.out, "outcomes.csv");
    assert_eq!(
        rows[0],
        [
            "noise_rate",
            "verifier",
            "replicates",
            "failed",
            "outcome",
            "runs",
            "share",
            "median_time",
            "median_place"
        ]
    );
    let find = |noise: &str, verifier: &str, outcome: &str| {
        rows.iter().find(|r| r[0] == noise && r[1] == verifier && r[4] == outcome).unwrap()[2..].to_vec()
    };
    // none at 0.01: seven successful runs collapse at rounds 3..=9 (median
    // 6) with reach 6..=12 (median 9); the eighth run failed.
    assert_eq!(find("0.01", "none", "collapsed"), ["8", "1", "collapsed", "7", "1", "6", "11"]);
    // majority at 0.01: collapses at 10 and 11, four stalls at 12, one run
    // at the limit of 20 rounds.
    assert_eq!(find("0.01", "majority", "collapsed")[3..], ["2", &(2.0f64 / 7.0).to_string(), "10.5", "11"]);
    assert_eq!(find("0.01", "majority", "stalled")[3..], ["4", &(4.0f64 / 7.0).to_string(), "12", "13"]);
    assert_eq!(find("0.01", "majority", "limit")[3..], ["1", &(1.0f64 / 7.0).to_string(), "20", "32"]);
    let page = std::fs::read_to_string(summary.out.join("report.md")).unwrap();
    assert!(!page.contains("> 20"), "no run that stalled is shown as surviving past the horizon");
}

#[test]
fn sentences_say_how_runs_ended_and_compare_in_the_declared_direction() {
    let (_dir, config) = made("1");
    let summary = declared(&config);
    let page = std::fs::read_to_string(summary.out.join("report.md")).unwrap();
    // Ranks (1, 7) bound a median of seven values at 95%: [6, 12] for
    // reach 6..=12.
    let none =
        "- `none` at noise_rate = 0.01: all 7 runs collapsed after a median of 6 rounds at 11 digits; \
                1 of 8 failed and is left out of these counts (if runs failed for time, the longest runs \
                are the ones missing). reach median 9 [6, 12] digits; growth law: exponential in 7 of 7.";
    assert!(page.contains(none), "{page}");
    // Reach 9, 9, 11, 11, 11, 11, 30: median 11 with [9, 30], overlapping
    // none's [6, 12], so no clear difference; fewer than half collapsed,
    // so there is no median time to collapse.
    let majority = "- `majority` at noise_rate = 0.01: 2 of 7 runs collapsed after a median of 10.5 rounds at \
                    11 digits; 4 of 7 runs stalled after a median of 12 rounds at 13 digits; 1 of 7 runs reached \
                    the round limit (20 rounds) at 32 digits. reach median 11 [9, 30] digits, no clear difference \
                    from `none` (9); growth law: polynomial in 5 of 7.";
    assert!(page.contains(majority), "{page}");
    assert!(page.find(none).unwrap() < page.find(majority).unwrap(), "the baseline comes first");
}

#[test]
fn in_short_opens_the_page_with_one_sentence_per_choice() {
    let (_dir, config) = made("1");
    let summary = declared(&config);
    let page = std::fs::read_to_string(summary.out.join("report.md")).unwrap();
    // From the fixture's construction: `none` collapses in all seven runs
    // at both noise rates (rounds 3..=9, median 6; reach 6..=12, median
    // 9), one run failed; `majority` at 0.01 stalls in 4, collapses in 2
    // and reaches the limit in 1 (reach median 11, interval [9, 30]
    // overlapping `none`'s [6, 12]), and at 0.1 behaves as `none`.
    let none = "`none`: every run collapsed at both points, after a median of 6 rounds; 1 of 15 runs failed and \
                are left out; median reach 9 digits at every point; growth law exponential in every run at both \
                points.";
    // In full (4 of 7 stalled, 2 collapsed, 1 reached the round limit) the
    // sentence would run past 60 words: the endings' exception says only
    // what most runs did.
    let majority = "`majority`: every run collapsed at 1 of 2 points, after a median of 6 rounds (at noise_rate = \
                    0.01: mostly stalled); median reach 9-11 digits across \
                    points; growth law polynomial in most runs at 1 of 2 points (at noise_rate = 0.1: exponential \
                    in 7 of 7); reach no clear difference from `none` at both points.";
    assert_eq!(summary.in_short, [none, majority]);
    let section = format!("## In short\n\n{none}\n\n{majority}\n\n## The answer\n");
    assert!(page.contains(&section), "{page}");
}

#[test]
fn tables_list_the_baseline_first_whatever_the_declared_or_alphabetical_order() {
    let (_dir, config) = made("1");
    let summary = declared(&config);
    let rows = csv_rows(&summary.out, "headline.csv");
    let points: Vec<(&str, &str)> = rows[1..].iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
    let mut distinct = points.clone();
    distinct.dedup();
    assert_eq!(distinct, [("0.01", "none"), ("0.01", "majority"), ("0.1", "none"), ("0.1", "majority")]);
    let growth = rows.iter().find(|r| r[0] == "0.01" && r[1] == "majority" && r[4] == "growth").unwrap();
    // A mode has no tail shape: the last cell is empty.
    assert_eq!(
        growth[5..],
        ["mode", "7", &(5.0f64 / 7.0).to_string(), "", "", "0", "dropped", "polynomial", ""]
    );
}

#[test]
fn figures_are_written_as_png_and_svg() {
    let (_dir, config) = made("1");
    let summary = declared(&config);
    for stem in ["outcomes", "curve-accuracy-complement", "curve-contamination", "heatmap-reach"] {
        for extension in ["png", "svg"] {
            let path = summary.out.join(format!("{stem}.{extension}"));
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            assert!(size > 1000, "{} is missing or blank", path.display());
        }
    }
}

#[test]
fn a_scenario_this_binary_does_not_know_gets_a_report_from_the_schema() {
    let (_dir, config) = made("1");
    let summary = report(&config).unwrap();
    let page = std::fs::read_to_string(summary.out.join("report.md")).unwrap();
    assert!(page.contains("does not know the `fixture` scenario"), "{page}");
    let rows = csv_rows(&summary.out, "headline.csv");
    assert!(rows.iter().any(|r| r.contains(&"reach".to_string())), "numeric summaries still summarised");
    assert!(!summary.out.join("outcomes.csv").exists(), "no outcome without a declaration");
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
    assert!(matches!(error, ReportError::Damaged { .. }), "{error}");
    assert!(error.to_string().contains("part-00009.parquet"), "{error}");
    assert!(error.to_string().contains("avalanche repair"), "the fix is spelled out: {error}");
}

#[test]
fn a_run_recorded_twice_is_refused_rather_than_counted_twice() {
    let (dir, config) = made("1");
    let runs = dir.path().join("runs");
    std::fs::copy(runs.join("part-00000.parquet"), runs.join("part-00002.parquet")).unwrap();
    let generations = dir.path().join(crate::dataset::names::GENERATIONS_DIR);
    std::fs::copy(generations.join("part-00000.parquet"), generations.join("part-00002.parquet")).unwrap();
    let error = report_with(&config, &fixture::SCENARIO).unwrap_err();
    assert!(matches!(error, ReportError::Damaged { .. }), "{error}");
    assert!(error.to_string().contains("part-00002.parquet"), "{error}");
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
    let summary = report_with(&ReportConfig { dir, out: None }, &fixture::SCENARIO).unwrap();
    assert!(!summary.files.is_empty());
}

#[test]
fn a_run_leaves_the_curve_when_it_ends() {
    let (dir, _) = made("1");
    let dataset = dataset::open(dir.path()).unwrap();
    let layout =
        columns::layout(dir.path(), &dataset.runs.schema, dataset.generations.as_ref().map(|t| &t.schema))
            .unwrap();
    let outline = outline::outline(Some(&fixture::SCENARIO), &layout);
    let summary = summary::summarise(&dataset, &layout, &outline).unwrap();
    let curves = curves::reduce(dataset.generations.as_ref().unwrap(), &summary, &outline.curves).unwrap();
    let point = summary
        .points
        .iter()
        .position(|p| p.key == [columns::Cell::Float(0.01), columns::Cell::Text("majority".into())])
        .unwrap();
    let error = &curves[0][point].0;
    // Rounds 0..=9 have all seven runs; the collapses at 10 and 11 leave
    // after rounds 9 and 10, the stalls at 12 after round 11; only the run
    // at the limit is left for rounds 12..=19.
    let runs: Vec<usize> = error.iter().map(|b| b.runs).collect();
    assert_eq!(runs[..12], [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 5]);
    assert!(runs[12..].iter().all(|r| *r == 1) && runs.len() == HORIZON as usize, "{runs:?}");
    // The last round is the limit run's alone: error 20/21 (complement of 1/21).
    let last = error.last().unwrap();
    assert_eq!(last.x, (HORIZON - 1) as f64);
    assert!((last.center - 20.0 / 21.0).abs() < 1e-12, "{last:?}");
}

#[test]
fn figures_sit_beside_the_sections_they_support_in_both_pages() {
    let (_dir, config) = made("1");
    let summary = declared(&config);
    for file in ["report.md", "report.html"] {
        let page = std::fs::read_to_string(summary.out.join(file)).unwrap();
        let at = |needle: &str| page.find(needle).unwrap_or_else(|| panic!("{file}: no {needle}"));
        // The bars of how runs ended follow that section's table, before the
        // next section; the curves have a section of their own before the
        // headline table; nothing is left at the end.
        let heading = |title: &str| match file {
            "report.md" => at(&format!("## {title}")),
            _ => at(&format!(">{title}</h2>")),
        };
        let (ended, curves, headline) =
            (heading("How runs ended"), heading("Curves"), heading("Headline table"));
        let bars = at("outcomes.png");
        assert!(ended < bars && bars < curves, "{file}: outcome bars outside their section");
        let first_curve = at("curve-");
        assert!(curves < first_curve && first_curve < headline, "{file}: curves outside their section");
        assert!(page.rfind("curve-").unwrap() < headline, "{file}: a curve after the headline table");
    }
}
