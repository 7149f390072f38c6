//! `avalanche scenarios`: the scenarios with their parameters and output
//! columns, as `describe` words them.

use std::process::ExitCode;

use anyhow::{bail, Result};

use avalanche::display::describe;
use avalanche::{scenario, sweep};

/// Lists the scenarios, or the one named; exit 0.
pub fn scenarios(name: Option<String>, all: bool) -> Result<ExitCode> {
    let known = scenario::registry();
    let internal = |s: &scenario::registry::Known| scenario::INTERNAL.contains(&s.name);
    match &name {
        None => {
            // The simulations and `command` first, the engine's test scenario last.
            let public: Vec<_> = known.iter().filter(|s| !internal(s)).collect();
            let tests: Vec<_> = known.iter().filter(|s| all && internal(s)).collect();
            print!("{}{}", describe::scenarios(&public), describe::scenarios(&tests));
        }
        Some(n) => match scenario::registry::known(n) {
            Some(s) => print!("{}", describe::scenarios(&[s])),
            None => {
                let names = scenario::registry::names();
                bail!(
                    "no scenario `{n}`; {}known: {}",
                    sweep::error::suggestion(n, names.clone()),
                    names.collect::<Vec<_>>().join(", ")
                )
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}
