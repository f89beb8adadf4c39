//! Editor features over an analysed rulebook, as pure functions: hover, navigation,
//! completion, outline, highlighting, inlay hints, code actions, document highlight,
//! signature help, call hierarchy, document links, selection ranges, range formatting, and
//! the code lenses and test runs of running the law from the editor (`run`). Positions are byte
//! offsets into the `SourceMap`; the language server (`crate::lsp`) converts them to the
//! protocol's line/UTF-16 positions and keeps the documents. Nothing here does IO.
//!
//! An `Analysis` is one run of the same `parse` and `check` as `zan check`, plus a symbol
//! index built from the checker's resolution of every name.

mod actions;
mod calls;
mod complete;
mod expected;
mod fixes;
mod format_range;
mod highlight;
mod highlight_refs;
mod hints;
mod hover;
mod hover_calendar;
pub mod index;
mod links;
mod navigate;
mod outline;
mod quotes;
pub mod run;
mod selection;
pub mod sentences;
mod signature;

pub use actions::{code_actions, CodeAction};
pub use calls::{incoming_calls, outgoing_calls, prepare_call_hierarchy, Call, CallItem};
pub use complete::{complete, Completion, CompletionKind};
pub use format_range::{format_range, RangeEdit};
pub use highlight::{folding_ranges, semantic_tokens, Fold, FoldKind, TokenKind, TOKEN_KINDS};
pub use highlight_refs::{document_highlights, Access};
pub use hints::{inlay_hints, InlayHint};
pub use hover::{describe, hover};
pub use links::{document_links, Link};
pub use navigate::{
    definition, find_quote, prepare_rename, references, rename, RenameError, Target,
};
pub use outline::{document_symbols, workspace_symbols, Outline};
pub use selection::selection_ranges;
pub use signature::{signature_help, Signature};

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
