//! Editor features over an analysed rulebook, as pure functions: hover, navigation,
//! completion, outline, highlighting, inlay hints and code actions. Positions are byte
//! offsets into the `SourceMap`; the language server (`crate::lsp`) converts them to the
//! protocol's line/UTF-16 positions and keeps the documents. Nothing here does IO.
//!
//! An `Analysis` is one run of the same `parse` and `check` as `zan check`, plus a symbol
//! index built from the checker's resolution of every name.

mod actions;
mod complete;
mod highlight;
mod hints;
mod hover;
pub mod index;
mod navigate;
mod outline;

pub use actions::{code_actions, CodeAction};
pub use complete::{complete, Completion, CompletionKind};
pub use highlight::{folding_ranges, semantic_tokens, Fold, FoldKind, TokenKind, TOKEN_KINDS};
pub use hints::{inlay_hints, InlayHint};
pub use hover::{describe, hover};
pub use navigate::{
    definition, find_quote, prepare_rename, references, rename, RenameError, Target,
};
pub use outline::{document_symbols, workspace_symbols, Outline};

use crate::check::{self, Checked};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{self, Parsed};
use crate::time::date::Day;
use index::Index;
use std::sync::Arc;

/// One analysed state of a rulebook folder.
pub struct Analysis {
    pub map: SourceMap,
    pub checked: Checked,
    pub index: Index,
    /// The date the editor considers "today" (for amounts in force now); given, never read
    /// from a clock here.
    pub today: Day,
}

impl Analysis {
    /// Check already-parsed files (one per file of the map, in order) and index them.
    pub fn new(map: SourceMap, parsed: Vec<Arc<Parsed>>, today: Day) -> Analysis {
        let refs: Vec<&Parsed> = parsed.iter().map(|p| &**p).collect();
        let checked = check::check_parsed(&map, &refs);
        let index = Index::build(&parsed, &checked.uses);
        Analysis {
            map,
            checked,
            index,
            today,
        }
    }

    /// Parse every file of the map, then as `new`.
    pub fn of_map(map: SourceMap, today: Day) -> Analysis {
        let parsed = map
            .ids()
            .map(|id| Arc::new(syntax::parse_file(&map, id)))
            .collect();
        Analysis::new(map, parsed, today)
    }

    pub fn text(&self, file: FileId) -> &str {
        self.map.get(file).map_or("", |f| f.text.as_str())
    }

    /// The file of the map with this name.
    pub fn file_named(&self, name: &str) -> Option<FileId> {
        self.map
            .ids()
            .find(|&id| self.map.get(id).is_some_and(|f| f.name == name))
    }
}

/// Line starts of a text, to turn byte offsets into lines and UTF-16 columns (the
/// protocol's default) and back.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// (line, UTF-16 column) of a byte offset (clamped to the text).
    pub fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let col: usize = text
            .get(start..offset)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        (line as u32, col as u32)
    }

    /// The byte offset of (line, UTF-16 column), clamped to the line and the text.
    pub fn offset(&self, text: &str, line: u32, col: u32) -> usize {
        let Some(&start) = self.starts.get(line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(line as usize + 1)
            .copied()
            .unwrap_or(text.len());
        let mut units = 0usize;
        for (i, c) in text.get(start..end).unwrap_or("").char_indices() {
            if units >= col as usize || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A text edit: replace `span` by `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub text: String,
}

/// Is `name` a valid identifier of the language (and not a keyword)?
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c == '_' || unicode_ident_start(c));
    first_ok && chars.all(unicode_ident_continue) && !syntax::keywords::is_keyword(name)
}

fn unicode_ident_start(c: char) -> bool {
    c.is_alphabetic()
}

fn unicode_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}
