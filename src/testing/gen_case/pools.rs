//! The values the case generator draws from, built once from the harvested constants: each
//! constant and one either side, money parameters times the numbers the rules multiply them by,
//! the shifts of a date (a duration or a number of years of the rules), lengths of periods,
//! the enum variants the rules name, and the dates worth evaluating a case on.

use super::harvest::{Lit, Literals};
use crate::ir::*;
use crate::time::date::{self, Day};
use crate::value::{Duration, DurationUnit};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// The evaluation date used when no rulebook has a version boundary.
pub(super) const DEFAULT_AS_OF: (i32, u32, u32) = (2026, 1, 1);
/// Lengths of periods worth trying whatever the rules say: a week, a month, a quarter, half a
/// year, a year, each ±1.
const PERIOD_LENGTHS: &[i64] = &[
    0, 1, 6, 7, 14, 15, 29, 30, 31, 59, 60, 89, 90, 91, 179, 180, 182, 183, 184, 364, 365, 366,
];

/// A shift of a date: a number of days or of calendar months.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Shift {
    Days(i64),
    Months(i64),
}

impl Shift {
    /// `d` moved by the shift, forward (`sign` 1) or back (-1).
    pub fn from(self, d: Day, sign: i64) -> Option<Day> {
        match self {
            Shift::Days(n) => date::add_days(d, sign.checked_mul(n)?),
            Shift::Months(n) => date::add_months(d, sign.checked_mul(n)?),
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Pools {
    pub ints: Vec<i64>,
    pub decimals: Vec<Decimal>,
    pub money: Vec<Decimal>,
    pub dates: Vec<Day>,
    pub texts: Vec<String>,
    pub shifts: Vec<Shift>,
    /// Lengths of periods, in days.
    pub lengths: Vec<i64>,
    /// Durations as a reader gives them (days or months), not negative.
    pub durations: Vec<Duration>,
    /// The variants the rules name, by enum of the rulebook the cases are for.
    pub variants: BTreeMap<EnumId, Vec<u32>>,
    pub by_field: BTreeMap<String, BTreeMap<String, Vec<Lit>>>,
    /// Version boundaries (a version's first day and the day before) and the dates the rules
    /// compare the evaluation date with (±1, when the rulebook is in force then).
    pub boundaries: Vec<Day>,
    /// Further dates worth evaluating on: a version's last day, the first days of parameters'
    /// values, the tests' dates, each ±1.
    pub other_as_of: Vec<Day>,
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
    /// The pools for cases of `last`, from the constants of `rulebooks` (`last` among them).
    pub fn new(lit: &Literals, rulebooks: &[&Rulebook], last: &Rulebook) -> Pools {
        let boundaries = boundaries(lit, rulebooks, last);
        let mut ints = BTreeSet::from([0, 1, 2, 3]);
        for &n in &lit.ints {
            around(&mut ints, n);
        }
        // Years, for integer facts such as a tax year: those of the evaluation dates, ±1.
        for &d in &boundaries {
            around(&mut ints, i64::from(date::year_of(d)));
        }
        let (shifts, lengths, durations) = shifts(lit);
        Pools {
            ints: ints.into_iter().collect(),
            decimals: decimals(lit),
            money: money(lit),
            dates: lit
                .dates
                .iter()
                .flat_map(|&d| (-1..=1).filter_map(move |k| date::add_days(d, k)))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            texts: lit.texts.iter().cloned().collect(),
            shifts,
            lengths,
            durations,
            variants: variants(lit, last),
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
            other_as_of: other_as_of(lit, rulebooks),
            boundaries,
        }
    }
}

fn decimals(lit: &Literals) -> Vec<Decimal> {
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
    decimals.into_iter().collect()
}

/// Amounts: the literal ones, and the money parameters (such as a monthly index) times the
/// numbers the rules multiply them by, each ±1; none negative.
fn money(lit: &Literals) -> Vec<Decimal> {
    let one = Decimal::ONE;
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
    money
        .into_iter()
        .filter(|m| !m.is_sign_negative())
        .collect()
}

/// The shifts of a date, the lengths of periods and the durations the rules suggest.
fn shifts(lit: &Literals) -> (Vec<Shift>, Vec<i64>, Vec<Duration>) {
    let mut shifts = BTreeSet::new();
    let mut lengths: BTreeSet<i64> = PERIOD_LENGTHS.iter().copied().collect();
    let mut durations = BTreeSet::from([(0, 0), (0, 30), (1, 1)]);
    for &(unit, n) in &lit.durations {
        match unit {
            1 => {
                shifts.insert(Shift::Months(n));
                durations.insert((1, n));
            }
            0 => {
                shifts.insert(Shift::Days(n));
                around(&mut lengths, n);
                durations.insert((0, n));
            }
            _ => {
                // Working days: the same number of days, and about 7/5 of it.
                let calendar = n.saturating_mul(7) / 5;
                for d in [n, calendar, calendar + 2, calendar + 4] {
                    shifts.insert(Shift::Days(d));
                }
                durations.insert((0, n));
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
    let durations = durations
        .into_iter()
        .filter(|(_, n)| *n >= 0)
        .map(|(unit, amount)| Duration {
            amount,
            unit: if unit == 1 {
                DurationUnit::Months
            } else {
                DurationUnit::Days
            },
            calendar: None,
        })
        .collect();
    (
        shifts.into_iter().collect(),
        lengths.into_iter().filter(|n| *n >= 0).collect(),
        durations,
    )
}

/// The variants the rules name, as variants of `last`'s enums of the same name.
fn variants(lit: &Literals, last: &Rulebook) -> BTreeMap<EnumId, Vec<u32>> {
    let mut out = BTreeMap::new();
    for (id, info) in last.schema.enums.iter().enumerate() {
        let Some(names) = lit.variants.get(&info.name) else {
            continue;
        };
        let used: Vec<u32> = info
            .variants
            .iter()
            .enumerate()
            .filter(|(_, v)| names.contains(&v.name))
            .map(|(i, _)| i as u32)
            .collect();
        if !used.is_empty() {
            out.insert(id as EnumId, used);
        }
    }
    out
}

fn boundaries(lit: &Literals, rulebooks: &[&Rulebook], last: &Rulebook) -> Vec<Day> {
    let mut as_of = BTreeSet::new();
    for rb in rulebooks {
        for v in &rb.versions {
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
    as_of.into_iter().collect()
}

fn other_as_of(lit: &Literals, rulebooks: &[&Rulebook]) -> Vec<Day> {
    let mut days = BTreeSet::new();
    let ends = rulebooks
        .iter()
        .flat_map(|rb| &rb.versions)
        .flat_map(|v| [v.from, v.until])
        .flatten();
    for d in ends.chain(lit.other_as_of.iter().copied()) {
        days.extend((-1..=1).filter_map(|k| date::add_days(d, k)));
    }
    days.into_iter().collect()
}
