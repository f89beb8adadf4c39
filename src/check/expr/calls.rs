//! Calls: a table looked up by its keys, or a built-in function (the catalogue of their
//! names, arities and types is here too).

use super::ExprCx;
use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::ir::{Builtin, Ex, Type};
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind};
use crate::value::Value;

/// A built-in function as authors see it: in completion, on hover and in docs/language.md.
/// The checker takes the number of arguments from here, so what an author is shown and what
/// the checker accepts cannot drift apart.
pub struct Function {
    pub name: &'static str,
    pub params: &'static [&'static str],
    pub returns: &'static str,
    pub doc: &'static str,
}

impl Function {
    /// `days_between(from, to) -> integer`
    pub fn signature(&self) -> String {
        format!(
            "{}({}) -> {}",
            self.name,
            self.params.join(", "),
            self.returns
        )
    }
}

const fn f(
    name: &'static str,
    params: &'static [&'static str],
    returns: &'static str,
    doc: &'static str,
) -> Function {
    Function {
        name,
        params,
        returns,
        doc,
    }
}

pub const FUNCTIONS: &[Function] = &[
    f(
        "age",
        &["birth_date", "on"],
        "integer",
        "Whole years of age on a date.",
    ),
    f(
        "days_between",
        &["from", "to"],
        "integer",
        "Days from one date to another (`to - from`).",
    ),
    f(
        "period",
        &["start", "end"],
        "period",
        "The period from `start` to `end`, both days included.",
    ),
    f("start", &["period"], "date", "The first day of a period."),
    f("end", &["period"], "date", "The last day of a period."),
    f(
        "days",
        &["period"],
        "integer",
        "The number of days in a period, both ends included.",
    ),
    f(
        "days_present",
        &["stays", "window"],
        "integer",
        "The distinct days of the stays that fall inside the window period.",
    ),
    f(
        "max_days_in_any_window",
        &["stays", "window_days"],
        "integer",
        "The most days of the stays inside any window of `window_days` consecutive days.",
    ),
    f("year", &["date"], "integer", "The year of a date."),
    f(
        "month",
        &["date"],
        "integer",
        "The month of a date, 1 to 12.",
    ),
    f(
        "day",
        &["date"],
        "integer",
        "The day of the month of a date, 1 to 31.",
    ),
    f(
        "weekday",
        &["date"],
        "weekday",
        "The day of the week of a date, `monday` to `sunday` (compare with `is`).",
    ),
    f(
        "start_of_month",
        &["date"],
        "date",
        "The first day of the month of a date.",
    ),
    f(
        "end_of_month",
        &["date"],
        "date",
        "The last day of the month of a date (the 29th of February in a leap year).",
    ),
    f(
        "date",
        &["year", "month", "day"],
        "date",
        "The date of a year, month and day.",
    ),
    f(
        "count",
        &["list"],
        "integer",
        "The number of items in a list.",
    ),
    f(
        "is_empty",
        &["list"],
        "bool",
        "Whether a list has no items.",
    ),
    f(
        "min",
        &["a", "b"],
        "same type",
        "The smaller of two numbers, amounts or dates.",
    ),
    f(
        "max",
        &["a", "b"],
        "same type",
        "The larger of two numbers, amounts or dates.",
    ),
    f(
        "round",
        &["amount", "places"],
        "same type",
        "A decimal or amount rounded to `places` decimal places, half away from zero.",
    ),
    f(
        "value_or",
        &["optional", "default"],
        "value",
        "The optional value when it is present, else `default`.",
    ),
    f(
        "is_working_day",
        &["date", "calendar"],
        "bool",
        "Whether a date is a working day in a calendar.",
    ),
    f(
        "working_days_between",
        &["from", "to", "calendar"],
        "integer",
        "Working days of a calendar after `from` up to and including `to`.",
    ),
];

/// The built-in function of that name.
pub fn function(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

impl ExprCx<'_, '_> {
    /// `name(args)`: a table lookup or a call of a built-in function.
    pub(super) fn call(&mut self, name: &ast::Ident, args: &[ast::Expr], span: Span) -> (Ex, Type) {
        if let Some((tid, keys, ty)) = self.v.tables.get(&name.name).cloned() {
            self.g.use_decl(name);
            if keys.len() != args.len() {
                return self.arity(name, keys.len(), args.len(), span);
            }
            let exs = args
                .iter()
                .zip(&keys)
                .map(|(a, k)| self.expect(a, k))
                .collect();
            return (Ex::Table(tid, exs), ty);
        }
        builtin(self, name, args, span)
    }

    /// `WrongArity`: `name` takes `want` arguments, not `got`.
    fn arity(&mut self, name: &ast::Ident, want: usize, got: usize, span: Span) -> (Ex, Type) {
        self.err(
            Diagnostic::new(
                Code::WrongArity,
                span,
                format!(
                    "`{}` takes {want} argument{}, found {got}",
                    name.name,
                    if want == 1 { "" } else { "s" }
                ),
            )
            .label(format!("{got} given"))
            .help(format!("give `{}` exactly {want}", name.name)),
        )
    }

    /// The calendar named by an argument.
    fn calendar_arg(&mut self, e: &ast::Expr) -> Ex {
        if let ExprKind::Name(id) = &e.kind {
            if let Some(&c) = self.v.calendars.get(&id.name) {
                self.g.use_decl(id);
                return Ex::Calendar(c);
            }
            return self.unknown(id, "calendar").0;
        }
        self.err(
            Diagnostic::new(
                Code::TypeMismatch,
                e.span,
                "expected the name of a calendar",
            )
            .help("declare one with `calendar NAME { ... }`"),
        )
        .0
    }
}

/// A call of the built-in function `name`, typed by its own rule.
fn builtin(
    cx: &mut ExprCx<'_, '_>,
    name: &ast::Ident,
    args: &[ast::Expr],
    span: Span,
) -> (Ex, Type) {
    use Builtin as B;
    let Some(function) = function(&name.name) else {
        return unknown(cx, name);
    };
    if function.params.len() != args.len() {
        return cx.arity(name, function.params.len(), args.len(), span);
    }
    let periods = Type::List(Box::new(Type::Period));
    let fixed: Option<(Builtin, Vec<Type>, Type)> = match name.name.as_str() {
        "age" => Some((B::Age, vec![Type::Date, Type::Date], Type::Integer)),
        "days_between" => Some((B::DaysBetween, vec![Type::Date, Type::Date], Type::Integer)),
        "period" => Some((B::Period, vec![Type::Date, Type::Date], Type::Period)),
        "start" => Some((B::Start, vec![Type::Period], Type::Date)),
        "end" => Some((B::End, vec![Type::Period], Type::Date)),
        "days" => Some((B::Days, vec![Type::Period], Type::Integer)),
        "days_present" => Some((
            B::DaysPresent,
            vec![periods.clone(), Type::Period],
            Type::Integer,
        )),
        "max_days_in_any_window" => Some((
            B::MaxDaysInAnyWindow,
            vec![periods, Type::Integer],
            Type::Integer,
        )),
        "year" => Some((B::Year, vec![Type::Date], Type::Integer)),
        "month" => Some((B::Month, vec![Type::Date], Type::Integer)),
        "day" => Some((B::Day, vec![Type::Date], Type::Integer)),
        "weekday" => Some((
            B::Weekday,
            vec![Type::Date],
            cx.g.schema.weekday.map_or(Type::Error, Type::Enum),
        )),
        "start_of_month" => Some((B::StartOfMonth, vec![Type::Date], Type::Date)),
        "end_of_month" => Some((B::EndOfMonth, vec![Type::Date], Type::Date)),
        "date" => Some((
            B::Date,
            vec![Type::Integer, Type::Integer, Type::Integer],
            Type::Date,
        )),
        _ => None,
    };
    if let Some((b, params, ret)) = fixed {
        let exs: Vec<Ex> = args
            .iter()
            .zip(&params)
            .map(|(a, t)| cx.expect(a, t))
            .collect();
        return (fold(cx, b, exs, span), ret);
    }
    match name.name.as_str() {
        "count" | "is_empty" => {
            let (ex, ty) = cx.check(&args[0], None);
            if !matches!(ty, Type::List(_) | Type::Error) {
                let t = cx.g.type_name(&ty);
                cx.g.error(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        args[0].span,
                        format!("expected a list, found {t}"),
                    )
                    .label("not a list"),
                );
            }
            let (b, ret) = if name.name == "count" {
                (B::Count, Type::Integer)
            } else {
                (B::IsEmpty, Type::Bool)
            };
            (Ex::Builtin(b, vec![ex]), ret)
        }
        "min" | "max" => {
            let (a, at) = cx.check(&args[0], None);
            let (b, bt) = cx.check(&args[1], Some(&at));
            let (ty, a, b) = cx.unify(a, at, args[0].span, b, bt, args[1].span);
            if !matches!(
                ty,
                Type::Integer | Type::Decimal | Type::Money(_) | Type::Date | Type::Error
            ) {
                let t = cx.g.type_name(&ty);
                cx.g.error(
                    Diagnostic::new(
                        Code::InvalidOperation,
                        span,
                        format!("{t} values have no order"),
                    )
                    .help("`min` and `max` take numbers, amounts or dates"),
                );
            }
            (
                Ex::Builtin(if name.name == "min" { B::Min } else { B::Max }, vec![a, b]),
                ty,
            )
        }
        "round" => {
            let (a, at) = cx.check(&args[0], None);
            if !matches!(
                at,
                Type::Decimal | Type::Money(_) | Type::Integer | Type::Error
            ) {
                let t = cx.g.type_name(&at);
                cx.g.error(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        args[0].span,
                        format!("cannot round {t}"),
                    )
                    .help("`round(x, places)` takes a decimal or an amount"),
                );
            }
            let p = cx.expect(&args[1], &Type::Integer);
            (Ex::Builtin(B::Round, vec![a, p]), at)
        }
        "value_or" => {
            let (a, at) = cx.check(&args[0], None);
            let inner = match at {
                Type::Optional(t) => *t,
                Type::Error => Type::Error,
                other => {
                    let t = cx.g.type_name(&other);
                    cx.g.error(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            args[0].span,
                            format!("expected an optional value, found {t}"),
                        )
                        .help("`value_or(x, default)` gives `default` when `x` is absent"),
                    );
                    other
                }
            };
            let a = match a {
                Ex::Unwrap(x) => *x,
                other => other,
            };
            let b = cx.expect(&args[1], &inner);
            (Ex::Builtin(B::ValueOr, vec![a, b]), inner)
        }
        "is_working_day" => {
            let d = cx.expect(&args[0], &Type::Date);
            let c = cx.calendar_arg(&args[1]);
            (Ex::Builtin(B::IsWorkingDay, vec![d, c]), Type::Bool)
        }
        "working_days_between" => {
            let a = cx.expect(&args[0], &Type::Date);
            let b = cx.expect(&args[1], &Type::Date);
            let c = cx.calendar_arg(&args[2]);
            (
                Ex::Builtin(B::WorkingDaysBetween, vec![a, b, c]),
                Type::Integer,
            )
        }
        // Every name of FUNCTIONS has an arm above.
        _ => unknown(cx, name),
    }
}

/// `unknown function or table`, with the closest name.
fn unknown(cx: &mut ExprCx<'_, '_>, name: &ast::Ident) -> (Ex, Type) {
    if let Some(d) = cx.g.added_later(name) {
        cx.g.error(d);
        return (Ex::Const(Value::Absent), Type::Error);
    }
    let functions: Vec<&str> = FUNCTIONS.iter().map(|f| f.name).collect();
    let mut candidates = functions.clone();
    candidates.extend(cx.v.tables.keys().map(String::as_str));
    let mut d = Diagnostic::new(
        Code::UnknownName,
        name.span,
        format!("unknown function or table `{}`", name.name),
    )
    .label("not found");
    d = match suggest(&name.name, candidates.into_iter()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(format!(
            "the built-in functions are {}",
            functions.join(", ")
        )),
    };
    cx.g.error(d);
    (Ex::Const(Value::Absent), Type::Error)
}

/// `period(2026-01-01, 2026-03-31)` and `date(2026, 3, 10)` with constant arguments are
/// constants, so they can be written in tests, defaults and parameter values.
fn fold(cx: &mut ExprCx<'_, '_>, b: Builtin, exs: Vec<Ex>, span: Span) -> Ex {
    if !matches!(b, Builtin::Period | Builtin::Date) {
        return Ex::Builtin(b, exs);
    }
    let Some(vals) = super::consts(&exs) else {
        return Ex::Builtin(b, exs);
    };
    match crate::ops::builtin(&crate::ir::Program::default(), b, &vals) {
        Ok(v) => Ex::Const(v),
        Err(e) => {
            cx.g.error(
                Diagnostic::new(Code::InvalidLiteral, span, e.message.clone())
                    .help("check the dates"),
            );
            Ex::Const(Value::Absent)
        }
    }
}
