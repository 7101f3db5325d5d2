//! The declared `rust-version` is honest: no locked dependency, on any platform, needs a newer
//! Rust than the package says it needs. The fuzz workspace's lock file knows every dependency
//! of the package it fuzzes, so that its `--locked` build does not fail.

use std::process::Command;

/// A Rust version as `(major, minor, patch)`; a missing patch is 0.
fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|p| {
        p.parse::<u64>()
            .unwrap_or_else(|_| panic!("`{text}` is not a Rust version"))
    });
    let major = parts.next().expect("a major version");
    let minor = parts.next().unwrap_or(0);
    let patch = parts.next().unwrap_or(0);
    assert!(parts.next().is_none(), "`{text}` is not a Rust version");
    (major, minor, patch)
}

#[test]
fn versions_are_read_as_numbers() {
    assert_eq!(version("1.85"), (1, 85, 0));
    assert_eq!(version("1.85.0"), (1, 85, 0));
    assert_eq!(version("1.9.3"), (1, 9, 3));
    assert!(version("1.100") > version("1.88"));
    assert!(version("1.85.1") > version("1.85"));
}

/// `cargo metadata` of the locked dependency tree, for every platform (so a Windows-only crate
/// counts too), dev- and build-dependencies included.
fn metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--locked",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(manifest)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo metadata --locked failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata writes JSON")
}

#[test]
fn no_locked_dependency_needs_a_newer_rust_than_declared() {
    let meta = metadata();
    let root = meta["resolve"]["root"].as_str().expect("a root package");
    let packages = meta["packages"].as_array().expect("packages");
    let ours = packages
        .iter()
        .find(|p| p["id"] == root)
        .expect("the root package is listed");
    let declared = ours["rust_version"]
        .as_str()
        .expect("Cargo.toml declares a rust-version");
    let declared_v = version(declared);
    let mut newest = (0, 0, 0);
    let mut newer = Vec::new();
    for p in packages {
        let Some(needs) = p["rust_version"].as_str() else {
            continue;
        };
        let v = version(needs);
        newest = newest.max(v);
        if v > declared_v {
            let name = p["name"].as_str().unwrap_or("?");
            let version = p["version"].as_str().unwrap_or("?");
            newer.push(format!("{name} {version} (rust-version {needs})"));
        }
    }
    assert!(
        newer.is_empty(),
        "Cargo.toml declares rust-version {declared}, but these locked packages need a newer Rust: {}",
        newer.join(", ")
    );
    // The README tells a newcomer the same version.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    assert!(
        readme.contains(&format!("You need Rust {declared} or newer")),
        "README.md does not say `You need Rust {declared} or newer`"
    );
    // The check saw real data: the dependencies declare their versions, and one of them needs at
    // least the 1.85 that clap 4.6 and toml 0.9 need.
    assert!(
        newest >= (1, 85, 0),
        "the newest rust-version among {} packages is {newest:?}",
        packages.len()
    );
}

/// The names of the dependencies `lock` records for the package `name`.
fn locked_dependencies(lock: &str, name: &str) -> Vec<String> {
    let lock: toml::Value = toml::from_str(lock).expect("a lock file is TOML");
    let package = lock["package"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("{name} is in the lock file"));
    package
        .get("dependencies")
        .and_then(|d| d.as_array())
        .map(|d| d.iter().filter_map(|d| d.as_str()))
        .into_iter()
        .flatten()
        // `name` or `name version` (when two versions are locked).
        .map(|d| d.split(' ').next().unwrap_or(d).to_string())
        .collect()
}

#[test]
fn the_fuzz_lock_file_holds_every_dependency_of_the_package() {
    let root = env!("CARGO_MANIFEST_DIR");
    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(format!("{root}/Cargo.toml")).unwrap()).unwrap();
    let name = manifest["package"]["name"]
        .as_str()
        .expect("a package name");
    let fuzz_lock = std::fs::read_to_string(format!("{root}/fuzz/Cargo.lock")).unwrap();
    let locked = locked_dependencies(&fuzz_lock, name);
    let mut missing = Vec::new();
    for table in ["dependencies", "build-dependencies"] {
        let Some(deps) = manifest.get(table).and_then(|t| t.as_table()) else {
            continue;
        };
        for (key, spec) in deps {
            // A renamed dependency is locked by its package's name.
            let package = spec.get("package").and_then(|p| p.as_str()).unwrap_or(key);
            if !locked.iter().any(|l| l == package) {
                missing.push(package.to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fuzz/Cargo.lock does not lock {missing:?} for {name}: run `cargo update --workspace` in fuzz/"
    );
}
