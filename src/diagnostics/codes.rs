//! The stable diagnostic codes. A code never changes meaning once published; the table in
//! `docs/diagnostics.md` lists each one with an example, and `tests/data/check/err` holds
//! one failing rulebook per code.

use super::Severity;

macro_rules! codes {
    ($($name:ident = $code:literal, $sev:ident, $title:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($name),* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$name),*];

            /// The stable code, such as `Z0101`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => $code),* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$name => Severity::$sev),* }
            }

            /// A short title for documentation.
            pub fn title(self) -> &'static str {
                match self { $(Code::$name => $title),* }
            }

            /// The name of the code in `UpperCamelCase` (`RuleCycle`), for tools that want an
            /// identifier beside the code (SARIF's rule name).
            pub fn name(self) -> &'static str {
                match self { $(Code::$name => stringify!($name)),* }
            }
        }
    };
}

codes! {
    Syntax = "Z0001", Error, "syntax error";
    InvalidLiteral = "Z0002", Error, "invalid literal";
    LimitExceeded = "Z0003", Error, "input beyond a documented limit";
    UnclosedBracket = "Z0004", Error, "bracket not closed";
    TextAfterDeclaration = "Z0005", Error, "text after the end of a declaration";
    UnknownName = "Z0101", Error, "unknown name";
    DuplicateDeclaration = "Z0102", Error, "duplicate declaration";
    UnknownType = "Z0103", Error, "unknown type";
    UnknownField = "Z0104", Error, "unknown field";
    MissingField = "Z0105", Error, "missing field";
    WrongArity = "Z0106", Error, "wrong number of arguments";
    UnknownSource = "Z0107", Error, "citation of an unknown source";
    ExceptionToUnknownRule = "Z0108", Error, "exception to an unknown rule";
    RulebookHeader = "Z0109", Error, "missing or repeated rulebook header";
    UnknownVariant = "Z0110", Error, "unknown or ambiguous enum value";
    NotCallable = "Z0111", Error, "not a function or table";
    TypeMismatch = "Z0201", Error, "type mismatch";
    InvalidOperation = "Z0202", Error, "operation not defined on these types";
    MaybeAbsent = "Z0203", Error, "optional value used where a value is required";
    Incomparable = "Z0204", Error, "values that cannot be compared";
    ListsOfDifferentTypes = "Z0205", Error, "lists of different item types joined";
    NoOrder = "Z0206", Error, "least or greatest of values that have no order";
    QuantifierWord = "Z0207", Error, "`where` or `of` that does not fit the list form";
    RuleCycle = "Z0301", Error, "cycle between rules";
    NonExhaustiveTable = "Z0302", Error, "table does not cover every case";
    NonExhaustiveMatch = "Z0303", Error, "match does not cover every value";
    StaticConflict = "Z0304", Error, "definitions that conflict";
    NoApplicableCase = "Z0305", Warning, "a rule for which no case may apply";
    OverlappingRows = "Z0306", Error, "table rows that overlap";
    DuplicateReason = "Z0307", Error, "duplicate reason code";
    InvalidBand = "Z0308", Error, "a band that cannot match";
    UnreachableRow = "Z0309", Warning, "a table row that never answers";
    AmbiguousRows = "Z0310", Error, "matching rows, none more specific";
    AmendedTargetMissing = "Z0401", Error, "amendment of a declaration that does not exist";
    AlreadyRepealed = "Z0402", Error, "repeal of a declaration already repealed";
    DatesOutOfOrder = "Z0403", Error, "dates out of order";
    OverlappingPeriods = "Z0404", Error, "in-force periods that overlap";
    AmendedKindMismatch = "Z0405", Error, "amendment names a declaration of another kind";
    ConflictingProvisions = "Z0406", Error, "two provisions that change a name on the same date";
    MissingCitation = "Z0501", Warning, "rule without a citation";
    Unused = "Z0502", Warning, "unused declaration";
    OpenPoint = "Z0503", Note, "open point marked for review";
    QuoteNotInSource = "Z0504", Warning, "cited text not found in the source";
    SourceFileMissing = "Z0505", Warning, "source file not found in sources/";
    ConfusableName = "Z0506", Warning, "name with look-alike or invisible characters";
    BidiControl = "Z0507", Warning, "bidirectional control character in the text";
    InvalidTest = "Z0601", Error, "invalid test";
    SetAfterExpect = "Z0602", Warning, "`set` after an `expect` in a test";
    CalendarRequired = "Z0701", Error, "working days without a calendar";
    ParameterValues = "Z0702", Error, "parameter values out of order";
    ParameterValueLost = "Z0703", Warning, "a replacement that leaves a parameter without a value";
    RestatedValueIgnored = "Z0704", Warning, "a replacement that restates an earlier value differently";
}

impl Code {
    /// Codes that say the text does not parse as written, so a tool that rewrites it (`zan
    /// fmt`) must leave it alone rather than drop what it could not read.
    pub fn stops_formatting(self) -> bool {
        matches!(
            self,
            Code::Syntax | Code::UnclosedBracket | Code::TextAfterDeclaration | Code::LimitExceeded
        )
    }
}
