//! What the resolved form forgot and a derivation must say: the names of what its indices
//! point at, the type of each expression (to write enum values and amounts), and the names of
//! quantified variables, which the resolved form keeps only as slots and which are read back
//! from the rule's source text.

use super::unparse::element_type;
use crate::ir::*;
use crate::source::{SourceMap, Span};
use crate::syntax::lex::{self, Tok};
use rustc_hash::FxHashMap;

pub(crate) struct Lang<'a> {
    pub p: &'a Program,
    pub schema: &'a Schema,
    /// The variable of each quantifier, by the address of its `Ex::Quant` in the program.
    quantified: FxHashMap<usize, String>,
}

/// The quantified variables in scope while writing an expression: slot, name, type.
#[derive(Default)]
pub(crate) struct Scope(Vec<(u32, String, Type)>);

impl Scope {
    pub fn push(&mut self, slot: u32, name: String, ty: Type) {
        self.0.push((slot, name, ty));
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }

    pub fn name(&self, slot: u32) -> &str {
        self.0
            .iter()
            .rev()
            .find(|(s, _, _)| *s == slot)
            .map_or("item", |(_, n, _)| n.as_str())
    }

    fn ty(&self, slot: u32) -> Type {
        self.0
            .iter()
            .rev()
            .find(|(s, _, _)| *s == slot)
            .map_or(Type::Error, |(_, _, t)| t.clone())
    }
}

impl<'a> Lang<'a> {
    pub fn new(p: &'a Program, schema: &'a Schema, sources: &SourceMap) -> Lang<'a> {
        let mut lang = Lang {
            p,
            schema,
            quantified: FxHashMap::default(),
        };
        for rule in &p.rules {
            match &rule.body {
                RuleBodyIr::Definition(def) => lang.name_definition(def, sources),
                RuleBodyIr::Reasons(items) => {
                    for item in items {
                        lang.name_quantifiers(&[&item.condition], item.span, sources);
                    }
                }
            }
        }
        lang
    }

    fn name_definition(&mut self, def: &'a Definition, sources: &SourceMap) {
        for case in def.cases.iter().chain(&def.otherwise) {
            let exprs: Vec<&Ex> = case.condition.iter().chain([&case.value]).collect();
            self.name_quantifiers(&exprs, case.span, sources);
        }
        for exc in &def.exceptions {
            self.name_definition(exc, sources);
        }
    }

    /// Pairs the quantifiers of `exprs`, in the order they are written, with the variables
    /// the source text of `span` binds (`count d in ...`), when both agree in number.
    fn name_quantifiers(&mut self, exprs: &[&'a Ex], span: Span, sources: &SourceMap) {
        let mut quants = Vec::new();
        for e in exprs {
            collect_quantifiers(e, &mut quants);
        }
        if quants.is_empty() {
            return;
        }
        let names = bound_names(sources.snippet(span));
        if names.len() == quants.len() {
            for (q, n) in quants.into_iter().zip(names) {
                self.quantified.insert(q as *const Ex as usize, n);
            }
        }
    }

    pub fn quantified_name(&self, quant: &Ex) -> String {
        self.quantified
            .get(&(quant as *const Ex as usize))
            .cloned()
            .unwrap_or_else(|| "item".into())
    }

    pub fn rule_name(&self, r: RuleId) -> String {
        self.p
            .rules
            .get(r as usize)
            .map_or_else(|| "rule".into(), |r| r.name.clone())
    }

    pub fn param_name(&self, p: ParamId) -> String {
        self.p
            .params
            .get(p as usize)
            .map_or_else(|| "parameter".into(), |p| p.name.clone())
    }

    pub fn calendar_name(&self, c: CalendarId) -> String {
        self.p
            .calendars
            .get(c as usize)
            .map_or_else(|| "calendar".into(), |c| c.name.clone())
    }

    pub fn fact_name(&self, s: u32) -> String {
        self.schema
            .facts
            .get(s as usize)
            .map_or_else(|| "fact".into(), |f| f.name.clone())
    }

    /// Field `i` of a value of type `t`.
    pub fn field_name(&self, t: &Type, i: u32) -> String {
        match t.without_optional() {
            Type::Record(r) => self
                .schema
                .records
                .get(*r as usize)
                .and_then(|r| r.fields.get(i as usize))
                .map_or_else(|| format!("field{i}"), |f| f.name.clone()),
            Type::Reason if i == 0 => "code".into(),
            Type::Reason => "message".into(),
            _ => format!("field{i}"),
        }
    }

    pub fn field_type(&self, t: &Type, i: u32) -> Option<Type> {
        match t.without_optional() {
            Type::Record(r) => self
                .schema
                .records
                .get(*r as usize)
                .and_then(|r| r.fields.get(i as usize))
                .map(|f| f.ty.clone()),
            Type::Reason => Some(Type::Text),
            _ => None,
        }
    }

    /// The type of an expression, as far as the resolved form tells it (`Type::Error` where
    /// it does not: a record literal's record, an enum constant's enum).
    pub fn ty_of(&self, e: &Ex, scope: &Scope) -> Type {
        match e {
            Ex::Const(v) => constant_type(v),
            Ex::Fact(s) => self
                .schema
                .facts
                .get(*s as usize)
                .map_or(Type::Error, |f| f.ty.clone()),
            Ex::Field(b, i) => self
                .field_type(&self.ty_of(b, scope), *i)
                .unwrap_or(Type::Error),
            Ex::Local(s) => scope.ty(*s),
            Ex::Rule(r) => self
                .p
                .rules
                .get(*r as usize)
                .map_or(Type::Error, |r| r.ty.clone()),
            Ex::Param(p, _) => self
                .p
                .params
                .get(*p as usize)
                .map_or(Type::Error, |p| p.ty.clone()),
            Ex::Table(t, _) => self
                .p
                .tables
                .get(*t as usize)
                .map_or(Type::Error, |t| t.ty.clone()),
            Ex::AsOfDate => Type::Date,
            Ex::Not(_)
            | Ex::And(..)
            | Ex::Or(..)
            | Ex::Cmp(..)
            | Ex::In(..)
            | Ex::IsPresent(..) => Type::Bool,
            Ex::Neg(x) => self.ty_of(x, scope),
            Ex::Arith(op, a, b) => arith_type(*op, self.ty_of(a, scope), self.ty_of(b, scope)),
            Ex::If(_, a, b) => first_known(self.ty_of(a, scope), || self.ty_of(b, scope)),
            Ex::Match(_, arms, otherwise) => {
                let arm = arms
                    .first()
                    .map_or(Type::Error, |(_, x)| self.ty_of(x, scope));
                first_known(arm, || {
                    otherwise
                        .as_ref()
                        .map_or(Type::Error, |o| self.ty_of(o, scope))
                })
            }
            Ex::Quant(kind, slot, list, body) => {
                // The body's type, with the item variable in scope.
                let body_ty = || {
                    let mut inner = Scope::default();
                    inner.0.clone_from(&scope.0);
                    inner.push(*slot, String::new(), element_type(&self.ty_of(list, scope)));
                    self.ty_of(body, &inner)
                };
                match kind {
                    QuantKind::Any | QuantKind::All => Type::Bool,
                    QuantKind::Count => Type::Integer,
                    QuantKind::Sum(SumOf::Integer) => Type::Integer,
                    QuantKind::Sum(SumOf::Decimal) => Type::Decimal,
                    QuantKind::Sum(SumOf::Money) => {
                        first_known(body_ty(), || Type::Money("KZT".into()))
                    }
                    QuantKind::Map => Type::List(Box::new(body_ty())),
                    QuantKind::Filter => self.ty_of(list, scope).without_optional().clone(),
                    QuantKind::Min | QuantKind::Max => match body_ty() {
                        Type::Error => Type::Error,
                        t => Type::Optional(Box::new(t)),
                    },
                }
            }
            Ex::List(items) => Type::List(Box::new(
                items.first().map_or(Type::Error, |x| self.ty_of(x, scope)),
            )),
            Ex::Record(_) | Ex::Calendar(_) => Type::Error,
            Ex::Builtin(b, args) => self.builtin_type(*b, args, scope),
            Ex::ToDecimal(_) => Type::Decimal,
            Ex::Unwrap(x) => self.ty_of(x, scope).without_optional().clone(),
        }
    }

    fn builtin_type(&self, b: Builtin, args: &[Ex], scope: &Scope) -> Type {
        let arg = |i: usize| {
            args.get(i).map_or(Type::Error, |a| {
                self.ty_of(a, scope).without_optional().clone()
            })
        };
        match b {
            Builtin::Age
            | Builtin::DaysBetween
            | Builtin::Days
            | Builtin::DaysPresent
            | Builtin::MaxDaysInAnyWindow
            | Builtin::Year
            | Builtin::Month
            | Builtin::Day
            | Builtin::Count
            | Builtin::WorkingDaysBetween => Type::Integer,
            Builtin::Period => Type::Period,
            Builtin::Start
            | Builtin::End
            | Builtin::Date
            | Builtin::StartOfMonth
            | Builtin::EndOfMonth => Type::Date,
            Builtin::Weekday => self.schema.weekday.map_or(Type::Error, Type::Enum),
            Builtin::IsEmpty | Builtin::IsWorkingDay => Type::Bool,
            Builtin::Min | Builtin::Max | Builtin::Round => arg(0),
            Builtin::ValueOr => first_known(arg(0), || arg(1)),
        }
    }
}

fn first_known(t: Type, other: impl FnOnce() -> Type) -> Type {
    if t.is_error() {
        other()
    } else {
        t
    }
}

fn constant_type(v: &crate::value::Value) -> Type {
    use crate::value::Value;
    match v {
        Value::Bool(_) => Type::Bool,
        Value::Integer(_) => Type::Integer,
        Value::Decimal(_) => Type::Decimal,
        Value::Money(_) => Type::Money("KZT".into()),
        Value::Date(_) => Type::Date,
        Value::Duration(_) => Type::Duration,
        Value::Text(_) => Type::Text,
        Value::Period(_) => Type::Period,
        Value::Reason(..) => Type::Reason,
        Value::List(items) => {
            Type::List(Box::new(items.first().map_or(Type::Error, constant_type)))
        }
        Value::Enum(_) | Value::Record(_) | Value::Absent => Type::Error,
    }
}

fn arith_type(op: ArithOp, a: Type, b: Type) -> Type {
    let (a, b) = (a.without_optional().clone(), b.without_optional().clone());
    match (op, &a, &b) {
        (_, Type::Error, _) => b,
        // Joined lists: `[] + l` is a list of what `l` holds.
        (_, Type::List(x), Type::List(_)) if x.is_error() => b,
        (ArithOp::Sub, Type::Date, Type::Date) => Type::Integer,
        (_, Type::Date, _) => Type::Date,
        (ArithOp::Div, Type::Money(_), Type::Money(_)) => Type::Decimal,
        (_, Type::Money(_), _) => a,
        (_, _, Type::Money(_)) => b,
        (ArithOp::Div, _, _) => Type::Decimal,
        (_, Type::Decimal, _) | (_, _, Type::Decimal) => Type::Decimal,
        (_, Type::Duration, _) => Type::Duration,
        _ => a,
    }
}

/// The quantifiers inside `e`, in the order they are written.
fn collect_quantifiers<'e>(e: &'e Ex, out: &mut Vec<&'e Ex>) {
    if matches!(e, Ex::Quant(..)) {
        out.push(e);
    }
    e.for_each_child(|c| collect_quantifiers(c, out));
}

/// The variables bound by quantifiers in `text` (`any d in`, `sum s in`), in order; strings
/// and comments skipped.
fn bound_names(text: &str) -> Vec<String> {
    let words: Vec<&str> = lex::tokens(text)
        .into_iter()
        .filter(|t| !matches!(t.kind, Tok::Comment | Tok::Doc))
        .map(|t| match t.kind {
            Tok::Word => text.get(t.start..t.end).unwrap_or(""),
            _ => "",
        })
        .collect();
    words
        .windows(3)
        .filter(|w| {
            matches!(
                w[0],
                "any" | "all" | "count" | "sum" | "map" | "filter" | "min" | "max"
            ) && !w[1].is_empty()
                && w[2] == "in"
        })
        .map(|w| w[1].to_string())
        .collect()
}
