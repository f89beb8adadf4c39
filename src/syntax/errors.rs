//! Turning pest's errors into diagnostics in the language's words: "expected a date such
//! as 2026-03-10", never pest's rule names.

use super::Rule;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Span};
use pest::error::{Error, ErrorVariant, InputLocation};

pub fn to_diagnostic(err: &Error<Rule>, piece: &str, file: FileId, offset: usize) -> Diagnostic {
    let (pos, expected) = position_and_expected(err);
    let found = found_at(piece, pos);
    let end = pos + found.len().max(1).min(piece.len().saturating_sub(pos));
    let span = Span::new(file, offset + pos, offset + end.max(pos));
    if let Some(d) = misspelt_weekday(err, found, span) {
        return d;
    }
    let help = if found == "=" && is_lone_equals(piece, pos) && expected.contains("an operator") {
        String::from("to compare, write `==`")
    } else {
        help_for(&expected)
    };
    let found_text = if found.is_empty() {
        String::from("the end of the declaration")
    } else {
        format!("`{found}`")
    };
    Diagnostic::new(
        Code::Syntax,
        span,
        format!("expected {expected}, found {found_text}"),
    )
    .label(format!("expected {expected} here"))
    .help(help)
}

/// Where the text of a declaration went wrong (a byte offset into it), as the diagnostic
/// places it: recovery cuts the declaration there.
pub fn position(err: &Error<Rule>) -> usize {
    position_and_expected(err).0
}

fn position_and_expected(err: &Error<Rule>) -> (usize, String) {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let punct = punctuation(err);
    // pest's positives may be recorded where an alternative began, while the brackets and
    // separators it tried lie further on: the further position is where the text went wrong.
    let furthest = err.parse_attempts().map_or(pos, |a| a.max_position);
    match &err.variant {
        ErrorVariant::ParsingError { .. } if furthest > pos && !punct.is_empty() => {
            (furthest, describe_expected(&[], &punct))
        }
        ErrorVariant::ParsingError { positives, .. } => (pos, describe_expected(positives, &punct)),
        ErrorVariant::CustomError { message } => (pos, message.clone()),
    }
}

/// Whether the text at `pos` is a single `=` (not `==` or `=>`): a comparison written as an
/// assignment.
fn is_lone_equals(piece: &str, pos: usize) -> bool {
    let rest = piece
        .get(pos..)
        .unwrap_or("")
        .trim_start_matches([' ', '\t']);
    rest.starts_with('=') && !rest.starts_with("==") && !rest.starts_with("=>")
}

/// The word or symbol at `pos`, for the message.
fn found_at(piece: &str, pos: usize) -> &str {
    let rest = piece.get(pos..).unwrap_or("");
    let rest = rest.trim_start_matches([' ', '\t']);
    let word_len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(rest.len(), |(i, _)| i);
    if word_len > 0 {
        &rest[..word_len]
    } else {
        rest.chars().next().map_or("", |c| &rest[..c.len_utf8()])
    }
}

/// Brackets and separators pest tried at the error (they are not rules, so they are not in
/// its positives).
fn punctuation(err: &Error<Rule>) -> Vec<String> {
    const SHOWN: &[&str] = &["}", ")", "]", "{", "(", ",", ":", "=>", "=", "->"];
    let Some(attempts) = err.parse_attempts() else {
        return Vec::new();
    };
    attempts
        .expected_tokens()
        .into_iter()
        .map(|t| t.to_string())
        .filter(|t| SHOWN.contains(&t.as_str()))
        .map(|t| format!("`{t}`"))
        .collect()
}

/// How a quantifier's first word is described (one string, so that it is also recognised in
/// `EXPRESSION_STARTS`).
const QUANTIFIER_WORDS: &str = "`any`, `all`, `count`, `sum`, `map`, `filter`, `min` or `max`";

/// Words that an expression can start with; when "an expression" is expected they add nothing.
const EXPRESSION_STARTS: &[&str] = &[
    "a date such as 2026-03-10",
    "an amount such as 4325 KZT",
    "a duration such as 3 days",
    "a number",
    "`true` or `false`",
    "text in double quotes",
    "a name",
    QUANTIFIER_WORDS,
    "`absent`",
];

fn describe_expected(positives: &[Rule], punctuation: &[String]) -> String {
    let mut words: Vec<String> = Vec::new();
    let operators = positives.iter().any(|r| is_operator(*r));
    for r in positives {
        let w = if is_operator(*r) {
            "an operator"
        } else {
            describe(*r)
        };
        if w != "something else" && !words.iter().any(|x| x == w) {
            words.push(w.to_string());
        }
    }
    let expression = words.iter().any(|w| w == "an expression");
    if expression {
        words.retain(|w| !EXPRESSION_STARTS.contains(&w.as_str()));
    }
    if operators {
        words.retain(|w| w != "an operator");
        words.push("an operator".into());
    }
    for p in punctuation {
        let opens_expression = matches!(p.as_str(), "`(`" | "`{`" | "`[`");
        if !(words.contains(p) || expression && opens_expression) {
            words.push(p.clone());
        }
    }
    match words.len() {
        0 => String::from("something else"),
        1 => words[0].clone(),
        n => format!("{} or {}", words[..n - 1].join(", "), words[n - 1]),
    }
}

fn help_for(expected: &str) -> String {
    if expected.contains("a date") {
        String::from("dates are written year-month-day, such as 2026-03-10")
    } else if expected.contains("`}`") {
        String::from("check that every `{` has its `}` and that the previous line is complete")
    } else if expected.contains("a declaration") {
        String::from("each declaration starts at the beginning of a line with `rule`, `enum`, `record`, `fact`, `table`, ...")
    } else {
        String::from("see docs/language.md for the syntax of this declaration")
    }
}

fn is_operator(r: Rule) -> bool {
    super::is_infix(r)
        || matches!(
            r,
            Rule::op_field | Rule::op_as_of | Rule::op_is_present | Rule::op_is_absent
        )
}

fn describe(r: Rule) -> &'static str {
    match r {
        Rule::ident | Rule::name | Rule::path => "a name",
        Rule::date_lit => "a date such as 2026-03-10",
        Rule::month_day => "a month and day such as 03-21",
        Rule::string | Rule::string_text => "text in double quotes",
        Rule::integer_lit | Rule::decimal_lit => "a number",
        Rule::money_lit | Rule::currency => "an amount such as 4325 KZT",
        Rule::duration_lit | Rule::duration_unit | Rule::working_days => {
            "a duration such as 3 days"
        }
        Rule::bool_lit => "`true` or `false`",
        Rule::absent_lit => "`absent`",
        Rule::expr
        | Rule::if_expr
        | Rule::match_expr
        | Rule::quantifier
        | Rule::list_lit
        | Rule::record_lit
        | Rule::call
        | Rule::op_not
        | Rule::op_neg => "an expression",
        Rule::type_expr | Rule::named_type | Rule::list_type | Rule::money_type => "a type",
        Rule::optional_mark => "`?`",
        Rule::declaration
        | Rule::doc
        | Rule::rulebook_decl
        | Rule::source_decl
        | Rule::enum_decl
        | Rule::record_decl
        | Rule::fact_decl
        | Rule::parameter_decl
        | Rule::table_decl
        | Rule::calendar_decl
        | Rule::rule_decl
        | Rule::exception_decl
        | Rule::reasons_decl
        | Rule::amendment_decl
        | Rule::example_decl
        | Rule::test_decl
        | Rule::output_mark => "a declaration",
        Rule::EOI => "the end of the declaration",
        Rule::citation | Rule::kw_cites => "`cites`",
        Rule::test_citation | Rule::kw_checks => "`checks`",
        Rule::in_force => "`in force`",
        Rule::from_until | Rule::effective | Rule::kw_from => "`from`",
        Rule::kw_until => "`until`",
        Rule::rule_case | Rule::kw_when => "`when`",
        Rule::otherwise_case | Rule::otherwise_row | Rule::kw_otherwise => "`otherwise`",
        Rule::rule_body => "a rule body in `{ }`",
        Rule::meta_entry | Rule::as_of_entry => "an entry such as `title \"...\"`",
        Rule::variant => "an enum value",
        Rule::field_decl => "a field such as `name: type`",
        Rule::default_value => "`=` and a default value",
        Rule::param_value => "a dated value such as `from 2026-01-01: 4325 KZT`",
        Rule::table_key => "a key such as `citizenship: Country`",
        Rule::table_row | Rule::keyed_row => "a table row such as `value => result`",
        Rule::pattern_alt | Rule::pattern | Rule::wildcard => "a pattern",
        Rule::calendar_entry
        | Rule::weekend_entry
        | Rule::holiday_entry
        | Rule::day_off_entry
        | Rule::working_day_entry => {
            "a calendar entry (`weekend`, `holiday`, `day off`, `working day`)"
        }
        Rule::weekday => "a weekday such as saturday",
        Rule::every_date | Rule::kw_every => "`every`",
        Rule::on_dates | Rule::kw_on => "`on`",
        Rule::carried_over | Rule::kw_carried => "`carried over`",
        Rule::reason_item | Rule::kw_reason => "`reason`",
        Rule::provision
        | Rule::add_provision
        | Rule::replace_provision
        | Rule::repeal_provision => "a provision (`add`, `replace` or `repeal`)",
        Rule::amendable => "a rule, exception, reasons, table, parameter or calendar declaration",
        Rule::correction | Rule::kw_correcting => "`correcting`",
        Rule::corrected => "a parameter declaration (only a parameter's values can be corrected)",
        Rule::decl_kind => "a kind of declaration (`rule`, `table`, ...)",
        Rule::test_item
        | Rule::as_of_item
        | Rule::given_item
        | Rule::set_item
        | Rule::expect_item => "a test step (`as of`, `given`, `set`, `expect`)",
        Rule::expect_fails | Rule::kw_fails => "`fails`",
        Rule::match_arm => "a match arm such as `value => result`",
        Rule::field_init => "a field such as `name: value`",
        Rule::quantifier_kind => QUANTIFIER_WORDS,
        Rule::quantified_list => "a list",
        Rule::calendar_ref => "`in` and a calendar name",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_in => "`in`",
        Rule::kw_of => "`of`",
        Rule::kw_to => "`to`",
        Rule::kw_force => "`force`",
        Rule::kw_where => "`where`",
        Rule::kw_over => "`over`",
        Rule::kw_off => "`off`",
        Rule::kw_day => "`day`",
        Rule::kw_instead => "`instead of`",
        Rule::kw_parameter => "`parameter`",
        _ => "something else",
    }
}

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// `weekend saturday, sundy`: a word where only a weekday may stand says so once, with the
/// closest weekday as a did-you-mean (which the editor offers as a quick fix).
fn misspelt_weekday(err: &Error<Rule>, found: &str, span: Span) -> Option<Diagnostic> {
    let ErrorVariant::ParsingError { positives, .. } = &err.variant else {
        return None;
    };
    let only_weekday = !positives.is_empty() && positives.iter().all(|r| *r == Rule::weekday);
    if !only_weekday || !found.starts_with(|c: char| c.is_alphabetic()) {
        return None;
    }
    let lower = found.to_lowercase();
    let closest = WEEKDAYS
        .iter()
        .find(|d| **d == lower)
        .copied()
        .or_else(|| crate::diagnostics::suggest(&lower, WEEKDAYS.iter().copied()));
    let help = match closest {
        Some(day) => format!("did you mean `{day}`?"),
        None => format!("the weekdays are {}", WEEKDAYS.join(", ")),
    };
    Some(
        Diagnostic::new(Code::Syntax, span, format!("`{found}` is not a weekday"))
            .label("the weekdays are monday to sunday")
            .help(help),
    )
}
