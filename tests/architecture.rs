//! The layers of `src/` and the direction of their imports (README, "Architecture"): `app` may use
//! `cli`, `input`, `render` and `engine`; `cli` uses `input` and `engine`; `input` and `render`
//! use `engine` and never each other; `engine` uses nothing of the crate outside itself; and no
//! two files name each other, directly or round a longer circle.
//!
//! Plain std. Each file's code (comments removed) is read as tokens; every path that starts with
//! `crate::`, `super::` or `self::`, in a `use` declaration (groups, nesting and `self` included)
//! or inline in the code, is resolved against the module the file is (and the inline `mod`
//! blocks it is inside) to the file it names. Two tests plant an upward import and a circle and
//! prove the checker fails on each.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const LAYERS: [&str; 5] = ["engine", "input", "render", "cli", "app"];

/// The layers a file of `layer` may name, itself included.
fn allowed(layer: &str) -> &'static [&'static str] {
    match layer {
        "engine" => &["engine"],
        "input" => &["engine", "input"],
        "render" => &["engine", "render"],
        "cli" => &["engine", "input", "cli"],
        "app" => &["engine", "input", "render", "cli", "app"],
        other => panic!("unknown layer {other}"),
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if std::fs::symlink_metadata(&path).unwrap().is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source tree: each file's path under `src/` (with `/`) and its text.
fn source_tree() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .iter()
        .map(|file| {
            let relative = file.strip_prefix(&src).unwrap();
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_str().unwrap())
                .collect::<Vec<_>>()
                .join("/");
            (name, std::fs::read_to_string(file).unwrap())
        })
        .collect()
}

/// A token of the code: a word (identifier or keyword), `::`, or one other character. A string's
/// contents are one `Str` token, kept: a path in a string (`#[serde(with = "crate::…")]`) is
/// still a path the code names.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Path,
    Str(String),
    Punct(char),
}

/// The tokens of a file, with the line of each; comments (line, doc and nested block comments)
/// are skipped, and so are char literals and lifetimes.
fn tokens(text: &str) -> Vec<(usize, Token)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                let mut depth = 0;
                while i < chars.len() {
                    if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        line += usize::from(chars[i] == '\n');
                        i += 1;
                    }
                }
            }
            '"' => {
                let start = line;
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        s.push(chars[i]);
                        i += 1;
                    }
                    line += usize::from(chars[i] == '\n');
                    s.push(chars[i]);
                    i += 1;
                }
                i += 1;
                out.push((start, Token::Str(s)));
            }
            'r' if next == Some('#') || (next == Some('"') && !word_before(&chars, i)) => {
                // A raw string r"…" or r#"…"#; `r#ident` (a raw identifier) is a word.
                let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
                if chars.get(i + 1 + hashes) != Some(&'"') {
                    let end = word_end(&chars, i + 1 + hashes);
                    out.push((
                        line,
                        Token::Word(chars[i + 1 + hashes..end].iter().collect()),
                    ));
                    i = end;
                    continue;
                }
                let close: String = std::iter::once('"')
                    .chain("#".repeat(hashes).chars())
                    .collect();
                let body_start = i + 2 + hashes;
                let rest: String = chars[body_start..].iter().collect();
                let len = rest.find(&close).unwrap_or(rest.len());
                let body: String = rest.chars().take(len).collect();
                line += body.matches('\n').count();
                out.push((line, Token::Str(body.clone())));
                i = body_start + body.chars().count() + close.chars().count();
            }
            '\'' => i = skip_quote(&chars, i),
            ':' if next == Some(':') => {
                out.push((line, Token::Path));
                i += 2;
            }
            c if c.is_alphanumeric() || c == '_' => {
                let end = word_end(&chars, i);
                out.push((line, Token::Word(chars[i..end].iter().collect())));
                i = end;
            }
            c if c.is_whitespace() => i += 1,
            c => {
                out.push((line, Token::Punct(c)));
                i += 1;
            }
        }
    }
    out
}

fn word_end(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
        i += 1;
    }
    i
}

fn word_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// Past a char literal (`'"'`, `'\n'`, `'\u{1F600}'`) or a lifetime (`'a`).
fn skip_quote(chars: &[char], i: usize) -> usize {
    if chars.get(i + 1) == Some(&'\\') {
        let close = chars[i + 2..].iter().position(|&c| c == '\'').unwrap_or(0);
        return i + 3 + close;
    }
    if chars.get(i + 2) == Some(&'\'') {
        return i + 3;
    }
    i + 1
}

/// The module path of a file under `src/`: `app/batch.rs` is `app::batch`, `engine/mod.rs` is
/// `engine`; `lib.rs` and `main.rs` are the crate's root, the empty path.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// One path a file names, already absolute (from the crate's root), with its line.
#[derive(Debug, Clone, PartialEq)]
struct Named {
    line: usize,
    path: Vec<String>,
}

/// Resolve a path's first segments against `here` (the module the code is in): `crate::a` is
/// `a`, `self::a` is `here::a`, `super::a` is `a` beside `here`. `None` for a path that does not
/// start in the crate (`std::…`, a dependency), or a `super` above the root.
fn resolve(here: &[String], segments: &[String]) -> Option<Vec<String>> {
    let mut base: Vec<String> = here.to_vec();
    let mut rest = segments;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            base.clear();
            rest = &rest[1..];
        }
        Some("self") => rest = &rest[1..],
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    while rest.first().map(String::as_str) == Some("super") {
        base.pop()?;
        rest = &rest[1..];
    }
    base.extend(rest.iter().filter(|s| s.as_str() != "self").cloned());
    Some(base)
}

/// The leaves of a `use` tree starting at `tokens[i]` (after `use`), each as its segments; ends at
/// the `;`. Returns the leaves and the index after the `;`.
fn use_tree(
    tokens: &[(usize, Token)],
    mut i: usize,
    prefix: &[String],
) -> (Vec<Vec<String>>, usize) {
    let mut leaves = Vec::new();
    let mut path = prefix.to_vec();
    while i < tokens.len() {
        match &tokens[i].1 {
            Token::Word(w) if w == "as" => i += 2,
            Token::Word(w) => {
                path.push(w.clone());
                i += 1;
            }
            Token::Path => i += 1,
            Token::Punct('*') => i += 1,
            Token::Punct('{') => {
                let (inner, after) = use_tree(tokens, i + 1, &path);
                leaves.extend(inner);
                path = prefix.to_vec();
                i = after;
                continue;
            }
            Token::Punct(',') => {
                if path.len() > prefix.len() {
                    leaves.push(std::mem::replace(&mut path, prefix.to_vec()));
                }
                i += 1;
            }
            Token::Punct('}' | ';') => {
                if path.len() > prefix.len() {
                    leaves.push(path);
                }
                return (leaves, i + 1);
            }
            _ => i += 1,
        }
    }
    (leaves, i)
}

/// Every crate path a file names, resolved from its module; inline `mod name { … }` blocks move
/// `self` and `super` one level down inside them.
fn named_paths(file: &str, text: &str) -> Vec<Named> {
    let tokens = tokens(text);
    let mut here = module_of(file);
    // The brace depth at which each inline module opened.
    let mut inline: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let (line, token) = &tokens[i];
        match token {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last() == Some(&depth) {
                    inline.pop();
                    here.pop();
                }
            }
            Token::Word(w) if w == "mod" => {
                if let (Some((_, Token::Word(name))), Some((_, Token::Punct('{')))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    here.push(name.clone());
                    inline.push(depth);
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Token::Word(w) if w == "use" => {
                let (leaves, after) = use_tree(&tokens, i + 1, &[]);
                for leaf in leaves {
                    if let Some(path) = resolve(&here, &leaf) {
                        found.push(Named { line: *line, path });
                    }
                }
                i = after;
                continue;
            }
            Token::Word(w)
                if matches!(w.as_str(), "crate" | "self" | "super")
                    && tokens.get(i + 1).map(|t| &t.1) == Some(&Token::Path)
                    && !is_visibility(&tokens, i) =>
            {
                let mut segments = vec![w.clone()];
                let mut j = i + 1;
                while let (Some((_, Token::Path)), Some((_, Token::Word(next)))) =
                    (tokens.get(j), tokens.get(j + 1))
                {
                    segments.push(next.clone());
                    j += 2;
                }
                if let Some(path) = resolve(&here, &segments) {
                    found.push(Named { line: *line, path });
                }
                i = j;
                continue;
            }
            Token::Str(s) => {
                for (offset, piece) in s.match_indices("crate::") {
                    let segments: Vec<String> = s[offset..]
                        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                        .next()
                        .unwrap_or(piece)
                        .split("::")
                        .filter(|p| !p.is_empty())
                        .map(str::to_string)
                        .collect();
                    if let Some(path) = resolve(&here, &segments) {
                        found.push(Named { line: *line, path });
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// `pub(in crate::x)`, `pub(crate)`, `pub(super)`: a visibility names no module's contents.
fn is_visibility(tokens: &[(usize, Token)], i: usize) -> bool {
    let word = |k: usize| match tokens.get(k).map(|t| &t.1) {
        Some(Token::Word(w)) => Some(w.as_str()),
        _ => None,
    };
    i >= 3
        && word(i - 1) == Some("in")
        && tokens[i - 2].1 == Token::Punct('(')
        && word(i - 3) == Some("pub")
}

/// What the checker finds wrong in a tree of files.
#[derive(Debug, Default)]
struct Findings {
    /// `src/<file>:<line>: ...` for each import that points up or sideways between layers.
    upward: Vec<String>,
    /// Each circle of files naming each other, as its files in order, the first repeated last.
    cycles: Vec<Vec<String>>,
}

/// The file a resolved path lands in: the longest prefix of it that is a file's module.
fn target_file<'a>(
    modules: &'a BTreeMap<Vec<String>, String>,
    path: &[String],
) -> Option<&'a String> {
    (1..=path.len()).rev().find_map(|n| modules.get(&path[..n]))
}

fn check(tree: &BTreeMap<String, String>) -> Findings {
    let modules: BTreeMap<Vec<String>, String> = tree
        .keys()
        .filter(|file| file.contains('/'))
        .map(|file| (module_of(file), file.clone()))
        .collect();
    let mut findings = Findings::default();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in tree {
        let Some((layer, _)) = file.split_once('/') else {
            continue;
        };
        let targets = edges.entry(file.clone()).or_default();
        for named in named_paths(file, text) {
            let Some(first) = named.path.first() else {
                continue;
            };
            if LAYERS.contains(&first.as_str()) && !allowed(layer).contains(&first.as_str()) {
                findings.upward.push(format!(
                    "src/{file}:{}: `{layer}` names `crate::{}`",
                    named.line,
                    named.path.join("::")
                ));
            }
            if let Some(target) = target_file(&modules, &named.path) {
                // A file naming its own submodule's items, or a submodule naming its parent's,
                // is one module split over files: not a circle.
                let a = module_of(file);
                let b = module_of(target);
                let nested = a.starts_with(&b) || b.starts_with(&a);
                if target != file && !nested {
                    targets.insert(target.clone());
                }
            }
        }
    }
    findings.cycles = cycles(&edges);
    findings
}

/// Every circle in the graph, each found once from its first file in order.
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
        found: &mut Vec<Vec<String>>,
    ) {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|s| s == next).unwrap();
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    found.push(cycle);
                }
                0 => visit(next, edges, state, stack, found),
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
    }
    let mut state = BTreeMap::new();
    let mut found = Vec::new();
    for node in edges.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0 {
            visit(node, edges, &mut state, &mut Vec::new(), &mut found);
        }
    }
    found
}

#[test]
fn every_source_file_is_in_a_layer() {
    for file in source_tree().keys() {
        match file.split_once('/') {
            None => assert!(
                file == "lib.rs" || file == "main.rs",
                "src/{file} is outside the layers: move it into one of {LAYERS:?}"
            ),
            Some((layer, _)) => assert!(
                LAYERS.contains(&layer),
                "src/{file} is in `{layer}`, not a layer of {LAYERS:?}"
            ),
        }
    }
}

#[test]
fn imports_point_down_only() {
    let findings = check(&source_tree());
    assert!(
        findings.upward.is_empty(),
        "imports must point down (app → cli → input → engine, app → render → engine):\n{}",
        findings.upward.join("\n")
    );
}

/// No files name each other, directly or round a longer circle: a circle makes them one piece
/// that cannot be read alone.
#[test]
fn no_circles_between_files() {
    let findings = check(&source_tree());
    let shown: Vec<String> = findings.cycles.iter().map(|c| c.join(" → ")).collect();
    assert!(
        shown.is_empty(),
        "files that name each other:\n{}",
        shown.join("\n")
    );
}

fn planted(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(name, text)| ((*name).to_string(), (*text).to_string()))
        .collect()
}

/// The checker fails on an upward import however it is written: `crate::` in a group, `super::`
/// climbing out of a layer, a path inline in the code or in a string; a comment is not an import.
#[test]
fn the_checker_fails_on_a_planted_upward_import() {
    let tree = planted(&[
        ("engine/a.rs", "use crate::{engine::b, render::text};\n"),
        (
            "engine/b.rs",
            "use super::super::app::run;\n// crate::app\n",
        ),
        (
            "engine/c.rs",
            "fn f() { crate::input::read(); }\n/* crate::app */\n",
        ),
        (
            "engine/d.rs",
            "#[serde(with = \"crate::render::x\")]\nstruct S;\n",
        ),
        ("render/text.rs", "use crate::engine::a;\n"),
        ("input/read.rs", ""),
        ("app/run.rs", ""),
    ]);
    assert_eq!(
        check(&tree).upward,
        [
            "src/engine/a.rs:1: `engine` names `crate::render::text`",
            "src/engine/b.rs:1: `engine` names `crate::app::run`",
            "src/engine/c.rs:1: `engine` names `crate::input::read`",
            "src/engine/d.rs:1: `engine` names `crate::render::x`",
        ]
    );
}

/// The checker fails on a circle of sibling files named through `super::`, `self::` inside an
/// inline module, and `use` groups; a parent and its own submodule are one module, not a circle.
#[test]
fn the_checker_fails_on_a_planted_circle() {
    let tree = planted(&[
        (
            "app/batch.rs",
            "mod rows;\nuse super::{output::write, plan};\nfn f() { self::rows::g(); }\n",
        ),
        ("app/batch/rows.rs", "use super::f;\n"),
        (
            "app/output.rs",
            "mod tests {\n    use super::super::plan::x;\n}\n",
        ),
        (
            "app/plan.rs",
            "pub(in crate::app) fn x() { crate::app::batch::f(); }\n",
        ),
    ]);
    let findings = check(&tree);
    assert!(findings.upward.is_empty(), "{:?}", findings.upward);
    assert_eq!(
        findings.cycles,
        [[
            "app/batch.rs",
            "app/output.rs",
            "app/plan.rs",
            "app/batch.rs"
        ]]
    );
}

/// The most lines of code a source file may hold (blank lines, `//` comment lines and the
/// file's unit tests, from its first `#[cfg(test)]`, not counted): a file holds one concept.
/// Functions are held to 80 lines by clippy (`too_many_lines`, `clippy.toml`).
const MAX_FILE_LINES: usize = 600;

/// A file's lines of code, counted as [`MAX_FILE_LINES`] says.
fn lines_of_code(text: &str) -> usize {
    text.lines()
        .take_while(|l| !l.starts_with("#[cfg(test)]"))
        .filter(|l| {
            let t = l.trim_start();
            !t.is_empty() && !t.starts_with("//")
        })
        .count()
}

#[test]
fn no_source_file_holds_more_than_600_lines_of_code() {
    let mut over: Vec<String> = source_tree()
        .iter()
        .map(|(file, text)| (file, lines_of_code(text)))
        .filter(|(_, n)| *n > MAX_FILE_LINES)
        .map(|(file, n)| format!("src/{file}: {n} lines of code"))
        .collect();
    over.sort();
    assert!(
        over.is_empty(),
        "files over {MAX_FILE_LINES} lines of code; split each by concept:\n{}",
        over.join("\n")
    );
}

#[test]
fn lines_of_code_leave_out_blank_lines_comments_and_unit_tests() {
    let text = "//! A module.\n\nfn a() {\n    // why\n    1;\n}\n#[cfg(test)]\nmod tests {}\n";
    assert_eq!(lines_of_code(text), 3);
}
