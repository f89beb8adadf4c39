//! A forgiving tokenizer for editor features that must work on half-typed text (completion
//! context, highlighting). It never fails: anything it does not know is punctuation. The
//! language itself is parsed only by the pest grammar.

/// The reserved words of the grammar's `keyword` rule.
pub const KEYWORDS: &[&str] = &[
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
    "reason",
    "amendment",
    "example",
    "test",
    "cites",
    "checks",
    "when",
    "then",
    "otherwise",
    "if",
    "else",
    "match",
    "and",
    "or",
    "not",
    "in",
    "is",
    "present",
    "absent",
    "any",
    "all",
    "count",
    "sum",
    "where",
    "of",
    "as",
    "from",
    "until",
    "force",
    "to",
    "add",
    "replace",
    "repeal",
    "given",
    "set",
    "expect",
    "fails",
    "true",
    "false",
    "list",
    "money",
];

/// Words with a meaning only inside calendars and durations, or after `replace` (not
/// reserved).
pub const CONTEXT_WORDS: &[&str] = &[
    "correcting",
    "weekend",
    "holiday",
    "every",
    "on",
    "carried",
    "over",
    "day",
    "off",
    "instead",
    "working",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

pub const BUILTIN_TYPES: &[&str] = &[
    "bool", "integer", "decimal", "money", "date", "duration", "text", "period", "reason",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    Word,
    Number,
    Date,
    Str,
    Comment,
    Doc,
    Punct,
}

#[derive(Clone, Copy, Debug)]
pub struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
}

pub fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let start = i;
        let kind = if c.is_whitespace() || c == '\u{FEFF}' {
            i += c.len_utf8();
            continue;
        } else if text[i..].starts_with("//") {
            i = text[i..].find('\n').map_or(text.len(), |n| i + n);
            if text[start..].starts_with("///") && !text[start..].starts_with("////") {
                Tok::Doc
            } else {
                Tok::Comment
            }
        } else if c == '"' {
            i += 1;
            while i < text.len() {
                match bytes[i] {
                    b'\\' => i += 2,
                    b'"' => {
                        i += 1;
                        break;
                    }
                    b'\n' => break,
                    _ => i += 1,
                }
            }
            i = i.min(text.len());
            while !text.is_char_boundary(i) {
                i += 1;
            }
            Tok::Str
        } else if c.is_ascii_digit() {
            let is_date = bytes.len() >= i + 10
                && bytes[i..i + 4].iter().all(u8::is_ascii_digit)
                && bytes[i + 4] == b'-'
                && bytes[i + 5..i + 7].iter().all(u8::is_ascii_digit)
                && bytes[i + 7] == b'-'
                && bytes[i + 8..i + 10].iter().all(u8::is_ascii_digit);
            if is_date {
                i += 10;
                Tok::Date
            } else {
                while i < text.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
                    i += 1;
                }
                Tok::Number
            }
        } else if c.is_alphabetic() || c == '_' {
            for ch in text[i..].chars() {
                if ch.is_alphanumeric() || ch == '_' {
                    i += ch.len_utf8();
                } else {
                    break;
                }
            }
            Tok::Word
        } else {
            i += c.len_utf8();
            Tok::Punct
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    out
}

pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

pub fn is_currency(word: &str) -> bool {
    word.len() == 3 && word.bytes().all(|b| b.is_ascii_uppercase())
}
