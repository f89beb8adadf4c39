//! The try-a-case form as data: the fields of the case schema named by their JSON paths
//! (`$.applicant.citizenship`, `$.foreign_documents[0].kind`), their values as the form holds
//! them (text), read from a case or from a posted form, and turned back into the case's JSON
//! text by the schema's types (the engine then reads it as any case, with its own errors).

use crate::ir::{Schema, Type};
use crate::time::date;
use crate::value::{DurationUnit, Value};
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;

/// The form's values by JSON path; list lengths by the list's path.
#[derive(Clone, Debug, Default)]
pub struct State {
    pub values: BTreeMap<String, String>,
    pub lengths: BTreeMap<String, usize>,
}

/// `application/x-www-form-urlencoded` pairs, decoded (bad escapes kept as written, text
/// that is not UTF-8 replaced).
pub fn decode_form(body: &[u8]) -> Vec<(String, String)> {
    body.split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let mut it = pair.splitn(2, |&b| b == b'=');
            let name = decode_part(it.next().unwrap_or(&[]));
            let value = decode_part(it.next().unwrap_or(&[]));
            (name, value)
        })
        .collect()
}

fn decode_part(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `id` of a field from its JSON path: `$.a.b[0]` → `f-a-b-0`.
pub fn field_id(path: &str) -> String {
    let mut id = String::from("f");
    for c in path.trim_start_matches('$').chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_string()
}

impl State {
    /// The state of a posted form: every pair whose name is a JSON path.
    pub fn from_pairs(pairs: &[(String, String)]) -> State {
        let mut s = State::default();
        for (name, value) in pairs.iter().filter(|(n, _)| n.starts_with("$.")) {
            s.values.insert(name.clone(), value.clone());
            s.note_lists(name);
        }
        s
    }

    /// Every list on a path (`$.a[2].b` names `$.a` with at least 3 items).
    fn note_lists(&mut self, path: &str) {
        let mut at = 0;
        while let Some(open) = path[at..].find('[').map(|i| at + i) {
            let Some(close) = path[open..].find(']').map(|i| open + i) else {
                break;
            };
            if let Ok(n) = path[open + 1..close].parse::<usize>() {
                let len = self.lengths.entry(path[..open].to_string()).or_insert(0);
                *len = (*len).max(n.saturating_add(1).min(MAX_ITEMS));
            }
            at = close + 1;
        }
    }

    /// The state of a case's facts (one value per fact of the schema).
    pub fn from_facts(schema: &Schema, facts: &[Value]) -> State {
        let mut s = State::default();
        for (f, v) in schema.facts.iter().zip(facts) {
            s.fill(schema, &format!("$.{}", f.name), &f.ty, v);
        }
        s
    }

    fn fill(&mut self, schema: &Schema, path: &str, ty: &Type, v: &Value) {
        let text = match (v, ty.without_optional()) {
            (Value::Absent, _) => return,
            (Value::Record(fields), Type::Record(r)) => {
                if let Some(info) = schema.records.get(*r as usize) {
                    for (f, v) in info.fields.iter().zip(fields.iter()) {
                        self.fill(schema, &format!("{path}.{}", f.name), &f.ty, v);
                    }
                }
                return;
            }
            (Value::List(items), Type::List(t)) => {
                self.lengths.insert(path.to_string(), items.len());
                for (i, item) in items.iter().enumerate() {
                    self.fill(schema, &format!("{path}[{i}]"), t, item);
                }
                return;
            }
            (Value::Period(p), _) => {
                self.values
                    .insert(format!("{path}.start"), date::format(p.start));
                self.values
                    .insert(format!("{path}.end"), date::format(p.end));
                return;
            }
            (Value::Bool(b), _) => b.to_string(),
            (Value::Integer(n), _) => n.to_string(),
            (Value::Decimal(d) | Value::Money(d), _) => d.normalize().to_string(),
            (Value::Date(d), _) => date::format(*d),
            (Value::Text(t), _) => t.to_string(),
            (Value::Enum(i), Type::Enum(e)) => {
                schema.variant_name(*e, *i).unwrap_or("").to_string()
            }
            (Value::Duration(d), _) => {
                let unit = match d.unit {
                    DurationUnit::Days => "days",
                    DurationUnit::Months => "months",
                    DurationUnit::WorkingDays => "working_days",
                };
                format!("{} {unit}", d.amount)
            }
            _ => return,
        };
        self.values.insert(path.to_string(), text);
    }

    /// Add an item at the end of the list at `path`, or remove item `path[i]` (the items after
    /// it move up), as the form's add and remove buttons ask.
    pub fn edit(&mut self, command: &str) {
        if let Some(list) = command.strip_prefix("add ") {
            let len = self.lengths.entry(list.to_string()).or_insert(0);
            *len = (*len + 1).min(MAX_ITEMS);
        } else if let Some(item) = command.strip_prefix("remove ") {
            let Some(open) = item.rfind('[') else { return };
            let list = &item[..open];
            let Ok(n) = item[open + 1..].trim_end_matches(']').parse::<usize>() else {
                return;
            };
            let len = self.lengths.get(list).copied().unwrap_or(0);
            if n >= len {
                return;
            }
            let mut moved = BTreeMap::new();
            for (k, v) in std::mem::take(&mut self.values) {
                match item_of(&k, list) {
                    Some((i, _)) if i == n => {}
                    Some((i, rest)) if i > n => {
                        moved.insert(format!("{list}[{}]{rest}", i - 1), v);
                    }
                    _ => {
                        moved.insert(k, v);
                    }
                }
            }
            self.values = moved;
            self.lengths.insert(list.to_string(), len - 1);
            // Lists inside the removed items are forgotten with them.
            let inner = format!("{list}[");
            self.lengths.retain(|k, _| !k.starts_with(&inner));
            let values: Vec<String> = self.values.keys().cloned().collect();
            for k in values {
                self.note_lists(&k);
            }
        }
    }

    pub fn get(&self, path: &str) -> &str {
        self.values.get(path).map_or("", String::as_str)
    }

    pub fn len(&self, path: &str) -> usize {
        self.lengths.get(path).copied().unwrap_or(0)
    }

    /// The case's JSON from the form: empty fields are left out (absent, or the fact's
    /// default), and so is a record none of whose fields is given.
    pub fn case_json(&self, schema: &Schema) -> Json {
        let mut o = Map::new();
        for f in &schema.facts {
            if let Some(v) = self.json_at(schema, &format!("$.{}", f.name), &f.ty, 0) {
                o.insert(f.name.clone(), v);
            }
        }
        Json::Object(o)
    }

    fn json_at(&self, schema: &Schema, path: &str, ty: &Type, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        match ty.without_optional() {
            Type::Record(r) => {
                let info = schema.records.get(*r as usize)?;
                let mut o = Map::new();
                for f in &info.fields {
                    if let Some(v) =
                        self.json_at(schema, &format!("{path}.{}", f.name), &f.ty, depth + 1)
                    {
                        o.insert(f.name.clone(), v);
                    }
                }
                (!o.is_empty()).then_some(Json::Object(o))
            }
            Type::List(t) => {
                let items: Vec<Json> = (0..self.len(path))
                    .filter_map(|i| self.json_at(schema, &format!("{path}[{i}]"), t, depth + 1))
                    .collect();
                (!items.is_empty()).then_some(Json::Array(items))
            }
            Type::Period => {
                let (start, end) = (
                    self.get(&format!("{path}.start")),
                    self.get(&format!("{path}.end")),
                );
                if start.trim().is_empty() && end.trim().is_empty() {
                    return None;
                }
                Some(json!({"start": start.trim(), "end": end.trim()}))
            }
            t => {
                let text = self.get(path).trim();
                if text.is_empty() {
                    return None;
                }
                Some(scalar(t, text))
            }
        }
    }
}

/// A list holds at most this many items in the form.
pub const MAX_ITEMS: usize = 200;
/// Records nest at most this deep in the form (the schema is finite, but a record may hold a
/// list of itself).
pub const MAX_DEPTH: usize = 12;

/// `$.list[3].x` as (3, `.x`) when it is an item of `list`.
fn item_of<'a>(path: &'a str, list: &str) -> Option<(usize, &'a str)> {
    let rest = path.strip_prefix(list)?.strip_prefix('[')?;
    let close = rest.find(']')?;
    let n = rest[..close].parse().ok()?;
    Some((n, &rest[close + 1..]))
}

/// A field's text as the JSON the case reader expects of its type; text that does not fit
/// the type goes as a string, so the reader says what is wrong with it, at its path.
fn scalar(ty: &Type, text: &str) -> Json {
    match ty {
        Type::Bool => match text {
            "true" => Json::Bool(true),
            "false" => Json::Bool(false),
            t => json!(t),
        },
        Type::Integer => text
            .parse::<i64>()
            .map_or_else(|_| json!(text), |n| json!(n)),
        Type::Duration => {
            let mut words = text.split_whitespace();
            match (
                words.next().and_then(|n| n.parse::<i64>().ok()),
                words.next(),
                words.next(),
            ) {
                (Some(n), Some(unit), None) => {
                    let mut o = Map::new();
                    o.insert(unit.to_string(), json!(n));
                    Json::Object(o)
                }
                _ => json!(text),
            }
        }
        _ => json!(text),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_decoded() {
        let pairs = decode_form(b"%24.a.b=x+y%21&as_of=2026-03-10&bad=%zz&empty=");
        assert_eq!(
            pairs,
            vec![
                ("$.a.b".to_string(), "x y!".to_string()),
                ("as_of".to_string(), "2026-03-10".to_string()),
                ("bad".to_string(), "%zz".to_string()),
                ("empty".to_string(), String::new()),
            ]
        );
    }

    #[test]
    fn ids_come_from_paths() {
        assert_eq!(
            field_id("$.applicant.citizenship"),
            "f-applicant-citizenship"
        );
        assert_eq!(
            field_id("$.foreign_documents[0].kind"),
            "f-foreign_documents-0-kind"
        );
    }

    #[test]
    fn removing_an_item_moves_the_next_ones_up() {
        let pairs: Vec<(String, String)> =
            [("$.l[0].x", "a"), ("$.l[1].x", "b"), ("$.l[2].x", "c")]
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
        let mut s = State::from_pairs(&pairs);
        assert_eq!(s.len("$.l"), 3);
        s.edit("remove $.l[1]");
        assert_eq!(s.len("$.l"), 2);
        assert_eq!(s.get("$.l[1].x"), "c");
        s.edit("add $.l");
        assert_eq!(s.len("$.l"), 3);
        assert_eq!(s.get("$.l[2].x"), "");
    }
}
