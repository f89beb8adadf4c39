#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Messages as a new user meets them: every example command in `zan --help` and in each
//! `zan SUB --help` runs as written from the repository root (no missing file, no usage
//! error). The diagnostics found lacking (`=` for `==`, Z0401's did-you-mean, money against
//! a count of MCI) have their cases in `tests/data/check/err/`, run by tests/check_data.rs.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

/// The help text of `zan ARGS --help`.
fn help(args: &[&str]) -> String {
    let mut all: Vec<&str> = args.to_vec();
    all.push("--help");
    let out = common::zan(&all);
    assert!(out.status.success(), "zan {all:?} failed");
    String::from_utf8(out.stdout).unwrap()
}

/// The subcommands listed under `Commands:` in `zan --help` (without `help`).
fn subcommands(top: &str) -> Vec<String> {
    top.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(String::from)
        .collect()
}

/// The example commands of a help text: the lines that start with `zan `.
fn examples(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("zan "))
        .map(String::from)
        .collect()
}

/// Run one example as a shell would, without writing into the repository: `> FILE` is read
/// and dropped, `< FILE` is fed from the repository, `--output FILE` goes to a temporary
/// folder, and `zan fmt` without `--check` runs on a temporary copy of the rulebooks.
fn run_example(line: &str, tmp: &Path) -> (Option<i32>, String) {
    let root = common::root();
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(words.first(), Some(&"zan"));
    let mut args: Vec<String> = Vec::new();
    let mut stdin: Option<String> = None;
    let mut it = words[1..].iter();
    while let Some(w) = it.next() {
        match *w {
            ">" => {
                it.next().expect("a file after `>`");
            }
            "<" => stdin = Some(it.next().expect("a file after `<`").to_string()),
            "--output" => {
                let file = it.next().expect("a file after --output");
                args.push("--output".into());
                args.push(tmp.join(file).display().to_string());
            }
            w => args.push(w.to_string()),
        }
    }
    if args.first().is_some_and(|a| a == "serve") {
        return serve_example(args);
    }
    let writes = args.first().is_some_and(|a| a == "fmt") && !args.iter().any(|a| a == "--check");
    let cwd = if writes {
        let copy = tmp.join("fmt-copy");
        common::copy_dir(&root.join("rulebooks"), &copy.join("rulebooks"));
        copy
    } else {
        root.clone()
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zan"));
    cmd.args(&args).current_dir(&cwd).env("NO_COLOR", "1");
    cmd.stdin(match &stdin {
        Some(f) => Stdio::from(std::fs::File::open(cwd.join(f)).unwrap()),
        None => Stdio::null(),
    });
    let out = cmd.output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// `zan serve …` runs until stopped: started on a free port (its `--addr` replaced), it must
/// say it listens, then SIGTERM must stop it with exit 0.
fn serve_example(mut args: Vec<String>) -> (Option<i32>, String) {
    if let Some(at) = args.iter().position(|a| a == "--addr") {
        args[at + 1] = "127.0.0.1:0".into();
    } else {
        args.extend(["--addr".into(), "127.0.0.1:0".into()]);
    }
    let server = common::server::Server::start_args(&args);
    let stderr = server.stderr_text();
    let status = server.terminate(std::time::Duration::from_secs(30));
    (status.and_then(|s| s.code()), stderr)
}

#[test]
fn every_help_example_runs_as_written() {
    let top = help(&[]);
    let subs = subcommands(&top);
    assert!(
        subs.len() >= 6 && subs.iter().any(|s| s == "eval"),
        "subcommands not found in `zan --help`: {subs:?}"
    );
    let tmp = common::temp_dir("help-examples");
    let mut lines = examples(&top);
    for s in &subs {
        lines.extend(examples(&help(&[s])));
    }
    assert!(lines.len() >= 10, "too few examples found: {lines:?}");
    let mut failures = Vec::new();
    for line in &lines {
        let (code, stderr) = run_example(line, &tmp);
        // 0 or 1 (a decision, a check with findings, a diff with changes), never a usage
        // error, a missing file or a crash.
        if !matches!(code, Some(0 | 1))
            || stderr.contains("No such file")
            || stderr.contains("Usage:")
        {
            failures.push(format!("{line}\n  exit {code:?}\n  {stderr}"));
        }
    }
    assert!(
        failures.is_empty(),
        "help examples that fail:\n{}",
        failures.join("\n")
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn the_eval_example_names_an_example_that_exists() {
    let text = help(&["eval"]);
    let mut named = 0;
    for line in examples(&text) {
        for w in line.split_whitespace().filter(|w| w.ends_with(".json")) {
            assert!(
                common::root().join(w).is_file(),
                "`{w}` in `zan eval --help` does not exist"
            );
            named += 1;
        }
    }
    assert!(named > 0, "`zan eval --help` shows no case file");
}
