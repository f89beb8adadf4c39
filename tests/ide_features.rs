//! The editor features of issue 20 in process, as data: document highlight, signature help,
//! call hierarchy, document links, selection ranges, range formatting, hover on working days
//! and calendar entries, the code lenses and the tests run from the editor (the protocol
//! wiring and the commands are `tests/lsp_run.rs`).
//!
//! Each `tests/data/ide_features/<feature>/NAME.zan` is a fixture and `NAME.expected` beside
//! it the answer as readable text (the fixture format of `tests/ide.rs`: `$0` the cursor,
//! `//- file:` and `//- legal text:` sections, `//- KEY: VALUE` options; `today` is 2026-03-19
//! unless given; range formatting reads `range` and `range end`, texts whose first occurrence
//! starts the range and ends it). Run with `ZAN_BLESS=1` to write the expected files, then read
//! every one. The last tests run the same features over the shipped kz-visa rulebook.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use zan::ide::{self, run, Analysis};
use zan::source::{FileId, SourceFile, SourceMap, Span};
use zan::time::date;

const DATA_DIR: &str = "tests/data/ide_features";
const TODAY: &str = "2026-03-19";

struct Fixture {
    analysis: Analysis,
    cursor: Option<(FileId, usize)>,
    options: BTreeMap<String, String>,
}

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

    fn main(&self) -> FileId {
        self.analysis.file_named("main.zan").expect("a main.zan")
    }
}

fn directive(line: &str) -> Option<(String, String)> {
    let (key, value) = line.trim_end().strip_prefix("//- ")?.split_once(':')?;
    Some((key.trim().to_string(), value.trim().to_string()))
}

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

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

fn place(file: &SourceFile, start: usize, end: usize) -> String {
    let (l1, c1) = line_col(&file.text, start);
    let (l2, c2) = line_col(&file.text, end);
    format!("{}:{l1}:{c1}-{l2}:{c2}", file.name)
}

/// A span's place and the text it covers (its first line, for long spans).
fn span(a: &Analysis, span: Span) -> String {
    let file = a.map.get(span.file).expect("a span of the map");
    let s = span.range();
    let text = a.map.snippet(span);
    let first = text.lines().next().unwrap_or("");
    let more = if text.lines().count() > 1 { " …" } else { "" };
    format!("{}  `{first}`{more}", place(file, s.start, s.end))
}

fn highlight(f: &Fixture) -> String {
    let (file, at) = f.cursor();
    let mut out = String::new();
    for (s, access) in ide::document_highlights(&f.analysis, file, at as u32) {
        let _ = writeln!(out, "{access:?} {}", span(&f.analysis, s));
    }
    if out.is_empty() {
        out.push_str("no highlights\n");
    }
    out
}

fn signature(f: &Fixture) -> String {
    let (file, at) = f.cursor();
    match ide::signature_help(&f.analysis, file, at) {
        None => "no signature\n".to_string(),
        Some(s) => {
            let mut out = format!("{}\nactive: {}\n", s.label, s.active);
            for (i, (label, doc)) in s.params.iter().enumerate() {
                let mark = if i == s.active { "*" } else { " " };
                let _ = writeln!(out, "{mark} {label} — {}", doc.as_deref().unwrap_or("-"));
            }
            let _ = writeln!(out, "\n{}", s.doc);
            out
        }
    }
}

fn calls(f: &Fixture) -> String {
    let a = &f.analysis;
    let (file, at) = f.cursor();
    let items = ide::prepare_call_hierarchy(a, file, at as u32);
    let mut out = String::new();
    if items.is_empty() {
        out.push_str("no call hierarchy\n");
    }
    for item in &items {
        let _ = writeln!(
            out,
            "item: {} ({}) {}",
            item.name,
            item.detail,
            span(a, item.name_span)
        );
        for c in ide::incoming_calls(a, &item.name) {
            let at: Vec<String> = c.at.iter().map(|s| span(a, *s)).collect();
            let _ = writeln!(
                out,
                "  incoming from {} ({}): {}",
                c.item.name,
                c.item.detail,
                at.join("; ")
            );
        }
        for c in ide::outgoing_calls(a, item) {
            let at: Vec<String> = c.at.iter().map(|s| span(a, *s)).collect();
            let _ = writeln!(
                out,
                "  outgoing to {} ({}): {}",
                c.item.name,
                c.item.detail,
                at.join("; ")
            );
        }
    }
    out
}

fn links(f: &Fixture) -> String {
    let mut out = String::new();
    for l in ide::document_links(&f.analysis, f.main()) {
        let at =
            l.at.map_or(String::new(), |(line, col)| format!("#L{line},{col}"));
        let _ = writeln!(
            out,
            "{} -> {}{at} ({})",
            span(&f.analysis, l.span),
            l.target,
            l.tooltip
        );
    }
    if out.is_empty() {
        out.push_str("no links\n");
    }
    out
}

fn selection(f: &Fixture) -> String {
    let (file, at) = f.cursor();
    let mut out = String::new();
    for s in ide::selection_ranges(&f.analysis, file, at as u32) {
        let _ = writeln!(out, "{}", span(&f.analysis, s));
    }
    out
}

fn format_range(f: &Fixture) -> String {
    let file = f.main();
    let text = f.analysis.text(file);
    let find = |key: &str| {
        let needle = f.options.get(key).expect("range options");
        text.find(needle.as_str()).expect("the range's text")
    };
    let (from, to) = (find("range"), find("range end"));
    match ide::format_range(text, from, to) {
        None => "not formatted (syntax errors)\n".to_string(),
        Some(edits) => {
            let mut out = format!("{} edits\n", edits.len());
            let mut result = text.to_string();
            for e in edits.iter().rev() {
                let _ = writeln!(out, "{:?} -> {:?}", &text[e.range.clone()], e.text);
                result.replace_range(e.range.clone(), &e.text);
            }
            let _ = write!(out, "=== after\n{result}");
            out
        }
    }
}

fn hover(f: &Fixture) -> String {
    let a = &f.analysis;
    let (file, at) = f.cursor();
    match ide::hover(a, file, at as u32) {
        Some((s, markdown)) => format!("{}\n\n{markdown}\n", span(a, s)),
        None => "no hover\n".to_string(),
    }
}

fn lenses(f: &Fixture) -> String {
    let a = &f.analysis;
    let mut out = String::new();
    for l in run::lenses(a, f.main(), None) {
        let _ = writeln!(out, "{}  {}  {:?}", span(a, l.span), l.title, l.action);
    }
    if out.is_empty() {
        out.push_str("no lenses\n");
    }
    out
}

fn run_tests(f: &Fixture) -> String {
    let a = &f.analysis;
    match run::run_tests(a, f.main(), None) {
        Err(e) => format!("not run: {e}\n"),
        Ok(runs) => {
            let mut out = String::new();
            for t in runs {
                let verdict = if t.passed() { "passed" } else { "FAILED" };
                let _ = writeln!(out, "test {} {verdict}", t.name);
                for o in &t.outcomes {
                    let mark = if o.passed { "✓" } else { "✗" };
                    let _ = writeln!(
                        out,
                        "  {mark} {} expected {} actual {}  at {}",
                        o.rule,
                        o.expected,
                        o.actual,
                        span(a, o.span)
                    );
                }
            }
            out
        }
    }
}

fn check_folder(feature: &str, render: fn(&Fixture) -> String) {
    let dir = common::root().join(DATA_DIR).join(feature);
    let inputs = common::files_in(&dir, "zan");
    assert!(
        inputs.len() >= 2,
        "expected the fixtures of {DATA_DIR}/{feature}"
    );
    let mut failures = Vec::new();
    for expected in common::files_in(&dir, "expected") {
        if !expected.with_extension("zan").exists() {
            failures.push(format!("{} has no fixture beside it", name(&expected)));
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
        "{} of {} fixtures of {DATA_DIR}/{feature} fail (if intended, run `ZAN_BLESS=1 cargo test --test ide_features` and read every expected file):\n\n{}",
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
fn document_highlight_fixtures() {
    check_folder("highlight", highlight);
}

#[test]
fn signature_help_fixtures() {
    check_folder("signature", signature);
}

#[test]
fn call_hierarchy_fixtures() {
    check_folder("calls", calls);
}

#[test]
fn document_link_fixtures() {
    check_folder("links", links);
}

#[test]
fn selection_range_fixtures() {
    check_folder("selection", selection);
}

#[test]
fn range_formatting_fixtures() {
    check_folder("format_range", format_range);
}

#[test]
fn working_day_and_calendar_hover_fixtures() {
    check_folder("hover_calendar", hover);
}

#[test]
fn code_lens_fixtures() {
    check_folder("lenses", lenses);
}

#[test]
fn tests_run_from_the_editor_fixtures() {
    check_folder("run", run_tests);
}

// ------------------------------------------------------------------ the kz-visa rulebook

fn kz_visa() -> Analysis {
    Analysis::of_map(common::kz_visa(), date::parse(TODAY).unwrap())
}

fn file(a: &Analysis, name: &str) -> FileId {
    a.map
        .ids()
        .find(|&id| a.map.get(id).unwrap().name.ends_with(name))
        .unwrap_or_else(|| panic!("kz-visa has {name}"))
}

/// Every test of kz-visa, run file by file as the lenses run them, gives the verdicts of
/// `zan test` (which runs them all through `testing::run`).
#[test]
fn kz_visa_tests_run_from_the_editor_as_zan_test_runs_them() {
    let a = kz_visa();
    let rb = a.checked.rulebook.as_ref().expect("kz-visa checks");
    let expected = zan::testing::run(rb, None);
    let mut ran = 0;
    for id in a.map.ids() {
        let runs = run::run_tests(&a, id, None).unwrap();
        for t in runs {
            ran += 1;
            let same = expected.iter().find(|r| r.name == t.name).unwrap();
            assert_eq!(same.passed(), t.passed(), "{}", t.name);
            assert!(t
                .outcomes
                .iter()
                .all(|o| o.passed == t.passed() || !t.passed()));
            assert!(!t.outcomes.is_empty(), "{} has expectations", t.name);
        }
    }
    assert_eq!(ran, expected.len());
    assert!(ran > 400, "kz-visa has its hundreds of tests");
    // One lens per test, and the file's lens first.
    let f = file(&a, "tests-stay.zan");
    let lenses = run::lenses(&a, f, None);
    assert!(lenses[0].title.starts_with("▶ Run all"), "{:?}", lenses[0]);
    let tests = lenses.iter().filter(|l| l.title == "▶ Run test").count();
    assert_eq!(tests, rb.tests.iter().filter(|t| t.span.file == f).count());
}

/// A failing expectation of a kz-visa test (a value changed in the unsaved text) shows the
/// actual value against the expected one, as `zan test` words them.
#[test]
fn a_kz_visa_test_changed_in_the_editor_fails_with_actual_against_expected() {
    let mut map = common::kz_visa();
    let id = map
        .ids()
        .find(|&id| map.get(id).unwrap().name.ends_with("tests-stay.zan"))
        .unwrap();
    let text = map.get(id).unwrap().text.clone();
    let changed = text.replacen(
        "expect permitted_stay_ends_on = 2026-06-02",
        "expect permitted_stay_ends_on = 2026-06-03",
        1,
    );
    assert_ne!(text, changed);
    let mut edited = SourceMap::new();
    for i in map.ids().collect::<Vec<_>>() {
        let f = map.get(i).unwrap();
        let t = if i == id {
            changed.clone()
        } else {
            f.text.clone()
        };
        edited.add(f.name.clone(), t);
    }
    for t in map.legal_texts().to_vec() {
        edited.add_legal_text(t.name.clone(), t.text.clone());
    }
    map = edited;
    let a = Analysis::of_map(map, date::parse(TODAY).unwrap());
    let runs = run::run_tests(&a, id, Some("neighbour_regime_azerbaijan")).unwrap();
    assert_eq!(runs.len(), 1);
    let failed: Vec<&run::Outcome> = runs[0].outcomes.iter().filter(|o| !o.passed).collect();
    assert_eq!(failed.len(), 1, "{:?}", runs[0].outcomes);
    assert_eq!(failed[0].rule, "permitted_stay_ends_on");
    assert_eq!(failed[0].expected, "2026-06-03 (Wed)");
    assert_eq!(failed[0].actual, "2026-06-02 (Tue)");
    assert_eq!(
        run::run_tests(&a, id, Some("no_such_test")).unwrap_err(),
        run::RunError::NoSuchTest("no_such_test".into())
    );
}

/// The new requests answer on every declaration name of kz-visa without failing, and say
/// something where they should.
#[test]
fn kz_visa_answers_the_new_requests_everywhere() {
    let a = kz_visa();
    let mut highlighted = 0;
    let mut hierarchies = 0;
    for d in &a.index.decls {
        let (file, at) = (d.name_span.file, d.name_span.start);
        highlighted += usize::from(!ide::document_highlights(&a, file, at).is_empty());
        let items = ide::prepare_call_hierarchy(&a, file, at);
        for item in &items {
            hierarchies += 1;
            let _ = ide::incoming_calls(&a, &item.name);
            let _ = ide::outgoing_calls(&a, item);
        }
        let chain = ide::selection_ranges(&a, file, at);
        assert!(
            chain.len() >= 3,
            "{} has a word, a declaration and the file",
            d.name
        );
        for w in chain.windows(2) {
            assert!(
                w[1].start <= w[0].start && w[0].end <= w[1].end,
                "{} nests",
                d.name
            );
        }
    }
    assert!(
        highlighted > 1000 && hierarchies > 300,
        "{highlighted} {hierarchies}"
    );
    // What a deadline in working days depends on, and what uses the calendar.
    let cal = a.index.declaration_of("kazakhstan").unwrap().0;
    let used = ide::incoming_calls(&a, "kazakhstan");
    assert!(used.len() >= 8, "{used:?}");
    let _ = cal;
    // Links: every quoted citation of a file with legal texts finds its sentence.
    let visas = file(&a, "visas.zan");
    let links = ide::document_links(&a, visas);
    assert!(links.len() > 50, "{}", links.len());
    assert!(links.iter().all(|l| l.at.is_some_and(|(line, _)| line > 0)));
    // Range formatting of a formatted rulebook changes nothing.
    for id in a.map.ids() {
        let text = a.text(id);
        assert_eq!(ide::format_range(text, 0, text.len()), Some(Vec::new()));
    }
    // Working-day arithmetic on a fact: the hover says what a working day is and the date.
    let reg = file(&a, "registration.zan");
    let at = a.text(reg).find("+ 3 working days in kazakhstan").unwrap() as u32 + 4;
    let (_, text) = ide::hover(&a, reg, at).unwrap();
    assert!(text.contains("A working day in `kazakhstan`"), "{text}");
    assert!(
        text.contains("From today, 2026-03-19 (Thu): **2026-03-27 (Fri)**"),
        "{text}"
    );
    // The table signature while typing a look-up of a kz-visa table.
    let duties = file(&a, "visa-duties.zan");
    let t = a.text(duties);
    let call = t.find("(").unwrap();
    let _ = ide::signature_help(&a, duties, call + 1);
}
