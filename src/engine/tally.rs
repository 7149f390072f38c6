//! Counting runs as they finish, for the observer and the closing summary
//! (failures grouped by the shape of their message), and committing every
//! worker's writer at the end. Shared by the runner and a search's rounds.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use super::executor::{Coordinator, Flow};
use super::interrupt;
use super::lock::WriterLock;
use super::options::{Observer, RunOptions, RunSummary};
use super::record::RunEvent;
use super::shard::Shard;
use crate::sink::{Checkpoint, DatasetWriter, SinkError};
use crate::sweep::Sweep;

/// One writer per worker of `workers`, each writing its own parts of the
/// dataset in `dir` for `shard`.
pub(crate) fn open_writers(
    dir: &Path,
    sweep: &Sweep,
    shard: Shard,
    workers: usize,
    checkpoint: Checkpoint,
) -> Result<Vec<DatasetWriter>, SinkError> {
    (0..workers)
        .map(|worker| {
            DatasetWriter::open(
                dir,
                Arc::clone(&sweep.scenario),
                &sweep.text,
                shard,
                (worker, workers),
                checkpoint,
            )
        })
        .collect()
}

/// Commits every writer, each on its own thread: a commit encodes and
/// compresses the writer's last row group and flushes its files to disk,
/// work that would otherwise run one writer after another while the other
/// cores wait. Every writer is committed even if one fails; the first
/// failure (in worker order) is returned.
pub(crate) fn commit_all(writers: Vec<DatasetWriter>) -> Result<(), SinkError> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = writers.into_iter().map(|mut w| scope.spawn(move || w.commit())).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    })
}

/// Failed runs logged one by one; later ones are only counted, and
/// summarised by message at the end (a big sweep can fail thousands).
const LOGGED_FAILURES: u64 = 5;

/// Counts finished runs and shows them to the observer.
pub(crate) struct Tally<'a> {
    pub(crate) observer: &'a mut dyn Observer,
    pub(crate) failed: u64,
    /// Failures by message shape: count and the first full message.
    pub(crate) by_message: HashMap<String, (u64, String)>,
    pub(crate) summary: &'a mut RunSummary,
    pub(crate) started: Instant,
    pub(crate) lock: &'a mut WriterLock,
    pub(crate) options: &'a RunOptions,
    /// Runs finished by earlier executions of this call (a search's rounds).
    pub(crate) offset: u64,
    /// The sweep's scenario's hooks: what ends its runs' programs on an
    /// abandon, and how its failure messages are grouped.
    pub(crate) hooks: crate::scenario::Hooks,
}

impl<'a> Tally<'a> {
    /// A tally of nothing yet, for a call that started at `started`.
    pub(crate) fn new(
        observer: &'a mut dyn Observer,
        summary: &'a mut RunSummary,
        started: Instant,
        lock: &'a mut WriterLock,
        options: &'a RunOptions,
        hooks: crate::scenario::Hooks,
    ) -> Self {
        Tally {
            observer,
            failed: 0,
            by_message: HashMap::new(),
            summary,
            started,
            lock,
            options,
            offset: 0,
            hooks,
        }
    }
}

/// Failures grouped by message shape, commonest first.
pub(crate) fn failures(by_message: &HashMap<String, (u64, String)>) -> Vec<(u64, String, String)> {
    let mut groups: Vec<(u64, String, String)> =
        by_message.iter().map(|(shape, (count, example))| (*count, shape.clone(), example.clone())).collect();
    groups.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    groups
}

/// A message with its standalone numbers blanked, so that failures which
/// differ only in a value ("draw 0.93 is above ...") count as one kind (the
/// scenario's [`crate::scenario::Hooks::general_failure`] first replaces
/// details of the run they happened to). Digits inside a word (`python3`,
/// `b1`, a hexadecimal id) are part of that word, not numbers.
pub fn message_shape(message: &str) -> String {
    let chars: Vec<char> = message.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut shape = String::with_capacity(message.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && word(chars[i - 1])) {
            shape.push(chars[i]);
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < chars.len() && (chars[end].is_ascii_digit() || matches!(chars[end], '.' | 'e' | '-')) {
            end += 1;
        }
        if end < chars.len() && word(chars[end]) {
            // Digits that run into letters: one word, kept whole.
            while end < chars.len() && word(chars[end]) {
                end += 1;
            }
            shape.extend(&chars[i..end]);
        } else {
            shape.push('#');
        }
        i = end;
    }
    shape
}

impl Coordinator for Tally<'_> {
    /// Everything finished is committed; the runs still going cannot be
    /// waited for, so the process ends here, its lock released.
    fn abandon(&mut self, finished: u64, committed: Result<(), String>) {
        let signal = interrupt::requested().unwrap_or(libc::SIGTERM);
        self.summary.executed = self.offset + finished;
        self.summary.failed = self.failed;
        self.summary.wall = self.started.elapsed();
        self.summary.interrupted = Some(signal);
        self.summary.abandoned = true;
        self.summary.failures = failures(&self.by_message);
        self.observer.finish();
        if let Err(e) = committed {
            // Not exiting here would wait for runs that may never end; the
            // lock stays, and is broken as dead on the next start.
            tracing::error!("committing finished runs failed: {e}");
            std::process::exit(2);
        }
        // What the runs started outside the process (a program's process
        // group, which the signal did not reach) ends with them.
        if let Some(abandon) = self.hooks.abandon {
            abandon();
        }
        self.lock.release();
        if let Some(report) = self.options.on_abandon {
            report(self.summary);
        }
        std::process::exit(i32::from(interrupt::exit_code(signal)));
    }

    fn failed(&mut self, event: RunEvent) -> Flow {
        self.failed += 1;
        self.summary.failed = self.failed;
        let message = event.error.as_deref().unwrap_or("?");
        if self.failed <= LOGGED_FAILURES {
            tracing::warn!(run_id = event.run_id, "run failed: {message}");
            if self.failed == LOGGED_FAILURES {
                tracing::warn!(
                    "further failed runs are counted, not logged; the summary groups them by message"
                );
            }
        }
        let general = match self.hooks.general_failure {
            Some(general) => general(message),
            None => message.into(),
        };
        let entry =
            self.by_message.entry(message_shape(&general)).or_insert_with(|| (0, message.to_string()));
        entry.0 += 1;
        Flow::Continue
    }

    fn progress(&mut self, finished: u64) {
        self.summary.executed = self.offset + finished;
        self.observer.progress(self.offset + finished, self.failed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_shapes_blank_numbers_only() {
        assert_eq!(
            message_shape("draw 0.93 is above fail_above, as asked"),
            "draw # is above fail_above, as asked"
        );
        assert_eq!(message_shape("exceeded 1e-9 s"), "exceeded # s");
        assert_eq!(message_shape("no numbers"), "no numbers");
        // Digits that belong to a word are not numbers.
        assert_eq!(
            message_shape("`python3` exited with exit status: 3"),
            "`python3` exited with exit status: #"
        );
        assert_eq!(
            message_shape("x86_64 id 7f2b17 or 2916ad, -0.5, 3."),
            "x86_64 id 7f2b17 or 2916ad, -#, #"
        );
    }
}
