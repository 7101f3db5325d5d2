//! The documentation kept honest: clap's own checks, the checked-in man page, the completion
//! scripts, and every `bolus` command shown in README.md.

use std::path::Path;
use std::process::Command;

use bolus::cli::Cli;
use clap::{CommandFactory, Parser};

const MAN_PAGE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/man/bolus.1");
const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");

#[test]
fn the_command_line_definition_passes_clap_debug_asserts() {
    Cli::command().debug_assert();
}

#[test]
fn the_checked_in_man_page_matches_the_command_line() {
    let generated = bolus::cli::man_page();
    if std::env::var_os("UPDATE_MAN").is_some_and(|v| !v.is_empty() && v != "0") {
        std::fs::create_dir_all(Path::new(MAN_PAGE).parent().unwrap()).unwrap();
        std::fs::write(MAN_PAGE, &generated).unwrap();
        return;
    }
    let hint =
        "run `UPDATE_MAN=1 cargo test --test docs` to regenerate it, then commit man/bolus.1";
    let checked_in = std::fs::read_to_string(MAN_PAGE)
        .unwrap_or_else(|e| panic!("cannot read man/bolus.1 ({e}); {hint}"));
    if checked_in != generated {
        let first = checked_in
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| checked_in.lines().count().min(generated.lines().count()));
        panic!(
            "man/bolus.1 is out of date with the command line (first difference at line {}):\n  \
             checked in: {:?}\n  generated:  {:?}\n{hint}",
            first + 1,
            checked_in.lines().nth(first).unwrap_or("(end of file)"),
            generated.lines().nth(first).unwrap_or("(end of file)"),
        );
    }
}

#[test]
fn completions_are_printed_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::new(env!("CARGO_BIN_EXE_bolus"))
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "`bolus completions {shell}` exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let script = String::from_utf8(out.stdout).unwrap();
        assert!(
            script.contains("plan"),
            "the {shell} completion script does not mention `plan`"
        );
    }
}

/// The bash completions offer, for every subcommand, each long option its `--help` lists, and
/// after `help protocols` the nested subcommands. (Subcommands are built only when they run;
/// this checks that the completion script still sees the whole tree.)
#[test]
fn bash_completions_cover_every_subcommand_and_option() {
    let bolus = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_bolus"))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "bolus {args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let script = bolus(&["completions", "bash"]);
    // The `opts="…"` line of a case such as `bolus__subcmd__protocols__subcmd__show)`.
    let opts = |case: &str| -> String {
        let start = script
            .find(&format!("        {case})"))
            .unwrap_or_else(|| panic!("no case `{case}` in the bash completions"));
        let line = script[start..]
            .lines()
            .find(|l| l.trim_start().starts_with("opts=\""))
            .unwrap();
        line.trim().to_string()
    };
    let paths: &[&[&str]] = &[
        &["plan"],
        &["check"],
        &["batch"],
        &["chart"],
        &["drill"],
        &["protocols"],
        &["protocols", "list"],
        &["protocols", "show"],
        &["protocols", "lint"],
        &["completions"],
    ];
    for path in paths {
        let mut args = path.to_vec();
        args.push("--help");
        let help = bolus(&args);
        let case = format!("bolus__subcmd__{}", path.join("__subcmd__"));
        let offered = opts(&case);
        let flags: Vec<&str> = help
            .lines()
            .filter(|l| l.trim_start().starts_with('-'))
            .flat_map(|l| l.split([' ', ',']))
            .filter(|w| w.starts_with("--"))
            .collect();
        assert!(!flags.is_empty(), "{path:?}: no options in --help");
        for flag in flags {
            assert!(
                offered.split([' ', '"']).any(|o| o == flag),
                "{path:?}: `{flag}` is not offered: {offered}"
            );
        }
    }
    assert_eq!(
        opts("bolus__subcmd__help__subcmd__protocols"),
        "opts=\"list show lint\""
    );
}

#[test]
fn every_bolus_command_in_the_readme_parses() {
    let readme = std::fs::read_to_string(README).unwrap();
    let commands = readme_commands(&readme);
    assert!(
        commands.len() >= 10,
        "found only {} `bolus` command lines in README.md; is the code-block reader broken?",
        commands.len()
    );
    let mut bad = Vec::new();
    for (line, args) in &commands {
        if let Err(e) = Cli::try_parse_from(args) {
            use clap::error::ErrorKind::{DisplayHelp, DisplayVersion};
            if !matches!(e.kind(), DisplayHelp | DisplayVersion) {
                bad.push(format!("README.md:{line}: `{}`\n{e}", args.join(" ")));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "README commands clap refuses:\n\n{}",
        bad.join("\n")
    );
}

/// The `bolus` command lines in ```console and ```sh blocks, with their line numbers, as the
/// arguments a shell would pass. A leading `$ ` prompt is dropped; `cargo run … -- ARGS` counts
/// as `bolus ARGS`; a line ending in `\` continues on the next.
fn readme_commands(readme: &str) -> Vec<(usize, Vec<String>)> {
    let mut found = Vec::new();
    let mut in_block = false;
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in readme.lines().enumerate() {
        let trimmed = raw.trim();
        if let Some(info) = trimmed.strip_prefix("```") {
            in_block = !in_block && matches!(info.trim(), "console" | "sh");
            continue;
        }
        if !in_block {
            continue;
        }
        let (start, mut text) = match pending.take() {
            Some((start, text)) => (start, format!("{text} {trimmed}")),
            None => (
                i + 1,
                trimmed.strip_prefix("$ ").unwrap_or(trimmed).to_string(),
            ),
        };
        if let Some(head) = text.strip_suffix('\\') {
            text = head.trim_end().to_string();
            pending = Some((start, text));
            continue;
        }
        let words = shell_words(&text);
        let args: Vec<String> = match words.first().map(String::as_str) {
            Some("bolus") => words,
            Some("cargo") if words.get(1).is_some_and(|w| w == "run") => {
                match words.iter().position(|w| w == "--") {
                    Some(dash) => std::iter::once("bolus".to_string())
                        .chain(words[dash + 1..].iter().cloned())
                        .collect(),
                    None => continue,
                }
            }
            _ => continue,
        };
        found.push((start, args));
    }
    found
}

/// Splits a command line on spaces, keeping double-quoted text together, and stops at the first
/// unquoted pipe, redirection, `;`, `&&` or comment.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut has_word = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                has_word = true;
            }
            ' ' | '\t' if !quoted => {
                if has_word {
                    words.push(std::mem::take(&mut word));
                    has_word = false;
                }
            }
            '|' | '>' | '<' | ';' | '&' | '#' if !quoted && !has_word => break,
            _ => {
                word.push(c);
                has_word = true;
            }
        }
    }
    if has_word {
        words.push(word);
    }
    words
}

#[test]
fn shell_words_respects_double_quotes_and_stops_at_a_pipe() {
    assert_eq!(
        shell_words(r#"bolus plan x --weight "82 kg" --accept-soft-limit "a b"  | head"#),
        [
            "bolus",
            "plan",
            "x",
            "--weight",
            "82 kg",
            "--accept-soft-limit",
            "a b"
        ]
    );
    assert_eq!(
        shell_words("bolus completions bash > out # note"),
        ["bolus", "completions", "bash"]
    );
}

/// The built-in protocols written out as Rust (`src/prebuilt/generated.rs`) are exactly the
/// files in `protocols/` parsed and checked.
#[test]
fn the_prebuilt_protocols_are_the_files_parsed() {
    const GENERATED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/prebuilt/generated.rs");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/protocols");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty());
    let protocols: Vec<_> = paths
        .iter()
        .map(|path| {
            let stem = path.file_stem().unwrap().to_str().unwrap();
            let bytes = std::fs::read(path).unwrap();
            bolus::protocol::Protocol::from_toml(&path.display().to_string(), stem, &bytes)
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    let generated = bolus::prebuilt::source(&protocols);
    if std::env::var_os("UPDATE_PREBUILT").is_some_and(|v| !v.is_empty() && v != "0") {
        std::fs::write(GENERATED, &generated).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(GENERATED).unwrap();
    assert!(
        checked_in == generated,
        "src/prebuilt/generated.rs is out of date with protocols/; run \
         `UPDATE_PREBUILT=1 cargo test --test docs` and commit it"
    );
    for p in &protocols {
        let prebuilt = bolus::prebuilt::protocol(&p.id, &p.sha256);
        let builtin = bolus::protocol::Protocol {
            source: bolus::protocol::Source::BuiltIn,
            ..p.clone()
        };
        assert_eq!(prebuilt, Some(builtin), "{}", p.id);
        // An entry serves only the bytes it was made from.
        assert_eq!(bolus::prebuilt::protocol(&p.id, &"0".repeat(64)), None);
        assert_eq!(bolus::prebuilt::protocol("other", &p.sha256), None);
    }
}
