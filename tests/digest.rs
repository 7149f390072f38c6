//! Value-for-value digests of fixed sweeps, one line per (table, column).
//!
//! The sweeps in `tests/digest/*.toml` (every parameter written out, so a
//! change of a default does not move them) are run by the real binary; each
//! table is read back, its rows sorted by `(run_id, generation)` so that the
//! thread count and the order of parts do not matter, and every column's
//! values are hashed in that order with a canonical encoding (FNV-1a 64 over
//! the column's Arrow type, then per cell a tag byte, 0 for null, and the
//! value's little-endian bytes: floats by their bit pattern, strings length
//! first). `elapsed_ms` is left out: it is a timing. The digests must equal
//! `tests/digest/expected.txt` with 1 thread, with 2 threads and small
//! checkpoints (many parts), and when the sweep is run as two shards.
//!
//! Why per column: a change that means to alter one column (a new theory
//! column, a corrected formula) then shows in review as exactly those
//! lines, and a change that means to alter nothing (performance work on a
//! scenario or the writer) must leave every line as it is. On a mismatch
//! the test names the lines that moved.
//!
//! The expected digests were recorded from the code itself; their
//! independent reason is the promise that the same sweep gives the same
//! numbers across versions (see also `tests/stability.rs`). To re-record
//! after an intended change, run
//!
//! ```sh
//! AVALANCHE_BLESS=1 cargo test --release --test digest
//! ```
//!
//! which rewrites `tests/digest/expected.txt` from a 1-thread run; then read
//! its diff: every changed line is a column whose values changed.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Float64Type, Int64Type, UInt64Type};

use common::{parts, read_file, run_in};

/// The sweeps, by the stem of their file in `tests/digest/`.
const SWEEPS: &[&str] = &["addition", "addition-cot", "empty", "gaussian", "linreg", "network"];
/// Columns whose values legitimately differ between runs of the same sweep.
const SKIPPED: &[&str] = &["elapsed_ms"];
const TABLES: &[&str] = &["runs", "generations"];
/// The environment variable that rewrites the expected file.
const BLESS: &str = "AVALANCHE_BLESS";

fn digest_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("digest")
}

fn expected_path() -> PathBuf {
    digest_dir().join("expected.txt")
}

/// FNV-1a 64, spelled out so the digests do not depend on `std::hash`.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[test]
fn fnv_matches_the_published_test_vector() {
    // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (Fowler, Noll, Vo reference values).
    let mut h = Fnv::new();
    h.bytes(b"a");
    assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c);
}

/// Hashes cell `row` of `array` into `h`.
fn cell(h: &mut Fnv, array: &dyn Array, row: usize) {
    if array.is_null(row) {
        h.bytes(&[0]);
        return;
    }
    h.bytes(&[1]);
    match array.data_type() {
        DataType::UInt64 => h.bytes(&array.as_primitive::<UInt64Type>().value(row).to_le_bytes()),
        DataType::Int64 => h.bytes(&array.as_primitive::<Int64Type>().value(row).to_le_bytes()),
        DataType::Float64 => h.bytes(&array.as_primitive::<Float64Type>().value(row).to_bits().to_le_bytes()),
        DataType::Boolean => h.bytes(&[array.as_boolean().value(row) as u8]),
        DataType::Utf8 => {
            let s = array.as_string::<i32>().value(row);
            h.bytes(&(s.len() as u64).to_le_bytes());
            h.bytes(s.as_bytes());
        }
        other => panic!("the digest has no encoding for {other}"),
    }
}

/// The lines of one table: its row count and one digest per column.
fn table_digests(dataset: &Path, label: &str, table: &str, lines: &mut BTreeMap<String, String>) {
    let batches: Vec<RecordBatch> = parts(dataset, table).iter().flat_map(|path| read_file(path).1).collect();
    let Some(first) = batches.first() else {
        lines.insert(format!("{label}/{table} (rows)"), "0".to_string());
        return;
    };
    let schema = first.schema();
    assert!(batches.iter().all(|b| b.schema() == schema), "{label}/{table}: parts disagree on the schema");
    // (run_id, generation, batch, row): a stable order whatever wrote the parts.
    let mut order: Vec<(u64, i64, usize, usize)> = Vec::new();
    for (b, batch) in batches.iter().enumerate() {
        let run_ids = batch.column_by_name("run_id").expect("run_id").as_primitive::<UInt64Type>();
        let generations = batch.column_by_name("generation").map(|c| c.as_primitive::<Int64Type>());
        for row in 0..batch.num_rows() {
            let generation = generations.map_or(-1, |g| g.value(row));
            order.push((run_ids.value(row), generation, b, row));
        }
    }
    order.sort_unstable();
    let duplicate = order.windows(2).find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1));
    assert!(duplicate.is_none(), "{label}/{table}: a row is written twice: {duplicate:?}");
    lines.insert(format!("{label}/{table} (rows)"), order.len().to_string());
    for (i, field) in schema.fields().iter().enumerate() {
        if SKIPPED.contains(&field.name().as_str()) {
            continue;
        }
        let mut h = Fnv::new();
        h.bytes(field.data_type().to_string().as_bytes());
        for &(_, _, b, row) in &order {
            cell(&mut h, batches[b].column(i).as_ref(), row);
        }
        lines.insert(format!("{label}/{table} {}", field.name()), format!("{:016x}", h.0));
    }
}

/// Runs every sweep once per argument list in `invocations` (all into the
/// same results root, as shards do) and digests the datasets.
fn digests(invocations: &[&[&str]]) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut lines = BTreeMap::new();
    for sweep in SWEEPS {
        let file = digest_dir().join(format!("{sweep}.toml"));
        for extra in invocations {
            let mut args = vec!["run", file.to_str().expect("utf-8 path"), "-o", "out"];
            args.extend_from_slice(extra);
            let output = run_in(dir.path(), &args);
            // `empty` has failing runs by design (exit 1); the rest must succeed.
            let expected = if *sweep == "empty" { 1 } else { 0 };
            assert_eq!(
                output.status.code(),
                Some(expected),
                "{sweep} {extra:?}: stderr:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let dataset = dir.path().join("out").join(format!("digest-{sweep}"));
        for table in TABLES {
            table_digests(&dataset, sweep, table, &mut lines);
        }
    }
    lines
}

fn render(lines: &BTreeMap<String, String>) -> String {
    let mut text = String::from(
        "# Digests of the sweeps in tests/digest/*.toml: `sweep/table column digest`,\n\
         # written by tests/digest.rs. Regenerate with\n\
         #   AVALANCHE_BLESS=1 cargo test --release --test digest\n\
         # and review which lines moved.\n",
    );
    for (key, value) in lines {
        text.push_str(&format!("{key} {value}\n"));
    }
    text
}

fn parse(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (key, value) = l.rsplit_once(' ').unwrap_or_else(|| panic!("bad line in expected.txt: {l}"));
            (key.to_string(), value.to_string())
        })
        .collect()
}

fn blessing() -> bool {
    std::env::var_os(BLESS).is_some_and(|v| v == "1")
}

/// The reference digests: the checked-in file, or, while blessing, a fresh
/// 1-thread run (the file is being rewritten by another test).
fn reference() -> BTreeMap<String, String> {
    if blessing() {
        return digests(&[&["--threads", "1"]]);
    }
    let text = std::fs::read_to_string(expected_path())
        .unwrap_or_else(|e| panic!("{}: {e}; create it with {BLESS}=1", expected_path().display()));
    parse(&text)
}

/// Panics naming every line that differs.
fn assert_same(what: &str, expected: &BTreeMap<String, String>, actual: &BTreeMap<String, String>) {
    let mut report = Vec::new();
    for (key, value) in expected {
        match actual.get(key) {
            None => report.push(format!("  gone:  {key} (was {value})")),
            Some(v) if v != value => report.push(format!("  moved: {key}: expected {value}, got {v}")),
            Some(_) => {}
        }
    }
    for (key, value) in actual {
        if !expected.contains_key(key) {
            report.push(format!("  new:   {key} {value}"));
        }
    }
    assert!(
        report.is_empty(),
        "{what}: {} of {} digest lines differ from tests/digest/expected.txt:\n{}\n\
         If the change is intended, regenerate with `{BLESS}=1 cargo test --release --test digest` \
         and review the diff: each moved line is a (table, column) whose values changed.",
        report.len(),
        expected.len(),
        report.join("\n")
    );
}

#[test]
fn one_thread_matches_the_checked_in_digests() {
    let actual = digests(&[&["--threads", "1"]]);
    if blessing() {
        std::fs::write(expected_path(), render(&actual)).expect("write expected.txt");
        eprintln!("{BLESS}=1: rewrote {}", expected_path().display());
        return;
    }
    assert_same("--threads 1", &reference(), &actual);
}

#[test]
fn two_threads_and_many_parts_give_the_same_digests() {
    let actual = digests(&[&["--threads", "2", "--checkpoint-every", "5"]]);
    assert_same("--threads 2 --checkpoint-every 5", &reference(), &actual);
}

#[test]
fn two_shards_give_the_same_digests() {
    let actual = digests(&[&["--threads", "1", "--shard", "0/2"], &["--threads", "2", "--shard", "1/2"]]);
    assert_same("--shard 0/2 and 1/2", &reference(), &actual);
}
