//! No input makes zan panic: truncated and shuffled rulebook files, and mangled cases, give
//! diagnostics or errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use zan::source::SourceMap;

/// A small deterministic generator, so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

fn check_does_not_panic(name: &str, text: &str) {
    let mut map = SourceMap::new();
    map.add(name, text);
    let result = std::panic::catch_unwind(|| {
        let checked = zan::check(&map);
        // Rendering must not panic either, whatever the spans.
        let _ = zan::diagnostics::render::to_terminal(&map, &checked.diagnostics, false);
        checked.diagnostics.len()
    });
    assert!(result.is_ok(), "zan panicked on a mangled {name}:\n{text}");
    // The formatter formats what parses, idempotently, and refuses the rest.
    let formatted = std::panic::catch_unwind(|| match zan::fmt::format_source(text) {
        Ok(out) => zan::fmt::format_source(&out).map(|again| again == out),
        Err(diags) => Ok(!diags.iter().any(|d| d.message.contains("cannot lay out"))),
    });
    assert!(
        matches!(formatted, Ok(Ok(true))),
        "zan fmt failed on a mangled {name}:\n{text}"
    );
}

#[test]
fn truncated_rulebook_files_never_panic() {
    let map = common::kz_visa();
    let mut rng = Lcg(7);
    for f in map.files() {
        let len = f.text.len();
        for _ in 0..40 {
            let mut cut = rng.next() % len.max(1);
            while !f.text.is_char_boundary(cut) {
                cut -= 1;
            }
            check_does_not_panic(&f.name, &f.text[..cut]);
        }
    }
}

#[test]
fn shuffled_rulebook_lines_never_panic() {
    let map = common::kz_visa();
    let mut rng = Lcg(11);
    for f in map.files() {
        for _ in 0..10 {
            let mut lines: Vec<&str> = f.text.lines().collect();
            for i in (1..lines.len()).rev() {
                let j = rng.next() % (i + 1);
                lines.swap(i, j);
            }
            check_does_not_panic(&f.name, &lines.join("\n"));
            // Shuffled tokens within one line, too.
            let mut words: Vec<&str> = f.text.split(' ').collect();
            for i in (1..words.len()).rev().step_by(3) {
                let j = rng.next() % (i + 1);
                words.swap(i, j);
            }
            check_does_not_panic(&f.name, &words.join(" "));
        }
    }
}

#[test]
fn whole_rulebook_with_one_file_removed_never_panics() {
    let full = common::kz_visa();
    for skip in 0..full.files().len() {
        let mut map = SourceMap::new();
        for (i, f) in full.files().iter().enumerate() {
            if i != skip {
                map.add(f.name.clone(), f.text.clone());
            }
        }
        let r = std::panic::catch_unwind(|| zan::check(&map).diagnostics.len());
        assert!(r.is_ok(), "panic without {}", full.files()[skip].name);
    }
}

#[test]
fn mangled_cases_give_errors_not_panics() {
    let checked = zan::check(&common::kz_visa());
    let rb = checked.rulebook.unwrap();
    let text = std::fs::read_to_string(
        common::root().join("rulebooks/kz-visa/examples/c3-work-visa-invitation.json"),
    )
    .unwrap();
    let mut rng = Lcg(3);
    let replacements = [
        "null",
        "1",
        "\"x\"",
        "[]",
        "{}",
        "true",
        "-99999999999999999999",
        "\"9999-12-31\"",
        "\"0000-01-01\"",
    ];
    let mut evaluated = 0;
    for _ in 0..300 {
        // Replace one JSON value with something else.
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let obj = value.as_object_mut().unwrap();
        let keys: Vec<String> = obj.keys().cloned().collect();
        let k = &keys[rng.next() % keys.len()];
        let r: serde_json::Value =
            serde_json::from_str(replacements[rng.next() % replacements.len()]).unwrap();
        if let Some(inner) = obj.get_mut(k).and_then(|v| v.as_object_mut()) {
            let ik: Vec<String> = inner.keys().cloned().collect();
            let key = ik[rng.next() % ik.len()].clone();
            inner.insert(key, r);
        } else {
            obj.insert(k.clone(), r);
        }
        let outcome = std::panic::catch_unwind(|| match zan::eval::case_from_json(&rb, &value) {
            Ok(case) => {
                let day = zan::eval::as_of_date(&rb, &case, None).unwrap_or(0);
                zan::eval(&rb, &case, day, Some(zan::eval::Depth::Full))
                    .map(|_| ())
                    .map_err(|e| e.message.clone())
                    .is_ok()
            }
            Err(errors) => {
                assert!(
                    errors.iter().all(|e| e.path.starts_with("$.")),
                    "{errors:?}"
                );
                false
            }
        });
        assert!(outcome.is_ok(), "panic on case {value}");
        evaluated += usize::from(outcome.unwrap_or(false));
    }
    assert!(
        evaluated > 0,
        "some mangled cases are still valid and evaluate"
    );
}

#[test]
fn very_long_operator_chains_and_deep_brackets_are_refused_with_a_limit() {
    let head = "rulebook r { title \"t\" }\nsource s { title \"s\" }\n";
    let chain = format!(
        "{head}output rule a: integer cites s \"x\" {{\n  {}\n}}\n",
        vec!["1"; 20_000].join(" + ")
    );
    let nots = format!(
        "{head}output rule b: bool cites s \"x\" {{\n  {} true\n}}\n",
        vec!["not"; 20_000].join(" ")
    );
    let brackets = format!(
        "{head}output rule c: integer cites s \"x\" {{\n  {}1{}\n}}\n",
        "(".repeat(5_000),
        ")".repeat(5_000)
    );
    for text in [chain, nots, brackets] {
        let mut map = SourceMap::new();
        map.add("deep.zan", text);
        let checked = zan::check(&map);
        assert!(
            checked
                .diagnostics
                .iter()
                .any(|d| d.code.as_str() == "Z0003"),
            "{:?}",
            checked.diagnostics
        );
    }
}

#[test]
fn the_cli_evaluates_a_long_but_accepted_chain() {
    let dir = std::env::temp_dir().join(format!("zan-chain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let body = vec!["1"; 900].join(" + ");
    std::fs::write(
        dir.join("r.zan"),
        format!("rulebook r {{ title \"t\" }}\nsource s {{ title \"s\" }}\nfact day: date\noutput rule a: integer cites s \"x\" {{\n  {body}\n}}\n"),
    )
    .unwrap();
    std::fs::write(dir.join("case.json"), r#"{"day": "2026-03-10"}"#).unwrap();
    let o = common::zan(&[
        "eval",
        dir.to_str().unwrap(),
        dir.join("case.json").to_str().unwrap(),
        "--as-of",
        "2026-03-10",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out["outputs"]["a"], serde_json::json!(900));
    let _ = std::fs::remove_dir_all(dir);
}
