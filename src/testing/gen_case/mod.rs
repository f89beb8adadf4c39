//! Cases generated from a rulebook's schema: the one source of generated values, for
//! differential testing and fuzzing (`tests/differential.rs`, the `differential` fuzz target)
//! and for `zan diff --generate` (`diff::generate` searches among these cases for those that
//! reach every branch). Any rulebook: facts, records, enums, optional fields absent or
//! present, defaults left out, dates, money and decimals, periods, durations, lists.
//!
//! The choices come from an [`Entropy`]: [`Seeded`] (splitmix64, the same cases from the same
//! seed on every machine) for `cargo test` and `zan diff`, [`Bytes`] for a fuzzer's input (each
//! choice reads as few bytes as it needs; an exhausted input reads as zeros, so every input
//! gives a case).
//!
//! Values are biased toward what the rules talk about (`harvest.rs`, `pools.rs`): the constants
//! of every version's expressions, table rows and parameters (and one either side), above all
//! the constant a fact or field is compared with; dates a number of years or a duration of the
//! rules before or after the evaluation date or another date of the case; the enum variants the
//! rules name; the version boundaries; the examples' and tests' facts (half of the cases start
//! from one of them and change a few of its parts, `mutate.rs`). [`Spread`] says whether the
//! extremes are drawn too. Every value is one the case readers can produce: a present value
//! for each required fact, periods that end on or after their start, durations in days or
//! months.

mod harvest;
mod mutate;
mod pools;
mod values;

use crate::eval::output::value_json;
use crate::eval::Case;
use crate::ir::*;
use crate::time::date::{self, Day};
use crate::value::Value;
use pools::{Pools, DEFAULT_AS_OF};
use std::collections::BTreeMap;
use values::{extreme_date, ordinary_date, Draw};

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

/// How far from the rules' constants the values go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spread {
    /// Anywhere a case reader accepts: now and then huge or negative numbers, dates at the ends
    /// of the calendar, evaluation dates outside the versions, an `as of` fact that differs
    /// from the evaluation date (differential testing, fuzzing).
    Anywhere,
    /// Mostly near the constants and never extreme, evaluated on a version boundary (a version's first day or the
    /// day before, or a date the rules compare the evaluation date with), with the evaluation
    /// date in the `as of` fact: cases a reader of `zan diff` recognises.
    Boundaries,
}

/// The generator for one rulebook: its schema and the values its rules talk about.
#[derive(Clone, Debug)]
pub struct CaseGen<'r> {
    rb: &'r Rulebook,
    spread: Spread,
    pools: Pools,
    /// The facts of the examples and the tests, to start cases from.
    bases: Vec<Vec<Value>>,
}

impl<'r> CaseGen<'r> {
    /// Cases of `rb` biased toward its own constants, spread anywhere.
    pub fn new(rb: &'r Rulebook) -> CaseGen<'r> {
        CaseGen::with_versions(rb, &[], Spread::Anywhere)
    }

    /// Cases of `rb` biased toward the constants of `rb` and of `others` (other versions of the
    /// rulebook, whose branches the cases should reach too) and their version boundaries.
    pub fn with_versions(rb: &'r Rulebook, others: &[&Rulebook], spread: Spread) -> CaseGen<'r> {
        let mut all: Vec<&Rulebook> = others.to_vec();
        all.push(rb);
        let mut lit = harvest::Literals::default();
        for r in &all {
            lit.add_rulebook(r);
        }
        let bases = rb
            .examples
            .iter()
            .map(|e| e.facts.clone())
            .chain(rb.tests.iter().map(|t| t.facts.clone()))
            .filter(|f| f.len() == rb.schema.facts.len())
            .collect();
        CaseGen {
            rb,
            spread,
            pools: Pools::new(&lit, &all, rb),
            bases,
        }
    }

    /// The rulebook the cases are for.
    pub fn rulebook(&self) -> &'r Rulebook {
        self.rb
    }

    /// A case and its evaluation date: half the time an example's or a test's facts changed
    /// a little, else drawn afresh.
    pub fn case(&self, e: &mut impl Entropy) -> GenCase {
        let as_of = self.as_of(e);
        let mut draw = self.draw(e, as_of);
        let facts = match draw.e.pick(&self.bases) {
            Some(base) if draw.e.chance(1, 2) => {
                let mut facts = base.clone();
                draw.change(&mut facts);
                facts
            }
            _ => self
                .rb
                .schema
                .facts
                .iter()
                .map(|f| draw.field(f, "", 0))
                .collect(),
        };
        finish(draw, facts, as_of)
    }

    /// A copy of `parent` with one to three parts drawn again (and sometimes another date).
    pub fn mutate(&self, e: &mut impl Entropy, parent: &GenCase) -> GenCase {
        let as_of = if e.chance(1, 6) {
            self.as_of(e)
        } else {
            parent.as_of
        };
        let mut draw = self.draw(e, as_of);
        let mut facts = parent.case.facts.clone();
        draw.change(&mut facts);
        finish(draw, facts, as_of)
    }

    /// The case's facts in the JSON input format (`eval::case_from_json` reads them back).
    pub fn case_json(&self, case: &Case) -> serde_json::Value {
        case_json(self.rb, case)
    }

    fn draw<'g, E: Entropy>(&'g self, e: &'g mut E, as_of: Day) -> Draw<'g, 'r, E> {
        Draw {
            gen: self,
            e,
            anchors: vec![as_of],
            chosen: BTreeMap::new(),
        }
    }

    /// The evaluation date of a new case.
    fn as_of(&self, e: &mut impl Entropy) -> Day {
        let p = &self.pools;
        let picked = match self.spread {
            Spread::Boundaries => e.pick(&p.boundaries).copied(),
            Spread::Anywhere => match e.below(20) {
                0..=4 => e.pick(&p.boundaries).copied(),
                5..=9 => e.pick(&p.other_as_of).copied(),
                10..=13 => e.pick(&p.dates).copied(),
                14..=18 => Some(ordinary_date(e)),
                _ => Some(extreme_date(e)),
            },
        };
        let fallback = date::from_ymd(DEFAULT_AS_OF.0, DEFAULT_AS_OF.1, DEFAULT_AS_OF.2);
        picked.or(fallback).unwrap_or_default()
    }
}

/// Most cases are assessed on the date they are evaluated on (spread on the boundaries, all).
fn finish<E: Entropy>(mut draw: Draw<'_, '_, E>, mut facts: Vec<Value>, as_of: Day) -> GenCase {
    let rb = draw.gen.rb;
    if let Some(path) = &rb.as_of_path {
        if draw.gen.spread == Spread::Boundaries || draw.e.chance(7, 8) {
            draw.set_date(&mut facts, &rb.schema.facts, path, as_of);
        }
    }
    GenCase {
        case: Case { facts },
        as_of,
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

#[cfg(test)]
mod tests;
