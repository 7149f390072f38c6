//! Shards: a deterministic partition of a sweep's runs across processes,
//! for Slurm job arrays and other multi-node use.

use std::fmt;
use std::str::FromStr;

/// Shard `index` of `count` (0-based): the runs whose index is congruent to
/// `index` modulo `count`. Round-robin keeps shards balanced when the cost
/// of a run varies along the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// The whole sweep as one shard.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// How many of a sweep's `total` runs belong to this shard.
    pub fn runs_in(&self, total: u64) -> u64 {
        total / self.count + u64::from(total % self.count > self.index)
    }

    /// Whether run `run_index` belongs to this shard.
    pub fn contains(&self, run_index: u64) -> bool {
        run_index % self.count == self.index
    }

    /// The tag in part-file names, e.g. `s2of4`.
    pub fn tag(&self) -> String {
        format!("s{}of{}", self.index, self.count)
    }

    /// The shard a Slurm array task stands for, from `SLURM_ARRAY_TASK_ID`
    /// and `SLURM_ARRAY_TASK_COUNT` (with `SLURM_ARRAY_TASK_MIN` subtracted,
    /// so arrays that start at 1 work too). `None` outside an array.
    pub fn from_slurm(env: impl Fn(&str) -> Option<String>) -> Result<Option<Shard>, String> {
        let (Some(id), Some(count)) = (env("SLURM_ARRAY_TASK_ID"), env("SLURM_ARRAY_TASK_COUNT")) else {
            return Ok(None);
        };
        let parse = |name: &str, v: &str| {
            v.trim().parse::<u64>().map_err(|_| format!("{name}={v:?} is not a non-negative integer"))
        };
        let id = parse("SLURM_ARRAY_TASK_ID", &id)?;
        let count = parse("SLURM_ARRAY_TASK_COUNT", &count)?;
        let min = match env("SLURM_ARRAY_TASK_MIN") {
            Some(m) => parse("SLURM_ARRAY_TASK_MIN", &m)?,
            None => 0,
        };
        let index = id.checked_sub(min).ok_or("SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN")?;
        Shard::new(index, count).map(Some)
    }

    /// A validated shard.
    pub fn new(index: u64, count: u64) -> Result<Shard, String> {
        if count == 0 || index >= count {
            return Err(format!("shard {index}/{count} does not exist: need 0 <= I < N"));
        }
        Ok(Shard { index, count })
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `I/N`, e.g. `0/4`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (i, n) = s.split_once('/').ok_or_else(|| format!("shard {s:?} must look like I/N, e.g. 0/4"))?;
        let i = i.trim().parse().map_err(|_| format!("shard index {i:?} is not a number"))?;
        let n = n.trim().parse().map_err(|_| format!("shard count {n:?} is not a number"))?;
        Shard::new(i, n)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_runs() {
        let shards: Vec<Shard> = (0..4).map(|i| Shard::new(i, 4).unwrap()).collect();
        for run in 0..100 {
            assert_eq!(shards.iter().filter(|s| s.contains(run)).count(), 1);
        }
        for total in [0, 1, 5, 101] {
            let counted: Vec<u64> =
                shards.iter().map(|s| (0..total).filter(|&r| s.contains(r)).count() as u64).collect();
            assert_eq!(shards.iter().map(|s| s.runs_in(total)).collect::<Vec<_>>(), counted);
        }
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!("1/4".parse::<Shard>(), Ok(Shard { index: 1, count: 4 }));
        assert!("4/4".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }

    #[test]
    fn reads_slurm_arrays_starting_at_one() {
        let env = |k: &str| match k {
            "SLURM_ARRAY_TASK_ID" => Some("3".to_string()),
            "SLURM_ARRAY_TASK_COUNT" => Some("4".to_string()),
            "SLURM_ARRAY_TASK_MIN" => Some("1".to_string()),
            _ => None,
        };
        assert_eq!(Shard::from_slurm(env), Ok(Some(Shard { index: 2, count: 4 })));
        assert_eq!(Shard::from_slurm(|_| None), Ok(None));
    }
}
