//! The terminal adapter (ariadne) and the JSON adapter for diagnostics.

use super::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind};
use serde_json::json;

type AriadneSpan = (String, std::ops::Range<usize>);

/// Render diagnostics for a terminal. `color` is off for snapshots and pipes.
pub fn to_terminal(map: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    let mut out = Vec::new();
    // One cache for all the reports, filled on first use: ariadne splits a file into lines
    // when it is fetched. Building it per diagnostic, for every file, cost the size of the
    // whole rulebook for each diagnostic.
    let mut cache = ariadne::FnCache::new(|name: &String| {
        map.files()
            .iter()
            .find(|f| f.name == *name)
            .map(|f| f.text.as_str())
            .ok_or_else(|| format!("no file {name}"))
    });
    for d in diags {
        let report = build_report(map, d, color);
        // Writing into a Vec cannot fail; a report that ariadne cannot lay out is replaced
        // by a one-line fallback so no diagnostic is ever lost.
        if report.write(&mut cache, &mut out).is_err() {
            out.extend_from_slice(one_line(map, d).as_bytes());
            out.push(b'\n');
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn build_report(map: &SourceMap, d: &Diagnostic, color: bool) -> Report<'static, AriadneSpan> {
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
        Severity::Note => ReportKind::Advice,
    };
    let primary_color = match d.severity {
        Severity::Error => Color::Red,
        Severity::Warning => Color::Yellow,
        Severity::Note => Color::Cyan,
    };
    let config = Config::default()
        .with_index_type(IndexType::Byte)
        .with_color(color);
    let mut report = Report::build(kind, ariadne_span(map, d.primary.span))
        .with_config(config)
        .with_code(d.code.as_str())
        .with_message(&d.message);
    // ariadne draws no underline for a label without text, so an empty label says "here".
    let text = if d.primary.message.is_empty() {
        "here"
    } else {
        d.primary.message.as_str()
    };
    let primary = Label::new(ariadne_span(map, d.primary.span))
        .with_color(primary_color)
        .with_message(text);
    report = report.with_label(primary);
    for s in &d.secondary {
        report = report.with_label(
            Label::new(ariadne_span(map, s.span))
                .with_message(&s.message)
                .with_color(Color::Blue),
        );
    }
    if let Some(help) = &d.help {
        report = report.with_help(help);
    }
    report.finish()
}

fn ariadne_span(map: &SourceMap, span: Span) -> AriadneSpan {
    let (name, len) = map
        .get(span.file)
        .map(|f| (f.name.clone(), f.text.len()))
        .unwrap_or_default();
    let start = (span.start as usize).min(len);
    let end = (span.end as usize).clamp(start, len);
    (name, start..end)
}

/// `file:line:col: severity[code]: message` — for logs and the fallback.
pub fn one_line(map: &SourceMap, d: &Diagnostic) -> String {
    let (file, line, col) = position(map, d.primary.span);
    format!(
        "{file}:{line}:{col}: {}[{}]: {}",
        d.severity.as_str(),
        d.code.as_str(),
        d.message
    )
}

/// File name and one-based line and column (in characters) of a span's start.
pub fn position(map: &SourceMap, span: Span) -> (String, usize, usize) {
    match map.get(span.file) {
        Some(f) => {
            let (line, byte_col) = f.line_col(span.start as usize);
            let line_start = f.line_start(line).unwrap_or(0);
            let col = f
                .text
                .get(line_start..line_start + byte_col)
                .map_or(byte_col, |s| s.chars().count());
            (f.name.clone(), line + 1, col + 1)
        }
        None => (String::from("<unknown>"), 1, 1),
    }
}

fn span_json(map: &SourceMap, span: Span) -> serde_json::Value {
    let (file, line, column) = position(map, span);
    let (_, end_line, end_column) = position(
        map,
        Span {
            start: span.end,
            ..span
        },
    );
    json!({
        "file": file, "line": line, "column": column,
        "end_line": end_line, "end_column": end_column,
        "start": span.start, "end": span.end,
    })
}

/// The JSON form of one diagnostic, documented in `docs/diagnostics.md`.
pub fn to_json(map: &SourceMap, d: &Diagnostic) -> serde_json::Value {
    let mut primary = span_json(map, d.primary.span);
    primary["label"] = json!(d.primary.message);
    let secondary: Vec<_> = d
        .secondary
        .iter()
        .map(|s| {
            let mut v = span_json(map, s.span);
            v["label"] = json!(s.message);
            v
        })
        .collect();
    json!({
        "code": d.code.as_str(),
        "severity": d.severity.as_str(),
        "message": d.message,
        "primary": primary,
        "secondary": secondary,
        "help": d.help,
    })
}
