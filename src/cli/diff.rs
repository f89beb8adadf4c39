//! `zan diff`: loads the two versions to compare (one rulebook on two dates, two folders, or a
//! folder at two git revisions), checks both, and prints the report of `crate::diff`.

use super::output::{self, stderr_line, stderr_text};
use super::{EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::diagnostics::{render, Severity};
use crate::diff::{self, render as report, Options, Side};
use crate::load;
use crate::source::SourceMap;
use crate::syntax::{self, Parsed};
use crate::time::date::{self, Day};
use clap::ValueEnum;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DiffFormat {
    /// Coloured text for a terminal.
    Text,
    /// Markdown for a pull-request comment.
    Markdown,
    /// JSON for tools (`"format": "zan-diff/1"`).
    Json,
}

/// What to compare, from the command line.
pub struct Request {
    pub paths: Vec<PathBuf>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub git: Option<String>,
    pub format: DiffFormat,
    pub options: Options,
}

/// One version's files, read from a folder or from git.
struct Files {
    label: String,
    root: String,
    map: SourceMap,
    case_files: Vec<(String, String)>,
}

/// A version parsed and checked.
struct Loaded {
    files: Files,
    parsed: Vec<Parsed>,
    rulebook: crate::ir::Rulebook,
}

pub fn diff(req: &Request) -> i32 {
    match run(req) {
        Ok(code) => code,
        Err(message) => {
            stderr_line!("error: {message}");
            EXIT_USAGE
        }
    }
}

fn run(req: &Request) -> Result<i32, String> {
    let (old, new) = match (req.paths.as_slice(), &req.git, &req.from, &req.to) {
        ([path], None, Some(from), Some(to)) => {
            let one = check(read_folder(path)?)?;
            let dates = (parse_date(from, "--from")?, parse_date(to, "--to")?);
            let report = by_date(&one, dates, &req.options);
            return Ok(print(&report, req.format));
        }
        ([_], None, Some(_), None) | ([_], None, None, Some(_)) => {
            return Err("give both --from and --to".into())
        }
        ([path], Some(revs), None, None) => {
            let (base, head) = git_versions(path, revs)?;
            (check(base)?, check(head)?)
        }
        ([old, new], None, None, None) => {
            (check(read_folder(old)?)?, check(read_folder(new)?)?)
        }
        _ => {
            return Err("compare one rulebook on two dates (`zan diff DIR --from DATE --to DATE`), two folders (`zan diff OLD NEW`) or two git revisions (`zan diff --git BASE[..HEAD] DIR`)".into())
        }
    };
    let report = diff::diff(&side(&old, None), &side(&new, None), &req.options);
    Ok(print(&report, req.format))
}

fn by_date(one: &Loaded, (from, to): (Day, Day), options: &Options) -> diff::Report {
    let mut old = side(one, Some(from));
    old.label = date::format(from);
    let mut new = side(one, Some(to));
    new.label = date::format(to);
    diff::diff(&old, &new, options)
}

fn side(l: &Loaded, on: Option<Day>) -> Side<'_> {
    Side {
        label: l.files.label.clone(),
        root: l.files.root.clone(),
        map: &l.files.map,
        decls: l
            .parsed
            .iter()
            .flat_map(|p| p.ast.declarations.iter())
            .collect(),
        rulebook: &l.rulebook,
        on,
        case_files: l.files.case_files.clone(),
    }
}

fn print(r: &diff::Report, format: DiffFormat) -> i32 {
    let text = match format {
        DiffFormat::Text => {
            let color = output::stdout_is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let width = std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(160);
            report::text(r, color, width)
        }
        DiffFormat::Markdown => report::markdown(r),
        DiffFormat::Json => format!("{}\n", report::json(r)),
    };
    let code = if r.has_changes() {
        EXIT_FAILED
    } else {
        EXIT_OK
    };
    output::print("the report", &text, code)
}

fn parse_date(s: &str, flag: &str) -> Result<Day, String> {
    date::parse(s).ok_or_else(|| format!("{flag} {s} is not a date (YYYY-MM-DD)"))
}

/// Parse and check a version; a version with errors cannot be compared.
fn check(files: Files) -> Result<Loaded, String> {
    let parsed = syntax::parse_files(&files.map);
    let refs: Vec<&Parsed> = parsed.iter().collect();
    let checked = crate::check::check_parsed(&files.map, &refs);
    let errors: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    let Some(rulebook) = checked.rulebook else {
        stderr_text(&render::to_terminal(
            &files.map,
            &errors,
            output::stderr_color(),
        ));
        return Err(format!(
            "{} has {} error{}; fix them before comparing",
            files.label,
            errors.len(),
            if errors.len() == 1 { "" } else { "s" }
        ));
    };
    Ok(Loaded {
        files,
        parsed,
        rulebook,
    })
}

fn read_folder(path: &Path) -> Result<Files, String> {
    if !path.is_dir() {
        return Err(format!("{} is not a rulebook folder", path.display()));
    }
    let map = super::commands::read_rulebook(path)?;
    let mut case_files = Vec::new();
    let (found, skipped) = load::files_in(&path.join("examples"), |p| {
        p.extension().is_some_and(|e| e == "json")
    });
    for s in skipped {
        stderr_line!("warning: {s}");
    }
    for (p, bytes) in found {
        let text = bytes
            .map_err(|e| e.to_string())
            .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8".to_string()))
            .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        let name = p
            .file_name()
            .map(|n| format!("examples/{}", n.to_string_lossy()))
            .unwrap_or_default();
        case_files.push((name, text));
    }
    Ok(Files {
        label: load::display(path),
        root: load::display(path),
        map,
        case_files,
    })
}

// ----------------------------------------------------------------------------------- git

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(out.stdout)
}

fn git_text(dir: &Path, args: &[&str]) -> Result<String, String> {
    String::from_utf8(git(dir, args)?)
        .map(|s| s.trim().to_string())
        .map_err(|_| format!("git {} printed something that is not UTF-8", args.join(" ")))
}

/// `BASE..HEAD` (both revisions), `BASE...HEAD` (HEAD against its merge base with BASE), or
/// `BASE` (against the working tree).
fn git_versions(path: &Path, revs: &str) -> Result<(Files, Files), String> {
    if !path.is_dir() {
        return Err(format!("{} is not a rulebook folder", path.display()));
    }
    // Not in a repository: say so, rather than that the revision does not exist.
    git(path, &["rev-parse", "--show-toplevel"])?;
    let (base, head) = if let Some((a, b)) = revs.split_once("...") {
        let b = if b.is_empty() { "HEAD" } else { b };
        revision(a)?;
        revision(b)?;
        let merge_base = git_text(path, &["merge-base", "--end-of-options", a, b])?;
        (merge_base, Some(b.to_string()))
    } else if let Some((a, b)) = revs.split_once("..") {
        (
            a.to_string(),
            Some(if b.is_empty() { "HEAD" } else { b }.to_string()),
        )
    } else {
        (revs.to_string(), None)
    };
    let old = read_revision(&base, path)?;
    let new = match head {
        Some(h) => read_revision(&h, path)?,
        None => {
            let mut f = read_folder(path)?;
            f.label = "working tree".into();
            f
        }
    };
    Ok((old, new))
}

/// A revision from the command line, refused if git would take it for an option
/// (`--git=--independent...HEAD` once compared nothing and said "No change").
fn revision(rev: &str) -> Result<(), String> {
    if rev.starts_with('-') {
        return Err(format!(
            "`{rev}` is not a git revision (it starts with `-`, so git would read it as an option)"
        ));
    }
    Ok(())
}

/// One entry of `git ls-tree -z`: `MODE TYPE OBJECT\tPATH`, the path as git stores it.
struct Entry<'a> {
    mode: &'a [u8],
    kind: &'a [u8],
    object: &'a str,
    path: &'a [u8],
}

fn entry(record: &[u8]) -> Option<Entry<'_>> {
    let tab = record.iter().position(|&b| b == b'\t')?;
    let (meta, path) = (&record[..tab], &record[tab + 1..]);
    let mut fields = meta.split(|&b| b == b' ');
    let (mode, kind, object) = (fields.next()?, fields.next()?, fields.next()?);
    Some(Entry {
        mode,
        kind,
        object: std::str::from_utf8(object).ok()?,
        path,
    })
}

/// The rulebook folder as it is in a revision: its `.zan` files, its `sources/` and its
/// `examples/*.json`, named as if read from `shown` (the path the user gave). The listing is
/// NUL-separated (`-z`), so every file name reaches here as git stores it (without `-z`, git
/// quotes names with non-ASCII letters, quotes or tabs, and they were silently left out);
/// a name that cannot be read is an error, never a file left out.
fn read_revision(rev: &str, shown: &Path) -> Result<Files, String> {
    revision(rev)?;
    let commit = git_text(
        shown,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ],
    )
    .map_err(|_| format!("`{rev}` is not a git revision"))?;
    // Run in the rulebook folder, `ls-tree` names the files relative to it.
    let listing = git(
        shown,
        &[
            "ls-tree",
            "-r",
            "-z",
            "--end-of-options",
            &commit,
            "--",
            ".",
        ],
    )?;
    let root = load::display(shown);
    let mut map = SourceMap::new();
    // Every file of `sources/` at the revision is listed below, as `load::legal_texts` reads
    // the folder on disk.
    map.mark_legal_texts_read();
    let mut case_files = Vec::new();
    let mut zan = 0;
    for record in listing.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let Some(e) = entry(record) else {
            return Err(format!(
                "cannot read the file list of {root} at {rev}: `{}`",
                String::from_utf8_lossy(record)
            ));
        };
        let Ok(rel) = std::str::from_utf8(e.path) else {
            return Err(format!(
                "{root}/{} at {rev}: the file name is not UTF-8; rename it",
                String::from_utf8_lossy(e.path)
            ));
        };
        let name = format!("{}/{rel}", root.trim_end_matches('/'));
        let is_zan = rel.ends_with(".zan");
        let is_source = rel.starts_with("sources/") && !rel["sources/".len()..].contains('/');
        let is_case = rel.starts_with("examples/") && rel.ends_with(".json");
        if !(is_zan || is_source || is_case) || e.kind != b"blob" {
            continue;
        }
        if e.mode == b"120000" {
            // A link is stored as the path it points to; like a link out of a folder, it is
            // not followed.
            stderr_line!("warning: skipped {name} at {rev}: a symbolic link");
            continue;
        }
        let bytes = git(shown, &["cat-file", "blob", e.object])?;
        let Ok(text) = String::from_utf8(bytes) else {
            if is_zan {
                return Err(format!("{name} at {rev} is not valid UTF-8"));
            }
            continue;
        };
        if is_zan {
            zan += 1;
            map.add(name, text);
        } else if is_source {
            map.add_legal_text(name, text);
        } else {
            case_files.push((rel.to_string(), text));
        }
    }
    if zan == 0 {
        return Err(format!("{root} has no .zan files at {rev}"));
    }
    let short = commit.get(..10).unwrap_or(&commit);
    Ok(Files {
        label: format!("{rev} ({short})"),
        root,
        map,
        case_files,
    })
}
