//! Benchmarks of the kz-visa rulebook: checking, evaluating 10,000 generated cases, and the
//! end-to-end JSON path (case text → case → decision → decision text), against two references
//! measured in the same run:
//!
//! - the **I/O floor**: serde_json reading the same case texts into typed Rust structs and
//!   writing a result of the same shape, with no rules (`support/kz_visa_baseline.rs`);
//! - a **hand-written Rust baseline**: the decision of one kz-visa rule set (place of issuance,
//!   fingerprinting, passport validity, duties in KZT, the NSC deadlines) written directly in
//!   Rust. It must agree with zan on every generated case, or the bench stops.
//!
//! Before criterion runs, a table of figures and ratios is printed (best of 5 runs with
//! `std::time::Instant`, one thread unless said otherwise); those are the figures to quote.
//! Batch figures run the `zan` binary itself (`zan eval --batch`), fed through a pipe.
//!
//! Cases are generated deterministically (a small LCG, fixed seed) from the example cases in
//! `rulebooks/kz-visa/examples`, varying the fields the rules depend on.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// mimalloc, as in the `zan` binary: checking and evaluation allocate many small, short-lived
/// values, and the figures are those of the binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{black_box, BenchmarkId, Criterion, Throughput};
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zan::engine::{Engine, Options, Selection};
use zan::eval::{self, output, Case, Depth};
use zan::{Rulebook, SourceMap};

#[path = "support/kz_visa_baseline.rs"]
mod baseline;
#[path = "support/kz_visa_cases.rs"]
mod cases;
use cases::{generate_all, load_examples, N, SEED};

/// Repetitions of each plain measure; the best one is printed.
const REPEATS: usize = 5;

// ------------------------------------------------------------------ loading

fn rulebook_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("rulebooks")
        .join("kz-visa")
}

fn load_map() -> (SourceMap, usize) {
    // `cargo bench` runs from the package root; relative names keep the file names short.
    let map = zan::load::rulebook(Path::new("rulebooks/kz-visa")).expect("the kz-visa rulebook");
    let lines = map.files().iter().map(|f| f.text.lines().count()).sum();
    (map, lines)
}

// ------------------------------------------------------------------ the measured work

/// JSON text → case → decision → decision JSON text (one line), as `zan eval --batch` does.
fn eval_json_all(engine: &Engine, texts: &[String], options: &Options) -> usize {
    texts
        .iter()
        .map(|t| {
            engine
                .decide_str(black_box(t), options)
                .expect("decided")
                .len()
        })
        .sum()
}

/// The decisions alone, the case already read into zan's value form.
fn decide_all(engine: &Engine, cases: &[Case], options: &Options) -> usize {
    cases
        .iter()
        .map(|c| {
            engine
                .decide(black_box(c), options)
                .expect("decided")
                .outputs
                .len()
        })
        .sum()
}

fn parse_all(rb: &Rulebook, cases: &[Json]) -> usize {
    cases
        .iter()
        .map(|j| {
            eval::case_from_json(rb, black_box(j))
                .expect("a valid case")
                .facts
                .len()
        })
        .sum()
}

fn read_all(rb: &Rulebook, texts: &[String]) -> usize {
    texts
        .iter()
        .map(|t| {
            eval::case_from_str(rb, black_box(t))
                .expect("a valid case")
                .facts
                .len()
        })
        .sum()
}

/// Best wall time of `REPEATS` runs of `f`.
fn best_of<R>(mut f: impl FnMut() -> R) -> Duration {
    (0..REPEATS)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn per_second(count: usize, t: Duration) -> f64 {
    count as f64 / t.as_secs_f64().max(1e-12)
}

// ------------------------------------------------------------------ main

struct Fixture {
    map: SourceMap,
    engine: Engine,
    cases: Vec<Case>,
    /// The cases as compact JSON text, one line each (what `--batch` reads).
    texts: Vec<String>,
    json: Vec<Json>,
    /// The baseline's rule set, resolved once.
    rule_set: Selection,
}

impl Fixture {
    fn rb(&self) -> &Rulebook {
        self.engine.rulebook()
    }
}

fn fixture() -> (Fixture, usize) {
    let (map, lines) = load_map();
    let engine = Engine::from_sources(map.clone()).expect("the kz-visa rulebook checks");
    let rb = engine.rulebook();
    let json = generate_all(&load_examples(&rulebook_dir()));
    let cases: Vec<Case> = json
        .iter()
        .enumerate()
        .map(|(i, j)| match eval::case_from_json(rb, j) {
            Ok(c) => c,
            Err(errors) => {
                let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
                panic!(
                    "generated case {i} is invalid:\n  {}\n{}",
                    list.join("\n  "),
                    serde_json::to_string_pretty(j).unwrap_or_default()
                );
            }
        })
        .collect();
    assert_eq!(cases.len(), N);
    let texts: Vec<String> = json
        .iter()
        .map(|j| serde_json::to_string(j).expect("case JSON"))
        .collect();
    let rule_set = engine
        .select(baseline::OUTPUTS)
        .expect("the rule set's outputs exist");
    let rule_set_only = Options {
        outputs: Some(&rule_set),
        ..Options::default()
    };
    for (i, (case, text)) in cases.iter().zip(&texts).enumerate() {
        // Both readers of zan give the same case.
        let read = eval::case_from_str(rb, text).expect("the text reads");
        assert_eq!(
            &read, case,
            "generated case {i}: the two case readers differ"
        );
        // The decision text written directly is the JSON tree's text.
        let full = engine.decide(case, &Options::default()).expect("decided");
        assert_eq!(
            engine.decision_text(&full),
            engine.decision_json(&full).to_string(),
            "generated case {i}: decision text"
        );
        // The hand-written baseline agrees with zan on the rule set.
        let decision = engine.decide(case, &rule_set_only).expect("decided");
        if let Err(e) = baseline::agreement(&engine.decision_json(&decision), text) {
            panic!("generated case {i}: the hand-written baseline disagrees with zan: {e}");
        }
    }
    (
        Fixture {
            map,
            engine,
            cases,
            texts,
            json,
            rule_set,
        },
        lines,
    )
}

/// How varied the generated cases are, so a reader can see what the figures cover: how many
/// cases fall before the 2026 order, and how many distinct values each output takes.
fn describe_cases(f: &Fixture) {
    let amendment = zan::time::date::parse("2026-03-10").expect("date");
    let mut before = 0;
    let mut with_errors = 0;
    let mut decisions = HashSet::new();
    let mut values: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    for c in &f.cases {
        let d = f.engine.decide(c, &Options::default()).expect("decided");
        before += usize::from(d.as_of < amendment);
        with_errors += usize::from(d.has_errors());
        let j = output::decision_json(f.rb(), &d);
        if let Some(outputs) = j["outputs"].as_object() {
            for (name, v) in outputs {
                values
                    .entry(name.clone())
                    .or_default()
                    .insert(v.to_string());
            }
        }
        decisions.insert(j["outputs"].to_string());
    }
    let varied: Vec<String> = values
        .iter()
        .map(|(k, v)| format!("{k} {}", v.len()))
        .collect();
    println!(
        "zan cases: {N} generated (seed {SEED:#x}); {before} evaluated before 2026-03-10; \
         {with_errors} with output errors; {} distinct decisions",
        decisions.len()
    );
    println!(
        "zan cases: distinct values per output: {}",
        varied.join(", ")
    );
}

/// One row of the printed table.
struct Figure {
    name: String,
    seconds: f64,
    /// Cases in `seconds` (0 for a figure that is not per case).
    cases: usize,
}

impl Figure {
    fn per_case_us(&self) -> f64 {
        self.seconds * 1e6 / self.cases.max(1) as f64
    }
}

fn row(f: &Figure) {
    if f.cases == 0 {
        println!("  {:<58} {:>10.2} ms", f.name, f.seconds * 1e3);
    } else {
        println!(
            "  {:<58} {:>10.2} µs/case {:>12.0} cases/s",
            f.name,
            f.per_case_us(),
            per_second(f.cases, Duration::from_secs_f64(f.seconds))
        );
    }
}

fn ratio(label: &str, value: f64, target: &str, met: bool) {
    println!(
        "  {label:<58} {value:>9.2}x   target {target}: {}",
        if met { "met" } else { "MISSED" }
    );
}

fn measure(name: &'static str, cases: usize, f: impl FnMut() -> usize) -> Figure {
    measure_named(name.to_string(), cases, f)
}

fn measure_named(name: String, cases: usize, f: impl FnMut() -> usize) -> Figure {
    let t = best_of(f);
    let figure = Figure {
        name,
        seconds: t.as_secs_f64(),
        cases,
    };
    row(&figure);
    figure
}

fn plain_measures(f: &Fixture, lines: usize) {
    let rb = f.rb();
    let all = Options::default();
    let rule_set = Options {
        outputs: Some(&f.rule_set),
        ..Options::default()
    };
    let typed: Vec<baseline::VisaCase> = f.texts.iter().map(|t| baseline::parse(t)).collect();
    println!(
        "zan figures ({N} generated kz-visa cases, best of {REPEATS}, 1 thread; rule set = {})",
        baseline::OUTPUTS.join(", ")
    );
    let floor = measure(
        "I/O floor: serde typed structs in, result shape out",
        N,
        || {
            f.texts
                .iter()
                .map(|t| baseline::io_floor(black_box(t)).len())
                .sum()
        },
    );
    let hand = measure("hand-written Rust: rule set, decision alone", N, || {
        typed
            .iter()
            .map(|c| baseline::decide(black_box(c)).errors.len())
            .sum()
    });
    measure("hand-written Rust: rule set, JSON text in/out", N, || {
        f.texts
            .iter()
            .map(|t| baseline::baseline_json(black_box(t)).len())
            .sum()
    });
    let zan_e2e = measure("zan: rule set, JSON text in/out", N, || {
        eval_json_all(&f.engine, &f.texts, &rule_set)
    });
    let zan_eval = measure("zan: rule set, evaluation alone (value form)", N, || {
        decide_all(&f.engine, &f.cases, &rule_set)
    });
    measure("zan: read case text into slots (no evaluation)", N, || {
        read_all(rb, &f.texts)
    });
    measure("zan: read case from a serde_json::Value tree", N, || {
        parse_all(rb, &f.json)
    });
    let outputs = f.engine.output_names().len();
    measure("zan: every output, evaluation alone", N, || {
        decide_all(&f.engine, &f.cases, &all)
    });
    measure("zan: every output, JSON text in/out", N, || {
        eval_json_all(&f.engine, &f.texts, &all)
    });
    let explained = explain_measures(f, &all);
    let files = f.map.files().len();
    let check = measure(
        "zan check kz-visa (parse, resolve, type, versions)",
        0,
        || usize::from(zan::check::check(&f.map).rulebook.is_some()),
    );
    println!("  ({outputs} outputs; kz-visa: {files} files, {lines} lines)");
    println!("ratios (same run):");
    let e2e = zan_e2e.seconds / floor.seconds;
    ratio("zan end to end / I/O floor", e2e, "<= 1.5x", e2e <= 1.5);
    let ev = zan_eval.seconds / hand.seconds;
    ratio(
        "zan evaluation alone / hand-written Rust",
        ev,
        "<= 10x (aim 5x)",
        ev <= 10.0,
    );
    for (label, x) in explained {
        println!("  {label:<58} {x:>9.2}x   (the cost of the explanation, paid only when asked)");
    }
    let ms = check.seconds * 1e3;
    println!(
        "  {:<58} {ms:>9.2} ms  target < 20 ms: {}",
        "zan check kz-visa",
        if ms < 20.0 { "met" } else { "MISSED" }
    );
    // The batch figures take about a minute; `ZAN_BENCH_QUICK=1` leaves them out.
    if std::env::var_os("ZAN_BENCH_QUICK").is_none() {
        batch_measures(f);
    }
}

/// Cases decided with an explanation in the explain figures: building the derivation of
/// every output is far dearer than the decision, so a tenth of the cases is enough.
const EXPLAINED: usize = N / 10;

/// Every output with `--explain` (the path to each value) and `--explain=full`, decided and
/// written as JSON text, on the first `EXPLAINED` cases, against the same cases without. The
/// ratios say what an explanation costs per decision; the plain figures above say that
/// decisions without one do not pay for it.
fn explain_measures(f: &Fixture, all: &Options) -> Vec<(String, f64)> {
    let cases = &f.cases[..EXPLAINED];
    let texts = &f.texts[..EXPLAINED];
    let with = |depth| Options {
        explain: Some(depth),
        ..*all
    };
    let (path, full) = (with(Depth::Path), with(Depth::Full));
    let plain = measure(
        "zan: every output, 1k cases, no explanation",
        EXPLAINED,
        || decide_all(&f.engine, cases, all),
    );
    let plain_json = measure(
        "zan: every output, 1k cases, JSON text in/out",
        EXPLAINED,
        || eval_json_all(&f.engine, texts, all),
    );
    let mut ratios = Vec::new();
    for (depth, options) in [("--explain", &path), ("--explain=full", &full)] {
        let decided = measure_named(
            format!("zan: every output, 1k cases, {depth}, decision"),
            EXPLAINED,
            || decide_all(&f.engine, cases, options),
        );
        let written = measure_named(
            format!("zan: every output, 1k cases, {depth}, JSON text in/out"),
            EXPLAINED,
            || eval_json_all(&f.engine, texts, options),
        );
        ratios.push((
            format!("{depth}: decision / decision without"),
            decided.seconds / plain.seconds,
        ));
        ratios.push((
            format!("{depth}: JSON in/out / JSON in/out without"),
            written.seconds / plain_json.seconds,
        ));
    }
    ratios
}

/// `zan eval --batch` as a user runs it: the binary, the cases through a pipe, stdout read
/// and counted. Returns (seconds, the summary line on stderr).
fn run_batch(f: &Fixture, cases: usize, threads: usize, extra: &[&str]) -> (f64, String) {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    let dir = rulebook_dir();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zan"))
        .arg("eval")
        .arg(&dir)
        .args(["--batch", "-", "--threads", &threads.to_string()])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run zan");
    let stdin = child.stdin.take().expect("stdin");
    let texts = &f.texts;
    let started = Instant::now();
    let feeder = std::thread::scope(|s| {
        let feeder = s.spawn(move || {
            // Owned here: dropping it at the end closes the pipe, which ends the input.
            let mut w = std::io::BufWriter::with_capacity(1 << 20, stdin);
            for i in 0..cases {
                w.write_all(texts[i % texts.len()].as_bytes())
                    .expect("write");
                w.write_all(b"\n").expect("write");
            }
            w.flush().expect("flush");
        });
        let out = BufReader::with_capacity(1 << 20, child.stdout.take().expect("stdout"));
        let lines = out.split(b'\n').count();
        assert_eq!(lines, cases, "one line out per case in");
        feeder.join()
    });
    feeder.expect("feeder");
    let output = child.wait_with_output().expect("zan ends");
    let seconds = started.elapsed().as_secs_f64();
    assert!(output.status.success(), "zan eval --batch failed");
    let summary = String::from_utf8_lossy(&output.stderr).trim().to_string();
    (seconds, summary)
}

fn peak_mb(summary: &str) -> Option<u64> {
    let rest = summary.split("peak memory ").nth(1)?;
    rest.split_whitespace().next()?.parse().ok()
}

/// `zan eval --batch FILE > /dev/null`: the workers' throughput, with nothing else competing
/// for the two cores but the reader and writer threads of zan itself.
fn run_batch_file(input: &Path, threads: usize) -> f64 {
    use std::process::{Command, Stdio};
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_zan"))
        .arg("eval")
        .arg(rulebook_dir())
        .arg("--batch")
        .arg(input)
        .args(["--threads", &threads.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run zan");
    assert!(status.success(), "zan eval --batch failed");
    started.elapsed().as_secs_f64()
}

fn batch_measures(f: &Fixture) {
    const BATCH: usize = 100_000;
    let input = std::env::temp_dir().join(format!("zan-bench-{}.ndjson", std::process::id()));
    let mut text = String::new();
    for i in 0..BATCH {
        text.push_str(&f.texts[i % f.texts.len()]);
        text.push('\n');
    }
    std::fs::write(&input, text).expect("write the batch input");
    println!(
        "zan eval --batch (the binary, {BATCH} cases from a file, output discarded, every output):"
    );
    let mut best = [f64::MAX; 2];
    for _ in 0..3 {
        for (i, threads) in [1, 2].into_iter().enumerate() {
            best[i] = best[i].min(run_batch_file(&input, threads));
        }
    }
    let _ = std::fs::remove_file(&input);
    for (i, threads) in [1, 2].into_iter().enumerate() {
        println!(
            "  {:<58} {:>10.2} µs/case {:>12.0} cases/s",
            format!("{threads} thread(s), best of 3"),
            best[i] * 1e6 / BATCH as f64,
            BATCH as f64 / best[i]
        );
    }
    let speedup = best[0] / best[1];
    ratio("2 threads / 1 thread", speedup, ">= 1.8x", speedup >= 1.8);
    const MILLION: usize = 1_000_000;
    let (t, summary) = run_batch(f, MILLION, 2, &["--summary-by", "place_of_issuance"]);
    let mb = peak_mb(&summary);
    println!(
        "  {:<58} {:>10.1} s, peak RSS {} MB  target < 100 MB: {}",
        "1,000,000 cases through a pipe, 2 threads",
        t,
        mb.map_or("?".into(), |m| m.to_string()),
        if mb.is_some_and(|m| m < 100) {
            "met"
        } else {
            "MISSED"
        }
    );
    println!("  summary: {summary}");
}

fn benches(c: &mut Criterion, f: &Fixture) {
    let all = Options::default();
    let rule_set = Options {
        outputs: Some(&f.rule_set),
        ..Options::default()
    };
    c.bench_function("check/kz-visa", |b| {
        b.iter(|| zan::check::check(black_box(&f.map)))
    });

    let mut g = c.benchmark_group("eval");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function(BenchmarkId::new("kz-visa", "10k"), |b| {
        b.iter(|| decide_all(&f.engine, &f.cases, &all))
    });
    g.bench_function(BenchmarkId::new("kz-visa-rule-set", "10k"), |b| {
        b.iter(|| decide_all(&f.engine, &f.cases, &rule_set))
    });
    g.bench_function(BenchmarkId::new("hand-written-rule-set", "10k"), |b| {
        let typed: Vec<baseline::VisaCase> = f.texts.iter().map(|t| baseline::parse(t)).collect();
        b.iter(|| {
            typed
                .iter()
                .map(|c| baseline::decide(black_box(c)).errors.len())
                .sum::<usize>()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("eval_explain");
    g.throughput(Throughput::Elements(EXPLAINED as u64));
    for (name, depth) in [("path", Depth::Path), ("full", Depth::Full)] {
        let explained = Options {
            explain: Some(depth),
            ..Options::default()
        };
        g.bench_function(BenchmarkId::new(name, "1k"), |b| {
            b.iter(|| decide_all(&f.engine, &f.cases[..EXPLAINED], &explained))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("eval_json");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function(BenchmarkId::new("kz-visa", "10k"), |b| {
        b.iter(|| eval_json_all(&f.engine, &f.texts, &all))
    });
    g.bench_function(BenchmarkId::new("kz-visa-rule-set", "10k"), |b| {
        b.iter(|| eval_json_all(&f.engine, &f.texts, &rule_set))
    });
    g.bench_function(BenchmarkId::new("io-floor", "10k"), |b| {
        b.iter(|| {
            f.texts
                .iter()
                .map(|t| baseline::io_floor(black_box(t)).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

fn main() {
    let (f, lines) = fixture();
    // `cargo test --benches` runs this binary with `--bench` absent: check the fixture only.
    let benching = std::env::args().any(|a| a == "--bench");
    // `--profile-time` (criterion's mode for profilers) runs the chosen benchmark alone.
    let profiling = std::env::args().any(|a| a == "--profile-time");
    if benching && !profiling {
        describe_cases(&f);
        plain_measures(&f, lines);
    }
    let mut c = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(20)
        .configure_from_args();
    benches(&mut c, &f);
    c.final_summary();
}
