//! Checking: from source files to a checked `Rulebook` or diagnostics. One pure function,
//! `check`, shared by the CLI and the language server.

mod added;
mod bands;
mod broken;
mod confusables;
mod data;
mod expr;
mod history;
mod hits;
pub use history::ReplacedValues;
mod names;
mod overlap;
mod program;
mod rules;
mod schema;
mod share;
mod tests;
mod versions;

use crate::diagnostics::{self, Code, Diagnostic};
use crate::ir::*;
use crate::source::{SourceMap, Span};
use crate::syntax::{self, ast};
use names::Globals;
use std::sync::Arc;

pub use data::{CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR};
pub use expr::{function as builtin_function, Function, FUNCTIONS};
pub use names::{Symbol, Uses};

/// The result of checking: the rulebook when there are no errors, and every diagnostic.
pub struct Checked {
    pub rulebook: Option<Rulebook>,
    pub diagnostics: Vec<Diagnostic>,
    /// What each resolved name refers to, by the span where it is written (for tooling).
    pub uses: Uses,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parse and check every file of a rulebook.
pub fn check(map: &SourceMap) -> Checked {
    let parsed = syntax::parse_files(map);
    let parsed: Vec<&syntax::Parsed> = parsed.iter().collect();
    check_parsed(map, &parsed)
}

/// Check a rulebook whose files are already parsed (one `Parsed` per file of the map, in
/// the map's order). The language server re-parses only edited files and calls this.
pub fn check_parsed(map: &SourceMap, parsed: &[&syntax::Parsed]) -> Checked {
    check_parsed_sharing(map, parsed, true)
}

/// `check_parsed`, with or without sharing checked declarations between versions (without:
/// every version checks every declaration; the tests compare both).
fn check_parsed_sharing(map: &SourceMap, parsed: &[&syntax::Parsed], sharing: bool) -> Checked {
    let decls: Vec<&ast::Declaration> = parsed
        .iter()
        .flat_map(|p| p.ast.declarations.iter())
        .collect();
    let mut g = Globals::new(map);
    g.broken = broken::Broken::new(parsed.iter().flat_map(|p| p.ast.broken.iter()));
    g.diags = parsed
        .iter()
        .flat_map(|p| p.diagnostics.iter().cloned())
        .collect();
    let rulebook = check_declarations(&mut g, map, &decls, sharing);
    g.diags.extend(confusables::lint(map));
    let mut diagnostics = std::mem::take(&mut g.diags);
    diagnostics::normalize(&mut diagnostics);
    let has_errors = diagnostics.iter().any(Diagnostic::is_error);
    Checked {
        rulebook: if has_errors { None } else { rulebook },
        diagnostics,
        uses: std::mem::take(&mut g.uses),
    }
}

fn check_declarations(
    g: &mut Globals,
    map: &SourceMap,
    decls: &[&ast::Declaration],
    sharing: bool,
) -> Option<Rulebook> {
    let header = rulebook_header(g, map, decls);
    schema::declare(g, decls);
    let amendments = schema::amendments(g, decls);
    let baseline: Vec<&ast::Declaration> =
        decls.iter().copied().filter(|d| is_amendable(d)).collect();
    let timeline = versions::timeline(g, &baseline, &amendments);
    for (name, list) in &timeline.entries {
        g.periods.insert(
            name.clone(),
            list.iter().map(|e| (e.from, e.until)).collect(),
        );
    }
    g.added = added::added_names(g, &timeline);
    let mut calendars = program::CalendarCache::default();
    let segments = versions::segments(&timeline);
    let mut share = share::Sharing::new(map, if sharing { segments.len() } else { 1 });
    let mut versions = Vec::new();
    let mut version_names = Vec::new();
    let all = versions::by_position(&timeline);
    for seg in segments {
        let entries = versions::in_force(&all, seg);
        let (program, names, ids) = program::build(g, &entries, &mut calendars, &mut share);
        let program = Arc::new(program);
        share.finish(Arc::clone(&program), ids);
        let applied = timeline
            .provisions
            .iter()
            .filter(|p| seg.0.is_some_and(|s| p.from <= s))
            .cloned()
            .collect();
        versions.push(Version {
            from: seg.0,
            until: seg.1,
            applied,
            program,
        });
        version_names.push(names);
    }
    let (as_of_path, as_of_text) = header.map(|h| schema::as_of_path(g, h)).unwrap_or_default();
    let mut rulebook = Rulebook {
        name: header.map(|h| h.name.name.clone()).unwrap_or_default(),
        title: header.and_then(|h| h.get("title").map(str::to_string)),
        jurisdiction: header.and_then(|h| h.get("jurisdiction").map(str::to_string)),
        as_of_path,
        as_of_text,
        schema: g.schema.clone(),
        sources: g.sources.clone(),
        amendments: g.amendments.clone(),
        versions,
        tests: Vec::new(),
        examples: Vec::new(),
        source_map: Arc::new(map.clone()),
    };
    (rulebook.tests, rulebook.examples) = tests::compile(g, &rulebook, &version_names, decls);
    unused(g, decls);
    Some(rulebook)
}

/// One declaration of an amendable name (rule, exception, reasons, table, parameter, calendar)
/// and the dates it is in force: the consolidation that `check` cuts into versions, for tools
/// that compare what is in force on two dates.
#[derive(Clone, Debug)]
pub struct InForceDecl<'d> {
    pub decl: &'d ast::Declaration,
    pub from: Option<crate::time::date::Day>,
    pub until: Option<crate::time::date::Day>,
    pub origin: Origin,
    /// A parameter that replaced another: its values as look-ups see them.
    pub replaced: Option<ReplacedValues>,
}

impl InForceDecl<'_> {
    pub fn in_force_on(&self, day: crate::time::date::Day) -> bool {
        self.from.is_none_or(|f| f <= day) && self.until.is_none_or(|u| day <= u)
    }
}

/// The timeline of every amendable declaration and the provisions applied to build it. Its
/// diagnostics are those of `check` and are dropped here: call it on a rulebook that checks.
pub struct Consolidation<'d> {
    pub entries: Vec<InForceDecl<'d>>,
    pub provisions: Vec<AppliedProvision>,
}

pub fn consolidation<'d>(map: &SourceMap, decls: &[&'d ast::Declaration]) -> Consolidation<'d> {
    let mut g = Globals::new(map);
    schema::declare(&mut g, decls);
    let amendments = schema::amendments(&mut g, decls);
    let baseline: Vec<&ast::Declaration> =
        decls.iter().copied().filter(|d| is_amendable(d)).collect();
    let timeline = versions::timeline(&mut g, &baseline, &amendments);
    let mut entries: Vec<InForceDecl> = timeline
        .entries
        .values()
        .flatten()
        .map(|e| InForceDecl {
            decl: e.decl,
            from: e.from,
            until: e.until,
            origin: e.origin.clone(),
            replaced: match (&e.decl.kind, &e.history) {
                (ast::DeclKind::Parameter(p), Some(h)) => {
                    Some(history::replaced_values(&mut g, p, h))
                }
                _ => None,
            },
        })
        .collect();
    entries.sort_by_key(|e| (e.decl.span, e.from));
    Consolidation {
        entries,
        provisions: timeline.provisions,
    }
}

/// Whether a declaration can be amended (and so has a timeline of versions).
pub fn is_amendable(d: &ast::Declaration) -> bool {
    use ast::DeclKind::*;
    matches!(
        d.kind,
        Rule(_) | Exception(_) | Reasons(_) | Table(_) | Parameter(_) | Calendar(_)
    )
}

fn rulebook_header<'d>(
    g: &mut Globals,
    map: &SourceMap,
    decls: &[&'d ast::Declaration],
) -> Option<&'d ast::Metadata> {
    let headers: Vec<&ast::Metadata> = decls
        .iter()
        .filter_map(|d| match &d.kind {
            ast::DeclKind::Rulebook(m) => Some(m),
            _ => None,
        })
        .collect();
    match headers.as_slice() {
        [] => {
            let file = map.ids().next().unwrap_or_default();
            g.error(
                Diagnostic::new(
                    Code::RulebookHeader,
                    Span::new(file, 0, 0),
                    "this rulebook has no `rulebook` header",
                )
                .help("add `rulebook NAME { title \"...\" jurisdiction \"...\" }` to one file"),
            );
            None
        }
        [one] => Some(one),
        [first, rest @ ..] => {
            for h in rest {
                g.error(
                    Diagnostic::new(
                        Code::RulebookHeader,
                        h.name.span,
                        "a rulebook has one `rulebook` header",
                    )
                    .label("second header")
                    .with_secondary(first.name.span, "first header")
                    .help("keep one header for the whole folder"),
                );
            }
            Some(first)
        }
    }
}

/// Declarations nothing refers to: dead weight for a reviewer, or a misspelt reference.
fn unused(g: &mut Globals, decls: &[&ast::Declaration]) {
    use ast::DeclKind::*;
    for d in decls {
        let (name, what) = match &d.kind {
            Rule(r) if !r.output => (&r.name, "rule"),
            Reasons(r) if !r.output => (&r.name, "reasons"),
            Table(t) => (&t.name, "table"),
            Parameter(p) => (&p.name, "parameter"),
            Calendar(c) => (&c.name, "calendar"),
            Enum(e) => (&e.name, "enum"),
            Record(r) => (&r.name, "record"),
            Fact(f) => (&f.name, "fact"),
            _ => continue,
        };
        if !g.used.contains(&name.name) {
            g.error(
                Diagnostic::new(
                    Code::Unused,
                    name.span,
                    format!("{what} `{}` is never used", name.name),
                )
                .label("unused")
                .help("use it in a rule or an output, mark it `output`, or remove it"),
            );
        }
    }
}
