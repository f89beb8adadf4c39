//! The OpenAPI 3.1 document of the service (`GET /openapi.json`), built from the JSON Schemas
//! of the rulebooks being served (`eval::json_schema`), so a client generator gets typed cases
//! and decisions. Pure: no IO.
//!
//! Every endpoint of `docs/serve.md` is here twice for the rulebook endpoints: once generic
//! (`/v1/rulebooks/{name}/…`, any rulebook, untyped) and once per rulebook served, on its
//! concrete path (`/v1/rulebooks/kz_visa/decide`), typed by that rulebook's own schemas.
//!
//! JSON Schema 2020-12 is OpenAPI 3.1's own dialect, so the rulebook schemas go in as they are,
//! but for their `$defs`: a `$ref` such as `#/$defs/X` inside an embedded schema would point at
//! the document's root, so the definitions move to `components/schemas` under the rulebook's
//! name (`kz_visa.X`) and every reference is rewritten. A definition the case and the decision
//! schemas both have but write differently (a money amount is read as a string or a number, but
//! written as an object) is kept twice, as `kz_visa.case.X` and `kz_visa.decision.X`.
//!
//! The decision schema differs between versions (an amendment adds outputs), and a decision
//! under an older version lacks the outputs added later: the response schema is the decision
//! schemas of every version merged, each output, definition or property with the schemas of
//! the versions that differ as alternatives (`anyOf`), so that it accepts a decision of any
//! version and nothing else, and with the explanation allowed but not required (`explain`).

mod merge;

use crate::engine::Engine;
use crate::eval::json_schema;
use crate::ir::Rulebook;
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;

/// One rulebook as the service serves it.
pub struct Served<'a> {
    /// The name in the service's paths (`/v1/rulebooks/{name}/…`): the rulebook's own name.
    pub name: &'a str,
    pub engine: &'a Engine,
}

/// The OpenAPI 3.1 document for these rulebooks.
pub fn document(rulebooks: &[Served<'_>]) -> Json {
    let mut schemas = shared_schemas();
    let served: Vec<&str> = rulebooks.iter().map(|s| s.name).collect();
    let mut every_output: Vec<&str> = Vec::new();
    let mut paths = Map::new();
    for served in rulebooks {
        let rb = served.engine.rulebook();
        let outputs = served.engine.output_names();
        embed_rulebook(served.name, rb, &outputs, &mut schemas);
        for o in outputs {
            if !every_output.contains(&o) {
                every_output.push(o);
            }
        }
        for (path, item) in rulebook_paths(served.name, rb) {
            paths.insert(path, item);
        }
    }
    for (path, item) in generic_paths(&served, &every_output) {
        paths.entry(path).or_insert(item);
    }
    let names: Vec<String> = rulebooks.iter().map(|s| format!("`{}`", s.name)).collect();
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": json_schema::DRAFT,
        "info": {
            "title": "zan decision service",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "Decisions on cases of the rulebooks served ({}), with the rulebook's content \
                 hash and the version in force in every answer. The contract in prose is \
                 docs/serve.md. Each rulebook has typed paths of its own \
                 (`/v1/rulebooks/NAME/decide`) beside the generic `{{name}}` ones.",
                if names.is_empty() { "none".to_string() } else { names.join(", ") }
            ),
            "license": { "name": "see the repository" },
        },
        "servers": [{ "url": "/", "description": "the server that serves this document" }],
        "tags": [
            { "name": "decisions", "description": "Deciding cases." },
            { "name": "rulebooks", "description": "What is served: schemas and diagnostics." },
            { "name": "operations", "description": "Health, readiness and metrics." },
        ],
        "paths": Json::Object(paths),
        "components": { "schemas": Json::Object(schemas) },
    })
}

// -------------------------------------------------------------------------------- paths

/// The paths that are the same whatever is served, and the generic rulebook paths, whose
/// `name` is one of the rulebooks `served` (any other is a 404).
fn generic_paths(served: &[&str], outputs: &[&str]) -> Map<String, Json> {
    let name_schema = if served.is_empty() {
        json!({ "type": "string" })
    } else {
        json!({ "enum": served })
    };
    let name = json!({
        "name": "name", "in": "path", "required": true,
        "description": "The rulebook's name, as it declares it (`rulebook NAME { … }`): one of those served; another is a 404.",
        "schema": name_schema,
    });
    let output = if outputs.is_empty() {
        json!({ "type": "string", "minLength": 1, "pattern": "^[^,]+$" })
    } else {
        json!({ "enum": outputs, "description": "An output of the rulebook named." })
    };
    let any_decision = json!({ "type": "object", "description": "The envelope of a decision (see each rulebook's own path for its schema)." });
    let any_case = json!({ "type": "object", "description": "A case, or a request object `{\"case\": …, \"as_of\"?, \"explain\"?, \"outputs\"?}` (see each rulebook's own path for its schema)." });
    let mut paths = Map::new();
    paths.insert(
        "/v1/rulebooks/{name}/decide".into(),
        json!({
            "parameters": [name.clone()],
            "post": decide_operation("decide", "any rulebook", any_case, any_decision, output.clone()),
        }),
    );
    paths.insert(
        "/v1/rulebooks/{name}/batch".into(),
        json!({ "parameters": [name.clone()], "post": batch_operation("batch", "any rulebook", None, output) }),
    );
    paths.insert(
        "/v1/rulebooks/{name}/schema".into(),
        json!({ "parameters": [name.clone()], "get": schema_operation("schema", "any rulebook") }),
    );
    paths.insert(
        "/v1/rulebooks/{name}/diagnostics".into(),
        json!({ "parameters": [name], "get": diagnostics_operation("diagnostics", "any rulebook") }),
    );
    paths.insert(
        "/v1/rulebooks".into(),
        json!({ "get": rulebooks_operation() }),
    );
    paths.insert(
        "/openapi.json".into(),
        json!({ "get": openapi_operation() }),
    );
    paths.insert("/healthz".into(), json!({ "get": healthz_operation() }));
    paths.insert("/readyz".into(), json!({ "get": readyz_operation() }));
    paths.insert("/metrics".into(), json!({ "get": metrics_operation() }));
    paths
}

/// A rulebook's own paths, typed by its schemas.
fn rulebook_paths(name: &str, rb: &Rulebook) -> Vec<(String, Json)> {
    let title = rb.title.as_deref().unwrap_or(name);
    let what = format!("`{name}` ({title})");
    let body = component(&format!("{name}.decide_body"));
    let envelope = component(&format!("{name}.envelope"));
    let id = operation_id(name);
    vec![
        (
            format!("/v1/rulebooks/{name}/decide"),
            json!({ "post": decide_operation(&format!("decide_{id}"), &what, body, envelope, output_item(name)) }),
        ),
        (
            format!("/v1/rulebooks/{name}/batch"),
            json!({ "post": batch_operation(&format!("batch_{id}"), &what, Some(name), output_item(name)) }),
        ),
        (
            format!("/v1/rulebooks/{name}/schema"),
            json!({ "get": schema_operation(&format!("schema_{id}"), &what) }),
        ),
        (
            format!("/v1/rulebooks/{name}/diagnostics"),
            json!({ "get": diagnostics_operation(&format!("diagnostics_{id}"), &what) }),
        ),
    ]
}

fn operation_id(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// The query parameters of `decide` and `batch`.
fn decision_parameters(outputs: Json) -> Json {
    json!([
        {
            "name": "as_of", "in": "query", "required": false,
            "description": "The evaluation date (otherwise the case's own). Not also in the body.",
            "schema": { "type": "string", "format": "date" },
        },
        {
            "name": "explain", "in": "query", "required": false,
            "description": "Add the explanation. Not also in the body.",
            "schema": explain_schema(),
        },
        {
            "name": "outputs", "in": "query", "required": false,
            "description": "Only these outputs, separated by commas. Not also in the body.",
            "style": "form", "explode": false,
            "schema": { "type": "array", "minItems": 1, "items": outputs },
        },
    ])
}

fn output_item(rulebook: &str) -> Json {
    component(&format!("{rulebook}.output_name"))
}

/// The error answers of an operation, by status.
fn errors(statuses: &[u16]) -> Vec<(String, Json)> {
    statuses
        .iter()
        .map(|&status| {
            let mut answer = json!({
                "description": error_description(status),
                "content": { "application/json": { "schema": component(&format!("zan.error_{status}")) } },
            });
            if status == 503 {
                answer["headers"] = json!({
                    "retry-after": {
                        "description": "When overloaded: seconds to wait before trying again.",
                        "schema": { "type": "integer", "minimum": 0 },
                    },
                });
            }
            (status.to_string(), answer)
        })
        .collect()
}

fn responses(ok: Vec<(String, Json)>, error_statuses: &[u16]) -> Json {
    let mut m = Map::new();
    for (status, answer) in ok.into_iter().chain(errors(error_statuses)) {
        m.insert(status, answer);
    }
    Json::Object(m)
}

fn decide_operation(id: &str, what: &str, body: Json, envelope: Json, output: Json) -> Json {
    let identifier = |description: &str, schema: Json| json!({ "description": description, "required": true, "schema": schema });
    json!({
        "operationId": id,
        "tags": ["decisions"],
        "summary": format!("Decide a case of {what}"),
        "description": "The body is the case (the facts object that `zan eval` reads), or a request object with the case and the parameters. The decision is byte for byte what `zan eval --batch` writes for the same case text and parameters, in an envelope with the decision id and the rulebook's hash and version.",
        "parameters": decision_parameters(output),
        "requestBody": {
            "required": true,
            "content": { "application/json": { "schema": body } },
        },
        "responses": responses(
            vec![("200".into(), json!({
                "description": "The decision.",
                "headers": {
                    "zan-decision-id": identifier("The decision id.", component("zan.decision_id")),
                    "zan-rulebook-hash": identifier("The rulebook's content hash.", component("zan.hash")),
                    "zan-rulebook-version": identifier("The index of the version in force.", json!({ "type": "string", "pattern": "^[0-9]+$" })),
                },
                "content": { "application/json": { "schema": envelope } },
            }))],
            &[400, 404, 413, 422, 503, 504],
        ),
    })
}

fn batch_operation(id: &str, what: &str, rulebook: Option<&str>, output: Json) -> Json {
    let line = match rulebook {
        Some(name) => format!("{COMPONENTS}{name}.batch_line"),
        None => "an envelope with `line`, or `{\"line\", \"error\"}`".into(),
    };
    json!({
        "operationId": id,
        "tags": ["decisions"],
        "summary": format!("Decide a batch of cases of {what}, streamed"),
        "description": format!(
            "The body is NDJSON, one case per line; the query parameters apply to every line. The              answer is NDJSON too, streamed as lines are decided, exactly one line per input line, in              order: each line is {line}. A line over `--max-line-bytes` is a `line_too_long` error              line, an empty one an `empty_line` error line, and the stream goes on."
        ),
        "parameters": decision_parameters(output),
        "requestBody": {
            "description": "One JSON case per line. An empty body is an empty batch: an empty answer.",
            "required": false,
            "content": { "application/x-ndjson": { "schema": { "type": "string" } } },
        },
        "responses": responses(
            vec![("200".into(), json!({
                "description": "One NDJSON line per input line, in order.",
                "content": { "application/x-ndjson": {
                    "schema": { "type": "string", "description": format!("NDJSON; each line is {line}.") },
                } },
            }))],
            &[400, 404, 503],
        ),
    })
}

fn schema_operation(id: &str, what: &str) -> Json {
    json!({
        "operationId": id,
        "tags": ["rulebooks"],
        "summary": format!("The JSON Schemas of {what}"),
        "description": "The schemas `zan schema` prints: with `part=all` (the default) an object with the case, decision and explanation schemas, otherwise that one schema.",
        "parameters": [{
            "name": "part", "in": "query", "required": false,
            "schema": { "enum": ["case", "decision", "explain", "all"] },
        }],
        "responses": responses(
            vec![("200".into(), json!({
                "description": "JSON Schema (draft 2020-12) documents.",
                "content": { "application/json": { "schema": { "type": "object" } } },
            }))],
            &[400, 404],
        ),
    })
}

fn diagnostics_operation(id: &str, what: &str) -> Json {
    json!({
        "operationId": id,
        "tags": ["rulebooks"],
        "summary": format!("The checker's diagnostics of {what}"),
        "description": "The diagnostics of the version served and of the last load attempt (a version with errors is not served).",
        "responses": responses(
            vec![("200".into(), json!({
                "description": "The diagnostics of the version served and of the last load attempt, each diagnostic as `zan check --format json` writes it.",
                "content": { "application/json": { "schema": component("zan.diagnostics") } },
            }))],
            &[404],
        ),
    })
}

fn rulebooks_operation() -> Json {
    json!({
        "operationId": "rulebooks",
        "tags": ["rulebooks"],
        "summary": "The rulebooks served",
        "description": "Each rulebook's name, title, hash, versions and status.",
        "responses": responses(
            vec![("200".into(), json!({
                "description": "The rulebooks served.",
                "content": { "application/json": { "schema": component("zan.rulebooks") } },
            }))],
            &[],
        ),
    })
}

fn openapi_operation() -> Json {
    json!({
        "operationId": "openapi",
        "tags": ["operations"],
        "summary": "This document",
        "responses": {
            "200": {
                "description": "The OpenAPI 3.1 document.",
                "content": { "application/json": { "schema": { "type": "object", "required": ["openapi", "info", "paths"] } } },
            },
        },
    })
}

fn healthz_operation() -> Json {
    json!({
        "operationId": "healthz",
        "tags": ["operations"],
        "summary": "Liveness: 200 while the process runs",
        "responses": { "200": status_answer("The process runs.", &["ok"]) },
    })
}

fn readyz_operation() -> Json {
    json!({
        "operationId": "readyz",
        "tags": ["operations"],
        "summary": "Readiness: every rulebook has a good version loaded and the server is not draining",
        "responses": {
            "200": status_answer("Ready.", &["ready"]),
            "503": status_answer(
                "Not ready: a rulebook has no good version, or the server is draining.",
                &["draining", "not_ready"],
            ),
        },
    })
}

/// A JSON answer `{"status": …}`.
fn status_answer(description: &str, statuses: &[&str]) -> Json {
    json!({
        "description": description,
        "content": { "application/json": { "schema": {
            "type": "object",
            "properties": { "status": { "enum": statuses } },
            "required": ["status"],
        } } },
    })
}

fn metrics_operation() -> Json {
    json!({
        "operationId": "metrics",
        "tags": ["operations"],
        "summary": "Prometheus metrics (text format 0.0.4)",
        "responses": {
            "200": {
                "description": "Requests, decisions, errors and latency histograms by rulebook and version.",
                "content": { "text/plain": { "schema": { "type": "string" } } },
            },
        },
    })
}

// ------------------------------------------------------------------------------ schemas

const COMPONENTS: &str = "#/components/schemas/";

fn component(name: &str) -> Json {
    json!({ "$ref": format!("{COMPONENTS}{name}") })
}

/// The kinds of error a status answers with (docs/serve.md, "Errors").
fn error_kinds(status: u16) -> &'static [&'static str] {
    match status {
        400 => &["invalid_json", "bad_parameter"],
        404 => &["not_found"],
        405 => &["method_not_allowed"],
        413 => &["body_too_large"],
        422 => &["invalid_case", "duplicate_key", "evaluation"],
        503 => &["overloaded", "decision_log", "draining"],
        504 => &["timeout"],
        _ => &[],
    }
}

/// The statuses with an error body, in order.
const ERROR_STATUSES: [u16; 8] = [400, 404, 405, 413, 422, 503, 504, 500];

fn error_description(status: u16) -> &'static str {
    match status {
        400 => "The body is not JSON (or not UTF-8), or a parameter is not valid.",
        404 => "No such rulebook, or no such path.",
        405 => "The path is known for another method.",
        413 => "The body is over `--max-body-bytes`.",
        422 => "Valid JSON, but not a case of the rulebook (each problem with its JSON path), or it could not be evaluated.",
        503 => "Overloaded (with `retry-after`), the decision log could not be written, or draining.",
        504 => "The request took longer than `--request-timeout`.",
        _ => "An internal error (never expected).",
    }
}

/// The schemas every rulebook shares: errors, the rulebook and version of an envelope.
fn shared_schemas() -> Map<String, Json> {
    let mut s = Map::new();
    s.insert(
        "zan.error_object".into(),
        json!({
            "description": "An error: its kind (the kinds of `zan eval --batch` and the service's own), a message, and for a case that does not match, each problem with its JSON path.",
            "type": "object",
            "properties": {
                "kind": { "type": "string" },
                "message": { "type": "string" },
                "case_errors": { "type": "array", "minItems": 1, "items": component("zan.case_error") },
            },
            "required": ["kind", "message"],
            "additionalProperties": false,
        }),
    );
    s.insert(
        "zan.error".into(),
        json!({
            "description": "The body of every error answer.",
            "type": "object",
            "properties": { "error": component("zan.error_object") },
            "required": ["error"],
            "additionalProperties": false,
        }),
    );
    for status in ERROR_STATUSES {
        let kinds = error_kinds(status);
        if kinds.is_empty() {
            continue;
        }
        s.insert(
            format!("zan.error_{status}"),
            json!({
                "description": error_description(status),
                "allOf": [component("zan.error")],
                "properties": { "error": { "properties": { "kind": { "enum": kinds } } } },
            }),
        );
    }
    s.insert(
        "zan.case_error".into(),
        json!({
            "description": "A fact of the case that does not match: its JSON path (such as `$.applicant.birth_date`), what is wrong, and what was expected.",
            "type": "object",
            "properties": {
                "path": { "type": "string", "pattern": "^\\$" },
                "message": { "type": "string" },
                "expected": { "type": "string" },
            },
            "required": ["path", "message"],
            "additionalProperties": false,
        }),
    );
    s.insert(
        "zan.rulebooks".into(),
        json!({
            "description": "The rulebooks served: each one's name, title, content hash, when it was loaded, its versions, and whether the last load attempt was good (`ok`) or the version served is older than the files (`stale`).",
            "type": "object",
            "properties": {
                "rulebooks": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": { "type": "string" },
                            "title": { "type": ["string", "null"] },
                            "hash": component("zan.hash"),
                            "loaded_at": { "type": "string", "format": "date-time" },
                            "versions": { "type": "array", "items": component("zan.version") },
                            "status": { "enum": ["ok", "stale"] },
                        },
                        "required": ["name", "title", "hash", "versions", "status"],
                    },
                },
            },
            "required": ["rulebooks"],
        }),
    );
    s.insert(
        "zan.diagnostics".into(),
        json!({
            "description": "The checker's diagnostics of the version served (with its hash and when it was loaded) and of the last load attempt (`result` `ok` or `error`).",
            "type": "object",
            "properties": {
                "rulebook": { "type": "string" },
                "served": {
                    "type": "object",
                    "properties": {
                        "hash": component("zan.hash"),
                        "loaded_at": { "type": "string", "format": "date-time" },
                        "errors": { "type": "integer", "minimum": 0 },
                        "warnings": { "type": "integer", "minimum": 0 },
                        "diagnostics": { "type": "array", "items": { "type": "object" } },
                    },
                    "required": ["hash", "diagnostics"],
                },
                "last_attempt": {
                    "anyOf": [
                        { "type": "null" },
                        {
                            "type": "object",
                            "properties": { "result": { "enum": ["ok", "error"] } },
                            "required": ["result"],
                        },
                    ],
                },
            },
            "required": ["rulebook", "served", "last_attempt"],
        }),
    );
    s.insert(
        "zan.version".into(),
        json!({
            "description": "The consolidated version in force on the evaluation date: `index` counts from 0, oldest first.",
            "type": "object",
            "properties": {
                "index": { "type": "integer", "minimum": 0 },
                "in_force_from": nullable_date(),
                "in_force_until": nullable_date(),
            },
            "required": ["index", "in_force_from", "in_force_until"],
            "additionalProperties": false,
        }),
    );
    s.insert(
        "zan.hash".into(),
        json!({
            "description": "`sha256:` and the hex SHA-256 of the rulebook's files (docs/serve.md): equal for every replica serving the same files.",
            "type": "string",
            "pattern": "^sha256:[0-9a-f]{64}$",
        }),
    );
    s.insert(
        "zan.decision_id".into(),
        json!({
            "description": "A UUID v7 (time-ordered), unique across replicas.",
            "type": "string",
            "format": "uuid",
            "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        }),
    );
    s.insert(
        "zan.batch_error_line".into(),
        json!({
            "description": "A line of a batch that could not be decided, in place: the input line (1-based) and the error object of `zan eval --batch`.",
            "type": "object",
            "properties": {
                "line": { "type": "integer", "minimum": 1 },
                "error": component("zan.error_object"),
            },
            "required": ["line", "error"],
            "additionalProperties": false,
        }),
    );
    s
}

fn nullable_date() -> Json {
    json!({ "anyOf": [{ "type": "string", "format": "date" }, { "type": "null" }] })
}

/// One rulebook's schemas in `components/schemas`: `NAME.case`, `NAME.decision`,
/// `NAME.request`, `NAME.decide_body`, `NAME.envelope`, `NAME.batch_line`, and the
/// definitions of the case and decision schemas.
fn embed_rulebook(name: &str, rb: &Rulebook, outputs: &[&str], schemas: &mut Map<String, Json>) {
    let case = json_schema::case_schema(rb);
    let decision = merged_decision(rb);
    let (case, case_defs) = split_defs(case);
    let (decision, decision_defs) = split_defs(decision);
    let names = def_names(name, &case_defs, &decision_defs);
    let case_root = format!("{name}.case");
    let decision_root = format!("{name}.decision");
    for (def, schema) in case_defs {
        let target = names.case[&def].clone();
        schemas.insert(target, rewrite_refs(schema, &names.case, &case_root));
    }
    for (def, schema) in decision_defs {
        let target = names.decision[&def].clone();
        schemas.insert(
            target,
            rewrite_refs(schema, &names.decision, &decision_root),
        );
    }
    schemas.insert(
        case_root.clone(),
        rewrite_refs(case, &names.case, &case_root),
    );
    schemas.insert(
        decision_root.clone(),
        rewrite_refs(decision, &names.decision, &decision_root),
    );
    schemas.insert(
        format!("{name}.request"),
        json!({
            "description": "A request object: the case and the parameters that may also be given in the query (giving one both ways is a 400).",
            "type": "object",
            "properties": {
                "case": component(&case_root),
                "as_of": { "type": "string", "format": "date", "description": "The evaluation date (otherwise the case's own)." },
                "explain": explain_schema(),
                "outputs": { "type": "array", "minItems": 1, "items": component(&format!("{name}.output_name")), "description": "Only these outputs." },
            },
            "required": ["case"],
            "additionalProperties": false,
        }),
    );
    schemas.insert(
        format!("{name}.output_name"),
        json!({ "description": "An output of some version of the rulebook.", "enum": outputs }),
    );
    schemas.insert(
        format!("{name}.decide_body"),
        json!({
            "description": "The case itself, or a request object (recognised by a `case` member that is an object and no member but `case`, `as_of`, `explain` and `outputs`).",
            "anyOf": [component(&format!("{name}.request")), component(&case_root)],
        }),
    );
    schemas.insert(
        format!("{name}.rulebook"),
        json!({
            "description": "The rulebook that decided: its name, content hash and the version in force.",
            "type": "object",
            "properties": {
                "name": { "const": name },
                "hash": component("zan.hash"),
                "version": component("zan.version"),
            },
            "required": ["name", "hash", "version"],
            "additionalProperties": false,
        }),
    );
    schemas.insert(
        format!("{name}.envelope"),
        json!({
            "description": "A decision with its decision id and the rulebook's hash and version; `decision` is byte for byte the line of `zan eval --batch`.",
            "type": "object",
            "properties": {
                "decision_id": component("zan.decision_id"),
                "rulebook": component(&format!("{name}.rulebook")),
                "decision": component(&decision_root),
            },
            "required": ["decision_id", "rulebook", "decision"],
            "additionalProperties": false,
        }),
    );
    schemas.insert(
        format!("{name}.batch_line"),
        json!({
            "description": "One line of a batch's answer: the envelope of the decision on that input line, or the error in place.",
            "oneOf": [
                {
                    "type": "object",
                    "properties": {
                        "line": { "type": "integer", "minimum": 1 },
                        "decision_id": component("zan.decision_id"),
                        "rulebook": component(&format!("{name}.rulebook")),
                        "decision": component(&decision_root),
                    },
                    "required": ["line", "decision_id", "rulebook", "decision"],
                    "additionalProperties": false,
                },
                component("zan.batch_error_line"),
            ],
        }),
    );
}

fn explain_schema() -> Json {
    json!({
        "enum": ["path", "full", "none"],
        "description": "`path`: the explanation along the path taken; `full`: with why the other cases did not apply; `none` (the default): no explanation.",
    })
}

/// The decision schemas of every version (with the explanation), merged into one that accepts
/// a decision of any version, the explanation optional.
fn merged_decision(rb: &Rulebook) -> Json {
    let mut merged: Option<Json> = None;
    for version in &rb.versions {
        let mut schema = json_schema::decision_schema(rb, version, true);
        if let Some(m) = schema.as_object_mut() {
            for key in ["$schema", "$id", "x-zan-version", "description", "title"] {
                m.remove(key);
            }
        }
        merged = Some(match merged {
            None => schema,
            Some(before) => merge::merge(before, schema),
        });
    }
    let mut merged = merged.unwrap_or_else(|| json!({ "type": "object" }));
    if let Some(required) = merged.get_mut("required").and_then(Json::as_array_mut) {
        required.retain(|r| r != "explanation");
    }
    if let Some(m) = merged.as_object_mut() {
        m.insert(
            "description".into(),
            json!(format!(
                "A decision on a case of `{}` as `zan eval --format json` prints it, under any \
                 of its {} versions: an output appears only in the versions that have it; \
                 `explanation` is there when `explain` was asked for.",
                rb.name,
                rb.versions.len()
            )),
        );
    }
    merged
}

/// A schema without its `$defs`, and the definitions.
fn split_defs(mut schema: Json) -> (Json, Map<String, Json>) {
    let mut defs = Map::new();
    if let Some(m) = schema.as_object_mut() {
        if let Some(Json::Object(d)) = m.remove("$defs") {
            defs = d;
        }
        m.remove("$schema");
        m.remove("$id");
    }
    (schema, defs)
}

/// Where each definition of the case and the decision schemas goes in `components/schemas`.
struct DefNames {
    case: BTreeMap<String, String>,
    decision: BTreeMap<String, String>,
}

fn def_names(rulebook: &str, case: &Map<String, Json>, decision: &Map<String, Json>) -> DefNames {
    let mut names = DefNames {
        case: BTreeMap::new(),
        decision: BTreeMap::new(),
    };
    for (def, schema) in case {
        let differs = decision.get(def).is_some_and(|d| d != schema);
        let name = if differs {
            format!("{rulebook}.case.{}", component_name(def))
        } else {
            format!("{rulebook}.{}", component_name(def))
        };
        names.case.insert(def.clone(), name);
    }
    for (def, schema) in decision {
        let differs = case.get(def).is_some_and(|c| c != schema);
        let name = if differs {
            format!("{rulebook}.decision.{}", component_name(def))
        } else {
            format!("{rulebook}.{}", component_name(def))
        };
        names.decision.insert(def.clone(), name);
    }
    names
}

/// A definition's name as a component name (`^[a-zA-Z0-9._-]+$`).
fn component_name(def: &str) -> String {
    def.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The schema with every `#/$defs/X` reference pointing at X's component and `#` (the root)
/// at `root`'s.
fn rewrite_refs(schema: Json, names: &BTreeMap<String, String>, root: &str) -> Json {
    match schema {
        Json::Object(m) => Json::Object(
            m.into_iter()
                .map(|(k, v)| match (k.as_str(), v) {
                    ("$ref", Json::String(r)) => {
                        let target = ref_target(&r, names, root);
                        (k, Json::String(target.unwrap_or(r)))
                    }
                    (_, v) => (k, rewrite_refs(v, names, root)),
                })
                .collect(),
        ),
        Json::Array(xs) => Json::Array(
            xs.into_iter()
                .map(|x| rewrite_refs(x, names, root))
                .collect(),
        ),
        other => other,
    }
}

fn ref_target(r: &str, names: &BTreeMap<String, String>, root: &str) -> Option<String> {
    if r == "#" {
        return Some(format!("{COMPONENTS}{root}"));
    }
    let def = r.strip_prefix("#/$defs/")?;
    let def = percent_decode(def).replace("~1", "/").replace("~0", "~");
    names.get(&def).map(|n| format!("{COMPONENTS}{n}"))
}

/// `%XX` escapes of a URI fragment back to the bytes they stand for.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
