//! Inlay hints that help read the law: the tenge amount of an amount set in MCI (any money
//! parameter a number or table is multiplied by) in force today, and the in-force period of
//! each version of a declaration that an amendment changes.

use super::index::DeclWhat;
use super::outline::each_expr;
use super::Analysis;
use crate::source::FileId;
use crate::syntax::ast::{self, BinaryOp, DeclKind, ExprKind};
use crate::time::date::{self, Day};
use rust_decimal::Decimal;
use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Byte offset the hint is shown at (after the text it explains).
    pub offset: usize,
    pub label: String,
    pub tooltip: Option<String>,
}

pub fn inlay_hints(a: &Analysis, file: FileId) -> Vec<InlayHint> {
    let mut out = amounts(a, file);
    out.extend(periods(a, file));
    out.sort_by_key(|h| h.offset);
    out
}

/// A money parameter's value today: (name, amount, currency).
fn money_today(a: &Analysis, p: &ast::ParameterDecl) -> Option<(Decimal, String)> {
    let v = p.values.iter().rev().find(|v| v.from <= a.today)?;
    match &v.value.kind {
        ExprKind::Money(amount, currency) => Some((*amount, currency.name.clone())),
        _ => None,
    }
}

/// The money parameter an expression names (`mci` or `mci as of DATE`).
fn money_param<'a>(
    e: &ast::Expr,
    params: &'a HashMap<String, (Decimal, String)>,
) -> Option<(&'a str, &'a (Decimal, String))> {
    let inner = match &e.kind {
        ExprKind::AsOf(p, _) => p,
        _ => e,
    };
    match &inner.kind {
        ExprKind::Name(id) => params.get_key_value(&id.name).map(|(k, v)| (k.as_str(), v)),
        _ => None,
    }
}

fn amounts(a: &Analysis, file: FileId) -> Vec<InlayHint> {
    let mut params: HashMap<String, (Decimal, String)> = HashMap::new();
    for i in 0..a.index.top.len() {
        if let Some(DeclKind::Parameter(p)) = a.index.top_decl(i).map(|d| &d.kind) {
            if let Some(v) = money_today(a, p) {
                params.insert(p.name.name.clone(), v);
            }
        }
    }
    if params.is_empty() {
        return Vec::new();
    }
    // Numbers and tables multiplied by a money parameter anywhere in the rulebook.
    let mut numbers: Vec<(&ast::Expr, String)> = Vec::new();
    let mut tables: HashMap<String, String> = HashMap::new();
    for i in 0..a.index.top.len() {
        let Some(d) = a.index.top_decl(i) else {
            continue;
        };
        each_expr(d, &mut |e| {
            let ExprKind::Binary(BinaryOp::Mul, l, r) = &e.kind else {
                return;
            };
            for (x, p) in [(l, r), (r, l)] {
                let Some((name, _)) = money_param(p, &params) else {
                    continue;
                };
                match &x.kind {
                    ExprKind::Integer(_) | ExprKind::Decimal(_) => {
                        numbers.push((x, name.to_string()))
                    }
                    ExprKind::Call(t, _) => {
                        tables.insert(t.name.clone(), name.to_string());
                    }
                    _ => {}
                }
            }
        });
    }
    let mut out = Vec::new();
    let year = date::to_ymd(a.today).0;
    let mut hint = |e: &ast::Expr, param: &str| {
        let n = match &e.kind {
            ExprKind::Integer(n) => Decimal::from(*n),
            ExprKind::Decimal(d) => *d,
            _ => return,
        };
        let Some((unit, currency)) = params.get(param) else {
            return;
        };
        let Some(total) = n.checked_mul(*unit) else {
            return;
        };
        out.push(InlayHint {
            offset: e.span.end as usize,
            label: format!(" = {} {currency}", group_thousands(total)),
            tooltip: Some(format!(
                "{n} × `{param}` in force on {} ({} {currency}); the {year} figure, for reading only",
                date::format(a.today),
                group_thousands(*unit)
            )),
        });
    };
    for (e, p) in &numbers {
        if e.span.file == file {
            hint(e, p);
        }
    }
    for i in 0..a.index.top.len() {
        let Some(d) = a.index.top_decl(i).filter(|d| d.span.file == file) else {
            continue;
        };
        for t in tables_in(d) {
            if let Some(p) = tables.get(&t.name.name) {
                for row in &t.rows {
                    hint(&row.value, p);
                }
                if let Some((e, _, _)) = &t.otherwise {
                    hint(e, p);
                }
            }
        }
    }
    out
}

fn tables_in(d: &ast::Declaration) -> Vec<&ast::TableDecl> {
    match &d.kind {
        DeclKind::Table(t) => vec![t],
        DeclKind::Amendment(a) => a
            .provisions
            .iter()
            .filter_map(|p| match &p.action {
                ast::ProvisionAction::Add(d) | ast::ProvisionAction::Replace(d) => match &d.kind {
                    DeclKind::Table(t) => Some(t),
                    _ => None,
                },
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// 43250 → "43,250"; 12.5 → "12.5".
fn group_thousands(d: Decimal) -> String {
    let s = d.normalize().to_string();
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// For each version of a declaration an amendment changes: when that version is in force.
fn periods(a: &Analysis, file: FileId) -> Vec<InlayHint> {
    let mut out = Vec::new();
    for (name, provisions) in &a.index.provisions {
        let decls = a
            .index
            .declarations(&crate::check::Symbol::Decl(name.clone()));
        // Each version starts at its own date: a baseline at its `in force from` (or always),
        // a provision at its date; it ends the day before the next one starts.
        let mut starts: Vec<(Option<Day>, Option<Day>, &super::index::DeclEntry)> = Vec::new();
        for d in decls.iter().filter(|d| d.what != DeclWhat::Amendment) {
            let own = a
                .index
                .decl_node(d)
                .and_then(|n| n.kind.in_force().cloned());
            let from = d
                .provision
                .as_ref()
                .map(|p| p.from)
                .or(own.as_ref().and_then(|f| f.from));
            starts.push((from, own.and_then(|f| f.until), d));
        }
        starts.sort_by_key(|(from, _, _)| *from);
        let mut changes: Vec<Day> = provisions.iter().map(|p| p.from).collect();
        changes.sort();
        for (from, until, d) in &starts {
            if d.name_span.file != file {
                continue;
            }
            let next_change = changes
                .iter()
                .find(|c| from.is_none_or(|f| **c > f))
                .and_then(|c| date::add_days(*c, -1));
            let end = match (until, next_change) {
                (Some(u), Some(n)) => Some((*u).min(n)),
                (u, n) => u.or(n),
            };
            let what = match &d.provision {
                Some(p) => format!(" ({} `{}`)", p.action, p.amendment),
                None => String::new(),
            };
            out.push(InlayHint {
                offset: d.name_span.end as usize,
                label: format!(" {}{what}", crate::time::period::describe(*from, end)),
                tooltip: Some(format!(
                    "`{name}` is changed by an amendment; this version is in force {}",
                    crate::time::period::describe(*from, end)
                )),
            });
        }
    }
    out
}
