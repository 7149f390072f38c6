//! The scenarios this binary knows, by name.

use super::spec::Scenario;
use super::{addition, empty, gaussian, linreg, prune};

/// Every scenario the tool knows, in the order `avalanche scenarios` lists
/// them: the self-training loop first, the engine's test scenario last.
pub fn registry() -> &'static [&'static Scenario] {
    static REGISTRY: [&Scenario; 5] =
        [&addition::SCENARIO, &gaussian::SCENARIO, &linreg::SCENARIO, &prune::SCENARIO, &empty::SCENARIO];
    &REGISTRY
}

/// Scenarios for the engine's own tests and benchmarks: usable in sweeps,
/// listed by `avalanche scenarios` only with `--all`.
pub const INTERNAL: &[&str] = &["empty"];

/// The scenario called `name`.
pub fn find(name: &str) -> Option<&'static Scenario> {
    registry().iter().copied().find(|s| s.name == name)
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
        for scenario in registry() {
            let mut seen: HashSet<&str> = RESERVED_COLUMNS.iter().copied().collect();
            for name in scenario.params.iter().map(|p| p.name) {
                assert!(seen.insert(name), "{}: parameter `{name}` collides", scenario.name);
            }
            let mut runs = seen.clone();
            for column in scenario.summary_columns {
                assert!(runs.insert(column.name), "{}: run column `{}` collides", scenario.name, column.name);
            }
            let mut generations = seen;
            for column in scenario.generation_columns {
                assert!(
                    generations.insert(column.name),
                    "{}: generation column `{}` collides",
                    scenario.name,
                    column.name
                );
            }
        }
    }

    #[test]
    fn defaults_satisfy_their_own_ranges() {
        for scenario in registry() {
            for spec in scenario.params {
                if let Some(default) = spec.default {
                    crate::sweep::validate::check_value(spec, default)
                        .unwrap_or_else(|e| panic!("{}: default of `{}`: {e}", scenario.name, spec.name));
                }
            }
        }
    }

    #[test]
    fn every_scenario_runs_at_its_defaults_and_fills_its_columns() {
        use rand::SeedableRng;
        for scenario in registry() {
            let values = Params::defaults(scenario.params);
            let params = Params { specs: scenario.params, values: &values };
            (scenario.check)(&params).unwrap();
            let mut rng = Pcg64::seed_from_u64(1);
            let out = (scenario.run)(&params, &mut rng, &Deadline::none()).unwrap();
            assert_eq!(out.summary.len(), scenario.summary_columns.len(), "{}", scenario.name);
            for (value, column) in out.summary.iter().zip(scenario.summary_columns) {
                if let Some(v) = value {
                    assert_eq!(v.column_type(), column.ty, "{}.{}", scenario.name, column.name);
                }
            }
            for row in &out.generations {
                assert_eq!(row.len(), scenario.generation_columns.len(), "{}", scenario.name);
                for (value, column) in row.iter().zip(scenario.generation_columns) {
                    if let Some(v) = value {
                        assert_eq!(v.column_type(), column.ty, "{}.{}", scenario.name, column.name);
                    }
                }
            }
        }
    }
}
