//! Adaptive search (`[search]` in a sweep file): at each point of the other
//! axes, find where the probability of a run-level event crosses a level
//! along one numeric axis, instead of laying a grid over it.
//!
//! A probe is `replicates` ordinary runs at one axis value; their identity
//! (and so their seed) is their parameter values and replicate index, as
//! for any run. The next probe is a pure function of the completed probes
//! of that point ([`decide`]), so the search is replayed from the dataset
//! ([`replay`]): resuming, any thread count and any sharding of the points
//! give the same probes and the same boundaries. The method and why it was
//! chosen: docs/SEARCH.md.

pub mod drive;
pub mod fit;
pub mod observed;
pub mod run;

use fit::{Count, Side};

/// A validated `[search]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    /// The searched parameter's index and name.
    pub param: usize,
    pub name: crate::value::Text,
    /// The range searched, ends included.
    pub range: (f64, f64),
    /// Whether the parameter is an integer (probes and interval whole).
    pub integer: bool,
    pub event: Event,
    /// The event probability whose crossing is the boundary.
    pub level: f64,
    /// Stop once the 95% interval is at most this wide (axis units).
    pub tolerance: f64,
    /// The most runs one point of the other axes may use.
    pub max_runs: u64,
}

/// The run-level event: a summary column compared with a value.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub column: crate::value::Text,
    pub test: Test,
    /// A null in the column is a run that achieved nothing (below every
    /// value), rather than an undefined value (left out, like a failed run).
    pub null_is_lowest: bool,
}

/// How a run's value makes the event happen.
#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    Equals(Observed),
    Below(f64),
    Above(f64),
}

/// A run's value in the event column, as read back from the dataset.
#[derive(Clone, Debug, PartialEq)]
pub enum Observed {
    Null,
    Number(f64),
    Text(String),
    Bool(bool),
}

impl Event {
    /// Whether the event happened in a run with this value; `None` when
    /// the value cannot say (an undefined null).
    pub fn happened(&self, value: &Observed) -> Option<bool> {
        match (&self.test, value) {
            (Test::Below(_), Observed::Null) if self.null_is_lowest => Some(true),
            (Test::Above(_), Observed::Null) if self.null_is_lowest => Some(false),
            (_, Observed::Null) => None,
            (Test::Below(x), Observed::Number(v)) => Some(v < x),
            (Test::Above(x), Observed::Number(v)) => Some(v > x),
            (Test::Equals(want), got) => Some(want == got),
            _ => None,
        }
    }

    /// The event in words: "end_reason = collapsed", "accuracy < 0.5".
    pub fn describe(&self) -> String {
        match &self.test {
            Test::Equals(Observed::Text(t)) => format!("{} = {t}", self.column),
            Test::Equals(Observed::Number(x)) => format!("{} = {x}", self.column),
            Test::Equals(Observed::Bool(b)) => format!("{} = {b}", self.column),
            Test::Equals(Observed::Null) => format!("{} is null", self.column),
            Test::Below(x) => format!("{} < {x}", self.column),
            Test::Above(x) => format!("{} > {x}", self.column),
        }
    }
}

/// How a point's search ended (the `ended` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// The 95% interval is at most `tolerance` wide.
    Converged,
    /// Another probe would pass `max_runs`; the interval is as wide as it got.
    MaxRuns,
    /// The share is below the level at both ends of the range: no boundary.
    BelowLevel,
    /// The share is above the level at both ends of the range: no boundary.
    AboveLevel,
    /// The share rises and falls: no single boundary.
    NonMonotone,
}

impl Ended {
    /// The value stored in the `ended` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Ended::Converged => "converged",
            Ended::MaxRuns => "max_runs",
            Ended::BelowLevel => "below_level",
            Ended::AboveLevel => "above_level",
            Ended::NonMonotone => "non_monotone",
        }
    }

    /// Whether the search gives a boundary at all.
    pub fn has_boundary(self) -> bool {
        matches!(self, Ended::Converged | Ended::MaxRuns)
    }
}

/// The `ended` value of a point whose search has not finished yet.
pub const UNFINISHED: &str = "unfinished";

/// One completed probe.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Probe {
    pub value: f64,
    /// Its runs' replicate indices start here (earlier probes at the same
    /// value used the ones below), so no two runs share an identity.
    pub first_replicate: u64,
    /// Runs whose event could be told, events among them, and the rest
    /// (failed runs, undefined nulls).
    pub told: u64,
    pub events: u64,
    pub untold: u64,
}

/// A boundary in axis units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Boundary {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
}

/// An axis value as the sentences and `status` write it: four significant
/// digits, enough to tell a boundary from its interval's ends.
pub fn axis_text(x: f64) -> String {
    let digits = format!("{x:.3e}").parse::<f64>().unwrap_or(x);
    crate::value::float_text(digits)
}

/// What to do next at a point.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    /// Run this probe: `replicates` runs from `first_replicate` on.
    Probe {
        value: f64,
        first_replicate: u64,
    },
    Ended(Ended),
}

/// Where a point's search stands.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub probes: Vec<Probe>,
    /// The current boundary (`None` before two probes, and when the search
    /// ended without one).
    pub boundary: Option<Boundary>,
    pub next: Next,
    /// Of the next probe, the replicates not yet committed.
    pub missing: Vec<u64>,
}

impl Progress {
    /// Runs used, failed ones included.
    pub fn runs(&self) -> u64 {
        self.probes.iter().map(|p| p.told + p.untold).sum()
    }
}

/// What a committed run says: `None` when it is not committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// Failed, or its value cannot tell the event.
    Untold,
    Told(bool),
}

impl Search {
    /// The worst-case runs at one point: whole probes within `max_runs`.
    pub fn worst_case_runs(&self, replicates: u64) -> u64 {
        self.max_runs / replicates * replicates
    }

    fn to_unit(&self, x: f64) -> f64 {
        (x - self.range.0) / (self.range.1 - self.range.0)
    }

    fn at_unit(&self, u: f64) -> f64 {
        self.range.0 + u * (self.range.1 - self.range.0)
    }

    /// A probe value as it will be written: a whole number on an integer
    /// axis; else on a decimal grid finer than a fifth of the tolerance,
    /// rounded like generated axis values, so the run's identity is the
    /// same on every machine and in every replay.
    pub fn probe_value(&self, x: f64) -> f64 {
        let x = x.clamp(self.range.0, self.range.1);
        if self.integer {
            return x.round().clamp(self.range.0.ceil(), self.range.1.floor());
        }
        let step = 10f64.powf((self.tolerance / 5.0).log10().floor());
        crate::sweep::axis::as_written((x / step).round() * step).clamp(self.range.0, self.range.1)
    }
}

/// The next step of a point's search from its completed probes alone.
pub fn decide(search: &Search, replicates: u64, probes: &[Probe]) -> (Option<Boundary>, Next) {
    let first = |value: f64| probes.iter().filter(|p| p.value == value).map(|p| p.told + p.untold).sum();
    let probe = |value: f64| Next::Probe { value, first_replicate: first(value) };
    let (lo, hi) = (search.probe_value(search.range.0), search.probe_value(search.range.1));
    match probes.len() {
        0 => return (None, probe(lo)),
        1 => return (None, probe(hi)),
        _ => {}
    }
    let at = |value: f64| {
        probes.iter().filter(|p| p.value == value).fold((0, 0), |(e, n), p| (e + p.events, n + p.told))
    };
    let ((lo_events, lo_runs), (hi_events, hi_runs)) = (at(lo), at(hi));
    match (fit::side(lo_events, lo_runs, search.level), fit::side(hi_events, hi_runs, search.level)) {
        (Side::Below, Side::Below) => return (None, Next::Ended(Ended::BelowLevel)),
        (Side::Above, Side::Above) => return (None, Next::Ended(Ended::AboveLevel)),
        _ => {}
    }
    let counts: Vec<Count> = probes
        .iter()
        .map(|p| Count { at: search.to_unit(p.value), runs: p.told, events: p.events })
        .collect();
    let width = search.range.1 - search.range.0;
    let crossing = fit::crossing(&counts, search.level, 200.0 * width / search.tolerance);
    if fit::reversal(&counts, crossing.direction).is_some() {
        return (None, Next::Ended(Ended::NonMonotone));
    }
    let mut boundary = Boundary {
        estimate: search.at_unit(crossing.estimate),
        lower: search.at_unit(crossing.lower),
        upper: search.at_unit(crossing.upper),
    };
    if search.integer {
        // An interval in whole numbers: outward to the integers around it.
        boundary.lower = boundary.lower.floor().max(search.range.0.ceil());
        boundary.upper = boundary.upper.ceil().min(search.range.1.floor());
    }
    let used: u64 = probes.iter().map(|p| p.told + p.untold).sum();
    let next = if boundary.upper - boundary.lower <= search.tolerance {
        Next::Ended(Ended::Converged)
    } else if used + replicates > search.max_runs {
        Next::Ended(Ended::MaxRuns)
    } else {
        probe(search.probe_value(boundary.estimate))
    };
    (Some(boundary), next)
}

/// Replays a point's search from what is committed: `lookup(value,
/// replicate)` says what the run of this point at that axis value and
/// replicate recorded, `None` when it is not committed. Stops at the first
/// probe with missing runs, which is the one to run next.
pub fn replay(search: &Search, replicates: u64, lookup: impl Fn(f64, u64) -> Option<RunState>) -> Progress {
    let mut probes = Vec::new();
    loop {
        let (boundary, next) = decide(search, replicates, &probes);
        let Next::Probe { value, first_replicate } = next else {
            return Progress { probes, boundary, next, missing: Vec::new() };
        };
        let mut probe = Probe { value, first_replicate, told: 0, events: 0, untold: 0 };
        let mut missing = Vec::new();
        for replicate in first_replicate..first_replicate + replicates {
            match lookup(value, replicate) {
                None => missing.push(replicate),
                Some(RunState::Untold) => probe.untold += 1,
                Some(RunState::Told(event)) => {
                    probe.told += 1;
                    probe.events += u64::from(event);
                }
            }
        }
        if !missing.is_empty() {
            return Progress { probes, boundary, next, missing };
        }
        probes.push(probe);
    }
}

#[cfg(test)]
mod tests;
