//! One writer per shard, enforced with lock files in `<dataset>/.locks/`.
//!
//! Two processes writing the same runs duplicate them, and a start that
//! cleans up "leftovers" would delete a live writer's temporary files. So a
//! writer takes a lock before it touches the dataset: `s0of4.lock` for shard
//! 0 of 4, `s0of1.lock` for an unsharded run, `dataset.lock` for commands
//! that need the whole dataset to themselves (`repair`).
//!
//! Why not `flock`: clusters keep results on network file systems where
//! `flock` may be a no-op or local to one node. A lock here is a file made
//! complete under a private name and then hard-linked to its public name;
//! `link` fails if the name exists, atomically, on local and NFS file
//! systems alike. The file names the holder (host, pid, start time); a
//! thread refreshes its modification time every [`HEARTBEAT`].
//!
//! A lock never blocks a resume after a crash: a holder on this host whose
//! process is gone is dead, and one on another host is stale once its
//! heartbeat is older than [`STALE_AFTER`]; both are broken automatically.
//! `--break-lock` breaks a live-looking one.
//!
//! Shards of one layout (same N) may write at once; layouts that overlap
//! (unsharded with sharded, or different N) may not: after taking its own
//! lock a writer looks at every other live lock and refuses on a conflict.
//! Two writers racing this check can both refuse, never both proceed.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::dataset::names::LOCKS_DIR;
use crate::engine::shard::Shard;

/// How often a holder refreshes its lock.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// A lock held from another host whose heartbeat is older than this is
/// stale. Twelve missed heartbeats: well above NFS attribute caching (60 s
/// by default) and modest clock skew between nodes.
pub const STALE_AFTER: Duration = Duration::from_secs(180);

/// What a lock is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Writes one shard (the whole sweep is shard 0/1); shards of the same
    /// count coexist.
    Shard(Shard),
    /// Needs the dataset to itself (repair).
    Exclusive,
    /// A short critical section shared by writers (rewriting parts for
    /// `--retry-failed`); conflicts with no writer, only with itself.
    Mutex(&'static str),
}

impl Role {
    fn file_name(&self) -> String {
        match self {
            Role::Shard(shard) => format!("{}.lock", shard.tag()),
            Role::Exclusive => "dataset.lock".into(),
            Role::Mutex(name) => format!("{name}.lock"),
        }
    }

    fn describe(&self) -> String {
        match self {
            Role::Shard(shard) if *shard == Shard::WHOLE => "the whole sweep".into(),
            Role::Shard(shard) => format!("shard {shard}"),
            Role::Exclusive => "the whole dataset (repair)".into(),
            Role::Mutex(name) => name.to_string(),
        }
    }

    /// Whether two writers with these roles may not run at once.
    fn conflicts(&self, other: &Role) -> bool {
        match (self, other) {
            (Role::Mutex(_), _) | (_, Role::Mutex(_)) => false,
            (Role::Shard(a), Role::Shard(b)) => a.count != b.count || a.index == b.index,
            _ => true,
        }
    }
}

/// A lock file that stays unreadable this long is junk (a holder writes it
/// whole, or at worst within a moment where hard links are missing).
const JUNK_AFTER: Duration = Duration::from_secs(5);

/// Who holds a lock, as written in the lock file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub host: String,
    pub pid: u32,
    /// The process's start time in clock ticks since boot (Linux), to tell
    /// a reused pid from the holder.
    pub process_start: Option<u64>,
    /// Unix seconds when the lock was taken.
    pub started: u64,
    /// The writer's identity, also carried by its temporary file names.
    pub token: String,
    pub role: Role,
}

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "{} is being written by {holder} ({}), lock {}.\n\
         Two writers on the same runs would duplicate them, so this one stops here. \
         Wait for it to finish, or stop it. If it is not running any more \
         (a crashed node), its lock goes stale {} s after its last heartbeat \
         ({} s ago); rerun then, or now with --break-lock.",
        dir.display(), holder.role.describe(), path.display(), STALE_AFTER.as_secs(), age.as_secs()
    )]
    Held { dir: PathBuf, path: PathBuf, holder: Box<Holder>, age: Duration },
    #[error(
        "{} is being written by {holder} for {}, which overlaps {wanted}: \
         writing both at once would duplicate runs. Wait for it to finish{}. \
         Lock {}; --break-lock if that writer is gone.",
        dir.display(), holder.role.describe(),
        if *shards { ", or use the same shard count as the running writers" } else { "" },
        path.display()
    )]
    Overlap {
        dir: PathBuf,
        path: PathBuf,
        holder: Box<Holder>,
        wanted: String,
        /// Both sides write shards, so a matching shard count would let them
        /// run side by side (not so for `repair`, which needs the dataset alone).
        shards: bool,
    },
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "pid {} on host {}, started {}",
            self.pid,
            self.host,
            crate::display::human::utc(self.started)
        )
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LockError + '_ {
    move |source| LockError::Io { path: path.to_path_buf(), source }
}

/// This process's writer identity: pid and a random nonce, so a token is
/// never reused even when a pid is.
pub fn process_token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| format!("{}-{:08x}", std::process::id(), rand::random::<u32>()))
}

/// The host name, as the lock file records it.
pub fn host_name() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at most that.
    let ok = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) } == 0;
    let end = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
    if ok && end > 0 {
        String::from_utf8_lossy(&buffer[..end]).into_owned()
    } else {
        "unknown-host".into()
    }
}

/// A process's start time (field 22 of `/proc/PID/stat`), where there is one.
fn process_start(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.split_whitespace().nth(19)?.parse().ok()
}

fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    // SAFETY: signal 0 only checks that the process exists.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Holder {
    fn current(role: Role) -> Holder {
        let pid = std::process::id();
        Holder {
            host: host_name(),
            pid,
            process_start: process_start(pid),
            started: unix_now(),
            token: process_token().to_string(),
            role,
        }
    }

    fn to_text(&self) -> String {
        let role = match self.role {
            Role::Shard(s) => format!("shard={}/{}", s.index, s.count),
            Role::Exclusive => "exclusive=dataset".into(),
            Role::Mutex(name) => format!("mutex={name}"),
        };
        let start = self.process_start.map_or(String::new(), |s| format!("process_start={s}\n"));
        format!(
            "host={}\npid={}\n{start}started={}\ntoken={}\n{role}\n",
            self.host, self.pid, self.started, self.token
        )
    }

    fn parse(text: &str, mutex_name: Option<&'static str>) -> Option<Holder> {
        let get =
            |key: &str| text.lines().find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')));
        let role = if let Some(shard) = get("shard") {
            Role::Shard(shard.parse().ok()?)
        } else if get("exclusive").is_some() {
            Role::Exclusive
        } else {
            Role::Mutex(mutex_name.unwrap_or("mutex"))
        };
        Some(Holder {
            host: get("host")?.to_string(),
            pid: get("pid")?.parse().ok()?,
            process_start: get("process_start").and_then(|s| s.parse().ok()),
            started: get("started")?.parse().ok()?,
            token: get("token")?.to_string(),
            role,
        })
    }
}

/// A lock file's holder and how long since its last heartbeat.
fn read_holder(path: &Path, mutex_name: Option<&'static str>) -> Option<(Holder, Duration)> {
    let text = std::fs::read_to_string(path).ok()?;
    Some((Holder::parse(&text, mutex_name)?, lock_age(path)))
}

/// Why a holder no longer counts, or `None` while it is live.
fn gone(holder: &Holder, age: Duration) -> Option<String> {
    if holder.host == host_name() {
        if !process_alive(holder.pid) {
            return Some(format!("process {} on this host has exited", holder.pid));
        }
        match (holder.process_start, process_start(holder.pid)) {
            (Some(then), Some(now)) if then != now => {
                Some(format!("process {} on this host has exited (its pid was reused)", holder.pid))
            }
            _ => None,
        }
    } else if age > STALE_AFTER {
        Some(format!("no heartbeat from host {} for {} s", holder.host, age.as_secs()))
    } else {
        None
    }
}

/// Removes the lock at `path` if its contents still pass `same` (the holder
/// judged gone). Renaming it to a private name first means two processes
/// breaking the same stale lock cannot remove a fresh one taken in between:
/// whoever finds something else under the private name links it back.
fn break_lock(path: &Path, same: &dyn Fn(&str) -> bool) -> Result<(), LockError> {
    let private = path.with_file_name(format!(".{}.broken-{}", file_name(path), process_token()));
    match std::fs::rename(path, &private) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(path)(e)),
    }
    let moved = std::fs::read_to_string(&private).unwrap_or_default();
    if !same(&moved) {
        let _ = std::fs::hard_link(&private, path);
    }
    std::fs::remove_file(&private).map_err(io(&private))
}

/// Time since a lock file's last heartbeat (zero when unknown).
fn lock_age(path: &Path) -> Duration {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|m| SystemTime::now().duration_since(m).ok())
        .unwrap_or(Duration::ZERO)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The live holders of every lock in `dataset`, with their lock files;
/// dead and stale ones are left out (and left alone).
pub fn live_holders(dataset: &Path) -> Vec<(PathBuf, Holder)> {
    let dir = dataset.join(LOCKS_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Vec::new() };
    let mut live = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let name = file_name(&path);
        if name.starts_with('.') || !name.ends_with(".lock") {
            continue;
        }
        if let Some((holder, age)) = read_holder(&path, None) {
            if gone(&holder, age).is_none() {
                live.push((path, holder));
            }
        }
    }
    live
}

/// A lock this process holds; released when dropped.
pub struct WriterLock {
    path: PathBuf,
    token: String,
    lost: Arc<AtomicBool>,
    stop: Option<Sender<()>>,
    heartbeat: Option<std::thread::JoinHandle<()>>,
}

impl WriterLock {
    /// Whether another process broke this lock while it was held.
    pub fn lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }

    /// A flag that is raised when the lock is lost, for the executor.
    pub fn lost_flag(&self) -> Arc<AtomicBool> {
        self.lost.clone()
    }

    /// Removes the lock file (if it is still ours) and stops the heartbeat.
    pub fn release(&mut self) {
        // Dropping the sender wakes the heartbeat thread, which then ends.
        self.stop = None;
        if let Some(thread) = self.heartbeat.take() {
            drop(thread.join());
        }
        if let Ok(text) = std::fs::read_to_string(&self.path) {
            if text.lines().any(|l| l == format!("token={}", self.token)) {
                let _ = std::fs::remove_file(&self.path);
            }
        }
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        self.release();
    }
}

/// Takes the lock for `role` in `dataset` (which must exist), breaking dead
/// and stale holders, and live ones too with `break_live`; refuses at once
/// when a live writer holds it or an overlapping layout is being written.
pub fn acquire(dataset: &Path, role: Role, break_live: bool) -> Result<WriterLock, LockError> {
    let dir = dataset.join(LOCKS_DIR);
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let me = Holder::current(role);
    let mutex_name = match role {
        Role::Mutex(name) => Some(name),
        _ => None,
    };
    let path = dir.join(role.file_name());
    let private = dir.join(format!(".{}.{}.new", role.file_name(), me.token));
    {
        let mut file = File::create(&private).map_err(io(&private))?;
        file.write_all(me.to_text().as_bytes()).and_then(|()| file.sync_all()).map_err(io(&private))?;
    }
    let linked = (|| {
        let deadline = std::time::Instant::now() + JUNK_AFTER * 2;
        while std::time::Instant::now() < deadline {
            match std::fs::hard_link(&private, &path) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                // File systems without hard links: an exclusive create is
                // atomic too, though the contents follow a moment later.
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::Unsupported | std::io::ErrorKind::PermissionDenied
                    ) =>
                {
                    match File::options().write(true).create_new(true).open(&path) {
                        Ok(mut file) => {
                            file.write_all(me.to_text().as_bytes())
                                .and_then(|()| file.sync_all())
                                .map_err(io(&path))?;
                            return Ok(());
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                        Err(e) => return Err(io(&path)(e)),
                    }
                }
                Err(e) => return Err(io(&path)(e)),
            }
            let Some((holder, age)) = read_holder(&path, mutex_name) else {
                // Being written (no hard links), or junk once it stays so.
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if lock_age(&path) > JUNK_AFTER {
                    tracing::warn!("removing the unreadable lock file {}", path.display());
                    break_lock(&path, &|moved: &str| moved == text)?;
                } else {
                    std::thread::sleep(Duration::from_millis(100));
                }
                continue;
            };
            if let Some(reason) = gone(&holder, age) {
                tracing::warn!("breaking the lock {} of {holder}: {reason}", path.display());
            } else if break_live {
                tracing::warn!(
                    "breaking the live-looking lock {} of {holder} (--break-lock)",
                    path.display()
                );
            } else {
                return Err(LockError::Held {
                    dir: dataset.to_path_buf(),
                    path: path.clone(),
                    holder: Box::new(holder),
                    age,
                });
            }
            let token = format!("token={}", holder.token);
            break_lock(&path, &|moved: &str| moved.lines().any(|l| l == token))?;
        }
        Err(io(&path)(std::io::Error::other("the lock kept changing hands; try again")))
    })();
    let _ = std::fs::remove_file(&private);
    linked?;
    let mut lock = WriterLock {
        path: path.clone(),
        token: me.token.clone(),
        lost: Arc::new(AtomicBool::new(false)),
        stop: None,
        heartbeat: None,
    };
    if !matches!(role, Role::Mutex(_)) {
        check_overlaps(dataset, &path, role, break_live)?;
    }
    let (stop, stopped) = channel();
    let (beat_path, token, lost) = (path, me.token, lock.lost.clone());
    lock.stop = Some(stop);
    lock.heartbeat = Some(std::thread::spawn(move || loop {
        match stopped.recv_timeout(HEARTBEAT) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => return,
        }
        let ours = std::fs::read_to_string(&beat_path)
            .is_ok_and(|t| t.lines().any(|l| l == format!("token={token}")));
        if !ours {
            if !lost.swap(true, Ordering::SeqCst) {
                tracing::error!("the lock {} was broken by another process", beat_path.display());
            }
        } else if let Ok(file) = File::options().append(true).open(&beat_path) {
            let _ = file.set_modified(SystemTime::now());
        }
    }));
    Ok(lock)
}

/// Refuses when a live writer of an overlapping layout holds another lock
/// (the caller's own lock is released when its guard drops, so a refusal
/// leaves nothing behind).
fn check_overlaps(dataset: &Path, own: &Path, role: Role, break_live: bool) -> Result<(), LockError> {
    let dir = dataset.join(LOCKS_DIR);
    let entries = std::fs::read_dir(&dir).map_err(io(&dir))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = file_name(&path);
        if path == own || name.starts_with('.') || !name.ends_with(".lock") {
            continue;
        }
        let Some((holder, age)) = read_holder(&path, Some("mutex")) else { continue };
        if !role.conflicts(&holder.role) {
            continue;
        }
        if let Some(reason) = gone(&holder, age) {
            tracing::warn!("breaking the lock {} of {holder}: {reason}", path.display());
        } else if break_live {
            tracing::warn!("breaking the live-looking lock {} of {holder} (--break-lock)", path.display());
        } else {
            let shards = matches!((role, &holder.role), (Role::Shard(_), Role::Shard(_)));
            return Err(LockError::Overlap {
                dir: dataset.to_path_buf(),
                path,
                holder: Box::new(holder),
                wanted: role.describe(),
                shards,
            });
        }
        let token = format!("token={}", holder.token);
        break_lock(&path, &|moved: &str| moved.lines().any(|l| l == token))?;
    }
    Ok(())
}

/// Takes a [`Role::Mutex`] lock, waiting up to `patience` for a live
/// holder to let go.
pub fn acquire_waiting(
    dataset: &Path,
    name: &'static str,
    patience: Duration,
) -> Result<WriterLock, LockError> {
    let until = std::time::Instant::now() + patience;
    loop {
        match acquire(dataset, Role::Mutex(name), false) {
            Err(LockError::Held { .. }) if std::time::Instant::now() < until => {
                std::thread::sleep(Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_conflict_unless_they_are_different_shards_of_one_count() {
        let shard = |i, n| Role::Shard(Shard::new(i, n).unwrap());
        assert!(!shard(0, 4).conflicts(&shard(1, 4)));
        assert!(shard(0, 4).conflicts(&shard(0, 4)));
        assert!(shard(0, 1).conflicts(&shard(0, 2)));
        assert!(shard(1, 2).conflicts(&shard(0, 3)));
        assert!(Role::Exclusive.conflicts(&shard(1, 4)));
        assert!(!Role::Mutex("rewrite").conflicts(&Role::Exclusive));
    }

    #[test]
    fn holders_round_trip_and_dead_ones_are_gone() {
        let holder = Holder::current(Role::Shard(Shard::new(2, 4).unwrap()));
        let parsed = Holder::parse(&holder.to_text(), None).unwrap();
        assert_eq!(parsed, holder);
        assert!(gone(&holder, Duration::ZERO).is_none(), "this process is alive");
        let exited = Holder { pid: u32::MAX - 1, ..holder.clone() };
        assert!(gone(&exited, Duration::ZERO).is_some());
        let remote = Holder { host: "elsewhere".into(), ..holder };
        assert!(gone(&remote, STALE_AFTER / 2).is_none());
        assert!(gone(&remote, STALE_AFTER * 2).is_some());
    }

    #[test]
    fn a_second_lock_is_refused_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let role = Role::Shard(Shard::WHOLE);
        let first = acquire(dir.path(), role, false).unwrap();
        // Same process, same token: the holder is alive, so it is refused.
        assert!(matches!(acquire(dir.path(), role, false), Err(LockError::Held { .. })));
        let other = Role::Shard(Shard::new(1, 2).unwrap());
        let Err(overlap) = acquire(dir.path(), other, false) else { panic!("a second shard count overlaps") };
        assert!(matches!(overlap, LockError::Overlap { shards: true, .. }), "{overlap}");
        assert!(overlap.to_string().contains("use the same shard count"), "{overlap}");
        // Repair needs the dataset alone: no shard count would help it.
        let Err(repair) = acquire(dir.path(), Role::Exclusive, false) else {
            panic!("repair overlaps a writer")
        };
        assert!(!repair.to_string().contains("shard count"), "{repair}");
        assert_eq!(live_holders(dir.path()).len(), 1, "the refused writer left no lock");
        drop(first);
        assert!(live_holders(dir.path()).is_empty());
        drop(acquire(dir.path(), other, false).unwrap());
    }
}
