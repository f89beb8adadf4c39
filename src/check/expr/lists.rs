//! The list forms that answer per item, `map`, `filter`, `min` and `max` (their bodies: the
//! item variable is brought into scope by `control.rs`, as for `any` and `sum`), and lists
//! joined with `+`.

use super::{compatible, ExprCx};
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::{ArithOp, Ex, QuantKind, Type};
use crate::source::Span;
use crate::syntax::ast::{self, ExprKind, Quantifier};

/// Whether `t` is a list (or an optional one).
pub(super) fn is_list(t: &Type) -> bool {
    matches!(t.without_optional(), Type::List(_))
}

/// Whether a list whose items' type is known (`[]` alone is a list of unknown).
fn known_list(t: &Type) -> Option<&Type> {
    match t.without_optional() {
        l @ Type::List(item) if !item.is_error() => Some(l),
        _ => None,
    }
}

/// Whether `l + r` joins lists, decided before its sides are checked: a list is expected, or
/// the left side is written as a list. Then the expected list types bare enum values on both
/// sides (`[invitation] + steps`).
pub(super) fn joins_lists(l: &ast::Expr, expected: Option<&Type>) -> bool {
    expected.is_some_and(is_list) || matches!(l.kind, ExprKind::List(_))
}

/// A side of `+`, checked: its lowered form, its type and its text.
type Side<'e> = (Ex, Type, &'e ast::Expr);

impl ExprCx<'_, '_> {
    /// The body of `map`, `filter`, `min` or `max` over items of type `item`; `expected` is
    /// the type wanted of the whole form, which types a `map`'s values (`map d in L of {...}`
    /// for a list of records).
    pub(super) fn list_form(
        &mut self,
        kind: Quantifier,
        body: &ast::Expr,
        item: &Type,
        expected: Option<&Type>,
    ) -> (QuantKind, Ex, Type) {
        match kind {
            Quantifier::Filter => (
                QuantKind::Filter,
                self.expect(body, &Type::Bool),
                Type::List(Box::new(item.clone())),
            ),
            Quantifier::Map => {
                let wanted = match expected.and_then(known_list) {
                    Some(Type::List(t)) => Some((**t).clone()),
                    _ => None,
                };
                let (ex, ty) = match wanted {
                    Some(t) => (self.expect(body, &t), t),
                    None => self.check(body, None),
                };
                (QuantKind::Map, ex, Type::List(Box::new(ty)))
            }
            _ => {
                let qk = if kind == Quantifier::Min {
                    QuantKind::Min
                } else {
                    QuantKind::Max
                };
                let (ex, ty) = self.check(body, None);
                (qk, ex, self.least_or_greatest_type(kind, ty, body.span))
            }
        }
    }

    /// The type of `min`/`max x in L of E` from the type of `E`: optional, since a list may be
    /// empty; values without an order, or that may be absent, are refused.
    fn least_or_greatest_type(&mut self, kind: Quantifier, ty: Type, span: Span) -> Type {
        let word = kind.word();
        match ty {
            Type::Error => Type::Error,
            Type::Integer | Type::Decimal | Type::Money(_) | Type::Date | Type::Duration => {
                Type::Optional(Box::new(ty))
            }
            Type::Optional(_) => {
                let t = self.g.type_name(&ty);
                self.g.error(
                    Diagnostic::new(
                        Code::MaybeAbsent,
                        span,
                        format!("`{word}` compares values that may be absent ({t})"),
                    )
                    .label("may be absent")
                    .help(format!(
                        "give every item a value with `value_or(VALUE, DEFAULT)`, or leave out \
                         the items without one: `{word} x in (filter x in LIST where VALUE is \
                         present) of VALUE`"
                    )),
                );
                Type::Error
            }
            other => {
                let t = self.g.type_name(&other);
                self.g.error(
                    Diagnostic::new(
                        Code::NoOrder,
                        span,
                        format!("{t} values have no order: `{word}` cannot compare them"),
                    )
                    .label(format!("this is {t}"))
                    .help(format!(
                        "`{word}` compares numbers, amounts, dates or durations: compare one of \
                         the item's fields, such as `{word} f in fines of f.amount`"
                    )),
                );
                Type::Error
            }
        }
    }

    /// `l + r` when a list is expected or `l` is written as a list: the left side first, with
    /// the expected type, then the right with the left's.
    pub(super) fn join(
        &mut self,
        l: &ast::Expr,
        r: &ast::Expr,
        expected: Option<&Type>,
        span: Span,
    ) -> (Ex, Type) {
        let wanted = expected.and_then(known_list).cloned();
        let (lex, lty) = self.check(l, wanted.as_ref());
        let right_wanted = known_list(&lty).cloned().or(wanted);
        let (rex, rty) = self.check(r, right_wanted.as_ref());
        self.joined((lex, lty, l), (rex, rty, r), span)
    }

    /// Two lists joined: the items of the left, then those of the right. Their items must be
    /// of one type (an empty `[]` takes the other's).
    pub(super) fn joined(&mut self, left: Side<'_>, right: Side<'_>, span: Span) -> (Ex, Type) {
        let (lex, lty, l) = left;
        let (rex, rty, r) = right;
        let ty = match (&lty, &rty) {
            (Type::Error, _) | (_, Type::Error) => Type::Error,
            (Type::List(a), Type::List(b)) if a.is_error() || **a == **b => rty.clone(),
            (Type::List(a), Type::List(b)) if b.is_error() => lty.clone(),
            (Type::List(a), Type::List(b)) if compatible(a, b) && compatible(b, a) => lty.clone(),
            (Type::List(_), Type::List(_)) => {
                let (ta, tb) = (self.g.type_name(&lty), self.g.type_name(&rty));
                return self.err(
                    Diagnostic::new(
                        Code::ListsOfDifferentTypes,
                        span,
                        format!("cannot join a {ta} and a {tb}"),
                    )
                    .with_secondary(l.span, format!("this is a {ta}"))
                    .with_secondary(r.span, format!("this is a {tb}"))
                    .help(
                        "the items of joined lists must have one type; to turn each item into \
                         another value first, write `map x in LIST of VALUE`",
                    ),
                );
            }
            (Type::Optional(_), _) | (_, Type::Optional(_)) => {
                let side = if matches!(lty, Type::Optional(_)) {
                    l
                } else {
                    r
                };
                let t = self
                    .g
                    .type_name(if side.span == l.span { &lty } else { &rty });
                return self.err(
                    Diagnostic::new(
                        Code::MaybeAbsent,
                        side.span,
                        format!("this list may be absent ({t})"),
                    )
                    .label("may be absent")
                    .help("join it as `value_or(LIST, [])`, or check it with `is present` first"),
                );
            }
            _ => {
                let (other, side) = if is_list(&lty) { (&rty, r) } else { (&lty, l) };
                let t = self.g.type_name(other);
                return self.err(
                    Diagnostic::new(
                        Code::InvalidOperation,
                        span,
                        format!("cannot join a list and {t}"),
                    )
                    .with_secondary(side.span, format!("this is {t}, not a list"))
                    .help(
                        "`+` joins two lists; to add one item, put it in a list: `LIST + [item]`",
                    ),
                );
            }
        };
        (Ex::Arith(ArithOp::Add, Box::new(lex), Box::new(rex)), ty)
    }
}
