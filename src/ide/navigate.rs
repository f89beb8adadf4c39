//! Go to definition, find references and rename.

use super::index::Occurrence;
use super::{is_identifier, Analysis, Edit};
use crate::check::Symbol;
use crate::source::{FileId, Span};
use crate::syntax::ast;

/// Where a definition is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Span(Span),
    /// A byte range in a legal text of the map (by its name, as loaded).
    LegalText {
        name: String,
        start: usize,
        end: usize,
    },
}

/// The declarations of what is at `offset`. From a declaration inside an amendment's
/// `replace` (or a `repeal`), the original declaration; from a citation's quote, the quoted
/// sentence in the legal text, else the source's declaration.
pub fn definition(a: &Analysis, file: FileId, offset: u32) -> Vec<Target> {
    if let Some(occ) = a.index.occurrence_at(file, offset) {
        return symbol_definition(a, occ)
            .into_iter()
            .map(Target::Span)
            .collect();
    }
    citation_definition(a, file, offset).into_iter().collect()
}

fn symbol_definition(a: &Analysis, occ: &Occurrence) -> Vec<Span> {
    if let Symbol::Local { binding, .. } = &occ.symbol {
        return vec![*binding];
    }
    let decls = a.index.declarations(&occ.symbol);
    let baseline: Vec<Span> = decls
        .iter()
        .filter(|d| d.provision.is_none())
        .map(|d| d.name_span)
        .collect();
    let here_is_baseline = baseline.contains(&occ.span);
    let only_this_baseline = occ.is_declaration && here_is_baseline && baseline.len() == 1;
    if baseline.is_empty() || only_this_baseline {
        // A name declared only inside amendments, or the baseline declaration itself: all of them.
        return decls.iter().map(|d| d.name_span).collect();
    }
    baseline
}

fn citation_definition(a: &Analysis, file: FileId, offset: u32) -> Option<Target> {
    let decl = (0..a.index.top.len())
        .filter_map(|i| a.index.top_decl(i))
        .find(|d| d.span.file == file && d.span.start <= offset && offset <= d.span.end)?;
    let mut found = None;
    super::outline::each_citation(decl, &mut |c| {
        if c.span.start <= offset && offset <= c.span.end {
            found = Some(c.clone());
        }
    });
    let c = found?;
    let (entry, source) = a.index.declaration_of(&c.source.name)?;
    if let (Some(quote), ast::DeclKind::Source(m)) = (&c.quote, &source.kind) {
        if let Some(text) = m.get("file").and_then(|f| a.map.legal_text(f)) {
            if let Some((start, end)) = find_quote(&text.text, quote) {
                return Some(Target::LegalText {
                    name: text.name.clone(),
                    start,
                    end,
                });
            }
        }
    }
    Some(Target::Span(entry.name_span))
}

/// Where the first part of a quote (up to an elision `...`) stands in a legal text, with
/// whitespace compared loosely, as the checker does.
pub fn find_quote(text: &str, quote: &str) -> Option<(usize, usize)> {
    let first = quote
        .split("...")
        .next()
        .and_then(|q| q.split('…').next())
        .unwrap_or(quote);
    let words: Vec<&str> = first.split_whitespace().collect();
    let head = *words.first()?;
    let mut from = 0;
    while let Some(i) = text[from..].find(head) {
        let start = from + i;
        if let Some(end) = match_words(text, start, &words) {
            return Some((start, end));
        }
        from = start + head.len();
    }
    None
}

fn match_words(text: &str, start: usize, words: &[&str]) -> Option<usize> {
    let mut at = start;
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            let rest = &text[at..];
            let trimmed = rest.trim_start();
            at += rest.len() - trimmed.len();
        }
        if !text[at..].starts_with(w) {
            return None;
        }
        at += w.len();
    }
    Some(at)
}

/// Every place the symbol at `offset` is written.
pub fn references(a: &Analysis, file: FileId, offset: u32, include_declaration: bool) -> Vec<Span> {
    let Some(occ) = a.index.occurrence_at(file, offset) else {
        return Vec::new();
    };
    a.index
        .references(&occ.symbol)
        .into_iter()
        .filter(|o| include_declaration || !o.is_declaration)
        .map(|o| o.span)
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenameError {
    NothingToRename,
    NotAnIdentifier(String),
    Taken { name: String, by: String },
}

impl std::fmt::Display for RenameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenameError::NothingToRename => write!(f, "there is no declared name here to rename"),
            RenameError::NotAnIdentifier(n) => {
                write!(
                    f,
                    "`{n}` is not a valid name (letters, digits and `_`, not a keyword)"
                )
            }
            RenameError::Taken { name, by } => write!(f, "`{name}` is already the name of {by}"),
        }
    }
}

/// The span of the name at `offset` that can be renamed.
pub fn prepare_rename(a: &Analysis, file: FileId, offset: u32) -> Option<Span> {
    a.index.occurrence_at(file, offset).map(|o| o.span)
}

/// Rename the symbol at `offset` everywhere, refusing a name that is already taken where
/// it would clash.
pub fn rename(
    a: &Analysis,
    file: FileId,
    offset: u32,
    new_name: &str,
) -> Result<Vec<Edit>, RenameError> {
    let occ = a
        .index
        .occurrence_at(file, offset)
        .ok_or(RenameError::NothingToRename)?;
    if !is_identifier(new_name) {
        return Err(RenameError::NotAnIdentifier(new_name.to_string()));
    }
    if let Some(by) = taken(a, &occ.symbol, new_name) {
        return Err(RenameError::Taken {
            name: new_name.to_string(),
            by,
        });
    }
    let mut edits: Vec<Edit> = a
        .index
        .references(&occ.symbol)
        .into_iter()
        .map(|o| Edit {
            span: o.span,
            text: new_name.to_string(),
        })
        .collect();
    edits.sort_by_key(|e| e.span);
    edits.dedup();
    Ok(edits)
}

/// What already has the name `new_name` where the symbol lives, if anything.
fn taken(a: &Analysis, symbol: &Symbol, new_name: &str) -> Option<String> {
    let describe = |d: &super::index::DeclEntry| {
        format!("the {} at {}", d.what.word(), location(a, d.name_span))
    };
    match symbol {
        Symbol::Decl(_) => a
            .index
            .globals()
            .find(|d| d.name == new_name)
            .or_else(|| {
                a.index
                    .decls
                    .iter()
                    .find(|d| d.what == super::index::DeclWhat::Variant && d.name == new_name)
            })
            .map(describe),
        Symbol::Variant { enum_name, .. } => a
            .index
            .decls
            .iter()
            .find(|d| {
                matches!(&d.symbol, Symbol::Variant { enum_name: e, variant } if e == enum_name && variant == new_name)
                    || (matches!(d.symbol, Symbol::Decl(_)) && d.name == new_name)
            })
            .map(describe),
        Symbol::Field { record, .. } => a
            .index
            .decls
            .iter()
            .find(|d| matches!(&d.symbol, Symbol::Field { record: r, field } if r == record && field == new_name))
            .map(describe),
        Symbol::Reason(_) => a
            .index
            .decls
            .iter()
            .find(|d| matches!(&d.symbol, Symbol::Reason(c) if c == new_name))
            .map(describe),
        Symbol::Local { .. } => None,
    }
}

fn location(a: &Analysis, span: Span) -> String {
    let Some(f) = a.map.get(span.file) else {
        return String::from("?");
    };
    let line = f.text[..(span.start as usize).min(f.text.len())]
        .matches('\n')
        .count()
        + 1;
    format!("{}:{line}", f.name)
}
