//! Hover: what a name is (kind, type, doc comment, citations, in-force period and the
//! amendment that last changed it; a parameter's values by date), a built-in function's
//! signature, and the resulting date of constant date arithmetic.

use super::index::DeclEntry;
use super::Analysis;
use crate::check::Symbol;
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, BinaryOp, DeclKind, DurationUnit, ExprKind};
use crate::time::date::{self, Day};
use std::fmt::Write;

/// Markdown describing what is at `offset`, and the span it describes.
pub fn hover(a: &Analysis, file: FileId, offset: u32) -> Option<(Span, String)> {
    if let Some(occ) = a.index.occurrence_at(file, offset) {
        if let Some(text) = describe_provision(a, occ) {
            return Some((occ.span, text));
        }
        let text = describe(a, &occ.symbol)?;
        return Some((occ.span, text));
    }
    if let Some(found) = builtin_call(a, file, offset) {
        return Some(found);
    }
    if let Some(found) = super::hover_calendar::hover(a, file, offset) {
        return Some(found);
    }
    date_arithmetic(a, file, offset)
}

/// `days_between(…)`: the built-in function's signature and what it gives. Tables are called
/// the same way but are symbols, found above.
fn builtin_call(a: &Analysis, file: FileId, offset: u32) -> Option<(Span, String)> {
    let on_name = |e: &ast::Expr| {
        matches!(&e.kind, ExprKind::Call(name, _)
            if name.span.start <= offset && offset <= name.span.end)
    };
    let ExprKind::Call(name, _) = &find_expr(a, file, offset, &on_name)?.kind else {
        return None;
    };
    let f = crate::check::builtin_function(&name.name)?;
    Some((
        name.span,
        format!(
            "```zan\n{}\n```\n{}\n\na built-in function",
            f.signature(),
            f.doc
        ),
    ))
}

/// The description of a symbol, as shown on hover.
pub fn describe(a: &Analysis, symbol: &Symbol) -> Option<String> {
    let decls = a.index.declarations(symbol);
    let mut out = String::new();
    match symbol {
        Symbol::Local { name, binding } => {
            let list = quantified_list(a, *binding).unwrap_or_default();
            let _ = write!(out, "```zan\n{name}\n```\nan item of `{list}`");
            return Some(out);
        }
        Symbol::Variant { enum_name, variant } => {
            let _ = writeln!(out, "```zan\n{enum_name}.{variant}\n```");
            let entry = decls.first()?;
            if let Some(DeclKind::Enum(e)) = a.index.top_of(entry).map(|d| &d.kind) {
                if let Some(v) = e.variants.iter().find(|v| &v.name.name == variant) {
                    if let Some(label) = &v.label {
                        let _ = writeln!(out, "\"{label}\"\n");
                    }
                    push_doc(&mut out, v.doc.as_deref());
                }
            }
            let _ = write!(out, "a value of enum `{enum_name}`");
            return Some(out);
        }
        Symbol::Field { record, field } => {
            let entry = decls.first()?;
            let f = match a.index.top_of(entry).map(|d| &d.kind) {
                Some(DeclKind::Record(r)) => r.fields.iter().find(|f| &f.name.name == field),
                _ => None,
            }?;
            let ty = a.map.snippet(f.ty.span);
            let _ = writeln!(out, "```zan\n{record}.{field}: {ty}\n```");
            push_doc(&mut out, f.doc.as_deref());
            let _ = write!(out, "a field of record `{record}`");
            return Some(out);
        }
        Symbol::Reason(code) => {
            for entry in &decls {
                if let Some(DeclKind::Reasons(r)) = a.index.decl_node(entry).map(|d| &d.kind) {
                    if let Some(item) = r.items.iter().find(|i| &i.code.name == code) {
                        let _ = writeln!(out, "```zan\nreason {code}\n```\n\"{}\"\n", item.message);
                        push_doc(&mut out, item.doc.as_deref());
                        let _ = writeln!(out, "given by `{}`", r.name.name);
                        push_citations(&mut out, item.citation.iter());
                        break;
                    }
                }
            }
            return (!out.is_empty()).then_some(out);
        }
        Symbol::Decl(_) => {}
    }
    let entry = *decls.first()?;
    let node = a.index.decl_node(entry)?;
    let _ = writeln!(out, "```zan\n{}\n```", signature(a, entry, node));
    push_doc(&mut out, node.doc.as_deref());
    details(a, node, &mut out);
    in_force(a, entry, &decls, &mut out);
    push_citations(&mut out, node.kind.citations().iter());
    Some(out.trim_end().to_string())
}

/// On the name of a declaration an amendment adds or replaces: that provision's own doc
/// comment and citations (not the baseline's), and what it does from when.
fn describe_provision(a: &Analysis, occ: &super::index::Occurrence) -> Option<String> {
    if !occ.is_declaration {
        return None;
    }
    let entry = a
        .index
        .declarations(&occ.symbol)
        .into_iter()
        .find(|d| d.name_span == occ.span && d.what != super::index::DeclWhat::Variant)?;
    let provision = entry.provision.as_ref()?;
    if !matches!(occ.symbol, Symbol::Decl(_)) {
        return None;
    }
    let node = a.index.decl_node(entry)?;
    let mut out = String::new();
    let _ = writeln!(out, "```zan\n{}\n```", signature(a, entry, node));
    push_doc(&mut out, node.doc.as_deref());
    details(a, node, &mut out);
    let what = match provision.action {
        "replace" => "replaces the baseline",
        _ => "adds it",
    };
    let _ = writeln!(
        out,
        "amendment `{}` {what} from {}\n",
        provision.amendment,
        date::format(provision.from)
    );
    push_citations(&mut out, node.kind.citations().iter());
    Some(out.trim_end().to_string())
}

fn push_doc(out: &mut String, doc: Option<&str>) {
    if let Some(doc) = doc.filter(|d| !d.trim().is_empty()) {
        let _ = writeln!(out, "{}\n", doc.trim());
    }
}

fn push_citations<'c>(out: &mut String, cs: impl Iterator<Item = &'c ast::Citation>) {
    for c in cs {
        match &c.quote {
            Some(q) => {
                let _ = writeln!(out, "\n*cites* `{}`: “{}”", c.source.name, q);
            }
            None => {
                let _ = writeln!(out, "\n*cites* `{}`", c.source.name);
            }
        }
    }
}

/// The first line of a declaration, as written: `rule fingerprint_required: bool`.
fn signature(a: &Analysis, entry: &DeclEntry, node: &ast::Declaration) -> String {
    let ty = |t: &ast::TypeExpr| a.map.snippet(t.span).to_string();
    match &node.kind {
        DeclKind::Fact(f) => format!("fact {}: {}", f.name.name, ty(&f.ty)),
        DeclKind::Rule(r) => format!(
            "{}rule {}: {}",
            if r.output { "output " } else { "" },
            r.name.name,
            ty(&r.ty)
        ),
        DeclKind::Parameter(p) => format!("parameter {}: {}", p.name.name, ty(&p.ty)),
        DeclKind::Table(t) => {
            let keys: Vec<String> = t
                .keys
                .iter()
                .map(|(k, kt)| format!("{}: {}", k.name, ty(kt)))
                .collect();
            format!(
                "table {}({}) -> {}",
                t.name.name,
                keys.join(", "),
                ty(&t.ty)
            )
        }
        DeclKind::Exception(x) => format!("exception {} to {}", x.name.name, x.target.name),
        DeclKind::Reasons(r) => format!(
            "{}reasons {}",
            if r.output { "output " } else { "" },
            r.name.name
        ),
        kind => format!("{} {}", entry.what.word(), kind.name().name),
    }
}

/// What the declaration holds: values by date, enum values, record fields, metadata.
fn details(a: &Analysis, node: &ast::Declaration, out: &mut String) {
    match &node.kind {
        DeclKind::Parameter(p) => {
            let _ = writeln!(out, "| from | value |\n|---|---|");
            for v in &p.values {
                let _ = writeln!(
                    out,
                    "| {} | `{}` |",
                    date::format(v.from),
                    a.map.snippet(v.value.span)
                );
            }
            if let Some(v) = p.values.iter().rev().find(|v| v.from <= a.today) {
                let _ = writeln!(
                    out,
                    "\nin force today ({}): `{}`",
                    date::format(a.today),
                    a.map.snippet(v.value.span)
                );
            }
            out.push('\n');
        }
        DeclKind::Enum(e) => {
            let names: Vec<String> = e
                .variants
                .iter()
                .map(|v| format!("`{}`", v.name.name))
                .collect();
            let _ = writeln!(out, "values: {}\n", names.join(", "));
        }
        DeclKind::Record(r) => {
            for f in &r.fields {
                let _ = writeln!(out, "- `{}: {}`", f.name.name, a.map.snippet(f.ty.span));
            }
            out.push('\n');
        }
        DeclKind::Table(t) => {
            let _ = writeln!(
                out,
                "{} row{}{}\n",
                t.rows.len(),
                if t.rows.len() == 1 { "" } else { "s" },
                if t.otherwise.is_some() {
                    " and an `otherwise` row"
                } else {
                    ""
                }
            );
        }
        DeclKind::Source(m) | DeclKind::Rulebook(m) => {
            for (k, v) in &m.entries {
                let _ = writeln!(out, "- {}: {}", k.name, v);
            }
            out.push('\n');
        }
        DeclKind::Calendar(c) => {
            let _ = writeln!(out, "{} entries\n", c.entries.len());
        }
        DeclKind::Amendment(am) => {
            let _ = writeln!(
                out,
                "in force from {}; {} provision{}\n",
                date::format(am.in_force),
                am.provisions.len(),
                if am.provisions.len() == 1 { "" } else { "s" }
            );
        }
        _ => {}
    }
}

/// The in-force period of each version of the declaration and the amendments that changed it.
fn in_force(a: &Analysis, entry: &DeclEntry, decls: &[&DeclEntry], out: &mut String) {
    let periods: Vec<String> = decls
        .iter()
        .filter_map(|d| a.index.decl_node(d))
        .filter_map(|d| d.kind.in_force())
        .map(|f| crate::time::period::describe(f.from, f.until))
        .collect();
    if !periods.is_empty() {
        let _ = writeln!(out, "in force {}\n", periods.join("; "));
    }
    let Some(provisions) = a.index.provisions.get(&entry.name) else {
        return;
    };
    let mut provisions = provisions.clone();
    provisions.sort_by_key(|p| p.from);
    if let Some(last) = provisions.last() {
        let _ = writeln!(
            out,
            "last changed by amendment `{}`: {} from {}\n",
            last.amendment,
            last.action,
            date::format(last.from)
        );
    }
    if provisions.len() > 1 {
        for p in &provisions[..provisions.len() - 1] {
            let _ = writeln!(
                out,
                "- earlier: `{}` {} from {}",
                p.amendment,
                p.action,
                date::format(p.from)
            );
        }
        out.push('\n');
    }
}

/// The list a quantifier variable ranges over, as written.
fn quantified_list(a: &Analysis, binding: Span) -> Option<String> {
    let found = find_expr(
        a,
        binding.file,
        binding.start,
        &|e| matches!(&e.kind, ExprKind::Quantified { var, .. } if var.span == binding),
    )?;
    match &found.kind {
        ExprKind::Quantified { list, .. } => Some(a.map.snippet(list.span).to_string()),
        _ => None,
    }
}

/// The innermost expression at `offset` that satisfies `want`, in any declaration.
pub(super) fn find_expr<'a>(
    a: &'a Analysis,
    file: FileId,
    offset: u32,
    want: &dyn Fn(&ast::Expr) -> bool,
) -> Option<&'a ast::Expr> {
    let decl = (0..a.index.top.len())
        .filter_map(|i| a.index.top_decl(i))
        .find(|d| d.span.file == file && d.span.start <= offset && offset <= d.span.end)?;
    let mut best = None;
    super::outline::each_expr(decl, &mut |e| {
        if e.span.start <= offset && offset <= e.span.end && want(e) {
            let better = best
                .is_none_or(|b: &ast::Expr| e.span.end - e.span.start < b.span.end - b.span.start);
            if better {
                best = Some(e);
            }
        }
    });
    best
}

/// `2026-03-10 + 5 working days in kz`: the date it comes to, when every part is constant.
fn date_arithmetic(a: &Analysis, file: FileId, offset: u32) -> Option<(Span, String)> {
    let e = find_expr(a, file, offset, &|e| {
        matches!(e.kind, ExprKind::Binary(BinaryOp::Add | BinaryOp::Sub, ..))
            && const_date(a, e).is_some()
    })?;
    let day = const_date(a, e)?;
    Some((
        e.span,
        format!(
            "```zan\n{}\n```\n= **{}** ({})",
            a.map.snippet(e.span),
            date::format(day),
            date::weekday(day).name()
        ),
    ))
}

pub(super) fn const_date(a: &Analysis, e: &ast::Expr) -> Option<Day> {
    match &e.kind {
        ExprKind::Date(d) => Some(*d),
        ExprKind::Binary(op @ (BinaryOp::Add | BinaryOp::Sub), l, r) => {
            let base = const_date(a, l)?;
            let sign = if *op == BinaryOp::Add { 1 } else { -1 };
            let ExprKind::Duration {
                amount,
                unit,
                calendar,
            } = &r.kind
            else {
                return None;
            };
            let n = amount.checked_mul(sign)?;
            match unit {
                DurationUnit::Days => date::add_days(base, n),
                DurationUnit::Weeks => date::add_days(base, n.checked_mul(7)?),
                DurationUnit::Months => date::add_months(base, n),
                DurationUnit::Years => date::add_months(base, n.checked_mul(12)?),
                DurationUnit::WorkingDays => {
                    let name = &calendar.as_ref()?.name;
                    let rb = a.checked.rulebook.as_ref()?;
                    let version = rb.version_on(base)?;
                    let cal = version.program.calendars.iter().find(|c| &c.name == name)?;
                    cal.calendar.add_working_days(base, n).ok()
                }
            }
        }
        _ => None,
    }
}
