//! Reading a case from JSON against the declared facts. Every problem is reported with
//! its JSON path and the type that was expected; nothing is evaluated from a bad case.

use super::Case;
use crate::ir::*;
use crate::time::date;
use crate::time::period::Period;
use crate::value::{Duration, DurationUnit, Value};
use rust_decimal::Decimal;
use serde_json::Value as Json;

#[derive(Clone, Debug, PartialEq)]
pub struct CaseError {
    /// JSON path such as `$.applicant.birth_date`.
    pub path: String,
    pub expected: String,
    pub message: String,
}

impl CaseError {
    /// `{"path", "message", "expected"}`, as `zan eval` and `zan eval --batch` report it.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({ "path": self.path, "message": self.message, "expected": self.expected })
    }
}

impl std::fmt::Display for CaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} (expected {})",
            self.path, self.message, self.expected
        )
    }
}

/// A JSON path built as the reader descends and written out only for an error.
enum JsonPath<'a> {
    Root,
    Field(&'a JsonPath<'a>, &'a str),
    Index(&'a JsonPath<'a>, usize),
}

impl JsonPath<'_> {
    fn render(&self) -> String {
        match self {
            JsonPath::Root => String::from("$"),
            JsonPath::Field(parent, name) => format!("{}.{name}", parent.render()),
            JsonPath::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

struct Reader<'a> {
    schema: &'a Schema,
    errors: Vec<CaseError>,
}

/// Validate and convert a JSON case. All errors are collected, not just the first.
pub fn case_from_json(rb: &Rulebook, json: &Json) -> Result<Case, Vec<CaseError>> {
    let mut r = Reader {
        schema: &rb.schema,
        errors: Vec::new(),
    };
    let facts = r.object(json, &rb.schema.facts, &JsonPath::Root);
    if r.errors.is_empty() {
        Ok(Case { facts })
    } else {
        Err(r.errors)
    }
}

impl Reader<'_> {
    fn error(
        &mut self,
        path: &JsonPath<'_>,
        expected: String,
        message: impl Into<String>,
    ) -> Value {
        self.errors.push(CaseError {
            path: path.render(),
            expected,
            message: message.into(),
        });
        Value::Absent
    }

    fn type_name(&self, t: &Type) -> String {
        match t {
            Type::Bool => "true or false".into(),
            Type::Integer => "an integer".into(),
            Type::Decimal => "a decimal number".into(),
            Type::Money(c) => format!("an amount in {c}, such as \"4325\" or 4325"),
            Type::Date => "a date such as \"2026-03-10\"".into(),
            Type::Duration => "a duration such as {\"days\": 30}".into(),
            Type::Text => "text".into(),
            Type::Period => {
                "a period such as {\"start\": \"2026-01-01\", \"end\": \"2026-01-31\"}".into()
            }
            Type::Enum(e) => match self.schema.enums.get(*e as usize) {
                Some(info) => {
                    let names: Vec<String> = info
                        .variants
                        .iter()
                        .take(12)
                        .map(|v| format!("\"{}\"", v.name))
                        .collect();
                    let more = if info.variants.len() > 12 {
                        ", ..."
                    } else {
                        ""
                    };
                    format!("one of {}{more} ({})", names.join(", "), info.name)
                }
                None => "an enum value".into(),
            },
            Type::Record(r) => self
                .schema
                .records
                .get(*r as usize)
                .map_or("an object".into(), |x| format!("an object ({})", x.name)),
            Type::List(t) => format!("a list of {}", self.type_name(t)),
            Type::Optional(t) => format!("{} or null", self.type_name(t)),
            Type::Reason | Type::Error => "a value".into(),
        }
    }

    fn object(&mut self, json: &Json, fields: &[FieldInfo], path: &JsonPath<'_>) -> Vec<Value> {
        let Some(obj) = json.as_object() else {
            self.error(
                path,
                "an object".into(),
                format!("found {}", json_kind(json)),
            );
            return vec![Value::Absent; fields.len()];
        };
        for key in obj.keys() {
            if !fields.iter().any(|f| f.name == *key) {
                let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                let hint = crate::diagnostics::suggest(key, names.iter().copied())
                    .map(|s| format!("; did you mean \"{s}\"?"))
                    .unwrap_or_default();
                self.error(
                    &JsonPath::Field(path, key),
                    format!("one of the fields {}", names.join(", ")),
                    format!("unknown field{hint}"),
                );
            }
        }
        fields
            .iter()
            .map(|f| {
                let p = JsonPath::Field(path, &f.name);
                match obj.get(&f.name) {
                    Some(v) => self.value(v, &f.ty, &p),
                    None => match (&f.default, &f.ty) {
                        (Some(d), _) => d.clone(),
                        (None, Type::Optional(_)) => Value::Absent,
                        (None, t) => {
                            let expected = self.type_name(t);
                            self.error(&p, expected, "missing")
                        }
                    },
                }
            })
            .collect()
    }

    fn value(&mut self, json: &Json, ty: &Type, path: &JsonPath<'_>) -> Value {
        if let Type::Optional(inner) = ty {
            return if json.is_null() {
                Value::Absent
            } else {
                self.value(json, inner, path)
            };
        }
        let bad = |r: &mut Self| {
            let expected = r.type_name(ty);
            r.error(path, expected, format!("found {}", json_kind(json)))
        };
        match ty {
            Type::Bool => json.as_bool().map(Value::Bool).unwrap_or_else(|| bad(self)),
            Type::Integer => match json.as_i64() {
                Some(n) => Value::Integer(n),
                None => bad(self),
            },
            Type::Decimal => match number_text(json).map(|t| exact_decimal(&t)) {
                Some(Ok(d)) => Value::Decimal(d),
                Some(Err(rust_decimal::Error::Underflow)) => self.too_precise(json, ty, path),
                _ => bad(self),
            },
            Type::Money(cur) => match money(json, cur) {
                Some(Ok(d)) => Value::Money(d),
                Some(Err(rust_decimal::Error::Underflow)) => self.too_precise(json, ty, path),
                _ => bad(self),
            },
            Type::Date => match json.as_str() {
                Some(s) => match date::parse(s) {
                    Some(d) => Value::Date(d),
                    None => self.error(
                        path,
                        "a date such as \"2026-03-10\"".into(),
                        format!("\"{s}\" is not a calendar date"),
                    ),
                },
                None => bad(self),
            },
            Type::Text => json
                .as_str()
                .map(|s| Value::Text(s.into()))
                .unwrap_or_else(|| bad(self)),
            Type::Enum(e) => self.variant(json, *e, path),
            Type::Record(r) => {
                let schema = self.schema;
                let fields: &[FieldInfo] =
                    schema.records.get(*r as usize).map_or(&[], |x| &x.fields);
                if !json.is_object() {
                    return bad(self);
                }
                Value::Record(self.object(json, fields, path).into())
            }
            Type::List(t) => match json.as_array() {
                Some(items) => Value::List(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| self.value(v, t, &JsonPath::Index(path, i)))
                        .collect::<Vec<_>>()
                        .into(),
                ),
                None => bad(self),
            },
            Type::Period => self.period(json, path),
            Type::Duration => match duration(json) {
                Some(d) => Value::Duration(d),
                None => bad(self),
            },
            Type::Optional(_) | Type::Reason | Type::Error => bad(self),
        }
    }

    /// A number with more digits after the point than a decimal keeps: reading it would round
    /// it silently, so the case is refused.
    fn too_precise(&mut self, json: &Json, ty: &Type, path: &JsonPath<'_>) -> Value {
        let expected = self.type_name(ty);
        self.error(
            path,
            expected,
            format!(
                "{} has more than 28 digits after the decimal point; decimals and amounts keep 28, and this one would be rounded",
                number_text(json).unwrap_or_default()
            ),
        )
    }

    fn variant(&mut self, json: &Json, e: EnumId, path: &JsonPath<'_>) -> Value {
        let Some(info) = self.schema.enums.get(e as usize) else {
            return Value::Absent;
        };
        let names = self.schema.lookup().variants.get(e as usize);
        let found = json
            .as_str()
            .and_then(|s| names.and_then(|n| n.get(s)).copied());
        if let Some(i) = found {
            return Value::Enum(i);
        }
        let expected = self.type_name(&Type::Enum(e));
        match json.as_str() {
            Some(s) => match info.variants.iter().position(|v| v.name == s) {
                Some(i) => Value::Enum(i as u32),
                None => {
                    let hint = crate::diagnostics::suggest(
                        s,
                        info.variants.iter().map(|v| v.name.as_str()),
                    )
                    .map(|x| format!("; did you mean \"{x}\"?"))
                    .unwrap_or_default();
                    self.error(
                        path,
                        expected,
                        format!("\"{s}\" is not a value of {}{hint}", info.name),
                    )
                }
            },
            None => self.error(path, expected, format!("found {}", json_kind(json))),
        }
    }

    fn period(&mut self, json: &Json, path: &JsonPath<'_>) -> Value {
        let expected =
            || "a period such as {\"start\": \"2026-01-01\", \"end\": \"2026-01-31\"}".to_string();
        let start = json
            .get("start")
            .and_then(Json::as_str)
            .and_then(date::parse);
        let end = json.get("end").and_then(Json::as_str).and_then(date::parse);
        match (start, end) {
            (Some(s), Some(e)) if s <= e => Value::Period(Period { start: s, end: e }),
            (Some(_), Some(_)) => self.error(path, expected(), "the period ends before it starts"),
            _ => self.error(path, expected(), format!("found {}", json_kind(json))),
        }
    }
}

fn number_text(json: &Json) -> Option<String> {
    match json {
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) => Some(s.trim().to_string()),
        _ => None,
    }
}

/// `4325`, `"4325.50"` or `"4325.50 KZT"`: `None` if it is no amount in `cur`, the error of
/// an amount that cannot be kept exactly.
fn money(json: &Json, cur: &str) -> Option<Result<Decimal, rust_decimal::Error>> {
    let text = number_text(json)?;
    let amount = match text.rsplit_once(' ') {
        Some((a, c)) if c == cur => a.trim().to_string(),
        Some(_) => return None,
        None => text,
    };
    Some(exact_decimal(&amount))
}

/// A decimal read from a case, exactly. `Decimal::from_str` rounds a 29th digit after the
/// point away (and reads exponent notation with rounding too): here such a number is
/// `Err(Underflow)`, every other text reads as `from_str` reads it.
pub(super) fn exact_decimal(text: &str) -> Result<Decimal, rust_decimal::Error> {
    use rust_decimal::Error;
    match Decimal::from_str_exact(text) {
        Err(e) if !matches!(e, Error::Underflow) => {
            // `1e3`, `2.5e-7`: the base exactly, then the exponent without rounding.
            let Some((base, exponent)) = text.split_once(['e', 'E']) else {
                return Err(e);
            };
            Decimal::from_str_exact(base)?;
            match Decimal::from_scientific(text) {
                Err(Error::ScaleExceedsMaximumPrecision(_)) if exponent.starts_with('-') => {
                    Err(Error::Underflow)
                }
                other => other,
            }
        }
        read => read,
    }
}

fn duration(json: &Json) -> Option<Duration> {
    let obj = json.as_object()?;
    let (key, v) = obj.iter().next()?;
    let n = v.as_i64()?;
    let (amount, unit) = match key.as_str() {
        "days" => (n, DurationUnit::Days),
        "weeks" => (n.checked_mul(7)?, DurationUnit::Days),
        "months" => (n, DurationUnit::Months),
        "years" => (n.checked_mul(12)?, DurationUnit::Months),
        _ => return None,
    };
    (obj.len() == 1).then_some(Duration {
        amount,
        unit,
        calendar: None,
    })
}

fn json_kind(json: &Json) -> String {
    match json {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => format!("the number {n}"),
        Json::String(s) if s.chars().count() > 40 => "a long text".into(),
        Json::String(s) => format!("the text \"{s}\""),
        Json::Array(_) => "a list".into(),
        Json::Object(_) => "an object".into(),
    }
}
