//! `zan fmt`: rewrite `.zan` files in the canonical layout (`crate::fmt`), check that they
//! are in it, or format standard input to standard output (for editors).

use super::output::{self, stderr_line, stderr_text, Output};
use super::{atomic, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::diagnostics::render;
use crate::fmt::format_file;
use crate::load;
use crate::source::SourceMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Lines of unified diff shown per file by `--check`.
const DIFF_LINES: usize = 40;

enum Outcome {
    Unchanged,
    Changed,
    /// Syntax errors: left untouched.
    Invalid,
    Unreadable,
}

fn color() -> bool {
    output::stderr_color()
}

pub fn fmt(paths: &[PathBuf], check: bool, stdin: bool) -> i32 {
    let dash = paths.iter().any(|p| p == Path::new("-"));
    if stdin || dash {
        if paths.iter().any(|p| p != Path::new("-")) {
            stderr_line!("error: `-` formats standard input and takes no other path");
            return EXIT_USAGE;
        }
        return from_stdin(check);
    }
    if paths.is_empty() {
        stderr_line!("error: give the .zan files or folders to format, or `-` for standard input");
        return EXIT_USAGE;
    }
    let (files, mut code) = collect(paths);
    let (mut changed, mut invalid) = (0, 0);
    let mut out = Output::new();
    for f in &files {
        match one_file(f, check, &mut out) {
            Outcome::Unchanged => {}
            Outcome::Changed => changed += 1,
            Outcome::Invalid => invalid += 1,
            Outcome::Unreadable => code = EXIT_USAGE,
        }
    }
    if check && changed > 0 {
        let line = format!(
            "{changed} of {} file{} would be reformatted; run `zan fmt` on {}\n",
            files.len(),
            if files.len() == 1 { "" } else { "s" },
            if changed == 1 { "it" } else { "them" }
        );
        out.write("the list of files", line.as_bytes());
    }
    if invalid > 0 {
        stderr_line!(
            "{invalid} file{} with syntax errors left unformatted",
            if invalid == 1 { "" } else { "s" }
        );
    }
    out.finish(if code != EXIT_OK {
        code
    } else if invalid > 0 || (check && changed > 0) {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}

/// The `.zan` files named or found (recursively, in path order) in the folders named. A folder
/// is read as `zan check` reads it (`load::walk`: no link out of it is followed); a file
/// named is the user's choice, and a link to it is resolved so that the file is rewritten, not
/// the link.
fn collect(paths: &[PathBuf]) -> (Vec<load::Found>, i32) {
    let mut files = Vec::new();
    let mut code = EXIT_OK;
    for p in paths {
        if p.is_dir() {
            match load::walk(p) {
                Ok(walked) => {
                    for s in walked.skipped {
                        stderr_line!("warning: {s}");
                    }
                    files.extend(walked.files);
                }
                Err(e) => {
                    stderr_line!("error: cannot read {}: {e}", p.display());
                    code = EXIT_USAGE;
                }
            }
        } else if p.is_file() {
            match std::fs::canonicalize(p) {
                Ok(real) => files.push(load::Found {
                    shown: p.clone(),
                    real,
                }),
                Err(e) => {
                    stderr_line!("error: cannot read {}: {e}", p.display());
                    code = EXIT_USAGE;
                }
            }
        } else {
            stderr_line!("error: {} is not a .zan file or folder", p.display());
            code = EXIT_USAGE;
        }
    }
    (files, code)
}

fn one_file(found: &load::Found, check: bool, out: &mut Output) -> Outcome {
    let text = match load::read_zan(&found.real, &found.shown) {
        Ok(t) => t,
        Err(e) => {
            stderr_line!("error: {e}");
            return Outcome::Unreadable;
        }
    };
    let name = load::display(&found.shown);
    let mut map = SourceMap::new();
    let file = map.add(name.clone(), text);
    let formatted = match format_file(&map, file) {
        Ok(t) => t,
        Err(diags) => {
            stderr_text(&render::to_terminal(&map, &diags, color()));
            return Outcome::Invalid;
        }
    };
    let text = map.get(file).map_or("", |f| f.text.as_str());
    if formatted == text {
        return Outcome::Unchanged;
    }
    if check {
        out.write_flushed("the differences", diff(&name, text, &formatted).as_bytes());
        return Outcome::Changed;
    }
    // Replaced whole or not at all: a reader never sees half a file, a full disk loses nothing.
    match atomic::replace(&found.real, formatted.as_bytes()) {
        Ok(()) => {
            out.write_flushed(
                "the list of files",
                format!("formatted {name}\n").as_bytes(),
            );
            Outcome::Changed
        }
        Err(e) => {
            stderr_line!("error: cannot write {name}: {e} (the file is unchanged)");
            Outcome::Unreadable
        }
    }
}

fn from_stdin(check: bool) -> i32 {
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        stderr_line!("error: cannot read standard input: {e}");
        return EXIT_USAGE;
    }
    let mut map = SourceMap::new();
    let file = map.add("<stdin>", text);
    let formatted = match format_file(&map, file) {
        Ok(t) => t,
        Err(diags) => {
            stderr_text(&render::to_terminal(&map, &diags, color()));
            return EXIT_FAILED;
        }
    };
    let text = map.get(file).map_or("", |f| f.text.as_str());
    if check {
        if formatted == text {
            return EXIT_OK;
        }
        return output::print(
            "the differences",
            &diff("<stdin>", text, &formatted),
            EXIT_FAILED,
        );
    }
    output::print("the formatted text", &formatted, EXIT_OK)
}

/// "would reformat NAME" and the first lines of a unified diff. Only the first lines matter, so
/// only `DIFF_WINDOW` lines of each text after the first difference are compared: the cost of a
/// line diff grows with the product of the lengths and the number of changes (20,000 changed
/// one-line rules took a minute), and this bounds it whatever the file.
fn diff(name: &str, old: &str, new: &str) -> String {
    let (old_part, new_part, cut) = window(old, new);
    let diff = similar::TextDiff::from_lines(old_part, new_part)
        .unified_diff()
        .context_radius(2)
        .header(name, &format!("{name} (formatted)"))
        .to_string();
    let mut out = format!("would reformat {name}\n");
    let lines: Vec<&str> = diff.lines().collect();
    for line in lines.iter().take(DIFF_LINES) {
        out.push_str(line.trim_end_matches('\r'));
        out.push('\n');
    }
    if cut {
        out.push_str(&format!(
            "... (diff cut after {} lines; more lines differ)\n",
            DIFF_LINES.min(lines.len())
        ));
    } else if lines.len() > DIFF_LINES {
        out.push_str(&format!(
            "... ({} more lines of diff)\n",
            lines.len() - DIFF_LINES
        ));
    }
    out
}

/// Lines of each text compared by `diff` after the lines both start with.
const DIFF_WINDOW: usize = 1000;

/// The starts of `old` and `new` up to `DIFF_WINDOW` lines past their common first lines (so
/// the line numbers of the diff stay true), and whether either was cut.
fn window<'a, 'b>(old: &'a str, new: &'b str) -> (&'a str, &'b str, bool) {
    let mut common = 0;
    for (a, b) in old.split_inclusive('\n').zip(new.split_inclusive('\n')) {
        if a != b {
            break;
        }
        common += a.len();
    }
    let end = |text: &str| -> usize {
        text[common..]
            .split_inclusive('\n')
            .take(DIFF_WINDOW)
            .map(str::len)
            .sum::<usize>()
            + common
    };
    let (old_end, new_end) = (end(old), end(new));
    let cut = old_end < old.len() || new_end < new.len();
    (&old[..old_end], &new[..new_end], cut)
}
