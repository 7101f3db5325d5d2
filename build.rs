//! Builds the protocols in `protocols/` into the binary, so a fresh install works with no files
//! beside it.
use std::{env, fs, path::Path};

use sha2::{Digest, Sha256};

fn main() {
    println!("cargo:rerun-if-changed=protocols");
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("protocols");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("protocols/ exists")
        .map(|e| e.expect("readable protocols/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("/// The built-in protocols: (file stem, file bytes).\npub static BUILTIN: &[(&str, &[u8])] = &[\n");
    let mut hashes = String::from("/// The SHA-256 of each built-in protocol, in the order of `BUILTIN`.\npub static BUILTIN_SHA256: &[&str] = &[\n");
    for path in files {
        let bytes = fs::read(&path).expect("readable protocol");
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        hashes.push_str(&format!("    {hex:?},\n"));
        println!("cargo:rerun-if-changed={}", path.display());
        let stem = path.file_stem().unwrap().to_str().expect("UTF-8 file name");
        out.push_str(&format!(
            "    ({stem:?}, include_bytes!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    hashes.push_str("];\n");
    out.push_str(&hashes);
    fs::write(
        Path::new(&env::var("OUT_DIR").unwrap()).join("builtin.rs"),
        out,
    )
    .unwrap();
}
