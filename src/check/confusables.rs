//! Names that look alike and text that reads in another order than it runs, in the spirit of
//! rustc's `confusable_idents`, `mixed_script_confusables` and
//! `text_direction_codepoint_in_literal` lints.
//!
//! - Z0506: a name that mixes Latin with Cyrillic (or Greek) letters where one of them has a
//!   look-alike in the other script (a Cyrillic `а` in `vаlid`), a name that holds an invisible
//!   character (a zero-width joiner, a variation selector, a Hangul filler), and two different
//!   names that look the same once look-alikes are read as Latin and invisible characters
//!   dropped (their "skeleton"). Names written wholly in Cyrillic, Kazakh letters included, are
//!   names like any other.
//! - Z0507: a bidirectional control character (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
//!   U+061C) anywhere in a file, strings, comments and documentation included: it can make a
//!   line display in another order than the one the checker reads.
//!
//! The lint reads the text of the files (names are the identifier tokens outside strings and
//! comments), so it sees every written name, declared or used, in every file. A rulebook
//! written in ASCII costs one scan and no allocation.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, SourceMap, Span};
use rustc_hash::FxHashMap as HashMap;

/// The warnings for every file of the map.
pub fn lint(map: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // Every name with a character outside ASCII, at its first occurrence.
    let mut unusual: Vec<Name<'_>> = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::default();
    for id in map.ids() {
        let Some(file) = map.get(id) else { continue };
        bidi_controls(&file.text, id, &mut out);
        for (start, end) in identifiers(&file.text) {
            let text = &file.text[start..end];
            if text.is_ascii() || seen.contains_key(text) {
                continue;
            }
            seen.insert(text, unusual.len());
            unusual.push(Name {
                text,
                span: Span::new(id, start, end),
                skeleton: skeleton(text),
            });
        }
    }
    if unusual.is_empty() {
        return out;
    }
    // The names that look like another: the same skeleton. An ASCII name is its own
    // skeleton, so only the skeletons of the unusual names need a second scan.
    let mut groups: HashMap<&str, Group<'_>> = HashMap::default();
    for (i, n) in unusual.iter().enumerate() {
        let group = groups.entry(n.skeleton.as_str()).or_default();
        group.unusual.push(i);
    }
    for id in map.ids() {
        let Some(file) = map.get(id) else { continue };
        for (start, end) in identifiers(&file.text) {
            let text = &file.text[start..end];
            if let Some(group) = groups.get_mut(text).filter(|g| g.ascii.is_none()) {
                if text.is_ascii() {
                    group.ascii = Some((Span::new(id, start, end), text));
                }
            }
        }
    }
    let mut ordered: Vec<&Group<'_>> = groups.values().collect();
    ordered.sort_by_key(|g| g.unusual.first().copied());
    for group in ordered {
        // The name the others imitate: the ASCII one, else the first in plain letters, else
        // the first (chosen once per group, so a large group costs no more than its size).
        let suspicious: Vec<Vec<Suspicious>> = group
            .unusual
            .iter()
            .map(|&i| suspicious_characters(unusual[i].text))
            .collect();
        let reference = match group.ascii {
            Some(a) => Some(a),
            None => {
                let plain = suspicious.iter().position(Vec::is_empty).unwrap_or(0);
                let first = group.unusual.get(plain).and_then(|&i| unusual.get(i));
                // Alone in its group, a name looks like no other.
                first
                    .filter(|_| group.unusual.len() > 1)
                    .map(|n| (n.span, n.text))
            }
        };
        for (k, &i) in group.unusual.iter().enumerate() {
            let n = &unusual[i];
            let odd = suspicious.get(k).and_then(|s| s.first());
            match reference {
                Some((span, text)) if text != n.text => {
                    let help = match odd {
                        Some(c) => format!("{}; write each name in one script", c.describe()),
                        None => "the two names are written in different scripts; rename one".into(),
                    };
                    out.push(
                        Diagnostic::new(
                            Code::ConfusableName,
                            n.span,
                            format!("`{}` looks like `{text}` but is a different name", n.text),
                        )
                        .label(format!("looks like `{text}`"))
                        .with_secondary(span, format!("`{text}` is written here"))
                        .help(help),
                    );
                }
                _ => {
                    if let Some(c) = odd {
                        out.push(
                            Diagnostic::new(
                                Code::ConfusableName,
                                n.span,
                                format!("`{}` {}", n.text, c.problem()),
                            )
                            .label(c.label())
                            .help(format!("{}; write the name in one script", c.describe())),
                        );
                    }
                }
            }
        }
    }
    out
}

/// The names of one skeleton: the unusual ones (indices into the list of unusual names, in
/// order of first occurrence) and the ASCII one, if it is written anywhere.
#[derive(Default)]
struct Group<'a> {
    unusual: Vec<usize>,
    ascii: Option<(Span, &'a str)>,
}

struct Name<'a> {
    text: &'a str,
    span: Span,
    skeleton: String,
}

/// A character that makes a name look like something it is not.
enum Suspicious {
    /// A letter of a script that is the minority in its word, with a look-alike in the
    /// other script of the word.
    LookAlike {
        c: char,
        script: Script,
        like: char,
        other: Script,
    },
    /// An invisible character.
    Invisible(char),
}

impl Suspicious {
    fn problem(&self) -> String {
        match self {
            Suspicious::LookAlike { script, other, .. } => format!(
                "mixes {} and {} letters that look alike",
                other.name(),
                script.name()
            ),
            Suspicious::Invisible(c) => {
                format!("holds an invisible character (U+{:04X})", *c as u32)
            }
        }
    }

    fn label(&self) -> String {
        match self {
            Suspicious::LookAlike { c, script, .. } => format!("`{c}` is {}", script.name()),
            Suspicious::Invisible(_) => "an invisible character".into(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Suspicious::LookAlike {
                c,
                script,
                like,
                other,
            } => format!(
                "`{c}` (U+{:04X}) is a {} letter that looks like the {} `{like}`",
                *c as u32,
                script.name(),
                other.name()
            ),
            Suspicious::Invisible(c) => format!(
                "U+{:04X} is invisible, so the name looks like another",
                *c as u32
            ),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Cyrillic,
    Greek,
}

impl Script {
    fn of(c: char) -> Option<Script> {
        match c as u32 {
            0x41..=0x5A | 0x61..=0x7A | 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x24F => {
                Some(Script::Latin)
            }
            0x1E00..=0x1EFF => Some(Script::Latin),
            0x370..=0x3FF | 0x1F00..=0x1FFF => Some(Script::Greek),
            0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => {
                Some(Script::Cyrillic)
            }
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Script::Latin => "Latin",
            Script::Cyrillic => "Cyrillic",
            Script::Greek => "Greek",
        }
    }
}

/// Cyrillic and Greek letters that look like a Latin letter (a hand-made subset of Unicode's
/// confusables, enough for the scripts zan rulebooks are written in).
const LOOK_ALIKES: &[(char, char)] = &[
    // Cyrillic, lower case (Kazakh һ, і, ү among them).
    ('а', 'a'),
    ('с', 'c'),
    ('ԁ', 'd'),
    ('е', 'e'),
    ('һ', 'h'),
    ('і', 'i'),
    ('ј', 'j'),
    ('ӏ', 'l'),
    ('о', 'o'),
    ('р', 'p'),
    ('ԛ', 'q'),
    ('ѕ', 's'),
    ('ԝ', 'w'),
    ('х', 'x'),
    ('у', 'y'),
    ('ү', 'y'),
    // Cyrillic, upper case.
    ('А', 'A'),
    ('В', 'B'),
    ('С', 'C'),
    ('Е', 'E'),
    ('Н', 'H'),
    ('Һ', 'H'),
    ('І', 'I'),
    ('Ӏ', 'I'),
    ('Ј', 'J'),
    ('К', 'K'),
    ('М', 'M'),
    ('О', 'O'),
    ('Р', 'P'),
    ('Ԛ', 'Q'),
    ('Ѕ', 'S'),
    ('Т', 'T'),
    ('Ԝ', 'W'),
    ('Х', 'X'),
    ('У', 'Y'),
    ('Ү', 'Y'),
    // Greek.
    ('α', 'a'),
    ('ι', 'i'),
    ('κ', 'k'),
    ('ν', 'v'),
    ('ο', 'o'),
    ('ρ', 'p'),
    ('υ', 'u'),
    ('Α', 'A'),
    ('Β', 'B'),
    ('Ε', 'E'),
    ('Ζ', 'Z'),
    ('Η', 'H'),
    ('Ι', 'I'),
    ('Κ', 'K'),
    ('Μ', 'M'),
    ('Ν', 'N'),
    ('Ο', 'O'),
    ('Ρ', 'P'),
    ('Τ', 'T'),
    ('Υ', 'Y'),
    ('Χ', 'X'),
];

/// The Latin letter a Cyrillic or Greek letter looks like.
fn latin_look_alike(c: char) -> Option<char> {
    LOOK_ALIKES.iter().find(|(x, _)| *x == c).map(|(_, l)| *l)
}

/// A letter of `script` (Cyrillic or Greek) that looks like the Latin `c`.
fn look_alike_in(c: char, script: Script) -> Option<char> {
    LOOK_ALIKES
        .iter()
        .find(|(x, l)| *l == c && Script::of(*x) == Some(script))
        .map(|(x, _)| *x)
}

/// Default-ignorable code points: drawn as nothing (or as a blank), so two names that differ
/// by one look the same.
fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0xAD | 0x34F | 0x61C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

/// The bidirectional controls of rustc's `text_direction_codepoint_in_literal`.
fn is_bidi_control(c: char) -> bool {
    matches!(c as u32, 0x202A..=0x202E | 0x2066..=0x2069 | 0x200E | 0x200F | 0x61C)
}

/// The name as it looks: look-alikes read as Latin, invisible characters dropped.
fn skeleton(name: &str) -> String {
    name.chars()
        .filter(|c| !is_invisible(*c))
        .map(|c| latin_look_alike(c).unwrap_or(c))
        .collect()
}

/// The invisible characters of a name, and the letters of the minority script of each of its
/// words (cut at `_` and digits) that look like a letter of the word's other script.
fn suspicious_characters(name: &str) -> Vec<Suspicious> {
    let mut found: Vec<Suspicious> = name
        .chars()
        .filter(|c| is_invisible(*c))
        .map(Suspicious::Invisible)
        .collect();
    for word in name.split(|c: char| c == '_' || c.is_ascii_digit()) {
        let count = |s: Script| word.chars().filter(|c| Script::of(*c) == Some(s)).count();
        let (latin, cyrillic, greek) = (
            count(Script::Latin),
            count(Script::Cyrillic),
            count(Script::Greek),
        );
        let scripts = [latin, cyrillic, greek].iter().filter(|n| **n > 0).count();
        if scripts < 2 {
            continue;
        }
        // The script with the most letters is the word's; the others are the intruders.
        let main = if latin >= cyrillic && latin >= greek {
            Script::Latin
        } else if cyrillic >= greek {
            Script::Cyrillic
        } else {
            Script::Greek
        };
        for c in word.chars() {
            let Some(script) = Script::of(c) else {
                continue;
            };
            if script == main {
                continue;
            }
            // An intruder that looks like a letter of the word's script.
            let like = match (script, main) {
                (Script::Latin, other) => look_alike_in(c, other),
                (_, Script::Latin) => latin_look_alike(c),
                // Cyrillic inside Greek or the reverse: both read as Latin.
                (_, other) => latin_look_alike(c).and_then(|l| look_alike_in(l, other)),
            };
            if let Some(like) = like {
                found.push(Suspicious::LookAlike {
                    c,
                    script,
                    like,
                    other: main,
                });
            }
        }
    }
    found
}

/// One warning per line that holds a bidirectional control, wherever it stands. Every such
/// control starts with the byte 0xE2 or 0xD8 in UTF-8, so the text is scanned for those bytes
/// alone (a long Kazakh doc comment is not decoded).
fn bidi_controls(text: &str, file: FileId, out: &mut Vec<Diagnostic>) {
    let bytes = text.as_bytes();
    // (start of the line, first control on it, its character, how many on the line)
    let mut lines: Vec<(usize, usize, char, usize)> = Vec::new();
    let (mut i, mut previous, mut line) = (0, 0, 0);
    while let Some(p) = bytes
        .get(i..)
        .and_then(|rest| rest.iter().position(|&b| b == 0xE2 || b == 0xD8))
    {
        let at = i + p;
        i = at + 1;
        let Some(c) = text.get(at..).and_then(|t| t.chars().next()) else {
            continue;
        };
        if !is_bidi_control(c) {
            continue;
        }
        // The start of the line, looking back only as far as the previous control (so the
        // whole scan stays linear).
        if let Some(n) = bytes
            .get(previous..at)
            .and_then(|b| b.iter().rposition(|&x| x == b'\n'))
        {
            line = previous + n + 1;
        }
        previous = at;
        match lines.last_mut() {
            Some(last) if last.0 == line => last.3 += 1,
            _ => lines.push((line, at, c, 1)),
        }
    }
    for (_, start, c, count) in lines {
        let also = if count > 1 {
            format!(" (and {} more on this line)", count - 1)
        } else {
            String::new()
        };
        out.push(
            Diagnostic::new(
                Code::BidiControl,
                Span::new(file, start, start + c.len_utf8()),
                format!(
                    "a bidirectional control character (U+{:04X}){also}",
                    c as u32
                ),
            )
            .label("changes the order in which the text is displayed")
            .help("the line may read differently from what the checker sees; remove it (write the text in its logical order)"),
        );
    }
}

/// The byte ranges of the identifier tokens of a file: runs of letters, digits, `_` and any
/// character outside ASCII (a successfully parsed file has those only in names), starting
/// with no digit, outside strings and comments.
fn identifiers(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    let is_name_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'"' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'0'..=b'9' => {
                    while i < bytes.len() && is_name_byte(bytes[i]) {
                        i += 1;
                    }
                }
                _ if is_name_byte(b) => {
                    let start = i;
                    while i < bytes.len() && is_name_byte(bytes[i]) {
                        i += 1;
                    }
                    // The byte order mark is white space to the grammar.
                    let token = text.get(start..i)?;
                    let trimmed = token.trim_start_matches('\u{feff}');
                    let start = start + (token.len() - trimmed.len());
                    let end = start + trimmed.trim_end_matches('\u{feff}').len();
                    if end > start {
                        return Some((start, end));
                    }
                }
                _ => i += 1,
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<&str> {
        identifiers(text).map(|(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn identifiers_skip_strings_comments_and_numbers() {
        let text = "rule x_1 \"не имя \\\" x\" // коммент\n= 2026-03-10 + 12.5 KZT + сумма";
        assert_eq!(names(text), ["rule", "x_1", "KZT", "сумма"]);
    }

    #[test]
    fn cyrillic_and_kazakh_words_are_names_like_any_other() {
        for name in [
            "сумма",
            "шетелдік_азамат",
            "әкімдік_қаражаты",
            "өңір_ұзақтығы_һ_і_ү",
            "visa_срок",
        ] {
            assert!(suspicious_characters(name).is_empty(), "{name}");
        }
        assert_eq!(suspicious_characters("vіsa").len(), 1);
        assert_eq!(suspicious_characters("срoк").len(), 1);
        assert_eq!(suspicious_characters("fee\u{200d}").len(), 1);
        assert_eq!(skeleton("vіsa\u{200d}"), "visa");
    }
}
