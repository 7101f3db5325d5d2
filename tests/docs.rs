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
        &["course"],
        &["chart"],
        &["drill"],
        &["protocols"],
        &["protocols", "list"],
        &["protocols", "show"],
        &["protocols", "lint"],
        &["protocols", "approve"],
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
        "opts=\"list show lint approve\""
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

/// The built-in protocols written out as Rust (`src/input/prebuilt/generated.rs`) are exactly the
/// files in `protocols/` parsed and checked.
#[test]
fn the_prebuilt_protocols_are_the_files_parsed() {
    const GENERATED: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/input/prebuilt/generated.rs"
    );
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
            bolus::engine::protocol::Protocol::from_toml(&path.display().to_string(), stem, &bytes)
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    let generated = bolus::input::prebuilt::source(&protocols);
    if std::env::var_os("UPDATE_PREBUILT").is_some_and(|v| !v.is_empty() && v != "0") {
        std::fs::write(GENERATED, &generated).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(GENERATED).unwrap();
    assert!(
        checked_in == generated,
        "src/input/prebuilt/generated.rs is out of date with protocols/; run \
         `UPDATE_PREBUILT=1 cargo test --test docs` and commit it"
    );
    for p in &protocols {
        let prebuilt = bolus::input::prebuilt::protocol(&p.id, &p.sha256);
        let builtin = bolus::engine::protocol::Protocol {
            source: bolus::engine::protocol::Source::BuiltIn,
            ..p.clone()
        };
        assert_eq!(prebuilt, Some(builtin), "{}", p.id);
        // An entry serves only the bytes it was made from.
        assert_eq!(
            bolus::input::prebuilt::protocol(&p.id, &"0".repeat(64)),
            None
        );
        assert_eq!(bolus::input::prebuilt::protocol("other", &p.sha256), None);
    }
}

/// The JSON Schemas in `schemas/` are the ones the output types generate. When a JSON shape
/// changes, `UPDATE_SCHEMAS=1 cargo test --test docs` rewrites them (and removes none).
#[test]
fn the_checked_in_json_schemas_match_the_output_types() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some_and(|v| !v.is_empty() && v != "0");
    let hint =
        "run `UPDATE_SCHEMAS=1 cargo test --test docs` to regenerate them, then commit schemas/";
    let mut generated = bolus::render::schema::all();
    // The bedside record's lines: written to its file, not to standard output.
    generated.extend(bolus::input::record::schemas());
    assert!(
        generated.len() >= 3,
        "the plan, check and batch-row schemas"
    );
    for (name, text) in &generated {
        let path = dir.join(name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, text).unwrap();
            continue;
        }
        let checked_in = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read schemas/{name} ({e}); {hint}"));
        assert!(
            checked_in == *text,
            "schemas/{name} is out of date with the types that write the JSON; {hint}"
        );
    }
    // No stale schema is left for a document that is no longer written.
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut expected: Vec<String> = generated.iter().map(|(n, _)| n.to_string()).collect();
    expected.sort();
    assert_eq!(
        on_disk, expected,
        "schemas/ holds exactly the generated schemas"
    );
}

/// What bash's completion function offers for `words` (the last one being completed), with the
/// script `bolus [global] completions bash` prints.
fn bash_offers(global: &[&str], words: &[&str]) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_bolus"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("BOLUS_PROTOCOLS")
        .args(global)
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("bolus.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let cword = words.len() - 1;
    let line = format!(
        "source {}; COMP_WORDS=({}); COMP_CWORD={cword}; _bolus bolus '{}' '{}'; \
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        words
            .iter()
            .map(|w| format!("'{w}'"))
            .collect::<Vec<_>>()
            .join(" "),
        words[cword],
        words[cword - 1],
    );
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &line])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// In bash, a `<PROTOCOL>` completes to the built-in protocol ids in every subcommand that
/// takes one, and to the ids of the `--protocols` directory given when the script was made.
#[test]
fn bash_completes_protocol_ids() {
    for sub in [
        &["plan"][..],
        &["check"],
        &["batch"],
        &["chart"],
        &["drill"],
        &["protocols", "show"],
    ] {
        let mut words = vec!["bolus"];
        words.extend_from_slice(sub);
        words.push("ket");
        assert_eq!(bash_offers(&[], &words), ["ketamine-kap-iv"], "{sub:?}");
    }
    let offered = bash_offers(
        &["--protocols", "tests/fixtures/catalog"],
        &["bolus", "plan", "test-"],
    );
    assert_eq!(
        offered,
        [
            "test-fentanyl-iv",
            "test-ideal-weight",
            "test-seconds-interval",
            "test-zero-bolus"
        ]
    );
    // Not where a protocol is not taken.
    assert!(bash_offers(&[], &["bolus", "protocols", "lint", "ket"]).is_empty());
}

/// A protocol file whose name a shell would read something into is not written into the
/// script, and a note says so; the other shells' scripts complete a `<PROTOCOL>` as a file.
#[test]
fn completion_scripts_hold_no_unsafe_id_and_other_shells_complete_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a$(touch x) b.toml"), "schema = 1\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_bolus"))
        .env("NO_COLOR", "1")
        .arg("--protocols")
        .arg(dir.path())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let script = String::from_utf8(out.stdout).unwrap();
    assert!(
        !script.contains("touch"),
        "the id was written into the script"
    );
    assert!(script.contains("ketamine-kap-iv"));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "note: the protocol id `a$(touch x) b` is not offered for completion: only letters, \
         digits, `.`, `_` and `-` are written into a completion script\n"
    );
    let zsh = Command::new(env!("CARGO_BIN_EXE_bolus"))
        .args(["completions", "zsh"])
        .output()
        .unwrap();
    let zsh = String::from_utf8(zsh.stdout).unwrap();
    assert!(
        zsh.contains(":protocol -- A protocol id (such as `ketamine-kap-iv`) or a path to a protocol file:_default'"),
        "{zsh}"
    );
    // A directory that is not there is an error, as for every command.
    let out = Command::new(env!("CARGO_BIN_EXE_bolus"))
        .args([
            "--protocols",
            "/nonexistent/protocols",
            "completions",
            "bash",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

/// The package has a registry name of its own (`bolus` on crates.io is an unrelated library),
/// and the README installs it by that name, never by `bolus`.
#[test]
fn the_readme_installs_the_package_by_its_own_name() {
    let name = env!("CARGO_PKG_NAME");
    assert_ne!(
        name, "bolus",
        "the name `bolus` on the registry is not this package"
    );
    let readme = std::fs::read_to_string(README).unwrap();
    assert!(
        readme.contains(&format!("cargo install --locked {name}\n")),
        "README.md does not install `{name}` from the registry"
    );
    assert!(readme.contains("cargo install --locked --path .\n"));
    for line in readme.lines().filter(|l| l.contains("cargo install")) {
        assert!(
            !line
                .split_whitespace()
                .any(|w| w.trim_matches('`') == "bolus"),
            "README.md installs the wrong package: {line}"
        );
    }
    // The command and the library keep the name `bolus`.
    assert!(env!("CARGO_BIN_EXE_bolus").ends_with("bolus"));
}

/// The licence the manifest declares comes with its texts, and the changelog has a section for
/// unreleased changes and one for the current version.
#[test]
fn the_licence_texts_and_the_changelog_are_there() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    let mit = std::fs::read_to_string(root.join("LICENSE-MIT")).unwrap();
    assert!(mit.starts_with("MIT License\n") && mit.contains("the bolus authors"));
    let apache = std::fs::read_to_string(root.join("LICENSE-APACHE")).unwrap();
    assert!(apache.contains("Apache License") && apache.contains("Version 2.0, January 2004"));
    assert!(apache.contains("END OF TERMS AND CONDITIONS"));
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(changelog.contains("## [Unreleased]"));
    assert!(
        changelog.contains(&format!("## [{}] - ", env!("CARGO_PKG_VERSION"))),
        "CHANGELOG.md has no section for version {}",
        env!("CARGO_PKG_VERSION")
    );
}

/// The example plan at the top of README.md names the built-in protocol's real SHA-256.
#[test]
fn the_readme_example_plan_names_the_built_in_protocols_sha256() {
    let readme = std::fs::read_to_string(README).unwrap();
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/protocols/ketamine-kap-iv.toml"
    ))
    .unwrap();
    let sha = bolus::input::protocol::sha256_hex(&bytes);
    let example = &readme[readme.find("## An example plan").unwrap()..];
    let example = &example[..example.find("## Getting started").unwrap()];
    let line = example
        .lines()
        .find(|l| l.trim_start().starts_with("sha256 "))
        .expect("the example plan has its sha256 line");
    assert_eq!(
        line.trim(),
        format!("sha256 {sha}"),
        "README.md's example plan names another SHA-256 than protocols/ketamine-kap-iv.toml's"
    );
}
