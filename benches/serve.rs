//! Load benchmark of `zan serve` on loopback: decisions per second and p50/p99 latency at 1, 8
//! and 64 connections on kz-visa, beside `zan eval --batch` on the same cases measured in the
//! same run, and the 64-connection load again while the rulebook reloads under it.
//!
//! The server is the `zan` binary as a user starts it (`zan serve … --addr 127.0.0.1:0
//! --decision-log FILE`); the load generator is here: one thread per connection, each a
//! keep-alive HTTP/1.1 connection posting the generated cases of the eval bench
//! (`support/kz_visa_cases.rs`) in turn, timing each request from its first byte written to
//! its last byte read. After each run the decision log is read back: it must hold exactly one
//! line per decision answered, with the same ids, and no request may fail.
//!
//! Runs without the decision log show the service alone; runs with it show the cost of
//! writing and syncing a line before each answer.
//!
//! `cargo bench --bench serve` prints the table; `ZAN_BENCH_SECONDS` sets the length of each
//! run (default 5). `cargo test --benches` runs a short smoke run of the same code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/kz_visa_cases.rs"]
mod cases;
#[path = "../tests/common/server.rs"]
mod server;

use server::Server;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const DECIDE: &str = "/v1/rulebooks/kz_visa/decide";

fn rulebook_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rulebooks/kz-visa")
}

/// The generated cases as compact JSON text.
fn case_texts() -> Arc<Vec<String>> {
    let texts = cases::generate_all(&cases::load_examples(&rulebook_dir()))
        .iter()
        .map(|j| serde_json::to_string(j).expect("case JSON"))
        .collect();
    Arc::new(texts)
}

/// What one connection saw.
#[derive(Default)]
struct Seen {
    latencies: Vec<Duration>,
    ids: Vec<String>,
    errors: Vec<String>,
}

/// One keep-alive connection posting cases until `stop`, or `limit` requests.
async fn connection(
    addr: String,
    texts: Arc<Vec<String>>,
    first: usize,
    stop: Arc<AtomicBool>,
    limit: usize,
) -> Seen {
    let stream = TcpStream::connect(&addr)
        .await
        .expect("connect to zan serve");
    stream.set_nodelay(true).expect("nodelay");
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::with_capacity(1 << 16, read);
    let mut seen = Seen::default();
    let mut i = first;
    while !stop.load(Ordering::Relaxed) && seen.latencies.len() + seen.errors.len() < limit {
        let body = &texts[i % texts.len()];
        i += 7;
        let request = format!(
            "POST {DECIDE} HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let started = Instant::now();
        write.write_all(request.as_bytes()).await.expect("send");
        let (status, response) = read_response(&mut reader).await;
        let took = started.elapsed();
        if status == 200 {
            seen.latencies.push(took);
            seen.ids.push(decision_id(&response).to_string());
        } else {
            seen.errors
                .push(format!("{status}: {}", String::from_utf8_lossy(&response)));
        }
    }
    seen
}

/// One HTTP/1.1 response with a `content-length` (what zan serve sends for a decision).
async fn read_response(reader: &mut (impl AsyncBufRead + Unpin)) -> (u16, Vec<u8>) {
    let mut line = String::new();
    reader.read_line(&mut line).await.expect("status line");
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("a status line, got {line:?}"));
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line).await.expect("header line");
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().expect("content-length");
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).await.expect("body");
    (status, body)
}

fn decision_id(response: &[u8]) -> &str {
    let text = std::str::from_utf8(response).expect("UTF-8 response");
    let start = text.find("\"decision_id\":\"").expect("a decision id") + 15;
    let len = text[start..].find('"').expect("end of the id");
    &text[start..start + len]
}

/// A run's figures.
struct Run {
    decisions: usize,
    seconds: f64,
    p50: Duration,
    p99: Duration,
    ids: Vec<String>,
}

/// `connections` connections for `length` (or `limit` requests each), all errors reported.
/// The load generator is asynchronous on one thread, so it takes at most one core whatever
/// the number of connections.
fn load(
    addr: &str,
    texts: &Arc<Vec<String>>,
    connections: usize,
    length: Duration,
    limit: usize,
) -> Run {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the load generator");
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let seen: Vec<Seen> = runtime.block_on(async {
        let workers: Vec<_> = (0..connections)
            .map(|c| {
                let task = connection(
                    addr.to_string(),
                    texts.clone(),
                    c * 131,
                    stop.clone(),
                    limit,
                );
                tokio::spawn(task)
            })
            .collect();
        let timer = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(length).await;
            timer.store(true, Ordering::Relaxed);
        });
        let mut seen = Vec::new();
        for w in workers {
            seen.push(w.await.expect("a connection"));
        }
        seen
    });
    let seconds = started.elapsed().as_secs_f64();
    let errors: Vec<&String> = seen.iter().flat_map(|s| &s.errors).collect();
    assert!(
        errors.is_empty(),
        "{} requests failed, the first: {}",
        errors.len(),
        errors[0]
    );
    let mut latencies: Vec<Duration> = seen.iter().flat_map(|s| s.latencies.clone()).collect();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    Run {
        decisions: latencies.len(),
        seconds,
        p50: at(0.50),
        p99: at(0.99),
        ids: seen.into_iter().flat_map(|s| s.ids).collect(),
    }
}

/// The decision log holds exactly the decisions answered: one line each, same ids.
fn check_log(log: &Path, answered: &[String]) {
    let text = std::fs::read_to_string(log).expect("read the decision log");
    let logged: Vec<String> = text
        .lines()
        .map(|l| {
            let j: serde_json::Value = serde_json::from_str(l).expect("a log line is JSON");
            j["decision_id"].as_str().expect("decision_id").to_string()
        })
        .collect();
    let unique: HashSet<&String> = logged.iter().collect();
    assert_eq!(unique.len(), logged.len(), "a decision logged twice");
    assert_eq!(
        logged.len(),
        answered.len(),
        "decisions answered and logged differ"
    );
    let answered: HashSet<&String> = answered.iter().collect();
    assert!(
        logged.iter().all(|id| answered.contains(id)),
        "a logged decision that was not answered"
    );
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zan-bench-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// `zan eval --batch FILE --threads 2 > /dev/null`, best of three: cases per second.
fn batch_throughput(texts: &[String], dir: &Path) -> f64 {
    let input = dir.join("cases.ndjson");
    std::fs::write(&input, texts.join("\n") + "\n").expect("write the batch input");
    let mut best = f64::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_zan"))
            .arg("eval")
            .arg(rulebook_dir())
            .args(["--batch"])
            .arg(&input)
            .args(["--threads", "2"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run zan eval --batch");
        assert!(status.success(), "zan eval --batch failed");
        best = best.min(started.elapsed().as_secs_f64());
    }
    texts.len() as f64 / best
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create");
    for entry in std::fs::read_dir(from).expect("read") {
        let p = entry.expect("entry").path();
        let target = to.join(p.file_name().expect("a name"));
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).expect("copy");
        }
    }
}

/// Append a comment to a rulebook file every `every` until `stop`: each append changes the
/// rulebook's hash, so the server checks and swaps in a new version under the load.
fn keep_editing(
    file: PathBuf,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let mut edits = 0;
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(every);
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&file)
                .expect("open a rulebook file");
            writeln!(f, "// edit {edits} during the load").expect("append");
            edits += 1;
        }
        edits
    })
}

/// The value of a counter in the Prometheus text, summed over its labels.
fn metric(url: &str, name: &str) -> f64 {
    let text = ureq::get(&format!("{url}/metrics"))
        .call()
        .expect("GET /metrics")
        .into_string()
        .expect("metrics text");
    text.lines()
        .filter(|l| l.starts_with(name) && !l.starts_with('#'))
        .filter(|l| l[name.len()..].starts_with(['{', ' ']))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

fn row(label: &str, run: &Run) {
    println!(
        "  {label:<52} {:>9.0} decisions/s   p50 {:>7.3} ms   p99 {:>7.3} ms   ({} decisions)",
        run.decisions as f64 / run.seconds,
        run.p50.as_secs_f64() * 1e3,
        run.p99.as_secs_f64() * 1e3,
        run.decisions
    );
}

fn smoke(texts: &Arc<Vec<String>>) {
    let dir = temp("smoke");
    let log = dir.join("decisions.ndjson");
    let server = Server::start(
        &rulebook_dir(),
        &["--decision-log", log.to_str().expect("path")],
    );
    let run = load(&server.addr, texts, 4, Duration::from_secs(60), 25);
    assert_eq!(
        run.decisions, 100,
        "every request of the smoke run answered"
    );
    drop(server);
    check_log(&log, &run.ids);
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    let texts = case_texts();
    if !std::env::args().any(|a| a == "--bench") {
        smoke(&texts);
        return;
    }
    let seconds: u64 = std::env::var("ZAN_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let length = Duration::from_secs(seconds);
    let dir = temp("load");
    let batch = batch_throughput(&texts, &dir);
    println!(
        "zan serve on loopback, kz-visa, {} generated cases, {seconds} s per run, 2 cores shared \
         by the server and the load generator:",
        texts.len()
    );
    println!(
        "  {:<52} {batch:>9.0} cases/s",
        "zan eval --batch, 2 threads (same cases)"
    );

    let server = Server::start(&rulebook_dir(), &["--no-watch"]);
    let mut at_64 = None;
    for connections in [1, 8, 64] {
        let run = load(&server.addr, &texts, connections, length, usize::MAX);
        row(&format!("decide, {connections} connection(s)"), &run);
        if connections == 64 {
            at_64 = Some((run.decisions as f64 / run.seconds, run.p99));
        }
    }
    drop(server);

    // With the decision log: each answer waits for its line to be written and synced.
    let log = dir.join("decisions.ndjson");
    let server = Server::start(
        &rulebook_dir(),
        &["--decision-log", log.to_str().expect("path")],
    );
    let mut answered = Vec::new();
    for connections in [1, 64] {
        let run = load(&server.addr, &texts, connections, length, usize::MAX);
        row(
            &format!("decide, {connections} connection(s), decision log"),
            &run,
        );
        answered.extend(run.ids.iter().cloned());
    }
    drop(server);
    check_log(&log, &answered);

    // The same load while the rulebook is edited and reloaded under it.
    let copy = dir.join("kz-visa");
    copy_dir(&rulebook_dir(), &copy);
    let reload_log = dir.join("reload-decisions.ndjson");
    let server = Server::start(
        &copy,
        &[
            "--watch-interval",
            "100ms",
            "--decision-log",
            reload_log.to_str().expect("path"),
        ],
    );
    let stop = Arc::new(AtomicBool::new(false));
    let editor = keep_editing(
        copy.join("money.zan"),
        Duration::from_millis(500),
        stop.clone(),
    );
    let run = load(&server.addr, &texts, 64, length, usize::MAX);
    stop.store(true, Ordering::Relaxed);
    let edits = editor.join().expect("the editor thread");
    std::thread::sleep(Duration::from_millis(500));
    let reloads = metric(&server.url, "zan_rulebook_reloads_total");
    row("decide, 64 connections, decision log, reloading", &run);
    println!("  {:<52} {edits} edits, {reloads} reloads, 0 errors", "");
    drop(server);
    check_log(&reload_log, &run.ids);
    println!("  decision logs: one line per decision answered, ids equal (checked)");

    let (throughput, p99) = at_64.expect("the 64-connection run");
    let ratio = batch / throughput;
    println!(
        "  {:<52} {ratio:>9.2}x   target <= 2x: {}",
        "batch / service throughput (64 connections)",
        if ratio <= 2.0 { "met" } else { "MISSED" }
    );
    println!(
        "  {:<52} {:>9.3} ms  target < 10 ms: {}",
        "p99 at 64 connections",
        p99.as_secs_f64() * 1e3,
        if p99 < Duration::from_millis(10) {
            "met"
        } else {
            "MISSED"
        }
    );
    let _ = std::fs::remove_dir_all(&dir);
}
