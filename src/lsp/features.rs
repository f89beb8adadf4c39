//! The protocol side of document highlight, signature help, call hierarchy, document links,
//! selection ranges and range formatting: each a conversion of the pure `ide` answer, called
//! by a thin handler in `mod.rs`.

use super::convert::{uri_of, FilePositions, Positions};
use super::{Backend, Shared};
use crate::ide;
use serde_json::json;
use std::path::Path;
use tower_lsp_server::ls_types::*;

pub fn highlights(state: &Shared, p: TextDocumentPositionParams) -> Option<Vec<DocumentHighlight>> {
    let at = Backend::at(state, &p.text_document.uri, Some(p.position))?;
    let pos = FilePositions::new(&at.analysis, at.file);
    let found = ide::document_highlights(&at.analysis, at.file, at.offset as u32);
    Some(
        found
            .into_iter()
            .map(|(span, access)| DocumentHighlight {
                range: pos.span_range(span),
                kind: Some(match access {
                    ide::Access::Read => DocumentHighlightKind::READ,
                    ide::Access::Write => DocumentHighlightKind::WRITE,
                }),
            })
            .collect(),
    )
}

pub fn signature_help(
    state: &Shared,
    p: TextDocumentPositionParams,
    format: super::markup::Format,
) -> Option<SignatureHelp> {
    let at = Backend::at(state, &p.text_document.uri, Some(p.position))?;
    let s = ide::signature_help(&at.analysis, at.file, at.offset)?;
    // Written as markdown; a plain-text client gets it without fences and emphasis.
    let doc = |value: String| Documentation::MarkupContent(super::markup::markup(format, &value));
    let parameters = s
        .params
        .into_iter()
        .map(|(label, d)| ParameterInformation {
            label: ParameterLabel::Simple(label),
            documentation: d.map(doc),
        })
        .collect();
    Some(SignatureHelp {
        signatures: vec![SignatureInformation {
            label: s.label,
            documentation: Some(doc(s.doc)),
            parameters: Some(parameters),
            active_parameter: u32::try_from(s.active).ok(),
        }],
        active_signature: Some(0),
        active_parameter: u32::try_from(s.active).ok(),
    })
}

fn call_item(pos: &mut Positions, item: &ide::CallItem) -> Option<CallHierarchyItem> {
    let loc = pos.location(item.span)?;
    let selection = pos.location(item.name_span)?.range;
    Some(CallHierarchyItem {
        name: item.name.clone(),
        kind: super::convert::symbol_kind(item.what),
        tags: None,
        detail: Some(item.detail.clone()),
        uri: loc.uri,
        range: loc.range,
        selection_range: selection,
        // Which declaration the item is: its name and where it is written.
        data: Some(
            json!({"name": item.name, "file": item.span.file.0, "start": item.span.start, "end": item.span.end}),
        ),
    })
}

pub fn prepare_calls(
    state: &Shared,
    p: TextDocumentPositionParams,
) -> Option<Vec<CallHierarchyItem>> {
    let at = Backend::at(state, &p.text_document.uri, Some(p.position))?;
    let mut pos = Positions::new(&at.analysis);
    let items: Vec<CallHierarchyItem> =
        ide::prepare_call_hierarchy(&at.analysis, at.file, at.offset as u32)
            .iter()
            .filter_map(|i| call_item(&mut pos, i))
            .collect();
    (!items.is_empty()).then_some(items)
}

/// The `ide` item a protocol item stands for, in the current analysis of its folder.
fn item_of(state: &Shared, item: &CallHierarchyItem) -> Option<(super::At, ide::CallItem)> {
    let at = Backend::at(state, &item.uri, Some(item.selection_range.start))?;
    let found = ide::prepare_call_hierarchy(&at.analysis, at.file, at.offset as u32)
        .into_iter()
        .find(|i| i.name == item.name)?;
    Some((at, found))
}

pub fn incoming_calls(
    state: &Shared,
    item: &CallHierarchyItem,
) -> Option<Vec<CallHierarchyIncomingCall>> {
    let (at, of) = item_of(state, item)?;
    let mut pos = Positions::new(&at.analysis);
    Some(
        ide::incoming_calls(&at.analysis, &of.name)
            .iter()
            .filter_map(|c| {
                Some(CallHierarchyIncomingCall {
                    from: call_item(&mut pos, &c.item)?,
                    from_ranges: c
                        .at
                        .iter()
                        .filter_map(|s| Some(pos.location(*s)?.range))
                        .collect(),
                })
            })
            .collect(),
    )
}

pub fn outgoing_calls(
    state: &Shared,
    item: &CallHierarchyItem,
) -> Option<Vec<CallHierarchyOutgoingCall>> {
    let (at, _) = item_of(state, item)?;
    // The declaration the item was made for (a rule may be declared again by amendments).
    let of = ide::prepare_call_hierarchy(&at.analysis, at.file, at.offset as u32)
        .into_iter()
        .find(|i| {
            let pos = FilePositions::new(&at.analysis, i.span.file);
            i.name == item.name
                && i.name_span.file == at.file
                && pos.span_range(i.name_span) == item.selection_range
        })?;
    let mut pos = Positions::new(&at.analysis);
    Some(
        ide::outgoing_calls(&at.analysis, &of)
            .iter()
            .filter_map(|c| {
                Some(CallHierarchyOutgoingCall {
                    to: call_item(&mut pos, &c.item)?,
                    from_ranges: c
                        .at
                        .iter()
                        .filter_map(|s| Some(pos.location(*s)?.range))
                        .collect(),
                })
            })
            .collect(),
    )
}

pub fn links(state: &Shared, uri: &Uri) -> Option<Vec<DocumentLink>> {
    let at = Backend::at(state, uri, None)?;
    let pos = FilePositions::new(&at.analysis, at.file);
    Some(
        ide::document_links(&at.analysis, at.file)
            .into_iter()
            .filter_map(|l| {
                let mut target = uri_of(Path::new(&l.target))?.as_str().to_string();
                if let Some((line, column)) = l.at {
                    // The fragment editors open a file at (VS Code, and most others): `#L12,5`.
                    target.push_str(&format!("#L{line},{column}"));
                }
                Some(DocumentLink {
                    range: pos.span_range(l.span),
                    target: target.parse().ok(),
                    tooltip: Some(l.tooltip),
                    data: None,
                })
            })
            .collect(),
    )
}

pub fn selection_ranges(
    state: &Shared,
    uri: &Uri,
    positions: Vec<Position>,
) -> Option<Vec<SelectionRange>> {
    let at = Backend::at(state, uri, None)?;
    let pos = FilePositions::new(&at.analysis, at.file);
    Some(
        positions
            .into_iter()
            .map(|p| {
                let offset = pos.offset(p);
                let spans = ide::selection_ranges(&at.analysis, at.file, offset as u32);
                // Outermost first, each the parent of the next.
                let mut range: Option<SelectionRange> = None;
                for s in spans.iter().rev() {
                    range = Some(SelectionRange {
                        range: pos.span_range(*s),
                        parent: range.map(Box::new),
                    });
                }
                range.unwrap_or(SelectionRange {
                    range: Range { start: p, end: p },
                    parent: None,
                })
            })
            .collect(),
    )
}

pub fn range_formatting(state: &Shared, uri: &Uri, range: Range) -> Option<Vec<TextEdit>> {
    let at = Backend::at(state, uri, None)?;
    let text = at.analysis.text(at.file);
    let pos = FilePositions::new(&at.analysis, at.file);
    let (from, to) = (pos.offset(range.start), pos.offset(range.end));
    let edits = ide::format_range(text, from, to)?;
    Some(
        edits
            .into_iter()
            .map(|e| TextEdit {
                range: pos.range(e.range.start, e.range.end),
                new_text: e.text,
            })
            .collect(),
    )
}
