//! The derivation of a decision: for each output, a tree of the values it rests on (the case
//! that gave it, the intermediate rules, facts, table rows, parameter values, calendar
//! arithmetic and aggregations beneath it), with the citations of each, and for the cases and
//! exceptions that did not apply, the first condition that failed.
//!
//! This module holds the data only: `derive` builds it after evaluation from the rule values
//! the evaluator kept, so a decision made without an explanation pays nothing for it, and the
//! renderers (`derivation_json`, `derivation_text`) write it for programs and for people.

use super::EvalError;
use crate::ir::{ArithOp, CalendarId, Citation, Origin, ParamId, RuleId, TableId, Type};
use crate::time::date::Day;
use crate::value::Value;

/// How much of the derivation to build (`zan eval --explain` and `--explain=full`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Depth {
    /// The path to each output's value: the case that gave it and the condition that held,
    /// every value its value expression used (through intermediate rules, each derived once
    /// per output), why the output's other cases and exceptions did not apply, and the
    /// citations.
    #[default]
    Path,
    /// The whole tree: also the values behind every condition that held, and why not at
    /// every rule, not only at the outputs.
    Full,
}

/// One node of a derivation: a value, what it is, and the values it was computed from.
#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    /// The node as the rulebook writes it: a rule's name, a fact's path (`stay.entered_on`),
    /// an expression rendered back from the resolved form (`applicant_age >= 16`).
    pub text: String,
    /// What the value is in its parent, where the parent names its parts: a record field's
    /// name in a record literal, a built-in's argument.
    pub label: Option<String>,
    /// The value, or the error that stopped its evaluation.
    pub value: Result<Value, EvalError>,
    /// The value's type, to write it (enum value names, money's currency); `Type::Error` where
    /// it cannot be known.
    pub ty: Type,
    /// This node's own citations, specific ones (a case's, a row's, a parameter value's)
    /// before headings (a rule's, a table's, a parameter's).
    pub citations: Vec<Cited>,
    /// The values this one was computed from, in the order the expression reads them.
    pub children: Vec<Node>,
}

/// A citation, and whether it is specific (it sits on the case, row, parameter value or
/// reason that gave the value) or a heading (on the declaration as a whole).
#[derive(Clone, Debug)]
pub struct Cited {
    pub citation: Citation,
    pub specific: bool,
}

#[derive(Clone, Debug)]
pub enum NodeKind {
    /// A rule (an output, or an internal rule a value used).
    Rule(Box<RuleStep>),
    /// A rule derived earlier in the same output's tree: its value again, not its derivation.
    SeeAbove { rule: RuleId },
    /// A fact of the case, with its JSON path in the case (`$.stay.entered_on`).
    Fact { json_path: String },
    /// The value of a quantified variable (`d` in `count d in documents where ...`), or a
    /// field of it.
    Local,
    /// A constant written in the rulebook.
    Constant,
    /// The evaluation date (`as of date`).
    AsOfDate,
    /// A table look-up. The children are the keys. `row` is the row that matched (0-based,
    /// in the table's order), `None` when its `otherwise` gave the value; `row_text` is the
    /// row's keys as written (`part_3, large_business`).
    Table {
        table: TableId,
        row: Option<u32>,
        row_text: String,
    },
    /// A parameter's value in force on a date. `in_force_from` is the date from which that
    /// value holds; `date` says which date was used and why. With `DateFrom::AsOf`, the
    /// one child is the date expression.
    Parameter {
        param: ParamId,
        on: Day,
        date: DateFrom,
        in_force_from: Day,
    },
    /// `start + n working days` (or minus) counted in a calendar: the children are the start
    /// date and the duration; `skipped` the non-working days passed over, by name.
    WorkingDays {
        calendar: CalendarId,
        start: Day,
        days: i64,
        skipped: Vec<Skipped>,
    },
    /// Arithmetic on two values (the children): `150 × 4,325.00 KZT = 648,750.00 KZT`.
    Arithmetic { op: ArithOp },
    /// A comparison or other condition; its value is a bool, its children the operands.
    Condition,
    /// `count`, `sum`, `any`, `all`, `map`, `filter`, `min` or `max` over a list (the one
    /// child); `items` the list's items with what each gave.
    Aggregation {
        kind: Aggregate,
        items: Vec<AggregateItem>,
        item_ty: Type,
    },
    /// A built-in function (`age_in_years`, `working_days_between`, ...); children are the
    /// arguments.
    Call { name: String },
    /// Any other expression (`if`, `match`, a list or record literal, a field of a computed
    /// value): children are the values it used.
    Expression,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    Count,
    Sum,
    Any,
    All,
    /// `map`: each item's result is its value in the new list.
    Map,
    /// `filter`: each item's result is whether it was kept.
    Filter,
    /// `min`/`max`: each item's result is the value compared.
    Min,
    Max,
}

/// One item of an aggregated list: its position, its value, and what the body gave for it
/// (whether it counted, for `count`, `any`, `all` and `filter`; the amount added, for `sum`;
/// the value it gave, for `map`, `min` and `max`).
#[derive(Clone, Debug)]
pub struct AggregateItem {
    pub index: usize,
    pub item: Value,
    pub result: Result<Value, EvalError>,
}

/// Which date a parameter was read on, and why that date.
#[derive(Clone, Debug, PartialEq)]
pub enum DateFrom {
    /// The evaluation date of the decision.
    EvaluationDate,
    /// An `as of` in the rule (`mci as of committed_on`); the node's child is the expression.
    AsOf,
}

/// A run of consecutive non-working days with the same reason, skipped in a working-day
/// count: `Nauryz 21–25 March`, `weekend 28–29 March`.
#[derive(Clone, Debug, PartialEq)]
pub struct Skipped {
    pub from: Day,
    pub to: Day,
    /// `weekend`, a holiday's name, `day off carried over from <holiday>`, `transferred day
    /// off`.
    pub why: String,
}

/// How a rule got its value.
#[derive(Clone, Debug)]
pub struct RuleStep {
    pub rule: RuleId,
    pub output: bool,
    /// The rule, or the exception to it, whose case gave the value.
    pub definition: String,
    pub exception: bool,
    pub given_by: GivenBy,
    /// Where the definition that gave the value comes from: the baseline or an amendment.
    pub origin: Origin,
    /// The condition of the case that gave the value (a `Condition` or other bool node). In a
    /// rule that is expanded it holds the values it read (their rules expanded at
    /// `Depth::Full` only); in a rule shown by its value alone, its text and value.
    pub condition: Option<Box<Node>>,
    /// The cases and exceptions that did not apply, in the order they were considered.
    pub why_not: Vec<NotApplied>,
    /// For a reasons rule: the items given (their index in the rule).
    pub reasons: Vec<usize>,
    /// Every citation of this node and of the nodes beneath it, each once: the specific ones
    /// first in the order of the tree, then the headings in the order of the tree.
    pub sources: Vec<Citation>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum GivenBy {
    /// Case n (1-based) of the definition.
    Case(usize),
    /// The definition's `otherwise`.
    Otherwise,
    /// A definition that is a single expression, with no cases.
    Expression,
    /// The reasons of a reasons rule whose conditions held.
    Reasons,
    /// No value: evaluation failed (the node's value is the error).
    Failed,
}

/// A case or an exception that did not apply, and the first condition that failed.
#[derive(Clone, Debug)]
pub struct NotApplied {
    /// The rule or exception the case belongs to, or the exception itself.
    pub definition: String,
    pub exception: bool,
    /// The case (1-based) that did not apply; `None` for an exception none of whose cases
    /// applied (then `failed` is the first case's first failing condition).
    pub case: Option<usize>,
    /// The first condition that failed (a `Condition` node whose value is `false`, with its
    /// operands as children), or `None` when it could not be evaluated.
    pub failed: Option<Box<Node>>,
    pub origin: Origin,
    pub citations: Vec<Citation>,
}
