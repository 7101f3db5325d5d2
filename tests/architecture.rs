//! The layers of `src/` and the direction of their imports (README, "Architecture"): `app` may use
//! `cli`, `input`, `render` and `engine`; `cli` uses `input` and `engine`; `input` and `render`
//! use `engine` and never each other; `engine` uses nothing of the crate outside itself. Plain
//! std: the source files are read and every `crate::…` path outside comments is checked.

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

/// The code of a file without its comments (line comments, doc comments and block comments),
/// string contents kept: a path in a string is still a path the code names.
fn code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    let mut depth = 0usize;
    while let Some(c) = chars.next() {
        if depth > 0 {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                depth -= 1;
            } else if c == '/' && chars.peek() == Some(&'*') {
                chars.next();
                depth += 1;
            } else if c == '\n' {
                out.push('\n');
            }
            continue;
        }
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                depth = 1;
            }
            '\'' => {
                // A char literal such as '"' must not open a string; a lifetime has no closing quote.
                out.push(c);
                let rest: String = chars.clone().take(3).collect();
                let len = if rest.starts_with('\\') {
                    rest.find('\'').map(|i| i + 1)
                } else if rest.chars().nth(1) == Some('\'') {
                    Some(2)
                } else {
                    None
                };
                if let Some(len) = len {
                    for _ in 0..len {
                        out.push(chars.next().unwrap());
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Every `crate::<module>` the code names, with its line, and every `crate::{…}` group (which
/// would hide the layer), as `{`.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '{')
                .take(if rest.starts_with('{') { 1 } else { usize::MAX })
                .collect();
            found.push((n + 1, name));
        }
    }
    found
}

/// The layer of a file under `src/`, or `None` for the crate's roots (`lib.rs`, `main.rs`).
fn layer_of(relative: &Path) -> Option<String> {
    let first = relative
        .components()
        .next()?
        .as_os_str()
        .to_str()?
        .to_string();
    if relative.components().count() == 1 {
        return None;
    }
    Some(first)
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn every_source_file_is_in_a_layer() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for file in &files {
        let relative = file.strip_prefix(src()).unwrap();
        match layer_of(relative) {
            None => assert!(
                relative == Path::new("lib.rs") || relative == Path::new("main.rs"),
                "{} is outside the layers: move it into one of {LAYERS:?}",
                relative.display()
            ),
            Some(layer) => assert!(
                LAYERS.contains(&layer.as_str()),
                "{} is in `{layer}`, not a layer of {LAYERS:?}",
                relative.display()
            ),
        }
    }
}

#[test]
fn imports_point_down_only() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(src()).unwrap();
        let Some(layer) = layer_of(relative) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (line, name) in crate_paths(&code(&text)) {
            if !allowed(&layer).contains(&name.as_str()) {
                wrong.push(format!(
                    "src/{}:{line}: `{layer}` names `crate::{name}`",
                    relative.display()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports must point down (app → cli → input → engine, app → render → engine):\n{}",
        wrong.join("\n")
    );
}

/// The modules a layer's files name from the same layer form no cycle (a cycle would make two
/// files one piece that cannot be read alone).
#[test]
fn no_module_cycles() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    // Module path (`engine::plan`) of each file.
    let mut modules = BTreeMap::new();
    for file in &files {
        let relative = file.strip_prefix(src()).unwrap();
        if layer_of(relative).is_none() {
            continue;
        }
        let mut parts: Vec<String> = relative
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_str().unwrap().to_string())
            .collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        modules.insert(parts.join("::"), file.clone());
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, file) in &modules {
        let text = code(&std::fs::read_to_string(file).unwrap());
        let mut targets = BTreeSet::new();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let path: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            // The longest module the path names.
            let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
            for n in (1..=parts.len()).rev() {
                let candidate = parts[..n].join("::");
                if modules.contains_key(&candidate) {
                    // A file naming its own submodules or its parent module is not an edge.
                    let nested = candidate.starts_with(&format!("{module}::"))
                        || module.starts_with(&format!("{candidate}::"));
                    if candidate != *module && !nested {
                        targets.insert(candidate);
                    }
                    break;
                }
            }
        }
        edges.insert(module.clone(), targets);
    }
    // Depth-first search for a back edge.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        stack.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|s| s == next).unwrap();
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, edges, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for module in edges.keys() {
        if state.get(module.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(cycle) = visit(module, &edges, &mut state, &mut stack) {
                panic!("import cycle: {}", cycle.join(" → "));
            }
        }
    }
}

/// The checker sees what it must: a comment is not an import, a group hides no layer.
#[test]
fn the_checker_reads_paths_and_skips_comments() {
    let text = "use crate::engine::plan; // crate::app\n/* crate::render */ let x = crate::{a};\n";
    assert_eq!(
        crate_paths(&code(text)),
        [(1, "engine".to_string()), (2, "{".to_string())]
    );
    assert_eq!(
        layer_of(Path::new("engine/plan.rs")).as_deref(),
        Some("engine")
    );
    assert_eq!(layer_of(Path::new("lib.rs")), None);
}
