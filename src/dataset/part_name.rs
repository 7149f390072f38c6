//! The name of a part file, formatted and parsed here and nowhere else, so
//! that the writer that names a part, the clean-up that spares a live
//! writer's parts, and `status` that counts shards read one definition.
//!
//! A runs or generations part is `part-s<I>of<N>-w<WW>-<NNNNNN>.parquet`:
//! shard `I` of `N`, the shard's worker `WW` (at least two digits) and the
//! worker's part number (at least six). Writers before per-worker writers
//! left `part-s<I>of<N>-<NNNNNN>.parquet`, read here as a part without a
//! worker. A boundaries part is `part-s<I>of<N>.parquet`, one per shard.

use std::fmt;

use crate::engine::shard::Shard;

/// Every part name starts with this.
const PREFIX: &str = "part-";
/// Every part name ends with this.
pub const EXTENSION: &str = ".parquet";

/// One runs or generations part's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartName {
    /// The shard whose writer wrote it.
    pub shard: Shard,
    /// The writer (worker) within the shard; `None` in names written before
    /// each worker had its own writer.
    pub worker: Option<usize>,
    /// The writer's part number, counting from 0.
    pub number: u64,
}

impl fmt::Display for PartName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", shard_prefix(self.shard))?;
        if let Some(worker) = self.worker {
            write!(f, "w{worker:02}-")?;
        }
        write!(f, "{:06}{EXTENSION}", self.number)
    }
}

impl PartName {
    /// The part name of a file name, or `None` when it is not one (a hidden
    /// temporary file, a part copied in under another name).
    pub fn parse(name: &str) -> Option<PartName> {
        let (shard, rest) = parse_shard(name)?;
        let rest = rest.strip_prefix('-')?.strip_suffix(EXTENSION)?;
        let (worker, number) = match rest.split_once('-') {
            Some((worker, number)) => (Some(digits(worker.strip_prefix('w')?)?), number),
            None => (None, rest),
        };
        Some(PartName { shard, worker: worker.map(|w| w as usize), number: digits(number)? })
    }

    /// The start shared by every name worker `worker` of `shard` writes.
    pub fn writer_prefix(shard: Shard, worker: usize) -> String {
        format!("{}w{worker:02}-", shard_prefix(shard))
    }
}

/// The start of every part name shard `shard` writes (`part-s0of4-`).
pub fn shard_prefix(shard: Shard) -> String {
    format!("{PREFIX}{}-", shard.tag())
}

/// Shard `shard`'s part of the boundaries table (`part-s0of4.parquet`).
pub fn boundaries_part(shard: Shard) -> String {
    format!("{PREFIX}{}{EXTENSION}", shard.tag())
}

/// Whether `name` looks like a committed part of any kind: what the
/// clean-up may remove as an orphan, never a file of someone else's.
pub fn is_part(name: &str) -> bool {
    name.starts_with(PREFIX) && name.ends_with(EXTENSION)
}

/// The shard a part name's `part-s<I>of<N>` start names, and the rest.
fn parse_shard(name: &str) -> Option<(Shard, &str)> {
    let rest = name.strip_prefix(PREFIX)?.strip_prefix('s')?;
    let (index, rest) = rest.split_once("of")?;
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let (count, rest) = rest.split_at(end);
    let shard = Shard { index: digits(index)?, count: digits(count)? };
    (shard.index < shard.count).then_some((shard, rest))
}

/// A run of ASCII digits as a number; `None` for anything else.
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(index: u64, count: u64) -> Shard {
        Shard { index, count }
    }

    #[test]
    fn a_name_formats_as_the_writer_always_named_parts() {
        // The names of datasets on disk: the format may not drift.
        let name = PartName { shard: shard(2, 4), worker: Some(1), number: 3 };
        assert_eq!(name.to_string(), "part-s2of4-w01-000003.parquet");
        let old = PartName { shard: shard(0, 1), worker: None, number: 12 };
        assert_eq!(old.to_string(), "part-s0of1-000012.parquet");
        assert_eq!(boundaries_part(shard(1, 3)), "part-s1of3.parquet");
        assert!(name.to_string().starts_with(&PartName::writer_prefix(shard(2, 4), 1)));
        assert!(name.to_string().starts_with(&shard_prefix(shard(2, 4))));
    }

    #[test]
    fn formatting_and_parsing_round_trip() {
        for shard in [shard(0, 1), shard(3, 4), shard(11, 12)] {
            for worker in [None, Some(0), Some(7), Some(123)] {
                for number in [0, 9, 999_999, 1_000_000, u64::MAX] {
                    let name = PartName { shard, worker, number };
                    assert_eq!(PartName::parse(&name.to_string()), Some(name), "{name}");
                }
            }
        }
    }

    #[test]
    fn what_is_not_a_part_name_is_refused() {
        for name in [
            ".part-s0of1-w00-000001.parquet.123-abcd.tmp",
            "part-s0of1-w00-000001.parquet.tmp",
            "part-00000.parquet",
            "part-s0of1.parquet",
            "part-s1of1-w00-000001.parquet",
            "part-s0of-w00-000001.parquet",
            "part-s0of1-wx-000001.parquet",
            "part-s0of1-w00-.parquet",
            "part-s0of1-w00-+1.parquet",
            "notes.parquet",
        ] {
            assert_eq!(PartName::parse(name), None, "{name}");
        }
        assert!(is_part("part-00000.parquet"));
        assert!(!is_part(".part-s0of1-w00-000001.parquet.1-a.tmp"));
    }
}
