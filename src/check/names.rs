//! What a name means in one consolidated version: the rules, tables, parameters and
//! calendars in force, with their types; and the global schema shared by all versions.

use crate::diagnostics::{Code, Diagnostic};
use crate::ir::*;
use crate::source::{SourceMap, Span};
use crate::syntax::ast;
use crate::time::date::Day;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// An in-force period: first and last day, open-ended when `None`.
pub type Period = (Option<Day>, Option<Day>);

/// Resolved names by the span where they are written (a fast hash: spans are small keys,
/// and every version of the rulebook records them again).
pub type Uses = HashMap<Span, Symbol>;

/// What a name written in the rulebook refers to, recorded as the checker resolves it, so
/// that the language server answers from the checker's own resolution (no second resolver).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// A top-level declaration by name: fact, rule, reasons, parameter, table, calendar,
    /// enum, record, source, example.
    Decl(String),
    Variant {
        enum_name: String,
        variant: String,
    },
    Field {
        record: String,
        field: String,
    },
    /// A quantifier variable, by the span of its binding.
    Local {
        name: String,
        binding: Span,
    },
    /// A reason code given by a `reasons` declaration.
    Reason(String),
}

/// Declarations that do not change with time: the schema, sources, amendments.
pub struct Globals<'a> {
    pub map: &'a SourceMap,
    pub diags: Vec<Diagnostic>,
    pub schema: Schema,
    pub enum_ids: HashMap<String, EnumId>,
    pub record_ids: HashMap<String, RecordId>,
    pub fact_ids: HashMap<String, u32>,
    pub sources: Vec<SourceInfo>,
    pub source_ids: HashMap<String, SourceId>,
    pub amendments: Vec<AmendmentInfo>,
    /// Names referenced anywhere, for the unused-declaration warning.
    pub used: HashSet<String>,
    /// Every resolved name by the span where it is written.
    pub uses: Uses,
    /// Every amendable name with the periods in which it is in force (for messages).
    pub periods: HashMap<String, Vec<Period>>,
    /// Legal texts with whitespace collapsed, by source, once each (`None`: text not loaded).
    legal_texts: HashMap<SourceId, Option<String>>,
    /// Quotes already looked up (by source and hash of the quote).
    quotes_checked: HashSet<(SourceId, u64)>,
    /// Enum values by name, with their enum and index, in the order of the enums; built for
    /// the first `schema.enums.len()` enums (again when enums were added since).
    variant_index: (usize, HashMap<String, Vec<(EnumId, u32)>>),
    /// The declarations that did not parse (`broken.rs`).
    pub broken: super::broken::Broken,
    /// The names only an amendment adds (`added.rs`).
    pub added: HashMap<String, super::added::Added>,
    /// The declaration whose expressions are being checked: its kind and dates.
    pub checking: Option<super::added::Checking>,
}

impl<'a> Globals<'a> {
    pub fn new(map: &'a SourceMap) -> Globals<'a> {
        Globals {
            map,
            diags: Vec::new(),
            schema: Schema::default(),
            enum_ids: HashMap::default(),
            record_ids: HashMap::default(),
            fact_ids: HashMap::default(),
            sources: Vec::new(),
            source_ids: HashMap::default(),
            amendments: Vec::new(),
            used: HashSet::default(),
            uses: Uses::default(),
            periods: HashMap::default(),
            legal_texts: HashMap::default(),
            quotes_checked: HashSet::default(),
            variant_index: (0, HashMap::default()),
            broken: super::broken::Broken::default(),
            added: HashMap::default(),
            checking: None,
        }
    }

    /// The enums that have a value of this name, with its index, in the order of the enums.
    pub fn variants_named(&mut self, name: &str) -> &[(EnumId, u32)] {
        if self.variant_index.0 != self.schema.enums.len() {
            let mut index: HashMap<String, Vec<(EnumId, u32)>> = HashMap::default();
            for (e, info) in self.schema.enums.iter().enumerate() {
                // The built-in weekdays are named only where a weekday is expected.
                if self.schema.weekday == Some(e as EnumId) {
                    continue;
                }
                for (i, v) in info.variants.iter().enumerate() {
                    let list = index.entry(v.name.clone()).or_default();
                    // The first value of that name in each enum (names are unique in an enum).
                    if list.last().is_none_or(|(last, _)| *last != e as EnumId) {
                        list.push((e as EnumId, i as u32));
                    }
                }
            }
            self.variant_index = (self.schema.enums.len(), index);
        }
        self.variant_index.1.get(name).map_or(&[], Vec::as_slice)
    }

    pub fn error(&mut self, d: Diagnostic) {
        if !self.follows_from_broken(&d) {
            self.diags.push(d);
        }
    }

    /// `id` names the top-level declaration of that name: mark it used and remember where.
    pub fn use_decl(&mut self, id: &ast::Ident) {
        if !self.used.contains(&id.name) {
            self.used.insert(id.name.clone());
        }
        self.refer(id, || Symbol::Decl(id.name.clone()));
    }

    /// Remember what `id` refers to (once: every version resolves it the same way).
    pub fn refer(&mut self, id: &ast::Ident, symbol: impl FnOnce() -> Symbol) {
        self.uses.entry(id.span).or_insert_with(symbol);
    }

    /// Resolve a written type.
    pub fn resolve_type(&mut self, t: &ast::TypeExpr) -> Type {
        let base = match &t.kind {
            ast::TypeKind::Money(None) => Type::Money("KZT".into()),
            ast::TypeKind::Money(Some(c)) => Type::Money(c.name.as_str().into()),
            ast::TypeKind::List(inner) => Type::List(Box::new(self.resolve_type(inner))),
            ast::TypeKind::Named(id) => self.named_type(id),
        };
        if t.optional && !base.is_error() {
            Type::Optional(Box::new(base))
        } else {
            base
        }
    }

    fn named_type(&mut self, id: &ast::Ident) -> Type {
        let builtin = match id.name.as_str() {
            "bool" => Some(Type::Bool),
            "integer" => Some(Type::Integer),
            "decimal" => Some(Type::Decimal),
            "date" => Some(Type::Date),
            "duration" => Some(Type::Duration),
            "text" => Some(Type::Text),
            "period" => Some(Type::Period),
            "reason" => Some(Type::Reason),
            WEEKDAY_ENUM => self.schema.weekday.map(Type::Enum),
            _ => None,
        };
        if let Some(t) = builtin {
            return t;
        }
        if let Some(&e) = self.enum_ids.get(&id.name) {
            self.use_decl(id);
            return Type::Enum(e);
        }
        if let Some(&r) = self.record_ids.get(&id.name) {
            self.use_decl(id);
            return Type::Record(r);
        }
        let mut candidates: Vec<&str> = vec![
            "bool",
            "integer",
            "decimal",
            "money",
            "date",
            "duration",
            "text",
            "period",
            "reason",
            WEEKDAY_ENUM,
        ];
        candidates.extend(self.enum_ids.keys().map(String::as_str));
        candidates.extend(self.record_ids.keys().map(String::as_str));
        let mut d = Diagnostic::new(
            Code::UnknownType,
            id.span,
            format!("unknown type `{}`", id.name),
        )
        .label("no type of this name");
        d = match crate::diagnostics::suggest(&id.name, candidates.into_iter()) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help("types are bool, integer, decimal, money, date, duration, text, period, reason, list of T, T?, or a declared enum or record"),
        };
        self.error(d);
        Type::Error
    }

    /// A citation of a declared source.
    pub fn citation(&mut self, c: &ast::Citation) -> Option<Citation> {
        match self.source_ids.get(&c.source.name) {
            Some(&source) => {
                self.use_decl(&c.source);
                if let Some(quote) = &c.quote {
                    self.check_quote(source, quote, c.span);
                }
                Some(Citation {
                    source,
                    quote: c.quote.clone(),
                    span: c.span,
                })
            }
            None => {
                let names: Vec<&str> = self.source_ids.keys().map(String::as_str).collect();
                let mut d = Diagnostic::new(
                    Code::UnknownSource,
                    c.source.span,
                    format!("`{}` is not a declared source", c.source.name),
                )
                .label("cited here");
                d = match crate::diagnostics::suggest(&c.source.name, names.into_iter()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help("declare it with `source NAME { title \"...\" file \"...\" }`"),
                };
                self.error(d);
                None
            }
        }
    }

    /// A cited sentence must stand in the source's text, when that text was loaded: a quote
    /// that drifted from the law is a citation nobody can follow.
    fn check_quote(&mut self, source: SourceId, quote: &str, span: Span) {
        // Each version checks the same citations again, and a sentence is often cited in
        // several places: look each quote up once (keyed by a 64-bit hash, not a copy).
        let key = {
            use std::hash::BuildHasher;
            rustc_hash::FxBuildHasher.hash_one(quote)
        };
        if !self.quotes_checked.insert((source, key)) {
            return;
        }
        let map = self.map;
        let info = &self.sources[source as usize];
        let text = self.legal_texts.entry(source).or_insert_with(|| {
            let file = info.file.as_deref()?;
            map.legal_text(file).map(|t| collapse_whitespace(&t.text))
        });
        let Some(text) = text else { return };
        let wanted = collapse_whitespace(quote);
        if wanted.is_empty() || contains_with_elisions(text, &wanted) {
            return;
        }
        let found = longest_found_prefix(text, &wanted);
        let file = info.file.clone().unwrap_or_default();
        let mut d = Diagnostic::new(
            Code::QuoteNotInSource,
            span,
            format!("the cited text is not in `{file}`"),
        )
        .label("not found in the source");
        d = if found.is_empty() {
            d.help("copy the sentence exactly as it stands in the source file")
        } else {
            d.help(format!(
                "the source has the text up to \"{found}\" and then differs; copy the sentence exactly"
            ))
        };
        self.error(d);
    }

    pub fn citations(&mut self, cs: &[ast::Citation]) -> Vec<Citation> {
        cs.iter().filter_map(|c| self.citation(c)).collect()
    }

    /// When an amendable name is in force ("from 2026-03-10, until 2025-01-01"), for the help
    /// of a message about a name this version does not have; `None` for a name never in force.
    pub fn in_force_words(&self, name: &str) -> Option<String> {
        let periods = self.periods.get(name)?;
        Some(
            periods
                .iter()
                .map(|&(from, until)| crate::time::period::describe(from, until))
                .collect::<Vec<_>>()
                .join(", "),
        )
    }

    /// `money`, `date?`, `list of Country`: the schema's rendering (`Schema::type_name`).
    pub fn type_name(&self, t: &Type) -> String {
        self.schema.type_name(t)
    }

    pub fn snippet(&self, span: Span) -> String {
        self.map.snippet(span).to_string()
    }
}

/// The names in force in one version, with their ids and types.
#[derive(Default)]
pub struct VersionNames {
    pub rules: HashMap<String, (RuleId, Type)>,
    pub tables: HashMap<String, (TableId, Vec<Type>, Type)>,
    pub params: HashMap<String, (ParamId, Type)>,
    pub calendars: HashMap<String, CalendarId>,
    /// Reason codes: code → (rule, item index).
    pub reasons: HashMap<String, Vec<(RuleId, u32)>>,
    pub exceptions: HashSet<String>,
}

/// Runs of whitespace (line breaks in the source, indentation in a quote) count as one space.
fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `text` contains `quote`, where `...` (or `…`) in the quote stands for omitted
/// words: the parts around it must occur in order.
fn contains_with_elisions(text: &str, quote: &str) -> bool {
    let mut rest = text;
    for part in quote.split("...").flat_map(|p| p.split('…')) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// The longest prefix of `quote`, cut at a word boundary, that occurs in `text`.
fn longest_found_prefix<'q>(text: &str, quote: &'q str) -> &'q str {
    let mut best = "";
    for (i, _) in quote.match_indices(' ') {
        let prefix = &quote[..i];
        if text.contains(prefix) {
            best = prefix;
        } else {
            break;
        }
    }
    best
}
