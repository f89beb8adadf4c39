//! The SARIF adapter: diagnostics as a SARIF 2.1.0 log, the format GitHub code scanning reads
//! to show annotations on a pull request. Pure: the same diagnostics give the same log.
//!
//! - one run; `tool.driver.rules` holds one reporting descriptor per code used (id `Z0101`,
//!   name `UnknownName`, the code's title), and each result points at its rule by `ruleId`
//!   and `ruleIndex`;
//! - levels: `error`, `warning`, and `note` for the `// OPEN:` notes;
//! - locations are relative to `%SRCROOT%` (the folder `zan check` ran in, the repository root
//!   in CI) with `/` separators; absolute file names become `file://` URIs;
//! - lines and columns are one-based and count characters: the run says
//!   `"columnKind": "unicodeCodePoints"`, since rulebooks hold Cyrillic and Kazakh text;
//! - the driver's `informationUri` is zan's home (`package.repository` of Cargo.toml) and each
//!   rule's `helpUri` the line of its row in the table of `docs/diagnostics.md` there: the docs
//!   are zan's, not the scanned repository's, which holds rulebooks only;
//! - `partialFingerprints` hash the code, the file, the text of the line and of the span (not
//!   the line number), so that an annotation stays the same when lines move above it; and
//!   GitHub's own `primaryLocationLineHash`: the code and the line's text without whitespace,
//!   with a counter of the results of equal hash in the file.

use super::{Code, Diagnostic, Label, Severity};
use crate::source::{SourceMap, Span};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// The `$schema` written in the log.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The URI base id of relative locations: the folder `zan check` ran in.
pub const SRCROOT: &str = "%SRCROOT%";

/// The key of zan's own fingerprint in `partialFingerprints`.
pub const FINGERPRINT: &str = "zanPrimaryLineHash/v1";

/// The key of the fingerprint GitHub code scanning computes itself when a result lacks it.
pub const LINE_HASH: &str = "primaryLocationLineHash";

/// zan's home: `informationUri`, and where the rule help links point.
pub const HOME: &str = env!("CARGO_PKG_REPOSITORY");

/// The table of codes, read at build time so that each `helpUri` names the line of its row in
/// the docs of the same revision.
const DIAGNOSTICS_MD: &str = include_str!("../../docs/diagnostics.md");

/// The SARIF log of `diagnostics`, with links into zan's home ([`HOME`]).
pub fn to_sarif(map: &SourceMap, diagnostics: &[Diagnostic]) -> Value {
    to_sarif_for(map, diagnostics, HOME)
}

/// The SARIF log of `diagnostics`, with `informationUri` and each rule's `helpUri` in the
/// given repository (a web address such as `https://github.com/OWNER/REPO`).
pub fn to_sarif_for(map: &SourceMap, diagnostics: &[Diagnostic], repository: &str) -> Value {
    let repository = repository.trim_end_matches('/');
    let mut codes: Vec<Code> = diagnostics.iter().map(|d| d.code).collect();
    codes.sort();
    codes.dedup();
    let rules: Vec<Value> = codes.iter().map(|c| rule(*c, repository)).collect();
    let mut seen = Seen::default();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let index = codes.binary_search(&d.code).unwrap_or_default();
            result(map, d, index, &mut seen)
        })
        .collect();
    let mut driver = Map::new();
    driver.insert("name".into(), json!("zan"));
    driver.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    driver.insert("semanticVersion".into(), json!(env!("CARGO_PKG_VERSION")));
    driver.insert("informationUri".into(), json!(repository));
    driver.insert("rules".into(), Value::Array(rules));
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "originalUriBaseIds": {
                SRCROOT: {
                    "description": {
                        "text": "The folder zan check ran in: the repository root in CI."
                    }
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The reporting descriptor of one code, with its row of docs/diagnostics.md as help.
fn rule(code: Code, repository: &str) -> Value {
    let id = code.as_str();
    let row = docs_row(id);
    let help_uri = match row {
        Some((line, _)) => format!("{repository}/blob/HEAD/docs/diagnostics.md?plain=1#L{line}"),
        None => format!("{repository}/blob/HEAD/docs/diagnostics.md#codes"),
    };
    let (text, markdown) = match row.map(|(_, cells)| cells) {
        Some([trigger, example, fix]) => (
            format!("{id} ({}): {trigger}\nExample: {example}\nHow to fix: {fix}", code.title()),
            format!(
                "**{id}** ({}): {trigger}\n\nExample: {example}\n\nHow to fix: {fix}\n\n[{id} in docs/diagnostics.md]({help_uri})",
                code.title()
            ),
        ),
        None => (
            format!("{id} ({}): see docs/diagnostics.md.", code.title()),
            format!("**{id}** ({}): see [docs/diagnostics.md]({help_uri}).", code.title()),
        ),
    };
    json!({
        "id": id,
        "name": code.name(),
        "shortDescription": { "text": code.title() },
        "fullDescription": {
            "text": format!("{id}: {} ({} by default).", code.title(), code.severity().as_str())
        },
        "defaultConfiguration": { "level": level(code.severity()) },
        "helpUri": help_uri,
        "help": { "text": text, "markdown": markdown },
    })
}

/// The one-based line of the code's row in the table of docs/diagnostics.md, with its
/// "Triggered by", "Example" and "How to fix" cells.
fn docs_row(id: &str) -> Option<(usize, [&'static str; 3])> {
    let prefix = format!("| {id} |");
    let (at, line) = DIAGNOSTICS_MD
        .lines()
        .enumerate()
        .find(|(_, l)| l.starts_with(&prefix))?;
    let cells = table_cells(line);
    // Code, severity, title, triggered by, example, how to fix.
    match cells.as_slice() {
        [_, _, _, trigger, example, fix] => Some((at + 1, [trigger, example, fix])),
        _ => None,
    }
}

/// The cells of a markdown table row, split at the `|` that are not escaped (`\|`).
fn table_cells(line: &str) -> Vec<&str> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = Vec::new();
    let mut start = 0;
    let bytes = inner.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'|' && (i == 0 || bytes[i - 1] != b'\\') {
            cells.push(inner[start..i].trim());
            start = i + 1;
        }
    }
    cells.push(inner[start..].trim());
    cells
}

/// How many results so far had each fingerprint, for the `:N` counters.
#[derive(Default)]
struct Seen {
    zan: HashMap<String, usize>,
    line: HashMap<(String, String), usize>,
}

fn result(map: &SourceMap, d: &Diagnostic, rule_index: usize, seen: &mut Seen) -> Value {
    let mut text = d.message.clone();
    if !d.primary.message.is_empty() {
        text.push('\n');
        text.push_str(&d.primary.message);
    }
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(d.code.as_str()));
    r.insert("ruleIndex".into(), json!(rule_index));
    r.insert("level".into(), json!(level(d.severity)));
    r.insert("message".into(), json!({ "text": text }));
    if let Some(location) = physical_location(map, d.primary.span) {
        r.insert(
            "locations".into(),
            json!([{ "physicalLocation": location }]),
        );
        let hash = fingerprint(map, d);
        let n = seen.zan.entry(hash.clone()).or_insert(0);
        *n += 1;
        let zan = format!("{hash}:{n}");
        let (uri, line_hash) = line_hash(map, d);
        let m = seen.line.entry((uri, line_hash.clone())).or_insert(0);
        *m += 1;
        r.insert(
            "partialFingerprints".into(),
            json!({ FINGERPRINT: zan, LINE_HASH: format!("{line_hash}:{m}") }),
        );
    }
    let related: Vec<Value> = d
        .secondary
        .iter()
        .enumerate()
        .filter_map(|(i, label)| related_location(map, i, label))
        .collect();
    if !related.is_empty() {
        r.insert("relatedLocations".into(), Value::Array(related));
    }
    Value::Object(r)
}

fn related_location(map: &SourceMap, id: usize, label: &Label) -> Option<Value> {
    let location = physical_location(map, label.span)?;
    let mut v = json!({ "id": id, "physicalLocation": location });
    if let (false, Some(obj)) = (label.message.is_empty(), v.as_object_mut()) {
        obj.insert("message".into(), json!({ "text": label.message }));
    }
    Some(v)
}

/// The file and region of a span; `None` for a span in no file of the map.
fn physical_location(map: &SourceMap, span: Span) -> Option<Value> {
    let file = map.get(span.file)?;
    let (_, start_line, start_column) = super::render::position(map, span);
    let end = Span {
        start: span.end.max(span.start),
        ..span
    };
    let (_, end_line, end_column) = super::render::position(map, end);
    Some(json!({
        "artifactLocation": artifact_location(&file.name),
        "region": {
            "startLine": start_line,
            "startColumn": start_column,
            "endLine": end_line,
            "endColumn": end_column,
        }
    }))
}

/// A file name as the SARIF artifact location: relative to `%SRCROOT%` with `/` separators,
/// or a `file://` URI for an absolute path.
pub fn artifact_location(name: &str) -> Value {
    let path = name.replace('\\', "/");
    let drive = path.as_bytes().get(1) == Some(&b':')
        && path.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && matches!(path.as_bytes().get(2), None | Some(b'/'));
    if drive {
        // `C:/rulebooks/x.zan` → `file:///C:/rulebooks/x.zan`; the drive's colon stays.
        let (letter, rest) = path.split_at(2);
        return json!({ "uri": format!("file:///{letter}{}", encode_path(rest)) });
    }
    if let Some(unc) = path.strip_prefix("//") {
        return json!({ "uri": format!("file://{}", encode_path(unc)) });
    }
    if path.starts_with('/') {
        return json!({ "uri": format!("file://{}", encode_path(&path)) });
    }
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    json!({ "uri": encode_path(&segments.join("/")), "uriBaseId": SRCROOT })
}

/// Percent-encode what may not stand in a URI path (RFC 3986): spaces, `%`, `?`, `#`, `:`,
/// non-ASCII and control characters. `/` separates segments.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A hash of the code, the file, the text of the primary span's line (whitespace runs as one
/// space) and the span's own text: stable when lines are added or removed elsewhere.
fn fingerprint(map: &SourceMap, d: &Diagnostic) -> String {
    let span = d.primary.span;
    let (name, line_text) = primary_line(map, span);
    let line_text = line_text.split_whitespace().collect::<Vec<_>>().join(" ");
    let uri = artifact_location(name)["uri"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut h = Fnv::default();
    for part in [d.code.as_str(), &uri, &line_text, map.snippet(span)] {
        h.write(part.as_bytes());
        h.write(&[0]);
    }
    format!("{:016x}", h.0)
}

/// GitHub's `primaryLocationLineHash` without its counter: a hash of the code and of the
/// primary span's line with every whitespace character removed (so reindenting keeps it), and
/// the file it is counted in.
fn line_hash(map: &SourceMap, d: &Diagnostic) -> (String, String) {
    let (name, line_text) = primary_line(map, d.primary.span);
    let squeezed: String = line_text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut h = Fnv::default();
    for part in [d.code.as_str(), &squeezed] {
        h.write(part.as_bytes());
        h.write(&[0]);
    }
    (name.to_owned(), format!("{:016x}", h.0))
}

/// The file name and the text of the line where a span starts.
fn primary_line(map: &SourceMap, span: Span) -> (&str, &str) {
    match map.get(span.file) {
        Some(f) => {
            let (line, _) = f.line_col(span.start as usize);
            let start = f.line_start(line).unwrap_or(0);
            let end = f.line_start(line + 1).unwrap_or(f.text.len());
            (f.name.as_str(), f.text.get(start..end).unwrap_or(""))
        }
        None => ("", ""),
    }
}

/// FNV-1a, 64 bits: a hash whose value never changes between Rust releases or runs.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_names_are_cleaned_and_absolute_ones_become_file_uris() {
        let uri = |n: &str| {
            artifact_location(n)["uri"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        };
        assert_eq!(
            uri("./rulebooks/kz-visa/visas.zan"),
            "rulebooks/kz-visa/visas.zan"
        );
        assert_eq!(
            uri("rulebooks\\kz-visa\\visas.zan"),
            "rulebooks/kz-visa/visas.zan"
        );
        assert_eq!(uri("a//./b.zan"), "a/b.zan");
        assert_eq!(uri("../other/x.zan"), "../other/x.zan");
        assert_eq!(
            uri("визы/правила 1.zan"),
            "%D0%B2%D0%B8%D0%B7%D1%8B/%D0%BF%D1%80%D0%B0%D0%B2%D0%B8%D0%BB%D0%B0%201.zan"
        );
        assert_eq!(uri("/srv/rules/x.zan"), "file:///srv/rules/x.zan");
        assert_eq!(uri("C:\\r\\x.zan"), "file:///C:/r/x.zan");
        assert_eq!(artifact_location("x.zan")["uriBaseId"], SRCROOT);
        assert!(artifact_location("/x.zan").get("uriBaseId").is_none());
    }

    #[test]
    fn columns_count_characters_and_fingerprints_ignore_line_numbers() {
        let mut map = SourceMap::new();
        let text = "// Визы\nrule r { \"Виза\" + x }\n";
        let f = map.add("r.zan", text);
        let at = text.find('x').unwrap_or(0);
        let d = Diagnostic::new(
            Code::UnknownName,
            Span::new(f, at, at + 1),
            "unknown name `x`",
        )
        .label("not found")
        .help("declare it");
        let log = to_sarif(&map, std::slice::from_ref(&d));
        let r = &log["runs"][0]["results"][0];
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], 2);
        assert_eq!(region["startColumn"], 19);
        assert_eq!(region["endColumn"], 20);
        assert_eq!(
            r["message"]["text"],
            "unknown name `x`\nnot found\nhelp: declare it"
        );
        assert_eq!(r["ruleId"], "Z0101");
        assert_eq!(
            log["runs"][0]["tool"]["driver"]["rules"][0]["name"],
            "UnknownName"
        );

        let mut moved = SourceMap::new();
        let text2 = format!("\n\n{text}");
        let g = moved.add("r.zan", text2.clone());
        let at2 = text2.find('x').unwrap_or(0);
        let d2 = Diagnostic {
            primary: Label {
                span: Span::new(g, at2, at2 + 1),
                message: String::new(),
            },
            ..d
        };
        let log2 = to_sarif(&moved, &[d2]);
        assert_eq!(
            r["partialFingerprints"][FINGERPRINT],
            log2["runs"][0]["results"][0]["partialFingerprints"][FINGERPRINT]
        );
    }
}
