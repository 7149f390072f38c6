//! The `avalanche` binary: sets up logging, parses the command line and
//! hands it to the command it names (`cli/`); the work happens in the
//! library.

use std::io::IsTerminal;
use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
    avalanche::engine::executor::quiet_worker_panics();
    match cli::dispatch(cli::args::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", cli::error_text(&error));
            ExitCode::from(2)
        }
    }
}
