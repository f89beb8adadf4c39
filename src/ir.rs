//! The checked, resolved form of a rulebook that the evaluator runs: names are indices,
//! types are resolved, enum values are small integers and dates day numbers. One `Program`
//! per consolidated version of the rulebook.

use crate::source::{SourceMap, Span};
use crate::time::calendar::Calendar;
use crate::time::date::Day;
use crate::value::Value;
use std::sync::Arc;

pub type RuleId = u32;
pub type EnumId = u32;
pub type RecordId = u32;
pub type TableId = u32;
pub type ParamId = u32;
pub type CalendarId = u32;
pub type SourceId = u32;
pub type AmendmentId = u32;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    Integer,
    Decimal,
    Money(Arc<str>),
    Date,
    Duration,
    Text,
    Period,
    Reason,
    Enum(EnumId),
    Record(RecordId),
    List(Box<Type>),
    Optional(Box<Type>),
    /// The type of an expression that already has a diagnostic; it is compatible with
    /// everything so that one mistake is reported once.
    Error,
}

impl Type {
    pub fn is_error(&self) -> bool {
        matches!(self, Type::Error)
    }

    /// The type of a present value: `T` for `T?`, itself otherwise.
    pub fn without_optional(&self) -> &Type {
        match self {
            Type::Optional(inner) => inner,
            t => t,
        }
    }
}

#[derive(Clone, Debug)]
pub struct EnumInfo {
    pub name: String,
    pub span: Span,
    pub doc: Option<String>,
    pub variants: Vec<VariantInfo>,
}

#[derive(Clone, Debug)]
pub struct VariantInfo {
    pub name: String,
    pub label: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct RecordInfo {
    pub name: String,
    pub span: Span,
    pub doc: Option<String>,
    pub fields: Vec<FieldInfo>,
}

#[derive(Clone, Debug)]
pub struct FieldInfo {
    pub name: String,
    pub ty: Type,
    pub default: Option<Value>,
    pub span: Span,
    pub doc: Option<String>,
}

/// The input schema of a case: the declared facts and the types they use.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub enums: Vec<EnumInfo>,
    pub records: Vec<RecordInfo>,
    pub facts: Vec<FieldInfo>,
    /// Names to positions, built on first use, for reading cases: an enum such as `Country`
    /// has about two hundred values.
    pub lookup: std::sync::OnceLock<SchemaLookup>,
    /// The built-in enum `weekday` (`monday` .. `sunday`, in that order), which `weekday(d)`
    /// gives; after the rulebook's own enums, so their ids do not move.
    pub weekday: Option<EnumId>,
}

/// The name of the built-in weekday enum, as types are written.
pub const WEEKDAY_ENUM: &str = "weekday";

/// Enum values and fields by name.
#[derive(Clone, Debug, Default)]
pub struct SchemaLookup {
    /// Per enum: value name → value index.
    pub variants: Vec<rustc_hash::FxHashMap<Box<str>, u32>>,
    /// Per record: field name → slot.
    pub fields: Vec<rustc_hash::FxHashMap<Box<str>, u32>>,
    /// The facts: name → slot.
    pub facts: rustc_hash::FxHashMap<Box<str>, u32>,
}

impl Schema {
    /// The name of value `i` of enum `e`, as the rulebook writes it.
    pub fn variant_name(&self, e: EnumId, i: u32) -> Option<&str> {
        let v = self.enums.get(e as usize)?.variants.get(i as usize)?;
        Some(v.name.as_str())
    }

    pub fn lookup(&self) -> &SchemaLookup {
        self.lookup.get_or_init(|| {
            let by_name = |names: &mut dyn Iterator<Item = &str>| {
                names
                    .enumerate()
                    .map(|(i, n)| (Box::from(n), i as u32))
                    .collect()
            };
            SchemaLookup {
                variants: self
                    .enums
                    .iter()
                    .map(|e| by_name(&mut e.variants.iter().map(|v| v.name.as_str())))
                    .collect(),
                fields: self
                    .records
                    .iter()
                    .map(|r| by_name(&mut r.fields.iter().map(|f| f.name.as_str())))
                    .collect(),
                facts: by_name(&mut self.facts.iter().map(|f| f.name.as_str())),
            }
        })
    }

    /// A type as the rulebook writes it: `money`, `date?`, `list of Country`. The one
    /// rendering of a type's name, for the checker's messages and the JSON Schemas'
    /// `x-zan-type`.
    pub fn type_name(&self, t: &Type) -> String {
        match t {
            Type::Bool => "bool".into(),
            Type::Integer => "integer".into(),
            Type::Decimal => "decimal".into(),
            Type::Money(c) if &**c == "KZT" => "money".into(),
            Type::Money(c) => format!("money in {c}"),
            Type::Date => "date".into(),
            Type::Duration => "duration".into(),
            Type::Text => "text".into(),
            Type::Period => "period".into(),
            Type::Reason => "reason".into(),
            Type::Enum(e) => self
                .enums
                .get(*e as usize)
                .map_or("enum".into(), |x| x.name.clone()),
            Type::Record(r) => self
                .records
                .get(*r as usize)
                .map_or("record".into(), |x| x.name.clone()),
            Type::List(t) => format!("list of {}", self.type_name(t)),
            Type::Optional(t) => format!("{}?", self.type_name(t)),
            Type::Error => "unknown".into(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SourceInfo {
    pub name: String,
    pub title: Option<String>,
    pub file: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Citation {
    pub source: SourceId,
    pub quote: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct AmendmentInfo {
    pub name: String,
    pub in_force: Day,
    pub citations: Vec<Citation>,
    pub span: Span,
}

/// Where a declaration in a version comes from: the baseline, or a provision of an amendment.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    Baseline,
    Amendment {
        amendment: AmendmentId,
        from: Day,
        replaced: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Age,
    DaysBetween,
    Period,
    Start,
    End,
    Days,
    DaysPresent,
    MaxDaysInAnyWindow,
    Year,
    Date,
    Count,
    IsEmpty,
    Min,
    Max,
    Round,
    ValueOr,
    IsWorkingDay,
    WorkingDaysBetween,
    Month,
    Day,
    Weekday,
    StartOfMonth,
    EndOfMonth,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantKind {
    Any,
    All,
    Count,
    /// `sum`, with the kind of number it adds: the sum of no items is that kind's zero (an
    /// amount of 0, not the integer 0, for money).
    Sum(SumOf),
    /// `map`: the list of what the body gives for each item, in order.
    Map,
    /// `filter`: the items for which the body holds, in order.
    Filter,
    /// `min`/`max`: the least/greatest value the body gives (the first of equal ones); absent
    /// for no items.
    Min,
    Max,
}

impl QuantKind {
    /// Whether the body is a condition (`where`) rather than a value (`of`).
    pub fn takes_condition(self) -> bool {
        matches!(
            self,
            QuantKind::Any | QuantKind::All | QuantKind::Count | QuantKind::Filter
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SumOf {
    Integer,
    Decimal,
    Money,
}

impl SumOf {
    pub fn zero(self) -> crate::value::Value {
        use crate::value::Value;
        match self {
            SumOf::Integer => Value::Integer(0),
            SumOf::Decimal => Value::Decimal(rust_decimal::Decimal::ZERO),
            SumOf::Money => Value::Money(rust_decimal::Decimal::ZERO),
        }
    }
}

/// A resolved expression.
#[derive(Clone, Debug)]
pub enum Ex {
    Const(Value),
    Fact(u32),
    Field(Box<Ex>, u32),
    Local(u32),
    Rule(RuleId),
    Param(ParamId, Option<Box<Ex>>),
    AsOfDate,
    Table(TableId, Vec<Ex>),
    Not(Box<Ex>),
    Neg(Box<Ex>),
    And(Box<Ex>, Box<Ex>),
    Or(Box<Ex>, Box<Ex>),
    Cmp(CmpOp, Box<Ex>, Box<Ex>),
    Arith(ArithOp, Box<Ex>, Box<Ex>),
    In(Box<Ex>, Box<Ex>),
    If(Box<Ex>, Box<Ex>, Box<Ex>),
    Match(Box<Ex>, Vec<(Vec<Value>, Ex)>, Option<Box<Ex>>),
    Quant(QuantKind, u32, Box<Ex>, Box<Ex>),
    List(Vec<Ex>),
    Record(Vec<Ex>),
    Builtin(Builtin, Vec<Ex>),
    Calendar(CalendarId),
    IsPresent(Box<Ex>, bool),
    /// An integer used where a decimal is expected.
    ToDecimal(Box<Ex>),
    /// An optional value known to be present here (after `x is present`); absent is an error.
    Unwrap(Box<Ex>),
}

/// One `when ... then ...` case (or `otherwise`, with no condition).
#[derive(Clone, Debug)]
pub struct CaseIr {
    pub condition: Option<Ex>,
    pub value: Ex,
    pub citation: Option<Citation>,
    pub span: Span,
    pub condition_span: Option<Span>,
}

/// A definition: the cases of a rule or an exception, and the exceptions to it.
#[derive(Clone, Debug)]
pub struct Definition {
    pub name: String,
    pub span: Span,
    pub cases: Vec<CaseIr>,
    pub otherwise: Option<CaseIr>,
    pub exceptions: Vec<Definition>,
    pub citations: Vec<Citation>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct ReasonIr {
    pub code: String,
    pub message: String,
    pub condition: Ex,
    pub condition_span: Span,
    pub citation: Option<Citation>,
    pub span: Span,
}

impl Ex {
    /// Calls `f` on each expression directly inside this one, in the order they are written.
    /// Passes that look at every expression of a rule (the constants a case generator draws
    /// from, the rules an output depends on) handle the forms they care about and leave the
    /// rest of the walk to this, so a new form of `Ex` is added to one walk, not to each pass.
    pub fn for_each_child<'a>(&'a self, mut f: impl FnMut(&'a Ex)) {
        match self {
            Ex::Const(_)
            | Ex::Fact(_)
            | Ex::Local(_)
            | Ex::Rule(_)
            | Ex::AsOfDate
            | Ex::Calendar(_) => {}
            Ex::Field(x, _)
            | Ex::Not(x)
            | Ex::Neg(x)
            | Ex::IsPresent(x, _)
            | Ex::ToDecimal(x)
            | Ex::Unwrap(x) => f(x),
            Ex::Param(_, at) => {
                if let Some(x) = at {
                    f(x)
                }
            }
            Ex::Table(_, xs) | Ex::List(xs) | Ex::Record(xs) | Ex::Builtin(_, xs) => {
                for x in xs {
                    f(x)
                }
            }
            Ex::And(a, b)
            | Ex::Or(a, b)
            | Ex::Cmp(_, a, b)
            | Ex::Arith(_, a, b)
            | Ex::In(a, b)
            | Ex::Quant(_, _, a, b) => {
                f(a);
                f(b);
            }
            Ex::If(c, a, b) => {
                f(c);
                f(a);
                f(b);
            }
            Ex::Match(scrutinee, arms, otherwise) => {
                f(scrutinee);
                for (_, body) in arms {
                    f(body);
                }
                if let Some(o) = otherwise {
                    f(o);
                }
            }
        }
    }
}

impl Definition {
    /// Calls `f` on each condition and value of the definition and of its exceptions.
    pub fn for_each_expr<'a>(&'a self, f: &mut impl FnMut(&'a Ex)) {
        for c in self.cases.iter().chain(&self.otherwise) {
            if let Some(cond) = &c.condition {
                f(cond);
            }
            f(&c.value);
        }
        for e in &self.exceptions {
            e.for_each_expr(f);
        }
    }
}

#[derive(Clone, Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "one per rule, built once at check time"
)]
pub enum RuleBodyIr {
    Definition(Definition),
    Reasons(Vec<ReasonIr>),
}

#[derive(Clone, Debug)]
pub struct RuleIr {
    pub name: String,
    pub span: Span,
    pub ty: Type,
    pub output: bool,
    pub doc: Option<String>,
    pub citations: Vec<Citation>,
    pub origin: Origin,
    pub body: RuleBodyIr,
}

/// A part of a declaration that test coverage counts on its own (a table row, a parameter
/// value), with the sentence it cites.
#[derive(Clone, Debug)]
pub struct Part {
    pub span: Span,
    pub citation: Option<Citation>,
}

#[derive(Clone, Debug)]
pub struct TableIr {
    pub name: String,
    pub span: Span,
    /// The types of the keys, in order (to name a key's enum value in an explanation).
    pub keys: Vec<Type>,
    pub ty: Type,
    pub lookup: TableLookup,
    pub values: Vec<Ex>,
    pub otherwise: Option<Ex>,
    pub citations: Vec<Citation>,
    /// One per value: the row it comes from.
    pub rows: Vec<Part>,
    pub otherwise_part: Option<Part>,
}

#[derive(Clone, Debug)]
pub enum TableLookup {
    /// Every key is an enum or a bool: a dense array indexed by the key combination.
    Dense {
        sizes: Vec<u32>,
        cells: Vec<Option<u32>>,
    },
    /// Other keys: rows tried in `order` (source order when `None`; for `hit most specific`,
    /// the more specific rows first); `None` is a wildcard.
    Rows {
        rows: Vec<Vec<Option<Vec<KeyMatch>>>>,
        order: Option<Vec<u32>>,
    },
}

/// What one alternative of a row's pattern accepts for a key: a value, or a band of values.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyMatch {
    Is(Value),
    In(Band),
}

/// A band of an ordered key (integer, decimal, money, duration, date): a missing bound is
/// open-ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    pub low: Option<Bound>,
    pub high: Option<Bound>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    pub value: Value,
    pub inclusive: bool,
}

impl KeyMatch {
    /// The constant values written in the pattern (a band's bounds).
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        let (a, b) = match self {
            KeyMatch::Is(v) => (Some(v), None),
            KeyMatch::In(band) => (
                band.low.as_ref().map(|b| &b.value),
                band.high.as_ref().map(|b| &b.value),
            ),
        };
        a.into_iter().chain(b)
    }
}

#[derive(Clone, Debug)]
pub struct ParamIr {
    pub name: String,
    pub span: Span,
    pub ty: Type,
    /// (in force from, value), sorted by date.
    pub values: Vec<(Day, Value)>,
    pub citations: Vec<Citation>,
    /// One per value: the line it comes from.
    pub parts: Vec<Part>,
    /// Periods (inclusive) with no value in force although an earlier value exists: where a
    /// replacement answers look-ups from a date before its own first value.
    pub gaps: Vec<(Day, Day)>,
}

impl ParamIr {
    /// Which of the values is in force on `day` (the last one from on or before it), unless
    /// the day is in a gap.
    pub fn index_on(&self, day: Day) -> Option<usize> {
        if self.gaps.iter().any(|(a, b)| *a <= day && day <= *b) {
            return None;
        }
        self.values
            .partition_point(|(from, _)| *from <= day)
            .checked_sub(1)
    }
}

#[derive(Clone, Debug)]
pub struct CalendarIr {
    pub name: String,
    pub span: Span,
    pub calendar: Arc<Calendar>,
    /// The calendar's citations and those of its entries.
    pub citations: Vec<Citation>,
}

/// The rulebook as consolidated for one period of dates.
#[derive(Clone, Debug, Default)]
pub struct Program {
    pub rules: Vec<RuleIr>,
    pub tables: Vec<TableIr>,
    pub params: Vec<ParamIr>,
    pub calendars: Vec<CalendarIr>,
    pub outputs: Vec<RuleId>,
    /// Number of quantifier variable slots needed.
    pub locals: u32,
}

impl Program {
    /// Item `item` of the reasons rule `rule` (a `Value::Reason` points at it).
    pub fn reason(&self, rule: RuleId, item: usize) -> Option<&ReasonIr> {
        match &self.rules.get(rule as usize)?.body {
            RuleBodyIr::Reasons(items) => items.get(item),
            _ => None,
        }
    }

    pub fn rule_named(&self, name: &str) -> Option<RuleId> {
        self.rules
            .iter()
            .position(|r| r.name == name)
            .and_then(|i| u32::try_from(i).ok())
    }
}

/// An amendment provision applied in a version.
#[derive(Clone, Debug, PartialEq)]
pub struct AppliedProvision {
    pub amendment: AmendmentId,
    pub action: &'static str,
    pub kind: &'static str,
    pub name: String,
    pub from: Day,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Version {
    pub from: Option<Day>,
    pub until: Option<Day>,
    pub applied: Vec<AppliedProvision>,
    pub program: Arc<Program>,
}

#[derive(Clone, Debug)]
pub struct TestCase {
    pub name: String,
    pub span: Span,
    pub checks: Vec<Citation>,
    pub as_of: Option<Day>,
    pub facts: Vec<Value>,
    pub expectations: Vec<Expectation>,
}

#[derive(Clone, Debug)]
pub struct Expectation {
    pub rule: String,
    /// `None`: the evaluation is expected to fail.
    pub value: Option<Value>,
    pub span: Span,
}

/// An `example` declaration: named facts that tests start from.
#[derive(Clone, Debug)]
pub struct ExampleCase {
    pub name: String,
    pub span: Span,
    pub facts: Vec<Value>,
}

/// A checked rulebook: everything needed to evaluate cases and run its tests.
#[derive(Clone, Debug)]
pub struct Rulebook {
    pub name: String,
    pub title: Option<String>,
    pub jurisdiction: Option<String>,
    /// Path of field slots of the fact that gives the evaluation date.
    pub as_of_path: Option<Vec<u32>>,
    pub as_of_text: Option<String>,
    pub schema: Schema,
    pub sources: Vec<SourceInfo>,
    pub amendments: Vec<AmendmentInfo>,
    pub versions: Vec<Version>,
    pub tests: Vec<TestCase>,
    pub examples: Vec<ExampleCase>,
    pub source_map: Arc<SourceMap>,
}

impl Rulebook {
    /// The consolidated version in force on a date.
    pub fn version_on(&self, day: Day) -> Option<&Version> {
        self.versions
            .iter()
            .find(|v| v.from.is_none_or(|f| f <= day) && v.until.is_none_or(|u| day <= u))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_type_is_named_as_the_rulebook_writes_it() {
        let mut schema = Schema::default();
        schema.enums.push(EnumInfo {
            name: "Country".into(),
            span: Span::default(),
            doc: None,
            variants: Vec::new(),
        });
        let list_of_country = Type::List(Box::new(Type::Enum(0)));
        assert_eq!(schema.type_name(&list_of_country), "list of Country");
        let optional_date = Type::Optional(Box::new(Type::Date));
        assert_eq!(schema.type_name(&optional_date), "date?");
        // The default currency is not written; any other is.
        assert_eq!(schema.type_name(&Type::Money("KZT".into())), "money");
        assert_eq!(schema.type_name(&Type::Money("EUR".into())), "money in EUR");
        // An id the schema does not have (never made by the checker) still has a name.
        assert_eq!(schema.type_name(&Type::Record(3)), "record");
        assert_eq!(schema.type_name(&Type::Error), "unknown");
    }
}
