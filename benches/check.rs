//! Benchmarks of `zan check` (parse, lowering, names and types, consolidation of versions):
//! the kz-visa rulebook, which the language server checks again on every keystroke, and
//! generated rulebooks of 1,000, 10,000 and 100,000 declarations, to show that checking time
//! grows linearly with the size of the rulebook.
//!
//! Before criterion runs, one plain line per measure is printed (best of several runs with
//! `std::time::Instant`, one thread); those are the figures to quote in reports. Run by
//! `cargo test --benches` (no `--bench` argument), it only builds the fixtures and asserts
//! that they check without a diagnostic.
//!
//! The generator is `support/gen_rulebook.rs` (deterministic, no randomness).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/gen_rulebook.rs"]
mod gen_rulebook;

/// mimalloc, as in the `zan` binary: checking and evaluation allocate many small, short-lived
/// values, and the figures are those of the binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{black_box, BenchmarkId, Criterion, Throughput};
use gen_rulebook::GenRulebook;
use std::path::Path;
use std::time::{Duration, Instant};
use zan::diagnostics::Diagnostic;
use zan::SourceMap;

/// The language server's budget for checking kz-visa.
const KZ_VISA_TARGET: Duration = Duration::from_millis(20);
/// The budget for a generated rulebook of 10,000 declarations.
const GEN_10K_TARGET: Duration = Duration::from_millis(300);
/// Generated sizes, in declarations.
const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

// ------------------------------------------------------------------ fixtures

/// The kz-visa rulebook as `zan check` loads it (its `.zan` files in path order, and its legal
/// texts), and its number of `.zan` lines.
fn kz_visa() -> (SourceMap, usize) {
    // `cargo bench` runs from the package root; relative names keep the file names short.
    let map = zan::load::rulebook(Path::new("rulebooks/kz-visa")).expect("the kz-visa rulebook");
    let lines = map.files().iter().map(|f| f.text.lines().count()).sum();
    (map, lines)
}

fn generated_map(rb: &GenRulebook) -> SourceMap {
    let mut map = SourceMap::new();
    for f in &rb.files {
        map.add(f.name.clone(), f.text.clone());
    }
    map
}

/// Check once and require a rulebook without any diagnostic (the generated rulebooks) or
/// without errors (kz-visa, whose open points are notes).
fn check_clean(map: &SourceMap, what: &str, no_diagnostics: bool) {
    let checked = zan::check::check(map);
    let shown: Vec<&Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| no_diagnostics || d.is_error())
        .collect();
    if !shown.is_empty() || checked.rulebook.is_none() {
        let first: Vec<String> = shown
            .iter()
            .take(10)
            .map(|d| {
                let file = map
                    .get(d.primary.span.file)
                    .map_or("?", |f| f.name.as_str());
                let (line, _) = map
                    .get(d.primary.span.file)
                    .map_or((0, 0), |f| f.line_col(d.primary.span.start as usize));
                format!(
                    "{file}:{}: {} {}: {}",
                    line + 1,
                    d.code.as_str(),
                    d.severity.as_str(),
                    d.message
                )
            })
            .collect();
        panic!(
            "{what}: {} unexpected diagnostics, the first:\n  {}",
            shown.len(),
            first.join("\n  ")
        );
    }
}

struct Generated {
    decls: usize,
    lines: usize,
    bytes: usize,
    files: usize,
    map: SourceMap,
}

fn generated(n: usize) -> Generated {
    let rb = gen_rulebook::generate(n);
    let map = generated_map(&rb);
    check_clean(
        &map,
        &format!("generated rulebook of {n} declarations"),
        true,
    );
    Generated {
        decls: rb.declarations,
        lines: rb.lines(),
        bytes: rb.bytes(),
        files: rb.files.len(),
        map,
    }
}

// ------------------------------------------------------------------ plain measures

fn best_of(repeats: usize, mut f: impl FnMut() -> bool) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..repeats {
        let t = Instant::now();
        let ok = black_box(f());
        best = best.min(t.elapsed());
        assert!(ok);
    }
    best
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Fewer repetitions for the big rulebooks.
fn repeats_for(decls: usize) -> usize {
    match decls {
        0..=20_000 => 10,
        _ => 3,
    }
}

fn check_once(map: &SourceMap) -> bool {
    zan::check::check(map).rulebook.is_some()
}

/// Where the time goes: parsing every file (pest and lowering), and checking the parsed files
/// (names, types, versions, tests), each the best of `repeats`.
fn split(map: &SourceMap, repeats: usize) -> String {
    let parse = || -> Vec<zan::syntax::Parsed> {
        map.ids()
            .map(|id| zan::syntax::parse_file(map, id))
            .collect()
    };
    let t_parse = best_of(repeats, || !parse().is_empty());
    let t_parallel = best_of(repeats, || !zan::syntax::parse_files(map).is_empty());
    let parsed = parse();
    let refs: Vec<&zan::syntax::Parsed> = parsed.iter().collect();
    let t_check = best_of(repeats, || {
        zan::check::check_parsed(map, &refs).rulebook.is_some()
    });
    format!(
        "parsing {:.1} ms on one thread, {:.1} ms on {} (as `zan check` does); checking the parsed files {:.1} ms",
        ms(t_parse),
        ms(t_parallel),
        threads(),
        ms(t_check)
    )
}

/// The threads files are parsed on (`syntax::parse_files`); checking is on one.
fn threads() -> String {
    let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{n} thread{}", if n == 1 { "" } else { "s" })
}

fn plain_kz_visa(map: &SourceMap, lines: usize) {
    let t = best_of(20, || check_once(map));
    println!(
        "zan check kz-visa: {:.1} ms (target < {} ms: {:.2}x the target; {} files, {lines} lines, best of 20, parsing on {})",
        ms(t),
        KZ_VISA_TARGET.as_millis(),
        t.as_secs_f64() / KZ_VISA_TARGET.as_secs_f64(),
        map.files().len(),
        threads(),
    );
    println!("zan check kz-visa: {}", split(map, 20));
}

/// What the language server does on a keystroke: parse the edited file again (the largest
/// one here) and check the rulebook with the other files' parses kept.
fn plain_kz_visa_edit(map: &SourceMap) {
    let edited = map
        .ids()
        .max_by_key(|id| map.get(*id).map_or(0, |f| f.text.len()))
        .expect("a file");
    let parsed: Vec<zan::syntax::Parsed> = map
        .ids()
        .map(|id| zan::syntax::parse_file(map, id))
        .collect();
    let t = best_of(20, || {
        let again = zan::syntax::parse_file(map, edited);
        let refs: Vec<&zan::syntax::Parsed> = parsed
            .iter()
            .map(|p| if p.file == edited { &again } else { p })
            .collect();
        zan::check::check_parsed(map, &refs).rulebook.is_some()
    });
    let name = map.get(edited).map_or("?", |f| f.name.as_str());
    println!(
        "zan check kz-visa, one file parsed again (the language server on a keystroke; {name}): {:.1} ms (best of 20, 1 thread)",
        ms(t)
    );
}

/// kz-visa with a misspelt record name at each use (` stay.` becomes ` stayy.`): checking it
/// and rendering every diagnostic for the terminal, as `zan check` does. Rendering used to
/// split every file into lines again for each diagnostic.
fn plain_kz_visa_rendered(kz: &SourceMap) {
    let mut map = SourceMap::new();
    for f in kz.files() {
        map.add(f.name.clone(), f.text.replace(" stay.", " stayy."));
    }
    for legal in kz.legal_texts() {
        map.add_legal_text(legal.name.clone(), legal.text.clone());
    }
    let checked = zan::check::check(&map);
    let n = checked.diagnostics.len();
    assert!(n > 100, "expected many diagnostics, found {n}");
    let t = best_of(10, || {
        let checked = zan::check::check(&map);
        !zan::diagnostics::render::to_terminal(&map, &checked.diagnostics, false).is_empty()
    });
    println!(
        "zan check kz-visa with {n} diagnostics, checked and rendered for the terminal: {:.1} ms (best of 10)",
        ms(t)
    );
}

fn plain_generated(all: &[Generated]) {
    let mut times = Vec::new();
    for g in all {
        let repeats = repeats_for(g.decls);
        let t = best_of(repeats, || check_once(&g.map));
        println!(
            "zan check generated {:>7} declarations: {:>9.1} ms, {:>6.2} µs per declaration \
             ({} files, {} lines, {:.1} MB, best of {repeats}, parsing on {})",
            g.decls,
            ms(t),
            t.as_secs_f64() * 1e6 / g.decls as f64,
            g.files,
            g.lines,
            g.bytes as f64 / 1e6,
            threads(),
        );
        println!(
            "zan check generated {:>7} declarations: {}",
            g.decls,
            split(&g.map, repeats)
        );
        times.push((g.decls, t));
    }
    for pair in times.windows(2) {
        let ((n0, t0), (n1, t1)) = (pair[0], pair[1]);
        println!(
            "zan check growth {n1}/{n0} declarations: {:.1}x the time for {:.1}x the declarations (linear: the same)",
            t1.as_secs_f64() / t0.as_secs_f64(),
            n1 as f64 / n0 as f64
        );
    }
    if let Some((n, t)) = times.iter().find(|(n, _)| (9_000..=11_000).contains(n)) {
        println!(
            "zan check generated {n} declarations: {:.1} ms (target < {} ms: {:.2}x the target)",
            ms(*t),
            GEN_10K_TARGET.as_millis(),
            t.as_secs_f64() / GEN_10K_TARGET.as_secs_f64()
        );
    }
}

// ------------------------------------------------------------------ criterion

fn benches(c: &mut Criterion, kz: &SourceMap, all: &[Generated]) {
    c.bench_function("check/kz-visa", |b| {
        b.iter(|| zan::check::check(black_box(kz)))
    });
    let mut g = c.benchmark_group("check/generated");
    g.sample_size(10);
    for gen in all.iter().filter(|g| g.decls <= 20_000) {
        g.throughput(Throughput::Elements(gen.decls as u64));
        g.bench_function(BenchmarkId::from_parameter(gen.decls), |b| {
            b.iter(|| zan::check::check(black_box(&gen.map)))
        });
    }
    g.finish();
}

fn main() {
    // `cargo test --benches` runs this binary with `--bench` absent: check the fixtures only
    // (the smallest generated rulebook: the others take long in a debug build).
    let benching = std::env::args().any(|a| a == "--bench");
    let (kz, lines) = kz_visa();
    check_clean(&kz, "kz-visa", false);
    let sizes: &[usize] = if benching { &SIZES } else { &SIZES[..1] };
    let all: Vec<Generated> = sizes.iter().map(|&n| generated(n)).collect();
    if !benching {
        return;
    }
    plain_kz_visa(&kz, lines);
    plain_kz_visa_edit(&kz);
    plain_kz_visa_rendered(&kz);
    plain_generated(&all);
    let mut c = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(20)
        .configure_from_args();
    benches(&mut c, &kz, &all);
    c.final_summary();
}
