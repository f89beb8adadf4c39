//! `zan eval RULEBOOK --batch [FILE|-]`: cases as NDJSON (or one JSON array) in, one decision
//! per line out, in input order.
//!
//! A reader thread cuts the input into chunks of lines, workers decide the chunks in parallel
//! (`Engine::decide`, the same as `zan eval` and the library), and this thread writes the
//! chunks back in order. The channels are bounded, so at most a few chunks are in memory
//! whatever the size of the input. Every input line gets exactly one output line: its
//! decision, or `{"line": N, "error": {...}}`.
//!
//! A line is read whole up to `MAX_LINE_BYTES`; a longer one gets an error line and is skipped
//! as it streams by, so no input can make the reader hold more than that per line.
//!
//! Everything goes to standard output through `output::Output`: when the reader has gone the
//! run stops quietly, and when a write fails (a full disk) it says so, stops, and exits with 2
//! and a summary that says it stopped. SIGINT and SIGTERM stop it between two chunks
//! (`signals`).
//!
//! A case line is read straight into the rulebook's slot layout (`Engine::case_from_str`) and
//! its decision written straight to text (`Engine::write_decision`): no JSON tree per case.

use super::output::{stderr_line, Output, State};
use super::signals;
use crate::engine::{DecideError, Engine, Options as DecideOptions, Selection};
use crate::eval::{self, Case, Decision};
use crate::ir::Type;
use crate::time::date::Day;
use crate::value::Value;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The longest NDJSON line read (64 MiB, without its line end). A longer line gets the error
/// `line_too_long` on its own output line and the run goes on; its bytes past the limit are
/// skipped as they are read, never held.
pub const MAX_LINE_BYTES: usize = 64 << 20;

/// Cases per chunk: large enough to keep channel traffic low, small enough to keep memory flat.
const CHUNK: usize = 256;
/// Bytes of input per chunk: a chunk of long lines is sent before it has `CHUNK` of them.
const CHUNK_BYTES: usize = 16 << 20;
/// White space read before deciding that the input is NDJSON rather than an array.
const MAX_SKIPPED: usize = 1 << 20;
/// Chunks waiting for a worker, per worker.
const QUEUED_PER_WORKER: usize = 2;

/// One chunk of input: NDJSON lines as they were read (no allocation per line), or the
/// elements of a JSON array, already parsed.
enum Input {
    /// `count` lines, each ended by `\n`; the lines at the positions `too_long` (in order,
    /// usually none, so never allocated) were longer than `MAX_LINE_BYTES` and are empty here.
    Lines {
        text: Vec<u8>,
        count: usize,
        too_long: Vec<usize>,
    },
    /// Each element with the JSON paths of the keys it gives more than once.
    Parsed(Vec<(Json, Vec<String>)>),
}

impl Input {
    fn len(&self) -> usize {
        match self {
            Input::Lines { count, .. } => *count,
            Input::Parsed(items) => items.len(),
        }
    }
}

struct Chunk {
    index: usize,
    /// The line number (1-based; the element number in a JSON array) of its first case.
    first_line: usize,
    input: Input,
}

/// A decided chunk: its output lines as one text, written with a single call.
struct Done {
    index: usize,
    text: Vec<u8>,
    lines: usize,
    errors: usize,
    /// The first error line: its position in the chunk and the end of its text (fail-fast
    /// writes up to there).
    first_error: Option<(usize, usize)>,
    /// The values of the summary's output in this chunk.
    tally: Tally,
}

pub struct Options {
    pub given: Option<Day>,
    /// `--explain`, to this depth.
    pub explain: Option<crate::eval::Depth>,
    pub fail_fast: bool,
    pub threads: usize,
    /// Only these outputs (`--outputs`).
    pub outputs: Option<Selection>,
    /// The output whose values the summary counts, by name, and resolved.
    pub summary_by: Option<(String, Selection)>,
}

/// Counts for the summary line.
#[derive(Default)]
struct Summary {
    cases: usize,
    errors: usize,
    /// Stopped before the end of the input (fail-fast, a signal, or the output was closed or
    /// failed).
    stopped: bool,
    /// Stopped by SIGINT or SIGTERM.
    signal: Option<signals::Stop>,
    tally: Tally,
}

/// Distinct values of one output and how many decisions gave each: at most `TALLIED` values,
/// the rest counted together. Values are compared, not rendered, until the summary.
#[derive(Default)]
struct Tally {
    /// The value (`None` when the output failed or does not exist in the version), the
    /// version that gave it (a reason names a rule of its version's program), its type.
    counts: Vec<(Option<Value>, usize, Type, usize)>,
    others: usize,
}

const TALLIED: usize = 24;

impl Tally {
    fn add(&mut self, value: Option<&Value>, version: usize, ty: &Type, n: usize) {
        // A reason names a rule of its version's program: such values match within a version.
        let by_version = matches!(value, Some(Value::List(_) | Value::Reason(..)));
        let found = self
            .counts
            .iter()
            .position(|(v, ver, _, _)| v.as_ref() == value && (*ver == version || !by_version));
        match found {
            Some(i) => self.counts[i].3 += n,
            None if self.counts.len() < TALLIED => {
                self.counts.push((value.cloned(), version, ty.clone(), n))
            }
            None => self.others += n,
        }
    }

    /// The decisions counted.
    fn total(&self) -> usize {
        self.counts.iter().map(|c| c.3).sum::<usize>() + self.others
    }

    fn merge(&mut self, other: Tally) {
        for (v, version, ty, n) in other.counts {
            self.add(v.as_ref(), version, &ty, n);
        }
        self.others += other.others;
    }

    /// `name: "foreign_mission" 120000, null 79990`, most frequent first.
    fn describe(mut self, engine: &Engine, name: &str) -> String {
        self.counts.sort_by_key(|c| std::cmp::Reverse(c.3));
        let rb = engine.rulebook();
        let mut parts: Vec<String> = self
            .counts
            .iter()
            .map(|(v, version, ty, n)| {
                let program = rb.versions.get(*version).map(|v| &*v.program);
                let text = match (v, program) {
                    (Some(v), Some(p)) => short(&eval::output::value_json(rb, p, ty, v)),
                    _ => "error or absent".to_string(),
                };
                format!("{text} {n}")
            })
            .collect();
        if self.others > 0 {
            parts.push(format!("other values {}", self.others));
        }
        format!("{name}: {}", parts.join(", "))
    }
}

pub fn run(engine: &Engine, input: &Path, options: &Options) -> Result<i32, String> {
    let (reader, size): (Box<dyn Read + Send>, Option<u64>) = if input == Path::new("-") {
        (Box::new(std::io::stdin()), None)
    } else {
        let file = std::fs::File::open(input)
            .map_err(|e| format!("cannot read {}: {e}", input.display()))?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(file), size)
    };
    signals::install();
    let started = Instant::now();
    let workers = options.threads.max(1);
    // Explanations are long: smaller chunks keep the memory in flight about the same.
    let chunk = if options.explain.is_some() {
        CHUNK / 16
    } else {
        CHUNK
    };
    let stop = Arc::new(AtomicBool::new(false));
    let bytes_read = Arc::new(AtomicU64::new(0));
    let progress = Progress::new(size, Arc::clone(&bytes_read));
    let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(workers * QUEUED_PER_WORKER);
    let (done_tx, done_rx) = sync_channel::<Done>(workers * QUEUED_PER_WORKER);
    // The reader is not scoped: after fail-fast it may be blocked reading standard input,
    // and the run must not wait for it.
    let reading = {
        let stop = Arc::clone(&stop);
        let reader = Counting {
            inner: reader,
            count: bytes_read,
        };
        std::thread::spawn(move || read(Box::new(reader), &chunk_tx, &stop, chunk))
    };
    let chunk_rx = Arc::new(Mutex::new(chunk_rx));
    let mut out = Output::new();
    let (summary, workers_started) = std::thread::scope(|scope| {
        let mut started = 0;
        for _ in 0..workers {
            let rx = Arc::clone(&chunk_rx);
            let tx = done_tx.clone();
            let stop = &*stop;
            let spawned = std::thread::Builder::new()
                .stack_size(crate::THREAD_STACK_BYTES)
                .spawn_scoped(scope, move || work(engine, &rx, &tx, options, stop));
            match spawned {
                Ok(_) => started += 1,
                Err(e) => stderr_line!("warning: cannot start a worker thread: {e}"),
            }
        }
        drop(done_tx);
        drop(chunk_rx);
        let summary = write_in_order(&done_rx, &mut out, options.fail_fast, &stop, &progress);
        // Stop the workers (and through them the reader) if the writer stopped early.
        stop.store(true, Ordering::Relaxed);
        drop(done_rx);
        (summary, started)
    });
    progress.finish();
    if workers_started == 0 {
        return Err("cannot start a worker thread; no case was decided".into());
    }
    let read_error = if stop.load(Ordering::Relaxed) && summary.stopped {
        None
    } else {
        reading
            .join()
            .unwrap_or(Err("the reader stopped".into()))
            .err()
    };
    out.flush();
    if out.state() == State::Failed {
        // The failure is already reported; the counts would claim what was not delivered.
        stderr_line!(
            "zan eval --batch: stopped: standard output could not be written, so the decisions written are incomplete"
        );
        return Ok(super::EXIT_USAGE);
    }
    let failed = summary.errors > 0;
    let signal = summary.signal;
    let line = summary_line(engine, options, summary, started.elapsed());
    if let Some(signal) = signal {
        stderr_line!(
            "{line}; {}: the lines written are whole, the rest was not decided",
            signal.describe()
        );
        return Ok(signal.exit_code());
    }
    if out.state() == State::Closed {
        stderr_line!("{line}; stopped: standard output was closed");
    } else {
        stderr_line!("{line}");
    }
    if let Some(e) = read_error {
        return Err(e);
    }
    Ok(if failed { 1 } else { 0 })
}

/// A value as a person reads it in one line: `8650.00 KZT`, `foreign_mission`, `[code, code]`.
fn short(v: &Json) -> String {
    match v {
        Json::Null => "none".into(),
        Json::String(s) => s.clone(),
        Json::Array(items) => {
            let items: Vec<String> = items.iter().map(short).collect();
            format!("[{}]", items.join(", "))
        }
        Json::Object(o) => match (o.get("amount"), o.get("currency"), o.get("code")) {
            (Some(Json::String(a)), Some(Json::String(c)), _) => format!("{a} {c}"),
            (_, _, Some(Json::String(code))) => code.clone(),
            _ => v.to_string(),
        },
        _ => v.to_string(),
    }
}

/// `zan eval --batch: N cases, D decided (OUTPUT: value n, ...), E errors, S s, R cases/s,
/// peak memory M MB`.
fn summary_line(engine: &Engine, options: &Options, summary: Summary, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 {
        summary.cases as f64 / seconds
    } else {
        0.0
    };
    let by_value = match &options.summary_by {
        Some((name, _)) if summary.tally.total() > 0 => {
            format!(" ({})", summary.tally.describe(engine, name))
        }
        _ => String::new(),
    };
    format!(
        "zan eval --batch: {} cases, {} decided{by_value}, {} errors, {seconds:.2} s, {rate:.0} cases/s{}",
        summary.cases,
        summary.cases - summary.errors,
        summary.errors,
        peak_memory()
            .map(|m| format!(", peak memory {m} MB"))
            .unwrap_or_default()
    )
}

/// Counts the bytes read, for the progress bar.
struct Counting {
    inner: Box<dyn Read + Send>,
    count: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A progress bar on stderr when it is a terminal (bytes of the input file read, cases per
/// second, time left); nothing otherwise, so logs and pipes get only the summary.
struct Progress {
    bar: Option<ProgressBar>,
    bytes: Arc<AtomicU64>,
    started: Instant,
}

impl Progress {
    fn new(size: Option<u64>, bytes: Arc<AtomicU64>) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let (bar, template) = match size {
                Some(n) => (
                    ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
                    "{spinner} [{elapsed_precise}] {wide_bar} {percent:>3}% {msg}, ETA {eta}",
                ),
                None => (
                    ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
                    "{spinner} [{elapsed_precise}] {msg}",
                ),
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            bytes,
            started: Instant::now(),
        }
    }

    fn update(&self, cases: usize) {
        let Some(bar) = &self.bar else { return };
        let seconds = self.started.elapsed().as_secs_f64().max(1e-9);
        bar.set_position(self.bytes.load(Ordering::Relaxed));
        bar.set_message(format!(
            "{cases} cases, {:.0} cases/s",
            cases as f64 / seconds
        ));
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Read NDJSON lines, or the elements of one JSON array, into chunks.
fn read(
    reader: Box<dyn Read + Send>,
    tx: &SyncSender<Chunk>,
    stop: &AtomicBool,
    size: usize,
) -> Result<(), String> {
    let mut reader = BufReader::with_capacity(1 << 16, reader);
    // The first byte that is not white space tells an array from NDJSON. The white space
    // before it is kept: in NDJSON its lines are (empty) input lines and get output lines.
    let mut skipped = Vec::new();
    // A UTF-8 byte order mark, as some editors save it, is not part of the cases.
    let buf = reader
        .fill_buf()
        .map_err(|e| format!("cannot read the cases: {e}"))?;
    if buf.starts_with(b"\xef\xbb\xbf") {
        reader.consume(3);
    }
    let first = loop {
        let buf = reader
            .fill_buf()
            .map_err(|e| format!("cannot read the cases: {e}"))?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => break buf.get(i).copied(),
            None if buf.is_empty() || skipped.len() > MAX_SKIPPED => break None,
            None => {
                skipped.extend_from_slice(buf);
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    let mut sender = Sender {
        tx,
        stop,
        size,
        index: 0,
        next_line: 1,
    };
    match first {
        Some(b'[') => read_array(reader, &mut sender),
        _ => read_lines(
            std::io::Cursor::new(skipped).chain(reader),
            &mut sender,
            MAX_LINE_BYTES,
        ),
    }
}

struct Sender<'a> {
    tx: &'a SyncSender<Chunk>,
    stop: &'a AtomicBool,
    size: usize,
    index: usize,
    next_line: usize,
}

impl Sender<'_> {
    /// Queue one chunk; `false` when the run is stopping.
    fn send(&mut self, input: Input) -> bool {
        let n = input.len();
        if n == 0 {
            return !self.stop.load(Ordering::Relaxed);
        }
        let chunk = Chunk {
            index: self.index,
            first_line: self.next_line,
            input,
        };
        self.index += 1;
        self.next_line += n;
        if self.tx.send(chunk).is_err() {
            self.stop.store(true, Ordering::Relaxed);
        }
        !self.stop.load(Ordering::Relaxed)
    }
}

/// NDJSON: `size` lines (at most about `CHUNK_BYTES`) at a time into one buffer, as bytes (a
/// line that is not UTF-8 is the worker's to report, on its own output line). A line longer
/// than `max_line` bytes is read up to there, then dropped and skipped to its end, and left
/// empty in the buffer with its position in `too_long`.
fn read_lines(
    mut reader: impl BufRead,
    sender: &mut Sender,
    max_line: usize,
) -> Result<(), String> {
    let mut capacity = 1 << 16;
    loop {
        let mut text = Vec::with_capacity(capacity);
        let mut too_long = Vec::new();
        let mut count = 0;
        let mut result = Ok(());
        let mut at_end = false;
        while count < sender.size && text.len() < CHUNK_BYTES {
            let start = text.len();
            match read_line(&mut reader, &mut text, max_line) {
                Ok(Line::End) => {
                    at_end = true;
                    break;
                }
                Ok(Line::TooLong) => {
                    text.truncate(start);
                    text.shrink_to(capacity.max(start));
                    text.push(b'\n');
                    too_long.push(count);
                    count += 1;
                    if let Err(e) = reader.skip_until(b'\n') {
                        let line = sender.next_line + count - 1;
                        result = Err(format!("cannot read line {line}: {e}"));
                        break;
                    }
                }
                Ok(Line::Whole) => count += 1,
                Err(e) => {
                    let line = sender.next_line + count;
                    result = Err(format!("cannot read line {line}: {e}"));
                    break;
                }
            }
        }
        let end = at_end || result.is_err();
        capacity = capacity.max(text.len()).min(CHUNK_BYTES);
        // What was read before an error is still decided.
        let input = Input::Lines {
            text,
            count,
            too_long,
        };
        if !sender.send(input) || end {
            return result;
        }
    }
}

/// What `read_line` read.
enum Line {
    /// The end of the input: nothing was read.
    End,
    /// A line, with its `\n` unless it is the last line of the input.
    Whole,
    /// The first `max_line` bytes and one more of a longer line (the rest is not read).
    TooLong,
}

/// Lines longer than this are read in a second step, into room reserved up to the limit at
/// once (growing by doubling would take up to twice the limit).
const LONG_LINE: usize = 1 << 20;

/// Read one line into `text`, at most `max_line` bytes and its `\n`.
fn read_line(
    reader: &mut impl BufRead,
    text: &mut Vec<u8>,
    max_line: usize,
) -> std::io::Result<Line> {
    let bytes = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    // One byte over the limit: enough to see the line end of a line at the limit.
    let short = max_line.min(LONG_LINE);
    let n = (&mut *reader)
        .take(bytes(short) + 1)
        .read_until(b'\n', text)?;
    if n == 0 {
        return Ok(Line::End);
    }
    if n <= short || text.last() == Some(&b'\n') {
        return Ok(Line::Whole);
    }
    let rest = max_line + 1 - n;
    text.reserve_exact(rest);
    let more = (&mut *reader).take(bytes(rest)).read_until(b'\n', text)?;
    if n + more > max_line && text.last() != Some(&b'\n') {
        Ok(Line::TooLong)
    } else {
        Ok(Line::Whole)
    }
}

/// The elements of a top-level JSON array, one at a time (the array never sits in memory).
fn read_array(reader: impl BufRead, sender: &mut Sender) -> Result<(), String> {
    use serde::de::{Deserializer, SeqAccess, Visitor};
    struct Elements<'s, 'a>(&'s mut Sender<'a>, Vec<(Json, Vec<String>)>);
    impl<'de> Visitor<'de> for &mut Elements<'_, '_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of cases")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            loop {
                // Read with the repeated keys found (a `Json` tree alone keeps the last value).
                let mut repeated = Vec::new();
                let Some(case) =
                    seq.next_element_seed(eval::strict_json::Strict::new(&mut repeated))?
                else {
                    break;
                };
                self.1.push((case, repeated));
                if self.1.len() >= self.0.size {
                    let items = std::mem::take(&mut self.1);
                    if !self.0.send(Input::Parsed(items)) {
                        break;
                    }
                }
            }
            Ok(())
        }
    }
    let mut elements = Elements(sender, Vec::new());
    let mut de = serde_json::Deserializer::from_reader(reader);
    let read = de.deserialize_seq(&mut elements).map_err(|e| {
        format!("the cases are not a valid JSON array: {e} (the cases before it were decided)")
    });
    // What was read before an error is still decided.
    let rest = std::mem::take(&mut elements.1);
    elements.0.send(Input::Parsed(rest));
    read
}

fn work(
    engine: &Engine,
    rx: &Mutex<Receiver<Chunk>>,
    tx: &SyncSender<Done>,
    options: &Options,
    stop: &AtomicBool,
) {
    let decide_options = DecideOptions {
        as_of: options.given,
        explain: options.explain,
        outputs: options.outputs.as_ref(),
    };
    let mut capacity = 1 << 16;
    loop {
        let chunk = match rx.lock() {
            Ok(r) => r.recv(),
            Err(_) => return,
        };
        let Ok(chunk) = chunk else { return };
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let mut done = Done {
            index: chunk.index,
            text: Vec::with_capacity(capacity),
            lines: 0,
            errors: 0,
            first_error: None,
            tally: Tally::default(),
        };
        let line = |case: Result<Case, Json>, done: &mut Done| {
            let decided = case.and_then(|c| {
                engine
                    .decide(&c, &decide_options)
                    .map_err(|e: DecideError| e.json())
            });
            match decided {
                Ok(decision) => {
                    count(&mut done.tally, options, &decision);
                    engine.write_decision(&decision, &mut done.text);
                }
                Err(e) => {
                    let line = chunk.first_line + done.lines;
                    let error = json!({ "line": line, "error": e });
                    // Writing to a Vec cannot fail.
                    let _ = serde_json::to_writer(&mut done.text, &error);
                    done.errors += 1;
                    if done.first_error.is_none() {
                        done.first_error = Some((done.lines, done.text.len() + 1));
                    }
                }
            }
            done.text.push(b'\n');
            done.lines += 1;
        };
        match &chunk.input {
            Input::Lines {
                text,
                count,
                too_long,
            } => {
                let mut too_long = too_long.iter().peekable();
                for (i, bytes) in text.split(|&b| b == b'\n').take(*count).enumerate() {
                    let case = if too_long.next_if_eq(&&i).is_some() {
                        Err(line_too_long(chunk.first_line + i))
                    } else {
                        case_from_line(engine, bytes)
                    };
                    line(case, &mut done);
                }
            }
            Input::Parsed(items) => {
                for (item, repeated) in items {
                    let case = if repeated.is_empty() {
                        engine.case_from_json(item)
                    } else {
                        let errors = eval::strict_json::repeated_keys(repeated.iter().cloned());
                        Err(DecideError::DuplicateKey(errors))
                    };
                    line(case.map_err(|e| e.json()), &mut done);
                }
            }
        }
        capacity = capacity.max(done.text.len());
        if tx.send(done).is_err() {
            return;
        }
    }
}

/// The error of a line longer than `MAX_LINE_BYTES`.
fn line_too_long(line: usize) -> Json {
    json!({
        "kind": "line_too_long",
        "message": format!(
            "line {line} is longer than {MAX_LINE_BYTES} bytes (64 MiB), the longest line read; it was skipped"
        ),
    })
}

/// One NDJSON line (without its `\n`) as a case.
fn case_from_line(engine: &Engine, bytes: &[u8]) -> Result<Case, Json> {
    let text = crate::engine::case_line(bytes)?;
    engine.case_from_str(text).map_err(|e| e.json())
}

/// Count the value of the summary's output in a decision.
fn count(tally: &mut Tally, options: &Options, d: &Decision) {
    let Some((_, selection)) = &options.summary_by else {
        return;
    };
    let rule = selection.rules(d.version).first();
    let found = rule.and_then(|id| d.outputs.iter().find(|(r, _)| r == id));
    match (found, rule.and_then(|&id| d.program.rules.get(id as usize))) {
        (Some((_, Ok(v))), Some(r)) => tally.add(Some(v), d.version, &r.ty, 1),
        _ => tally.add(None, d.version, &Type::Error, 1),
    }
}

/// Write the chunks in input order as they come back; with fail-fast, stop after the line of
/// the first error.
fn write_in_order(
    rx: &Receiver<Done>,
    out: &mut Output,
    fail_fast: bool,
    stop: &AtomicBool,
    progress: &Progress,
) -> Summary {
    let mut waiting: BTreeMap<usize, Done> = BTreeMap::new();
    let mut next = 0;
    let mut summary = Summary::default();
    loop {
        let done = match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(done) => done,
            Err(RecvTimeoutError::Timeout) => {
                if let Some(signal) = signals::received() {
                    summary.stopped = true;
                    summary.signal = Some(signal);
                    stop.store(true, Ordering::Relaxed);
                    return summary;
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        waiting.insert(done.index, done);
        while let Some(mut done) = waiting.remove(&next) {
            next += 1;
            let (lines, end) = match done.first_error {
                Some((i, end)) if fail_fast => (i + 1, end),
                _ => (done.lines, done.text.len()),
            };
            // Closed by the reader or failed (reported): either way nothing more is written.
            let written = out.write("the decisions", &done.text[..end]);
            if written {
                summary.tally.merge(std::mem::take(&mut done.tally));
                summary.cases += lines;
                summary.errors += if fail_fast {
                    done.errors.min(1)
                } else {
                    done.errors
                };
                progress.update(summary.cases);
            }
            let signal = signals::received();
            if !written || signal.is_some() || (fail_fast && done.errors > 0) {
                summary.stopped = true;
                summary.signal = signal;
                stop.store(true, Ordering::Relaxed);
                return summary;
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
