//! Files, folders and git (issue 16, items 13–16 and 18): `zan fmt` replaces a file whole,
//! keeping its permissions; no link out of the rulebook folder is followed (by `check`, `fmt`
//! or for `sources/`), a link loop reads nothing twice; FIFOs and devices are skipped, not
//! read; `zan diff --git` sees files with any name and refuses revisions that git would take
//! for options; `zan fmt --check` stays fast when every line differs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BASE: &str = "tests/data/diff/base";

/// Run zan in `dir`; a run still going after `limit` is killed and the test fails (the bugs
/// fixed here hung: a FIFO, `/dev/zero`, a walk of the whole file system).
fn zan_in(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zan"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "zan {args:?} still running after {limit:?}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

const LIMIT: Duration = Duration::from_secs(60);

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const MESSY: &str = "rulebook r {   title \"t\" }\nsource s { title \"s\" }\n\noutput rule one: integer cites s \"x\" { 1 }\n";

fn formatted(text: &str) -> String {
    let mut map = zan::source::SourceMap::new();
    let file = map.add("f.zan", text.to_string());
    zan::fmt::format_file(&map, file).unwrap()
}

// ------------------------------------------------------------------- item 13: atomic fmt

#[cfg(unix)]
#[test]
fn fmt_replaces_the_file_whole_and_keeps_its_permissions() {
    use std::io::Read;
    use std::os::unix::fs::PermissionsExt;
    let dir = common::temp_dir("atomic");
    let file = dir.join("r.zan");
    std::fs::write(&file, MESSY).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    // A reader that opened the file before `zan fmt` (an `eval`, the language server) goes on
    // reading the old text: the file is replaced, never truncated and rewritten in place.
    let mut reader = std::fs::File::open(&file).unwrap();
    let o = zan_in(&dir, &["fmt", "r.zan"], LIMIT);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let mut seen = String::new();
    reader.read_to_string(&mut seen).unwrap();
    assert_eq!(seen, MESSY, "the open file was rewritten in place");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), formatted(MESSY));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640, "permissions changed");
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["r.zan"], "a temporary file was left");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn fmt_of_a_link_rewrites_its_target_and_keeps_the_link() {
    let dir = common::temp_dir("fmt-link");
    std::fs::write(dir.join("real.zan"), MESSY).unwrap();
    std::os::unix::fs::symlink("real.zan", dir.join("link.zan")).unwrap();
    let o = zan_in(&dir, &["fmt", "link.zan"], LIMIT);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let link = std::fs::symlink_metadata(dir.join("link.zan")).unwrap();
    assert!(
        link.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("real.zan")).unwrap(),
        formatted(MESSY)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------ item 14: links out of the folder

#[cfg(unix)]
#[test]
fn fmt_of_a_folder_does_not_rewrite_files_outside_it_through_a_link() {
    let dir = common::temp_dir("fmt-out");
    let outside = dir.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("x.zan"), MESSY).unwrap();
    let book = dir.join("book");
    std::fs::create_dir_all(&book).unwrap();
    std::fs::write(book.join("r.zan"), MESSY).unwrap();
    std::os::unix::fs::symlink("../outside", book.join("shared")).unwrap();
    let o = zan_in(&dir, &["fmt", "book"], LIMIT);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        std::fs::read_to_string(outside.join("x.zan")).unwrap(),
        MESSY,
        "a file outside the folder was rewritten"
    );
    assert_eq!(
        std::fs::read_to_string(book.join("r.zan")).unwrap(),
        formatted(MESSY)
    );
    let err = text(&o.stderr);
    assert!(
        err.contains("skipped book/shared: a link to") && err.contains("outside the rulebook"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The diff tests' base rulebook in `dir/book`, with `law.txt` in `dir/outside`.
fn base_book(dir: &Path) -> PathBuf {
    let book = dir.join("book");
    common::copy_dir(&common::root().join(BASE), &book);
    book
}

fn check_json(dir: &Path) -> (Output, Json) {
    let o = zan_in(dir, &["check", "book", "--format", "json"], LIMIT);
    let out = serde_json::from_slice(&o.stdout).unwrap_or(Json::Null);
    (o, out)
}

fn codes(out: &Json) -> Vec<String> {
    out["diagnostics"]
        .as_array()
        .map(|ds| {
            ds.iter()
                .map(|d| d["code"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(unix)]
#[test]
fn check_follows_no_link_out_of_the_folder_and_reads_each_file_once() {
    let dir = common::temp_dir("check-links");
    let book = base_book(&dir);
    let (o, clean) = check_json(&dir);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // A `.zan` file outside (it would redefine a rule), a link to the root of the file system,
    // a loop, and a link to a folder inside the rulebook (read once, not twice).
    std::fs::create_dir_all(dir.join("outside")).unwrap();
    std::fs::write(
        dir.join("outside/extra.zan"),
        "output rule duty: integer { 1 }\n",
    )
    .unwrap();
    std::os::unix::fs::symlink("../outside/extra.zan", book.join("extra.zan")).unwrap();
    std::os::unix::fs::symlink("/", book.join("root")).unwrap();
    std::os::unix::fs::symlink(".", book.join("loop")).unwrap();
    std::fs::create_dir_all(book.join("sub")).unwrap();
    std::fs::rename(book.join("rules.zan"), book.join("sub/rules.zan")).unwrap();
    std::os::unix::fs::symlink("sub", book.join("again")).unwrap();
    let (o, out) = check_json(&dir);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}\n{out}");
    assert_eq!(codes(&out), codes(&clean), "{out}");
    assert!(
        err.contains("skipped book/extra.zan: a link to")
            && err.contains("outside/extra.zan outside the rulebook folder"),
        "{err}"
    );
    assert!(
        err.contains("skipped book/root: a link to / outside"),
        "{err}"
    );
    // Text output counts the files read: each once.
    let o = zan_in(&dir, &["check", "book"], LIMIT);
    assert!(
        text(&o.stdout).contains("checked 2 files"),
        "{}",
        text(&o.stdout)
    );
    // The embedding API and the language server read folders with the same walker.
    let engine = zan::engine::Engine::load(&book).unwrap();
    let skipped = engine.skipped().join("\n");
    assert!(
        skipped.contains("book/root: a link to / outside"),
        "{skipped}"
    );
    let mut files = Vec::new();
    zan::load::collect(&book, &mut files).unwrap();
    assert_eq!(
        files,
        [book.join("rulebook.zan"), book.join("sub/rules.zan")]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_legal_text_linked_from_outside_the_folder_is_not_read() {
    // In CI, a pull request could link `sources/law.txt` to a secret and learn from Z0504
    // whether a guessed sentence stands in it.
    let dir = common::temp_dir("sources-link");
    let book = base_book(&dir);
    std::fs::create_dir_all(dir.join("outside")).unwrap();
    std::fs::write(dir.join("outside/secret.txt"), "the secret is 1234\n").unwrap();
    std::fs::remove_file(book.join("sources/law.txt")).unwrap();
    std::os::unix::fs::symlink("../../outside/secret.txt", book.join("sources/law.txt")).unwrap();
    let (o, out) = check_json(&dir);
    let err = text(&o.stderr);
    assert!(
        !codes(&out).contains(&"Z0504".to_string()),
        "the linked file was read: {out}"
    );
    assert!(
        err.contains("skipped book/sources/law.txt: a link to")
            && err.contains("outside the rulebook folder"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ----------------------------------------------------------- item 15: non-regular files

fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_rulebook_file_is_skipped_not_read() {
    let dir = common::temp_dir("fifo");
    let book = base_book(&dir);
    if !mkfifo(&book.join("pipe.zan")) || !mkfifo(&book.join("sources/pipe.txt")) {
        eprintln!("mkfifo is not available: skipping");
        return;
    }
    for args in [
        &["check", "book"][..],
        &["fmt", "--check", "book"],
        &["test", "book"],
    ] {
        let o = zan_in(&dir, args, LIMIT);
        let err = text(&o.stderr);
        assert!(
            err.contains("skipped book/pipe.zan: not a regular file (a FIFO)"),
            "{args:?}: {err}"
        );
        assert_ne!(o.status.code(), Some(2), "{args:?}: {err}");
    }
    let o = zan_in(&dir, &["check", "book"], LIMIT);
    assert!(
        text(&o.stderr).contains("skipped book/sources/pipe.txt: not a regular file"),
        "{}",
        text(&o.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_device_is_refused_before_reading_and_a_link_to_it_is_skipped() {
    // `/dev/zero` says it is 0 bytes long and never ends: it used to be read until memory ran
    // out. Read in a thread so that a regression fails the test instead of hanging it.
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(zan::load::zan_file(Path::new("/dev/zero")));
    });
    let r = receive
        .recv_timeout(Duration::from_secs(30))
        .expect("reading /dev/zero did not stop");
    let e = r.unwrap_err();
    assert!(
        e.contains("/dev/zero is not a regular file (a device)"),
        "{e}"
    );

    let dir = common::temp_dir("device");
    let book = base_book(&dir);
    std::os::unix::fs::symlink("/dev/zero", book.join("zero.zan")).unwrap();
    let o = zan_in(&dir, &["check", "book"], LIMIT);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("skipped book/zero.zan: a link to /dev/zero outside"),
        "{}",
        text(&o.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------- item 16: diff --git

#[test]
fn diff_git_sees_files_with_any_name_and_refuses_option_like_revisions() {
    let repo = common::temp_dir("git");
    if !common::git(&repo, &["init", "-q"]) {
        eprintln!("git is not available: skipping");
        return;
    }
    // A Cyrillic folder name, and inside it a folder whose name has a quote and a tab: git
    // quotes such names unless asked for NUL-separated output.
    let folder = "правила";
    let book = repo.join(folder);
    common::copy_dir(&common::root().join(BASE), &book);
    let sub = book.join("part \"one\"\tA");
    std::fs::create_dir_all(&sub).unwrap();
    let rules = sub.join("ережелер.zan");
    std::fs::rename(book.join("rules.zan"), &rules).unwrap();
    assert!(common::git(&repo, &["add", "-A"]));
    assert!(common::git(&repo, &["commit", "-q", "-m", "the rulebook"]));
    let text_of = std::fs::read_to_string(&rules).unwrap();
    let changed = text_of.replace(
        "application.applicant_age >= 16 then true",
        "application.applicant_age >= 15 then true",
    );
    assert_ne!(changed, text_of);
    std::fs::write(&rules, changed).unwrap();
    assert!(common::git(
        &repo,
        &["commit", "-q", "-a", "-m", "fingerprints from 15"]
    ));

    for revs in ["HEAD~1..HEAD", "HEAD~1...HEAD"] {
        let o = zan_in(
            &repo,
            &["diff", "--git", revs, folder, "--format", "json"],
            LIMIT,
        );
        assert_eq!(o.status.code(), Some(1), "{revs}: {}", text(&o.stderr));
        let r: Json = serde_json::from_slice(&o.stdout).unwrap();
        let changes = r["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 1, "{revs}: {changes:?}");
        assert_eq!(changes[0]["name"], "fingerprints_required");
        assert_eq!(changes[0]["file"], "part \"one\"\tA/ережелер.zan");
    }
    // Also from inside the folder, and against the working tree (equal to HEAD).
    let o = zan_in(&book, &["diff", "--git", "HEAD~1..HEAD", "."], LIMIT);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let o = zan_in(&repo, &["diff", "--git", "HEAD", folder], LIMIT);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    // A revision starting with `-` is refused, not passed to git as an option.
    for revs in ["--independent...HEAD", "HEAD..--all", "-h", "HEAD...-q"] {
        let o = zan_in(&repo, &["diff", &format!("--git={revs}"), folder], LIMIT);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{revs}: {err}{}", text(&o.stdout));
        assert!(err.contains("starts with `-`"), "{revs}: {err}");
    }
    let _ = std::fs::remove_dir_all(&repo);
}

// -------------------------------------------------------------- item 18: fmt --check

#[test]
fn fmt_check_stays_fast_when_every_line_differs() {
    // 20,000 one-line rules, each laid out on four lines by `zan fmt`: the whole-file line diff
    // took over a minute; the diff shown is the first lines, and only they are computed.
    let dir = common::temp_dir("fmt-check-big");
    let mut src = String::from("rulebook r { title \"t\" }\nsource s { title \"s\" }\n\n");
    for i in 0..20_000 {
        src.push_str(&format!(
            "output rule r{i}: integer cites s \"x\" {{ {i} + 1 }}\n"
        ));
    }
    std::fs::write(dir.join("big.zan"), &src).unwrap();
    std::fs::write(dir.join("small.zan"), MESSY).unwrap();
    let start = Instant::now();
    let o = zan_in(&dir, &["fmt", "--check", "."], Duration::from_secs(120));
    let took = start.elapsed();
    assert!(took < Duration::from_secs(20), "took {took:?}");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("would reformat ./big.zan"), "{out}");
    assert!(out.contains("would reformat ./small.zan"), "{out}");
    assert!(out.contains("2 of 2 files would be reformatted"), "{out}");
    assert!(out.contains("more lines differ"), "{out}");
    assert!(
        out.lines().count() < 120,
        "the diff is not bounded: {} lines",
        out.lines().count()
    );
    // The lines shown are those of the file's start, laid out.
    assert!(out.contains("-rulebook r { title \"t\" }\n"), "{out}");
    assert!(out.contains("+  title \"t\"\n"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}
