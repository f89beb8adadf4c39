//! Whether two cases of equal rank can apply to the same situation (Z0304 beyond identical
//! conditions). Each condition is put in a bounded disjunctive normal form whose atoms constrain
//! one fact or field path: intervals on integers, decimals, money and dates (strict or inclusive
//! bounds, integers and dates discrete), sets of enum or boolean values, presence, and equality
//! between two paths (union-find). Anything else is an unknown atom, and a conjunction with an
//! unknown atom is "cannot decide" unless its known atoms are already contradictory: the check
//! reports only overlaps it can show with a witness, never one that cannot happen.
//!
//! The atoms follow the evaluator (`eval::Machine::truth`): `x == c` is false when `x` is
//! absent, `x != c` true, an ordering of an absent value, a field of an absent record or an
//! absent `x` used as a condition is an error (the case does not apply). So every condition has
//! two forms: "evaluates to true" (`holds`) and "evaluates to false without an error" (`fails`);
//! `a or b` holds when `a` holds, or `a` fails and `b` holds (`b` is not reached otherwise).

use crate::ir::{CaseIr, CmpOp, Definition, Ex, RuleBodyIr, RuleIr, Schema, Type};
use crate::value::Value;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap as HashMap;

/// Beyond this many disjuncts a condition is "cannot decide".
const MAX_DISJUNCTS: usize = 64;
/// Beyond this many cases in the exceptions that must not apply, "cannot decide".
const MAX_EXCEPTION_CASES: usize = 32;
/// Beyond this many pairs of cases with different values in one definition, the overlap check
/// gives up on it (a flat set of thousands of exceptions must still check in linear time).
pub const MAX_PAIRS: usize = 4096;

/// A fact slot followed by field slots.
type Path = Vec<u32>;

#[derive(Clone, Debug)]
enum Atom {
    /// A condition this check does not decide.
    Unknown,
    Present(Path, bool),
    /// An ordered value within a bound (`Eq` is both bounds); the value is present.
    Bound(Path, CmpOp, Decimal),
    /// An ordered value other than this one, or absent.
    Excluded(Path, Decimal),
    /// An enum or boolean value among these (by index); absent allowed unless the flag says.
    Among(Path, Vec<bool>, bool),
    /// Two paths with equal values (both absent counts as equal).
    Same(Path, Path),
}

/// Disjunction of conjunctions.
type Dnf = Vec<Vec<Atom>>;

fn unknown() -> Dnf {
    vec![vec![Atom::Unknown]]
}

fn always() -> Dnf {
    vec![Vec::new()]
}

fn never() -> Dnf {
    Vec::new()
}

fn either(mut a: Dnf, b: Dnf) -> Dnf {
    if a.len() + b.len() > MAX_DISJUNCTS {
        return unknown();
    }
    a.extend(b);
    a
}

fn both(a: &Dnf, b: &Dnf) -> Dnf {
    if a.len() * b.len() > MAX_DISJUNCTS {
        return unknown();
    }
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            out.push(x.iter().chain(y).cloned().collect());
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    /// Integers and dates (day numbers).
    Discrete,
    /// Decimals and money.
    Dense,
    /// An enum or bool with this many values.
    Choice(usize),
    Other,
}

fn number(v: &Value) -> Option<Decimal> {
    match v {
        Value::Integer(n) => Some(Decimal::from(*n)),
        Value::Decimal(d) | Value::Money(d) => Some(*d),
        Value::Date(d) => Some(Decimal::from(*d)),
        _ => None,
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}

fn negate(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Ne,
        CmpOp::Ne => CmpOp::Eq,
        CmpOp::Lt => CmpOp::Ge,
        CmpOp::Le => CmpOp::Gt,
        CmpOp::Gt => CmpOp::Le,
        CmpOp::Ge => CmpOp::Lt,
    }
}

/// Normal forms of conditions, over one version's schema.
struct Normaliser<'s> {
    schema: &'s Schema,
    /// The rules compiled so far, by id: a reference to one that is one expression (no cases,
    /// no exceptions) reads as its expression (its value is that expression's, memoised or
    /// not). Any other rule is "cannot decide".
    rules: &'s [RuleIr],
    /// Rules being read through, to bound the reading (cycles are reported after compiling).
    depth: std::cell::Cell<u32>,
}

/// How many rules deep a condition is read through.
const MAX_INLINE_DEPTH: u32 = 8;

/// The expression of a rule that is one expression (no cases, no exceptions).
fn one_expression(rule: &RuleIr) -> Option<&Ex> {
    match &rule.body {
        RuleBodyIr::Definition(d) if d.cases.is_empty() && d.exceptions.is_empty() => d
            .otherwise
            .as_ref()
            .filter(|o| o.condition.is_none())
            .map(|o| &o.value),
        _ => None,
    }
}

impl Normaliser<'_> {
    fn new<'s>(schema: &'s Schema, rules: &'s [RuleIr]) -> Normaliser<'s> {
        Normaliser {
            schema,
            rules,
            depth: std::cell::Cell::new(0),
        }
    }

    /// The body of a rule that reads as one expression, if it may be read through here.
    fn body(&self, r: u32) -> Option<&Ex> {
        if self.depth.get() >= MAX_INLINE_DEPTH {
            return None;
        }
        one_expression(self.rules.get(r as usize)?)
    }

    fn through<T>(&self, f: impl FnOnce() -> T) -> T {
        self.depth.set(self.depth.get() + 1);
        let out = f();
        self.depth.set(self.depth.get() - 1);
        out
    }

    /// A fact or a field read in place (possibly through `x is present`'s unwrap, as a
    /// decimal, or through a rule that is one such expression): its path, and whether it is
    /// unwrapped (absent is then an error).
    fn term(&self, e: &Ex) -> Option<(Path, bool)> {
        match e {
            Ex::Fact(s) => Some((vec![*s], false)),
            Ex::Field(b, i) => {
                let (mut p, _) = self.term(b)?;
                p.push(*i);
                Some((p, false))
            }
            Ex::Unwrap(x) => self.term(x).map(|(p, _)| (p, true)),
            Ex::ToDecimal(x) => self.term(x),
            Ex::Rule(r) => {
                let body = self.body(*r)?;
                self.through(|| self.term(body))
            }
            _ => None,
        }
    }

    /// The type of a path's value (optional stripped) and whether it may be absent.
    fn path_type(&self, p: &[u32]) -> Option<(&Type, bool)> {
        let (first, rest) = p.split_first()?;
        let mut ty = &self.schema.facts.get(*first as usize)?.ty;
        for slot in rest {
            let Type::Record(r) = ty.without_optional() else {
                return None;
            };
            ty = &self
                .schema
                .records
                .get(*r as usize)?
                .fields
                .get(*slot as usize)?
                .ty;
        }
        Some((ty.without_optional(), matches!(ty, Type::Optional(_))))
    }

    fn kind(&self, ty: &Type) -> Kind {
        match ty {
            Type::Integer | Type::Date => Kind::Discrete,
            Type::Decimal | Type::Money(_) => Kind::Dense,
            Type::Bool => Kind::Choice(2),
            Type::Enum(e) => self
                .schema
                .enums
                .get(*e as usize)
                .map_or(Kind::Other, |e| Kind::Choice(e.variants.len())),
            _ => Kind::Other,
        }
    }

    fn choice(&self, p: &[u32], v: &Value) -> Option<(usize, usize)> {
        let (ty, _) = self.path_type(p)?;
        let Kind::Choice(n) = self.kind(ty) else {
            return None;
        };
        let i = match (ty, v) {
            (Type::Bool, Value::Bool(b)) => usize::from(*b),
            (Type::Enum(_), Value::Enum(i)) => *i as usize,
            _ => return None,
        };
        (i < n).then_some((i, n))
    }

    /// What reading a path needs: every record on the way present (a field of an absent record
    /// is an error), and the path itself when it is unwrapped.
    fn reading(p: &[u32], unwrapped: bool) -> Vec<Atom> {
        let mut atoms: Vec<Atom> = (1..p.len())
            .map(|n| Atom::Present(p[..n].to_vec(), true))
            .collect();
        if unwrapped {
            atoms.push(Atom::Present(p.to_vec(), true));
        }
        atoms
    }

    /// The condition evaluates to true (`holds`) or to false without an error.
    fn form(&self, e: &Ex, holds: bool) -> Dnf {
        match e {
            Ex::Const(Value::Bool(b)) => {
                if *b == holds {
                    always()
                } else {
                    never()
                }
            }
            Ex::Not(x) => self.form(x, !holds),
            Ex::Rule(r) if self.term(e).is_none() => match self.body(*r) {
                Some(body) => self.through(|| self.form(body, holds)),
                None => unknown(),
            },
            Ex::And(a, b) if holds => both(&self.form(a, true), &self.form(b, true)),
            // `a and b` is false when `a` is false (`b` unread), or `a` true and `b` false.
            Ex::And(a, b) => either(
                self.form(a, false),
                both(&self.form(a, true), &self.form(b, false)),
            ),
            Ex::Or(a, b) if holds => either(
                self.form(a, true),
                both(&self.form(a, false), &self.form(b, true)),
            ),
            Ex::Or(a, b) => both(&self.form(a, false), &self.form(b, false)),
            Ex::IsPresent(x, present) => match self.term(x) {
                Some((p, false)) => {
                    let mut atoms = Self::reading(&p, false);
                    atoms.push(Atom::Present(p, *present == holds));
                    vec![atoms]
                }
                _ => unknown(),
            },
            Ex::Cmp(op, l, r) => self.comparison(*op, l, r, holds),
            Ex::In(x, list) => self.membership(x, list, holds),
            _ => match self.term(e) {
                // A boolean fact as a condition: absent is an error either way.
                Some((p, unwrapped)) if self.choice(&p, &Value::Bool(holds)).is_some() => {
                    let mut atoms = Self::reading(&p, unwrapped);
                    atoms.push(Atom::Among(p, vec![!holds, holds], true));
                    vec![atoms]
                }
                _ => unknown(),
            },
        }
    }

    fn comparison(&self, op: CmpOp, l: &Ex, r: &Ex, holds: bool) -> Dnf {
        let op = if holds { op } else { negate(op) };
        let (path, unwrapped, op, c) = match (self.term(l), self.term(r), l, r) {
            (Some((a, ua)), Some((b, ub)), _, _) => {
                let same_type = match (self.path_type(&a), self.path_type(&b)) {
                    (Some((x, _)), Some((y, _))) => x == y && self.kind(x) != Kind::Other,
                    _ => false,
                };
                if op != CmpOp::Eq || !same_type {
                    return unknown();
                }
                let mut atoms = Self::reading(&a, ua);
                atoms.extend(Self::reading(&b, ub));
                atoms.push(Atom::Same(a, b));
                return vec![atoms];
            }
            (Some((p, u)), None, _, Ex::Const(c)) => (p, u, op, c),
            (None, Some((p, u)), Ex::Const(c), _) => (p, u, flip(op), c),
            _ => return unknown(),
        };
        let Some((ty, _)) = self.path_type(&path) else {
            return unknown();
        };
        let mut atoms = Self::reading(&path, unwrapped);
        match self.kind(ty) {
            Kind::Discrete | Kind::Dense => {
                // The evaluator orders integers and decimals together, money with money and
                // dates with dates; another pairing is an error, left undecided.
                let comparable = matches!(
                    (ty, c),
                    (
                        Type::Integer | Type::Decimal,
                        Value::Integer(_) | Value::Decimal(_)
                    ) | (Type::Money(_), Value::Money(_))
                        | (Type::Date, Value::Date(_))
                );
                let (true, Some(n)) = (comparable, number(c)) else {
                    return unknown();
                };
                atoms.push(match op {
                    CmpOp::Ne => Atom::Excluded(path, n),
                    _ => Atom::Bound(path, op, n),
                });
            }
            Kind::Choice(_) => {
                let Some((i, n)) = self.choice(&path, c) else {
                    return unknown();
                };
                let set = (0..n).map(|v| (v == i) == (op == CmpOp::Eq)).collect();
                match op {
                    CmpOp::Eq => atoms.push(Atom::Among(path, set, true)),
                    CmpOp::Ne => atoms.push(Atom::Among(path, set, false)),
                    _ => return unknown(),
                }
            }
            Kind::Other => return unknown(),
        }
        vec![atoms]
    }

    /// `x in [constants]`: an absent `x` is in no list of values.
    fn membership(&self, x: &Ex, list: &Ex, holds: bool) -> Dnf {
        let items: Vec<&Value> = match list {
            Ex::Const(Value::List(items)) => items.iter().collect(),
            Ex::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    let Ex::Const(v) = item else {
                        return unknown();
                    };
                    values.push(v);
                }
                values
            }
            _ => return unknown(),
        };
        let Some((path, unwrapped)) = self.term(x) else {
            return unknown();
        };
        let Some((ty, _)) = self.path_type(&path) else {
            return unknown();
        };
        let reading = Self::reading(&path, unwrapped);
        match self.kind(ty) {
            Kind::Choice(n) => {
                let mut set = vec![!holds; n];
                for v in items {
                    let Some((i, _)) = self.choice(&path, v) else {
                        return unknown();
                    };
                    set[i] = holds;
                }
                let mut atoms = reading;
                atoms.push(Atom::Among(path, set, holds));
                vec![atoms]
            }
            Kind::Discrete | Kind::Dense => {
                let mut numbers = Vec::with_capacity(items.len());
                for v in items {
                    // `in` compares values as they are: an integer is not in a list of decimals.
                    let same_kind = matches!(
                        (ty, v),
                        (Type::Integer, Value::Integer(_))
                            | (Type::Decimal, Value::Decimal(_))
                            | (Type::Money(_), Value::Money(_))
                            | (Type::Date, Value::Date(_))
                    );
                    let (true, Some(n)) = (same_kind, number(v)) else {
                        return unknown();
                    };
                    numbers.push(n);
                }
                if holds {
                    let mut out = never();
                    for n in numbers {
                        let mut atoms = reading.clone();
                        atoms.push(Atom::Bound(path.clone(), CmpOp::Eq, n));
                        out = either(out, vec![atoms]);
                    }
                    out
                } else {
                    let mut atoms = reading;
                    atoms.extend(numbers.into_iter().map(|n| Atom::Excluded(path.clone(), n)));
                    vec![atoms]
                }
            }
            Kind::Other => unknown(),
        }
    }

    /// None of these exceptions (nor the exceptions to them) applies: every case condition
    /// evaluates to false.
    fn none_applies(&self, exceptions: &[Definition]) -> Dnf {
        let mut conditions: Vec<&Ex> = Vec::new();
        let mut stack: Vec<&Definition> = exceptions.iter().collect();
        while let Some(d) = stack.pop() {
            for c in &d.cases {
                match &c.condition {
                    Some(cond) => conditions.push(cond),
                    None => return never(),
                }
                if conditions.len() > MAX_EXCEPTION_CASES {
                    return unknown();
                }
            }
            stack.extend(&d.exceptions);
        }
        let mut out = always();
        for cond in conditions {
            out = both(&out, &self.form(cond, false));
        }
        out
    }

    fn holds(&self, c: &CaseIr) -> Dnf {
        c.condition
            .as_ref()
            .map_or_else(always, |cond| self.form(cond, true))
    }

    /// A witness of the first satisfiable conjunction, if one can be shown.
    fn witness(&self, f: &Dnf) -> Option<String> {
        f.iter().find_map(|conj| Solver::new(self).solve(conj))
    }
}

/// The constraints on one class of equal paths.
struct Class {
    ty: Type,
    kind: Kind,
    may_be_absent: bool,
    present: bool,
    absent: bool,
    constrained: bool,
    low: Option<(Decimal, bool)>,
    high: Option<(Decimal, bool)>,
    excluded: Vec<Decimal>,
    allowed: Option<Vec<bool>>,
}

struct Solver<'n, 's> {
    n: &'n Normaliser<'s>,
    paths: Vec<Path>,
    index: HashMap<Path, usize>,
    parent: Vec<usize>,
    undecided: bool,
}

impl<'n, 's> Solver<'n, 's> {
    fn new(n: &'n Normaliser<'s>) -> Self {
        Solver {
            n,
            paths: Vec::new(),
            index: HashMap::default(),
            parent: Vec::new(),
            undecided: false,
        }
    }

    fn var(&mut self, p: &Path) -> usize {
        if let Some(&i) = self.index.get(p) {
            return i;
        }
        let i = self.paths.len();
        self.paths.push(p.clone());
        self.index.insert(p.clone(), i);
        self.parent.push(i);
        i
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    /// `Some(witness)` when the conjunction is satisfiable and decided; `None` when it is
    /// contradictory or cannot be decided.
    fn solve(mut self, conj: &[Atom]) -> Option<String> {
        for atom in conj {
            match atom {
                Atom::Unknown => self.undecided = true,
                Atom::Present(p, _)
                | Atom::Bound(p, _, _)
                | Atom::Excluded(p, _)
                | Atom::Among(p, _, _) => {
                    self.var(p);
                }
                Atom::Same(a, b) => {
                    let (a, b) = (self.var(a), self.var(b));
                    let (a, b) = (self.find(a), self.find(b));
                    self.parent[a] = b;
                }
            }
        }
        let mut classes: HashMap<usize, Class> = HashMap::default();
        for i in 0..self.paths.len() {
            let root = self.find(i);
            let (ty, optional) = self.n.path_type(&self.paths[i])?;
            let kind = self.n.kind(ty);
            let class = classes.entry(root).or_insert_with(|| Class {
                ty: ty.clone(),
                kind,
                may_be_absent: true,
                present: false,
                absent: false,
                constrained: false,
                low: None,
                high: None,
                excluded: Vec::new(),
                allowed: None,
            });
            class.may_be_absent &= optional;
        }
        for atom in conj {
            let class = match atom {
                Atom::Unknown | Atom::Same(..) => continue,
                Atom::Present(p, _)
                | Atom::Bound(p, _, _)
                | Atom::Excluded(p, _)
                | Atom::Among(p, _, _) => {
                    let i = self.index.get(p).copied()?;
                    let root = self.find(i);
                    classes.get_mut(&root)?
                }
            };
            match atom {
                Atom::Present(_, true) => class.present = true,
                Atom::Present(_, false) => class.absent = true,
                Atom::Bound(_, op, c) => {
                    class.present = true;
                    class.constrained = true;
                    bound(class, *op, *c)?;
                }
                Atom::Excluded(_, c) => {
                    class.constrained = true;
                    class.excluded.push(*c);
                }
                Atom::Among(_, set, needs_present) => {
                    class.constrained = true;
                    class.present |= *needs_present;
                    let allowed = class.allowed.get_or_insert_with(|| vec![true; set.len()]);
                    if allowed.len() != set.len() {
                        return None;
                    }
                    for (a, s) in allowed.iter_mut().zip(set) {
                        *a &= *s;
                    }
                }
                Atom::Unknown | Atom::Same(..) => {}
            }
        }
        // Decide each class; a contradiction anywhere settles the conjunction even when some
        // atom was unknown, but a witness is shown only when every atom was decided.
        let mut values: HashMap<usize, Option<String>> = HashMap::default();
        let mut contradiction = false;
        for (root, class) in &classes {
            let absent_allowed = class.may_be_absent && !class.present;
            if class.absent {
                if !absent_allowed {
                    contradiction = true;
                }
                values.insert(*root, None);
                continue;
            }
            match value_of(self.n.schema, class) {
                Some(v) => {
                    values.insert(*root, Some(v));
                }
                None if absent_allowed => {
                    values.insert(*root, None);
                }
                None => contradiction = true,
            }
        }
        if contradiction || self.undecided {
            return None;
        }
        let mut parts = Vec::new();
        for i in 0..self.paths.len() {
            let root = self.find(i);
            let (Some(class), Some(value)) = (classes.get(&root), values.get(&root)) else {
                return None;
            };
            let name = self.name(&self.paths[i]);
            match value {
                None => parts.push(format!("{name} is absent")),
                Some(_) if !class.constrained => {
                    if class.may_be_absent && class.kind != Kind::Other {
                        parts.push(format!("{name} is present"));
                    }
                }
                Some(v) => parts.push(match class.kind {
                    Kind::Choice(_) => format!("{name} is {v}"),
                    _ => format!("{name} = {v}"),
                }),
            }
        }
        Some(parts.join(" and "))
    }

    fn name(&self, p: &[u32]) -> String {
        let schema = self.n.schema;
        let mut out = String::new();
        for n in 1..=p.len() {
            let field = if n == 1 {
                schema.facts.get(p[0] as usize).map(|f| f.name.as_str())
            } else {
                match self.n.path_type(&p[..n - 1]) {
                    Some((Type::Record(r), _)) => schema
                        .records
                        .get(*r as usize)
                        .and_then(|r| r.fields.get(p[n - 1] as usize))
                        .map(|f| f.name.as_str()),
                    _ => None,
                }
            };
            if n > 1 {
                out.push('.');
            }
            out.push_str(field.unwrap_or("?"));
        }
        out
    }
}

/// Narrow a class's interval; integers and dates take whole bounds.
fn bound(class: &mut Class, op: CmpOp, c: Decimal) -> Option<()> {
    let one = Decimal::ONE;
    let (low, high) = match (class.kind, op) {
        (Kind::Discrete, CmpOp::Lt) => (None, Some((c.ceil().checked_sub(one)?, false))),
        (Kind::Discrete, CmpOp::Le) => (None, Some((c.floor(), false))),
        (Kind::Discrete, CmpOp::Gt) => (Some((c.floor().checked_add(one)?, false)), None),
        (Kind::Discrete, CmpOp::Ge) => (Some((c.ceil(), false)), None),
        (Kind::Discrete, CmpOp::Eq) => (Some((c.ceil(), false)), Some((c.floor(), false))),
        (Kind::Dense, CmpOp::Lt) => (None, Some((c, true))),
        (Kind::Dense, CmpOp::Le) => (None, Some((c, false))),
        (Kind::Dense, CmpOp::Gt) => (Some((c, true)), None),
        (Kind::Dense, CmpOp::Ge) => (Some((c, false)), None),
        (Kind::Dense, CmpOp::Eq) => (Some((c, false)), Some((c, false))),
        _ => return None,
    };
    if let Some((v, strict)) = low {
        class.low = Some(match class.low {
            Some((w, s)) if w > v || (w == v && s) => (w, s),
            _ => (v, strict),
        });
    }
    if let Some((v, strict)) = high {
        class.high = Some(match class.high {
            Some((w, s)) if w < v || (w == v && s) => (w, s),
            _ => (v, strict),
        });
    }
    Some(())
}

/// A present value that satisfies the class, written as in a case, if there is one.
fn value_of(schema: &Schema, class: &Class) -> Option<String> {
    match class.kind {
        Kind::Choice(_) => {
            let i = match &class.allowed {
                Some(allowed) => allowed.iter().position(|a| *a)?,
                None => 0,
            };
            Some(match &class.ty {
                Type::Enum(e) => schema.enums.get(*e as usize)?.variants.get(i)?.name.clone(),
                _ => (i == 1).to_string(),
            })
        }
        Kind::Discrete | Kind::Dense => {
            let v = ordered_value(class)?;
            Some(match &class.ty {
                Type::Date => crate::time::date::format(v.to_i32()?),
                Type::Money(currency) => format!("{} {currency}", v.normalize()),
                _ => v.normalize().to_string(),
            })
        }
        Kind::Other => Some(String::new()),
    }
}

fn ordered_value(class: &Class) -> Option<Decimal> {
    // The values a case can hold: 64-bit integers, dates of years 0000–9999. A witness
    // outside is no witness (the pair is then left undecided).
    let range = match class.ty {
        Type::Integer => Some((Decimal::from(i64::MIN), Decimal::from(i64::MAX))),
        Type::Date => Some((
            Decimal::from(crate::time::date::MIN_DAY),
            Decimal::from(crate::time::date::MAX_DAY),
        )),
        _ => None,
    };
    let fits = |v: Decimal| {
        range.is_none_or(|(l, h)| l <= v && v <= h)
            && class
                .low
                .is_none_or(|(l, s)| if s { v > l } else { v >= l })
            && class
                .high
                .is_none_or(|(h, s)| if s { v < h } else { v <= h })
            && !class.excluded.contains(&v)
    };
    let one = Decimal::ONE;
    // Enough distinct candidates inside the interval that one avoids every excluded value.
    let tries = class.excluded.len() + 2;
    let mut candidates: Vec<Decimal> = Vec::new();
    match (class.low, class.high) {
        (Some((l, _)), Some((h, _))) => {
            candidates.extend([l, h]);
            if class.kind == Kind::Discrete {
                let mut v = l;
                for _ in 0..tries {
                    candidates.push(v);
                    v = v.checked_add(one)?;
                }
            } else {
                let mut v = h;
                for _ in 0..tries {
                    v = l.checked_add(v)?.checked_div(Decimal::TWO)?;
                    candidates.push(v);
                }
            }
        }
        (Some((l, _)), None) => {
            let mut v = l;
            for _ in 0..=tries {
                candidates.push(v);
                v = v.checked_add(one)?;
            }
        }
        (None, Some((h, _))) => {
            let mut v = h;
            for _ in 0..=tries {
                candidates.push(v);
                v = v.checked_sub(one)?;
            }
        }
        (None, None) => candidates.extend((0..=tries as i64).map(Decimal::from)),
    }
    candidates.into_iter().find(|v| fits(*v))
}

/// Pairs of cases `(i, j)`, `i < j`, of one definition that give different constant values and
/// can both apply while none of its exceptions does, each with a witness. `skip` leaves out the
/// pairs already reported as identical conditions.
pub fn overlapping_cases(
    schema: &Schema,
    rules: &[RuleIr],
    cases: &[CaseIr],
    exceptions: &[Definition],
    skip: &dyn Fn(usize, usize) -> bool,
) -> Vec<(usize, usize, String)> {
    let pairs = differing_pairs(cases, cases, true);
    if pairs.is_empty() || pairs.len() > MAX_PAIRS {
        return Vec::new();
    }
    let n = Normaliser::new(schema, rules);
    let none = if exceptions.is_empty() {
        always()
    } else {
        n.none_applies(exceptions)
    };
    let forms: Vec<Dnf> = cases.iter().map(|c| n.holds(c)).collect();
    let mut found = Vec::new();
    for (i, j) in pairs {
        if skip(i, j) {
            continue;
        }
        let f = both(&both(&forms[i], &forms[j]), &none);
        if let Some(w) = n.witness(&f) {
            found.push((i, j, w));
        }
    }
    found
}

/// Two exceptions of equal rank (to the same definition) that can both apply with different
/// values: `((exception, case), (exception, case), witness)`, the first exception before the
/// second. An exception's value comes from its own exceptions when one applies, so those must
/// not apply in the witness.
pub type ExceptionOverlap = ((usize, usize), (usize, usize), String);

pub fn overlapping_exceptions(
    schema: &Schema,
    rules: &[RuleIr],
    exceptions: &[Definition],
) -> Vec<ExceptionOverlap> {
    let mut pairs = Vec::new();
    for (a, x) in exceptions.iter().enumerate() {
        for (b, y) in exceptions.iter().enumerate().skip(a + 1) {
            for (p, q) in differing_pairs(&x.cases, &y.cases, false) {
                pairs.push(((a, p), (b, q)));
                if pairs.len() > MAX_PAIRS {
                    return Vec::new();
                }
            }
        }
    }
    let n = Normaliser::new(schema, rules);
    let mut none: HashMap<usize, Dnf> = HashMap::default();
    let mut found = Vec::new();
    for ((a, p), (b, q)) in pairs {
        for d in [a, b] {
            none.entry(d)
                .or_insert_with(|| n.none_applies(&exceptions[d].exceptions));
        }
        let (Some(na), Some(nb)) = (none.get(&a), none.get(&b)) else {
            continue;
        };
        let f = both(
            &both(
                &n.holds(&exceptions[a].cases[p]),
                &n.holds(&exceptions[b].cases[q]),
            ),
            &both(na, nb),
        );
        if let Some(w) = n.witness(&f) {
            found.push(((a, p), (b, q), w));
        }
    }
    found
}

/// Pairs of cases whose values are constants that differ (as the evaluator compares them).
fn differing_pairs(xs: &[CaseIr], ys: &[CaseIr], same: bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, x) in xs.iter().enumerate() {
        let Ex::Const(vx) = &x.value else { continue };
        let from = if same { i + 1 } else { 0 };
        for (j, y) in ys.iter().enumerate().skip(from) {
            if let Ex::Const(vy) = &y.value {
                if vx != vy {
                    out.push((i, j));
                    if out.len() > MAX_PAIRS {
                        return out;
                    }
                }
            }
        }
    }
    out
}
