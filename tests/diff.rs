//! `zan diff`: each kind of structural change (tests/data/diff), the date diff of kz-visa,
//! revisions read from a temporary git repository, generated cases and errors.
//!
//! `tests/data/diff/base` is the old version of a small rulebook; every other folder there
//! holds the files of a new version that differ from it, `expected.txt` (the text report,
//! after a line `exit: N`) and optionally `args` (extra arguments). Run with `ZAN_BLESS=1` to
//! write the expected reports instead of comparing; review them before committing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DATA_DIR: &str = "tests/data/diff";

fn zan(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zan"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "120")
        .output()
        .expect("zan runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The old and new folders of one case, side by side in a temporary folder.
fn case_folders(case: &Path) -> PathBuf {
    let base = common::root().join(DATA_DIR).join("base");
    let dir = common::temp_dir(&case.file_name().unwrap().to_string_lossy());
    common::copy_dir(&base, &dir.join("old"));
    common::copy_dir(&base, &dir.join("new"));
    common::copy_dir(case, &dir.join("new"));
    for extra in ["expected.txt", "args"] {
        let _ = std::fs::remove_file(dir.join("new").join(extra));
    }
    dir
}

#[test]
fn each_kind_of_structural_change() {
    let data = common::root().join(DATA_DIR);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.ends_with("base"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "expected the diff cases in {DATA_DIR}");
    let mut failures = Vec::new();
    for case in &cases {
        let dir = case_folders(case);
        let mut args = vec!["diff".to_string(), "old".into(), "new".into()];
        if let Ok(extra) = std::fs::read_to_string(case.join("args")) {
            args.extend(extra.split_whitespace().map(str::to_string));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = zan(&dir, &args);
        let got = format!(
            "exit: {}\n{}",
            out.status.code().unwrap_or(-1),
            stdout(&out)
        );
        if let Err(report) = common::expect_file(&case.join("expected.txt"), &got) {
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            failures.push(format!("--- {name}: {report}"));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(
        failures.is_empty(),
        "the reports differ (if intended, run `ZAN_BLESS=1 cargo test --test diff` and review):\n{}",
        failures.join("\n")
    );
}

/// The expected reports say what each change is, in the language's words.
#[test]
fn the_reports_name_the_changes() {
    let read = |case: &str| {
        std::fs::read_to_string(
            common::root()
                .join(DATA_DIR)
                .join(case)
                .join("expected.txt"),
        )
        .unwrap()
    };
    let rule = read("rule-cases");
    assert!(rule.starts_with("exit: 1"));
    assert!(rule.contains("case added: `when application.applicant_age >= 14 then true`"));
    assert!(rule.contains("case removed: `when application.applicant_age >= 16 then true`"));
    assert!(rule.contains("exception `tourists_on_holiday` added"));
    assert!(
        rule.contains(
            "case `when application.category is student and application.applicant_age < 18`"
        ) || rule.contains("application.applicant_age < 21")
    );
    let table = read("table-rows");
    assert!(table.contains("row `work`: `5` → `7`"));
    assert!(table.contains("row removed: `student => 0`"));
    assert!(table.contains("otherwise added: `0`"));
    let param = read("parameter-values");
    assert!(param.contains("value from 2026-01-01: `4325 KZT` → `4300 KZT`"));
    assert!(param.contains("value added: from 2027-01-01: `4500 KZT`"));
    let calendar = read("calendar-days");
    assert!(calendar.contains("day 2026-05-27: working day → holiday (Kurban Ait)"));
    assert!(
        calendar.contains("2026-03-23: weekend → working day")
            || calendar.contains("day 2027-03-22: holiday (Nauryz) → working day")
    );
    let source = read("source-text");
    assert!(source.contains("title: \"The visa law\" → \"The visa law (2026 edition)\""));
    assert!(source.contains("text: + Article 7. Transit visas are free."));
    let amendment = read("amendment-dates");
    assert!(amendment.contains("in force 2026-06-01 → 2026-07-01"));
    assert!(amendment.contains("provision added: `repeal reasons refusal_grounds` from 2026-04-01"));
    let schema = read("schema");
    assert!(schema.contains("value added: `transit`"));
    assert!(schema.contains("field added: `nationality: text?`"));
    for quiet in ["reformat-only", "comments-listed"] {
        let r = read(quiet);
        assert!(r.starts_with("exit: 0"), "{quiet}: {r}");
        assert!(
            r.contains("Declarations: 0 added, 0 removed, 0 changed"),
            "{quiet}"
        );
        assert!(r.contains("No change."), "{quiet}");
    }
    assert!(read("comments-listed").contains("Comments changed (not counted as changes)"));
    assert!(!read("reformat-only").contains("Comments changed"));
    let added = read("added-and-removed");
    assert!(added.contains("+ output rule adult"));
    assert!(added.contains("- output reasons refusal_grounds"));
}

fn json_report(dir: &Path, args: &[&str]) -> (i32, Json) {
    let out = zan(dir, args);
    let code = out.status.code().unwrap_or(-1);
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            stdout(&out),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, json)
}

/// Every provision of the 2026 order, as written in amendments-2026.zan.
fn provisions_of_the_2026_order() -> Vec<(String, String)> {
    let map = common::kz_visa();
    let checked = zan::check(&map);
    assert!(!checked.has_errors());
    let mut out = Vec::new();
    for id in map.ids() {
        let parsed = zan::syntax::parse_file(&map, id);
        for d in &parsed.ast.declarations {
            if let zan::syntax::ast::DeclKind::Amendment(a) = &d.kind {
                if a.name.name != "joint_order_2026" {
                    continue;
                }
                for p in &a.provisions {
                    out.push(match &p.action {
                        zan::syntax::ast::ProvisionAction::Add(d) => {
                            ("adds".to_string(), d.kind.name().name.clone())
                        }
                        zan::syntax::ast::ProvisionAction::Replace(d) => {
                            ("replaces".to_string(), d.kind.name().name.clone())
                        }
                        zan::syntax::ast::ProvisionAction::Repeal { name, .. } => {
                            ("repeals".to_string(), name.name.clone())
                        }
                    });
                }
            }
        }
    }
    out
}

#[test]
fn date_diff_of_kz_visa_lists_every_provision_and_the_changed_examples() {
    let root = common::root();
    let (code, r) = json_report(
        &root,
        &[
            "diff",
            "rulebooks/kz-visa",
            "--from",
            "2026-02-21",
            "--to",
            "2026-03-10",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(r["format"], "zan-diff/1");
    assert_eq!(r["by_date"], true);
    let provisions = r["provisions"].as_array().unwrap();
    let expected = provisions_of_the_2026_order();
    assert_eq!(provisions.len(), expected.len());
    for (action, name) in &expected {
        let p = provisions
            .iter()
            .find(|p| p["name"] == name.as_str())
            .unwrap_or_else(|| panic!("provision {action} {name} is not listed"));
        assert_eq!(p["action"], action.as_str());
        assert_eq!(p["amendment"], "joint_order_2026");
        assert_eq!(p["from"], "2026-03-10");
        let cites = p["citations"].as_array().unwrap();
        assert!(!cites.is_empty(), "{name} has no citation");
        assert!(cites.iter().all(|c| c["quote"].is_string()));
    }
    // Each provision's declaration is a structural change, attributed to it.
    let changes = r["changes"].as_array().unwrap();
    for (action, name) in &expected {
        let c = changes
            .iter()
            .find(|c| c["name"] == name.as_str())
            .unwrap_or_else(|| panic!("no change for {name}"));
        let status = if action == "adds" { "added" } else { "changed" };
        assert_eq!(c["status"], status, "{name}");
        assert_eq!(c["provision"]["amendment"], "joint_order_2026");
    }
    let fingerprints = changes
        .iter()
        .find(|c| c["name"] == "fingerprint_registration_required")
        .unwrap();
    assert!(fingerprints["old_text"].is_string() && fingerprints["new_text"].is_string());
    let details: Vec<&str> = fingerprints["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(details.contains(
        &"case added: `when visa_service_operation and visa_applicant_age >= 16 then true`"
    ));
    assert!(details.contains(&"exception `e_visa_without_mission_visit` added"));

    // Behaviour: an example case file whose outcome changes, with the rule and citation.
    let changed = r["behaviour"]["changed"].as_array().unwrap();
    let c3 = changed
        .iter()
        .find(|c| c["case"] == "examples/c3-work-visa-invitation.json")
        .expect("the C3 example changes");
    let nsc = c3["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["output"] == "nsc_approval_deadline")
        .unwrap();
    assert_eq!(nsc["old"]["missing"], true);
    assert!(nsc["new"]["value"].is_string());
    assert!(nsc["new"]["by"]
        .as_str()
        .unwrap()
        .contains("nsc_approval_deadline"));
    assert_eq!(nsc["new"]["citations"][0]["source"], "amendments_2026");
    let examples = changed
        .iter()
        .filter(|c| c["origin"] == "example file")
        .count();
    assert!(examples >= 5, "only {examples} example files change");
    // A test case whose existing decision changes: corrected visas became a ground.
    let corrected = changed
        .iter()
        .find(|c| c["case"] == "test `corrected_visa_invalid_from_2026_03_10`")
        .unwrap();
    let grounds = corrected["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["output"] == "refusal_grounds")
        .unwrap();
    assert_eq!(grounds["old"]["value"], serde_json::json!([]));
    assert_eq!(grounds["new"]["value"][0]["code"], "corrected_visa");
    let per_output = &r["behaviour"]["changed_per_output"];
    assert!(per_output["refusal_grounds"].as_u64().unwrap() >= 10);
    assert_eq!(r["behaviour"]["evaluated"]["example file"], 19);
    assert!(
        r["behaviour"]["new_outputs"]["place_of_issuance"]["consular_district_of_citizenship"]
            .is_u64()
    );
}

#[test]
fn date_diff_markdown_fits_a_comment_and_names_every_provision() {
    let out = zan(
        &common::root(),
        &[
            "diff",
            "rulebooks/kz-visa",
            "--from",
            "2026-02-21",
            "--to",
            "2026-03-10",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let md = stdout(&out);
    assert!(md.len() <= 65_536, "{} characters", md.len());
    assert!(md.starts_with("## zan diff: `kz_visa`"));
    for (action, name) in provisions_of_the_2026_order() {
        assert!(
            md.contains(&format!("{action} ")) && md.contains(&format!("`{name}`")),
            "{name}"
        );
    }
    assert!(md.contains("<details><summary>Example files: "));
    assert!(md.contains("#### examples/c3-work-visa-invitation.json"));
    assert!(md.contains("#### `amendments-2026.zan`"));
    assert!(md.contains("<table><tr><th>before</th><th>after</th></tr>"));
}

#[test]
fn the_same_rulebook_on_dates_without_a_provision_between_is_unchanged() {
    let out = zan(
        &common::root(),
        &[
            "diff",
            "rulebooks/kz-visa",
            "--from",
            "2026-03-10",
            "--to",
            "2026-03-20",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("No change."));
}

#[test]
fn git_revisions_of_a_temporary_repository() {
    let repo = common::temp_dir("git");
    if !common::git(&repo, &["init", "-q"]) {
        eprintln!("git is not available: skipping the --git test");
        return;
    }
    let book = repo.join("rulebooks/demo");
    common::copy_dir(&common::root().join(DATA_DIR).join("base"), &book);
    assert!(common::git(&repo, &["add", "-A"]));
    assert!(common::git(&repo, &["commit", "-q", "-m", "the rulebook"]));
    // The second commit changes a rule and reformats another declaration.
    let rules = book.join("rules.zan");
    let text = std::fs::read_to_string(&rules).unwrap();
    let changed = text
        .replace(
            "application.applicant_age >= 16 then true",
            "application.applicant_age >= 15 then true",
        )
        .replace("  tourist => 2\n", "  tourist   =>   2   // reformatted\n");
    std::fs::write(&rules, changed).unwrap();
    assert!(common::git(
        &repo,
        &["commit", "-q", "-a", "-m", "fingerprints from 15"]
    ));

    let (code, r) = json_report(
        &repo,
        &[
            "diff",
            "--git",
            "HEAD~1..HEAD",
            "rulebooks/demo",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1);
    assert!(r["old"].as_str().unwrap().starts_with("HEAD~1 ("));
    let changes = r["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "only the rule changed: {changes:?}");
    assert_eq!(changes[0]["name"], "fingerprints_required");
    assert_eq!(changes[0]["file"], "rules.zan");
    // The student example's test case is 17: fingerprints now from 15 would change it, but
    // the exception for young students keeps it false; no decision changes.
    assert_eq!(r["behaviour"]["evaluated"]["test"], 2);

    // Against the working tree, which equals HEAD: no change.
    let out = zan(&repo, &["diff", "--git", "HEAD", "rulebooks/demo"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // Three dots: HEAD against its merge base with HEAD~1 (which is HEAD~1).
    let out = zan(&repo, &["diff", "--git", "HEAD~1...HEAD", "rulebooks/demo"]);
    assert_eq!(out.status.code(), Some(1));
    // A revision that does not exist is an error.
    let out = zan(
        &repo,
        &["diff", "--git", "no-such-branch..HEAD", "rulebooks/demo"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a git revision"));
    let _ = std::fs::remove_dir_all(&repo);
}

#[test]
fn errors_exit_with_2() {
    let root = common::root();
    let bad_date = zan(
        &root,
        &[
            "diff",
            "rulebooks/kz-visa",
            "--from",
            "2026-02-30",
            "--to",
            "2026-03-10",
        ],
    );
    assert_eq!(bad_date.status.code(), Some(2));
    let one_date = zan(
        &root,
        &["diff", "rulebooks/kz-visa", "--from", "2026-02-21"],
    );
    assert_eq!(one_date.status.code(), Some(2));
    let missing = zan(&root, &["diff", "no/such/folder", "rulebooks/kz-visa"]);
    assert_eq!(missing.status.code(), Some(2));
    // A version that does not check cannot be compared.
    let dir = common::temp_dir("broken");
    common::copy_dir(&root.join(DATA_DIR).join("base"), &dir.join("old"));
    common::copy_dir(&root.join(DATA_DIR).join("base"), &dir.join("new"));
    std::fs::write(
        dir.join("new/broken.zan"),
        "rule broken: bool { no_such_name }\n",
    )
    .unwrap();
    let out = zan(&dir, &["diff", "old", "new"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fix them before comparing"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generated_cases_are_reproducible_and_reach_the_branches() {
    let dir = case_folders(&common::root().join(DATA_DIR).join("rule-cases"));
    let run = |seed: &str| {
        json_report(
            &dir,
            &[
                "diff",
                "old",
                "new",
                "--format",
                "json",
                "--generate",
                "40",
                "--seed",
                seed,
            ],
        )
    };
    let (code, a) = run("7");
    let (_, b) = run("7");
    let (_, c) = run("8");
    assert_eq!(code, 1);
    assert_eq!(a, b, "the same seed gives the same report");
    let generated = &a["behaviour"]["generated"];
    assert_eq!(generated["cases"], 40);
    assert_eq!(generated["seed"], 7);
    let reached = generated["reached"].as_u64().unwrap();
    let branches = generated["branches"].as_u64().unwrap();
    assert!(
        reached * 10 >= branches * 9,
        "{reached} of {branches} branches"
    );
    // Fingerprints now from 14, for workers, and not for tourists: generated cases find it.
    let changed = a["behaviour"]["changed"].as_array().unwrap();
    let generated_changes: Vec<&Json> = changed
        .iter()
        .filter(|c| c["origin"] == "generated")
        .collect();
    assert!(!generated_changes.is_empty());
    assert!(generated_changes.iter().all(|c| c["facts"].is_object()));
    assert!(generated_changes.iter().any(|c| c["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["output"] == "fingerprints_required")));
    assert_ne!(
        a["behaviour"]["changed"], c["behaviour"]["changed"],
        "another seed, other cases"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
