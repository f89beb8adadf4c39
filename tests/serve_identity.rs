//! One path: the `decision` that `zan serve` returns (from `decide` and from `batch`) is byte
//! for byte the line `zan eval --batch` writes for the same case text and parameters, its
//! error lines are the same error lines, and `zan eval --format json` is the same decision
//! indented. On every kz-visa example and a few hundred generated cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod serve_support;

use common::server::Server;
use serde::Deserialize;
use serde_json::value::RawValue;
use serve_support::{examples, kz_visa, one_line, post};
use zan::testing::gen_case::{case_json, CaseGen, Seeded};

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    decision: &'a RawValue,
}

/// The decision's bytes in an envelope.
fn decision_of(envelope: &str) -> String {
    let e: Envelope = serde_json::from_str(envelope)
        .unwrap_or_else(|err| panic!("not an envelope ({err}): {envelope}"));
    e.decision.get().to_string()
}

/// The cases: each example, then `n` generated, one line each.
fn cases(n: u64) -> Vec<String> {
    let mut lines: Vec<String> = examples().iter().map(|(_, t)| one_line(t)).collect();
    let engine = zan::engine::Engine::load(kz_visa()).unwrap();
    let rb = engine.rulebook();
    let gen = CaseGen::new(rb);
    let mut entropy = Seeded::new(19);
    for _ in 0..n {
        let g = gen.case(&mut entropy);
        lines.push(case_json(rb, &g.case).to_string());
    }
    lines
}

/// What `zan eval --batch` writes for these lines with these flags.
fn cli_lines(lines: &[String], flags: &[&str]) -> Vec<String> {
    let dir = common::temp_dir("serve-identity");
    let file = dir.join("cases.ndjson");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let kz = kz_visa();
    let mut args = vec![
        "eval",
        kz.to_str().unwrap(),
        "--batch",
        file.to_str().unwrap(),
    ];
    args.extend_from_slice(flags);
    let out = common::zan(&args);
    let text = String::from_utf8(out.stdout).unwrap();
    let got: Vec<String> = text.lines().map(str::to_string).collect();
    assert_eq!(
        got.len(),
        lines.len(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    got
}

/// The parameters both ways: CLI flags and the service's query.
const VARIANTS: [(&[&str], &str); 4] = [
    (&[], ""),
    (&["--explain"], "?explain=path"),
    (&["--as-of", "2026-03-10"], "?as_of=2026-03-10"),
    (
        &["--explain=full", "--as-of", "2025-11-01"],
        "?explain=full&as_of=2025-11-01",
    ),
];

#[test]
fn decide_and_batch_write_what_zan_eval_batch_writes() {
    let lines = cases(300);
    let s = Server::start(&kz_visa(), &[]);
    for (flags, query) in VARIANTS {
        let expected = cli_lines(&lines, flags);
        let decided = expected
            .iter()
            .filter(|l| !l.starts_with("{\"line\":"))
            .count();
        assert!(
            decided > lines.len() / 2,
            "{flags:?}: most cases are decided"
        );
        // batch
        let a = post(
            &format!("{}/v1/rulebooks/kz_visa/batch{query}", s.url),
            (lines.join("\n") + "\n").as_bytes(),
        );
        assert_eq!(a.status, 200);
        let served: Vec<&str> = a.body.lines().collect();
        assert_eq!(served.len(), expected.len());
        for (i, (got, want)) in served.iter().zip(&expected).enumerate() {
            if want.starts_with("{\"line\":") {
                assert_eq!(got, want, "{flags:?} line {}", i + 1);
            } else {
                assert_eq!(&decision_of(got), want, "{flags:?} line {}", i + 1);
            }
        }
        // decide: every example, and every fifth generated case.
        let n_examples = examples().len();
        for (i, (line, want)) in lines.iter().zip(&expected).enumerate() {
            if i >= n_examples && i % 5 != 0 {
                continue;
            }
            let a = post(
                &format!("{}/v1/rulebooks/kz_visa/decide{query}", s.url),
                line.as_bytes(),
            );
            if want.starts_with("{\"line\":") {
                let want: serde_json::Value = serde_json::from_str(want).unwrap();
                assert!(a.status == 400 || a.status == 422, "{}", a.body);
                assert_eq!(a.json()["error"], want["error"], "{flags:?} case {}", i + 1);
            } else {
                assert_eq!(a.status, 200, "{}", a.body);
                assert_eq!(&decision_of(&a.body), want, "{flags:?} case {}", i + 1);
            }
        }
    }
}

#[test]
fn zan_eval_format_json_is_the_decision_indented() {
    let s = Server::start(&kz_visa(), &[]);
    let kz = kz_visa();
    for (name, text) in examples() {
        for (flags, query) in VARIANTS {
            let file = kz.join("examples").join(&name);
            let mut args = vec![
                "eval",
                kz.to_str().unwrap(),
                file.to_str().unwrap(),
                "--format",
                "json",
            ];
            args.extend_from_slice(flags);
            let out = common::zan(&args);
            let cli = String::from_utf8(out.stdout).unwrap();
            // The pretty-printed body of a request object: its case text as sent.
            let body = format!("{{\"case\": {text}}}");
            let a = post(
                &format!("{}/v1/rulebooks/kz_visa/decide{query}", s.url),
                body.as_bytes(),
            );
            assert_eq!(a.status, 200, "{name} {flags:?}: {}", a.body);
            let decision: serde_json::Value = serde_json::from_str(&decision_of(&a.body)).unwrap();
            let pretty = serde_json::to_string_pretty(&decision).unwrap() + "\n";
            assert_eq!(pretty, cli, "{name} {flags:?}");
        }
    }
}
