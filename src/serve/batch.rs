//! `POST /v1/rulebooks/{name}/batch`: NDJSON cases in, NDJSON decisions out, both streamed.
//!
//! A task reads the body as it arrives and cuts it into lines (`Lines`: a line longer than
//! `--max-line-bytes` is dropped as it streams by, never held); the lines cut from each piece
//! of the body are decided together on a blocking thread, their decision log lines written
//! as one group, then their output lines sent to the response, in order, one per input line.
//! A bounded channel between the task and the response keeps memory flat whatever the size of
//! the body: the task waits while the client is not reading.

use super::api::ApiError;
use super::decide::{decide_case, query_params, resolve, write_envelope, write_log_line, Resolved};
use super::state::Loaded;
use super::App;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde_json::{json, Value as Json};
use std::sync::Arc;
use tokio::sync::mpsc;

/// One line of the body.
enum Line {
    Text(Vec<u8>),
    /// Longer than `--max-line-bytes`; its bytes were dropped.
    TooLong,
}

/// Cuts a body into lines as its pieces arrive.
struct Lines {
    max: usize,
    pending: Vec<u8>,
    /// In a line found too long: bytes are dropped up to its end.
    skipping: bool,
    first: bool,
}

impl Lines {
    fn feed(&mut self, mut data: &[u8], out: &mut Vec<Line>) {
        if self.first && !data.is_empty() {
            self.first = false;
            // A UTF-8 byte order mark, as some editors save it, is not part of the cases.
            data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
        }
        while !data.is_empty() {
            let end = data.iter().position(|&b| b == b'\n');
            let (piece, rest) = match end {
                Some(i) => (&data[..i], &data[i + 1..]),
                None => (data, &data[data.len()..]),
            };
            if !self.skipping {
                if self.pending.len() + piece.len() > self.max {
                    out.push(Line::TooLong);
                    self.pending = Vec::new();
                    self.skipping = true;
                } else {
                    self.pending.extend_from_slice(piece);
                }
            }
            if end.is_some() {
                if !self.skipping {
                    out.push(Line::Text(std::mem::take(&mut self.pending)));
                }
                self.skipping = false;
            }
            data = rest;
        }
    }

    /// The last line, when the body does not end with a line end.
    fn finish(&mut self, out: &mut Vec<Line>) {
        if !self.skipping && !self.pending.is_empty() {
            out.push(Line::Text(std::mem::take(&mut self.pending)));
        }
    }
}

/// The handler: refuses what can be refused before the stream starts (no rulebook, bad
/// parameters, overloaded), then answers 200 and streams.
pub async fn batch(
    State(app): State<Arc<App>>,
    name: Result<Path<String>, axum::extract::rejection::PathRejection>,
    uri: Uri,
    body: Body,
) -> Response {
    let name = match name {
        Ok(Path(name)) => name,
        Err(e) => return ApiError::bad_parameter(e.body_text()).into_response(),
    };
    let started = (|| {
        app.refuse_when_draining()?;
        let slot = app.slot(&name)?;
        let params = query_params(&uri)?;
        let permit = app.permit()?;
        let loaded = slot.current();
        let resolved = resolve(&loaded, &params)?;
        Ok::<_, ApiError>((permit, loaded, resolved))
    })();
    let (permit, loaded, resolved) = match started {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let (tx, rx) = mpsc::channel::<Bytes>(4);
    let app = app.clone();
    tokio::spawn(async move {
        stream_decisions(&app, body, loaded, Arc::new(resolved), &tx).await;
        drop(permit);
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, std::convert::Infallible>(b), rx))
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(stream),
    )
        .into_response()
}

/// Read, decide and answer every line; stops when the body ends, the client goes, or a line
/// cannot be answered (timeout, decision log).
async fn stream_decisions(
    app: &App,
    body: Body,
    loaded: Arc<Loaded>,
    resolved: Arc<Resolved>,
    tx: &mpsc::Sender<Bytes>,
) {
    let limits = &app.limits;
    let mut lines = Lines {
        max: limits.max_line_bytes,
        pending: Vec::new(),
        skipping: false,
        first: true,
    };
    let mut body = body.into_data_stream();
    let mut next_line = 1;
    loop {
        let mut cut = Vec::new();
        let piece = tokio::time::timeout(limits.request_timeout, body.next()).await;
        let at_end = match piece {
            Err(_) => {
                let error = json!({ "kind": "timeout", "message": "the next line did not arrive within --request-timeout; the stream stops" });
                let _ = tx.send(error_line(next_line, &error).into()).await;
                return;
            }
            Ok(None) => {
                lines.finish(&mut cut);
                true
            }
            Ok(Some(Err(_))) => return,
            Ok(Some(Ok(data))) => {
                lines.feed(&data, &mut cut);
                false
            }
        };
        if !cut.is_empty() {
            let first = next_line;
            next_line += cut.len();
            match answer(app, &loaded, &resolved, cut, first).await {
                Ok(text) => {
                    // A client that stops reading holds its place no longer than a line may take.
                    let sent = tokio::time::timeout(limits.request_timeout, tx.send(text.into()));
                    if !matches!(sent.await, Ok(Ok(()))) {
                        return;
                    }
                }
                Err(text) => {
                    let _ = tx.send(text.into()).await;
                    return;
                }
            }
        }
        if at_end {
            return;
        }
    }
}

/// The output lines of `lines` (numbered from `first`): decided on a blocking thread, logged
/// as one group. `Err` holds error lines after which the stream stops.
async fn answer(
    app: &App,
    loaded: &Arc<Loaded>,
    resolved: &Arc<Resolved>,
    lines: Vec<Line>,
    first: usize,
) -> Result<Vec<u8>, Vec<u8>> {
    let count = lines.len();
    let (snapshot, options) = (loaded.clone(), resolved.clone());
    let max_line = app.limits.max_line_bytes;
    let deciding = tokio::task::spawn_blocking(move || {
        lines
            .into_iter()
            .enumerate()
            .map(|(i, line)| decide_line(&snapshot, &options, line, first + i, max_line))
            .collect::<Vec<_>>()
    });
    let timeout = app
        .limits
        .request_timeout
        .saturating_mul(u32::try_from(count).unwrap_or(u32::MAX));
    let results = match tokio::time::timeout(timeout, deciding).await {
        Ok(Ok(results)) => results,
        Ok(Err(_)) | Err(_) => {
            let error = json!({ "kind": "timeout", "message": "deciding the line took longer than --request-timeout; the stream stops" });
            return Err(every_line(first, count, &error));
        }
    };
    let ids: Vec<String> = results
        .iter()
        .map(|_| uuid::Uuid::now_v7().to_string())
        .collect();
    if let Some(log) = &app.log {
        let mut group = Vec::new();
        for (r, id) in results.iter().zip(&ids) {
            if let Ok((case, decided)) = r {
                write_log_line(&mut group, id, loaded, resolved.as_of, case, decided);
            }
        }
        if !group.is_empty() {
            if let Err(e) = log.append(group).await {
                let error = json!({ "kind": "decision_log", "message": format!("{e}; the decision is not returned, and the stream stops") });
                return Err(every_line(first, count, &error));
            }
        }
    }
    let mut out = Vec::new();
    for (i, (r, id)) in results.into_iter().zip(&ids).enumerate() {
        match r {
            Ok((_, decided)) => {
                app.metrics.decided(
                    loaded.name(),
                    &loaded.version_label(decided.version),
                    &loaded.hash,
                    decided.took,
                );
                write_envelope(&mut out, Some(first + i), id, loaded, &decided);
                out.push(b'\n');
            }
            Err(error) => {
                let kind = error.get("kind").and_then(Json::as_str).unwrap_or("");
                app.metrics.decision_error(loaded.name(), kind);
                out.extend_from_slice(&error_line(first + i, &error));
            }
        }
    }
    Ok(out)
}

/// One line decided: its case text and decision, or the `error` object of its error line
/// (as `zan eval --batch` gives it).
fn decide_line(
    loaded: &Loaded,
    resolved: &Resolved,
    line: Line,
    number: usize,
    max_line: usize,
) -> Result<(String, super::decide::Decided), Json> {
    let bytes = match line {
        Line::TooLong => {
            return Err(json!({
                "kind": "line_too_long",
                "message": format!("line {number} is longer than --max-line-bytes ({max_line} bytes); it was skipped"),
            }))
        }
        Line::Text(bytes) => bytes,
    };
    let text = crate::engine::case_line(&bytes)?;
    let decided = decide_case(loaded, text, resolved)?;
    Ok((text.to_string(), decided))
}

/// `{"line": N, "error": {…}}` and its line end.
fn error_line(line: usize, error: &Json) -> Vec<u8> {
    let mut text = json!({ "line": line, "error": error })
        .to_string()
        .into_bytes();
    text.push(b'\n');
    text
}

fn every_line(first: usize, count: usize, error: &Json) -> Vec<u8> {
    (first..first + count)
        .flat_map(|n| error_line(n, error))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn cut(pieces: &[&[u8]], max: usize) -> Vec<Option<String>> {
        let mut lines = Lines {
            max,
            pending: Vec::new(),
            skipping: false,
            first: true,
        };
        let mut out = Vec::new();
        for p in pieces {
            lines.feed(p, &mut out);
        }
        lines.finish(&mut out);
        out.into_iter()
            .map(|l| match l {
                Line::Text(t) => Some(String::from_utf8(t).unwrap()),
                Line::TooLong => None,
            })
            .collect()
    }

    #[test]
    fn lines_are_cut_across_pieces_and_long_ones_dropped() {
        assert_eq!(
            cut(&[b"\xef\xbb\xbfab", b"c\n\nde", b"f"], 10),
            vec![Some("abc".into()), Some("".into()), Some("def".into())]
        );
        assert_eq!(
            cut(&[b"0123", b"456789AB", b"CD\nok\n"], 10),
            vec![None, Some("ok".into())]
        );
        assert_eq!(cut(&[b"0123456789\n"], 10), vec![Some("0123456789".into())]);
        assert_eq!(cut(&[b"01234567890"], 10), vec![None]);
        assert_eq!(cut(&[b""], 10), Vec::<Option<String>>::new());
    }
}
