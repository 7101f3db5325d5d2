//! The printed plan, in a real browser: `plan --format html` rendered to PDF by headless
//! Chromium, on A4 and on US Letter, read back with poppler's `pdfinfo` and `pdftotext`.
//!
//! These tests need Chromium and poppler-utils (Debian: `apt-get install chromium
//! poppler-utils`), so they are ignored by `cargo test`; `.ci/run` installs both and runs them
//! with `cargo test --locked --test print -- --ignored`. Without the programs they fail, naming
//! what is missing: they are never skipped.
//!
//! The plan leaves the paper size to the printer (`@page { size: auto }`); to print on a given
//! size, the test adds `@page { size: A4 }` or `@page { size: letter }` at the end of the
//! plan's stylesheet, as a print dialog's choice of paper would.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The paper sizes a plan must fit, as CSS names them and as `pdfinfo` names them.
const PAPERS: [(&str, &str); 2] = [("A4", "(A4)"), ("letter", "(letter)")];

/// A program on the `PATH`, or a failure that says how to install it.
fn program(names: &[&str]) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in names {
            let candidate = dir.join(name);
            if std::fs::metadata(&candidate).is_ok_and(|m| m.is_file()) {
                return candidate;
            }
        }
    }
    panic!(
        "the browser tests need {} on the PATH, and it is not there: install Chromium and \
         poppler-utils (Debian: `apt-get install chromium poppler-utils`)",
        names.join(" or ")
    );
}

/// Runs a program to its end, killing it after two minutes; panics unless it succeeds.
fn run(cmd: &mut Command) -> String {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
    let mut out = child.stdout.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let mut err = child.stderr.take().expect("piped");
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{shown} ran for more than two minutes and was stopped");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = reader.join().expect("reader");
    let stderr = err_reader.join().expect("reader");
    assert!(
        status.success(),
        "{shown} failed ({status}):\n{}",
        String::from_utf8_lossy(&stderr)
    );
    String::from_utf8_lossy(&stdout).into_owned()
}

/// The HTML plan for `bolus plan ketamine-kap-iv` with these arguments.
fn html(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_bolus"))
        .args(["plan", "ketamine-kap-iv", "--format", "html"])
        .args(args)
        .env_remove("BOLUS_PROTOCOLS")
        .output()
        .expect("bolus runs");
    assert!(
        out.status.success(),
        "bolus {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// A plan printed to PDF on one paper size.
struct Printed {
    pages: u32,
    /// `pdfinfo`'s `Page size` line.
    size: String,
    text: String,
    /// The text of the first page alone: the order.
    first: String,
    pdf: PathBuf,
    _dir: tempfile::TempDir,
}

/// Prints an HTML plan with headless Chromium on `paper` (`A4` or `letter`).
fn print(html: &str, paper: &str) -> Printed {
    let chromium = program(&["chromium", "chromium-browser"]);
    let pdfinfo = program(&["pdfinfo"]);
    let pdftotext = program(&["pdftotext"]);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let page = format!("@page {{ size: {paper}; }}\n</style>");
    assert!(html.contains("</style>"), "the plan has a stylesheet");
    let html = html.replacen("</style>", &page, 1);
    let file = dir.path().join("plan.html");
    std::fs::write(&file, html).expect("write the plan");
    let pdf = dir.path().join("plan.pdf");
    let profile = dir.path().join("profile");
    run(Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", file.display())));
    let info = run(Command::new(pdfinfo).arg(&pdf));
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("pdfinfo gives no `{name}`:\n{info}"))
            .trim()
            .to_string()
    };
    let pages = field("Pages:").parse().expect("a page count");
    // The plan's first fonts are Arial and Liberation Sans, which has Arial's metrics: a page
    // set in a wider font proves nothing about the fit.
    let fonts = run(Command::new(program(&["pdffonts"])).arg(&pdf));
    assert!(
        fonts.contains("LiberationSans") || fonts.contains("Arial"),
        "the plan was not set in Arial or Liberation Sans (Debian: `apt-get install \
         fonts-liberation`):\n{fonts}"
    );
    let size = field("Page size:");
    let text = run(Command::new(&pdftotext).arg(&pdf).arg("-"));
    let page_1 = run(Command::new(&pdftotext)
        .args(["-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg("-"));
    // Printed at its own size: a page wider than the paper is shrunk by the browser, and its
    // 10 pt text with it. The first word, the patient block's `Patient` in 10 pt bold, keeps
    // the height of a 10 pt line (Liberation Sans: 1.117 em).
    let bbox = run(Command::new(program(&["pdftotext"]))
        .arg("-bbox")
        .arg(&pdf)
        .arg("-"));
    let first = bbox
        .lines()
        .find(|l| l.contains("<word "))
        .expect("a word on the page");
    let at = |key: &str| -> f64 {
        let rest = &first[first.find(key).expect("a coordinate") + key.len()..];
        rest[..rest.find('"').unwrap()].parse().unwrap()
    };
    let height = at("yMax=\"") - at("yMin=\"");
    assert!(
        height > 11.0,
        "the page was shrunk to fit the paper: its first word is {height} pt high ({first})"
    );
    Printed {
        pages,
        size,
        text,
        first: page_1,
        pdf,
        _dir: dir,
    }
}

/// The JSON plan for the same arguments, to know every dose, volume and time to look for.
fn json(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_bolus"))
        .args(["plan", "ketamine-kap-iv", "--format", "json"])
        .args(args)
        .env_remove("BOLUS_PROTOCOLS")
        .output()
        .expect("bolus runs");
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// `41 mg` from `{"value": 41, "unit": "mg"}`.
fn qty(v: &serde_json::Value) -> String {
    format!("{} {}", v["value"], v["unit"].as_str().expect("unit"))
}

/// Text as `pdftotext` gives it with every run of white space one space.
fn squashed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Prints the plan on both papers; checks that it takes `pages` pages, and that every dose, volume and time,
/// the total and the patient's identifier can be read on the first page, the order, which is
/// never split: the checklist, the rules checked and the sources follow on the next.
fn check(args: &[&str], pages: u32) {
    let plan = json(args);
    let page = html(args);
    for (paper, name) in PAPERS {
        let printed = print(&page, paper);
        let at = format!("{args:?} on {paper}");
        assert!(
            printed.size.ends_with(name),
            "{at}: printed on {}",
            printed.size
        );
        assert_eq!(
            printed.pages,
            pages,
            "{at}: {} pages, {pages} expected ({})",
            printed.pages,
            printed.pdf.display()
        );
        let text = squashed(&printed.text);
        let order = squashed(&printed.first);
        for b in plan["boluses"].as_array().expect("boluses") {
            let dose = qty(&b["dose"]);
            assert!(
                order.contains(&dose),
                "{at}: no dose {dose} on page 1:\n{order}"
            );
            if let Some(t) = b["time"].as_str() {
                assert!(order.contains(t), "{at}: no time {t} on page 1:\n{order}");
            }
            if !b["volume"].is_null() {
                let v = qty(&b["volume"]);
                assert!(
                    order.contains(&v),
                    "{at}: no volume {v} on page 1:\n{order}"
                );
            }
        }
        for c in plan["checkpoints"].as_array().expect("checkpoints") {
            if let Some(t) = c["time"].as_str() {
                assert!(order.contains(t), "{at}: no time {t} on page 1:\n{order}");
            }
        }
        let total = qty(&plan["total"]);
        assert!(order.contains(&total), "{at}: no total {total} on page 1");
        assert!(order.contains("SHA-256 of the protocol"), "{at}: {order}");
        assert!(!order.contains("Checklist (tick each"), "{at}: {order}");
        // Every page says whose plan it is, and which page of how many it is.
        let pages = printed.pages as usize;
        if let Some(id) = plan["patient"]["id"].as_str() {
            assert!(
                text.matches(id).count() > pages,
                "{at}: the patient id {id} is not at the top and on every page:\n{text}"
            );
        }
        for n in 1..=pages {
            let page = format!("Page {n} of {pages}");
            assert!(text.contains(&page), "{at}: no `{page}` in:\n{text}");
        }
        // A plan that names its patient by two identifiers may be signed; any other says on
        // every page that it is not valid, and has no signature boxes.
        let identified = plan["patient"]["name"].is_string()
            && (plan["patient"]["born"].is_string() || plan["patient"]["id"].is_string());
        if identified {
            for part in [
                "to be verified and signed by a physician before use",
                "Ordering physician name, signature, time",
                "Witnessed by name, signature, time",
                "The checklist on page 2 is completed, each item ticked, before the first bolus.",
            ] {
                assert!(
                    order.contains(part),
                    "{at}: no `{part}` on page 1:\n{order}"
                );
            }
        } else {
            let mark = "NOT VALID FOR ADMINISTRATION: no patient identified";
            assert!(text.matches(mark).count() > pages, "{at}: {text}");
            assert!(!text.contains("Signature"), "{at}: {text}");
            assert!(!text.contains("___:___ by"), "{at}: {text}");
        }
    }
}

/// Weights across the soft limits, with the counts of boluses changing (4 up to 100 kg, 5 and
/// 6 above) and uneven splits.
const WEIGHTS: [&str; 10] = [
    "40", "41.7", "55.5", "73.3", "82", "99.9", "100.1", "123.4", "149.9", "150",
];

#[test]
#[ignore = "needs Chromium and poppler-utils; run with `cargo test --test print -- --ignored`"]
fn the_order_fits_page_1_of_a4_and_of_letter_from_40_to_150_kg_its_checklist_page_2() {
    for w in WEIGHTS {
        check(
            &[
                "--weight",
                w,
                "--start",
                "23:55",
                "--concentration",
                "10 mg/mL",
                "--patient",
                "MRN-0012345678",
                "--patient-name",
                "Maximiliane Alexandra Featherstonehaugh-Oyelaran",
                "--born",
                "1951-12-31",
                "--date",
                "2026-01-15",
            ],
            2,
        );
    }
}

#[test]
#[ignore = "needs Chromium and poppler-utils; run with `cargo test --test print -- --ignored`"]
fn a_plan_without_clock_times_volumes_or_a_patient_takes_two_pages_marked_not_valid() {
    for w in ["40", "82", "150"] {
        check(&["--weight", w], 2);
    }
    let printed = print(&html(&["--weight", "82"]), "A4");
    let text = squashed(&printed.text);
    for label in [
        "Patient",
        "Born",
        "ID",
        "Date ____________ (valid for this date only)",
    ] {
        assert!(text.contains(label), "no `{label}` in:\n{text}");
    }
}

/// Eight boluses (200 kg, a soft limit accepted) with volumes and clock times across midnight:
/// the order whole on page 1 of each paper, its checklist and sources on page 2, and so is a
/// draft of it (marked, with no boxes).
#[test]
#[ignore = "needs Chromium and poppler-utils; run with `cargo test --test print -- --ignored`"]
fn eight_boluses_fit_page_1_of_a4_and_of_letter() {
    let args = [
        "--weight",
        "200",
        "--accept-soft-limit",
        "weighed twice today",
        "--start",
        "23:55",
        "--concentration",
        "10 mg/mL",
        "--patient",
        "MRN-1",
        "--patient-name",
        "Jane Example",
        "--born",
        "1980-04-02",
        "--date",
        "2026-01-15",
    ];
    assert_eq!(json(&args)["count"], 8);
    check(&args, 2);
    let printed = print(&html(&args), "letter");
    let text = squashed(&printed.text);
    for part in [
        "Date 2026-01-15 (valid for this date only)",
        "5 mL of 10 mg/mL",
        "at least 60 s",
        "This order is valid for 2026-01-15 only.",
        "soft upper limit of 150 kg",
    ] {
        assert!(text.contains(part), "no `{part}` in:\n{text}");
    }
    // No field name of the protocol file on paper.
    for field in ["soft_max", "soft_min", "hard_max", "at_least", "max_dose"] {
        assert!(!text.contains(field), "`{field}` in:\n{text}");
    }
    let mut draft = args.to_vec();
    draft.push("--draft");
    for (paper, _) in PAPERS {
        let printed = print(&html(&draft), paper);
        assert_eq!(printed.pages, 2, "the draft on {paper}");
        let text = squashed(&printed.text);
        assert!(text.contains("DRAFT: protocol not approved"), "{text}");
        let order = squashed(&printed.first);
        assert!(order.contains("Total 400 mg in 8 boluses."), "{order}");
        assert!(!text.contains("___:___ by"), "{text}");
        assert!(!text.contains("Signature"), "{text}");
    }
}

/// The longest case: eight boluses diluted, a long name and clock times across midnight: at
/// full size (never shrunk), the order whole on page 1, each page naming the patient.
#[test]
#[ignore = "needs Chromium and poppler-utils; run with `cargo test --test print -- --ignored`"]
fn eight_diluted_boluses_for_a_long_name_fit_page_1() {
    let args = [
        "--weight",
        "200",
        "--accept-soft-limit",
        "weighed twice today on the ward scale",
        "--start",
        "23:55",
        "--concentration",
        "100 mg/mL",
        "--dilute",
        "0.9% sodium chloride",
        "--patient",
        "MRN-0012345678",
        "--patient-name",
        "Maximiliane Alexandra Featherstonehaugh-Oyelaran",
        "--born",
        "1951-12-31",
        "--date",
        "2026-01-15",
    ];
    check(&args, 2);
    let text = squashed(&print(&html(&args), "A4").first);
    assert!(
        text.contains("Dilute 100 mg/mL with an equal volume of 0.9% sodium chloride to 50 mg/mL"),
        "{text}"
    );
    assert!(text.contains("1 mL of 50 mg/mL"), "{text}");
}

/// The explanation goes after the order, with the checklist and the sources: three pages.
#[test]
#[ignore = "needs Chromium and poppler-utils; run with `cargo test --test print -- --ignored`"]
fn an_explained_plan_has_its_order_on_page_1_and_the_explanation_after_it() {
    for w in ["40", "82", "150"] {
        check(
            &[
                "--weight",
                w,
                "--start",
                "14:00",
                "--concentration",
                "10 mg/mL",
                "--patient",
                "MRN-1",
                "--explain",
            ],
            3,
        );
    }
}

#[test]
#[ignore = "needs Chromium and poppler-utils; run with `cargo test --test print -- --ignored`"]
fn hostile_names_and_ids_print_as_plain_text() {
    let args = [
        "--weight",
        "82",
        "--patient",
        "<img src=x onerror=alert(1)>",
        "--patient-name",
        "<script>alert(\"x\")</script> & O'Brien",
    ];
    let page = html(&args);
    let printed = print(&page, "letter");
    assert!(printed.pages <= 2, "{} pages", printed.pages);
    let text = squashed(&printed.text);
    assert!(
        text.contains("<script>alert(\"x\")</script> & O'Brien"),
        "{text}"
    );
    assert!(text.contains("<img src=x onerror=alert(1)>"), "{text}");
}

/// Renders the README's picture of a printed plan: `BOLUS_DOCS_PNG=docs/printed-plan.png`
/// writes the first page of the 82 kg plan at 100 dpi (needs `pdftoppm` too).
#[test]
#[ignore = "needs Chromium and poppler-utils; run with `cargo test --test print -- --ignored`"]
fn the_picture_in_the_readme_is_of_this_plan() {
    let page = html(&DOCS_PLAN);
    let printed = print(&page, "A4");
    assert!(printed.pages <= 2, "{} pages", printed.pages);
    let Some(target) = std::env::var_os("BOLUS_DOCS_PNG") else {
        let png = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/printed-plan.png");
        let meta = std::fs::metadata(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        assert!(meta.len() < 200_000, "the picture is small");
        return;
    };
    let pdftoppm = program(&["pdftoppm"]);
    let stem = printed.pdf.with_extension("");
    run(Command::new(pdftoppm)
        .args([
            "-png",
            "-r",
            "100",
            "-gray",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
        ])
        .arg(&printed.pdf)
        .arg(&stem));
    std::fs::copy(stem.with_extension("png"), target).expect("copy the picture");
}

/// The plan the README shows printed.
const DOCS_PLAN: [&str; 12] = [
    "--weight",
    "82",
    "--start",
    "14:00",
    "--concentration",
    "10 mg/mL",
    "--patient",
    "MRN-0012345",
    "--patient-name",
    "Jane Example",
    "--born",
    "1980-04-02",
];

// --- the SVG weight chart ----------------------------------------------------------------------

/// `bolus chart <args> --format svg`, with the environment's protocols directory left out.
fn chart_svg(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_bolus"))
        .args(args)
        .args(["--format", "svg"])
        .env_remove("BOLUS_PROTOCOLS")
        .output()
        .expect("bolus runs");
    assert!(
        out.status.success(),
        "bolus {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The words of every `<text>` of an SVG, in order.
fn svg_words(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the chart is XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .flat_map(|t| {
            t.children()
                .filter_map(|c| c.text())
                .collect::<String>()
                .split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Each word `pdftotext -bbox` finds, with its box, and the page's size, in points.
fn word_boxes(pdf: &Path) -> (f64, f64, Vec<(String, [f64; 4])>) {
    let html = run(Command::new(program(&["pdftotext"]))
        .arg("-bbox")
        .arg(pdf)
        .arg("-"));
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).expect("the attribute") + name.len() + 2;
        tag[at..]
            .split('"')
            .next()
            .unwrap()
            .parse()
            .expect("a number")
    };
    let page = html.split("<page ").nth(1).expect("a page");
    let (w, h) = (attr(page, "width"), attr(page, "height"));
    let mut words = Vec::new();
    for part in html.split("<word ").skip(1) {
        let (tag, rest) = part.split_once('>').unwrap();
        let text = rest.split("</word>").next().unwrap();
        let text = text
            .replace("&amp;", "&")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'");
        words.push((
            text,
            [
                attr(tag, "xMin"),
                attr(tag, "yMin"),
                attr(tag, "xMax"),
                attr(tag, "yMax"),
            ],
        ));
    }
    (w, h, words)
}

/// Prints the chart at its size on A4 and Letter landscape: one page each, and every word of
/// the chart read back from the PDF inside the page.
fn chart_fits(svg: &str, what: &str) {
    let body = svg
        .split_once("?>\n")
        .map_or(svg, |(_, rest)| rest)
        .to_string();
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><style>html, body {{ margin: 0; }} svg {{ display: block; }}\n</style></head><body>{body}</body></html>\n"
    );
    let words = svg_words(svg);
    for paper in ["A4 landscape; margin: 0", "letter landscape; margin: 0"] {
        let printed = print(&page, paper);
        let at = format!("{what} on {paper}");
        assert_eq!(printed.pages, 1, "{at}: {}", printed.pdf.display());
        let text = squashed(&printed.text);
        for w in &words {
            assert!(text.contains(w.as_str()), "{at}: no `{w}` in:\n{text}");
        }
        let (pw, ph, boxes) = word_boxes(&printed.pdf);
        for (word, [x0, y0, x1, y1]) in &boxes {
            assert!(
                *x0 >= 0.0 && *y0 >= 0.0 && *x1 <= pw && *y1 <= ph,
                "{at}: `{word}` at {x0},{y0}–{x1},{y1} is off the {pw} × {ph} pt page"
            );
        }
    }
}

#[test]
#[ignore = "needs Chromium and poppler-utils; run with `cargo test --test print -- --ignored`"]
fn every_chart_prints_whole_on_one_page_of_a4_and_of_letter() {
    chart_fits(&chart_svg(&["chart", "ketamine-kap-iv"]), "built-in");
    chart_fits(
        &chart_svg(&["chart", "ketamine-kap-iv", "--from", "30", "--to", "250"]),
        "hard limits",
    );
    // Approved, with a long name and note: the footer the page used to cut off.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("protocols/ketamine-kap-iv.toml"),
    )
    .expect("the built-in protocol");
    std::fs::write(dir.path().join("ketamine-kap-iv.toml"), text).expect("a copy");
    let d = dir.path().display().to_string();
    run(Command::new(env!("CARGO_BIN_EXE_bolus")).args([
        "--protocols",
        &d,
        "protocols",
        "approve",
        "ketamine-kap-iv",
        "--by",
        "Dr Maximiliane Alexandra Featherstonehaugh-Oyelaran, Head of Anaesthesia",
        "--note",
        "Approved for the ketamine-assisted psychotherapy service after review by the drugs and therapeutics committee; to be reviewed again in twelve months",
    ]));
    chart_fits(
        &chart_svg(&["--protocols", &d, "chart", "ketamine-kap-iv"]),
        "approved",
    );
}

// --- the drill sheet -----------------------------------------------------------------------------

#[test]
#[ignore = "needs Chromium and poppler-utils; run with `cargo test --test print -- --ignored`"]
fn the_drill_sheet_prints_its_questions_then_the_answer_key_on_a_new_page() {
    let out = Command::new(env!("CARGO_BIN_EXE_bolus"))
        .args([
            "drill",
            "ketamine-kap-iv",
            "--export",
            "html",
            "--rounds",
            "6",
            "--seed",
            "7",
        ])
        .env_remove("BOLUS_PROTOCOLS")
        .output()
        .expect("bolus runs");
    assert!(out.status.success());
    let sheet = String::from_utf8(out.stdout).expect("UTF-8");
    // Seed 7 draws 79 kg first: its plan is in the key.
    let plan = json(&["--weight", "79"]);
    let boluses: Vec<String> = plan["boluses"]
        .as_array()
        .expect("boluses")
        .iter()
        .map(|b| qty(&b["dose"]))
        .collect();
    for paper in ["A4", "letter"] {
        let printed = print(&sheet, paper);
        assert!(printed.pages >= 2, "{paper}: {} pages", printed.pages);
        let first = run(Command::new(program(&["pdftotext"]))
            .args(["-f", "1", "-l", "1"])
            .arg(&printed.pdf)
            .arg("-"));
        assert!(first.contains("Questions"), "{paper}: {first}");
        assert!(
            !first.contains("Answer key"),
            "{paper}: the key shares the first page"
        );
        let text = squashed(&printed.text);
        assert!(text.contains("Answer key"), "{paper}");
        assert!(text.contains(&boluses.join(", ")), "{paper}: {text}");
        assert!(
            text.contains(
                "Teaching exercise: patients drawn at random; not a plan for any patient."
            ),
            "{paper}"
        );
    }
}
