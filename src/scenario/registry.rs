//! The scenarios this binary knows, by name: those declared in code, and
//! those whose declaration a sweep file holds (`command`), with how to build
//! one from its table. The sweep parser, `avalanche scenarios` and the
//! report find every scenario here, and name none.

use std::sync::{Arc, LazyLock};

use toml::de::DeTable;

use super::spec::Scenario;
use super::{addition, command, empty, gaussian, linreg, prune};
use crate::sweep::error::{Source, SweepError};

/// A scenario the tool knows.
pub struct Known {
    pub name: &'static str,
    /// One line saying what it simulates.
    pub about: &'static str,
    pub declared: Declared,
}

/// Where a scenario's declaration lives.
pub enum Declared {
    /// In code: the same scenario for every sweep.
    InCode(Arc<Scenario>),
    /// In the sweep file that runs it.
    BySweep(BySweep),
}

/// A scenario a sweep file declares in a table of its own.
pub struct BySweep {
    /// The sweep file's table holding the declaration (`command`).
    pub table: &'static str,
    /// What the table declares, for the error refusing it in a sweep of
    /// another scenario ("a program").
    pub declares: &'static str,
    /// Builds the scenario from the sweep file's top-level table (with its
    /// spans, for errors) and the sweep's name.
    pub build: fn(&Source, &DeTable, &str) -> Result<Scenario, SweepError>,
    /// What `avalanche scenarios` says of it, as (heading, text) pairs: its
    /// parameters and columns are whatever a sweep file declares, so this
    /// says where they come from.
    pub listing: fn() -> Vec<(&'static str, String)>,
}

/// Every scenario the tool knows, in the order `avalanche scenarios` lists
/// them: the self-training loop first, the engine's test scenario last.
pub fn registry() -> &'static [Known] {
    static REGISTRY: LazyLock<Vec<Known>> = LazyLock::new(|| {
        let in_code = |scenario: &Scenario| Known {
            name: scenario.name,
            about: scenario.about,
            declared: Declared::InCode(Arc::new(scenario.clone())),
        };
        vec![
            in_code(&addition::SCENARIO),
            in_code(&gaussian::SCENARIO),
            in_code(&linreg::SCENARIO),
            in_code(&prune::SCENARIO),
            Known {
                name: command::NAME,
                about: command::ABOUT,
                declared: Declared::BySweep(BySweep {
                    table: command::TABLE,
                    declares: "a program",
                    build: crate::sweep::command::scenario,
                    listing: command::listing,
                }),
            },
            in_code(&empty::SCENARIO),
        ]
    });
    &REGISTRY
}

/// Scenarios for the engine's own tests and benchmarks: usable in sweeps,
/// listed by `avalanche scenarios` only with `--all`.
pub const INTERNAL: &[&str] = &["empty"];

/// The scenario called `name`, however it is declared.
pub fn known(name: &str) -> Option<&'static Known> {
    registry().iter().find(|s| s.name == name)
}

/// The scenario called `name`, where code declares it.
pub fn find(name: &str) -> Option<Arc<Scenario>> {
    match &known(name)?.declared {
        Declared::InCode(scenario) => Some(Arc::clone(scenario)),
        Declared::BySweep(_) => None,
    }
}

/// The scenarios declared in code, in the registry's order.
pub fn in_code() -> impl Iterator<Item = &'static Arc<Scenario>> {
    registry().iter().filter_map(|known| match &known.declared {
        Declared::InCode(scenario) => Some(scenario),
        Declared::BySweep(_) => None,
    })
}

/// Every name, for messages that list them: those declared in code, then
/// those a sweep file declares.
pub fn names() -> impl Iterator<Item = &'static str> + Clone {
    let by_sweep = |known: &&Known| matches!(known.declared, Declared::BySweep(_));
    let all = registry().iter();
    all.clone().filter(move |k| !by_sweep(k)).chain(all.filter(by_sweep)).map(|k| k.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Params;
    use crate::scenario::spec::Deadline;
    use crate::sink::schema::RESERVED_COLUMNS;
    use rand_pcg::Pcg64;
    use std::collections::HashSet;

    #[test]
    fn column_and_parameter_names_never_collide() {
        for scenario in in_code() {
            let mut seen: HashSet<&str> = RESERVED_COLUMNS.iter().copied().collect();
            for name in scenario.params.iter().map(|p| p.name.as_ref()) {
                assert!(seen.insert(name), "{}: parameter `{name}` collides", scenario.name);
            }
            let mut runs = seen.clone();
            for column in scenario.summary_columns.iter() {
                assert!(
                    runs.insert(&column.name),
                    "{}: run column `{}` collides",
                    scenario.name,
                    column.name
                );
            }
            let mut generations = seen;
            for column in scenario.generation_columns.iter() {
                assert!(
                    generations.insert(&column.name),
                    "{}: generation column `{}` collides",
                    scenario.name,
                    column.name
                );
            }
        }
    }

    /// What is wrong with the `only_when` lists of `specs`: each must name a
    /// choice parameter declared among them, and only values it can take.
    fn only_when_mistakes(specs: &[crate::params::ParamSpec]) -> Vec<String> {
        use crate::params::ParamKind;
        let mut mistakes = Vec::new();
        for spec in specs {
            let Some(when) = spec.matters_when else { continue };
            let Some(on) = specs.iter().find(|s| s.name == when.param) else {
                mistakes
                    .push(format!("`{}` is only_when `{}`, which is not declared", spec.name, when.param));
                continue;
            };
            let ParamKind::Choice(choices) = &on.kind else {
                mistakes
                    .push(format!("`{}` is only_when `{}`, which is not a choice", spec.name, when.param));
                continue;
            };
            for value in when.one_of.iter().filter(|v| !choices.contains(v)) {
                mistakes.push(format!(
                    "`{}` is only_when {} = `{value}`, not one of {}",
                    spec.name,
                    on.name,
                    choices.join(", ")
                ));
            }
        }
        mistakes
    }

    #[test]
    fn every_only_when_list_names_real_choices() {
        use crate::params::{Choice, Key, ParamSpec};
        for scenario in in_code() {
            assert_eq!(only_when_mistakes(&scenario.params), Vec::<String>::new(), "{}", scenario.name);
        }
        // A typo in a value, a key that names a parameter that is not a
        // choice, and one not declared are each found.
        const VERIFIER: Key<Choice> = Key::new("verifier");
        const SAMPLES: Key<Choice> = Key::new("samples");
        const LEARNER: Key<Choice> = Key::new("learner");
        let specs = [
            ParamSpec::choice("verifier", &["none", "majority"], "none", ""),
            ParamSpec::int("samples", 1, 9, 5, "").only_when(VERIFIER, &["majority", "majorty"]),
            ParamSpec::int("quorum", 1, 9, 5, "").only_when(SAMPLES, &["5"]),
            ParamSpec::int("size", 1, 9, 5, "").only_when(LEARNER, &["table"]),
        ];
        let mistakes = only_when_mistakes(&specs);
        assert_eq!(mistakes.len(), 3, "{mistakes:?}");
        assert!(mistakes[0].contains("`majorty`"), "{mistakes:?}");
        assert!(mistakes[1].contains("not a choice"), "{mistakes:?}");
        assert!(mistakes[2].contains("not declared"), "{mistakes:?}");
    }

    #[test]
    fn defaults_satisfy_their_own_ranges() {
        for scenario in in_code() {
            for spec in scenario.params.iter() {
                if let Some(default) = &spec.default {
                    crate::sweep::validate::check_value(spec, default)
                        .unwrap_or_else(|e| panic!("{}: default of `{}`: {e}", scenario.name, spec.name));
                }
            }
        }
    }

    #[test]
    fn every_scenario_runs_at_its_defaults_and_fills_its_columns() {
        use rand::SeedableRng;
        for scenario in in_code() {
            let values = Params::defaults(&scenario.params);
            let params = Params { specs: &scenario.params, values: &values };
            (scenario.check)(&params).unwrap();
            let mut rng = Pcg64::seed_from_u64(1);
            let out = scenario.run(&params, &mut rng, &Deadline::none()).unwrap();
            assert_eq!(out.summary.len(), scenario.summary_columns.len(), "{}", scenario.name);
            for (value, column) in out.summary.iter().zip(scenario.summary_columns.iter()) {
                if let Some(v) = value {
                    assert_eq!(v.column_type(), column.ty, "{}.{}", scenario.name, column.name);
                }
            }
            for row in &out.generations {
                assert_eq!(row.len(), scenario.generation_columns.len(), "{}", scenario.name);
                for (value, column) in row.iter().zip(scenario.generation_columns.iter()) {
                    if let Some(v) = value {
                        assert_eq!(v.column_type(), column.ty, "{}.{}", scenario.name, column.name);
                    }
                }
            }
        }
    }
}
