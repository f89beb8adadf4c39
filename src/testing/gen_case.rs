//! Cases generated from a rulebook's schema, for differential testing and fuzzing: any
//! rulebook (facts, records, enums, optional fields absent or present, defaults left out,
//! dates spread across the versions and the extremes, money and decimals, lists).
//!
//! The choices come from an [`Entropy`]: [`Seeded`] (splitmix64, the same cases from the same
//! seed on every machine) for `cargo test`, [`Bytes`] for a fuzzer's input (each choice reads
//! as few bytes as it needs; an exhausted input reads as zeros, so every input gives a case).
//!
//! Values are biased toward what the rules talk about: the constants of every version's
//! expressions, table rows and parameters (and one either side), dates a number of years or a
//! duration before or after the evaluation date, the version boundaries, the examples' and
//! tests' facts (half of the cases start from one of them and change some of its facts).
//! Every value is one the case readers can produce: a present value for each required fact,
//! periods that end on or after their start, durations in days or months.

use crate::eval::output::value_json;
use crate::eval::Case;
use crate::ir::*;
use crate::time::date::{self, Day};
use crate::time::period::Period;
use crate::value::{Duration, DurationUnit, Value};
use rust_decimal::Decimal;
use std::collections::BTreeSet;

/// Where the generator's choices come from.
pub trait Entropy {
    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64;

    /// True with probability `num / den`.
    fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    /// One of `items`, or `None` when there is none.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        items.get(self.below(items.len() as u64) as usize)
    }
}

/// splitmix64 from a seed.
/// splitmix64: one step of a tiny, fast generator that gives the same sequence on every
/// machine, so a seed names a run (the case generator, the review diff's cases, the tests).
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[derive(Clone, Debug)]
pub struct Seeded(u64);

impl Seeded {
    pub fn new(seed: u64) -> Seeded {
        Seeded(seed ^ 0xD1FF_E4E7_1A15_0000)
    }

    fn next(&mut self) -> u64 {
        splitmix64(&mut self.0)
    }
}

impl Entropy for Seeded {
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

/// The bytes of a fuzzer's input: a choice among at most 256 takes one byte, among at most
/// 65536 two, and so on; past the end every byte reads as zero.
#[derive(Clone, Debug)]
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { data }
    }
}

impl Entropy for Bytes<'_> {
    fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        let bytes = ((64 - (n - 1).leading_zeros()) as usize).div_ceil(8);
        let mut x = 0u64;
        for _ in 0..bytes {
            let (b, rest) = self
                .data
                .split_first()
                .map_or((0, &[][..]), |(b, r)| (*b, r));
            self.data = rest;
            x = (x << 8) | u64::from(b);
        }
        x % n
    }
}

/// One generated case and the date it is evaluated on.
#[derive(Clone, Debug)]
pub struct GenCase {
    pub case: Case,
    pub as_of: Day,
}

/// Records nested deeper than this get no optional parts and empty lists.
const MAX_DEPTH: usize = 6;
/// Dates the calendars and the date arithmetic treat specially.
const EXTREME_DATES: &[(i32, u32, u32)] = &[
    (0, 1, 1),
    (9999, 12, 31),
    (1899, 12, 31),
    (1900, 1, 1),
    (2200, 12, 31),
    (2201, 1, 1),
    (2024, 2, 29),
    (1970, 1, 1),
];
const TEXTS: &[&str] = &["", "x", "Алматы", "Қазақстан", "N12345678", " "];
const PERIOD_LENGTHS: &[i64] = &[
    0, 1, 6, 7, 14, 15, 29, 30, 31, 59, 60, 89, 90, 91, 179, 180, 182, 183, 184, 364, 365, 366,
];

/// The generator for one rulebook: its schema and the values its rules talk about.
#[derive(Clone, Debug)]
pub struct CaseGen<'r> {
    rb: &'r Rulebook,
    integers: Vec<i64>,
    decimals: Vec<Decimal>,
    dates: Vec<Day>,
    /// Version boundaries (first day and the day before) and the tests' dates.
    as_of_dates: Vec<Day>,
    durations: Vec<Duration>,
    texts: Vec<String>,
    /// The facts of the examples and the tests, to start cases from.
    bases: Vec<Vec<Value>>,
}

impl<'r> CaseGen<'r> {
    pub fn new(rb: &'r Rulebook) -> CaseGen<'r> {
        let mut h = Harvest::default();
        for v in &rb.versions {
            for d in [v.from, v.until].into_iter().flatten() {
                h.as_of.insert(d);
                h.as_of.insert(d - 1);
                h.as_of.insert(d + 1);
            }
            let p = &v.program;
            for r in &p.rules {
                match &r.body {
                    RuleBodyIr::Definition(def) => h.definition(def),
                    RuleBodyIr::Reasons(items) => items.iter().for_each(|i| h.ex(&i.condition)),
                }
            }
            for t in &p.tables {
                t.values.iter().chain(&t.otherwise).for_each(|e| h.ex(e));
                if let TableLookup::Rows(rows) = &t.lookup {
                    for alts in rows.iter().flatten().flatten() {
                        alts.iter().for_each(|v| h.value(v));
                    }
                }
            }
            for param in &p.params {
                for (from, v) in &param.values {
                    h.dates.insert(*from);
                    h.as_of.insert(*from);
                    h.value(v);
                }
            }
        }
        for t in &rb.tests {
            h.as_of.extend(t.as_of);
            t.facts.iter().for_each(|v| h.value(v));
        }
        rb.examples
            .iter()
            .flat_map(|e| &e.facts)
            .for_each(|v| h.value(v));
        let bases = rb
            .examples
            .iter()
            .map(|e| e.facts.clone())
            .chain(rb.tests.iter().map(|t| t.facts.clone()))
            .filter(|f| f.len() == rb.schema.facts.len())
            .collect();
        h.integers.extend([0, 1, -1, 2]);
        CaseGen {
            rb,
            integers: h.integers.into_iter().collect(),
            decimals: h.decimals.into_iter().collect(),
            dates: h.dates.into_iter().collect(),
            as_of_dates: h
                .as_of
                .into_iter()
                .filter(|d| date::in_range(i64::from(*d)))
                .collect(),
            durations: h
                .durations
                .into_iter()
                .map(|(amount, unit)| Duration {
                    amount,
                    unit: if unit == 1 {
                        DurationUnit::Months
                    } else {
                        DurationUnit::Days
                    },
                    calendar: None,
                })
                .collect(),
            texts: h.texts.into_iter().collect(),
            bases,
        }
    }

    /// The rulebook the cases are for.
    pub fn rulebook(&self) -> &'r Rulebook {
        self.rb
    }

    /// A case and its evaluation date.
    pub fn case(&self, e: &mut impl Entropy) -> GenCase {
        let as_of = self.as_of(e);
        let facts_info = &self.rb.schema.facts;
        let mut facts: Vec<Value> = match e.pick(&self.bases) {
            Some(base) if e.chance(1, 2) => base
                .iter()
                .zip(facts_info)
                .map(|(v, f)| self.mutate(e, v, f, as_of, 0))
                .collect(),
            _ => facts_info
                .iter()
                .map(|f| self.field(e, f, as_of, 0))
                .collect(),
        };
        // Most cases are assessed on the date they are evaluated on.
        if let Some(path) = &self.rb.as_of_path {
            if e.chance(7, 8) {
                set_date(&mut facts, path, as_of);
            }
        }
        GenCase {
            case: Case { facts },
            as_of,
        }
    }

    /// The case's facts in the JSON input format (`eval::case_from_json` reads them back).
    pub fn case_json(&self, case: &Case) -> serde_json::Value {
        case_json(self.rb, case)
    }

    fn as_of(&self, e: &mut impl Entropy) -> Day {
        match e.below(20) {
            0..=9 => match e.pick(&self.as_of_dates) {
                Some(d) => *d,
                None => self.ordinary_date(e),
            },
            10..=13 => self.near(e, self.dates.as_slice()),
            14..=18 => self.ordinary_date(e),
            _ => extreme(e),
        }
    }

    /// A fact or field: its default (as if left out of the JSON) or a value of its type.
    fn field(&self, e: &mut impl Entropy, f: &FieldInfo, as_of: Day, depth: usize) -> Value {
        match &f.default {
            Some(d) if e.chance(1, 4) => d.clone(),
            _ => self.value(e, &f.ty, as_of, depth),
        }
    }

    /// A fact of an example changed, or not: kept (most often), regenerated, or for a record
    /// some of its fields changed.
    fn mutate(
        &self,
        e: &mut impl Entropy,
        v: &Value,
        f: &FieldInfo,
        as_of: Day,
        depth: usize,
    ) -> Value {
        match e.below(8) {
            0 => self.field(e, f, as_of, depth),
            1 | 2 => match (v, f.ty.without_optional()) {
                (Value::Record(fields), Type::Record(r)) => {
                    match self.rb.schema.records.get(*r as usize) {
                        Some(info) if info.fields.len() == fields.len() => Value::Record(
                            fields
                                .iter()
                                .zip(&info.fields)
                                .map(|(v, f)| self.mutate(e, v, f, as_of, depth + 1))
                                .collect::<Vec<_>>()
                                .into(),
                        ),
                        _ => v.clone(),
                    }
                }
                (Value::List(items), Type::List(t)) if !items.is_empty() => {
                    let mut items = items.to_vec();
                    let i = e.below(items.len() as u64) as usize;
                    match e.below(3) {
                        0 => {
                            items.remove(i);
                        }
                        1 => items.push(self.value(e, t, as_of, depth + 1)),
                        _ => items[i] = self.value(e, t, as_of, depth + 1),
                    }
                    Value::List(items.into())
                }
                _ => v.clone(),
            },
            _ => v.clone(),
        }
    }

    fn value(&self, e: &mut impl Entropy, ty: &Type, as_of: Day, depth: usize) -> Value {
        match ty {
            Type::Optional(t) => {
                if depth >= MAX_DEPTH || e.chance(1, 3) {
                    Value::Absent
                } else {
                    self.value(e, t, as_of, depth)
                }
            }
            Type::Bool => Value::Bool(e.chance(1, 2)),
            Type::Integer => Value::Integer(self.integer(e)),
            Type::Decimal => Value::Decimal(self.decimal(e)),
            Type::Money(_) => Value::Money(self.decimal(e)),
            Type::Date => Value::Date(self.date(e, as_of)),
            Type::Duration => {
                let amount = match e.pick(&self.durations) {
                    Some(d) if e.chance(2, 3) => d.amount + e.below(3) as i64 - 1,
                    _ => self.integer(e).clamp(-100_000, 100_000),
                };
                let unit = if e.chance(1, 2) {
                    DurationUnit::Days
                } else {
                    DurationUnit::Months
                };
                Value::Duration(Duration {
                    amount,
                    unit,
                    calendar: None,
                })
            }
            Type::Text => Value::Text(match e.pick(&self.texts) {
                Some(t) if e.chance(3, 4) => t.as_str().into(),
                _ => e.pick(TEXTS).copied().unwrap_or("").into(),
            }),
            Type::Period => {
                let start = self.date(e, as_of);
                let len = match e.pick(PERIOD_LENGTHS) {
                    Some(n) if e.chance(3, 4) => *n,
                    _ => e.below(1500) as i64,
                };
                let end = date::add_days(start, len).unwrap_or(start);
                Value::Period(Period { start, end })
            }
            Type::Enum(id) => {
                let n = self
                    .rb
                    .schema
                    .enums
                    .get(*id as usize)
                    .map_or(0, |x| x.variants.len());
                Value::Enum(e.below(n as u64) as u32)
            }
            Type::Record(r) => {
                let fields = self
                    .rb
                    .schema
                    .records
                    .get(*r as usize)
                    .map_or(&[][..], |x| &x.fields);
                Value::Record(
                    fields
                        .iter()
                        .map(|f| self.field(e, f, as_of, depth + 1))
                        .collect::<Vec<_>>()
                        .into(),
                )
            }
            Type::List(t) => {
                let len = if depth >= MAX_DEPTH {
                    0
                } else {
                    match e.below(20) {
                        0..=5 => 0,
                        6..=17 => 1 + e.below(3),
                        _ => 4 + e.below(7),
                    }
                };
                Value::List(
                    (0..len)
                        .map(|_| self.value(e, t, as_of, depth + 1))
                        .collect::<Vec<_>>()
                        .into(),
                )
            }
            Type::Reason | Type::Error => Value::Absent,
        }
    }

    fn integer(&self, e: &mut impl Entropy) -> i64 {
        match e.below(10) {
            0..=4 => match e.pick(&self.integers) {
                Some(n) => n.saturating_add(e.below(3) as i64 - 1),
                None => 0,
            },
            5..=7 => e.below(200) as i64,
            8 => e.below(2_000_001) as i64 - 1_000_000,
            _ => *e
                .pick(&[i64::MAX, i64::MIN, i64::MAX / 2, -1, 1 << 40, 9999, 10_000])
                .unwrap_or(&0),
        }
    }

    fn decimal(&self, e: &mut impl Entropy) -> Decimal {
        match e.below(10) {
            0..=4 => match e.pick(&self.decimals) {
                Some(d) => {
                    let step = *e
                        .pick(&[Decimal::ZERO, Decimal::ONE, Decimal::new(1, 2)])
                        .unwrap_or(&Decimal::ZERO);
                    if e.chance(1, 2) {
                        d.checked_add(step).unwrap_or(*d)
                    } else {
                        d.checked_sub(step).unwrap_or(*d)
                    }
                }
                None => Decimal::ZERO,
            },
            5..=7 => Decimal::new(e.below(100_000_000) as i64, e.below(5) as u32),
            8 => Decimal::from(self.integer(e)),
            _ => *e
                .pick(&[
                    Decimal::MAX,
                    Decimal::MIN,
                    Decimal::new(1, 28),
                    Decimal::new(-5, 1),
                    Decimal::new(5, 1),
                    Decimal::new(125, 3),
                ])
                .unwrap_or(&Decimal::ZERO),
        }
    }

    fn date(&self, e: &mut impl Entropy, as_of: Day) -> Day {
        let d = match e.below(20) {
            // A number of years (an age, a validity) before or after the evaluation date.
            0..=5 => {
                let years = match e.pick(&self.integers) {
                    Some(n) if (0..=150).contains(n) && e.chance(3, 4) => *n,
                    _ => e.below(100) as i64,
                };
                let sign = if e.chance(3, 4) { -1 } else { 1 };
                date::add_months(as_of, sign * years * 12)
                    .and_then(|d| date::add_days(d, e.below(5) as i64 - 2))
            }
            // A duration of the rules from the evaluation date.
            6..=9 => match e.pick(&self.durations) {
                Some(u) => {
                    let n =
                        (u.amount + e.below(3) as i64 - 1) * if e.chance(1, 2) { -1 } else { 1 };
                    match u.unit {
                        DurationUnit::Months => date::add_months(as_of, n),
                        _ => date::add_days(as_of, n),
                    }
                }
                None => date::add_days(as_of, e.below(1000) as i64 - 500),
            },
            10..=12 => Some(self.near(e, &self.dates)),
            13..=16 => date::add_days(as_of, e.below(1000) as i64 - 500),
            17..=18 => Some(self.ordinary_date(e)),
            _ => Some(extreme(e)),
        };
        d.unwrap_or(as_of)
    }

    /// A date of the pool, or the day before or after.
    fn near(&self, e: &mut impl Entropy, pool: &[Day]) -> Day {
        match e.pick(pool) {
            Some(d) => date::add_days(*d, e.below(3) as i64 - 1).unwrap_or(*d),
            None => self.ordinary_date(e),
        }
    }

    /// A day of the years 1950 to 2035.
    fn ordinary_date(&self, e: &mut impl Entropy) -> Day {
        let first = date::from_ymd(1950, 1, 1).unwrap_or_default();
        first + e.below(31_411) as Day
    }
}

fn extreme(e: &mut impl Entropy) -> Day {
    let (y, m, d) = *e.pick(EXTREME_DATES).unwrap_or(&(2026, 1, 1));
    date::from_ymd(y, m, d).unwrap_or_default()
}

/// Put `day` at `path` (fact slot, then field slots) when the records on the way are present.
fn set_date(facts: &mut [Value], path: &[u32], day: Day) {
    fn set(v: &mut Value, path: &[u32], day: Day) {
        match path.split_first() {
            None => {
                if matches!(v, Value::Date(_) | Value::Absent) {
                    *v = Value::Date(day);
                }
            }
            Some((slot, rest)) => {
                if let Value::Record(fields) = v {
                    let mut fields = fields.to_vec();
                    if let Some(f) = fields.get_mut(*slot as usize) {
                        set(f, rest, day);
                    }
                    *v = Value::Record(fields.into());
                }
            }
        }
    }
    if let Some((first, rest)) = path.split_first() {
        if let Some(v) = facts.get_mut(*first as usize) {
            set(v, rest, day);
        }
    }
}

/// A case's facts in the JSON input format: one member per fact, absent values as `null`,
/// amounts as `"4325.50 KZT"` (the decision format's `{"amount", "currency"}` is not an input).
pub fn case_json(rb: &Rulebook, case: &Case) -> serde_json::Value {
    let empty = Program::default();
    let program = rb.versions.first().map_or(&empty, |v| &v.program);
    let mut o = serde_json::Map::new();
    for (f, v) in rb.schema.facts.iter().zip(&case.facts) {
        o.insert(f.name.clone(), input_json(rb, program, &f.ty, v));
    }
    serde_json::Value::Object(o)
}

fn input_json(rb: &Rulebook, p: &Program, ty: &Type, v: &Value) -> serde_json::Value {
    use serde_json::Value as Json;
    match (v, ty) {
        (Value::Absent, _) => Json::Null,
        (_, Type::Optional(inner)) => input_json(rb, p, inner, v),
        (Value::Money(d), Type::Money(cur)) => Json::String(format!("{} {cur}", d.normalize())),
        (Value::Record(fields), Type::Record(r)) => {
            let mut o = serde_json::Map::new();
            if let Some(info) = rb.schema.records.get(*r as usize) {
                for (f, v) in info.fields.iter().zip(fields.iter()) {
                    o.insert(f.name.clone(), input_json(rb, p, &f.ty, v));
                }
            }
            Json::Object(o)
        }
        (Value::List(items), Type::List(t)) => {
            Json::Array(items.iter().map(|i| input_json(rb, p, t, i)).collect())
        }
        _ => value_json(rb, p, ty, v),
    }
}

/// The constants of the rules, by kind.
#[derive(Default)]
struct Harvest {
    integers: BTreeSet<i64>,
    decimals: BTreeSet<Decimal>,
    dates: BTreeSet<Day>,
    as_of: BTreeSet<Day>,
    durations: BTreeSet<(i64, u8)>,
    texts: BTreeSet<String>,
}

impl Harvest {
    fn value(&mut self, v: &Value) {
        match v {
            Value::Integer(n) => {
                self.integers.insert(*n);
            }
            Value::Decimal(d) | Value::Money(d) => {
                self.decimals.insert(*d);
            }
            Value::Date(d) => {
                self.dates.insert(*d);
            }
            Value::Period(p) => {
                self.dates.insert(p.start);
                self.dates.insert(p.end);
            }
            Value::Duration(d) => {
                let unit = match d.unit {
                    DurationUnit::Days => 0,
                    DurationUnit::Months => 1,
                    DurationUnit::WorkingDays => 2,
                };
                self.durations.insert((d.amount, unit));
                if d.unit == DurationUnit::Months && d.amount % 12 == 0 {
                    self.integers.insert(d.amount / 12);
                }
            }
            Value::Text(t) => {
                self.texts.insert(t.to_string());
            }
            Value::Record(items) | Value::List(items) => items.iter().for_each(|v| self.value(v)),
            Value::Bool(_) | Value::Enum(_) | Value::Reason(..) | Value::Absent => {}
        }
    }

    fn definition(&mut self, def: &Definition) {
        def.for_each_expr(&mut |e| self.ex(e));
    }

    fn ex(&mut self, e: &Ex) {
        match e {
            Ex::Const(v) => self.value(v),
            Ex::Match(_, arms, _) => arms
                .iter()
                .flat_map(|(pats, _)| pats)
                .for_each(|v| self.value(v)),
            _ => {}
        }
        e.for_each_child(|x| self.ex(x));
    }
}
