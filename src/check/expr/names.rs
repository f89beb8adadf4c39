//! Names: facts, rules, parameters, quantifier variables, enum values and reason codes
//! (resolved by the expected type where it is known), field access, and `PARAMETER as of DATE`.

use super::narrowing::path_key;
use super::ExprCx;
use crate::check::names::Symbol;
use crate::diagnostics::{suggest, Code, Diagnostic};
use crate::ir::*;
use crate::syntax::ast::{self, ExprKind};
use crate::value::Value;

impl ExprCx<'_, '_> {
    /// `unknown NAME`, with the closest name in scope or the periods when it is in force.
    pub(super) fn unknown(&mut self, id: &ast::Ident, what: &str) -> (Ex, Type) {
        if let Some(d) = self.g.added_later(id) {
            return self.err(d);
        }
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
        if let Some(when) = self.g.in_force_words(&id.name) {
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

    /// A plain name: a reason code, a quantifier variable, a fact, a rule, a parameter,
    /// `as_of`, an enum value, a table or a calendar, in that order.
    pub(super) fn name(&mut self, id: &ast::Ident, expected: Option<&Type>) -> (Ex, Type) {
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
    pub(super) fn is_bare_variant(&mut self, e: &ast::Expr) -> bool {
        let ExprKind::Name(id) = &e.kind else {
            return false;
        };
        self.is_value_name(e) && !self.g.variants_named(&id.name).is_empty()
    }

    /// A plain name that is no local, fact, rule or parameter: an enum value or a reason code,
    /// whose type comes from the other side.
    pub(super) fn is_value_name(&self, e: &ast::Expr) -> bool {
        let ExprKind::Name(id) = &e.kind else {
            return false;
        };
        let n = id.name.as_str();
        !self.locals.iter().any(|(l, _, _, _)| l == n)
            && !self.g.fact_ids.contains_key(n)
            && !self.v.rules.contains_key(n)
            && !self.v.params.contains_key(n)
    }

    /// `base.field`: a qualified enum value (`Form.paper`), a record field, a reason's
    /// `code`/`message` or a period's `start`/`end`.
    pub(super) fn field(
        &mut self,
        whole: &ast::Expr,
        base: &ast::Expr,
        field: &ast::Ident,
    ) -> (Ex, Type) {
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

    /// `PARAMETER as of DATE`: the value of a parameter in force on another date.
    pub(super) fn as_of(&mut self, param: &ast::Expr, date: &ast::Expr) -> (Ex, Type) {
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
}
