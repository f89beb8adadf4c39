//! `zan fmt`: the layouts reviewed in tests/data/fmt, and the formatter's guarantees on every
//! `.zan` file of the repository: idempotent, every comment kept in order, the same rulebook
//! (diagnostics and test results), files with syntax errors refused and left alone.
//!
//! `tests/data/fmt/<name>.zan` is formatted and compared with `<name>.formatted.zan` beside it.
//! Run with `ZAN_BLESS=1` to write the `.formatted.zan` files instead; review them before
//! committing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use zan::diagnostics::Severity;
use zan::fmt::format_source;
use zan::source::SourceMap;

const DATA_DIR: &str = "tests/data/fmt";

fn fmt(text: &str, name: &str) -> String {
    match format_source(text) {
        Ok(t) => t,
        Err(d) => panic!("{name} does not format: {d:?}"),
    }
}

/// Every `.zan` file below a folder, sorted.
fn zan_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            zan_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "zan") {
            out.push(p);
        }
    }
    out.sort();
}

fn repository_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    zan_files(&common::root().join("rulebooks"), &mut files);
    zan_files(&common::root().join("tests/data"), &mut files);
    assert!(files.len() > 50, "expected the repository's .zan files");
    files
}

fn relative(p: &Path) -> String {
    p.strip_prefix(common::root())
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The `//` and `///` comments of a text, in order, without trailing blanks.
fn comments(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == '/' && chars.peek().is_some_and(|&(_, n)| n == '/') {
            let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
            out.push(text[i..end].trim_end());
            while chars.peek().is_some_and(|&(j, _)| j < end) {
                chars.next();
            }
        }
    }
    out
}

/// The syntax errors `zan check` reports for a file (the formatter refuses such files).
fn syntax_errors(name: &str, text: &str) -> Vec<String> {
    let mut map = SourceMap::new();
    let file = map.add(name, text);
    let (_, diags) = zan::syntax::parse(&map, file);
    diags
        .into_iter()
        .filter(|d| d.is_error() && d.code.stops_formatting())
        .map(|d| d.message)
        .collect()
}

#[test]
fn layouts_match_the_formatted_files() {
    let dir = common::root().join(DATA_DIR);
    let mut files = Vec::new();
    zan_files(&dir, &mut files);
    let (expected, inputs): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|p| p.to_string_lossy().ends_with(".formatted.zan"));
    assert!(inputs.len() >= 6, "expected the fmt inputs in {DATA_DIR}");
    let mut failures = Vec::new();
    for e in &expected {
        let input = PathBuf::from(e.to_string_lossy().replace(".formatted.zan", ".zan"));
        if !input.exists() {
            failures.push(format!("{} has no input beside it: remove it", relative(e)));
        }
    }
    for input in &inputs {
        let name = relative(input);
        let text = std::fs::read_to_string(input).unwrap();
        let actual = fmt(&text, &name);
        if let Err(report) = common::expect_file(&input.with_extension("formatted.zan"), &actual) {
            failures.push(format!(
                "{name}: the layout differs (if intended, run `ZAN_BLESS=1 cargo test --test fmt` and review)\n{report}"
            ));
        }
        if fmt(&actual, &name) != actual {
            failures.push(format!("{name}: formatting the result again changes it"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Idempotent, comments kept in order, the same diagnostics, clean text; files with syntax
/// errors are refused with the diagnostics `zan check` gives.
#[test]
fn every_zan_file_of_the_repository_formats_safely() {
    let mut failures = Vec::new();
    let mut refused = 0;
    for path in repository_files() {
        let name = relative(&path);
        let text = std::fs::read_to_string(&path).unwrap();
        let errors = syntax_errors(&name, &text);
        match format_source(&text) {
            Err(diags) if !errors.is_empty() => {
                refused += 1;
                let got: Vec<String> = diags.into_iter().map(|d| d.message).collect();
                if got != errors {
                    failures.push(format!("{name}: refused with {got:?}, not {errors:?}"));
                }
            }
            Err(diags) => failures.push(format!("{name}: refused: {diags:?}")),
            Ok(_) if !errors.is_empty() => {
                failures.push(format!("{name}: has syntax errors but was formatted"));
            }
            Ok(out) => {
                if fmt(&out, &name) != out {
                    failures.push(format!("{name}: not idempotent"));
                }
                if comments(&text) != comments(&out) {
                    failures.push(format!("{name}: the comments changed"));
                }
                let one = |t: &str| map_of(&[(name.clone(), t.to_string())]);
                if diagnostics(&one(&text)) != diagnostics(&one(&out)) {
                    failures.push(format!("{name}: `zan check` says something else"));
                }
                if out.contains('\r') || out.lines().any(|l| l.ends_with([' ', '\t'])) {
                    failures.push(format!("{name}: \\r or trailing whitespace in the output"));
                }
                if !out.is_empty() && (!out.ends_with('\n') || out.ends_with("\n\n")) {
                    failures.push(format!("{name}: does not end with exactly one line break"));
                }
            }
        }
    }
    assert!(
        refused >= 5,
        "expected the syntax-error files to be refused"
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_shipped_rulebook_is_already_formatted() {
    let mut files = Vec::new();
    zan_files(&common::root().join("rulebooks/kz-visa"), &mut files);
    let changed: Vec<String> = files
        .iter()
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            fmt(&text, &relative(p)) != text
        })
        .map(|p| relative(p))
        .collect();
    assert!(
        changed.is_empty(),
        "run `zan fmt rulebooks/kz-visa`: {changed:?}"
    );
}

/// The shipped rulebook with other indentation, doubled spaces and CRLF line ends.
fn mess_up(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let body = line.trim_start();
        let indent = line.len() - body.len();
        // Indented lines stay indented: a line at column 0 starts a declaration.
        let indent = if indent == 0 { 0 } else { 1 + (indent * 3) % 7 };
        out.push_str(&" ".repeat(indent));
        out.push_str(&double_spaces(body));
        out.push_str("\r\n");
    }
    out
}

/// Every space between tokens doubled (not in strings, comments, or literals such as
/// `4325 KZT` and `3 working days in kazakhstan`, which are printed as written).
fn double_spaces(line: &str) -> String {
    let mut out = String::new();
    let (mut in_string, mut escaped) = (false, false);
    for (i, c) in line.char_indices() {
        if !in_string && line[i..].starts_with("//") {
            out.push_str(&line[i..]);
            break;
        }
        match c {
            _ if in_string && escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ' ' if !in_string && !inside_literal(&line[..i]) => out.push(' '),
            _ => {}
        }
        out.push(c);
    }
    out
}

fn inside_literal(before: &str) -> bool {
    let mut words = before.rsplit(' ');
    let word = words.next().unwrap_or("");
    let previous = words.next().unwrap_or("");
    word.ends_with(|c: char| c.is_ascii_digit())
        || matches!(word, "working" | "day" | "days")
        || (word == "in" && matches!(previous, "day" | "days"))
}

fn kz_visa_messed_up() -> Vec<(String, String, String)> {
    let map = common::kz_visa();
    map.files()
        .iter()
        .map(|f| (f.name.clone(), f.text.clone(), mess_up(&f.text)))
        .collect()
}

fn map_of(files: &[(String, String)]) -> SourceMap {
    let shipped = common::kz_visa();
    let mut map = SourceMap::new();
    for (name, text) in files {
        map.add(name.clone(), text.clone());
    }
    for t in shipped.legal_texts() {
        map.add_legal_text(t.name.clone(), t.text.clone());
    }
    map
}

/// What `zan check` says, without the positions (which move when the layout changes).
fn diagnostics(map: &SourceMap) -> Vec<(String, Severity, String)> {
    let checked = zan::check(map);
    let mut v: Vec<_> = checked
        .diagnostics
        .iter()
        .map(|d| (d.code.as_str().to_string(), d.severity, d.message.clone()))
        .collect();
    v.sort();
    v
}

#[test]
fn a_messy_copy_of_the_rulebook_formats_back_and_means_the_same() {
    let files = kz_visa_messed_up();
    let messy: Vec<(String, String)> = files
        .iter()
        .map(|(n, _, m)| (n.clone(), m.clone()))
        .collect();
    let formatted: Vec<(String, String)> = files
        .iter()
        .map(|(n, _, m)| (n.clone(), fmt(m, n)))
        .collect();
    for ((name, original, _), (_, out)) in files.iter().zip(&formatted) {
        if out != original {
            panic!(
                "{name}: the messy copy does not format back to the shipped file\n{}",
                common::line_diff(original, out)
            );
        }
    }
    let before = diagnostics(&map_of(&messy));
    let after_map = map_of(&formatted);
    assert_eq!(before, diagnostics(&after_map));
    let checked = zan::check(&after_map);
    assert!(!checked.has_errors(), "the formatted rulebook has errors");
    let results = zan::testing::run(checked.rulebook.as_ref().unwrap(), None);
    assert!(results.len() >= 150);
    let failed: Vec<&str> = results
        .iter()
        .filter(|r| !r.passed())
        .map(|r| r.name.as_str())
        .collect();
    assert!(failed.is_empty(), "failing tests: {failed:?}");
}

// ---------------------------------------------------------------------- the command line

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn check_passes_on_the_shipped_rulebook() {
    let o = common::zan(&["fmt", "--check", "rulebooks/kz-visa"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert!(o.stdout.is_empty(), "{}", text(&o.stdout));
}

#[test]
fn check_lists_a_messy_copy_without_writing_and_fmt_rewrites_it() {
    let dir = common::temp_dir("messy");
    let files = kz_visa_messed_up();
    for (name, _, messy) in files.iter().take(4) {
        let file = dir.join(Path::new(name).file_name().unwrap());
        std::fs::write(file, messy).unwrap();
    }
    let d = dir.to_str().unwrap();
    let o = common::zan(&["fmt", "--check", d]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(out.contains("would reformat"), "{out}");
    assert!(out.contains("4 of 4 files would be reformatted"), "{out}");
    for (name, _, messy) in files.iter().take(4) {
        let file = dir.join(Path::new(name).file_name().unwrap());
        assert_eq!(
            &std::fs::read_to_string(file).unwrap(),
            messy,
            "--check wrote {name}"
        );
    }
    let o = common::zan(&["fmt", d]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    for (name, original, _) in files.iter().take(4) {
        let file = dir.join(Path::new(name).file_name().unwrap());
        assert_eq!(&std::fs::read_to_string(file).unwrap(), original, "{name}");
    }
    let o = common::zan(&["fmt", "--check", d]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_with_syntax_errors_is_reported_and_left_alone() {
    let dir = common::temp_dir("broken");
    let source = common::root().join("tests/data/check/err/Z0001-missing-then.zan");
    let broken = std::fs::read_to_string(source).unwrap();
    let file = dir.join("broken.zan");
    std::fs::write(&file, format!("{broken}\n\n\n")).unwrap();
    let o = common::zan(&["fmt", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("Z0001") && err.contains("expected"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!("{broken}\n\n\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unreadable_paths_exit_2() {
    let o = common::zan(&["fmt", "no/such/rulebook"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no/such/rulebook"));
    let o = common::zan(&["fmt"]);
    assert_eq!(o.status.code(), Some(2));
}

fn with_stdin(args: &[&str], input: &str) -> std::process::Output {
    common::zan_with_stdin(args, input.as_bytes())
}

#[test]
fn standard_input_is_formatted_to_standard_output() {
    let messy = "fact   a :bool\r\nrule b: bool cites law \"x\" {   a }";
    let o = with_stdin(&["fmt", "-"], messy);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        text(&o.stdout),
        "fact a: bool\n\nrule b: bool\n  cites law \"x\"\n{\n  a\n}\n"
    );
    let o = with_stdin(&["fmt", "--stdin", "--check"], messy);
    assert_eq!(o.status.code(), Some(1));
    let o = with_stdin(&["fmt", "-"], "rule b bool { a }");
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert!(text(&o.stderr).contains("Z0001"));
}

#[test]
fn a_byte_order_mark_and_crlf_are_normalised() {
    let out = fmt("\u{feff}// c\r\nfact a: bool\r\n\r\n\r\n", "bom");
    assert_eq!(out, "// c\nfact a: bool\n");
}
