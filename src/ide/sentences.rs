//! A legal text cut into paragraphs and sentences: the one splitting shared by the explorer
//! (which lights up the sentences a citation quotes) and the editor (which completes a
//! citation's quote with the sentences of its source).

use std::ops::Range;

/// One sentence of a legal text: its bytes in the text and its number (from 1, in the order
/// of the text; the page's anchor `s-N`).
#[derive(Clone, Debug)]
pub struct Sentence {
    pub number: usize,
    pub range: Range<usize>,
}

/// A legal text as paragraphs (each a run of non-empty lines) of sentences.
pub fn paragraphs(text: &str) -> Vec<Vec<Sentence>> {
    let mut out: Vec<Vec<Sentence>> = Vec::new();
    let mut number = 0;
    let mut offset = 0;
    let mut current: Vec<Sentence> = Vec::new();
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end();
        if body.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        // Each line is a paragraph of its own: the legal texts put one provision a line.
        for r in sentences(body) {
            number += 1;
            current.push(Sentence {
                number,
                range: start + r.start..start + r.end,
            });
        }
        out.push(std::mem::take(&mut current));
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The sentences of one line: cut after `.`, `!` or `?` (closing quotes and brackets kept
/// with it) where white space follows; leading white space is not part of a sentence.
fn sentences(line: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end_mark = false;
    let mut last_end = 0;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() {
            if end_mark {
                if let Some(s) = start.take() {
                    out.push(s..last_end);
                }
            }
            end_mark = false;
            continue;
        }
        if start.is_none() {
            start = Some(i);
        }
        last_end = i + c.len_utf8();
        end_mark = match c {
            '.' | '!' | '?' => true,
            '"' | '”' | '’' | ')' | '»' | '*' => end_mark,
            _ => false,
        };
    }
    if let Some(s) = start {
        out.push(s..last_end);
    }
    out
}
