//! The structural diff: declarations matched by kind and name, compared token by token (so
//! layout and comments never count), and each change described in the language's words.

use super::describe::{describe, Details};
use super::text::{self, one_line};
use super::{Cite, CommentChange, DeclChange, Options, ProvisionInfo, Side, Status};
use crate::check;
use crate::ir::AppliedProvision;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{self, DeclKind, Declaration, ProvisionAction};
use crate::time::date::{self, Day};
use std::collections::HashMap;

pub struct Structure {
    pub provisions: Vec<ProvisionInfo>,
    pub changes: Vec<DeclChange>,
    pub comment_changes: Vec<CommentChange>,
}

/// A declaration of one side, with what the diff needs to describe it.
#[derive(Clone, Copy)]
pub(super) struct At<'a> {
    pub(super) side: &'a Side<'a>,
    pub(super) decl: &'a Declaration,
}

impl<'a> At<'a> {
    pub(super) fn map(&self) -> &'a SourceMap {
        self.side.map
    }

    pub(super) fn line(&self, span: Span) -> String {
        one_line(self.side.map, span)
    }

    pub(super) fn file_line(&self) -> (String, usize) {
        file_line(self.side, self.decl.span)
    }
}

fn file_line(side: &Side, span: Span) -> (String, usize) {
    let Some(f) = side.map.get(span.file) else {
        return (String::new(), 0);
    };
    let name = f
        .name
        .strip_prefix(side.root.as_str())
        .map(|n| n.trim_start_matches('/'))
        .unwrap_or(&f.name);
    (name.to_string(), f.line_col(span.start as usize).0 + 1)
}

type Key = (&'static str, String, usize);

/// The declarations a side compares: every one, or (by date) those in force on its date.
fn declarations<'a>(side: &'a Side<'a>) -> Vec<(Key, At<'a>)> {
    let mut chosen: Vec<&'a Declaration> = Vec::new();
    match side.on {
        None => chosen.extend(side.decls.iter().copied()),
        Some(day) => {
            chosen.extend(
                side.decls
                    .iter()
                    .copied()
                    .filter(|d| !check::is_amendable(d)),
            );
            let c = check::consolidation(side.map, &side.decls);
            chosen.extend(
                c.entries
                    .iter()
                    .filter(|e| e.in_force_on(day))
                    .map(|e| e.decl),
            );
        }
    }
    let mut seen: HashMap<(&'static str, String), usize> = HashMap::new();
    chosen
        .into_iter()
        .map(|decl| {
            let k = (decl.kind.keyword(), decl.kind.name().name.clone());
            let n = seen.entry(k.clone()).or_insert(0);
            *n += 1;
            ((k.0, k.1, *n), At { side, decl })
        })
        .collect()
}

pub fn compare(old: &Side, new: &Side, options: &Options) -> Structure {
    let olds = declarations(old);
    let news = declarations(new);
    let old_by_key: HashMap<&Key, At> = olds.iter().map(|(k, a)| (k, *a)).collect();
    let new_keys: std::collections::HashSet<&Key> = news.iter().map(|(k, _)| k).collect();
    let mut changes = Vec::new();
    let mut comment_changes = Vec::new();
    for (key, n) in &news {
        match old_by_key.get(key) {
            None => changes.push(added_or_removed(n, Status::Added)),
            Some(o) => {
                if !text::same((o.map(), o.decl.span), (n.map(), n.decl.span)) {
                    changes.push(changed(o, n));
                } else if let Some(c) = value_in_force(o, n) {
                    changes.push(c);
                } else if options.comments
                    && text::comments(o.map(), o.decl.span) != text::comments(n.map(), n.decl.span)
                {
                    let (file, line) = n.file_line();
                    comment_changes.push(CommentChange {
                        kind: kind_label(n.decl),
                        name: key.1.clone(),
                        file,
                        line,
                    });
                }
            }
        }
    }
    for (key, o) in &olds {
        if !new_keys.contains(key) {
            changes.push(added_or_removed(o, Status::Removed));
        }
    }
    let provisions = provisions_between(old, new);
    if old.on.is_some() && new.on.is_some() {
        for c in &mut changes {
            c.provision = provisions
                .iter()
                .rev()
                .find(|p| {
                    p.name == c.name && (c.kind == p.kind || c.kind.contains(p.kind.as_str()))
                })
                .cloned();
        }
    }
    cross_reference_exceptions(&mut changes, &news, &olds);
    changes.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Structure {
        provisions,
        changes,
        comment_changes,
    }
}

/// "output rule", "rule", "table"...: the kind as the declaration is written.
fn kind_label(d: &Declaration) -> String {
    match &d.kind {
        DeclKind::Rule(r) if r.output => "output rule".into(),
        DeclKind::Reasons(r) if r.output => "output reasons".into(),
        DeclKind::Exception(e) => format!("exception to {}", e.target.name),
        k => k.keyword().into(),
    }
}

fn citations(d: &Declaration) -> Vec<Cite> {
    d.kind.citations().iter().map(Cite::of).collect()
}

fn added_or_removed(at: &At, status: Status) -> DeclChange {
    let (file, line) = at.file_line();
    let shown = Some(text::display(at.map(), at.decl.span));
    let mut details = Vec::new();
    if let Some(f) = at.decl.kind.in_force() {
        details.push(format!(
            "in force {}",
            crate::time::period::describe(f.from, f.until)
        ));
    }
    DeclChange {
        kind: kind_label(at.decl),
        name: at.decl.kind.name().name.clone(),
        file,
        line,
        status,
        details,
        old_text: if status == Status::Removed {
            shown.clone()
        } else {
            None
        },
        new_text: if status == Status::Added { shown } else { None },
        citations: citations(at.decl),
        provision: None,
    }
}

fn changed(o: &At, n: &At) -> DeclChange {
    let (file, line) = n.file_line();
    let mut d = Details::default();
    describe(&mut d, o, n);
    let mut cites = citations(n.decl);
    for c in d.cites {
        if !cites.contains(&c) {
            cites.push(c);
        }
    }
    DeclChange {
        kind: kind_label(n.decl),
        name: n.decl.kind.name().name.clone(),
        file,
        line,
        status: Status::Changed,
        details: d.lines,
        old_text: Some(text::display(o.map(), o.decl.span)),
        new_text: Some(text::display(n.map(), n.decl.span)),
        citations: cites,
        provision: None,
    }
}

/// By date: a parameter whose declaration is the same but whose value in force differs.
fn value_in_force(o: &At, n: &At) -> Option<DeclChange> {
    let (Some(day_o), Some(day_n)) = (o.side.on, n.side.on) else {
        return None;
    };
    let (DeclKind::Parameter(po), DeclKind::Parameter(pn)) = (&o.decl.kind, &n.decl.kind) else {
        return None;
    };
    let vo = value_on(po, day_o)?;
    let vn = value_on(pn, day_n)?;
    if text::same((o.map(), vo.value.span), (n.map(), vn.value.span)) {
        return None;
    }
    let (file, line) = n.file_line();
    let mut citations = citations(n.decl);
    citations.extend(vn.citation.as_ref().map(Cite::of));
    Some(DeclChange {
        kind: kind_label(n.decl),
        name: pn.name.name.clone(),
        file,
        line,
        status: Status::Changed,
        details: vec![format!(
            "value in force: `{}` (from {}) → `{}` (from {})",
            o.line(vo.value.span),
            date::format(vo.from),
            n.line(vn.value.span),
            date::format(vn.from)
        )],
        old_text: None,
        new_text: None,
        citations,
        provision: None,
    })
}

fn value_on(p: &ast::ParameterDecl, day: Day) -> Option<&ast::ParamValue> {
    p.values
        .iter()
        .filter(|v| v.from <= day)
        .max_by_key(|v| v.from)
}

/// A changed rule also lists the changes to its exceptions.
fn cross_reference_exceptions(changes: &mut [DeclChange], news: &[(Key, At)], olds: &[(Key, At)]) {
    let target = |name: &str| {
        news.iter()
            .chain(olds.iter())
            .find_map(|(k, a)| match &a.decl.kind {
                DeclKind::Exception(e) if k.1 == name => Some(e.target.name.clone()),
                _ => None,
            })
    };
    let notes: Vec<(String, String)> = changes
        .iter()
        .filter(|c| c.kind.starts_with("exception"))
        .filter_map(|c| {
            let verb = match c.status {
                Status::Added => "added",
                Status::Removed => "removed",
                Status::Changed => "changed",
            };
            target(&c.name).map(|t| (t, format!("exception `{}` {verb}", c.name)))
        })
        .collect();
    for (t, note) in notes {
        if let Some(rule) = changes
            .iter_mut()
            .find(|c| c.name == t && !c.kind.starts_with("exception"))
        {
            rule.details.push(note);
        }
    }
}

/// The provisions that take effect after the old date, up to the new one (by date).
fn provisions_between(old: &Side, new: &Side) -> Vec<ProvisionInfo> {
    let (Some(a), Some(b)) = (old.on, new.on) else {
        return Vec::new();
    };
    let (lo, hi) = (a.min(b), a.max(b));
    let c = check::consolidation(new.map, &new.decls);
    let mut applied: Vec<&AppliedProvision> = c
        .provisions
        .iter()
        .filter(|p| lo < p.from && p.from <= hi)
        .collect();
    applied.sort_by_key(|p| (p.from, p.span));
    applied
        .into_iter()
        .filter_map(|p| provision_info(new, p))
        .collect()
}

fn provision_info(side: &Side, p: &AppliedProvision) -> Option<ProvisionInfo> {
    let (amendment, provision) = side.decls.iter().find_map(|d| match &d.kind {
        DeclKind::Amendment(a) => a
            .provisions
            .iter()
            .find(|x| x.span == p.span)
            .map(|x| (a, x)),
        _ => None,
    })?;
    let citations = match &provision.action {
        ProvisionAction::Add(d) | ProvisionAction::Replace(d) => citations(d),
        ProvisionAction::Repeal { citation, .. } => citation.iter().map(Cite::of).collect(),
    };
    let kind = match &provision.action {
        ProvisionAction::Add(d) | ProvisionAction::Replace(d) => kind_label(d),
        ProvisionAction::Repeal { .. } => p.kind.to_string(),
    };
    let named = match &provision.action {
        ProvisionAction::Add(d) | ProvisionAction::Replace(d) => d.kind.name().span,
        ProvisionAction::Repeal { name, .. } => name.span,
    };
    let (file, line) = file_line(side, named);
    Some(ProvisionInfo {
        amendment: amendment.name.name.clone(),
        action: p.action.to_string(),
        kind,
        name: p.name.clone(),
        from: p.from,
        doc: provision.doc.clone(),
        citations,
        amendment_citations: amendment.citations.iter().map(Cite::of).collect(),
        file,
        line,
    })
}

/// Two versions of a small rulebook checked in-process, for this module's tests and
/// `describe`'s.
#[cfg(test)]
#[path = "fixture.rs"]
pub(super) mod fixture;
#[cfg(test)]
#[path = "structure_tests.rs"]
mod tests;
