//! Cutting a file at declaration boundaries before parsing. A declaration starts with its
//! keyword at the beginning of a line; the `///` doc lines right above it belong to it.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use std::ops::Range;

/// The keywords that begin a declaration (at the start of a line).
pub const DECLARATION_KEYWORDS: &[&str] = &[
    "rulebook",
    "source",
    "enum",
    "record",
    "fact",
    "parameter",
    "table",
    "calendar",
    "rule",
    "output",
    "exception",
    "reasons",
    "amendment",
    "example",
    "test",
];

/// Byte ranges of the declarations of a file (comments and blank lines in between are
/// left out; text that is neither becomes a range of its own so it gets a syntax error).
pub fn declarations(text: &str) -> Vec<Range<usize>> {
    let mut starts = Vec::new();
    let mut doc_start: Option<usize> = None;
    let mut offset = 0;
    let mut stray: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let content = line.trim_start_matches('\u{feff}');
        let bom = line.len() - content.len();
        // Every declaration keyword starts with a lowercase ASCII letter.
        let lowercase = content
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_lowercase);
        if content.starts_with("///") {
            doc_start.get_or_insert(offset);
        } else if lowercase && starts_keyword(content) {
            let start = doc_start.take().unwrap_or(offset + bom);
            if let Some(s) = stray.take() {
                starts.push(s);
            }
            starts.push(start);
        } else {
            let trimmed = content.trim();
            if !trimmed.is_empty() && !trimmed.starts_with("//") {
                // Text before the first declaration, indented or not: it belongs to nothing.
                if starts.is_empty() && stray.is_none() {
                    stray = Some(offset);
                }
                doc_start = None;
            } else if trimmed.is_empty() {
                doc_start = None;
            }
        }
        offset += line.len();
    }
    if let Some(s) = stray {
        starts.push(s);
    }
    starts.sort_unstable();
    let mut ranges = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        ranges.push(start..end);
    }
    ranges
}

fn starts_keyword(line: &str) -> bool {
    DECLARATION_KEYWORDS.iter().any(|kw| {
        line.strip_prefix(kw)
            .is_some_and(|rest| !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
    })
}

/// Refuse a declaration whose brackets nest deeper than `MAX_NESTING`, or with more operators
/// than `MAX_OPERATORS` (a long chain of operators nests as deeply as brackets do).
///
/// Operators are counted as words: the runs of characters between whitespace and brackets
/// that are an operator. One pass over the bytes (this runs on every declaration).
pub fn nesting_too_deep(piece: &str, file: FileId, offset: usize) -> Option<Diagnostic> {
    let bytes = piece.as_bytes();
    let mut operators = 0usize;
    let mut depth = 0usize;
    // Where the brackets first nest too deeply.
    let mut too_deep: Option<usize> = None;
    let mut word_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip the bytes of a word at once.
        while i < bytes.len() && BYTE_CLASS[bytes[i] as usize] == WORD {
            i += 1;
        }
        let Some(&b) = bytes.get(i) else { break };
        let (separator, len) = match BYTE_CLASS[b as usize] {
            OTHER => {
                let c = piece[i..].chars().next().unwrap_or(' ');
                (c.is_whitespace(), c.len_utf8())
            }
            _ => (true, 1),
        };
        if separator {
            operators += usize::from(is_operator_word(&bytes[word_start..i]));
            word_start = i + len;
            match b {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    if depth > super::MAX_NESTING && too_deep.is_none() {
                        too_deep = Some(i);
                    }
                }
                b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        i += len;
    }
    operators += usize::from(is_operator_word(&bytes[word_start..]));
    if operators > super::MAX_OPERATORS {
        let span = Span::new(file, offset, offset + piece.trim_end().len().min(80));
        return Some(
            Diagnostic::new(
                Code::LimitExceeded,
                span,
                "this declaration has too many operators",
            )
            .label(format!(
                "{operators} operators; the limit is {}",
                super::MAX_OPERATORS
            ))
            .help("split it into named rules"),
        );
    }
    too_deep.map(|i| {
        let span = Span::new(file, offset + i, offset + i + 1);
        Diagnostic::new(Code::LimitExceeded, span, "expressions nest too deeply")
            .label(format!(
                "more than {} levels of brackets",
                super::MAX_NESTING
            ))
            .help("split the expression into named rules")
    })
}

/// Bytes of a word (no whitespace, no bracket), separators (ASCII whitespace and brackets),
/// and the first bytes of other characters (which may be Unicode whitespace).
const WORD: u8 = 0;
const SEPARATOR: u8 = 1;
const OTHER: u8 = 2;
const BYTE_CLASS: [u8; 256] = {
    let mut class = [WORD; 256];
    let mut b = 0;
    while b < 256 {
        class[b] = match b as u8 {
            b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => SEPARATOR,
            b'(' | b')' | b'[' | b']' | b'{' | b'}' => SEPARATOR,
            0x80..=0xFF => OTHER,
            _ => WORD,
        };
        b += 1;
    }
    class
};

/// The words `nesting_too_deep` counts as operators.
fn is_operator_word(word: &[u8]) -> bool {
    matches!(
        word,
        b"and"
            | b"or"
            | b"not"
            | b"is"
            | b"+"
            | b"-"
            | b"*"
            | b"/"
            | b"=="
            | b"!="
            | b"<"
            | b"<="
            | b">"
            | b">="
            | b"in"
    )
}

/// `// OPEN: ...` comments mark points a reviewer must see; each becomes a note.
pub fn open_points(text: &str, file: FileId) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    if !text.contains("// OPEN:") {
        return out;
    }
    let mut offset = 0;
    // An open point runs on over the comment lines right below its `// OPEN:` line.
    let mut current: Option<(usize, usize, String)> = None;
    for line in text.split_inclusive('\n') {
        // A doc comment (`///`) below belongs to the declaration, not to the open point.
        let continues = current.is_some() && {
            let trimmed = line.trim();
            trimmed.starts_with("//") && !trimmed.starts_with("///")
        };
        let open = if line.as_bytes().contains(&b'/') {
            line.find("// OPEN:")
        } else {
            None
        };
        if let Some(pos) = open {
            let note = line[pos + "// OPEN:".len()..].trim();
            match current.as_mut() {
                Some((_, end, text)) if continues => {
                    text.push(' ');
                    text.push_str(note);
                    *end = offset + line.trim_end().len();
                }
                _ => {
                    flush(&mut out, current.take(), file);
                    current = Some((
                        offset + pos,
                        offset + line.trim_end().len(),
                        note.to_string(),
                    ));
                }
            }
        } else if continues {
            if let Some((_, end, text)) = current.as_mut() {
                text.push(' ');
                text.push_str(line.trim().trim_start_matches('/').trim());
                *end = offset + line.trim_end().len();
            }
        } else {
            flush(&mut out, current.take(), file);
        }
        offset += line.len();
    }
    flush(&mut out, current, file);
    out
}

fn flush(out: &mut Vec<Diagnostic>, point: Option<(usize, usize, String)>, file: FileId) {
    if let Some((start, end, note)) = point {
        out.push(
            Diagnostic::new(
                Code::OpenPoint,
                Span::new(file, start, end),
                format!("open point: {note}"),
            )
            .label("for review")
            .help("the sources leave this open; it is encoded as stated and awaits review"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_column_zero_keywords_with_docs() {
        let text = "/// doc\nrule a: bool { true }\n// c\n\nenum E { x }\n  rule not_here\n";
        let r = declarations(text);
        assert_eq!(r.len(), 2);
        assert!(text[r[0].clone()].starts_with("/// doc"));
        assert!(text[r[1].clone()].starts_with("enum E"));
    }

    /// The definition `nesting_too_deep` implements in one pass.
    fn operators_by_words(piece: &str) -> usize {
        piece
            .split(|c: char| c.is_whitespace() || "()[]{}".contains(c))
            .filter(|w| is_operator_word(w.as_bytes()))
            .count()
    }

    #[test]
    fn operators_are_counted_as_words_between_whitespace_and_brackets() {
        let texts = [
            "a and b or not c",
            "(a)and(b)\u{a0}or\u{2003}c\u{85}in\u{3000}d",
            "x == y != z <= 1 >= 2 < 3 > 4 + 5 - 6 * 7 / 8",
            "and\u{b}or\u{c}is\tin\r\nnot",
            "\"and\" // or\nжand or",
            "",
            "and",
        ];
        for t in texts {
            let n = operators_by_words(t);
            let limit = crate::syntax::MAX_OPERATORS;
            let many = format!("{} ", t).repeat(limit / n.max(1) + 1);
            let expected = operators_by_words(&many) > limit;
            let got = nesting_too_deep(&many, FileId(0), 0)
                .is_some_and(|d| d.message.contains("operators"));
            assert_eq!(got, expected, "{t:?}");
            let label = nesting_too_deep(&many, FileId(0), 0).map(|d| d.primary.message);
            if expected {
                assert_eq!(
                    label,
                    Some(format!(
                        "{} operators; the limit is {limit}",
                        operators_by_words(&many)
                    ))
                );
            }
        }
    }

    /// The first bracket deeper than `MAX_NESTING`, by the definition.
    fn too_deep_by_chars(piece: &str) -> Option<usize> {
        let mut depth = 0usize;
        for (i, c) in piece.char_indices() {
            match c {
                '(' | '[' | '{' => {
                    depth += 1;
                    if depth > crate::syntax::MAX_NESTING {
                        return Some(i);
                    }
                }
                ')' | ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        None
    }

    #[test]
    fn one_pass_agrees_with_the_definition_on_generated_text() {
        const PARTS: &[&str] = &[
            "and", "or", "not", "is", "in", "+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=",
            "(", ")", "[", "]", "{", "}", " ", "\t", "\n", "\u{b}", "\u{a0}", "\u{2028}", "ж", "x",
            "andx", "\"", "é", "\u{feff}",
        ];
        let mut seed = 0x2026_0310_u64;
        for _ in 0..300 {
            let mut text = String::new();
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let len = (seed >> 40) % 3000;
            for _ in 0..len {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                text.push_str(PARTS[(seed >> 33) as usize % PARTS.len()]);
            }
            let d = nesting_too_deep(&text, FileId(0), 0);
            let operators = operators_by_words(&text);
            if operators > crate::syntax::MAX_OPERATORS {
                assert!(d.is_some_and(|d| d.message.contains("operators")));
            } else {
                let at = too_deep_by_chars(&text);
                assert_eq!(d.map(|d| d.primary.span.start as usize), at, "{text:?}");
            }
        }
    }

    #[test]
    fn the_first_bracket_too_deep_is_shown() {
        let depth = crate::syntax::MAX_NESTING;
        let text = format!("x {}{}", "( [".repeat(depth), ")".repeat(depth));
        let d = nesting_too_deep(&text, FileId(0), 10);
        let at = 2 + 3 * (depth / 2);
        assert_eq!(d.map(|d| d.primary.span.start), Some(10 + at as u32));
        assert!(nesting_too_deep(&"(".repeat(depth), FileId(0), 0).is_none());
    }

    #[test]
    fn stray_text_gets_its_own_range() {
        let r = declarations("garbage here\nrule a: bool { true }\n");
        assert_eq!(r.len(), 2);
    }
}
