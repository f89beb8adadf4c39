//! Running the law from the editor, the pure part: the code lenses ("▶ Run test" on each
//! test, "▶ Evaluate" on each example, "▶ Evaluate on …" on each rule, "▶ Run all tests in
//! file" on the first line) and the run of a file's tests with the outcome of every `expect`
//! (the same `testing::run_one` as `zan test`, on the editor's current analysis). Deciding an
//! example goes through `Engine`, above this module (`lsp::commands`).

use super::index::DeclWhat;
use super::Analysis;
use crate::eval::value_text::value_text;
use crate::ir::{Rulebook, TestCase, Type};
use crate::source::{FileId, Span};
use crate::testing::{self, TestResult};

/// What a lens does when clicked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Run the tests of a file (all of them, or the one named).
    RunTests { file: FileId, test: Option<String> },
    /// Decide an example (all outputs, or the rules named).
    Evaluate { example: String, rules: Vec<String> },
    /// Ask the author which example to decide the rule on.
    PickExample { rule: String },
}

/// A code lens: where it stands, its title, what it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lens {
    pub span: Span,
    pub title: String,
    pub action: Action,
}

/// The lenses of a file. `last_example` is the example the author last evaluated on (the
/// rule lenses name it; the first example of the rulebook until there is one).
pub fn lenses(a: &Analysis, file: FileId, last_example: Option<&str>) -> Vec<Lens> {
    let mut out = Vec::new();
    let examples: Vec<&str> = a
        .index
        .globals()
        .filter(|d| d.what == DeclWhat::Example)
        .map(|d| d.name.as_str())
        .collect();
    let default_example = last_example
        .filter(|e| examples.contains(e))
        .or_else(|| examples.first().copied());
    let mut tests = 0;
    for d in a.index.globals().filter(|d| d.name_span.file == file) {
        let span = d.name_span;
        match d.what {
            DeclWhat::Test => {
                tests += 1;
                out.push(Lens {
                    span,
                    title: "▶ Run test".to_string(),
                    action: Action::RunTests {
                        file,
                        test: Some(d.name.clone()),
                    },
                });
            }
            DeclWhat::Example => out.push(Lens {
                span,
                title: "▶ Evaluate".to_string(),
                action: Action::Evaluate {
                    example: d.name.clone(),
                    rules: Vec::new(),
                },
            }),
            DeclWhat::Rule | DeclWhat::Reasons => {
                if let Some(example) = default_example {
                    out.push(Lens {
                        span,
                        title: format!("▶ Evaluate on {example}"),
                        action: Action::Evaluate {
                            example: example.to_string(),
                            rules: vec![d.name.clone()],
                        },
                    });
                }
                if !examples.is_empty() {
                    out.push(Lens {
                        span,
                        title: "Evaluate on example…".to_string(),
                        action: Action::PickExample {
                            rule: d.name.clone(),
                        },
                    });
                }
            }
            _ => {}
        }
    }
    if tests > 0 {
        out.insert(
            0,
            Lens {
                span: Span::new(file, 0, 0),
                title: format!("▶ Run all {tests} tests in file"),
                action: Action::RunTests { file, test: None },
            },
        );
    }
    out.sort_by_key(|l| l.span.start);
    out
}

/// The outcome of one `expect` of a test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub rule: String,
    /// The `expect` line.
    pub span: Span,
    pub passed: bool,
    /// As people read values (`648,750.00 KZT`, `2026-03-17 (Tue)`).
    pub expected: String,
    pub actual: String,
}

/// A test as run from the editor.
#[derive(Clone, Debug)]
pub struct TestRun {
    pub name: String,
    pub span: Span,
    pub result: TestResult,
    pub outcomes: Vec<Outcome>,
}

impl TestRun {
    pub fn passed(&self) -> bool {
        self.result.passed()
    }
}

/// Why nothing could be run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunError {
    /// The rulebook has errors: it cannot be evaluated until they are fixed.
    NotChecked {
        errors: usize,
    },
    NoSuchTest(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::NotChecked { errors } => {
                write!(f, "the rulebook has {errors} error(s): fix them to run it")
            }
            RunError::NoSuchTest(name) => write!(f, "no test `{name}` in this file"),
        }
    }
}

/// The checked rulebook of the analysis, or why there is none.
pub fn rulebook(a: &Analysis) -> Result<&Rulebook, RunError> {
    a.checked
        .rulebook
        .as_ref()
        .ok_or_else(|| RunError::NotChecked {
            errors: a
                .checked
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .count(),
        })
}

/// Run the tests written in `file` (only `test` when given), as `zan test` runs them.
pub fn run_tests(a: &Analysis, file: FileId, test: Option<&str>) -> Result<Vec<TestRun>, RunError> {
    let rb = rulebook(a)?;
    let runs: Vec<TestRun> = rb
        .tests
        .iter()
        .filter(|t| t.span.file == file && test.is_none_or(|n| t.name == n))
        .map(|t| run_one(rb, t))
        .collect();
    match test {
        Some(name) if runs.is_empty() => Err(RunError::NoSuchTest(name.to_string())),
        _ => Ok(runs),
    }
}

fn run_one(rb: &Rulebook, t: &TestCase) -> TestRun {
    let result = testing::run_one(rb, t);
    let program = t.as_of.and_then(|d| rb.version_on(d)).map(|v| &v.program);
    let mut outcomes = Vec::new();
    for e in &t.expectations {
        let failure = result.failures.iter().find(|f| f.span == e.span);
        let outcome = match failure {
            Some(f) => Outcome {
                rule: e.rule.clone(),
                span: e.span,
                passed: false,
                expected: f.expected_text.clone(),
                actual: f.actual_text.clone(),
            },
            None => {
                // Passed: the actual value is the expected one.
                let text = match (program, &e.value) {
                    (Some(p), Some(v)) => {
                        let ty = p
                            .rule_named(&e.rule)
                            .and_then(|id| p.rules.get(id as usize))
                            .map_or(Type::Error, |r| r.ty.clone());
                        value_text(rb, p, &ty, v)
                    }
                    _ => "an evaluation error".to_string(),
                };
                Outcome {
                    rule: e.rule.clone(),
                    span: e.span,
                    passed: true,
                    expected: text.clone(),
                    actual: text,
                }
            }
        };
        outcomes.push(outcome);
    }
    // A failure at the test itself (no version in force on its date).
    for f in result.failures.iter().filter(|f| f.span == t.span) {
        outcomes.push(Outcome {
            rule: f.rule.clone(),
            span: t.span,
            passed: false,
            expected: f.expected_text.clone(),
            actual: f.actual_text.clone(),
        });
    }
    TestRun {
        name: t.name.clone(),
        span: t.span,
        result,
        outcomes,
    }
}
