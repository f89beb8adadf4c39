//! `zan fmt`: rewrite `.zan` files in the canonical layout (`crate::fmt`), check that they
//! are in it, or format standard input to standard output (for editors).

use super::output::{self, stderr_line, stderr_text, Output};
use super::{load, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::diagnostics::render;
use crate::fmt::format_file;
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

/// The `.zan` files named or found (recursively, in path order) in the folders named.
fn collect(paths: &[PathBuf]) -> (Vec<PathBuf>, i32) {
    let mut files = Vec::new();
    let mut code = EXIT_OK;
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            if let Err(e) = load::collect(p, &mut found) {
                stderr_line!("error: cannot read {}: {e}", p.display());
                code = EXIT_USAGE;
            }
            found.sort();
            files.extend(found);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            stderr_line!("error: {} is not a .zan file or folder", p.display());
            code = EXIT_USAGE;
        }
    }
    (files, code)
}

fn one_file(path: &Path, check: bool, out: &mut Output) -> Outcome {
    let text = match load::zan_file(path) {
        Ok(t) => t,
        Err(e) => {
            stderr_line!("error: {e}");
            return Outcome::Unreadable;
        }
    };
    let name = load::display(path);
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
    match std::fs::write(path, formatted) {
        Ok(()) => {
            out.write_flushed(
                "the list of files",
                format!("formatted {name}\n").as_bytes(),
            );
            Outcome::Changed
        }
        Err(e) => {
            stderr_line!("error: cannot write {name}: {e}");
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

/// "would reformat NAME" and the first lines of a unified diff.
fn diff(name: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new)
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
    if lines.len() > DIFF_LINES {
        out.push_str(&format!(
            "... ({} more lines of diff)\n",
            lines.len() - DIFF_LINES
        ));
    }
    out
}
