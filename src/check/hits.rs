//! Which row of a table answers: the hit policy (`unique`, the default; `hit first`; `hit most
//! specific`), checked over a grid of the keys' atoms (enum values, and for ordered keys the
//! pieces of their line that `bands.rs` cuts), with the lookup structure the evaluator uses.
//!
//! Unique: two rows that match one case are an error (Z0306). First: a row that earlier rows
//! wholly cover is a warning (Z0309), naming them. Most specific: in every case, among the
//! matching rows one must lie inside all the others (Z0310 otherwise, with the case); rows are
//! then tried with the more specific first. Without `otherwise`, a case no row matches is
//! Z0302, named by its first uncovered value or range.

use super::bands::{self, Line};
use super::data;
use super::expr::ExprCx;
use crate::diagnostics::{Code, Diagnostic};
use crate::ir::*;
use crate::source::Span;
use crate::syntax::ast::{self, HitPolicy};
use crate::value::Value;

/// Most cells of the grid the checks walk; beyond, what needs the grid is not decided.
const MAX_CELLS: usize = 1 << 16;

type Row = Vec<Option<Vec<KeyMatch>>>;

/// One key of the grid: its atoms, and how to name them.
enum Axis {
    /// Enum or bool: one atom per value.
    Choice(Vec<String>),
    /// An ordered key with bands or values.
    Ordered(Line),
    /// Any other key (text): the values rows write, and one atom for every other value.
    Values(Vec<Value>, Type),
}

impl Axis {
    fn len(&self) -> usize {
        match self {
            Axis::Choice(names) => names.len(),
            Axis::Ordered(line) => line.atoms.len(),
            Axis::Values(vals, _) => vals.len() + 1,
        }
    }

    /// Whether every atom is a value a row can name (no "any other value").
    fn closed(&self) -> bool {
        !matches!(self, Axis::Values(..))
    }

    fn set(&self, pattern: &Option<Vec<KeyMatch>>) -> Vec<bool> {
        let mut set = vec![pattern.is_none(); self.len()];
        for m in pattern.iter().flatten() {
            match (self, m) {
                (Axis::Ordered(line), m) => line.cover(m, &mut set),
                (Axis::Choice(_), KeyMatch::Is(Value::Enum(i))) => {
                    if let Some(x) = set.get_mut(*i as usize) {
                        *x = true;
                    }
                }
                (Axis::Choice(_), KeyMatch::Is(Value::Bool(b))) => {
                    if let Some(x) = set.get_mut(usize::from(*b)) {
                        *x = true;
                    }
                }
                (Axis::Values(vals, _), KeyMatch::Is(v)) => {
                    if let Some(x) = vals
                        .iter()
                        .position(|x| x == v)
                        .and_then(|i| set.get_mut(i))
                    {
                        *x = true;
                    }
                }
                _ => {}
            }
        }
        set
    }

    fn describe(&self, i: usize) -> String {
        match self {
            Axis::Choice(names) => names.get(i).cloned().unwrap_or_default(),
            Axis::Ordered(line) => line.describe(i),
            Axis::Values(vals, ty) => vals
                .get(i)
                .map_or(String::from("another value"), |v| bands::show(v, ty)),
        }
    }

    fn example(&self, i: usize) -> String {
        match self {
            Axis::Ordered(line) => line.example(i),
            _ => self.describe(i),
        }
    }
}

/// The lookup of a table's rows under its hit policy, after the policy's checks.
pub fn lookup(
    cx: &mut ExprCx,
    t: &ast::TableDecl,
    keys: &[Type],
    rows: Vec<Row>,
    spans: &[Span],
    has_otherwise: bool,
) -> TableLookup {
    let policy = t.hit.map_or(HitPolicy::Unique, |h| h.0);
    let banded = rows
        .iter()
        .flatten()
        .flatten()
        .flatten()
        .any(|m| matches!(m, KeyMatch::In(_)));
    let values: Option<Vec<Vec<Option<Vec<Value>>>>> = (!banded).then(|| {
        rows.iter()
            .map(|row| {
                row.iter()
                    .map(|p| {
                        p.as_ref().map(|alts| {
                            alts.iter()
                                .filter_map(|m| match m {
                                    KeyMatch::Is(v) => Some(v.clone()),
                                    KeyMatch::In(_) => None,
                                })
                                .collect()
                        })
                    })
                    .collect()
            })
            .collect()
    });
    // Enum keys under the default policy: the checks of `data::dense`, as before policies.
    if policy == HitPolicy::Unique {
        if let Some(dense) = values
            .as_ref()
            .and_then(|v| data::dense(cx, t, keys, v, spans, None))
        {
            return dense;
        }
    }
    let grid = Grid::new(cx, keys, &rows, spans);
    let order = match (&grid, policy) {
        (Some(g), HitPolicy::Unique) => {
            g.overlaps(cx, t, spans);
            None
        }
        (Some(g), HitPolicy::First) => {
            g.unreachable(cx, t, spans);
            None
        }
        (Some(g), HitPolicy::MostSpecific) => Some(g.most_specific(cx, t, spans)),
        (None, _) => None,
    };
    let identity = |o: &Vec<u32>| o.iter().enumerate().all(|(i, r)| i as u32 == *r);
    let order = order.filter(|o| !identity(o));
    if let Some(dense) = values.as_ref().and_then(|v| {
        let order: Vec<u32> = order
            .clone()
            .unwrap_or_else(|| (0..v.len() as u32).collect());
        data::dense(cx, t, keys, v, spans, Some(&order))
    }) {
        return dense;
    }
    if !has_otherwise {
        match &grid {
            Some(g) if g.axes.iter().all(Axis::closed) && banded => g.gaps(cx, t),
            // A band in another unit than the key's other bands: reported.
            None if banded => {}
            _ if keys.iter().all(Type::is_error) => {}
            _ => needs_otherwise(cx, t, keys),
        }
    }
    TableLookup::Rows { rows, order }
}

/// A table whose keys cannot all be listed (text, or numbers without bands).
fn needs_otherwise(cx: &mut ExprCx, t: &ast::TableDecl, keys: &[Type]) {
    let banded_keys = keys.iter().all(bands::is_ordered);
    cx.g.error(
        Diagnostic::new(
            Code::NonExhaustiveTable,
            t.name.span,
            format!("table `{}` needs an `otherwise` row", t.name.name),
        )
        .label("its keys are not all enums")
        .help(if banded_keys {
            "numbers and dates are covered by bands (`1..=3 days`, `more than 3 days`): add them, or `otherwise => ...`"
        } else {
            "text, numbers and dates cannot be listed exhaustively: add `otherwise => ...`"
        }),
    );
}

/// Each row as a set of atoms per key.
struct Grid {
    axes: Vec<Axis>,
    /// Per row, per key, the atoms it matches.
    sets: Vec<Vec<Vec<bool>>>,
}

impl Grid {
    fn new(cx: &mut ExprCx, keys: &[Type], rows: &[Row], spans: &[Span]) -> Option<Grid> {
        let mut axes = Vec::with_capacity(keys.len());
        for (k, ty) in keys.iter().enumerate() {
            let patterns: Vec<(Option<&Vec<KeyMatch>>, Span)> = rows
                .iter()
                .zip(spans)
                .map(|(r, s)| (r.get(k).and_then(Option::as_ref), *s))
                .collect();
            axes.push(axis(cx, ty, &patterns)?);
        }
        let sets = rows
            .iter()
            .map(|row| axes.iter().zip(row).map(|(a, p)| a.set(p)).collect())
            .collect();
        Some(Grid { axes, sets })
    }

    fn cells(&self) -> Option<usize> {
        self.axes
            .iter()
            .try_fold(1usize, |acc, a| acc.checked_mul(a.len()))
            .filter(|n| *n <= MAX_CELLS)
    }

    /// The atom of each key in cell `c` (the first key varying slowest).
    fn coords(&self, mut c: usize) -> Vec<usize> {
        let mut out = vec![0; self.axes.len()];
        for (k, a) in self.axes.iter().enumerate().rev() {
            out[k] = c % a.len().max(1);
            c /= a.len().max(1);
        }
        out
    }

    fn matches(&self, row: usize, at: &[usize]) -> bool {
        self.sets[row].iter().zip(at).all(|(s, i)| s[*i])
    }

    fn within(&self, a: usize, b: usize) -> bool {
        self.sets[a]
            .iter()
            .zip(&self.sets[b])
            .all(|(x, y)| x.iter().zip(y).all(|(x, y)| !*x || *y))
    }

    /// The first cell both rows match, if any.
    fn common(&self, a: usize, b: usize) -> Option<Vec<usize>> {
        self.sets[a]
            .iter()
            .zip(&self.sets[b])
            .map(|(x, y)| x.iter().zip(y).position(|(x, y)| *x && *y))
            .collect()
    }

    fn show(&self, at: &[usize], example: bool) -> String {
        let parts: Vec<String> = self
            .axes
            .iter()
            .zip(at)
            .map(|(a, i)| {
                if example {
                    a.example(*i)
                } else {
                    a.describe(*i)
                }
            })
            .collect();
        match parts.len() {
            1 => parts.concat(),
            _ => format!("({})", parts.join(", ")),
        }
    }

    /// Unique: each row against the earlier ones, the first overlap reported.
    fn overlaps(&self, cx: &mut ExprCx, t: &ast::TableDecl, spans: &[Span]) {
        for j in 0..self.sets.len() {
            for i in 0..j {
                if self.sets[i] == self.sets[j] {
                    cx.g.error(
                        Diagnostic::new(
                            Code::OverlappingRows,
                            spans[j],
                            format!("this row repeats an earlier row of `{}`", t.name.name),
                        )
                        .with_secondary(spans[i], "earlier row")
                        .help("remove one of the two rows"),
                    );
                    break;
                }
                if let Some(at) = self.common(i, j) {
                    cx.g.error(
                        Diagnostic::new(Code::OverlappingRows, spans[j], format!("this row overlaps an earlier row of `{}`", t.name.name))
                            .label(format!("both match {}", self.show(&at, true)))
                            .with_secondary(spans[i], "earlier row")
                            .help("rows must not overlap: narrow the patterns so that each case has one row, or declare `hit first` or `hit most specific`"),
                    );
                    break;
                }
            }
        }
    }

    /// First: a row every case of which an earlier row matches never answers.
    fn unreachable(&self, cx: &mut ExprCx, t: &ast::TableDecl, spans: &[Span]) {
        let Some(total) = self.cells() else {
            return;
        };
        for j in 0..self.sets.len() {
            let mut covering: Vec<usize> = Vec::new();
            let mut reachable = false;
            let mut any = false;
            for c in 0..total {
                let at = self.coords(c);
                if !self.matches(j, &at) {
                    continue;
                }
                any = true;
                match (0..j).find(|i| self.matches(*i, &at)) {
                    Some(i) => {
                        if !covering.contains(&i) {
                            covering.push(i);
                        }
                    }
                    None => {
                        reachable = true;
                        break;
                    }
                }
            }
            if reachable || !any {
                continue;
            }
            let mut d = Diagnostic::new(
                Code::UnreachableRow,
                spans[j],
                format!("this row of `{}` never answers", t.name.name),
            )
            .label("earlier rows match every case it matches")
            .help("remove the row, or move it above the rows that cover it");
            for i in covering {
                d = d.with_secondary(spans[i], "matches first");
            }
            cx.g.error(d);
        }
    }

    /// Most specific: in each cell, one matching row inside every other matching row. The
    /// order tries a row before every row that strictly contains it.
    fn most_specific(&self, cx: &mut ExprCx, t: &ast::TableDecl, spans: &[Span]) -> Vec<u32> {
        let n = self.sets.len();
        for j in 0..n {
            if let Some(i) = (0..j).find(|i| self.sets[*i] == self.sets[j]) {
                cx.g.error(
                    Diagnostic::new(
                        Code::OverlappingRows,
                        spans[j],
                        format!("this row repeats an earlier row of `{}`", t.name.name),
                    )
                    .with_secondary(spans[i], "earlier row")
                    .help("remove one of the two rows"),
                );
            }
        }
        if let Some(total) = self.cells() {
            let mut reported: Vec<(usize, usize)> = Vec::new();
            for c in 0..total {
                let at = self.coords(c);
                let matching: Vec<usize> = (0..n).filter(|r| self.matches(*r, &at)).collect();
                let inside_all = |m: &usize| matching.iter().all(|r| self.within(*m, *r));
                if matching.is_empty() || matching.iter().any(inside_all) {
                    continue;
                }
                // Two matching rows neither of which lies inside the other.
                let pair = matching.iter().enumerate().find_map(|(x, a)| {
                    matching[x + 1..]
                        .iter()
                        .find(|b| !self.within(*a, **b) && !self.within(**b, *a))
                        .map(|b| (*a, *b))
                });
                let Some((a, b)) = pair else { continue };
                if reported.contains(&(a, b)) {
                    continue;
                }
                reported.push((a, b));
                cx.g.error(
                    Diagnostic::new(
                        Code::AmbiguousRows,
                        spans[b],
                        format!("neither this row nor an earlier row of `{}` is more specific", t.name.name),
                    )
                    .label(format!("both match {}, and no row inside both does", self.show(&at, true)))
                    .with_secondary(spans[a], "earlier row")
                    .help("add a row for the cases both match, or narrow one row so that it lies inside the other"),
                );
            }
        }
        // Rows in source order, each moved after the rows strictly inside it.
        let mut order: Vec<u32> = Vec::with_capacity(n);
        let mut placed = vec![false; n];
        while order.len() < n {
            let next = (0..n).find(|r| {
                !placed[*r]
                    && (0..n)
                        .all(|s| placed[s] || s == *r || !self.within(s, *r) || self.within(*r, s))
            });
            // Equal rows (reported) break no tie: take the first left.
            let r = next.or_else(|| (0..n).find(|r| !placed[*r])).unwrap_or(0);
            placed[r] = true;
            order.push(r as u32);
        }
        order
    }

    /// Without `otherwise`: the cases no row matches, by their first ranges.
    fn gaps(&self, cx: &mut ExprCx, t: &ast::TableDecl) {
        let Some(total) = self.cells() else {
            return;
        };
        let mut missing = Vec::new();
        let mut count = 0usize;
        for c in 0..total {
            let at = self.coords(c);
            if (0..self.sets.len()).any(|r| self.matches(r, &at)) {
                continue;
            }
            count += 1;
            if missing.len() < 3 {
                missing.push(self.show(&at, false));
            }
        }
        if missing.is_empty() {
            return;
        }
        cx.g.error(
            Diagnostic::new(
                Code::NonExhaustiveTable,
                t.name.span,
                format!("table `{}` does not cover every case", t.name.name),
            )
            .label(match count.saturating_sub(missing.len()) {
                0 => format!("no row for {}", missing.join("; ")),
                more => format!("no row for {} and {more} more", missing.join("; ")),
            })
            .help("add rows or bands for the missing cases, or an `otherwise => ...` row"),
        );
    }
}

fn axis(cx: &mut ExprCx, ty: &Type, patterns: &[(Option<&Vec<KeyMatch>>, Span)]) -> Option<Axis> {
    let ty = match ty {
        Type::Optional(t) => t,
        t => t,
    };
    Some(match ty {
        Type::Bool => Axis::Choice(vec!["false".into(), "true".into()]),
        Type::Enum(e) => Axis::Choice(
            cx.g.schema
                .enums
                .get(*e as usize)
                .map(|i| i.variants.iter().map(|v| v.name.clone()).collect())
                .unwrap_or_default(),
        ),
        t if bands::is_ordered(t) => Axis::Ordered(Line::new(cx, t, patterns)?),
        t => {
            let mut vals: Vec<Value> = Vec::new();
            for v in patterns
                .iter()
                .flat_map(|(p, _)| p.iter().flat_map(|a| a.iter()))
            {
                if let KeyMatch::Is(v) = v {
                    if !vals.contains(v) {
                        vals.push(v.clone());
                    }
                }
            }
            Axis::Values(vals, t.clone())
        }
    })
}
