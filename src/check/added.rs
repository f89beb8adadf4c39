//! Names that only an amendment adds. A declaration in force before the amendment's date
//! that uses one gets, instead of "unknown name", which amendment adds it and from when,
//! with the dates of the declaration that uses it.

use super::names::{Globals, Period};
use super::versions::Timeline;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::Origin;
use crate::source::Span;
use crate::syntax::ast;
use crate::time::date::{self, Day};
use crate::time::period;
use rustc_hash::FxHashMap as HashMap;

/// Where an amendment adds a name.
pub struct Added {
    amendment: String,
    from: Day,
    /// The name in the `add` provision.
    span: Span,
}

/// The names of the timeline that no baseline declaration has, each with the first
/// amendment that adds it.
pub fn added_names(g: &Globals, timeline: &Timeline) -> HashMap<String, Added> {
    let mut out = HashMap::default();
    for (name, entries) in &timeline.entries {
        if entries.iter().any(|e| e.origin == Origin::Baseline) {
            continue;
        }
        let first = entries
            .iter()
            .filter_map(|e| match e.origin {
                Origin::Amendment {
                    amendment,
                    from,
                    replaced: false,
                } => Some((from, amendment, e.decl.kind.name().span)),
                _ => None,
            })
            .min_by_key(|(from, _, _)| *from);
        if let Some((from, amendment, span)) = first {
            let amendment = g
                .amendments
                .get(amendment as usize)
                .map(|a| a.name.clone())
                .unwrap_or_default();
            out.insert(
                name.clone(),
                Added {
                    amendment,
                    from,
                    span,
                },
            );
        }
    }
    out
}

impl Globals<'_> {
    /// `id` is added by an amendment after the dates of the declaration being checked: say
    /// so, rather than that it is unknown.
    pub fn added_later(&self, id: &ast::Ident) -> Option<Diagnostic> {
        let added = self.added.get(&id.name)?;
        let (what, from, until): (&str, Option<Day>, Option<Day>) = self.checking?;
        if from.is_some_and(|f| f >= added.from) {
            return None;
        }
        let on = date::format(added.from);
        let dates = match (from, until) {
            (None, _) => String::from("before that date as well"),
            (f, u) => format!("{}, before it", period::describe(f, u)),
        };
        Some(
            Diagnostic::new(
                Code::UnknownName,
                id.span,
                format!(
                    "`{}` is added by amendment `{}` from {on}; this {what} is in force {dates}",
                    id.name, added.amendment
                ),
            )
            .label(format!("not in force before {on}"))
            .with_secondary(added.span, format!("added here, from {on}"))
            .help(format!(
                "use `{}` in declarations in force from {on}: give this {what} `in force from {on}`, or replace it from that date in amendment `{}`",
                id.name, added.amendment
            )),
        )
    }
}

/// What `Globals::checking` holds: the kind of declaration being checked and its dates.
pub type Checking = (&'static str, Option<Day>, Option<Day>);

/// The dates of `p`, for `Globals::checking`.
pub fn checking(kind: &'static str, p: Period) -> Checking {
    (kind, p.0, p.1)
}
