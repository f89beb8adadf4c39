//! The embedding API: load and check a rulebook once, then decide any number of cases from any
//! number of threads.
//!
//! An [`Engine`] is the checked, compiled rulebook: every consolidated version (one per set of
//! amendments in force) is built once when the engine is made, and never changes afterwards.
//! It is `Send + Sync`; share it by reference (scoped threads) or in an `Arc`. Every method
//! takes `&self` and allocates only what it returns.
//!
//! `zan eval`, `zan eval --batch` and this API are one path, and the CLI calls these
//! functions: [`Engine::load`] (its errors and what it did not read, for the CLI to print),
//! [`Engine::case_from_str`] (text in), [`Engine::decide`], and one text writer out
//! ([`Engine::write_decision`], [`Engine::decision_text`], pretty-printed by
//! [`Engine::decision_text_pretty`]). Errors are data ([`DecideError`]), which the caller turns
//! into its own words, exit codes or status codes.

mod json_text;

use crate::check;
use crate::diagnostics::{render, Diagnostic};
use crate::eval::{self, case_from_json, case_from_str, CaseTextError};
use crate::ir::{RuleId, Rulebook};
use crate::source::SourceMap;
use crate::time::date;
use std::fmt;
use std::path::Path;

pub use crate::eval::{Case, CaseError, Decision, EvalError, NoDate};
pub use crate::testing::{Failure, TestResult};
pub use crate::time::date::Day;
pub use crate::value::Value;

/// A checked rulebook, ready to decide cases.
#[derive(Debug)]
pub struct Engine {
    rulebook: Rulebook,
    /// What `Engine::load` did not read (links out of the folder, special files), one line
    /// each: a library prints nothing, so the embedder decides where these go.
    skipped: Vec<String>,
    /// The checker's warnings (spans into `rulebook.source_map`).
    warnings: Vec<Diagnostic>,
}

// The promise of the type: one engine, many threads.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Engine>();
    shared::<Selection>();
};

/// Why an engine could not be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum LoadError {
    /// A file or folder could not be read.
    Io(String),
    /// The rulebook has errors. `report` is the diagnostics as the terminal shows them (without
    /// colour); `diagnostics` are the same as data, with their spans into `sources`; `skipped`
    /// is what `Engine::load` did not read (as [`Engine::skipped`]).
    Check {
        diagnostics: Vec<Diagnostic>,
        sources: SourceMap,
        report: String,
        skipped: Box<[String]>,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(m) => f.write_str(m),
            LoadError::Check {
                diagnostics,
                report,
                ..
            } => {
                let errors = diagnostics.iter().filter(|d| d.is_error()).count();
                write!(f, "the rulebook has {errors} error(s)\n{report}")
            }
        }
    }
}

impl std::error::Error for LoadError {}

/// Why a case could not be decided.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum DecideError {
    /// The case text is not JSON.
    InvalidJson(String),
    /// The case does not match the declared facts: every problem, with its JSON path.
    InvalidCase(Vec<CaseError>),
    /// An object of the case text gives a key more than once (JSON would keep one of the
    /// values without a word): the JSON path of each such key.
    DuplicateKey(Vec<CaseError>),
    /// No evaluation date was given ([`Options::as_of`]) and the case has none of its own.
    NoDate(NoDate),
    /// The case could not be evaluated: no version in force on its date, or a rule failed as a
    /// whole. (An output that fails alone is reported in the decision.)
    Evaluation(EvalError),
}

impl DecideError {
    /// `{"kind": "invalid_json" | "duplicate_key" | "invalid_case" | "evaluation", "message",
    /// "case_errors"?}`:
    /// the `error` object of a `zan eval --batch` line. (No evaluation date is of the kind
    /// `evaluation`, as the batch line's schema says.)
    pub fn json(&self) -> serde_json::Value {
        match self {
            DecideError::InvalidJson(m) => {
                serde_json::json!({ "kind": "invalid_json", "message": format!("not valid JSON: {m}") })
            }
            DecideError::InvalidCase(errors) => serde_json::json!({
                "kind": "invalid_case",
                "message": "the case does not match the facts",
                "case_errors": errors.iter().map(CaseError::json).collect::<Vec<_>>(),
            }),
            DecideError::DuplicateKey(errors) => serde_json::json!({
                "kind": "duplicate_key",
                "message": "the case gives a key more than once",
                "case_errors": errors.iter().map(CaseError::json).collect::<Vec<_>>(),
            }),
            DecideError::NoDate(e) => {
                serde_json::json!({ "kind": "evaluation", "message": e.to_string() })
            }
            DecideError::Evaluation(e) => {
                serde_json::json!({ "kind": "evaluation", "message": e.to_string() })
            }
        }
    }
}

impl fmt::Display for DecideError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecideError::InvalidJson(m) => write!(f, "not valid JSON: {m}"),
            DecideError::InvalidCase(errors) => CaseTextError::InvalidCase(errors.clone()).fmt(f),
            DecideError::DuplicateKey(errors) => CaseTextError::DuplicateKey(errors.clone()).fmt(f),
            DecideError::NoDate(e) => e.fmt(f),
            DecideError::Evaluation(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for DecideError {}

impl From<CaseTextError> for DecideError {
    fn from(e: CaseTextError) -> DecideError {
        match e {
            CaseTextError::InvalidJson(m) => DecideError::InvalidJson(m),
            CaseTextError::InvalidCase(errors) => DecideError::InvalidCase(errors),
            CaseTextError::DuplicateKey(errors) => DecideError::DuplicateKey(errors),
        }
    }
}

/// A name given to [`Engine::select`] that is no rule (output or internal) of the rulebook.
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownOutput {
    pub name: String,
    pub suggestion: Option<String>,
}

impl fmt::Display for UnknownOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a rule of the rulebook", self.name)?;
        match &self.suggestion {
            Some(s) => write!(f, "; did you mean `{s}`?"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for UnknownOutput {}

/// A name given to [`Engine::example_case`], [`Engine::test_case`] or [`Engine::run_test`]
/// that the rulebook does not declare.
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownName {
    /// `"example"` or `"test"`.
    pub kind: &'static str,
    pub name: String,
    pub suggestion: Option<String>,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the rulebook has no {} `{}`", self.kind, self.name)?;
        match &self.suggestion {
            Some(s) => write!(f, "; did you mean `{s}`?"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for UnknownName {}

/// Some of the rules (outputs or internal rules), resolved once for every version of the
/// rulebook. A rule that an amendment adds is simply absent from decisions made under earlier
/// versions.
#[derive(Clone, Debug)]
pub struct Selection {
    per_version: Vec<Vec<RuleId>>,
}

impl Selection {
    /// The selected rules of one version's program, in the order they were named.
    pub fn rules(&self, version: usize) -> &[RuleId] {
        self.per_version.get(version).map_or(&[], |r| r)
    }
}

/// How to decide a case.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'s> {
    /// The evaluation date; by default the case's own (the rulebook's `as of` fact).
    pub as_of: Option<Day>,
    /// Add the explanation, to this depth: the derivation of every output, with its
    /// citations.
    pub explain: Option<crate::eval::Depth>,
    /// Only these rules (outputs, or internal rules to see their values); by default every
    /// output.
    pub outputs: Option<&'s Selection>,
}

impl Engine {
    /// Check the rulebook written in `sources` and build its versions.
    pub fn from_sources(sources: SourceMap) -> Result<Engine, LoadError> {
        Engine::checked(sources, Vec::new())
    }

    fn checked(sources: SourceMap, skipped: Vec<String>) -> Result<Engine, LoadError> {
        let checked = check::check(&sources);
        match checked.rulebook {
            Some(rulebook) => Ok(Engine {
                rulebook,
                skipped,
                warnings: checked.diagnostics,
            }),
            None => {
                let report = render::to_terminal(&sources, &checked.diagnostics, false);
                Err(LoadError::Check {
                    diagnostics: checked.diagnostics,
                    sources,
                    report,
                    skipped: skipped.into_boxed_slice(),
                })
            }
        }
    }

    /// Read a rulebook folder (every `.zan` file below it, and the legal texts in `sources/`)
    /// or a single `.zan` file, then check it. Nothing outside the folder is read: links out of
    /// it and special files are skipped, and `skipped` names each one (nothing is printed).
    pub fn load(path: impl AsRef<Path>) -> Result<Engine, LoadError> {
        let (sources, skipped) =
            crate::load::rulebook_and_skipped(path.as_ref()).map_err(LoadError::Io)?;
        Engine::checked(sources, skipped)
    }

    /// The paths `Engine::load` did not read, with why: a link leading out of the rulebook
    /// folder, a file that is not a regular file. Empty for an engine made otherwise.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    /// The checker's warnings on the rulebook (their spans are into
    /// `self.rulebook().source_map`); empty for an engine made with `from_rulebook`.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// An engine for an already checked rulebook.
    pub fn from_rulebook(rulebook: Rulebook) -> Engine {
        Engine {
            rulebook,
            skipped: Vec::new(),
            warnings: Vec::new(),
        }
    }

    pub fn rulebook(&self) -> &Rulebook {
        &self.rulebook
    }

    /// The names of the outputs of every version, each once, in declaration order.
    pub fn output_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for v in &self.rulebook.versions {
            for &id in &v.program.outputs {
                if let Some(rule) = v.program.rules.get(id as usize) {
                    if !names.contains(&rule.name.as_str()) {
                        names.push(&rule.name);
                    }
                }
            }
        }
        names
    }

    /// The names of the rules of every version, outputs and internal rules, each once: the
    /// outputs first (as [`Engine::output_names`]), then the internal rules in declaration
    /// order.
    pub fn rule_names(&self) -> Vec<&str> {
        let mut names = self.output_names();
        for v in &self.rulebook.versions {
            for rule in &v.program.rules {
                if !names.contains(&rule.name.as_str()) {
                    names.push(&rule.name);
                }
            }
        }
        names
    }

    /// Resolve rule names once, for [`Options::outputs`]: outputs, and internal rules too (a
    /// decision then shows their values beside the outputs').
    pub fn select<S: AsRef<str>>(&self, names: &[S]) -> Result<Selection, UnknownOutput> {
        let known = self.rule_names();
        for name in names {
            let name = name.as_ref();
            if !known.contains(&name) {
                return Err(UnknownOutput {
                    name: name.to_string(),
                    suggestion: crate::diagnostics::suggest(name, known.iter().copied())
                        .map(str::to_string),
                });
            }
        }
        let per_version = self
            .rulebook
            .versions
            .iter()
            .map(|v| {
                let p = &v.program;
                names
                    .iter()
                    .filter_map(|n| p.rule_named(n.as_ref()))
                    .collect()
            })
            .collect();
        Ok(Selection { per_version })
    }

    /// The facts of the rulebook's own `example NAME { … }`, as a case.
    pub fn example_case(&self, name: &str) -> Result<Case, UnknownName> {
        let examples = &self.rulebook.examples;
        match examples.iter().find(|e| e.name == name) {
            Some(e) => Ok(Case {
                facts: e.facts.clone(),
            }),
            None => Err(unknown("example", name, examples.iter().map(|e| &*e.name))),
        }
    }

    /// The facts of the rulebook's own `test NAME { … }` (its `given` example with what it
    /// `set`s), as a case, and its `as of` date when it has one.
    pub fn test_case(&self, name: &str) -> Result<(Case, Option<Day>), UnknownName> {
        let t = self.test_named(name)?;
        Ok((
            Case {
                facts: t.facts.clone(),
            },
            t.as_of,
        ))
    }

    /// Run the rulebook's test `name` as `zan test` does: whether its expectations hold.
    pub fn run_test(&self, name: &str) -> Result<TestResult, UnknownName> {
        let t = self.test_named(name)?;
        Ok(crate::testing::run_one(&self.rulebook, t))
    }

    fn test_named(&self, name: &str) -> Result<&crate::ir::TestCase, UnknownName> {
        let tests = &self.rulebook.tests;
        tests
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| unknown("test", name, tests.iter().map(|t| &*t.name)))
    }

    /// Read a case from JSON text, straight into the layout the rules read.
    pub fn case_from_str(&self, text: &str) -> Result<Case, DecideError> {
        Ok(case_from_str(&self.rulebook, text)?)
    }

    /// Read a case from a JSON value. A `serde_json::Value` has already kept one value of a
    /// repeated key; read text with [`Engine::case_from_str`] to have that refused.
    pub fn case_from_json(&self, json: &serde_json::Value) -> Result<Case, DecideError> {
        case_from_json(&self.rulebook, json).map_err(DecideError::InvalidCase)
    }

    /// Decide a case that is already read.
    pub fn decide(&self, case: &Case, options: &Options) -> Result<Decision, DecideError> {
        let rb = &self.rulebook;
        let as_of = eval::as_of_date(rb, case, options.as_of).map_err(DecideError::NoDate)?;
        let version = eval::version_index(rb, as_of).map_err(DecideError::Evaluation)?;
        let outputs = match options.outputs.and_then(|s| s.per_version.get(version)) {
            Some(ids) => ids,
            None => &rb.versions[version].program.outputs,
        };
        eval::eval_outputs(rb, version, outputs, case, as_of, options.explain)
            .map_err(DecideError::Evaluation)
    }

    /// JSON text in, decision JSON text (one line) out: what `zan eval --batch` does per line.
    pub fn decide_str(&self, case: &str, options: &Options) -> Result<String, DecideError> {
        let case = self.case_from_str(case)?;
        let decision = self.decide(&case, options)?;
        Ok(self.decision_text(&decision))
    }

    /// A decision as JSON text, one line: a line of `zan eval --batch`.
    pub fn decision_text(&self, decision: &Decision) -> String {
        eval::decision_json_text(&self.rulebook, decision)
    }

    /// Append a decision as JSON text, one line without its line end, to `out` (what
    /// `decision_text` returns, without a string of its own per decision).
    pub fn write_decision(&self, decision: &Decision, out: &mut Vec<u8>) {
        eval::write_decision_json(&self.rulebook, decision, out);
    }

    /// A decision as indented JSON text (`zan eval --format json`): the text of
    /// `decision_text`, laid out as `serde_json`'s pretty printer lays out a value.
    pub fn decision_text_pretty(&self, decision: &Decision) -> String {
        json_text::pretty(&self.decision_text(decision))
    }

    /// A decision for people to read (`zan eval --format text`).
    pub fn decision_report(&self, decision: &Decision) -> String {
        eval::output::decision_text(&self.rulebook, decision)
    }

    /// A decision as a JSON value.
    pub fn decision_json(&self, decision: &Decision) -> serde_json::Value {
        eval::output::decision_json(&self.rulebook, decision)
    }
}

fn unknown<'a>(
    kind: &'static str,
    name: &str,
    known: impl Iterator<Item = &'a str>,
) -> UnknownName {
    UnknownName {
        kind,
        name: name.to_string(),
        suggestion: crate::diagnostics::suggest(name, known).map(str::to_string),
    }
}

/// One NDJSON line of cases (without its `\n`; a `\r` before it is dropped) as case text, or
/// the `error` object of its batch line (`invalid_utf8`, `empty_line`): what `zan eval
/// --batch` and the service's batch endpoint both read.
pub fn case_line(bytes: &[u8]) -> Result<&str, serde_json::Value> {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        serde_json::json!({
            "kind": "invalid_utf8",
            "message": format!("the line is not valid UTF-8 (at byte {})", e.valid_up_to() + 1),
        })
    })?;
    if text.trim().is_empty() {
        return Err(
            serde_json::json!({ "kind": "empty_line", "message": "an empty line: one case per line" }),
        );
    }
    Ok(text)
}

/// Read a date written `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Day> {
    date::parse(text)
}
