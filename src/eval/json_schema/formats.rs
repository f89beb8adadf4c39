//! The `zan.*` definitions of a decision schema: the formats zan defines for every rulebook
//! (reasons, citations, errors, a line of `zan eval --batch`, the explanation), with what
//! the rulebook fixes in them (source, amendment, output and rule names).

use super::{def_ref, nullable};
use crate::ir::*;
use serde_json::{json, Map, Value as Json};

/// The definitions every decision schema has; `outputs` are the output names.
pub(super) fn zan_defs(rb: &Rulebook, outputs: &[&str]) -> Map<String, Json> {
    let string_or_null = json!({ "type": ["string", "null"] });
    let mut d = Map::new();
    d.insert("zan.reason".into(), reason());
    d.insert("zan.citation".into(), citation(rb));
    d.insert("zan.output_error".into(), json!({
        "description": "An output that could not be evaluated (a conflict, a lookup without an entry, a date out of range...).",
        "type": "object",
        "properties": {
            "output": { "enum": outputs },
            "rule": string_or_null,
            "message": { "type": "string" },
        },
        "required": ["output", "rule", "message"],
        "additionalProperties": false,
    }));
    d.insert("zan.case_error".into(), case_error());
    d.insert("zan.invalid_case".into(), json!({
        "description": "What `zan eval --format json` prints (exit code 2) for a case that does not match the facts; nothing is evaluated.",
        "type": "object",
        "properties": { "case_errors": { "type": "array", "minItems": 1, "items": def_ref("zan.case_error") } },
        "required": ["case_errors"],
        "additionalProperties": false,
    }));
    d.insert("zan.batch_line".into(), batch_line());
    d
}

/// `zan.reason`: a value of a `reasons` rule.
pub(super) fn reason() -> Json {
    json!({
        "description": "A reason given by a `reasons` rule: its code, message and the sentence it cites.",
        "type": "object",
        "properties": {
            "code": { "type": "string" },
            "message": { "type": "string" },
            "citation": def_ref("zan.citation"),
        },
        "required": ["code", "message"],
        "additionalProperties": false,
    })
}

/// `zan.citation`: a cited source and the quoted sentence.
pub(super) fn citation(rb: &Rulebook) -> Json {
    let sources: Vec<&str> = rb.sources.iter().map(|s| s.name.as_str()).collect();
    let string_or_null = json!({ "type": ["string", "null"] });
    json!({
        "description": "A cited source: its name, title and file, and the quoted sentence.",
        "type": "object",
        "properties": {
            "source": nullable(json!({ "enum": sources })),
            "title": string_or_null,
            "file": string_or_null,
            "quote": string_or_null,
        },
        "required": ["source", "title", "file", "quote"],
        "additionalProperties": false,
    })
}

fn case_error() -> Json {
    json!({
        "description": "A fact of the case that does not match: its JSON path (such as `$.applicant.birth_date`), what is wrong, and what was expected.",
        "type": "object",
        "properties": {
            "path": { "type": "string", "pattern": "^\\$" },
            "message": { "type": "string" },
            "expected": { "type": "string" },
        },
        "required": ["path", "message", "expected"],
        "additionalProperties": false,
    })
}

fn batch_line() -> Json {
    json!({
        "description": "One output line of `zan eval --batch`, in input order: the decision on the case of that line, or the error that kept it from being decided.",
        "oneOf": [
            { "$ref": "#" },
            {
                "type": "object",
                "properties": {
                    "line": {
                        "description": "The input line (1-based), or the element number in a JSON array.",
                        "type": "integer", "minimum": 1,
                    },
                    "error": {
                        "type": "object",
                        "properties": {
                            "kind": { "oneOf": [
                                { "const": "empty_line", "description": "an empty line: one case per line" },
                                { "const": "invalid_utf8", "description": "the line is not valid UTF-8" },
                                { "const": "line_too_long", "description": "the line is longer than 64 MiB (67108864 bytes); it was skipped" },
                                { "const": "invalid_json", "description": "the line is not valid JSON" },
                                { "const": "duplicate_key", "description": "an object of the case gives a key more than once: see case_errors for where" },
                                { "const": "invalid_case", "description": "the case does not match the facts: see case_errors" },
                                { "const": "evaluation", "description": "no evaluation date, or no version in force on it" },
                            ] },
                            "message": { "type": "string" },
                            "case_errors": { "type": "array", "minItems": 1, "items": def_ref("zan.case_error") },
                        },
                        "required": ["kind", "message"],
                        "additionalProperties": false,
                        "if": { "properties": { "kind": { "enum": ["invalid_case", "duplicate_key"] } } },
                        "then": { "required": ["case_errors"] },
                        "else": { "not": { "required": ["case_errors"] } },
                    },
                },
                "required": ["line", "error"],
                "additionalProperties": false,
            },
        ],
    })
}
