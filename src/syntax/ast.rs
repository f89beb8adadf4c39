//! The syntax tree: every node carries the span it was parsed from. Lowering from pest is
//! total, so a node exists for everything the parser accepted; invalid literals become
//! `ExprKind::Invalid` after a diagnostic has been reported.

use crate::source::Span;
use crate::time::date::Day;
use rust_decimal::Decimal;

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A parsed file: its declarations in source order.
#[derive(Clone, Debug, Default)]
pub struct File {
    pub declarations: Vec<Declaration>,
    /// The headers of the declarations that did not parse (`syntax::recover`).
    pub broken: Vec<BrokenDecl>,
}

/// The header of a declaration that did not parse: its kind, name and written type, read so
/// that the checker can leave its uses alone (the syntax error is the one report), and the
/// words written in it (values of a broken enum, reason codes, names the declaration read).
#[derive(Clone, Debug)]
pub struct BrokenDecl {
    /// `rule`, `enum`, ... (a `reasons` declaration is `reasons`, an `output rule` a `rule`).
    pub keyword: &'static str,
    pub name: Ident,
    /// The declared type (of a rule, fact or parameter; a table's result), when it was read.
    pub ty: Option<TypeExpr>,
    pub words: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct Declaration {
    pub doc: Option<String>,
    pub span: Span,
    pub kind: DeclKind,
}

#[derive(Clone, Debug)]
pub enum DeclKind {
    Rulebook(Metadata),
    Source(Metadata),
    Enum(EnumDecl),
    Record(RecordDecl),
    Fact(FieldDecl),
    Parameter(ParameterDecl),
    Table(TableDecl),
    Calendar(CalendarDecl),
    Rule(RuleDecl),
    Exception(ExceptionDecl),
    Reasons(ReasonsDecl),
    Amendment(AmendmentDecl),
    Example(ExampleDecl),
    Test(TestDecl),
}

impl DeclKind {
    /// The declared name, when the declaration has one.
    pub fn name(&self) -> &Ident {
        match self {
            DeclKind::Rulebook(m) | DeclKind::Source(m) => &m.name,
            DeclKind::Enum(d) => &d.name,
            DeclKind::Record(d) => &d.name,
            DeclKind::Fact(d) => &d.name,
            DeclKind::Parameter(d) => &d.name,
            DeclKind::Table(d) => &d.name,
            DeclKind::Calendar(d) => &d.name,
            DeclKind::Rule(d) => &d.name,
            DeclKind::Exception(d) => &d.name,
            DeclKind::Reasons(d) => &d.name,
            DeclKind::Amendment(d) => &d.name,
            DeclKind::Example(d) => &d.name,
            DeclKind::Test(d) => &d.name,
        }
    }

    /// The word used for this kind of declaration in messages and in `repeal KIND name`.
    pub fn keyword(&self) -> &'static str {
        match self {
            DeclKind::Rulebook(_) => "rulebook",
            DeclKind::Source(_) => "source",
            DeclKind::Enum(_) => "enum",
            DeclKind::Record(_) => "record",
            DeclKind::Fact(_) => "fact",
            DeclKind::Parameter(_) => "parameter",
            DeclKind::Table(_) => "table",
            DeclKind::Calendar(_) => "calendar",
            DeclKind::Rule(_) => "rule",
            DeclKind::Exception(_) => "exception",
            DeclKind::Reasons(_) => "reasons",
            DeclKind::Amendment(_) => "amendment",
            DeclKind::Example(_) => "example",
            DeclKind::Test(_) => "test",
        }
    }

    /// The in-force period written on the declaration itself, if any.
    pub fn in_force(&self) -> Option<&InForce> {
        match self {
            DeclKind::Parameter(d) => d.in_force.as_ref(),
            DeclKind::Table(d) => d.in_force.as_ref(),
            DeclKind::Calendar(d) => d.in_force.as_ref(),
            DeclKind::Rule(d) => d.in_force.as_ref(),
            DeclKind::Exception(d) => d.in_force.as_ref(),
            DeclKind::Reasons(d) => d.in_force.as_ref(),
            _ => None,
        }
    }

    pub fn citations(&self) -> &[Citation] {
        match self {
            DeclKind::Parameter(d) => &d.citations,
            DeclKind::Table(d) => &d.citations,
            DeclKind::Calendar(d) => &d.citations,
            DeclKind::Rule(d) => &d.citations,
            DeclKind::Exception(d) => &d.citations,
            DeclKind::Reasons(d) => &d.citations,
            DeclKind::Amendment(d) => &d.citations,
            DeclKind::Test(d) => &d.checks,
            _ => &[],
        }
    }
}

/// `rulebook` and `source` bodies: `key "value"` entries, and `as of path` for the rulebook.
#[derive(Clone, Debug)]
pub struct Metadata {
    pub name: Ident,
    pub entries: Vec<(Ident, String)>,
    pub as_of: Option<Vec<Ident>>,
}

impl Metadata {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct Citation {
    pub source: Ident,
    pub quote: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InForce {
    pub from: Option<Day>,
    pub until: Option<Day>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct TypeExpr {
    pub kind: TypeKind,
    pub optional: bool,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum TypeKind {
    Named(Ident),
    Money(Option<Ident>),
    List(Box<TypeExpr>),
}

#[derive(Clone, Debug)]
pub struct EnumDecl {
    pub name: Ident,
    pub variants: Vec<Variant>,
}

#[derive(Clone, Debug)]
pub struct Variant {
    pub doc: Option<String>,
    pub name: Ident,
    pub label: Option<String>,
}

#[derive(Clone, Debug)]
pub struct RecordDecl {
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
}

/// A record field or a top-level fact.
#[derive(Clone, Debug)]
pub struct FieldDecl {
    pub doc: Option<String>,
    pub name: Ident,
    pub ty: TypeExpr,
    pub default: Option<Expr>,
}

#[derive(Clone, Debug)]
pub struct ParameterDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    pub in_force: Option<InForce>,
    pub citations: Vec<Citation>,
    pub values: Vec<ParamValue>,
}

#[derive(Clone, Debug)]
pub struct ParamValue {
    pub from: Day,
    pub from_span: Span,
    pub value: Expr,
    pub citation: Option<Citation>,
}

#[derive(Clone, Debug)]
pub struct TableDecl {
    pub name: Ident,
    pub keys: Vec<(Ident, TypeExpr)>,
    pub ty: TypeExpr,
    /// `hit first` / `hit most specific` / `hit unique`, where the table declares one.
    pub hit: Option<(HitPolicy, Span)>,
    pub in_force: Option<InForce>,
    pub citations: Vec<Citation>,
    pub rows: Vec<TableRow>,
    pub otherwise: Option<(Expr, Option<Citation>, Span)>,
}

#[derive(Clone, Debug)]
pub struct TableRow {
    pub keys: Vec<PatternAlt>,
    pub value: Expr,
    pub citation: Option<Citation>,
    pub span: Span,
}

/// One or more alternative patterns (`armenia or belarus`).
#[derive(Clone, Debug)]
pub struct PatternAlt {
    pub alternatives: Vec<Pattern>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum Pattern {
    Wildcard(Span),
    Value(Expr),
    /// A band of an ordered key (`1..=3 days`, `more than 10 days`): table rows only.
    Band(Band),
}

/// Which row of a table answers when several match (DMN's hit policies).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HitPolicy {
    /// Rows must not overlap (the default).
    Unique,
    /// Rows are tried from the top; the first that matches answers.
    First,
    /// The matching row whose patterns lie inside every other matching row's answers.
    MostSpecific,
}

/// `low..=high`, `more than x`, `at least x`, `less than x`, `up to x`: a missing bound is
/// open-ended.
#[derive(Clone, Debug)]
pub struct Band {
    pub low: Option<BandBound>,
    pub high: Option<BandBound>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct BandBound {
    pub value: Expr,
    pub inclusive: bool,
    /// A bare number that takes the unit of the other bound (the `1` of `1..=3 days`).
    pub bare: bool,
}

#[derive(Clone, Debug)]
pub struct CalendarDecl {
    pub name: Ident,
    pub in_force: Option<InForce>,
    pub citations: Vec<Citation>,
    pub entries: Vec<CalendarEntry>,
}

#[derive(Clone, Debug)]
pub struct CalendarEntry {
    pub kind: CalendarEntryKind,
    pub period: Option<InForce>,
    pub citation: Option<Citation>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum CalendarEntryKind {
    Weekend(Vec<(String, Span)>),
    Holiday {
        name: String,
        when: HolidayWhen,
        carried_over: bool,
    },
    DayOff {
        day: Day,
        instead_of: Option<Day>,
        note: Option<String>,
    },
    WorkingDay {
        day: Day,
        note: Option<String>,
    },
}

#[derive(Clone, Debug)]
pub enum HolidayWhen {
    Every { month: u32, day: u32 },
    On(Vec<Day>),
}

#[derive(Clone, Debug)]
pub struct RuleDecl {
    pub output: bool,
    pub name: Ident,
    pub ty: TypeExpr,
    pub in_force: Option<InForce>,
    pub citations: Vec<Citation>,
    pub body: RuleBody,
}

#[derive(Clone, Debug)]
pub enum RuleBody {
    Expr(Expr),
    Cases {
        cases: Vec<Case>,
        otherwise: Option<Otherwise>,
    },
}

#[derive(Clone, Debug)]
pub struct Case {
    pub doc: Option<String>,
    pub condition: Expr,
    pub value: Expr,
    pub citation: Option<Citation>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Otherwise {
    pub value: Expr,
    pub citation: Option<Citation>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ExceptionDecl {
    pub name: Ident,
    pub target: Ident,
    pub in_force: Option<InForce>,
    pub citations: Vec<Citation>,
    pub cases: Vec<Case>,
}

#[derive(Clone, Debug)]
pub struct ReasonsDecl {
    pub output: bool,
    pub name: Ident,
    pub in_force: Option<InForce>,
    pub citations: Vec<Citation>,
    pub items: Vec<ReasonItem>,
}

#[derive(Clone, Debug)]
pub struct ReasonItem {
    pub doc: Option<String>,
    pub code: Ident,
    pub message: String,
    pub condition: Expr,
    pub citation: Option<Citation>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct AmendmentDecl {
    pub name: Ident,
    pub citations: Vec<Citation>,
    pub in_force: Day,
    pub in_force_span: Span,
    pub provisions: Vec<Provision>,
}

#[derive(Clone, Debug)]
pub struct Provision {
    pub doc: Option<String>,
    pub action: ProvisionAction,
    /// The provision's own in-force date, when it differs from the amendment's.
    pub from: Option<(Day, Span)>,
    /// `replace correcting [from DATE] parameter ...`: the new values also answer look-ups of
    /// earlier dates (from DATE, or all of them) instead of the values in force then.
    pub correcting: Option<Correction>,
    pub span: Span,
}

/// The `correcting [from DATE]` clause of a replaced parameter.
#[derive(Clone, Debug)]
pub struct Correction {
    /// The first date whose look-ups the new values answer; `None`: every date.
    pub from: Option<Day>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ProvisionAction {
    Add(Box<Declaration>),
    Replace(Box<Declaration>),
    Repeal {
        kind: String,
        kind_span: Span,
        name: Ident,
        citation: Option<Citation>,
    },
}

#[derive(Clone, Debug)]
pub struct ExampleDecl {
    pub name: Ident,
    pub facts: Expr,
}

#[derive(Clone, Debug)]
pub struct TestDecl {
    pub name: Ident,
    pub checks: Vec<Citation>,
    pub items: Vec<TestItem>,
}

#[derive(Clone, Debug)]
pub enum TestItem {
    AsOf(Day, Span),
    GivenExample(Ident),
    GivenFacts(Expr),
    Set(Vec<Ident>, Expr),
    Expect {
        output: Ident,
        value: Option<Expr>,
        span: Span,
    },
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DurationUnit {
    Days,
    Weeks,
    Months,
    Years,
    WorkingDays,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantifier {
    Any,
    All,
    Count,
    Sum,
    /// `map x in L of E`: the list of what `E` gives for each item, in order.
    Map,
    /// `filter x in L where C`: the items for which `C` holds, in order.
    Filter,
    /// `min x in L of E` / `max x in L of E`: the least / greatest value `E` gives; absent
    /// for an empty list.
    Min,
    Max,
}

impl Quantifier {
    /// The word that begins the form.
    pub fn word(self) -> &'static str {
        match self {
            Quantifier::Any => "any",
            Quantifier::All => "all",
            Quantifier::Count => "count",
            Quantifier::Sum => "sum",
            Quantifier::Map => "map",
            Quantifier::Filter => "filter",
            Quantifier::Min => "min",
            Quantifier::Max => "max",
        }
    }

    /// Whether the body is a condition (`where`), not a value (`of`).
    pub fn takes_condition(self) -> bool {
        matches!(
            self,
            Quantifier::Any | Quantifier::All | Quantifier::Count | Quantifier::Filter
        )
    }
}

#[derive(Clone, Debug)]
pub struct MatchArm {
    /// `None` is the `otherwise` arm.
    pub pattern: Option<PatternAlt>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Bool(bool),
    Integer(i64),
    Decimal(Decimal),
    Money(Decimal, Ident),
    Date(Day),
    Duration {
        amount: i64,
        unit: DurationUnit,
        calendar: Option<Ident>,
    },
    Text(String),
    /// `absent`: no value, for an optional.
    Absent,
    Name(Ident),
    Field(Box<Expr>, Ident),
    AsOf(Box<Expr>, Box<Expr>),
    Presence {
        value: Box<Expr>,
        present: bool,
    },
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Match(Box<Expr>, Vec<MatchArm>),
    Quantified {
        kind: Quantifier,
        var: Ident,
        list: Box<Expr>,
        body: Box<Expr>,
    },
    List(Vec<Expr>),
    Record(Vec<(Ident, Expr)>),
    Call(Ident, Vec<Expr>),
    /// A literal that failed to parse; its diagnostic has been reported.
    Invalid,
}
