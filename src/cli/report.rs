//! `avalanche report`: writes a dataset's report and prints its headline
//! table, where the pages are, and the answer in short.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use avalanche::report;

/// Writes the report of `dir` (to `to`, or the old `--out`) and prints
/// its table, where it is and the answer in short; exit 0.
pub fn report(dir: PathBuf, to: Option<PathBuf>, out: Option<PathBuf>) -> Result<ExitCode> {
    if out.is_some() {
        eprintln!("note: `report --out` is now `report --to` (for `run`, --out is the results root)");
    }
    let summary = report::report(&report::ReportConfig { dir, out: to.or(out) })?;
    if let Some(lack) = summary.incomplete {
        eprintln!(
            "warning: incomplete sweep: {lack}; the report describes only the runs present, which \
             need not represent the sweep. Finish the sweep (run it again: it resumes), then report."
        );
    }
    println!("{}", summary.table);
    println!("\nReport: {}", summary.out.join("report.md").display());
    println!("        {} (the same page, for a browser)", summary.out.join("report.html").display());
    if !summary.in_short.is_empty() {
        // The answer without opening the file.
        println!("{}", avalanche::display::closing::in_short(&summary.in_short));
    }
    Ok(ExitCode::SUCCESS)
}
