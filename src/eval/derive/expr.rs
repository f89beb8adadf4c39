//! The node of one expression: facts with their JSON paths, parameters with the date they were
//! read on, table rows, working-day arithmetic with the days it skipped, aggregations with
//! their items, built-in calls, conditions with their operands.

use super::super::derivation::*;
use super::super::table_row;
use super::unparse::{builtin_name, element_type};
use super::{heading, specific, Deriver, Role};
use crate::ir::*;
use crate::time::calendar::{Calendar, NonWorking};
use crate::time::date::Day;
use crate::value::{DurationUnit, Value};

/// At most this many days are looked at for the non-working days a count passed over (ten
/// years: far beyond any deadline, and a bound on the work).
const MAX_SKIP_SCAN: i64 = 3660;

impl Deriver<'_, '_, '_> {
    /// The node of `e`, met in `role`; `expected` is the type its context gives.
    pub(super) fn expr(&mut self, e: &Ex, role: Role, expected: Option<&Type>) -> Node {
        match e {
            Ex::ToDecimal(x) | Ex::Unwrap(x) => return self.expr(x, role, expected),
            Ex::Rule(r) => {
                let role = match role {
                    Role::Output => Role::Value,
                    other => other,
                };
                return self.rule(*r, role);
            }
            _ => {}
        }
        let mut ty = self.lang.ty_of(e, &self.scope);
        if !complete(&ty) {
            if let Some(t) = expected {
                ty = t.clone();
            }
        }
        let text = self.text(e, Some(&ty));
        let value = self.m.expr(e);
        let mut node = Node {
            kind: NodeKind::Expression,
            text,
            label: None,
            value,
            ty,
            citations: Vec::new(),
            children: Vec::new(),
        };
        self.fill(&mut node, e, role);
        node
    }

    /// The kind, citations and children of `node`, the node of `e`.
    fn fill(&mut self, node: &mut Node, e: &Ex, role: Role) {
        match e {
            Ex::Const(_) | Ex::Calendar(_) => node.kind = NodeKind::Constant,
            Ex::AsOfDate => node.kind = NodeKind::AsOfDate,
            Ex::Fact(_) | Ex::Field(..) | Ex::Local(_) => match path_root(e) {
                Some(Ex::Fact(_)) => {
                    node.kind = NodeKind::Fact {
                        json_path: format!("$.{}", node.text),
                    }
                }
                Some(Ex::Local(_)) => node.kind = NodeKind::Local,
                _ => {
                    if let Ex::Field(b, _) = e {
                        node.children.push(self.expr(b, role, None));
                    }
                }
            },
            Ex::Param(p, at) => self.parameter(node, *p, at.as_deref(), role),
            Ex::Table(t, keys) => self.table(node, *t, keys, role),
            Ex::Not(x) => {
                node.kind = NodeKind::Condition;
                match &**x {
                    Ex::In(a, b) => self.compared(node, true, a, b, role),
                    _ => self.operands(node, &[x], role),
                }
            }
            Ex::And(..) | Ex::Or(..) => {
                node.kind = NodeKind::Condition;
                // `a and b and c` reads as three conditions, not a tree of pairs; only what
                // was evaluated: none after the one that decided.
                let is_and = matches!(e, Ex::And(..));
                let mut parts = Vec::new();
                chain(e, is_and, &mut parts);
                for part in parts {
                    let child = self.expr(part, role, Some(&Type::Bool));
                    let decided = child.value == Ok(Value::Bool(!is_and));
                    node.children.push(child);
                    if decided {
                        break;
                    }
                }
            }
            Ex::Cmp(_, a, b) => {
                node.kind = NodeKind::Condition;
                self.compared(node, false, a, b, role);
            }
            Ex::In(a, b) => {
                node.kind = NodeKind::Condition;
                self.compared(node, true, a, b, role);
            }
            Ex::IsPresent(x, _) => {
                node.kind = NodeKind::Condition;
                self.operands(node, &[x], role);
            }
            Ex::Neg(x) => self.operands(node, &[x], role),
            Ex::Arith(op, a, b) => self.arithmetic(node, *op, a, b, role),
            Ex::If(c, a, b) => {
                let cond_role = if role == Role::WhyNot {
                    Role::WhyNot
                } else {
                    Role::Condition
                };
                let cond = self.expr(c, cond_role, Some(&Type::Bool));
                let branch = match cond.value {
                    Ok(Value::Bool(true)) => Some(a),
                    Ok(Value::Bool(false)) => Some(b),
                    _ => None,
                };
                node.children.push(cond);
                if let Some(x) = branch {
                    let ty = node.ty.clone();
                    node.children.push(self.expr(x, role, Some(&ty)));
                }
            }
            Ex::Match(s, arms, otherwise) => {
                let scrutinee = self.expr(s, role, None);
                let arm = match &scrutinee.value {
                    Ok(v) => arms
                        .iter()
                        .find(|(pats, _)| pats.contains(v))
                        .map(|(_, body)| body)
                        .or(otherwise.as_deref()),
                    Err(_) => None,
                };
                node.children.push(scrutinee);
                if let Some(x) = arm {
                    let ty = node.ty.clone();
                    node.children.push(self.expr(x, role, Some(&ty)));
                }
            }
            Ex::Quant(kind, slot, list, body) => {
                self.aggregation(node, *kind, *slot, list, body, role)
            }
            Ex::List(items) => {
                let elem = element_type(&node.ty);
                for x in items {
                    node.children.push(self.expr(x, role, Some(&elem)));
                }
            }
            Ex::Record(fields) => {
                let ty = node.ty.clone();
                for (i, x) in fields.iter().enumerate() {
                    let fty = self.lang.field_type(&ty, i as u32);
                    let mut child = self.expr(x, role, fty.as_ref());
                    child.label = Some(self.lang.field_name(&ty, i as u32));
                    node.children.push(child);
                }
            }
            Ex::Builtin(b, args) => {
                node.kind = NodeKind::Call {
                    name: builtin_name(*b).into(),
                };
                for a in args.iter().filter(|a| !matches!(a, Ex::Calendar(_))) {
                    node.children.push(self.expr(a, role, None));
                }
            }
            Ex::Rule(_) | Ex::ToDecimal(_) | Ex::Unwrap(_) => {}
        }
    }

    /// The two sides of a comparison or of a membership test, each typed by the other (a
    /// bare enum value takes its enum from the other side).
    fn compared(&mut self, node: &mut Node, membership: bool, a: &Ex, b: &Ex, role: Role) {
        let (ta, tb) = (
            self.lang.ty_of(a, &self.scope),
            self.lang.ty_of(b, &self.scope),
        );
        let (ea, eb) = if membership {
            let elem = ta.without_optional().clone();
            (element_type(&tb), Type::List(Box::new(elem)))
        } else {
            (tb, ta)
        };
        node.children.push(self.expr(a, role, Some(&ea)));
        node.children.push(self.expr(b, role, Some(&eb)));
    }

    fn operands(&mut self, node: &mut Node, xs: &[&Ex], role: Role) {
        for x in xs {
            node.children.push(self.expr(x, role, None));
        }
    }

    /// A parameter's value on the evaluation date or on an `as of` date, and the value's
    /// own citation before the parameter's.
    fn parameter(&mut self, node: &mut Node, p: ParamId, at: Option<&Ex>, role: Role) {
        let (on, date) = match at {
            None => (self.m.as_of, DateFrom::EvaluationDate),
            Some(d) => {
                let child = self.expr(d, role, Some(&Type::Date));
                let on = match child.value {
                    Ok(Value::Date(day)) => Some(day),
                    _ => None,
                };
                node.children.push(child);
                match on {
                    Some(day) => (day, DateFrom::AsOf),
                    // No date to read the parameter on: the node's value is the error.
                    None => return,
                }
            }
        };
        let Some(param) = self.m.p.params.get(p as usize) else {
            return;
        };
        let index = param.index_on(on);
        node.kind = NodeKind::Parameter {
            param: p,
            on,
            date,
            in_force_from: index
                .and_then(|i| param.values.get(i))
                .map_or(on, |(from, _)| *from),
        };
        let part = index.and_then(|i| param.parts.get(i));
        node.citations
            .extend(part.and_then(|x| x.citation.clone()).map(specific));
        node.citations
            .extend(param.citations.iter().cloned().map(heading));
    }

    /// A table look-up: the keys, the row that matched (as written), its value expression
    /// when it computes something, the row's citation before the table's.
    fn table(&mut self, node: &mut Node, t: TableId, keys: &[Ex], role: Role) {
        let key_types = self.m.p.tables.get(t as usize).map(|t| &t.keys);
        let keys: Vec<Node> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| self.expr(k, role, key_types.and_then(|ts| ts.get(i))))
            .collect();
        let values: Option<Vec<Value>> = keys.iter().map(|k| k.value.clone().ok()).collect();
        node.children = keys;
        let Some(table) = self.m.p.tables.get(t as usize) else {
            return;
        };
        let Some(Ok(row)) = values.map(|v| table_row(table, &v)) else {
            return;
        };
        let (part, value) = match row {
            Some(r) => (table.rows.get(r as usize), table.values.get(r as usize)),
            None => (table.otherwise_part.as_ref(), table.otherwise.as_ref()),
        };
        if value.is_none() {
            // No row and no `otherwise`: the node's value is the error.
            return;
        }
        let row_text = match (row, part) {
            (Some(_), Some(part)) => row_keys_text(self.rb, part.span),
            _ => "otherwise".into(),
        };
        node.kind = NodeKind::Table {
            table: t,
            row,
            row_text,
        };
        node.citations
            .extend(part.and_then(|x| x.citation.clone()).map(specific));
        node.citations
            .extend(table.citations.iter().cloned().map(heading));
        if let Some(v) = value.filter(|v| !matches!(v, Ex::Const(_))) {
            node.children.push(self.expr(v, role, Some(&table.ty)));
        }
    }

    /// Arithmetic, or a date moved by working days (with the days skipped).
    fn arithmetic(&mut self, node: &mut Node, op: ArithOp, a: &Ex, b: &Ex, role: Role) {
        let (ta, tb) = (
            self.lang.ty_of(a, &self.scope),
            self.lang.ty_of(b, &self.scope),
        );
        let left = self.expr(a, role, Some(&tb));
        let right = self.expr(b, role, Some(&ta));
        node.kind = NodeKind::Arithmetic { op };
        if let (Ok(Value::Date(start)), Ok(Value::Duration(d)), Ok(Value::Date(end))) =
            (&left.value, &right.value, &node.value)
        {
            if let (DurationUnit::WorkingDays, Some(c)) = (d.unit, d.calendar) {
                if let Some(cal) = self.m.p.calendars.get(c as usize) {
                    let days = if op == ArithOp::Sub {
                        -d.amount
                    } else {
                        d.amount
                    };
                    node.kind = NodeKind::WorkingDays {
                        calendar: c,
                        start: *start,
                        days,
                        skipped: skipped(&cal.calendar, *start, *end),
                    };
                }
            }
        }
        node.children.push(left);
        node.children.push(right);
    }

    /// `count`/`sum`/`any`/`all`/`map`/`filter`/`min`/`max`: the list, and what the body gave
    /// for each item (every item, also past the one that decided `any` or `all`).
    fn aggregation(
        &mut self,
        node: &mut Node,
        kind: QuantKind,
        slot: u32,
        list: &Ex,
        body: &Ex,
        role: Role,
    ) {
        let list_node = self.expr(list, role, None);
        let item_ty = element_type(&list_node.ty);
        let mut items = Vec::new();
        if let Ok(Value::List(values)) = &list_node.value {
            let at = self.m.frame + slot as usize;
            for (index, item) in values.iter().enumerate() {
                if let Some(l) = self.m.locals.get_mut(at) {
                    *l = item.clone();
                }
                let result = if kind.takes_condition() {
                    self.m.truth(body).map(Value::Bool)
                } else {
                    self.m.expr(body)
                };
                items.push(AggregateItem {
                    index,
                    item: item.clone(),
                    result,
                });
            }
        }
        node.kind = NodeKind::Aggregation {
            kind: match kind {
                QuantKind::Any => Aggregate::Any,
                QuantKind::All => Aggregate::All,
                QuantKind::Count => Aggregate::Count,
                QuantKind::Sum(_) => Aggregate::Sum,
                QuantKind::Map => Aggregate::Map,
                QuantKind::Filter => Aggregate::Filter,
                QuantKind::Min => Aggregate::Min,
                QuantKind::Max => Aggregate::Max,
            },
            items,
            item_ty,
        };
        node.children.push(list_node);
    }
}

/// Whether a type is known throughout (a list of enum constants is a list of unknown).
fn complete(t: &Type) -> bool {
    match t {
        Type::Error => false,
        Type::List(t) | Type::Optional(t) => complete(t),
        _ => true,
    }
}

/// The fact or quantified variable a field chain starts from.
fn path_root(e: &Ex) -> Option<&Ex> {
    match e {
        Ex::Fact(_) | Ex::Local(_) => Some(e),
        Ex::Field(b, _) | Ex::Unwrap(b) | Ex::ToDecimal(b) => path_root(b),
        _ => None,
    }
}

/// A table row's keys as written: the text of the row before `=>`, whitespace collapsed,
/// without the doc comments above it.
fn row_keys_text(rb: &Rulebook, span: crate::source::Span) -> String {
    let text = rb.source_map.snippet(span);
    let keys = text.split("=>").next().unwrap_or("");
    keys.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//"))
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The non-working days strictly between `start` and `end` (either way round) and `end`
/// itself if it is one, in runs of consecutive days with the same reason.
fn skipped(cal: &Calendar, start: Day, end: Day) -> Vec<Skipped> {
    let (lo, hi) = if start <= end {
        (i64::from(start) + 1, i64::from(end))
    } else {
        (i64::from(end), i64::from(start) - 1)
    };
    let hi = hi.min(lo + MAX_SKIP_SCAN);
    let mut runs: Vec<Skipped> = Vec::new();
    for day in lo..=hi {
        let Ok(day) = Day::try_from(day) else {
            continue;
        };
        let Some(why) = cal.reason(day).map(why_text) else {
            continue;
        };
        match runs.last_mut() {
            Some(run) if run.why == why && i64::from(run.to) + 1 == i64::from(day) => run.to = day,
            _ => runs.push(Skipped {
                from: day,
                to: day,
                why,
            }),
        }
    }
    if start > end {
        runs.reverse();
    }
    runs
}

fn why_text(n: NonWorking<'_>) -> String {
    match n {
        NonWorking::Weekend => "weekend".into(),
        NonWorking::Holiday(name) => name.into(),
        NonWorking::CarriedOver(name) => format!("day off carried over from {name}"),
        NonWorking::Transfer => "transferred day off".into(),
    }
}

/// The operands of a chain of `and` (or of `or`), in order: `a and (b and c)` and
/// `(a and b) and c` alike give `[a, b, c]`.
fn chain<'e>(e: &'e Ex, is_and: bool, out: &mut Vec<&'e Ex>) {
    match e {
        Ex::And(a, b) if is_and => {
            chain(a, is_and, out);
            chain(b, is_and, out);
        }
        Ex::Or(a, b) if !is_and => {
            chain(a, is_and, out);
            chain(b, is_and, out);
        }
        other => out.push(other),
    }
}
