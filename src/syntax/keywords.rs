//! The words of the language, defined once: the reserved words (the grammar's `keyword`
//! rule), the keywords that begin a declaration and those used inside one, the words with a
//! meaning only in their context, and the names of the built-in types. The splitter, the
//! editor features, the differ and the fuzzers read them from here. The subsets are checked
//! against `KEYWORDS` when zan is compiled, and a test holds `KEYWORDS` equal to the grammar.

/// The reserved words of the grammar's `keyword` rule (never names). Their order is the
/// fuzzers' dictionary: the stored regression inputs pick words by their place in it.
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

/// The keywords that begin a declaration (at the start of a line).
pub const DECLARATION_KEYWORDS: &[&str] = &keywords([
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
]);

/// The keywords written inside a declaration: in expressions, cases and citations (what
/// completion offers there).
pub const EXPRESSION_KEYWORDS: &[&str] = &keywords([
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
    "true",
    "false",
    "cites",
]);

/// Words with a meaning only inside calendars and durations, after `replace`, at the head
/// of a list form (`map x in ...`; `min(a, b)` stays a call), in a table's hit policy or in a
/// band pattern (not reserved).
pub const CONTEXT_WORDS: &[&str] = &[
    "correcting",
    "hit",
    "first",
    "most",
    "specific",
    "unique",
    "more",
    "less",
    "than",
    "at",
    "least",
    "up",
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
    "map",
    "filter",
    "min",
    "max",
];

/// The context words that begin a list form (`map x in ...`) when a name follows; before `(`
/// (`min(a, b)`) they are functions.
pub const LIST_FORM_WORDS: &[&str] = &["map", "filter", "min", "max"];

/// The built-in types, as highlighting and completion name them.
pub const BUILTIN_TYPES: &[&str] = &[
    "bool", "integer", "decimal", "money", "date", "duration", "text", "period", "reason",
];

/// Whether `word` is reserved (a keyword, never a name).
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// `words`, each checked to be one of `KEYWORDS` when zan is compiled: a subset of the
/// keywords is spelled out once, and a word that is not reserved does not build.
const fn keywords<const N: usize>(words: [&'static str; N]) -> [&'static str; N] {
    let mut i = 0;
    while i < N {
        assert!(listed(words[i]), "a keyword of a subset is not in KEYWORDS");
        i += 1;
    }
    words
}

const fn listed(word: &str) -> bool {
    let mut i = 0;
    while i < KEYWORDS.len() {
        if same(KEYWORDS[i].as_bytes(), word.as_bytes()) {
            return true;
        }
        i += 1;
    }
    false
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::syntax::{Rule, ZanParser};
    use pest::Parser;
    use std::collections::BTreeSet;

    const GRAMMAR: &str = include_str!("../../grammar/zan.pest");

    /// The quoted words of the grammar rule `name`, written on one line.
    fn words_of_one_line_rule(name: &str) -> Vec<&'static str> {
        let line = GRAMMAR.lines().find(|l| l.starts_with(&format!("{name} ")));
        let words = line.unwrap().split('"').skip(1).step_by(2);
        words.collect()
    }

    /// The words of the grammar's `keyword` rule.
    fn grammar_keywords() -> Vec<&'static str> {
        let start = GRAMMAR.find("\nkeyword = @{").unwrap();
        let body = &GRAMMAR[start..];
        let body = &body[..body.find("\n}").unwrap()];
        body.split('"').skip(1).step_by(2).collect()
    }

    /// Whether `rule` matches all of `text`.
    fn whole(rule: Rule, text: &str) -> bool {
        ZanParser::parse(rule, text).is_ok_and(|p| p.as_str() == text)
    }

    /// Both ways: a keyword added to the grammar and not to the list, or to the list and not
    /// to the grammar, fails here.
    #[test]
    fn the_keywords_are_the_grammar_keyword_rule() {
        let grammar: BTreeSet<&str> = grammar_keywords().into_iter().collect();
        let listed: BTreeSet<&str> = KEYWORDS.iter().copied().collect();
        assert_eq!(listed.len(), KEYWORDS.len(), "a keyword is listed twice");
        let unlisted: Vec<_> = grammar.difference(&listed).collect();
        let not_reserved: Vec<_> = listed.difference(&grammar).collect();
        assert!(
            unlisted.is_empty(),
            "reserved by the grammar, not listed: {unlisted:?}"
        );
        assert!(
            not_reserved.is_empty(),
            "listed, not reserved: {not_reserved:?}"
        );
        for w in KEYWORDS {
            assert!(whole(Rule::keyword, w), "`{w}` is not a keyword");
            assert!(!whole(Rule::ident, w), "`{w}` is a name");
        }
    }

    /// Every word the grammar gives a rule of its own (`kw_…`) is a keyword or a word of its
    /// context, and every context word is such a word or a weekday.
    #[test]
    fn the_context_words_are_the_grammar_words_that_are_not_reserved() {
        let mut rule_words: BTreeSet<&str> = GRAMMAR
            .lines()
            .filter(|l| l.starts_with("kw_"))
            .filter_map(|l| l.split('"').nth(1))
            .collect();
        assert!(rule_words.len() > 60, "{rule_words:?}");
        rule_words.retain(|w| !KEYWORDS.contains(w));
        rule_words.extend(words_of_one_line_rule("weekday"));
        let context: BTreeSet<&str> = CONTEXT_WORDS.iter().copied().collect();
        assert_eq!(context, rule_words);
        for w in CONTEXT_WORDS {
            assert!(whole(Rule::ident, w), "`{w}` is not a name");
        }
    }

    #[test]
    fn the_subsets_are_reserved_and_listed_once() {
        for subset in [DECLARATION_KEYWORDS, EXPRESSION_KEYWORDS] {
            let distinct: BTreeSet<_> = subset.iter().collect();
            assert_eq!(distinct.len(), subset.len(), "{subset:?}");
            assert!(subset.iter().all(|w| is_keyword(w)), "{subset:?}");
        }
        assert!(!is_keyword("as_of") && !is_keyword("weekend"));
    }

    /// `keyword` first checks the shape of the word (2 to 9 lowercase ASCII letters): a keyword
    /// of another shape would never be recognised.
    #[test]
    fn every_keyword_is_recognised_and_nothing_else() {
        let words = grammar_keywords();
        assert!(words.len() > 40 && words.contains(&"rulebook"), "{words:?}");
        for w in &words {
            assert!(
                whole(Rule::keyword, w),
                "`{w}` is not recognised as a keyword"
            );
            assert!(!whole(Rule::ident, w), "`{w}` is a name");
            for longer in [
                format!("{w}s"),
                format!("{w}_x"),
                format!("{w}2"),
                format!("x{w}"),
            ] {
                if !words.contains(&longer.as_str()) {
                    assert!(whole(Rule::ident, &longer), "`{longer}` is not a name");
                }
            }
        }
        for name in [
            "a",
            "applicant",
            "application",
            "visa_form",
            "Rule",
            "ЖСН",
            "_when",
        ] {
            assert!(whole(Rule::ident, name), "`{name}` is not a name");
        }
    }
}
