//! Examples and tests written in the rulebook: their facts are checked against the schema
//! and their expectations against the outputs in force on their date.

use super::expr::ExprCx;
use super::names::{Globals, Symbol, VersionNames};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::*;
use crate::syntax::ast::{self, DeclKind};
use crate::time::date;
use crate::value::Value;
use rustc_hash::FxHashMap as HashMap;

pub fn compile(
    g: &mut Globals,
    rb: &Rulebook,
    names: &[VersionNames],
    decls: &[&ast::Declaration],
) -> (Vec<TestCase>, Vec<ExampleCase>) {
    let empty = VersionNames::default();
    let mut examples: HashMap<String, Vec<Value>> = HashMap::default();
    let mut in_order = Vec::new();
    for d in decls {
        if let DeclKind::Example(e) = &d.kind {
            if examples.contains_key(&e.name.name) {
                g.error(
                    Diagnostic::new(
                        Code::DuplicateDeclaration,
                        e.name.span,
                        format!("example `{}` is declared twice", e.name.name),
                    )
                    .help("give each example its own name"),
                );
                continue;
            }
            if let Some(facts) = facts_of(g, &empty, &e.facts) {
                in_order.push(ExampleCase {
                    name: e.name.name.clone(),
                    span: d.span,
                    facts: facts.clone(),
                });
                examples.insert(e.name.name.clone(), facts);
            }
        }
    }
    let mut out: Vec<TestCase> = Vec::new();
    let mut names_out: std::collections::HashSet<String> = std::collections::HashSet::default();
    for d in decls {
        let DeclKind::Test(t) = &d.kind else { continue };
        if names_out.contains(&t.name.name) {
            g.error(
                Diagnostic::new(
                    Code::DuplicateDeclaration,
                    t.name.span,
                    format!("test `{}` is declared twice", t.name.name),
                )
                .help("give each test its own name"),
            );
            continue;
        }
        if let Some(tc) = test(g, rb, names, &examples, t) {
            names_out.insert(tc.name.clone());
            out.push(tc);
        }
    }
    (out, in_order)
}

fn invalid(g: &mut Globals, span: crate::source::Span, message: String, help: &str) {
    g.error(Diagnostic::new(Code::InvalidTest, span, message).help(help.to_string()));
}

/// The facts of a record literal `{ applicant: {...}, application: {...} }`, as constants.
fn facts_of(g: &mut Globals, names: &VersionNames, e: &ast::Expr) -> Option<Vec<Value>> {
    let ast::ExprKind::Record(fields) = &e.kind else {
        invalid(
            g,
            e.span,
            "expected the facts of a case in `{ }`".into(),
            "write `{ applicant: { ... }, application: { ... } }`",
        );
        return None;
    };
    // Facts are constants here: checking them never reads the facts of the schema, which
    // are lent to `fields` meanwhile rather than copied for every example.
    let facts = std::mem::take(&mut g.schema.facts);
    // The case's top-level names are the facts themselves (for the editor's navigation).
    for (name, _) in fields {
        if g.fact_ids.contains_key(&name.name) {
            g.refer(name, || Symbol::Decl(name.name.clone()));
        }
    }
    let mut cx = ExprCx::new(g, names);
    cx.facts_allowed = false;
    let exs = cx.fields("the case", &facts, fields, e.span);
    let values = super::expr::consts(&exs);
    if values.is_none() {
        for (name, value) in fields {
            if let Some(i) = facts.iter().position(|f| f.name == name.name) {
                if !matches!(exs.get(i), Some(Ex::Const(_))) {
                    invalid(
                        g,
                        value.span,
                        format!("the fact `{}` of a test must be a constant", name.name),
                        "write the value itself, such as a date `2010-03-10`, not a calculation from other values",
                    );
                }
            }
        }
    }
    g.schema.facts = facts;
    values
}

fn test(
    g: &mut Globals,
    rb: &Rulebook,
    names: &[VersionNames],
    examples: &HashMap<String, Vec<Value>>,
    t: &ast::TestDecl,
) -> Option<TestCase> {
    let checks = g.citations(&t.checks);
    if checks.is_empty() {
        g.error(
            Diagnostic::new(
                Code::MissingCitation,
                t.name.span,
                format!("test `{}` names no sentence it checks", t.name.name),
            )
            .help("add `checks SOURCE \"the sentence\"` after the test's name"),
        );
    }
    set_after_expect(g, &t.items);
    let empty = VersionNames::default();
    let errors_before = g.diags.len();
    let mut facts: Option<Vec<Value>> = None;
    let mut as_of = None;
    for item in &t.items {
        match item {
            ast::TestItem::AsOf(d, _) => as_of = Some(*d),
            ast::TestItem::GivenExample(id) => match examples.get(&id.name) {
                Some(f) => {
                    g.refer(id, || Symbol::Decl(id.name.clone()));
                    facts = Some(f.clone())
                }
                // An example that did not parse: its syntax error says it all.
                None if g.broken.declares(&id.name) => return None,
                None => invalid(
                    g,
                    id.span,
                    format!("there is no example `{}`", id.name),
                    "declare it with `example NAME { ... }`",
                ),
            },
            ast::TestItem::GivenFacts(e) => facts = facts_of(g, &empty, e),
            ast::TestItem::Set(path, value) => {
                let Some(f) = facts.as_mut() else {
                    invalid(
                        g,
                        path.first().map_or(t.name.span, |p| p.span),
                        "`set` needs facts first".into(),
                        "start with `given EXAMPLE` or `given { ... }`",
                    );
                    continue;
                };
                set(g, f, path, value);
            }
            ast::TestItem::Expect { .. } => {}
        }
    }
    let reported = g.diags.len() > errors_before;
    let facts = facts.unwrap_or_default();
    if facts.len() != g.schema.facts.len() && reported {
        return None;
    }
    if facts.len() != g.schema.facts.len() {
        invalid(
            g,
            t.name.span,
            format!("test `{}` gives no facts", t.name.name),
            "add `given EXAMPLE` or `given { ... }`",
        );
        return None;
    }
    let day = as_of.or_else(|| rb.as_of_path.as_ref().and_then(|p| date_at(&facts, p)));
    let Some(day) = day else {
        invalid(
            g,
            t.name.span,
            format!("test `{}` has no evaluation date", t.name.name),
            "add `as of DATE`, or give the fact named by the rulebook's `as of`",
        );
        return None;
    };
    let vi = rb
        .versions
        .iter()
        .position(|v| v.from.is_none_or(|f| f <= day) && v.until.is_none_or(|u| day <= u))?;
    let vnames = names.get(vi)?;
    let mut expectations = Vec::new();
    for item in &t.items {
        let ast::TestItem::Expect {
            output,
            value,
            span,
        } = item
        else {
            continue;
        };
        if vnames.rules.contains_key(&output.name) || g.periods.contains_key(&output.name) {
            g.refer(output, || Symbol::Decl(output.name.clone()));
        }
        let Some((_, ty)) = vnames.rules.get(&output.name).cloned() else {
            if value.is_none() && g.periods.contains_key(&output.name) {
                // Expecting a rule not yet (or no longer) in force to fail is how a test
                // pins an in-force date.
                expectations.push(Expectation {
                    rule: output.name.clone(),
                    value: None,
                    span: *span,
                });
                continue;
            }
            invalid(
                g,
                output.span,
                format!(
                    "no rule `{}` is in force on {}",
                    output.name,
                    date::format(day)
                ),
                "expect an output or rule of the rulebook in force on the test's date",
            );
            continue;
        };
        let value = match value {
            None => None,
            Some(e) => {
                let mut cx = ExprCx::new(g, vnames);
                cx.facts_allowed = false;
                match cx.expect(e, &ty) {
                    Ex::Const(v) => Some(v),
                    _ => {
                        invalid(
                            g,
                            e.span,
                            "an expected value must be a constant".into(),
                            "write the value itself, such as `true` or `2026-03-13`",
                        );
                        continue;
                    }
                }
            }
        };
        expectations.push(Expectation {
            rule: output.name.clone(),
            value,
            span: *span,
        });
    }
    Some(TestCase {
        name: t.name.name.clone(),
        span: t.name.span,
        checks,
        as_of: Some(day),
        facts,
        expectations,
    })
}

/// A test reads as steps, but is not run as steps: every `set` applies to the facts before
/// any `expect` is checked. A `set` below an `expect` reads as if it changed the case for the
/// expectations after it only; warn, pointing at the first `expect` it does not follow.
fn set_after_expect(g: &mut Globals, items: &[ast::TestItem]) {
    let mut first_expect = None;
    for item in items {
        match item {
            ast::TestItem::Expect { span, .. } => {
                first_expect.get_or_insert(*span);
            }
            ast::TestItem::Set(path, value) => {
                let (Some(expect), Some(first)) = (first_expect, path.first()) else {
                    continue;
                };
                let span = first.span.to(value.span);
                g.error(
                    Diagnostic::new(
                        Code::SetAfterExpect,
                        span,
                        "this `set` comes after an `expect`, but applies before it",
                    )
                    .label("applies before every `expect` of the test")
                    .with_secondary(expect, "this `expect` already sees the value set below")
                    .help("every `set` of a test applies before all its `expect`s, whatever their order: move the `set` above the first `expect`, or write a second test for the changed case"),
                );
            }
            _ => {}
        }
    }
}

fn date_at(facts: &[Value], path: &[u32]) -> Option<date::Day> {
    let mut v = facts.get(*path.first()? as usize)?;
    for slot in &path[1..] {
        match v {
            Value::Record(fs) => v = fs.get(*slot as usize)?,
            _ => return None,
        }
    }
    match v {
        Value::Date(d) => Some(*d),
        _ => None,
    }
}

/// `set applicant.birth_date = 2010-03-10`: replace one value in the facts.
fn set(g: &mut Globals, facts: &mut [Value], path: &[ast::Ident], value: &ast::Expr) {
    let Some(first) = path.first() else { return };
    let Some(&slot) = g.fact_ids.get(&first.name) else {
        invalid(
            g,
            first.span,
            format!("`{}` is not a fact", first.name),
            "`set` changes a fact of the case, such as `applicant.birth_date`",
        );
        return;
    };
    g.refer(first, || Symbol::Decl(first.name.clone()));
    let mut ty = g.schema.facts[slot as usize].ty.clone();
    let mut slots = vec![slot];
    for seg in &path[1..] {
        let rec = match &ty {
            Type::Record(r) => *r,
            Type::Optional(t) => match **t {
                Type::Record(r) => r,
                _ => 0,
            },
            _ => {
                invalid(
                    g,
                    seg.span,
                    format!("`{}` is not in a record", seg.name),
                    "only record fields can be set",
                );
                return;
            }
        };
        let Some(info) = g.schema.records.get(rec as usize) else {
            return;
        };
        let Some(i) = info.fields.iter().position(|f| f.name == seg.name) else {
            let owner = info.name.clone();
            g.error(
                Diagnostic::new(
                    Code::UnknownField,
                    seg.span,
                    format!("`{owner}` has no field `{}`", seg.name),
                )
                .help("check the record's declaration"),
            );
            return;
        };
        let record = info.name.clone();
        ty = info.fields[i].ty.clone();
        g.refer(seg, || Symbol::Field {
            record,
            field: seg.name.clone(),
        });
        slots.push(i as u32);
    }
    let empty = VersionNames::default();
    let mut cx = ExprCx::new(g, &empty);
    cx.facts_allowed = false;
    let v = match value.kind {
        ast::ExprKind::Record(ref fields) => cx.record(fields, Some(&ty), value.span).0,
        _ => cx.expect(value, &ty),
    };
    let Ex::Const(v) = v else {
        invalid(
            g,
            value.span,
            "a test value must be a constant".into(),
            "write the value itself",
        );
        return;
    };
    if !replace(facts, &slots, v) {
        invalid(
            g,
            path[0].span,
            "this field is inside an absent record".into(),
            "set the whole record first",
        );
    }
}

fn replace(values: &mut [Value], slots: &[u32], v: Value) -> bool {
    let Some((&first, rest)) = slots.split_first() else {
        return false;
    };
    let Some(target) = values.get_mut(first as usize) else {
        return false;
    };
    if rest.is_empty() {
        *target = v;
        return true;
    }
    match target {
        Value::Record(fields) => {
            let mut owned: Vec<Value> = fields.to_vec();
            let ok = replace(&mut owned, rest, v);
            *fields = owned.into();
            ok
        }
        _ => false,
    }
}
