//! `avalanche status`: completed, failed and missing runs of a dataset,
//! and whether its parts are whole, as an exit status a script can test.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use avalanche::status;

/// Prints how complete and how whole `dir` is; the exit status is in
/// `avalanche status --help`.
pub fn status(dir: PathBuf) -> Result<ExitCode> {
    let report = status::status(&dir)?;
    print!("{}", report.text);
    Ok(match report.standing {
        status::Standing::Complete => ExitCode::SUCCESS,
        status::Standing::Unfinished => ExitCode::from(1),
        status::Standing::Unreadable => ExitCode::from(2),
        status::Standing::Damaged => ExitCode::from(3),
    })
}
