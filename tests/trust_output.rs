//! Issue 16, output paths and exit codes: every command writes standard output through one
//! path (`src/cli/output.rs`), so a closed pipe ends quietly with the usual exit code and a
//! full disk is reported with exit 2 (never a panic, never "0 errors" and exit 0);
//! `--min-coverage` takes only a percentage; SIGTERM stops a batch as SIGINT does (whole lines,
//! the summary, 143); a batch line longer than `MAX_LINE_BYTES` gets an error line and the run
//! goes on with bounded memory. And a tidy check that no command code prints another way.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::Value as Json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const KZ: &str = "rulebooks/kz-visa";

/// The kz-visa examples as NDJSON, one case per line.
fn example_cases() -> String {
    let mut out = String::new();
    for f in common::files_in(&common::root().join(KZ).join("examples"), "json") {
        let j: Json = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        out.push_str(&j.to_string());
        out.push('\n');
    }
    out
}

/// One example case file (a path relative to the repository).
fn an_example() -> String {
    let files = common::files_in(&common::root().join(KZ).join("examples"), "json");
    format!(
        "{KZ}/examples/{}",
        files[0].file_name().unwrap().to_string_lossy()
    )
}

/// A command line and what it reads on standard input.
struct Run {
    args: Vec<String>,
    stdin: Vec<u8>,
}

/// Every command that writes to standard output, in each of its output forms.
fn every_command(dir: &Path) -> Vec<Run> {
    let cases = dir.join("cases.ndjson");
    std::fs::write(&cases, example_cases()).unwrap();
    let unformatted = dir.join("unformatted.zan");
    std::fs::write(
        &unformatted,
        "rulebook r { title \"t\" }\nsource s { title \"s\" }\nfact   n:integer\n",
    )
    .unwrap();
    let example = an_example();
    let cases = cases.to_str().unwrap();
    let unformatted = unformatted.to_str().unwrap();
    let formatted_input =
        b"rulebook r { title \"t\" }\nsource s { title \"s\" }\nfact   n:integer\n";
    let lines: Vec<(String, &[u8])> = vec![
        ("check rulebooks/kz-visa".into(), b""),
        ("check rulebooks/kz-visa --format json".into(), b""),
        ("check rulebooks/kz-visa --format sarif".into(), b""),
        (format!("eval rulebooks/kz-visa {example}"), b""),
        (
            format!("eval rulebooks/kz-visa {example} --format text --explain"),
            b"",
        ),
        (format!("eval rulebooks/kz-visa --batch {cases}"), b""),
        ("test rulebooks/kz-visa".into(), b""),
        ("test rulebooks/kz-visa --format json".into(), b""),
        ("test rulebooks/kz-visa --coverage".into(), b""),
        (
            "diff rulebooks/kz-visa --from 2026-02-21 --to 2026-03-10".into(),
            b"",
        ),
        (
            "diff rulebooks/kz-visa --from 2026-02-21 --to 2026-03-10 --format json".into(),
            b"",
        ),
        ("schema rulebooks/kz-visa".into(), b""),
        (format!("fmt --check {unformatted}"), b""),
        ("fmt -".into(), formatted_input),
        ("--help".into(), b""),
    ];
    lines
        .into_iter()
        .map(|(line, stdin)| Run {
            args: line.split(' ').map(str::to_string).collect(),
            stdin: stdin.to_vec(),
        })
        .collect()
}

/// Run zan with `stdout` (and `stderr`, or a captured stderr) as given.
fn run(r: &Run, stdout: Stdio, stderr: Option<Stdio>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zan"))
        .args(&r.args)
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(stdout)
        .stderr(stderr.unwrap_or_else(Stdio::piped))
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = r.stdin.clone();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    out
}

/// The write end of a pipe whose read end is already closed: every write fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Stdio::from(writer)
}

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap(),
    )
}

fn no_crash(o: &Output, what: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{what}: {err}"
    );
    assert!(
        !matches!(o.status.code(), Some(70 | 101) | None),
        "{what}: {:?}\n{err}",
        o.status
    );
}

/// A full disk (`> /dev/full`) is an error for every command: a message naming what failed
/// and exit 2 (`zan eval --batch` reported "0 errors" and exit 0; the others panicked).
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_reported_with_exit_2_by_every_command() {
    let dir = common::temp_dir("full");
    for r in every_command(&dir) {
        let what = r.args.join(" ");
        let o = run(&r, dev_full(), None);
        no_crash(&o, &what);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{what}: {err}");
        assert!(
            err.contains("cannot write ") && err.contains("No space left on device"),
            "{what}: {err}"
        );
        // The batch summary does not count what was lost as decided.
        assert!(
            !err.contains("zan eval --batch: ") || err.contains("stopped"),
            "{what} claims success: {err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A closed pipe (`zan check --format sarif | head -1`) ends quietly, with the exit status of
/// a run whose output was read (they printed a backtrace and "internal error", 70 or 101).
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_quietly_with_the_usual_exit_status() {
    let dir = common::temp_dir("closed");
    for r in every_command(&dir) {
        let what = r.args.join(" ");
        let usual = run(&r, Stdio::piped(), None);
        assert!(!usual.stdout.is_empty(), "{what} writes something");
        let o = run(&r, closed_pipe(), None);
        no_crash(&o, &what);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), usual.status.code(), "{what}: {err}");
        assert!(!err.contains("cannot write"), "{what}: {err}");
        assert!(!err.contains("Broken pipe"), "{what}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Standard error closed as well (`zan check ... 2>&1 | head -1`): the diagnostics are lost,
/// the exit status is not.
#[cfg(unix)]
#[test]
fn a_closed_standard_error_does_not_panic() {
    let dir = common::temp_dir("stderr");
    std::fs::write(
        dir.join("bad.zan"),
        "rulebook r { title \"t\" }\nsource s { title \"s\" }\nrule x: integer = missing + 1\n",
    )
    .unwrap();
    let bad = dir.to_str().unwrap().to_string();
    let case = dir.join("case.json");
    std::fs::write(&case, "{\"not\": \"a case\"}").unwrap();
    let runs = [
        (vec!["check".to_string(), bad.clone()], Some(1)),
        (vec!["test".to_string(), bad.clone()], Some(1)),
        (
            vec![
                "eval".to_string(),
                KZ.to_string(),
                case.to_str().unwrap().to_string(),
            ],
            Some(2),
        ),
        (
            vec![
                "test".to_string(),
                KZ.to_string(),
                "--min-coverage".to_string(),
                "NaN".to_string(),
            ],
            Some(2),
        ),
    ];
    for (args, code) in runs {
        let r = Run {
            args,
            stdin: Vec::new(),
        };
        let what = r.args.join(" ");
        let o = run(&r, closed_pipe(), Some(closed_pipe()));
        assert_eq!(o.status.code(), code, "{what}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--min-coverage` is a percentage from 0 to 100: NaN (which no coverage is below, so it
/// never failed), infinities, negative numbers and numbers over 100 are usage errors.
#[test]
fn min_coverage_takes_only_a_percentage() {
    for bad in ["NaN", "nan", "inf", "-inf", "-1", "100.5", "1e3", "ninety"] {
        let o = common::zan(&["test", KZ, &format!("--min-coverage={bad}")]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "--min-coverage {bad}: {err}");
        assert!(
            err.contains("--min-coverage") && err.contains("percentage from 0 to 100"),
            "--min-coverage {bad}: {err}"
        );
        assert!(o.stdout.is_empty(), "nothing is run: {bad}");
    }
    // The bounds themselves are percentages.
    for good in ["0", "100", "99.5"] {
        let o = common::zan(&["test", KZ, "--min-coverage", good, "--format", "json"]);
        assert_ne!(o.status.code(), Some(2), "--min-coverage {good}");
        let report: Json = serde_json::from_slice(&o.stdout).unwrap();
        assert!(report["coverage"].is_object(), "--min-coverage {good}");
    }
}

/// A rulebook whose cases decide instantly, for long batches.
fn quick_rulebook(dir: &Path) -> String {
    std::fs::write(
        dir.join("r.zan"),
        "rulebook r {\n  title \"t\"\n  as of day\n}\nsource s { title \"s\" }\nfact day: date\nfact n: integer\noutput rule next_n: integer cites s \"x\" {\n  n + 1\n}\n",
    )
    .unwrap();
    dir.to_str().unwrap().to_string()
}

const QUICK_CASE: &[u8] = br#"{"day": "2026-03-10", "n": 1}"#;

/// SIGTERM in the middle of a batch (a service manager, `timeout`, `kill`): whole lines, the
/// summary saying "terminated", exit 143 (it died at once with a half-written line and no
/// summary).
#[cfg(unix)]
#[test]
fn sigterm_in_batch_leaves_whole_lines_and_the_summary() {
    let dir = common::temp_dir("sigterm");
    let rulebook = quick_rulebook(&dir);
    let check = common::zan(&["check", &rulebook]);
    assert_eq!(check.status.code(), Some(0), "{check:?}");
    let (all, out) = common::batch_stopped_by(&rulebook, QUICK_CASE, "TERM");
    assert_eq!(
        all.last(),
        Some(&b'\n'),
        "the output ends with a whole line"
    );
    for l in String::from_utf8(all).unwrap().lines() {
        let v: Json = serde_json::from_str(l).unwrap();
        assert_eq!(v["outputs"]["next_n"], 2);
    }
    let summary = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{summary}");
    assert!(
        summary.contains("zan eval --batch: ") && summary.contains("; terminated: "),
        "{summary}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `line` matches `$defs/zan.batch_line` of the decision schema that `zan schema` writes.
fn assert_is_a_batch_line(rulebook: &str, line: &Json) {
    let o = common::zan(&["schema", rulebook, "--part", "decision"]);
    assert_eq!(o.status.code(), Some(0));
    let schema: Json = serde_json::from_slice(&o.stdout).unwrap();
    let id = schema["$id"].as_str().unwrap();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource(id, schema.clone()).unwrap();
    let mut schemas = boon::Schemas::new();
    let index = compiler
        .compile(&format!("{id}#/$defs/zan.batch_line"), &mut schemas)
        .unwrap();
    if let Err(e) = schemas.validate(line, index) {
        panic!("{line}\ndoes not match zan.batch_line: {e:#}");
    }
}

fn peak_mb(stderr: &str) -> Option<u64> {
    let at = stderr.find("peak memory ")?;
    stderr[at + "peak memory ".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// A line of 200 MiB (over the 64 MiB limit) gets one error line naming the limit and its line
/// number; the lines around it are decided, and the memory stays far below the line's size
/// (it grew with the line until the allocation failed).
#[test]
fn a_line_over_the_limit_gets_an_error_line_and_the_run_goes_on() {
    let dir = common::temp_dir("long-line");
    let rulebook = quick_rulebook(&dir);
    let long = 200usize << 20;
    let mut input = Vec::with_capacity(long + 100);
    input.extend_from_slice(QUICK_CASE);
    input.push(b'\n');
    input.extend_from_slice(b"{\"day\": \"");
    input.resize(input.len() + long, b'0');
    input.push(b'\n');
    input.extend_from_slice(QUICK_CASE);
    input.push(b'\n');
    let o = common::zan_with_stdin(&["eval", &rulebook, "--batch", "-"], &input);
    drop(input);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let lines: Vec<Json> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0]["outputs"]["next_n"], 2);
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[1]["error"]["kind"], "line_too_long");
    let message = lines[1]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("line 2") && message.contains("64 MiB"),
        "{message}"
    );
    assert_eq!(lines[2]["outputs"]["next_n"], 2);
    assert!(err.contains("3 cases, 2 decided"), "{err}");
    // The error line is a `zan.batch_line` of the rulebook's decision schema.
    assert_is_a_batch_line(&rulebook, &lines[1]);
    eprintln!("{err}");
    if let Some(mb) = peak_mb(&err) {
        assert!(mb < 150, "peak memory {mb} MB for a 200 MiB line: {err}");
    }
    // A case of 3 MiB (white space inside the JSON) is under the limit and decided.
    let mut input = br#"{"day": "2026-03-10","#.to_vec();
    input.resize(input.len() + (3 << 20), b' ');
    input.extend_from_slice(br#""n": 1}"#);
    input.push(b'\n');
    let o = common::zan_with_stdin(&["eval", &rulebook, "--batch", "-"], &input);
    let line: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(line["outputs"]["next_n"], 2, "{line}");
    // The limit itself: a line of exactly 64 MiB is read (and is not a case); one byte more is
    // refused. Each is one output line.
    for (extra, kind) in [(0usize, "invalid_json"), (1, "line_too_long")] {
        let mut input = vec![b'x'; (64usize << 20) + extra];
        input.push(b'\n');
        input.extend_from_slice(QUICK_CASE);
        let o = common::zan_with_stdin(&["eval", &rulebook, "--batch", "-"], &input);
        let lines: Vec<Json> = String::from_utf8(o.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0]["error"]["kind"], kind, "{extra}");
        assert_eq!(lines[1]["outputs"]["next_n"], 2);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--batch /dev/zero` never ends, but it must not hold what it reads: after 768 MiB read, the
/// peak resident memory stays within a few line limits.
#[cfg(target_os = "linux")]
#[test]
fn batch_from_dev_zero_reads_in_bounded_memory() {
    let dir = common::temp_dir("zero");
    let rulebook = quick_rulebook(&dir);
    let mut child = Command::new(env!("CARGO_BIN_EXE_zan"))
        .args(["eval", &rulebook, "--batch", "/dev/zero"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let proc = PathBuf::from(format!("/proc/{}", child.id()));
    let field = |file: &str, name: &str| -> Option<u64> {
        let text = std::fs::read_to_string(proc.join(file)).ok()?;
        let line = text.lines().find(|l| l.starts_with(name))?;
        line[name.len()..].split_whitespace().next()?.parse().ok()
    };
    let mut read = 0;
    // Generous: reading 768 MiB of zeros takes well under a second.
    for _ in 0..1200 {
        read = field("io", "rchar:").unwrap_or(0);
        if read > 768 << 20 || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let peak_kb = field("status", "VmHWM:");
    let _ = child.kill();
    let _ = child.wait();
    assert!(read > 768 << 20, "read {read} bytes");
    let peak_mb = peak_kb.unwrap() / 1024;
    eprintln!("peak memory {peak_mb} MB after {read} bytes");
    assert!(peak_mb < 200, "peak memory {peak_mb} MB after {read} bytes");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Tidy: command code writes standard output only through `src/cli/output.rs`, and standard
/// error without `eprintln!` (which panics on a closed pipe): through `stderr_line!`
/// (`src/console.rs`, shared by the CLI and the language server). Test modules (after
/// `#[cfg(test)]`) may print.
#[test]
fn no_source_prints_but_through_the_output_path() {
    let files = common::files_below(&common::root().join("src"), "rs");
    assert!(files.len() > 20);
    let mut found = Vec::new();
    for f in &files {
        let name = f
            .strip_prefix(common::root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            // Test code: a test module below its file's code, or a file of tests of its own.
            if code == "#[cfg(test)]" || code == "#![cfg(test)]" {
                break;
            }
            if code.starts_with("//") {
                continue;
            }
            for bad in ["print!(", "println!(", "dbg!("] {
                if code.contains(bad) {
                    found.push(format!("{name}:{}: {}", i + 1, code));
                }
            }
            // The language server speaks its protocol over stdio (tokio) by design.
            let writer = name == "src/cli/output.rs" || name.starts_with("src/lsp/");
            if !writer && code.contains("io::stdout()") {
                found.push(format!("{name}:{}: {}", i + 1, code));
            }
        }
    }
    assert!(
        found.is_empty(),
        "print through src/cli/output.rs (`Output`, `output::print`) or src/console.rs (`stderr_line!`):\n{}",
        found.join("\n")
    );
}
