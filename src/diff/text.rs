//! Declarations as the diff compares and shows them: the significant tokens (comments and
//! whitespace never count as a change), a one-line form for short parts, and the canonical
//! layout without comments for side-by-side display.

use crate::source::{SourceMap, Span};
use crate::syntax::lex::{self, Tok};

/// The tokens of a span that carry meaning: no comments, no doc comments, no whitespace.
pub fn tokens(map: &SourceMap, span: Span) -> Vec<&str> {
    let text = map.snippet(span);
    let mut out: Vec<(usize, usize)> = Vec::new();
    for t in lex::tokens(text) {
        if matches!(t.kind, Tok::Comment | Tok::Doc) {
            continue;
        }
        // The forgiving lexer reads `>=` as two characters and `03-21` (a day of the year)
        // as three: join what is written together.
        if let Some(last) = out.last_mut() {
            let pair = text.get(last.0..t.end).unwrap_or("");
            let joined = matches!(pair, ">=" | "<=" | "==" | "!=" | "=>" | "->")
                || (t.kind == Tok::Number
                    && pair.ends_with(|c: char| c.is_ascii_digit())
                    && text
                        .get(last.0..last.1)
                        .is_some_and(|p| p.ends_with('-') && p.len() > 1));
            if last.1 == t.start && joined {
                last.1 = t.end;
                continue;
            }
            if t.kind == Tok::Punct
                && pair.ends_with('-')
                && last.1 == t.start
                && text
                    .get(last.0..last.1)
                    .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
            {
                last.1 = t.end;
                continue;
            }
        }
        out.push((t.start, t.end));
    }
    out.into_iter()
        .filter_map(|(a, b)| text.get(a..b))
        .collect()
}

/// Whether two spans (possibly of two source maps) say the same thing.
pub fn same(a: (&SourceMap, Span), b: (&SourceMap, Span)) -> bool {
    tokens(a.0, a.1) == tokens(b.0, b.1)
}

/// The comments and doc comments of a span, trimmed.
pub fn comments(map: &SourceMap, span: Span) -> Vec<&str> {
    let text = map.snippet(span);
    lex::tokens(text)
        .into_iter()
        .filter(|t| matches!(t.kind, Tok::Comment | Tok::Doc))
        .filter_map(|t| text.get(t.start..t.end).map(str::trim_end))
        .collect()
}

/// A span on one line, tokens joined the way the formatter spaces them (`a.b`, `f(x, y)`).
pub fn one_line(map: &SourceMap, span: Span) -> String {
    join(&tokens(map, span))
}

fn join(tokens: &[&str]) -> String {
    let mut out = String::new();
    let mut previous = "";
    for t in tokens {
        let glue = previous.is_empty()
            || matches!(*t, "." | "," | ")" | "]" | ":" | "?")
            || matches!(previous, "." | "(" | "[")
            || (*t == "(" && previous.chars().all(|c| c.is_alphanumeric() || c == '_'));
        if !glue {
            out.push(' ');
        }
        out.push_str(t);
        previous = t;
    }
    out
}

/// A declaration in the canonical layout, without its comments: what a reviewer compares.
pub fn display(map: &SourceMap, span: Span) -> String {
    let raw = map.snippet(span);
    // The formatter recomputes indentation, so a provision's declaration (sliced mid-line)
    // comes out at column 0; what cannot be formatted is shown as written.
    let formatted = crate::fmt::format_source(raw).unwrap_or_else(|_| dedent(raw));
    without_comments(&formatted)
}

fn without_comments(text: &str) -> String {
    let cuts: Vec<(usize, usize)> = lex::tokens(text)
        .into_iter()
        .filter(|t| matches!(t.kind, Tok::Comment | Tok::Doc))
        .map(|t| (t.start, t.end))
        .collect();
    let mut out = String::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let mut kept = String::new();
        let mut i = start;
        for &(a, b) in cuts.iter().filter(|(a, b)| *a < at && *b > start) {
            if a > i {
                kept.push_str(text.get(i..a).unwrap_or(""));
            }
            i = b.max(i);
        }
        if i < at {
            kept.push_str(text.get(i..at).unwrap_or(""));
        }
        let kept = kept.trim_end();
        if kept.is_empty() && !line.trim().is_empty() {
            continue;
        }
        out.push_str(kept);
        out.push('\n');
    }
    let trimmed = out.trim_matches('\n');
    format!("{trimmed}\n")
}

/// Remove the common indentation of every line but the first (a slice taken mid-line).
fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(
                line.get(indent.min(line.len() - line.trim_start().len())..)
                    .unwrap_or(line),
            );
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(text: &str) -> (SourceMap, Span) {
        let mut m = SourceMap::new();
        let f = m.add("t.zan", text);
        (m, Span::new(f, 0, text.len()))
    }

    #[test]
    fn comments_and_layout_do_not_count() {
        let (a, sa) = map("rule x: bool { // why\n  a.b and f(c, d)\n}");
        let (b, sb) = map("/// doc\nrule x: bool {\n  a.b\n    and f(c, d) }");
        assert!(same((&a, sa), (&b, sb)));
        let (c, sc) = map("rule x: bool { a.b or f(c, d) }");
        assert!(!same((&a, sa), (&c, sc)));
        assert_eq!(one_line(&a, sa), "rule x: bool { a.b and f(c, d) }");
    }

    #[test]
    fn display_drops_comments() {
        let (a, sa) = map("/// doc\nrule x: bool {\n  // why\n  true // end\n}\n");
        assert_eq!(display(&a, sa), "rule x: bool {\n  true\n}\n");
    }
}
