//! Reading a case straight from JSON text into the slot layout the rules read, with no
//! intermediate `serde_json::Value` tree: the schema drives a serde `DeserializeSeed`, so each
//! fact lands in its slot as the text is scanned.
//!
//! This is the fast path. It stops at the first problem; only then is the text read again
//! through `case_from_json`, which collects every problem with its JSON path. Both readers
//! accept exactly the same cases (`tests` below, and the batch tests, hold them to it), so a
//! case's errors never depend on which path found them.

use super::case::{case_from_json, exact_decimal, CaseError};
use super::{strict_json, Case};
use crate::ir::*;
use crate::time::date;
use crate::time::period::Period;
use crate::value::{Duration, DurationUnit, Value};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Why a case text could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum CaseTextError {
    /// The text is not JSON (serde_json's message, with line and column).
    InvalidJson(String),
    /// The JSON does not match the declared facts: every problem, with its JSON path.
    InvalidCase(Vec<CaseError>),
    /// An object of the JSON gives a key more than once: the JSON path of each such key.
    DuplicateKey(Vec<CaseError>),
}

impl fmt::Display for CaseTextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaseTextError::InvalidJson(m) => write!(f, "not valid JSON: {m}"),
            CaseTextError::InvalidCase(errors) => {
                f.write_str("the case does not match the facts")?;
                for e in errors {
                    write!(f, "\n  {e}")?;
                }
                Ok(())
            }
            CaseTextError::DuplicateKey(errors) => {
                f.write_str("the case gives a key more than once")?;
                for e in errors {
                    write!(f, "\n  {e}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for CaseTextError {}

/// Read a case from JSON text. On the fast path nothing but the facts is allocated. A UTF-8
/// byte order mark before the text, as some editors save it, is skipped.
pub fn case_from_str(rb: &Rulebook, text: &str) -> Result<Case, CaseTextError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = FactsSeed {
        schema: &rb.schema,
        lookup: rb.schema.lookup(),
        fields: &rb.schema.facts,
        names: &rb.schema.lookup().facts,
    };
    let fast = seed.deserialize(&mut de).and_then(|facts| {
        de.end()?;
        Ok(facts)
    });
    match fast {
        Ok(facts) => Ok(Case { facts }),
        Err(_) => slow_path(rb, text),
    }
}

/// Read the text again as a JSON tree to report every problem, as `zan eval` always has. A
/// key given twice is refused before the facts are matched: the tree keeps only one of its
/// values.
fn slow_path(rb: &Rulebook, text: &str) -> Result<Case, CaseTextError> {
    let (json, repeated) =
        strict_json::parse(text).map_err(|e| CaseTextError::InvalidJson(e.to_string()))?;
    if !repeated.is_empty() {
        return Err(CaseTextError::DuplicateKey(strict_json::repeated_keys(
            repeated,
        )));
    }
    case_from_json(rb, &json).map_err(CaseTextError::InvalidCase)
}

/// serde_json's private marker for a number kept as text (the `arbitrary_precision`
/// feature): such a number reaches a visitor as a one-entry map under this key.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Any problem: the fast path gives up and the slow path says what it is.
fn mismatch<E: de::Error>() -> E {
    E::custom("the case does not match the facts")
}

/// The facts of a case, or the fields of a record, into slots in declaration order.
struct FactsSeed<'a> {
    schema: &'a Schema,
    lookup: &'a SchemaLookup,
    fields: &'a [FieldInfo],
    names: &'a FxHashMap<Box<str>, u32>,
}

impl<'de> DeserializeSeed<'de> for FactsSeed<'_> {
    type Value = Vec<Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Value>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FactsSeed<'_> {
    type Value = Vec<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Value>, A::Error> {
        let n = self.fields.len();
        let mut slots: Vec<Value> = vec![Value::Absent; n];
        // Which slots the text gave: a bit mask (records have far fewer than 128 fields).
        let mut given: u128 = 0;
        let mut given_more: Vec<bool> = if n > 128 { vec![false; n] } else { Vec::new() };
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let slot = *self.names.get(key.as_str()).ok_or_else(mismatch)? as usize;
            let field = self.fields.get(slot).ok_or_else(mismatch)?;
            let value = map.next_value_seed(ValueSeed {
                schema: self.schema,
                lookup: self.lookup,
                ty: &field.ty,
            })?;
            // A repeated key is refused (the slow path says where): the mask of slots
            // already given finds it without allocating.
            let repeated = match given_more.get_mut(slot) {
                Some(g) => std::mem::replace(g, true),
                None => {
                    let bit = 1u128 << slot;
                    let seen = given & bit != 0;
                    given |= bit;
                    seen
                }
            };
            if repeated {
                return Err(mismatch());
            }
            slots[slot] = value;
        }
        for (slot, f) in self.fields.iter().enumerate() {
            let was_given = match given_more.get(slot) {
                Some(g) => *g,
                None => given & (1u128 << slot) != 0,
            };
            if was_given {
                continue;
            }
            match (&f.default, &f.ty) {
                (Some(d), _) => slots[slot] = d.clone(),
                (None, Type::Optional(_)) => {}
                (None, _) => return Err(mismatch()),
            }
        }
        Ok(slots)
    }
}

/// An object key, borrowed from the text when it has no escapes.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(s))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(s.to_string()))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// One value of a declared type.
struct ValueSeed<'a> {
    schema: &'a Schema,
    lookup: &'a SchemaLookup,
    ty: &'a Type,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value of the declared type")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        match self.ty {
            Type::Optional(_) => Ok(Value::Absent),
            _ => Err(mismatch()),
        }
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        match self.ty.without_optional() {
            Type::Bool => Ok(Value::Bool(b)),
            _ => Err(mismatch()),
        }
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        self.number(&n.to_string())
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        self.number(&n.to_string())
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        self.number(&n.to_string())
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        let value = match self.ty.without_optional() {
            Type::Text => Some(Value::Text(s.into())),
            Type::Date => date::parse(s).map(Value::Date),
            Type::Enum(e) => self
                .lookup
                .variants
                .get(*e as usize)
                .and_then(|names| names.get(s))
                .map(|&i| Value::Enum(i)),
            Type::Decimal => exact_decimal(s.trim()).ok().map(Value::Decimal),
            Type::Money(cur) => money(s.trim(), cur).map(Value::Money),
            _ => None,
        };
        value.ok_or_else(mismatch)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let Type::List(item) = self.ty.without_optional() else {
            return Err(mismatch());
        };
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(v) = seq.next_element_seed(ValueSeed {
            schema: self.schema,
            lookup: self.lookup,
            ty: item,
        })? {
            items.push(v);
        }
        Ok(Value::List(items.into()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        match self.ty.without_optional() {
            Type::Record(r) => {
                let (Some(record), Some(names)) = (
                    self.schema.records.get(*r as usize),
                    self.lookup.fields.get(*r as usize),
                ) else {
                    return Err(mismatch());
                };
                let seed = FactsSeed {
                    schema: self.schema,
                    lookup: self.lookup,
                    fields: &record.fields,
                    names,
                };
                Ok(Value::Record(seed.visit_map(map)?.into()))
            }
            Type::Integer | Type::Decimal | Type::Money(_) => {
                // Only a number written as text by serde_json comes here as a map.
                let key = map.next_key::<Key<'de>>()?.ok_or_else(mismatch)?;
                if key.as_str() != NUMBER_TOKEN {
                    return Err(mismatch());
                }
                let text: Key<'de> = map.next_value()?;
                self.number(text.as_str())
            }
            Type::Period => period(map),
            Type::Duration => duration(map),
            _ => Err(mismatch()),
        }
    }
}

impl ValueSeed<'_> {
    /// A JSON number, as its text: integers must be whole and fit 64 bits, decimals and
    /// amounts are read exactly.
    fn number<E: de::Error>(&self, text: &str) -> Result<Value, E> {
        let value = match self.ty.without_optional() {
            Type::Integer => text.parse::<i64>().ok().map(Value::Integer),
            // Exactly, as `case_from_json` reads them: a 29th digit after the point is refused,
            // not rounded away.
            Type::Decimal => exact_decimal(text).ok().map(Value::Decimal),
            Type::Money(_) => exact_decimal(text).ok().map(Value::Money),
            _ => None,
        };
        value.ok_or_else(mismatch)
    }
}

/// `"4325.50"` or `"4325.50 KZT"` (a number is read by `number`).
fn money(text: &str, cur: &str) -> Option<Decimal> {
    let amount = match text.rsplit_once(' ') {
        Some((a, c)) if c == cur => a.trim(),
        Some(_) => return None,
        None => text,
    };
    exact_decimal(amount).ok()
}

/// `{"start": "2026-01-01", "end": "2026-01-31"}`. Other keys are ignored by `case_from_json`;
/// here they send the case to the slow path, which can tell whether one of them is repeated.
fn period<'de, A: MapAccess<'de>>(mut map: A) -> Result<Value, A::Error> {
    let (mut start, mut end) = (None, None);
    while let Some(key) = map.next_key::<Key<'de>>()? {
        let place = match key.as_str() {
            "start" => &mut start,
            "end" => &mut end,
            _ => return Err(mismatch()),
        };
        if place.replace(map.next_value_seed(DaySeed)?).is_some() {
            return Err(mismatch());
        }
    }
    match (start.flatten(), end.flatten()) {
        (Some(start), Some(end)) if start <= end => Ok(Value::Period(Period { start, end })),
        _ => Err(mismatch()),
    }
}

/// A date written as text, or `None` for anything else.
struct DaySeed;

impl<'de> DeserializeSeed<'de> for DaySeed {
    type Value = Option<date::Day>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let text: Option<Key<'de>> = d.deserialize_any(MaybeText)?;
        Ok(text.and_then(|t| date::parse(t.as_str())))
    }
}

/// Text as a key, or `None` for any other JSON value (skipped).
struct MaybeText;

impl<'de> Visitor<'de> for MaybeText {
    type Value = Option<Key<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Key::Borrowed(s)))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Some(Key::Owned(s.to_string())))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// `{"days": 30}`, `{"weeks": 2}`, `{"months": 3}` or `{"years": 1}`: exactly one entry.
fn duration<'de, A: MapAccess<'de>>(mut map: A) -> Result<Value, A::Error> {
    let key = map.next_key::<Key<'de>>()?.ok_or_else(mismatch)?;
    let amount = map.next_value_seed(WholeSeed)?.ok_or_else(mismatch)?;
    if map.next_key::<IgnoredAny>()?.is_some() {
        return Err(mismatch());
    }
    let (amount, unit) = match key.as_str() {
        "days" => (Some(amount), DurationUnit::Days),
        "weeks" => (amount.checked_mul(7), DurationUnit::Days),
        "months" => (Some(amount), DurationUnit::Months),
        "years" => (amount.checked_mul(12), DurationUnit::Months),
        _ => return Err(mismatch()),
    };
    Ok(Value::Duration(Duration {
        amount: amount.ok_or_else(mismatch)?,
        unit,
        calendar: None,
    }))
}

/// A whole number that fits 64 bits, or `None` for any other value.
struct WholeSeed;

impl<'de> DeserializeSeed<'de> for WholeSeed {
    type Value = Option<i64>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<i64>, D::Error> {
        d.deserialize_any(WholeVisitor)
    }
}

struct WholeVisitor;

impl<'de> Visitor<'de> for WholeVisitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number")
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Option<i64>, E> {
        Ok(Some(n))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Option<i64>, E> {
        Ok(i64::try_from(n).ok())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<i64>, A::Error> {
        let key = map.next_key::<Key<'de>>()?.ok_or_else(mismatch)?;
        if key.as_str() != NUMBER_TOKEN {
            return Err(mismatch());
        }
        let text: Key<'de> = map.next_value()?;
        Ok(text.as_str().parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn rulebook() -> Rulebook {
        let mut map = SourceMap::new();
        map.add(
            "t.zan",
            r#"
rulebook t { title "T" }
source law { title "A law" }
enum Kind { single, multiple }
record Stay { period: period, length: duration?, place: text }
fact born: date
fact kind: Kind = single
fact visits: integer
fact rate: decimal?
fact fee: money
fact stays: list of Stay
fact note: text?
output rule n: integer cites law "n" { visits }
"#,
        );
        match crate::check(&map).rulebook {
            Some(rb) => rb,
            None => unreachable!("the test rulebook checks"),
        }
    }

    /// Both readers agree: the same facts, or both refuse (with the slow path's errors).
    fn same(rb: &Rulebook, text: &str) {
        let fast = case_from_str(rb, text);
        assert_eq!(fast, slow_path(rb, text), "{text}");
    }

    #[test]
    fn both_readers_agree() {
        let rb = rulebook();
        let ok = r#"{"born": "2000-01-31", "visits": 3, "rate": "0.125", "fee": "4325.50 KZT",
            "stays": [{"period": {"start": "2026-01-01", "end": "2026-01-31", "x": 1},
                       "length": {"weeks": 2}, "place": "Алматы"}], "note": null}"#;
        assert!(case_from_str(&rb, ok).is_ok());
        for text in [
            ok,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 4325, "stays": []}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 1e3, "stays": []}"#,
            r#"{"born": "2000-01-31", "visits": 3.0, "fee": 1, "stays": []}"#,
            r#"{"born": "2000-01-31", "visits": 99999999999999999999, "fee": 1, "stays": []}"#,
            r#"{"born": "2000-02-30", "visits": 3, "fee": 1, "stays": []}"#,
            r#"{"born": "2000-01-31", "kind": "double", "visits": 3, "fee": 1, "stays": []}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": "1 USD", "stays": []}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 1, "stays": [], "extra": true}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 1}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 1, "stays": [{"period":
                {"start": "2026-02-01", "end": "2026-01-31"}, "place": "x"}]}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 1, "stays": [{"period":
                {"start": "2026-01-01", "end": "2026-01-31"}, "length": {"days": 1, "weeks": 1},
                "place": "x"}]}"#,
            r#"{"born": "2000-01-31", "visits": 3, "visits": 4, "fee": 1, "stays": []}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 1, "stays": [{"period":
                {"start": "2026-01-01", "end": "2026-01-31", "end": "2026-01-31"}, "place": "x"}]}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 1, "stays": [{"period":
                {"start": "2026-01-01", "end": "2026-01-31", "x": 1, "x": 2}, "place": "x"}]}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 1, "stays": [{"place": "x", "period":
                {"start": "2026-01-01", "end": "2026-01-31"}, "place": "y"}]}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 1, "stays": [], "rate": 0.00000000000000000000000000001}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": "0.00000000000000000000000000001 KZT", "stays": []}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 1, "stays": [], "rate": "0.0000000000000000000000000001"}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 1, "stays": [], "rate": 2.5e-7}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 1, "stays": [], "rate": 1e-29}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 1, "stays": [], "rate": "1.00000000000000000000000000001e0"}"#,
            r#"{"born": "2000-01-31", "visits": "3", "fee": 1, "stays": []}"#,
            r#"{"born": null, "visits": 3, "fee": 1, "stays": []}"#,
            r#"{"born": "2000-01-31", "visits": 3, "fee": 1, "stays": []} x"#,
            r#"[1, 2]"#,
            r#"{"born": "2000-01-31", "#,
        ] {
            same(&rb, text);
        }
    }
}
