//! The constants a rulebook's rules talk about, harvested once for the case generator: the
//! literals of every version's resolved expressions, table rows and parameters, which fact or
//! field each one is compared with (knowing the static type of fact paths, rules, tables and
//! quantifier variables, to tell which enum a constant belongs to), the dates compared with
//! the evaluation date, and the facts of the examples and tests.

use crate::ir::*;
use crate::time::date::Day;
use crate::value::{DurationUnit, Value};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// Constants found in the rulebooks' resolved expressions, parameters, tests and examples.
#[derive(Default)]
pub(super) struct Literals {
    pub ints: BTreeSet<i64>,
    pub decimals: BTreeSet<Decimal>,
    pub money: BTreeSet<Decimal>,
    pub dates: BTreeSet<Day>,
    pub texts: BTreeSet<String>,
    /// (unit, amount): 0 days, 1 months, 2 working days.
    pub durations: BTreeSet<(u8, i64)>,
    /// Enum name → variant names compared against, matched or looked up in a table.
    pub variants: BTreeMap<String, BTreeSet<String>>,
    /// Dates compared directly with the evaluation date.
    pub as_of_dates: BTreeSet<Day>,
    /// Other dates a case is worth evaluating on: the first days of parameters' values and the
    /// dates of the tests.
    pub other_as_of: BTreeSet<Day>,
    /// Record name ("" for the facts) → field name → the constants it is compared with, matched
    /// against or looked up by.
    pub by_field: BTreeMap<String, BTreeMap<String, BTreeSet<Lit>>>,
}

impl Literals {
    /// The constants of every version of `rb`, its tests and its examples.
    pub fn add_rulebook(&mut self, rb: &Rulebook) {
        for v in &rb.versions {
            Harvest::program(rb, &v.program, self);
        }
        for t in &rb.tests {
            self.other_as_of.extend(t.as_of);
            t.facts.iter().for_each(|v| self.value(v));
        }
        for e in &rb.examples {
            e.facts.iter().for_each(|v| self.value(v));
        }
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::Integer(n) => {
                self.ints.insert(*n);
            }
            Value::Decimal(d) => {
                self.decimals.insert(*d);
            }
            Value::Money(d) => {
                self.money.insert(*d);
            }
            Value::Date(d) => {
                self.dates.insert(*d);
            }
            Value::Text(t) => {
                self.texts.insert(t.to_string());
            }
            Value::Duration(d) => {
                let unit = match d.unit {
                    DurationUnit::Days => 0,
                    DurationUnit::Months => 1,
                    DurationUnit::WorkingDays => 2,
                };
                self.durations.insert((unit, d.amount));
                // A whole number of years is also a number of years (an age, a validity).
                if d.unit == DurationUnit::Months && d.amount % 12 == 0 {
                    self.ints.insert(d.amount / 12);
                }
            }
            Value::Period(p) => {
                self.dates.insert(p.start);
                self.dates.insert(p.end);
            }
            Value::List(items) | Value::Record(items) => items.iter().for_each(|i| self.value(i)),
            Value::Bool(_) | Value::Enum(_) | Value::Reason(..) | Value::Absent => {}
        }
    }
}

/// A constant that a fact or field is compared with.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Lit {
    Int(i64),
    Dec(Decimal),
    Money(Decimal),
    Date(Day),
    Text(String),
    Variant(String),
}

/// A walk over one program's expressions, knowing the static type of fact paths, rules, tables
/// and quantifier variables (to tell which enum a constant belongs to).
struct Harvest<'a> {
    rb: &'a Rulebook,
    p: &'a Program,
    locals: Vec<Option<Type>>,
    lit: &'a mut Literals,
}

impl<'a> Harvest<'a> {
    fn program(rb: &'a Rulebook, p: &'a Program, lit: &'a mut Literals) {
        let mut h = Harvest {
            rb,
            p,
            locals: vec![None; p.locals as usize],
            lit,
        };
        for r in &p.rules {
            match &r.body {
                RuleBodyIr::Definition(def) => h.definition(def),
                RuleBodyIr::Reasons(items) => items.iter().for_each(|i| h.expr(&i.condition)),
            }
        }
        for t in &p.tables {
            t.values.iter().chain(&t.otherwise).for_each(|e| h.expr(e));
            if let TableLookup::Rows { rows, .. } = &t.lookup {
                for pat in rows.iter().flatten().flatten().flatten() {
                    pat.values().for_each(|v| h.value(v));
                }
            }
        }
        for param in &p.params {
            for (from, v) in &param.values {
                h.lit.dates.insert(*from);
                h.lit.other_as_of.insert(*from);
                h.value(v);
            }
        }
    }

    fn definition(&mut self, def: &Definition) {
        def.for_each_expr(&mut |e| self.expr(e));
    }

    fn value(&mut self, v: &Value) {
        self.lit.value(v);
    }

    /// A constant used against `typed`: remember it for the fact or field that `typed` reads,
    /// and, if an enum value, for its enum.
    fn constant(&mut self, typed: &Ex, v: &Value) {
        let ty = self.type_of(typed).map(element);
        let lit = match (ty, v) {
            (Some(Type::Enum(e)), Value::Enum(i)) => {
                let Some(info) = self.rb.schema.enums.get(e as usize) else {
                    return;
                };
                let Some(var) = info.variants.get(*i as usize) else {
                    return;
                };
                self.lit
                    .variants
                    .entry(info.name.clone())
                    .or_default()
                    .insert(var.name.clone());
                Lit::Variant(var.name.clone())
            }
            (_, Value::Integer(n)) => Lit::Int(*n),
            (_, Value::Decimal(d)) => Lit::Dec(*d),
            (_, Value::Money(d)) => Lit::Money(*d),
            (_, Value::Date(d)) => Lit::Date(*d),
            (_, Value::Text(t)) => Lit::Text(t.to_string()),
            _ => return,
        };
        if let Some((record, field)) = self.field_key(typed) {
            self.lit
                .by_field
                .entry(record)
                .or_default()
                .entry(field)
                .or_default()
                .insert(lit);
        }
    }

    fn constants_against(&mut self, typed: &Ex, other: &Ex) {
        match other {
            Ex::Const(Value::List(items)) => {
                for v in items.iter() {
                    self.constant(typed, v);
                }
            }
            Ex::Const(v) => {
                self.constant(typed, v);
                if let (Ex::AsOfDate, Value::Date(d)) = (typed, v) {
                    self.lit.as_of_dates.insert(*d);
                }
            }
            Ex::ToDecimal(x) => {
                if let Ex::Const(Value::Integer(n)) = &**x {
                    self.constant(typed, &Value::Decimal(Decimal::from(*n)));
                }
            }
            Ex::List(items) => {
                for i in items {
                    if let Ex::Const(v) = i {
                        self.constant(typed, v);
                    }
                }
            }
            _ => {}
        }
    }

    /// The (record, field) that an expression reads: ("", fact) for a fact.
    fn field_key(&self, e: &Ex) -> Option<(String, String)> {
        let schema = &self.rb.schema;
        match e {
            Ex::Fact(s) => schema
                .facts
                .get(*s as usize)
                .map(|f| (String::new(), f.name.clone())),
            Ex::Field(b, i) => match strip(self.type_of(b)?) {
                Type::Record(r) => {
                    let rec = schema.records.get(r as usize)?;
                    let f = rec.fields.get(*i as usize)?;
                    Some((rec.name.clone(), f.name.clone()))
                }
                _ => None,
            },
            Ex::Unwrap(x) | Ex::ToDecimal(x) => self.field_key(x),
            Ex::Builtin(Builtin::ValueOr, args) => args.first().and_then(|a| self.field_key(a)),
            _ => None,
        }
    }

    fn type_of(&self, e: &Ex) -> Option<Type> {
        let schema = &self.rb.schema;
        match e {
            Ex::Fact(s) => schema.facts.get(*s as usize).map(|f| f.ty.clone()),
            Ex::Field(b, i) => match strip(self.type_of(b)?) {
                Type::Record(r) => schema
                    .records
                    .get(r as usize)?
                    .fields
                    .get(*i as usize)
                    .map(|f| f.ty.clone()),
                _ => None,
            },
            Ex::Local(s) => self.locals.get(*s as usize).cloned().flatten(),
            Ex::Rule(r) => self.p.rules.get(*r as usize).map(|r| r.ty.clone()),
            Ex::Param(p, _) => self.p.params.get(*p as usize).map(|p| p.ty.clone()),
            Ex::Table(t, _) => self.p.tables.get(*t as usize).map(|t| t.ty.clone()),
            Ex::Unwrap(x) => self.type_of(x).map(strip),
            Ex::If(_, a, b) => self.type_of(a).or_else(|| self.type_of(b)),
            Ex::Builtin(Builtin::ValueOr, args) => args.first().and_then(|a| self.type_of(a)),
            _ => None,
        }
    }

    /// Collects the constants of `e` and of the expressions inside it; for a comparison, a
    /// match or a table lookup, also what they are compared with.
    fn expr(&mut self, e: &Ex) {
        match e {
            Ex::Const(v) => self.value(v),
            Ex::Table(t, keys) => {
                match self.p.tables.get(*t as usize).map(|t| &t.lookup) {
                    // A band's bounds, from which the pools draw the values either side.
                    Some(TableLookup::Rows { rows, .. }) => {
                        for row in rows {
                            for (pat, key) in row.iter().zip(keys) {
                                for v in pat.iter().flatten().flat_map(KeyMatch::values) {
                                    self.constant(key, v);
                                }
                            }
                        }
                    }
                    // The keys of combinations that have a row (not the table's `otherwise`),
                    // unless every value of the key has one (a wildcard says nothing).
                    Some(TableLookup::Dense { sizes, cells }) => {
                        let mut used = vec![BTreeSet::new(); sizes.len()];
                        for (idx, cell) in cells.iter().enumerate() {
                            if cell.is_none() {
                                continue;
                            }
                            let mut rest = idx;
                            for (size, set) in sizes.iter().zip(used.iter_mut()).rev() {
                                let size = (*size as usize).max(1);
                                set.insert(rest % size);
                                rest /= size;
                            }
                        }
                        for ((set, size), key) in used.iter().zip(sizes).zip(keys) {
                            if set.len() < *size as usize {
                                for &i in set {
                                    self.constant(key, &Value::Enum(i as u32));
                                }
                            }
                        }
                    }
                    None => {}
                }
            }
            Ex::Cmp(_, a, b) | Ex::In(a, b) => {
                self.constants_against(a, b);
                self.constants_against(b, a);
            }
            Ex::Match(s, arms, _) => {
                for v in arms.iter().flat_map(|(pats, _)| pats) {
                    self.value(v);
                    self.constant(s, v);
                }
            }
            // The quantified variable's type, for the constants its items are compared with.
            Ex::Quant(_, slot, list, _) => {
                let elem = match self.type_of(list).map(strip) {
                    Some(Type::List(t)) => Some(*t),
                    _ => None,
                };
                if let Some(l) = self.locals.get_mut(*slot as usize) {
                    *l = elem;
                }
            }
            _ => {}
        }
        e.for_each_child(|x| self.expr(x));
    }
}

/// The type inside an optional.
pub(super) fn strip(t: Type) -> Type {
    match t {
        Type::Optional(inner) => strip(*inner),
        other => other,
    }
}

/// The type inside optionals and lists.
fn element(t: Type) -> Type {
    match t {
        Type::Optional(inner) | Type::List(inner) => element(*inner),
        other => other,
    }
}
