//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod server;
pub mod validator;
pub mod webdriver;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use zan::source::SourceMap;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped rulebook as a source map, files named relative to the repository.
pub fn kz_visa() -> SourceMap {
    folder(&root().join("rulebooks/kz-visa"))
}

pub fn folder(dir: &Path) -> SourceMap {
    let mut map = SourceMap::new();
    for f in files_below(dir, "zan") {
        let name = f
            .strip_prefix(root())
            .unwrap_or(&f)
            .to_string_lossy()
            .replace('\\', "/");
        map.add(name, std::fs::read_to_string(&f).unwrap());
    }
    if let Ok(entries) = std::fs::read_dir(dir.join("sources")) {
        let mut texts: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        texts.sort();
        for t in texts {
            let name = t.to_string_lossy().replace('\\', "/");
            map.add_legal_text(name, std::fs::read_to_string(&t).unwrap());
        }
    }
    map
}

/// The files of `dir` (not below) whose extension is `ext`, in name order.
pub fn files_in(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == ext))
        .collect();
    files.sort();
    files
}

/// Every file below `dir` whose extension is `ext`, in path order.
pub fn files_below(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for e in std::fs::read_dir(&folder).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                folders.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A fresh, empty folder for one test, named after the test file and `name` (and numbered, so
/// two calls with one name never share it).
pub fn temp_dir(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "zan-{}-{name}-{}-{n}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run the `zan` binary from the repository root.
pub fn zan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zan"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Run zan with `input` on its standard input, fed from another thread (so a large input
/// cannot block against a full output pipe).
pub fn zan_with_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_zan"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Whether a value of `ZAN_BLESS` asks to rewrite the expected files: exactly `1` (so
/// `ZAN_BLESS=0` or an empty value compares, as a reader of the command would expect).
pub fn bless_requested(value: Option<&std::ffi::OsStr>) -> bool {
    value.is_some_and(|v| v == "1")
}

/// Whether this run rewrites the expected files (`ZAN_BLESS=1`).
pub fn blessing() -> bool {
    bless_requested(std::env::var_os("ZAN_BLESS").as_deref())
}

/// The one comparison of the data-driven tests: `actual` against the file `expected`
/// (absolute, or relative to the repository). With `ZAN_BLESS=1` the file is written instead
/// (only when it differs); otherwise a mismatch is an error naming the file, with a line diff.
pub fn expect_file(expected: &Path, actual: &str) -> Result<(), String> {
    let path = root().join(expected);
    let shown = path
        .strip_prefix(root())
        .unwrap_or(&path)
        .to_string_lossy()
        .replace('\\', "/");
    let want = std::fs::read_to_string(&path);
    if blessing() {
        if want.as_deref().ok() != Some(actual) {
            std::fs::write(&path, actual).map_err(|e| format!("cannot write {shown}: {e}"))?;
        }
        return Ok(());
    }
    match want {
        Ok(want) if want == actual => Ok(()),
        Ok(want) => Err(format!("{shown} differs:\n{}", line_diff(&want, actual))),
        Err(e) => Err(format!(
            "cannot read {shown}: {e} (to create it, run with ZAN_BLESS=1 and review it)"
        )),
    }
}

/// A readable line diff of two texts (`-` expected, `+` actual), with three lines of context.
pub fn line_diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}

/// Copy the folder `from` to `to`, with everything below it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

/// Run git in `dir` with a name, no signing and `main` as the first branch; whether it
/// succeeded (false also when git is not installed).
pub fn git(dir: &Path, args: &[&str]) -> bool {
    Command::new("git")
        .args(["-c", "user.name=zan", "-c", "user.email=zan@example.org"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `zan eval RULEBOOK --batch -` on two threads, fed `case` lines without end, sent `signal`
/// (`INT`, `TERM`) once the first decisions are out: everything it wrote, and how it ended.
#[cfg(unix)]
pub fn batch_stopped_by(rulebook: &str, case: &[u8], signal: &str) -> (Vec<u8>, Output) {
    use std::io::{Read, Write};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_zan"))
        .args(["eval", rulebook, "--batch", "-", "--threads", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Keep feeding until the pipe breaks: the run never reaches the end of its input.
    let block: Vec<u8> = [case, b"\n"].concat().repeat(1000);
    let feeder = std::thread::spawn(move || while stdin.write_all(&block).is_ok() {});
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 4096];
    let n = stdout.read(&mut first).unwrap();
    assert!(n > 0, "some decisions came out");
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut written = first[..n].to_vec();
    stdout.read_to_end(&mut written).unwrap();
    let out = child.wait_with_output().unwrap();
    drop(feeder);
    (written, out)
}
