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

const MAN_EXTRA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/cli/man_extra.roff");

/// The man page's examples: each `.B bolus …` line opens its own tagged paragraph (`.TP` just
/// before it, so that no example runs into the one before), and each parses as the README's do.
#[test]
fn every_man_page_example_is_its_own_paragraph_and_parses() {
    let roff = std::fs::read_to_string(MAN_EXTRA).unwrap();
    let lines: Vec<&str> = roff.lines().collect();
    let mut examples = 0;
    for (i, line) in lines.iter().enumerate() {
        let Some(command) = line.strip_prefix(".B bolus ") else {
            continue;
        };
        examples += 1;
        assert_eq!(
            lines.get(i.wrapping_sub(1)).copied(),
            Some(".TP"),
            "man_extra.roff:{}: the example `{line}` has no `.TP` before it",
            i + 1
        );
        let text = format!("bolus {command}")
            .replace("\\-", "-")
            .replace("\\(dq", "\"");
        let args = shell_words(&text);
        if let Err(e) = Cli::try_parse_from(&args) {
            panic!("man_extra.roff:{}: `{text}`\n{e}", i + 1);
        }
    }
    assert!(examples >= 10, "only {examples} examples");
}

/// Every key a protocol file may hold (those of the built-in protocols and of the test
/// catalogue's, which use the optional ones) is named in the man page's PROTOCOL FORMAT.
#[test]
fn the_man_page_names_every_protocol_key() {
    fn keys(v: &toml::Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    out.insert(k.clone());
                    keys(v, out);
                }
            }
            toml::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = std::collections::BTreeSet::new();
    for dir in ["protocols", "tests/fixtures/catalog"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let table: toml::Table = toml::from_str(&text).unwrap();
                keys(&toml::Value::Table(table), &mut found);
            }
        }
    }
    for needed in [
        "code",
        "concentrations",
        "under_dose",
        "weight_basis",
        "escort",
    ] {
        assert!(found.contains(needed), "no protocol uses `{needed}`");
    }
    let roff = std::fs::read_to_string(MAN_EXTRA).unwrap();
    let section = roff.split(".SH \"HOW A PLAN IS COMPUTED\"").next().unwrap();
    let missing: Vec<&String> = found
        .iter()
        .filter(|k| {
            !section.contains(&format!("\\fB{k}\\fR"))
                && !section.contains(&format!("\\fB[{k}]\\fR"))
                && !section.contains(&format!("\\fB[[{k}]]\\fR"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "the man page's PROTOCOL FORMAT does not name {missing:?}"
    );
}

/// The README's example plan is what `bolus` prints for its command, line for line; a line `…`
/// stands for lines left out.
#[test]
fn the_readme_example_plan_is_what_bolus_prints() {
    let readme = std::fs::read_to_string(README).unwrap();
    let section = &readme[readme.find("## An example plan").unwrap()..];
    let block = &section[section.find("```console\n").unwrap() + "```console\n".len()..];
    let block = &block[..block.find("```").unwrap()];
    let mut lines = block.lines();
    let command = format!("{} {}", lines.next().unwrap(), lines.next().unwrap());
    let command = command.trim_start_matches("$ ").replace('\\', " ");
    let args = shell_words(&command);
    assert_eq!(args[..2], ["bolus", "plan"], "{command}");
    let out = Command::new(env!("CARGO_BIN_EXE_bolus"))
        .args(&args[1..])
        .env("NO_COLOR", "1")
        .env_remove("BOLUS_PROTOCOLS")
        .output()
        .unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let mut real = printed.lines().enumerate();
    let mut skipping = false;
    for shown in lines {
        if shown.trim() == "…" {
            skipping = true;
            continue;
        }
        let found = real.find(|(_, l)| *l == shown || !skipping);
        match found {
            Some((_, l)) if l == shown => skipping = false,
            Some((n, l)) => panic!(
                "README.md's example plan shows `{shown}` where bolus prints `{l}` (line {})",
                n + 1
            ),
            None => panic!("README.md's example plan shows `{shown}`, which bolus does not print"),
        }
    }
    assert!(
        printed.contains("  sha256 ") && block.contains("  sha256 "),
        "the example shows the protocol's SHA-256"
    );
}

/// The README's JSON example is part of what `bolus plan` writes for the command it names: each
/// field shown has the value written (the protocol's SHA-256 among them), and each array shows
/// the first elements; `…` stands for the elements left out.
#[test]
fn the_readme_json_example_is_part_of_what_bolus_writes() {
    fn part_of(shown: &serde_json::Value, real: &serde_json::Value, at: &str) {
        use serde_json::Value;
        match (shown, real) {
            (Value::Object(s), Value::Object(r)) => {
                for (k, v) in s {
                    let r = r.get(k).unwrap_or_else(|| {
                        panic!("README.md's JSON has `{at}/{k}`, which bolus does not write")
                    });
                    part_of(v, r, &format!("{at}/{k}"));
                }
            }
            (Value::Array(s), Value::Array(r)) => {
                assert!(s.len() <= r.len(), "{at}: more elements than bolus writes");
                for (i, (s, r)) in s.iter().zip(r).enumerate() {
                    part_of(s, r, &format!("{at}/{i}"));
                }
            }
            (s, r) => assert_eq!(s, r, "README.md's JSON at `{at}`"),
        }
    }
    let readme = std::fs::read_to_string(README).unwrap();
    let command = "bolus plan ketamine-kap-iv --weight 82 --start 14:00 --concentration \"10 mg/mL\" --format json";
    let at = readme
        .find(&format!("`{command}`"))
        .expect("README.md names the JSON example's command");
    let block = &readme[at..];
    let block = &block[block.find("```json\n").unwrap() + "```json\n".len()..];
    let block = &block[..block.find("```").unwrap()];
    // The elements left out, and the comma before them.
    let kept: Vec<&str> = block.lines().filter(|l| l.trim() != "…").collect();
    let mut text = String::new();
    for (i, line) in kept.iter().enumerate() {
        let next = kept.get(i + 1).map_or("", |l| l.trim());
        if next.starts_with(']') || next.starts_with('}') {
            text.push_str(line.trim_end_matches(','));
        } else {
            text.push_str(line);
        }
        text.push('\n');
    }
    let shown: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("README.md's JSON example does not parse ({e}):\n{text}"));
    let args = shell_words(command);
    let out = Command::new(env!("CARGO_BIN_EXE_bolus"))
        .args(&args[1..])
        .env_remove("BOLUS_PROTOCOLS")
        .output()
        .unwrap();
    assert!(out.status.success());
    let real: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    part_of(&shown, &real, "");
    let sha = real["protocol"]["sha256"].as_str().unwrap();
    assert_eq!(sha.len(), 64);
    assert_eq!(shown["protocol"]["sha256"], sha);
}

/// The first ```text block of the README whose first line is `first`: a file the README shows.
fn readme_file(readme: &str, first: &str) -> String {
    let start = readme
        .find(&format!("```text\n{first}\n"))
        .unwrap_or_else(|| panic!("README.md shows no file starting `{first}`"))
        + "```text\n".len();
    let len = readme[start..].find("```").unwrap();
    readme[start..start + len].to_string()
}

/// Every example command of the README runs as it is written, through `sh` (pipes, `<`, `>`
/// and globs included), in a directory holding the files the README names: the written plan and
/// the patients' CSV it shows, a protocol of the user's own (`my-protocol`, dosed on ideal
/// weight, as its examples ask) and a clinic's protocols directory for `approve` (`/srv/protocols`
/// there). `cargo run … --` runs the built `bolus`. Each exits 0 and prints something, except
/// where the README says otherwise: the written plan breaks three rules and a patient's row
/// fails (exit status 1); a drill's answers (none, or the two lines of `answers.txt`) end before
/// its questions do (exit status 1).
#[test]
fn every_bolus_command_in_the_readme_runs_as_the_readme_says() {
    let readme = std::fs::read_to_string(README).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let write = |path: &str, text: &str| {
        let path = d.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("written-plan.csv", &readme_file(&readme, "time,dose"));
    write("answers.txt", "150 mg\n4\n");
    write(
        "patients.csv",
        &readme_file(&readme, "id,weight,start,soft_limit_reason"),
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture =
        std::fs::read_to_string(root.join("tests/fixtures/catalog/test-ideal-weight.toml"))
            .unwrap();
    let renamed =
        |id: &str| fixture.replace("id = \"test-ideal-weight\"", &format!("id = \"{id}\""));
    assert_ne!(renamed("my-protocol"), fixture);
    write("my-protocol.toml", &renamed("my-protocol"));
    write("protocols/my-protocol.toml", &renamed("my-protocol"));
    write(
        "srv/protocols/ketamine-kap-iv.toml",
        &std::fs::read_to_string(root.join("protocols/ketamine-kap-iv.toml")).unwrap(),
    );
    write("srv/protocols/midazolam-iv.toml", &renamed("midazolam-iv"));
    for home in [
        ".local/share/bash-completion/completions",
        ".zfunc",
        ".config/fish/completions",
    ] {
        std::fs::create_dir_all(d.join("home").join(home)).unwrap();
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_bolus")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let commands = readme_command_lines(&readme);
    assert!(commands.len() >= 40, "{} commands", commands.len());
    let mut bad = Vec::new();
    for (line, text) in &commands {
        let run = match text.split_once(" -- ") {
            Some((head, tail)) if head.starts_with("cargo run") => format!("bolus {tail}"),
            _ => text.clone(),
        };
        let run = run.replace(
            "/srv/protocols",
            &d.join("srv/protocols").display().to_string(),
        );
        let out = Command::new("sh")
            .args(["-c", &run])
            .current_dir(d)
            .env("PATH", &path)
            .env("HOME", d.join("home"))
            .env("NO_COLOR", "1")
            .env_remove("BOLUS_PROTOCOLS")
            .env_remove("BOLUS_TZ")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let drilled = text.starts_with("bolus drill") && !text.contains("--export");
        let expected =
            if text.contains("written-plan.csv") || text.contains("patients.csv") || drilled {
                1
            } else {
                0
            };
        let redirected = text.contains(" > ") || text.contains(" --output ");
        if out.status.code() != Some(expected) || (!redirected && out.stdout.is_empty()) {
            bad.push(format!(
                "README.md:{line}: `{text}`: exit {:?} (expected {expected}), {} bytes out\n{}",
                out.status.code(),
                out.stdout.len(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "README commands that fail:\n\n{}",
        bad.join("\n")
    );
    // What the redirected examples write is there, and the approval was recorded.
    for written in [
        "plan.html",
        "course.ics",
        "chart.svg",
        "split.svg",
        "plans.csv",
    ] {
        let len = std::fs::metadata(d.join(written)).map_or(0, |m| m.len());
        assert!(len > 0, "{written} is empty or missing");
    }
    let approved = std::fs::read_to_string(d.join("srv/protocols/approved.toml")).unwrap();
    assert!(approved.contains("midazolam-iv"), "{approved}");
    assert!(d.join("home/.zfunc/_bolus").exists());
}

/// The `bolus` command lines of the README's ```console and ```sh blocks, as written (a `$ `
/// prompt dropped, continued lines joined), with their line numbers.
fn readme_command_lines(readme: &str) -> Vec<(usize, String)> {
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
        let (start, text) = match pending.take() {
            Some((start, text)) => (start, format!("{text} {trimmed}")),
            None => (
                i + 1,
                trimmed.strip_prefix("$ ").unwrap_or(trimmed).to_string(),
            ),
        };
        if let Some(head) = text.strip_suffix('\\') {
            pending = Some((start, head.trim_end().to_string()));
            continue;
        }
        if text.starts_with("bolus ") || text.starts_with("cargo run ") {
            found.push((start, text));
        }
    }
    found
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

/// The JSON Schemas in `schemas/` are the ones the output types generate. When a JSON shape
/// changes, `UPDATE_SCHEMAS=1 cargo test --test docs` rewrites them (and removes none).
#[test]
fn the_checked_in_json_schemas_match_the_output_types() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let update = std::env::var_os("UPDATE_SCHEMAS").is_some_and(|v| !v.is_empty() && v != "0");
    let hint =
        "run `UPDATE_SCHEMAS=1 cargo test --test docs` to regenerate them, then commit schemas/";
    // The outputs' and the bedside record's lines (written to its file, not to standard output).
    let generated = bolus::app::schemas();
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

/// Every published schema is one that strict validators take: it is valid against the JSON
/// Schema 2020-12 meta-schema, has an `$id` under the package's repository (its file's address)
/// and a title that says which output it describes (not a Rust type's name), and uses only
/// the formats JSON Schema defines (ajv in strict mode refuses schemars' `int64`, `uint32`, ...).
#[test]
fn the_json_schemas_have_an_id_a_title_and_only_standard_formats() {
    fn formats(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(o) => {
                if let Some(serde_json::Value::String(f)) = o.get("format") {
                    out.push(f.clone());
                }
                o.values().for_each(|x| formats(x, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| formats(x, out)),
            _ => {}
        }
    }
    let cargo =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let repository = cargo
        .lines()
        .find_map(|l| l.strip_prefix("repository = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("Cargo.toml has a repository");
    let owner_name = repository.trim_start_matches("https://github.com/");
    assert!(
        bolus::render::schema::ID_BASE.contains(&format!("/{owner_name}/")),
        "the schemas' $id are under the repository {repository}"
    );
    let schemas = bolus::app::schemas();
    assert!(schemas.len() >= 7, "{}", schemas.len());
    for (name, text) in schemas {
        let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
        if let Err(e) = jsonschema::meta::validate(&schema) {
            panic!("schemas/{name} is not a valid JSON Schema: {e}");
        }
        assert_eq!(
            schema["$id"],
            format!("{}{name}", bolus::render::schema::ID_BASE),
            "{name}"
        );
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{name}"
        );
        let title = schema["title"].as_str().unwrap_or_default();
        assert!(
            title.starts_with("bolus ") && title.contains(' '),
            "schemas/{name} is titled `{title}`"
        );
        let mut found = Vec::new();
        formats(&schema, &mut found);
        for f in found {
            assert!(
                bolus::render::schema::STANDARD_FORMATS.contains(&f.as_str()),
                "schemas/{name} has the format `{f}`, which JSON Schema does not define"
            );
        }
    }
    // The generator keeps an integer format's bounds when it takes the format out.
    let plan: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/plan.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(plan["properties"]["schema"]["minimum"], 0);
    assert_eq!(plan["properties"]["schema"]["maximum"], 4_294_967_295_u64);
}

/// The published package is lean and labelled: the files `cargo package --list` names hold no
/// integration test and no vendored fixture (the FHIR R4 schema alone is 3.4 MB), stay under
/// 2 MB in all, and still hold what builds and documents the command; Cargo.toml names the
/// repository, the home page and the documentation.
#[test]
fn the_package_is_lean_and_names_its_repository_homepage_and_documentation() {
    let root = env!("CARGO_MANIFEST_DIR");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(root)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = String::from_utf8(out.stdout).unwrap();
    let files: Vec<&str> = list.lines().collect();
    for f in &files {
        assert!(
            !f.starts_with("tests/") && !f.starts_with("benches/") && !f.starts_with(".ci/"),
            "the package holds {f}"
        );
    }
    for needed in [
        "Cargo.toml",
        "build.rs",
        "src/main.rs",
        "src/lib.rs",
        "src/cli/man_extra.roff",
        "protocols/ketamine-kap-iv.toml",
        "schemas/plan.json",
        "man/bolus.1",
        "README.md",
        "CHANGELOG.md",
        "LICENSE-MIT",
        "LICENSE-APACHE",
    ] {
        assert!(files.contains(&needed), "the package lacks {needed}");
    }
    let size: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(Path::new(root).join(f)).ok())
        .map(|m| m.len())
        .sum();
    assert!(size < 2_000_000, "the package's files are {size} bytes");
    let manifest = std::fs::read_to_string(Path::new(root).join("Cargo.toml")).unwrap();
    for (key, value) in [
        ("repository", "https://github.com/bolus-plan/bolus"),
        ("homepage", "https://github.com/bolus-plan/bolus"),
        ("documentation", "https://docs.rs/bolus-plan"),
    ] {
        assert!(
            manifest.contains(&format!("\n{key} = \"{value}\"\n")),
            "Cargo.toml has no {key} = {value:?}"
        );
    }
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
        .expect("this test needs the system program `bash` on PATH (the README lists them under \"Tests\")");
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
