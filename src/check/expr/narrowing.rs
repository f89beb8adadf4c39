//! Presence: `x is present` / `x is absent`, and narrowing: where a condition proves an
//! optional fact path present (`applicant.passport is present and ...`), the path is used as
//! its inner type.

use super::ExprCx;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::*;
use crate::syntax::ast::{self, BinaryOp, ExprKind, UnaryOp};

impl ExprCx<'_, '_> {
    /// `value is present` (or `is absent` when `present` is false), of an optional value.
    pub(super) fn presence(&mut self, value: &ast::Expr, present: bool) -> (Ex, Type) {
        let (ex, ty) = self.check(value, None);
        if !matches!(ty, Type::Optional(_) | Type::Error) {
            let what = self.g.snippet(value.span);
            self.g.error(
                Diagnostic::new(
                    Code::TypeMismatch,
                    value.span,
                    format!("`{what}` is never absent"),
                )
                .label(format!("this is {}, not optional", self.g.type_name(&ty)))
                .help("`is present` and `is absent` apply to optional values (`T?`)"),
            );
        }
        let ex = match ex {
            Ex::Unwrap(inner) => *inner,
            other => other,
        };
        (Ex::IsPresent(Box::new(ex), present), Type::Bool)
    }

    /// After `x is present`, `x` is used as its inner type.
    pub(super) fn narrow(&mut self, ex: Ex, ty: Type, key: &str) -> (Ex, Type) {
        match ty {
            Type::Optional(inner) if self.narrowed.iter().any(|k| k == key) => {
                (Ex::Unwrap(Box::new(ex)), *inner)
            }
            other => (ex, other),
        }
    }

    /// Run `f` with the paths that `cond` proves present (when it is `present`: true, or
    /// false) used as their inner type.
    pub(super) fn with_narrowed<T>(
        &mut self,
        cond: &ast::Expr,
        present: bool,
        f: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let keys = narrowed_keys(cond, present);
        let n = keys.len();
        self.narrowed.extend(keys);
        let r = f(self);
        let len = self.narrowed.len();
        self.narrowed.truncate(len - n);
        r
    }

    /// Run `f` where `cond` holds: the paths it tests present are present there.
    pub fn condition_then<T>(&mut self, cond: &ast::Expr, f: impl FnOnce(&mut Self) -> T) -> T {
        self.with_narrowed(cond, true, f)
    }
}

/// The paths known present when `cond` is `present` (true) or false.
fn narrowed_keys(cond: &ast::Expr, present: bool) -> Vec<String> {
    match &cond.kind {
        ExprKind::Presence { value, present: p } if *p == present => {
            path_key(value).into_iter().collect()
        }
        ExprKind::Binary(BinaryOp::And, l, r) if present => {
            let mut v = narrowed_keys(l, true);
            v.extend(narrowed_keys(r, true));
            v
        }
        ExprKind::Binary(BinaryOp::Or, l, r) if !present => {
            let mut v = narrowed_keys(l, false);
            v.extend(narrowed_keys(r, false));
            v
        }
        ExprKind::Unary(UnaryOp::Not, x) => narrowed_keys(x, !present),
        _ => Vec::new(),
    }
}

/// `applicant.passport.expiry` as a string key, for names and field chains.
pub(super) fn path_key(e: &ast::Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(id) => Some(id.name.clone()),
        ExprKind::Field(b, f) => path_key(b).map(|k| format!("{k}.{}", f.name)),
        _ => None,
    }
}
