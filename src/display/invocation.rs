//! How the user invoked `avalanche`, so that every command the tool
//! suggests ("Next: ... report results/quickstart", "... repair DIR") can be
//! pasted as printed: `avalanche` only where that name on the `PATH` is this
//! very binary, `cargo run --release --` where cargo started it, and the
//! binary's path otherwise (a test, a copy outside the `PATH`).
//!
//! Decided once per process ([`command`]) from facts gathered once
//! ([`Facts::of_this_process`]); [`decide`] is the pure rule, tested alone.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The binary's name, as cargo builds it and `cargo install` puts it on the `PATH`.
const NAME: &str = "avalanche";

/// What the decision reads, gathered from the process and its environment.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// The running executable (`std::env::current_exe`), resolved.
    pub exe: Option<PathBuf>,
    /// The program name as invoked (`argv[0]`).
    pub argv0: Option<String>,
    /// Whether `cargo run` started this process (see `started_by_cargo`).
    pub started_by_cargo: bool,
    /// `CARGO_MANIFEST_DIR`, which cargo sets for what it runs.
    pub manifest_dir: Option<PathBuf>,
    /// The working directory.
    pub cwd: Option<PathBuf>,
    /// What `avalanche` resolves to on the `PATH`, resolved.
    pub on_path: Option<PathBuf>,
}

impl Facts {
    /// The facts of this process.
    pub fn of_this_process() -> Facts {
        let resolve = |p: PathBuf| p.canonicalize().ok();
        let exe = std::env::current_exe().ok().and_then(resolve);
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
        Facts {
            exe,
            argv0: std::env::args_os().next().map(|a| a.to_string_lossy().into_owned()),
            started_by_cargo: started_by_cargo(),
            manifest_dir,
            cwd: std::env::current_dir().ok(),
            on_path: std::env::var_os("PATH")
                .and_then(|path| std::env::split_paths(&path).map(|d| d.join(NAME)).find(|p| p.is_file()))
                .and_then(resolve),
        }
    }
}

/// Whether `cargo run` started this process. Cargo replaces itself with
/// the program it runs (on Unix), so the sign is its variables
/// (`CARGO`, and `CARGO_PKG_NAME` naming this package); but a test that
/// cargo started, and the binary it runs in turn, inherit them too, so an
/// ancestor that is a cargo-built test harness (in a `deps` folder of a
/// target directory) rules it out.
fn started_by_cargo() -> bool {
    let cargo = std::env::var_os("CARGO").is_some();
    let package = std::env::var_os("CARGO_PKG_NAME").is_some_and(|n| n == NAME);
    cargo
        && package
        && !ancestors().any(|exe| exe.parent().and_then(Path::file_name).is_some_and(|d| d == "deps"))
}

/// The executables of this process's ancestors, nearest first, as far as
/// `/proc` tells (nothing where there is no `/proc`).
fn ancestors() -> impl Iterator<Item = PathBuf> {
    let parent_of = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The fields after the command name, which is in parentheses and may hold anything.
        let rest = &stat[stat.rfind(')')? + 1..];
        rest.split_whitespace().nth(1)?.parse().ok()
    };
    let mut pid = Some(std::os::unix::process::parent_id());
    std::iter::from_fn(move || {
        let current = pid.filter(|&p| p > 1)?;
        pid = parent_of(current);
        Some(std::fs::read_link(format!("/proc/{current}/exe")).unwrap_or_default())
    })
    .take(16)
}

/// The command that starts this binary, as a user would type it in the
/// working directory: see the module comment.
pub fn command() -> &'static str {
    static COMMAND: OnceLock<String> = OnceLock::new();
    COMMAND.get_or_init(|| decide(&Facts::of_this_process()))
}

/// The command line this process was started with, as [`command`] and
/// then its arguments, each [`quoted`]: the command that does it again
/// (say, resumes an interrupted run).
pub fn as_started() -> String {
    std::iter::once(command().to_string())
        .chain(std::env::args().skip(1).map(|a| quoted(&a)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The rule behind [`command`].
pub fn decide(facts: &Facts) -> String {
    let Some(exe) = &facts.exe else { return NAME.into() };
    // A program embedding the library (a test harness, say) is not the
    // binary whose commands the messages name.
    if exe.file_stem().is_none_or(|s| s != NAME) {
        return NAME.into();
    }
    if facts.started_by_cargo {
        let profile = exe.parent().and_then(|d| d.file_name()).map(|d| d.to_string_lossy().into_owned());
        let mut text = String::from("cargo run");
        // `cargo run` finds the manifest from the working directory up.
        if let (Some(manifest), Some(cwd)) = (&facts.manifest_dir, &facts.cwd) {
            if !cwd.starts_with(manifest) {
                text +=
                    &format!(" --manifest-path {}", quoted(&manifest.join("Cargo.toml").to_string_lossy()));
            }
        }
        match profile.as_deref() {
            Some("debug") | None => {}
            Some("release") => text += " --release",
            Some(other) => text += &format!(" --profile {other}"),
        }
        return text + " --";
    }
    if facts.on_path.as_ref() == Some(exe) {
        return NAME.into();
    }
    // The path as typed works from here if it named a file; the resolved
    // path works from anywhere.
    match &facts.argv0 {
        Some(typed) if typed.contains('/') && Path::new(typed).canonicalize().ok().as_ref() == Some(exe) => {
            quoted(typed)
        }
        _ => quoted(&exe.to_string_lossy()),
    }
}

/// `text` as one shell word: as it is where that is safe, else in single quotes.
pub fn quoted(text: &str) -> String {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c)) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(exe: &str) -> Facts {
        Facts { exe: Some(exe.into()), ..Facts::default() }
    }

    #[test]
    fn the_name_only_where_the_path_finds_this_very_binary() {
        let installed = Facts {
            on_path: Some("/home/u/.cargo/bin/avalanche".into()),
            ..facts("/home/u/.cargo/bin/avalanche")
        };
        assert_eq!(decide(&installed), "avalanche");
        // Another avalanche on the PATH (an older install) is not this one.
        let elsewhere = Facts {
            on_path: Some("/usr/bin/avalanche".into()),
            ..facts("/src/a b/target/release/avalanche")
        };
        assert_eq!(decide(&elsewhere), "'/src/a b/target/release/avalanche'");
        // A program that embeds the library names the command plainly.
        assert_eq!(decide(&facts("/src/target/release/deps/report-1234")), "avalanche");
    }

    #[test]
    fn cargo_run_is_named_with_its_profile_and_manifest() {
        let cargo = |exe: &str, cwd: &str| Facts {
            started_by_cargo: true,
            manifest_dir: Some("/src/avalanche".into()),
            cwd: Some(cwd.into()),
            ..facts(exe)
        };
        assert_eq!(
            decide(&cargo("/src/avalanche/target/release/avalanche", "/src/avalanche")),
            "cargo run --release --"
        );
        assert_eq!(
            decide(&cargo("/src/avalanche/target/debug/avalanche", "/src/avalanche/sweeps")),
            "cargo run --"
        );
        assert_eq!(
            decide(&cargo("/src/avalanche/target/profiling/avalanche", "/tmp")),
            "cargo run --manifest-path /src/avalanche/Cargo.toml --profile profiling --"
        );
    }
}
