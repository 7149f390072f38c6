//! Lazy grid expansion: run index to parameter point, replicate and seed.
//!
//! Runs are numbered point-major: index = point * replicates + replicate,
//! with the first factor in the file varying slowest. The index only decides
//! order and sharding; seeds come from the run's identity (see `seed`), or,
//! in a paired sweep, from its pairing identity.

use super::parsed::Sweep;
use crate::engine::seed::{run_seed, IdentityHasher};
use crate::value::Value;

/// Everything that identifies and seeds one run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    /// Position in the expanded sweep (order and sharding only).
    pub index: u64,
    pub point: u64,
    pub replicate: u64,
    pub run_id: u64,
    pub seed: u64,
    /// One value per parameter, in declaration order.
    pub values: Vec<Value>,
}

impl Sweep {
    /// Writes the values of grid point `point` into `out`.
    pub fn point_values(&self, mut point: u64, out: &mut Vec<Value>) {
        out.clear();
        out.extend_from_slice(&self.base);
        for factor in self.factors.iter().rev() {
            let len = factor.len() as u64;
            let position = (point % len) as usize;
            point /= len;
            for (param, values) in factor.params.iter().zip(&factor.values) {
                out[*param] = values[position].clone();
            }
        }
    }

    /// The hash state of a point's identity, before the replicate is added.
    pub fn point_identity(&self, values: &[Value]) -> IdentityHasher {
        let mut hasher = IdentityHasher::default();
        hasher.text(self.scenario.name);
        for &i in &self.by_name {
            let spec = &self.scenario.params[i];
            if spec.hashed(&values[i]) {
                hasher.param(&spec.name, &values[i]);
            }
        }
        hasher
    }

    /// The hash state shared by the points that differ only on the paired
    /// axes: [`Sweep::point_identity`] with the paired values left out.
    pub fn pairing_identity(&self, values: &[Value]) -> IdentityHasher {
        let mut hasher = IdentityHasher::default();
        hasher.text(self.scenario.name);
        for &i in &self.by_name {
            let spec = &self.scenario.params[i];
            if self.paired.contains(&i) {
                hasher.paired(&spec.name);
            } else if spec.hashed(&values[i]) {
                hasher.param(&spec.name, &values[i]);
            }
        }
        hasher
    }

    /// The run at `index` (which must be below [`Sweep::runs`]).
    pub fn run(&self, index: u64) -> RunSpec {
        let point = index / self.replicates;
        let replicate = index % self.replicates;
        let mut values = Vec::with_capacity(self.base.len());
        self.point_values(point, &mut values);
        self.spec_at(index, point, values, replicate)
    }

    /// The run with these parameter values and replicate (a search's
    /// probes are made this way): identity and seed as for any run.
    pub fn spec_at(&self, index: u64, point: u64, values: Vec<Value>, replicate: u64) -> RunSpec {
        let run_id = self.point_identity(&values).replicate(replicate);
        // Unpaired, the seed mixes the run's own identity, as it always has;
        // paired, the identity the run shares with its partners.
        let seeded_by = match self.paired.is_empty() {
            true => run_id,
            false => self.pairing_identity(&values).replicate(replicate),
        };
        RunSpec { index, point, replicate, run_id, seed: run_seed(self.seed, seeded_by), values }
    }

    pub(super) fn set_canonical_order(&mut self) {
        let params = &self.scenario.params;
        let mut order: Vec<usize> = (0..params.len()).collect();
        order.sort_by_key(|&i| &params[i].name);
        self.by_name = order;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use crate::engine::seed::run_seed;
    use crate::sweep::parse::parse;
    use crate::sweep::parsed::Sweep;

    const GRID: &str = "name = \"g\"\nscenario = \"gaussian\"\nseed = 7\nreplicates = 2\n[grid]\n\
                        verifier = [\"none\", \"self\", \"oracle\"]\nnoise_rate = [0.0, 0.1]\n";

    fn sweep(paired: &str) -> Sweep {
        parse(std::path::Path::new("g.toml"), &format!("{paired}\n{GRID}"), 1000).expect("valid")
    }

    #[test]
    fn an_unpaired_sweep_keeps_every_run_id_and_seed() {
        // Recorded with `avalanche plan` by the binary built before pairing
        // existed (runs #0, #4, #8 and #11 of this sweep).
        let before = [
            (0, 17370010117421047570, 10258648908378895788),
            (4, 16867413759018973100, 2072390669495157640),
            (8, 6222612887934727061, 18187375448602357564),
            (11, 5437114687965051218, 13349404459352978992),
        ];
        let s = sweep("");
        for (index, run_id, seed) in before {
            let run = s.run(index);
            assert_eq!((run.run_id, run.seed), (run_id, seed), "run #{index}");
        }
        for index in 0..s.runs() {
            let run = s.run(index);
            assert_eq!(run.seed, run_seed(7, run.run_id));
        }
    }

    #[test]
    fn a_parameter_unhashed_at_its_default_leaves_the_identity_it_had_before_it() {
        // `addition`'s `cot_reliance` is declared so: at its default (1) a
        // run's identity is the hash of the other parameters alone, as it
        // was before the parameter existed, and moving it gives a new one.
        use crate::scenario::addition::config::PARAMS;
        let file = |axis: &str| {
            format!(
                "name = \"c\"\nscenario = \"addition\"\nseed = 3\nreplicates = 1\n\
                 [grid]\nverifier = [\"outcome\"]\n{axis}"
            )
        };
        let path = std::path::Path::new("c.toml");
        let with = parse(path, &file("cot_reliance = [1.0, 0.5]\n"), 1000).expect("valid");
        let without = parse(path, &file(""), 1000).expect("valid");
        let (faithful, unfaithful, plain) = (with.run(0), with.run(1), without.run(0));
        assert_eq!((faithful.run_id, faithful.seed), (plain.run_id, plain.seed));
        assert_ne!(unfaithful.run_id, plain.run_id);
        let mut others: Vec<(&str, crate::value::Value)> = PARAMS
            .iter()
            .zip(&plain.values)
            .filter(|(spec, _)| spec.name != "cot_reliance")
            .map(|(spec, value)| (spec.name.as_ref(), value.clone()))
            .collect();
        others.sort_by_key(|(name, _)| *name);
        assert_eq!(crate::engine::seed::run_id("addition", &others, 0), plain.run_id);
    }

    #[test]
    fn paired_runs_share_a_seed_only_across_the_paired_axis() {
        let unpaired = sweep("");
        let paired = sweep("paired = [\"verifier\"]");
        let runs: Vec<_> = (0..paired.runs()).map(|i| paired.run(i)).collect();
        // Pairing never changes a run's identity.
        for run in &runs {
            assert_eq!(run.run_id, unpaired.run(run.index).run_id);
        }
        assert_eq!(runs.iter().map(|r| r.run_id).collect::<HashSet<_>>().len(), runs.len());
        // Runs are numbered verifier-major, then noise_rate, then replicate:
        // index = (3-way verifier * 2 + noise) * 2 + replicate.
        let at = |verifier: u64, noise: u64, replicate: u64| {
            &runs[((verifier * 2 + noise) * 2 + replicate) as usize]
        };
        for noise in 0..2 {
            for replicate in 0..2 {
                let seed = at(0, noise, replicate).seed;
                assert_eq!(at(1, noise, replicate).seed, seed);
                assert_eq!(at(2, noise, replicate).seed, seed);
            }
        }
        // Different replicates and different unpaired values: different seeds.
        let distinct: HashSet<u64> = runs.iter().map(|r| r.seed).collect();
        assert_eq!(distinct.len(), 4, "one seed per (noise_rate, replicate)");
        // The shared seed is none of the unpaired seeds: the pairing is part
        // of the identity it is drawn from.
        let unpaired_seeds: HashSet<u64> = (0..unpaired.runs()).map(|i| unpaired.run(i).seed).collect();
        assert!(distinct.is_disjoint(&unpaired_seeds));
    }

    #[test]
    fn pairing_every_axis_shares_a_seed_per_replicate_and_axis_order_does_not_matter() {
        let both = sweep("paired = [\"verifier\", \"noise_rate\"]");
        let swapped = sweep("paired = [\"noise_rate\", \"verifier\"]");
        let seeds: HashSet<u64> = (0..both.runs()).map(|i| both.run(i).seed).collect();
        assert_eq!(seeds.len(), 2, "one seed per replicate");
        for index in 0..both.runs() {
            assert_eq!(both.run(index).seed, swapped.run(index).seed);
        }
    }
}
