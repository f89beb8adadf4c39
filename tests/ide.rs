//! The editor features (`zan::ide`) in process, as data (the protocol wiring is `tests/lsp.rs`).
//!
//! Each `tests/data/ide/<feature>/NAME.zan` is a fixture and `NAME.expected` beside it the
//! feature's answer as readable text; one test per feature runs every fixture of its folder and
//! reports every mismatch with a line diff. Run with `ZAN_BLESS=1` to write the expected files
//! instead, and read every one before committing: it must show correct behaviour.
//!
//! A fixture is the text of one or more files:
//! - `$0` marks the cursor (and is not part of the text);
//! - a line `//- file: NAME` starts a file named NAME (text before the first one is `main.zan`);
//!   `//- legal text: NAME` starts a legal text (a `source`'s `file`), which is never parsed;
//! - other `//- KEY: VALUE` lines are options: `rename to` (the new name, for rename) and
//!   `today` (the editor's date, 2026-06-01 unless given).
//!
//! Lines and columns in the answers count from 1, columns in characters.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::Path;
use zan::ide::{self, Analysis, Edit, Target};
use zan::source::{FileId, SourceFile, SourceMap, Span};
use zan::time::date;

const DATA_DIR: &str = "tests/data/ide";
const TODAY: &str = "2026-06-01";

/// One parsed fixture.
struct Fixture {
    analysis: Analysis,
    cursor: Option<(FileId, usize)>,
    options: BTreeMap<String, String>,
}

/// A file of a fixture being read.
enum Section {
    Zan(String),
    Legal(String),
}

impl Fixture {
    fn parse(text: &str) -> Result<Fixture, String> {
        let mut map = SourceMap::new();
        let mut options = BTreeMap::new();
        let mut section = Section::Zan("main.zan".to_string());
        let mut body = String::new();
        let mut cursor_in_body = None;
        let mut cursor = None;
        for line in text.split_inclusive('\n') {
            if let Some((key, value)) = directive(line) {
                if key == "file" || key == "legal text" {
                    let next = if key == "file" {
                        Section::Zan(value)
                    } else {
                        Section::Legal(value)
                    };
                    let done = std::mem::replace(&mut section, next);
                    let at = cursor_in_body.take();
                    if let Some(file) = add(&mut map, done, std::mem::take(&mut body)) {
                        cursor = cursor.or(at.map(|at| (file, at)));
                    }
                } else {
                    options.insert(key, value);
                }
                continue;
            }
            if let Some(i) = line.find("$0") {
                if cursor.is_some() || cursor_in_body.is_some() {
                    return Err("more than one `$0`".to_string());
                }
                cursor_in_body = Some(body.len() + i);
                body.push_str(&line.replacen("$0", "", 1));
            } else {
                body.push_str(line);
            }
        }
        if let Some(file) = add(&mut map, section, body) {
            cursor = cursor.or(cursor_in_body.map(|at| (file, at)));
        }
        let today = options.get("today").map_or(TODAY, String::as_str);
        let today = date::parse(today).ok_or_else(|| format!("`today: {today}` is not a date"))?;
        Ok(Fixture {
            analysis: Analysis::of_map(map, today),
            cursor,
            options,
        })
    }

    fn cursor(&self) -> (FileId, usize) {
        self.cursor.expect("the fixture marks the cursor with `$0`")
    }

    fn option(&self, key: &str) -> &str {
        self.options
            .get(key)
            .unwrap_or_else(|| panic!("the fixture needs a line `//- {key}: …`"))
    }
}

/// `//- KEY: VALUE`.
fn directive(line: &str) -> Option<(String, String)> {
    let (key, value) = line.trim_end().strip_prefix("//- ")?.split_once(':')?;
    Some((key.trim().to_string(), value.trim().to_string()))
}

/// Add a finished section to the map; the id of a zan file. An empty first section (a fixture
/// that starts with `//- file:`) is not a file.
fn add(map: &mut SourceMap, section: Section, body: String) -> Option<FileId> {
    match section {
        Section::Zan(name) if name == "main.zan" && body.trim().is_empty() => None,
        Section::Zan(name) => Some(map.add(name, body)),
        Section::Legal(name) => {
            map.add_legal_text(name, body);
            None
        }
    }
}

/// `file:line:col-line:col` of a byte range of a file.
fn place(file: &SourceFile, start: usize, end: usize) -> String {
    let (l1, c1) = line_col(&file.text, start);
    let (l2, c2) = line_col(&file.text, end);
    format!("{}:{l1}:{c1}-{l2}:{c2}", file.name)
}

/// One-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// A span's place and the text it covers.
fn span(a: &Analysis, span: Span) -> String {
    let file = a.map.get(span.file).expect("a span of the map");
    let s = span.range();
    format!("{}  `{}`", place(file, s.start, s.end), a.map.snippet(span))
}

/// The files after the edits, each after a line `=== NAME`.
fn edited(a: &Analysis, edits: &[Edit]) -> String {
    let mut out = String::new();
    for id in a.map.ids() {
        let mut mine: Vec<&Edit> = edits.iter().filter(|e| e.span.file == id).collect();
        if mine.is_empty() {
            continue;
        }
        mine.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        let file = a.map.get(id).expect("a file of the map");
        let mut text = file.text.clone();
        for e in mine {
            text.replace_range(e.span.range(), &e.text);
        }
        let _ = write!(out, "=== {}\n{text}", file.name);
    }
    out
}

fn hover(f: &Fixture) -> String {
    let a = &f.analysis;
    let (file, at) = f.cursor();
    match ide::hover(a, file, at as u32) {
        Some((s, markdown)) => format!("{}\n\n{markdown}\n", span(a, s)),
        None => "no hover\n".to_string(),
    }
}

fn complete(f: &Fixture) -> String {
    let (file, at) = f.cursor();
    let mut out = String::new();
    for c in ide::complete(&f.analysis, file, at) {
        let _ = write!(out, "{:?} {}", c.kind, c.label);
        if let Some(d) = &c.detail {
            let _ = write!(out, " — {d}");
        }
        if let Some(e) = &c.edit {
            let s = e.span.range();
            let _ = write!(
                out,
                "\n    replaces {}..{} `{}` with `{}`",
                s.start,
                s.end,
                f.analysis.map.snippet(e.span),
                e.text
            );
        }
        out.push('\n');
    }
    if out.is_empty() {
        out.push_str("no completions\n");
    }
    out
}

fn definition(f: &Fixture) -> String {
    let a = &f.analysis;
    let (file, at) = f.cursor();
    let mut out = String::new();
    for target in ide::definition(a, file, at as u32) {
        let line = match target {
            Target::Span(s) => span(a, s),
            Target::LegalText { name, start, end } => {
                let text = a.map.legal_text(&name).expect("the legal text of the map");
                let quoted = text.text.get(start..end).unwrap_or("");
                format!("{}  “{quoted}”", place(text, start, end))
            }
        };
        let _ = writeln!(out, "{line}");
    }
    if out.is_empty() {
        out.push_str("no definition\n");
    }
    out
}

fn references(f: &Fixture) -> String {
    let a = &f.analysis;
    let (file, at) = f.cursor();
    let uses = ide::references(a, file, at as u32, false);
    let mut out = String::new();
    for s in ide::references(a, file, at as u32, true) {
        let mark = if uses.contains(&s) {
            ""
        } else {
            "  (declaration)"
        };
        let _ = writeln!(out, "{}{mark}", span(a, s));
    }
    if out.is_empty() {
        out.push_str("no references\n");
    }
    out
}

fn rename(f: &Fixture) -> String {
    let a = &f.analysis;
    let (file, at) = f.cursor();
    let new_name = f.option("rename to");
    let mut out = match ide::prepare_rename(a, file, at as u32) {
        Some(s) => format!("prepare: {}\n", span(a, s)),
        None => "prepare: nothing to rename\n".to_string(),
    };
    match ide::rename(a, file, at as u32, new_name) {
        Ok(edits) => {
            let _ = write!(out, "{} edits\n{}", edits.len(), edited(a, &edits));
        }
        Err(e) => {
            let _ = writeln!(out, "refused: {e}");
        }
    }
    out
}

fn actions(f: &Fixture) -> String {
    let a = &f.analysis;
    let (file, at) = f.cursor();
    let mut out = String::new();
    for action in ide::code_actions(a, file, at as u32, at as u32) {
        let preferred = if action.preferred { " (preferred)" } else { "" };
        let _ = writeln!(out, "action: {}{preferred}", action.title);
        if let Some(d) = &action.fixes {
            let _ = writeln!(out, "fixes: {} {}", d.code.as_str(), d.message);
        }
        out.push_str(&edited(a, &action.edits));
        out.push('\n');
    }
    if out.is_empty() {
        out.push_str("no actions\n");
    }
    out
}

/// Each file with its hints inlined as `⟦label⟧`, then the hints' tooltips.
fn hints(f: &Fixture) -> String {
    let a = &f.analysis;
    let mut out = String::new();
    for id in a.map.ids() {
        let hints = ide::inlay_hints(a, id);
        let file = a.map.get(id).expect("a file of the map");
        let mut text = file.text.clone();
        for h in hints.iter().rev() {
            text.insert_str(h.offset, &format!("⟦{}⟧", h.label));
        }
        let _ = write!(out, "=== {}\n{text}", file.name);
        for h in &hints {
            let (line, col) = line_col(&file.text, h.offset);
            let tooltip = h.tooltip.as_deref().unwrap_or("(no tooltip)");
            let _ = writeln!(out, "--- {line}:{col} `{}`: {tooltip}", h.label);
        }
    }
    out
}

/// Run every fixture of `tests/data/ide/<feature>` through `render`.
fn check_folder(feature: &str, render: fn(&Fixture) -> String) {
    let dir = common::root().join(DATA_DIR).join(feature);
    let inputs = common::files_in(&dir, "zan");
    assert!(
        inputs.len() >= 5,
        "expected the fixtures of {DATA_DIR}/{feature}"
    );
    let mut failures = Vec::new();
    for expected in common::files_in(&dir, "expected") {
        if !expected.with_extension("zan").exists() {
            failures.push(format!(
                "{} has no fixture beside it: remove it",
                name(&expected)
            ));
        }
    }
    for input in &inputs {
        let text = std::fs::read_to_string(input).unwrap();
        let actual = match Fixture::parse(&text) {
            Ok(fixture) => render(&fixture),
            Err(e) => {
                failures.push(format!("{}: {e}", name(input)));
                continue;
            }
        };
        if let Err(report) = common::expect_file(&input.with_extension("expected"), &actual) {
            failures.push(format!("{}: {report}", name(input)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures of {DATA_DIR}/{feature} fail (if intended, run `ZAN_BLESS=1 cargo test --test ide` and read every expected file):\n\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}

fn name(path: &Path) -> String {
    path.strip_prefix(common::root())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[test]
fn hover_fixtures() {
    check_folder("hover", hover);
}

#[test]
fn completion_fixtures() {
    check_folder("complete", complete);
}

#[test]
fn definition_fixtures() {
    check_folder("definition", definition);
}

#[test]
fn references_fixtures() {
    check_folder("references", references);
}

#[test]
fn rename_fixtures() {
    check_folder("rename", rename);
}

#[test]
fn code_action_fixtures() {
    check_folder("actions", actions);
}

#[test]
fn inlay_hint_fixtures() {
    check_folder("hints", hints);
}

/// The bless switch of `common::expect_file`: only `ZAN_BLESS=1` rewrites expected files.
#[test]
fn only_zan_bless_1_rewrites_expected_files() {
    assert!(common::bless_requested(Some(OsStr::new("1"))));
    assert!(!common::bless_requested(None));
    for value in ["0", "", "true", "yes", " 1", "1 ", "01"] {
        assert!(
            !common::bless_requested(Some(OsStr::new(value))),
            "ZAN_BLESS={value:?} must compare, not bless"
        );
    }
}
