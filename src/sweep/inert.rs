//! Inert parameters: axes that have no effect at some grid points (a checker's
//! false-accept rate crossed with a verifier that uses no checker), which
//! silently multiply the run count. `plan` and `run` warn about them.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::parsed::Sweep;
use crate::params::{ParamSpec, Params};
use crate::value::Value;

/// Sweeps with more points than this are not checked (the check visits
/// every point).
const MAX_POINTS: u64 = 5_000_000;

/// What sweeping inert parameters costs.
#[derive(Clone, Debug, PartialEq)]
pub struct Redundancy {
    /// One line per swept parameter that is inert somewhere, e.g.
    /// "`z_max` has no effect unless verifier is self or oracle (at 3 of 6 points)".
    pub params: Vec<String>,
    /// Grid points that differ from another point only in inert values
    /// (zero when an inert axis is zipped with one that matters).
    pub points: u64,
    /// The runs at those points.
    pub runs: u64,
}

impl Sweep {
    /// The swept parameters that have no effect at some grid points, and the
    /// points that only repeat others because of them; `None` when every
    /// swept parameter matters everywhere (or the grid is too large to check).
    pub fn redundancy(&self) -> Option<Redundancy> {
        let specs: &[ParamSpec] = &self.scenario.params;
        // An axis of one value is a fixed parameter written as a list: it
        // repeats no point, so it is not reported.
        let swept: Vec<usize> = self
            .factors
            .iter()
            .filter(|f| f.len() > 1)
            .flat_map(|f| f.params.iter().copied())
            .filter(|&i| specs[i].matters_when.is_some())
            .collect();
        if swept.is_empty() || self.points() > MAX_POINTS {
            return None;
        }
        let mut inert_at = vec![0u64; specs.len()];
        let mut distinct = HashSet::new();
        let mut values = Vec::with_capacity(specs.len());
        for point in 0..self.points() {
            self.point_values(point, &mut values);
            let params = Params { specs, values: &values };
            let mut hasher = DefaultHasher::new();
            for (i, value) in values.iter().enumerate() {
                if swept.contains(&i) && !specs[i].matters_at(&params) {
                    inert_at[i] += 1;
                    0u8.hash(&mut hasher);
                } else {
                    1u8.hash(&mut hasher);
                    hash_value(value, &mut hasher);
                }
            }
            distinct.insert(hasher.finish());
        }
        let points = self.points() - distinct.len() as u64;
        if inert_at.iter().all(|&n| n == 0) {
            return None;
        }
        let params = swept
            .iter()
            .filter(|&&i| inert_at[i] > 0)
            .map(|&i| {
                let when = specs[i].matters_when.expect("filtered above");
                format!(
                    "`{}` has no effect unless {} is {} (inert at {} of {} points)",
                    specs[i].name,
                    when.param,
                    or_list(when.one_of),
                    inert_at[i],
                    self.points()
                )
            })
            .collect();
        Some(Redundancy { params, points, runs: points * self.replicates })
    }
}

fn hash_value(value: &Value, hasher: &mut DefaultHasher) {
    match value {
        Value::Int(v) => (0u8, *v).hash(hasher),
        Value::Float(v) => (1u8, v.to_bits()).hash(hasher),
        Value::Str(v) => (2u8, v).hash(hasher),
        Value::Bool(v) => (3u8, v).hash(hasher),
    }
}

/// `a`, `a or b`, `a, b or c`.
pub fn or_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn sweep(grid: &str) -> crate::sweep::parsed::Sweep {
        let text = format!("name = \"t\"\nscenario = \"addition\"\nseed = 1\nreplicates = 3\n[grid]\n{grid}");
        crate::sweep::parse::parse(Path::new("t.toml"), &text, 1_000_000).unwrap()
    }

    #[test]
    fn a_checker_rate_crossed_with_checkerless_verifiers_repeats_points() {
        // 4 rates x 3 verifiers = 12 points; under `none` and `majority`
        // the 4 rates are one point each, so 2 x 3 = 6 points repeat others.
        let s =
            sweep("false_accept = [0.0, 0.1, 0.2, 0.3]\nverifier = [\"none\", \"majority\", \"outcome\"]\n");
        let r = s.redundancy().expect("redundant");
        assert_eq!((r.points, r.runs), (6, 18));
        assert_eq!(r.params.len(), 1);
        assert!(r.params[0].starts_with("`false_accept` has no effect unless verifier is outcome or step"));
        assert!(r.params[0].contains("inert at 8 of 12 points"), "{}", r.params[0]);
    }

    #[test]
    fn an_inert_axis_zipped_with_one_that_matters_is_named_but_repeats_nothing() {
        // The README's example: z_max zipped with outlier_scale, verifier none.
        let text = "name = \"t\"\nscenario = \"gaussian\"\nseed = 1\nreplicates = 2\n[params]\n\
                    noise_rate = 0.1\n[[zip]]\noutlier_scale = [5.0, 10.0]\nz_max = [2.0, 3.0]\n";
        let r = crate::sweep::parse::parse(Path::new("t.toml"), text, 1000).unwrap().redundancy().unwrap();
        assert_eq!((r.points, r.runs), (0, 0));
        assert!(r.params[0].starts_with("`z_max` has no effect unless verifier is self or oracle"), "{r:?}");
    }

    #[test]
    fn parameters_that_always_matter_are_not_reported() {
        assert_eq!(
            sweep("false_accept = [0.0, 0.1]\nverifier = [\"outcome\", \"step\"]\n").redundancy(),
            None
        );
        assert_eq!(
            sweep("noise_rate = [0.0, 0.1]\nverifier = [\"none\", \"majority\"]\n").redundancy(),
            None
        );
    }

    #[test]
    fn an_axis_of_one_value_is_not_reported() {
        // `samples` has no effect under `none`, but with one value it
        // repeats no point; with two it is inert at 2 of the 4 points, one
        // of which repeats the other.
        assert_eq!(sweep("samples = [5]\nverifier = [\"none\", \"majority\"]\n").redundancy(), None);
        let r =
            sweep("samples = [5, 7]\nverifier = [\"none\", \"majority\"]\n").redundancy().expect("redundant");
        assert_eq!((r.points, r.runs), (1, 3));
    }
}
