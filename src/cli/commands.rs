//! The subcommands.

use super::output::{self as out, stderr_line, stderr_text};
use super::test::test_verdict;
use super::{CheckFormat, Format, ShownSeverity, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::check::{check as check_rulebook, Checked};
use crate::diagnostics::{render, sarif, Severity};
use crate::engine::{DecideError, Engine, LoadError, Options as DecideOptions, Selection};
use crate::eval::CaseError;
use crate::load;
use crate::source::SourceMap;
use crate::time::date;
use serde_json::json;
use std::io::Read;
use std::path::Path;

fn color() -> bool {
    out::stderr_color()
}

/// Read a rulebook folder (or one `.zan` file); what was not read (a link out of the folder,
/// a special file) is said on standard error.
pub(super) fn read_rulebook(path: &Path) -> Result<SourceMap, String> {
    let (map, skipped) = load::rulebook_and_skipped(path)?;
    for s in skipped {
        stderr_line!("warning: {s}");
    }
    Ok(map)
}

/// Load and check; print diagnostics to stderr. `None` when the rulebook cannot be used.
pub(super) fn load_checked(path: &Path, quiet_warnings: bool) -> Result<(SourceMap, Checked), i32> {
    let map = read_rulebook(path).map_err(|e| {
        stderr_line!("error: {e}");
        EXIT_USAGE
    })?;
    let checked = check_rulebook(&map);
    let shown: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| !quiet_warnings || d.severity == Severity::Error)
        .cloned()
        .collect();
    if !shown.is_empty() {
        stderr_text(&render::to_terminal(&map, &shown, color()));
    }
    Ok((map, checked))
}

/// Which diagnostics `zan check` shows: `--quiet`, or `--severity LEVEL` (by default every
/// one). Only what is shown changes; the counts and the exit code are those of every
/// diagnostic.
#[derive(Clone, Copy)]
pub enum Shown {
    Quiet,
    AtLeast(ShownSeverity),
}

impl Shown {
    fn shows(self, severity: Severity) -> bool {
        let least = match self {
            Shown::Quiet => ShownSeverity::Warning,
            Shown::AtLeast(s) => s,
        };
        match least {
            ShownSeverity::Note => true,
            ShownSeverity::Warning => severity != Severity::Note,
            ShownSeverity::Error => severity == Severity::Error,
        }
    }

    /// Whether anything can be hidden (`--severity note` shows every diagnostic).
    fn filters(self) -> bool {
        !matches!(self, Shown::AtLeast(ShownSeverity::Note))
    }

    fn flag(self) -> &'static str {
        match self {
            Shown::Quiet => "--quiet",
            Shown::AtLeast(ShownSeverity::Error) => "--severity error",
            Shown::AtLeast(ShownSeverity::Warning) => "--severity warning",
            Shown::AtLeast(ShownSeverity::Note) => "--severity note",
        }
    }
}

/// `, 3 warnings and 12 notes hidden (--severity error)`: what the filter hid, for the
/// summary line; empty when nothing was hidden.
fn hidden_summary(hidden: &[&crate::diagnostics::Diagnostic], shown: Shown) -> String {
    let count = |s: Severity| hidden.iter().filter(|d| d.severity == s).count();
    let parts: Vec<String> = [
        (count(Severity::Warning), "warning"),
        (count(Severity::Note), "note"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}{}", plural(n)))
    .collect();
    if parts.is_empty() {
        return String::new();
    }
    format!(", {} hidden ({})", parts.join(" and "), shown.flag())
}

pub fn check(path: &Path, format: CheckFormat, deny_warnings: bool, shown: Shown) -> i32 {
    let map = match read_rulebook(path) {
        Ok(m) => m,
        Err(e) => {
            stderr_line!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let checked = check_rulebook(&map);
    let errors = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let files = map.files().len();
    let (diagnostics, hidden): (Vec<_>, Vec<_>) = checked
        .diagnostics
        .iter()
        .partition(|d| shown.shows(d.severity));
    let diagnostics: Vec<_> = diagnostics.into_iter().cloned().collect();
    let summary = format!(
        "checked {files} file{}: {errors} error{}, {warnings} warning{}{}",
        plural(files),
        plural(errors),
        plural(warnings),
        hidden_summary(&hidden, shown)
    );
    let code = if errors > 0 || (deny_warnings && warnings > 0) {
        EXIT_FAILED
    } else {
        EXIT_OK
    };
    match format {
        CheckFormat::Json => {
            let diags: Vec<_> = diagnostics
                .iter()
                .map(|d| render::to_json(&map, d))
                .collect();
            let mut text = json!({ "errors": errors, "warnings": warnings, "diagnostics": diags });
            if let (true, Some(obj)) = (shown.filters(), text.as_object_mut()) {
                obj.insert("hidden".into(), json!(hidden.len()));
            }
            out::print("the diagnostics", &format!("{text}\n"), code)
        }
        CheckFormat::Text => {
            let mut text = render::to_terminal(&map, &diagnostics, out::stdout_is_terminal());
            text.push_str(&summary);
            text.push('\n');
            out::print("the diagnostics", &text, code)
        }
        CheckFormat::Sarif => {
            let log = sarif::to_sarif(&map, &diagnostics);
            let code = match serde_json::to_string_pretty(&log) {
                Ok(s) => out::print("the SARIF log", &(s + "\n"), code),
                Err(e) => {
                    stderr_line!("error: {e}");
                    return EXIT_USAGE;
                }
            };
            // The log goes to a file; what fails the check is also shown in the CI log.
            let failing: Vec<_> = checked
                .diagnostics
                .iter()
                .filter(|d| {
                    d.severity == Severity::Error
                        || (deny_warnings && d.severity == Severity::Warning)
                })
                .cloned()
                .collect();
            if !failing.is_empty() {
                stderr_text(&render::to_terminal(&map, &failing, color()));
            }
            stderr_line!("{summary}");
            code
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The text of a case file (or of standard input for `-`).
fn read_case(path: &Path) -> Result<String, String> {
    let mut text = String::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the case from standard input: {e}"))?;
    } else {
        text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    }
    Ok(text)
}

/// `--as-of`, if given; a usage error when it is not a date.
pub(super) fn given_date(as_of: Option<&str>) -> Result<Option<date::Day>, i32> {
    match as_of.map(|s| date::parse(s).ok_or(s)) {
        Some(Err(s)) => {
            stderr_line!(
                "error: --as-of {s} is not a date; write it as YYYY-MM-DD, such as 2026-03-10"
            );
            Err(EXIT_USAGE)
        }
        Some(Ok(d)) => Ok(Some(d)),
        None => Ok(None),
    }
}

/// The checked rulebook to evaluate with; its errors are printed.
pub(super) fn checked_rulebook(path: &Path) -> Result<crate::ir::Rulebook, i32> {
    let (_, checked) = load_checked(path, true)?;
    checked.rulebook.ok_or_else(|| {
        stderr_line!(
            "error: the rulebook has errors; run `zan check {}`",
            path.display()
        );
        EXIT_FAILED
    })
}

/// What `zan eval` is asked to decide, as given on the command line.
pub struct EvalRequest<'a> {
    pub as_of: Option<&'a str>,
    /// `--explain`, to this depth.
    pub explain: Option<crate::eval::Depth>,
    pub outputs: &'a [String],
}

/// The engine of `zan eval`, loaded through `Engine::load`: what was not read is said as a
/// warning, and the rulebook's errors (not its warnings: `zan check` shows those) are printed.
pub(super) fn load_engine(path: &Path) -> Result<Engine, i32> {
    let warn_skipped = |skipped: &[String]| {
        for s in skipped {
            stderr_line!("warning: {s}");
        }
    };
    match Engine::load(path) {
        Ok(engine) => {
            warn_skipped(engine.skipped());
            Ok(engine)
        }
        Err(LoadError::Io(e)) => {
            stderr_line!("error: {e}");
            Err(EXIT_USAGE)
        }
        Err(LoadError::Check {
            diagnostics,
            sources,
            skipped,
            ..
        }) => {
            warn_skipped(&skipped);
            let errors: Vec<_> = diagnostics.into_iter().filter(|d| d.is_error()).collect();
            if !errors.is_empty() {
                stderr_text(&render::to_terminal(&sources, &errors, color()));
            }
            stderr_line!(
                "error: the rulebook has errors; run `zan check {}`",
                path.display()
            );
            Err(EXIT_FAILED)
        }
    }
}

/// What `zan eval` needs before reading cases: `--as-of`, the engine and the selected
/// outputs; errors are printed.
fn prepare(
    path: &Path,
    request: &EvalRequest,
) -> Result<(Option<date::Day>, Engine, Option<Selection>), i32> {
    let given = given_date(request.as_of)?;
    let engine = load_engine(path)?;
    let selection = select(&engine, request.outputs)?;
    Ok((given, engine, selection))
}

fn select(engine: &Engine, outputs: &[String]) -> Result<Option<Selection>, i32> {
    if outputs.is_empty() {
        return Ok(None);
    }
    engine.select(outputs).map(Some).map_err(|e| {
        stderr_line!("error: {e}");
        EXIT_USAGE
    })
}

/// `zan eval --batch`: the rulebook checked once, then every case of the input.
pub fn eval_batch(
    path: &Path,
    input: &Path,
    request: &EvalRequest,
    summary_by: Option<&str>,
    fail_fast: bool,
    threads: Option<usize>,
) -> i32 {
    let (given, engine, outputs) = match prepare(path, request) {
        Ok(x) => x,
        Err(code) => return code,
    };
    // The summary counts the values of --summary-by, else of the first selected output, else
    // of the rulebook's first output.
    let summary_name = summary_by
        .map(str::to_string)
        .or_else(|| request.outputs.first().cloned())
        .or_else(|| engine.output_names().first().map(|s| s.to_string()));
    if let (Some(name), false) = (&summary_name, request.outputs.is_empty()) {
        if !request.outputs.contains(name) {
            stderr_line!("error: --summary-by {name} is not one of the --outputs");
            return EXIT_USAGE;
        }
    }
    let summary_by = match summary_name {
        Some(name) => match select(&engine, std::slice::from_ref(&name)) {
            Ok(Some(s)) => Some((name, s)),
            Ok(None) => None,
            Err(code) => return code,
        },
        None => None,
    };
    let threads = threads
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1);
    let options = super::batch::Options {
        given,
        explain: request.explain,
        fail_fast,
        threads,
        outputs,
        summary_by,
    };
    match super::batch::run(&engine, input, &options) {
        Ok(code) => code,
        Err(e) => {
            stderr_line!("error: {e}");
            EXIT_USAGE
        }
    }
}

/// Say why a case was not decided, and the exit code. A case that is not JSON, does not
/// match the facts or has no date is the input's fault (2; its problems, with their JSON
/// paths, on standard output too with `--format json`); an evaluation that fails, the
/// rulebook's (1). `case` names the case: its file, or the rulebook's example or test.
fn not_decided(case: &str, rulebook: &str, e: &DecideError, format: Format) -> i32 {
    let (errors, problem) = match e {
        DecideError::InvalidJson(m) => {
            stderr_line!("error: {case} is not valid JSON: {m}");
            return EXIT_USAGE;
        }
        DecideError::NoDate(e) => {
            stderr_line!("error: {e}; give --as-of");
            return EXIT_USAGE;
        }
        DecideError::InvalidCase(errors) => {
            (errors, format!("does not match the facts of `{rulebook}`"))
        }
        DecideError::DuplicateKey(errors) => (errors, "gives a key more than once".into()),
        DecideError::Evaluation(_) => {
            stderr_line!("error: {e}");
            return EXIT_FAILED;
        }
    };
    stderr_line!("error: the case {case} {problem}:");
    for e in errors {
        stderr_line!("  {}: {} — expected {}", e.path, e.message, e.expected);
    }
    if format == Format::Json {
        let list: Vec<_> = errors.iter().map(CaseError::json).collect();
        let text = json!({ "case_errors": list });
        return out::print("the case errors", &format!("{text}\n"), EXIT_USAGE);
    }
    EXIT_USAGE
}

/// Where the case of `zan eval` comes from: a file, or the rulebook's own example or test.
#[derive(Clone, Copy)]
pub enum CaseFrom<'a> {
    File(&'a Path),
    Example(&'a str),
    Test(&'a str),
}

/// The case to decide, and its date when it has one of its own (a test's `as of`); errors
/// are printed.
fn case_of(
    engine: &Engine,
    from: CaseFrom,
    format: Format,
) -> Result<(crate::engine::Case, Option<date::Day>), i32> {
    let unknown = |e: crate::engine::UnknownName| {
        stderr_line!("error: {e}");
        EXIT_USAGE
    };
    match from {
        CaseFrom::File(path) => {
            let text = read_case(path).map_err(|e| {
                stderr_line!("error: {e}");
                EXIT_USAGE
            })?;
            match engine.case_from_str(&text) {
                Ok(case) => Ok((case, None)),
                Err(e) => Err(not_decided(
                    &path.display().to_string(),
                    &engine.rulebook().name,
                    &e,
                    format,
                )),
            }
        }
        CaseFrom::Example(name) => engine
            .example_case(name)
            .map(|case| (case, None))
            .map_err(unknown),
        CaseFrom::Test(name) => engine.test_case(name).map_err(unknown),
    }
}

fn case_label(from: CaseFrom) -> String {
    match from {
        CaseFrom::File(path) => path.display().to_string(),
        CaseFrom::Example(name) => format!("of example `{name}`"),
        CaseFrom::Test(name) => format!("of test `{name}`"),
    }
}

/// `zan eval`: one case, read and decided as a batch line is (`Engine::case_from_str`, a
/// byte order mark skipped, a repeated key refused; `Engine::decide`), its decision the
/// batch line's text, indented. With `--example` or `--test` the case is the rulebook's own
/// (`Engine::example_case`, `Engine::test_case`: a test is decided on its `as of` date unless
/// `--as-of` is given), and a test's verdict (`Engine::run_test`, on its own date, as `zan
/// test` runs it) follows on standard error.
pub fn eval(path: &Path, from: CaseFrom, request: &EvalRequest, format: Format) -> i32 {
    let (given, engine, outputs) = match prepare(path, request) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let (case, own_date) = match case_of(&engine, from, format) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let options = DecideOptions {
        as_of: given.or(own_date),
        explain: request.explain,
        outputs: outputs.as_ref(),
    };
    let decision = match engine.decide(&case, &options) {
        Ok(d) => d,
        Err(e) => return not_decided(&case_label(from), &engine.rulebook().name, &e, format),
    };
    let code = if decision.has_errors() {
        EXIT_FAILED
    } else {
        EXIT_OK
    };
    let text = match format {
        Format::Json => engine.decision_text_pretty(&decision) + "\n",
        Format::Text => engine.decision_report(&decision),
    };
    let code = out::print("the decision", &text, code);
    for (id, r) in &decision.outputs {
        if let (Err(e), Some(rule)) = (r, decision.program.rules.get(*id as usize)) {
            stderr_line!("error: output `{}` could not be evaluated: {e}", rule.name);
        }
    }
    match from {
        CaseFrom::Test(name) => code.max(test_verdict(&engine, name)),
        _ => code,
    }
}
