//! `zan eval --batch`: input order, one output line per input line, errors in the middle,
//! fail-fast, mixed as-of dates, JSON arrays, explanations, and a 1,000,000-line run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::{json, Value as Json};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The small rulebook of the diff tests: fingerprints from 16 (not students under 18), and a
/// work-visa duty of 5 MCI that an amendment raises to 6 MCI from 2026-06-01.
fn rulebook() -> PathBuf {
    common::root().join("tests/data/diff/base")
}

fn batch(input: &[u8], args: &[&str]) -> Output {
    let dir = rulebook();
    let mut all = vec!["eval", dir.to_str().unwrap(), "--batch"];
    all.extend_from_slice(args);
    common::zan_with_stdin(&all, input)
}

fn lines(o: &Output) -> Vec<Json> {
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const CATEGORIES: [&str; 3] = ["tourist", "work", "student"];

/// Case `i`: its age, category and date vary with `i`; half the cases fall after the amendment.
fn case(i: usize) -> Json {
    let day = if i.is_multiple_of(2) {
        "2026-05-29"
    } else {
        "2026-06-01"
    };
    json!({ "application": {
        "submitted_on": day,
        "category": CATEGORIES[i % 3],
        "applicant_age": i % 40,
    }})
}

fn ndjson(n: usize) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&case(i).to_string());
        s.push('\n');
    }
    s.into_bytes()
}

/// What the rulebook decides for case `i`, computed here by hand.
fn expected(i: usize) -> (bool, &'static str, &'static str) {
    let age = i % 40;
    let category = CATEGORIES[i % 3];
    let fingerprints = age >= 16 && !(category == "student" && age < 18);
    let after = i % 2 == 1;
    // 2 MCI tourist, 5 (6 from 2026-06-01) work, 0 student; MCI 4325 in 2026.
    let duty = match (category, after) {
        ("tourist", _) => "8650.00",
        ("work", false) => "21625.00",
        ("work", true) => "25950.00",
        _ => "0.00",
    };
    let day = if after { "2026-06-01" } else { "2026-05-29" };
    (fingerprints, duty, day)
}

#[test]
fn decisions_come_back_in_input_order_with_each_case_on_its_own_date() {
    let n = 5000;
    let out = batch(&ndjson(n), &["--threads", "2"]);
    assert_eq!(out.status.code(), Some(0));
    let got = lines(&out);
    assert_eq!(got.len(), n);
    for (i, d) in got.iter().enumerate() {
        let (fingerprints, duty, day) = expected(i);
        assert_eq!(d["as_of"], day, "line {}", i + 1);
        assert_eq!(
            d["outputs"]["fingerprints_required"],
            fingerprints,
            "line {}",
            i + 1
        );
        assert_eq!(d["outputs"]["duty"]["amount"], duty, "line {}", i + 1);
    }
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(
        summary.contains("5000 cases, 5000 decided (duty: "),
        "{summary}"
    );
    // Decisions by value: each duty with the number of cases that got it.
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for i in 0..n {
        *counts.entry(expected(i).1).or_default() += 1;
    }
    for (duty, count) in counts {
        assert!(
            summary.contains(&format!("{duty} KZT {count}")),
            "{duty} {count}: {summary}"
        );
    }
}

#[test]
fn every_input_line_gets_one_output_line_and_errors_do_not_stop_the_run() {
    let mut input = String::new();
    input.push_str(&case(0).to_string());
    input.push_str("\n{not json\n\n");
    input.push_str("{\"application\": {\"submitted_on\": \"2026-02-30\", \"category\": \"work\", \"applicant_age\": 30}}\n");
    input.push_str("{\"application\": {\"submitted_on\": \"2026-03-02\", \"category\": \"wrok\", \"applicant_age\": 30}}\n");
    input.push_str(&case(5).to_string());
    input.push_str("\r\n");
    let out = batch(input.as_bytes(), &[]);
    assert_eq!(out.status.code(), Some(1), "some lines failed");
    let got = lines(&out);
    assert_eq!(got.len(), 6);
    assert_eq!(got[0]["outputs"]["fingerprints_required"], false);
    assert_eq!(got[1]["line"], 2);
    assert_eq!(got[1]["error"]["kind"], "invalid_json");
    assert_eq!(got[2]["line"], 3);
    assert_eq!(got[2]["error"]["kind"], "empty_line");
    assert_eq!(got[3]["line"], 4);
    assert_eq!(got[3]["error"]["kind"], "invalid_case");
    assert_eq!(
        got[3]["error"]["case_errors"][0]["path"],
        "$.application.submitted_on"
    );
    assert_eq!(
        got[4]["error"]["case_errors"][0]["path"],
        "$.application.category"
    );
    assert!(got[4]["error"]["case_errors"][0]["expected"]
        .as_str()
        .unwrap()
        .contains("\"work\""));
    assert_eq!(got[5]["as_of"], "2026-06-01", "a CRLF line end is read");
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(
        summary.contains("6 cases, 2 decided (duty: ") && summary.contains("), 4 errors"),
        "{summary}"
    );
}

/// Blank lines before the first case, a line that is not UTF-8 and lines across chunk
/// boundaries: each is one output line, numbered as in the input, and the run goes on.
#[test]
fn blank_leading_lines_and_invalid_utf8_get_their_own_numbered_lines() {
    let mut input = b"\n  \r\n".to_vec();
    input.extend(ndjson(700));
    input.extend_from_slice(b"{\"application\": \"\xff\xfe\"}\n");
    input.extend(ndjson(600));
    // The last line has no line end.
    input.extend_from_slice(case(3).to_string().as_bytes());
    let out = batch(&input, &[]);
    assert_eq!(out.status.code(), Some(1));
    let got = lines(&out);
    assert_eq!(got.len(), 2 + 700 + 1 + 600 + 1);
    assert_eq!(got[0]["line"], 1);
    assert_eq!(got[0]["error"]["kind"], "empty_line");
    assert_eq!(got[1]["line"], 2);
    assert_eq!(got[1]["error"]["kind"], "empty_line");
    assert!(got[2]["outputs"].is_object(), "{}", got[2]);
    assert_eq!(got[702]["line"], 703);
    assert_eq!(got[702]["error"]["kind"], "invalid_utf8");
    for (i, line) in got.iter().enumerate() {
        if ![0, 1, 702].contains(&i) {
            assert!(line["outputs"].is_object(), "line {}: {line}", i + 1);
        }
    }
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(summary.contains("1304 cases, 1301 decided"), "{summary}");
}

#[test]
fn fail_fast_stops_after_the_first_error() {
    let mut input = ndjson(3);
    input.extend_from_slice(b"[1, 2\n");
    input.extend(ndjson(2000));
    let out = batch(&input, &["--fail-fast"]);
    assert_eq!(out.status.code(), Some(1));
    let got = lines(&out);
    assert_eq!(got.len(), 4, "three decisions, then the error line");
    assert_eq!(got[3]["line"], 4);
}

#[test]
fn a_json_array_is_read_element_by_element() {
    let cases: Vec<Json> = (0..700).map(case).collect();
    let out = batch(Json::Array(cases).to_string().as_bytes(), &[]);
    assert_eq!(out.status.code(), Some(0));
    let got = lines(&out);
    assert_eq!(got.len(), 700);
    for (i, d) in got.iter().enumerate() {
        assert_eq!(d["outputs"]["duty"]["amount"], expected(i).1);
    }
    // A malformed array: the cases before the error are decided, then a clear error.
    let out = batch(b"[{\"application\": 1}, {", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(lines(&out).len(), 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid JSON array"));
}

#[test]
fn explanations_and_a_given_date_work_in_batch() {
    let out = batch(&ndjson(40), &["--explain", "--as-of", "2026-06-01"]);
    assert_eq!(out.status.code(), Some(0));
    let got = lines(&out);
    assert_eq!(got.len(), 40);
    for d in &got {
        assert_eq!(d["as_of"], "2026-06-01");
        assert_eq!(d["explanation"]["format"], "zan-explanation/2");
        assert_eq!(d["explanation"]["depth"], "path");
    }
    let out = batch(&ndjson(4), &["--explain=full", "--as-of", "2026-06-01"]);
    assert_eq!(out.status.code(), Some(0));
    let got = lines(&out);
    assert_eq!(got.len(), 4);
    assert!(got.iter().all(|d| d["explanation"]["depth"] == "full"));
}

#[test]
fn the_kz_visa_examples_decide_in_batch_as_one_by_one_to_the_byte() {
    let dir = common::root().join("rulebooks/kz-visa/examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut input = String::new();
    for f in &files {
        let j: Json = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        input.push_str(&j.to_string());
        input.push('\n');
    }
    for extra in [&[][..], &["--explain"][..]] {
        let mut args = vec!["eval", "rulebooks/kz-visa", "--batch", "-"];
        args.extend_from_slice(extra);
        let out = Command::new(env!("CARGO_BIN_EXE_zan"))
            .args(&args)
            .current_dir(common::root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .and_then(|mut c| {
                c.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
                c.wait_with_output()
            })
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let got: Vec<&str> = text.lines().collect();
        assert_eq!(got.len(), files.len());
        for (f, line) in files.iter().zip(&got) {
            let one = Command::new(env!("CARGO_BIN_EXE_zan"))
                .args(["eval", "rulebooks/kz-visa"])
                .arg(f)
                .args(extra)
                .current_dir(common::root())
                .output()
                .unwrap();
            let single = String::from_utf8(one.stdout).unwrap();
            // The same text: the batch line is the single decision without its layout, and
            // the single decision is the batch line laid out as serde_json lays out a value.
            let value: Json = serde_json::from_str(line).unwrap();
            assert_eq!(value.to_string(), *line, "{}", f.display());
            let pretty = serde_json::to_string_pretty(&value).unwrap() + "\n";
            assert_eq!(single, pretty, "{} {extra:?}", f.display());
        }
    }
}

#[test]
fn format_text_is_refused_in_batch() {
    // `--format text` is a report of many lines for one decision; a batch is one JSON line per
    // case. Refused before any case is read, rather than answered in JSON.
    let out = batch(&ndjson(3), &["--format", "text"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--format text"), "{err}");
    // `--format json` is what a batch writes anyway.
    let out = batch(&ndjson(3), &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(lines(&out).len(), 3);
}

fn peak_mb(stderr: &str) -> Option<u64> {
    let at = stderr.find("peak memory ")?;
    stderr[at + "peak memory ".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

#[test]
fn a_million_lines_stream_through_with_flat_memory() {
    let n = 1_000_000;
    let path: PathBuf =
        std::env::temp_dir().join(format!("zan-batch-{}.ndjson", std::process::id()));
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        for i in 0..n {
            writeln!(f, "{}", case(i)).unwrap();
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_zan"))
        .arg("eval")
        .arg(rulebook())
        .arg("--batch")
        .arg(&path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = out.wait_with_output().unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    let mut count = 0;
    for (i, line) in text.lines().enumerate() {
        count += 1;
        // Spot-check the order without parsing every line.
        if i.is_multiple_of(99_991) {
            let d: Json = serde_json::from_str(line).unwrap();
            assert_eq!(
                d["outputs"]["duty"]["amount"],
                expected(i).1,
                "line {}",
                i + 1
            );
        }
    }
    assert_eq!(count, n);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("1000000 cases, 1000000 decided (duty: ") && stderr.contains("), 0 errors"),
        "{stderr}"
    );
    if let Some(mb) = peak_mb(&stderr) {
        assert!(mb < 100, "peak memory {mb} MB: {stderr}");
    }
}

#[test]
fn outputs_selects_what_is_decided_and_the_summary_counts_its_values() {
    let n = 300;
    let out = batch(
        &ndjson(n),
        &["--outputs", "fingerprints_required", "--threads", "2"],
    );
    assert_eq!(out.status.code(), Some(0));
    let got = lines(&out);
    assert_eq!(got.len(), n);
    let mut yes = 0;
    for (i, d) in got.iter().enumerate() {
        let outputs = d["outputs"].as_object().unwrap();
        assert_eq!(outputs.len(), 1, "line {}: {d}", i + 1);
        assert_eq!(outputs["fingerprints_required"], expected(i).0);
        yes += usize::from(expected(i).0);
    }
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(summary.contains("fingerprints_required: "), "{summary}");
    assert!(summary.contains(&format!("true {yes}")), "{summary}");
    assert!(summary.contains(&format!("false {}", n - yes)), "{summary}");

    // --summary-by another output than the first.
    let out = batch(&ndjson(10), &["--summary-by", "fingerprints_required"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(lines(&out)[0]["outputs"].as_object().unwrap().len() > 1);
    assert!(String::from_utf8_lossy(&out.stderr).contains("(fingerprints_required: "));

    // An unknown output is a usage error with a suggestion.
    let out = batch(&ndjson(3), &["--outputs", "fingerprint_required"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("did you mean `fingerprints_required`"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}
