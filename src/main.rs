//! The `bolus` command: parses the command line, runs it, and writes the output.
#![forbid(unsafe_code)]
#![warn(clippy::too_many_lines)]

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match bolus::cli::Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version go to standard output through the same writer as any output, so that
        // a descriptor that cannot be written is an error here too; usage errors go to standard
        // error as clap writes them.
        Err(e) if !e.use_stderr() => {
            let rendered = e.render();
            let text = if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                rendered.ansi().to_string()
            } else {
                rendered.to_string()
            };
            return match write_stdout(&text) {
                Ok(()) => ExitCode::from(e.exit_code() as u8),
                Err(err) => {
                    write_stderr(&format!(
                        "error: cannot write the output: {}\n",
                        bolus::app::stdout_reason(&err)
                    ));
                    ExitCode::from(2)
                }
            };
        }
        Err(e) => {
            write_stderr(&clap_message(&e));
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    match bolus::app::run(cli) {
        Ok(outcome) => {
            write_stderr(&outcome.stderr);
            match write_stdout(&outcome.stdout) {
                Ok(()) => ExitCode::from(outcome.code),
                Err(e) => {
                    write_stderr(&format!(
                        "error: cannot write the output: {}\n",
                        bolus::app::stdout_reason(&e)
                    ));
                    ExitCode::from(2)
                }
            }
        }
        Err(failure) => {
            // One message, one line: a newline in it is escaped, not a line break.
            let message = bolus::engine::chars::tidy(&format!("error: {failure}"));
            write_stderr(&message);
            ExitCode::from(failure.code())
        }
    }
}

/// clap's message for a command line it refuses, made safe: the command line is parsed again
/// with every argument escaped and cut at 40 characters, so that clap repeats those (a newline
/// in an argument cannot start a line of its own, and a long one cannot flood the terminal).
fn clap_message(e: &clap::Error) -> String {
    let safe: Vec<String> = std::env::args_os()
        .enumerate()
        .map(|(i, a)| {
            let a = a.to_string_lossy();
            if i == 0 {
                return a.into_owned();
            }
            let q = bolus::engine::chars::quote(&a);
            q[1..q.len() - 1].to_string()
        })
        .collect();
    match bolus::cli::Cli::try_parse_from(safe) {
        Err(again) if again.kind() == e.kind() => again.render().to_string(),
        _ => e.render().to_string(),
    }
}

/// Writes messages to standard error, each line made safe and bounded (`tidy`), with their
/// `error:`, `warning:` and `note:` prefixes coloured on a terminal only: `anstream` removes the
/// styles when standard error is not a terminal or `NO_COLOR` is set. A standard error that
/// cannot be written to has nowhere to report that.
fn write_stderr(text: &str) {
    if text.is_empty() {
        return;
    }
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(&bolus::engine::chars::tidy(line));
        out.push('\n');
    }
    let mut err = anstream::stderr().lock();
    let _ = err.write_all(bolus::render::stderr::paint(&out).as_bytes());
    let _ = err.flush();
}

/// Writes all of standard output; a reader that closed the pipe is not an error, and a
/// descriptor that cannot be written (open for reading only, a full disk) is.
fn write_stdout(text: &str) -> std::io::Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    let mut out = bolus::app::stdout_file()?;
    match out.write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
