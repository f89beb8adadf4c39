//! HTTP for the service tests: plain requests (ureq) answered as status, headers and body
//! whatever the status, and a raw HTTP/1.1 connection for what ureq cannot do (a body sent in
//! pieces while the answer streams back, a body that stalls).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `error.kind` of an error answer.
    pub fn kind(&self) -> String {
        self.json()["error"]["kind"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

fn answer(response: ureq::Response) -> Answer {
    let status = response.status();
    let headers = response
        .headers_names()
        .into_iter()
        .map(|n| {
            let v = response.header(&n).unwrap_or("").to_string();
            (n, v)
        })
        .collect();
    let mut body = String::new();
    response.into_reader().read_to_string(&mut body).unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(120))
        .build()
}

pub fn request(method: &str, url: &str, body: Option<&[u8]>) -> Answer {
    let r = agent().request(method, url);
    let sent = match body {
        Some(b) => r.send_bytes(b),
        None => r.call(),
    };
    match sent {
        Ok(response) | Err(ureq::Error::Status(_, response)) => answer(response),
        Err(e) => panic!("{method} {url}: {e}"),
    }
}

pub fn get(url: &str) -> Answer {
    request("GET", url, None)
}

pub fn post(url: &str, body: &[u8]) -> Answer {
    request("POST", url, Some(body))
}

pub fn kz_visa() -> PathBuf {
    super::common::root().join("rulebooks/kz-visa")
}

/// The kz-visa examples: (file name, text).
pub fn examples() -> Vec<(String, String)> {
    super::common::files_in(&kz_visa().join("examples"), "json")
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// JSON text on one line (the same value).
pub fn one_line(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .unwrap()
        .to_string()
}

/// A raw HTTP/1.1 exchange: headers written, a chunked body sent piece by piece, the answer's
/// chunked body read as it comes.
pub struct Raw {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// Body bytes read and not yet taken.
    buffered: Vec<u8>,
    chunked: bool,
    ended: bool,
}

impl Raw {
    /// Open a connection and send the head of a request with a chunked body.
    pub fn chunked(addr: &str, path: &str) -> Raw {
        Raw::open(
            addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            ),
        )
    }

    /// Open a connection and send `head` (the request line and headers, blank line included).
    pub fn open(addr: &str, head: &str) -> Raw {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .unwrap();
        let reader = BufReader::new(stream.try_clone().unwrap());
        let mut raw = Raw {
            stream,
            reader,
            status: 0,
            headers: Vec::new(),
            buffered: Vec::new(),
            chunked: false,
            ended: false,
        };
        raw.stream.write_all(head.as_bytes()).unwrap();
        raw
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
        self.stream.flush().unwrap();
    }

    /// One chunk of the request body.
    pub fn send(&mut self, data: &[u8]) {
        let mut chunk = format!("{:x}\r\n", data.len()).into_bytes();
        chunk.extend_from_slice(data);
        chunk.extend_from_slice(b"\r\n");
        self.send_raw(&chunk);
    }

    /// The end of the request body.
    pub fn finish(&mut self) {
        self.send_raw(b"0\r\n\r\n");
    }

    /// Read the status line and headers.
    pub fn read_head(&mut self) {
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        self.status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status line: {line:?}"));
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((n, v)) = l.split_once(':') {
                self.headers
                    .push((n.trim().to_string(), v.trim().to_string()));
            }
        }
        self.chunked = self.header("transfer-encoding") == Some("chunked");
        if !self.chunked {
            let n: usize = self
                .header("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let mut body = vec![0; n];
            self.reader.read_exact(&mut body).unwrap();
            self.buffered = body;
            self.ended = true;
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Read one more chunk of the answer; false at its end.
    fn read_chunk(&mut self) -> bool {
        if self.ended {
            return false;
        }
        let mut line = String::new();
        if self.reader.read_line(&mut line).unwrap() == 0 {
            self.ended = true;
            return false;
        }
        let size = usize::from_str_radix(line.trim(), 16)
            .unwrap_or_else(|_| panic!("not a chunk size: {line:?}"));
        if size == 0 {
            let mut end = String::new();
            let _ = self.reader.read_line(&mut end);
            self.ended = true;
            return false;
        }
        let mut data = vec![0; size + 2];
        self.reader.read_exact(&mut data).unwrap();
        data.truncate(size);
        self.buffered.extend_from_slice(&data);
        true
    }

    /// The next line of the answer (without its `\n`), waiting for it; `None` at the end.
    pub fn line(&mut self) -> Option<String> {
        loop {
            if let Some(i) = self.buffered.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buffered.drain(..=i).collect();
                return Some(String::from_utf8(line[..i].to_vec()).unwrap());
            }
            if !self.read_chunk() {
                if self.buffered.is_empty() {
                    return None;
                }
                let rest = std::mem::take(&mut self.buffered);
                return Some(String::from_utf8(rest).unwrap());
            }
        }
    }

    /// The rest of the answer's body.
    pub fn rest(&mut self) -> String {
        while self.read_chunk() {}
        String::from_utf8(std::mem::take(&mut self.buffered)).unwrap()
    }
}

/// Each example on one line, repeated to `n` lines.
pub fn example_lines(n: usize) -> Vec<String> {
    let examples: Vec<String> = examples().iter().map(|(_, t)| one_line(t)).collect();
    (0..n)
        .map(|i| examples[i % examples.len()].clone())
        .collect()
}

/// The sending half of a `Raw` connection, for another thread.
pub struct Writer(TcpStream);

impl Writer {
    pub fn send(&mut self, data: &[u8]) {
        let mut chunk = format!("{:x}\r\n", data.len()).into_bytes();
        chunk.extend_from_slice(data);
        chunk.extend_from_slice(b"\r\n");
        self.0.write_all(&chunk).unwrap();
    }

    pub fn finish(&mut self) {
        self.0.write_all(b"0\r\n\r\n").unwrap();
    }
}

impl Raw {
    pub fn try_clone_writer(&self) -> Writer {
        Writer(self.stream.try_clone().unwrap())
    }
}
