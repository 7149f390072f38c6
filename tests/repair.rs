//! Damage is never silent: `status` finds planted duplicates, an unreadable
//! part, an orphaned generations part and a runs part whose generations part
//! was lost, names them and exits 3; `avalanche repair` mends the dataset,
//! and a rerun completes it equal to an undamaged one. A part in a codec
//! this build lacks is not damage: it is named with its fix and left alone.

mod common;

use std::fs::File;
use std::path::Path;

use common::*;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::{KeyValue, ParquetMetaDataReader, ParquetMetaDataWriter};
use parquet::file::properties::{WriterProperties, WriterVersion};

const SWEEP: &str = "name = \"d\"\nscenario = \"empty\"\nseed = 9\nreplicates = 50\ngenerations = 3\n\
                     [grid]\nx = [1.0, 2.0, 3.0, 4.0]\n";
const TIMING: &[&str] = &["elapsed_ms"];

#[test]
fn repair_mends_duplicates_and_unreadable_parts_and_a_rerun_completes() {
    let ws = workspace(&[("d.toml", SWEEP)]);
    let dir = ws.path();
    ok(run_in(dir, &["run", "d.toml", "--out", "clean"]));
    let dataset = in_parts_of_40(dir);
    assert_eq!(run_in(dir, &["status", "out/d"]).status.code(), Some(0));
    let runs = parts(&dataset, "runs");
    assert_eq!(runs.len(), 5);

    // Duplicates: a part and its twin copied under another name.
    for table in ["runs", "generations"] {
        std::fs::copy(
            dataset.join(table).join(runs[0].file_name().unwrap()),
            dataset.join(table).join("part-s0of1-w00-000900.parquet"),
        )
        .unwrap();
    }
    // An orphan: a generations part whose runs twin never landed.
    std::fs::copy(
        dataset.join("generations").join(runs[1].file_name().unwrap()),
        dataset.join("generations/part-s0of1-w00-000901.parquet"),
    )
    .unwrap();
    // Unreadable: a runs part cut in half.
    let bytes = std::fs::read(&runs[2]).unwrap();
    std::fs::write(&runs[2], &bytes[..bytes.len() / 2]).unwrap();

    let status = run_in(dir, &["status", "out/d"]);
    assert_eq!(status.status.code(), Some(3), "{status:?}");
    let text = String::from_utf8_lossy(&status.stdout);
    let cut = runs[2].file_name().unwrap().to_string_lossy().into_owned();
    for needle in [cut.as_str(), "unreadable", "avalanche repair"] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    // A run refuses too, pointing at the fix.
    let refused = run_in(dir, &["run", "d.toml", "--out", "out"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("avalanche repair"));

    let repaired = ok(run_in(dir, &["repair", "out/d"]));
    assert!(repaired.contains(&cut) && repaired.contains("dropped 40 duplicate rows"), "{repaired}");
    assert!(dir.join("out/d.damaged/runs").join(&cut).exists());
    assert!(dir.join("out/d.damaged/generations").join(&cut).exists(), "the twin goes too");
    assert!(dir.join("out/d.damaged/generations/part-s0of1-w00-000901.parquet").exists());

    // Duplicates gone, the cut part's 40 runs missing, nothing else wrong.
    redo_the_missing_40(dir, &dataset);
    assert!(ok(run_in(dir, &["repair", "out/d"])).contains("nothing to repair"));
}

/// Runs `d.toml` into `out/d` on one thread, committing a part every 40
/// runs (5 parts of the 200), and returns the dataset's folder.
fn in_parts_of_40(dir: &Path) -> std::path::PathBuf {
    ok(run_in(dir, &["run", "d.toml", "--out", "out", "--threads", "1", "--checkpoint-every", "40"]));
    dir.join("out/d")
}

/// After a repair that set one 40-run part aside: `status` counts exactly
/// those runs missing, and a rerun makes `out/d` equal to the never-damaged
/// `clean/d` (timing columns aside).
fn redo_the_missing_40(dir: &Path, dataset: &Path) {
    let status = run_in(dir, &["status", "out/d"]);
    assert_eq!(status.status.code(), Some(1), "{status:?}");
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("160 of 200 runs completed, 0 failed, 40 missing")
    );
    ok(run_in(dir, &["run", "d.toml", "--out", "out"]));
    assert_eq!(run_in(dir, &["status", "out/d"]).status.code(), Some(0));
    for table in ["runs", "generations"] {
        assert_eq!(
            table_rows(&dir.join("clean/d"), table, TIMING),
            table_rows(dataset, table, TIMING),
            "{table}"
        );
    }
}

#[test]
fn a_runs_part_whose_generations_part_is_lost_is_set_aside_and_redone() {
    let ws = workspace(&[("d.toml", SWEEP)]);
    let dir = ws.path();
    ok(run_in(dir, &["run", "d.toml", "--out", "clean"]));
    let dataset = in_parts_of_40(dir);
    let runs = parts(&dataset, "runs");
    let lost = runs[1].file_name().unwrap().to_string_lossy().into_owned();
    std::fs::remove_file(dataset.join("generations").join(&lost)).unwrap();

    let status = run_in(dir, &["status", "out/d"]);
    assert_eq!(status.status.code(), Some(3), "{status:?}");
    let text = String::from_utf8_lossy(&status.stdout);
    for needle in [lost.as_str(), "without its generations twin", "avalanche repair"] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    let report = run_in(dir, &["report", "out/d"]);
    assert_eq!(report.status.code(), Some(2), "the report refuses too");
    assert!(String::from_utf8_lossy(&report.stderr).contains(&lost));
    // A resume would keep the runs without their curves: it refuses.
    let refused = run_in(dir, &["run", "d.toml", "--out", "out"]);
    assert_eq!(refused.status.code(), Some(2));
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains(&lost) && why.contains("avalanche repair"), "{why}");

    let repaired = ok(run_in(dir, &["repair", "out/d"]));
    assert!(repaired.contains(&lost), "{repaired}");
    assert!(dir.join("out/d.damaged/runs").join(&lost).exists());
    redo_the_missing_40(dir, &dataset);
}

#[test]
fn parts_whose_runs_wrote_no_generation_rows_need_no_generations_part() {
    // Three parts: runs that succeed without generation rows, runs that all
    // fail (a failed run writes none), and runs with rows. Only the last
    // has a generations part. Each sweep has its own run_ids.
    let sweep = |generations: u32, fail_above: f64| {
        format!(
            "name = \"d\"\nscenario = \"empty\"\nseed = 9\nreplicates = 20\n\
             generations = {generations}\n[params]\nfail_above = {fail_above:?}\n"
        )
    };
    let ws = workspace(&[
        ("none.toml", &sweep(0, 1.0)),
        ("fail.toml", &sweep(3, 0.0)),
        ("rows.toml", &sweep(3, 1.0)),
    ]);
    let dir = ws.path();
    // One thread: one part per sweep.
    ok(run_in(dir, &["run", "none.toml", "--out", "out", "--threads", "1"]));
    let dataset = dir.join("out/d");
    for (i, name) in ["fail", "rows"].iter().enumerate() {
        run_in(dir, &["run", &format!("{name}.toml"), "--out", name, "--threads", "1"]);
        for table in ["runs", "generations"] {
            for part in parts(&dir.join(name).join("d"), table) {
                let to = dataset.join(table).join(format!("part-s0of1-w0{}-000000.parquet", i + 1));
                std::fs::rename(&part, to).unwrap();
            }
        }
    }
    assert_eq!(parts(&dataset, "runs").len(), 3);
    assert_eq!(parts(&dataset, "generations").len(), 1, "two parts have no generation rows");
    let (_, _, metadata) = read_file(&parts(&dataset, "runs")[0]);
    assert!(metadata.contains(&("avalanche.generations".into(), "false".into())), "{metadata:?}");

    let clean = |when: &str| {
        let status = run_in(dir, &["status", "out/d"]);
        let text = String::from_utf8_lossy(&status.stdout);
        assert!(!text.contains("damaged"), "{when}: {text}");
        assert!(ok(run_in(dir, &["repair", "out/d"])).contains("nothing to repair"), "{when}");
        assert_eq!(parts(&dataset, "runs").len(), 3);
    };
    clean("recorded");
    // Parts from before the record are judged by whether they hold an ok run.
    parts(&dataset, "runs")[1..].iter().for_each(|p| forget_generations_record(p));
    clean("unrecorded");
}

#[test]
fn a_part_from_before_the_record_that_lost_its_generations_is_found() {
    let ws = workspace(&[("d.toml", SWEEP)]);
    let dir = ws.path();
    let dataset = in_parts_of_40(dir);
    let runs = parts(&dataset, "runs");
    runs.iter().for_each(|p| forget_generations_record(p));
    assert_eq!(run_in(dir, &["status", "out/d"]).status.code(), Some(0));
    let lost = runs[3].file_name().unwrap().to_string_lossy().into_owned();
    std::fs::remove_file(dataset.join("generations").join(&lost)).unwrap();
    let status = run_in(dir, &["status", "out/d"]);
    assert_eq!(status.status.code(), Some(3), "{status:?}");
    assert!(String::from_utf8_lossy(&status.stdout).contains(&lost));
}

/// Rewrites a runs part as avalanche wrote it before runs parts recorded
/// whether they have a generations twin: the same rows, without the record.
fn forget_generations_record(path: &Path) {
    let (schema, batches, metadata) = read_file(path);
    let metadata = metadata
        .into_iter()
        .filter(|(k, _)| k != "ARROW:schema" && k != "avalanche.generations")
        .map(|(k, v)| KeyValue::new(k, v))
        .collect();
    let properties = WriterProperties::builder().set_key_value_metadata(Some(metadata)).build();
    let mut writer = ArrowWriter::try_new(File::create(path).unwrap(), schema, Some(properties)).unwrap();
    for batch in &batches {
        writer.write(batch).unwrap();
    }
    writer.close().unwrap();
}

/// Rewrites a part as another tool would with Snappy: the same rows and
/// key-value metadata, in a file whose footer declares Snappy. Its data
/// pages are version 2 pages stored uncompressed (`is_compressed = false`,
/// which Parquet allows for any codec) and it has no dictionary pages, so
/// it is valid Parquet whose every page any reader decodes without Snappy;
/// the parquet crate still refuses it without its `snap` feature, as it
/// does real Snappy files, since it builds the codec before any page.
fn declare_snappy(path: &Path) {
    let (schema, batches, metadata) = read_file(path);
    let metadata =
        metadata.into_iter().filter(|(k, _)| k != "ARROW:schema").map(|(k, v)| KeyValue::new(k, v)).collect();
    let properties = WriterProperties::builder()
        .set_compression(Compression::UNCOMPRESSED)
        .set_writer_version(WriterVersion::PARQUET_2_0)
        .set_dictionary_enabled(false)
        .set_key_value_metadata(Some(metadata))
        .build();
    let mut writer = ArrowWriter::try_new(File::create(path).unwrap(), schema, Some(properties)).unwrap();
    for batch in &batches {
        writer.write(batch).unwrap();
    }
    writer.close().unwrap();
    // The footer is the file's tail: [metadata][its length: 4 bytes]PAR1.
    let bytes = std::fs::read(path).unwrap();
    let footer = u32::from_le_bytes(bytes[bytes.len() - 8..bytes.len() - 4].try_into().unwrap()) as usize;
    let mut builder =
        ParquetMetaDataReader::new().parse_and_finish(&File::open(path).unwrap()).unwrap().into_builder();
    let groups = builder
        .take_row_groups()
        .into_iter()
        .map(|group| {
            let columns = group
                .columns()
                .iter()
                .map(|c| c.clone().into_builder().set_compression(Compression::SNAPPY).build().unwrap())
                .collect();
            group.into_builder().set_column_metadata(columns).build().unwrap()
        })
        .collect();
    let metadata = builder.set_row_groups(groups).build();
    let mut out = bytes[..bytes.len() - 8 - footer].to_vec();
    ParquetMetaDataWriter::new(&mut out, &metadata).finish().unwrap();
    std::fs::write(path, out).unwrap();
}

#[test]
fn a_part_in_a_codec_this_build_lacks_is_named_with_its_fix_and_never_moved() {
    let ws = workspace(&[("d.toml", SWEEP)]);
    let dir = ws.path();
    let dataset = in_parts_of_40(dir);
    let name = parts(&dataset, "runs")[1].file_name().unwrap().to_string_lossy().into_owned();
    let mut originals = Vec::new();
    for table in ["runs", "generations"] {
        let path = dataset.join(table).join(&name);
        originals.push((path.clone(), std::fs::read(&path).unwrap()));
        declare_snappy(&path);
        assert_eq!(read_footer_codec(&path), Compression::SNAPPY);
    }

    let status = run_in(dir, &["status", "out/d"]);
    assert_eq!(status.status.code(), Some(2), "not damage, but not readable: {status:?}");
    let text = String::from_utf8_lossy(&status.stdout);
    for needle in [name.as_str(), "Snappy", "not damage", "compression=\"zstd\""] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
    assert!(!text.contains("is damaged") && !text.contains("unreadable"), "{text}");
    let report = run_in(dir, &["report", "out/d"]);
    assert_eq!(report.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&report.stderr).contains("Snappy"));
    let resumed = run_in(dir, &["run", "d.toml", "--out", "out"]);
    assert_eq!(resumed.status.code(), Some(2));
    let why = String::from_utf8_lossy(&resumed.stderr);
    assert!(why.contains("Snappy") && !why.contains("moves it aside"), "{why}");

    let repair = run_in(dir, &["repair", "out/d"]);
    assert_eq!(repair.status.code(), Some(2), "{repair:?}");
    let said = String::from_utf8_lossy(&repair.stdout);
    assert!(said.contains("left in place") && said.contains(&name) && !said.contains("moved"), "{said}");
    assert!(!dir.join("out/d.damaged").exists(), "nothing is moved aside");
    for (path, _) in &originals {
        assert_eq!(read_footer_codec(path), Compression::SNAPPY, "{} untouched", path.display());
    }

    // Rewritten with ZSTD (here: the bytes it had), the dataset is whole.
    for (path, bytes) in &originals {
        std::fs::write(path, bytes).unwrap();
    }
    assert_eq!(run_in(dir, &["status", "out/d"]).status.code(), Some(0));
}

/// The codec the footer declares for a part's first column.
fn read_footer_codec(path: &Path) -> Compression {
    let metadata = ParquetMetaDataReader::new().parse_and_finish(&File::open(path).unwrap()).unwrap();
    metadata.row_group(0).column(0).compression()
}
