//! Running the tests written in a rulebook. Pure: results are data, the CLI prints them.
//! Each result keeps where its test and expectations are written (`location`), the citations
//! the test checks, and on demand the derivation of each failing expectation's actual value
//! (`explain`); `junit` writes the results as JUnit XML for CI dashboards.

use crate::coverage::Trace;
use crate::eval::output::value_json;
use crate::eval::value_text::{date_text, value_text};
use crate::eval::{eval_rule, eval_rule_traced, Case};
use crate::ir::*;
use crate::source::Span;
use crate::time::date;

mod explain;
pub mod gen_case;
pub mod junit;
pub use crate::coverage::location;
pub use explain::{explain, Explained};
use serde_json::Value as Json;

#[derive(Clone, Debug)]
pub struct TestResult {
    pub name: String,
    /// The test's declaration.
    pub span: Span,
    /// What the test `checks`: the sentences of the law it holds the rulebook to.
    pub checks: Vec<Citation>,
    pub failures: Vec<Failure>,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// A test run by `zan test`: its result, how long it took, and with `--explain` the
/// derivations of its failing expectations' actual values.
#[derive(Clone, Debug)]
pub struct Ran {
    pub result: TestResult,
    pub time: std::time::Duration,
    pub explained: Vec<Explained>,
}

#[derive(Clone, Debug)]
pub struct Failure {
    pub rule: String,
    /// The `expect` line that failed; the test's own span when no version of the rulebook is
    /// in force on its date (then no expectation was looked at).
    pub span: Span,
    pub expected: Json,
    pub actual: Json,
    /// `expected` and `actual` as a person reads them (`648,750.00 KZT`, `2026-03-17 (Tue)`).
    pub expected_text: String,
    pub actual_text: String,
}

/// The tests of the rulebook whose name contains `filter`, in the order they are written.
pub fn selected<'a>(
    rb: &'a Rulebook,
    filter: Option<&'a str>,
) -> impl Iterator<Item = &'a TestCase> + 'a {
    rb.tests
        .iter()
        .filter(move |t| filter.is_none_or(|f| t.name.contains(f)))
}

/// Run every test of the rulebook whose name contains `filter`.
pub fn run(rb: &Rulebook, filter: Option<&str>) -> Vec<TestResult> {
    selected(rb, filter).map(|t| run_one(rb, t)).collect()
}

/// Run the tests as `run` does, recording what they exercise for the coverage report.
pub fn run_with_coverage(rb: &Rulebook, filter: Option<&str>) -> (Vec<TestResult>, Trace) {
    let mut trace = Trace::default();
    let results = selected(rb, filter)
        .map(|t| run_traced(rb, t, Some(&mut trace)))
        .collect();
    (results, trace)
}

/// Run one test (`zan eval --test NAME`).
pub fn run_one(rb: &Rulebook, t: &TestCase) -> TestResult {
    run_traced(rb, t, None)
}

/// Run one test, adding what it exercises to `trace` when there is one (the CLI runs the
/// tests one at a time, to time each).
pub fn run_traced(rb: &Rulebook, t: &TestCase, mut trace: Option<&mut Trace>) -> TestResult {
    let result = |failures| TestResult {
        name: t.name.clone(),
        span: t.span,
        checks: t.checks.clone(),
        failures,
    };
    let mut failures = Vec::new();
    let case = Case {
        facts: t.facts.clone(),
    };
    let Some(day) = t.as_of else {
        return result(failures);
    };
    let Some(version) = rb.version_on(day) else {
        failures.push(Failure {
            rule: String::new(),
            span: t.span,
            expected: Json::String("a version in force".into()),
            actual: Json::String(format!("none on {}", date::format(day))),
            expected_text: "a version in force".into(),
            actual_text: format!("none on {}", date_text(day)),
        });
        return result(failures);
    };
    if let Some(tr) = trace.as_deref_mut() {
        tr.version(version);
    }
    let p = &version.program;
    for e in &t.expectations {
        let Some(id) = p.rule_named(&e.rule) else {
            if e.value.is_some() {
                failures.push(Failure {
                    rule: e.rule.clone(),
                    span: e.span,
                    expected: Json::String("a value".into()),
                    actual: Json::String("not in force".into()),
                    expected_text: "a value".into(),
                    actual_text: "not in force".into(),
                });
            }
            continue;
        };
        let ty = p
            .rules
            .get(id as usize)
            .map_or(Type::Error, |r| r.ty.clone());
        let actual = match trace.as_deref_mut() {
            Some(tr) => eval_rule_traced(p, &case, day, id, tr),
            None => eval_rule(p, &case, day, id),
        };
        let (ok, actual_json, actual_text) = match (&e.value, &actual) {
            (Some(want), Ok(got)) => (
                crate::eval::values_equal(want, got),
                value_json(rb, p, &ty, got),
                value_text(rb, p, &ty, got),
            ),
            (None, Err(_)) => (true, Json::Null, String::new()),
            (None, Ok(got)) => (
                false,
                value_json(rb, p, &ty, got),
                value_text(rb, p, &ty, got),
            ),
            (Some(_), Err(err)) => (
                false,
                Json::String(format!("error: {err}")),
                format!("error: {err}"),
            ),
        };
        if !ok {
            let (expected, expected_text) = match &e.value {
                Some(v) => (value_json(rb, p, &ty, v), value_text(rb, p, &ty, v)),
                None => (
                    Json::String("an evaluation error".into()),
                    "an evaluation error".into(),
                ),
            };
            failures.push(Failure {
                rule: e.rule.clone(),
                span: e.span,
                expected,
                actual: actual_json,
                expected_text,
                actual_text,
            });
        }
    }
    result(failures)
}

/// The name of the file a span is in, as the source map names it.
pub fn file_name(rb: &Rulebook, span: Span) -> &str {
    rb.source_map
        .get(span.file)
        .map_or("?", |f| f.name.as_str())
}

/// A test's `checks` as written: the source and the sentence quoted (`law “the total”`).
pub fn citation_text(rb: &Rulebook, c: &Citation) -> String {
    let source = rb
        .sources
        .get(c.source as usize)
        .map_or("?", |s| s.name.as_str());
    match &c.quote {
        Some(q) => format!("{source} “{q}”"),
        None => source.to_string(),
    }
}
