//! A newcomer's first hour, through the real binary: generated
//! axes give the values a person would write, every argument has help,
//! listings fit a terminal, and messages say what to do.

mod common;

use std::path::Path;

use common::*;

fn sweep_file(body: &str) -> String {
    format!("name = \"n\"\nscenario = \"empty\"\nseed = 5\nreplicates = 2\n{body}")
}

/// The distinct values of one column of the runs table, as text, sorted.
fn column_values(dataset: &Path, column: &str) -> Vec<String> {
    let first = parts(dataset, "runs").into_iter().next().expect("a part");
    let (schema, _, _) = read_file(&first);
    let index = schema.index_of(column).expect("column");
    let mut values: Vec<String> =
        table_rows(dataset, "runs", &[]).into_iter().map(|r| r[index].clone()).collect();
    values.sort_by(|a, b| a.parse::<f64>().unwrap().total_cmp(&b.parse::<f64>().unwrap()));
    values.dedup();
    values
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn generated_axes_store_the_values_a_person_would_write() {
    // The README's own example axis, plus linspace and range in tenths:
    // every value must be the float of the decimal a person would type
    // (Arrow prints the shortest text that reads back as the same float, so
    // "0.01" here means exactly the float 0.01, which a query
    // `WHERE x = 0.01` matches).
    let cases = [
        (
            "{ logspace = [1e-3, 1e-1], num = 5 }",
            vec!["0.001", "0.00316227766017", "0.01", "0.0316227766017", "0.1"],
        ),
        (
            "{ logspace = [1e-6, 1.0], num = 7 }",
            vec!["0.000001", "0.00001", "0.0001", "0.001", "0.01", "0.1", "1.0"],
        ),
        (
            "{ linspace = [0.0, 1.0], num = 11 }",
            vec!["0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"],
        ),
        ("{ linspace = [0.1, 0.2], num = 3 }", vec!["0.1", "0.15", "0.2"]),
        ("{ range = [0.0, 0.5, 0.1] }", vec!["0.0", "0.1", "0.2", "0.3", "0.4"]),
    ];
    for (axis, expected) in cases {
        let ws = workspace(&[("n.toml", &sweep_file(&format!("[grid]\nx = {axis}\n")))]);
        ok(run_in(ws.path(), &["run", "n.toml", "-o", "out", "-j", "1"]));
        let got = column_values(&ws.path().join("out/n"), "x");
        let want: Vec<String> = expected.iter().map(|v| v.to_string()).collect();
        // Compare as floats parsed from the literals, not as text.
        let as_floats = |v: &[String]| v.iter().map(|s| s.parse::<f64>().unwrap()).collect::<Vec<_>>();
        assert_eq!(as_floats(&got), as_floats(&want), "{axis}");
    }
}

#[test]
fn integer_parameters_take_whole_numbers_however_written_and_round_generated_ones() {
    let ws = workspace(&[(
        "n.toml",
        &sweep_file("[grid]\nspin = [2.0, 4]\ngenerations = { logspace = [1, 100], num = 3 }\n"),
    )]);
    ok(run_in(ws.path(), &["run", "n.toml", "-o", "out"]));
    assert_eq!(column_values(&ws.path().join("out/n"), "spin"), ["2", "4"]);
    assert_eq!(column_values(&ws.path().join("out/n"), "generations"), ["1", "10", "100"]);

    let ws = workspace(&[("n.toml", &sweep_file("[grid]\nspin = { logspace = [1, 10], num = 20 }\n"))]);
    let output = run_in(ws.path(), &["plan", "n.toml"]);
    assert!(
        stderr(&output).contains("once its generated values are rounded to integers"),
        "{}",
        stderr(&output)
    );

    let ws = workspace(&[("n.toml", &sweep_file("[grid]\nspin = [2.5]\n"))]);
    let output = run_in(ws.path(), &["plan", "n.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("n.toml:6:9: `spin` must be int >= 0, found 2.5 (not a whole number)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn sweep_file_mistakes_say_how_to_fix_them() {
    let cases = [
        // A scenario parameter at the top level.
        (
            "name = \"n\"\nscenario = \"empty\"\nseed = 5\nreplicates = 2\nspin = 50\n",
            "n.toml:5:1: `spin` is a parameter of scenario `empty`: put it under [params]",
        ),
        // A seed beyond TOML's signed 64-bit integers.
        (
            "name = \"n\"\nscenario = \"empty\"\nseed = 9223372036854775808\nreplicates = 2\n",
            "n.toml:3:8: `seed` must be at most 9223372036854775807",
        ),
    ];
    for (text, expected) in cases {
        let ws = workspace(&[("n.toml", text)]);
        let output = run_in(ws.path(), &["plan", "n.toml"]);
        assert_eq!(output.status.code(), Some(2));
        assert!(stderr(&output).contains(expected), "{}", stderr(&output));
    }
    let ws = workspace(&[("n.toml", &sweep_file("[grid]\nx = { linspace = [0, 1], num = 3 }\n"))]);
    let output = run_in(ws.path(), &["plan", "n.toml", "--max-runs", "0"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("0 is not in 1.."), "{}", stderr(&output));
    let output = run_in(ws.path(), &["plan", "n.toml", "--max-runs", "2"]);
    assert!(
        stderr(&output).contains("`num` = 3 gives more values than the run limit of 2"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn checkpoints_take_hours_and_short_flags_work() {
    let ws = workspace(&[("n.toml", &sweep_file(""))]);
    let stdout =
        ok(run_in(ws.path(), &["run", "n.toml", "-o", "out", "-j", "1", "--checkpoint-every", "1h"]));
    assert!(stdout.contains("ran 2 runs") && stdout.contains("on 1 thread ("), "{stdout}");
    // The summary says what to do next, in a form that works as printed:
    // started by path (as here, by the test), the binary's path.
    let binary = env!("CARGO_BIN_EXE_avalanche");
    assert!(stdout.contains(&format!("Next: {binary} report out/n")), "{stdout}");
    let next = stdout.lines().find_map(|l| l.strip_prefix("Next: ")).expect("a Next line");
    let words: Vec<&str> = next.split(' ').collect();
    let report =
        std::process::Command::new(words[0]).args(&words[1..]).current_dir(ws.path()).output().unwrap();
    assert!(ok(report).contains("Report: out/n/report/report.md"), "the hint runs as printed");
}

#[test]
fn hints_name_the_command_when_the_path_finds_this_binary() {
    let ws = workspace(&[("n.toml", &sweep_file(""))]);
    let binary = std::path::Path::new(env!("CARGO_BIN_EXE_avalanche"));
    let path = std::env::join_paths([binary.parent().unwrap().to_path_buf()]).unwrap();
    let output =
        avalanche().current_dir(ws.path()).env("PATH", &path).args(["run", "n.toml", "-o", "out"]).output();
    let stdout = ok(output.unwrap());
    assert!(stdout.contains("Next: avalanche report out/n"), "{stdout}");
    // An `avalanche` on the PATH that is another file is not named.
    let other = ws.path().join("bin");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::copy(binary, other.join("avalanche")).unwrap();
    let output =
        avalanche().current_dir(ws.path()).env("PATH", &other).args(["run", "n.toml", "-o", "out2"]).output();
    let stdout = ok(output.unwrap());
    assert!(stdout.contains(&format!("Next: {} report out2/n", binary.display())), "{stdout}");
}

#[test]
fn every_argument_and_option_has_help() {
    for command in ["run", "plan", "scenarios", "status", "repair", "slurm", "report"] {
        let help = ok(avalanche().args([command, "--help"]).output().unwrap());
        let lines: Vec<&str> = help.lines().collect();
        let mut section = "";
        for (i, line) in lines.iter().enumerate() {
            if line.ends_with(':') && !line.starts_with(' ') {
                section = line;
                continue;
            }
            let entry = line.trim_start();
            let is_entry = line.starts_with("  ")
                && (entry.starts_with('-') || entry.starts_with('<') || entry.starts_with('['));
            if (section == "Arguments:" || section == "Options:") && is_entry {
                // "  -o, --out <OUT>  Results root...", or the text on the
                // next line, indented further, when clap wraps.
                let next = lines.get(i + 1).copied().unwrap_or("");
                let described =
                    entry.contains("  ") || (next.starts_with("          ") && !next.trim().is_empty());
                assert!(described, "`{command} --help` has no text for {entry:?}\n{help}");
            }
        }
    }
    let run = ok(avalanche().args(["run", "--help"]).output().unwrap());
    assert!(run.contains("-j, --threads") && run.contains("-o, --out"), "{run}");
    let status = ok(avalanche().args(["status", "--help"]).output().unwrap());
    assert!(
        status.contains("Exit status: 0 every run completed; 1 some run failed or is missing"),
        "{status}"
    );
}

#[test]
fn report_writes_where_to_says_and_out_is_an_old_name() {
    let ws = workspace(&[("n.toml", &sweep_file("[grid]\nx = [1.0, 2.0]\n"))]);
    ok(run_in(ws.path(), &["run", "n.toml", "-o", "out"]));
    ok(run_in(ws.path(), &["report", "out/n", "--to", "rep"]));
    assert!(ws.path().join("rep/report.md").is_file());
    let old = run_in(ws.path(), &["report", "out/n", "--out", "rep2"]);
    assert!(old.status.success(), "{}", stderr(&old));
    assert!(stderr(&old).contains("`report --out` is now `report --to`"), "{}", stderr(&old));
    assert!(ws.path().join("rep2/report.md").is_file());
}

#[test]
fn scenarios_fit_a_terminal_start_with_addition_and_hide_the_test_scenario() {
    let listing = ok(avalanche().args(["scenarios"]).output().unwrap());
    for line in listing.lines() {
        assert!(line.chars().count() <= 100, "{} columns: {line}", line.chars().count());
    }
    assert!(listing.starts_with("addition: "), "{listing}");
    assert!(!listing.contains("\nempty: "), "{listing}");
    let all = ok(avalanche().args(["scenarios", "--all"]).output().unwrap());
    assert!(all.contains("\nempty: "));
    let output = avalanche().args(["scenarios", "additon"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("did you mean `addition`?"), "{}", stderr(&output));
}

#[test]
fn status_of_a_missing_path_says_it_does_not_exist() {
    let output = avalanche().args(["status", "no/such/folder"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no/such/folder: no such file or folder"), "{}", stderr(&output));
}

#[test]
fn os_errors_are_not_repeated() {
    let ws = workspace(&[("n.toml", &sweep_file("")), ("afile", "")]);
    let output = run_in(ws.path(), &["run", "n.toml", "-o", "afile"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output).matches("(os error").count(), 1, "{}", stderr(&output));
}

#[test]
fn failed_runs_are_logged_a_few_times_then_summarised_by_message() {
    let text = "name = \"n\"\nscenario = \"empty\"\nseed = 5\nreplicates = 300\n[params]\nfail_above = 0.5\n";
    let ws = workspace(&[("n.toml", text)]);
    let output = run_in(ws.path(), &["run", "n.toml", "-o", "out"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert_eq!(err.matches("run failed:").count(), 5, "{err}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    // About 150 of 300 runs fail, all with one message shape.
    let failed: u64 = stdout.split(" failed").next().unwrap().rsplit(' ').next().unwrap().parse().unwrap();
    assert!(failed > 100, "{stdout}");
    assert!(stdout.contains(&format!("{failed:>8}  draw # is above fail_above, as asked")), "{stdout}");
}

#[test]
fn fresh_moves_the_old_folder_to_a_readable_time() {
    let ws = workspace(&[("n.toml", &sweep_file(""))]);
    ok(run_in(ws.path(), &["run", "n.toml", "-o", "out"]));
    let stdout = ok(run_in(ws.path(), &["run", "n.toml", "-o", "out", "--fresh"]));
    let aside: Vec<String> = std::fs::read_dir(ws.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("n.old-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    // n.old-2026-11-25T14-58-45Z
    let stamp = aside[0].strip_prefix("n.old-").unwrap();
    let shape: String = stamp.chars().map(|c| if c.is_ascii_digit() { '9' } else { c }).collect();
    assert_eq!(shape, "9999-99-99T99-99-99Z", "{stamp}");
    assert!(stdout.contains(&aside[0]), "{stdout}");
}

#[test]
fn plan_and_run_warn_about_parameters_without_effect() {
    // false_accept matters only to the outcome and step checkers: of the
    // 4 x 3 points, the 8 under none and majority collapse to 2.
    let text = "name = \"inert\"\nscenario = \"addition\"\nseed = 1\nreplicates = 3\n[grid]\n\
                false_accept = [0.0, 0.1, 0.2, 0.3]\nverifier = [\"none\", \"majority\", \"outcome\"]\n";
    let ws = workspace(&[("i.toml", text)]);
    let stdout = ok(run_in(ws.path(), &["plan", "i.toml"]));
    assert!(
        stdout.contains("warning: 18 of 36 runs (6 grid points) only repeat runs at other points"),
        "{stdout}"
    );
    // `run` says the same (on a fast scenario).
    let text = "name = \"inert\"\nscenario = \"gaussian\"\nseed = 1\nreplicates = 2\n[grid]\n\
                verifier = [\"none\", \"self\"]\nz_max = [2.0, 3.0]\n";
    let ws = workspace(&[("i.toml", text)]);
    let output = run_in(ws.path(), &["run", "i.toml", "-o", "out"]);
    assert!(output.status.success());
    assert!(stderr(&output).contains("2 of 8 runs (1 grid points) only repeat runs"), "{}", stderr(&output));
}

/// Reads "about 85 MB on disk" back into bytes.
fn bytes_in(text: &str) -> f64 {
    let before = text.split(" on disk").next().unwrap();
    let mut words = before.rsplit(' ');
    let unit = words.next().unwrap();
    let value: f64 = words.next().unwrap().parse().unwrap();
    let scale = match unit {
        "bytes" => 1.0,
        "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        other => panic!("unit {other}"),
    };
    value * scale
}

#[test]
fn plan_estimates_disk_use_from_pilot_runs() {
    let text = "name = \"n\"\nscenario = \"empty\"\nseed = 5\nreplicates = 2\ngenerations = 20\n\
                [grid]\nx = { linspace = [0.0, 1.0], num = 2000 }\n";
    let ws = workspace(&[("n.toml", text)]);
    let stdout = ok(run_in(ws.path(), &["plan", "n.toml", "--estimate"]));
    // A quick sweep's time reads "under 0.1 s", a longer one's "about 3.2 s".
    assert!(stdout.contains("estimate: about ") || stdout.contains("estimate: under 0.1 s on "), "{stdout}");
    let estimated = bytes_in(&stdout);
    ok(run_in(ws.path(), &["run", "n.toml", "-o", "out", "-j", "2"]));
    let actual: u64 = ["runs", "generations"]
        .iter()
        .flat_map(|t| parts(&ws.path().join("out/n"), t))
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    // An estimate, not a measurement: within a factor of two either way.
    let ratio = estimated / actual as f64;
    assert!((0.5..2.0).contains(&ratio), "estimated {estimated} bytes, wrote {actual}\n{stdout}");
    // The pilots ran in a temporary folder and left nothing here.
    assert!(!ws.path().join("results").exists());
}

/// The ```toml blocks of a Markdown file that are whole sweep files (they
/// name a scenario), with the line each starts on.
fn sweep_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (number, line) in markdown.lines().enumerate() {
        match (&mut current, line.trim_end()) {
            (None, "```toml") => current = Some((number + 2, String::new())),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some((_, text)), line) => text.push_str(&format!("{line}\n")),
            _ => {}
        }
    }
    blocks.retain(|(_, text)| text.lines().any(|l| l.starts_with("scenario =")));
    blocks
}

#[test]
fn every_sweep_file_the_docs_show_is_accepted_as_written() {
    // The first sweep a newcomer copies is the README's; a documented
    // example the binary refuses (it once paired an axis it did not sweep)
    // teaches the reader that the docs are wrong.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for doc in ["README.md", "docs/COLLAPSE.md", "docs/PAIRED.md", "docs/MODEL.md"] {
        let markdown = std::fs::read_to_string(root.join(doc)).expect("a doc");
        for (line, text) in sweep_blocks(&markdown) {
            let ws = workspace(&[("doc.toml", &text)]);
            let output = run_in(ws.path(), &["plan", "doc.toml"]);
            assert!(
                output.status.success(),
                "{doc}:{line}: `avalanche plan` refuses the example:\n{}",
                stderr(&output)
            );
            checked += 1;
        }
    }
    // README (2), COLLAPSE (4): a parser that found no block would pass.
    assert!(checked >= 6, "only {checked} sweep examples found");
}
