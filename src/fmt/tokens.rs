//! The formatter's tokens and the layout of the gap before each one, and the scanning of the
//! source between two tokens (whitespace and comments only: the grammar's trivia).

use crate::syntax::Rule;

/// One token of the source, printed exactly as written (doc comments without trailing blanks).
#[derive(Clone, Copy, Debug)]
pub(super) struct Tok {
    pub start: usize,
    pub end: usize,
    pub kind: Kind,
    /// The layout of the gap between the previous token and this one.
    pub before: Gap,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// A leaf of the parse tree: a keyword, name, literal, operator or doc comment.
    Leaf(Rule),
    /// Punctuation the grammar matches as a literal: `{ } ( ) [ ] , : = => -> .`
    Punct,
}

/// Whether a gap may or must hold a line break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Brk {
    /// Nothing between the tokens (`a.b`, `f(x)`).
    Glue,
    /// One space.
    Space,
    /// A line break where the author wrote one, nothing otherwise.
    SoftGlue,
    /// A line break where the author wrote one, one space otherwise.
    Soft,
    /// Always a line break.
    Hard,
}

/// The indentation of a line that starts with a token, resolved while printing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Indent {
    /// A fixed column (block nesting).
    Abs(usize),
    /// The column where token `.0` was printed, plus `.1` (alignment).
    Col(usize, usize),
    /// The indentation of the line where token `.0` was printed, plus `.1`.
    Line(usize, usize),
    /// Aligned with element `.0` when the opening bracket `.1` begins its line, otherwise two
    /// columns in from the bracket's line.
    AlignOr(Option<usize>, usize),
}

impl Indent {
    /// The same indentation `n` columns further in.
    pub fn plus(self, n: usize) -> Indent {
        match self {
            Indent::Abs(c) => Indent::Abs(c + n),
            Indent::Col(t, c) => Indent::Col(t, c + n),
            Indent::Line(t, c) => Indent::Line(t, c + n),
            Indent::AlignOr(..) => self,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Gap {
    pub brk: Brk,
    pub indent: Indent,
    /// Indentation of comments on their own lines in this gap (default: `indent`).
    pub comment_indent: Option<Indent>,
    /// A blank line the author left right after the previous token is kept.
    pub blank_after_prev: bool,
    /// A blank line the author left right before this token is kept.
    pub blank_before_next: bool,
    /// The first line break of this gap is a blank line (between top-level declarations).
    pub force_blank: bool,
    /// For an operator of `pull` tokens: a line break the author wrote right after the
    /// operator is moved before it.
    pub pull: usize,
}

impl Gap {
    pub fn new(brk: Brk, indent: Indent) -> Gap {
        Gap {
            brk,
            indent,
            comment_indent: None,
            blank_after_prev: false,
            blank_before_next: false,
            force_blank: false,
            pull: 0,
        }
    }

    pub fn hard(indent: Indent) -> Gap {
        Gap::new(Brk::Hard, indent)
    }

    /// The gap before an item of a block: a blank line the author wrote is kept (one at most).
    pub fn item(indent: Indent, first: bool) -> Gap {
        Gap {
            blank_after_prev: !first,
            blank_before_next: true,
            ..Gap::hard(indent)
        }
    }

    /// The gap before the closing brace of a block whose items are at `inner`.
    pub fn close(brk: Brk, indent: Indent, inner: Indent) -> Gap {
        Gap {
            comment_indent: Some(inner),
            blank_after_prev: true,
            ..Gap::new(brk, indent)
        }
    }
}

/// A comment in a gap.
#[derive(Clone, Copy, Debug)]
pub(super) struct Comment<'t> {
    /// The comment without trailing blanks.
    pub text: &'t str,
    /// Line breaks between the previous token (or comment) and this comment.
    pub newlines_before: usize,
}

/// What lies between two tokens.
#[derive(Clone, Debug, Default)]
pub(super) struct Trivia<'t> {
    pub comments: Vec<Comment<'t>>,
    /// Line breaks between the last comment (or the previous token) and the next token.
    pub newlines_after: usize,
    /// Any line break in the gap.
    pub any_newline: bool,
}

pub(super) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\u{feff}')
}

/// Scan a gap. `Err(offset)` when it holds something other than whitespace and comments.
pub(super) fn scan(gap: &str) -> Result<Trivia<'_>, usize> {
    let mut out = Trivia::default();
    let mut newlines = 0;
    let mut rest = gap;
    while let Some(c) = rest.chars().next() {
        if c == '\n' {
            newlines += 1;
            out.any_newline = true;
            rest = &rest[1..];
        } else if is_space(c) {
            rest = &rest[c.len_utf8()..];
        } else if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            out.comments.push(Comment {
                text: rest[..end].trim_end(),
                newlines_before: newlines,
            });
            newlines = 0;
            rest = &rest[end..];
        } else {
            return Err(gap.len() - rest.len());
        }
    }
    out.newlines_after = newlines;
    Ok(out)
}

/// Whether a text is only whitespace and comments.
pub(super) fn is_trivia(text: &str) -> bool {
    scan(text).is_ok()
}
