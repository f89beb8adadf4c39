//! Unit tests of the expression checker, one file per syntax category (rust-analyzer's way):
//! a tiny rulebook goes in as text, and out come the errors (code and message), the type
//! inferred for an expression, or the lowered form where constant folding is observable.

mod calls;
mod control;
mod literals;
mod names;
mod narrowing;
mod operators;

use crate::check::check;
use crate::diagnostics::Severity;
use crate::ir::{Ex, RuleBodyIr};
use crate::source::SourceMap;

/// Declarations every test may use: an enum with a value shared by another enum, a record
/// with optional fields, one fact, a parameter, a table and a calendar.
const PRELUDE: &str = r#"rulebook r { title "Expressions" }
source law { title "Law" }

enum Form { paper, electronic }
enum Listing { paper, e_visa }

record Passport {
  number: text
  expires_on: date?
}

record Person {
  birth_date: date
  form: Form
  passport: Passport?
  nick: text?
  stays: list of period = []
  score: integer
}

fact person: Person

parameter mci: money cites law "mci" {
  from 2026-01-01: 4325 KZT
}

table fee(form: Form) -> integer cites law "fee" {
  paper => 1
  electronic => 2
}

calendar kz cites law "kz" {
  weekend saturday, sunday
}
"#;

/// The errors of the prelude followed by `decls`, as `Z0201 message`, in order.
fn errors(decls: &str) -> Vec<String> {
    let mut map = SourceMap::new();
    map.add("test.zan", format!("{PRELUDE}\n{decls}\n"));
    check(&map)
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{} {}", d.code.as_str(), d.message))
        .collect()
}

/// The help of the first error of `decls`.
fn first_help(decls: &str) -> Option<String> {
    let mut map = SourceMap::new();
    map.add("test.zan", format!("{PRELUDE}\n{decls}\n"));
    check(&map)
        .diagnostics
        .into_iter()
        .find(|d| d.severity == Severity::Error)
        .and_then(|d| d.help)
}

/// A rule `probe` of type `ty` whose body is `expr`.
fn rule(ty: &str, expr: &str) -> String {
    format!("output rule probe: {ty} cites law \"probe\" {{\n  {expr}\n}}")
}

/// The errors of `expr` checked as a rule of type `ty`.
fn errors_in(ty: &str, expr: &str) -> Vec<String> {
    errors(&rule(ty, expr))
}

/// The type inferred for `expr`: it is checked as the body of a `bool` rule, and the type
/// mismatch then names the type (`bool` when there is none). Any other error is returned as is.
fn type_of(expr: &str) -> String {
    let errs = errors_in("bool", expr);
    match errs.as_slice() {
        [] => "bool".into(),
        [one] => one
            .strip_prefix("Z0201 expected bool, found ")
            .unwrap_or(one)
            .to_string(),
        _ => errs.join("; "),
    }
}

/// The lowered form of `expr` as the body of a rule of type `ty` (which must check).
fn lowered(ty: &str, expr: &str) -> String {
    let mut map = SourceMap::new();
    map.add("test.zan", format!("{PRELUDE}\n{}\n", rule(ty, expr)));
    let checked = check(&map);
    let Some(rulebook) = checked.rulebook else {
        let errs: Vec<&str> = checked
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        return format!("errors: {errs:?}");
    };
    let body = rulebook.versions.first().and_then(|v| {
        let program = &v.program;
        let id = program.rule_named("probe")?;
        match &program.rules.get(id as usize)?.body {
            RuleBodyIr::Definition(d) => d.otherwise.as_ref().map(|c| c.value.clone()),
            RuleBodyIr::Reasons(_) => None,
        }
    });
    body.map_or_else(|| "no body".into(), |ex: Ex| format!("{ex:?}"))
}
