//! The `sources` of each rule node: the citations of the node and of every node beneath it
//! (its condition, then its children), each once, the specific ones first in the order of the
//! tree, then the headings in the order of the tree.

use super::super::derivation::{Cited, Node, NodeKind};
use crate::ir::Citation;
use crate::source::Span;
use rustc_hash::FxHashSet;

/// Fills `sources` on every rule node of the tree.
pub(super) fn fill(node: &mut Node) {
    if let NodeKind::Rule(step) = &mut node.kind {
        if let Some(c) = &mut step.condition {
            fill(c);
        }
    }
    for c in &mut node.children {
        fill(c);
    }
    if matches!(node.kind, NodeKind::Rule(_)) {
        let mut all = Vec::new();
        collect(node, &mut all);
        let sources = ordered(all);
        if let NodeKind::Rule(step) = &mut node.kind {
            step.sources = sources;
        }
    }
}

/// Every citation of the tree, in the order of the tree.
fn collect<'n>(node: &'n Node, out: &mut Vec<&'n Cited>) {
    out.extend(&node.citations);
    if let NodeKind::Rule(step) = &node.kind {
        if let Some(c) = &step.condition {
            collect(c, out);
        }
    }
    for c in &node.children {
        collect(c, out);
    }
}

/// Specific citations first, then headings, each in tree order, each citation once (by its
/// source and span: a sentence cited twice is one source).
fn ordered(all: Vec<&Cited>) -> Vec<Citation> {
    let mut seen: FxHashSet<(u32, Span)> = FxHashSet::default();
    let (specific, headings): (Vec<&Cited>, Vec<&Cited>) =
        all.into_iter().partition(|c| c.specific);
    specific
        .into_iter()
        .chain(headings)
        .filter(|c| seen.insert((c.citation.source, c.citation.span)))
        .map(|c| c.citation.clone())
        .collect()
}
