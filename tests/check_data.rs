//! The diagnostics corpus: every rulebook under `tests/data/check/err` and `tests/data/check/ok`
//! is checked, and its diagnostics (rendered for a terminal, without colour) are compared with
//! the `.expected` file beside it.
//!
//! - `err/<code>-<slug>.zan` must produce at least one diagnostic with the code of its name.
//! - `ok/*.zan` must produce no error.
//! - every diagnostic code must have at least one `err` file.
//!
//! Run with `ZAN_BLESS=1` to write the `.expected` files instead of comparing; review the
//! changes before committing them.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use zan::diagnostics::{render, Code, Severity};
use zan::source::SourceMap;

/// Codes that may lack an `err` file. Every code can be triggered from source today.
const UNTESTED_CODES: &[&str] = &[];

const DATA_DIR: &str = "tests/data/check";

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Err,
    Ok,
}

impl Kind {
    fn dir(self) -> &'static str {
        match self {
            Kind::Err => "err",
            Kind::Ok => "ok",
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(DATA_DIR)
}

/// The `.zan` files of one folder, sorted by name.
fn zan_files(dir: &Path, failures: &mut Vec<String>) -> Vec<String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            failures.push(format!("cannot read {}: {e}", dir.display()));
            return Vec::new();
        }
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".zan"))
        .collect();
    names.sort();
    names
}

/// `.expected` files left behind by a renamed or deleted `.zan` file.
fn orphans(dir: &Path, rel: &str, failures: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let path = e.path();
        if path.extension().is_some_and(|x| x == "expected") && !path.with_extension("zan").exists()
        {
            let file = e.file_name().to_string_lossy().into_owned();
            failures.push(format!(
                "{DATA_DIR}/{rel}/{file} has no .zan file beside it: remove it"
            ));
        }
    }
}

/// `Z0101` from `Z0101-unknown-name.zan`.
fn code_prefix(file: &str) -> &str {
    file.split(['-', '.']).next().unwrap_or("")
}

/// The text compared and stored: `\n` line ends and no trailing spaces (ariadne pads its lines,
/// and editors strip such spaces).
fn normalize(s: &str) -> String {
    let mut out: String = s
        .replace("\r\n", "\n")
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Check one file; push a line to `failures` for each problem found.
fn check_file(kind: Kind, file: &str, failures: &mut Vec<String>, mismatches: &mut Vec<String>) {
    let path = root().join(kind.dir()).join(file);
    let name = format!("{DATA_DIR}/{}/{file}", kind.dir());
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            failures.push(format!("{name}: cannot read: {e}"));
            return;
        }
    };
    let mut map = SourceMap::new();
    map.add(name.clone(), text);
    // Legal texts beside the inputs (`sources/`), against which citations are checked.
    if let Ok(texts) = std::fs::read_dir(root().join(kind.dir()).join("sources")) {
        for t in texts.filter_map(Result::ok) {
            if let Ok(content) = std::fs::read_to_string(t.path()) {
                map.add_legal_text(t.file_name().to_string_lossy().into_owned(), content);
            }
        }
    }
    // `sources/` holds only the texts the Z0504 examples quote; the other inputs name texts it
    // lacks, so only Z0505's own examples are read as a rulebook folder is (folder read).
    if file.starts_with("Z0505-") {
        map.mark_legal_texts_read();
    }
    let checked = zan::check::check(&map);
    let diags = &checked.diagnostics;
    let actual = normalize(&render::to_terminal(&map, diags, false));

    match kind {
        Kind::Err => {
            let code = code_prefix(file);
            if !diags.iter().any(|d| d.code.as_str() == code) {
                let found: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
                failures.push(format!(
                    "{name}: expected a {code} diagnostic, found [{}]",
                    found.join(", ")
                ));
            }
        }
        Kind::Ok => {
            for d in diags.iter().filter(|d| d.severity == Severity::Error) {
                failures.push(format!(
                    "{name}: unexpected error {}: {}",
                    d.code.as_str(),
                    render::one_line(&map, d)
                ));
            }
        }
    }

    if let Err(report) = common::expect_file(&path.with_extension("expected"), &actual) {
        mismatches.push(format!("{name}: the diagnostics differ\n{report}"));
    }
}

#[test]
fn diagnostics_match_expected_files() {
    let mut failures = Vec::new();
    let mut mismatches = Vec::new();
    let mut covered: BTreeSet<String> = BTreeSet::new();

    for kind in [Kind::Err, Kind::Ok] {
        let dir = root().join(kind.dir());
        orphans(&dir, kind.dir(), &mut failures);
        let files = zan_files(&dir, &mut failures);
        if files.is_empty() {
            failures.push(format!("{DATA_DIR}/{} has no .zan files", kind.dir()));
        }
        for file in &files {
            if kind == Kind::Err {
                let code = code_prefix(file);
                if !Code::ALL.iter().any(|c| c.as_str() == code) {
                    failures.push(format!(
                        "{DATA_DIR}/err/{file}: the name must start with a diagnostic code such as Z0101, not `{code}`"
                    ));
                }
                covered.insert(code.to_string());
            }
            check_file(kind, file, &mut failures, &mut mismatches);
        }
    }

    for code in Code::ALL {
        let c = code.as_str();
        if !covered.contains(c) && !UNTESTED_CODES.contains(&c) {
            failures.push(format!(
                "{c} ({}) has no test: add {DATA_DIR}/err/{c}-<what-triggers-it>.zan",
                code.title()
            ));
        }
    }

    for m in &mismatches {
        eprintln!("{m}");
    }
    let mut summary = String::new();
    if !mismatches.is_empty() {
        let _ = writeln!(
            summary,
            "{} file(s) differ from their .expected file (diffs above; if the change is intended, \
             run `ZAN_BLESS=1 cargo test --test check_data` and review the result):",
            mismatches.len()
        );
        for m in &mismatches {
            let _ = writeln!(summary, "  {}", m.lines().next().unwrap_or(""));
        }
    }
    for f in &failures {
        let _ = writeln!(summary, "{f}");
    }
    assert!(summary.is_empty(), "\n{summary}");
}
