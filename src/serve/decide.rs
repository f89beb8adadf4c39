//! `POST /v1/rulebooks/{name}/decide`: one case in, one decision out, in the envelope of
//! `docs/serve.md`. The case text goes to `Engine::case_from_str` as sent (repeated keys and
//! exact numbers kept), and the decision is `Engine::write_decision`'s bytes: what `zan eval
//! --batch` writes for the same case.
//!
//! Also the parts `batch` shares: the parameters, deciding one case text, the envelope and the
//! decision log's line.

use super::api::{read_body, ApiError};
use super::state::Loaded;
use super::App;
use crate::engine::{Day, DecideError, Options, Selection};
use crate::eval::Depth;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{json, Value as Json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The parameters of a decision, as given (query or request object).
#[derive(Default, Clone)]
pub struct Params {
    pub as_of: Option<Day>,
    pub explain: Option<Depth>,
    pub outputs: Option<Vec<String>>,
}

/// The parameters resolved against a rulebook version: what `Engine::decide` takes.
pub struct Resolved {
    pub as_of: Option<Day>,
    pub explain: Option<Depth>,
    pub selection: Option<Selection>,
}

impl Resolved {
    pub fn options(&self) -> Options<'_> {
        Options {
            as_of: self.as_of,
            explain: self.explain,
            outputs: self.selection.as_ref(),
        }
    }
}

fn date(text: &str) -> Result<Day, ApiError> {
    crate::engine::parse_date(text).ok_or_else(|| {
        ApiError::bad_parameter(format!(
            "as_of `{text}` is not a date; write it as YYYY-MM-DD, such as 2026-03-10"
        ))
    })
}

fn depth(text: &str) -> Result<Option<Depth>, ApiError> {
    match text {
        "path" => Ok(Some(Depth::Path)),
        "full" => Ok(Some(Depth::Full)),
        "none" => Ok(None),
        _ => Err(ApiError::bad_parameter(format!(
            "explain `{text}` is not `path`, `full` or `none`"
        ))),
    }
}

/// The query's parameters; `known` are the names accepted (anything else is refused, as is a
/// name given twice).
pub fn query_params(uri: &Uri) -> Result<Params, ApiError> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map_err(|e| ApiError::bad_parameter(format!("the query cannot be read: {e}")))?;
    let mut params = Params::default();
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in &pairs {
        if seen.contains(&name.as_str()) {
            return Err(ApiError::bad_parameter(format!(
                "the parameter `{name}` is given more than once"
            )));
        }
        seen.push(name);
        match name.as_str() {
            "as_of" => params.as_of = Some(date(value)?),
            "explain" => params.explain = depth(value)?,
            "outputs" => params.outputs = Some(output_list(value.split(','))?),
            _ => {
                return Err(ApiError::bad_parameter(format!(
                    "unknown parameter `{name}`; the parameters are as_of, explain and outputs"
                )))
            }
        }
    }
    Ok(params)
}

fn output_list<'a>(names: impl Iterator<Item = &'a str>) -> Result<Vec<String>, ApiError> {
    let list: Vec<String> = names.map(str::to_string).collect();
    if list.is_empty() || list.iter().any(String::is_empty) {
        return Err(ApiError::bad_parameter(
            "outputs must name at least one output, without empty names",
        ));
    }
    Ok(list)
}

/// Resolve the parameters against the engine (an unknown output is a 400).
pub fn resolve(loaded: &Loaded, params: &Params) -> Result<Resolved, ApiError> {
    let selection = match &params.outputs {
        Some(names) => Some(
            loaded
                .engine
                .select(names)
                .map_err(|e| ApiError::bad_parameter(e.to_string()))?,
        ),
        None => None,
    };
    Ok(Resolved {
        as_of: params.as_of,
        explain: params.explain,
        selection,
    })
}

/// A case decided: the decision's bytes and its version.
pub struct Decided {
    pub decision: Vec<u8>,
    pub version: usize,
    pub took: Duration,
}

/// Read and decide one case text, as a line of `zan eval --batch` is; the error is the
/// `error` object of its error line.
pub fn decide_case(loaded: &Loaded, text: &str, resolved: &Resolved) -> Result<Decided, Json> {
    let started = Instant::now();
    let engine = &loaded.engine;
    let decided = engine
        .case_from_str(text)
        .and_then(|case| engine.decide(&case, &resolved.options()));
    match decided {
        Ok(decision) => {
            let mut bytes = Vec::with_capacity(1024);
            engine.write_decision(&decision, &mut bytes);
            Ok(Decided {
                decision: bytes,
                version: decision.version,
                took: started.elapsed(),
            })
        }
        Err(e) => Err(DecideError::json(&e)),
    }
}

/// `{"line"?: N, "decision_id", "rulebook": {"name", "hash", "version"}, "decision": …}`.
pub fn write_envelope(
    out: &mut Vec<u8>,
    line: Option<usize>,
    id: &str,
    loaded: &Loaded,
    decided: &Decided,
) {
    out.push(b'{');
    if let Some(n) = line {
        out.extend_from_slice(format!("\"line\":{n},").as_bytes());
    }
    let rulebook = rulebook_json(loaded, decided.version);
    out.extend_from_slice(
        format!("\"decision_id\":\"{id}\",\"rulebook\":{rulebook},\"decision\":").as_bytes(),
    );
    out.extend_from_slice(&decided.decision);
    out.push(b'}');
}

fn rulebook_json(loaded: &Loaded, version: usize) -> Json {
    json!({ "name": loaded.name(), "hash": loaded.hash, "version": loaded.version_json(version) })
}

/// The decision log's line (with its `\n`): `{"decision_id", "time", "rulebook", "as_of"?,
/// "case", "decision"}`.
pub fn write_log_line(
    out: &mut Vec<u8>,
    id: &str,
    loaded: &Loaded,
    as_of: Option<Day>,
    case: &str,
    decided: &Decided,
) {
    let head = json!({
        "decision_id": id,
        "time": super::clock::rfc3339(std::time::SystemTime::now()),
        "rulebook": rulebook_json(loaded, decided.version),
    });
    let head = head.to_string();
    out.extend_from_slice(&head.as_bytes()[..head.len() - 1]);
    if let Some(d) = as_of {
        out.extend_from_slice(
            format!(",\"as_of\":\"{}\"", crate::time::date::format(d)).as_bytes(),
        );
    }
    out.extend_from_slice(b",\"case\":");
    one_line(case.trim_start_matches('\u{feff}'), out);
    out.extend_from_slice(b",\"decision\":");
    out.extend_from_slice(&decided.decision);
    out.extend_from_slice(b"}\n");
}

/// JSON text (already read as valid) without its white space outside strings: the same
/// value, its numbers and strings byte for byte, on one line.
fn one_line(text: &str, out: &mut Vec<u8>) {
    let mut in_string = false;
    let mut escaped = false;
    for &b in text.as_bytes() {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            if b == b'"' {
                in_string = true;
            }
            out.push(b);
        }
    }
}

/// A body that is a request object: its members, each once.
#[derive(Debug)]
struct RequestObject<'a> {
    case: &'a RawValue,
    as_of: Option<&'a RawValue>,
    explain: Option<&'a RawValue>,
    outputs: Option<&'a RawValue>,
}

/// The top-level members of a JSON object, in order, values as text; `None` when the text is
/// not an object.
fn members(text: &str) -> Option<Vec<(String, &RawValue)>> {
    struct Members;
    impl<'de> Visitor<'de> for Members {
        type Value = Vec<(String, &'de RawValue)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                out.push((k, v));
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let found = (&mut de).deserialize_map(Members).ok()?;
    de.end().ok()?;
    Some(found)
}

/// The body as a request object (`{"case": {…}, "as_of"?, "explain"?, "outputs"?}`), if it
/// is one; a member given twice is a `duplicate_key` error.
fn request_object(text: &str) -> Result<Option<RequestObject<'_>>, ApiError> {
    const NAMES: [&str; 4] = ["case", "as_of", "explain", "outputs"];
    let Some(members) = members(text.trim_start_matches('\u{feff}')) else {
        return Ok(None);
    };
    let is_request = members.iter().all(|(k, _)| NAMES.contains(&k.as_str()))
        && members
            .iter()
            .any(|(k, v)| k == "case" && v.get().trim_start().starts_with('{'));
    if !is_request {
        return Ok(None);
    }
    let mut repeated = Vec::new();
    for (i, (k, _)) in members.iter().enumerate() {
        if members[..i].iter().any(|(seen, _)| seen == k) && !repeated.contains(k) {
            repeated.push(k.clone());
        }
    }
    if !repeated.is_empty() {
        let errors: Vec<Json> = repeated
            .iter()
            .map(|k| json!({ "path": format!("$.{k}"), "message": "given more than once", "expected": "each key once" }))
            .collect();
        return Err(ApiError::from_case_error(json!({
            "kind": "duplicate_key",
            "message": "the request gives a key more than once",
            "case_errors": errors,
        })));
    }
    let get = |name: &str| members.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
    let Some(case) = get("case") else {
        return Ok(None);
    };
    Ok(Some(RequestObject {
        case,
        as_of: get("as_of"),
        explain: get("explain"),
        outputs: get("outputs"),
    }))
}

/// The request object's parameters merged with the query's (one given both ways is a 400).
fn merge(query: Params, object: &RequestObject) -> Result<Params, ApiError> {
    let both = |name: &str| {
        ApiError::bad_parameter(format!(
            "`{name}` is given both in the query and in the body"
        ))
    };
    let text = |name: &str, v: &RawValue| -> Result<String, ApiError> {
        serde_json::from_str::<String>(v.get())
            .map_err(|_| ApiError::bad_parameter(format!("`{name}` must be a string")))
    };
    let mut params = query;
    if let Some(v) = object.as_of {
        if params.as_of.is_some() {
            return Err(both("as_of"));
        }
        params.as_of = Some(date(&text("as_of", v)?)?);
    }
    if let Some(v) = object.explain {
        if params.explain.is_some() {
            return Err(both("explain"));
        }
        params.explain = depth(&text("explain", v)?)?;
    }
    if let Some(v) = object.outputs {
        if params.outputs.is_some() {
            return Err(both("outputs"));
        }
        let names: Vec<String> = serde_json::from_str(v.get())
            .map_err(|_| ApiError::bad_parameter("`outputs` must be an array of output names"))?;
        params.outputs = Some(output_list(names.iter().map(String::as_str))?);
    }
    Ok(params)
}

/// What `decide` did with the body: the case text, its parameters and its decision.
struct Outcome {
    case: String,
    as_of: Option<Day>,
    decided: Decided,
}

/// Read the body as a case or a request object and decide it (blocking).
fn decide_body(loaded: &Loaded, body: &[u8], query: Params) -> Result<Outcome, ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("the body is not UTF-8 (at byte {})", e.valid_up_to() + 1),
        )
    })?;
    let (case, params) = match request_object(text)? {
        Some(object) => {
            let params = merge(query.clone(), &object)?;
            (object.case.get(), params)
        }
        None => (text, query),
    };
    let resolved = resolve(loaded, &params)?;
    let decided = decide_case(loaded, case, &resolved).map_err(ApiError::from_case_error)?;
    Ok(Outcome {
        case: case.to_string(),
        as_of: params.as_of,
        decided,
    })
}

/// The largest body decided on the runtime's own thread.
const QUICK_BODY_BYTES: usize = 64 << 10;

/// Whether a decision is cheap enough (tens of microseconds: a small case, no explanation) to
/// make on the runtime's thread. Handing every decision to the blocking pool costs more than
/// the decision, and under many connections the pool grows to one thread per request, which
/// two cores spend switching between (`cargo bench --bench serve`, 64 connections: 17,200
/// decisions/s and p99 14.3 ms through the pool, 22,600 and 5.8 ms on the runtime's thread). A
/// body that may ask for an explanation (its text says `"explain"`) goes to the pool.
fn is_quick(body: &[u8], query: &Params) -> bool {
    query.explain.is_none()
        && body.len() <= QUICK_BODY_BYTES
        && !body.windows(9).any(|w| w == b"\"explain\"")
}

/// The handler.
pub async fn decide(
    State(app): State<Arc<App>>,
    name: Result<Path<String>, axum::extract::rejection::PathRejection>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let name = match name {
        Ok(Path(name)) => name,
        Err(e) => return ApiError::bad_parameter(e.body_text()).into_response(),
    };
    match decide_request(&app, &name, &uri, &headers, body).await {
        Ok(response) => response,
        Err(e) => {
            if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.kind() == "invalid_json" {
                app.metrics.decision_error(&name, e.kind());
            }
            e.into_response()
        }
    }
}

async fn decide_request(
    app: &App,
    name: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    app.refuse_when_draining()?;
    let slot = app.slot(name)?;
    let query = query_params(uri)?;
    let _permit = app.permit()?;
    let loaded = slot.current();
    let work = async {
        let bytes = read_body(body, headers, app.limits.max_body_bytes).await?;
        if is_quick(&bytes, &query) {
            return decide_body(&loaded, &bytes, query);
        }
        let snapshot = loaded.clone();
        tokio::task::spawn_blocking(move || decide_body(&snapshot, &bytes, query))
            .await
            .map_err(|e| ApiError::internal(format!("the decision failed: {e}")))?
    };
    let outcome = tokio::time::timeout(app.limits.request_timeout, work)
        .await
        .map_err(|_| ApiError::timeout())??;
    let id = uuid::Uuid::now_v7().to_string();
    if let Some(log) = &app.log {
        let mut line =
            Vec::with_capacity(outcome.case.len() + outcome.decided.decision.len() + 256);
        write_log_line(
            &mut line,
            &id,
            &loaded,
            outcome.as_of,
            &outcome.case,
            &outcome.decided,
        );
        log.append(line).await.map_err(|e| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "decision_log",
                format!("{e}; the decision is not returned"),
            )
        })?;
    }
    let decided = &outcome.decided;
    app.metrics.decided(
        loaded.name(),
        &loaded.version_label(decided.version),
        &loaded.hash,
        decided.took,
    );
    let mut body = Vec::with_capacity(decided.decision.len() + 256);
    write_envelope(&mut body, None, &id, &loaded, decided);
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        ("zan-decision-id", id.clone()),
        ("zan-rulebook-hash", loaded.hash.clone()),
        ("zan-rulebook-version", decided.version.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    Ok(response)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn one_line_keeps_strings_and_numbers() {
        let mut out = Vec::new();
        one_line("{\n  \"a b\": \"x \\\" y\",\n  \"n\": 1.50\n}", &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a b":"x \" y","n":1.50}"#
        );
    }

    #[test]
    fn a_request_object_is_told_from_a_case() {
        assert!(
            request_object(r#"{"case": {"a": 1}, "as_of": "2026-01-01"}"#)
                .unwrap()
                .is_some()
        );
        assert!(request_object(r#"{"case": {"a": 1}, "person": {}}"#)
            .unwrap()
            .is_none());
        assert!(request_object(r#"{"case": 3}"#).unwrap().is_none());
        assert!(request_object(r#"[1]"#).unwrap().is_none());
        let twice = request_object(r#"{"case": {}, "case": {}}"#).unwrap_err();
        assert_eq!(twice.kind(), "duplicate_key");
    }
}
