//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use zan::source::SourceMap;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped rulebook as a source map, files named relative to the repository.
pub fn kz_visa() -> SourceMap {
    folder(&root().join("rulebooks/kz-visa"))
}

pub fn folder(dir: &Path) -> SourceMap {
    let mut files: Vec<PathBuf> = Vec::new();
    collect(dir, &mut files);
    files.sort();
    let mut map = SourceMap::new();
    for f in files {
        let name = f
            .strip_prefix(root())
            .unwrap_or(&f)
            .to_string_lossy()
            .replace('\\', "/");
        map.add(name, std::fs::read_to_string(&f).unwrap());
    }
    if let Ok(entries) = std::fs::read_dir(dir.join("sources")) {
        let mut texts: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        texts.sort();
        for t in texts {
            let name = t.to_string_lossy().replace('\\', "/");
            map.add_legal_text(name, std::fs::read_to_string(&t).unwrap());
        }
    }
    map
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "zan") {
            out.push(p);
        }
    }
}

/// Run the `zan` binary from the repository root.
pub fn zan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zan"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Run zan with `input` on its standard input, fed from another thread (so a large input
/// cannot block against a full output pipe).
pub fn zan_with_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_zan"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Compare `actual` with the file `expected` (relative to the repository); with
/// `ZAN_BLESS=1`, write it instead. Returns a readable diff on mismatch.
pub fn compare(expected: &Path, actual: &str) -> Result<(), String> {
    let path = root().join(expected);
    if std::env::var_os("ZAN_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return Ok(());
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want == actual {
        return Ok(());
    }
    Err(similar_asserts::SimpleDiff::from_str(&want, actual, "expected", "actual").to_string())
}
