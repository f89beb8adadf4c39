//! Running the tests written in a rulebook. Pure: results are data, the CLI prints them.

use crate::coverage::Trace;
use crate::eval::output::value_json;
use crate::eval::value_text::{date_text, value_text};
use crate::eval::{eval_rule, eval_rule_traced, Case};
use crate::ir::*;
use crate::time::date;

pub mod gen_case;
use serde_json::Value as Json;

#[derive(Clone, Debug)]
pub struct TestResult {
    pub name: String,
    pub failures: Vec<Failure>,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

#[derive(Clone, Debug)]
pub struct Failure {
    pub rule: String,
    pub expected: Json,
    pub actual: Json,
    /// `expected` and `actual` as a person reads them (`648,750.00 KZT`, `2026-03-17 (Tue)`).
    pub expected_text: String,
    pub actual_text: String,
}

/// Run every test of the rulebook whose name contains `filter`.
pub fn run(rb: &Rulebook, filter: Option<&str>) -> Vec<TestResult> {
    rb.tests
        .iter()
        .filter(|t| filter.is_none_or(|f| t.name.contains(f)))
        .map(|t| run_one(rb, t))
        .collect()
}

/// Run the tests as `run` does, recording what they exercise for the coverage report.
pub fn run_with_coverage(rb: &Rulebook, filter: Option<&str>) -> (Vec<TestResult>, Trace) {
    let mut trace = Trace::default();
    let results = rb
        .tests
        .iter()
        .filter(|t| filter.is_none_or(|f| t.name.contains(f)))
        .map(|t| run_traced(rb, t, Some(&mut trace)))
        .collect();
    (results, trace)
}

/// Run one test (`zan eval --test NAME`).
pub fn run_one(rb: &Rulebook, t: &TestCase) -> TestResult {
    run_traced(rb, t, None)
}

fn run_traced(rb: &Rulebook, t: &TestCase, mut trace: Option<&mut Trace>) -> TestResult {
    let mut failures = Vec::new();
    let case = Case {
        facts: t.facts.clone(),
    };
    let Some(day) = t.as_of else {
        return TestResult {
            name: t.name.clone(),
            failures,
        };
    };
    let Some(version) = rb.version_on(day) else {
        failures.push(Failure {
            rule: String::new(),
            expected: Json::String("a version in force".into()),
            actual: Json::String(format!("none on {}", date::format(day))),
            expected_text: "a version in force".into(),
            actual_text: format!("none on {}", date_text(day)),
        });
        return TestResult {
            name: t.name.clone(),
            failures,
        };
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
                expected,
                actual: actual_json,
                expected_text,
                actual_text,
            });
        }
    }
    TestResult {
        name: t.name.clone(),
        failures,
    }
}
