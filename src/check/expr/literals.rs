//! Literals: numbers, amounts of money, dates, text, durations, `absent`, and the list and
//! record literals (whose element and field types come from the expected type).

use super::{consts, ExprCx};
use crate::check::names::Symbol;
use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast;
use crate::value::{Duration, DurationUnit, Value};
use rust_decimal::Decimal;

const CURRENCIES: &[&str] = &["KZT", "USD", "EUR", "RUB", "CNY", "GBP"];

impl ExprCx<'_, '_> {
    /// An integer, or a decimal where a decimal is expected (`0.5 * x` and `price: 2`).
    pub(super) fn integer(&mut self, n: i64, expected: Option<&Type>) -> (Ex, Type) {
        match expected {
            Some(Type::Decimal) => (Ex::Const(Value::Decimal(Decimal::from(n))), Type::Decimal),
            _ => (Ex::Const(Value::Integer(n)), Type::Integer),
        }
    }

    /// `absent`, which is a value only of the optional type expected here.
    pub(super) fn absent(&mut self, expected: Option<&Type>, span: Span) -> (Ex, Type) {
        match expected {
            Some(t @ Type::Optional(_)) => (Ex::Const(Value::Absent), t.clone()),
            Some(Type::Error) => (Ex::Const(Value::Absent), Type::Error),
            _ => self.err(
                Diagnostic::new(
                    Code::TypeMismatch,
                    span,
                    "`absent` is only a value of an optional type",
                )
                .help("declare the rule or field optional (`date?`) to give it no value"),
            ),
        }
    }

    /// `4325 KZT`: an amount in one of the known currencies.
    pub(super) fn money(&mut self, d: Decimal, cur: &ast::Ident) -> (Ex, Type) {
        if CURRENCIES.contains(&cur.name.as_str()) {
            return (
                Ex::Const(Value::Money(d)),
                Type::Money(cur.name.as_str().into()),
            );
        }
        let mut diag = Diagnostic::new(
            Code::InvalidLiteral,
            cur.span,
            format!("`{}` is not a currency", cur.name),
        )
        .label("unknown currency");
        diag = if cur.name == "MCI" {
            diag.help("amounts in MCI are converted with the MCI of the year: multiply by the `mci` parameter, as in `30 * mci`")
        } else {
            diag.help(format!("currencies are {}", CURRENCIES.join(", ")))
        };
        self.err(diag)
    }

    /// `3 days`, `2 weeks`, `1 year`, `3 working days in CALENDAR`, kept in days, months or
    /// working days.
    pub(super) fn duration(
        &mut self,
        amount: i64,
        unit: ast::DurationUnit,
        calendar: Option<&ast::Ident>,
        span: Span,
    ) -> (Ex, Type) {
        let (amount, unit) = match unit {
            ast::DurationUnit::Days => (amount, DurationUnit::Days),
            ast::DurationUnit::Weeks => (amount.saturating_mul(7), DurationUnit::Days),
            ast::DurationUnit::Months => (amount, DurationUnit::Months),
            ast::DurationUnit::Years => (amount.saturating_mul(12), DurationUnit::Months),
            ast::DurationUnit::WorkingDays => (amount, DurationUnit::WorkingDays),
        };
        let mut cal = None;
        if unit == DurationUnit::WorkingDays {
            match calendar {
                None => {
                    let names: Vec<&String> = self.v.calendars.keys().collect();
                    let hint = names
                        .first()
                        .map_or(String::from("CALENDAR"), |n| n.to_string());
                    return self.err(
                        Diagnostic::new(
                            Code::CalendarRequired,
                            span,
                            "working days must name the calendar they are counted in",
                        )
                        .label("which calendar?")
                        .help(format!("write `{amount} working days in {hint}`")),
                    );
                }
                Some(c) => match self.v.calendars.get(&c.name) {
                    Some(&id) => {
                        self.g.use_decl(c);
                        cal = Some(id);
                    }
                    None => return self.unknown(c, "calendar"),
                },
            }
        } else if let Some(c) = calendar {
            self.g.error(
                Diagnostic::new(
                    Code::CalendarRequired,
                    c.span,
                    "only working days are counted in a calendar",
                )
                .help("remove `in ...`"),
            );
        }
        (
            Ex::Const(Value::Duration(Duration {
                amount,
                unit,
                calendar: cal,
            })),
            Type::Duration,
        )
    }
    /// `[a, b]`: the items share the type of the first (or the expected element type); a list
    /// of constants is a constant.
    pub(super) fn list(&mut self, items: &[ast::Expr], expected: Option<&Type>) -> (Ex, Type) {
        let mut elem = match expected {
            Some(Type::List(t)) if !t.is_error() => Some((**t).clone()),
            _ => None,
        };
        let mut out = Vec::with_capacity(items.len());
        for it in items {
            match &elem {
                Some(t) => out.push(self.expect(it, &t.clone())),
                None => {
                    let (ex, t) = self.check(it, None);
                    elem = Some(t);
                    out.push(ex);
                }
            }
        }
        let ty = Type::List(Box::new(elem.unwrap_or(Type::Error)));
        match consts(&out) {
            Some(vals) => (Ex::Const(Value::List(vals.into())), ty),
            None => (Ex::List(out), ty),
        }
    }

    /// `{ field: value, ... }`, of the record type expected here.
    pub fn record(
        &mut self,
        fields: &[(ast::Ident, ast::Expr)],
        expected: Option<&Type>,
        span: Span,
    ) -> (Ex, Type) {
        let r = match expected {
            Some(Type::Record(r)) => *r,
            Some(Type::Optional(t)) if matches!(**t, Type::Record(_)) => match **t {
                Type::Record(r) => r,
                _ => return (Ex::Const(Value::Absent), Type::Error),
            },
            Some(Type::Error) => return (Ex::Const(Value::Absent), Type::Error),
            _ => return self.err(Diagnostic::new(Code::TypeMismatch, span, "the type of this record is not known here").help("records are written where a record type is expected, such as a field or a fact")),
        };
        let Some(info) = self.g.schema.records.get(r as usize).cloned() else {
            return (Ex::Const(Value::Absent), Type::Error);
        };
        let out = self.fields(&info.name, &info.fields, fields, span);
        let ex = match consts(&out) {
            Some(vals) => Ex::Const(Value::Record(vals.into())),
            None => Ex::Record(out),
        };
        (ex, Type::Record(r))
    }

    /// Field values in declaration order, with defaults and absent optionals filled in.
    pub fn fields(
        &mut self,
        owner: &str,
        decl: &[FieldInfo],
        given: &[(ast::Ident, ast::Expr)],
        span: Span,
    ) -> Vec<Ex> {
        for (name, _) in given {
            if !decl.iter().any(|f| f.name == name.name) {
                let names: Vec<&str> = decl.iter().map(|f| f.name.as_str()).collect();
                let mut d = Diagnostic::new(
                    Code::UnknownField,
                    name.span,
                    format!("`{owner}` has no field `{}`", name.name),
                )
                .label("unknown field");
                d = match suggest(&name.name, names.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("the fields of `{owner}` are {}", names.join(", "))),
                };
                self.g.error(d);
            }
        }
        for (name, _) in given {
            if decl.iter().any(|f| f.name == name.name) {
                self.g.refer(name, || Symbol::Field {
                    record: owner.to_string(),
                    field: name.name.clone(),
                });
            }
        }
        let mut out = Vec::with_capacity(decl.len());
        for f in decl {
            match given.iter().find(|(n, _)| n.name == f.name) {
                Some((_, e)) => out.push(self.expect(e, &f.ty)),
                None => match (&f.default, &f.ty) {
                    (Some(v), _) => out.push(Ex::Const(v.clone())),
                    (None, Type::Optional(_)) => out.push(Ex::Const(Value::Absent)),
                    (None, Type::Error) => out.push(Ex::Const(Value::Absent)),
                    (None, _) => {
                        self.g.error(
                            Diagnostic::new(Code::MissingField, span, format!("field `{}` of `{owner}` is missing", f.name))
                                .label(format!("`{}` is required", f.name))
                                .with_secondary(f.span, "declared here")
                                .help(format!("give a value for `{}`, or declare the field optional or with a default", f.name)),
                        );
                        out.push(Ex::Const(Value::Absent));
                    }
                },
            }
        }
        out
    }
}
