//! Writing a decision as JSON text straight from the evaluated values, without building a
//! `serde_json::Value` tree first. The text is exactly `output::decision_json(..).to_string()`
//! (the tests below and the batch tests hold it to that); this is only the fast way to it.

use super::output::{explanation_json, money_text};
use super::Decision;
use crate::ir::*;
use crate::time::date::{self, Day};
use crate::value::{DurationUnit, Value};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;

/// Append the decision's JSON text (one line) to `out`.
pub fn write_decision_json(rb: &Rulebook, d: &Decision, out: &mut Vec<u8>) {
    let mut ser = serde_json::Serializer::new(out);
    // Writing into a Vec fails only if a Serialize impl reports an error; ours report none.
    let _ = DecisionOut { rb, d }.serialize(&mut ser);
}

/// The decision as JSON text (one line).
pub fn decision_json_text(rb: &Rulebook, d: &Decision) -> String {
    let mut out = Vec::with_capacity(1024);
    write_decision_json(rb, d, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

struct DecisionOut<'a> {
    rb: &'a Rulebook,
    d: &'a Decision,
}

impl Serialize for DecisionOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (rb, d) = (self.rb, self.d);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("rulebook", &rb.name)?;
        m.serialize_entry("as_of", &DayText(d.as_of))?;
        m.serialize_entry("outputs", &Outputs { rb, d })?;
        if d.has_errors() {
            m.serialize_entry("errors", &Errors { d })?;
        }
        if let Some(x) = &d.explanation {
            m.serialize_entry("explanation", &explanation_json(rb, d, x))?;
        }
        m.end()
    }
}

struct Outputs<'a> {
    rb: &'a Rulebook,
    d: &'a Decision,
}

impl Serialize for Outputs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = &*self.d.program;
        let mut m = s.serialize_map(None)?;
        for (id, r) in &self.d.outputs {
            let (Some(rule), Ok(v)) = (p.rules.get(*id as usize), r) else {
                continue;
            };
            let value = ValueOut {
                rb: self.rb,
                p,
                ty: &rule.ty,
                v,
            };
            m.serialize_entry(&rule.name, &value)?;
        }
        m.end()
    }
}

struct Errors<'a> {
    d: &'a Decision,
}

impl Serialize for Errors<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = &*self.d.program;
        let mut seq = s.serialize_seq(None)?;
        for (id, r) in &self.d.outputs {
            let (Some(rule), Err(e)) = (p.rules.get(*id as usize), r) else {
                continue;
            };
            seq.serialize_element(&OutputError {
                output: &rule.name,
                rule: e.rule.as_deref(),
                message: &e.message,
            })?;
        }
        seq.end()
    }
}

#[derive(serde::Serialize)]
struct OutputError<'a> {
    output: &'a str,
    rule: Option<&'a str>,
    message: &'a str,
}

/// A value with its type, written as `output::value_json` writes it.
struct ValueOut<'a> {
    rb: &'a Rulebook,
    p: &'a Program,
    ty: &'a Type,
    v: &'a Value,
}

impl<'a> ValueOut<'a> {
    fn with(&self, ty: &'a Type, v: &'a Value) -> ValueOut<'a> {
        ValueOut {
            rb: self.rb,
            p: self.p,
            ty,
            v,
        }
    }
}

impl Serialize for ValueOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.v, self.ty) {
            (Value::Absent, _) => s.serialize_unit(),
            (_, Type::Optional(inner)) => self.with(inner, self.v).serialize(s),
            (Value::Bool(b), _) => s.serialize_bool(*b),
            (Value::Integer(n), _) => s.serialize_i64(*n),
            (Value::Decimal(d), _) => s.collect_str(&d.normalize()),
            (Value::Money(d), ty) => {
                let currency = match ty {
                    Type::Money(c) => &**c,
                    _ => "KZT",
                };
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("amount", &money_text(*d))?;
                m.serialize_entry("currency", currency)?;
                m.end()
            }
            (Value::Date(d), _) => s.collect_str(&DayText(*d)),
            (Value::Duration(d), _) => {
                let unit = match d.unit {
                    DurationUnit::Days => "days",
                    DurationUnit::Months => "months",
                    DurationUnit::WorkingDays => "working_days",
                };
                let mut m = s.serialize_map(None)?;
                m.serialize_entry(unit, &d.amount)?;
                if let Some(c) = d.calendar.and_then(|c| self.p.calendars.get(c as usize)) {
                    m.serialize_entry("calendar", &c.name)?;
                }
                m.end()
            }
            (Value::Text(t), _) => s.serialize_str(t),
            (Value::Period(per), _) => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("start", &DayText(per.start))?;
                m.serialize_entry("end", &DayText(per.end))?;
                m.end()
            }
            (Value::Enum(i), Type::Enum(e)) => {
                s.serialize_str(self.rb.schema.variant_name(*e, *i).unwrap_or(""))
            }
            (Value::Enum(i), _) => s.serialize_u32(*i),
            (Value::Record(fields), Type::Record(r)) => {
                let mut m = s.serialize_map(None)?;
                if let Some(info) = self.rb.schema.records.get(*r as usize) {
                    for (f, v) in info.fields.iter().zip(fields.iter()) {
                        m.serialize_entry(&f.name, &self.with(&f.ty, v))?;
                    }
                }
                m.end()
            }
            (Value::List(items), ty) => {
                let item = match ty {
                    Type::List(t) => &**t,
                    _ => &Type::Error,
                };
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items.iter() {
                    seq.serialize_element(&self.with(item, v))?;
                }
                seq.end()
            }
            (Value::Reason(rule, item), _) => ReasonOut {
                rb: self.rb,
                p: self.p,
                rule: *rule,
                item: *item as usize,
            }
            .serialize(s),
            (Value::Record(_), _) => s.serialize_unit(),
        }
    }
}

struct ReasonOut<'a> {
    rb: &'a Rulebook,
    p: &'a Program,
    rule: RuleId,
    item: usize,
}

impl Serialize for ReasonOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Some(r) = self.p.reason(self.rule, self.item) else {
            return s.serialize_unit();
        };
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("code", &r.code)?;
        m.serialize_entry("message", &r.message)?;
        if let Some(c) = &r.citation {
            let src = self.rb.sources.get(c.source as usize);
            m.serialize_entry(
                "citation",
                &CitationOut {
                    source: src.map(|s| s.name.as_str()),
                    title: src.and_then(|s| s.title.as_deref()),
                    file: src.and_then(|s| s.file.as_deref()),
                    quote: c.quote.as_deref(),
                },
            )?;
        }
        m.end()
    }
}

/// The fields of `output::citation_json`, in its order.
#[derive(serde::Serialize)]
struct CitationOut<'a> {
    source: Option<&'a str>,
    title: Option<&'a str>,
    file: Option<&'a str>,
    quote: Option<&'a str>,
}

/// A date as `YYYY-MM-DD`, written without allocating.
struct DayText(Day);

impl fmt::Display for DayText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        date::write(self.0, f)
    }
}

impl Serialize for DayText {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
