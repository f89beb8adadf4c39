//! The deployment of docs/deploy/ run for real on loopback: two `zan serve` replicas of
//! kz-visa, Debian's nginx in front with the committed `docs/deploy/nginx.conf` (only its
//! `{{…}}` placeholders replaced), decisions and a streamed batch sent through nginx; both
//! replicas answered (each one's own `/metrics` counts decisions) and every envelope carries
//! the same rulebook hash.
//!
//! Without nginx the test says so and returns, except under CI (`CI` set), where it fails:
//! `.ci/run` installs Debian's nginx-light.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::server::Server;
use common::webdriver::free_port;
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const KZ: &str = "rulebooks/kz-visa";

/// The nginx binary, when installed (Debian puts it in /usr/sbin, which a user's PATH may
/// lack).
fn nginx() -> Option<PathBuf> {
    let found = ["nginx", "/usr/sbin/nginx"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| {
            Command::new(p)
                .arg("-v")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!("nginx is not installed (Debian's nginx-light; .ci/run installs it)");
        }
        eprintln!(
            "notice: nginx is not installed (Debian's nginx-light); the deployment test is skipped"
        );
    }
    found
}

/// nginx in the foreground, as a child process, stopped when dropped.
struct Nginx {
    child: Child,
    prefix: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        common::server::signal(self.child.id(), "QUIT");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Nginx {
    fn error_log(&self) -> String {
        std::fs::read_to_string(self.prefix.join("error.log")).unwrap_or_default()
    }
}

/// docs/deploy/nginx.conf with its placeholders replaced; none may be left.
fn render(replicas: [&str; 2], listen: &str, prefix: &Path) -> String {
    let conf = std::fs::read_to_string(common::root().join("docs/deploy/nginx.conf")).unwrap();
    let rendered = conf
        .replace("{{REPLICA_1}}", replicas[0])
        .replace("{{REPLICA_2}}", replicas[1])
        .replace("{{LISTEN}}", listen)
        .replace("{{PREFIX}}", &prefix.display().to_string());
    let unreplaced: Vec<&str> = rendered
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && l.contains("{{"))
        .collect();
    assert!(unreplaced.is_empty(), "placeholders left: {unreplaced:?}");
    rendered
}

fn start_nginx(binary: &Path, conf: &str, prefix: &Path, port: u16) -> Nginx {
    let file = prefix.join("nginx.conf");
    std::fs::write(&file, conf).unwrap();
    let global = format!(
        "daemon off; pid {}; error_log {} info;",
        prefix.join("nginx.pid").display(),
        prefix.join("error.log").display()
    );
    let test = Command::new(binary)
        .arg("-p")
        .arg(prefix)
        .arg("-e")
        .arg(prefix.join("error.log"))
        .arg("-c")
        .arg(&file)
        .args(["-g", &global, "-t"])
        .output()
        .unwrap();
    assert!(
        test.status.success(),
        "nginx -t refuses docs/deploy/nginx.conf:\n{}",
        String::from_utf8_lossy(&test.stderr)
    );
    let child = Command::new(binary)
        .arg("-p")
        .arg(prefix)
        .arg("-e")
        .arg(prefix.join("error.log"))
        .arg("-c")
        .arg(&file)
        .args(["-g", &global])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let nginx = Nginx {
        child,
        prefix: prefix.to_path_buf(),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return nginx;
        }
        if Instant::now() > deadline {
            panic!("nginx does not listen on {port}:\n{}", nginx.error_log());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn examples() -> Vec<String> {
    common::files_in(&common::root().join(KZ).join("examples"), "json")
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// The decisions counted by a replica's own `/metrics` (`zan_decisions_total`, every label).
fn decisions_counted(replica: &Server) -> f64 {
    let text = ureq::get(&format!("{}/metrics", replica.url))
        .call()
        .unwrap()
        .into_string()
        .unwrap();
    text.lines()
        .filter(|l| l.starts_with("zan_decisions_total"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[test]
fn nginx_in_front_of_two_replicas_spreads_decisions_with_one_hash() {
    let Some(binary) = nginx() else {
        return;
    };
    let dir = common::temp_dir("nginx");
    let logs = [
        dir.join("decisions-1.ndjson"),
        dir.join("decisions-2.ndjson"),
    ];
    let replicas: Vec<Server> = logs
        .iter()
        .map(|log| {
            Server::start(
                &common::root().join(KZ),
                &["--no-watch", "--decision-log", log.to_str().unwrap()],
            )
        })
        .collect();
    let port = free_port();
    let prefix = dir.join("nginx");
    std::fs::create_dir_all(&prefix).unwrap();
    let conf = render(
        [&replicas[0].addr, &replicas[1].addr],
        &format!("127.0.0.1:{port}"),
        &prefix,
    );
    let nginx = start_nginx(&binary, &conf, &prefix, port);
    let front = format!("http://127.0.0.1:{port}");

    // Decisions, one request at a time on fresh connections and on concurrent ones, so
    // least_conn has both replicas to choose from.
    let mut hashes = BTreeSet::new();
    let mut ids = BTreeSet::new();
    let cases = examples();
    let answers: Vec<(u16, String, Option<String>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let cases = &cases;
                let front = &front;
                s.spawn(move || {
                    let mut out = Vec::new();
                    for (i, case) in cases.iter().enumerate().filter(|(i, _)| i % 4 == w) {
                        for _ in 0..3 {
                            let id = format!("test-{w}-{i}");
                            let r = ureq::post(&format!("{front}/v1/rulebooks/kz_visa/decide"))
                                .set("content-type", "application/json")
                                .set("x-request-id", &id)
                                .send_string(case);
                            match r {
                                Ok(r) => {
                                    let echoed = r.header("x-request-id").map(str::to_string);
                                    assert_eq!(
                                        echoed.as_deref(),
                                        Some(id.as_str()),
                                        "nginx passes the request id back"
                                    );
                                    out.push((r.status(), r.into_string().unwrap(), echoed));
                                }
                                Err(ureq::Error::Status(code, r)) => {
                                    out.push((code, r.into_string().unwrap(), None))
                                }
                                Err(e) => panic!("through nginx: {e}"),
                            }
                        }
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    for (status, body, _) in &answers {
        assert_eq!(*status, 200, "{body}\nnginx:\n{}", nginx.error_log());
        let envelope: Json = serde_json::from_str(body).unwrap();
        hashes.insert(envelope["rulebook"]["hash"].as_str().unwrap().to_string());
        ids.insert(envelope["decision_id"].as_str().unwrap().to_string());
    }
    assert_eq!(ids.len(), answers.len(), "every decision id is unique");

    // A batch streamed through nginx: the first answer line arrives before the request body
    // is finished (nothing buffered either way), then one line per line.
    let batch_hashes = streamed_batch(port, &cases);
    hashes.extend(batch_hashes);

    assert_eq!(
        hashes.len(),
        1,
        "one rulebook hash in every envelope: {hashes:?}"
    );
    let counted: Vec<f64> = replicas.iter().map(decisions_counted).collect();
    assert!(
        counted.iter().all(|&n| n > 0.0),
        "both replicas decided: {counted:?}\naccess log:\n{}",
        std::fs::read_to_string(prefix.join("access.log")).unwrap_or_default()
    );
    let total: f64 = counted.iter().sum();
    assert_eq!(
        total as usize,
        answers.len() + cases.len(),
        "every decision counted once"
    );
    // Each replica's log holds what it decided, with the same hash.
    let mut logged = 0;
    for log in &logs {
        for line in std::fs::read_to_string(log).unwrap().lines() {
            let entry: Json = serde_json::from_str(line).unwrap();
            assert!(hashes.contains(entry["rulebook"]["hash"].as_str().unwrap()));
            logged += 1;
        }
    }
    assert_eq!(logged, answers.len() + cases.len(), "every decision logged");
    eprintln!(
        "decisions by replica: {counted:?}; hash {}",
        hashes.iter().next().unwrap()
    );
    drop(nginx);
}

/// POST the cases as a chunked NDJSON stream through nginx on a raw socket: send the first
/// line, read its answer line before sending the rest, then read one line per case. The
/// hashes of the envelopes.
fn streamed_batch(port: u16, cases: &[String]) -> Vec<String> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "POST /v1/rulebooks/kz_visa/batch HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let chunk = |s: &mut std::net::TcpStream, line: &str| {
        let data = format!("{}\n", compact(line));
        write!(s, "{:x}\r\n{data}\r\n", data.len()).unwrap();
        s.flush().unwrap();
    };
    chunk(&mut stream, &cases[0]);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    assert!(status.contains(" 200 "), "the batch answers: {status}");
    let mut chunked = false;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        if header
            .to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked")
        {
            chunked = true;
        }
        if header == "\r\n" || header.is_empty() {
            break;
        }
    }
    assert!(chunked, "the answer is streamed (chunked)");
    let mut body = Chunked {
        reader,
        pending: Vec::new(),
    };
    let mut lines = Vec::new();
    // The first decision comes back while the request is still open: not buffered.
    lines.push(body.next_line());
    for case in &cases[1..] {
        chunk(&mut stream, case);
    }
    stream.write_all(b"0\r\n\r\n").unwrap();
    while lines.len() < cases.len() {
        lines.push(body.next_line());
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let v: Json = serde_json::from_str(line).unwrap();
            assert_eq!(v["line"], i + 1, "{line}");
            assert!(v.get("error").is_none(), "{line}");
            v["rulebook"]["hash"].as_str().unwrap().to_string()
        })
        .collect()
}

/// The answer's body, read chunk by chunk (HTTP/1.1 chunked framing), line by line.
struct Chunked<R> {
    reader: R,
    pending: Vec<u8>,
}

impl<R: BufRead> Chunked<R> {
    /// The next line of the body, without its line break.
    fn next_line(&mut self) -> String {
        loop {
            if let Some(at) = self.pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=at).collect();
                return String::from_utf8(line).unwrap().trim_end().to_string();
            }
            let mut size = String::new();
            self.reader.read_line(&mut size).unwrap();
            let size = usize::from_str_radix(size.trim(), 16)
                .unwrap_or_else(|_| panic!("a chunk size: {size:?}"));
            assert!(size > 0, "the stream ended early");
            let mut data = vec![0; size + 2];
            self.reader.read_exact(&mut data).unwrap();
            assert!(data.ends_with(b"\r\n"), "a chunk ends with CRLF");
            data.truncate(size);
            self.pending.extend(data);
        }
    }
}

fn compact(case: &str) -> String {
    serde_json::from_str::<Json>(case).unwrap().to_string()
}
