//! The router: the `/v1/` endpoints, `/openapi.json`, health, readiness and metrics, the
//! explorer for every other path; the middleware that counts requests and turns axum's own
//! bare 405s into the service's JSON errors.

use super::api::{read_body, ApiError};
use super::metrics::Info;
use super::openapi::{self, Served};
use super::state::{Loaded, Slot};
use super::{batch, decide, App};
use crate::eval::json_schema;
use axum::body::Body;
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value as Json};
use std::sync::Arc;
use std::time::Instant;

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/v1/rulebooks", get(rulebooks))
        .route("/v1/rulebooks/{name}/decide", post(decide::decide))
        .route("/v1/rulebooks/{name}/batch", post(batch::batch))
        .route("/v1/rulebooks/{name}/schema", get(schema))
        .route("/v1/rulebooks/{name}/diagnostics", get(diagnostics))
        .route("/openapi.json", get(openapi_document))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .fallback(fallback)
        .layer(middleware::from_fn_with_state(app.clone(), track))
        .with_state(app)
}

fn json_response(status: StatusCode, body: &Json) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Count the request (by its route, method and status) and time it; a bare 405 of the router
/// becomes a JSON `method_not_allowed` (keeping its `allow` header).
async fn track(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let route = match request.extensions().get::<MatchedPath>() {
        Some(p) => p.as_str().to_string(),
        None if is_api(request.uri().path()) => "unmatched".to_string(),
        None => "explorer".to_string(),
    };
    let method = match *request.method() {
        Method::GET
        | Method::HEAD
        | Method::POST
        | Method::PUT
        | Method::DELETE
        | Method::PATCH
        | Method::OPTIONS => request.method().as_str().to_string(),
        _ => "other".to_string(),
    };
    app.metrics.request_started();
    let started = Instant::now();
    let mut response = next.run(request).await;
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && response.headers().get(header::CONTENT_TYPE).is_none()
    {
        let allow = response.headers().get(header::ALLOW).cloned();
        response = not_allowed(allow);
    }
    app.metrics.request_done(
        &route,
        &method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

fn not_allowed(allow: Option<HeaderValue>) -> Response {
    let listed = allow
        .as_ref()
        .and_then(|a| a.to_str().ok())
        .map(|a| format!("; this path answers {a}"))
        .unwrap_or_default();
    let mut response = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("method not allowed{listed}"),
    )
    .into_response();
    if let Some(a) = allow {
        response.headers_mut().insert(header::ALLOW, a);
    }
    response
}

fn is_api(path: &str) -> bool {
    path == "/v1" || path.starts_with("/v1/")
}

fn path_name(
    name: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<String, ApiError> {
    name.map(|Path(n)| n)
        .map_err(|e| ApiError::bad_parameter(e.body_text()))
}

/// `GET /v1/rulebooks`.
async fn rulebooks(State(app): State<Arc<App>>) -> Response {
    let list: Vec<Json> = app
        .slots
        .iter()
        .map(|slot| {
            let loaded = slot.current();
            let rb = loaded.engine.rulebook();
            let versions: Vec<Json> = (0..rb.versions.len())
                .map(|i| loaded.version_json(i))
                .collect();
            json!({
                "name": slot.name,
                "title": rb.title,
                "hash": loaded.hash,
                "loaded_at": loaded.loaded_at,
                "versions": versions,
                "status": if slot.last_ok() { "ok" } else { "stale" },
            })
        })
        .collect();
    json_response(StatusCode::OK, &json!({ "rulebooks": list }))
}

/// `GET /v1/rulebooks/{name}/schema?part=case|decision|explain|all`.
async fn schema(
    State(app): State<Arc<App>>,
    name: Result<Path<String>, axum::extract::rejection::PathRejection>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let name = path_name(name)?;
    let slot = app.slot(&name)?;
    let axum::extract::Query(pairs) =
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
            .map_err(|e| ApiError::bad_parameter(format!("the query cannot be read: {e}")))?;
    let mut part = None;
    for (k, v) in &pairs {
        if k != "part" || part.is_some() {
            return Err(ApiError::bad_parameter(format!(
                "unexpected parameter `{k}`; give `part` once"
            )));
        }
        part = Some(v.as_str());
    }
    let loaded = slot.current();
    let rb = loaded.engine.rulebook();
    let Some(version) = rb.versions.last() else {
        return Err(ApiError::internal("the rulebook has no version"));
    };
    let doc = match part.unwrap_or("all") {
        "case" => json_schema::case_schema(rb),
        "decision" => json_schema::decision_schema(rb, version, false),
        "explain" => json_schema::explanation_schema(rb, version),
        "all" => json!({
            "case": json_schema::case_schema(rb),
            "decision": json_schema::decision_schema(rb, version, false),
            "explanation": json_schema::explanation_schema(rb, version),
        }),
        other => {
            return Err(ApiError::bad_parameter(format!(
                "part `{other}` is not `case`, `decision`, `explain` or `all`"
            )))
        }
    };
    // As `zan schema` writes it: zan's annotations in `$comment`, for Ajv's strict mode.
    Ok(json_response(StatusCode::OK, &json_schema::portable(doc)))
}

/// `GET /v1/rulebooks/{name}/diagnostics`: the version served, and the last load attempt.
async fn diagnostics(
    State(app): State<Arc<App>>,
    name: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Response, ApiError> {
    let name = path_name(name)?;
    let slot = app.slot(&name)?;
    let loaded = slot.current();
    let mut served = loaded.diagnostics_json();
    if let Some(o) = served.as_object_mut() {
        o.insert("hash".into(), json!(loaded.hash));
        o.insert("loaded_at".into(), json!(loaded.loaded_at));
    }
    let body = json!({
        "rulebook": slot.name,
        "served": served,
        "last_attempt": slot.last_json(),
    });
    Ok(json_response(StatusCode::OK, &body))
}

fn snapshots(app: &App) -> Vec<Arc<Loaded>> {
    app.slots.iter().map(|s: &Arc<Slot>| s.current()).collect()
}

async fn openapi_document(State(app): State<Arc<App>>) -> Response {
    let loaded = snapshots(&app);
    let served: Vec<Served> = loaded
        .iter()
        .map(|l| Served {
            name: l.name(),
            engine: &l.engine,
        })
        .collect();
    json_response(StatusCode::OK, &openapi::document(&served))
}

async fn healthz() -> Response {
    json_response(StatusCode::OK, &json!({ "status": "ok" }))
}

/// Ready when not draining and every rulebook has a good version (always, once started).
async fn readyz(State(app): State<Arc<App>>) -> Response {
    if app.is_draining() {
        return json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({ "status": "draining" }),
        );
    }
    json_response(StatusCode::OK, &json!({ "status": "ready" }))
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    let loaded = snapshots(&app);
    let info: Vec<Info> = loaded
        .iter()
        .map(|l| Info {
            rulebook: l.name(),
            hash: &l.hash,
            loaded_at: &l.loaded_at,
        })
        .collect();
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        app.metrics.render(&info),
    )
        .into_response()
}

/// Every other path: a JSON 404 under `/v1/`, else the explorer (`GET`, and form posts under
/// `/r/`).
async fn fallback(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let path = uri.path();
    if is_api(path) {
        return ApiError::not_found(format!("no such path: {path}")).into_response();
    }
    let body = match method {
        Method::GET | Method::HEAD => Vec::new(),
        Method::POST if path.starts_with("/r/") => {
            match read_body(body, &headers, app.limits.max_body_bytes).await {
                Ok(b) => b,
                Err(e) => return e.into_response(),
            }
        }
        _ => return not_allowed(Some(HeaderValue::from_static("GET, HEAD"))),
    };
    if let Some(to) = folder_without_slash(path, uri.query()) {
        return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, to)]).into_response();
    }
    let loaded = snapshots(&app);
    let method_text = method.as_str().to_string();
    let path = percent_decode(path);
    let query = uri.query().unwrap_or("").to_string();
    let page = tokio::task::spawn_blocking(move || {
        let sites: Vec<&crate::explorer::Site> = loaded.iter().map(|l| &l.site).collect();
        crate::explorer::respond(
            &sites,
            &crate::explorer::Request {
                method: &method_text,
                path: &path,
                query: &query,
                body: &body,
            },
        )
    })
    .await;
    match page {
        Ok(page) => (
            StatusCode::from_u16(page.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            [(header::CONTENT_TYPE, page.content_type)],
            page.body,
        )
            .into_response(),
        Err(e) => ApiError::internal(format!("the page failed: {e}")).into_response(),
    }
}

/// A rulebook's folder written without its slash (`/r/kz_visa`): where it is (`/r/kz_visa/`).
/// The explorer's links are relative, so its overview must be read from the folder's URL.
fn folder_without_slash(path: &str, query: Option<&str>) -> Option<HeaderValue> {
    let name = path.strip_prefix("/r/")?;
    if name.is_empty() || name.contains(['/', '.']) {
        return None;
    }
    let to = match query {
        Some(q) => format!("{path}/?{q}"),
        None => format!("{path}/"),
    };
    HeaderValue::from_str(&to).ok()
}

/// `%XX` decoded (invalid escapes kept as written); bytes that are not UTF-8 replaced.
fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_are_percent_decoded() {
        assert_eq!(
            super::percent_decode("/r/kz_visa/a%20b%zz%4"),
            "/r/kz_visa/a b%zz%4"
        );
    }
}
