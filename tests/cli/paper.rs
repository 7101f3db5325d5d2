//! The plan on paper: every line of the text plan within 80 columns, and the HTML
//! plan self-contained, escaped, black and white. The HTML printed in a browser is tested in
//! `tests/print.rs` (ignored: it needs Chromium).

use unicode_width::UnicodeWidthStr;

use crate::support::{plan, Test, CATALOG};

/// Lines wider than 80 columns, with their widths.
fn too_wide(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .map(|l| (l.width(), l.to_string()))
        .filter(|(w, _)| *w > 80)
        .collect()
}

/// Option sets that make lines longer: clock times (across midnight), volumes, the arithmetic
/// explained, a long name, a long soft-limit reason.
const OPTIONS: [&[&str]; 6] = [
    &[],
    &["--start", "14:00"],
    &["--start", "23:55", "--concentration", "10 mg/mL"],
    &["--explain"],
    &[
        "--explain",
        "--start", "23:58",
        "--concentration", "50 mg/mL",
        "--patient-name", "Maximiliane Alexandra Featherstonehaugh-Oyelaran von Hohenzollern-Sigmaringen und Weitere",
        "--patient", "MRN-000000000000000000000000000000000000000000000000000000000000000000000000000000001",
        "--born", "1951-12-31",
        "--date", "2026-01-15",
    ],
    &[
        "--explain",
        "--concentration", "100 mg/mL",
        "--dilute", "0.9% sodium chloride",
        "--accept-soft-limit",
        "weighed twice on the ward scale by two nurses; the patient is very tall and the psychiatrist agreed after a long discussion of the risks",
    ],
];

/// Weights from the hard minimum to the hard maximum: every count of boluses, uneven splits.
const WEIGHTS: [&str; 16] = [
    "30", "35.5", "39.9", "40", "41.7", "55.5", "73.3", "82", "99.9", "100.1", "123.4", "149.9",
    "150", "150.1", "199.9", "250",
];

#[test]
fn every_line_of_the_text_plan_fits_80_columns_from_30_to_250_kg_with_every_option() {
    let mut plans = 0;
    for w in WEIGHTS {
        for options in OPTIONS {
            let mut args = options.to_vec();
            if !args.contains(&"--accept-soft-limit") {
                args.extend(["--accept-soft-limit", "checked twice"]);
            }
            let r = plan(w, &args).output();
            assert_eq!(r.code, 0, "{w} kg {args:?}: {}", r.stderr);
            assert_eq!(
                too_wide(&r.stdout),
                vec![],
                "{w} kg {args:?}:\n{}",
                r.stdout
            );
            plans += 1;
        }
    }
    assert_eq!(plans, WEIGHTS.len() * OPTIONS.len());
}

#[test]
fn every_line_of_the_text_plan_fits_80_columns_for_the_test_protocols() {
    let protocols = [
        "test-fentanyl-iv",
        "test-ideal-weight",
        "test-seconds-interval",
        "teach-dosing/dosing-adjusted.toml",
        "teach-dosing/dosing-ideal.toml",
        "teach-dosing/dosing-lean.toml",
        "teach-dosing/teach-capped.toml",
        "teach-dosing/teach-micrograms.toml",
    ];
    for p in protocols {
        let named = if p.ends_with(".toml") {
            format!("{CATALOG}/{p}")
        } else {
            p.to_string()
        };
        for w in ["41.3", "99.9", "149.9"] {
            for extra in [&[][..], &["--explain", "--start", "23:59"][..]] {
                let mut args = vec![
                    "--protocols",
                    CATALOG,
                    "plan",
                    &named,
                    "--weight",
                    w,
                    "--height",
                    "170",
                    "--accept-soft-limit",
                    "checked twice",
                ];
                // `--sex` only where a formula uses it: elsewhere it is refused.
                if p.contains("ideal") || p.contains("adjusted") || p.contains("lean") {
                    args.extend(["--sex", "female"]);
                }
                args.extend_from_slice(extra);
                let r = Test::new().args(&args).output();
                assert_eq!(r.code, 0, "{p} {w} kg: {}", r.stderr);
                assert_eq!(too_wide(&r.stdout), vec![], "{p} {w} kg:\n{}", r.stdout);
            }
        }
    }
}

/// A protocol whose every text is long: its title, summary, checklist items (one a single word
/// of 120 characters) and checkpoint actions.
fn wordy_protocol(dir: &std::path::Path) -> std::path::PathBuf {
    let long_word = "x".repeat(120);
    let text = format!(
        r#"schema = 1
id = "wordy-protocol-with-an-unusually-long-identifier-for-testing-wrapping"
title = "A protocol with a very long title that goes on and on well past the eighty columns of a terminal"
drug = "testdrug"
route = "IV"
summary = "1 mg/kg in 2 or more boluses of at most 25 mg, 5 minutes apart, with a summary long enough to wrap twice over on any terminal"
checklist = [
  "An item that is long, long, long, long, long, long, long, long, long, long, long, long, long, long, long",
  "{long_word}",
  "短い項目と長い項目：日本語の文章は二列の幅を取るので、八十列に収まるかどうかを確かめるための項目です",
]

[dose]
per_weight = "1 mg/kg"
increment = "1 mg"

[boluses]
min_count = 2
max_dose = "25 mg"
interval = "5 min"

[weight]
hard_min = "30 kg"
hard_max = "250 kg"
soft_min = "40 kg"
soft_max = "150 kg"

[[checkpoints]]
relative_to = "last"
offset = "15 min"
action = "Check the respiratory rate, the oxygen saturation, the blood pressure, the heart rate and the level of consciousness, and write each down"
"#
    );
    let path =
        dir.join("wordy-protocol-with-an-unusually-long-identifier-for-testing-wrapping.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn every_line_of_a_wordy_protocols_plan_fits_80_columns_with_a_hanging_indent() {
    let dir = tempfile::tempdir().unwrap();
    let p = wordy_protocol(dir.path());
    let p = p.to_str().unwrap();
    for args in [
        &["--weight", "82"][..],
        &[
            "--weight",
            "82",
            "--explain",
            "--start",
            "23:55",
            "--concentration",
            "10 mg/mL",
        ][..],
    ] {
        let mut all = vec!["plan", p];
        all.extend_from_slice(args);
        let out = Test::new().args(&all).run().stdout;
        assert_eq!(too_wide(&out), vec![], "{out}");
        // A checklist item wraps under its text, not under its box.
        assert!(
            out.contains(
                "  [ ] An item that is long, long, long, long, long, long, long, long, long,\n      long, long, long, long, long, long\n"
            ),
            "{out}"
        );
        // Wide characters count two columns.
        assert!(
            out.contains("  [ ] 短い項目と長い項目：日本語の文章は二列の幅を取るので、八十列に収まるかどう\n      かを"),
            "{out}"
        );
        // A word longer than a line is cut.
        assert!(
            out.contains(&format!("  [ ] {}\n      x", "x".repeat(74))),
            "{out}"
        );
    }
}

#[test]
fn a_dose_and_its_unit_stay_on_one_line() {
    for w in WEIGHTS {
        let r = plan(
            w,
            &[
                "--explain",
                "--start",
                "23:55",
                "--accept-soft-limit",
                "checked twice",
            ],
        )
        .output();
        assert_eq!(r.code, 0, "{}", r.stderr);
        let out = r.stdout;
        let lines: Vec<&str> = out.lines().collect();
        for pair in lines.windows(2) {
            let last = pair[0].split(' ').next_back().unwrap_or("");
            let next = pair[1].split_whitespace().next().unwrap_or("");
            let number = !last.is_empty() && last.chars().all(|c| c.is_ascii_digit() || c == '.');
            let unit = [
                "mg", "mg.", "mg,", "mg/kg", "kg", "kg,", "min", "min,", "mL",
            ]
            .contains(&next);
            assert!(
                !(number && unit),
                "a number at the end of a line, its unit on the next: {pair:?}\n{out}"
            );
        }
    }
}

#[test]
fn tables_stay_aligned_when_lines_wrap() {
    let out = plan(
        "149.9",
        &["--start", "23:55", "--concentration", "10 mg/mL"],
    )
    .run()
    .stdout;
    let table: Vec<&str> = out
        .lines()
        .skip_while(|l| *l != "Boluses")
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with("Total"))
        .collect();
    assert_eq!(table.len(), 7, "{out}");
    let width = table[0].width();
    for row in &table {
        assert_eq!(row.width(), width, "{out}");
    }
}

// --- HTML --------------------------------------------------------------------------------------

#[track_caller]
fn html(more: &[&str]) -> String {
    let mut args = vec!["--format", "html"];
    args.extend_from_slice(more);
    plan("82", &args).run().stdout
}

#[test]
fn the_html_plan_is_one_self_contained_document_with_no_script_and_no_external_resource() {
    let page = html(&[
        "--start",
        "14:00",
        "--concentration",
        "10 mg/mL",
        "--explain",
        "--patient",
        "MRN-1",
    ]);
    assert!(
        page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
    );
    assert!(page.ends_with("</body>\n</html>\n"));
    assert_eq!(page.matches("<html").count(), 1);
    let lower = page.to_lowercase();
    for banned in [
        "<script",
        "<link",
        "<img",
        "<iframe",
        "<object",
        "<embed",
        "<svg",
        "<base",
        "src=",
        "href=",
        "url(",
        "@import",
        "http:",
        "https:",
        "//",
        "javascript:",
        " on",
    ] {
        // ` on` catches event handlers such as ` onload=`; the text has no word `on…=`.
        if banned == " on" {
            assert!(
                !lower.contains(" onload=") && !lower.contains(" onerror="),
                "{page}"
            );
            continue;
        }
        assert!(!lower.contains(banned), "`{banned}` in:\n{page}");
    }
    // A print stylesheet: paper size left to the printer, margins that fit A4 and Letter.
    assert!(
        page.contains("@page { size: auto; margin: 8mm 12mm 12mm;\n"),
        "{page}"
    );
    assert!(page.contains("max-width: 186mm"), "{page}");
}

#[test]
fn the_html_plan_is_black_and_white_with_body_text_of_at_least_10_pt() {
    let page = html(&["--start", "14:00", "--concentration", "10 mg/mL"]);
    let style = &page[page.find("<style>").unwrap()..page.find("</style>").unwrap()];
    for colour in style.split("#").skip(1) {
        let hex: String = colour.chars().take_while(char::is_ascii_hexdigit).collect();
        assert!(hex == "000" || hex == "fff", "a colour #{hex} in:\n{style}");
    }
    for named in [
        "red", "green", "blue", "yellow", "orange", "gray", "grey", "rgb",
    ] {
        assert!(!style.contains(named), "`{named}` in:\n{style}");
    }
    // Every font size is at least 10 pt.
    for size in style
        .split("font-size:")
        .skip(1)
        .chain(style.split("font: ").skip(1))
    {
        let pt: f64 = size
            .trim_start()
            .split("pt")
            .next()
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("a size in pt: {size}"));
        assert!(pt >= 10.0, "{pt} pt in:\n{style}");
    }
}

#[test]
fn the_html_plan_has_every_part_a_physician_needs() {
    let page = html(&[
        "--start",
        "14:00",
        "--concentration",
        "10 mg/mL",
        "--patient",
        "MRN-1",
        "--patient-name",
        "Jane Example",
        "--born",
        "1980-04-02",
    ]);
    for part in [
        "<th>Patient</th><td>Jane Example</td>",
        "<th>Born</th><td>1980-04-02</td>",
        "<th>ID</th><td>MRN-1</td>",
        "2 mg/kg × 82 kg = 164 mg",
        "<h2>Boluses</h2>",
        "<td class=\"nowrap dose\">14:00</td><td class=\"n\">0 min</td><td class=\"n dose\">41 mg</td><td class=\"n dose\">4.1 mL of 10 mg/mL</td><td class=\"nowrap\">at least 60 s</td>",
        "<th>Given at, by</th>",
        "<span class=\"box\"></span>___:___ by ________</td>",
        "<h2>Timeline</h2>",
        "<h2>Checked against the protocol</h2>",
        "<h2>Checklist (tick each before dosing)</h2>",
        "<li class=\"group\">guideline:</li>\n<li><span class=\"box\"></span>Adult patient</li>\n<li><span class=\"box\"></span>ASA physical status 1 or 2</li>",
        "<h2>Sources</h2>",
        "<h2>Roles and checks <span class=\"note\">roles (guideline: ",
        "<td><b>Ordering physician</b><br>name, signature, time</td>",
        "<td><b>Giving the drug</b><br>name, signature, time</td>",
        "<td><b>Patient monitor</b><br>name, signature, time</td>",
        "<span class=\"box\"></span>strength",
        "<td><b>Witnessed by</b><br>name, signature, time</td>",
        "<p class=\"see\"><span class=\"box\"></span>The checklist on page 2 is completed, each item ticked, before the first bolus.</p>",
        "<div class=\"before\">\n<p class=\"page2\">For the order on page 1: the checklist before dosing, the rules checked and their sources</p>",
        "to be verified and signed by a physician before use.",
        "<b>Date</b> ____________ (valid for this date only)",
        "<b>This order is valid only for the date written at its head.</b>",
        concat!("computed by bolus ", env!("CARGO_PKG_VERSION")),
    ] {
        assert!(page.contains(part), "no `{part}` in:\n{page}");
    }
    assert_eq!(page.matches("___:___ by").count(), 4);
    let sha = crate::snapshots::redacted(&page);
    assert!(sha.contains("SHA-256 of the protocol: <span class=\"hash\">[sha256]</span>"));
}

#[test]
fn hostile_names_and_ids_are_escaped_in_html() {
    for (name, id) in [
        (
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>",
        ),
        ("O'Brien & Sons", "<!-- x -->"),
        (
            "</td></tr></table><h1>Fake plan</h1>",
            "</style><style>*{display:none}",
        ),
        ("&lt;already escaped&gt;", "{{id}} ${id} %s"),
    ] {
        let page = html(&["--patient-name", name, "--patient", id]);
        let esc = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;")
        };
        assert!(page.contains(&format!("<td>{}</td>", esc(name))), "{page}");
        assert!(page.contains(&format!("<td>{}</td>", esc(id))), "{page}");
        let lower = page.to_lowercase();
        assert!(!lower.contains("<script"), "{page}");
        assert!(!lower.contains("<img"), "{page}");
        assert!(!lower.contains("<!--"), "{page}");
        assert_eq!(lower.matches("<style>").count(), 1, "{page}");
        assert_eq!(lower.matches("</style>").count(), 1, "{page}");
        // In the page footer's CSS string, markup and quotes are CSS escapes.
        let rule = &page[page.find("@bottom-left { content: \"").unwrap() + 25..];
        let content = &rule[..rule.find("\"; font: ").unwrap()];
        assert!(!content.contains(['<', '>', '&', '"']), "{content}");
        assert!(content.starts_with("Patient "), "{content}");
        assert_eq!(
            lower.matches("</table>").count(),
            page.matches("<table").count()
        );
        assert!(!page.contains("<h1>Fake plan</h1>"));
    }
}

#[test]
fn the_html_plan_of_a_custom_protocol_escapes_its_texts() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(
        crate::support::root()
            .join(CATALOG)
            .join("test-fentanyl-iv.toml"),
    )
    .unwrap()
    .replace(
        "title = \"Test fentanyl-like protocol in micrograms\"",
        "title = \"<b>Bold</b> & <i>proud</i>\"",
    )
    .replace(
        "action = \"Check respiratory rate\"",
        "action = \"<script>x()</script>\"",
    );
    let path = dir.path().join("test-fentanyl-iv.toml");
    std::fs::write(&path, text).unwrap();
    let page = Test::new()
        .args([
            "plan",
            path.to_str().unwrap(),
            "--weight",
            "70",
            "--format",
            "html",
        ])
        .run()
        .stdout;
    assert!(
        page.contains("<h1>&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;i&gt;proud&lt;/i&gt;</h1>"),
        "{page}"
    );
    assert!(
        page.contains("<title>NOT VALID FOR ADMINISTRATION: no patient identified \u{2014} Bolus plan: &lt;b&gt;Bold&lt;/b&gt; &amp; &lt;i&gt;proud&lt;/i&gt;"),
        "{page}"
    );
    assert!(page.contains("&lt;script&gt;x()&lt;/script&gt;"), "{page}");
    // The protocol's source, a path here, is escaped too.
    assert!(
        page.contains("Protocol <code>test-fentanyl-iv</code> (file "),
        "{page}"
    );
    assert!(!page.contains("<script"), "{page}");
    // A protocol with no checklist: its second page says what it holds, and page 1 has no
    // line about a checklist.
    assert!(
        page.contains(
            "<p class=\"page2\">For the order on page 1: the rules checked and their sources</p>"
        ),
        "{page}"
    );
    assert!(!page.contains("The checklist on page 2"), "{page}");
}

#[test]
fn an_html_plan_is_refused_like_any_other_plan() {
    plan("20", &["--format", "html"]).status(3).stderr("error: a weight of 20 kg is below the hard minimum of 30 kg for protocol `ketamine-kap-iv`; no plan can be made, and hard limits have no override\n")
        .run();
}
