//! The schema of the explanation (`zan-explanation/2`, `derivation_json`): the version used
//! and one derivation tree per output. A node is one recursive definition, `zan.node`,
//! discriminated by `kind`: each kind's fields are allowed only on nodes of that kind
//! (`unevaluatedProperties: false` sees only the fields of the branch that matched).

use super::formats::{citation, reason};
use super::types::{date_schema, Gen};
use super::{annotate, def_ref, nullable};
use crate::ir::*;
use serde_json::{json, Map, Value as Json};

/// The kinds of node, with what each means (the schema's documentation of `kind`).
const KINDS: [(&str, &str); 14] = [
    ("rule", "a rule: an output, or an internal rule a value used; how it got its value"),
    ("see_above", "a rule already derived in this output's tree: its value again, not its derivation"),
    ("fact", "a fact of the case, with its JSON path"),
    ("local", "the value of a quantified variable (or a field of it)"),
    ("constant", "a constant written in the rulebook"),
    ("as_of_date", "the evaluation date"),
    ("table", "a table look-up: the row that matched; the children are the keys"),
    ("parameter", "a parameter's value in force on a date, and which date and why"),
    ("working_days", "a date plus or minus working days in a calendar, with the non-working days skipped; the children are the start and the duration"),
    ("arithmetic", "arithmetic on two values (the children), with the formula"),
    ("condition", "a comparison or other condition: a boolean, its operands as children"),
    ("aggregation", "count, sum, any, all, map, filter, min or max over a list (the child), with each item and what it gave"),
    ("call", "a built-in function; the children are its arguments"),
    ("expression", "any other expression (if, match, a list or record, a field of a computed value); the children are the values it used"),
];

/// The definitions of the explanation's schema with the rules of `v`: a rule node's value has
/// the rule's type.
pub(super) fn explanation_defs(rb: &Rulebook, v: &Version, g: &mut Gen) -> Map<String, Json> {
    let p = &v.program;
    let amendments: Vec<&str> = rb.amendments.iter().map(|a| a.name.as_str()).collect();
    let mut d = Map::new();
    d.insert("zan.explanation".into(), explanation(rb, v, &amendments));
    d.insert("zan.node".into(), node(p, g));
    d.insert("zan.citation".into(), citation(rb));
    d.insert("zan.reason".into(), reason());
    d.insert("zan.source".into(), source(false));
    d.insert("zan.node_citation".into(), source(true));
    d.insert("zan.why_not".into(), json!({
        "description": "A case or exception that did not apply, and the first condition that failed (a `condition` node whose value is false, its operands as children), or null when it could not be decided.",
        "type": "object",
        "properties": {
            "definition": { "type": "string", "description": "the rule or exception the case belongs to" },
            "exception": { "type": "boolean" },
            "case": { "type": ["integer", "null"], "minimum": 1, "description": "the case (from 1); null for an exception none of whose cases applied" },
            "failed": nullable(def_ref("zan.node")),
            "amendment": nullable(def_ref("zan.amendment")),
            "citations": { "type": "array", "items": def_ref("zan.source") },
        },
        "required": ["definition", "exception", "case", "failed", "amendment", "citations"],
        "additionalProperties": false,
    }));
    d.insert("zan.amendment".into(), json!({
        "description": "The amendment that added or replaced a definition, from when, and what it cites.",
        "type": "object",
        "properties": {
            "name": nullable(json!({ "enum": amendments })),
            "in_force": date_schema(),
            "action": { "enum": ["added", "replaced"] },
            "citations": nullable(json!({ "type": "array", "items": def_ref("zan.citation") })),
        },
        "required": ["name", "in_force", "action", "citations"],
        "additionalProperties": false,
    }));
    d
}

fn explanation(rb: &Rulebook, v: &Version, amendments: &[&str]) -> Json {
    json!({
        "description": "Why each output has its value: the consolidated version of the rulebook used, and per output decided (in the decision's order) its derivation, a tree of nodes. `depth` is `path` (the path to each value: the case that gave it, every value it used, why the output's other cases and exceptions did not apply, the citations) or `full` (also the values behind every condition that held, and why not at every rule).",
        "type": "object",
        "properties": {
            "format": { "const": super::super::derivation_json::FORMAT },
            "rulebook": { "const": rb.name },
            "as_of": date_schema(),
            "depth": { "enum": ["path", "full"] },
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
            "outputs": {
                "description": "One derivation per output decided; each root is a `rule` node with `output` true.",
                "type": "array",
                "items": { "allOf": [def_ref("zan.node"), {
                    "type": "object",
                    "properties": { "kind": { "const": "rule" }, "output": { "const": true } },
                }] },
            },
        },
        "required": ["format", "rulebook", "as_of", "depth", "version", "outputs"],
        "additionalProperties": false,
    })
}

/// A cited source with the line of its quote; with `specific`, as a node carries it.
fn source(specific: bool) -> Json {
    let string_or_null = json!({ "type": ["string", "null"] });
    let mut s = json!({
        "description": "A cited source: its name, title and file, the quoted sentence, and the line (from 1) of the file where the sentence starts (null when the file was not read or the sentence not found).",
        "type": "object",
        "properties": {
            "source": { "type": ["string", "null"] },
            "title": string_or_null,
            "file": string_or_null,
            "quote": string_or_null,
            "line": { "type": ["integer", "null"], "minimum": 1 },
        },
        "required": ["source", "title", "file", "quote", "line"],
        "additionalProperties": false,
    });
    if specific {
        s["description"] = json!("A citation of a node, as `zan.source`, and whether it is specific (on the case, row, parameter value or reason that gave the value) or a heading (on the declaration as a whole).");
        s["properties"]["specific"] = json!({ "type": "boolean" });
        s["required"] = json!(["source", "title", "file", "quote", "line", "specific"]);
    }
    s
}

fn node(p: &Program, g: &mut Gen) -> Json {
    let kinds: Vec<Json> = KINDS
        .iter()
        .map(|(k, what)| json!({ "const": k, "description": what }))
        .collect();
    json!({
        "description": "One node of a derivation: a value, what it is (`kind`), and the values it was computed from (`children`, in the order the expression reads them). `value` is written as the decision writes its type; `value_text` as a person reads it (`648,750.00 KZT`, `2026-03-17 (Tue)`). A node whose evaluation failed has `error` instead of `value`. The fields after `children` depend on the kind.",
        "type": "object",
        "properties": {
            "kind": { "oneOf": kinds },
            "text": { "type": "string", "description": "the node as the rulebook writes it: a rule's name, a fact's path, an expression" },
            "label": { "type": "string", "description": "what the value is in its parent: a record field's name, a built-in's argument" },
            "value": true,
            "error": { "type": "string" },
            "value_text": { "type": "string" },
            "citations": { "type": "array", "items": def_ref("zan.node_citation"), "description": "this node's own citations, specific ones first" },
            "children": { "type": "array", "items": def_ref("zan.node") },
        },
        "required": ["kind", "text", "value_text", "citations", "children"],
        "allOf": [
            { "oneOf": [{ "required": ["value"] }, { "required": ["error"] }] },
            { "oneOf": kind_branches(p, g) },
        ],
        "unevaluatedProperties": false,
    })
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> Json {
    let v: Vec<&str> = it.collect();
    json!({ "enum": v })
}

/// One branch per kind with the fields of that kind, all required.
fn kind_branches(p: &Program, g: &mut Gen) -> Vec<Json> {
    let rules = names(p.rules.iter().map(|r| r.name.as_str()));
    let tables = names(p.tables.iter().map(|t| t.name.as_str()));
    let params = names(p.params.iter().map(|x| x.name.as_str()));
    let calendars = names(p.calendars.iter().map(|c| c.name.as_str()));
    let branch = |kind: &str, fields: Json| {
        let mut required = vec![json!("kind")];
        if let Some(f) = fields.as_object() {
            required.extend(f.keys().map(|k| json!(k)));
        }
        let mut properties = fields;
        properties["kind"] = json!({ "const": kind });
        json!({ "properties": properties, "required": required })
    };
    let mut rule = branch("rule", rule_fields(&rules));
    let typed = rule_values(p, g);
    if !typed.is_empty() {
        rule["allOf"] = Json::Array(typed);
    }
    vec![
        rule,
        branch("see_above", json!({ "rule": rules })),
        branch(
            "fact",
            json!({ "json_path": { "type": "string", "pattern": "^\\$", "description": "the fact's JSON path in the case, as in `$.stay.entered_on`" } }),
        ),
        branch(
            "table",
            json!({
                "table": tables,
                "row": { "type": ["integer", "null"], "minimum": 1, "description": "the row that matched, from 1 in the table's order; null when the table's `otherwise` gave the value" },
                "row_text": { "type": "string", "description": "the row's keys as written" },
            }),
        ),
        branch(
            "parameter",
            json!({
                "parameter": params,
                "on": annotate(date_schema(), "description", json!("the date the value was read on")),
                "date_from": { "oneOf": [
                    { "const": "evaluation_date", "description": "the evaluation date of the decision" },
                    { "const": "as_of", "description": "an `as of` in the rule; the node's one child is the date expression" },
                ] },
                "in_force_from": annotate(date_schema(), "description", json!("the date from which the value read holds")),
            }),
        ),
        branch(
            "working_days",
            json!({
                "calendar": calendars,
                "start": date_schema(),
                "days": { "type": "integer", "description": "working days added (negative: subtracted)" },
                "skipped": { "type": "array", "description": "the non-working days passed over, in runs with one reason", "items": {
                    "type": "object",
                    "properties": {
                        "from": date_schema(),
                        "to": date_schema(),
                        "why": { "type": "string", "description": "`weekend`, a holiday's name, a day off carried over or transferred" },
                    },
                    "required": ["from", "to", "why"],
                    "additionalProperties": false,
                } },
            }),
        ),
        branch(
            "arithmetic",
            json!({
                "op": { "enum": ["+", "-", "*", "/"], "description": "the operator as the rulebook writes it" },
                "formula": { "type": "string", "description": "the operands' values and the result as people read them: `150 × 4,325.00 KZT = 648,750.00 KZT`" },
            }),
        ),
        branch(
            "aggregation",
            json!({
                "aggregate": { "enum": ["count", "sum", "any", "all", "map", "filter", "min", "max"] },
                "items": { "type": "array", "items": {
                    "type": "object",
                    "description": "an item of the list (index from 0), and what the body gave for it: whether it counted (count, any, all) or was kept (filter), the amount added (sum), the item of the new list (map) or the value compared (min, max)",
                    "properties": {
                        "index": { "type": "integer", "minimum": 0 },
                        "value": true,
                        "value_text": { "type": "string" },
                        "result": true,
                        "error": { "type": "string" },
                    },
                    "required": ["index", "value", "value_text", "result"],
                    "additionalProperties": false,
                } },
            }),
        ),
        branch(
            "call",
            json!({ "name": { "type": "string", "description": "the built-in function" } }),
        ),
        json!({ "properties": { "kind": { "enum": ["local", "constant", "as_of_date", "condition", "expression"] } } }),
    ]
}

fn rule_fields(rules: &Json) -> Json {
    json!({
        "rule": rules,
        "output": { "type": "boolean" },
        "definition": { "type": "string", "description": "the rule, or the exception to it, whose case gave the value" },
        "exception": { "type": "boolean" },
        "given_by": { "oneOf": [
            {
                "type": "object",
                "properties": { "kind": { "const": "case" }, "case": { "type": "integer", "minimum": 1 } },
                "required": ["kind", "case"],
                "additionalProperties": false,
            },
            {
                "type": "object",
                "properties": { "kind": { "oneOf": [
                    { "const": "otherwise", "description": "the definition's `otherwise`" },
                    { "const": "expression", "description": "a definition that is one expression, with no cases" },
                    { "const": "reasons", "description": "the reasons of a reasons rule whose conditions held" },
                    { "const": "failed", "description": "no value: the evaluation failed" },
                ] } },
                "required": ["kind"],
                "additionalProperties": false,
            },
        ] },
        "amendment": nullable(def_ref("zan.amendment")),
        "condition": nullable(def_ref("zan.node")),
        "why_not": { "type": "array", "items": def_ref("zan.why_not") },
        "reasons": { "type": "array", "items": {
            "type": "object",
            "properties": {
                "code": { "type": "string" },
                "message": { "type": "string" },
                "citation": nullable(def_ref("zan.source")),
            },
            "required": ["code", "message", "citation"],
            "additionalProperties": false,
        } },
        "sources": { "type": "array", "items": def_ref("zan.source"), "description": "every citation of this node and the nodes beneath it, each once, most specific first" },
    })
}

/// A rule node's value has its rule's type.
fn rule_values(p: &Program, g: &mut Gen) -> Vec<Json> {
    p.rules
        .iter()
        .map(|r| {
            let value = annotate(
                g.ty(&r.ty),
                "x-zan-type",
                json!(g.rb.schema.type_name(&r.ty)),
            );
            json!({
                "if": { "properties": { "rule": { "const": r.name } } },
                "then": { "properties": { "value": value } },
            })
        })
        .collect()
}
