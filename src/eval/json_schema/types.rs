//! The schema of the language's types, as a case writes them (what `case_from_json` reads)
//! or as a decision writes them (`output::value_json`), with the `$defs` of the enums and
//! records they use.

use super::{annotate, def_ref, nullable, regex_escape};
use crate::eval::output::citation_json;
use crate::ir::*;
use crate::time::date;
use crate::value::{DurationUnit, Value};
use serde_json::{json, Map, Value as Json};

/// White space as `str::trim` removes it around decimals and amounts (Unicode `White_Space`),
/// spelled out because `\s` differs between regular expression dialects.
const SPACE: &str = r"[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";

/// A number as `rust_decimal` reads it: a sign, digits with `_` separators after the first
/// digit, a point, an exponent.
const DECIMAL: &str = r"[+-]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?";

/// A calendar date `YYYY-MM-DD` of the years 0000–9999, with the leap years, so that
/// validators that take `format` as an annotation only still reject 2026-02-30.
const DATE: &str = r"^(?:[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29)$";

/// A decimal as a decision writes it: normalised, no exponent, no trailing zeros.
const DECIMAL_OUT: &str = r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$";

/// An amount as a decision writes it: at least two decimals (tiyn).
const AMOUNT_OUT: &str = r"^-?(?:0|[1-9][0-9]*)\.[0-9]{2}(?:[0-9]*[1-9])?$";

/// Which JSON a type is read from (a case) or written as (a decision).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Case,
    Decision,
}

/// Builds the schema of types, collecting the enums and records they use for `$defs`.
pub(super) struct Gen<'a> {
    pub(super) rb: &'a Rulebook,
    side: Side,
    /// The calendars of the version, named by durations in working days.
    calendars: &'a [&'a str],
    enums: Vec<EnumId>,
    records: Vec<RecordId>,
}

impl<'a> Gen<'a> {
    pub(super) fn new(rb: &'a Rulebook, side: Side, calendars: &'a [&'a str]) -> Gen<'a> {
        Gen {
            rb,
            side,
            calendars,
            enums: Vec::new(),
            records: Vec::new(),
        }
    }

    pub(super) fn ty(&mut self, t: &Type) -> Json {
        match t {
            Type::Bool => json!({ "type": "boolean" }),
            Type::Integer => json!({ "type": "integer", "minimum": i64::MIN, "maximum": i64::MAX }),
            Type::Decimal => self.decimal(),
            Type::Money(c) => self.money(c),
            Type::Date => date_schema(),
            Type::Duration => self.duration(),
            Type::Text => json!({ "type": "string" }),
            Type::Period => period_schema(self.side),
            Type::Reason if self.side == Side::Decision => def_ref("zan.reason"),
            Type::Reason => Json::Bool(false),
            Type::Enum(e) => self.enum_ref(*e),
            Type::Record(r) => self.record_ref(*r),
            Type::List(t) => json!({ "type": "array", "items": self.ty(t) }),
            Type::Optional(t) => nullable(self.ty(t)),
            Type::Error => Json::Bool(true),
        }
    }

    fn decimal(&self) -> Json {
        match self.side {
            Side::Case => json!({ "anyOf": [
                { "type": "number" },
                { "type": "string", "pattern": format!("^{SPACE}*{DECIMAL}{SPACE}*$") },
            ] }),
            Side::Decision => json!({ "type": "string", "pattern": DECIMAL_OUT }),
        }
    }

    fn money(&self, currency: &str) -> Json {
        match self.side {
            Side::Case => {
                let c = regex_escape(currency);
                let text = format!("^{SPACE}*{DECIMAL}(?:{SPACE}* {c})?{SPACE}*$");
                json!({ "anyOf": [{ "type": "number" }, { "type": "string", "pattern": text }] })
            }
            Side::Decision => json!({
                "type": "object",
                "properties": {
                    "amount": { "type": "string", "pattern": AMOUNT_OUT },
                    "currency": { "const": currency },
                },
                "required": ["amount", "currency"],
                "additionalProperties": false,
            }),
        }
    }

    fn duration(&self) -> Json {
        let int = |min: i64, max: i64| json!({ "type": "integer", "minimum": min, "maximum": max });
        let any = int(i64::MIN, i64::MAX);
        match self.side {
            // `weeks` and `years` are stored as days and months: they must not overflow.
            Side::Case => json!({
                "type": "object",
                "properties": {
                    "days": any,
                    "weeks": int(i64::MIN / 7, i64::MAX / 7),
                    "months": any,
                    "years": int(i64::MIN / 12, i64::MAX / 12),
                },
                "minProperties": 1,
                "maxProperties": 1,
                "additionalProperties": false,
            }),
            Side::Decision => json!({
                "type": "object",
                "properties": {
                    "days": any,
                    "months": any,
                    "working_days": any,
                    "calendar": { "enum": self.calendars },
                },
                "oneOf": [
                    { "required": ["days"] },
                    { "required": ["months"] },
                    { "required": ["working_days", "calendar"] },
                ],
                "dependentRequired": { "calendar": ["working_days"] },
                "additionalProperties": false,
            }),
        }
    }

    fn enum_ref(&mut self, e: EnumId) -> Json {
        let Some(info) = self.rb.schema.enums.get(e as usize) else {
            return json!({ "type": "string" });
        };
        if !self.enums.contains(&e) {
            self.enums.push(e);
        }
        def_ref(&info.name)
    }

    fn record_ref(&mut self, r: RecordId) -> Json {
        let Some(info) = self.rb.schema.records.get(r as usize) else {
            return json!({ "type": "object" });
        };
        if !self.records.contains(&r) {
            self.records.push(r);
        }
        def_ref(&info.name)
    }

    /// The properties of an object of fields (the facts, or a record): unknown fields are
    /// errors; in a case, optional fields and fields with a default may be left out; a
    /// decision writes every field.
    pub(super) fn object(&mut self, fields: &[FieldInfo]) -> Map<String, Json> {
        let mut properties = Map::new();
        let mut required = Vec::new();
        for f in fields {
            let optional = matches!(f.ty, Type::Optional(_)) || f.default.is_some();
            if self.side == Side::Decision || !optional {
                required.push(f.name.as_str());
            }
            properties.insert(f.name.clone(), self.field(f));
        }
        let mut m = Map::new();
        m.insert("type".into(), json!("object"));
        m.insert("properties".into(), Json::Object(properties));
        if !required.is_empty() {
            m.insert("required".into(), json!(required));
        }
        m.insert("additionalProperties".into(), json!(false));
        m
    }

    fn field(&mut self, f: &FieldInfo) -> Json {
        let mut s = self.ty(&f.ty);
        if let Some(doc) = &f.doc {
            s = annotate(s, "description", json!(doc));
        }
        let default = f.default.as_ref().filter(|_| self.side == Side::Case);
        if let Some(d) = default.and_then(|d| case_json(self.rb, &f.ty, d)) {
            s = annotate(s, "default", d);
        }
        annotate(s, "x-zan-type", json!(self.rb.schema.type_name(&f.ty)))
    }

    /// The schema of every output of a program, by name, documented.
    pub(super) fn outputs(&mut self, p: &Program) -> Map<String, Json> {
        let mut out = Map::new();
        for rule in p.outputs.iter().filter_map(|&id| p.rules.get(id as usize)) {
            let mut s = match (&rule.body, &rule.ty) {
                (RuleBodyIr::Reasons(items), Type::List(_)) => reasons_schema(items),
                _ => self.ty(&rule.ty),
            };
            if let Some(doc) = &rule.doc {
                s = annotate(s, "description", json!(doc));
            }
            s = annotate(s, "x-zan-type", json!(self.rb.schema.type_name(&rule.ty)));
            if !rule.citations.is_empty() {
                let c: Vec<Json> = rule
                    .citations
                    .iter()
                    .map(|c| citation_json(self.rb, c))
                    .collect();
                s = annotate(s, "x-zan-citations", Json::Array(c));
            }
            if let Some(a) = amendment_json(self.rb, &rule.origin) {
                s = annotate(s, "x-zan-amendment", a);
            }
            out.insert(rule.name.clone(), s);
        }
        out
    }

    /// The `$defs` of the records and enums used so far (and by them), records first, each
    /// in declaration order.
    pub(super) fn defs(&mut self) -> Map<String, Json> {
        // A record's fields may use more records: until none is left.
        let mut records: Vec<(RecordId, String, Json)> = Vec::new();
        let mut done = 0;
        while let Some(&r) = self.records.get(done) {
            done += 1;
            if let Some(info) = self.rb.schema.records.get(r as usize) {
                records.push((r, info.name.clone(), self.record_def(info)));
            }
        }
        records.sort_by_key(|(r, _, _)| *r);
        let mut enums = self.enums.clone();
        enums.sort_unstable();
        let mut defs = Map::new();
        for (_, name, def) in records {
            defs.insert(name, def);
        }
        for info in enums
            .iter()
            .filter_map(|&e| self.rb.schema.enums.get(e as usize))
        {
            defs.insert(info.name.clone(), enum_def(info));
        }
        defs
    }

    fn record_def(&mut self, info: &RecordInfo) -> Json {
        let mut m = Map::new();
        m.insert("title".into(), json!(info.name));
        if let Some(doc) = &info.doc {
            m.insert("description".into(), json!(doc));
        }
        m.extend(self.object(&info.fields));
        Json::Object(m)
    }
}

fn enum_def(info: &EnumInfo) -> Json {
    let names: Vec<&str> = info.variants.iter().map(|v| v.name.as_str()).collect();
    let mut m = Map::new();
    m.insert("title".into(), json!(info.name));
    if let Some(doc) = &info.doc {
        m.insert("description".into(), json!(doc));
    }
    m.insert("type".into(), json!("string"));
    m.insert("enum".into(), json!(names));
    // Labels, for forms: `oneOf` with `const` and `title` is what form generators read.
    if info.variants.iter().any(|v| v.label.is_some()) {
        let one: Vec<Json> = info
            .variants
            .iter()
            .map(|v| match &v.label {
                Some(l) => json!({ "const": v.name, "title": l }),
                None => json!({ "const": v.name }),
            })
            .collect();
        m.insert("oneOf".into(), Json::Array(one));
    }
    Json::Object(m)
}

/// The list of a `reasons` output: each item one of the declared reasons, with its message.
fn reasons_schema(items: &[ReasonIr]) -> Json {
    let mut item = def_ref("zan.reason");
    if !items.is_empty() {
        let one: Vec<Json> = items
            .iter()
            .map(|r| {
                // `type` again, beside `$ref`'s: Ajv's strictTypes wants it next to `properties`.
                json!({
                    "title": r.code,
                    "description": r.message,
                    "type": "object",
                    "properties": { "code": { "const": r.code }, "message": { "const": r.message } },
                })
            })
            .collect();
        item = annotate(item, "oneOf", Json::Array(one));
    }
    json!({ "type": "array", "items": item })
}

fn amendment_json(rb: &Rulebook, origin: &Origin) -> Option<Json> {
    let Origin::Amendment {
        amendment,
        from,
        replaced,
    } = origin
    else {
        return None;
    };
    let a = rb.amendments.get(*amendment as usize)?;
    Some(json!({
        "name": a.name,
        "in_force": date::format(*from),
        "action": if *replaced { "replaced" } else { "added" },
    }))
}

fn period_schema(side: Side) -> Json {
    let mut p = json!({
        "type": "object",
        "properties": { "start": date_schema(), "end": date_schema() },
        "required": ["start", "end"],
    });
    // A case may carry other fields beside the two dates; a decision writes only these.
    if side == Side::Decision {
        p["additionalProperties"] = json!(false);
    }
    p
}

/// A value as a case writes it (for `default`); `None` for what a case cannot write
/// (working days, reasons).
fn case_json(rb: &Rulebook, ty: &Type, v: &Value) -> Option<Json> {
    let ty = match ty {
        Type::Optional(inner) => inner,
        t => t,
    };
    Some(match (v, ty) {
        (Value::Absent, _) => Json::Null,
        (Value::Bool(b), _) => json!(b),
        (Value::Integer(n), _) => json!(n),
        (Value::Decimal(d) | Value::Money(d), _) => json!(d.normalize().to_string()),
        (Value::Date(d), _) => json!(date::format(*d)),
        (Value::Duration(d), _) => match d.unit {
            DurationUnit::Days => json!({ "days": d.amount }),
            DurationUnit::Months => json!({ "months": d.amount }),
            DurationUnit::WorkingDays => return None,
        },
        (Value::Text(t), _) => json!(&**t),
        (Value::Period(p), _) => {
            json!({ "start": date::format(p.start), "end": date::format(p.end) })
        }
        (Value::Enum(i), Type::Enum(e)) => {
            json!(
                rb.schema
                    .enums
                    .get(*e as usize)?
                    .variants
                    .get(*i as usize)?
                    .name
            )
        }
        (Value::Record(values), Type::Record(r)) => {
            let info = rb.schema.records.get(*r as usize)?;
            let mut m = Map::new();
            for (f, v) in info.fields.iter().zip(values.iter()) {
                m.insert(f.name.clone(), case_json(rb, &f.ty, v)?);
            }
            Json::Object(m)
        }
        (Value::List(items), Type::List(t)) => Json::Array(
            items
                .iter()
                .map(|v| case_json(rb, t, v))
                .collect::<Option<Vec<_>>>()?,
        ),
        _ => return None,
    })
}

pub(super) fn date_schema() -> Json {
    json!({ "type": "string", "format": "date", "pattern": DATE })
}
