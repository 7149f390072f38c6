//! What `avalanche run` says when it ends: the summary paragraph (what ran,
//! what failed and why, where the data is), the answer in short for a whole
//! sweep, the next command, and what a stop signal left. The run's display
//! while it goes is `progress.rs`; the binary prints these texts.

use crate::display::invocation;
use crate::engine::options::RunSummary;
use crate::engine::shard::Shard;

/// Everything `avalanche run` prints on stdout when it ends: the
/// [`paragraph`], the report's `## In short` sentences when the whole sweep
/// ran to its end (so that the first command a user runs ends with the
/// answer; the [`next_step`] line says how to get the full report), and the
/// next step.
pub fn text(name: &str, summary: &RunSummary, threads: usize) -> String {
    let mut sections = vec![paragraph(name, summary, threads)];
    if summary.interrupted.is_none() && !summary.stopped_early && summary.shard == Shard::WHOLE {
        // A sweep the report cannot read (say, a command scenario whose
        // columns give it nothing to say) just says nothing here: the run
        // itself succeeded.
        match crate::report::in_short(&summary.dir) {
            Ok(sentences) if !sentences.is_empty() => sections.push(in_short(&sentences)),
            Ok(_) => {}
            Err(e) => tracing::debug!("no In short for {}: {e}", summary.dir.display()),
        }
    }
    sections.push(next_step(summary));
    sections.join("\n")
}

/// The `In short:` block, as `run` and `report` print it: a blank line, the
/// heading, one `- ` line per sentence.
pub fn in_short(sentences: &[String]) -> String {
    let mut text = String::from("\nIn short:");
    for sentence in sentences {
        text += &format!("\n- {sentence}");
    }
    text
}

/// What a stop signal left: what was saved, and `command_line`, the
/// command that resumes (see [`invocation::as_started`]).
pub fn interrupted(summary: &RunSummary, command_line: &str) -> String {
    let signal = summary.interrupted.map_or("a signal".into(), crate::engine::interrupt::name);
    let abandoned = if summary.abandoned {
        format!(
            "; runs still going after {} s were abandoned (not recorded)",
            crate::engine::interrupt::GRACE.as_secs()
        )
    } else {
        String::new()
    };
    format!(
        "Stopped by {signal}: the {} runs finished in this session are committed{abandoned}. \
         Resume with:\n  {command_line}",
        summary.executed,
    )
}

/// The run in one paragraph: runs, failures, time and rate on `threads`
/// threads, what was already there, where the data is; then the failed
/// runs grouped by message.
pub fn paragraph(name: &str, s: &RunSummary, threads: usize) -> String {
    let secs = s.wall.as_secs_f64();
    let shard = if s.shard == Shard::WHOLE { String::new() } else { format!(" (shard {})", s.shard) };
    let mut text = format!(
        "Sweep `{name}`{shard}: ran {} runs, {} failed, in {secs:.2} s on {threads} {} ({}).",
        s.executed,
        s.failed,
        if threads == 1 { "thread" } else { "threads" },
        crate::display::progress::rate_text(s.executed, s.wall)
    );
    if s.already_committed > 0 {
        text += &format!(" {} runs were already committed and were not rerun.", s.already_committed);
    }
    if s.stopped_early {
        text += " Stopped early after a failure (--fail-fast); rerun to resume.";
    }
    if let Some(aside) = &s.moved_aside {
        text += &format!(" The previous dataset was moved to {}.", aside.display());
    }
    text += &format!(" Data: {}/ (runs/ and generations/, Parquet).", s.dir.display());
    if !s.failures.is_empty() {
        text += "\nFailed runs by message (numbers shown as #):";
        for (count, shape, example) in s.failures.iter().take(FAILURE_KINDS_SHOWN) {
            text += &format!("\n  {count:>8}  {shape}");
            if *count == 1 || shape != example {
                text += &format!("\n            e.g. {example}");
            }
        }
        if s.failures.len() > FAILURE_KINDS_SHOWN {
            let rest: u64 = s.failures[FAILURE_KINDS_SHOWN..].iter().map(|f| f.0).sum();
            text += &format!("\n  {rest:>8}  with {} other messages", s.failures.len() - FAILURE_KINDS_SHOWN);
        }
        text += "\n(the `error` column of the runs table has every message; --retry-failed reruns them)";
    }
    text
}

/// The command that writes the full report (report.md and report.html), as
/// the binary was invoked.
pub fn next_step(s: &RunSummary) -> String {
    let dir = invocation::quoted(&s.dir.to_string_lossy());
    format!("Next: {} report {dir}", invocation::command())
}

/// Kinds of failure listed in the summary; the rest are counted.
const FAILURE_KINDS_SHOWN: usize = 5;

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use super::*;

    fn summary() -> RunSummary {
        let shard = Shard::new(1, 4).unwrap();
        let mut s =
            RunSummary::starting(PathBuf::from("out/tiny"), shard, 7, Some(PathBuf::from("out/tiny.old")));
        s.executed = 20;
        s.failed = 8;
        s.wall = Duration::from_millis(2_500);
        s
    }

    #[test]
    fn the_paragraph_says_what_ran_what_was_there_and_where_the_data_is() {
        let mut s = summary();
        s.stopped_early = true;
        assert_eq!(
            paragraph("tiny", &s, 1),
            "Sweep `tiny` (shard 1/4): ran 20 runs, 8 failed, in 2.50 s on 1 thread (8.00 runs/s). \
             7 runs were already committed and were not rerun. Stopped early after a failure \
             (--fail-fast); rerun to resume. The previous dataset was moved to out/tiny.old. \
             Data: out/tiny/ (runs/ and generations/, Parquet)."
        );
    }

    #[test]
    fn failures_are_listed_by_message_up_to_five_kinds_and_the_rest_counted() {
        let mut s = summary();
        // Seven kinds, commonest first; a message seen once shows its example
        // even when it equals its shape.
        s.failures = vec![(2, "x is #".into(), "x is 1".into()), (1, "boom".into(), "boom".into())];
        s.failures.extend((0..5).map(|k| (1, format!("kind {k}"), format!("kind {k}"))));
        let text = paragraph("tiny", &s, 2);
        let listed: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(
            listed,
            [
                "Failed runs by message (numbers shown as #):",
                "         2  x is #",
                "            e.g. x is 1",
                "         1  boom",
                "            e.g. boom",
                "         1  kind 0",
                "            e.g. kind 0",
                "         1  kind 1",
                "            e.g. kind 1",
                "         1  kind 2",
                "            e.g. kind 2",
                "         2  with 2 other messages",
                "(the `error` column of the runs table has every message; --retry-failed reruns them)",
            ]
        );
        assert!(text.lines().next().unwrap().contains(" on 2 threads "), "{text}");
    }

    #[test]
    fn a_shard_ends_with_the_next_step_and_no_answer() {
        // Only a whole sweep reads the report's sentences; a shard's text is
        // the paragraph and the next step.
        let s = summary();
        let text = text("tiny", &s, 1);
        assert_eq!(text, format!("{}\n{}", paragraph("tiny", &s, 1), next_step(&s)));
        assert_eq!(next_step(&s), format!("Next: {} report out/tiny", invocation::command()));
    }

    #[test]
    fn the_in_short_block_is_a_heading_and_one_line_per_sentence() {
        assert_eq!(in_short(&["A.".into(), "B.".into()]), "\nIn short:\n- A.\n- B.");
    }

    #[test]
    fn an_interrupt_says_what_was_kept_and_how_to_resume() {
        let mut s = summary();
        s.interrupted = Some(libc::SIGINT);
        assert_eq!(
            interrupted(&s, "avalanche run x.toml"),
            "Stopped by SIGINT: the 20 runs finished in this session are committed. \
             Resume with:\n  avalanche run x.toml"
        );
        s.abandoned = true;
        s.interrupted = None;
        let text = interrupted(&s, "avalanche run x.toml");
        assert!(text.starts_with("Stopped by a signal: the 20 runs"), "{text}");
        let grace = crate::engine::interrupt::GRACE.as_secs();
        assert!(text.contains(&format!("; runs still going after {grace} s were abandoned (not recorded).")));
    }
}
