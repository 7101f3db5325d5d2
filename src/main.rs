//! The `bolus` command: parses the command line, runs it, and writes the output.
#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = bolus::cli::Cli::parse();
    match bolus::app::run(cli) {
        Ok(outcome) => {
            let _ = std::io::stderr().write_all(outcome.stderr.as_bytes());
            match write_stdout(&outcome.stdout) {
                Ok(()) => ExitCode::from(outcome.code),
                Err(e) => {
                    eprintln!("error: cannot write the output: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Err(failure) => {
            eprintln!("error: {}", bolus::units::tidy(&failure.to_string()));
            ExitCode::from(failure.code())
        }
    }
}

/// Writes all of standard output; a reader that closed the pipe is not an error.
fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
