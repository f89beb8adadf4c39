//! Hostile input (issue 7): constructs that nest without brackets, the deepest declaration
//! accepted, a 50 MB rulebook, files over the limits, NUL bytes, invalid UTF-8, BOMs, CRLF,
//! Kazakh and Cyrillic names, extreme dates, 30-digit amounts, a 50 MB case, and Ctrl-C in
//! batch. Each gets a diagnostic or a result, never a panic or a stack overflow.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use std::process::Output;

const HEAD: &str = "rulebook r { title \"t\" }\nsource s { title \"s\" }\n";

/// A fresh folder holding `files` (name, bytes).
fn rulebook(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zan-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (file, bytes) in files {
        std::fs::write(dir.join(file), bytes).unwrap();
    }
    dir
}

fn zan(args: &[&str]) -> Output {
    common::zan(args)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A process that ended on a signal (a stack overflow aborts) has no exit code.
fn assert_no_crash(o: &Output, what: &str) {
    let code = o.status.code();
    assert!(
        matches!(code, Some(0..=2) | Some(130)),
        "{what}: exit {code:?}\n{}",
        text(o)
    );
    assert!(!text(o).contains("panicked"), "{what}: {}", text(o));
}

fn check(dir: &Path) -> Output {
    zan(&["check", dir.to_str().unwrap(), "--format", "json"])
}

fn codes(o: &Output) -> Vec<String> {
    let out: Json = serde_json::from_slice(&o.stdout).unwrap_or(Json::Null);
    out["diagnostics"]
        .as_array()
        .map(|ds| {
            ds.iter()
                .map(|d| d["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn rule(name: &str, ty: &str, body: &str) -> String {
    format!("output rule {name}: {ty} cites s \"x\" {{\n  {body}\n}}\n")
}

#[test]
fn constructs_that_nest_without_brackets_are_refused_with_a_limit() {
    let n = 200_000;
    let bodies = [
        (
            "if-chain",
            "integer",
            format!("{}0", "if flag then 1 else ".repeat(n)),
        ),
        ("minus-run", "integer", format!("{}1", "-".repeat(n))),
        ("unspaced-sum", "integer", format!("{}1", "1+".repeat(n))),
        ("field-chain", "integer", format!("r{}", ".x".repeat(n))),
        (
            "quantifiers",
            "bool",
            format!("{}flag", "any x in [1] where ".repeat(n)),
        ),
    ];
    for (name, ty, body) in bodies {
        let src = format!(
            "{HEAD}fact flag: bool\nrecord R {{ x: integer }}\nfact r: R\n{}",
            rule("deep", ty, &body)
        );
        let dir = rulebook(name, &[("r.zan", src.as_bytes())]);
        let o = check(&dir);
        assert_no_crash(&o, name);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o));
        assert!(
            codes(&o).contains(&"Z0003".to_string()),
            "{name}: {}",
            text(&o)
        );
        assert!(text(&o).contains("too many operators"), "{name}");
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// The deepest declaration the limits accept goes through every stage: check, eval, batch on
/// several threads, the formatter and the language server's analysis (`zan check` shares it).
#[test]
fn the_deepest_accepted_declarations_check_evaluate_and_format() {
    let limit = zan::syntax::MAX_OPERATORS;
    let depth = zan::syntax::MAX_NESTING;
    // `if flag then i else` is one operator each (`if`); the condition adds none.
    // With the `-` of `-1`, exactly the limit.
    let ifs: String = (1..limit)
        .map(|i| format!("if flag then {i} else "))
        .collect();
    let src = format!(
        "{HEAD}fact flag: bool\n{}{}",
        rule("ifs", "integer", &format!("{ifs}-1")),
        rule(
            "brackets",
            "integer",
            // The rule's own `{` is one level.
            &format!("{}7{}", "(".repeat(depth - 1), ")".repeat(depth - 1))
        ),
    );
    let dir = rulebook("deepest", &[("r.zan", src.as_bytes())]);
    let o = check(&dir);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let case = dir.join("case.json");
    std::fs::write(&case, r#"{"flag": false}"#).unwrap();
    let d = dir.to_str().unwrap();
    let o = zan(&["eval", d, case.to_str().unwrap(), "--as-of", "2026-03-10"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out["outputs"], json!({ "ifs": -1, "brackets": 7 }));
    let lines = "{\"flag\": true}\n{\"flag\": false}\n".repeat(50);
    let o = batch(
        d,
        lines.as_bytes(),
        &["--threads", "2", "--as-of", "2026-03-10"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 100);
    let o = zan(&["fmt", "--check", d]);
    assert_no_crash(&o, "fmt");
    let _ = std::fs::remove_dir_all(dir);
}

fn batch(dir: &str, input: &[u8], args: &[&str]) -> Output {
    let mut all = vec!["eval", dir, "--batch", "-"];
    all.extend_from_slice(args);
    common::zan_with_stdin(&all, input)
}

/// 50 MB in one file: 15,000 rules with long Kazakh doc comments. It checks, and a case
/// decides against it.
#[test]
fn a_50_mb_rulebook_checks_and_evaluates() {
    let doc = "/// Шетелдіктердің Қазақстан Республикасында болу мерзімі: the rule's long note.\n"
        .repeat(24);
    let mut src = format!("{HEAD}fact day: date\n");
    let mut i = 0;
    while src.len() < 50 * 1024 * 1024 {
        src.push_str(&doc);
        src.push_str(&rule(&format!("r{i}"), "integer", &format!("{i} + 1")));
        i += 1;
    }
    let dir = rulebook("50mb", &[("r.zan", src.as_bytes())]);
    drop(src);
    let d = dir.to_str().unwrap();
    let o = zan(&["check", d]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let case = dir.join("case.json");
    std::fs::write(&case, r#"{"day": "2026-03-10"}"#).unwrap();
    let o = zan(&[
        "eval",
        d,
        case.to_str().unwrap(),
        "--outputs",
        "r1234",
        "--as-of",
        "2026-03-10",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out["outputs"]["r1234"], 1235);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn files_over_the_limits_are_refused_with_a_clear_error() {
    // Over the size limit: a sparse file, never written out.
    let dir = rulebook("too-big", &[("r.zan", HEAD.as_bytes())]);
    let big = std::fs::File::create(dir.join("big.zan")).unwrap();
    big.set_len(zan::load::MAX_FILE_BYTES + 1).unwrap();
    let o = zan(&["check", dir.to_str().unwrap()]);
    assert_no_crash(&o, "too big");
    assert_ne!(o.status.code(), Some(0));
    assert!(text(&o).contains("limited to"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(dir);

    // Over the declaration limit: one diagnostic, and the check ends.
    let many = format!(
        "{HEAD}{}",
        "enum E { a }\n".repeat(zan::syntax::MAX_DECLARATIONS + 5)
    );
    let mut map = zan::SourceMap::new();
    map.add("many.zan", many);
    let parsed = zan::syntax::parse_file(&map, zan::source::FileId(0));
    let limit: Vec<_> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("too many declarations"))
        .collect();
    assert_eq!(limit.len(), 1);
    assert_eq!(parsed.ast.declarations.len(), zan::syntax::MAX_DECLARATIONS);
}

#[test]
fn nul_bytes_invalid_utf8_bom_and_crlf_in_rulebooks() {
    let cases: [(&str, Vec<u8>, Option<i32>, &str); 5] = [
        (
            "nul",
            format!("{HEAD}fact a\0b: integer\n").into_bytes(),
            Some(1),
            "Z0001",
        ),
        (
            "nul-in-string",
            format!("{HEAD}{}", rule("z", "text", "\"a\0b\"")).into_bytes(),
            Some(0),
            "",
        ),
        (
            "invalid-utf8",
            [HEAD.as_bytes(), b"fact \xff\xfe: integer\n"].concat(),
            Some(2),
            "not valid UTF-8",
        ),
        (
            "bom",
            [
                b"\xef\xbb\xbf".as_slice(),
                HEAD.as_bytes(),
                rule("z", "integer", "1").as_bytes(),
            ]
            .concat(),
            Some(0),
            "",
        ),
        (
            "crlf",
            format!("{HEAD}{}", rule("z", "integer", "1"))
                .replace('\n', "\r\n")
                .into_bytes(),
            Some(0),
            "",
        ),
    ];
    for (name, bytes, code, expect) in cases {
        let dir = rulebook(name, &[("r.zan", &bytes)]);
        let o = zan(&["check", dir.to_str().unwrap()]);
        assert_no_crash(&o, name);
        assert_eq!(o.status.code(), code, "{name}: {}", text(&o));
        if code == Some(1) {
            assert!(codes(&check(&dir)).contains(&expect.to_string()), "{name}");
        } else {
            assert!(text(&o).contains(expect), "{name}: {}", text(&o));
        }
        let _ = std::fs::remove_dir_all(dir);
    }
    // With CRLF line ends, a diagnostic still points at the right line and column.
    let src = format!("{HEAD}{}", rule("z", "integer", "1 + nope")).replace('\n', "\r\n");
    let dir = rulebook("crlf-diag", &[("r.zan", src.as_bytes())]);
    let o = check(&dir);
    let out: Json = serde_json::from_slice(&o.stdout).unwrap();
    let d = &out["diagnostics"][0];
    assert_eq!(
        d["message"].as_str().map(|m| m.contains("nope")),
        Some(true),
        "{d}"
    );
    let at = &d["primary"];
    assert_eq!(
        (at["line"].as_u64(), at["column"].as_u64()),
        (Some(4), Some(7)),
        "{d}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn kazakh_and_cyrillic_names_strings_and_diagnostics() {
    let src = format!(
        "{HEAD}enum Түрі {{ бірінші, екінші }}\nfact түрі: Түрі\nfact аты: text\n{}{}",
        rule(
            "мерзім_күні",
            "integer",
            "if түрі is бірінші then 30 else 90"
        ),
        rule("сәлем", "text", "\"Қазақстан, \" + аты"),
    );
    let dir = rulebook("kazakh", &[("r.zan", src.as_bytes())]);
    let d = dir.to_str().unwrap();
    let o = zan(&["check", d]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let case = dir.join("case.json");
    std::fs::write(&case, r#"{"түрі": "екінші", "аты": "Әлия"}"#).unwrap();
    let o = zan(&["eval", d, case.to_str().unwrap(), "--as-of", "2026-03-10"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out["outputs"]["мерзім_күні"], 90);
    assert_eq!(out["outputs"]["сәлем"], "Қазақстан, Әлия");
    // An unknown enum value in the case is named by its JSON path, in Cyrillic.
    std::fs::write(&case, r#"{"түрі": "үшінші", "аты": "Әлия"}"#).unwrap();
    let o = zan(&["eval", d, case.to_str().unwrap(), "--as-of", "2026-03-10"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("$.түрі"), "{}", text(&o));
    // A diagnostic under Cyrillic text is labelled at the right column (in characters).
    let bad = src.replace("then 30", "then жоқ");
    std::fs::write(dir.join("r.zan"), bad).unwrap();
    let o = check(&dir);
    let out: Json = serde_json::from_slice(&o.stdout).unwrap();
    let diag = &out["diagnostics"][0];
    assert_eq!(diag["primary"]["column"].as_u64(), Some(27), "{diag}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The rulebook of the case tests: dates, money, an integer and a list.
fn case_rulebook(name: &str) -> PathBuf {
    let src = format!(
        "rulebook r {{\n  title \"t\"\n  as of day\n}}\nsource s {{ title \"s\" }}\nrecord Doc {{ title: text }}\nfact day: date\nfact fee: money\nfact n: integer\nfact docs: list of Doc\n{}{}{}{}",
        rule("next_day", "date", "day + 1 day"),
        rule("double_fee", "money", "fee * 2"),
        rule("docs_count", "integer", "count(docs)"),
        rule("next_n", "integer", "n + 1"),
    );
    rulebook(name, &[("r.zan", src.as_bytes())])
}

fn eval_case(dir: &Path, case: &[u8]) -> (Output, Json) {
    let file = dir.join("case.json");
    std::fs::write(&file, case).unwrap();
    let o = zan(&[
        "eval",
        dir.to_str().unwrap(),
        file.to_str().unwrap(),
        "--as-of",
        "2026-03-10",
    ]);
    let out = serde_json::from_slice(&o.stdout).unwrap_or(Json::Null);
    (o, out)
}

#[test]
fn extreme_dates_30_digit_amounts_and_odd_bytes_in_cases() {
    let dir = case_rulebook("cases");
    let case = |day: &str, fee: &str, n: &str| {
        format!(r#"{{"day": "{day}", "fee": {fee}, "n": {n}, "docs": []}}"#).into_bytes()
    };
    // The first and last days: a decision, the day after the last is an output error.
    let (o, out) = eval_case(&dir, &case("0000-01-01", "1", "1"));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(out["outputs"]["next_day"], "0000-01-02");
    let (o, out) = eval_case(&dir, &case("9999-12-31", "1", "1"));
    assert_no_crash(&o, "9999-12-31");
    assert_eq!(out["errors"][0]["output"], "next_day", "{}", text(&o));
    assert_eq!(out["outputs"]["next_n"], 2);
    // Amounts with 30 digits do not fit an exact decimal: an error naming the field.
    let (o, _) = eval_case(&dir, &case("2026-03-10", &"9".repeat(30), "1"));
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("$.fee"), "{}", text(&o));
    let (o, _) = eval_case(&dir, &case("2026-03-10", "1", &"9".repeat(30)));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("$.n"), "{}", text(&o));
    // A 29-digit amount still fits; doubled it overflows: an output error, not a panic.
    let big = format!("5{}", "0".repeat(28));
    let (o, out) = eval_case(&dir, &case("2026-03-10", &big, "9223372036854775807"));
    assert_no_crash(&o, "overflow");
    let failed: Vec<&Json> = out["errors"]
        .as_array()
        .map(|e| e.iter().map(|e| &e["output"]).collect())
        .unwrap_or_default();
    assert_eq!(
        failed,
        [&json!("double_fee"), &json!("next_n")],
        "{}",
        text(&o)
    );
    // A BOM, CRLF and a NUL inside a string are read; invalid UTF-8 is an error.
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(case("2026-03-10", "1", "1"));
    assert_eq!(eval_case(&dir, &bom).0.status.code(), Some(0));
    let crlf = String::from_utf8(case("2026-03-10", "1", "1"))
        .unwrap()
        .replace(", ", ",\r\n");
    assert_eq!(eval_case(&dir, crlf.as_bytes()).0.status.code(), Some(0));
    let nul = br#"{"day": "2026-03-10", "fee": 1, "n": 1, "docs": [{"title": "a\u0000b"}]}"#;
    let (o, out) = eval_case(&dir, nul);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(out["outputs"]["docs_count"], 1);
    let (o, _) = eval_case(&dir, b"{\"day\": \"\xff\"}");
    assert_no_crash(&o, "invalid UTF-8 case");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let _ = std::fs::remove_dir_all(dir);
}

/// A 50 MB case (a list of 400,000 documents) decides, alone and as a batch line.
#[test]
fn a_50_mb_case_decides() {
    let dir = case_rulebook("big-case");
    let title = "x".repeat(100);
    let docs: Vec<String> = (0..400_000)
        .map(|_| format!(r#"{{"title": "{title}"}}"#))
        .collect();
    let case = format!(
        r#"{{"day": "2026-03-10", "fee": 1, "n": 1, "docs": [{}]}}"#,
        docs.join(",")
    );
    assert!(case.len() > 45_000_000);
    let (o, out) = eval_case(&dir, case.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(out["outputs"]["docs_count"], 400_000);
    let input = format!("{case}\n{{\"day\": 1}}\n{case}\n");
    let o = batch(dir.to_str().unwrap(), input.as_bytes(), &["--threads", "2"]);
    let lines: Vec<Json> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["outputs"]["docs_count"], 400_000);
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[2]["outputs"]["docs_count"], 400_000);
    let _ = std::fs::remove_dir_all(dir);
}

/// Ctrl-C (SIGINT) in the middle of a batch: the output ends with a whole line, every line
/// written is a decision, and the exit status is 130.
#[cfg(unix)]
#[test]
fn ctrl_c_in_batch_leaves_no_partial_line() {
    let dir = case_rulebook("ctrl-c");
    let line = br#"{"day": "2026-03-10", "fee": 1, "n": 1, "docs": []}"#;
    let (all, out) = common::batch_stopped_by(dir.to_str().unwrap(), line, "INT");
    assert_eq!(
        all.last(),
        Some(&b'\n'),
        "the output ends with a whole line"
    );
    for l in String::from_utf8(all).unwrap().lines() {
        let v: Json = serde_json::from_str(l).unwrap();
        assert_eq!(v["outputs"]["next_n"], 2);
    }
    assert_eq!(out.status.code(), Some(130));
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(summary.contains("interrupted"), "{summary}");
    let _ = std::fs::remove_dir_all(dir);
}
