//! Only what was approved, only whom it names: the approvals file's trust (owner, link, date),
//! `protocols approve` under a lock and after lint, the adult check on both dates, characters
//! refused by their Unicode properties, ids compared in NFC, and text that reaches a printed
//! format as text, never as markup.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::approvals::{chmod, clinic, within, FENTANYL};
use crate::support::{binary, Test, CATALOG};

fn approve(dir: &Path, what: &str) {
    within(
        dir,
        &["protocols", "approve", what, "--by", "Dr A. Example"],
    )
    .run();
}

/// Whether the tests run as root, which alone can give a file to another user.
fn root() -> bool {
    let out = Command::new("id").arg("-u").output();
    match out {
        Ok(o) => String::from_utf8_lossy(&o.stdout).trim() == "0",
        Err(e) => {
            eprintln!("note: `id` could not be run ({e}); the tests that need root are skipped");
            false
        }
    }
}

#[test]
fn an_approvals_file_or_directory_of_another_user_is_not_trusted() {
    if !root() {
        eprintln!("note: not root, so no file can be given to another user: test skipped");
        return;
    }
    let clinic = clinic();
    let dir = clinic.path();
    approve(dir, FENTANYL);
    let file = dir.join("approved.toml");
    within(dir, &["plan", FENTANYL, "--weight", "70"]).run();
    std::os::unix::fs::chown(&file, Some(65534), None).unwrap();
    within(dir, &["plan", FENTANYL, "--weight", "70"])
        .status(2)
        .stderr_contains(format!(
            "the approvals file `{}` belongs to ",
            file.display()
        ))
        .stderr_contains(", not to you or to root;")
        .run();
    // `--draft` does not lift it.
    within(dir, &["plan", FENTANYL, "--weight", "70", "--draft"])
        .status(2)
        .run();
    std::os::unix::fs::chown(&file, Some(0), None).unwrap();
    std::os::unix::fs::chown(dir, Some(65534), None).unwrap();
    within(dir, &["plan", FENTANYL, "--weight", "70"])
        .status(2)
        .stderr_contains(format!(
            "the protocols directory `{}` belongs to ",
            dir.display()
        ))
        .run();
    std::os::unix::fs::chown(dir, Some(0), None).unwrap();
}

#[test]
fn an_approvals_file_linked_into_a_world_writable_directory_is_refused() {
    let clinic = clinic();
    let dir = clinic.path();
    approve(dir, FENTANYL);
    let open = tempfile::tempdir().unwrap();
    chmod(open.path(), 0o1777);
    let real = open.path().join("approved.toml");
    std::fs::rename(dir.join("approved.toml"), &real).unwrap();
    std::os::unix::fs::symlink(&real, dir.join("approved.toml")).unwrap();
    within(dir, &["plan", FENTANYL, "--weight", "70"])
        .status(2)
        .stderr_contains("is a symbolic link")
        .run();
}

#[test]
fn an_approval_dated_in_the_future_is_refused() {
    let clinic = clinic();
    let dir = clinic.path();
    approve(dir, FENTANYL);
    let file = dir.join("approved.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let start = text.find("at = \"").unwrap() + 6;
    let end = start + text[start..].find('"').unwrap();
    let future = format!("{}2999-01-01T00:00:00Z{}", &text[..start], &text[end..]);
    std::fs::write(&file, future).unwrap();
    within(dir, &["plan", FENTANYL, "--weight", "70"])
        .status(2)
        .stderr_contains(format!(
            "error: protocol `{FENTANYL}` is refused: its approval is dated 2999-01-01 00:00:00 UTC, later than now ("
        ))
        .stderr_contains("an approval from the future is not trusted")
        .run();
}

/// A copy of the test fentanyl protocol under another id, in `dir`.
fn copy_as(dir: &Path, id: &str) {
    let text = std::fs::read_to_string(format!("{CATALOG}/{FENTANYL}.toml")).unwrap();
    let text = text.replace(&format!("id = \"{FENTANYL}\""), &format!("id = \"{id}\""));
    let path = dir.join(format!("{id}.toml"));
    std::fs::write(&path, text).unwrap();
    chmod(&path, 0o644);
}

#[test]
fn sixteen_approvals_run_at_once_all_land() {
    let clinic = clinic();
    let dir = clinic.path();
    let ids: Vec<String> = (0..16).map(|i| format!("p-{i}")).collect();
    for id in &ids {
        copy_as(dir, id);
    }
    let children: Vec<_> = ids
        .iter()
        .map(|id| {
            Command::new(binary())
                .env_remove("BOLUS_PROTOCOLS")
                .args(["--protocols", dir.to_str().unwrap()])
                .args(["protocols", "approve", id, "--by", "Dr A. Example"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for (id, child) in ids.iter().zip(children) {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = std::fs::read_to_string(dir.join("approved.toml")).unwrap();
    for id in &ids {
        assert!(text.contains(&format!("[approved.{id}]")), "{id}: {text}");
        within(dir, &["plan", id, "--weight", "70"]).run();
    }
    // No temporary file is left.
    let left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".bolus-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn approve_lints_first_and_takes_no_name_that_hides_characters() {
    let clinic = clinic();
    let dir = clinic.path();
    // A protocol that loads but that lint rejects: no plan for weights within its limits.
    let lint_fails = "tests/fixtures/protocols/infeasible-narrow-soft-limits.toml";
    let lint = Test::new()
        .args(["protocols", "lint", lint_fails])
        .status(1)
        .any_stderr()
        .output();
    assert_eq!(lint.code, 1, "{}", lint.stderr);
    let text = std::fs::read_to_string(lint_fails).unwrap();
    let id = "infeasible-narrow-soft-limits";
    std::fs::write(dir.join(format!("{id}.toml")), &text).unwrap();
    chmod(&dir.join(format!("{id}.toml")), 0o644);
    within(dir, &["protocols", "approve", id, "--by", "Dr A"])
        .status(2)
        .stderr_contains(format!(
            "error: cannot approve `{id}`: `bolus protocols lint` rejects it"
        ))
        .run();
    assert!(!dir.join("approved.toml").exists());
    for (by, says) in [
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("\u{a0}\u{3000}", "it is empty"),
        (
            "Dr\u{1b}[2J A",
            "it holds the character U+001B (a control character)",
        ),
        (
            "Dr\u{200b}A",
            "it holds the character U+200B (an invisible character)",
        ),
        (
            "Dr\u{2800}A",
            "it holds the character U+2800 (an invisible character)",
        ),
        (
            "Dr A\u{e0041}",
            "it holds the character U+E0041 (an invisible character)",
        ),
        (
            "Dr\u{202e}A",
            "it holds the character U+202E (a text-direction character)",
        ),
        (
            "Dr\u{e000}A",
            "it holds the character U+E000 (a private-use or unassigned character)",
        ),
    ] {
        within(dir, &["protocols", "approve", FENTANYL, "--by", by])
            .status(2)
            .stderr_contains(format!("error: invalid `--by`: {says}"))
            .run();
    }
    assert!(!dir.join("approved.toml").exists());
}

#[test]
fn the_adult_check_holds_on_today_and_on_the_plans_date() {
    // Born 15 years before today: a minor now, whatever the plan's date says.
    let today = jiff::Zoned::now().date();
    let born = today
        .saturating_sub(jiff::Span::new().years(15))
        .to_string();
    for date in ["2040-01-01", "2099-06-30"] {
        Test::new()
            .args([
                "plan",
                "ketamine-kap-iv",
                "--weight",
                "70",
                "--born",
                &born,
                "--date",
                date,
            ])
            .status(3)
            .stderr_contains(format!("is 15 years old on {today}, under 18"))
            .run();
    }
    // An adult on both dates is planned.
    let adult = today
        .saturating_sub(jiff::Span::new().years(30))
        .to_string();
    Test::new()
        .args([
            "plan",
            "ketamine-kap-iv",
            "--weight",
            "70",
            "--born",
            &adult,
            "--date",
            "2040-01-01",
        ])
        .run();
}

/// Characters refused by property: each named by its code point and class wherever a person's
/// text enters (a name, an id, a protocol's text, an approver), one class of each.
const HIDDEN: [(char, &str); 14] = [
    ('\u{206A}', "an invisible character"),
    ('\u{206F}', "an invisible character"),
    ('\u{FE0F}', "an invisible character"),
    ('\u{E0041}', "an invisible character"),
    ('\u{2800}', "an invisible character"),
    ('\u{3164}', "an invisible character"),
    ('\u{115F}', "an invisible character"),
    ('\u{17B4}', "an invisible character"),
    ('\u{180E}', "an invisible character"),
    ('\u{FFF9}', "an invisible character"),
    ('\u{1D173}', "an invisible character"),
    ('\u{2028}', "an invisible character"),
    ('\u{E000}', "a private-use or unassigned character"),
    ('\u{0378}', "a private-use or unassigned character"),
];

#[test]
fn hidden_characters_are_refused_by_property_in_names_ids_and_protocol_text() {
    let clinic = clinic();
    let dir = clinic.path();
    for (c, class) in HIDDEN {
        let named = format!("the character U+{:04X} ({class})", c as u32);
        let text = format!("Jane{c}Example");
        Test::new()
            .args(["plan", "ketamine-kap-iv", "--weight", "70"])
            .args(["--patient-name", &text])
            .status(2)
            .stderr_contains(&named)
            .run();
        Test::new()
            .args(["plan", "ketamine-kap-iv", "--weight", "70"])
            .args(["--patient", &format!("MRN{c}1")])
            .status(2)
            .stderr_contains(&named)
            .run();
        // A protocol's title.
        let protocol = std::fs::read_to_string(format!("{CATALOG}/{FENTANYL}.toml"))
            .unwrap()
            .replace("title = \"Test", &format!("title = \"Te{c}st"));
        let path = dir.join(format!("{FENTANYL}.toml"));
        std::fs::write(&path, protocol).unwrap();
        Test::new()
            .args(["plan", path.to_str().unwrap(), "--weight", "70"])
            .status(2)
            .stderr_contains(&named)
            .run();
        // A batch row's id fails its row, with an empty id (written escaped, it could equal
        // another row's).
        let out = Test::new()
            .args(["batch", "ketamine-kap-iv", "-"])
            .stdin(format!("id,weight\nP{c}1,70\nP1,70\n"))
            .status(1)
            .any_stderr()
            .run()
            .stdout;
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[1].starts_with("1,,"), "{c:?}: {out}");
        assert!(lines[1].contains(&named), "{c:?}: {out}");
        assert!(lines[2].starts_with("2,P1,"), "{c:?}: {out}");
    }
}

#[test]
fn ids_are_compared_in_normalization_form_c() {
    // "José" with one é (NFC) and with e and a combining acute (NFD): one patient.
    let out = Test::new()
        .args(["batch", "ketamine-kap-iv", "-"])
        .stdin("id,weight\nJos\u{e9},70\nJose\u{301},71\n")
        .status(1)
        .any_stderr()
        .run()
        .stdout;
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[1].starts_with("1,Jos\u{e9},"), "{out}");
    assert!(lines[2].contains("appeared before, in row 1"), "{out}");
}

/// Strings that a Markdown or HTML viewer would take for markup, a script or a link.
const HOSTILE: [&str; 4] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "**bold** _it_ `code` | cell ~~gone~~ \\",
];

/// A protocol with a hostile string in every text field a plan prints.
fn hostile_protocol(dir: &Path, s: &str) -> String {
    let q = s.replace('\\', "\\\\").replace('"', "\\\"");
    let text = std::fs::read_to_string("protocols/ketamine-kap-iv.toml").unwrap();
    let mut out = String::new();
    for line in text.lines() {
        let edited = if let Some(rest) = line.strip_prefix("title = \"") {
            format!("title = \"{q} {rest}")
        } else if let Some(rest) = line.strip_prefix("summary = \"") {
            format!("summary = \"{q} {rest}")
        } else if let Some(rest) = line.strip_prefix("action = \"") {
            format!("action = \"{q} {rest}")
        } else if let Some(rest) = line.strip_prefix("  \"") {
            // Checklist and list items.
            format!("  \"{q} {rest}")
        } else {
            line.to_string()
        };
        out.push_str(&edited);
        out.push('\n');
    }
    let path = dir.join("ketamine-kap-iv.toml");
    std::fs::write(&path, out).unwrap();
    path.to_str().unwrap().to_string()
}

/// The Markdown outside its code spans, with the tool's own task-list boxes taken out.
fn markdown_outside_code(md: &str) -> String {
    let mut out = String::new();
    for line in md.lines() {
        let line = line
            .strip_prefix("- [x] ")
            .or_else(|| line.strip_prefix("- [ ] "))
            .unwrap_or(line);
        for (i, piece) in line.split('`').enumerate() {
            if i % 2 == 0 {
                out.push_str(piece);
            }
        }
        out.push('\n');
    }
    out
}

/// Every character that could open markup in Markdown stands behind a backslash.
fn markup_escaped(md: &str) -> Result<(), String> {
    let text = markdown_outside_code(md);
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if matches!(c, '<' | '>' | '[' | ']') && (i == 0 || chars[i - 1] != '\\') {
            let from = i.saturating_sub(30);
            let around: String = chars[from..(i + 30).min(chars.len())].iter().collect();
            return Err(format!("unescaped {c:?} in …{around}…"));
        }
    }
    Ok(())
}

#[test]
fn hostile_text_in_every_field_is_text_in_every_printed_format() {
    let dir = tempfile::tempdir().unwrap();
    for s in HOSTILE {
        let protocol = hostile_protocol(dir.path(), s);
        let reason = format!("{s} the patient is heavy");
        let plan = |format: &str| {
            Test::new()
                .args([
                    "plan",
                    &protocol,
                    "--weight",
                    "160",
                    "--start",
                    "14:00",
                    "--accept-soft-limit",
                    &reason,
                    "--patient-name",
                    s,
                    "--patient",
                    "MRN-1",
                    "--format",
                    format,
                ])
                .any_stderr()
                .run()
                .stdout
        };
        let course = |format: &str| {
            Test::new()
                .args([
                    "course",
                    &protocol,
                    "--weight",
                    "160",
                    "--first",
                    "2026-12-01",
                    "--start",
                    "14:00",
                    "--accept-soft-limit",
                    &reason,
                    "--format",
                    format,
                ])
                .any_stderr()
                .run()
                .stdout
        };
        let chart = Test::new()
            .args(["chart", &protocol, "--format", "markdown"])
            .any_stderr()
            .run()
            .stdout;
        for (what, md) in [
            ("plan", plan("markdown")),
            ("course", course("markdown")),
            ("chart", chart),
        ] {
            if let Err(e) = markup_escaped(&md) {
                panic!("{what} markdown with {s:?}: {e}\n{md}");
            }
            // A link needs an unescaped `](`: every `]` is escaped (above), so none is left.
            assert!(
                !md.replace("\\]", "").contains("](javascript:"),
                "{what}: {md}"
            );
        }
        // The SVG chart is XML whose only elements are the chart's own.
        let svg = Test::new()
            .args(["chart", &protocol, "--format", "svg"])
            .any_stderr()
            .run()
            .stdout;
        let doc = roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        for node in doc.descendants().filter(|n| n.is_element()) {
            let name = node.tag_name().name();
            assert!(
                !matches!(name, "script" | "img" | "a" | "foreignObject"),
                "{s:?}: <{name}>"
            );
            assert!(
                node.attributes().all(|a| !a.name().starts_with("on")),
                "{s:?}"
            );
        }
        let html = plan("html");
        for raw in ["<script", "<img", "href=\"javascript", "onerror=alert(1)>"] {
            assert!(!html.contains(raw), "html with {s:?} holds {raw}");
        }
        // The text stays readable: the hostile string is shown, escaped.
        assert!(html.contains("&lt;") || !s.contains('<'), "html with {s:?}");
    }
}
