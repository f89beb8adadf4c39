//! Syntax: the pest grammar and its lowering into a spanned syntax tree.
//!
//! `parse` never stops at the first error: the file is cut at top-level declarations
//! (`split`), each declaration is parsed on its own, and every syntax error is reported
//! while the declarations that parsed are kept; `recover` keeps what it can of one that did
//! not (the declaration before stray text, the header of a broken one).

pub mod ast;
mod errors;
pub mod keywords;
pub mod lex;
mod lower;
mod recover;
pub(crate) mod split;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, SourceMap, Span};
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "grammar/zan.pest"]
pub(crate) struct ZanParser;

/// Deepest bracket nesting accepted in one declaration; deeper input is refused with a
/// diagnostic instead of exhausting the stack.
pub const MAX_NESTING: usize = 64;

/// Most operators in one declaration (each may nest the expression one level deeper).
pub const MAX_OPERATORS: usize = 1000;

/// Most declarations read from one file; the rest are refused with one diagnostic. Checking
/// takes time and memory in proportion (200,000 short declarations: about 7 s and 500 MB).
pub const MAX_DECLARATIONS: usize = 200_000;

/// Parse one file of the map into declarations, with the diagnostics of every declaration
/// that failed to parse and notes for `// OPEN:` review markers.
pub fn parse(map: &SourceMap, file: FileId) -> (ast::File, Vec<Diagnostic>) {
    // Never given up: `stale` always says no.
    parse_unless(map, file, &|| false).unwrap_or_default()
}

/// `parse`, given up (`None`) as soon as `stale()` says the result is no longer wanted: it is
/// asked before each declaration, so a language server can drop the parse of a large
/// document that a newer edit replaced (parsing is most of the analysis of one). `stale` is a
/// question the caller answers (an atomic load); the parser does no IO.
pub fn parse_unless(
    map: &SourceMap,
    file: FileId,
    stale: &dyn Fn() -> bool,
) -> Option<(ast::File, Vec<Diagnostic>)> {
    let mut out = ast::File::default();
    let mut diags = Vec::new();
    let Some(source) = map.get(file) else {
        return Some((out, diags));
    };
    let text = source.text.as_str();
    let mut chunks = split::declarations(text);
    if let Some(first_refused) = chunks.get(MAX_DECLARATIONS) {
        let start = first_refused.start;
        let end = (start + 1..=text.len())
            .find(|&e| text.is_char_boundary(e))
            .unwrap_or(start);
        diags.push(
            Diagnostic::new(
                Code::LimitExceeded,
                Span::new(file, start, end),
                "this file has too many declarations",
            )
            .label(format!(
                "declaration {} of {}; a file holds at most {MAX_DECLARATIONS}",
                MAX_DECLARATIONS + 1,
                chunks.len()
            ))
            .help("split the rulebook into several files"),
        );
        chunks.truncate(MAX_DECLARATIONS);
    }
    for chunk in chunks {
        if stale() {
            return None;
        }
        let piece = &text[chunk.clone()];
        if let Some(d) = split::nesting_too_deep(piece, file, chunk.start) {
            diags.push(d);
            continue;
        }
        match ZanParser::parse(Rule::single_declaration, piece) {
            Ok(pairs) => {
                let mut lower = lower::Lower::new(file, chunk.start);
                for pair in pairs {
                    out.declarations.extend(lower.single_declaration(pair));
                }
                diags.extend(lower.diagnostics);
            }
            Err(_) => {
                if let Err(err) = parse_with_error_detail(piece) {
                    let kept = recover::failed_declaration(&err, piece, file, chunk.start);
                    out.declarations.extend(kept.declarations);
                    out.broken.extend(kept.broken);
                    diags.extend(kept.diagnostics);
                }
            }
        }
    }
    diags.extend(split::open_points(text, file));
    Some((out, diags))
}

/// Parse again with detailed errors, which record the brackets and separators pest tried;
/// they cost too much to keep on for declarations that parse. pest's switch is global to the
/// process, so detailed parses take turns: files are parsed on several threads (and by the
/// language server and embedders at once), and one thread must not switch it off under
/// another. A parse without the lock that sees the switch on is only slower.
fn parse_with_error_detail(piece: &str) -> Result<(), pest::error::Error<Rule>> {
    static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = DETAIL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    pest::set_error_detail(true);
    let detailed = ZanParser::parse(Rule::single_declaration, piece).map(|_| ());
    pest::set_error_detail(false);
    detailed
}

/// An operator between two operands (the grammar's `infix` rule).
pub(crate) fn is_infix(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::op_or
            | Rule::op_and
            | Rule::op_eq
            | Rule::op_ne
            | Rule::op_le
            | Rule::op_ge
            | Rule::op_lt
            | Rule::op_gt
            | Rule::op_is_not
            | Rule::op_is
            | Rule::op_not_in
            | Rule::op_in
            | Rule::op_add
            | Rule::op_sub
            | Rule::op_mul
            | Rule::op_div
    )
}

/// One parsed file: its syntax tree and the diagnostics of parsing it. The language server
/// keeps these per file and re-parses only the files that changed.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub file: FileId,
    pub ast: ast::File,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse one file of the map (see `parse`).
pub fn parse_file(map: &SourceMap, file: FileId) -> Parsed {
    let (ast, diagnostics) = parse(map, file);
    Parsed {
        file,
        ast,
        diagnostics,
    }
}

/// `parse_file`, given up when `stale()` says so (`parse_unless`).
pub fn parse_file_unless(
    map: &SourceMap,
    file: FileId,
    stale: &dyn Fn() -> bool,
) -> Option<Parsed> {
    let (ast, diagnostics) = parse_unless(map, file, stale)?;
    Some(Parsed {
        file,
        ast,
        diagnostics,
    })
}

/// Below this much text, parsing on one thread is as fast as starting others.
const PARALLEL_PARSE_BYTES: usize = 64 * 1024;

/// Parse every file of the map, on all cores when there is enough text: files are parsed
/// independently, and parsing is most of the time a rulebook takes to check.
pub fn parse_files(map: &SourceMap) -> Vec<Parsed> {
    let ids: Vec<FileId> = map.ids().collect();
    let total: usize = map.files().iter().map(|f| f.text.len()).sum();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(ids.len());
    if threads < 2 || total < PARALLEL_PARSE_BYTES {
        return ids.iter().map(|&id| parse_file(map, id)).collect();
    }
    // Deal the files out largest first, each to the thread with the least text so far.
    let mut order: Vec<usize> = (0..ids.len()).collect();
    let size = |i: usize| map.get(ids[i]).map_or(0, |f| f.text.len());
    order.sort_by_key(|&i| std::cmp::Reverse(size(i)));
    let mut shares: Vec<(usize, Vec<usize>)> = vec![(0, Vec::new()); threads];
    for i in order {
        if let Some(share) = shares.iter_mut().min_by_key(|s| s.0) {
            share.0 += size(i);
            share.1.push(i);
        }
    }
    let mut parsed: Vec<Option<Parsed>> = (0..ids.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|(_, files)| {
                let ids = &ids;
                std::thread::Builder::new()
                    .stack_size(crate::THREAD_STACK_BYTES)
                    .spawn_scoped(scope, move || {
                        files
                            .into_iter()
                            .map(|i| (i, parse_file(map, ids[i])))
                            .collect::<Vec<_>>()
                    })
            })
            .collect();
        // A thread that could not start, or whose parse panicked, leaves its files to be
        // parsed again below on this thread, as a sequential parse would have.
        for handle in handles.into_iter().flatten() {
            if let Ok(done) = handle.join() {
                for (i, p) in done {
                    parsed[i] = Some(p);
                }
            }
        }
    });
    parsed
        .into_iter()
        .zip(&ids)
        .map(|(p, &id)| p.unwrap_or_else(|| parse_file(map, id)))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::diagnostics::{Code, Severity};

    /// Parsing on several threads gives what parsing one file after another gives, in the
    /// map's order, diagnostics included: over the kz-visa rulebook, whose files all parse,
    /// and again with files that do not parse among them.
    #[test]
    fn parallel_parse_is_the_sequential_parse() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rulebooks/kz-visa");
        let mut map = crate::load::rulebook(&dir).unwrap();
        let total: usize = map.files().iter().map(|f| f.text.len()).sum();
        assert!(total > super::PARALLEL_PARSE_BYTES, "{total}");
        let same_as_sequential = |map: &crate::source::SourceMap| {
            let parallel = super::parse_files(map);
            let sequential: Vec<_> = map.ids().map(|id| super::parse_file(map, id)).collect();
            assert_eq!(format!("{parallel:?}"), format!("{sequential:?}"));
            parallel
        };
        let parsed = same_as_sequential(&map);
        assert!(parsed.len() > 10, "{}", parsed.len());
        for p in &parsed {
            let errors = p
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error);
            let errors: Vec<_> = errors.collect();
            assert!(errors.is_empty(), "{errors:?}");
            assert!(!p.ast.declarations.is_empty());
        }
        for i in 0..5 {
            map.add(
                format!("broken{i}.zan"),
                "rule broken : = (\n".repeat(1 + i * 100),
            );
        }
        let parsed = same_as_sequential(&map);
        assert!(parsed
            .iter()
            .any(|p| p.diagnostics.iter().any(|d| d.code == Code::Syntax)));
    }
}
