//! Messages for standard error: the `error:`, `warning:` and `note:` prefixes at the start of a
//! line are styled. The styles are ANSI escapes; the binary writes through `anstream`, which
//! removes them when standard error is not a terminal, when `NO_COLOR` is set, or when `TERM` is
//! `dumb` outside CI (and keeps them when `CLICOLOR_FORCE` asks for colour).

use anstyle::{AnsiColor, Style};

/// Each prefix and its style, as cargo and clap colour theirs.
const PREFIXES: [(&str, Style); 3] = [
    (
        "error:",
        Style::new()
            .bold()
            .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red))),
    ),
    (
        "warning:",
        Style::new()
            .bold()
            .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow))),
    ),
    (
        "note:",
        Style::new()
            .bold()
            .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan))),
    ),
];

/// The text with the prefix of each line that starts with `error:`, `warning:` or `note:`
/// styled; every other character is unchanged.
pub fn paint(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    for line in text.split_inclusive('\n') {
        match PREFIXES.iter().find(|(p, _)| line.starts_with(p)) {
            Some((prefix, style)) => {
                out.push_str(&format!("{style}{prefix}{style:#}"));
                out.push_str(&line[prefix.len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}
