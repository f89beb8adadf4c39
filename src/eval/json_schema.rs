//! JSON Schema (draft 2020-12) of what a rulebook reads and writes: the case facts that
//! `case_from_json` accepts, and the decision that `output::decision_json` writes (with the
//! explanation, the errors, and a line of `zan eval --batch`), for integrators who validate
//! cases or generate forms without reading `.zan` files; and the explanation alone (`zan
//! schema --part explain`), which the decision schema with `--explain` embeds.
//!
//! The case schema is the same for every version of a rulebook: facts, enums and records are
//! not amendable. The decision schema describes the outputs of one version. Enums and records
//! go to `$defs` under their declared names; the formats zan itself defines (reasons,
//! citations, errors, explanations) under `zan.*` names, which no declaration can take.

mod explanation;
mod formats;
mod types;

use crate::ir::*;
use crate::time::date;
use explanation::explanation_defs;
use formats::zan_defs;
use serde_json::{json, Map, Value as Json};
use types::{date_schema, Gen, Side};

/// The dialect of every schema written here.
pub const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The `$id` of one schema of a rulebook: `zan:NAME/PART`.
pub fn schema_id(rb: &Rulebook, part: &str) -> String {
    format!("zan:{}/{part}", uri_segment(&rb.name))
}

/// The schema of a case: every fact that `case_from_json` accepts, with its documentation.
pub fn case_schema(rb: &Rulebook) -> Json {
    let mut g = Gen::new(rb, Side::Case, &[]);
    let title = "the facts of a case";
    let mut root = header(rb, &schema_id(rb, "case"), title, case_description(rb));
    if let Some(path) = &rb.as_of_text {
        root.insert("x-zan-as-of".into(), json!(path));
    }
    root.extend(g.object(&rb.schema.facts));
    root.insert("$defs".into(), Json::Object(g.defs()));
    Json::Object(root)
}

fn case_description(rb: &Rulebook) -> String {
    let mut s = format!(
        "The facts of a case of `{}`, as `zan eval` reads them (a file, or one line of \
         `zan eval --batch`). Unknown fields are errors. A fact or field of an optional type \
         may be absent or null; one with a default may be absent. Decimals and amounts are JSON \
         numbers or strings (an amount may end with its currency, as in \"4325.50 KZT\"); dates \
         are \"YYYY-MM-DD\"; a duration is one of {{\"days\"|\"weeks\"|\"months\"|\"years\": n}}; \
         a period is {{\"start\", \"end\"}} with start no later than end; enum values are \
         written by name.",
        rb.name
    );
    if let Some(path) = &rb.as_of_text {
        s.push_str(&format!(
            " Unless `--as-of` is given, the case is evaluated as of `{path}`, which must then \
             be present."
        ));
    }
    s
}

/// The schema of the decision that `zan eval --format json` prints with the rules of
/// `version`: its outputs, their errors, and with `explain` the explanation (`--explain`).
/// `$defs` also holds `zan.batch_line`, a line of `zan eval --batch`, and `zan.invalid_case`.
pub fn decision_schema(rb: &Rulebook, version: &Version, explain: bool) -> Json {
    let p = &version.program;
    let calendars: Vec<&str> = p.calendars.iter().map(|c| c.name.as_str()).collect();
    let mut g = Gen::new(rb, Side::Decision, &calendars);
    let mut id = schema_id(rb, "decision");
    if let Some(from) = version.from {
        id.push_str(&format!("/from-{}", date::format(from)));
    }
    let mut root = header(rb, &id, "a decision", decision_description(rb, version));
    root.insert("x-zan-version".into(), version_json(version));
    root.insert("type".into(), json!("object"));
    let outputs = g.outputs(p);
    let names: Vec<&str> = outputs.keys().map(String::as_str).collect();
    let mut properties = json!({
        "rulebook": { "const": rb.name },
        "as_of": annotate(date_schema(), "description", json!("The evaluation date.")),
        "outputs": {
            "type": "object",
            "description": "The outputs that could be evaluated, by name: every output of the version, or those named by `--outputs`; each other one is in `errors`.",
            "properties": outputs,
            "additionalProperties": false,
        },
        "errors": {
            "description": "The outputs that could not be evaluated; absent when there is none.",
            "type": "array", "minItems": 1, "items": def_ref("zan.output_error"),
        },
    });
    let mut required = vec!["rulebook", "as_of", "outputs"];
    if explain {
        properties["explanation"] = def_ref("zan.explanation");
        required.push("explanation");
    }
    root.insert("properties".into(), properties);
    root.insert("required".into(), json!(required));
    root.insert("additionalProperties".into(), json!(false));
    let explanation = explain.then(|| explanation_defs(rb, version, &mut g));
    // The rulebook's types first, then zan's formats.
    let mut defs = g.defs();
    defs.extend(zan_defs(rb, &names));
    defs.extend(explanation.unwrap_or_default());
    root.insert("$defs".into(), Json::Object(defs));
    Json::Object(root)
}

/// The schema of the explanation of `zan eval --explain` (`zan-explanation/2`) with the rules
/// of `version`, standalone: the same definitions the decision schema embeds.
pub fn explanation_schema(rb: &Rulebook, version: &Version) -> Json {
    let p = &version.program;
    let calendars: Vec<&str> = p.calendars.iter().map(|c| c.name.as_str()).collect();
    let mut g = Gen::new(rb, Side::Decision, &calendars);
    let mut id = schema_id(rb, "explanation");
    if let Some(from) = version.from {
        id.push_str(&format!("/from-{}", date::format(from)));
    }
    let description = format!(
        "The explanation of a decision on a case of `{}` as `zan eval --explain` writes it \
         (the `explanation` of the decision), with the rules of the version in force from {} \
         until {}: for each output decided, its derivation, a tree of nodes \
         (`#/$defs/zan.node`) discriminated by `kind`.",
        rb.name,
        version.from.map_or("the start".into(), date::format),
        version.until.map_or("further notice".into(), date::format)
    );
    let mut root = header(rb, &id, "an explanation", description);
    root.insert("x-zan-version".into(), version_json(version));
    root.insert("$ref".into(), def_ref("zan.explanation")["$ref"].clone());
    let explanation = explanation_defs(rb, version, &mut g);
    let mut defs = g.defs();
    defs.extend(explanation);
    root.insert("$defs".into(), Json::Object(defs));
    Json::Object(root)
}

fn decision_description(rb: &Rulebook, v: &Version) -> String {
    let period = match (v.from, v.until) {
        (None, None) => "the only version of the rulebook".to_string(),
        (f, u) => format!(
            "the version of the rulebook in force from {} until {}",
            f.map_or("the start".into(), date::format),
            u.map_or("further notice".into(), date::format)
        ),
    };
    format!(
        "The decision on a case of `{}` as `zan eval --format json` prints it, with the rules \
         of {period}: the evaluation date, every output that could be evaluated (by name) and \
         the errors of the others. Booleans and integers are JSON values; decimals and amounts \
         are strings; money is {{\"amount\", \"currency\"}}; dates are \"YYYY-MM-DD\"; enum \
         values are written by name; reasons are {{\"code\", \"message\", \"citation\"}}. A \
         line of `zan eval --batch` is `#/$defs/zan.batch_line`.",
        rb.name
    )
}

fn version_json(v: &Version) -> Json {
    json!({
        "in_force_from": v.from.map(date::format),
        "in_force_until": v.until.map(date::format),
    })
}

fn header(rb: &Rulebook, id: &str, what: &str, description: String) -> Map<String, Json> {
    let title = rb.title.as_deref().unwrap_or(&rb.name);
    let mut m = Map::new();
    m.insert("$schema".into(), json!(DRAFT));
    m.insert("$id".into(), json!(id));
    m.insert("title".into(), json!(format!("{title}: {what}")));
    m.insert("description".into(), json!(description));
    m.insert("x-zan-rulebook".into(), json!(rb.name));
    if let Some(j) = &rb.jurisdiction {
        m.insert("x-zan-jurisdiction".into(), json!(j));
    }
    m
}

/// The prefix of zan's own annotation keywords while a schema is built.
const ANNOTATION: &str = "x-zan-";

/// The schema as integrators get it (`zan schema`, the service's `/schema`): zan's annotations
/// (`x-zan-type`, `x-zan-citations`, `x-zan-amendment`, `x-zan-version`, ...) moved into the
/// `$comment` of the node that had them, as the JSON text of an object with the same keys.
/// Ajv's default strict mode refuses unknown keywords, and `$comment` is the keyword JSON
/// Schema leaves to tools; `JSON.parse(node.$comment)` gives the annotations back. The OpenAPI
/// document of `zan serve` keeps them as `x-zan-*` extensions, which OpenAPI defines.
pub fn portable(schema: Json) -> Json {
    match schema {
        Json::Object(m) => Json::Object(portable_node(m)),
        other => other,
    }
}

fn portable_node(m: Map<String, Json>) -> Map<String, Json> {
    let annotated = m.keys().any(|k| k.starts_with(ANNOTATION));
    let mut out = Map::new();
    let mut notes = Map::new();
    for (key, value) in m {
        if annotated && (key.starts_with(ANNOTATION) || key == "$comment") {
            // `$comment` takes the place of the first annotation.
            if !out.contains_key("$comment") {
                out.insert("$comment".into(), Json::Null);
            }
            let key = if key == "$comment" {
                "comment".into()
            } else {
                key
            };
            notes.insert(key, value);
            continue;
        }
        let value = match key.as_str() {
            // Maps from names to schemas: the names are data, the values schemas.
            "properties" | "$defs" | "patternProperties" | "dependentSchemas" => match value {
                Json::Object(named) => Json::Object(
                    named
                        .into_iter()
                        .map(|(name, s)| (name, portable(s)))
                        .collect(),
                ),
                other => other,
            },
            // Values, not schemas.
            "const" | "enum" | "default" | "examples" => value,
            _ => portable_any(value),
        };
        out.insert(key, value);
    }
    if annotated {
        out.insert("$comment".into(), json!(Json::Object(notes).to_string()));
    }
    out
}

/// A keyword's value: a schema, or an array of schemas (`allOf`, `prefixItems`, ...).
fn portable_any(value: Json) -> Json {
    match value {
        Json::Array(items) => Json::Array(items.into_iter().map(portable).collect()),
        other => portable(other),
    }
}

/// `#/$defs/NAME`, the name escaped as a JSON pointer and a URI fragment.
fn def_ref(name: &str) -> Json {
    let pointer = name.replace('~', "~0").replace('/', "~1");
    json!({ "$ref": format!("#/$defs/{}", uri_segment(&pointer)) })
}

/// Percent-encodes everything but ASCII letters, digits and `_ . - ~`.
fn uri_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if !c.is_alphanumeric() && c != '_' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Adds a keyword to a schema (a boolean schema becomes an object first).
fn annotate(schema: Json, key: &str, value: Json) -> Json {
    let mut m = match schema {
        Json::Object(m) => m,
        Json::Bool(true) => Map::new(),
        _ => {
            let mut m = Map::new();
            m.insert("not".into(), json!({}));
            m
        }
    };
    m.insert(key.into(), value);
    Json::Object(m)
}

/// `T` or null. A schema that only constrains its own JSON type gets `null` added to its
/// `type`; others are wrapped in `anyOf`.
fn nullable(schema: Json) -> Json {
    const COMPOSED: [&str; 6] = ["$ref", "anyOf", "oneOf", "allOf", "enum", "const"];
    match schema {
        // A bare `anyOf` takes null as one more alternative.
        Json::Object(mut m) if m.len() == 1 && m.contains_key("anyOf") => {
            if let Some(Json::Array(alternatives)) = m.get_mut("anyOf") {
                alternatives.push(json!({ "type": "null" }));
            }
            Json::Object(m)
        }
        Json::Object(mut m) if !COMPOSED.iter().any(|k| m.contains_key(*k)) => {
            match m.get("type").and_then(Json::as_str) {
                Some(t) => {
                    let t = t.to_string();
                    m.insert("type".into(), json!([t, "null"]));
                    Json::Object(m)
                }
                None => json!({ "anyOf": [Json::Object(m), { "type": "null" }] }),
            }
        }
        Json::Bool(true) => Json::Bool(true),
        Json::Bool(false) => json!({ "type": "null" }),
        s => json!({ "anyOf": [s, { "type": "null" }] }),
    }
}
