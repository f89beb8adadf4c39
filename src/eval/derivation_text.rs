//! The derivation written for people: the tree indented, values as a person reads them
//! (`value_text`), the arithmetic as a formula (`100 × 4,325.00 KZT = 432,500.00 KZT`), the
//! table row, the parameter value and the working days skipped behind each value, why the
//! other cases did not apply, and the citations numbered once per output, most specific first
//! (a node's line ends with the numbers of the citations it rests on: `[1, 3]`).

use super::derivation::{
    Aggregate, Cited, DateFrom, GivenBy, Node, NodeKind, NotApplied, RuleStep, Skipped,
};
use super::derivation_json::{aggregate_name, aggregate_result_type, quote_line, result_text};
use super::value_text::{date_text, value_text};
use crate::ir::{ArithOp, Citation, Origin, Program, Rulebook, SourceId};
use crate::time::date;

/// An aggregation lists at most this many items; the rest are counted.
const ITEMS_SHOWN: usize = 20;

/// The derivation of one output (or any node), indented, ending with a newline; the
/// citations follow, numbered, each once.
pub fn derivation_text(rb: &Rulebook, p: &Program, node: &Node) -> String {
    let mut w = Writer {
        rb,
        p,
        out: String::new(),
        sources: Vec::new(),
    };
    if let NodeKind::Rule(step) = &node.kind {
        for c in &step.sources {
            w.number(c);
        }
    }
    // Anything cited in the tree and missing from the rule's list still gets a number:
    // specific citations before headings, each in the order of the tree.
    for specific in [true, false] {
        each_citation(node, &mut |c| {
            if c.specific == specific {
                w.number(&c.citation);
            }
        });
    }
    w.node(node, 0, true);
    w.sources_list();
    w.out
}

/// The operator as the rulebook writes it (`+ - * /`), for the JSON format.
pub fn op_written(op: ArithOp) -> &'static str {
    match op {
        ArithOp::Add => "+",
        ArithOp::Sub => "-",
        ArithOp::Mul => "*",
        ArithOp::Div => "/",
    }
}

/// The operator as a person writes it in a formula.
fn op_read(op: ArithOp) -> &'static str {
    match op {
        ArithOp::Add => "+",
        ArithOp::Sub => "−",
        ArithOp::Mul => "×",
        ArithOp::Div => "÷",
    }
}

/// `150 × 4,325.00 KZT = 648,750.00 KZT`: the operands' values (the node's two children)
/// and the result, as people read them.
pub fn formula(rb: &Rulebook, p: &Program, n: &Node, op: ArithOp) -> String {
    let result = result_text(rb, p, &n.ty, &n.value);
    match n.children.as_slice() {
        [l, r] => format!(
            "{} {} {} = {result}",
            operand_text(rb, p, l),
            op_read(op),
            operand_text(rb, p, r)
        ),
        _ => format!("{} = {result}", n.text),
    }
}

/// An operand's value; a negative one, or one that is itself a sum, in parentheses, so the
/// formula reads as it computes.
fn operand_text(rb: &Rulebook, p: &Program, n: &Node) -> String {
    let t = result_text(rb, p, &n.ty, &n.value);
    let composite = matches!(
        n.kind,
        NodeKind::Arithmetic {
            op: ArithOp::Add | ArithOp::Sub
        }
    );
    if t.starts_with('-') || (composite && t.contains(' ')) {
        format!("({t})")
    } else {
        t
    }
}

/// The non-working days skipped: `weekend 21–22 March, Nauryz 21–25 March`.
pub fn skipped_text(skipped: &[Skipped]) -> String {
    let runs: Vec<String> = skipped
        .iter()
        .map(|s| format!("{} {}", s.why, day_range(s.from, s.to)))
        .collect();
    runs.join(", ")
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// What an aggregated item's result is called on its line: `→ count: true`, `→ kept: false`,
/// `→ gives: apostille`, `→ max: 200`.
fn item_word(kind: Aggregate) -> &'static str {
    match kind {
        Aggregate::Map => "gives",
        Aggregate::Filter => "kept",
        k => aggregate_name(k),
    }
}

fn month_name(m: u32) -> &'static str {
    MONTHS
        .get(m.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("?")
}

/// `21 March`, `21–25 March`, `30 March–2 April`, `30 December 2026–2 January 2027`.
fn day_range(from: date::Day, to: date::Day) -> String {
    let (y1, m1, d1) = date::to_ymd(from);
    let (y2, m2, d2) = date::to_ymd(to);
    match (from == to, y1 == y2, m1 == m2) {
        (true, _, _) => format!("{d1} {}", month_name(m1)),
        (false, true, true) => format!("{d1}–{d2} {}", month_name(m1)),
        (false, true, false) => format!("{d1} {}–{d2} {}", month_name(m1), month_name(m2)),
        (false, false, _) => format!("{d1} {} {y1}–{d2} {} {y2}", month_name(m1), month_name(m2)),
    }
}

/// Calls `f` on every citation of the tree, in the order of the tree (a rule's condition and
/// children, then its why-not).
fn each_citation<'n>(n: &'n Node, f: &mut impl FnMut(&'n Cited)) {
    for c in &n.citations {
        f(c);
    }
    if let NodeKind::Rule(step) = &n.kind {
        if let Some(c) = &step.condition {
            each_citation(c, f);
        }
    }
    for c in &n.children {
        each_citation(c, f);
    }
}

/// A citation is one sentence of one source, wherever it is cited.
fn same(a: &Citation, b: &(SourceId, Option<String>)) -> bool {
    a.source == b.0 && a.quote == b.1
}

struct Writer<'a> {
    rb: &'a Rulebook,
    p: &'a Program,
    out: String,
    /// The citations of this derivation, numbered from 1 in this order.
    sources: Vec<(SourceId, Option<String>, Citation)>,
}

impl Writer<'_> {
    fn number(&mut self, c: &Citation) {
        let key = (c.source, c.quote.clone());
        if !self
            .sources
            .iter()
            .any(|(s, q, _)| same(c, &(*s, q.clone())))
        {
            self.sources.push((key.0, key.1, c.clone()));
        }
    }

    /// ` [1, 3]`: the numbers of these citations, or nothing.
    fn marks<'c>(&self, cited: impl Iterator<Item = &'c Citation>) -> String {
        let mut numbers: Vec<usize> = cited
            .filter_map(|c| {
                self.sources
                    .iter()
                    .position(|(s, q, _)| c.source == *s && c.quote == *q)
            })
            .map(|i| i + 1)
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        if numbers.is_empty() {
            return String::new();
        }
        let list: Vec<String> = numbers.iter().map(usize::to_string).collect();
        format!("   [{}]", list.join(", "))
    }

    fn line(&mut self, indent: usize, text: &str) {
        self.out
            .push_str(&format!("{:indent$}{}\n", "", text.trim_end()));
    }

    fn value(&self, n: &Node) -> String {
        result_text(self.rb, self.p, &n.ty, &n.value)
    }

    /// `label: text = value`; `label: text` where the text is the value (`article: 518`).
    fn head(&self, n: &Node) -> String {
        let label = n
            .label
            .as_deref()
            .map_or(String::new(), |l| format!("{l}: "));
        let value = self.value(n);
        if n.text == value {
            return format!("{label}{value}");
        }
        format!("{label}{} = {value}", n.text)
    }

    fn node(&mut self, n: &Node, indent: usize, top: bool) {
        let marks = self.marks(n.citations.iter().map(|c| &c.citation));
        match &n.kind {
            NodeKind::Rule(step) => self.rule(n, step, indent, top),
            NodeKind::SeeAbove { .. } => {
                let head = self.head(n);
                self.line(indent, &format!("{head}   (see above)"));
            }
            NodeKind::Table {
                table,
                row,
                row_text,
            } => {
                let head = self.head(n);
                self.line(indent, &head);
                let name = self
                    .p
                    .tables
                    .get(*table as usize)
                    .map_or("?", |t| t.name.as_str());
                let row = match row {
                    Some(_) => format!("row `{row_text}` of table `{name}`"),
                    None => format!("the `otherwise` of table `{name}`"),
                };
                self.line(indent + 2, &format!("{row}{marks}"));
                self.children(n, indent + 2);
            }
            NodeKind::Parameter {
                on,
                date: from,
                in_force_from,
                ..
            } => {
                let head = self.head(n);
                self.line(indent, &head);
                let why = match (from, n.children.first()) {
                    (DateFrom::AsOf, Some(d)) => format!("the date `{}`", d.text),
                    (DateFrom::AsOf, None) => "an `as of` date".to_string(),
                    (DateFrom::EvaluationDate, _) => "the evaluation date".to_string(),
                };
                self.line(
                    indent + 2,
                    &format!(
                        "the value in force from {}, read on {}: {why}{marks}",
                        date_text(*in_force_from),
                        date_text(*on)
                    ),
                );
                self.children(n, indent + 2);
            }
            NodeKind::WorkingDays {
                start,
                days,
                skipped,
                calendar,
            } => {
                let head = self.head(n);
                self.line(indent, &head);
                let cal = self
                    .p
                    .calendars
                    .get(*calendar as usize)
                    .map_or("?", |c| c.name.as_str());
                let skips = if skipped.is_empty() {
                    "no non-working day on the way".to_string()
                } else {
                    format!("skips {}", skipped_text(skipped))
                };
                let sign = if *days < 0 { "−" } else { "+" };
                let count = days.unsigned_abs();
                let unit = if count == 1 {
                    "working day"
                } else {
                    "working days"
                };
                self.line(
                    indent + 2,
                    &format!(
                        "{} {sign} {count} {unit} in {cal}: {skips} → {}{marks}",
                        date_text(*start),
                        self.value(n)
                    ),
                );
                self.children(n, indent + 2);
            }
            NodeKind::Arithmetic { op } => {
                let label = n
                    .label
                    .as_deref()
                    .map_or(String::new(), |l| format!("{l}: "));
                self.line(indent, &format!("{label}{}", n.text));
                let f = formula(self.rb, self.p, n, *op);
                self.line(indent + 2, &format!("= {f}{marks}"));
                self.children(n, indent + 2);
            }
            NodeKind::Aggregation {
                kind,
                items,
                item_ty,
            } => {
                let head = self.head(n);
                self.line(indent, &format!("{head}{marks}"));
                let result_ty = aggregate_result_type(*kind, &n.ty);
                for i in items.iter().take(ITEMS_SHOWN) {
                    let item = value_text(self.rb, self.p, item_ty, &i.item);
                    let r = result_text(self.rb, self.p, &result_ty, &i.result);
                    let line = format!("item {}: {item} → {}: {r}", i.index + 1, item_word(*kind));
                    self.line(indent + 2, &line);
                }
                if items.len() > ITEMS_SHOWN {
                    let more = items.len() - ITEMS_SHOWN;
                    self.line(indent + 2, &format!("… and {more} more items"));
                }
                self.children(n, indent + 2);
            }
            NodeKind::AsOfDate => {
                let head = self.head(n);
                self.line(indent, &format!("{head}   (the evaluation date){marks}"));
            }
            NodeKind::Fact { .. }
            | NodeKind::Local
            | NodeKind::Constant
            | NodeKind::Condition
            | NodeKind::Call { .. }
            | NodeKind::Expression => {
                let head = self.head(n);
                self.line(indent, &format!("{head}{marks}"));
                self.children(n, indent + 2);
            }
        }
    }

    /// The children worth a line: a constant that reads as its value is already in the
    /// parent's text.
    fn children(&mut self, n: &Node, indent: usize) {
        for c in &n.children {
            if self.self_evident(c) {
                continue;
            }
            if self.restates(n, c) {
                // The rule's value written out again (`{ article: 518, ... }`): its parts
                // say more than its line would.
                self.children(c, indent);
            } else {
                self.node(c, indent, false);
            }
        }
    }

    /// A rule's value expression (a record or list literal, an `if`) whose value is the
    /// rule's own, already on the rule's line.
    fn restates(&self, parent: &Node, c: &Node) -> bool {
        matches!(parent.kind, NodeKind::Rule(_))
            && matches!(c.kind, NodeKind::Expression)
            && c.label.is_none()
            && c.citations.is_empty()
            && c.value.is_ok()
            && self.value(c) == self.value(parent)
    }

    fn self_evident(&self, n: &Node) -> bool {
        matches!(n.kind, NodeKind::Constant)
            && n.label.is_none()
            && n.children.is_empty()
            && n.citations.is_empty()
            && n.text == self.value(n)
    }

    fn rule(&mut self, n: &Node, step: &RuleStep, indent: usize, top: bool) {
        let head = self.head(n);
        let how = self.given_by(step, top);
        let because = step
            .condition
            .as_ref()
            .map_or(String::new(), |c| format!(", because {}", c.text));
        let amended = self.amended(&step.origin);
        let marks = self.marks(n.citations.iter().map(|c| &c.citation));
        let by = format!("{how}{because}{amended}{marks}");
        if top {
            self.line(indent, &head);
            self.line(indent + 2, &by);
        } else {
            self.line(indent, &format!("{head}   {by}"));
        }
        if let Some(c) = &step.condition {
            // At full depth the condition carries the values it read.
            self.children(c, indent + 4);
        }
        for &i in &step.reasons {
            if let Some(r) = self.p.reason(step.rule, i) {
                let marks = self.marks(r.citation.iter());
                let line = format!("reason {}: {}{marks}", r.code, r.message);
                self.line(indent + 2, &line);
            }
        }
        self.children(n, indent + 2);
        for w in &step.why_not {
            let line = self.why_not(w);
            self.line(indent + 2, &line);
        }
    }

    /// `by case 2 of `rule``; inside a tree, where the rule's own name is on the line, `by
    /// case 2`.
    fn given_by(&self, s: &RuleStep, top: bool) -> String {
        let of = if s.exception {
            format!(" of exception `{}`", s.definition)
        } else if top {
            format!(" of `{}`", s.definition)
        } else {
            String::new()
        };
        match &s.given_by {
            GivenBy::Case(c) => format!("by case {c}{of}"),
            GivenBy::Otherwise => format!("by the `otherwise`{of}"),
            GivenBy::Expression if s.exception => format!("by exception `{}`", s.definition),
            GivenBy::Expression if top => format!("by the definition of `{}`", s.definition),
            GivenBy::Expression => "by its definition".to_string(),
            GivenBy::Reasons => "by the reasons whose condition holds".to_string(),
            GivenBy::Failed => "no value: the evaluation failed".to_string(),
        }
    }

    fn amended(&self, o: &Origin) -> String {
        match o {
            Origin::Baseline => String::new(),
            Origin::Amendment {
                amendment,
                from,
                replaced,
            } => {
                let a = self
                    .rb
                    .amendments
                    .get(*amendment as usize)
                    .map_or("?", |a| a.name.as_str());
                let how = if *replaced { "replaced" } else { "added" };
                format!(" ({how} by `{a}` from {})", date_text(*from))
            }
        }
    }

    /// `why not: exception `x`: `applicant_age >= 16` was false: applicant_age = 15`.
    fn why_not(&self, w: &NotApplied) -> String {
        let what = match (w.case, w.exception) {
            (Some(c), true) => format!("case {c} of exception `{}`", w.definition),
            (None, true) => format!("exception `{}`", w.definition),
            (Some(c), false) => format!("case {c} of `{}`", w.definition),
            (None, false) => format!("`{}`", w.definition),
        };
        let Some(f) = &w.failed else {
            return format!("why not: {what}: its condition could not be decided");
        };
        if let Err(e) = &f.value {
            return format!(
                "why not: {what}: `{}` could not be evaluated: {}",
                f.text, e.message
            );
        }
        let operands: Vec<String> = f
            .children
            .iter()
            .filter(|c| !self.self_evident(c))
            .map(|c| format!("{} = {}", c.text, self.value(c)))
            .collect();
        let values = if operands.is_empty() {
            String::new()
        } else {
            format!(": {}", operands.join(", "))
        };
        format!("why not: {what}: `{}` was false{values}", f.text)
    }

    fn sources_list(&mut self) {
        if self.sources.is_empty() {
            return;
        }
        self.line(2, "sources (most specific first):");
        let lines: Vec<String> = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, (_, _, c))| format!("{}. {}", i + 1, citation_text(self.rb, c)))
            .collect();
        for l in lines {
            self.line(4, &l);
        }
    }
}

/// `file.txt:42 “quote”`: where the sentence stands, and the sentence.
pub fn citation_text(rb: &Rulebook, c: &Citation) -> String {
    let src = rb.sources.get(c.source as usize);
    let name = src
        .and_then(|s| s.file.as_deref())
        .or(src.map(|s| s.name.as_str()))
        .unwrap_or("?");
    let at = match quote_line(rb, c) {
        Some(line) => format!("{name}:{line}"),
        None => name.to_string(),
    };
    match &c.quote {
        Some(q) => format!("{at} “{q}”"),
        None => at,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> date::Day {
        date::parse(s).unwrap()
    }

    fn run(from: &str, to: &str, why: &str) -> Skipped {
        Skipped {
            from: d(from),
            to: d(to),
            why: why.into(),
        }
    }

    #[test]
    fn runs_of_days_read_as_people_write_them() {
        assert_eq!(day_range(d("2026-03-21"), d("2026-03-21")), "21 March");
        assert_eq!(day_range(d("2026-03-21"), d("2026-03-25")), "21–25 March");
        assert_eq!(
            day_range(d("2026-03-30"), d("2026-04-02")),
            "30 March–2 April"
        );
        assert_eq!(
            day_range(d("2026-12-31"), d("2027-01-02")),
            "31 December 2026–2 January 2027"
        );
        let skipped = [
            run("2026-03-21", "2026-03-22", "weekend"),
            run("2026-03-23", "2026-03-25", "Nauryz"),
            run("2026-05-01", "2026-05-01", "Unity Day"),
        ];
        assert_eq!(
            skipped_text(&skipped),
            "weekend 21–22 March, Nauryz 23–25 March, Unity Day 1 May"
        );
    }

    #[test]
    fn operators_as_written_and_as_read() {
        let ops = [ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div];
        let written: Vec<&str> = ops.iter().map(|o| op_written(*o)).collect();
        let read: Vec<&str> = ops.iter().map(|o| op_read(*o)).collect();
        assert_eq!(written, ["+", "-", "*", "/"]);
        assert_eq!(read, ["+", "−", "×", "÷"]);
    }
}
