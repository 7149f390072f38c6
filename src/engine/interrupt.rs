//! A graceful stop on SIGINT and SIGTERM.
//!
//! Ctrl-C at a terminal and Slurm's warning before a job's time limit both
//! arrive as signals; dying at once would throw away every finished run not
//! yet committed. The first signal only raises a flag: the executor starts
//! no new run, gives running ones [`GRACE`] to finish, and the runner commits
//! everything finished. A second signal exits at once, which is still safe
//! because every committed file appeared by rename (nothing half-written is
//! ever visible) and a dead writer's lock is broken on the next start.

use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;

/// How long runs already under way may take to finish after the first
/// signal; runs still going then are abandoned (not recorded) and rerun on
/// resume. Short enough to fit well inside the warning the Slurm script asks
/// for ([`crate::slurm::WARNING_SECS`]), long enough for most single runs.
pub const GRACE: Duration = Duration::from_secs(30);

/// The first signal received, 0 while none.
static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(signal: libc::c_int) {
    // Only async-signal-safe work here: an atomic swap and `_exit`.
    if SIGNAL.swap(signal, Ordering::SeqCst) != 0 {
        // SAFETY: `_exit` is async-signal-safe and ends the process at once.
        unsafe { libc::_exit(128 + signal) };
    }
}

/// Routes SIGINT and SIGTERM to the flag (call once, from `main`).
pub fn install() {
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: a zeroed sigaction with a handler that only touches an
        // atomic is a valid disposition; SA_RESTART keeps file I/O from
        // failing with EINTR while the flag is raised.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// The signal that asked for a stop, if one did.
pub fn requested() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// The conventional exit status after `signal`: 130 for SIGINT, 143 for
/// SIGTERM.
pub fn exit_code(signal: i32) -> u8 {
    u8::try_from(128 + signal).unwrap_or(1)
}

/// `SIGINT`, `SIGTERM`, or the number.
pub fn name(signal: i32) -> String {
    match signal {
        libc::SIGINT => "SIGINT".into(),
        libc::SIGTERM => "SIGTERM".into(),
        other => format!("signal {other}"),
    }
}
