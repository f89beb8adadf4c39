//! Type checking of expressions and their lowering to the resolved form `Ex`.
//! Checking is bidirectional: an expected type, when known, resolves bare enum values and
//! record literals.
//!
//! One file per syntax category (typst-eval's way): `literals` (numbers, amounts, dates,
//! durations, lists, records), `names` (names, enum values, field access, `as of`),
//! `narrowing` (`is present` and the paths it proves present), `operators` (unary, boolean,
//! membership, comparison, arithmetic), `control` (`if`, `match`, quantifiers), `lists` (the
//! per-item forms `map`, `filter`, `min`, `max`, and lists joined with `+`) and `calls`
//! (tables and the built-in functions). This file holds the checker's state, the entry
//! `check` that dispatches on the syntax, and the expected-type plumbing (`expect`, `coerce`).

mod calls;
mod control;
mod lists;
mod literals;
mod names;
mod narrowing;
mod operators;
#[cfg(test)]
mod tests;

pub use calls::{function, Function, FUNCTIONS};

use super::names::{Globals, VersionNames};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind};
use crate::value::Value;
use lists::joins_lists;
use rust_decimal::Decimal;

/// The checker of one expression (or of the expressions of one declaration): the names in
/// scope, the quantifier variables and narrowed paths, and the rules read.
pub struct ExprCx<'g, 'a> {
    pub g: &'g mut Globals<'a>,
    pub v: &'g VersionNames,
    /// Quantifier variables in scope: name, type, slot, binding span.
    locals: Vec<(String, Type, u32, Span)>,
    narrowed: Vec<String>,
    /// Rules this expression reads, for the dependency graph.
    pub deps: Vec<(RuleId, Span)>,
    next_local: u32,
    pub max_locals: u32,
    /// False where only constants may appear (defaults, parameter values, test values).
    pub facts_allowed: bool,
}

impl<'g, 'a> ExprCx<'g, 'a> {
    /// A checker where facts and rules may be read.
    pub fn new(g: &'g mut Globals<'a>, v: &'g VersionNames) -> ExprCx<'g, 'a> {
        ExprCx {
            g,
            v,
            locals: Vec::new(),
            narrowed: Vec::new(),
            deps: Vec::new(),
            next_local: 0,
            max_locals: 0,
            facts_allowed: true,
        }
    }

    /// Report `d` and give the error value, which silences errors that would follow from it.
    fn err(&mut self, d: Diagnostic) -> (Ex, Type) {
        self.g.error(d);
        (Ex::Const(Value::Absent), Type::Error)
    }

    /// Check `e` and require it to have type `ty` (or a type that converts to it).
    pub fn expect(&mut self, e: &ast::Expr, ty: &Type) -> Ex {
        let (ex, actual) = self.check(e, Some(ty));
        self.coerce(ex, &actual, ty, e.span)
    }

    /// Convert `ex`, of type `actual`, to `expected`: integers widen to decimals; anything
    /// else that does not fit is reported (a value that may be absent with its own code).
    pub fn coerce(&mut self, ex: Ex, actual: &Type, expected: &Type, span: Span) -> Ex {
        if actual == expected || actual.is_error() || expected.is_error() {
            return ex;
        }
        match (actual, expected) {
            (Type::Integer, Type::Decimal) => to_decimal(ex),
            (Type::List(a), Type::List(_)) if a.is_error() => ex,
            (Type::List(a), Type::List(b)) if compatible(a, b) => ex,
            (a, Type::Optional(b)) if compatible(a, b) => ex,
            (Type::Optional(a), b) if compatible(a, b) => {
                let what = self.g.snippet(span);
                self.g.error(
                    Diagnostic::new(Code::MaybeAbsent, span, format!("`{what}` may be absent"))
                        .label(format!("this is `{}`, which may be absent", self.g.type_name(actual)))
                        .help(format!("check it first (`when {what} is present then ...`) or give a default with `value_or({what}, ...)`")),
                );
                ex
            }
            _ => {
                let (a, b) = (self.g.type_name(actual), self.g.type_name(expected));
                self.g.error(
                    Diagnostic::new(Code::TypeMismatch, span, format!("expected {b}, found {a}"))
                        .label(format!("this is {a}"))
                        .help(format!("a value of type {b} is needed here")),
                );
                ex
            }
        }
    }

    /// Check `e`, lowering it and inferring its type; `expected`, when known, types bare enum
    /// values, record literals and integers written where a decimal is wanted.
    pub fn check(&mut self, e: &ast::Expr, expected: Option<&Type>) -> (Ex, Type) {
        match &e.kind {
            ExprKind::Invalid => (Ex::Const(Value::Absent), Type::Error),
            ExprKind::Bool(b) => (Ex::Const(Value::Bool(*b)), Type::Bool),
            ExprKind::Integer(n) => self.integer(*n, expected),
            ExprKind::Decimal(d) => (Ex::Const(Value::Decimal(*d)), Type::Decimal),
            ExprKind::Money(d, cur) => self.money(*d, cur),
            ExprKind::Date(d) => (Ex::Const(Value::Date(*d)), Type::Date),
            ExprKind::Text(t) => (Ex::Const(Value::Text(t.as_str().into())), Type::Text),
            ExprKind::Absent => self.absent(expected, e.span),
            ExprKind::Duration {
                amount,
                unit,
                calendar,
            } => self.duration(*amount, *unit, calendar.as_ref(), e.span),
            ExprKind::Name(id) => self.name(id, expected),
            ExprKind::Field(base, field) => self.field(e, base, field),
            ExprKind::AsOf(param, date) => self.as_of(param, date),
            ExprKind::Presence { value, present } => self.presence(value, *present),
            ExprKind::Unary(op, x) => self.unary(*op, x, e.span),
            ExprKind::Binary(ast::BinaryOp::Add, l, r) if joins_lists(l, expected) => {
                self.join(l, r, expected, e.span)
            }
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, e.span),
            ExprKind::If(c, a, b) => self.if_expr(c, a, b, expected),
            ExprKind::Match(s, arms) => self.match_expr(s, arms, expected, e.span),
            ExprKind::Quantified {
                kind,
                var,
                list,
                body,
            } => self.quantified(*kind, var, (list, body), expected),
            ExprKind::List(items) => self.list(items, expected),
            ExprKind::Record(fields) => self.record(fields, expected, e.span),
            ExprKind::Call(name, args) => self.call(name, args, e.span),
        }
    }
}

fn to_decimal(ex: Ex) -> Ex {
    match ex {
        Ex::Const(Value::Integer(n)) => Ex::Const(Value::Decimal(Decimal::from(n))),
        other => Ex::ToDecimal(Box::new(other)),
    }
}

fn compatible(a: &Type, b: &Type) -> bool {
    a == b
        || a.is_error()
        || b.is_error()
        || matches!((a, b), (Type::Integer, Type::Decimal))
        || list_compatible(a, b)
}

fn list_compatible(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::List(x), Type::List(y)) => x.is_error() || y.is_error() || compatible(x, y),
        _ => false,
    }
}

pub fn consts(exs: &[Ex]) -> Option<Vec<Value>> {
    exs.iter()
        .map(|e| match e {
            Ex::Const(v) => Some(v.clone()),
            _ => None,
        })
        .collect()
}
