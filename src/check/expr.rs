//! Type checking of expressions and their lowering to the resolved form `Ex`.
//! Checking is bidirectional: an expected type, when known, resolves bare enum values and
//! record literals.

use super::names::{Globals, Symbol, VersionNames};
use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::{self, BinaryOp, ExprKind, Quantifier, UnaryOp};
use crate::value::{Duration, DurationUnit, Value};
use rust_decimal::Decimal;

const CURRENCIES: &[&str] = &["KZT", "USD", "EUR", "RUB", "CNY", "GBP"];

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

    fn err(&mut self, d: Diagnostic) -> (Ex, Type) {
        self.g.error(d);
        (Ex::Const(Value::Absent), Type::Error)
    }

    /// Check `e` and require it to have type `ty` (or a type that converts to it).
    pub fn expect(&mut self, e: &ast::Expr, ty: &Type) -> Ex {
        let (ex, actual) = self.check(e, Some(ty));
        self.coerce(ex, &actual, ty, e.span)
    }

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

    pub fn check(&mut self, e: &ast::Expr, expected: Option<&Type>) -> (Ex, Type) {
        match &e.kind {
            ExprKind::Invalid => (Ex::Const(Value::Absent), Type::Error),
            ExprKind::Bool(b) => (Ex::Const(Value::Bool(*b)), Type::Bool),
            ExprKind::Integer(n) => match expected {
                Some(Type::Decimal) => {
                    (Ex::Const(Value::Decimal(Decimal::from(*n))), Type::Decimal)
                }
                _ => (Ex::Const(Value::Integer(*n)), Type::Integer),
            },
            ExprKind::Decimal(d) => (Ex::Const(Value::Decimal(*d)), Type::Decimal),
            ExprKind::Money(d, cur) => self.money(*d, cur),
            ExprKind::Date(d) => (Ex::Const(Value::Date(*d)), Type::Date),
            ExprKind::Text(t) => (Ex::Const(Value::Text(t.as_str().into())), Type::Text),
            ExprKind::Absent => match expected {
                Some(t @ Type::Optional(_)) => (Ex::Const(Value::Absent), t.clone()),
                Some(Type::Error) => (Ex::Const(Value::Absent), Type::Error),
                _ => self.err(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        e.span,
                        "`absent` is only a value of an optional type",
                    )
                    .help("declare the rule or field optional (`date?`) to give it no value"),
                ),
            },
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
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, e.span),
            ExprKind::If(c, a, b) => self.if_expr(c, a, b, expected),
            ExprKind::Match(s, arms) => self.match_expr(s, arms, expected, e.span),
            ExprKind::Quantified {
                kind,
                var,
                list,
                body,
            } => self.quantified(*kind, var, list, body),
            ExprKind::List(items) => self.list(items, expected),
            ExprKind::Record(fields) => self.record(fields, expected, e.span),
            ExprKind::Call(name, args) => self.call(name, args, e.span),
        }
    }

    fn money(&mut self, d: Decimal, cur: &ast::Ident) -> (Ex, Type) {
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

    fn duration(
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

    fn unknown(&mut self, id: &ast::Ident, what: &str) -> (Ex, Type) {
        let mut candidates: Vec<&str> = Vec::new();
        candidates.extend(self.locals.iter().map(|(n, _, _, _)| n.as_str()));
        candidates.extend(self.g.fact_ids.keys().map(String::as_str));
        candidates.extend(self.v.rules.keys().map(String::as_str));
        candidates.extend(self.v.params.keys().map(String::as_str));
        candidates.extend(self.v.tables.keys().map(String::as_str));
        candidates.extend(self.v.calendars.keys().map(String::as_str));
        let mut d = Diagnostic::new(
            Code::UnknownName,
            id.span,
            format!("unknown {what} `{}`", id.name),
        )
        .label("not found");
        if let Some(periods) = self.g.periods.get(&id.name) {
            let when = periods
                .iter()
                .map(|&(from, until)| crate::time::period::describe(from, until))
                .collect::<Vec<_>>()
                .join(", ");
            d = d.help(format!(
                "`{}` is not in force in this version of the rulebook; it is in force {when}",
                id.name
            ));
        } else if let Some(s) = suggest(&id.name, candidates.into_iter()) {
            d = d.help(format!("did you mean `{s}`?"));
        } else {
            d = d.help("names are facts, rules, parameters, tables, calendars or enum values declared in the rulebook");
        }
        self.err(d)
    }

    fn name(&mut self, id: &ast::Ident, expected: Option<&Type>) -> (Ex, Type) {
        let n = id.name.as_str();
        if matches!(expected, Some(Type::Reason))
            || matches!(expected, Some(Type::List(t)) if **t == Type::Reason)
        {
            if let Some([(rule, idx)]) = self.v.reasons.get(n).map(Vec::as_slice) {
                self.g.refer(id, || Symbol::Reason(id.name.clone()));
                return (Ex::Const(Value::Reason(*rule, *idx)), Type::Reason);
            }
        }
        if let Some((_, ty, slot, binding)) = self.locals.iter().rev().find(|(l, _, _, _)| l == n) {
            let (ty, slot, binding) = (ty.clone(), *slot, *binding);
            self.g.refer(id, || Symbol::Local {
                name: id.name.clone(),
                binding,
            });
            return (Ex::Local(slot), ty);
        }
        if let Some(&slot) = self.g.fact_ids.get(n) {
            if !self.facts_allowed {
                return self.err(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        id.span,
                        "facts of the case cannot be used here",
                    )
                    .label("a constant is needed")
                    .help("defaults, parameter values and test values must be constants"),
                );
            }
            self.g.use_decl(id);
            let ty = self
                .g
                .schema
                .facts
                .get(slot as usize)
                .map_or(Type::Error, |f| f.ty.clone());
            return self.narrow(Ex::Fact(slot), ty, n);
        }
        if let Some((rid, ty)) = self.v.rules.get(n) {
            if !self.facts_allowed {
                return self.err(
                    Diagnostic::new(Code::TypeMismatch, id.span, "rules cannot be used here")
                        .label("a constant is needed")
                        .help("defaults, parameter values and test values must be constants"),
                );
            }
            self.g.use_decl(id);
            self.deps.push((*rid, id.span));
            return self.narrow(Ex::Rule(*rid), ty.clone(), n);
        }
        if let Some((pid, ty)) = self.v.params.get(n) {
            self.g.use_decl(id);
            return (Ex::Param(*pid, None), ty.clone());
        }
        if n == "as_of" {
            return (Ex::AsOfDate, Type::Date);
        }
        if let Some(r) = self.variant(id, expected) {
            return r;
        }
        if self.v.tables.contains_key(n) {
            self.g.use_decl(id);
            return self.err(
                Diagnostic::new(
                    Code::NotCallable,
                    id.span,
                    format!("table `{n}` is looked up with its keys"),
                )
                .help(format!("write `{n}(key, ...)`")),
            );
        }
        if let Some(&cid) = self.v.calendars.get(n) {
            self.g.use_decl(id);
            return (Ex::Calendar(cid), Type::Error);
        }
        self.unknown(id, "name")
    }

    /// A bare enum value, resolved by the expected type or, failing that, by uniqueness.
    fn variant(&mut self, id: &ast::Ident, expected: Option<&Type>) -> Option<(Ex, Type)> {
        let expected = match expected {
            Some(Type::Optional(t)) => Some(&**t),
            Some(Type::List(t)) => Some(&**t),
            other => other,
        };
        if let Some(Type::Enum(e)) = expected {
            let info = self.g.schema.enums.get(*e as usize)?;
            if let Some(i) = info.variants.iter().position(|v| v.name == id.name) {
                let enum_name = info.name.clone();
                self.g.used.insert(enum_name.clone());
                self.g.refer(id, || Symbol::Variant {
                    enum_name,
                    variant: id.name.clone(),
                });
                return Some((Ex::Const(Value::Enum(i as u32)), Type::Enum(*e)));
            }
            let names: Vec<&str> = info.variants.iter().map(|v| v.name.as_str()).collect();
            let mut d = Diagnostic::new(
                Code::UnknownVariant,
                id.span,
                format!("`{}` is not a value of `{}`", id.name, info.name),
            )
            .label("unknown value");
            d = match suggest(&id.name, names.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!(
                    "the values of `{}` are {}",
                    info.name,
                    names.join(", ")
                )),
            };
            self.g.error(d);
            return Some((Ex::Const(Value::Absent), Type::Error));
        }
        if let Some(Type::Reason) = expected {
            if let Some(items) = self.v.reasons.get(&id.name) {
                if let [(rule, idx)] = items.as_slice() {
                    self.g.refer(id, || Symbol::Reason(id.name.clone()));
                    return Some((Ex::Const(Value::Reason(*rule, *idx)), Type::Reason));
                }
            }
        }
        let found: Vec<(EnumId, u32, String)> = self
            .g
            .variants_named(&id.name)
            .to_vec()
            .into_iter()
            .map(|(e, i)| {
                let name = self.g.schema.enums.get(e as usize).map(|x| x.name.clone());
                (e, i, name.unwrap_or_default())
            })
            .collect();
        match found.as_slice() {
            [] => None,
            [(e, i, name)] => {
                self.g.used.insert(name.clone());
                self.g.refer(id, || Symbol::Variant {
                    enum_name: name.clone(),
                    variant: id.name.clone(),
                });
                Some((Ex::Const(Value::Enum(*i)), Type::Enum(*e)))
            }
            many => {
                let owners = many
                    .iter()
                    .map(|(_, _, n)| format!("`{n}.{}`", id.name))
                    .collect::<Vec<_>>()
                    .join(" or ");
                self.g.error(
                    Diagnostic::new(
                        Code::UnknownVariant,
                        id.span,
                        format!("`{}` is a value of several enums", id.name),
                    )
                    .label("ambiguous")
                    .help(format!("write {owners}")),
                );
                Some((Ex::Const(Value::Absent), Type::Error))
            }
        }
    }

    /// A name that is only an enum value (no fact, rule, parameter or local has that name).
    fn is_bare_variant(&mut self, e: &ast::Expr) -> bool {
        let ExprKind::Name(id) = &e.kind else {
            return false;
        };
        self.is_value_name(e) && !self.g.variants_named(&id.name).is_empty()
    }

    /// A plain name that is no local, fact, rule or parameter: an enum value or a reason code,
    /// whose type comes from the other side.
    fn is_value_name(&self, e: &ast::Expr) -> bool {
        let ExprKind::Name(id) = &e.kind else {
            return false;
        };
        let n = id.name.as_str();
        !self.locals.iter().any(|(l, _, _, _)| l == n)
            && !self.g.fact_ids.contains_key(n)
            && !self.v.rules.contains_key(n)
            && !self.v.params.contains_key(n)
    }

    /// After `x is present`, `x` is used as its inner type.
    fn narrow(&mut self, ex: Ex, ty: Type, key: &str) -> (Ex, Type) {
        match ty {
            Type::Optional(inner) if self.narrowed.iter().any(|k| k == key) => {
                (Ex::Unwrap(Box::new(ex)), *inner)
            }
            other => (ex, other),
        }
    }

    fn field(&mut self, whole: &ast::Expr, base: &ast::Expr, field: &ast::Ident) -> (Ex, Type) {
        if let ExprKind::Name(b) = &base.kind {
            if let Some(&eid) = self.g.enum_ids.get(&b.name) {
                if !self.locals.iter().any(|(n, _, _, _)| *n == b.name) {
                    return self
                        .variant(field, Some(&Type::Enum(eid)))
                        .unwrap_or((Ex::Const(Value::Absent), Type::Error));
                }
            }
        }
        let (bex, bty) = self.check(base, None);
        match bty {
            Type::Error => (bex, Type::Error),
            Type::Record(r) => {
                let Some(info) = self.g.schema.records.get(r as usize) else {
                    return (bex, Type::Error);
                };
                match info.fields.iter().position(|f| f.name == field.name) {
                    Some(i) => {
                        let ty = info.fields[i].ty.clone();
                        if !self.g.uses.contains_key(&field.span) {
                            let record = info.name.clone();
                            self.g.refer(field, || Symbol::Field {
                                record,
                                field: field.name.clone(),
                            });
                        }
                        let ex = Ex::Field(Box::new(bex), i as u32);
                        // Only an optional field may have been narrowed by `is present`.
                        let narrowable =
                            matches!(ty, Type::Optional(_)) && !self.narrowed.is_empty();
                        match narrowable.then(|| path_key(whole)).flatten() {
                            Some(k) => self.narrow(ex, ty, &k),
                            None => (ex, ty),
                        }
                    }
                    None => {
                        let names: Vec<&str> =
                            info.fields.iter().map(|f| f.name.as_str()).collect();
                        let mut d = Diagnostic::new(
                            Code::UnknownField,
                            field.span,
                            format!("`{}` has no field `{}`", info.name, field.name),
                        )
                        .label("unknown field");
                        d = match suggest(&field.name, names.iter().copied()) {
                            Some(s) => d.help(format!("did you mean `{s}`?")),
                            None => d.help(format!(
                                "the fields of `{}` are {}",
                                info.name,
                                names.join(", ")
                            )),
                        };
                        d = d
                            .with_secondary(info.span, format!("`{}` is declared here", info.name));
                        self.err(d)
                    }
                }
            }
            Type::Reason => match field.name.as_str() {
                "code" => (Ex::Field(Box::new(bex), 0), Type::Text),
                "message" => (Ex::Field(Box::new(bex), 1), Type::Text),
                _ => self.err(
                    Diagnostic::new(
                        Code::UnknownField,
                        field.span,
                        format!("a reason has no field `{}`", field.name),
                    )
                    .help("a reason has the fields `code` and `message`"),
                ),
            },
            Type::Period => match field.name.as_str() {
                "start" => (Ex::Builtin(Builtin::Start, vec![bex]), Type::Date),
                "end" => (Ex::Builtin(Builtin::End, vec![bex]), Type::Date),
                _ => self.err(
                    Diagnostic::new(
                        Code::UnknownField,
                        field.span,
                        format!("a period has no field `{}`", field.name),
                    )
                    .help("a period has the fields `start` and `end`"),
                ),
            },
            Type::Optional(inner) if matches!(*inner, Type::Record(_)) => {
                let what = self.g.snippet(base.span);
                self.err(
                    Diagnostic::new(
                        Code::MaybeAbsent,
                        base.span,
                        format!("`{what}` may be absent"),
                    )
                    .label("optional record")
                    .help(format!(
                        "check it first: `when {what} is present then {what}.{} ...`",
                        field.name
                    )),
                )
            }
            other => {
                let t = self.g.type_name(&other);
                self.err(
                    Diagnostic::new(
                        Code::UnknownField,
                        field.span,
                        format!("{t} has no field `{}`", field.name),
                    )
                    .label("not a record"),
                )
            }
        }
    }

    fn as_of(&mut self, param: &ast::Expr, date: &ast::Expr) -> (Ex, Type) {
        let ExprKind::Name(id) = &param.kind else {
            return self.err(
                Diagnostic::new(
                    Code::TypeMismatch,
                    param.span,
                    "only a parameter can be taken as of a date",
                )
                .help("write `PARAMETER as of DATE`, such as `mci as of offence.date`"),
            );
        };
        let Some((pid, ty)) = self.v.params.get(&id.name).cloned() else {
            if self.v.rules.contains_key(&id.name) || self.g.fact_ids.contains_key(&id.name) {
                return self.err(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        id.span,
                        format!("`{}` is not a parameter", id.name),
                    )
                    .help("only parameters have values by date"),
                );
            }
            return self.unknown(id, "parameter");
        };
        self.g.use_decl(id);
        let d = self.expect(date, &Type::Date);
        (Ex::Param(pid, Some(Box::new(d))), ty)
    }

    fn presence(&mut self, value: &ast::Expr, present: bool) -> (Ex, Type) {
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

    fn unary(&mut self, op: UnaryOp, x: &ast::Expr, span: Span) -> (Ex, Type) {
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

    /// The key of a narrowable path (`applicant.passport`), if `e` is one.
    fn with_narrowed<T>(
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

    pub fn condition_then<T>(&mut self, cond: &ast::Expr, f: impl FnOnce(&mut Self) -> T) -> T {
        self.with_narrowed(cond, true, f)
    }

    fn binary(&mut self, op: BinaryOp, l: &ast::Expr, r: &ast::Expr, span: Span) -> (Ex, Type) {
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
                self.comparable(&lty, &elem, l.span, r.span, span);
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
        if !self.comparable(&lty, &rty, l.span, r.span, span) {
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
    fn comparable(&mut self, a: &Type, b: &Type, ls: Span, rs: Span, span: Span) -> bool {
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
            .help(incomparable_help(sa, sb)),
        );
        false
    }

    fn arith(&mut self, op: BinaryOp, l: &ast::Expr, r: &ast::Expr, span: Span) -> (Ex, Type) {
        let (lex, lty) = self.check(l, None);
        let (rex, rty) = self.check(r, None);
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
                let mut d = Diagnostic::new(
                    Code::InvalidOperation,
                    span,
                    format!("cannot compute {ta} {} {tb}", op.symbol()),
                )
                .with_secondary(l.span, format!("this is {ta}"))
                .with_secondary(r.span, format!("this is {tb}"));
                d = d.help(match (&lty, &rty) {
                    (Optional(_), _) | (_, Optional(_)) => {
                        "one side may be absent: check it with `is present` first or use `value_or`"
                            .to_string()
                    }
                    (Date, Money(_)) | (Money(_), Date) => {
                        "a date can be moved by a duration (`+ 30 days`), not by an amount of money"
                            .to_string()
                    }
                    (Money(a), Money(b)) if a != b => {
                        "amounts in different currencies cannot be combined".to_string()
                    }
                    _ => "see docs/language.md for the operations on each type".to_string(),
                });
                self.err(d)
            }
        }
    }

    fn if_expr(
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
    pub fn unify(
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

    fn match_expr(
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
    pub fn missing_values(&mut self, ty: &Type, covered: &[Value]) -> Option<Vec<String>> {
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

    fn quantified(
        &mut self,
        kind: Quantifier,
        var: &ast::Ident,
        list: &ast::Expr,
        body: &ast::Expr,
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
        self.locals.push((var.name.clone(), elem, slot, var.span));
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
        };
        self.locals.pop();
        self.next_local -= 1;
        (Ex::Quant(qk, slot, Box::new(lex), Box::new(bex)), ty)
    }

    fn list(&mut self, items: &[ast::Expr], expected: Option<&Type>) -> (Ex, Type) {
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

    fn call(&mut self, name: &ast::Ident, args: &[ast::Expr], span: Span) -> (Ex, Type) {
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
        super::builtins::call(self, name, args, span)
    }

    pub fn arity(&mut self, name: &ast::Ident, want: usize, got: usize, span: Span) -> (Ex, Type) {
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
    pub fn calendar_arg(&mut self, e: &ast::Expr) -> Ex {
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
pub fn path_key(e: &ast::Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(id) => Some(id.name.clone()),
        ExprKind::Field(b, f) => path_key(b).map(|k| format!("{k}.{}", f.name)),
        _ => None,
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

/// The type of a value once known to be present.
fn strip_optional(t: &Type) -> Type {
    match t {
        Type::Optional(inner) => (**inner).clone(),
        other => other.clone(),
    }
}
