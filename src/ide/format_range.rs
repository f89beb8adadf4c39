//! Range formatting: the canonical layout (`zan fmt`) for the declarations a range touches
//! and nothing else. The whole file is formatted (the layout of a declaration does not depend
//! on the others, and `fmt` checks its result), both texts are cut at the same declaration
//! boundaries, and each touched declaration that changed gets one edit, trimmed to the part
//! that differs, so the edits stay inside the declarations the range touches.

use std::ops::Range;

/// One replacement in the original text: the byte range and the new text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeEdit {
    pub range: Range<usize>,
    pub text: String,
}

/// The edits that lay out the declarations touching `from..to`; `None` while the file has
/// syntax errors (nothing to format safely).
pub fn format_range(text: &str, from: usize, to: usize) -> Option<Vec<RangeEdit>> {
    let formatted = crate::fmt::format_source(text).ok()?;
    let old = crate::syntax::split::declarations(text);
    let new = crate::syntax::split::declarations(&formatted);
    if old.len() != new.len() {
        // Not expected from a formatter that keeps every declaration; refuse rather than guess.
        return None;
    }
    let mut edits = Vec::new();
    for (o, n) in old.iter().zip(&new) {
        let touched = if from == to {
            o.start <= from && (from < o.end || o.end == text.len())
        } else {
            from < o.end && o.start < to
        };
        if !touched {
            continue;
        }
        let (before, after) = (text.get(o.clone())?, formatted.get(n.clone())?);
        if let Some(edit) = difference(before, after) {
            edits.push(RangeEdit {
                range: o.start + edit.range.start..o.start + edit.range.end,
                text: edit.text,
            });
        }
    }
    Some(edits)
}

/// The one edit that turns `old` into `new`, without their common start and end (at char
/// boundaries); `None` when they are equal.
fn difference(old: &str, new: &str) -> Option<RangeEdit> {
    if old == new {
        return None;
    }
    let prefix = old
        .char_indices()
        .zip(new.chars())
        .find(|((_, a), b)| a != b)
        .map_or(old.len().min(new.len()), |((i, _), _)| i);
    let (old_rest, new_rest) = (&old[prefix..], &new[prefix..]);
    let suffix = old_rest
        .chars()
        .rev()
        .zip(new_rest.chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum::<usize>();
    Some(RangeEdit {
        range: prefix..old.len() - suffix,
        text: new_rest[..new_rest.len() - suffix].to_string(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn apply(text: &str, edits: &[RangeEdit]) -> String {
        let mut out = text.to_string();
        for e in edits.iter().rev() {
            out.replace_range(e.range.clone(), &e.text);
        }
        out
    }

    #[test]
    fn only_the_touched_declaration_is_laid_out() {
        let text = "fact a:   integer\n\nfact b:   integer\n";
        let edits = format_range(text, 20, 21).unwrap();
        assert_eq!(
            apply(text, &edits),
            "fact a:   integer\n\nfact b: integer\n"
        );
        assert!(edits.iter().all(|e| e.range.start >= 19));
        let all = format_range(text, 0, text.len()).unwrap();
        assert_eq!(apply(text, &all), "fact a: integer\n\nfact b: integer\n");
    }

    #[test]
    fn the_difference_is_trimmed_to_what_changed() {
        // The first difference is the second space: it goes.
        let d = difference("rule  x", "rule x").unwrap();
        assert_eq!((d.range, d.text.as_str()), (5..6, ""));
        assert_eq!(difference("same", "same"), None);
        let d = difference("é  b", "é b").unwrap();
        assert_eq!(d.range, 3..4);
    }
}
