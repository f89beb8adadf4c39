//! Latency of `zan lsp` as an editor sees it, on the kz-visa rulebook: a client process
//! speaks JSON-RPC over the server's stdio, types into a file, and times every request and
//! the diagnostics that follow each edit. `cargo bench --bench lsp` prints percentiles.
//!
//! Two workloads: requests after the diagnostics of an edit arrived (steady state), and
//! requests sent right behind an edit (the request waits for the new analysis).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/support/lsp_client.rs"]
mod lsp_client;

use lsp_client::{position, uri, Client};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

const EDITS: usize = 150;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn report(title: &str, samples: &BTreeMap<&str, Vec<Duration>>) {
    println!("{title}");
    println!(
        "  {:<28} {:>6} {:>8} {:>8} {:>8}",
        "request", "n", "p50 ms", "p90 ms", "max ms"
    );
    let mut all = Vec::new();
    for (name, v) in samples {
        let mut v = v.clone();
        v.sort();
        all.extend(v.iter().copied());
        println!(
            "  {:<28} {:>6} {:>8} {:>8} {:>8}",
            name,
            v.len(),
            ms(percentile(&v, 0.5)),
            ms(percentile(&v, 0.9)),
            ms(*v.last().unwrap_or(&Duration::ZERO))
        );
    }
    all.sort();
    println!(
        "  {:<28} {:>6} {:>8} {:>8} {:>8}",
        "all requests",
        all.len(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.9)),
        ms(*all.last().unwrap_or(&Duration::ZERO))
    );
}

fn main() {
    // `cargo test --benches` runs this with no `--bench`: a short run, to keep it working.
    let benching = std::env::args().any(|a| a == "--bench");
    let edits = if benching { EDITS } else { 3 };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rulebooks/kz-visa");
    let mut c = Client::start(Path::new(env!("CARGO_BIN_EXE_zan")));
    c.initialize(&root);
    let mut files: Vec<_> = std::fs::read_dir(&root)
        .expect("rulebook")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "zan"))
        .collect();
    files.sort();
    let t = Instant::now();
    for f in &files {
        let text = std::fs::read_to_string(f).expect("file");
        c.open(f, &text);
    }
    let visas = root.join("visas.zan");
    let text = std::fs::read_to_string(&visas).expect("visas.zan");
    let u = uri(&visas);
    c.wait_diagnostics(&u, |_| true);
    println!(
        "zan lsp: {} files opened, first diagnostics after {} ms",
        files.len(),
        ms(t.elapsed())
    );

    let mut steady: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut behind: BTreeMap<&str, Vec<Duration>> = BTreeMap::new();
    let mut diagnostics = Vec::new();
    let anchor = "and applicant.passport.blank_pages < 2";
    let insert_at = position(&text, anchor, 0, anchor.len());
    let requests: Vec<(&str, &str, Value)> = vec![
        (
            "hover",
            "textDocument/hover",
            json!({"textDocument": {"uri": u}, "position": position(&text, "passport_must_be_valid_until is present", 0, 3)}),
        ),
        (
            "definition",
            "textDocument/definition",
            json!({"textDocument": {"uri": u}, "position": position(&text, "applicant.passport is present", 0, 2)}),
        ),
        (
            "references",
            "textDocument/references",
            json!({"textDocument": {"uri": u}, "position": position(&text, "applicant.passport is present", 0, 2), "context": {"includeDeclaration": true}}),
        ),
        (
            "completion",
            "textDocument/completion",
            json!({"textDocument": {"uri": u}, "position": position(&text, "applicant.passport.blank_pages", 0, 19)}),
        ),
        (
            "documentSymbol",
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": u}}),
        ),
        (
            "semanticTokens/full",
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": u}}),
        ),
        (
            "inlayHint",
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": u}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 700, "character": 0}}}),
        ),
        (
            "foldingRange",
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": u}}),
        ),
        (
            "codeAction",
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": {"start": insert_at, "end": insert_at}, "context": {"diagnostics": []}}),
        ),
        (
            "formatting",
            "textDocument/formatting",
            json!({"textDocument": {"uri": u}, "options": {"tabSize": 2, "insertSpaces": true}}),
        ),
        (
            "workspace/symbol",
            "workspace/symbol",
            json!({"query": "passport"}),
        ),
    ];
    for i in 0..edits {
        // Type one character, then delete it: each edit changes the text.
        let version = 2 * i as i64 + 2;
        let line = insert_at["line"].clone();
        let character = insert_at["character"].as_u64().unwrap_or(0);
        let add = json!({"textDocument": {"uri": u, "version": version}, "contentChanges": [{"range": {"start": {"line": line, "character": character}, "end": {"line": line, "character": character}}, "text": " "}]});
        let remove = json!({"textDocument": {"uri": u, "version": version + 1}, "contentChanges": [{"range": {"start": {"line": line, "character": character}, "end": {"line": line, "character": character + 1}}, "text": ""}]});
        for (n, change) in [add, remove].into_iter().enumerate() {
            c.clear();
            let t = Instant::now();
            c.notify("textDocument/didChange", change);
            if n == 0 {
                // Right behind the edit: the request waits for the new analysis.
                let (name, method, params) = &requests[i % requests.len()];
                let t = Instant::now();
                let r = c.request(method, params.clone());
                assert!(r.get("error").is_none(), "{name}: {r}");
                behind.entry(name).or_default().push(t.elapsed());
            }
            c.wait_diagnostics(&u, |_| true);
            diagnostics.push(t.elapsed());
        }
        for (name, method, params) in &requests {
            let t = Instant::now();
            let r = c.request(method, params.clone());
            assert!(r.get("error").is_none(), "{name}: {r}");
            steady.entry(name).or_default().push(t.elapsed());
        }
    }
    report(
        "zan lsp: requests after the diagnostics of an edit (steady state)",
        &steady,
    );
    report("zan lsp: one request sent right behind each edit", &behind);
    diagnostics.sort();
    println!(
        "zan lsp: diagnostics after an edit (incl. {} ms debounce): n {} p50 {} ms p90 {} ms max {} ms",
        zan::lsp::DEBOUNCE.as_millis(),
        diagnostics.len(),
        ms(percentile(&diagnostics, 0.5)),
        ms(percentile(&diagnostics, 0.9)),
        ms(*diagnostics.last().unwrap_or(&Duration::ZERO))
    );
    let _ = c.shutdown();
}
