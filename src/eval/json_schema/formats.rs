//! The `zan.*` definitions of a decision schema: the formats zan defines for every rulebook
//! (reasons, citations, errors, a line of `zan eval --batch`, the explanation), with what
//! the rulebook fixes in them (source, amendment, output and rule names).

use super::types::{date_schema, Gen};
use super::{annotate, def_ref, nullable};
use crate::ir::*;
use serde_json::{json, Map, Value as Json};

/// The definitions every decision schema has; `outputs` are the output names.
pub(super) fn zan_defs(rb: &Rulebook, outputs: &[&str]) -> Map<String, Json> {
    let sources: Vec<&str> = rb.sources.iter().map(|s| s.name.as_str()).collect();
    let string_or_null = json!({ "type": ["string", "null"] });
    let mut d = Map::new();
    d.insert("zan.reason".into(), json!({
        "description": "A reason given by a `reasons` rule: its code, message and the sentence it cites.",
        "type": "object",
        "properties": {
            "code": { "type": "string" },
            "message": { "type": "string" },
            "citation": def_ref("zan.citation"),
        },
        "required": ["code", "message"],
        "additionalProperties": false,
    }));
    d.insert(
        "zan.citation".into(),
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
        }),
    );
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

/// The explanation of `zan eval --explain` (`zan-explanation/1`) with the rules of `v`: the
/// value of each rule in a trace has the rule's type.
pub(super) fn explanation_defs(rb: &Rulebook, v: &Version, g: &mut Gen) -> Map<String, Json> {
    let amendments: Vec<&str> = rb.amendments.iter().map(|a| a.name.as_str()).collect();
    let strings = json!({ "type": "array", "items": { "type": "string" } });
    let citations = json!({ "type": "array", "items": def_ref("zan.citation") });
    let mut d = Map::new();
    d.insert("zan.explanation".into(), json!({
        "description": "Why each rule evaluated has its value: the version of the rulebook used, and a trace per rule (outputs first).",
        "type": "object",
        "properties": {
            "format": { "const": "zan-explanation/1" },
            "rulebook": { "const": rb.name },
            "as_of": date_schema(),
            "version": {
                "type": "object",
                "properties": {
                    "in_force_from": { "const": v.from.map(crate::time::date::format) },
                    "in_force_until": { "const": v.until.map(crate::time::date::format) },
                    "amendments_applied": { "type": "array", "items": {
                        "type": "object",
                        "properties": {
                            "amendment": nullable(json!({ "enum": amendments })),
                            "action": { "enum": ["adds", "replaces", "repeals"] },
                            "kind": { "type": "string", "description": "rule, exception, reasons, table, parameter or calendar" },
                            "name": { "type": "string" },
                            "in_force": date_schema(),
                        },
                        "required": ["amendment", "action", "kind", "name", "in_force"],
                        "additionalProperties": false,
                    } },
                },
                "required": ["in_force_from", "in_force_until", "amendments_applied"],
                "additionalProperties": false,
            },
            "rules": { "type": "array", "items": def_ref("zan.rule_trace") },
        },
        "required": ["format", "rulebook", "as_of", "version", "rules"],
        "additionalProperties": false,
    }));
    d.insert(
        "zan.rule_trace".into(),
        rule_trace(&v.program, g, &citations, &strings),
    );
    d.insert("zan.exception_not_taken".into(), json!({
        "description": "An exception that was considered and not taken, with its conditions that failed.",
        "type": "object",
        "properties": {
            "exception": { "type": "string" },
            "citations": citations,
            "amendment": nullable(def_ref("zan.amendment")),
            "failed": strings,
        },
        "required": ["exception", "citations", "amendment", "failed"],
        "additionalProperties": false,
    }));
    d.insert("zan.amendment".into(), json!({
        "description": "The amendment that added or replaced a definition, from when, and what it cites.",
        "type": "object",
        "properties": {
            "name": nullable(json!({ "enum": amendments })),
            "in_force": date_schema(),
            "action": { "enum": ["added", "replaced"] },
            "citations": nullable(citations),
        },
        "required": ["name", "in_force", "action", "citations"],
        "additionalProperties": false,
    }));
    d
}

/// A rule's trace; which rule it is fixes whether it is an output and the type of its value.
fn rule_trace(p: &Program, g: &mut Gen, citations: &Json, strings: &Json) -> Json {
    let names: Vec<&str> = p.rules.iter().map(|r| r.name.as_str()).collect();
    let by_rule: Vec<Json> = p
        .rules
        .iter()
        .map(|r| {
            let value = annotate(
                g.ty(&r.ty),
                "x-zan-type",
                json!(g.rb.schema.type_name(&r.ty)),
            );
            json!({
                "if": { "properties": { "rule": { "const": r.name } } },
                "then": { "properties": { "output": { "const": r.output }, "value": value } },
            })
        })
        .collect();
    let mut trace = json!({
        "description": "One rule evaluated: its value (or error), the definition and case that gave it, what it cites, the amendment it comes from, the conditions that held and the exceptions not taken.",
        "type": "object",
        "properties": {
            "rule": { "enum": names },
            "output": { "type": "boolean" },
            "produced_by": {
                "type": "object",
                "properties": {
                    "definition": { "type": "string", "description": "the rule or exception whose case gave the value" },
                    "kind": { "enum": ["case", "otherwise", "expression", "exception", "reasons"] },
                    "case": { "type": ["integer", "null"], "minimum": 1, "description": "the number of the `when` case, from 1" },
                },
                "required": ["definition", "kind", "case"],
                "additionalProperties": false,
            },
            "citations": citations,
            "amendment": nullable(def_ref("zan.amendment")),
            "conditions_held": strings,
            "exceptions_not_taken": { "type": "array", "items": def_ref("zan.exception_not_taken") },
            "value": true,
            "error": { "type": "string" },
        },
        "required": ["rule", "output", "produced_by", "citations", "amendment", "conditions_held", "exceptions_not_taken"],
        "oneOf": [{ "required": ["value"] }, { "required": ["error"] }],
        "additionalProperties": false,
    });
    if !by_rule.is_empty() {
        trace["allOf"] = Json::Array(by_rule);
    }
    trace
}
