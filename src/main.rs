//! The `bolus` command: parses the command line, runs it, and writes the output.
#![forbid(unsafe_code)]

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = bolus::cli::Cli::parse();
    match bolus::app::run(cli) {
        Ok(outcome) => {
            write_stderr(&outcome.stderr);
            match write_stdout(&outcome.stdout) {
                Ok(()) => ExitCode::from(outcome.code),
                Err(e) => {
                    write_stderr(&format!("error: cannot write the output: {e}\n"));
                    ExitCode::from(2)
                }
            }
        }
        Err(failure) => {
            write_stderr(&format!(
                "error: {}\n",
                bolus::units::tidy(&failure.to_string())
            ));
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

/// Writes messages to standard error, their prefixes coloured on a terminal only: `anstream`
/// removes the styles when standard error is not a terminal or `NO_COLOR` is set. A standard
/// error that cannot be written to has nowhere to report that.
fn write_stderr(text: &str) {
    if text.is_empty() {
        return;
    }
    let mut err = anstream::stderr().lock();
    let _ = err.write_all(bolus::render::stderr::paint(text).as_bytes());
    let _ = err.flush();
}
