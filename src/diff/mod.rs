//! `zan diff`: what changed between two versions of a rulebook, for review. Pure: the CLI
//! loads both versions (two folders, two git revisions, or one rulebook on two dates) and
//! prints the report this module builds.
//!
//! Two views of a change:
//! - `structure`: declarations added, removed and changed, at the level of the language (the
//!   cases of a rule, the rows of a table, the values of a parameter, the days of a calendar,
//!   the text of a source, the dates of an amendment); layout and comments never count;
//! - `behaviour`: the same cases (the rulebook's tests and examples, its example files and
//!   generated cases) decided by both versions; the cases whose outputs differ, with the
//!   rules and citations behind each output.

mod behaviour;
mod describe;
pub mod generate;
pub mod render;
mod structure;
mod text;

use crate::ir::Rulebook;
use crate::source::SourceMap;
use crate::syntax::ast;
use crate::time::date::{self, Day};
use serde::Serialize;

/// One version of a rulebook to compare.
pub struct Side<'a> {
    /// How the report names this version: a date, a git revision, a folder.
    pub label: String,
    /// The prefix of the file names in `map` that is the rulebook's folder (not shown).
    pub root: String,
    pub map: &'a SourceMap,
    pub decls: Vec<&'a ast::Declaration>,
    pub rulebook: &'a Rulebook,
    /// Compare the consolidated rulebook in force on this date; `None`: the whole rulebook
    /// (every version it defines).
    pub on: Option<Day>,
    /// The example case files (`examples/*.json`): file name and JSON text.
    pub case_files: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// How many generated cases to add to the tests and examples.
    pub generate: usize,
    pub seed: u64,
    /// List the declarations whose comments changed (never counted as a change).
    pub comments: bool,
}

/// The whole comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub rulebook: String,
    pub old: String,
    pub new: String,
    /// Whether both sides are one rulebook on two dates.
    pub by_date: bool,
    /// The amendment provisions that take effect between the two dates (by date only).
    pub provisions: Vec<ProvisionInfo>,
    pub changes: Vec<DeclChange>,
    /// Declarations whose comments alone changed (with `--comments`).
    pub comment_changes: Vec<CommentChange>,
    pub behaviour: Behaviour,
}

impl Report {
    /// Whether anything that matters changed: a declaration or the outcome of a case.
    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty() || !self.behaviour.changed.is_empty()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Added,
    Removed,
    Changed,
}

/// A cited sentence: the source's name and the quotation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cite {
    pub source: String,
    pub quote: Option<String>,
}

impl Cite {
    fn of(c: &ast::Citation) -> Cite {
        Cite {
            source: c.source.name.clone(),
            quote: c.quote.clone(),
        }
    }
}

impl std::fmt::Display for Cite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.quote {
            Some(q) => write!(f, "{} \"{q}\"", self.source),
            None => f.write_str(&self.source),
        }
    }
}

/// One declaration that changed.
#[derive(Clone, Debug, Serialize)]
pub struct DeclChange {
    /// `rule`, `output rule`, `exception`, `table`, `parameter`...
    pub kind: String,
    pub name: String,
    /// The file, relative to the rulebook's folder (the new one's, or the old one's if removed).
    pub file: String,
    pub line: usize,
    pub status: Status,
    /// What changed, in the language's words: cases, rows, values, days, dates.
    pub details: Vec<String>,
    /// The definition before and after, in the canonical layout without comments.
    pub old_text: Option<String>,
    pub new_text: Option<String>,
    /// The sentences the declaration and its changed parts cite.
    pub citations: Vec<Cite>,
    /// The amendment provision behind the change (by date).
    pub provision: Option<ProvisionInfo>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CommentChange {
    pub kind: String,
    pub name: String,
    pub file: String,
    pub line: usize,
}

/// An amendment provision (`add`, `replace`, `repeal`) and the sentences it rests on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProvisionInfo {
    pub amendment: String,
    /// "adds", "replaces" or "repeals".
    pub action: String,
    pub kind: String,
    pub name: String,
    #[serde(serialize_with = "ser_day")]
    pub from: Day,
    pub doc: Option<String>,
    pub citations: Vec<Cite>,
    /// The amendment's own citations (the act that makes the change).
    pub amendment_citations: Vec<Cite>,
    pub file: String,
    pub line: usize,
}

/// What the cases say under both versions.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Behaviour {
    /// Cases evaluated, by where they come from ("test", "example", "example file", "generated").
    #[serde(serialize_with = "ser_pairs")]
    pub evaluated: Vec<(String, usize)>,
    pub generated: Option<GenerationInfo>,
    /// The cases whose outputs differ.
    pub changed: Vec<CaseChange>,
    /// For each output, how many cases it changed for.
    #[serde(serialize_with = "ser_pairs")]
    pub changed_per_output: Vec<(String, usize)>,
    /// Outputs only the new version has, with how many cases get each value.
    #[serde(serialize_with = "ser_value_counts")]
    pub new_outputs: Vec<(String, Vec<(String, usize)>)>,
    /// Outputs only the old version has.
    pub removed_outputs: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GenerationInfo {
    pub cases: usize,
    pub seed: u64,
    pub branches: usize,
    pub reached: usize,
}

/// One case whose outcome differs.
#[derive(Clone, Debug, Serialize)]
pub struct CaseChange {
    /// "test `name`", "example `name`", "examples/file.json", "generated #12".
    pub case: String,
    pub origin: String,
    #[serde(serialize_with = "ser_opt_day")]
    pub as_of: Option<Day>,
    /// The facts, for generated cases (the others can be found by name).
    pub facts: Option<serde_json::Value>,
    pub outputs: Vec<OutputChange>,
    /// Other rules evaluated on both sides whose values differ (the chain of the change).
    pub rules_changed: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct OutputChange {
    pub output: String,
    pub old: Outcome,
    pub new: Outcome,
}

/// An output's value on one side and what gave it.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// The value as JSON, or null when `error` is set.
    pub value: serde_json::Value,
    pub error: Option<String>,
    /// The rule or exception whose case gave the value, and how ("case 2", "otherwise",
    /// "exception", "reasons").
    pub by: Option<String>,
    pub citations: Vec<Cite>,
    /// The amendment the deciding definition comes from.
    pub amendment: Option<String>,
    /// A value that says nothing applies (false, absent, empty, zero, a `not_...` value).
    pub neutral: bool,
    /// The version has no such output.
    pub missing: bool,
}

impl Outcome {
    /// The value or the error, as short text.
    pub fn text(&self) -> String {
        if self.missing {
            return "(no such output)".into();
        }
        match &self.error {
            Some(e) => format!("error: {e}"),
            None => render::value_text(&self.value),
        }
    }
}

/// Pairs as a JSON object, in their order.
fn ser_pairs<S: serde::Serializer>(pairs: &[(String, usize)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

fn ser_value_counts<S: serde::Serializer>(
    outputs: &[(String, Vec<(String, usize)>)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(outputs.len()))?;
    for (name, counts) in outputs {
        let object: serde_json::Map<String, serde_json::Value> = counts
            .iter()
            .map(|(v, n)| (v.clone(), serde_json::Value::from(*n)))
            .collect();
        m.serialize_entry(name, &object)?;
    }
    m.end()
}

fn ser_day<S: serde::Serializer>(d: &Day, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&date::format(*d))
}

fn ser_opt_day<S: serde::Serializer>(d: &Option<Day>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&date::format(*d)),
        None => s.serialize_none(),
    }
}

/// Compare two versions of a rulebook.
pub fn diff(old: &Side, new: &Side, options: &Options) -> Report {
    let structure = structure::compare(old, new, options);
    let behaviour = behaviour::compare(old, new, options);
    Report {
        rulebook: new.rulebook.name.clone(),
        old: old.label.clone(),
        new: new.label.clone(),
        by_date: old.on.is_some() && new.on.is_some(),
        provisions: structure.provisions,
        changes: structure.changes,
        comment_changes: structure.comment_changes,
        behaviour,
    }
}
