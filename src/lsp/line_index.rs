//! Line starts of a text, to turn the byte offsets of `ide` into the protocol's positions
//! (line and UTF-16 column, the LSP default) and back. Only the protocol adapter
//! (`convert`) needs it: the rest of the code counts bytes.

/// Line starts of a text, to turn byte offsets into lines and UTF-16 columns (the
/// protocol's default) and back.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// (line, UTF-16 column) of a byte offset (clamped to the text).
    pub fn position(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let col: usize = text
            .get(start..offset)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        (line as u32, col as u32)
    }

    /// The byte offset of (line, UTF-16 column), clamped to the line and the text.
    pub fn offset(&self, text: &str, line: u32, col: u32) -> usize {
        let Some(&start) = self.starts.get(line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(line as usize + 1)
            .copied()
            .unwrap_or(text.len());
        let mut units = 0usize;
        for (i, c) in text.get(start..end).unwrap_or("").char_indices() {
            if units >= col as usize || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn positions_count_utf16_units_and_come_back_to_the_same_byte() {
        // `қ` is two bytes and one UTF-16 unit; `𝔸` four bytes and two units.
        let text = "ab\nқ𝔸x\n";
        let lines = LineIndex::new(text);
        assert_eq!(lines.line_count(), 3);
        assert_eq!(lines.position(text, 0), (0, 0));
        assert_eq!(lines.position(text, 3), (1, 0));
        let x = text.find('x').unwrap_or_default();
        assert_eq!(lines.position(text, x), (1, 3));
        assert_eq!(lines.offset(text, 1, 3), x);
        assert_eq!(lines.offset(text, 1, 1), 5);
    }

    #[test]
    fn offsets_out_of_range_are_clamped() {
        let text = "ab\nқ";
        let lines = LineIndex::new(text);
        // Inside a character: the start of the character.
        assert_eq!(lines.position(text, 4), (1, 0));
        assert_eq!(lines.position(text, 99), (1, 1));
        // Past the end of a line: its end, before the line break.
        assert_eq!(lines.offset(text, 0, 9), 2);
        assert_eq!(lines.offset(text, 7, 0), text.len());
    }
}
