//! `zan lsp` under a long random editing session: 10,000 edits (insertions of keywords,
//! brackets, names, partial declarations and random characters, Cyrillic, Kazakh and astral
//! ones included; deletions; pastes of kz-visa text; undo back to the original) sent as an
//! editor sends them (`didChange` with ranges in UTF-16 positions). After every edit a request
//! (hover, definition, completion, outline, formatting, ... in turn, at a random position)
//! must be answered, never with an internal error; every `publishDiagnostics` of the edited
//! file must equal a fresh in-process `zan::check` of the text of the version it names; the
//! other files' diagnostics must follow; and the server's memory must stay flat.
//!
//! The rulebook is a folder made in the test's temporary directory from kz-visa's header,
//! core, money and calendar files (the legal texts too) and `tests/data/lsp/replay-duties.zan`,
//! the file typed into (Kazakh names, strings and comments).
//!
//! Deterministic: `ZAN_REPLAY_SEED` (default below) and `ZAN_REPLAY_STEPS` (default 10,000)
//! choose the session; a failure prints the seed and the step to replay it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::{uri, Client};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use zan::diagnostics::{Diagnostic, Severity};
use zan::SourceMap;

const DEFAULT_SEED: u64 = 0x7a61_6e5f_6c73_7001;
const DEFAULT_STEPS: usize = 10_000;
/// How long a request may take to be answered (the server answers in milliseconds).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the diagnostics of the latest version may take to arrive.
const DIAGNOSTICS_TIMEOUT: Duration = Duration::from_secs(10);
/// Memory is sampled every this many steps, each time right after an undo to the original
/// text (so that every sample measures the same documents). The server runs with
/// `MIMALLOC_PURGE_DELAY=0`, so that the allocator returns freed pages at once and the resident
/// set follows the live heap rather than the allocator's retained pages.
const RSS_EVERY: usize = 500;
/// Samples before this step are warm-up: the allocator's per-thread heaps fill as the blocking
/// threads that run requests come and go (a 30,000-step run climbs from about 45 MB to a
/// plateau of 65-85 MB by step 7,000 and stays there).
const WARM_UP: usize = 2_000;
/// Allowed growth of the resident set over the first sample after warm-up: the plateau's
/// noise is about 20 MB. A leak of the edited text at every edit (12 KB or more) would add
/// 100 MB over the replay.
const RSS_SLACK_KB: u64 = 48 * 1024;
/// No steady climb: the median of the second half of the samples after warm-up may exceed the
/// first half's by at most this much.
const RSS_TREND_KB: u64 = 24 * 1024;
/// The share of steps after which the test waits for the diagnostics of the version it sent
/// (the others let the next edit come before the server's debounce ends, as fast typing does;
/// the server may then skip versions, and those it publishes are compared all the same).
const SYNC_SHARE: f64 = 0.4;

fn zan() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_zan"))
}

fn kz_visa() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rulebooks/kz-visa")
}

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

/// A seeded generator (`zan::testing::gen_case::splitmix64`): a seed names a replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        zan::testing::gen_case::splitmix64(&mut self.0)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Words, brackets and pieces of declarations an analyst types.
const SNIPPETS: &[&str] = &[
    "rule ",
    "output rule ",
    "fact ",
    "table ",
    "enum ",
    "record ",
    "parameter ",
    "calendar ",
    "exception ",
    "reasons ",
    "reason ",
    "amendment ",
    "example ",
    "test ",
    "source ",
    "rulebook ",
    "when ",
    " then ",
    "otherwise ",
    " and ",
    " or ",
    "not ",
    " is present",
    " is absent",
    " is ",
    "cites domain_facts ",
    "checks domain_facts ",
    " in force from 2026-01-01",
    " until 2027-01-01",
    "as of ",
    "given ",
    "expect ",
    "set ",
    "{",
    "}",
    "{\n",
    "\n}\n",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "\"\"",
    ": ",
    " = ",
    " => ",
    " -> ",
    ",",
    ".",
    "//",
    "// OPEN: ",
    "///",
    "/// Құжат: ",
    "\n",
    "\n\n",
    "  ",
    "\t",
    "\r\n",
    "mci",
    "assessed_on",
    "kazakhstan",
    "рәсім",
    "Рәсім",
    "баж_мрп",
    "мемлекеттік_баж",
    "төлеу_мерзімі",
    "уақытында_төленді",
    "Рәсім.шақыру",
    "шақыру",
    "виза_беру",
    "ұзарту",
    "шақыру_2026",
    "applicant",
    "applicant.citizenship",
    "Country.",
    "Country.kazakhstan",
    "0 KZT",
    "2.5",
    "30",
    "-1",
    "100000000000000000000000000000",
    "2026-03-19",
    "2026-02-30",
    "0000-01-01",
    "9999-12-31",
    " + 3 working days in kazakhstan",
    " * mci",
    "mci as of 2021-01-01",
    "true",
    "false",
    "absent",
    "money",
    "decimal",
    "integer",
    "bool",
    "date",
    "text",
    "list of ",
    "?",
    "rule x: bool {\n  true\n}\n",
    "\noutput rule жаңа_ереже: money {\n  when рәсім is present then ",
    "\ntable t(p: Рәсім) -> integer {\n  шақыру => 1\n",
    "\nenum Түр { бір \"бір\" екі",
    "\ntest t {\n  as of 2026-01-01\n  given шақыру_2026\n  expect ",
    "\nexample e {\n  assessed_on: ",
    "\nfact ",
    "\nrule r: date {\n  assessed_on + ",
    "\nparameter p: money {\n  from 2026-01-01: 1 KZT\n}\n",
    "\nexception e for мемлекеттік_баж {\n  when ",
    "\nreasons refusal {\n  reason r \"",
    "\namendment a_2027 on 2027-01-01 cites domain_facts {\n  replace rule ",
    "\"Наурыз мейрамы\"",
    "\"выдача визы\"",
    "\"ʼ\"",
];

/// Characters typed one at a time: ASCII, Cyrillic and Kazakh letters, characters of two
/// UTF-16 units, combining marks, zero-width and other odd ones.
fn random_char(rng: &mut Rng) -> char {
    const ODD: &[char] = &[
        'ә',
        'ғ',
        'қ',
        'ң',
        'ө',
        'ұ',
        'ү',
        'һ',
        'і',
        'Ә',
        'Ғ',
        'Қ',
        'Ң',
        'Ө',
        'Ұ',
        'Ү',
        'І',
        'ё',
        'ж',
        'щ',
        '№',
        '«',
        '»',
        '—',
        '€',
        '₸',
        '\u{301}',
        '\u{200d}',
        '\u{feff}',
        '\u{2028}',
        '\u{a0}',
        '\u{0}',
        '\u{7f}',
        '😀',
        '🇰',
        '🇿',
        '𝔷',
        '中',
        '\u{10ffff}',
    ];
    match rng.below(4) {
        0 => char::from(rng.between(0x20, 0x7e) as u8),
        1 => char::from_u32(rng.between(0x400, 0x4ff) as u32).unwrap_or('ж'),
        2 => *rng.pick(ODD),
        _ => {
            let c = rng.between(0xa0, 0x2_ffff) as u32;
            char::from_u32(c).filter(|c| *c != '\r').unwrap_or('ң')
        }
    }
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A byte offset an editor can put the cursor at: a character boundary, never between the
/// `\r` and `\n` of a line end.
fn cursor(text: &str, i: usize) -> usize {
    let mut i = floor_boundary(text, i);
    if i > 0 && text.as_bytes()[i - 1] == b'\r' && text.as_bytes().get(i) == Some(&b'\n') {
        i -= 1;
    }
    i
}

/// The LSP position (line, UTF-16 column) of a byte offset; lines end at `\n` (the test never
/// writes a lone `\r`).
fn position(text: &str, offset: usize) -> Value {
    let offset = floor_boundary(text, offset);
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let col: usize = before[start..].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": col})
}

fn range(text: &str, start: usize, end: usize) -> Value {
    json!({"start": position(text, start), "end": position(text, end)})
}

/// A diagnostic as the server must publish it (the fields compared): the LSP adapter's
/// contract, written out independently of `src/lsp/convert.rs`.
fn expected_diagnostic(text: &str, d: &Diagnostic) -> Value {
    let severity = match d.severity {
        Severity::Error => 1,
        Severity::Warning => 2,
        Severity::Note => 3,
    };
    let mut message = d.message.clone();
    if !d.primary.message.is_empty() && d.severity != Severity::Note {
        message.push_str(&format!(": {}", d.primary.message));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    json!({
        "code": d.code.as_str(),
        "severity": severity,
        "message": message,
        "range": range(text, d.primary.span.start as usize, d.primary.span.end as usize),
    })
}

/// The compared fields of a published diagnostic.
fn published_diagnostic(d: &Value) -> Value {
    json!({
        "code": d["code"],
        "severity": d["severity"],
        "message": d["message"],
        "range": d["range"],
    })
}

/// The rulebook folder on disk and what a fresh check of it needs.
struct Rulebook {
    dir: PathBuf,
    /// Every `.zan` file with its text on disk, in path order (as the server and `zan check`
    /// read a folder).
    files: Vec<(PathBuf, String)>,
    legal_texts: Vec<(String, String)>,
    edited: PathBuf,
}

impl Rulebook {
    fn create() -> Rulebook {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("lsp-replay-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sources")).unwrap();
        let kz = kz_visa();
        for name in ["rulebook.zan", "core.zan", "money.zan", "calendar.zan"] {
            std::fs::copy(kz.join(name), dir.join(name)).unwrap();
        }
        for entry in std::fs::read_dir(kz.join("sources")).unwrap() {
            let p = entry.unwrap().path();
            std::fs::copy(&p, dir.join("sources").join(p.file_name().unwrap())).unwrap();
        }
        let duties = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lsp/replay-duties.zan");
        let edited = dir.join("duties.zan");
        std::fs::copy(duties, &edited).unwrap();

        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "zan"))
            .collect();
        paths.sort();
        let files = paths
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                (p, text)
            })
            .collect();
        let mut map = SourceMap::new();
        zan::load::legal_texts(&dir.join("sources"), &mut map);
        let legal_texts = map
            .legal_texts()
            .iter()
            .map(|t| (t.name.clone(), t.text.clone()))
            .collect();
        Rulebook {
            dir,
            files,
            legal_texts,
            edited,
        }
    }

    /// The diagnostics a fresh `zan::check` gives each file (by URI) when the edited file
    /// reads `text`: the source map is built as the server builds it (files in path order,
    /// named as `zan check` names them, then the legal texts).
    fn expected(&self, text: &str) -> HashMap<String, Vec<Value>> {
        let mut map = SourceMap::new();
        let mut out = HashMap::new();
        for (path, on_disk) in &self.files {
            let t = if *path == self.edited { text } else { on_disk };
            map.add(zan::load::display(path), t.to_string());
            out.insert(uri(path), Vec::new());
        }
        for (name, t) in &self.legal_texts {
            map.add_legal_text(name.clone(), t.clone());
        }
        // The server read the rulebook's `sources/` folder (a missing `file` is Z0505).
        map.mark_legal_texts_read();
        let checked = zan::check(&map);
        for d in &checked.diagnostics {
            let Some(file) = map.get(d.primary.span.file) else {
                continue;
            };
            out.entry(uri(Path::new(&file.name)))
                .or_default()
                .push(expected_diagnostic(&file.text, d));
        }
        out
    }
}

impl Drop for Rulebook {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One change of a `didChange`: replace the bytes `start..end` of the text by `text`.
struct Change {
    start: usize,
    end: usize,
    text: String,
}

/// The requests sent after the edits, in turn.
const REQUESTS: &[&str] = &[
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/completion",
    "textDocument/documentSymbol",
    "textDocument/formatting",
    "textDocument/references",
    "textDocument/semanticTokens/full",
    "textDocument/foldingRange",
    "textDocument/inlayHint",
    "textDocument/codeAction",
    "textDocument/prepareRename",
    "workspace/symbol",
];

struct Session {
    seed: u64,
    steps: usize,
    step: usize,
    /// What the current step did, for the failure message.
    doing: String,
    rng: Rng,
    client: Client,
    rulebook: Rulebook,
    edited_uri: String,
    original: String,
    text: String,
    version: i64,
    /// The inverse of every change since the text was last the original, in order.
    undo: Vec<Change>,
    /// The texts of the versions whose diagnostics may still arrive.
    pending: BTreeMap<i64, String>,
    /// The latest version whose diagnostics arrived, and the expected diagnostics of every
    /// file at that version.
    seen: i64,
    seen_expected: HashMap<String, Vec<Value>>,
    /// The diagnostics last published for each file.
    published: HashMap<String, Vec<Value>>,
    /// Texts of kz-visa to paste from.
    clipboard: Vec<String>,
    last_offset: usize,
    compared: usize,
    synced: usize,
    answers: BTreeMap<&'static str, (usize, usize)>,
    /// (step, resident set in KB, threads) of the server.
    rss: Vec<(usize, u64, u64)>,
    timing: BTreeMap<&'static str, Duration>,
    /// The expected diagnostics of a version, computed while the server debounces.
    precomputed: Option<(i64, HashMap<String, Vec<Value>>)>,
    /// The diagnostics of the original texts.
    original_diagnostics: HashMap<String, Vec<Value>>,
}

impl Session {
    /// Where the session stands, to replay a failure.
    fn report_failure(&self) {
        eprintln!(
            "\nlsp_replay failed at step {} of {} ({}), seed {:#x}; replay with\n  \
             ZAN_REPLAY_SEED={:#x} ZAN_REPLAY_STEPS={} cargo test --release --test lsp_replay\n\
             the edited text (version {}) was:\n{}\n",
            self.step,
            self.steps,
            self.doing,
            self.seed,
            self.seed,
            self.step,
            self.version,
            self.text
        );
    }
}

impl Session {
    fn random_offset(&mut self) -> usize {
        let i = if self.rng.chance(0.4) {
            // Typing stays near the last edit.
            let lo = self.last_offset.saturating_sub(40);
            self.rng.between(lo, self.last_offset + 40)
        } else {
            self.rng.below(self.text.len() + 1)
        };
        cursor(&self.text, i)
    }

    fn snippet(&mut self) -> String {
        match self.rng.below(10) {
            0..=5 => self.rng.pick(SNIPPETS).to_string(),
            6 | 7 => {
                let n = self.rng.between(1, 8);
                (0..n).map(|_| random_char(&mut self.rng)).collect()
            }
            _ => {
                // A word typed letter by letter ends up as a name.
                let n = self.rng.between(1, 12);
                let letters = ['а', 'ә', 'қ', 'ң', 'ұ', 'і', 'x', 'm', 'c', 'i', '_', '1'];
                (0..n).map(|_| *self.rng.pick(&letters)).collect()
            }
        }
    }

    fn paste(&mut self) -> String {
        let source = self.rng.below(self.clipboard.len());
        let from = &self.clipboard[source];
        let len = match self.rng.below(10) {
            0..=4 => self.rng.between(1, 80),
            5..=8 => self.rng.between(80, 800),
            _ => self.rng.between(800, 4000),
        };
        let mut start = floor_boundary(from, self.rng.below(from.len()));
        let mut end = floor_boundary(from, start + len);
        if self.rng.chance(0.5) {
            // Whole lines, as copied in an editor.
            start = from[..start].rfind('\n').map_or(0, |i| i + 1);
            end = from[end..].find('\n').map_or(from.len(), |i| end + i + 1);
        }
        from[start..end].replace('\r', "")
    }

    /// The changes of one random edit (applied one after the other, as in a `didChange`).
    fn random_edit(&mut self) -> (String, Vec<Change>) {
        let n = if self.rng.chance(0.1) {
            self.rng.between(2, 4)
        } else {
            1
        };
        let mut kinds = Vec::new();
        let mut changes = Vec::new();
        // Positions are taken on a scratch copy, as each change applies to the previous
        // change's result.
        let saved = self.text.clone();
        for _ in 0..n {
            let big = self.text.len() > 48 * 1024;
            let kind = if big { 1 } else { self.rng.below(10) };
            let at = self.random_offset();
            let (start, end, text) = match kind {
                // Type a snippet.
                0 | 4 | 5 | 8 => (at, at, self.snippet()),
                // Delete a range.
                1 | 6 => {
                    let len = match self.rng.below(20) {
                        0..=13 => self.rng.between(1, 12),
                        14..=18 => self.rng.between(12, 300),
                        _ => self.rng.between(300, 3000),
                    };
                    (at, cursor(&self.text, at + len), String::new())
                }
                // Paste text of another file.
                2 | 7 => (at, at, self.paste()),
                // Replace a selection.
                _ => {
                    let len = self.rng.between(1, 30);
                    let end = cursor(&self.text, at + len);
                    let text = if self.rng.chance(0.5) {
                        self.snippet()
                    } else {
                        self.paste()
                    };
                    (at, end, text)
                }
            };
            kinds.push(
                ["type", "delete", "paste", "replace"][match kind {
                    0 | 4 | 5 | 8 => 0,
                    1 | 6 => 1,
                    2 | 7 => 2,
                    _ => 3,
                }],
            );
            self.text.replace_range(start..end, &text);
            self.last_offset = start + text.len();
            changes.push(Change { start, end, text });
        }
        self.text = saved;
        (kinds.join("+"), changes)
    }

    /// Send a `didChange` with these changes (byte ranges in the current text, each applied
    /// to the previous one's result) and record their inverses for undo.
    fn send_changes(&mut self, changes: Vec<Change>, record_undo: bool, whole: bool) {
        self.version += 1;
        let mut content = Vec::new();
        for c in changes {
            if !whole {
                content.push(json!({"range": range(&self.text, c.start, c.end), "text": c.text}));
            }
            let old = self.text[c.start..c.end].to_string();
            self.text.replace_range(c.start..c.end, &c.text);
            if record_undo {
                self.undo.push(Change {
                    start: c.start,
                    end: c.start + c.text.len(),
                    text: old,
                });
            }
        }
        if whole {
            content.push(json!({"text": self.text}));
        }
        self.client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": self.edited_uri, "version": self.version},
                "contentChanges": content,
            }),
        );
        self.pending.insert(self.version, self.text.clone());
    }

    /// Undo every change since the original text: as one `didChange` of all the inverse
    /// changes (an editor's "undo all"), or as the one change that turns the text back.
    fn undo_all(&mut self) {
        let inverse: Vec<Change> = std::mem::take(&mut self.undo).into_iter().rev().collect();
        if self.rng.chance(0.5) && inverse.len() <= 2000 {
            self.doing = format!("undo ({} changes)", inverse.len());
            self.send_changes(inverse, false, false);
        } else {
            let a = self.text.as_bytes();
            let b = self.original.as_bytes();
            let mut prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
            let mut suffix = a[prefix..]
                .iter()
                .rev()
                .zip(b[prefix..].iter().rev())
                .take_while(|(x, y)| x == y)
                .count();
            prefix = cursor(&self.text, prefix).min(cursor(&self.original, prefix));
            while !self.text.is_char_boundary(self.text.len() - suffix)
                || !self.original.is_char_boundary(self.original.len() - suffix)
            {
                suffix -= 1;
            }
            let change = Change {
                start: prefix,
                end: self.text.len() - suffix,
                text: self.original[prefix..self.original.len() - suffix].to_string(),
            };
            self.doing = format!("undo (one change of {} bytes)", change.text.len());
            self.send_changes(vec![change], false, false);
        }
        assert!(
            self.text == self.original,
            "undo did not restore the original text"
        );
    }

    /// Handle the notifications received so far: compare every publication of the edited
    /// file's diagnostics with a fresh check of the text of its version.
    fn drain(&mut self) {
        for n in std::mem::take(&mut self.client.notifications) {
            if n["method"] != "textDocument/publishDiagnostics" {
                continue;
            }
            let uri = n["params"]["uri"].as_str().unwrap_or_default().to_string();
            let diags: Vec<Value> = n["params"]["diagnostics"]
                .as_array()
                .map(|ds| ds.iter().map(published_diagnostic).collect())
                .unwrap_or_default();
            if uri == self.edited_uri {
                let version = n["params"]["version"]
                    .as_i64()
                    .unwrap_or_else(|| panic!("diagnostics without a version: {n}"));
                assert!(
                    version > self.seen,
                    "diagnostics of version {version} after those of version {}",
                    self.seen
                );
                let text = self
                    .pending
                    .get(&version)
                    .unwrap_or_else(|| panic!("diagnostics of unknown version {version}"))
                    .clone();
                let expected = match self.precomputed.take() {
                    Some((v, e)) if v == version => e,
                    _ => {
                        let t0 = Instant::now();
                        let e = self.rulebook.expected(&text);
                        *self.timing.entry("expected").or_default() += t0.elapsed();
                        e
                    }
                };
                let mine = expected.get(&uri).cloned().unwrap_or_default();
                if mine != diags {
                    panic!(
                        "diagnostics of version {version} differ from a fresh check:\n{}",
                        diff(&mine, &diags)
                    );
                }
                self.compared += 1;
                self.seen = version;
                self.seen_expected = expected;
                self.pending = self.pending.split_off(&(version + 1));
            }
            self.published.insert(uri, diags);
        }
    }

    /// Wait for the diagnostics of the latest version; then the other files' diagnostics must
    /// come to equal the fresh check's (they are published only when they change).
    fn sync(&mut self) {
        let t0 = Instant::now();
        let deadline = Instant::now() + DIAGNOSTICS_TIMEOUT;
        loop {
            self.drain();
            if self.seen >= self.version {
                break;
            }
            if self.client.next_message(deadline).is_none() {
                panic!(
                    "no diagnostics for version {} within {DIAGNOSTICS_TIMEOUT:?} (last: {})",
                    self.version, self.seen
                );
            }
        }
        self.synced += 1;
        *self.timing.entry("sync").or_default() += t0.elapsed();
        let deadline = Instant::now() + DIAGNOSTICS_TIMEOUT;
        loop {
            let stale: Vec<String> = self
                .seen_expected
                .iter()
                .filter(|(uri, want)| self.published.get(*uri) != Some(*want))
                .map(|(uri, _)| uri.clone())
                .collect();
            if stale.is_empty() {
                return;
            }
            if self.client.next_message(deadline).is_none() {
                let uri = &stale[0];
                panic!(
                    "diagnostics of {uri} stale at version {}:\n{}",
                    self.version,
                    diff(
                        &self.seen_expected[uri],
                        self.published.get(uri).map_or(&[][..], |v| &v[..])
                    )
                );
            }
            self.drain();
        }
    }

    /// Send the next request in turn and require an answer that is not an internal error.
    fn request(&mut self, precompute: bool) {
        let method = REQUESTS[self.step % REQUESTS.len()];
        let at = self.random_offset();
        let doc = json!({"uri": self.edited_uri});
        let pos = position(&self.text, at);
        let params = match method {
            "textDocument/documentSymbol"
            | "textDocument/semanticTokens/full"
            | "textDocument/foldingRange" => json!({"textDocument": doc}),
            "textDocument/formatting" => {
                json!({"textDocument": doc, "options": {"tabSize": 2, "insertSpaces": true}})
            }
            "textDocument/references" => json!({
                "textDocument": doc, "position": pos, "context": {"includeDeclaration": true}
            }),
            "textDocument/inlayHint" => {
                json!({"textDocument": doc, "range": range(&self.text, 0, self.text.len())})
            }
            "textDocument/codeAction" => {
                let end = cursor(&self.text, at + self.rng.below(60));
                json!({
                    "textDocument": doc, "range": range(&self.text, at, end),
                    "context": {"diagnostics": []}
                })
            }
            "workspace/symbol" => json!({"query": self.snippet()}),
            _ => json!({"textDocument": doc, "position": pos}),
        };
        let t0 = Instant::now();
        let id = self.client.send_request(method, params.clone());
        if precompute {
            // The check this version's diagnostics will be compared with, computed while the
            // server answers and debounces.
            let t1 = Instant::now();
            self.precomputed = Some((self.version, self.rulebook.expected(&self.text)));
            *self.timing.entry("expected").or_default() += t1.elapsed();
        }
        let answer = self
            .client
            .answer_within(id, ANSWER_TIMEOUT)
            .unwrap_or_else(|| panic!("no answer to {method} {params} within {ANSWER_TIMEOUT:?}"));
        *self.timing.entry(method).or_default() += t0.elapsed();
        let entry = self.answers.entry(method).or_default();
        if let Some(error) = answer.get("error") {
            assert!(
                error["code"] != -32603,
                "{method} {params} failed inside the server: {error}"
            );
            entry.1 += 1;
        } else {
            assert!(answer.get("result").is_some(), "{method}: {answer}");
            entry.0 += 1;
        }
    }

    /// Record the server's resident set (KB) and thread count.
    fn sample_rss(&mut self) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.client.pid()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        };
        if let Some(kb) = field("VmRSS:") {
            self.rss
                .push((self.step, kb, field("Threads:").unwrap_or(0)));
        }
    }
}

fn median(xs: &[u64]) -> u64 {
    let mut v = xs.to_vec();
    v.sort_unstable();
    v[v.len() / 2]
}

fn diff(want: &[Value], got: &[Value]) -> String {
    let mut out = String::new();
    for d in want.iter().filter(|d| !got.contains(d)) {
        out.push_str(&format!("  expected, not published: {d}\n"));
    }
    for d in got.iter().filter(|d| !want.contains(d)) {
        out.push_str(&format!("  published, not expected: {d}\n"));
    }
    if out.is_empty() {
        out = format!("  same diagnostics in another order:\n  want {want:?}\n  got {got:?}\n");
    }
    out
}

#[test]
fn ten_thousand_random_edits_keep_the_server_answering_right_in_flat_memory() {
    let seed = env_number("ZAN_REPLAY_SEED").unwrap_or(DEFAULT_SEED);
    let steps = env_number("ZAN_REPLAY_STEPS").map_or(DEFAULT_STEPS, |n| n as usize);
    let rulebook = Rulebook::create();
    let original = std::fs::read_to_string(&rulebook.edited).unwrap();
    let mut clipboard = Vec::new();
    for entry in std::fs::read_dir(kz_visa()).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "zan") {
            clipboard.push(std::fs::read_to_string(p).unwrap());
        }
    }
    clipboard.sort();
    let mut client = Client::start_with_env(zan(), &[("MIMALLOC_PURGE_DELAY", "0")]);
    client.initialize(&rulebook.dir);
    let edited_uri = uri(&rulebook.edited);
    let mut s = Session {
        seed,
        steps,
        step: 0,
        doing: "open".into(),
        rng: Rng(seed),
        client,
        rulebook,
        edited_uri,
        original: original.clone(),
        text: original.clone(),
        version: 1,
        undo: Vec::new(),
        pending: BTreeMap::from([(1, original.clone())]),
        seen: 0,
        seen_expected: HashMap::new(),
        published: HashMap::new(),
        clipboard,
        last_offset: 0,
        compared: 0,
        synced: 0,
        answers: BTreeMap::new(),
        rss: Vec::new(),
        timing: BTreeMap::new(),
        precomputed: None,
        original_diagnostics: HashMap::new(),
    };
    let started = Instant::now();
    s.client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": s.edited_uri, "languageId": "zan", "version": 1, "text": original}}),
    );
    s.sync();
    s.original_diagnostics = s.seen_expected.clone();
    let errors = s
        .original_diagnostics
        .values()
        .flatten()
        .filter(|d| d["severity"] == 1)
        .count();
    assert_eq!(
        errors, 0,
        "the replay's rulebook checks: {:#?}",
        s.original_diagnostics
    );

    let replayed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| replay(&mut s)));
    if let Err(e) = replayed {
        s.report_failure();
        std::panic::resume_unwind(e);
    }
    let elapsed = started.elapsed();

    eprintln!(
        "lsp_replay: seed {seed:#x}, {steps} steps in {:.1} s; diagnostics compared for {} \
         versions ({} waited for); answers (result, error) {:?}",
        elapsed.as_secs_f64(),
        s.compared,
        s.synced,
        s.answers
    );
    eprintln!("lsp_replay: time spent (test side) {:?}", s.timing);
    eprintln!(
        "lsp_replay: server memory (step, RSS KB, threads): {:?}",
        s.rss
    );
    let after: Vec<u64> = s
        .rss
        .iter()
        .filter(|(step, _, _)| *step >= WARM_UP)
        .map(|(_, kb, _)| *kb)
        .collect();
    if let Some(&base) = after.first() {
        let max = after.iter().copied().max().unwrap_or(base);
        assert!(
            max <= base + RSS_SLACK_KB,
            "the server's memory grew from {base} KB to {max} KB: {:?}",
            s.rss
        );
        if after.len() >= 4 {
            let (first, second) = after.split_at(after.len() / 2);
            let (m1, m2) = (median(first), median(second));
            assert!(
                m2 <= m1 + RSS_TREND_KB,
                "the server's memory climbs: median {m1} KB, then {m2} KB: {:?}",
                s.rss
            );
        }
    }
    let Session { client, .. } = s;
    assert_eq!(client.shutdown(), Some(0));
}

/// The edits, each followed by a request, and the checks after each.
fn replay(s: &mut Session) {
    let steps = s.steps;
    let mut next_undo = s.rng.between(50, 400);
    for step in 1..=steps {
        s.step = step;
        let undo = step % RSS_EVERY == 0 || step == next_undo || step == steps;
        if undo {
            s.undo_all();
            next_undo = step + s.rng.between(50, 400);
        } else {
            let (kind, changes) = s.random_edit();
            let whole = s.rng.chance(0.01);
            s.doing = format!(
                "{kind} ({} changes{})",
                changes.len(),
                if whole { ", whole text" } else { "" }
            );
            s.send_changes(changes, true, whole);
        }
        // Wait for this version's diagnostics at some steps (`SYNC_SHARE`), and always after
        // an undo.
        let sync = undo || s.rng.chance(SYNC_SHARE);
        s.request(sync);
        s.drain();
        if sync {
            s.sync();
        }
        if undo {
            // Back at the original: the original's diagnostics, in every file.
            assert_eq!(
                s.seen_expected, s.original_diagnostics,
                "undo to the original"
            );
            if step % RSS_EVERY == 0 {
                s.sample_rss();
            }
        }
        assert!(s.client.running(), "the server exited");
    }
}
