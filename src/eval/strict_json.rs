//! JSON text read into a `serde_json::Value` with every repeated object key found, by its JSON
//! path. serde_json keeps the last of two equal keys without a word (with `preserve_order` as
//! without), so a case that gives a fact twice would be decided on one of its two values; the
//! readers of cases refuse such a text instead (a `duplicate_key` error).
//!
//! This is the slow path's reader (`case_text::slow_path`, `zan eval`, the elements of a JSON
//! array given to `zan eval --batch`); the fast path finds a repeated fact or field with the
//! bit mask of slots it already keeps.

use super::case::CaseError;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value as Json};
use std::fmt;
use std::fmt::Write as _;

/// serde_json's private marker for a number kept as text (the `arbitrary_precision`
/// feature): such a number reaches a visitor as a one-entry map under this key.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// JSON text as a tree, and the JSON paths (such as `$.person.birth_date`) of the keys that an
/// object gives more than once, in the order of the text.
pub fn parse(text: &str) -> Result<(Json, Vec<String>), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut repeated = Vec::new();
    let json = Strict::new(&mut repeated).deserialize(&mut de)?;
    de.end()?;
    Ok((json, repeated))
}

/// The case errors for keys given twice, at the JSON paths `paths`.
pub fn repeated_keys(paths: impl IntoIterator<Item = String>) -> Vec<CaseError> {
    paths.into_iter().map(repeated_key).collect()
}

/// The case error for a key given twice at `path`.
fn repeated_key(path: String) -> CaseError {
    CaseError {
        path,
        expected: "each key once in an object".into(),
        message:
            "this key is given more than once in its object (only one of the values would be read)"
                .into(),
    }
}

/// One JSON value; the paths of repeated keys are pushed to `repeated`.
pub struct Strict<'a> {
    path: String,
    repeated: &'a mut Vec<String>,
}

impl<'a> Strict<'a> {
    /// A value at the root (`$`) of its own case.
    pub fn new(repeated: &'a mut Vec<String>) -> Strict<'a> {
        Strict {
            path: String::from("$"),
            repeated,
        }
    }
}

/// The same reader one level down, sharing the path buffer.
struct Level<'p> {
    path: &'p mut String,
    repeated: &'p mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(mut self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(Level {
            path: &mut self.path,
            repeated: self.repeated,
        })
    }
}

impl<'de> DeserializeSeed<'de> for Level<'_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Level<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Json, E> {
        Ok(Json::Number(n.into()))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Json, E> {
        Ok(Number::from_f64(n).map_or(Json::Null, Json::Number))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Json, E> {
        Ok(Json::String(s.to_string()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Json, E> {
        Ok(Json::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        let len = self.path.len();
        loop {
            let _ = write!(self.path, "[{}]", items.len());
            let item = seq.next_element_seed(Level {
                path: &mut *self.path,
                repeated: &mut *self.repeated,
            })?;
            self.path.truncate(len);
            match item {
                Some(v) => items.push(v),
                None => return Ok(Json::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut object = Map::new();
        let len = self.path.len();
        while let Some(key) = map.next_key::<String>()? {
            if object.is_empty() && key == NUMBER_TOKEN {
                // A number kept as its text: serde_json's own `Value` reads it the same way.
                let text: String = map.next_value()?;
                let n: Number = text.parse().map_err(de::Error::custom)?;
                return Ok(Json::Number(n));
            }
            self.path.push('.');
            self.path.push_str(&key);
            let value = map.next_value_seed(Level {
                path: &mut *self.path,
                repeated: &mut *self.repeated,
            })?;
            // A key given three times is one problem, reported once.
            if object.contains_key(&key) && !self.repeated.iter().any(|p| *p == *self.path) {
                self.repeated.push(self.path.clone());
            }
            self.path.truncate(len);
            object.insert(key, value);
        }
        Ok(Json::Object(object))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_found_at_any_depth() {
        let text = r#"{"a": 1, "b": {"c": [1, {"d": 2, "d": 3, "d": 4}], "c": 0}, "a": 2.50}"#;
        let (json, repeated) = parse(text).unwrap();
        assert_eq!(repeated, ["$.b.c[1].d", "$.b.c", "$.a"]);
        // The tree is serde_json's own (last value kept), numbers kept as written.
        assert_eq!(json["a"].to_string(), "2.50");
    }

    #[test]
    fn the_tree_is_serde_jsons() {
        let text = r#"{"x": [null, true, -3, 1e3, 12345678901234567890123, "é\n"], "y": {}}"#;
        let (json, repeated) = parse(text).unwrap();
        assert!(repeated.is_empty());
        let plain: Json = serde_json::from_str(text).unwrap();
        assert_eq!(json, plain);
        assert!(parse("{\"a\": 1} x").is_err());
    }
}
