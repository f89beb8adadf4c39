//! Printing the tokens with their gaps: line breaks, blank lines, indentation and the
//! comments found between the tokens in the source.

use super::tokens::{scan, Brk, Gap, Indent, Kind, Tok, Trivia};
use crate::syntax::Rule;

/// The text of a token as printed: as written, doc comments without trailing blanks.
pub(super) fn token_text<'t>(text: &'t str, tok: &Tok) -> &'t str {
    let s = text.get(tok.start..tok.end).unwrap_or("");
    if tok.kind == Kind::Leaf(Rule::doc) {
        s.trim_end()
    } else {
        s
    }
}

/// The comments of a text, in order (for checking that none is lost).
pub(super) fn comments<'t>(text: &'t str, toks: &[Tok]) -> Vec<&'t str> {
    let mut out = Vec::new();
    let mut prev = 0;
    let ends = toks.iter().map(|t| (t.start, t.end));
    for (start, end) in ends.chain(std::iter::once((text.len(), text.len()))) {
        if let Ok(t) = scan(text.get(prev..start).unwrap_or("")) {
            out.extend(t.comments.iter().map(|c| c.text));
        }
        prev = end;
    }
    out
}

#[derive(Default)]
struct Printer {
    out: String,
    col: usize,
    line_indent: usize,
    line: usize,
    /// Per printed token: its column, its line's indentation, its line.
    cols: Vec<usize>,
    indents: Vec<usize>,
    lines: Vec<usize>,
}

pub(super) fn print(text: &str, toks: &[Tok]) -> String {
    let mut p = Printer::default();
    let mut prev_end = 0;
    for (i, tok) in toks.iter().enumerate() {
        let trivia = scan(text.get(prev_end..tok.start).unwrap_or("")).unwrap_or_default();
        if i == 0 {
            p.leading(&trivia);
        } else {
            let pulled = tok.before.pull > 0 && broken_after(text, toks, i + tok.before.pull - 1);
            let after_doc = toks
                .get(i - 1)
                .is_some_and(|t| t.kind == Kind::Leaf(Rule::doc));
            p.gap(tok.before, &trivia, pulled, after_doc);
        }
        p.token(token_text(text, tok));
        prev_end = tok.end;
    }
    let tail = scan(text.get(prev_end..).unwrap_or("")).unwrap_or_default();
    p.trailing(&tail, !toks.is_empty());
    p.out
}

/// Whether the author broke the line right after token `i` (with no comment there).
fn broken_after(text: &str, toks: &[Tok], i: usize) -> bool {
    let (Some(a), Some(b)) = (toks.get(i), toks.get(i + 1)) else {
        return false;
    };
    let gap = text.get(a.end..b.start).unwrap_or("");
    gap.contains('\n') && !gap.contains("//")
}

impl Printer {
    fn write(&mut self, s: &str) {
        self.out.push_str(s);
        match s.rfind('\n') {
            Some(pos) => {
                self.line += s.matches('\n').count();
                self.col = s[pos + 1..].chars().count();
            }
            None => self.col += s.chars().count(),
        }
    }

    fn newline(&mut self, blank: bool) {
        self.out.push('\n');
        self.line += 1;
        if blank {
            self.out.push('\n');
            self.line += 1;
        }
        self.col = 0;
        self.line_indent = 0;
    }

    fn indent(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
        self.col = n;
        self.line_indent = n;
    }

    fn resolve(&self, indent: Indent) -> usize {
        let here = self.line_indent;
        match indent {
            Indent::Abs(n) => n,
            Indent::Col(t, n) => self.cols.get(t).map_or(here, |c| c + n),
            Indent::Line(t, n) => self.indents.get(t).map_or(here, |c| c + n),
            Indent::AlignOr(first, open) => {
                let starts_line = self.cols.get(open) == self.indents.get(open);
                match first.and_then(|f| self.cols.get(f)) {
                    Some(&col) if starts_line => col,
                    _ => self.indents.get(open).map_or(here, |c| c + 2),
                }
            }
        }
    }

    fn token(&mut self, s: &str) {
        self.cols.push(self.col);
        self.indents.push(self.line_indent);
        self.lines.push(self.line);
        self.write(s);
    }

    /// Comments before the first token: each on its own line.
    fn leading(&mut self, trivia: &Trivia<'_>) {
        for (k, c) in trivia.comments.iter().enumerate() {
            if k > 0 {
                self.newline(c.newlines_before >= 2);
            }
            self.write(c.text);
        }
        if !trivia.comments.is_empty() {
            self.newline(trivia.newlines_after >= 2);
        }
    }

    /// The gap before a token. `broken`: the author's line break counts here even if it is
    /// elsewhere (after the operator that follows, or the end of a doc comment).
    fn gap(&mut self, gap: Gap, trivia: &Trivia<'_>, broken: bool, must_break: bool) {
        let mut force_blank = gap.force_blank;
        for (k, c) in trivia.comments.iter().enumerate() {
            if k == 0 && c.newlines_before == 0 {
                self.write(" ");
                self.write(c.text);
                continue;
            }
            let blank = c.newlines_before >= 2 && (k > 0 || gap.blank_after_prev);
            let forced = std::mem::take(&mut force_blank);
            self.newline(blank || forced);
            let indent = self.resolve(gap.comment_indent.unwrap_or(gap.indent));
            self.indent(indent);
            self.write(c.text);
        }
        let source_break = trivia.any_newline || broken;
        let line_break = !trivia.comments.is_empty()
            || must_break
            || match gap.brk {
                Brk::Hard => true,
                Brk::Soft | Brk::SoftGlue => source_break,
                Brk::Glue | Brk::Space => false,
            };
        if line_break {
            let keep_blank = if trivia.comments.is_empty() {
                gap.blank_after_prev && gap.blank_before_next
            } else {
                gap.blank_before_next
            };
            self.newline((trivia.newlines_after >= 2 && keep_blank) || force_blank);
            let indent = self.resolve(gap.indent);
            self.indent(indent);
        } else if matches!(gap.brk, Brk::Space | Brk::Soft) {
            self.write(" ");
        }
    }

    /// Comments after the last token, then the final line break.
    fn trailing(&mut self, trivia: &Trivia<'_>, any_token: bool) {
        for (k, c) in trivia.comments.iter().enumerate() {
            if k == 0 && c.newlines_before == 0 && any_token {
                self.write(" ");
            } else if k > 0 || any_token {
                self.newline(c.newlines_before >= 2);
            }
            self.write(c.text);
        }
        if any_token || !trivia.comments.is_empty() {
            self.out.push('\n');
        }
    }
}
