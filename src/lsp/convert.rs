//! Conversions between the core's byte spans and the protocol's types: the second small
//! diagnostics adapter (beside the terminal renderer), positions in UTF-16, symbol kinds.

use super::line_index::LineIndex;
use crate::diagnostics::{Diagnostic, Severity};
use crate::ide::{self, Analysis};
use crate::source::{FileId, Span};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tower_lsp_server::ls_types as lsp;

pub fn path_of(uri: &lsp::Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

pub fn uri_of(path: &Path) -> Option<lsp::Uri> {
    lsp::Uri::from_file_path(path)
}

/// Positions of one file of an analysis.
pub struct FilePositions<'a> {
    pub text: &'a str,
    pub lines: LineIndex,
}

impl<'a> FilePositions<'a> {
    pub fn new(a: &'a Analysis, file: FileId) -> FilePositions<'a> {
        let text = a.text(file);
        FilePositions {
            text,
            lines: LineIndex::new(text),
        }
    }

    pub fn of_text(text: &'a str) -> FilePositions<'a> {
        FilePositions {
            text,
            lines: LineIndex::new(text),
        }
    }

    pub fn position(&self, offset: usize) -> lsp::Position {
        let (line, character) = self.lines.position(self.text, offset);
        lsp::Position { line, character }
    }

    pub fn range(&self, start: usize, end: usize) -> lsp::Range {
        lsp::Range {
            start: self.position(start),
            end: self.position(end),
        }
    }

    pub fn span_range(&self, span: Span) -> lsp::Range {
        self.range(span.start as usize, span.end as usize)
    }

    pub fn offset(&self, p: lsp::Position) -> usize {
        self.lines.offset(self.text, p.line, p.character)
    }
}

/// The location of a span of an analysis, as a URI and range. Builds the file's line index:
/// for more than one span, use `Positions`.
pub fn location(a: &Analysis, span: Span) -> Option<lsp::Location> {
    Positions::new(a).location(span)
}

/// The positions of the files of an analysis, each file's line index built on first use and
/// kept: a document's diagnostics, references and edits point into the same few files again
/// and again, and building the index per span made converting them quadratic in the file's
/// size (15,000 diagnostics of a 10 MB document took a minute).
pub struct Positions<'a> {
    analysis: &'a Analysis,
    files: HashMap<FileId, FilePositions<'a>>,
}

impl<'a> Positions<'a> {
    pub fn new(analysis: &'a Analysis) -> Positions<'a> {
        Positions {
            analysis,
            files: HashMap::new(),
        }
    }

    /// The positions of one file.
    pub fn of(&mut self, file: FileId) -> &FilePositions<'a> {
        let a = self.analysis;
        self.files
            .entry(file)
            .or_insert_with(|| FilePositions::new(a, file))
    }

    /// The location of a span, as a URI and range.
    pub fn location(&mut self, span: Span) -> Option<lsp::Location> {
        let file = self.analysis.map.get(span.file)?;
        let uri = uri_of(Path::new(&file.name))?;
        Some(lsp::Location {
            uri,
            range: self.of(span.file).span_range(span),
        })
    }
}

/// A diagnostic as the editor shows it: code, message with the label and help, secondary
/// spans as related information.
pub fn diagnostic(pos: &mut Positions, d: &Diagnostic) -> lsp::Diagnostic {
    let severity = match d.severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Note => lsp::DiagnosticSeverity::INFORMATION,
    };
    let mut message = d.message.clone();
    if !d.primary.message.is_empty() && d.severity != Severity::Note {
        message.push_str(&format!(": {}", d.primary.message));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .filter_map(|l| {
            Some(lsp::DiagnosticRelatedInformation {
                location: pos.location(l.span)?,
                message: if l.message.is_empty() {
                    "related".into()
                } else {
                    l.message.clone()
                },
            })
        })
        .collect();
    lsp::Diagnostic {
        range: pos.of(d.primary.span.file).span_range(d.primary.span),
        severity: Some(severity),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
        source: Some("zan".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

pub fn symbol_kind(what: ide::index::DeclWhat) -> lsp::SymbolKind {
    use ide::index::DeclWhat as W;
    match what {
        W::Rulebook | W::Source | W::Amendment => lsp::SymbolKind::NAMESPACE,
        W::Enum => lsp::SymbolKind::ENUM,
        W::Record => lsp::SymbolKind::STRUCT,
        W::Fact => lsp::SymbolKind::VARIABLE,
        W::Parameter => lsp::SymbolKind::CONSTANT,
        W::Table => lsp::SymbolKind::ARRAY,
        W::Calendar => lsp::SymbolKind::CLASS,
        W::Rule | W::Exception | W::Reasons => lsp::SymbolKind::FUNCTION,
        W::Example => lsp::SymbolKind::OBJECT,
        W::Test => lsp::SymbolKind::METHOD,
        W::Variant | W::Reason => lsp::SymbolKind::ENUM_MEMBER,
        W::Field => lsp::SymbolKind::FIELD,
    }
}

pub fn completion_kind(k: ide::CompletionKind) -> lsp::CompletionItemKind {
    use ide::CompletionKind as K;
    match k {
        K::Keyword => lsp::CompletionItemKind::KEYWORD,
        K::Rule => lsp::CompletionItemKind::FUNCTION,
        K::Fact => lsp::CompletionItemKind::VARIABLE,
        K::Parameter => lsp::CompletionItemKind::CONSTANT,
        K::Table => lsp::CompletionItemKind::METHOD,
        K::Calendar => lsp::CompletionItemKind::CLASS,
        K::Source => lsp::CompletionItemKind::MODULE,
        K::EnumValue => lsp::CompletionItemKind::ENUM_MEMBER,
        K::Field => lsp::CompletionItemKind::FIELD,
        K::Type => lsp::CompletionItemKind::STRUCT,
        K::Function => lsp::CompletionItemKind::FUNCTION,
        K::Example => lsp::CompletionItemKind::VALUE,
        K::Variable => lsp::CompletionItemKind::VARIABLE,
    }
}

/// Semantic tokens as the protocol's relative encoding (tokens never span lines: a token
/// over several lines is cut at each line end).
pub fn semantic_tokens(
    pos: &FilePositions,
    tokens: &[(Span, ide::TokenKind)],
) -> Vec<lsp::SemanticToken> {
    let mut out = Vec::with_capacity(tokens.len());
    let (mut prev_line, mut prev_start) = (0u32, 0u32);
    for (span, kind) in tokens {
        let mut start = span.start as usize;
        let end = (span.end as usize).min(pos.text.len());
        while start < end {
            let line_end = pos.text[start..end].find('\n').map_or(end, |i| start + i);
            let a = pos.position(start);
            let b = pos.position(line_end);
            if b.character > a.character {
                let delta_line = a.line - prev_line;
                let delta_start = if delta_line == 0 {
                    a.character - prev_start
                } else {
                    a.character
                };
                let modifiers = u32::from(*kind == ide::TokenKind::DocComment);
                out.push(lsp::SemanticToken {
                    delta_line,
                    delta_start,
                    length: b.character - a.character,
                    token_type: *kind as u32,
                    token_modifiers_bitset: modifiers,
                });
                prev_line = a.line;
                prev_start = a.character;
            }
            start = line_end + 1;
        }
    }
    out
}

/// A completion as the protocol's item: documentation in the client's format, and a text
/// edit where the completion replaces more than the word at the cursor (a cited sentence,
/// which the client filters by its whole text).
pub fn completion_item(
    pos: &FilePositions,
    format: super::markup::Format,
    c: ide::Completion,
) -> lsp::CompletionItem {
    let text_edit = c.edit.as_ref().map(|e| {
        lsp::CompletionTextEdit::Edit(lsp::TextEdit {
            range: pos.span_range(e.span),
            new_text: e.text.clone(),
        })
    });
    lsp::CompletionItem {
        filter_text: c.edit.as_ref().and(c.documentation.clone()),
        label: c.label,
        kind: Some(completion_kind(c.kind)),
        detail: c.detail,
        documentation: c
            .documentation
            .map(|d| lsp::Documentation::MarkupContent(super::markup::markup(format, &d))),
        text_edit,
        ..Default::default()
    }
}
