//! Replays the fuzzing regression corpus: every file of `tests/data/fuzz/<target>/` goes
//! through the same function as the cargo-fuzz target `<target>` (`fuzz/fuzz_targets/`), so
//! each input that once crashed zan, or found a difference, stays fixed. The fuzzers
//! themselves run with `cargo +nightly fuzz run <target>` (README, "Fuzzing").
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/fuzz.rs"]
mod fuzz;

use std::path::Path;

fn replay(target: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no regression inputs in {}",
        dir.display()
    );
    for f in files {
        let data = std::fs::read(&f).unwrap();
        eprintln!("{target}: {}", f.display());
        fuzz::run(target, &data);
    }
}

#[test]
fn parse_check() {
    replay("parse_check");
}

#[test]
fn rulebook_mutate() {
    replay("rulebook_mutate");
}

#[test]
fn fmt_roundtrip() {
    replay("fmt_roundtrip");
}

#[test]
fn eval_case() {
    replay("eval_case");
}

#[test]
fn lsp_document() {
    replay("lsp_document");
}

#[test]
fn every_target_has_a_folder() {
    for t in fuzz::TARGETS {
        assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/fuzz")
            .join(t)
            .is_dir());
    }
}
