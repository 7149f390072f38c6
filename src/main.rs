//! The `avalanche` binary: sets up logging, parses the command line and
//! hands it to the command it names (`cli/`); the work happens in the
//! library.

use std::io::IsTerminal;
use std::process::ExitCode;

use avalanche::executor::WORKER_THREAD_PREFIX;

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
    quiet_worker_panics();
    match cli::dispatch(cli::args::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", cli::error_text(&error));
            ExitCode::from(2)
        }
    }
}

/// A panic inside a run is caught, recorded as that run's failure and
/// logged with its message; printing it again from the panic hook would
/// only tear the progress bar. Panics anywhere else still print.
fn quiet_worker_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let worker = std::thread::current().name().is_some_and(|n| n.starts_with(WORKER_THREAD_PREFIX));
        if !worker {
            default(info);
        }
    }));
}
