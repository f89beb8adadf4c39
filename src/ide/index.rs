//! The symbol index of an analysed rulebook: every declaration (top-level, inside an
//! amendment's provisions, enum values, record fields, reason codes) and every written name
//! with what it refers to. References come from the checker's own resolution (`Checked::uses`);
//! a name the checker did not reach (a file with errors, a repeal, a test path) falls back
//! to the declaration of that name, so navigation keeps working while a file is half-typed.

use crate::check::Symbol;
use crate::source::Span;
use crate::syntax::ast::{self, DeclKind, ExprKind};
use crate::syntax::Parsed;
use std::collections::HashMap;
use std::sync::Arc;

/// What kind of thing a declaration is, in the language's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeclWhat {
    Rulebook,
    Source,
    Enum,
    Record,
    Fact,
    Parameter,
    Table,
    Calendar,
    Rule,
    Exception,
    Reasons,
    Amendment,
    Example,
    Test,
    Variant,
    Field,
    Reason,
}

impl DeclWhat {
    pub fn word(self) -> &'static str {
        match self {
            DeclWhat::Rulebook => "rulebook",
            DeclWhat::Source => "source",
            DeclWhat::Enum => "enum",
            DeclWhat::Record => "record",
            DeclWhat::Fact => "fact",
            DeclWhat::Parameter => "parameter",
            DeclWhat::Table => "table",
            DeclWhat::Calendar => "calendar",
            DeclWhat::Rule => "rule",
            DeclWhat::Exception => "exception",
            DeclWhat::Reasons => "reasons",
            DeclWhat::Amendment => "amendment",
            DeclWhat::Example => "example",
            DeclWhat::Test => "test",
            DeclWhat::Variant => "enum value",
            DeclWhat::Field => "field",
            DeclWhat::Reason => "reason",
        }
    }

    fn of(kind: &DeclKind) -> DeclWhat {
        match kind {
            DeclKind::Rulebook(_) => DeclWhat::Rulebook,
            DeclKind::Source(_) => DeclWhat::Source,
            DeclKind::Enum(_) => DeclWhat::Enum,
            DeclKind::Record(_) => DeclWhat::Record,
            DeclKind::Fact(_) => DeclWhat::Fact,
            DeclKind::Parameter(_) => DeclWhat::Parameter,
            DeclKind::Table(_) => DeclWhat::Table,
            DeclKind::Calendar(_) => DeclWhat::Calendar,
            DeclKind::Rule(_) => DeclWhat::Rule,
            DeclKind::Exception(_) => DeclWhat::Exception,
            DeclKind::Reasons(_) => DeclWhat::Reasons,
            DeclKind::Amendment(_) => DeclWhat::Amendment,
            DeclKind::Example(_) => DeclWhat::Example,
            DeclKind::Test(_) => DeclWhat::Test,
        }
    }
}

/// How an amendment provision touches a declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvisionRef {
    pub amendment: String,
    /// The provision's own date, or the amendment's.
    pub from: crate::time::date::Day,
    /// `add`, `replace` or `repeal`.
    pub action: &'static str,
    pub span: Span,
}

/// One declared thing.
#[derive(Clone, Debug)]
pub struct DeclEntry {
    pub symbol: Symbol,
    pub what: DeclWhat,
    pub name: String,
    pub name_span: Span,
    /// The whole declaration (for outlines and folding).
    pub span: Span,
    /// The provision that declares it, when it is declared inside an amendment.
    pub provision: Option<ProvisionRef>,
    /// Index of the top-level declaration (in `Index::top`) that holds it.
    pub top: usize,
}

/// A written name and what it refers to.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub span: Span,
    pub symbol: Symbol,
    /// True where the name is declared rather than used.
    pub is_declaration: bool,
}

#[derive(Default)]
pub struct Index {
    pub decls: Vec<DeclEntry>,
    /// Sorted by span.
    pub occurrences: Vec<Occurrence>,
    /// The parsed files the index was built from.
    pub parsed: Vec<Arc<Parsed>>,
    /// Top-level declarations in source order: (position in `parsed`, position in its file).
    pub top: Vec<(usize, usize)>,
    by_symbol: HashMap<Symbol, Vec<usize>>,
    /// Provisions of amendments that add, replace or repeal each amendable name.
    pub provisions: HashMap<String, Vec<ProvisionRef>>,
}

impl Index {
    pub fn build(parsed: &[Arc<Parsed>], uses: &crate::check::Uses) -> Index {
        let mut b = Builder {
            index: Index::default(),
            names: Vec::new(),
        };
        for (fi, file) in parsed.iter().enumerate() {
            for (di, d) in file.ast.declarations.iter().enumerate() {
                b.declaration(d, None);
                b.index.top.push((fi, di));
            }
        }
        b.index.parsed = parsed.to_vec();
        let globals: HashMap<String, ()> = b
            .index
            .decls
            .iter()
            .filter(|d| matches!(d.symbol, Symbol::Decl(_)))
            .map(|d| (d.name.clone(), ()))
            .collect();
        let variants: HashMap<&str, Vec<Symbol>> =
            b.index
                .decls
                .iter()
                .fold(HashMap::new(), |mut m: HashMap<&str, Vec<Symbol>>, d| {
                    if d.what == DeclWhat::Variant {
                        m.entry(d.name.as_str()).or_default().push(d.symbol.clone());
                    }
                    m
                });
        let mut occurrences: Vec<Occurrence> = b
            .index
            .decls
            .iter()
            .map(|d| Occurrence {
                span: d.name_span,
                symbol: d.symbol.clone(),
                is_declaration: true,
            })
            .collect();
        for (id, role) in std::mem::take(&mut b.names) {
            if let Some(symbol) = uses.get(&id.span) {
                occurrences.push(Occurrence {
                    span: id.span,
                    symbol: symbol.clone(),
                    is_declaration: false,
                });
                continue;
            }
            let fallback = match role {
                Role::Global if globals.contains_key(&id.name) => {
                    Some(Symbol::Decl(id.name.clone()))
                }
                Role::Global => match variants.get(id.name.as_str()).map(Vec::as_slice) {
                    Some([one]) => Some(one.clone()),
                    _ => None,
                },
                Role::Unresolved => None,
            };
            if let Some(symbol) = fallback {
                occurrences.push(Occurrence {
                    span: id.span,
                    symbol,
                    is_declaration: false,
                });
            }
        }
        // Bindings of quantifier variables are recorded by the checker as uses of
        // themselves; keep one occurrence per span, the declaration first.
        occurrences.sort_by_key(|o| (o.span, !o.is_declaration));
        occurrences.dedup_by_key(|o| o.span);
        let mut index = b.index;
        for (i, d) in index.decls.iter().enumerate() {
            index.by_symbol.entry(d.symbol.clone()).or_default().push(i);
        }
        index.occurrences = occurrences;
        index
    }

    /// The name written at `offset` (or ending there, so a cursor just after a name works).
    pub fn occurrence_at(&self, file: crate::source::FileId, offset: u32) -> Option<&Occurrence> {
        let i = self
            .occurrences
            .partition_point(|o| (o.span.file, o.span.start) <= (file, offset));
        self.occurrences[..i]
            .iter()
            .rev()
            .take(2)
            .find(|o| o.span.file == file && o.span.start <= offset && offset <= o.span.end)
    }

    /// The declarations of a symbol: baseline ones first, then those inside amendments.
    pub fn declarations(&self, symbol: &Symbol) -> Vec<&DeclEntry> {
        let mut out: Vec<&DeclEntry> = self
            .by_symbol
            .get(symbol)
            .map(|ids| ids.iter().filter_map(|&i| self.decls.get(i)).collect())
            .unwrap_or_default();
        out.sort_by_key(|d| (d.provision.is_some(), d.name_span));
        out
    }

    /// Every occurrence of a symbol, declarations included.
    pub fn references(&self, symbol: &Symbol) -> Vec<&Occurrence> {
        self.occurrences
            .iter()
            .filter(|o| &o.symbol == symbol)
            .collect()
    }

    /// Top-level declarations of a kind, by name (for completion).
    pub fn globals(&self) -> impl Iterator<Item = &DeclEntry> {
        self.decls
            .iter()
            .filter(|d| matches!(d.symbol, Symbol::Decl(_)))
    }

    /// The top-level declaration a declaration entry belongs to.
    pub fn top_of(&self, d: &DeclEntry) -> Option<&ast::Declaration> {
        self.top_decl(d.top)
    }

    /// The `i`th top-level declaration.
    pub fn top_decl(&self, i: usize) -> Option<&ast::Declaration> {
        let (f, d) = *self.top.get(i)?;
        self.parsed.get(f)?.ast.declarations.get(d)
    }

    /// The declaration of a top-level name itself (baseline first), with its entry.
    pub fn declaration_of(&self, name: &str) -> Option<(&DeclEntry, &ast::Declaration)> {
        let entry = *self.declarations(&Symbol::Decl(name.to_string())).first()?;
        Some((entry, self.decl_node(entry)?))
    }

    /// The syntax node that declares an entry: for a provision's declaration, the declaration
    /// inside the provision; for a value, field or reason, its top-level declaration.
    pub fn decl_node(&self, entry: &DeclEntry) -> Option<&ast::Declaration> {
        let top = self.top_of(entry)?;
        if entry.provision.is_none() {
            return Some(top);
        }
        let DeclKind::Amendment(a) = &top.kind else {
            return Some(top);
        };
        a.provisions.iter().find_map(|p| match &p.action {
            ast::ProvisionAction::Add(d) | ast::ProvisionAction::Replace(d)
                if d.span.start <= entry.name_span.start && entry.name_span.end <= d.span.end =>
            {
                Some(&**d)
            }
            _ => None,
        })
    }
}

/// How to resolve a name the checker did not record.
#[derive(Clone, Copy)]
enum Role {
    /// A declaration of this name, or an enum value of this name when it is unique.
    Global,
    /// Only the checker knows (record fields after a dot, record-literal fields).
    Unresolved,
}

struct Builder {
    index: Index,
    names: Vec<(ast::Ident, Role)>,
}

impl Builder {
    fn declare(
        &mut self,
        symbol: Symbol,
        what: DeclWhat,
        id: &ast::Ident,
        span: Span,
        provision: &Option<ProvisionRef>,
    ) {
        self.index.decls.push(DeclEntry {
            symbol,
            what,
            name: id.name.clone(),
            name_span: id.span,
            span,
            provision: provision.clone(),
            top: self.index.top.len(),
        });
    }

    fn name(&mut self, id: &ast::Ident, role: Role) {
        self.names.push((id.clone(), role));
    }

    fn declaration(&mut self, d: &ast::Declaration, provision: Option<ProvisionRef>) {
        let name = d.kind.name();
        self.declare(
            Symbol::Decl(name.name.clone()),
            DeclWhat::of(&d.kind),
            name,
            d.span,
            &provision,
        );
        for c in d.kind.citations() {
            self.citation(c);
        }
        if let Some(p) = &provision {
            self.index
                .provisions
                .entry(name.name.clone())
                .or_default()
                .push(p.clone());
        }
        match &d.kind {
            DeclKind::Rulebook(m) => {
                for seg in m.as_of.iter().flatten().take(1) {
                    self.name(seg, Role::Global);
                }
                for seg in m.as_of.iter().flatten().skip(1) {
                    self.name(seg, Role::Unresolved);
                }
            }
            DeclKind::Source(_) => {}
            DeclKind::Enum(e) => {
                for v in &e.variants {
                    let symbol = Symbol::Variant {
                        enum_name: e.name.name.clone(),
                        variant: v.name.name.clone(),
                    };
                    self.declare(symbol, DeclWhat::Variant, &v.name, v.name.span, &provision);
                }
            }
            DeclKind::Record(r) => {
                for f in &r.fields {
                    let symbol = Symbol::Field {
                        record: r.name.name.clone(),
                        field: f.name.name.clone(),
                    };
                    let span = f.name.span.to(f.ty.span);
                    self.declare(symbol, DeclWhat::Field, &f.name, span, &provision);
                    self.ty(&f.ty);
                    if let Some(e) = &f.default {
                        self.expr(e);
                    }
                }
            }
            DeclKind::Fact(f) => {
                self.ty(&f.ty);
                if let Some(e) = &f.default {
                    self.expr(e);
                }
            }
            DeclKind::Parameter(p) => {
                self.ty(&p.ty);
                for v in &p.values {
                    self.expr(&v.value);
                    self.citations(v.citation.iter());
                }
            }
            DeclKind::Table(t) => {
                for (_, ty) in &t.keys {
                    self.ty(ty);
                }
                self.ty(&t.ty);
                for row in &t.rows {
                    for k in &row.keys {
                        self.pattern_alt(k);
                    }
                    self.expr(&row.value);
                    self.citations(row.citation.iter());
                }
                if let Some((e, c, _)) = &t.otherwise {
                    self.expr(e);
                    self.citations(c.iter());
                }
            }
            DeclKind::Calendar(c) => {
                for e in &c.entries {
                    self.citations(e.citation.iter());
                }
            }
            DeclKind::Rule(r) => {
                self.ty(&r.ty);
                match &r.body {
                    ast::RuleBody::Expr(e) => self.expr(e),
                    ast::RuleBody::Cases { cases, otherwise } => {
                        self.cases(cases);
                        if let Some(o) = otherwise {
                            self.expr(&o.value);
                            self.citations(o.citation.iter());
                        }
                    }
                }
            }
            DeclKind::Exception(x) => {
                self.name(&x.target, Role::Global);
                self.cases(&x.cases);
            }
            DeclKind::Reasons(r) => {
                for item in &r.items {
                    let symbol = Symbol::Reason(item.code.name.clone());
                    self.declare(symbol, DeclWhat::Reason, &item.code, item.span, &provision);
                    self.expr(&item.condition);
                    self.citations(item.citation.iter());
                }
            }
            DeclKind::Amendment(a) => self.amendment(a),
            DeclKind::Example(x) => self.expr(&x.facts),
            DeclKind::Test(t) => {
                for item in &t.items {
                    match item {
                        ast::TestItem::AsOf(..) => {}
                        ast::TestItem::GivenExample(id) => self.name(id, Role::Global),
                        ast::TestItem::GivenFacts(e) => self.expr(e),
                        ast::TestItem::Set(path, e) => {
                            for (i, seg) in path.iter().enumerate() {
                                let role = if i == 0 {
                                    Role::Global
                                } else {
                                    Role::Unresolved
                                };
                                self.name(seg, role);
                            }
                            self.expr(e);
                        }
                        ast::TestItem::Expect { output, value, .. } => {
                            self.name(output, Role::Global);
                            if let Some(v) = value {
                                self.expr(v);
                            }
                        }
                    }
                }
            }
        }
    }

    fn amendment(&mut self, a: &ast::AmendmentDecl) {
        for p in &a.provisions {
            let from = p.from.map_or(a.in_force, |(d, _)| d);
            let (action, inner) = match &p.action {
                ast::ProvisionAction::Add(d) => ("add", Some(d)),
                ast::ProvisionAction::Replace(d) => ("replace", Some(d)),
                ast::ProvisionAction::Repeal { name, citation, .. } => {
                    self.name(name, Role::Global);
                    self.citations(citation.iter());
                    self.index
                        .provisions
                        .entry(name.name.clone())
                        .or_default()
                        .push(ProvisionRef {
                            amendment: a.name.name.clone(),
                            from,
                            action: "repeal",
                            span: p.span,
                        });
                    ("repeal", None)
                }
            };
            if let Some(d) = inner {
                let provision = ProvisionRef {
                    amendment: a.name.name.clone(),
                    from,
                    action,
                    span: p.span,
                };
                self.declaration(d, Some(provision));
            }
        }
    }

    fn citations<'c>(&mut self, cs: impl Iterator<Item = &'c ast::Citation>) {
        for c in cs {
            self.citation(c);
        }
    }

    fn citation(&mut self, c: &ast::Citation) {
        self.name(&c.source, Role::Global);
    }

    fn cases(&mut self, cases: &[ast::Case]) {
        for c in cases {
            self.expr(&c.condition);
            self.expr(&c.value);
            self.citations(c.citation.iter());
        }
    }

    fn ty(&mut self, t: &ast::TypeExpr) {
        match &t.kind {
            ast::TypeKind::Named(id) => self.name(id, Role::Global),
            ast::TypeKind::Money(_) => {}
            ast::TypeKind::List(inner) => self.ty(inner),
        }
    }

    fn pattern_alt(&mut self, p: &ast::PatternAlt) {
        for alt in &p.alternatives {
            if let ast::Pattern::Value(e) = alt {
                self.expr(e);
            }
        }
    }

    fn expr(&mut self, e: &ast::Expr) {
        match &e.kind {
            ExprKind::Name(id) => self.name(id, Role::Global),
            ExprKind::Field(base, f) => {
                self.expr(base);
                self.name(f, Role::Unresolved);
            }
            ExprKind::Duration {
                calendar: Some(c), ..
            } => self.name(c, Role::Global),
            ExprKind::AsOf(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Presence { value, .. } => self.expr(value),
            ExprKind::Unary(_, x) => self.expr(x),
            ExprKind::Binary(_, l, r) => {
                self.expr(l);
                self.expr(r);
            }
            ExprKind::If(c, t, f) => {
                self.expr(c);
                self.expr(t);
                self.expr(f);
            }
            ExprKind::Match(x, arms) => {
                self.expr(x);
                for arm in arms {
                    if let Some(p) = &arm.pattern {
                        self.pattern_alt(p);
                    }
                    self.expr(&arm.value);
                }
            }
            ExprKind::Quantified {
                var, list, body, ..
            } => {
                self.name(var, Role::Unresolved);
                self.expr(list);
                self.expr(body);
            }
            ExprKind::List(items) => {
                for it in items {
                    self.expr(it);
                }
            }
            ExprKind::Record(fields) => {
                for (name, value) in fields {
                    self.name(name, Role::Unresolved);
                    self.expr(value);
                }
            }
            ExprKind::Call(name, args) => {
                self.name(name, Role::Global);
                for a in args {
                    self.expr(a);
                }
            }
            ExprKind::Bool(_)
            | ExprKind::Integer(_)
            | ExprKind::Decimal(_)
            | ExprKind::Money(..)
            | ExprKind::Date(_)
            | ExprKind::Duration { .. }
            | ExprKind::Text(_)
            | ExprKind::Absent
            | ExprKind::Invalid => {}
        }
    }
}
