//! `zan check --format sarif` as GitHub code scanning reads it, and the pull-request workflow
//! (`.github/workflows/rulebooks.yml`) that runs it: every `zan` command the workflow runs is
//! one the binary accepts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{root, zan};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn sarif(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// The shape every log must have, whatever the rulebook: version, one run of the tool `zan`,
/// results that name a rule of the run by id and index, one-based regions in counted
/// characters, relative `/` paths under `%SRCROOT%` (or `file://` URIs) and fingerprints.
fn assert_valid(log: &Value) {
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "zan");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    assert!(run["originalUriBaseIds"]["%SRCROOT%"].is_object());
    // zan's home, and for each rule the line of its row in docs/diagnostics.md there.
    let home = driver["informationUri"].as_str().unwrap();
    assert_eq!(home, env!("CARGO_PKG_REPOSITORY"));
    assert!(home.starts_with("https://"), "{home}");
    let docs = std::fs::read_to_string(root().join("docs/diagnostics.md")).unwrap();
    let rules = driver["rules"].as_array().unwrap();
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert!(id.len() == 5 && id.starts_with('Z'), "{rule}");
        assert!(!rule["name"].as_str().unwrap().is_empty(), "{rule}");
        assert!(!rule["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty());
        let help_uri = rule["helpUri"].as_str().unwrap();
        let prefix = format!("{home}/blob/HEAD/docs/diagnostics.md?plain=1#L");
        let line: usize = help_uri
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{help_uri}"))
            .parse()
            .unwrap();
        let row = docs.lines().nth(line - 1).unwrap();
        assert!(row.starts_with(&format!("| {id} |")), "{help_uri}: {row}");
        // The row's text as help: what triggers it and how to fix it.
        let help = rule["help"]["text"].as_str().unwrap();
        assert!(
            help.starts_with(id) && help.contains("How to fix: "),
            "{help}"
        );
        let fix = row
            .trim_end()
            .trim_end_matches('|')
            .rsplit(" | ")
            .next()
            .unwrap()
            .trim();
        assert!(help.ends_with(fix), "{help}\n{fix}");
        assert!(rule["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains(help_uri));
    }
    let mut ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "one descriptor per code");
    for r in run["results"].as_array().unwrap() {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"], "{r}");
        assert!(
            ["error", "warning", "note"].contains(&r["level"].as_str().unwrap()),
            "{r}"
        );
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let mut locations: Vec<&Value> = r["locations"].as_array().unwrap().iter().collect();
        assert_eq!(locations.len(), 1);
        if let Some(related) = r["relatedLocations"].as_array() {
            assert!(!related.is_empty());
            locations.extend(related);
        }
        for l in locations {
            let artifact = &l["physicalLocation"]["artifactLocation"];
            let uri = artifact["uri"].as_str().unwrap();
            assert!(!uri.contains('\\') && !uri.starts_with("./"), "{uri}");
            if uri.starts_with("file://") {
                assert!(artifact.get("uriBaseId").is_none(), "{l}");
            } else {
                assert_eq!(artifact["uriBaseId"], "%SRCROOT%", "{l}");
                assert!(!uri.starts_with('/'), "{uri}");
            }
            let region = &l["physicalLocation"]["region"];
            let n = |k: &str| region[k].as_u64().unwrap_or_else(|| panic!("{k} in {l}"));
            assert!(n("startLine") >= 1 && n("startColumn") >= 1, "{l}");
            assert!(
                (n("endLine"), n("endColumn")) >= (n("startLine"), n("startColumn")),
                "{l}"
            );
        }
        // zan's own fingerprint and GitHub's `primaryLocationLineHash`: 16 hex digits, `:N`.
        let fingerprints = r["partialFingerprints"].as_object().unwrap();
        for key in ["zanPrimaryLineHash/v1", "primaryLocationLineHash"] {
            let print = fingerprints[key]
                .as_str()
                .unwrap_or_else(|| panic!("{key}: {r}"));
            let (hash, n) = print.split_once(':').unwrap();
            assert!(
                hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()),
                "{print}"
            );
            assert!(n.parse::<u32>().unwrap() >= 1, "{print}");
        }
    }
}

#[test]
fn the_shipped_rulebook_as_sarif() {
    let o = zan(&["check", "rulebooks/kz-visa", "--format", "sarif"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let log = sarif(&o);
    assert_valid(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    // The `// OPEN:` notes are information for the reviewer.
    let open: Vec<&Value> = results.iter().filter(|r| r["ruleId"] == "Z0503").collect();
    assert!(!open.is_empty());
    assert!(open.iter().all(|r| r["level"] == "note"));
    // Paths relative to the repository root, of files that exist there.
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(uri.starts_with("rulebooks/kz-visa/"), "{uri}");
        assert!(root().join(uri).is_file(), "{uri}");
    }
    // Fingerprints tell the results apart.
    let mut prints: Vec<String> = results
        .iter()
        .map(|r| r["partialFingerprints"].to_string())
        .collect();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), results.len());
    // Only the log is on stdout; the summary goes to stderr.
    assert!(String::from_utf8_lossy(&o.stderr).contains("0 errors"));
}

fn temp_rulebook(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zan-sarif-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("r.zan"), text).unwrap();
    dir
}

fn zan_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zan"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_SERVER_URL")
        .env_remove("GITHUB_REPOSITORY")
        .output()
        .unwrap()
}

/// One-based column, in characters, of `needle` in line `line` (one-based) of `text`.
fn column_of(text: &str, line: usize, needle: &str) -> u64 {
    let l = text.lines().nth(line - 1).unwrap();
    let byte = l.find(needle).unwrap();
    l[..byte].chars().count() as u64 + 1
}

#[test]
fn an_error_after_cyrillic_text_is_placed_in_characters() {
    let text = "rulebook r { title \"Правила\" }\n\
                source law { title \"Закон\" }\n\
                fact applicant_age: integer\n\
                output rule a: bool cites law \"Виза нужна\" { aplicant_age >= 16 }\n\
                output rule a: bool cites law \"Виза\" { true }\n";
    let dir = temp_rulebook("cyrillic", text);

    // Run from the rulebook's folder as `.`: the paths are relative, without `./`.
    let o = zan_in(&dir, &["check", ".", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1), "errors fail the check");
    let log = sarif(&o);
    assert_valid(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();

    let unknown = results.iter().find(|r| r["ruleId"] == "Z0101").unwrap();
    assert_eq!(unknown["level"], "error");
    let location = &unknown["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "r.zan");
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let region = &location["region"];
    let column = column_of(text, 4, "aplicant_age");
    assert_eq!(column, 46, "the test's own arithmetic");
    assert_eq!(region["startLine"], 4);
    assert_eq!(region["startColumn"], column);
    assert_eq!(region["endLine"], 4);
    assert_eq!(region["endColumn"], column + "aplicant_age".len() as u64);
    let message = unknown["message"]["text"].as_str().unwrap();
    assert!(
        message.starts_with("unknown name `aplicant_age`"),
        "{message}"
    );
    assert!(
        message.contains("did you mean `applicant_age`?"),
        "{message}"
    );
    assert!(unknown.get("relatedLocations").is_none());

    // A duplicate points at the first declaration as a related location.
    let duplicate = results.iter().find(|r| r["ruleId"] == "Z0102").unwrap();
    assert_eq!(duplicate["level"], "error");
    let region = &duplicate["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 5);
    assert_eq!(region["startColumn"], column_of(text, 5, "a:"));
    let related = duplicate["relatedLocations"].as_array().unwrap();
    assert_eq!(related.len(), 1);
    assert_eq!(related[0]["physicalLocation"]["region"]["startLine"], 4);
    assert_eq!(related[0]["message"]["text"], "first declared here");

    // The unused fact is a warning; each code used has its descriptor.
    let unused = results.iter().find(|r| r["ruleId"] == "Z0502").unwrap();
    assert_eq!(unused["level"], "warning");
    let rules: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["Z0101", "Z0102", "Z0502"]);

    // Given an absolute path, the locations are file:// URIs.
    let o = zan_in(&dir, &["check", dir.to_str().unwrap(), "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(1));
    let log = sarif(&o);
    assert_valid(&log);
    let uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap();
    assert!(
        uri.starts_with("file://") && uri.ends_with("/r.zan"),
        "{uri}"
    );

    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn only_check_accepts_sarif() {
    let o = zan(&[
        "eval",
        "rulebooks/kz-visa",
        "rulebooks/kz-visa/examples/e-visa-tourist.json",
        "--format",
        "sarif",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let o = zan(&["test", "rulebooks/kz-visa", "--format", "sarif"]);
    assert_eq!(o.status.code(), Some(2));
    let o = zan(&["check", "--help"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("--format sarif"));
}

const WORKFLOW: &str = ".github/workflows/rulebooks.yml";

/// The `zan` commands in the workflow's shell lines, as argument lists: from the word after
/// `./target/release/zan` up to a redirection or `||`, with quotes removed.
fn workflow_commands(text: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((_, rest)) = line.split_once("./target/release/zan ") else {
            continue;
        };
        let args: Vec<String> = rest
            .split_whitespace()
            .take_while(|w| !w.starts_with('>') && !w.starts_with("2>") && *w != "||")
            .map(|w| w.trim_matches('"').to_owned())
            .collect();
        commands.push(args);
    }
    commands
}

#[test]
fn the_workflow_runs_commands_that_zan_accepts() {
    let text = std::fs::read_to_string(root().join(WORKFLOW)).unwrap();
    let commands = workflow_commands(&text);
    let verbs: Vec<&str> = commands.iter().map(|c| c[0].as_str()).collect();
    assert_eq!(verbs, ["check", "test", "diff"], "{commands:?}");
    for command in &commands {
        let args: Vec<String> = command
            .iter()
            .map(|a| {
                if a == "$rulebook" {
                    "rulebooks/kz-visa".to_owned()
                } else {
                    a.clone()
                }
            })
            .collect();
        let has = |w: &str| args.iter().any(|a| a == w);
        match args[0].as_str() {
            "check" | "test" => {
                assert!(
                    args.iter().all(|a| !a.contains('$')),
                    "unexpected variable in {command:?}"
                );
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let o = zan(&args);
                assert_ne!(
                    o.status.code(),
                    Some(2),
                    "zan {args:?}: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                if args[0] == "check" {
                    assert!(has("--format") && has("sarif"), "{args:?}");
                    assert_valid(&sarif(&o));
                }
            }
            // `zan diff` compares git revisions: base branch against the pull request.
            _ => {
                let line = text
                    .lines()
                    .find(|l| l.contains("./target/release/zan diff --git"))
                    .unwrap();
                assert!(line.contains("origin/${BASE_REF}..HEAD"), "{line}");
                assert!(line.contains("--format markdown"), "{line}");
                assert!(line.contains("--generate 200"), "{line}");
                assert!(has("--git") && has("markdown"), "{args:?}");
            }
        }
    }
    // Checked before the upload, which runs even when the check fails; a hidden marker to
    // find the comment again; the upload's category.
    for needle in [
        "github/codeql-action/upload-sarif@v3",
        "sarif_file: zan.sarif",
        "category: zan",
        "if: ${{ always() && hashFiles('zan.sarif') != '' && (github.event_name == 'push' || github.event.pull_request.head.repo.full_name == github.repository) }}",
        "<!-- zan-diff -->",
        "actions/github-script@v7",
        "fetch-depth: 0",
        "dtolnay/rust-toolchain@stable",
        "Swatinem/rust-cache@v2",
        "cargo build --release",
        "security-events: write",
        "pull-requests: write",
        "contents: read",
    ] {
        assert!(text.contains(needle), "the workflow lacks {needle}");
    }
}

/// The YAML parses and has the expected triggers, permissions and step order, checked with
/// Python's yaml module where it is installed (skipped with a notice otherwise).
#[test]
fn the_workflow_is_valid_yaml() {
    let probe = Command::new("python3").args(["-c", "import yaml"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("notice: python3 with the yaml module is not available; {WORKFLOW} not parsed");
        return;
    }
    let script = r#"
import sys, yaml
w = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
on = w.get("on", w.get(True))
paths = on["pull_request"]["paths"]
for p in ["rulebooks/**", "grammar/**", "src/**"]:
    assert p in paths, paths
# The default branch too: code scanning compares a pull request with its analysed base.
assert on["push"]["branches"] == ["main"], on["push"]
assert on["push"]["paths"] == paths, on["push"]
assert w["permissions"] == {"contents": "read", "pull-requests": "write", "security-events": "write"}, w["permissions"]
steps = w["jobs"]["review"]["steps"]
assert w["jobs"]["review"]["runs-on"] == "ubuntu-latest"
uses = [s.get("uses", "") for s in steps]
order = [next(i for i, s in enumerate(steps) if key(s)) for key in [
    lambda s: s.get("uses", "").startswith("actions/checkout"),
    lambda s: s.get("run", "").strip() == "cargo build --release",
    lambda s: "zan check" in s.get("run", ""),
    lambda s: s.get("uses", "").startswith("github/codeql-action/upload-sarif"),
    lambda s: "zan test" in s.get("run", ""),
    lambda s: "zan diff" in s.get("run", ""),
    lambda s: s.get("uses", "").startswith("actions/github-script"),
]]
assert order == sorted(order), order
assert steps[0]["with"]["fetch-depth"] == 0
print(len(steps))
"#;
    let o = Command::new("python3")
        .args(["-c", script])
        .arg(root().join(WORKFLOW))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The workflow's step that finds the rulebooks finds kz-visa (run with bash where present).
#[test]
fn the_workflow_finds_the_rulebooks() {
    let text = std::fs::read_to_string(root().join(WORKFLOW)).unwrap();
    // The `run: |` block of the step with `id: rulebooks`.
    let start = text.find("id: rulebooks").unwrap();
    let block = &text[start..];
    let run = block.find("run: |").unwrap() + "run: |".len();
    let body: Vec<&str> = block[run..]
        .lines()
        .skip(1)
        .take_while(|l| l.trim().is_empty() || l.starts_with("          "))
        .collect();
    let script = body
        .iter()
        .map(|l| l.get(10..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let output = std::env::temp_dir().join(format!("zan-sarif-output-{}", std::process::id()));
    std::fs::write(&output, "").unwrap();
    let Ok(o) = Command::new("bash")
        .args(["-e", "-o", "pipefail", "-c", &script])
        .current_dir(root())
        .env("GITHUB_OUTPUT", &output)
        .output()
    else {
        eprintln!("notice: bash is not available; the step that finds the rulebooks was not run");
        return;
    };
    assert!(
        o.status.success(),
        "{script}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let written = std::fs::read_to_string(&output).unwrap();
    let _ = std::fs::remove_file(&output);
    let list: Vec<&str> = written
        .lines()
        .skip_while(|l| !l.starts_with("list<<"))
        .skip(1)
        .take_while(|l| !l.starts_with("ZAN_RULEBOOKS"))
        .collect();
    assert_eq!(list, ["rulebooks/kz-visa"], "{written}");
}

/// GitHub's `primaryLocationLineHash` stays the same when lines are added above a result and
/// when its line is reindented, changes with the code or the line's text, and counts the
/// results of equal hash in a file.
#[test]
fn line_hashes_survive_unrelated_edits_and_count_repeats() {
    let prints = |name: &str, text: &str| -> Vec<(String, String)> {
        let dir = temp_rulebook(name, text);
        let o = zan_in(&dir, &["check", ".", "--format", "sarif"]);
        let log = sarif(&o);
        assert_valid(&log);
        let _ = std::fs::remove_dir_all(dir);
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == "Z0101")
            .map(|r| {
                let p = &r["partialFingerprints"];
                (
                    p["primaryLocationLineHash"].as_str().unwrap().to_owned(),
                    p["zanPrimaryLineHash/v1"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let head = "rulebook r { title \"R\" }\nfact age: integer\n";
    let rule = |name: &str, body: &str| format!("output rule {name}: bool {{\n{body}\n}}\n");
    let before = prints(
        "hash-before",
        &format!("{head}{}", rule("a", "  agee >= 16")),
    );
    let moved = prints(
        "hash-moved",
        &format!(
            "{head}\n// a comment above\n\n{}",
            rule("a", "        agee   >=  16")
        ),
    );
    assert_eq!(before.len(), 1, "{before:?}");
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_eq!(before[0].0, moved[0].0, "reindented and moved down");
    assert!(before[0].0.ends_with(":1"), "{before:?}");
    let changed = prints(
        "hash-changed",
        &format!("{head}{}", rule("a", "  agee > 16")),
    );
    assert_ne!(before[0].0, changed[0].0, "another line text");
    // Two equal lines in one file: the same hash, counted 1 and 2.
    let twice = prints(
        "hash-twice",
        &format!(
            "{head}{}{}",
            rule("a", "  agee >= 16"),
            rule("b", "  agee >= 16")
        ),
    );
    assert_eq!(twice.len(), 2, "{twice:?}");
    let (h0, n0) = twice[0].0.split_once(':').unwrap();
    let (h1, n1) = twice[1].0.split_once(':').unwrap();
    assert_eq!((h0, n0, n1), (h1, "1", "2"));
    assert_eq!(format!("{h0}:1"), before[0].0);
    // zan's own fingerprint tells them apart too.
    assert_ne!(twice[0].1, twice[1].1);
}
