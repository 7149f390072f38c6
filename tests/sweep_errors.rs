//! Bad sweep files: every error names the file, the line and column where
//! TOML gives them, and the key; nothing is written; nothing panics, even
//! on thousands of mutated files.

mod common;

use std::path::Path;

use common::*;
use proptest::prelude::*;

/// (what is wrong, file text, fragments the message must contain).
const CASES: &[(&str, &str, &[&str])] = &[
    (
        "unknown top-level key",
        "name = \"a\"\nscenario = \"empty\"\nseed = 1\nreplicate = 3\n",
        &["bad.toml:4:1:", "unknown key `replicate`", "did you mean `replicates`?", "valid top-level keys"],
    ),
    (
        "unknown parameter",
        "name = \"a\"\nscenario = \"empty\"\nseed = 1\nreplicates = 3\n[grid]\nspinn = [1, 2]\n",
        &["bad.toml:6:1:", "unknown parameter `spinn`", "did you mean `spin`?", "valid parameters: x, spin"],
    ),
    (
        "unknown scenario",
        "name = \"a\"\nscenario = \"gausian\"\nseed = 1\nreplicates = 3\n",
        &["bad.toml:2:12:", "unknown scenario `gausian`", "did you mean `gaussian`?"],
    ),
    (
        "wrong type",
        "name = \"a\"\nscenario = \"empty\"\nseed = 1\nreplicates = 3\n[params]\nspin = \"ten\"\n",
        &["bad.toml:6:8:", "`spin` must be int >= 0, found a string"],
    ),
    (
        "out of range",
        "name = \"a\"\nscenario = \"empty\"\nseed = 1\nreplicates = 3\n[grid]\nfail_above = [0.5, -0.1]\n",
        &["bad.toml:6:20:", "`fail_above` must be float in [0, 1], got -0.1"],
    ),
    ("zero replicates", "name = \"a\"\nscenario = \"empty\"\nseed = 1\nreplicates = 0\n", &["bad.toml:4:14:", "`replicates` must be an integer >= 1"]),
    (
        "empty axis",
        "name = \"a\"\nscenario = \"empty\"\nseed = 1\nreplicates = 3\n[grid]\nx = []\n",
        &["bad.toml:6:5:", "axis `x` is empty"],
    ),
    (
        "unequal zip",
        "name = \"a\"\nscenario = \"empty\"\nseed = 1\nreplicates = 3\n[[zip]]\nx = [1.0, 2.0]\nspin = [1, 2, 3]\n",
        &["bad.toml:7:8:", "equal length", "`spin` has 3 values but `x` has 2"],
    ),
    (
        "repeated zip tuple",
        "name = \"a\"\nscenario = \"empty\"\nseed = 1\nreplicates = 3\n[[zip]]\nx = [1.0, 2.0, 1.0]\nspin = [1, 2, 1]\n",
        &["bad.toml:5:", "[[zip]] repeats the tuple (x, spin) = (1, 1): entries 1 and 3"],
    ),
    (
        "set twice",
        "name = \"a\"\nscenario = \"empty\"\nseed = 1\nreplicates = 3\n[params]\nspin = 1\n[grid]\nspin = [1, 2]\n",
        &["bad.toml:8:1:", "`spin` is set twice (first at line 6)"],
    ),
    ("missing key", "name = \"a\"\nscenario = \"empty\"\nreplicates = 3\n", &["bad.toml:", "missing required key `seed`"]),
    ("invalid toml", "name = \"a\"\nscenario = \"empty\"\nseed = = 1\n", &["bad.toml:3:", "invalid TOML"]),
    (
        "too many runs",
        "name = \"a\"\nscenario = \"empty\"\nseed = 1\nreplicates = 1000\n[grid]\nx = { linspace = [0, 1], num = 20000 }\n",
        &["bad.toml:", "20000000 runs, more than the limit of 10000000", "--max-runs"],
    ),
    (
        "generator typo",
        "name = \"a\"\nscenario = \"empty\"\nseed = 1\nreplicates = 3\n[grid]\nx = { linspace = [0, 1], nmu = 3 }\n",
        &["bad.toml:6:26:", "unknown key `nmu`", "did you mean `num`?"],
    ),
    (
        "list in params",
        "name = \"a\"\nscenario = \"empty\"\nseed = 1\nreplicates = 3\n[params]\nx = [1.0, 2.0]\n",
        &["bad.toml:6:5:", "move it to [grid]"],
    ),
];

#[test]
fn bad_files_get_located_errors_and_no_output() {
    for (what, text, fragments) in CASES {
        let ws = workspace(&[("bad.toml", text)]);
        let output = run_in(ws.path(), &["run", "bad.toml"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
        for fragment in *fragments {
            assert!(stderr.contains(fragment), "{what}: expected {fragment:?} in:\n{stderr}");
        }
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        assert!(!ws.path().join("results").exists(), "{what}: output was written");
    }
}

#[test]
fn max_runs_can_be_lowered() {
    let ws = workspace(&[("s.toml", "name = \"a\"\nscenario = \"empty\"\nseed = 1\nreplicates = 11\n")]);
    let output = run_in(ws.path(), &["plan", "s.toml", "--max-runs", "10"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("s.toml: the sweep expands to 11 runs"));
}

#[test]
fn a_missing_file_is_named() {
    let output = avalanche().args(["plan", "no/such/sweep.toml"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no/such/sweep.toml: cannot read the sweep file")
    );
}

const SEED_FILE: &str = r#"name = "fuzz"
scenario = "empty"
seed = 7
replicates = 3
generations = 2

[grid]
x = { logspace = [1e-3, 1e-1], num = 5 }
spin = { range = [0, 30, 10] }

[params]
fail_above = 0.5

[[zip]]
panic_above = [0.9, 1.0]
"#;

/// Pieces a mutation may splice in: TOML syntax, keys, odd numbers.
const FRAGMENTS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "=",
    "\"",
    "'",
    ",",
    "\n",
    "#",
    ".",
    "-",
    "[[zip]]",
    "[grid]",
    "[params]",
    "num",
    "logspace",
    "linspace",
    "range",
    "x",
    "spin",
    "scenario",
    "seed",
    "replicates",
    "generations",
    "0",
    "-1",
    "1e308",
    "nan",
    "inf",
    "9223372036854775807",
    "18446744073709551616",
    "0.0",
    "true",
    "\"linreg\"",
    "\"gaussian\"",
    "[]",
    "{ range = [0, 1e9, 1e-9] }",
    "{ linspace = [0, 1], num = 99999999 }",
    "é",
    "\u{0}",
    "1979-05-27",
];

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, usize),
    Delete(usize, usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut s = text.to_string();
    for edit in edits {
        let boundary = |s: &str, at: usize| {
            let mut at = at % (s.len() + 1);
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        match *edit {
            Edit::Insert(at, fragment) => {
                let at = boundary(&s, at);
                s.insert_str(at, FRAGMENTS[fragment % FRAGMENTS.len()]);
            }
            Edit::Delete(at, len) => {
                let start = boundary(&s, at);
                let end = boundary(&s, start + len % 12);
                if end > start {
                    s.replace_range(start..end, "");
                }
            }
            Edit::DuplicateLine(line) | Edit::SwapLines(line, _) if s.lines().count() == 0 => {
                let _ = line;
            }
            Edit::DuplicateLine(line) => {
                let mut lines: Vec<&str> = s.lines().collect();
                let line = line % lines.len();
                lines.insert(line, lines[line]);
                s = lines.join("\n");
            }
            Edit::SwapLines(a, b) => {
                let mut lines: Vec<&str> = s.lines().collect();
                let (a, b) = (a % lines.len(), b % lines.len());
                lines.swap(a, b);
                s = lines.join("\n");
            }
        }
    }
    s
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(a, f)| Edit::Insert(a, f)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, l)| Edit::Delete(a, l)),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
    ]
}

proptest! {
    // 10,000 mutated files per CI run: the parser must never panic, and
    // every error it returns must name the file.
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn mutated_sweep_files_never_panic_and_errors_name_the_file(edits in proptest::collection::vec(edit(), 1..6)) {
        let text = apply(SEED_FILE, &edits);
        match avalanche::sweep::parse(Path::new("fuzz.toml"), &text, 100_000) {
            Ok(sweep) => prop_assert!(sweep.runs() <= 100_000),
            Err(e) => prop_assert!(e.to_string().starts_with("fuzz.toml"), "{}", e),
        }
    }
}

#[test]
fn the_fuzz_seed_file_itself_is_valid() {
    // Mutations start from a valid file, so the fuzz explores near-valid input.
    let sweep = avalanche::sweep::parse(Path::new("fuzz.toml"), SEED_FILE, 100_000).unwrap();
    assert_eq!(sweep.runs(), 5 * 3 * 2 * 3);
}

#[test]
fn every_shipped_sweep_is_valid() {
    // The sweeps in sweeps/ are what a newcomer runs first: each must pass
    // validation as the binary reads it (sector.toml's `samples` axis is
    // inert under `none` on purpose: those runs are `none`'s replicates).
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sweeps");
    let mut checked = 0;
    let files = std::fs::read_dir(&dir).unwrap().chain(std::fs::read_dir(dir.join("claims")).unwrap());
    for entry in files {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let out = avalanche().arg("plan").arg(&path).output().unwrap();
            let said =
                format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            assert!(out.status.success(), "{}: {said}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} sweeps found");
}
