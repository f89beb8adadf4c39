//! Control: `if`, `match` (patterns and exhaustiveness) and the quantifiers `any`, `all`,
//! `count` and `sum`, with the common type of branches.

use super::{compatible, to_decimal, ExprCx};
use crate::check::names::Symbol;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::{self, Quantifier};
use crate::value::Value;

impl ExprCx<'_, '_> {
    /// `if C then A else B`: each branch sees what `C` (or its negation) proves present.
    pub(super) fn if_expr(
        &mut self,
        c: &ast::Expr,
        a: &ast::Expr,
        b: &ast::Expr,
        expected: Option<&Type>,
    ) -> (Ex, Type) {
        let cex = self.expect(c, &Type::Bool);
        let (aex, aty) = self.with_narrowed(c, true, |cx| cx.check(a, expected));
        let hint = match expected {
            Some(t) if !t.is_error() => Some(t.clone()),
            _ if aty.is_error() => None,
            _ => Some(aty.clone()),
        };
        let (bex, bty) = self.with_narrowed(c, false, |cx| cx.check(b, hint.as_ref()));
        let (ty, aex, bex) = self.unify(aex, aty, a.span, bex, bty, b.span);
        (Ex::If(Box::new(cex), Box::new(aex), Box::new(bex)), ty)
    }

    /// The common type of two branches (integers widen to decimals).
    pub(super) fn unify(
        &mut self,
        aex: Ex,
        aty: Type,
        aspan: Span,
        bex: Ex,
        bty: Type,
        bspan: Span,
    ) -> (Type, Ex, Ex) {
        if aty == bty || bty.is_error() {
            return (aty, aex, bex);
        }
        if aty.is_error() {
            return (bty, aex, bex);
        }
        match (&aty, &bty) {
            (Type::Integer, Type::Decimal) => (Type::Decimal, to_decimal(aex), bex),
            (Type::Decimal, Type::Integer) => (Type::Decimal, aex, to_decimal(bex)),
            (t, Type::Optional(u)) if compatible(t, u) => (bty, aex, bex),
            (Type::Optional(t), u) if compatible(u, t) => (aty, aex, bex),
            (Type::List(x), Type::List(_)) if x.is_error() => (bty, aex, bex),
            (Type::List(_), Type::List(y)) if y.is_error() => (aty, aex, bex),
            _ => {
                let (ta, tb) = (self.g.type_name(&aty), self.g.type_name(&bty));
                self.g.error(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        bspan,
                        format!("branches have different types: {ta} and {tb}"),
                    )
                    .label(format!("this is {tb}"))
                    .with_secondary(aspan, format!("this is {ta}"))
                    .help("every branch must give a value of the same type"),
                );
                (Type::Error, aex, bex)
            }
        }
    }

    /// `match X { PATTERNS => VALUE ... }`: arms of one type, every value of `X` covered.
    pub(super) fn match_expr(
        &mut self,
        s: &ast::Expr,
        arms: &[ast::MatchArm],
        expected: Option<&Type>,
        span: Span,
    ) -> (Ex, Type) {
        let (sex, sty) = self.check(s, None);
        let mut compiled = Vec::new();
        let mut otherwise: Option<(Ex, Type, Span)> = None;
        let mut result: Option<(Type, Span)> = None;
        let mut covered: Vec<Value> = Vec::new();
        for arm in arms {
            let hint = result
                .as_ref()
                .map(|(t, _)| t.clone())
                .or_else(|| expected.cloned());
            let (vex, vty) = self.check(&arm.value, hint.as_ref());
            let vex = match &result {
                Some((t, first)) => {
                    let (_, _, v) = self.unify(
                        Ex::Const(Value::Absent),
                        t.clone(),
                        *first,
                        vex,
                        vty.clone(),
                        arm.value.span,
                    );
                    v
                }
                None => {
                    result = Some((vty.clone(), arm.value.span));
                    vex
                }
            };
            match &arm.pattern {
                None => otherwise = Some((vex, vty, arm.span)),
                Some(p) => {
                    let values = self.patterns(p, &sty);
                    covered.extend(values.iter().flatten().cloned());
                    compiled.push((values.into_iter().flatten().collect::<Vec<_>>(), vex));
                }
            }
        }
        if otherwise.is_none() {
            let missing = self.missing_values(&sty, &covered);
            if let Some(missing) = missing {
                if !missing.is_empty() {
                    self.g.error(
                        Diagnostic::new(
                            Code::NonExhaustiveMatch,
                            span,
                            "this match does not cover every value",
                        )
                        .label(format!("missing: {}", missing.join(", ")))
                        .help("add the missing arms or an `otherwise => ...` arm"),
                    );
                }
            }
        }
        let ty = result.map_or(Type::Error, |(t, _)| t);
        (
            Ex::Match(
                Box::new(sex),
                compiled,
                otherwise.map(|(e, _, _)| Box::new(e)),
            ),
            ty,
        )
    }

    /// Names of the values of `ty` not in `covered`; `None` when the type cannot be
    /// enumerated (an `otherwise` arm is then required).
    pub(super) fn missing_values(&mut self, ty: &Type, covered: &[Value]) -> Option<Vec<String>> {
        match ty {
            Type::Error => Some(Vec::new()),
            Type::Bool => Some(
                [true, false]
                    .iter()
                    .filter(|b| !covered.contains(&Value::Bool(**b)))
                    .map(|b| b.to_string())
                    .collect(),
            ),
            Type::Enum(e) => self.g.schema.enums.get(*e as usize).map(|info| {
                info.variants
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !covered.contains(&Value::Enum(*i as u32)))
                    .map(|(_, v)| v.name.clone())
                    .collect()
            }),
            _ => None,
        }
        .or(Some(vec![String::from(
            "other values (this type needs an `otherwise` arm)",
        )]))
    }

    /// The constant values of a pattern (`a or b`); `None` for the wildcard.
    pub fn patterns(&mut self, p: &ast::PatternAlt, ty: &Type) -> Vec<Option<Value>> {
        let mut out = Vec::new();
        for alt in &p.alternatives {
            match alt {
                ast::Pattern::Wildcard(_) => out.push(None),
                ast::Pattern::Band(b) => super::super::bands::refuse_in_match(self, b),
                ast::Pattern::Value(e) => {
                    let ex = self.expect(e, ty);
                    match ex {
                        Ex::Const(v) => out.push(Some(v)),
                        _ => self.g.error(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                e.span,
                                "a pattern must be a constant value",
                            )
                            .help("patterns are enum values, numbers, text, dates or `_`"),
                        ),
                    }
                }
            }
        }
        out
    }

    /// `any`/`all`/`count x in LIST where COND` and `sum x in LIST of EXPR` (and the list
    /// forms of `lists.rs`): `x` is a local slot for the items of the list, in scope in the
    /// body only.
    pub(super) fn quantified(
        &mut self,
        kind: Quantifier,
        var: &ast::Ident,
        (list, body): (&ast::Expr, &ast::Expr),
        expected: Option<&Type>,
    ) -> (Ex, Type) {
        let (lex, lty) = self.check(list, None);
        let elem = match lty {
            Type::List(t) => *t,
            Type::Error => Type::Error,
            other => {
                let t = self.g.type_name(&other);
                return self.err(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        list.span,
                        format!("expected a list, found {t}"),
                    )
                    .label("not a list"),
                );
            }
        };
        let slot = self.next_local;
        self.next_local += 1;
        self.max_locals = self.max_locals.max(self.next_local);
        self.locals
            .push((var.name.clone(), elem.clone(), slot, var.span));
        self.g.refer(var, || Symbol::Local {
            name: var.name.clone(),
            binding: var.span,
        });
        let (qk, bex, ty) = match kind {
            Quantifier::Any => (QuantKind::Any, self.expect(body, &Type::Bool), Type::Bool),
            Quantifier::All => (QuantKind::All, self.expect(body, &Type::Bool), Type::Bool),
            Quantifier::Count => (
                QuantKind::Count,
                self.expect(body, &Type::Bool),
                Type::Integer,
            ),
            Quantifier::Sum => {
                let (b, t) = self.check(body, None);
                if !matches!(
                    t,
                    Type::Integer | Type::Decimal | Type::Money(_) | Type::Error
                ) {
                    let tn = self.g.type_name(&t);
                    self.g.error(
                        Diagnostic::new(
                            Code::InvalidOperation,
                            body.span,
                            format!("cannot sum {tn}"),
                        )
                        .help("`sum` adds numbers or amounts"),
                    );
                }
                let of = match t {
                    Type::Decimal => SumOf::Decimal,
                    Type::Money(_) => SumOf::Money,
                    _ => SumOf::Integer,
                };
                (QuantKind::Sum(of), b, t)
            }
            Quantifier::Map | Quantifier::Filter | Quantifier::Min | Quantifier::Max => {
                self.list_form(kind, body, &elem, expected)
            }
        };
        self.locals.pop();
        self.next_local -= 1;
        (Ex::Quant(qk, slot, Box::new(lex), Box::new(bex)), ty)
    }
}
