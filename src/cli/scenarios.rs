//! `avalanche scenarios`: the scenarios with their parameters and output
//! columns, as `describe` words them.

use std::process::ExitCode;

use anyhow::{bail, Result};

use avalanche::{describe, scenario, sweep};

/// Lists the scenarios, or the one named; exit 0.
pub fn scenarios(name: Option<String>, all: bool) -> Result<ExitCode> {
    let known = scenario::registry();
    let internal = |s: &scenario::Scenario| scenario::INTERNAL.contains(&s.name);
    match &name {
        None => {
            // `command` after the built-in simulations, the engine's test scenario last.
            let public: Vec<_> = known.iter().copied().filter(|s| !internal(s)).collect();
            let tests: Vec<_> = known.iter().copied().filter(|s| all && internal(s)).collect();
            let command = describe::command_scenario();
            print!("{}{command}{}", describe::scenarios(&public), describe::scenarios(&tests));
        }
        Some(n) if n == sweep::command::NAME => print!("{}", describe::command_scenario()),
        Some(n) => match scenario::find(n) {
            Some(s) => print!("{}", describe::scenarios(&[s])),
            None => {
                let names = known.iter().map(|s| s.name).chain([sweep::command::NAME]);
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
