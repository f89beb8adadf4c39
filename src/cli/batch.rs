//! `zan eval RULEBOOK --batch [FILE|-]`: cases as NDJSON (or one JSON array) in, one decision
//! per line out, in input order.
//!
//! A reader thread cuts the input into chunks of lines, workers decide the chunks in parallel
//! (`eval::decide_json`, the same as `zan eval`), and this thread writes the chunks back in
//! order. The channels are bounded, so at most a few chunks are in memory whatever the size
//! of the input. Every input line gets exactly one output line: its decision, or
//! `{"line": N, "error": {...}}`.

use crate::eval;
use crate::ir::Rulebook;
use crate::time::date::Day;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Cases per chunk: large enough to keep channel traffic low, small enough to keep memory flat.
const CHUNK: usize = 512;
/// Chunks waiting for a worker, per worker.
const QUEUED_PER_WORKER: usize = 2;

/// One input item: its line number (1-based; the element number in a JSON array) and text, or
/// an already parsed element.
enum Item {
    Text(String),
    Parsed(Json),
}

struct Chunk {
    index: usize,
    first_line: usize,
    items: Vec<Item>,
}

struct Done {
    index: usize,
    /// Each output line, and whether it is an error line.
    lines: Vec<(String, bool)>,
}

pub struct Options {
    pub given: Option<Day>,
    pub explain: bool,
    pub fail_fast: bool,
    pub threads: usize,
}

/// Counts for the summary line.
#[derive(Default)]
struct Summary {
    cases: usize,
    errors: usize,
    /// Stopped before the end of the input (fail-fast, or the output was closed).
    stopped: bool,
}

pub fn run(rb: &Rulebook, input: &Path, options: &Options) -> Result<i32, String> {
    let reader: Box<dyn Read + Send> = if input == Path::new("-") {
        Box::new(std::io::stdin())
    } else {
        Box::new(
            std::fs::File::open(input)
                .map_err(|e| format!("cannot read {}: {e}", input.display()))?,
        )
    };
    let started = Instant::now();
    let workers = options.threads.max(1);
    // Explanations are long: smaller chunks keep the memory in flight about the same.
    let chunk = if options.explain { CHUNK / 16 } else { CHUNK };
    let stop = Arc::new(AtomicBool::new(false));
    let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(workers * QUEUED_PER_WORKER);
    let (done_tx, done_rx) = sync_channel::<Done>(workers * QUEUED_PER_WORKER);
    // The reader is not scoped: after fail-fast it may be blocked reading standard input,
    // and the run must not wait for it.
    let reading = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || read(reader, &chunk_tx, &stop, chunk))
    };
    let chunk_rx = Arc::new(Mutex::new(chunk_rx));
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let summary = std::thread::scope(|scope| {
        for _ in 0..workers {
            let rx = Arc::clone(&chunk_rx);
            let tx = done_tx.clone();
            let stop = &*stop;
            scope.spawn(move || work(rb, &rx, &tx, options, stop));
        }
        drop(done_tx);
        drop(chunk_rx);
        let summary = write_in_order(&done_rx, &mut out, options.fail_fast, &stop);
        // Stop the workers (and through them the reader) if the writer stopped early.
        stop.store(true, Ordering::Relaxed);
        drop(done_rx);
        summary
    });
    let read_error = if stop.load(Ordering::Relaxed) && summary.stopped {
        None
    } else {
        reading
            .join()
            .unwrap_or(Err("the reader stopped".into()))
            .err()
    };
    let _ = out.flush();
    let elapsed = started.elapsed().as_secs_f64();
    let rate = if elapsed > 0.0 {
        summary.cases as f64 / elapsed
    } else {
        0.0
    };
    eprintln!(
        "zan eval --batch: {} cases, {} decided, {} errors, {:.2} s, {:.0} cases/s{}",
        summary.cases,
        summary.cases - summary.errors,
        summary.errors,
        elapsed,
        rate,
        peak_memory()
            .map(|m| format!(", peak memory {m} MB"))
            .unwrap_or_default()
    );
    if let Some(e) = read_error {
        return Err(e);
    }
    Ok(if summary.errors > 0 { 1 } else { 0 })
}

/// Read NDJSON lines, or the elements of one JSON array, into chunks.
fn read(
    reader: Box<dyn Read + Send>,
    tx: &SyncSender<Chunk>,
    stop: &AtomicBool,
    size: usize,
) -> Result<(), String> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    let first = loop {
        let buf = reader
            .fill_buf()
            .map_err(|e| format!("cannot read the cases: {e}"))?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let b = buf[i];
                reader.consume(i);
                break Some(b);
            }
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    let mut sender = Sender {
        tx,
        stop,
        size,
        chunk: Vec::with_capacity(size),
        index: 0,
        next_line: 1,
    };
    let read = match first {
        None => Ok(()),
        Some(b'[') => read_array(reader, &mut sender),
        Some(_) => read_lines(reader, &mut sender),
    };
    // What was read before an error is still decided.
    sender.flush();
    read
}

struct Sender<'a> {
    tx: &'a SyncSender<Chunk>,
    stop: &'a AtomicBool,
    size: usize,
    chunk: Vec<Item>,
    index: usize,
    next_line: usize,
}

impl Sender<'_> {
    /// Queue one item; `false` when the run is stopping.
    fn push(&mut self, item: Item) -> bool {
        self.chunk.push(item);
        if self.chunk.len() >= self.size {
            self.flush();
        }
        !self.stop.load(Ordering::Relaxed)
    }

    fn flush(&mut self) {
        if self.chunk.is_empty() {
            return;
        }
        let items = std::mem::replace(&mut self.chunk, Vec::with_capacity(self.size));
        let n = items.len();
        let chunk = Chunk {
            index: self.index,
            first_line: self.next_line,
            items,
        };
        self.index += 1;
        self.next_line += n;
        if self.tx.send(chunk).is_err() {
            self.stop.store(true, Ordering::Relaxed);
        }
    }
}

fn read_lines(mut reader: impl BufRead, sender: &mut Sender) -> Result<(), String> {
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(|e| {
            format!(
                "cannot read line {}: {e}",
                sender.next_line + sender.chunk.len()
            )
        })?;
        if n == 0 {
            return Ok(());
        }
        let text = line.trim_end_matches(['\n', '\r']).to_string();
        if !sender.push(Item::Text(text)) {
            return Ok(());
        }
    }
}

/// The elements of a top-level JSON array, one at a time (the array never sits in memory).
fn read_array(reader: impl BufRead, sender: &mut Sender) -> Result<(), String> {
    use serde::de::{Deserializer, SeqAccess, Visitor};
    struct Elements<'s, 'a>(&'s mut Sender<'a>);
    impl<'de> Visitor<'de> for Elements<'_, '_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of cases")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(case) = seq.next_element::<Json>()? {
                if !self.0.push(Item::Parsed(case)) {
                    break;
                }
            }
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_reader(reader);
    de.deserialize_seq(Elements(sender)).map_err(|e| {
        format!("the cases are not a valid JSON array: {e} (the cases before it were decided)")
    })
}

fn work(
    rb: &Rulebook,
    rx: &Mutex<Receiver<Chunk>>,
    tx: &SyncSender<Done>,
    options: &Options,
    stop: &AtomicBool,
) {
    loop {
        let chunk = match rx.lock() {
            Ok(r) => r.recv(),
            Err(_) => return,
        };
        let Ok(chunk) = chunk else { return };
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let lines = chunk
            .items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match decide(rb, item, options) {
                Ok(j) => (j.to_string(), false),
                Err(e) => {
                    let line = chunk.first_line + i;
                    (json!({ "line": line, "error": e }).to_string(), true)
                }
            })
            .collect();
        let done = Done {
            index: chunk.index,
            lines,
        };
        if tx.send(done).is_err() {
            return;
        }
    }
}

fn decide(rb: &Rulebook, item: Item, options: &Options) -> Result<Json, Json> {
    let case = match item {
        Item::Parsed(j) => j,
        Item::Text(t) if t.trim().is_empty() => {
            return Err(
                json!({ "kind": "empty_line", "message": "an empty line: one case per line" }),
            )
        }
        Item::Text(t) => serde_json::from_str(&t).map_err(
            |e| json!({ "kind": "invalid_json", "message": format!("not valid JSON: {e}") }),
        )?,
    };
    eval::decide_json(rb, &case, options.given, options.explain)
}

/// Write the chunks in input order as they come back; with fail-fast, stop after the line of
/// the first error.
fn write_in_order(
    rx: &Receiver<Done>,
    out: &mut impl Write,
    fail_fast: bool,
    stop: &AtomicBool,
) -> Summary {
    let mut waiting: BTreeMap<usize, Done> = BTreeMap::new();
    let mut next = 0;
    let mut summary = Summary::default();
    while let Ok(done) = rx.recv() {
        waiting.insert(done.index, done);
        while let Some(done) = waiting.remove(&next) {
            next += 1;
            for (line, failed) in &done.lines {
                summary.cases += 1;
                summary.errors += usize::from(*failed);
                let closed = writeln!(out, "{line}").is_err();
                if closed || (*failed && fail_fast) {
                    summary.stopped = true;
                    stop.store(true, Ordering::Relaxed);
                    return summary;
                }
            }
        }
    }
    summary
}

/// Peak resident memory of this process in MB (Linux), for the summary.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}
