//! Signature help: inside the brackets of a call, the table's key columns (their names and
//! types) or the built-in function's parameters, with the parameter the cursor is on. The
//! call is read from the text before the cursor, which may not parse yet (the author is
//! typing it).

use super::Analysis;
use crate::source::FileId;
use crate::syntax::ast::DeclKind;
use crate::syntax::lex::{self, Tok};

/// A signature to show while a call is typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// `state_duty_mci(procedure: Procedure, entries: Entries) -> decimal`
    pub label: String,
    /// Markdown: what the table or function gives.
    pub doc: String,
    /// Each parameter's label (a substring of `label`) and its doc.
    pub params: Vec<(String, Option<String>)>,
    /// The parameter the cursor is on (counted by the commas before it).
    pub active: usize,
}

/// The signature of the call whose brackets hold `offset`.
pub fn signature_help(a: &Analysis, file: FileId, offset: usize) -> Option<Signature> {
    let text = a.text(file);
    let (name, active) = open_call(text, offset)?;
    table_signature(a, &name, active).or_else(|| builtin_signature(&name, active))
}

/// The name before the innermost unclosed `(` before `offset` in its declaration, and the
/// number of commas between that bracket and `offset` outside inner brackets.
fn open_call(text: &str, offset: usize) -> Option<(String, usize)> {
    let offset = offset.min(text.len());
    let start = crate::syntax::split::declarations(text)
        .into_iter()
        .filter(|r| r.start <= offset)
        .map(|r| r.start)
        .next_back()
        .unwrap_or(0);
    let piece = text.get(start..offset)?;
    let tokens: Vec<lex::Token> = lex::tokens(piece)
        .into_iter()
        .filter(|t| !matches!(t.kind, Tok::Comment | Tok::Doc))
        .collect();
    // A string or comment still open at the cursor: no call is being typed there.
    if tokens
        .last()
        .is_some_and(|t| t.kind == Tok::Str && t.end == piece.len() && !piece.ends_with('"'))
    {
        return None;
    }
    let mut depth = 0usize;
    let mut commas = 0usize;
    for (i, t) in tokens.iter().enumerate().rev() {
        if t.kind != Tok::Punct {
            continue;
        }
        match &piece[t.start..t.end] {
            ")" | "]" | "}" => depth += 1,
            "[" | "{" if depth == 0 => return None,
            "[" | "{" => depth -= 1,
            "(" if depth == 0 => {
                let name = tokens.get(i.checked_sub(1)?)?;
                let adjacent = name.end == t.start;
                return (name.kind == Tok::Word && adjacent)
                    .then(|| (piece[name.start..name.end].to_string(), commas));
            }
            "(" => depth -= 1,
            "," if depth == 0 => commas += 1,
            _ => {}
        }
    }
    None
}

fn table_signature(a: &Analysis, name: &str, active: usize) -> Option<Signature> {
    let (_, decl) = a.index.declaration_of(name)?;
    let DeclKind::Table(t) = &decl.kind else {
        return None;
    };
    let params: Vec<(String, Option<String>)> = t
        .keys
        .iter()
        .map(|(key, ty)| {
            let ty = a.map.snippet(ty.span);
            (
                format!("{}: {ty}", key.name),
                Some(format!("key column `{}` of `{name}`", key.name)),
            )
        })
        .collect();
    let labels: Vec<&str> = params.iter().map(|(l, _)| l.as_str()).collect();
    let label = format!(
        "{name}({}) -> {}",
        labels.join(", "),
        a.map.snippet(t.ty.span)
    );
    let mut doc = format!("a table of {} rows", t.rows.len());
    if t.otherwise.is_some() {
        doc.push_str(" and an `otherwise` row");
    }
    if let Some(d) = &decl.doc {
        doc = format!("{}\n\n{doc}", d.trim());
    }
    Some(Signature {
        label,
        doc,
        active: active.min(params.len().saturating_sub(1)),
        params,
    })
}

fn builtin_signature(name: &str, active: usize) -> Option<Signature> {
    let f = crate::check::builtin_function(name)?;
    Some(Signature {
        label: f.signature(),
        doc: format!("{}\n\na built-in function", f.doc),
        params: f.params.iter().map(|p| ((*p).to_string(), None)).collect(),
        active: active.min(f.params.len().saturating_sub(1)),
    })
}

#[cfg(test)]
mod tests {
    use super::open_call;

    #[test]
    fn the_open_call_and_its_argument_are_read_from_half_typed_text() {
        let text = "rule x: integer {\n  days_between(a.b, max(c, d), ";
        assert_eq!(
            open_call(text, text.len()),
            Some(("days_between".to_string(), 2))
        );
        let inner = "rule x: integer {\n  days_between(a, max(c, ";
        assert_eq!(open_call(inner, inner.len()), Some(("max".to_string(), 1)));
        let closed = "rule x: integer {\n  days_between(a, b) + ";
        assert_eq!(open_call(closed, closed.len()), None);
        let grouping = "rule x: integer {\n  (a + ";
        assert_eq!(open_call(grouping, grouping.len()), None);
        let in_list = "rule x: bool {\n  f([a, ";
        assert_eq!(open_call(in_list, in_list.len()), None);
    }
}
