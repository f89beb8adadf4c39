//! A forgiving tokenizer for tools that must work on half-typed or unparsed text: the editor
//! features (completion context, highlighting) and the word-level changes of `zan diff`. It
//! never fails: anything it does not know is punctuation. The language itself is parsed only
//! by the pest grammar; the words it reserves are in `keywords`.

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

pub fn is_currency(word: &str) -> bool {
    word.len() == 3 && word.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::{tokens, Tok};

    /// The kind and text of each token of `text`.
    fn kinds(text: &str) -> Vec<(Tok, &str)> {
        tokens(text)
            .iter()
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect()
    }

    #[test]
    fn words_numbers_dates_and_punctuation() {
        assert_eq!(
            kinds("\u{FEFF}age >= 18.5 as of 2026-03-10 ЖСН_1"),
            [
                (Tok::Word, "age"),
                (Tok::Punct, ">"),
                (Tok::Punct, "="),
                (Tok::Number, "18.5"),
                (Tok::Word, "as"),
                (Tok::Word, "of"),
                (Tok::Date, "2026-03-10"),
                (Tok::Word, "ЖСН_1"),
            ]
        );
    }

    #[test]
    fn comments_docs_and_strings_run_to_their_end() {
        assert_eq!(
            kinds("/// doc\n//// not doc\n// note\n\"a \\\" b\" x"),
            [
                (Tok::Doc, "/// doc"),
                (Tok::Comment, "//// not doc"),
                (Tok::Comment, "// note"),
                (Tok::Str, "\"a \\\" b\""),
                (Tok::Word, "x"),
            ]
        );
    }

    /// Half-typed text never fails: an unclosed string stops at the end of its line, an escape
    /// at the end of the text stays inside it.
    #[test]
    fn half_typed_text_is_tokenized() {
        assert_eq!(
            kinds("\"open\nrule \"é\\"),
            [
                (Tok::Str, "\"open"),
                (Tok::Word, "rule"),
                (Tok::Str, "\"é\\"),
            ]
        );
        assert_eq!(
            kinds("2026-03"),
            [
                (Tok::Number, "2026"),
                (Tok::Punct, "-"),
                (Tok::Number, "03")
            ]
        );
    }
}
