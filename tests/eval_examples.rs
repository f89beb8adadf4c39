//! The shipped example cases: their decisions (through the library and the CLI) against the
//! reviewed expectations in tests/data/eval, and the effect of the 2026 amendment.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::path::PathBuf;
use zan::time::date;

fn rulebook() -> zan::Rulebook {
    let map = common::kz_visa();
    let checked = zan::check(&map);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "kz-visa has errors: {errors:?}");
    checked.rulebook.unwrap()
}

fn examples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(common::root().join("rulebooks/kz-visa/examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    v.sort();
    assert!(v.len() >= 4, "expected at least 4 shipped examples");
    v
}

fn decide(rb: &zan::Rulebook, path: &PathBuf, as_of: Option<&str>, explain: bool) -> Json {
    let json: Json = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    decide_json(rb, path, &json, as_of, explain)
}

fn decide_json(
    rb: &zan::Rulebook,
    path: &std::path::Path,
    json: &Json,
    as_of: Option<&str>,
    explain: bool,
) -> Json {
    let case = zan::eval::case_from_json(rb, json).unwrap();
    let day = zan::eval::as_of_date(rb, &case, as_of.and_then(date::parse)).unwrap();
    let d = zan::eval(rb, &case, day, explain.then_some(zan::eval::Depth::Path)).unwrap();
    assert!(!d.has_errors(), "{} has evaluation errors", path.display());
    zan::eval::output::decision_json(rb, &d)
}

/// The examples whose explanation is kept as JSON under tests/data/explain: a state duty,
/// the Article 518 and 517 fines, the legalisation route and the NSC deadlines.
const EXPLANATIONS_KEPT_AS_JSON: [&str; 5] = [
    "aifc-employee-visa-change",
    "c3-work-visa-invitation",
    "documents-from-several-countries",
    "stay-host-late-notice-repeated",
    "stay-uzbek-visitor-overstay",
];

/// The explanation of every example as a person reads it (`zan eval --explain --format
/// text`), reviewed under tests/data/explain.
#[test]
fn explanation_text_of_every_example_is_reviewed() {
    let mut failures = Vec::new();
    for path in examples() {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let rel = path
            .strip_prefix(common::root())
            .unwrap()
            .to_string_lossy()
            .to_string();
        let out = common::zan(&[
            "eval",
            "rulebooks/kz-visa",
            &rel,
            "--explain",
            "--format",
            "text",
        ]);
        assert_eq!(out.status.code(), Some(0), "zan eval {rel} --explain");
        let text = String::from_utf8(out.stdout).unwrap();
        if let Err(diff) = common::expect_file(
            &PathBuf::from(format!("tests/data/explain/{stem}.txt")),
            &text,
        ) {
            failures.push(diff);
        }
    }
    assert!(
        failures.is_empty(),
        "explanations changed (ZAN_BLESS=1 to accept after review):\n{}",
        failures.join("\n")
    );
}

#[test]
fn library_and_cli_give_the_reviewed_decisions() {
    let rb = rulebook();
    let mut failures = Vec::new();
    for path in examples() {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let lib = decide(&rb, &path, None, true);
        // The decision alone is reviewed for every example; the explanation's JSON (about
        // half a megabyte an example) for the examples that carry the law's arithmetic, and
        // its text for every example (`explanation_text_of_every_example_is_reviewed`).
        let mut decision = lib.clone();
        let explanation = decision
            .as_object_mut()
            .unwrap()
            .remove("explanation")
            .unwrap();
        let text = serde_json::to_string_pretty(&decision).unwrap() + "\n";
        if let Err(diff) = common::expect_file(
            &PathBuf::from(format!("tests/data/eval/{stem}.json")),
            &text,
        ) {
            failures.push(diff);
        }
        if EXPLANATIONS_KEPT_AS_JSON.contains(&stem.as_str()) {
            let text = serde_json::to_string_pretty(&explanation).unwrap() + "\n";
            if let Err(diff) = common::expect_file(
                &PathBuf::from(format!("tests/data/explain/{stem}.json")),
                &text,
            ) {
                failures.push(diff);
            }
        }
        let rel = path
            .strip_prefix(common::root())
            .unwrap()
            .to_string_lossy()
            .to_string();
        let out = common::zan(&["eval", "rulebooks/kz-visa", &rel, "--explain"]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "zan eval {rel}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let cli: Json = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(cli, lib, "the CLI and the library disagree on {rel}");
    }
    assert!(
        failures.is_empty(),
        "decisions changed (ZAN_BLESS=1 to accept after review):\n{}",
        failures.join("\n")
    );
}

#[test]
fn explanations_cite_the_source_sentence() {
    let rb = rulebook();
    let path = common::root().join("rulebooks/kz-visa/examples/sticker-applicant-turning-16.json");
    let d = decide(&rb, &path, None, true);
    let x = &d["explanation"];
    assert_eq!(x["format"], "zan-explanation/2");
    assert_eq!(x["depth"], "path");
    assert_eq!(x["version"]["in_force_from"], "2026-03-10");
    let applied = x["version"]["amendments_applied"].as_array().unwrap();
    assert!(
        applied
            .iter()
            .any(|a| a["name"] == "fingerprint_registration_required" && a["action"] == "replaces"),
        "{applied:?}"
    );
    let outputs = x["outputs"].as_array().unwrap();
    // One derivation per output; the one of the fingerprinting rule says why.
    assert_eq!(outputs.len(), d["outputs"].as_object().unwrap().len());
    let fp = outputs
        .iter()
        .find(|r| r["rule"] == "fingerprint_registration_required")
        .unwrap();
    assert_eq!(fp["kind"], "rule");
    assert_eq!(fp["output"], true);
    assert_eq!(fp["value"], Json::Bool(true));
    assert_eq!(fp["amendment"]["name"], "joint_order_2026");
    let cited = fp["citations"]
        .as_array()
        .unwrap()
        .iter()
        .chain(fp["sources"].as_array().unwrap())
        .find(|c| {
            c["quote"]
                .as_str()
                .is_some_and(|q| q.contains("reached the age of sixteen"))
        })
        .unwrap_or_else(|| panic!("{fp}"));
    assert_eq!(cited["file"], "amendments-2026-invitations-and-visas.txt");
    assert!(cited["line"].as_u64().is_some(), "{cited}");
    let condition = fp["condition"]["text"].as_str().unwrap_or("");
    assert!(condition.contains("16"), "{fp}");
    let why_not = fp["why_not"].as_array().unwrap();
    assert!(
        why_not
            .iter()
            .any(|e| e["definition"].as_str().unwrap().contains("e_visa")),
        "{why_not:?}"
    );
}

/// As of 2026-02-21 and as of 2026-03-10 the decisions differ exactly in the outputs the
/// 2026 order adds or replaces, and nowhere else.
#[test]
fn the_amendment_changes_exactly_what_it_provides() {
    let rb = rulebook();
    let after = rb.version_on(date::parse("2026-03-10").unwrap()).unwrap();
    let before = rb.version_on(date::parse("2026-02-21").unwrap()).unwrap();
    let order = |v: &zan::ir::Version| -> BTreeSet<String> {
        v.applied
            .iter()
            .filter(|p| rb.amendments[p.amendment as usize].name == "joint_order_2026")
            .map(|p| p.name.clone())
            .collect()
    };
    let touched = order(after);
    assert!(touched.contains("fingerprint_registration_required"));
    assert!(
        order(before).is_empty(),
        "nothing of the order is in force on 2026-02-21"
    );
    // The cases about a visa application (the others, on residence, taxes, documents and
    // stays, have outputs that count days up to the evaluation date).
    for path in examples() {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut json: Json = serde_json::from_str(&text).unwrap();
        if !json["application"].is_object() {
            continue;
        }
        // An adult, so that no age changes between the two dates.
        json["applicant"]["birth_date"] = Json::String("1990-01-01".into());
        let a = decide_json(&rb, &path, &json, Some("2026-02-21"), false);
        let b = decide_json(&rb, &path, &json, Some("2026-03-10"), false);
        let (a, b) = (
            a["outputs"].as_object().unwrap(),
            b["outputs"].as_object().unwrap(),
        );
        let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        let changed: Vec<&&String> = names.iter().filter(|n| a.get(**n) != b.get(**n)).collect();
        for n in &changed {
            assert!(
                touched.contains(**n),
                "{}: `{n}` changed but the amendment does not touch it",
                path.display()
            );
        }
        for n in b.keys().filter(|n| !a.contains_key(*n)) {
            assert!(
                touched.contains(n),
                "{}: output `{n}` appeared without a provision",
                path.display()
            );
        }
    }
    // 2026-02-22 is the other in-force date the source names; no provision is identified
    // for it (an open point), so the consolidated rulebook is still the baseline there.
    assert!(order(rb.version_on(date::parse("2026-02-22").unwrap()).unwrap()).is_empty());
}

/// Every shipped example is described in the README, and every `zan eval` command the README
/// shows runs as written and decides without errors.
#[test]
fn the_readme_examples_run_as_written() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let mut commands = 0;
    let lines: Vec<&str> = readme.lines().collect();
    for (at, line) in lines.iter().enumerate() {
        let shown = line.trim().trim_matches('`');
        let session = shown.starts_with("$ ");
        let shown = shown.trim_start_matches("$ ");
        let Some(args) = shown
            .strip_prefix("cargo run --release -- ")
            .or_else(|| shown.strip_prefix("zan "))
        else {
            continue;
        };
        let args: Vec<&str> = args.split_whitespace().collect();
        if args.first() != Some(&"eval") {
            continue;
        }
        commands += 1;
        let out = common::zan(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "`zan {}` from the README: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("error:"), "`zan {}`: {text}", args.join(" "));
        // A terminal session (`$ zan ...`) shows output: every line shown (but `...`) is
        // what the command prints.
        if session {
            for shown in lines[at + 1..].iter().take_while(|l| !l.starts_with("```")) {
                if shown.trim() != "..." {
                    assert!(
                        text.lines().any(|l| l == *shown),
                        "the README shows a line `zan {}` does not print:\n{shown}",
                        args.join(" ")
                    );
                }
            }
        }
    }
    for path in examples() {
        let rel = path
            .strip_prefix(common::root())
            .unwrap()
            .to_string_lossy()
            .to_string();
        assert!(readme.contains(&rel), "README does not show {rel}");
    }
    assert!(
        commands >= examples().len(),
        "README shows {commands} eval commands"
    );
}
