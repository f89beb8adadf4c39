//! Recovery that keeps the file whole, on the real kz-visa rulebook: what an author sees
//! while typing (a new declaration typed character by character below a real one, in the
//! middle and at the end of several files), a word appended to a file, any one closing `}`
//! left out, and the same through `zan lsp` (the diagnostics of the other files stay as they
//! were). Each step is checked in process as `zan check` checks it (the other files' parses
//! are kept, as the language server keeps them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zan::diagnostics::{render, Code, Diagnostic, Severity};
use zan::source::FileId;
use zan::syntax::{self, Parsed};
use zan::SourceMap;

fn kz_visa() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rulebooks/kz-visa")
}

/// The kz-visa rulebook with one file's text replaced, checked with the other files' parses
/// kept.
struct Workbench {
    map: SourceMap,
    parsed: Vec<Arc<Parsed>>,
}

impl Workbench {
    fn new() -> Workbench {
        let map = zan::load::rulebook(&kz_visa()).unwrap();
        let parsed = syntax::parse_files(&map)
            .into_iter()
            .map(Arc::new)
            .collect();
        Workbench { map, parsed }
    }

    fn file(&self, name: &str) -> FileId {
        self.map
            .ids()
            .find(|&id| {
                let path = Path::new(&self.map.get(id).unwrap().name);
                path.file_name().is_some_and(|f| f == name)
            })
            .unwrap_or_else(|| panic!("no file {name}"))
    }

    fn text(&self, file: FileId) -> &str {
        &self.map.get(file).unwrap().text
    }

    /// The map with `file`'s text replaced.
    fn with_text(&self, file: FileId, text: &str) -> SourceMap {
        let mut map = SourceMap::new();
        for id in self.map.ids() {
            let f = self.map.get(id).unwrap();
            map.add(f.name.clone(), if id == file { text } else { &f.text });
        }
        for t in self.map.legal_texts() {
            map.add_legal_text(t.name.clone(), t.text.clone());
        }
        if self.map.legal_texts_read() {
            map.mark_legal_texts_read();
        }
        map
    }

    /// Check the rulebook with `file` holding `text`: its diagnostics and its declared names.
    fn check(&self, file: FileId, text: &str) -> Step {
        let map = self.with_text(file, text);
        let edited = Arc::new(syntax::parse_file(&map, file));
        let parsed: Vec<&Parsed> = self
            .parsed
            .iter()
            .map(|p| if p.file == file { &*edited } else { &**p })
            .collect();
        let checked = zan::check::check_parsed(&map, &parsed);
        let declared = parsed.iter().flat_map(|p| declared_names(p)).collect();
        let lines = checked
            .diagnostics
            .iter()
            .map(|d| render::one_line(&map, d))
            .collect();
        Step {
            diagnostics: checked.diagnostics,
            lines,
            declared,
        }
    }
}

struct Step {
    diagnostics: Vec<Diagnostic>,
    lines: Vec<String>,
    declared: BTreeSet<(FileId, String)>,
}

impl Step {
    fn errors(&self) -> Vec<&Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect()
    }

    fn outside(&self, file: FileId) -> Vec<&str> {
        self.diagnostics
            .iter()
            .zip(&self.lines)
            .filter(|(d, _)| d.primary.span.file != file)
            .map(|(_, l)| l.as_str())
            .collect()
    }
}

fn declared_names(p: &Parsed) -> Vec<(FileId, String)> {
    p.ast
        .declarations
        .iter()
        .map(|d| {
            (
                p.file,
                format!("{} {}", d.kind.keyword(), d.kind.name().name),
            )
        })
        .collect()
}

/// A new output rule, typed below a declaration: its doc comment, header, citation and body.
const TYPED: &str = "\n/// Whether the passport is known (typed in by the recovery test).
output rule passport_known_while_typing: bool
  cites visa_guide \"The passport must contain at least 2 blank pages intended for obtaining a visa and stamps.\"
{
  applicant.passport is present
}
";

/// Type `TYPED` character by character at byte `at` of `file`, and check every step: every
/// name declared before is still declared, the other files' diagnostics are those they had,
/// and at most two errors are reported, each at the typed text (or the blank after it).
fn type_below(bench: &Workbench, file: FileId, at: usize) {
    let original = bench.text(file).to_string();
    let before = bench.check(file, &original);
    assert!(before.errors().is_empty(), "{:?}", before.lines);
    let outside_before = before.outside(file);
    let name = &bench.map.get(file).unwrap().name;
    let mut typed = String::new();
    for c in TYPED.chars() {
        typed.push(c);
        let text = format!("{}{typed}{}", &original[..at], &original[at..]);
        let blank_after = original[at..].len() - original[at..].trim_start().len();
        let typed_end = at + typed.len() + blank_after;
        let step = bench.check(file, &text);
        let context = || format!("{name} after typing {typed:?}:\n{}", step.lines.join("\n"));
        let lost: Vec<_> = before.declared.difference(&step.declared).collect();
        assert!(lost.is_empty(), "lost {lost:?}; {}", context());
        assert_eq!(step.outside(file), outside_before, "{}", context());
        let errors = step.errors();
        assert!(errors.len() <= 2, "{}", context());
        for e in &errors {
            let start = e.primary.span.start as usize;
            assert!(
                e.primary.span.file == file && (at..=typed_end).contains(&start),
                "an error away from the typed text: {}",
                context()
            );
        }
        let warnings_elsewhere = step
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning && d.primary.span.file == file)
            .filter(|d| !(at..=typed_end).contains(&(d.primary.span.start as usize)))
            .count();
        assert_eq!(warnings_elsewhere, 0, "{}", context());
    }
    let done = bench.check(
        file,
        &format!("{}{TYPED}{}", &original[..at], &original[at..]),
    );
    assert!(done.errors().is_empty(), "{:?}", done.lines);
    assert!(done
        .declared
        .contains(&(file, "rule passport_known_while_typing".to_string())));
}

/// The byte just after the line `}` that closes the declaration of `name` in `text`.
fn after_declaration(text: &str, name: &str) -> usize {
    let start = text
        .find(&format!(" {name}:"))
        .or_else(|| text.find(&format!(" {name}\n")))
        .unwrap_or_else(|| panic!("no declaration {name}"));
    start + text[start..].find("\n}\n").unwrap() + 3
}

#[test]
fn typing_a_new_rule_below_refusal_grounds_keeps_it() {
    let bench = Workbench::new();
    let visas = bench.file("visas.zan");
    let at = after_declaration(bench.text(visas), "refusal_grounds");
    type_below(&bench, visas, at);
}

#[test]
fn typing_a_new_rule_between_two_declarations_keeps_both() {
    let bench = Workbench::new();
    let visas = bench.file("visas.zan");
    let at = after_declaration(bench.text(visas), "passport_expires_too_early");
    type_below(&bench, visas, at);
}

#[test]
fn typing_a_new_rule_at_the_end_of_several_files() {
    let bench = Workbench::new();
    for name in [
        "core.zan",
        "fines.zan",
        "registration.zan",
        "tests-visas.zan",
    ] {
        let file = bench.file(name);
        type_below(&bench, file, bench.text(file).len());
    }
}

/// Appending `x` to visas.zan gave 55 errors across files; now one, at the `x`.
#[test]
fn a_word_appended_to_a_file_is_one_error_at_the_word() {
    let bench = Workbench::new();
    let visas = bench.file("visas.zan");
    let original = bench.text(visas).to_string();
    for (suffix, word) in [
        ("x\n", "x"),
        ("\n\nru", "ru"),
        ("\n/// a doc\n", "/// a doc"),
    ] {
        let text = format!("{original}{suffix}");
        let step = bench.check(visas, &text);
        let errors = step.errors();
        assert_eq!(errors.len(), 1, "{:?}", step.lines);
        assert_eq!(errors[0].code, Code::TextAfterDeclaration);
        assert_eq!(
            &text[errors[0].primary.span.range()],
            word,
            "{:?}",
            step.lines
        );
    }
}

/// Leaving out any one closing `}` written at the start of a line, in any kz-visa file, gives
/// one error, a Z0004 at the `{` it should close, in that file: nothing cascades.
#[test]
fn any_one_missing_closing_brace_is_one_error_where_it_opened() {
    let bench = Workbench::new();
    let mut tried = 0;
    for file in bench.map.ids() {
        let original = bench.text(file).to_string();
        let mut offset = 0;
        for line in original.split_inclusive('\n') {
            if line.trim_end() == "}" {
                tried += 1;
                let text = format!(
                    "{}{}",
                    &original[..offset],
                    &original[offset + line.len()..]
                );
                let step = bench.check(file, &text);
                let errors = step.errors();
                let name = &bench.map.get(file).unwrap().name;
                assert_eq!(
                    errors.len(),
                    1,
                    "{name} without the `}}` at byte {offset}:\n{}",
                    step.lines.join("\n")
                );
                assert_eq!(errors[0].code, Code::UnclosedBracket, "{:?}", step.lines);
                assert_eq!(errors[0].primary.span.file, file);
                assert_eq!(&text[errors[0].primary.span.range()], "{");
            }
            offset += line.len();
        }
    }
    assert!(tried > 500, "{tried}");
}

/// A declaration broken inside (not only its `}`): its header is kept, so the uses of its
/// name elsewhere are not reported.
#[test]
fn uses_of_a_broken_declaration_are_not_reported() {
    let bench = Workbench::new();
    let visas = bench.file("visas.zan");
    let original = bench.text(visas).to_string();
    for (name, broken) in [
        (
            "passport_expires_too_early",
            "  passport_must_be_valid_until is present +\n",
        ),
        ("refusal_grounds", "  reason when\n"),
    ] {
        let at = after_declaration(&original, name) - 2;
        let text = format!("{}{broken}{}", &original[..at], &original[at..]);
        let step = bench.check(visas, &text);
        let errors = step.errors();
        assert_eq!(errors.len(), 1, "{name}: {}", step.lines.join("\n"));
        assert_eq!(errors[0].code, Code::Syntax);
        assert_eq!(errors[0].primary.span.file, visas);
        assert!(step.outside(visas).iter().all(|l| !l.contains("error")));
    }
}

/// The language server publishes the same recovered diagnostics: typing into visas.zan,
/// the other files' diagnostics stay without errors, and visas.zan has one error at the
/// typed word.
#[test]
fn the_language_server_keeps_the_other_files_whole() {
    use serde_json::json;
    let dir = common::temp_dir("lsp");
    let copy = dir.join("kz-visa");
    copy_dir(&kz_visa(), &copy);
    let mut client = lsp_client::Client::start(Path::new(env!("CARGO_BIN_EXE_zan")));
    client.initialize(&copy);
    let visas = copy.join("visas.zan");
    let core = lsp_client::uri(&copy.join("core.zan"));
    let text = std::fs::read_to_string(&visas).unwrap();
    client.open(&visas, &text);
    let uri = lsp_client::uri(&visas);
    client.wait_diagnostics(&uri, |d| !d.iter().any(|x| x["severity"] == 1));
    client.clear();
    let mut typed = text.clone();
    for (version, c) in "\nru".chars().enumerate() {
        typed.push(c);
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version + 2},
                "contentChanges": [{"text": typed}]
            }),
        );
    }
    let errors = |d: &[serde_json::Value]| {
        d.iter()
            .filter(|x| x["severity"] == 1)
            .cloned()
            .collect::<Vec<_>>()
    };
    let published = client.wait_diagnostics(&uri, |d| {
        errors(d).len() == 1 && errors(d)[0]["code"] == "Z0005"
    });
    let error = &errors(&published)[0];
    let lines = typed.lines().count() as u64;
    assert_eq!(error["range"]["start"]["line"], lines - 1, "{error}");
    for n in client.notifications.iter().filter(|n| {
        n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] != uri.as_str()
    }) {
        let d = n["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert!(errors(&d).is_empty(), "{n}");
    }
    let _ = core;
    client.shutdown();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// `zan fmt` refuses a file with stray text or an unclosed bracket: it never drops text.
#[test]
fn fmt_refuses_what_recovery_keeps() {
    let rule = "rule a: bool\n  cites s \"x\"\n{\n  true\n}\n";
    for text in [
        format!("{rule}x\n"),
        format!("{rule}/// nothing below\n"),
        rule.replace("}\n", "\n"),
        format!("{rule}}}\n"),
    ] {
        let out = zan::fmt::format_source(&text);
        let errors = out.expect_err(&text);
        assert!(
            errors
                .iter()
                .any(|d| matches!(d.code, Code::TextAfterDeclaration | Code::UnclosedBracket)),
            "{text:?}: {errors:?}"
        );
    }
}
