//! The built-in functions: their names, arities and types.

use super::expr::ExprCx;
use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::ir::{Builtin, Ex, Type};
use crate::source::Span;
use crate::syntax::ast;
use crate::value::Value;

pub const NAMES: &[&str] = &[
    "age",
    "days_between",
    "period",
    "start",
    "end",
    "days",
    "days_present",
    "max_days_in_any_window",
    "year",
    "date",
    "count",
    "is_empty",
    "min",
    "max",
    "round",
    "value_or",
    "is_working_day",
    "working_days_between",
];

pub fn call(
    cx: &mut ExprCx<'_, '_>,
    name: &ast::Ident,
    args: &[ast::Expr],
    span: Span,
) -> (Ex, Type) {
    use Builtin as B;
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
        "date" => Some((
            B::Date,
            vec![Type::Integer, Type::Integer, Type::Integer],
            Type::Date,
        )),
        _ => None,
    };
    if let Some((b, params, ret)) = fixed {
        if params.len() != args.len() {
            return cx.arity(name, params.len(), args.len(), span);
        }
        let exs: Vec<Ex> = args
            .iter()
            .zip(&params)
            .map(|(a, t)| cx.expect(a, t))
            .collect();
        return (fold(cx, b, exs, span), ret);
    }
    match name.name.as_str() {
        "count" | "is_empty" => {
            if args.len() != 1 {
                return cx.arity(name, 1, args.len(), span);
            }
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
            if args.len() != 2 {
                return cx.arity(name, 2, args.len(), span);
            }
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
            if args.len() != 2 {
                return cx.arity(name, 2, args.len(), span);
            }
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
            if args.len() != 2 {
                return cx.arity(name, 2, args.len(), span);
            }
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
            if args.len() != 2 {
                return cx.arity(name, 2, args.len(), span);
            }
            let d = cx.expect(&args[0], &Type::Date);
            let c = cx.calendar_arg(&args[1]);
            (Ex::Builtin(B::IsWorkingDay, vec![d, c]), Type::Bool)
        }
        "working_days_between" => {
            if args.len() != 3 {
                return cx.arity(name, 3, args.len(), span);
            }
            let a = cx.expect(&args[0], &Type::Date);
            let b = cx.expect(&args[1], &Type::Date);
            let c = cx.calendar_arg(&args[2]);
            (
                Ex::Builtin(B::WorkingDaysBetween, vec![a, b, c]),
                Type::Integer,
            )
        }
        _ => {
            let mut candidates: Vec<&str> = NAMES.to_vec();
            candidates.extend(cx.v.tables.keys().map(String::as_str));
            let mut d = Diagnostic::new(
                Code::UnknownName,
                name.span,
                format!("unknown function or table `{}`", name.name),
            )
            .label("not found");
            d = match suggest(&name.name, candidates.into_iter()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!("the built-in functions are {}", NAMES.join(", "))),
            };
            cx.g.error(d);
            (Ex::Const(Value::Absent), Type::Error)
        }
    }
}

/// `period(2026-01-01, 2026-03-31)` and `date(2026, 3, 10)` with constant arguments are
/// constants, so they can be written in tests, defaults and parameter values.
fn fold(cx: &mut ExprCx<'_, '_>, b: Builtin, exs: Vec<Ex>, span: Span) -> Ex {
    if !matches!(b, Builtin::Period | Builtin::Date) {
        return Ex::Builtin(b, exs);
    }
    let Some(vals) = super::expr::consts(&exs) else {
        return Ex::Builtin(b, exs);
    };
    match crate::eval::ops::builtin(&crate::ir::Program::default(), b, &vals) {
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
