//! Drawing one case's values from the schema: one function per type, biased toward the pools
//! (the constants of the rules, ±1) and toward the constant a fact or field is compared with.
//! A draw remembers the dates and enum values of the case so far: later dates are often drawn
//! near them (so that deadlines between two facts are met and missed) and enum values drawn
//! again (so that two facts agree: a country in a list of countries, the same region twice).

use super::harvest::Lit;
use super::{CaseGen, Entropy, Spread};
use crate::ir::*;
use crate::time::date::{self, Day};
use crate::time::period::Period;
use crate::value::{Duration, DurationUnit, Value};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Records nested deeper than this get no optional parts and empty lists.
pub(super) const MAX_DEPTH: usize = 6;
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
const EXTREME_INTEGERS: &[i64] = &[i64::MAX, i64::MIN, i64::MAX / 2, -1, 1 << 40, 9999, 10_000];

/// The (record, field) a value belongs to: ("", fact) for a fact.
pub(super) type Key<'s> = (&'s str, &'s str);

/// One case being drawn.
pub(super) struct Draw<'g, 'r, E> {
    pub gen: &'g CaseGen<'r>,
    pub e: &'g mut E,
    /// Dates of the case so far, the evaluation date first.
    pub anchors: Vec<Day>,
    /// Enum values of the case so far, by enum.
    pub chosen: BTreeMap<EnumId, Vec<u32>>,
}

impl<E: Entropy> Draw<'_, '_, E> {
    fn as_of(&self) -> Day {
        self.anchors.first().copied().unwrap_or_default()
    }

    fn anywhere(&self) -> bool {
        self.gen.spread == Spread::Anywhere
    }

    /// A fact or field: its default (as if left out of the JSON) or a value of its type.
    pub fn field(&mut self, f: &FieldInfo, record: &str, depth: usize) -> Value {
        match &f.default {
            Some(d) if depth >= MAX_DEPTH || self.e.chance(1, 4) => d.clone(),
            _ => self.value(&f.ty, depth, (record, &f.name)),
        }
    }

    pub fn value(&mut self, ty: &Type, depth: usize, key: Key<'_>) -> Value {
        if !matches!(ty, Type::List(_) | Type::Optional(_) | Type::Record(_)) && self.e.chance(1, 3)
        {
            if let Some(v) = self.literal(ty, key) {
                return v;
            }
        }
        match ty {
            Type::Optional(t) => {
                if depth >= MAX_DEPTH || self.e.chance(1, 3) {
                    Value::Absent
                } else {
                    self.value(t, depth, key)
                }
            }
            Type::Bool => Value::Bool(self.e.chance(1, 2)),
            Type::Integer => Value::Integer(self.integer()),
            Type::Decimal => Value::Decimal(self.decimal()),
            Type::Money(_) => Value::Money(self.money()),
            Type::Date => Value::Date(self.date()),
            Type::Duration => Value::Duration(self.duration()),
            Type::Text => Value::Text(self.text().into()),
            Type::Period => Value::Period(self.period()),
            Type::Enum(id) => self.variant(*id),
            Type::Record(r) => {
                let gen = self.gen;
                let Some(rec) = gen.rb.schema.records.get(*r as usize) else {
                    return Value::Record(Vec::new().into());
                };
                let fields: Vec<Value> = rec
                    .fields
                    .iter()
                    .map(|f| self.field(f, &rec.name, depth + 1))
                    .collect();
                Value::Record(fields.into())
            }
            Type::List(t) => {
                let len = if depth >= MAX_DEPTH {
                    0
                } else {
                    match self.e.below(20) {
                        0..=5 => 0,
                        6..=17 => 1 + self.e.below(3),
                        _ => 4 + self.e.below(7),
                    }
                };
                let items: Vec<Value> = (0..len).map(|_| self.value(t, depth + 1, key)).collect();
                Value::List(items.into())
            }
            Type::Reason | Type::Error => Value::Absent,
        }
    }

    /// A constant the rules compare this field with, ±1 where that means something.
    fn literal(&mut self, ty: &Type, key: Key<'_>) -> Option<Value> {
        let lits = self.gen.pools.by_field.get(key.0)?.get(key.1)?;
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
        let lit = (*self.e.pick(&fitting)?).clone();
        let nudge = self.e.below(3) as i64 - 1;
        match (ty, lit) {
            (Type::Integer, Lit::Int(n)) => Some(Value::Integer(n.saturating_add(nudge))),
            (Type::Decimal, Lit::Dec(d)) => {
                let step = if self.e.chance(1, 2) {
                    Decimal::ONE
                } else {
                    Decimal::new(1, 2)
                };
                Some(Value::Decimal(
                    d.checked_add(step * Decimal::from(nudge)).unwrap_or(d),
                ))
            }
            (Type::Decimal, Lit::Int(n)) => {
                Some(Value::Decimal(Decimal::from(n.saturating_add(nudge))))
            }
            (Type::Money(_), Lit::Money(d)) => {
                let moved = d.checked_add(Decimal::from(nudge)).unwrap_or(d);
                Some(Value::Money(if moved.is_sign_negative() {
                    d
                } else {
                    moved
                }))
            }
            (Type::Date, Lit::Date(d)) => {
                let d = date::add_days(d, nudge).unwrap_or(d);
                self.anchors.push(d);
                Some(Value::Date(d))
            }
            (Type::Text, Lit::Text(t)) => Some(Value::Text(t.into())),
            (Type::Enum(e), Lit::Variant(name)) => {
                let info = self.gen.rb.schema.enums.get(*e as usize)?;
                let i = info.variants.iter().position(|v| v.name == name)? as u32;
                self.chosen.entry(*e).or_default().push(i);
                Some(Value::Enum(i))
            }
            _ => None,
        }
    }

    fn integer(&mut self) -> i64 {
        let pool = &self.gen.pools.ints;
        match self.e.below(10) {
            0..=6 => self.e.pick(pool).copied().unwrap_or(0),
            7 => self.e.below(200) as i64,
            8 if self.anywhere() => self.e.below(2_000_001) as i64 - 1_000_000,
            9 if self.anywhere() => self.e.pick(EXTREME_INTEGERS).copied().unwrap_or(0),
            _ => self.e.below(100) as i64,
        }
    }

    fn decimal(&mut self) -> Decimal {
        let pool = &self.gen.pools.decimals;
        match self.e.below(10) {
            0..=6 => self.e.pick(pool).copied().unwrap_or_default(),
            7 => Decimal::new(self.e.below(100_000_000) as i64, self.e.below(5) as u32),
            8 => Decimal::from(self.integer()),
            _ if self.anywhere() => self
                .e
                .pick(&[
                    Decimal::MAX,
                    Decimal::MIN,
                    Decimal::new(1, 28),
                    Decimal::new(-5, 1),
                    Decimal::new(5, 1),
                    Decimal::new(125, 3),
                ])
                .copied()
                .unwrap_or_default(),
            _ => self.e.pick(pool).copied().unwrap_or_default(),
        }
    }

    fn money(&mut self) -> Decimal {
        if self.anywhere() && self.e.chance(1, 10) {
            return self.decimal();
        }
        self.e
            .pick(&self.gen.pools.money)
            .copied()
            .unwrap_or_default()
    }

    fn duration(&mut self) -> Duration {
        let pool = &self.gen.pools.durations;
        let (amount, unit) = match self.e.pick(pool).copied() {
            Some(d) if self.e.chance(2, 3) => {
                let nudged = d.amount.saturating_add(self.e.below(3) as i64 - 1);
                (if nudged < 0 { d.amount } else { nudged }, d.unit)
            }
            _ => {
                let amount = if self.anywhere() {
                    self.integer().clamp(-100_000, 100_000)
                } else {
                    self.e.below(400) as i64
                };
                let unit = if self.e.chance(1, 2) {
                    DurationUnit::Days
                } else {
                    DurationUnit::Months
                };
                (amount, unit)
            }
        };
        Duration {
            amount,
            unit,
            calendar: None,
        }
    }

    fn text(&mut self) -> String {
        match self.e.pick(&self.gen.pools.texts) {
            Some(t) if self.e.chance(3, 4) => t.clone(),
            _ => self.e.pick(TEXTS).copied().unwrap_or("").to_string(),
        }
    }

    fn period(&mut self) -> Period {
        let d = self.date();
        let len = match self.e.pick(&self.gen.pools.lengths) {
            Some(n) if self.e.chance(3, 4) => *n,
            _ => self.e.below(1500) as i64,
        };
        let back = self.e.chance(1, 2);
        let other = date::add_days(d, if back { -len } else { len });
        let (start, end) = match other {
            Some(o) if o < d => (o, d),
            Some(o) => (d, o),
            None => (d, d),
        };
        self.anchors.push(start);
        self.anchors.push(end);
        Period { start, end }
    }

    /// A variant drawn again from this case, one the rules name, or any.
    fn variant(&mut self, id: EnumId) -> Value {
        let n = self
            .gen
            .rb
            .schema
            .enums
            .get(id as usize)
            .map_or(0, |x| x.variants.len());
        let used = self.gen.pools.variants.get(&id).map_or(&[][..], |v| &v[..]);
        let before = self.chosen.get(&id).map_or(&[][..], |v| &v[..]);
        let i = match self.e.below(4) {
            0 if !before.is_empty() => self.e.pick(before).copied(),
            0 | 1 if !used.is_empty() => self.e.pick(used).copied(),
            _ => None,
        };
        let i = i.unwrap_or_else(|| self.e.below(n as u64) as u32);
        self.chosen.entry(id).or_default().push(i);
        Value::Enum(i)
    }

    /// A date near a boundary: a literal of the rules, or a date of the case (most often the
    /// evaluation date) shifted by a duration or a number of years of the rules, ±1 day; now
    /// and then any date, or (spread anywhere) one the calendars treat specially.
    pub fn date(&mut self) -> Day {
        let p = &self.gen.pools;
        let as_of = self.as_of();
        let r = self.e.below(20);
        let d = if r < 6 && !p.dates.is_empty() {
            self.e.pick(&p.dates).copied()
        } else if r < 17 && !p.shifts.is_empty() {
            let anchor = if self.e.chance(1, 2) {
                as_of
            } else {
                self.e.pick(&self.anchors).copied().unwrap_or(as_of)
            };
            let sign = if self.e.chance(1, 2) { 1 } else { -1 };
            let nudge = self.e.below(3) as i64 - 1;
            let shift = self.e.pick(&p.shifts).copied();
            shift
                .and_then(|s| s.from(anchor, sign))
                .and_then(|d| date::add_days(d, nudge))
        } else if r == 19 && self.anywhere() {
            Some(if self.e.chance(1, 2) {
                ordinary_date(&mut *self.e)
            } else {
                extreme_date(&mut *self.e)
            })
        } else {
            let anchor = self.e.pick(&self.anchors).copied().unwrap_or(as_of);
            date::add_days(anchor, self.e.below(1001) as i64 - 500)
        };
        let d = d.unwrap_or(as_of);
        self.anchors.push(d);
        d
    }
}

/// A day of the years 1950 to 2035.
pub(super) fn ordinary_date(e: &mut impl Entropy) -> Day {
    let first = date::from_ymd(1950, 1, 1).unwrap_or_default();
    first + e.below(31_411) as Day
}

pub(super) fn extreme_date(e: &mut impl Entropy) -> Day {
    let (y, m, d) = *e.pick(EXTREME_DATES).unwrap_or(&(2026, 1, 1));
    date::from_ymd(y, m, d).unwrap_or_default()
}
