//! Citations' quotes in the editor: whether the cursor stands inside a comment or a string
//! (where completion offers nothing), the sentences of a source offered inside the quote of
//! `cites SOURCE "…"` or `checks SOURCE "…"`, and the sentence of a source closest to a quote
//! that is not in it (for the quick fix of Z0504). Sentences are cut as the explorer cuts
//! them (`sentences::paragraphs`).

use super::complete::{Completion, CompletionKind};
use super::{Analysis, Edit};
use crate::source::{FileId, Span};
use crate::syntax::ast::DeclKind;
use crate::syntax::lex::{self, Tok};

/// How long a sentence's label may be before it is shortened (the whole sentence is inserted).
const LABEL_CHARS: usize = 72;

/// Where the cursor stands, for completion.
pub enum InText {
    /// In code.
    No,
    /// Inside the quote of a citation: the sentences of its source that match what is typed.
    Quote(Vec<Completion>),
    /// Inside a comment, a doc comment or another string.
    Other,
}

/// Read the text of the declaration from `decl_start` to the cursor at `offset`.
pub fn in_text(a: &Analysis, file: FileId, decl_start: usize, offset: usize) -> InText {
    let text = a.text(file);
    let Some(before) = text.get(decl_start..offset) else {
        return InText::No;
    };
    let toks = lex::tokens(before);
    let Some(last) = toks.last() else {
        return InText::No;
    };
    let at_end = last.end == before.len();
    match last.kind {
        Tok::Comment | Tok::Doc if at_end => InText::Other,
        Tok::Str if at_end && !closed(&before[last.start..]) => {
            let n = toks.len();
            let cited = (n >= 3)
                .then(|| {
                    let word = |i: usize| &before[toks[i].start..toks[i].end];
                    matches!(word(n - 3), "cites" | "checks").then(|| word(n - 2))
                })
                .flatten();
            match cited {
                Some(source) => {
                    let open = decl_start + last.start + 1;
                    InText::Quote(sentences_for(a, file, source, open, offset))
                }
                None => InText::Other,
            }
        }
        _ => InText::No,
    }
}

/// Whether a string token ends with its closing quote (an escaped quote does not close it).
fn closed(token: &str) -> bool {
    if token.len() < 2 || !token.ends_with('"') {
        return false;
    }
    let body = &token[1..token.len() - 1];
    let backslashes = body.chars().rev().take_while(|c| *c == '\\').count();
    backslashes % 2 == 0
}

/// The sentences of a source's legal text, one string each with its whitespace collapsed.
pub fn source_sentences(a: &Analysis, source: &str) -> Vec<String> {
    let Some((_, decl)) = a.index.declaration_of(source) else {
        return Vec::new();
    };
    let DeclKind::Source(meta) = &decl.kind else {
        return Vec::new();
    };
    let Some(legal) = meta.get("file").and_then(|f| a.map.legal_text(f)) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    for s in super::sentences::paragraphs(&legal.text).iter().flatten() {
        let sentence = collapse(legal.text.get(s.range.clone()).unwrap_or(""));
        if !sentence.is_empty() && !out.contains(&sentence) {
            out.push(sentence);
        }
    }
    out
}

/// Completions inside `"…` from `open` (just after the quote mark) to the cursor: each sentence
/// of the source that contains what is typed (case and spacing aside), replacing the quote's
/// text up to its closing mark (added when missing).
fn sentences_for(
    a: &Analysis,
    file: FileId,
    source: &str,
    open: usize,
    offset: usize,
) -> Vec<Completion> {
    let text = a.text(file);
    let typed = collapse(text.get(open..offset).unwrap_or("")).to_lowercase();
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let close = text[offset..line_end].find('"').map(|i| offset + i);
    let end = close.unwrap_or(offset);
    source_sentences(a, source)
        .into_iter()
        .filter(|s| s.to_lowercase().contains(&typed))
        .map(|s| {
            let mut insert = escape(&s);
            if close.is_none() {
                insert.push('"');
            }
            Completion {
                label: shorten(&s),
                kind: CompletionKind::Source,
                detail: Some(format!("a sentence of `{source}`")),
                documentation: Some(s.clone()),
                edit: Some(Edit {
                    span: Span::new(file, open, end),
                    text: insert,
                }),
            }
        })
        .collect()
}

/// The sentence of the source closest to `quote`: the one sharing the most words with it.
pub fn closest_sentence(a: &Analysis, source: &str, quote: &str) -> Option<String> {
    let wanted: Vec<String> = words(quote);
    if wanted.is_empty() {
        return None;
    }
    let mut best: Option<(usize, String)> = None;
    for s in source_sentences(a, source) {
        let have = words(&s);
        let shared = wanted.iter().filter(|w| have.contains(w)).count();
        if shared * 2 >= wanted.len().min(have.len()) && best.as_ref().is_none_or(|b| shared > b.0)
        {
            best = Some((shared, s));
        }
    }
    best.map(|(_, s)| s)
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A sentence as a string literal's content.
pub fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The first words of a long sentence, with an ellipsis.
fn shorten(s: &str) -> String {
    if s.chars().count() <= LABEL_CHARS {
        return s.to_string();
    }
    let cut: String = s.chars().take(LABEL_CHARS).collect();
    let cut = cut.rfind(' ').map_or(cut.as_str(), |i| &cut[..i]);
    format!("{cut}…")
}
