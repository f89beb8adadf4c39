//! What the client reads: markdown, or plain text where the client accepts only that (Emacs'
//! eglot and Vim's ALE may ask for plain text). The editor features write markdown; this is
//! the one place that turns it into the `MarkupContent` the client asked for, per surface
//! (hover, completion documentation, signature help), as read from its capabilities at
//! `initialize`.

use tower_lsp_server::ls_types::{ClientCapabilities, MarkupContent, MarkupKind};

/// What one surface of the client accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Markdown,
    PlainText,
}

/// The formats the client accepts, per surface. A client that says nothing gets markdown
/// (as the protocol's examples assume); one that lists formats gets markdown only if it
/// lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientFormats {
    pub hover: Format,
    pub completion: Format,
    pub signature_help: Format,
}

impl Default for ClientFormats {
    fn default() -> ClientFormats {
        ClientFormats {
            hover: Format::Markdown,
            completion: Format::Markdown,
            signature_help: Format::Markdown,
        }
    }
}

impl ClientFormats {
    pub fn of(caps: &ClientCapabilities) -> ClientFormats {
        let text = caps.text_document.as_ref();
        let hover = text
            .and_then(|t| t.hover.as_ref())
            .and_then(|h| h.content_format.as_deref());
        let completion = text
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.documentation_format.as_deref());
        let signature_help = text
            .and_then(|t| t.signature_help.as_ref())
            .and_then(|s| s.signature_information.as_ref())
            .and_then(|i| i.documentation_format.as_deref());
        ClientFormats {
            hover: accepted(hover),
            completion: accepted(completion),
            signature_help: accepted(signature_help),
        }
    }
}

fn accepted(listed: Option<&[MarkupKind]>) -> Format {
    match listed {
        Some(kinds) if !kinds.contains(&MarkupKind::Markdown) => Format::PlainText,
        _ => Format::Markdown,
    }
}

/// `markdown` as the client accepts it on a surface (`formats.hover`, `formats.completion`,
/// `formats.signature_help`): as is, or as plain text.
pub fn markup(format: Format, markdown: &str) -> MarkupContent {
    match format {
        Format::Markdown => MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown.to_string(),
        },
        Format::PlainText => MarkupContent {
            kind: MarkupKind::PlainText,
            value: plain_text(markdown),
        },
    }
}

/// Markdown as plain text: code fences dropped (their lines kept), tables as aligned columns
/// without the separator row, backticks and emphasis marks removed, headings unmarked.
pub fn plain_text(markdown: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut table: Vec<Vec<String>> = Vec::new();
    let mut in_code = false;
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            out.push(line.to_string());
            continue;
        }
        if trimmed.starts_with('|') && trimmed.ends_with('|') && trimmed.len() > 1 {
            if !is_separator_row(trimmed) {
                table.push(
                    trimmed[1..trimmed.len() - 1]
                        .split('|')
                        .map(|c| inline(c.trim()))
                        .collect(),
                );
            }
            continue;
        }
        flush_table(&mut table, &mut out);
        let unheaded = trimmed.trim_start_matches('#');
        let line = if unheaded.len() < trimmed.len() && unheaded.starts_with(' ') {
            unheaded.trim_start()
        } else {
            line
        };
        out.push(inline(line));
    }
    flush_table(&mut table, &mut out);
    out.join("\n").trim_end().to_string()
}

fn is_separator_row(row: &str) -> bool {
    row.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// A table's rows as columns padded to their widest cell, two spaces apart.
fn flush_table(rows: &mut Vec<Vec<String>>, out: &mut Vec<String>) {
    if rows.is_empty() {
        return;
    }
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows.drain(..) {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < row.len() {
                let pad = widths[c] - cell.chars().count() + 2;
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push(line.trim_end().to_string());
    }
}

/// One line without backticks, `**strong**` and `*emphasis*` marks (a lone `*` stays).
fn inline(line: &str) -> String {
    let line = line.replace('`', "").replace("**", "");
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '*' && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric()) {
            let close = (i + 1..chars.len()).find(|&j| chars[j] == '*');
            if let Some(j) = close.filter(|&j| chars[j - 1].is_alphanumeric()) {
                out.extend(&chars[i + 1..j]);
                i = j + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_tables_and_marks_become_plain_text() {
        let md = "```zan\nparameter mci: money\n```\nThe **monthly** index.\n\n| from | value |\n|---|---|\n| 2025-01-01 | `3932 KZT` |\n| 2026-01-01 | `4325 KZT` |\n\n*cites* `law`: “a * b”";
        assert_eq!(
            plain_text(md),
            "parameter mci: money\nThe monthly index.\n\nfrom        value\n2025-01-01  3932 KZT\n2026-01-01  4325 KZT\n\ncites law: “a * b”"
        );
    }

    #[test]
    fn a_client_that_lists_only_plain_text_gets_plain_text() {
        assert_eq!(accepted(Some(&[MarkupKind::PlainText])), Format::PlainText);
        assert_eq!(
            accepted(Some(&[MarkupKind::PlainText, MarkupKind::Markdown])),
            Format::Markdown
        );
        assert_eq!(accepted(None), Format::Markdown);
        assert_eq!(accepted(Some(&[])), Format::PlainText);
    }
}
