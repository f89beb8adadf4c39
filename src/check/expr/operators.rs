//! Operators: `not` and negation, `and`/`or` (the right side is checked with what the left
//! proves present), membership (`in`, `not in`), comparisons and arithmetic typing.

use super::lists::is_list;
use super::{list_compatible, ExprCx};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::{self, BinaryOp, UnaryOp};
use crate::value::Value;

impl ExprCx<'_, '_> {
    /// `not x` and `-x`.
    pub(super) fn unary(&mut self, op: UnaryOp, x: &ast::Expr, span: Span) -> (Ex, Type) {
        match op {
            UnaryOp::Not => (Ex::Not(Box::new(self.expect(x, &Type::Bool))), Type::Bool),
            UnaryOp::Neg => {
                let (ex, ty) = self.check(x, None);
                match ty {
                    Type::Integer | Type::Decimal | Type::Money(_) | Type::Error => {
                        (Ex::Neg(Box::new(ex)), ty)
                    }
                    other => {
                        let t = self.g.type_name(&other);
                        self.err(
                            Diagnostic::new(
                                Code::InvalidOperation,
                                span,
                                format!("cannot negate {t}"),
                            )
                            .help("only numbers and amounts have a sign"),
                        )
                    }
                }
            }
        }
    }
    /// `and`, `or`, `in`, `not in`, comparisons and arithmetic.
    pub(super) fn binary(
        &mut self,
        op: BinaryOp,
        l: &ast::Expr,
        r: &ast::Expr,
        span: Span,
    ) -> (Ex, Type) {
        match op {
            BinaryOp::And => {
                let a = self.expect(l, &Type::Bool);
                let b = self.with_narrowed(l, true, |cx| cx.expect(r, &Type::Bool));
                (Ex::And(Box::new(a), Box::new(b)), Type::Bool)
            }
            BinaryOp::Or => {
                let a = self.expect(l, &Type::Bool);
                let b = self.with_narrowed(l, false, |cx| cx.expect(r, &Type::Bool));
                (Ex::Or(Box::new(a), Box::new(b)), Type::Bool)
            }
            BinaryOp::In | BinaryOp::NotIn => {
                // `regime in [visa_required, ...]`: the left side gives the type of bare enum
                // values on the right (unless it is a bare value itself).
                let left_first = (!self.is_value_name(l)).then(|| self.check(l, None));
                let expected_list = left_first
                    .as_ref()
                    .filter(|(_, t)| !t.is_error())
                    .map(|(_, t)| Type::List(Box::new(strip_optional(t))));
                let (rex, rty) = self.check(r, expected_list.as_ref());
                let elem = match &rty {
                    Type::List(t) => (**t).clone(),
                    Type::Error => Type::Error,
                    other => {
                        let t = self.g.type_name(other);
                        return self.err(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                r.span,
                                format!("expected a list, found {t}"),
                            )
                            .label("not a list")
                            .help("`x in LIST` tests membership in a list"),
                        );
                    }
                };
                let (lex, lty) = match left_first {
                    Some(checked) => checked,
                    None => self.check(l, Some(&elem)),
                };
                self.comparable(&lty, &elem, l, r, span);
                let ex = Ex::In(Box::new(lex), Box::new(rex));
                (
                    if op == BinaryOp::NotIn {
                        Ex::Not(Box::new(ex))
                    } else {
                        ex
                    },
                    Type::Bool,
                )
            }
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => self.compare(op, l, r, span),
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                self.arith(op, l, r, span)
            }
        }
    }

    /// `==`, `!=`, `<`, `<=`, `>`, `>=`: comparable operands, and ordered ones for `<` and `>`.
    fn compare(&mut self, op: BinaryOp, l: &ast::Expr, r: &ast::Expr, span: Span) -> (Ex, Type) {
        // A bare enum value on the left (`electronic == x`) takes its type from the right.
        let (lex, lty, rex, rty) = if self.is_bare_variant(l) {
            let (rex, rty) = self.check(r, None);
            let (lex, lty) = self.check(l, Some(&rty));
            (lex, lty, rex, rty)
        } else {
            let (lex, lty) = self.check(l, None);
            let (rex, rty) = self.check(r, Some(&lty));
            (lex, lty, rex, rty)
        };
        let cmp = match op {
            BinaryOp::Eq => CmpOp::Eq,
            BinaryOp::Ne => CmpOp::Ne,
            BinaryOp::Lt => CmpOp::Lt,
            BinaryOp::Le => CmpOp::Le,
            BinaryOp::Gt => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        if !self.comparable(&lty, &rty, l, r, span) {
            return (Ex::Const(Value::Absent), Type::Error);
        }
        if !matches!(cmp, CmpOp::Eq | CmpOp::Ne) {
            let ordered = matches!(
                &lty,
                Type::Integer
                    | Type::Decimal
                    | Type::Money(_)
                    | Type::Date
                    | Type::Duration
                    | Type::Error
            );
            if !ordered {
                let t = self.g.type_name(&lty);
                return self.err(
                    Diagnostic::new(
                        Code::InvalidOperation,
                        span,
                        format!("{t} values have no order"),
                    )
                    .label(format!("`{}` is not defined on {t}", op.symbol()))
                    .help(
                        "only numbers, amounts, dates and durations can be compared with < and >",
                    ),
                );
            }
        }
        (Ex::Cmp(cmp, Box::new(lex), Box::new(rex)), Type::Bool)
    }

    /// Whether values of the two types can be compared; reports when not.
    fn comparable(&mut self, a: &Type, b: &Type, l: &ast::Expr, r: &ast::Expr, span: Span) -> bool {
        let (ls, rs) = (l.span, r.span);
        if a.is_error() || b.is_error() {
            return true;
        }
        let (sa, sb) = (a, b);
        if matches!((sa, sb), (Type::Optional(_), _) | (_, Type::Optional(_))) {
            let which = if matches!(a, Type::Optional(_)) {
                ls
            } else {
                rs
            };
            let what = self.g.snippet(which);
            self.g.error(Diagnostic::new(Code::MaybeAbsent, which, format!("`{what}` may be absent")).label("optional value").help(format!("check it first (`{what} is present and ...`) or use `value_or({what}, ...)`")));
            return false;
        }
        let numeric = |t: &Type| matches!(t, Type::Integer | Type::Decimal);
        if sa == sb || (numeric(sa) && numeric(sb)) || list_compatible(sa, sb) {
            return true;
        }
        let (ta, tb) = (self.g.type_name(a), self.g.type_name(b));
        self.g.error(
            Diagnostic::new(
                Code::Incomparable,
                span,
                format!("{ta} cannot be compared with {tb}"),
            )
            .with_secondary(ls, format!("this is {ta}"))
            .with_secondary(rs, format!("this is {tb}"))
            .help(
                self.count_of_money_help(a, b, l, r)
                    .unwrap_or_else(|| incomparable_help(sa, sb)),
            ),
        );
        false
    }

    /// `+ - * /`: the result type by the operand types (money times a number is money).
    fn arith(&mut self, op: BinaryOp, l: &ast::Expr, r: &ast::Expr, span: Span) -> (Ex, Type) {
        let (lex, lty) = self.check(l, None);
        let (rex, rty) = self.check(r, None);
        if op == BinaryOp::Add && (is_list(&lty) || is_list(&rty)) {
            return self.joined((lex, lty, l), (rex, rty, r), span);
        }
        let aop = match op {
            BinaryOp::Add => ArithOp::Add,
            BinaryOp::Sub => ArithOp::Sub,
            BinaryOp::Mul => ArithOp::Mul,
            _ => ArithOp::Div,
        };
        use Type::*;
        let result = match (aop, &lty, &rty) {
            (_, Error, _) | (_, _, Error) => Some(Error),
            (ArithOp::Div, Integer, Integer) => Some(Decimal),
            (_, Integer, Integer) => Some(Integer),
            (_, Integer | Decimal, Integer | Decimal) => Some(Decimal),
            (ArithOp::Add | ArithOp::Sub, Money(a), Money(b)) if a == b => Some(Money(a.clone())),
            (ArithOp::Div, Money(a), Money(b)) if a == b => Some(Decimal),
            (ArithOp::Mul | ArithOp::Div, Money(a), Integer | Decimal) => Some(Money(a.clone())),
            (ArithOp::Mul, Integer | Decimal, Money(a)) => Some(Money(a.clone())),
            (ArithOp::Add | ArithOp::Sub, Date, Duration) => Some(Date),
            (ArithOp::Add, Duration, Date) => Some(Date),
            (ArithOp::Sub, Date, Date) => Some(Integer),
            (ArithOp::Add, Text, Text) => Some(Text),
            _ => None,
        };
        match result {
            Some(t) => (Ex::Arith(aop, Box::new(lex), Box::new(rex)), t),
            None => {
                let (ta, tb) = (self.g.type_name(&lty), self.g.type_name(&rty));
                let count = match aop {
                    ArithOp::Add | ArithOp::Sub => self.count_of_money_help(&lty, &rty, l, r),
                    _ => None,
                };
                let d = Diagnostic::new(
                    Code::InvalidOperation,
                    span,
                    format!("cannot compute {ta} {} {tb}", op.symbol()),
                )
                .with_secondary(l.span, format!("this is {ta}"))
                .with_secondary(r.span, format!("this is {tb}"))
                .help(count.unwrap_or_else(|| arithmetic_help(&lty, &rty)));
                self.err(d)
            }
        }
    }
}

impl ExprCx<'_, '_> {
    /// Money against an integer parameter or rule (`fine_mci`): the integer is a count of
    /// some unit, most often of MCI, and the fix is to multiply it by the unit's amount, not
    /// to write a currency. `None` when the integer side is not such a name.
    fn count_of_money_help(
        &self,
        a: &Type,
        b: &Type,
        l: &ast::Expr,
        r: &ast::Expr,
    ) -> Option<String> {
        let count = match (a, b) {
            (Type::Money(_), Type::Integer) => r,
            (Type::Integer, Type::Money(_)) => l,
            _ => return None,
        };
        let ast::ExprKind::Name(id) = &count.kind else {
            return None;
        };
        let n = id.name.as_str();
        let is_integer = |t: &Type| *t == Type::Integer;
        let named = self.v.params.get(n).is_some_and(|(_, t)| is_integer(t))
            || self.v.rules.get(n).is_some_and(|(_, t)| is_integer(t));
        if !named {
            return None;
        }
        // A money parameter named for the MCI, the exact name first.
        let unit = self
            .v
            .params
            .iter()
            .filter(|(p, (_, t))| p.to_lowercase().contains("mci") && matches!(t, Type::Money(_)))
            .map(|(p, _)| p.as_str())
            .min_by_key(|p| (p.len(), *p));
        let of_mci = n.to_lowercase().contains("mci");
        Some(match (unit, of_mci) {
            (Some(u), true) => {
                format!("`{n}` is a number of MCI: multiply it by the MCI in force (`{n} * {u}`)")
            }
            (Some(u), false) => format!(
                "`{n}` is a number, not an amount: multiply it by a money amount, such as the MCI in force (`{n} * {u}`)"
            ),
            (None, true) => format!(
                "`{n}` is a number of MCI: multiply it by the MCI in force, a money parameter"
            ),
            (None, false) => {
                format!("`{n}` is a number, not an amount: multiply it by a money amount")
            }
        })
    }
}

/// Why two values cannot be combined by an arithmetic operator, and what to write instead.
fn arithmetic_help(a: &Type, b: &Type) -> String {
    use Type::*;
    match (a, b) {
        (Optional(_), _) | (_, Optional(_)) => {
            "one side may be absent: check it with `is present` first or use `value_or`".into()
        }
        (Date, Money(_)) | (Money(_), Date) => {
            "a date can be moved by a duration (`+ 30 days`), not by an amount of money".into()
        }
        (Money(a), Money(b)) if a != b => {
            "amounts in different currencies cannot be combined".into()
        }
        _ => "see docs/language.md for the operations on each type".into(),
    }
}

/// How to write the two sides of a refused comparison so that they compare.
fn incomparable_help(a: &Type, b: &Type) -> String {
    match (a, b) {
        (Type::Enum(_), Type::Text) | (Type::Text, Type::Enum(_)) => {
            "write the enum value without quotes, such as `application.visa_form is electronic`"
                .into()
        }
        (Type::Money(_), Type::Integer | Type::Decimal)
        | (Type::Integer | Type::Decimal, Type::Money(_)) => {
            "write the amount with its currency, such as `4325 KZT`".into()
        }
        (Type::Date, Type::Text) | (Type::Text, Type::Date) => {
            "write the date without quotes, such as 2026-03-10".into()
        }
        _ => "both sides of a comparison must have the same type".into(),
    }
}

/// The type of a value once known to be present.
fn strip_optional(t: &Type) -> Type {
    match t {
        Type::Optional(inner) => (**inner).clone(),
        other => other.clone(),
    }
}
