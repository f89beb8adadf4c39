//! The schemas of `zan schema` under Ajv 8, the validator most integrators use, with its default
//! options (strict mode: unknown keywords are errors, `strictTypes` warnings count here too):
//! every schema it writes for kz-visa compiles, and every example case and its decision (with
//! and without the explanation) validates against the schema of its version. Ajv and
//! ajv-formats are installed from npm, pinned, into `target/npm-ajv`; without npm the test is
//! skipped with a notice, and fails under CI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::root;
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use std::process::Command;

static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The versions the test was written against.
const PACKAGES: [&str; 2] = ["ajv@8.17.1", "ajv-formats@3.0.1"];

fn npm() -> &'static str {
    if cfg!(windows) {
        "npm.cmd"
    } else {
        "npm"
    }
}

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `target/npm-ajv/node_modules` with Ajv installed; `None` (with a notice) without npm.
fn ajv_modules() -> Option<PathBuf> {
    let present = Command::new(npm())
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
        && Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    if !present {
        if std::env::var_os("CI").is_some() {
            panic!(
                "node and npm are not installed (Debian's nodejs and npm; .ci/run installs them)"
            );
        }
        println!("skipped: npm not found, the schemas were not compiled with Ajv");
        return None;
    }
    // The tests of this file run in parallel: one installs, the others wait for it.
    let _installing = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = root().join("target").join("npm-ajv");
    let modules = dir.join("node_modules");
    let installed = PACKAGES.iter().all(|p| {
        let (name, version) = p.rsplit_once('@').unwrap();
        std::fs::read_to_string(modules.join(name).join("package.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Json>(&t).ok())
            .is_some_and(|j| j["version"] == version)
    });
    if !installed {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("package.json"), "{\"private\": true}\n").unwrap();
        let o = Command::new(npm())
            .args(["install", "--no-audit", "--no-fund", "--no-save"])
            .args(PACKAGES)
            .current_dir(dir.as_path())
            .output()
            .expect("run npm install");
        assert!(
            o.status.success(),
            "npm install {PACKAGES:?}:\n{}",
            text(&o)
        );
    }
    Some(modules)
}

fn zan(args: &[&str]) -> Vec<u8> {
    let o = common::zan(args);
    assert_eq!(o.status.code(), Some(0), "zan {args:?}:\n{}", text(&o));
    o.stdout
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn every_schema_compiles_under_ajv_strict_and_validates_the_examples() {
    let Some(modules) = ajv_modules() else {
        return;
    };
    let dir = root()
        .join("target")
        .join(format!("ajv-schemas-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // The example cases and their decisions, by the date they were decided on.
    let mut cases = Vec::new();
    let mut by_date: std::collections::BTreeMap<String, (Vec<String>, Vec<String>)> =
        Default::default();
    let mut examples: Vec<PathBuf> = std::fs::read_dir(root().join("rulebooks/kz-visa/examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    examples.sort();
    assert!(examples.len() >= 10, "{examples:?}");
    for (i, example) in examples.iter().enumerate() {
        let case = example.to_str().unwrap();
        cases.push(case.to_owned());
        let decision = zan(&["eval", "rulebooks/kz-visa", case]);
        let as_of = serde_json::from_slice::<Json>(&decision).unwrap()["as_of"]
            .as_str()
            .unwrap()
            .to_owned();
        let explained = zan(&["eval", "rulebooks/kz-visa", case, "--explain"]);
        let entry = by_date.entry(as_of).or_default();
        entry
            .0
            .push(write(&dir, &format!("decision-{i}.json"), &decision));
        entry
            .1
            .push(write(&dir, &format!("explained-{i}.json"), &explained));
    }
    assert!(
        by_date.len() >= 2,
        "the examples span the versions: {by_date:?}"
    );

    let mut plan = vec![json!({
        "schema": write(&dir, "case.json", &zan(&["schema", "rulebooks/kz-visa", "--part", "case"])),
        "instances": cases,
    })];
    for (day, (decisions, explained)) in &by_date {
        let schema = |extra: &[&str], name: &str| {
            let mut args = vec!["schema", "rulebooks/kz-visa", "--as-of", day.as_str()];
            args.extend_from_slice(extra);
            write(&dir, &format!("{name}-{day}.json"), &zan(&args))
        };
        plan.push(json!({ "schema": schema(&["--part", "decision"], "decision"), "instances": decisions }));
        plan.push(json!({
            "schema": schema(&["--part", "decision", "--explain"], "decision-explain"),
            "instances": explained,
        }));
        let explanations: Vec<String> = explained
            .iter()
            .enumerate()
            .map(|(i, file)| {
                let d: Json = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
                let name = format!("explanation-{day}-{i}.json");
                write(&dir, &name, d["explanation"].to_string().as_bytes())
            })
            .collect();
        plan.push(json!({ "schema": schema(&["--part", "explain"], "explain"), "instances": explanations }));
    }
    // Not every-type's decision schema yet: with no calendar, its working-day duration has
    // `"calendar": {"enum": []}`, which Ajv refuses (an empty `enum`; kz-visa has a calendar).
    let plan_file = write(&dir, "plan.json", plan_json(&plan).as_bytes());

    let o = Command::new("node")
        .arg(root().join("tests/data/schema/ajv-check.js"))
        .arg(modules)
        .arg(plan_file)
        .output()
        .expect("run node");
    let out = text(&o);
    assert!(o.status.success(), "Ajv 8 (strict) refused:\n{out}");
    println!("{out}");
    let expected = format!("ajv: {} schemas compiled", plan.len());
    assert!(out.contains(&expected), "{out}");
    assert!(out.contains(", 0 failures"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn plan_json(plan: &[Json]) -> String {
    serde_json::to_string_pretty(plan).unwrap()
}

/// The check itself catches what it is for: a schema with an `x-zan-*` keyword, and one that
/// strictTypes warns about, fail.
#[test]
fn the_ajv_check_refuses_unknown_keywords_and_loose_types() {
    let Some(modules) = ajv_modules() else {
        return;
    };
    let dir = root()
        .join("target")
        .join(format!("ajv-refusals-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let unknown = write(
        &dir,
        "unknown.json",
        br#"{"type": "object", "x-zan-type": "money"}"#,
    );
    let loose = write(
        &dir,
        "loose.json",
        br#"{"type": "array", "items": {"oneOf": [{"properties": {"code": {"const": "a"}}}]}}"#,
    );
    for (schema, message) in [(unknown, "unknown keyword"), (loose, "strictTypes")] {
        let plan = write(
            &dir,
            "plan.json",
            json!([{ "schema": schema, "instances": [] }])
                .to_string()
                .as_bytes(),
        );
        let o = Command::new("node")
            .arg(root().join("tests/data/schema/ajv-check.js"))
            .arg(&modules)
            .arg(plan)
            .output()
            .expect("run node");
        let out = text(&o);
        assert!(!o.status.success() && out.contains(message), "{out}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
