//! The SVG chart fits its page: every line of text, the footer's safety sentence and approval
//! note included, lies within the page that A4 and US Letter landscape share, no two texts
//! overlap, and the count steps' labels stay clear of the dose lines. Text extents are computed
//! here with Arial's advance widths (the Adobe metrics of Helvetica, which Arial shares), not
//! with the bound bolus wraps by; `tests/print.rs` prints the same charts with Chromium.

use crate::support::{root, Test};

/// Arial's advance width of a character, in ems (Helvetica's AFM); 1 em outside ASCII but for
/// the signs the chart uses.
fn advance(c: char) -> f64 {
    let w = match c {
        ' ' | '!' | ',' | '.' | '/' | ':' | ';' | 'I' | '[' | '\\' | ']' | 'f' | 't' => 278,
        '"' => 355,
        '#'
        | '$'
        | '0'..='9'
        | '?'
        | '_'
        | 'a'
        | 'b'
        | 'd'
        | 'e'
        | 'g'
        | 'h'
        | 'n'
        | 'o'
        | 'p'
        | 'q'
        | 'u' => 556,
        '%' => 889,
        '&' | 'A' | 'B' | 'E' | 'K' | 'P' | 'S' | 'V' | 'X' | 'Y' => 667,
        '\'' => 191,
        '(' | ')' | '-' | '`' | 'r' => 333,
        '*' => 389,
        '+' | '<' | '=' | '>' | '~' | '×' | '÷' => 584,
        '@' => 1015,
        'C' | 'D' | 'H' | 'N' | 'R' | 'U' => 722,
        'F' | 'T' | 'Z' => 611,
        'G' | 'O' | 'Q' => 778,
        'J' => 500,
        'L' => 556,
        'M' | 'm' => 833,
        'W' => 944,
        '^' => 469,
        'c' | 'k' | 's' | 'v' | 'x' | 'y' | 'z' => 500,
        'i' | 'j' | 'l' => 222,
        'w' => 722,
        '{' | '}' => 334,
        '|' => 260,
        _ => 1000,
    };
    f64::from(w) / 1000.0
}

/// A box on the page, in millimetres.
#[derive(Debug, Clone, Copy)]
struct Box {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Box {
    fn overlaps(&self, o: &Box) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
}

/// A text of the chart and the box its glyphs take.
#[derive(Debug)]
struct Text {
    words: String,
    at: Box,
}

struct Page {
    width: f64,
    height: f64,
    texts: Vec<Text>,
    /// The dose and count lines, as boxes of their segments.
    lines: Vec<Box>,
}

fn number(s: &str) -> f64 {
    s.trim_end_matches("mm")
        .parse()
        .unwrap_or_else(|_| panic!("a number: {s}"))
}

/// The boxes of a path's segments (`M x,y H x V y`).
fn segments(d: &str) -> Vec<Box> {
    let (mut x, mut y) = (0.0, 0.0);
    let mut out = Vec::new();
    for part in d.split(' ') {
        let (cmd, rest) = part.split_at(1);
        match cmd {
            "M" => {
                let (a, b) = rest.split_once(',').unwrap();
                (x, y) = (number(a), number(b));
            }
            "H" => {
                let nx = number(rest);
                out.push(Box {
                    x0: x.min(nx),
                    y0: y - 0.3,
                    x1: x.max(nx),
                    y1: y + 0.3,
                });
                x = nx;
            }
            "V" => {
                let ny = number(rest);
                out.push(Box {
                    x0: x - 0.3,
                    y0: y.min(ny),
                    x1: x + 0.3,
                    y1: y.max(ny),
                });
                y = ny;
            }
            other => panic!("a path command {other:?}"),
        }
    }
    out
}

fn page(svg: &str) -> Page {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}\n{svg}"));
    let root = doc.root_element();
    let width = number(root.attribute("width").unwrap());
    let height = number(root.attribute("height").unwrap());
    assert_eq!(
        root.attribute("viewBox"),
        Some(format!("0 0 {width} {height}").as_str())
    );
    let mut texts = Vec::new();
    for t in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let words: String = t.children().filter_map(|c| c.text()).collect();
        let size = number(t.attribute("font-size").unwrap());
        let w: f64 = words.chars().map(advance).sum::<f64>() * size;
        let anchor = t.attribute("text-anchor").unwrap_or("start");
        let shift = match anchor {
            "start" => 0.0,
            "middle" => w / 2.0,
            "end" => w,
            other => panic!("an anchor {other}"),
        };
        // Glyphs rise 0.75 em above the baseline and fall 0.22 em below it.
        let (up, down) = (0.75 * size, 0.22 * size);
        let at = match t.attribute("transform") {
            None => {
                let (x, y) = (
                    number(t.attribute("x").unwrap()),
                    number(t.attribute("y").unwrap()),
                );
                Box {
                    x0: x - shift,
                    y0: y - up,
                    x1: x - shift + w,
                    y1: y + down,
                }
            }
            Some(tr) => {
                let inner = tr
                    .strip_prefix("translate(")
                    .and_then(|r| r.strip_suffix(") rotate(-90)"))
                    .unwrap_or_else(|| panic!("a transform {tr}"));
                let (x, y) = inner.split_once(',').unwrap();
                let (x, y) = (number(x), number(y));
                // Turned a quarter left: the text runs up the page.
                Box {
                    x0: x - up,
                    y0: y + shift - w,
                    x1: x + down,
                    y1: y + shift,
                }
            }
        };
        texts.push(Text { words, at });
    }
    let lines = doc
        .descendants()
        .filter(|n| n.has_tag_name("path"))
        .flat_map(|p| segments(p.attribute("d").unwrap()))
        .collect();
    Page {
        width,
        height,
        texts,
        lines,
    }
}

/// Every text lies on the page within a 4 mm margin, no two texts overlap, no text touches a
/// dose or count line; returns the page.
#[track_caller]
fn fits(svg: &str, what: &str) -> Page {
    let p = page(svg);
    // The page that A4 (297 × 210) and Letter (279.4 × 215.9) landscape share.
    assert!(
        p.width <= 279.4 && p.height <= 210.0,
        "{what}: {} × {}",
        p.width,
        p.height
    );
    for t in &p.texts {
        let b = t.at;
        assert!(
            b.x0 >= 4.0 && b.y0 >= 4.0 && b.x1 <= p.width - 4.0 && b.y1 <= p.height - 4.0,
            "{what}: {:?} is off the page ({} × {}) at {b:?}",
            t.words,
            p.width,
            p.height
        );
        for l in &p.lines {
            assert!(
                !b.overlaps(l),
                "{what}: {:?} at {b:?} crosses a line at {l:?}",
                t.words
            );
        }
    }
    for (i, a) in p.texts.iter().enumerate() {
        for b in &p.texts[i + 1..] {
            assert!(
                !a.at.overlaps(&b.at),
                "{what}: {:?} at {:?} overlaps {:?} at {:?}",
                a.words,
                a.at,
                b.words,
                b.at
            );
        }
    }
    p
}

fn svg(dir: Option<&std::path::Path>, protocol: &str, more: &[&str]) -> String {
    let mut args: Vec<String> = Vec::new();
    if let Some(d) = dir {
        args.extend(["--protocols".into(), d.display().to_string()]);
    }
    args.extend(["chart", protocol, "--format", "svg"].map(String::from));
    args.extend(more.iter().map(|s| s.to_string()));
    Test::new().args(&args).any_stderr().run().stdout
}

/// A protocols directory with the built-in protocol, edited, approved with a long note.
fn approved(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let text =
        edit(std::fs::read_to_string(root().join("protocols/ketamine-kap-iv.toml")).unwrap());
    std::fs::write(dir.path().join("ketamine-kap-iv.toml"), text).unwrap();
    let d = dir.path().display().to_string();
    Test::new()
        .args([
            "--protocols",
            &d,
            "protocols",
            "approve",
            "ketamine-kap-iv",
            "--by",
            "Dr Maximiliane Alexandra Featherstonehaugh-Oyelaran, Head of Anaesthesia and Perioperative Medicine",
            "--note",
            "Approved for the ketamine-assisted psychotherapy service after review by the drugs and therapeutics committee in December; to be reviewed again in twelve months or at once on any incident",
        ])
        .any_stderr()
        .run();
    dir
}

#[test]
fn an_approved_chart_shows_its_whole_footer_on_the_page() {
    let dir = approved(|t| t);
    let out = svg(Some(dir.path()), "ketamine-kap-iv", &[]);
    let p = fits(&out, "approved");
    let all: String = p.texts.iter().map(|t| format!("{} ", t.words)).collect();
    let all = all.split_whitespace().collect::<Vec<_>>().join(" ");
    for part in [
        "approval: approved by Dr Maximiliane Alexandra Featherstonehaugh-Oyelaran, Head of Anaesthesia and Perioperative Medicine",
        "to be reviewed again in twelve months or at once on any incident",
        "every plan must be verified and signed by a physician",
    ] {
        assert!(all.contains(part), "{part}\n{all}");
    }
}

#[test]
fn every_chart_fits_the_page_with_no_text_over_a_line_or_another_text() {
    let built_in = svg(None, "ketamine-kap-iv", &[]);
    fits(&built_in, "built-in");
    fits(
        &svg(None, "ketamine-kap-iv", &["--from", "95", "--to", "105"]),
        "narrow",
    );
    fits(
        &svg(None, "ketamine-kap-iv", &["--from", "30", "--to", "250"]),
        "hard limits",
    );
    // Many count steps: a bolus of at most 10 mg.
    let dense = approved(|t| t.replace("max_dose = \"50 mg\"", "max_dose = \"10 mg\""));
    let out = svg(Some(dense.path()), "ketamine-kap-iv", &[]);
    let p = fits(&out, "10 mg boluses");
    assert!(
        p.texts.iter().any(|t| t.words == "16 boluses above 75 kg"),
        "{out}"
    );
    // A long title, wrapped.
    let long = approved(|t| {
        t.replace(
            "title = \"Ketamine-assisted psychotherapy, IV boluses\"",
            &format!(
                "title = \"{}\"",
                "Ketamine-assisted psychotherapy with WWW MMM @@@ "
                    .repeat(4)
                    .trim_end()
            ),
        )
    });
    fits(
        &svg(Some(long.path()), "ketamine-kap-iv", &[]),
        "long title",
    );
    // A draft, marked at the top and at the foot.
    let draft = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("protocols/ketamine-kap-iv.toml"),
        draft.path().join("ketamine-kap-iv.toml"),
    )
    .unwrap();
    std::fs::write(draft.path().join("approved.toml"), "schema = 1\n").unwrap();
    let out = svg(Some(draft.path()), "ketamine-kap-iv", &["--draft"]);
    let p = fits(&out, "draft");
    assert!(
        p.texts
            .iter()
            .filter(|t| t.words == "DRAFT: protocol not approved")
            .count()
            == 2,
        "{out}"
    );
}

#[test]
fn the_step_labels_sit_above_the_dose_panel_clear_of_the_dose_line() {
    let out = svg(None, "ketamine-kap-iv", &[]);
    let p = fits(&out, "built-in");
    let top_of_lines = p.lines.iter().map(|l| l.y0).fold(f64::INFINITY, f64::min);
    for label in ["5 boluses above 100 kg", "6 boluses above 125 kg"] {
        let t = p
            .texts
            .iter()
            .find(|t| t.words == label)
            .unwrap_or_else(|| panic!("{label}"));
        assert!(
            t.at.y1 < top_of_lines,
            "{label} at {:?}, lines from {top_of_lines}",
            t.at
        );
    }
}
