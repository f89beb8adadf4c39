//! Cutting a file at declaration boundaries before parsing. A declaration starts with its
//! keyword at the beginning of a line; the `///` doc lines right above it belong to it.

use super::keywords::DECLARATION_KEYWORDS;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use std::ops::Range;

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
/// than `MAX_OPERATORS`: a long chain of operators, `if … else if …`, quantifiers or `as of`
/// nests the syntax tree (and pest's recursion) as deeply as brackets do, and every later
/// stage walks that tree recursively.
///
/// A small scanner, one pass over the bytes (this runs on every declaration): it skips strings
/// and comments, counts bracket depth, and counts operators whether or not they are spaced:
/// the operator words, each `+ - * /` (the dashes of a date literal and the arrows `->`, `=>`
/// excepted), each comparison and each field access.
pub fn nesting_too_deep(piece: &str, file: FileId, offset: usize) -> Option<Diagnostic> {
    let (operators, too_deep) = count_nesting(piece.as_bytes());
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
        let end = (i + 1).min(piece.len());
        let span = Span::new(file, offset + i, offset + end);
        Diagnostic::new(Code::LimitExceeded, span, "expressions nest too deeply")
            .label(format!(
                "more than {} levels of brackets",
                super::MAX_NESTING
            ))
            .help("split the expression into named rules")
    })
}

/// The operators of a declaration, and where its brackets first nest deeper than
/// `MAX_NESTING`.
fn count_nesting(bytes: &[u8]) -> (usize, Option<usize>) {
    let mut operators = 0usize;
    let mut depth = 0usize;
    let mut too_deep: Option<usize> = None;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => i = string_end(bytes, i + 1),
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = bytes[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |n| i + n);
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > super::MAX_NESTING && too_deep.is_none() {
                    too_deep = Some(i);
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'0'..=b'9' => {
                // A date literal is one token: its dashes are no operators.
                i += if is_date_literal(&bytes[i..]) { 10 } else { 1 };
            }
            b'+' | b'*' | b'/' | b'!' => {
                operators += 1;
                i += if bytes.get(i + 1) == Some(&b'=') {
                    2
                } else {
                    1
                };
            }
            // A field access nests like an operator (a decimal's point is no field).
            b'.' if bytes
                .get(i + 1)
                .is_some_and(|&c| is_word_byte(c) && !c.is_ascii_digit()) =>
            {
                operators += 1;
                i += 1;
            }
            b'-' | b'=' if bytes.get(i + 1) == Some(&b'>') => i += 2,
            b'-' | b'<' | b'>' => {
                operators += 1;
                i += if bytes.get(i + 1) == Some(&b'=') {
                    2
                } else {
                    1
                };
            }
            b'=' if bytes.get(i + 1) == Some(&b'=') => {
                operators += 1;
                i += 2;
            }
            _ if is_word_byte(b) => {
                let end = bytes[i..]
                    .iter()
                    .position(|&c| !is_word_byte(c))
                    .map_or(bytes.len(), |n| i + n);
                operators += usize::from(is_operator_word(&bytes[i..end]));
                i = end;
            }
            _ => i += 1,
        }
    }
    (operators, too_deep)
}

/// Where a string that starts before `i` ends (after its closing quote).
fn string_end(bytes: &[u8], mut i: usize) -> usize {
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => return i + 1,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// `YYYY-MM-DD` not followed by a digit (the grammar's `date_lit`).
fn is_date_literal(b: &[u8]) -> bool {
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && !b.get(10).is_some_and(u8::is_ascii_digit)
}

/// Bytes of names and keywords (the bytes of non-ASCII letters included).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The words `nesting_too_deep` counts as operators: the word operators, and the constructs
/// that nest an expression without brackets (`if`, the quantifiers, `as of`).
fn is_operator_word(word: &[u8]) -> bool {
    matches!(
        word,
        b"and"
            | b"or"
            | b"not"
            | b"is"
            | b"in"
            | b"if"
            | b"any"
            | b"all"
            | b"count"
            | b"sum"
            | b"as"
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

    /// The text with its strings and comments blanked out, byte for byte (so positions
    /// stay), brackets in them included.
    fn code_only(piece: &str) -> String {
        let mut code = String::new();
        let mut rest = piece;
        let blank = |code: &mut String, gone: &str| code.push_str(&" ".repeat(gone.len()));
        while let Some(c) = rest.chars().next() {
            let gone = if c == '"' {
                let mut escaped = false;
                let end = rest[1..]
                    .char_indices()
                    .find(|&(_, c)| {
                        let close = c == '"' && !escaped;
                        escaped = c == '\\' && !escaped;
                        close
                    })
                    .map_or(rest.len(), |(i, _)| i + 2);
                end
            } else if rest.starts_with("//") {
                rest.find('\n').unwrap_or(rest.len())
            } else {
                0
            };
            if gone > 0 {
                blank(&mut code, &rest[..gone]);
                rest = &rest[gone..];
            } else {
                code.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        code
    }

    /// The definition `nesting_too_deep` implements in one pass, written as plainly as
    /// possible: drop strings and comments, cut the rest into tokens (words, date literals,
    /// symbols, longest first) and count the operator tokens.
    fn operators_by_tokens(piece: &str) -> usize {
        let code = code_only(piece);
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii();
        let chars: Vec<char> = code.chars().collect();
        let mut n = 0;
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let at = |k: usize| chars.get(i + k).copied().unwrap_or(' ');
            if c.is_ascii_digit() {
                let date: String = chars[i..chars.len().min(i + 11)].iter().collect();
                let is_date = date.len() >= 10
                    && date.chars().enumerate().take(10).all(|(k, d)| {
                        if k == 4 || k == 7 {
                            d == '-'
                        } else {
                            d.is_ascii_digit()
                        }
                    })
                    && !date.chars().nth(10).is_some_and(|d| d.is_ascii_digit());
                i += if is_date { 10 } else { 1 };
            } else if word(c) {
                let start = i;
                while i < chars.len() && word(chars[i]) {
                    i += 1;
                }
                let w: String = chars[start..i].iter().collect();
                let ops = [
                    "and", "or", "not", "is", "in", "if", "any", "all", "count", "sum", "as",
                ];
                n += usize::from(ops.contains(&w.as_str()));
            } else if ["->", "=>"].contains(&format!("{c}{}", at(1)).as_str()) {
                i += 2;
            } else if ["==", "!=", "<=", ">=", "+=", "*=", "/=", "-="]
                .contains(&format!("{c}{}", at(1)).as_str())
                || (c == '!' && at(1) == '=')
            {
                n += 1;
                i += 2;
            } else if "+-*/<>!".contains(c) || (c == '.' && word(at(1)) && !at(1).is_ascii_digit())
            {
                n += 1;
                i += 1;
            } else {
                i += 1;
            }
        }
        n
    }

    #[test]
    fn operators_are_counted_spaced_or_not_outside_strings_and_comments() {
        let texts = [
            ("a and b or not c", 3),
            ("x==y!=z<=1>=2<3>4+5-6*7/8", 10),
            ("x == y != z <= 1 >= 2 < 3 > 4 + 5 - 6 * 7 / 8", 10),
            ("2026-03-10 - 1 day", 1),
            ("table t(x: A) -> decimal { a => 1 }", 0),
            ("\"a and b - \\\" c\" // or - +\n x.y.z", 2),
            ("1.5 * 2", 1),
            ("if a then b else if c then d else e", 2),
            ("any x in xs where x is present", 3),
            ("application.age as of 2026-01-01", 2),
            ("жand ---1 not(not(a))", 5),
            ("", 0),
        ];
        for (t, expected) in texts {
            assert_eq!(operators_by_tokens(t), expected, "{t:?} by tokens");
            assert_eq!(count_nesting(t.as_bytes()).0, expected, "{t:?} in one pass");
        }
        let limit = crate::syntax::MAX_OPERATORS;
        let many = "a+".repeat(limit) + "a";
        assert!(
            nesting_too_deep(&many, FileId(0), 0).is_none(),
            "the limit itself is accepted"
        );
        let more = "a+".repeat(limit + 1) + "a";
        let d = nesting_too_deep(&more, FileId(0), 0).map(|d| d.primary.message);
        assert_eq!(
            d,
            Some(format!("{} operators; the limit is {limit}", limit + 1))
        );
    }

    /// The first bracket deeper than `MAX_NESTING`, by the definition.
    fn too_deep_by_chars(piece: &str) -> Option<usize> {
        let mut depth = 0usize;
        for (i, c) in code_only(piece).char_indices() {
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
            "and",
            "or",
            "not",
            "is",
            "in",
            "+",
            "-",
            "*",
            "/",
            "==",
            "!=",
            "<",
            "<=",
            ">",
            ">=",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            " ",
            "\t",
            "\n",
            "\u{b}",
            "\u{a0}",
            "\u{2028}",
            "ж",
            "x",
            "andx",
            "\"",
            "é",
            "\u{feff}",
            "if",
            "any",
            ".",
            "x.y",
            "1.5",
            "2026-03-10",
            "->",
            "=>",
            "//",
            "\\",
            "!",
            "count",
            "as",
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
            let operators = operators_by_tokens(&text);
            assert_eq!(count_nesting(text.as_bytes()).0, operators, "{text:?}");
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
