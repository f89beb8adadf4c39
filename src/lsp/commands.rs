//! Running the law from the editor, over `workspace/executeCommand`: the code lenses' commands
//! and their results. Tests run as `zan test` runs them (`ide::run`, `testing::run_one`);
//! examples are decided through the same `Engine` as `zan eval`, on the editor's current
//! (unsaved) analysis. Results are kept per file until the rulebook changes: a failing
//! `expect` is an error diagnostic (actual against expected), every `expect` run gets an
//! inlay hint (`✓`, or `✗ = actual`), and a rule evaluated on an example gets `= value`.
//!
//! Commands (one JSON object argument each; `uri` is any file of the rulebook):
//! - `zan.runTests` `{uri, test?}`: the tests of the file (or the one named);
//! - `zan.evaluate` `{uri, example?, rules?}`: decide an example (all outputs, or the rules
//!   named); without `example`, the answer is `{pick: [examples…]}` for the client to ask;
//! - `zan.explain` `{uri, example | test, rules?, depth?}`: the derivation, as
//!   `zan eval --explain --format text` writes it;
//! - `zan.examples` `{uri}`: the rulebook's example names.

use super::convert::{path_of, uri_of, Positions};
use super::{analysis_of, lock, Shared};
use crate::engine::{Engine, Options};
use crate::eval::Depth;
use crate::ide::run::{self, Action, Lens};
use crate::ide::Analysis;
use crate::source::FileId;
use serde_json::{json, Value as Json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_lsp_server::ls_types as lsp;

pub const RUN_TESTS: &str = "zan.runTests";
pub const EVALUATE: &str = "zan.evaluate";
pub const EXPLAIN: &str = "zan.explain";
pub const EXAMPLES: &str = "zan.examples";

/// The commands the server executes (`executeCommandProvider`).
pub fn names() -> Vec<String> {
    [RUN_TESTS, EVALUATE, EXPLAIN, EXAMPLES]
        .map(str::to_string)
        .to_vec()
}

/// What a run left in one file, for the folder generation it was computed at.
#[derive(Default)]
struct FileResults {
    generation: u64,
    diagnostics: Vec<lsp::Diagnostic>,
    hints: Vec<lsp::InlayHint>,
}

/// The results of runs, and what the lenses remember.
#[derive(Default)]
pub struct Runs {
    files: HashMap<PathBuf, FileResults>,
    /// The example last evaluated: the rules' lenses offer it.
    last_example: Option<String>,
    /// The engine of the last analysis a command ran on.
    engine: Option<(Arc<Analysis>, Arc<Engine>)>,
}

impl Runs {
    /// The diagnostics a run left on `path`, if the folder is still at the generation run.
    pub fn diagnostics(&self, path: &Path, generation: Option<u64>) -> Vec<lsp::Diagnostic> {
        self.current(path, generation)
            .map(|r| r.diagnostics.clone())
            .unwrap_or_default()
    }

    /// The inlay hints a run left on `path`, under the same condition.
    pub fn hints(&self, path: &Path, generation: Option<u64>) -> Vec<lsp::InlayHint> {
        self.current(path, generation)
            .map(|r| r.hints.clone())
            .unwrap_or_default()
    }

    fn current(&self, path: &Path, generation: Option<u64>) -> Option<&FileResults> {
        self.files
            .get(path)
            .filter(|r| Some(r.generation) == generation)
    }

    /// Add results to a file's (results of an older generation are dropped).
    fn add(
        &mut self,
        path: PathBuf,
        generation: u64,
        diags: Vec<lsp::Diagnostic>,
        hints: Vec<lsp::InlayHint>,
        replace_hints_of: &[lsp::Position],
    ) {
        let r = self.files.entry(path).or_default();
        if r.generation != generation {
            *r = FileResults {
                generation,
                ..FileResults::default()
            };
        }
        // A test run again replaces its own results.
        let lines: Vec<u32> = replace_hints_of.iter().map(|p| p.line).collect();
        r.diagnostics
            .retain(|d| !lines.contains(&d.range.start.line));
        r.hints.retain(|h| !lines.contains(&h.position.line));
        r.diagnostics.extend(diags);
        r.hints.extend(hints);
    }

    pub fn last_example(&self) -> Option<&str> {
        self.last_example.as_deref()
    }
}

/// What a command answers, and the files whose diagnostics it changed (to publish).
pub struct Done {
    pub answer: Json,
    pub publish: Vec<super::Publication>,
}

/// The analysis of the folder of the command's `uri`, its generation, and the file.
fn target(shared: &Shared, args: &Json) -> Result<(Arc<Analysis>, u64, PathBuf, FileId), String> {
    let uri = args
        .get("uri")
        .and_then(Json::as_str)
        .ok_or("the command needs a `uri` argument")?;
    let uri: lsp::Uri = uri.parse().map_err(|_| format!("`{uri}` is not a URI"))?;
    let path = path_of(&uri).ok_or_else(|| format!("`{}` is not a file", uri.as_str()))?;
    let generation = {
        let mut s = lock(shared);
        s.workspace.folder_for(&path).generation
    };
    let analysis = analysis_of(shared, |w| w.find(&path)).ok_or("no rulebook for this file")?;
    let file = analysis
        .file_named(&crate::load::display(&path))
        .ok_or("the file is not part of its rulebook")?;
    Ok((analysis, generation, path, file))
}

/// Run a command: its answer (an error message for the client otherwise).
pub fn execute(shared: &Shared, command: &str, args: &[Json]) -> Result<Done, String> {
    let args = args.first().cloned().unwrap_or(Json::Null);
    let (analysis, generation, path, file) = target(shared, &args)?;
    let text = |key: &str| args.get(key).and_then(Json::as_str).map(str::to_string);
    let rules: Vec<String> = args
        .get("rules")
        .and_then(Json::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let answer = |answer| Done {
        answer,
        publish: Vec::new(),
    };
    match command {
        RUN_TESTS => run_tests(
            shared,
            &analysis,
            generation,
            &path,
            file,
            text("test").as_deref(),
        ),
        EVALUATE => match text("example") {
            None => Ok(answer(json!({"pick": examples(&analysis), "rules": rules}))),
            Some(example) => evaluate(shared, &analysis, generation, &example, &rules),
        },
        EXPLAIN => explain(shared, &analysis, &args, &rules).map(answer),
        EXAMPLES => Ok(answer(json!({"examples": examples(&analysis)}))),
        other => Err(format!("unknown command `{other}`")),
    }
}

fn examples(a: &Analysis) -> Vec<String> {
    a.checked
        .rulebook
        .as_ref()
        .map(|rb| rb.examples.iter().map(|e| e.name.clone()).collect())
        .unwrap_or_default()
}

/// The engine of an analysis (built once per analysis: it owns a copy of the rulebook).
fn engine(shared: &Shared, a: &Arc<Analysis>) -> Result<Arc<Engine>, String> {
    if let Some((kept, e)) = &lock(shared).runs.engine {
        if Arc::ptr_eq(kept, a) {
            return Ok(e.clone());
        }
    }
    let rb = run::rulebook(a).map_err(|e| e.to_string())?;
    let e = Arc::new(Engine::from_rulebook(rb.clone()));
    lock(shared).runs.engine = Some((a.clone(), e.clone()));
    Ok(e)
}

fn run_tests(
    shared: &Shared,
    a: &Arc<Analysis>,
    generation: u64,
    path: &Path,
    file: FileId,
    test: Option<&str>,
) -> Result<Done, String> {
    let runs = run::run_tests(a, file, test).map_err(|e| e.to_string())?;
    let mut pos = Positions::new(a);
    let mut diags = Vec::new();
    let mut hints = Vec::new();
    let mut lines = Vec::new();
    let mut tests = Vec::new();
    for t in &runs {
        let mut expectations = Vec::new();
        for o in &t.outcomes {
            let range = pos.of(o.span.file).span_range(o.span);
            lines.push(range.start);
            if !o.passed {
                diags.push(lsp::Diagnostic {
                    range,
                    severity: Some(lsp::DiagnosticSeverity::ERROR),
                    code: Some(lsp::NumberOrString::String("test-failed".into())),
                    source: Some("zan test".into()),
                    message: format!(
                        "test `{}`: `{}` is {}, expected {}",
                        t.name, o.rule, o.actual, o.expected
                    ),
                    ..Default::default()
                });
            }
            hints.push(lsp::InlayHint {
                position: range.end,
                label: lsp::InlayHintLabel::String(if o.passed {
                    " ✓".to_string()
                } else {
                    format!(" ✗ = {}", o.actual)
                }),
                kind: None,
                text_edits: None,
                tooltip: Some(lsp::InlayHintTooltip::String(if o.passed {
                    format!("passes: {} = {}", o.rule, o.actual)
                } else {
                    format!("fails: {} is {}, expected {}", o.rule, o.actual, o.expected)
                })),
                padding_left: Some(false),
                padding_right: Some(false),
                data: None,
            });
            expectations.push(json!({
                "rule": o.rule,
                "passed": o.passed,
                "expected": o.expected,
                "actual": o.actual,
                "line": range.start.line,
            }));
        }
        let line = pos.of(t.span.file).span_range(t.span).start.line;
        tests.push(json!({
            "name": t.name,
            "passed": t.passed(),
            "line": line,
            "expectations": expectations,
        }));
    }
    let passed = runs.iter().filter(|t| t.passed()).count();
    let publication = {
        let mut s = lock(shared);
        s.runs
            .add(path.to_path_buf(), generation, diags, hints, &lines);
        publication(&mut s, a, path, generation)
    };
    Ok(Done {
        answer: json!({
            "passed": passed,
            "failed": runs.len() - passed,
            "tests": tests,
        }),
        publish: publication.into_iter().collect(),
    })
}

/// The diagnostics to publish for a file: the checker's and the runs', recorded as published.
fn publication(
    s: &mut super::State,
    a: &Analysis,
    path: &Path,
    generation: u64,
) -> Option<super::Publication> {
    let file = a.file_named(&crate::load::display(path))?;
    let mut pos = Positions::new(a);
    let mut diags: Vec<lsp::Diagnostic> = a
        .checked
        .diagnostics
        .iter()
        .filter(|d| d.primary.span.file == file)
        .map(|d| super::convert::diagnostic(&mut pos, d))
        .collect();
    diags.extend(s.runs.diagnostics(path, Some(generation)));
    let version = s.workspace.find(path).and_then(|f| f.version(path));
    s.published.insert(path.to_path_buf(), diags.clone());
    Some((uri_of(path)?, diags, version))
}

/// The case of an example or test, and its own date (a test's `as of`).
fn case_of(
    engine: &Engine,
    args: &Json,
) -> Result<(crate::engine::Case, Option<crate::time::date::Day>, String), String> {
    if let Some(example) = args.get("example").and_then(Json::as_str) {
        let case = engine.example_case(example).map_err(|e| e.to_string())?;
        return Ok((case, None, format!("example `{example}`")));
    }
    if let Some(test) = args.get("test").and_then(Json::as_str) {
        let (case, day) = engine.test_case(test).map_err(|e| e.to_string())?;
        return Ok((case, day, format!("test `{test}`")));
    }
    Err("the command needs an `example` or a `test` argument".to_string())
}

/// Decide a case as `zan eval` does, with the rules asked for (or every output).
fn decide(
    engine: &Engine,
    args: &Json,
    rules: &[String],
    explain: Option<Depth>,
) -> Result<(crate::engine::Decision, String), String> {
    let (case, own_date, label) = case_of(engine, args)?;
    let selection = if rules.is_empty() {
        None
    } else {
        Some(engine.select(rules).map_err(|e| e.to_string())?)
    };
    let options = Options {
        as_of: own_date,
        explain,
        outputs: selection.as_ref(),
    };
    let decision = engine
        .decide(&case, &options)
        .map_err(|e| format!("{label} could not be decided: {e}"))?;
    Ok((decision, label))
}

fn evaluate(
    shared: &Shared,
    a: &Arc<Analysis>,
    generation: u64,
    example: &str,
    rules: &[String],
) -> Result<Done, String> {
    let engine = engine(shared, a)?;
    let args = json!({ "example": example });
    let (decision, _) = decide(&engine, &args, rules, None)?;
    let rb = engine.rulebook();
    let mut values = Vec::new();
    let mut hints: HashMap<PathBuf, Vec<lsp::InlayHint>> = HashMap::new();
    let mut pos = Positions::new(a);
    for (id, result) in &decision.outputs {
        let Some(rule) = decision.program.rules.get(*id as usize) else {
            continue;
        };
        let value = match result {
            Ok(v) => crate::eval::value_text::value_text(rb, &decision.program, &rule.ty, v),
            Err(e) => format!("error: {e}"),
        };
        values.push(json!({"rule": rule.name, "value": value}));
        // The hint stands after the name of each declaration of the rule.
        let symbol = crate::check::Symbol::Decl(rule.name.clone());
        for d in a.index.declarations(&symbol) {
            let Some(loc) = pos.location(d.name_span) else {
                continue;
            };
            let Some(path) = path_of(&loc.uri) else {
                continue;
            };
            hints.entry(path).or_default().push(lsp::InlayHint {
                position: loc.range.end,
                label: lsp::InlayHintLabel::String(format!(" = {value}")),
                kind: None,
                text_edits: None,
                tooltip: Some(lsp::InlayHintTooltip::String(format!(
                    "{} on example `{example}`, as of {}",
                    rule.name,
                    crate::time::date::format(decision.as_of)
                ))),
                padding_left: Some(false),
                padding_right: Some(false),
                data: None,
            });
        }
    }
    {
        let mut s = lock(shared);
        s.runs.last_example = Some(example.to_string());
        for (path, hs) in hints {
            let at: Vec<lsp::Position> = hs.iter().map(|h| h.position).collect();
            s.runs.add(path, generation, Vec::new(), hs, &at);
        }
    }
    Ok(Done {
        answer: json!({
            "example": example,
            "as_of": crate::time::date::format(decision.as_of),
            "values": values,
            "text": engine.decision_report(&decision),
            "decision": engine.decision_json(&decision),
        }),
        publish: Vec::new(),
    })
}

fn explain(
    shared: &Shared,
    a: &Arc<Analysis>,
    args: &Json,
    rules: &[String],
) -> Result<Json, String> {
    let engine = engine(shared, a)?;
    let depth = match args.get("depth").and_then(Json::as_str) {
        Some("full") => Depth::Full,
        _ => Depth::Path,
    };
    let (decision, label) = decide(&engine, args, rules, Some(depth))?;
    Ok(json!({
        "title": format!("Derivation of {label}"),
        "text": engine.decision_report(&decision),
    }))
}

/// The protocol's code lenses of a file.
pub fn code_lenses(shared: &Shared, uri: &lsp::Uri) -> Option<Vec<lsp::CodeLens>> {
    let path = path_of(uri)?;
    let a = analysis_of(shared, |w| w.find(&path))?;
    let file = a.file_named(&crate::load::display(&path))?;
    let last = lock(shared).runs.last_example().map(str::to_string);
    let pos = super::convert::FilePositions::new(&a, file);
    let lenses = run::lenses(&a, file, last.as_deref());
    Some(lenses.iter().map(|l| lens(&pos, uri, l)).collect())
}

fn lens(pos: &super::convert::FilePositions, uri: &lsp::Uri, l: &Lens) -> lsp::CodeLens {
    let uri = uri.as_str();
    let (command, argument) = match &l.action {
        Action::RunTests { test, .. } => (RUN_TESTS, json!({"uri": uri, "test": test})),
        Action::Evaluate { example, rules } => (
            EVALUATE,
            json!({"uri": uri, "example": example, "rules": rules}),
        ),
        Action::PickExample { rule } => (EVALUATE, json!({"uri": uri, "rules": [rule]})),
    };
    lsp::CodeLens {
        range: pos.span_range(l.span),
        command: Some(lsp::Command {
            title: l.title.clone(),
            command: command.to_string(),
            arguments: Some(vec![argument]),
        }),
        data: None,
    }
}

/// Whether the client can be asked to refresh its inlay hints and its code lenses.
pub fn refresh_support(c: &lsp::ClientCapabilities) -> (bool, bool) {
    let workspace = c.workspace.as_ref();
    (
        workspace
            .and_then(|w| w.inlay_hint.as_ref())
            .and_then(|h| h.refresh_support)
            .unwrap_or(false),
        workspace
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|l| l.refresh_support)
            .unwrap_or(false),
    )
}

/// The inlay hints of a file with those its runs left inside `range`, in order.
pub fn with_run_hints(
    shared: &Shared,
    uri: &lsp::Uri,
    mut hints: Vec<lsp::InlayHint>,
    range: lsp::Range,
) -> Vec<lsp::InlayHint> {
    let Some(path) = path_of(uri) else {
        return hints;
    };
    let mut s = lock(shared);
    let generation = s.workspace.find(&path).map(|f| f.generation);
    let inside = |p: &lsp::Position| {
        (range.start.line, range.start.character) <= (p.line, p.character)
            && (p.line, p.character) <= (range.end.line, range.end.character)
    };
    hints.extend(
        s.runs
            .hints(&path, generation)
            .into_iter()
            .filter(|h| inside(&h.position)),
    );
    hints.sort_by_key(|h| (h.position.line, h.position.character));
    hints
}
