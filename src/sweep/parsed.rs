//! A parsed, validated sweep: the grid as factors, where each value came
//! from, and the scenario it runs. `parse.rs` builds it; `grid.rs` addresses
//! its runs by index; `inert.rs` finds the runs that repeat one another.

use std::path::PathBuf;
use std::sync::Arc;

use crate::scenario::Scenario;
use crate::value::Value;

/// Where a parameter's value comes from, for messages and `avalanche plan`.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// The scenario's default.
    Default,
    /// A fixed value in the file, at this line.
    Fixed { line: usize },
    /// An axis (or a zip group member) in the file, at this line.
    Axis { line: usize },
}

/// A parsed, validated sweep.
#[derive(Debug)]
pub struct Sweep {
    /// The file as the user named it.
    pub file: PathBuf,
    /// The file's text, copied into the dataset and its metadata.
    pub text: String,
    /// Names the output folder.
    pub name: String,
    /// The scenario, owned: built-in, or built from this file's declaration.
    pub scenario: Arc<Scenario>,
    /// The master seed.
    pub seed: u64,
    /// Seeded runs per grid point.
    pub replicates: u64,
    /// Every parameter's value before axes are applied, in declaration order.
    pub base: Vec<Value>,
    /// Where each parameter's value comes from, in declaration order.
    pub origins: Vec<Origin>,
    /// The cartesian factors, slowest-varying first: single axes and zip groups.
    pub factors: Vec<Factor>,
    /// Parameter indices of the paired axes (`paired = [...]`), in the
    /// file's order: runs that differ only on them share their seed.
    pub paired: Vec<usize>,
    /// Parameter indices sorted by name: the canonical order for identities.
    pub(super) by_name: Vec<usize>,
    /// Cores one run uses: 1, or a `command` sweep's `cpus_per_run`.
    pub cores_per_run: u32,
    /// The `[search]` table: one more axis, probed adaptively at each point
    /// of the others (whose values `factors` hold) instead of expanded.
    pub search: Option<crate::search::Search>,
}

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

impl Sweep {
    /// Runs at once that fill `cores` cores: one per core, or one per
    /// `cpus_per_run` cores for a `command` sweep (at least one).
    pub fn runs_at_once(&self, cores: usize) -> usize {
        (cores / self.cores_per_run.max(1) as usize).max(1)
    }

    /// Grid points (runs per replicate).
    pub fn points(&self) -> u64 {
        self.factors.iter().map(|f| f.len() as u64).product()
    }

    /// Total runs: points times replicates. With `[search]`, the runs of
    /// each point's first probe (the searched axis at its range's start);
    /// [`Sweep::worst_case_runs`] bounds what the search may run.
    pub fn runs(&self) -> u64 {
        self.points() * self.replicates
    }

    /// The most runs the sweep can make: [`Sweep::runs`], or with
    /// `[search]`, every point's whole budget of probes.
    pub fn worst_case_runs(&self) -> u64 {
        match &self.search {
            None => self.runs(),
            Some(search) => self.points() * search.worst_case_runs(self.replicates),
        }
    }

    /// The swept parameters' names in the file's order, slowest-varying
    /// first (a `[[zip]]` block's parameters together, in its order).
    pub fn axes(&self) -> Vec<String> {
        self.factors
            .iter()
            .flat_map(|f| &f.params)
            .map(|&p| self.scenario.params[p].name.to_string())
            .collect()
    }

    /// The parameter names, in declaration order.
    pub fn param_names(&self) -> impl Iterator<Item = &str> {
        self.scenario.params.iter().map(|p| p.name.as_ref())
    }

    /// The scenario's comparison when this sweep varies the compared
    /// parameter but not over its baseline (`verifier = ["self", "oracle"]`
    /// where the report compares with `none`): the report then compares with
    /// the first of the declared choices the sweep runs, which is returned.
    pub fn absent_baseline(&self) -> Option<(&crate::scenario::contract::Comparison, &str)> {
        let comparison = self.scenario.report.comparison.as_ref()?;
        let index = self.scenario.params.iter().position(|p| p.name == comparison.parameter)?;
        let crate::params::ParamKind::Choice(choices) = &self.scenario.params[index].kind else {
            return None;
        };
        let factor = self.factors.iter().find(|f| f.params.contains(&index))?;
        let swept = &factor.values[factor.params.iter().position(|&p| p == index)?];
        let run: Vec<&str> = choices
            .iter()
            .filter(|&choice| swept.iter().any(|v| matches!(v, crate::value::Value::Str(s) if s == choice)))
            .collect();
        Some((comparison, crate::scenario::contract::stand_in(&comparison.baseline, &run)?))
    }
}
