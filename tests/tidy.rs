//! Tidy: rules about the code itself that no compiler checks (rust-analyzer's `tidy.rs` idea).
//!
//! - Dependencies point down: each top-level module of `src/` has a rank, and its production
//!   code names (`crate::…`) only modules of a lower rank. The core (`source`, `diagnostics`,
//!   `time`, `value`, `syntax`, `ir`, `coverage`, `check`, `eval`) therefore imports no consumer,
//!   and no consumer imports the CLI. A new top-level module must be given a rank here.
//! - Every module starts with a `//!` doc that says what it is for.
//! - No production file passes 1,000 lines (a file's inline test module does not count; put
//!   a large one in a sibling `tests.rs`).

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may name modules of a strictly lower rank only, so two
/// modules of one rank (`check` and `eval`, `ide` and `diff`) never reach sideways.
const RANKS: &[(&str, u8)] = &[
    ("source", 0),
    ("diagnostics", 1),
    ("time", 1),
    ("value", 2),
    ("syntax", 3),
    ("ir", 3),
    ("ops", 4),
    ("coverage", 4),
    ("check", 5),
    ("eval", 5),
    ("console", 6),
    ("load", 6),
    ("testing", 6),
    ("fmt", 6),
    ("engine", 7),
    ("ide", 7),
    ("diff", 7),
    ("lsp", 8),
    ("explorer", 8),
    ("serve", 9),
    ("cli", 10),
];

/// The modules the issue calls the core: they do no IO and import no consumer.
const CORE: &[&str] = &[
    "source",
    "diagnostics",
    "time",
    "value",
    "syntax",
    "ir",
    "ops",
    "coverage",
    "check",
    "eval",
];

/// The crate root's own items that production code may name as `crate::NAME` (re-exports and
/// constants of `lib.rs`), mapped to the module they come from.
const ROOT_ITEMS: &[(&str, &str)] = &[
    ("THREAD_STACK_BYTES", "source"),
    ("check", "check"),
    ("Checked", "check"),
    ("Engine", "engine"),
    ("eval", "eval"),
    ("Case", "eval"),
    ("Decision", "eval"),
    ("EvalError", "eval"),
    ("Rulebook", "ir"),
    ("SourceMap", "source"),
];

const MAX_LINES: usize = 1000;

fn rank(module: &str) -> Option<u8> {
    RANKS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

/// `src/check/expr/mod.rs` → `check`; `src/ir.rs` → `ir`; `src/lib.rs` and `src/main.rs` → None.
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .to_string();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// The file's production code: without comment lines, and without an inline test module
/// (`#[cfg(test)] mod … {` and everything after it) or the whole file when it says
/// `#![cfg(test)]`.
fn production(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let code = line.trim();
        if code == "#![cfg(test)]" {
            return Vec::new();
        }
        if code == "#[cfg(test)]" {
            let next = lines[i + 1..]
                .iter()
                .map(|l| l.trim())
                .find(|l| !l.is_empty() && !l.starts_with("#["));
            if next.is_some_and(|n| n.contains("mod ") && n.ends_with('{')) {
                break;
            }
        }
        out.push(*line);
    }
    out
}

/// Every top-level module named by `crate::…` (or `$crate::…`) in `code`, groups
/// `crate::{a, b::c}` included.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue; // `my_crate::`, not this crate
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.insert(first_segment(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            found.insert(first_segment(&item));
        } else {
            found.insert(first_segment(rest));
        }
    }
    found.remove("");
    found.remove("self");
    found
}

fn first_segment(path: &str) -> String {
    path.trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

struct Source {
    name: String,
    module: Option<String>,
    text: String,
}

fn sources() -> Vec<Source> {
    let src: PathBuf = common::root().join("src");
    let files = common::files_below(&src, "rs");
    assert!(
        files.len() > 50,
        "found only {} files under src/",
        files.len()
    );
    files
        .iter()
        .map(|f| Source {
            name: f
                .strip_prefix(common::root())
                .unwrap_or(f)
                .to_string_lossy()
                .replace('\\', "/"),
            module: top_module(&src, f),
            text: std::fs::read_to_string(f).unwrap(),
        })
        .collect()
}

fn code_without_comments(text: &str) -> String {
    production(text)
        .into_iter()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn dependencies_point_down() {
    let mut wrong = Vec::new();
    for s in sources() {
        let Some(module) = &s.module else { continue };
        let Some(own) = rank(module) else {
            wrong.push(format!(
                "{}: module `{module}` has no rank in tests/tidy.rs",
                s.name
            ));
            continue;
        };
        for named in named_modules(&code_without_comments(&s.text)) {
            let target = ROOT_ITEMS
                .iter()
                .find(|(item, _)| *item == named)
                .map_or(named.as_str(), |(_, m)| m);
            if target == module {
                continue;
            }
            match rank(target) {
                Some(r) if r < own => {}
                Some(_) => {
                    let core = if CORE.contains(&module.as_str()) {
                        " (core)"
                    } else {
                        ""
                    };
                    wrong.push(format!(
                        "{}: `{module}`{core} names `crate::{named}`",
                        s.name
                    ));
                }
                None => wrong.push(format!("{}: names unknown `crate::{named}`", s.name)),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies must point down (ranks in tests/tidy.rs):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_module_starts_with_its_doc() {
    let missing: Vec<String> = sources()
        .into_iter()
        .filter(|s| !s.text.trim_start().starts_with("//!"))
        .map(|s| s.name)
        .collect();
    assert!(
        missing.is_empty(),
        "start these modules with a `//!` doc that says what they are for:\n{}",
        missing.join("\n")
    );
}

#[test]
fn no_production_file_passes_a_thousand_lines() {
    let long: Vec<String> = sources()
        .into_iter()
        .filter_map(|s| {
            let n = production(&s.text).len();
            (n > MAX_LINES).then(|| format!("{}: {n} lines", s.name))
        })
        .collect();
    assert!(
        long.is_empty(),
        "split these by category (at most {MAX_LINES} lines of production code each):\n{}",
        long.join("\n")
    );
}

#[test]
fn the_import_reader_sees_groups_and_paths() {
    let code = "use crate::{check::x, eval::{a, b}, ir};\nlet y = crate::time::f(); my_crate::z; $crate::cli::o";
    let got: Vec<String> = named_modules(code).into_iter().collect();
    assert_eq!(got, ["check", "cli", "eval", "ir", "time"]);
    let text = "//! doc\nfn a() {}\n#[cfg(test)]\nfn helper() {}\n#[cfg(test)]\n#[allow(x)]\nmod tests {\n fn t() {}\n}\n";
    assert_eq!(production(text).len(), 4);
}
