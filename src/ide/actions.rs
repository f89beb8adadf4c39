//! Code actions: replace an unknown name with the suggested one; add the missing arms of a
//! non-exhaustive `match` or the missing rows of a table. Added arms and rows take the value
//! `absent`, which the checker flags until the analyst writes the law's answer: a quick fix
//! never guesses an outcome.

use super::{Analysis, Edit};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, DeclKind};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    pub edits: Vec<Edit>,
    /// The diagnostic this action fixes.
    pub fixes: Option<Diagnostic>,
    pub preferred: bool,
}

/// Actions for the diagnostics of `file` that touch the byte range `start..=end`.
pub fn code_actions(a: &Analysis, file: FileId, start: u32, end: u32) -> Vec<CodeAction> {
    let mut out = Vec::new();
    for d in &a.checked.diagnostics {
        let s = d.primary.span;
        if s.file != file || s.end < start || s.start > end {
            continue;
        }
        if let Some(name) = suggestion(d) {
            out.push(CodeAction {
                title: format!("Replace `{}` with `{name}`", a.map.snippet(s)),
                edits: vec![Edit {
                    span: s,
                    text: name,
                }],
                fixes: Some(d.clone()),
                preferred: true,
            });
        }
        out.extend(super::fixes::fixes(a, d));
        let missing = match d.code {
            Code::NonExhaustiveMatch => missing_arms(a, d),
            Code::NonExhaustiveTable => missing_rows(a, d),
            _ => None,
        };
        if let Some((title, edit)) = missing {
            out.push(CodeAction {
                title,
                edits: vec![edit],
                fixes: Some(d.clone()),
                preferred: false,
            });
        }
    }
    out
}

/// The name of a did-you-mean help: "did you mean `x`?".
fn suggestion(d: &Diagnostic) -> Option<String> {
    let help = d.help.as_deref()?;
    let rest = help.strip_prefix("did you mean `")?;
    let name = rest.strip_suffix("`?")?;
    (!name.is_empty() && !name.contains('`')).then(|| name.to_string())
}

/// `missing: a, b` on a match: one arm per value, before the match's closing brace.
fn missing_arms(a: &Analysis, d: &Diagnostic) -> Option<(String, Edit)> {
    let values: Vec<&str> = d
        .primary
        .message
        .strip_prefix("missing: ")?
        .split(", ")
        .filter(|v| !v.is_empty())
        .collect();
    let rows: Vec<String> = values.iter().map(|v| format!("{v} => absent")).collect();
    let edit = insert_before_closing(a, d.primary.span, &rows)?;
    Some((
        format!("Add the {} missing arm{}", rows.len(), plural(rows.len())),
        edit,
    ))
}

/// Every combination of enum (or yes/no) keys that no row covers, as rows.
fn missing_rows(a: &Analysis, d: &Diagnostic) -> Option<(String, Edit)> {
    let (_, decl) = a.index.declaration_of(a.map.snippet(d.primary.span))?;
    let DeclKind::Table(t) = &decl.kind else {
        return None;
    };
    if t.otherwise.is_some() {
        return None;
    }
    let domains: Vec<Vec<String>> = t
        .keys
        .iter()
        .map(|(_, ty)| key_values(a, ty))
        .collect::<Option<_>>()?;
    let total: usize = domains.iter().map(Vec::len).product();
    if total == 0 || total > 2000 {
        return None;
    }
    let mut rows = Vec::new();
    for cell in 0..total {
        let mut rest = cell;
        let combo: Vec<&str> = domains
            .iter()
            .rev()
            .map(|dom| {
                let v = &dom[rest % dom.len()];
                rest /= dom.len();
                v.as_str()
            })
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let covered = t.rows.iter().any(|r| {
            r.keys.len() == combo.len()
                && r.keys
                    .iter()
                    .zip(&combo)
                    .all(|(alt, v)| pattern_covers(a, alt, v))
        });
        if !covered {
            rows.push(format!("{} => absent", combo.join(", ")));
        }
    }
    if rows.is_empty() {
        return None;
    }
    let edit = insert_before_closing(a, decl.span, &rows)?;
    Some((
        format!("Add the {} missing row{}", rows.len(), plural(rows.len())),
        edit,
    ))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// The values of a key type that can be listed: an enum's values, or `true`/`false`.
fn key_values(a: &Analysis, ty: &ast::TypeExpr) -> Option<Vec<String>> {
    let ast::TypeKind::Named(id) = &ty.kind else {
        return None;
    };
    if id.name == "bool" {
        return Some(vec!["true".into(), "false".into()]);
    }
    let (_, decl) = a.index.declaration_of(&id.name)?;
    match &decl.kind {
        DeclKind::Enum(e) => Some(e.variants.iter().map(|v| v.name.name.clone()).collect()),
        _ => None,
    }
}

fn pattern_covers(a: &Analysis, alt: &ast::PatternAlt, value: &str) -> bool {
    alt.alternatives.iter().any(|p| match p {
        ast::Pattern::Wildcard(_) => true,
        ast::Pattern::Value(e) => {
            let written = a.map.snippet(e.span);
            written == value || written.rsplit('.').next() == Some(value)
        }
        ast::Pattern::Band(_) => false,
    })
}

/// Insert lines before the last `}` of `span`, indented like the line above it.
fn insert_before_closing(a: &Analysis, span: Span, lines: &[String]) -> Option<Edit> {
    let text = a.text(span.file);
    let body = text.get(span.range())?;
    let close = span.start as usize + body.rfind('}')?;
    let line_start = text[..close].rfind('\n').map_or(0, |i| i + 1);
    let before_close = &text[line_start..close];
    let prev_line_start = text[..line_start.saturating_sub(1)]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let prev = &text[prev_line_start..line_start.saturating_sub(1).max(prev_line_start)];
    let indent: String = prev
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let indent = if indent.len() > before_close.len() {
        indent
    } else {
        format!("{before_close}  ")
    };
    if before_close.trim().is_empty() {
        let mut insert = String::new();
        for l in lines {
            insert.push_str(&format!("{indent}{l}\n"));
        }
        Some(Edit {
            span: Span::new(span.file, line_start, line_start),
            text: insert,
        })
    } else {
        let insert: String = lines
            .iter()
            .map(|l| format!(" {l}"))
            .collect::<Vec<_>>()
            .join(",");
        Some(Edit {
            span: Span::new(span.file, close, close),
            text: format!("{insert} "),
        })
    }
}
