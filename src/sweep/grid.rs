//! Lazy grid expansion: run index to parameter point, replicate and seed.
//!
//! Runs are numbered point-major: index = point * replicates + replicate,
//! with the first factor in the file varying slowest. The index only decides
//! order and sharding; seeds come from the run's identity (see `seed`).

use super::Sweep;
use crate::seed::{run_seed, IdentityHasher};
use crate::value::Value;

/// One cartesian factor: a single axis, or a zip group of axes that vary
/// together.
#[derive(Clone, Debug)]
pub struct Factor {
    /// Parameter indices this factor sets.
    pub params: Vec<usize>,
    /// `values[j][k]`: the value of `params[j]` at position `k`.
    pub values: Vec<Vec<Value>>,
    /// Whether this factor came from a `[[zip]]` block.
    pub zipped: bool,
}

impl Factor {
    /// Positions along this factor.
    pub fn len(&self) -> usize {
        self.values.first().map_or(0, Vec::len)
    }

    /// Whether the factor has no positions (never true for a parsed sweep).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

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
                out[*param] = values[position];
            }
        }
    }

    /// The hash state of a point's identity, before the replicate is added.
    pub fn point_identity(&self, values: &[Value]) -> IdentityHasher {
        let mut hasher = IdentityHasher::default();
        hasher.text(self.scenario.name);
        for &i in &self.by_name {
            hasher.param(self.scenario.params[i].name, values[i]);
        }
        hasher
    }

    /// The run at `index` (which must be below [`Sweep::runs`]).
    pub fn run(&self, index: u64) -> RunSpec {
        let point = index / self.replicates;
        let replicate = index % self.replicates;
        let mut values = Vec::with_capacity(self.base.len());
        self.point_values(point, &mut values);
        let run_id = self.point_identity(&values).replicate(replicate);
        RunSpec { index, point, replicate, run_id, seed: run_seed(self.seed, run_id), values }
    }

    pub(super) fn set_canonical_order(&mut self) {
        let params = self.scenario.params;
        let mut order: Vec<usize> = (0..params.len()).collect();
        order.sort_by_key(|&i| params[i].name);
        self.by_name = order;
    }
}
