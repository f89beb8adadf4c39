//! Differential testing: the optimised evaluator (`zan::eval`) against the deliberately simple
//! reference evaluator (`zan::eval::reference`) on the same checked rulebook, output by output:
//! the same value, or an error with the same message.
//!
//! Cases: every test and example of kz-visa and of the small rulebooks under tests/data that
//! check, the shipped kz-visa example files, seeded cases from `testing::gen_case`, and the
//! regression cases of tests/data/differential (`{"rulebook", "as_of", "case"}`, one per file,
//! each a mismatch once found). A mismatch prints the case JSON, the output and both results,
//! and the regression file to save.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use zan::eval::reference;
use zan::eval::Case;
use zan::ir::Rulebook;
use zan::testing::gen_case::{case_json, CaseGen, Seeded};
use zan::time::date::{self, Day};

/// Generated cases for kz-visa, and for each small rulebook.
const KZ_VISA_CASES: u64 = 20_000;
const SMALL_CASES: u64 = 400;

fn checked(dir: &Path) -> Option<Rulebook> {
    let map = if dir.is_dir() {
        common::folder(dir)
    } else {
        let mut map = zan::SourceMap::new();
        map.add(
            dir.to_string_lossy().to_string(),
            std::fs::read_to_string(dir).unwrap(),
        );
        map
    };
    let c = zan::check(&map);
    if c.diagnostics.iter().any(|d| d.is_error()) {
        return None;
    }
    c.rulebook
}

fn kz_visa() -> Rulebook {
    checked(&common::root().join("rulebooks/kz-visa")).expect("kz-visa checks")
}

/// The small rulebooks of tests/data that check without errors and have outputs.
fn small_rulebooks() -> Vec<(String, Rulebook)> {
    let root = common::root();
    let mut paths: Vec<PathBuf> = vec![
        root.join("tests/data/language"),
        root.join("tests/data/schema/every-type"),
    ];
    for dir in [
        "tests/data/check/ok",
        "tests/data/diff",
        "tests/data/differential/rulebooks",
    ] {
        let mut more: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "zan"))
            .collect();
        more.sort();
        paths.extend(more);
    }
    paths
        .into_iter()
        .filter_map(|p| {
            let rb = checked(&p)?;
            let has_outputs = rb.versions.iter().any(|v| !v.program.outputs.is_empty());
            let name = p.strip_prefix(&root).unwrap().to_string_lossy().to_string();
            has_outputs.then_some((name, rb))
        })
        .collect()
}

/// The differences between the two evaluators on one case, each with the case and the
/// regression file that replays it.
fn differences(rb: &Rulebook, rb_path: &str, case: &Case, as_of: Day) -> Vec<String> {
    let found = reference::differences(rb, case, as_of);
    if found.is_empty() {
        return found;
    }
    let regression = json!({
        "rulebook": rb_path,
        "as_of": date::format(as_of),
        "case": case_json(rb, case),
    });
    found
        .into_iter()
        .map(|d| {
            format!(
                "as of {}, case {}\n{d}\nregression file (tests/data/differential/<name>.json): {regression}",
                date::format(as_of),
                case_json(rb, case),
            )
        })
        .collect()
}

/// The evaluation dates of a case with no date of its own: each version's first day.
fn version_starts(rb: &Rulebook) -> Vec<Day> {
    let mut days: Vec<Day> = rb
        .versions
        .iter()
        .map(|v| {
            v.from
                .unwrap_or_else(|| date::from_ymd(2026, 1, 1).unwrap())
        })
        .collect();
    days.dedup();
    days
}

/// The rulebook's tests (on their dates) and examples (on their `as of` date, or the first day of
/// each version).
fn written_cases(rb: &Rulebook) -> Vec<(Case, Day)> {
    let mut cases = Vec::new();
    for t in &rb.tests {
        let case = Case {
            facts: t.facts.clone(),
        };
        let days = match t.as_of {
            Some(d) => vec![d],
            None => version_starts(rb),
        };
        for d in days {
            cases.push((case.clone(), d));
        }
    }
    for e in &rb.examples {
        let case = Case {
            facts: e.facts.clone(),
        };
        let days = match zan::eval::as_of_date(rb, &case, None) {
            Ok(d) => vec![d],
            Err(_) => version_starts(rb),
        };
        for d in days {
            cases.push((case.clone(), d));
        }
    }
    cases
}

/// Compare on the written cases and `n` generated ones; returns (cases compared, failures).
fn run(rb: &Rulebook, rb_path: &str, n: u64, seed: u64) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut count = 0;
    for (case, day) in written_cases(rb) {
        count += 1;
        failures.extend(differences(rb, rb_path, &case, day));
    }
    let gen = CaseGen::new(rb);
    let mut entropy = Seeded::new(seed);
    for _ in 0..n {
        let g = gen.case(&mut entropy);
        count += 1;
        // The generated case is one a reader gives: what is saved replays the same case.
        let json = case_json(rb, &g.case);
        match zan::eval::case_from_json(rb, &json) {
            Ok(read) if read == g.case => {}
            other => failures.push(format!(
                "the generated case {json} does not read back as itself: {other:?}"
            )),
        }
        failures.extend(differences(rb, rb_path, &g.case, g.as_of));
    }
    (count, failures)
}

fn report(what: &str, failures: &[String]) {
    if !failures.is_empty() {
        let shown: Vec<&str> = failures.iter().take(5).map(String::as_str).collect();
        panic!(
            "{what}: {} difference(s) between the engine and the reference; the first:\n\n{}",
            failures.len(),
            shown.join("\n\n")
        );
    }
}

#[test]
fn kz_visa_engine_agrees_with_the_reference() {
    let rb = kz_visa();
    let started = std::time::Instant::now();
    let (mut count, mut failures) = run(&rb, "rulebooks/kz-visa", KZ_VISA_CASES, 7);
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(common::root().join("rulebooks/kz-visa/examples"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
    files.sort();
    for f in files {
        let json: Json = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let case = zan::eval::case_from_json(&rb, &json).unwrap();
        let day = zan::eval::as_of_date(&rb, &case, None).unwrap();
        count += 1;
        failures.extend(differences(&rb, "rulebooks/kz-visa", &case, day));
    }
    eprintln!(
        "kz-visa: {count} cases compared in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(count > KZ_VISA_CASES as usize);
    report("kz-visa", &failures);
}

#[test]
fn small_rulebooks_engine_agrees_with_the_reference() {
    let rulebooks = small_rulebooks();
    assert!(
        rulebooks.len() >= 10,
        "only {} small rulebooks",
        rulebooks.len()
    );
    let mut failures = Vec::new();
    let mut total = 0;
    for (i, (name, rb)) in rulebooks.iter().enumerate() {
        let (count, f) = run(rb, name, SMALL_CASES, i as u64);
        total += count;
        failures.extend(f);
    }
    eprintln!(
        "{} small rulebooks: {total} cases compared",
        rulebooks.len()
    );
    report("small rulebooks", &failures);
}

/// The mismatches found so far (tests/data/differential), replayed.
#[test]
fn regression_cases_agree() {
    let files = common::files_in(&common::root().join("tests/data/differential"), "json");
    let mut failures = Vec::new();
    for f in &files {
        let entry: Json = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        let rb_path = entry["rulebook"].as_str().unwrap();
        let rb = checked(&common::root().join(rb_path))
            .unwrap_or_else(|| panic!("{}: {rb_path} does not check", f.display()));
        let as_of = date::parse(entry["as_of"].as_str().unwrap()).unwrap();
        let case = zan::eval::case_from_json(&rb, &entry["case"])
            .unwrap_or_else(|e| panic!("{}: {e:?}", f.display()));
        for d in differences(&rb, rb_path, &case, as_of) {
            failures.push(format!("{}:\n{d}", f.display()));
        }
    }
    report("regression cases", &failures);
}

/// The rulebooks written for mismatches pin the right values with tests of their own.
#[test]
fn regression_rulebooks_pass_their_tests() {
    let dir = common::root().join("tests/data/differential/rulebooks");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let rb = checked(&path).unwrap_or_else(|| panic!("{} does not check", path.display()));
        let results = zan::testing::run(&rb, None);
        assert!(!results.is_empty(), "{} has no tests", path.display());
        for r in results {
            assert!(
                r.passed(),
                "{}: test {} fails: {:?}",
                path.display(),
                r.name,
                r.failures
            );
        }
    }
}
