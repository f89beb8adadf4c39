//! Source files and spans. Every stage points into the one `SourceMap` with byte ranges;
//! line and column numbers are computed only by the renderers.

use std::fmt;
use std::sync::Arc;

/// Index of a file in the `SourceMap`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: clamp_u32(start),
            end: clamp_u32(end),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One source file: its name as shown to the user and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// Zero-based line and byte column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(l) => l,
            Err(l) => l.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        (line, offset.saturating_sub(start))
    }

    /// Byte offset where a zero-based line starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).copied()
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The text of a span, or "" when the span does not fit this file.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

/// All the files of one rulebook, in a stable order, and the legal texts its sources name
/// (read so that citations can be checked against them; never parsed as zan). Files are
/// shared: a checked rulebook keeps a copy of the map without copying the texts.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<Arc<SourceFile>>,
    legal_texts: Vec<Arc<SourceFile>>,
    /// The rulebook's `sources/` folder was read into `legal_texts`, so a source whose `file`
    /// is not among them names a missing file (Z0505). A map built in memory, or from a single
    /// `.zan` file, has no folder to look in and says nothing.
    legal_texts_read: bool,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(Arc::new(SourceFile::new(name, text)));
        FileId(clamp_u32(self.files.len() - 1))
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize).map(|f| &**f)
    }

    pub fn ids(&self) -> impl Iterator<Item = FileId> + '_ {
        (0..self.files.len()).map(|i| FileId(clamp_u32(i)))
    }

    pub fn files(&self) -> &[Arc<SourceFile>] {
        &self.files
    }

    /// Add the text of a legal source (a `source`'s `file`), by its path.
    pub fn add_legal_text(&mut self, name: impl Into<String>, text: impl Into<String>) {
        self.legal_texts.push(Arc::new(SourceFile::new(name, text)));
    }

    /// The legal text whose path is `file` or ends with `/file`.
    pub fn legal_text(&self, file: &str) -> Option<&SourceFile> {
        self.legal_texts.iter().map(|t| &**t).find(|t| {
            t.name == file
                || t.name
                    .strip_suffix(file)
                    .is_some_and(|rest| rest.ends_with('/'))
        })
    }

    pub fn legal_texts(&self) -> &[Arc<SourceFile>] {
        &self.legal_texts
    }

    /// Record that the rulebook's `sources/` folder was read (even if it is empty or absent):
    /// every legal text there is in this map.
    pub fn mark_legal_texts_read(&mut self) {
        self.legal_texts_read = true;
    }

    /// Whether the `sources/` folder was read (see `mark_legal_texts_read`).
    pub fn legal_texts_read(&self) -> bool {
        self.legal_texts_read
    }

    pub fn snippet(&self, span: Span) -> &str {
        self.get(span.file).map(|f| f.slice(span)).unwrap_or("")
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}..{}", self.file.0, self.start, self.end)
    }
}
