//! The framing of the server's messages on stdio, in front of `tower-lsp-server`, whose own
//! codec ends the session, silently, at the first malformed message. Every message read from
//! the client is checked before it is passed on to the server:
//!
//! - a body that is not JSON is answered with a parse error (-32700);
//! - a JSON body that is not a JSON-RPC message (an object as `id`, no `method`, a batch, a
//!   `jsonrpc` other than "2.0") with an invalid request (-32600);
//! - a body over `MAX_MESSAGE_BYTES` with an invalid request, without reading it;
//! - a header block without a usable `Content-Length` cannot be answered (where the message
//!   ends is unknown): the reader skips to the next `Content-Length` header.
//!
//! Answers carry the id null (the id of a message that could not be read is unknown), and
//! each event is logged on stderr. The server's own messages and these answers reach stdout
//! through one writer, a whole message at a time, so they never interleave.

use serde::Deserialize;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tower_lsp_server::jsonrpc::{Request, Response};

/// The largest message body read: twice the largest rulebook file, so that a document at the
/// file limit still fits with its JSON escapes.
pub const MAX_MESSAGE_BYTES: usize = 2 * crate::load::MAX_FILE_BYTES as usize;

/// The longest header block read before it is taken for garbage.
const MAX_HEADER_BYTES: usize = 8 << 10;

const CONTENT_LENGTH: &[u8] = b"Content-Length";

/// A JSON-RPC message as `tower-lsp-server` reads it (its own `Message` is private): a body
/// that deserializes to this is one the server's codec accepts.
#[derive(Deserialize)]
#[serde(untagged)]
#[allow(dead_code)] // Only whether a body deserializes matters, and the request's method.
enum Message {
    Response(Response),
    Request(Request),
}

/// What goes to stdout: a whole framed message, or the end of the output.
pub enum Out {
    Frame(Vec<u8>),
    End,
}

/// What the reader tells the rest of the server about the session.
pub struct Session {
    /// Set when a `shutdown` request is passed on (the exit code is 0 only after one).
    pub shutdown: Arc<AtomicBool>,
    /// Fired when the `exit` notification is passed on.
    pub exit: oneshot::Sender<()>,
}

/// One frame: the header for a body of `body.len()` bytes, then the body.
fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// A JSON-RPC error response with the id null, framed.
fn error_frame(code: i64, message: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": code, "message": message},
    });
    frame(body.to_string().as_bytes())
}

/// Why a JSON value is not a JSON-RPC message, in the words of the specification (`None`
/// where serde's words are as good).
fn why_not_a_message(v: &Value) -> Option<String> {
    fn kind(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
    let Some(o) = v.as_object() else {
        return Some(format!("the message is {} instead of an object", kind(v)));
    };
    if o.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Some("\"jsonrpc\" is not \"2.0\"".into());
    }
    if let Some(id) = o.get("id") {
        if !(id.is_i64() || id.is_string() || id.is_null()) {
            return Some(format!(
                "the id is {} (an integer, a string or null is expected)",
                kind(id)
            ));
        }
    }
    match o.get("method") {
        Some(m) if !m.is_string() => Some(format!("the method is {} instead of a string", kind(m))),
        None if !o.contains_key("result") && !o.contains_key("error") => {
            Some("no method (nor result or error)".into())
        }
        _ => None,
    }
}

/// One line on standard error (never a panic when stderr is closed).
fn log(what: &str) {
    crate::console::stderr_line!("zan lsp: {what}");
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The body length a header block announces.
enum Length {
    Body(usize),
    TooLarge(String),
    Bad(String),
}

/// Read the `Content-Length` of a header block (without its blank line). Other headers
/// (`Content-Type`) are accepted and ignored.
fn content_length(header: &[u8]) -> Length {
    let Ok(header) = std::str::from_utf8(header) else {
        return Length::Bad("a message header that is not UTF-8".into());
    };
    let mut length = None;
    for line in header.split("\r\n") {
        let Some((name, value)) = line.split_once(':') else {
            return Length::Bad(format!("a message header line without a colon: {line:?}"));
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            length = Some(value.trim());
        }
    }
    let Some(value) = length else {
        return Length::Bad(format!(
            "a message header without Content-Length: {header:?}"
        ));
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Length::Bad(format!("a Content-Length that is not a number: {value:?}"));
    }
    match value.parse::<usize>() {
        Ok(n) if n <= MAX_MESSAGE_BYTES => Length::Body(n),
        _ => Length::TooLarge(value.to_string()),
    }
}

/// The client's bytes not yet framed, and how many came before them.
struct Input<R> {
    reader: R,
    buf: Vec<u8>,
    /// Bytes of the input before `buf` (to say where a malformed message was).
    offset: u64,
}

impl<R: AsyncRead + Unpin> Input<R> {
    /// Read more bytes; false at the end of the input (or on a read error: the client is gone
    /// either way).
    async fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 64 << 10];
        match self.reader.read(&mut chunk).await {
            Ok(0) | Err(_) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
        }
    }

    fn consume(&mut self, n: usize) -> Vec<u8> {
        self.offset += n as u64;
        self.buf.drain(..n).collect()
    }

    /// Skip to the next `Content-Length` header after the first byte of what is buffered
    /// (the start of the message being skipped); false if the input ends first.
    async fn resynchronise(&mut self) -> bool {
        let from = self.offset;
        self.consume(1.min(self.buf.len()));
        loop {
            if let Some(at) = find(&self.buf, CONTENT_LENGTH) {
                self.consume(at);
                log(&format!(
                    "skipped bytes {from}..{} of the input, up to the next Content-Length header",
                    self.offset
                ));
                return true;
            }
            // Keep what could be the start of a header cut by the end of the buffer.
            let keep = (CONTENT_LENGTH.len() - 1).min(self.buf.len());
            self.consume(self.buf.len() - keep);
            if !self.fill().await {
                log(&format!(
                    "skipped bytes {from}.. of the input: it ended before another Content-Length header"
                ));
                return false;
            }
        }
    }
}

/// Read the client's messages from `input`, pass the well-formed ones on to `server`, answer
/// the malformed ones on `out`, until the input ends or the `exit` notification is passed on.
pub async fn read_input(
    input: impl AsyncRead + Unpin,
    mut server: impl AsyncWrite + Unpin,
    out: mpsc::Sender<Out>,
    session: Session,
) {
    let mut input = Input {
        reader: input,
        buf: Vec::new(),
        offset: 0,
    };
    let mut exit = Some(session.exit);
    loop {
        let Some(end) = find(&input.buf, b"\r\n\r\n") else {
            if input.buf.len() > MAX_HEADER_BYTES {
                log(&format!(
                    "a message header at byte {} longer than {MAX_HEADER_BYTES} bytes",
                    input.offset
                ));
                if !input.resynchronise().await {
                    return;
                }
            } else if !input.fill().await {
                if !input.buf.is_empty() {
                    log(&format!(
                        "the input ended inside a message header at byte {}",
                        input.offset
                    ));
                }
                return;
            }
            continue;
        };
        let at = input.offset;
        let length = match content_length(&input.buf[..end]) {
            Length::Body(n) => n,
            Length::Bad(why) => {
                log(&format!("message at byte {at}: {why}; it cannot be read"));
                if !input.resynchronise().await {
                    return;
                }
                continue;
            }
            Length::TooLarge(n) => {
                let message = format!(
                    "a message of {n} bytes is over the limit of {MAX_MESSAGE_BYTES} bytes"
                );
                log(&format!(
                    "message at byte {at}: {message}; answered with -32600, not read"
                ));
                let _ = out.send(Out::Frame(error_frame(-32600, &message))).await;
                if !input.resynchronise().await {
                    return;
                }
                continue;
            }
        };
        input.consume(end + 4);
        while input.buf.len() < length {
            if !input.fill().await {
                log(&format!(
                    "the input ended inside a message at byte {at}: {} of its {length} bytes came",
                    input.buf.len()
                ));
                return;
            }
        }
        let body = input.consume(length);
        let read = match serde_json::from_slice::<Message>(&body) {
            // `tower-lsp-server` reads a missing method (or one that is not a string) as the
            // empty one, and answers that no such method exists: it is no request.
            Ok(Message::Request(r)) if r.method().is_empty() => Err("the method is empty".into()),
            Ok(message) => Ok(message),
            Err(e) => Err(e.to_string()),
        };
        match read {
            Ok(message) => {
                let method = match &message {
                    Message::Request(r) => r.method(),
                    Message::Response(_) => "",
                };
                if method == "shutdown" {
                    session.shutdown.store(true, Ordering::SeqCst);
                }
                if server.write_all(&frame(&body)).await.is_err() {
                    // The server has stopped reading: it has exited.
                    return;
                }
                if method == "exit" {
                    if let Some(exit) = exit.take() {
                        let _ = exit.send(());
                    }
                    return;
                }
            }
            Err(why) => {
                let (code, message) = match serde_json::from_slice::<Value>(&body) {
                    Err(e) => (-32700, format!("the message body is not JSON: {e}")),
                    Ok(v) => (
                        -32600,
                        format!("invalid request: {}", why_not_a_message(&v).unwrap_or(why)),
                    ),
                };
                log(&format!(
                    "message at byte {at}: {message}; answered with {code}"
                ));
                let _ = out.send(Out::Frame(error_frame(code, &message))).await;
            }
        }
    }
}

/// Cut the server's output into whole messages for the writer, until the server ends it.
pub async fn read_output(from_server: impl AsyncRead + Unpin, out: mpsc::Sender<Out>) {
    let mut r = tokio::io::BufReader::new(from_server);
    loop {
        let mut header = Vec::new();
        while !header.ends_with(b"\r\n\r\n") {
            match r.read_until(b'\n', &mut header).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
        // The server's own header: not limited like the client's.
        let length = std::str::from_utf8(&header).ok().and_then(|h| {
            h.lines()
                .find_map(|l| l.strip_prefix("Content-Length:"))
                .and_then(|n| n.trim().parse::<usize>().ok())
        });
        let Some(length) = length else {
            log("the server wrote a message without a Content-Length");
            return;
        };
        let start = header.len();
        header.resize(start + length, 0);
        if r.read_exact(&mut header[start..]).await.is_err() {
            return;
        }
        if out.send(Out::Frame(header)).await.is_err() {
            return;
        }
    }
}

/// Write whole messages to `stdout` until `Out::End`.
pub async fn write_output(mut stdout: impl AsyncWrite + Unpin, mut messages: mpsc::Receiver<Out>) {
    while let Some(Out::Frame(bytes)) = messages.recv().await {
        if stdout.write_all(&bytes).await.is_err() || stdout.flush().await.is_err() {
            // The client has closed its end: nothing can be said any more.
            return;
        }
    }
}
