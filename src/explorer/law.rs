//! A legal text cut into paragraphs and sentences, and a quoted sentence found in it (the
//! whitespace compared loosely and `...`/`…` elisions skipped, as the checker does), so that
//! each citation lights up the sentences it quotes.

use std::ops::Range;

pub use crate::ide::sentences::{paragraphs, Sentence};

/// The text with every run of white space as one space, and for each byte of it the offset of
/// the byte it comes from.
struct Collapsed {
    text: String,
    origin: Vec<usize>,
}

fn collapse(text: &str) -> Collapsed {
    let mut out = Collapsed {
        text: String::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len()),
    };
    let mut in_space = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if !in_space {
                out.text.push(' ');
                out.origin.push(i);
            }
            in_space = true;
            continue;
        }
        in_space = false;
        out.text.push(c);
        for k in 0..c.len_utf8() {
            out.origin.push(i + k);
        }
    }
    out
}

/// Where a quoted passage stands in a text: the byte range of each part between elisions, in
/// order; `None` when some part is not found.
pub struct Finder {
    collapsed: Collapsed,
}

impl Finder {
    pub fn new(text: &str) -> Finder {
        Finder {
            collapsed: collapse(text),
        }
    }

    pub fn find(&self, quote: &str) -> Option<Vec<Range<usize>>> {
        let c = &self.collapsed;
        let mut from = 0;
        let mut found = Vec::new();
        for piece in quote.split("...").flat_map(|p| p.split('…')) {
            let piece = collapse(piece.trim()).text;
            if piece.is_empty() {
                continue;
            }
            let at = from + c.text.get(from..)?.find(&piece)?;
            let last = at + piece.len() - 1;
            found.push(*c.origin.get(at)?..*c.origin.get(last)? + 1);
            from = at + piece.len();
        }
        (!found.is_empty()).then_some(found)
    }
}

/// The numbers of the sentences that overlap any of `ranges`.
pub fn sentences_in(paragraphs: &[Vec<Sentence>], ranges: &[Range<usize>]) -> Vec<usize> {
    paragraphs
        .iter()
        .flatten()
        .filter(|s| {
            ranges
                .iter()
                .any(|r| s.range.start < r.end && r.start < s.range.end)
        })
        .map(|s| s.number)
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const TEXT: &str = "First rule. It has\ntwo lines? No.\n\nThe approval period is up to three working days. Next one!\n";

    #[test]
    fn sentences_are_cut_at_their_ends_and_numbered_in_order() {
        let ps = paragraphs(TEXT);
        let texts: Vec<Vec<&str>> = ps
            .iter()
            .map(|p| p.iter().map(|s| &TEXT[s.range.clone()]).collect())
            .collect();
        assert_eq!(
            texts,
            vec![
                vec!["First rule.", "It has"],
                vec!["two lines?", "No."],
                vec![
                    "The approval period is up to three working days.",
                    "Next one!"
                ],
            ]
        );
        let numbers: Vec<usize> = ps.iter().flatten().map(|s| s.number).collect();
        assert_eq!(numbers, vec![1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn a_quote_is_found_across_lines_and_elisions() {
        let f = Finder::new(TEXT);
        let ranges = f.find("It has two   lines?").unwrap();
        assert_eq!(&TEXT[ranges[0].clone()], "It has\ntwo lines?");
        assert_eq!(sentences_in(&paragraphs(TEXT), &ranges), vec![2, 3]);
        let elided = f.find("First ... three working days").unwrap();
        assert_eq!(elided.len(), 2);
        assert!(f.find("not in the text").is_none());
    }
}
