//! Formatting as small edits: the lines `zan fmt` changes, found by a line diff of the text
//! and its canonical layout, each run of changed lines one `TextEdit`, so the client keeps
//! its cursor, marks and undo history outside what changed.

use std::ops::Range;

/// The byte ranges of `old` to replace, with their new text, that turn `old` into `new`; in
/// order, not overlapping.
pub fn minimal_edits(old: &str, new: &str) -> Vec<(Range<usize>, String)> {
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut starts = Vec::with_capacity(old_lines.len() + 1);
    let mut at = 0;
    for l in &old_lines {
        starts.push(at);
        at += l.len();
    }
    starts.push(at);
    let diff = similar::capture_diff_slices(similar::Algorithm::Myers, &old_lines, &new_lines);
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for op in diff {
        let (old_range, new_range) = (op.old_range(), op.new_range());
        if matches!(op, similar::DiffOp::Equal { .. }) {
            continue;
        }
        let bytes = starts[old_range.start]..starts[old_range.end];
        let text: String = new_lines[new_range].concat();
        // Adjacent runs (a deletion beside an insertion) become one edit.
        match edits.last_mut() {
            Some((last, t)) if last.end == bytes.start => {
                last.end = bytes.end;
                t.push_str(&text);
            }
            _ => edits.push((bytes, text)),
        }
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &str, edits: &[(Range<usize>, String)]) -> String {
        let mut text = old.to_string();
        for (r, t) in edits.iter().rev() {
            text.replace_range(r.clone(), t);
        }
        text
    }

    #[test]
    fn only_changed_lines_are_edited() {
        let old = "a\n  b\nc\nd\n   e\n";
        let new = "a\nb\nc\nd\ne\n";
        let edits = minimal_edits(old, new);
        assert_eq!(edits.len(), 2);
        assert_eq!(apply(old, &edits), new);
        assert!(minimal_edits(new, new).is_empty());
    }

    #[test]
    fn a_missing_final_newline_and_removed_lines_are_edits_too() {
        for (old, new) in [
            ("a\nb", "a\nb\n"),
            ("a\n\n\nb\n", "a\n\nb\n"),
            ("", "x\n"),
            ("x\n", ""),
        ] {
            assert_eq!(
                apply(old, &minimal_edits(old, new)),
                new,
                "{old:?} -> {new:?}"
            );
        }
    }
}
