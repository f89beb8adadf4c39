//! `zan test`: run a rulebook's tests and report them for an analyst (text: each failure at
//! the `FILE:LINE` of its `expect`, expected against actual as people read them, the sentences
//! the test `checks`, and with `--explain` the derivation of the actual value), for a program
//! (JSON) or for a CI dashboard (JUnit XML, `testing::junit`). `zan eval --test NAME`'s
//! verdict is here too.

use super::atomic;
use super::commands::load_checked;
use super::output::{self as out, stderr_line, stderr_text};
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::coverage::{self, Report};
use crate::engine::Engine;
use crate::ir::Rulebook;
use crate::testing::{self, citation_text, location, Ran};
use clap::ValueEnum;
use serde_json::{json, Value as Json};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

/// The formats of `zan test`.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TestFormat {
    Text,
    Json,
    /// JUnit XML, for CI dashboards.
    Junit,
}

/// What `zan test` is asked to do.
pub struct Request<'a> {
    pub rulebook: &'a Path,
    pub filter: Option<&'a str>,
    /// `Some(min)` when coverage is asked for.
    pub coverage: Option<Option<f64>>,
    pub format: TestFormat,
    pub explain: bool,
    /// Where to write the report (`-` or `None`: standard output).
    pub output: Option<&'a Path>,
}

/// Whether the test's expectations hold, said on standard error as `zan test` says it;
/// `EXIT_FAILED` if not.
pub(super) fn test_verdict(engine: &Engine, name: &str) -> i32 {
    let result = match engine.run_test(name) {
        Ok(r) => r,
        Err(e) => {
            stderr_line!("error: {e}");
            return EXIT_USAGE;
        }
    };
    if result.passed() {
        stderr_line!("ok      {name}: its expectations hold");
        return EXIT_OK;
    }
    stderr_line!("FAILED  {name}");
    for f in &result.failures {
        stderr_line!(
            "          {}: expected {}, got {}",
            f.rule,
            f.expected,
            f.actual
        );
    }
    EXIT_FAILED
}

/// Run the rulebook's tests and report them.
pub fn test(r: &Request) -> i32 {
    let (_, checked) = match load_checked(r.rulebook, true) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let Some(rb) = checked.rulebook else {
        stderr_line!("error: the rulebook has errors; no test was run");
        return EXIT_FAILED;
    };
    let (runs, trace) = run(&rb, r);
    let failed = runs.iter().filter(|x| !x.result.passed()).count();
    let min = r.coverage.flatten();
    let report = trace.map(|t| coverage::report(&rb, &t, runs.len()));
    let below_min = match (&report, min) {
        (Some(rep), Some(m)) => !rep.below(m).is_empty(),
        _ => false,
    };
    let code = if failed > 0 || below_min {
        EXIT_FAILED
    } else {
        EXIT_OK
    };
    let coverage = report.as_ref().map(|rep| (rep, min));
    let text = match r.format {
        TestFormat::Json => json_report(&rb, &runs, coverage),
        TestFormat::Text => text_report(&rb, &runs, coverage),
        TestFormat::Junit => {
            // The XML has no place for coverage: it goes where people read the CI log.
            if let Some(rep) = &report {
                stderr_text(&format!("{}\n", coverage_text(&rb, rep, min)));
            }
            testing::junit::junit(&rb, &runs)
        }
    };
    write_report(r.output, &text, code)
}

/// Run the selected tests one at a time, timing each, with what they exercise when coverage
/// is asked for and the derivations of failures with `--explain`.
fn run(rb: &Rulebook, r: &Request) -> (Vec<Ran>, Option<coverage::Trace>) {
    let mut trace = r.coverage.map(|_| coverage::Trace::default());
    let runs = testing::selected(rb, r.filter)
        .map(|t| {
            let start = Instant::now();
            let result = testing::run_traced(rb, t, trace.as_mut());
            let time = start.elapsed();
            let explained = if r.explain && !result.passed() {
                testing::explain(rb, t, &result)
            } else {
                Vec::new()
            };
            Ran {
                result,
                time,
                explained,
            }
        })
        .collect();
    (runs, trace)
}

/// The report on standard output, or in the file `-o` names, written whole or not at all.
fn write_report(output: Option<&Path>, text: &str, code: i32) -> i32 {
    match output {
        Some(p) if p != Path::new("-") => match atomic::write(p, text.as_bytes()) {
            Ok(()) => code,
            Err(e) => {
                stderr_line!("error: cannot write {}: {e}", p.display());
                EXIT_USAGE
            }
        },
        _ => out::print("the test results", text, code),
    }
}

fn json_report(rb: &Rulebook, runs: &[Ran], coverage: Option<(&Report, Option<f64>)>) -> String {
    let failed = runs.iter().filter(|x| !x.result.passed()).count();
    let list: Vec<Json> = runs.iter().map(|x| test_json(rb, x)).collect();
    let mut doc = json!({ "passed": runs.len() - failed, "failed": failed, "tests": list });
    if let (Some((rep, min)), Some(obj)) = (coverage, doc.as_object_mut()) {
        obj.insert("coverage".into(), coverage::json(rb, rep, min));
    }
    format!("{doc}\n")
}

fn test_json(rb: &Rulebook, x: &Ran) -> Json {
    let r = &x.result;
    let failures: Vec<Json> = r
        .failures
        .iter()
        .map(|f| {
            let mut o = json!({
                "rule": f.rule,
                "expected": f.expected,
                "actual": f.actual,
                "expected_text": f.expected_text,
                "actual_text": f.actual_text,
                "at": location(rb, f.span),
            });
            let derivation = x.explained.iter().find(|e| e.rule == f.rule);
            if let (Some(d), Some(obj)) = (derivation, o.as_object_mut()) {
                obj.insert("derivation_text".into(), json!(d.text));
            }
            o
        })
        .collect();
    let checks: Vec<String> = r.checks.iter().map(|c| citation_text(rb, c)).collect();
    json!({
        "name": r.name,
        "passed": r.passed(),
        "at": location(rb, r.span),
        "checks": checks,
        "failures": failures,
    })
}

fn text_report(rb: &Rulebook, runs: &[Ran], coverage: Option<(&Report, Option<f64>)>) -> String {
    let mut text = String::new();
    for x in runs {
        test_text(rb, x, &mut text);
    }
    let failed = runs.iter().filter(|x| !x.result.passed()).count();
    // Writing to a String cannot fail.
    let _ = writeln!(
        text,
        "\nzan test: {} passed, {failed} failed",
        runs.len() - failed
    );
    if let Some((rep, min)) = coverage {
        let _ = writeln!(text, "\n{}", coverage_text(rb, rep, min));
    }
    text
}

/// One test: `ok`, or `FAILED` with where the test is written, each failing expectation at
/// its `expect` line, what the test checks, and the derivations asked for.
fn test_text(rb: &Rulebook, x: &Ran, text: &mut String) {
    let r = &x.result;
    if r.passed() {
        let _ = writeln!(text, "ok      {}", r.name);
        return;
    }
    let _ = writeln!(text, "FAILED  {}  ({})", r.name, location(rb, r.span));
    for f in &r.failures {
        let rule = if f.rule.is_empty() {
            String::new()
        } else {
            format!("{}: ", f.rule)
        };
        let _ = writeln!(
            text,
            "          {}: {rule}expected {}, got {}",
            location(rb, f.span),
            f.expected_text,
            f.actual_text
        );
    }
    for c in &r.checks {
        let _ = writeln!(text, "          checks {}", citation_text(rb, c));
    }
    for e in &x.explained {
        let _ = writeln!(text, "          why `{}` is what it is:", e.rule);
        for line in e.text.lines() {
            let _ = writeln!(text, "            {line}");
        }
    }
}

/// The coverage report, and the categories below `--min-coverage`.
fn coverage_text(rb: &Rulebook, rep: &Report, min: Option<f64>) -> String {
    let mut text = coverage::text(rb, rep, min);
    if let Some(m) = min {
        let below: Vec<&str> = rep.below(m).iter().map(|c| c.name).collect();
        if !below.is_empty() {
            let _ = write!(
                text,
                "\nzan test: coverage below {m}% in: {}",
                below.join(", ")
            );
        }
    }
    text
}
