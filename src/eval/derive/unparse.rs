//! The resolved form written back in the language's own syntax, for the text of each node of a
//! derivation: names of rules, facts, fields, parameters and tables, enum values by name (their
//! enum inferred from the other operand or the expected type), operators as the grammar writes
//! them, and parentheses only where the grammar's precedence needs them.

use super::lang::{Lang, Scope};
use crate::eval::value_text::quoted;
use crate::ir::*;
use crate::time::date;
use crate::value::{DurationUnit, Value};

/// Binding strengths, loosest first, as in the one `PrattParser`
/// (`syntax/lower/expressions.rs`).
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
const ADD: u8 = 5;
const MUL: u8 = 6;
const NEG: u8 = 7;
const POSTFIX: u8 = 8;
const ATOM: u8 = 9;

/// A piece of written expression and how tightly it binds.
struct Text {
    s: String,
    prec: u8,
}

impl Text {
    fn new(s: String, prec: u8) -> Text {
        Text { s, prec }
    }
}

/// Whether anything follows an expression at its level: an `if ... else x` or a `count d in
/// l where x` takes everything after it into `x`, so it is written in parentheses unless it
/// comes last (at the end, before a closing bracket or a keyword such as `then`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tail {
    Last,
    Followed,
}

impl Lang<'_> {
    /// `e` as the rulebook would write it. `expected` is the type the context gives (the
    /// enum of a bare value, the currency of an amount).
    pub(crate) fn unparse(&self, e: &Ex, expected: Option<&Type>, scope: &mut Scope) -> String {
        self.write(e, expected, Tail::Last, scope).s
    }

    fn write(&self, e: &Ex, expected: Option<&Type>, tail: Tail, scope: &mut Scope) -> Text {
        match e {
            Ex::Const(v) => self.literal(v, expected),
            Ex::Fact(s) => Text::new(self.fact_name(*s), ATOM),
            Ex::Field(b, i) => {
                let base_ty = self.ty_of(b, scope);
                let base = self.operand(b, None, POSTFIX, Tail::Followed, scope);
                Text::new(format!("{base}.{}", self.field_name(&base_ty, *i)), POSTFIX)
            }
            Ex::Local(s) => Text::new(scope.name(*s).to_string(), ATOM),
            Ex::Rule(r) => Text::new(self.rule_name(*r), ATOM),
            Ex::Param(p, None) => Text::new(self.param_name(*p), ATOM),
            Ex::Param(p, Some(at)) => {
                let at = self.path_operand(at, Some(&Type::Date), scope);
                Text::new(format!("{} as of {at}", self.param_name(*p)), POSTFIX)
            }
            Ex::AsOfDate => Text::new("as_of".into(), ATOM),
            Ex::Table(t, keys) => {
                let table = self.p.tables.get(*t as usize);
                let written: Vec<String> = keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| {
                        let ty = table.and_then(|t| t.keys.get(i));
                        self.unparse(k, ty, scope)
                    })
                    .collect();
                let name = table.map_or("table", |t| &t.name);
                Text::new(format!("{name}({})", written.join(", ")), ATOM)
            }
            Ex::Not(x) => match &**x {
                Ex::In(a, b) => self.membership(a, b, "not in", tail, scope),
                _ => Text::new(
                    format!("not {}", self.operand(x, None, NOT, tail, scope)),
                    NOT,
                ),
            },
            Ex::Neg(x) => Text::new(
                format!("-{}", self.operand(x, expected, NEG, tail, scope)),
                NEG,
            ),
            Ex::And(a, b) => self.binary((a, "and", b), AND, (None, None), tail, scope),
            Ex::Or(a, b) => self.binary((a, "or", b), OR, (None, None), tail, scope),
            Ex::Cmp(op, a, b) => self.comparison(*op, a, b, tail, scope),
            Ex::In(a, b) => self.membership(a, b, "in", tail, scope),
            Ex::Arith(op, a, b) => {
                let (sym, prec) = match op {
                    ArithOp::Add => ("+", ADD),
                    ArithOp::Sub => ("-", ADD),
                    ArithOp::Mul => ("*", MUL),
                    ArithOp::Div => ("/", MUL),
                };
                let (ta, tb) = (self.ty_of(a, scope), self.ty_of(b, scope));
                if is_list(&ta) || is_list(&tb) || expected.is_some_and(is_list) {
                    // Joined lists: each side is a list of the whole's type (bare enum values).
                    let whole = expected.filter(|t| is_list(t)).cloned();
                    let known = |t: &Type| !element_type(t).is_error();
                    let ty = whole
                        .filter(known)
                        .or_else(|| [ta.clone(), tb.clone()].into_iter().find(known));
                    return self.binary((a, sym, b), prec, (ty.as_ref(), ty.as_ref()), tail, scope);
                }
                let tys = (
                    Some(&tb).filter(|t| is_money(t)),
                    Some(&ta).filter(|t| is_money(t)),
                );
                self.binary((a, sym, b), prec, tys, tail, scope)
            }
            Ex::If(c, a, b) => {
                let c = self.unparse(c, Some(&Type::Bool), scope);
                let a = self.unparse(a, expected, scope);
                let b = self.unparse(b, expected, scope);
                open_ended(format!("if {c} then {a} else {b}"), tail)
            }
            Ex::Match(s, arms, otherwise) => self.match_text(s, arms, otherwise, expected, scope),
            Ex::Quant(kind, slot, list, body) => {
                let s = self.quantifier(e, (*kind, *slot, list, body), expected, scope);
                open_ended(s, tail)
            }
            Ex::List(items) => {
                let elem = match expected.map(Type::without_optional) {
                    Some(Type::List(t)) => Some(&**t),
                    _ => None,
                };
                let items: Vec<String> =
                    items.iter().map(|x| self.unparse(x, elem, scope)).collect();
                Text::new(format!("[{}]", items.join(", ")), ATOM)
            }
            Ex::Record(fields) => {
                let ty = expected.map(Type::without_optional);
                let written = self.record_text(ty, fields.len(), |i, fty| {
                    fields
                        .get(i)
                        .map_or_else(String::new, |x| self.unparse(x, fty, scope))
                });
                Text::new(written, ATOM)
            }
            Ex::Builtin(Builtin::Start | Builtin::End, args) if args.len() == 1 => {
                let field = if matches!(e, Ex::Builtin(Builtin::Start, _)) {
                    "start"
                } else {
                    "end"
                };
                let base = args.first().map_or(String::new(), |a| {
                    self.operand(a, None, POSTFIX, Tail::Followed, scope)
                });
                Text::new(format!("{base}.{field}"), POSTFIX)
            }
            Ex::Builtin(b, args) => Text::new(
                format!("{}({})", builtin_name(*b), self.args(args, scope)),
                ATOM,
            ),
            Ex::Calendar(c) => Text::new(self.calendar_name(*c), ATOM),
            Ex::IsPresent(x, present) => {
                let x = self.operand(x, None, POSTFIX, Tail::Followed, scope);
                let word = if *present { "present" } else { "absent" };
                Text::new(format!("{x} is {word}"), POSTFIX)
            }
            Ex::ToDecimal(x) | Ex::Unwrap(x) => self.write(x, expected, tail, scope),
        }
    }

    /// `x` where an operand binding at least as tightly as `min` is needed, in parentheses
    /// otherwise.
    fn operand(
        &self,
        x: &Ex,
        expected: Option<&Type>,
        min: u8,
        tail: Tail,
        scope: &mut Scope,
    ) -> String {
        let t = self.write(x, expected, tail, scope);
        if t.prec < min {
            format!("({})", t.s)
        } else {
            t.s
        }
    }

    /// The operand of `as of` and of a quantifier's list: a name, literal, call or
    /// parenthesised expression, followed by fields.
    fn path_operand(&self, x: &Ex, expected: Option<&Type>, scope: &mut Scope) -> String {
        let t = self.write(x, expected, Tail::Followed, scope);
        let plain = t.prec == ATOM || (t.prec == POSTFIX && is_path(x));
        if plain {
            t.s
        } else {
            format!("({})", t.s)
        }
    }

    fn args(&self, args: &[Ex], scope: &mut Scope) -> String {
        let written: Vec<String> = args
            .iter()
            .map(|a| {
                let expected = self.ty_of(a, scope);
                self.unparse(a, Some(&expected), scope)
            })
            .collect();
        written.join(", ")
    }

    /// A left-associative operator: the left operand at the same strength, the right one
    /// tighter.
    fn binary(
        &self,
        (a, op, b): (&Ex, &str, &Ex),
        prec: u8,
        (ta, tb): (Option<&Type>, Option<&Type>),
        tail: Tail,
        scope: &mut Scope,
    ) -> Text {
        let left = self.operand(a, ta, prec, Tail::Followed, scope);
        let right = self.operand(b, tb, prec + 1, tail, scope);
        Text::new(format!("{left} {op} {right}"), prec)
    }

    fn comparison(&self, op: CmpOp, a: &Ex, b: &Ex, tail: Tail, scope: &mut Scope) -> Text {
        let (ta, tb) = (self.ty_of(a, scope), self.ty_of(b, scope));
        // `x is value` compares with an enum value; two computed enums compare with `==`.
        let is_value = |e: &Ex, t: &Type| {
            matches!(t.without_optional(), Type::Enum(_)) && matches!(e, Ex::Const(_))
        };
        let enums = is_value(a, &ta) || is_value(b, &tb) || is_value(b, &ta) || is_value(a, &tb);
        let sym = match op {
            CmpOp::Eq if enums => "is",
            CmpOp::Ne if enums => "is not",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        };
        self.binary((a, sym, b), CMP, (Some(&tb), Some(&ta)), tail, scope)
    }

    fn membership(&self, a: &Ex, b: &Ex, op: &str, tail: Tail, scope: &mut Scope) -> Text {
        let (ta, tb) = (self.ty_of(a, scope), self.ty_of(b, scope));
        let elem = match tb.without_optional() {
            Type::List(t) => (**t).clone(),
            _ => Type::Error,
        };
        let list = Type::List(Box::new(ta.without_optional().clone()));
        self.binary((a, op, b), CMP, (Some(&elem), Some(&list)), tail, scope)
    }

    /// `count d in LIST where BODY`, open to the right.
    fn quantifier(
        &self,
        e: &Ex,
        (kind, slot, list, body): (QuantKind, u32, &Ex, &Ex),
        expected: Option<&Type>,
        scope: &mut Scope,
    ) -> String {
        let word = quantifier_word(kind);
        let join = if kind.takes_condition() {
            "where"
        } else {
            "of"
        };
        let name = self.quantified_name(e);
        let list_ty = self.ty_of(list, scope);
        let list_text = self.path_operand(list, None, scope);
        scope.push(slot, name.clone(), element_type(&list_ty));
        // A `map` gives items of the expected list's type (a record literal's fields).
        let item = match kind {
            QuantKind::Map => expected.map(element_type).filter(|t| !t.is_error()),
            _ => None,
        };
        let body_text = self.unparse(body, item.as_ref(), scope);
        scope.pop();
        format!("{word} {name} in {list_text} {join} {body_text}")
    }

    fn match_text(
        &self,
        s: &Ex,
        arms: &[(Vec<Value>, Ex)],
        otherwise: &Option<Box<Ex>>,
        expected: Option<&Type>,
        scope: &mut Scope,
    ) -> Text {
        let sty = self.ty_of(s, scope);
        let mut written: Vec<String> = arms
            .iter()
            .map(|(pats, body)| {
                let pats: Vec<String> =
                    pats.iter().map(|v| self.literal(v, Some(&sty)).s).collect();
                format!(
                    "{} => {}",
                    pats.join(" or "),
                    self.unparse(body, expected, scope)
                )
            })
            .collect();
        if let Some(o) = otherwise {
            written.push(format!("otherwise => {}", self.unparse(o, expected, scope)));
        }
        Text::new(
            format!(
                "match {} {{ {} }}",
                self.unparse(s, None, scope),
                written.join(" ")
            ),
            ATOM,
        )
    }

    /// A constant as the rulebook writes it.
    fn literal(&self, v: &Value, expected: Option<&Type>) -> Text {
        let expected = expected.map(Type::without_optional);
        let s = match v {
            Value::Bool(b) => b.to_string(),
            Value::Integer(n) => n.to_string(),
            Value::Decimal(d) => d.to_string(),
            Value::Money(d) => {
                let currency = match expected {
                    Some(Type::Money(c)) => c.to_string(),
                    _ => "KZT".into(),
                };
                format!("{d} {currency}")
            }
            Value::Date(d) => date::format(*d),
            Value::Duration(d) => self.duration_text(d),
            Value::Text(t) => quoted(t),
            Value::Period(p) => {
                format!("period({}, {})", date::format(p.start), date::format(p.end))
            }
            Value::Enum(i) => match expected {
                Some(Type::Enum(e)) => self
                    .schema
                    .variant_name(*e, *i)
                    .map_or_else(|| format!("value {i}"), str::to_string),
                _ => format!("value {i}"),
            },
            Value::Record(fields) => self.record_text(expected, fields.len(), |i, fty| {
                fields
                    .get(i)
                    .map_or_else(String::new, |x| self.literal(x, fty).s)
            }),
            Value::List(items) => {
                let elem = match expected {
                    Some(Type::List(t)) => Some(&**t),
                    _ => None,
                };
                let items: Vec<String> = items.iter().map(|x| self.literal(x, elem).s).collect();
                format!("[{}]", items.join(", "))
            }
            Value::Reason(r, i) => self
                .p
                .reason(*r, *i as usize)
                .map_or_else(|| "reason".into(), |x| x.code.clone()),
            Value::Absent => "absent".into(),
        };
        let prec = if s.starts_with('-') { NEG } else { ATOM };
        Text::new(s, prec)
    }

    /// A record literal, `{ name: value, ... }`: the field names from the record's type,
    /// each field written by `field` (given its index and type).
    fn record_text(
        &self,
        ty: Option<&Type>,
        count: usize,
        mut field: impl FnMut(usize, Option<&Type>) -> String,
    ) -> String {
        let fields: Vec<String> = (0..count)
            .map(|i| {
                let name = ty.map_or(format!("field{i}"), |t| self.field_name(t, i as u32));
                let fty = ty.and_then(|t| self.field_type(t, i as u32));
                format!("{name}: {}", field(i, fty.as_ref()))
            })
            .collect();
        format!("{{ {} }}", fields.join(", "))
    }

    fn duration_text(&self, d: &crate::value::Duration) -> String {
        let n = d.amount;
        let plural = |unit: &str| {
            if n == 1 {
                format!("{n} {unit}")
            } else {
                format!("{n} {unit}s")
            }
        };
        match d.unit {
            DurationUnit::Days => plural("day"),
            DurationUnit::Months if n % 12 == 0 && n != 0 => {
                let years = n / 12;
                if years == 1 {
                    "1 year".into()
                } else {
                    format!("{years} years")
                }
            }
            DurationUnit::Months => plural("month"),
            DurationUnit::WorkingDays => {
                let days = plural("working day");
                match d.calendar {
                    Some(c) => format!("{days} in {}", self.calendar_name(c)),
                    None => days,
                }
            }
        }
    }
}

/// An expression open to the right, in parentheses unless nothing follows it.
fn open_ended(s: String, tail: Tail) -> Text {
    match tail {
        Tail::Last => Text::new(s, ATOM),
        Tail::Followed => Text::new(format!("({s})"), ATOM),
    }
}

/// A fact, a quantified variable or a field chain on one: what may follow `as of` unbracketed.
fn is_path(e: &Ex) -> bool {
    match e {
        Ex::Fact(_) | Ex::Local(_) | Ex::Rule(_) | Ex::Param(_, None) | Ex::AsOfDate => true,
        Ex::Field(b, _) | Ex::Unwrap(b) | Ex::ToDecimal(b) => is_path(b),
        _ => false,
    }
}

fn is_money(t: &Type) -> bool {
    matches!(t.without_optional(), Type::Money(_))
}

fn is_list(t: &Type) -> bool {
    matches!(t.without_optional(), Type::List(_))
}

pub(crate) fn element_type(t: &Type) -> Type {
    match t.without_optional() {
        Type::List(e) => (**e).clone(),
        _ => Type::Error,
    }
}

/// The word that begins a quantifier or list form.
pub(crate) fn quantifier_word(kind: QuantKind) -> &'static str {
    match kind {
        QuantKind::Any => "any",
        QuantKind::All => "all",
        QuantKind::Count => "count",
        QuantKind::Sum(_) => "sum",
        QuantKind::Map => "map",
        QuantKind::Filter => "filter",
        QuantKind::Min => "min",
        QuantKind::Max => "max",
    }
}

/// A built-in function's name as the language writes it.
pub(crate) fn builtin_name(b: Builtin) -> &'static str {
    match b {
        Builtin::Age => "age",
        Builtin::DaysBetween => "days_between",
        Builtin::Period => "period",
        Builtin::Start => "start",
        Builtin::End => "end",
        Builtin::Days => "days",
        Builtin::DaysPresent => "days_present",
        Builtin::MaxDaysInAnyWindow => "max_days_in_any_window",
        Builtin::Year => "year",
        Builtin::Month => "month",
        Builtin::Day => "day",
        Builtin::Weekday => "weekday",
        Builtin::StartOfMonth => "start_of_month",
        Builtin::EndOfMonth => "end_of_month",
        Builtin::Date => "date",
        Builtin::Count => "count",
        Builtin::IsEmpty => "is_empty",
        Builtin::Min => "min",
        Builtin::Max => "max",
        Builtin::Round => "round",
        Builtin::ValueOr => "value_or",
        Builtin::IsWorkingDay => "is_working_day",
        Builtin::WorkingDaysBetween => "working_days_between",
    }
}
