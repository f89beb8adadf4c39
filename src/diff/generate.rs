//! Generated cases for `zan diff --generate N --seed S`: seeded, reproducible cases in the JSON
//! input format, chosen to reach the branches (rule cases and `otherwise`, exceptions and their
//! cases, reason items, table rows) of every given version of a rulebook.
//!
//! Values are drawn from the schema of the newest rulebook, biased toward the boundaries the
//! rules talk about: the literals of every version's resolved expressions (and one either side),
//! the evaluation date shifted by the durations and the year counts found there, the enum
//! variants the rules compare against. Candidates are fresh draws or mutations of candidates that
//! reached something new; each is evaluated under every rulebook with a coverage trace, and the
//! cases kept are a greedy cover of the branches reached. A splitmix64 generator and ordered
//! collections only: the same inputs and seed give the same cases on every machine.

use crate::coverage::Trace;
use crate::eval::{case_from_json, eval_rule_traced};
use crate::ir::*;
use crate::source::Span;
use crate::time::date::{self, Day};
use crate::value::{DurationUnit, Value};
use rust_decimal::Decimal;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet};

/// One generated case: its facts in the JSON input format of `eval::case_from_json`, and its evaluation date.
#[derive(Clone, Debug)]
pub struct GeneratedCase {
    pub facts: serde_json::Value,
    pub as_of: Day,
}

#[derive(Clone, Debug)]
pub struct Generation {
    pub cases: Vec<GeneratedCase>,
    /// Branches (rule cases and otherwise, exceptions' cases, reason items, table rows) of all the given rulebooks' versions.
    pub branches: usize,
    /// How many of them at least one generated case reaches.
    pub reached: usize,
}

/// The evaluation date used when no rulebook has a version boundary.
const DEFAULT_AS_OF: (i32, u32, u32) = (2026, 1, 1);
/// Candidates evaluated: this many per case asked for, within the bounds below (at least `n`).
const CANDIDATES_PER_CASE: usize = 15;
const MIN_CANDIDATES: usize = 1_000;
const MAX_CANDIDATES: usize = 6_000;
/// Records nested deeper than this get no optional parts and empty lists.
const MAX_DEPTH: usize = 8;

/// `n` cases for the facts of `rulebooks.last()` (the new version), chosen to reach the branches
/// of every given rulebook (old and new). Same inputs and seed → same cases, on every machine.
///
/// The evaluation date of a case is a version boundary of one of the rulebooks (a version's
/// first day, or the day before), a date the rules compare `as_of` with (±1 day, when the new
/// rulebook is in force then), or 2026-01-01 when there is none; it is also written into the
/// rulebook's `as of` fact. A rulebook given twice counts once; an older rulebook reads the
/// cases without the facts and fields it does not declare (`project`).
pub fn generate(rulebooks: &[&Rulebook], n: usize, seed: u64) -> Generation {
    let targets = targets(rulebooks);
    let branches = targets.iter().map(|t| t.branches.len()).sum();
    let Some(last) = rulebooks.last().copied().filter(|_| n > 0) else {
        return Generation {
            cases: Vec::new(),
            branches,
            reached: 0,
        };
    };
    let mut literals = Literals::default();
    for t in &targets {
        for v in &t.rb.versions {
            Harvest::program(t.rb, &v.program, &mut literals);
        }
    }
    let pools = Pools::new(&literals, &targets, last);
    let mut search = Search {
        gen: Gen {
            rb: last,
            pools: &pools,
            rng: Rng::new(seed),
            anchors: Vec::new(),
            chosen: BTreeMap::new(),
        },
        targets: &targets,
        seen: BTreeSet::new(),
        covered: vec![false; branches],
        novel: Vec::new(),
        rest: Vec::new(),
    };
    let budget = n
        .saturating_mul(CANDIDATES_PER_CASE)
        .clamp(MIN_CANDIDATES, MAX_CANDIDATES)
        .max(n);
    search.run(budget, n);
    search.select(n, branches)
}

/// Every branch of a rulebook, once by span, in the order of its versions' programs: the cases
/// and `otherwise` of rules and exceptions, the exceptions, the reason items, the table rows and
/// tables' `otherwise` (the items that `coverage::report` counts as cases, exceptions, reasons and
/// table rows).
pub fn branch_spans(rb: &Rulebook) -> Vec<Span> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut add = |s: Span| {
        if seen.insert(s) {
            out.push(s);
        }
    };
    fn definition(def: &Definition, top: bool, add: &mut impl FnMut(Span)) {
        if !top {
            add(def.span);
        }
        for c in def.cases.iter().chain(&def.otherwise) {
            add(c.span);
        }
        for e in &def.exceptions {
            definition(e, false, add);
        }
    }
    for v in &rb.versions {
        let p = &v.program;
        for r in &p.rules {
            match &r.body {
                RuleBodyIr::Definition(def) => definition(def, true, &mut add),
                RuleBodyIr::Reasons(items) => items.iter().for_each(|i| add(i.span)),
            }
        }
        for t in &p.tables {
            for part in t.rows.iter().chain(&t.otherwise_part) {
                add(part.span);
            }
        }
    }
    out
}

/// Keeps the keys of `facts` that the rulebook declares (at every level of records and lists),
/// so that a case written for a newer schema can be read by an older one when it only adds facts
/// or fields.
pub fn project(rb: &Rulebook, facts: &Json) -> Json {
    fn object(schema: &Schema, json: &Json, fields: &[FieldInfo]) -> Json {
        let Some(obj) = json.as_object() else {
            return json.clone();
        };
        let mut out = Map::new();
        for (k, v) in obj {
            if let Some(f) = fields.iter().find(|f| f.name == *k) {
                out.insert(k.clone(), value(schema, v, &f.ty));
            }
        }
        Json::Object(out)
    }
    fn value(schema: &Schema, json: &Json, ty: &Type) -> Json {
        match ty {
            Type::Optional(t) => value(schema, json, t),
            Type::Record(r) => match schema.records.get(*r as usize) {
                Some(rec) => object(schema, json, &rec.fields),
                None => json.clone(),
            },
            Type::List(t) => match json.as_array() {
                Some(items) => Json::Array(items.iter().map(|i| value(schema, i, t)).collect()),
                None => json.clone(),
            },
            _ => json.clone(),
        }
    }
    object(&rb.schema, facts, &rb.schema.facts)
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// A seeded generator (`testing::gen_case::splitmix64`): the same cases on every machine.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5EED_0F2A_4ED1_FF00)
    }

    fn next(&mut self) -> u64 {
        crate::testing::gen_case::splitmix64(&mut self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        // Multiply-shift: no modulo bias worth the name for the small n used here.
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// True with probability `num / den`.
    fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> Option<&'a T> {
        if xs.is_empty() {
            None
        } else {
            xs.get(self.below(xs.len()))
        }
    }

    /// -1, 0 or +1.
    fn nudge(&mut self) -> i64 {
        self.below(3) as i64 - 1
    }
}

// ---------------------------------------------------------------------------------------------
// Literals of the rules

/// Constants found in the rulebooks' resolved expressions and parameters.
#[derive(Default)]
struct Literals {
    ints: BTreeSet<i64>,
    decimals: BTreeSet<Decimal>,
    money: BTreeSet<Decimal>,
    dates: BTreeSet<Day>,
    texts: BTreeSet<String>,
    /// (unit, amount): 0 days, 1 months, 2 working days.
    durations: BTreeSet<(u8, i64)>,
    /// Enum name → variant names compared against, matched or looked up in a table.
    variants: BTreeMap<String, BTreeSet<String>>,
    /// Dates compared directly with the evaluation date.
    as_of_dates: BTreeSet<Day>,
    /// Record name ("" for the facts) → field name → the constants it is compared with, matched
    /// against or looked up by.
    by_field: BTreeMap<String, BTreeMap<String, BTreeSet<Lit>>>,
}

/// A constant that a fact or field is compared with.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Lit {
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
            if let TableLookup::Rows(rows) = &t.lookup {
                for pat in rows.iter().flatten().flatten().flatten() {
                    h.value(pat);
                }
            }
        }
        for param in &p.params {
            param.values.iter().for_each(|(_, v)| h.value(v));
        }
    }

    fn definition(&mut self, def: &Definition) {
        def.for_each_expr(&mut |e| self.expr(e));
    }

    fn value(&mut self, v: &Value) {
        let lit = &mut *self.lit;
        match v {
            Value::Integer(n) => {
                lit.ints.insert(*n);
            }
            Value::Decimal(d) => {
                lit.decimals.insert(*d);
            }
            Value::Money(d) => {
                lit.money.insert(*d);
            }
            Value::Date(d) => {
                lit.dates.insert(*d);
            }
            Value::Text(t) => {
                lit.texts.insert(t.to_string());
            }
            Value::Duration(d) => {
                let unit = match d.unit {
                    DurationUnit::Days => 0,
                    DurationUnit::Months => 1,
                    DurationUnit::WorkingDays => 2,
                };
                lit.durations.insert((unit, d.amount));
            }
            Value::Period(p) => {
                lit.dates.insert(p.start);
                lit.dates.insert(p.end);
            }
            Value::List(items) | Value::Record(items) => items.iter().for_each(|i| self.value(i)),
            Value::Bool(_) | Value::Enum(_) | Value::Reason(..) | Value::Absent => {}
        }
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
                    Some(TableLookup::Rows(rows)) => {
                        for row in rows {
                            for (pat, key) in row.iter().zip(keys) {
                                for v in pat.iter().flatten() {
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
fn strip(t: Type) -> Type {
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

// ---------------------------------------------------------------------------------------------
// Pools of values to draw from

/// A shift of a date: a number of days or of calendar months.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Shift {
    Days(i64),
    Months(i64),
}

fn shift(d: Day, s: Shift, sign: i64) -> Option<Day> {
    match s {
        Shift::Days(n) => date::add_days(d, sign.checked_mul(n)?),
        Shift::Months(n) => date::add_months(d, sign.checked_mul(n)?),
    }
}

struct Pools {
    ints: Vec<i64>,
    decimals: Vec<Decimal>,
    money: Vec<Decimal>,
    dates: Vec<Day>,
    texts: Vec<String>,
    shifts: Vec<Shift>,
    /// Lengths of periods, in days.
    lengths: Vec<i64>,
    /// Durations as facts: (unit name, amount).
    durations: Vec<(&'static str, i64)>,
    variants: BTreeMap<String, Vec<String>>,
    by_field: BTreeMap<String, BTreeMap<String, Vec<Lit>>>,
    as_of: Vec<Day>,
}

/// Adds `n - 1`, `n`, `n + 1`, without going below zero when `n` is not negative.
fn around(set: &mut BTreeSet<i64>, n: i64) {
    set.insert(n);
    set.insert(n.saturating_add(1));
    if n != 0 {
        set.insert(n.saturating_sub(1));
    }
}

impl Pools {
    fn new(lit: &Literals, targets: &[Target<'_>], last: &Rulebook) -> Pools {
        let mut ints = BTreeSet::from([0, 1, 2, 3]);
        for &n in &lit.ints {
            around(&mut ints, n);
        }
        let one = Decimal::ONE;
        let cent = Decimal::new(1, 2);
        let mut decimals = BTreeSet::from([Decimal::ZERO, one]);
        for &d in &lit.decimals {
            decimals.insert(d);
            decimals.extend(d.checked_add(one));
            decimals.extend(d.checked_sub(one));
            decimals.extend(d.checked_add(cent));
            decimals.extend(d.checked_sub(cent));
        }
        for &n in lit.ints.iter().filter(|n| (0..=1000).contains(*n)) {
            decimals.insert(Decimal::from(n));
        }
        // Amounts: the literal ones, and the money parameters (such as a monthly index) times
        // the numbers the rules multiply them by.
        let mut money = BTreeSet::from([Decimal::ZERO]);
        let factors: Vec<Decimal> = lit
            .ints
            .iter()
            .filter(|n| (2..=1000).contains(*n))
            .map(|&n| Decimal::from(n))
            .chain(lit.decimals.iter().copied())
            .collect();
        for &m in &lit.money {
            money.insert(m);
            for f in &factors {
                money.extend(
                    m.checked_mul(*f)
                        .and_then(|x| x.round_dp(2).checked_add(one)),
                );
                money.extend(m.checked_mul(*f).map(|x| x.round_dp(2)));
            }
        }
        let more: Vec<Decimal> = money.iter().copied().collect();
        for m in more {
            money.extend(m.checked_add(one));
            if m >= one {
                money.extend(m.checked_sub(one));
            }
        }
        let mut dates = BTreeSet::new();
        for &d in &lit.dates {
            for k in -1..=1 {
                dates.extend(date::add_days(d, k));
            }
        }
        let mut shifts = BTreeSet::new();
        let mut lengths = BTreeSet::from([0, 1, 30, 90, 180, 365]);
        let mut durations = BTreeSet::from([("days", 0), ("days", 30), ("months", 1)]);
        for &(unit, n) in &lit.durations {
            match unit {
                1 => {
                    shifts.insert(Shift::Months(n));
                    durations.insert(("months", n));
                }
                0 => {
                    shifts.insert(Shift::Days(n));
                    around(&mut lengths, n);
                    durations.insert(("days", n));
                }
                _ => {
                    // Working days: the same number of days, and about 7/5 of it.
                    let calendar = n.saturating_mul(7) / 5;
                    for d in [n, calendar, calendar + 2, calendar + 4] {
                        shifts.insert(Shift::Days(d));
                    }
                    durations.insert(("days", n));
                }
            }
        }
        for &n in lit.ints.iter().filter(|n| (0..=120).contains(*n)) {
            shifts.insert(Shift::Months(n * 12));
        }
        for &n in lit.ints.iter().filter(|n| (1..=1000).contains(*n)) {
            shifts.insert(Shift::Days(n));
            around(&mut lengths, n);
        }
        let texts: Vec<String> = if lit.texts.is_empty() {
            vec!["text".to_string()]
        } else {
            lit.texts.iter().cloned().collect()
        };
        let mut as_of = BTreeSet::new();
        for t in targets {
            for v in &t.rb.versions {
                if let Some(f) = v.from {
                    as_of.insert(f);
                    as_of.extend(date::add_days(f, -1));
                }
            }
        }
        if as_of.is_empty() {
            as_of.extend(date::from_ymd(
                DEFAULT_AS_OF.0,
                DEFAULT_AS_OF.1,
                DEFAULT_AS_OF.2,
            ));
        }
        // Dates the rules compare the evaluation date with, when a version is in force on them.
        for &d in &lit.as_of_dates {
            for k in -1..=1 {
                if let Some(day) = date::add_days(d, k) {
                    if last.version_on(day).is_some() {
                        as_of.insert(day);
                    }
                }
            }
        }
        // Years, for integer facts such as a tax year: those of the evaluation dates, ±1.
        for &d in &as_of {
            around(&mut ints, i64::from(date::year_of(d)));
        }
        Pools {
            ints: ints.into_iter().collect(),
            decimals: decimals.into_iter().collect(),
            money: money
                .into_iter()
                .filter(|m| !m.is_sign_negative())
                .collect(),
            dates: dates.into_iter().collect(),
            texts,
            shifts: shifts.into_iter().collect(),
            lengths: lengths.into_iter().filter(|n| *n >= 0).collect(),
            durations: durations.into_iter().filter(|(_, n)| *n >= 0).collect(),
            variants: lit
                .variants
                .iter()
                .map(|(k, v)| (k.clone(), v.iter().cloned().collect()))
                .collect(),
            by_field: lit
                .by_field
                .iter()
                .map(|(r, fields)| {
                    let fields = fields
                        .iter()
                        .map(|(f, lits)| (f.clone(), lits.iter().cloned().collect()))
                        .collect();
                    (r.clone(), fields)
                })
                .collect(),
            as_of: as_of.into_iter().collect(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Drawing values from the schema

struct Gen<'a> {
    rb: &'a Rulebook,
    pools: &'a Pools,
    rng: Rng,
    /// Dates of the case so far (the evaluation date first): later dates are often drawn near
    /// them, so that deadlines between two facts are met and missed.
    anchors: Vec<Day>,
    /// Enum values of the case so far, by enum: drawn again at times, so that two facts agree
    /// (a country in a list of countries, the same region twice).
    chosen: BTreeMap<EnumId, Vec<String>>,
}

impl Gen<'_> {
    fn fresh(&mut self) -> GeneratedCase {
        let as_of = self.as_of();
        self.anchors = vec![as_of];
        self.chosen.clear();
        let facts = self.object(&self.rb.schema.facts, "", 0);
        let mut facts = Json::Object(facts);
        self.set_as_of(&mut facts, as_of);
        GeneratedCase { facts, as_of }
    }

    fn as_of(&mut self) -> Day {
        let fallback = date::from_ymd(DEFAULT_AS_OF.0, DEFAULT_AS_OF.1, DEFAULT_AS_OF.2);
        self.rng
            .pick(&self.pools.as_of)
            .copied()
            .or(fallback)
            .unwrap_or_default()
    }

    /// A copy of `parent` with one to three parts drawn again (and sometimes another date).
    fn mutate(&mut self, parent: &GeneratedCase) -> GeneratedCase {
        let mut facts = parent.facts.clone();
        let mut as_of = parent.as_of;
        if self.rng.chance(1, 6) {
            as_of = self.as_of();
        }
        self.anchors = vec![as_of];
        self.chosen.clear();
        let schema = &self.rb.schema;
        for f in &schema.facts {
            if let Some(v) = facts.get(&f.name) {
                remember(schema, v, &f.ty, &mut self.anchors, &mut self.chosen);
            }
        }
        let mut changes = 1;
        while changes < 3 && self.rng.chance(1, 2) {
            changes += 1;
        }
        let rb = self.rb;
        for _ in 0..changes {
            let mut places = Vec::new();
            for f in &rb.schema.facts {
                let path = vec![Seg::Key(f.name.clone())];
                if let Some(v) = facts.get(&f.name) {
                    places_in(&rb.schema, v, &f.ty, &path, ("", &f.name), &mut places);
                }
                places.push(Place {
                    path,
                    ty: &f.ty,
                    key: ("", &f.name),
                });
            }
            let Some(Place { path, ty, key }) = self.rng.pick(&places).cloned() else {
                break;
            };
            let depth = path.len();
            match path.split_last() {
                Some((Seg::Key(k), parent)) => {
                    let new = self.field(ty, None, depth, key);
                    if let Some(Json::Object(obj)) = at_mut(&mut facts, parent) {
                        match new {
                            Some(v) => {
                                obj.insert(k.clone(), v);
                            }
                            None => {
                                obj.remove(k);
                            }
                        }
                    }
                }
                Some((Seg::Index(i), parent)) => {
                    let new = self.value(ty, depth, key);
                    if let Some(slot) = at_mut(&mut facts, parent).and_then(|a| a.get_mut(*i)) {
                        *slot = new;
                    }
                }
                None => {}
            }
        }
        self.set_as_of(&mut facts, as_of);
        GeneratedCase { facts, as_of }
    }

    /// Writes the evaluation date into the rulebook's `as of` fact, making the records on the
    /// way present.
    fn set_as_of(&mut self, facts: &mut Json, as_of: Day) {
        let Some(path) = self.rb.as_of_path.clone() else {
            return;
        };
        let schema = &self.rb.schema;
        let mut fields: &[FieldInfo] = &schema.facts;
        let mut node = facts;
        for (i, slot) in path.iter().enumerate() {
            let Some(f) = fields.get(*slot as usize) else {
                return;
            };
            let Some(obj) = node.as_object_mut() else {
                return;
            };
            if i + 1 == path.len() {
                obj.insert(f.name.clone(), Json::String(date::format(as_of)));
                return;
            }
            let Type::Record(r) = strip(f.ty.clone()) else {
                return;
            };
            let Some(rec) = schema.records.get(r as usize) else {
                return;
            };
            if !obj.get(&f.name).is_some_and(Json::is_object) {
                let v = Json::Object(self.object(&rec.fields, &rec.name, i + 1));
                obj.insert(f.name.clone(), v);
            }
            let Some(next) = obj.get_mut(&f.name) else {
                return;
            };
            node = next;
            fields = &rec.fields;
        }
    }

    /// The fields of a record (`record` is its name, "" for the facts).
    fn object(&mut self, fields: &[FieldInfo], record: &str, depth: usize) -> Map<String, Json> {
        let mut obj = Map::new();
        for f in fields {
            let key = (record, f.name.as_str());
            if let Some(v) = self.field(&f.ty, f.default.as_ref(), depth + 1, key) {
                obj.insert(f.name.clone(), v);
            }
        }
        obj
    }

    /// A field's value, or `None` to leave it out (an absent optional, or the default).
    fn field(
        &mut self,
        ty: &Type,
        default: Option<&Value>,
        depth: usize,
        key: (&str, &str),
    ) -> Option<Json> {
        if let Type::Optional(inner) = ty {
            if depth > MAX_DEPTH || self.rng.chance(1, 3) {
                return self.rng.chance(1, 2).then_some(Json::Null);
            }
            return Some(self.value(inner, depth, key));
        }
        if default.is_some() && (depth > MAX_DEPTH || self.rng.chance(1, 5)) {
            return None;
        }
        Some(self.value(ty, depth, key))
    }

    /// A constant the rules compare this field with, ±1 where that means something.
    fn literal(&mut self, ty: &Type, key: (&str, &str)) -> Option<Json> {
        let lits = self.pools.by_field.get(key.0)?.get(key.1)?;
        let fitting: Vec<&Lit> = lits
            .iter()
            .filter(|l| {
                matches!(
                    (ty, l),
                    (Type::Integer, Lit::Int(_))
                        | (Type::Decimal, Lit::Dec(_) | Lit::Int(_))
                        | (Type::Money(_), Lit::Money(_))
                        | (Type::Date, Lit::Date(_))
                        | (Type::Text, Lit::Text(_))
                        | (Type::Enum(_), Lit::Variant(_))
                )
            })
            .collect();
        let lit = (*self.rng.pick(&fitting)?).clone();
        let nudge = self.rng.nudge();
        match (ty, lit) {
            (Type::Integer, Lit::Int(n)) => Some(Json::from(n.saturating_add(nudge))),
            (Type::Decimal, Lit::Dec(d)) => {
                let step = if self.rng.chance(1, 2) {
                    Decimal::ONE
                } else {
                    Decimal::new(1, 2)
                };
                let d = d.checked_add(step * Decimal::from(nudge)).unwrap_or(d);
                Some(Json::String(d.normalize().to_string()))
            }
            (Type::Decimal, Lit::Int(n)) => Some(Json::String(n.saturating_add(nudge).to_string())),
            (Type::Money(_), Lit::Money(d)) => {
                let moved = d.checked_add(Decimal::from(nudge)).unwrap_or(d);
                let d = if moved.is_sign_negative() { d } else { moved };
                Some(Json::String(d.normalize().to_string()))
            }
            (Type::Date, Lit::Date(d)) => {
                let d = date::add_days(d, nudge).unwrap_or(d);
                self.anchors.push(d);
                Some(Json::String(date::format(d)))
            }
            (Type::Text, Lit::Text(t)) => Some(Json::String(t)),
            (Type::Enum(e), Lit::Variant(name)) => {
                let known = self
                    .rb
                    .schema
                    .enums
                    .get(*e as usize)
                    .is_some_and(|info| info.variants.iter().any(|v| v.name == name));
                if !known {
                    return None;
                }
                self.chosen.entry(*e).or_default().push(name.clone());
                Some(Json::String(name))
            }
            _ => None,
        }
    }

    fn value(&mut self, ty: &Type, depth: usize, key: (&str, &str)) -> Json {
        let p = self.pools;
        if !matches!(ty, Type::List(_) | Type::Optional(_) | Type::Record(_))
            && self.rng.chance(1, 3)
        {
            if let Some(v) = self.literal(ty, key) {
                return v;
            }
        }
        match ty {
            Type::Bool => Json::Bool(self.rng.chance(1, 2)),
            Type::Integer => {
                let n = match self.rng.pick(&p.ints) {
                    Some(n) if self.rng.chance(4, 5) => *n,
                    _ => self.rng.below(100) as i64,
                };
                Json::from(n)
            }
            Type::Decimal => {
                let d = self.rng.pick(&p.decimals).copied().unwrap_or_default();
                Json::String(d.normalize().to_string())
            }
            Type::Money(_) => {
                let d = self.rng.pick(&p.money).copied().unwrap_or_default();
                Json::String(d.normalize().to_string())
            }
            Type::Date => Json::String(date::format(self.date())),
            Type::Duration => {
                let (unit, n) = self.rng.pick(&p.durations).copied().unwrap_or(("days", 0));
                let mut obj = Map::new();
                obj.insert(unit.to_string(), Json::from(n));
                Json::Object(obj)
            }
            Type::Text => Json::String(self.rng.pick(&p.texts).cloned().unwrap_or_default()),
            Type::Period => {
                let d = self.date();
                let len = match self.rng.pick(&p.lengths) {
                    Some(n) if self.rng.chance(3, 4) => *n,
                    _ => self.rng.below(400) as i64,
                };
                let other = date::add_days(d, if self.rng.chance(1, 2) { len } else { -len });
                let (start, end) = match other {
                    Some(o) if o < d => (o, d),
                    Some(o) => (d, o),
                    None => (d, d),
                };
                self.anchors.push(start);
                self.anchors.push(end);
                let mut obj = Map::new();
                obj.insert("start".into(), Json::String(date::format(start)));
                obj.insert("end".into(), Json::String(date::format(end)));
                Json::Object(obj)
            }
            Type::Enum(e) => {
                let Some(info) = self.rb.schema.enums.get(*e as usize) else {
                    return Json::Null;
                };
                let used = p.variants.get(&info.name).map_or(&[][..], |v| &v[..]);
                let before = self.chosen.get(e).map_or(&[][..], |v| &v[..]);
                let name = match self.rng.below(4) {
                    0 if !before.is_empty() => self.rng.pick(before).cloned(),
                    0 | 1 if !used.is_empty() => self.rng.pick(used).cloned(),
                    _ => self.rng.pick(&info.variants).map(|v| v.name.clone()),
                };
                let Some(name) = name else {
                    return Json::Null;
                };
                self.chosen.entry(*e).or_default().push(name.clone());
                Json::String(name)
            }
            Type::Record(r) => {
                let schema = &self.rb.schema;
                match schema.records.get(*r as usize) {
                    Some(rec) => Json::Object(self.object(&rec.fields, &rec.name, depth)),
                    None => Json::Object(Map::new()),
                }
            }
            Type::List(t) => {
                let len = if depth > MAX_DEPTH {
                    0
                } else {
                    self.rng.below(4)
                };
                Json::Array((0..len).map(|_| self.value(t, depth + 1, key)).collect())
            }
            Type::Optional(t) => {
                if self.rng.chance(1, 3) {
                    Json::Null
                } else {
                    self.value(t, depth, key)
                }
            }
            Type::Reason | Type::Error => Json::Null,
        }
    }

    /// A date near a boundary: a literal of the rules, or a date of the case (most often the
    /// evaluation date) shifted by a duration or a number of years of the rules, ±1 day.
    fn date(&mut self) -> Day {
        let p = self.pools;
        let as_of = self.anchors.first().copied().unwrap_or_default();
        let r = self.rng.below(10);
        let d = if r < 3 && !p.dates.is_empty() {
            self.rng.pick(&p.dates).copied()
        } else if r < 9 && !p.shifts.is_empty() {
            let anchor = if self.rng.chance(1, 2) {
                as_of
            } else {
                self.rng.pick(&self.anchors).copied().unwrap_or(as_of)
            };
            let sign = if self.rng.chance(1, 2) { 1 } else { -1 };
            let s = self.rng.pick(&p.shifts).copied().unwrap_or(Shift::Days(0));
            let nudge = self.rng.nudge();
            shift(anchor, s, sign).and_then(|d| date::add_days(d, nudge))
        } else {
            let anchor = self.rng.pick(&self.anchors).copied().unwrap_or(as_of);
            let n = self.rng.below(1001) as i64 - 500;
            date::add_days(anchor, n)
        };
        let d = d.unwrap_or(as_of);
        self.anchors.push(d);
        d
    }
}

#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

/// A part of a case that a mutation can draw again: where it is, its type, and the (record,
/// field) it belongs to.
#[derive(Clone, Debug)]
struct Place<'s> {
    path: Vec<Seg>,
    ty: &'s Type,
    key: (&'s str, &'s str),
}

/// The places inside `v` (of type `ty`, the value of the field `key`): fields of records
/// (present or not) and elements of lists.
fn places_in<'s>(
    schema: &'s Schema,
    v: &Json,
    ty: &'s Type,
    path: &[Seg],
    key: (&'s str, &'s str),
    out: &mut Vec<Place<'s>>,
) {
    match ty {
        Type::Optional(t) => places_in(schema, v, t, path, key, out),
        Type::Record(r) => {
            let Some(rec) = schema.records.get(*r as usize) else {
                return;
            };
            for f in &rec.fields {
                let mut p = path.to_vec();
                p.push(Seg::Key(f.name.clone()));
                let key = (rec.name.as_str(), f.name.as_str());
                if let Some(inner) = v.get(&f.name) {
                    places_in(schema, inner, &f.ty, &p, key, out);
                }
                out.push(Place {
                    path: p,
                    ty: &f.ty,
                    key,
                });
            }
        }
        Type::List(t) => {
            for (i, item) in v.as_array().map_or(&[][..], |a| &a[..]).iter().enumerate() {
                let mut p = path.to_vec();
                p.push(Seg::Index(i));
                places_in(schema, item, t, &p, key, out);
                out.push(Place {
                    path: p,
                    ty: t,
                    key,
                });
            }
        }
        _ => {}
    }
}

fn at_mut<'j>(mut node: &'j mut Json, path: &[Seg]) -> Option<&'j mut Json> {
    for seg in path {
        node = match seg {
            Seg::Key(k) => node.get_mut(k.as_str())?,
            Seg::Index(i) => node.get_mut(*i)?,
        };
    }
    Some(node)
}

/// The dates and enum values in `v` (of type `ty`).
fn remember(
    schema: &Schema,
    v: &Json,
    ty: &Type,
    dates: &mut Vec<Day>,
    enums: &mut BTreeMap<EnumId, Vec<String>>,
) {
    match ty {
        Type::Optional(t) => remember(schema, v, t, dates, enums),
        Type::Date => dates.extend(v.as_str().and_then(date::parse)),
        Type::Period => {
            for k in ["start", "end"] {
                dates.extend(v.get(k).and_then(Json::as_str).and_then(date::parse));
            }
        }
        Type::Enum(e) => {
            if let Some(s) = v.as_str() {
                enums.entry(*e).or_default().push(s.to_string());
            }
        }
        Type::Record(r) => {
            for f in schema
                .records
                .get(*r as usize)
                .map_or(&[][..], |x| &x.fields)
            {
                if let Some(inner) = v.get(&f.name) {
                    remember(schema, inner, &f.ty, dates, enums);
                }
            }
        }
        Type::List(t) => {
            for item in v.as_array().map_or(&[][..], |a| &a[..]) {
                remember(schema, item, t, dates, enums);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Search

/// A distinct rulebook and its branches, numbered from `offset` in the whole generation.
struct Target<'a> {
    rb: &'a Rulebook,
    branches: BTreeMap<Span, usize>,
    offset: usize,
    /// Per version: its outputs, those that depend on the most rules first.
    orders: Vec<Vec<RuleId>>,
}

/// The outputs of a program, those with the most rules below them first: evaluating them
/// evaluates (and traces) many of the others on the way.
fn output_order(p: &Program) -> Vec<RuleId> {
    fn refs(e: &Ex, p: &Program, out: &mut BTreeSet<RuleId>) {
        match e {
            Ex::Rule(r) => {
                out.insert(*r);
            }
            // A table's values may name rules too.
            Ex::Table(t, _) => {
                if let Some(t) = p.tables.get(*t as usize) {
                    t.values
                        .iter()
                        .chain(&t.otherwise)
                        .for_each(|v| refs(v, p, out));
                }
            }
            _ => {}
        }
        e.for_each_child(|x| refs(x, p, out));
    }
    fn definition(d: &Definition, p: &Program, out: &mut BTreeSet<RuleId>) {
        d.for_each_expr(&mut |e| refs(e, p, out));
    }
    let direct: Vec<BTreeSet<RuleId>> = p
        .rules
        .iter()
        .map(|r| {
            let mut out = BTreeSet::new();
            match &r.body {
                RuleBodyIr::Definition(d) => definition(d, p, &mut out),
                RuleBodyIr::Reasons(items) => {
                    items.iter().for_each(|i| refs(&i.condition, p, &mut out));
                }
            }
            out
        })
        .collect();
    // Rules are acyclic (checked), but the walk is bounded by the visited set anyway.
    let below = |r: RuleId| -> usize {
        let mut seen = BTreeSet::new();
        let mut stack = vec![r];
        while let Some(x) = stack.pop() {
            for &d in direct.get(x as usize).into_iter().flatten() {
                if seen.insert(d) {
                    stack.push(d);
                }
            }
        }
        seen.len()
    };
    let mut outputs: Vec<(usize, usize, RuleId)> = p
        .outputs
        .iter()
        .enumerate()
        .map(|(i, &r)| (usize::MAX - below(r), i, r))
        .collect();
    outputs.sort_unstable();
    outputs.into_iter().map(|(_, _, r)| r).collect()
}

fn targets<'a>(rulebooks: &[&'a Rulebook]) -> Vec<Target<'a>> {
    let mut out: Vec<Target<'a>> = Vec::new();
    let mut offset = 0;
    for &rb in rulebooks {
        if out.iter().any(|t| std::ptr::eq(t.rb, rb)) {
            continue;
        }
        let branches: BTreeMap<Span, usize> = branch_spans(rb)
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s, i))
            .collect();
        let len = branches.len();
        out.push(Target {
            rb,
            branches,
            offset,
            orders: rb
                .versions
                .iter()
                .map(|v| output_order(&v.program))
                .collect(),
        });
        offset += len;
    }
    out
}

/// The branches (numbered across all targets) that a case reaches, sorted.
fn reach(targets: &[Target<'_>], case: &GeneratedCase) -> Vec<usize> {
    let mut hits = Vec::new();
    for t in targets {
        let parsed = case_from_json(t.rb, &case.facts)
            .or_else(|_| case_from_json(t.rb, &project(t.rb, &case.facts)));
        let (Ok(c), Some(v)) = (parsed, t.rb.version_on(case.as_of)) else {
            continue;
        };
        let mut trace = Trace::default();
        let order =
            t.rb.versions
                .iter()
                .position(|x| std::ptr::eq(x, v))
                .and_then(|i| t.orders.get(i));
        let outputs = order.unwrap_or(&v.program.outputs);
        for &rule in outputs {
            // An output that an earlier one already evaluated left the same trace behind.
            let done = v
                .program
                .rules
                .get(rule as usize)
                .is_some_and(|r| trace.covers(r.span));
            if !done {
                let _ = eval_rule_traced(&v.program, &c, case.as_of, rule, &mut trace);
            }
        }
        hits.extend(
            trace
                .hit_spans()
                .filter_map(|s| t.branches.get(s))
                .map(|i| i + t.offset),
        );
    }
    hits.sort_unstable();
    hits.dedup();
    hits
}

struct Candidate {
    case: GeneratedCase,
    hits: Vec<usize>,
    /// Position in the order of generation.
    index: usize,
}

struct Search<'a> {
    gen: Gen<'a>,
    targets: &'a [Target<'a>],
    covered: Vec<bool>,
    /// Candidates that reached a branch no earlier candidate reached.
    novel: Vec<Candidate>,
    /// The first others, to fill up with.
    rest: Vec<Candidate>,
    /// Every candidate so far (date and facts), so that no case is tried or kept twice.
    seen: BTreeSet<String>,
}

impl Search<'_> {
    fn run(&mut self, budget: usize, n: usize) {
        for index in 0..budget {
            // Mostly a mutation of a candidate that reached something new, sometimes a fresh one.
            let parent = if self.gen.rng.chance(3, 10) {
                None
            } else {
                let i = self.gen.rng.below(self.novel.len());
                self.novel.get(i)
            };
            let case = match parent {
                Some(p) => self.gen.mutate(&p.case),
                None => self.gen.fresh(),
            };
            if !self.seen.insert(format!("{} {}", case.as_of, case.facts)) {
                continue;
            }
            let hits = reach(self.targets, &case);
            let mut new = false;
            for &h in &hits {
                if let Some(c) = self.covered.get_mut(h) {
                    new |= !*c;
                    *c = true;
                }
            }
            let cand = Candidate { case, hits, index };
            if new {
                self.novel.push(cand);
            } else if self.rest.len() < n {
                self.rest.push(cand);
            }
            let all = self.covered.iter().all(|c| *c);
            if all && self.novel.len() + self.rest.len() >= n {
                break;
            }
        }
    }

    /// A greedy cover of the branches reached, then the other candidates in generation order.
    fn select(self, n: usize, branches: usize) -> Generation {
        let mut covered = vec![false; branches];
        let mut chosen = vec![false; self.novel.len()];
        let mut order: Vec<usize> = Vec::new();
        while order.len() < n {
            let mut best: Option<(usize, usize)> = None;
            for (i, c) in self.novel.iter().enumerate() {
                if chosen.get(i).copied().unwrap_or(true) {
                    continue;
                }
                let gain = c
                    .hits
                    .iter()
                    .filter(|&&h| !covered.get(h).copied().unwrap_or(true))
                    .count();
                if gain > 0 && best.is_none_or(|(_, g)| gain > g) {
                    best = Some((i, gain));
                }
            }
            let Some((i, _)) = best else { break };
            if let Some(slot) = chosen.get_mut(i) {
                *slot = true;
            }
            if let Some(c) = self.novel.get(i) {
                for &h in &c.hits {
                    if let Some(x) = covered.get_mut(h) {
                        *x = true;
                    }
                }
            }
            order.push(i);
        }
        let mut cases: Vec<(usize, Candidate)> = Vec::new();
        let mut others: Vec<Candidate> = Vec::new();
        for (i, c) in self.novel.into_iter().enumerate() {
            match order.iter().position(|&o| o == i) {
                Some(rank) => cases.push((rank, c)),
                None => others.push(c),
            }
        }
        cases.sort_by_key(|(rank, _)| *rank);
        others.extend(self.rest);
        others.sort_by_key(|c| c.index);
        let mut out: Vec<Candidate> = cases.into_iter().map(|(_, c)| c).collect();
        out.extend(others.into_iter().take(n.saturating_sub(out.len())));
        for c in &out {
            for &h in &c.hits {
                if let Some(x) = covered.get_mut(h) {
                    *x = true;
                }
            }
        }
        Generation {
            reached: covered.iter().filter(|c| **c).count(),
            branches,
            cases: out.into_iter().map(|c| c.case).collect(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::time::Instant;

    fn kz_visa() -> Rulebook {
        let map = crate::cli::load::rulebook(Path::new("rulebooks/kz-visa")).expect("loads");
        crate::check::check(&map).rulebook.expect("checks")
    }

    #[test]
    fn same_seed_same_cases_other_seed_other_cases() {
        let rb = kz_visa();
        let a = generate(&[&rb, &rb], 20, 7);
        let b = generate(&[&rb, &rb], 20, 7);
        let c = generate(&[&rb, &rb], 20, 8);
        assert_eq!(a.cases.len(), 20);
        let facts = |g: &Generation| -> Vec<(String, Day)> {
            g.cases
                .iter()
                .map(|c| (c.facts.to_string(), c.as_of))
                .collect()
        };
        assert_eq!(facts(&a), facts(&b));
        assert_eq!((a.branches, a.reached), (b.branches, b.reached));
        assert_ne!(facts(&a), facts(&c));
    }

    #[test]
    fn every_case_reads_and_carries_its_date() {
        let rb = kz_visa();
        let g = generate(&[&rb], 200, 3);
        assert_eq!(g.cases.len(), 200);
        // kz-visa compares no literal date with `as_of`: every date is a version boundary.
        let boundaries: Vec<Day> = rb
            .versions
            .iter()
            .filter_map(|v| v.from)
            .flat_map(|f| [f, f - 1])
            .collect();
        let mut distinct = BTreeSet::new();
        for c in &g.cases {
            let case = case_from_json(&rb, &c.facts);
            assert!(case.is_ok(), "{:?}\n{}", case.err(), c.facts);
            let given = crate::eval::as_of_date(&rb, &case.expect("read"), None);
            assert_eq!(given, Ok(c.as_of));
            assert!(boundaries.contains(&c.as_of), "{}", date::format(c.as_of));
            distinct.insert(c.facts.to_string());
        }
        assert!(distinct.len() > 150, "{} distinct cases", distinct.len());
    }

    fn inline(text: &str) -> Rulebook {
        let mut map = crate::SourceMap::new();
        map.add("r.zan", text);
        let checked = crate::check::check(&map);
        checked.rulebook.expect("checks")
    }

    /// An old and a new rulebook with different facts: the cases are written for the new facts,
    /// read by the old rulebook without them, and reach the branches of both.
    #[test]
    fn old_and_new_rulebooks_both_reached() {
        let head = r#"
rulebook demo { title "Demo" }
source law { title "A law" }
"#;
        let old = inline(&format!(
            "{head}
fact age: integer
output rule adult: bool cites law \"Adults are 18 or older.\" {{
  when age >= 18 then true
  otherwise false
}}
"
        ));
        let new = inline(&format!(
            "{head}
fact age: integer
fact resident: bool
fact arrived_on: date?
output rule adult: bool cites law \"Adults are 18 or older.\" {{
  when age >= 21 then true
  otherwise false
}}
output rule settled: bool cites law \"Residents settle after a year.\" {{
  when resident and arrived_on is present and arrived_on + 1 year <= as_of then true
  otherwise false
}}
"
        ));
        let g = generate(&[&old, &new], 8, 5);
        assert_eq!(g.cases.len(), 8);
        assert_eq!(g.branches, 6);
        assert_eq!(g.reached, 6);
        let day = date::from_ymd(2026, 1, 1);
        for c in &g.cases {
            assert!(case_from_json(&new, &c.facts).is_ok(), "{}", c.facts);
            assert!(case_from_json(&old, &project(&old, &c.facts)).is_ok());
            assert_eq!(Some(c.as_of), day);
        }
    }

    #[test]
    fn reaches_most_branches_of_kz_visa() {
        let rb = kz_visa();
        for n in [50, 200, 300] {
            let start = Instant::now();
            let g = generate(&[&rb, &rb], n, 1);
            let took = start.elapsed();
            println!(
                "kz-visa n={n}: reached {}/{} branches ({:.1}%) in {:.2?}",
                g.reached,
                g.branches,
                g.reached as f64 * 100.0 / g.branches.max(1) as f64,
                took
            );
            assert_eq!(g.cases.len(), n);
            assert!(g.branches > 100);
            if n == 300 {
                // About 99% when written; 85% leaves room for harder rules added later.
                assert!(
                    g.reached * 100 >= g.branches * 85,
                    "{}/{}",
                    g.reached,
                    g.branches
                );
            }
        }
    }

    #[test]
    fn no_cases_asked_none_given() {
        let rb = kz_visa();
        let g = generate(&[&rb], 0, 1);
        assert!(g.cases.is_empty());
        assert_eq!(g.reached, 0);
        assert_eq!(g.branches, branch_spans(&rb).len());
        let none = generate(&[], 5, 1);
        assert!(none.cases.is_empty());
    }
}
