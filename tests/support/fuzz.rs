//! The bodies of the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`), shared with
//! `tests/fuzz_regressions.rs`, which replays the regression corpus (`tests/data/fuzz/<target>/`)
//! through the same functions under `cargo test`. Each function takes the raw fuzz input and
//! panics only when zan breaks a promise (a panic inside zan, or a round trip that differs).
#![allow(dead_code)]

use arbitrary::Unstructured;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use zan::diagnostics::render;
use zan::engine::{Engine, Options};
use zan::ide::{self, Analysis};
use zan::lsp::convert::{self, FilePositions};
use zan::source::{FileId, SourceMap};

/// The names of the targets, as folders of `tests/data/fuzz/`.
pub const TARGETS: [&str; 5] = [
    "parse_check",
    "rulebook_mutate",
    "fmt_roundtrip",
    "eval_case",
    "lsp_document",
];

/// Run the target `name` on one input.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "parse_check" => parse_check(data),
        "rulebook_mutate" => rulebook_mutate(data),
        "fmt_roundtrip" => fmt_roundtrip(data),
        "eval_case" => eval_case(data),
        "lsp_document" => lsp_document(data),
        _ => {}
    }
}

// ------------------------------------------------------------------------------------------
// The kz-visa rulebook, read once.

/// `rulebooks/kz-visa`, from the root package (tests) or from `fuzz/` (the fuzz crate).
pub fn kz_visa_dir() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let direct = here.join("rulebooks/kz-visa");
    if direct.is_dir() {
        direct
    } else {
        here.join("../rulebooks/kz-visa")
    }
}

struct KzVisa {
    /// `(file name, text)` of every `.zan` file.
    files: Vec<(String, String)>,
    /// `(file name, text)` of the legal texts in `sources/`.
    legal: Vec<(String, String)>,
    /// The example cases (`examples/*.json`).
    examples: Vec<String>,
}

fn kz_visa() -> &'static KzVisa {
    static KZ: OnceLock<KzVisa> = OnceLock::new();
    KZ.get_or_init(|| {
        let dir = kz_visa_dir();
        let map = zan::load::rulebook(&dir).unwrap_or_default();
        let short = |name: &str| name.rsplit('/').next().unwrap_or(name).to_string();
        let files = map
            .files()
            .iter()
            .map(|f| (short(&f.name), f.text.clone()))
            .collect();
        let legal = map
            .legal_texts()
            .iter()
            .map(|f| (short(&f.name), f.text.clone()))
            .collect();
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join("examples"))
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        paths.sort();
        let examples = paths
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect();
        KzVisa {
            files,
            legal,
            examples,
        }
    })
}

fn file_text(name: &str) -> &'static str {
    kz_visa()
        .files
        .iter()
        .find(|(n, _)| n == name)
        .map_or("", |(_, t)| t.as_str())
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| match Engine::load(kz_visa_dir()) {
        Ok(e) => e,
        Err(e) => panic!("kz-visa does not load: {e}"),
    })
}

/// A date the editor could call today (fixed: the core never reads a clock).
fn today() -> i32 {
    zan::engine::parse_date("2026-03-10").unwrap_or_default()
}

// ------------------------------------------------------------------------------------------
// parse_check: any text → check, the terminal/JSON/SARIF/LSP renderings of its diagnostics.

pub fn parse_check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut map = SourceMap::new();
    map.add("fuzz.zan", text.into_owned());
    check_and_render(map);
}

/// Check a map through the language server's `Analysis` (the same `check` as `zan check`,
/// plus the symbol index), and render every diagnostic in every form.
fn check_and_render(map: SourceMap) -> Analysis {
    let a = Analysis::of_map(map, today());
    let diags = &a.checked.diagnostics;
    let _ = render::to_terminal(&a.map, diags, false);
    let _ = zan::diagnostics::sarif::to_sarif(&a.map, diags);
    for d in diags {
        let _ = render::to_json(&a.map, d);
        let _ = render::one_line(&a.map, d);
        let _ = convert::diagnostic(&mut convert::Positions::new(&a), d);
    }
    a
}

// ------------------------------------------------------------------------------------------
// rulebook_mutate: kz-visa files mutated, and generated declarations, → check.

pub fn rulebook_mutate(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let map = mutated_map(&mut u);
    check_and_render(map);
}

/// Small files that declare what the others use (header, sources, the person, the money).
const CONTEXT: [&str; 4] = ["rulebook.zan", "core.zan", "money.zan", "visa-schema.zan"];

/// A map of one mutated or generated file, with some kz-visa context files and legal texts.
fn mutated_map(u: &mut Unstructured) -> SourceMap {
    let kz = kz_visa();
    let text = mutated_text(u);
    let mut map = SourceMap::new();
    if u.arbitrary::<bool>().unwrap_or(false) {
        for name in CONTEXT {
            map.add(name, file_text(name));
        }
        for (name, text) in &kz.legal {
            map.add_legal_text(name.clone(), text.clone());
        }
    }
    map.add("fuzz.zan", text);
    map
}

/// One file: a window of declarations of a kz-visa file, a generated rulebook, or both,
/// then mutated.
pub fn mutated_text(u: &mut Unstructured) -> String {
    let kz = kz_visa();
    let mode = u.int_in_range(0..=2u8).unwrap_or(0);
    let mut lines: Vec<String> = Vec::new();
    if mode != 1 && !kz.files.is_empty() {
        let i = u.choose_index(kz.files.len()).unwrap_or(0);
        let decls = declarations(&kz.files[i].1);
        if !decls.is_empty() {
            let start = u.choose_index(decls.len()).unwrap_or(0);
            let len = u.int_in_range(1..=6usize).unwrap_or(1);
            for d in decls.iter().skip(start).take(len) {
                lines.extend(d.iter().map(|l| l.to_string()));
            }
        }
    }
    if mode != 0 {
        let generated = generate(u);
        lines.extend(generated.lines().map(str::to_string));
    }
    let n = u.int_in_range(0..=6u8).unwrap_or(0);
    for _ in 0..n {
        mutate(u, &mut lines);
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// The declarations of a file, each as its lines (with the doc comments above it).
fn declarations(text: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut in_doc = false;
    for line in text.lines() {
        let starts = line.starts_with(|c: char| c.is_ascii_alphabetic());
        let doc = line.starts_with("///");
        if (starts || doc) && !in_doc && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        in_doc = doc;
        current.push(line);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The grammar's reserved words.
use zan::syntax::keywords::KEYWORDS;

const PUNCT: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    ".",
    "=>",
    "->",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "?",
    "_",
    "\"",
    "///",
    "//",
    "// OPEN: ",
    "\n",
    "\n  ",
    "\t",
    "\r\n",
    "\u{feff}",
    "\0",
    "...",
    "…",
];

const WORDS: &[&str] = &[
    "applicant",
    "application",
    "birth_date",
    "as_of",
    "mci",
    "kazakhstan",
    "KZT",
    "USD",
    "bool",
    "integer",
    "decimal",
    "money",
    "text",
    "duration",
    "domain_facts",
    "visa_guide",
    "amendments_2026",
    "Country",
    "VisaForm",
    "sticker",
    "electronic",
    "germany",
    "жол",
    "Қазақстан",
    "x",
    "y",
    "r0",
    "E0",
];

const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "16",
    "0.5",
    "2147483647",
    "4294967296",
    "9223372036854775808",
    "123456789012345678901234567890",
    "1e9",
    "00",
    "0.000000000000000000000000000001",
    "79228162514264337593543950335",
    "99999999999999999999999999999.9",
];

const DATES: &[&str] = &[
    "0000-01-01",
    "9999-12-31",
    "2024-02-29",
    "2025-02-29",
    "2026-13-01",
    "2026-00-10",
    "1970-01-01",
    "2026-03-10",
    "2026-02-22",
    "0001-01-01",
    "10000-01-01",
    "2026-03-32",
    "02-29",
    "13-01",
];

fn pick<'a>(u: &mut Unstructured, from: &[&'a str]) -> &'a str {
    u.choose(from).copied().unwrap_or("")
}

/// Any token of the dictionaries, or a few arbitrary characters.
fn token(u: &mut Unstructured) -> String {
    match u.int_in_range(0..=6u8).unwrap_or(0) {
        0 => pick(u, KEYWORDS).to_string(),
        1 => pick(u, PUNCT).to_string(),
        2 => pick(u, WORDS).to_string(),
        3 => pick(u, NUMBERS).to_string(),
        4 => pick(u, DATES).to_string(),
        5 => u
            .choose(zan::check::FUNCTIONS)
            .map(|f| f.name.to_string())
            .unwrap_or_default(),
        _ => u.arbitrary::<String>().unwrap_or_default(),
    }
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Byte ranges of the runs of characters of `class` in `line`.
fn runs(line: &str, class: impl Fn(char) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (class(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, line.len()));
    }
    out
}

/// One mutation of a file's lines.
fn mutate(u: &mut Unstructured, lines: &mut Vec<String>) {
    if lines.is_empty() {
        lines.push(String::new());
    }
    let n = lines.len();
    let i = u.choose_index(n).unwrap_or(0);
    let j = u.choose_index(n).unwrap_or(0);
    match u.int_in_range(0..=13u8).unwrap_or(0) {
        0 => {
            lines.remove(i);
        }
        1 => {
            let l = lines[i].clone();
            lines.insert(j, l);
        }
        2 => lines.swap(i, j),
        3..=5 => {
            // Declarations: delete, duplicate, or move one.
            let text = lines.join("\n");
            let mut decls: Vec<String> = declarations(&text).iter().map(|d| d.join("\n")).collect();
            if decls.is_empty() {
                return;
            }
            let a = u.choose_index(decls.len()).unwrap_or(0);
            let b = u.choose_index(decls.len()).unwrap_or(0);
            match u.int_in_range(0..=2u8).unwrap_or(0) {
                0 => {
                    decls.remove(a);
                }
                1 => {
                    let d = decls[a].clone();
                    decls.insert(b, d);
                }
                _ => decls.swap(a, b),
            }
            *lines = decls.join("\n").lines().map(str::to_string).collect();
        }
        6 => {
            // Splice a token at a character boundary.
            let at = floor_boundary(
                &lines[i],
                u.arbitrary::<usize>().unwrap_or(0) % (lines[i].len() + 1),
            );
            let t = token(u);
            let sep = if u.arbitrary::<bool>().unwrap_or(false) {
                " "
            } else {
                ""
            };
            lines[i].insert_str(at, &format!("{sep}{t}{sep}"));
        }
        7 => {
            // Replace a word by a token.
            let words = runs(&lines[i], |c| c.is_alphanumeric() || c == '_');
            if let Ok(&(s, e)) = u.choose(&words) {
                let t = token(u);
                lines[i].replace_range(s..e, &t);
            }
        }
        8 => {
            // Change a number or a date.
            let nums = runs(&lines[i], |c| c.is_ascii_digit() || c == '-' || c == '.');
            if let Ok(&(s, e)) = u.choose(&nums) {
                let t = if lines[i][s..e].len() >= 8 && u.arbitrary::<bool>().unwrap_or(false) {
                    pick(u, DATES).to_string()
                } else if u.arbitrary::<bool>().unwrap_or(false) {
                    pick(u, NUMBERS).to_string()
                } else {
                    u.arbitrary::<i64>().unwrap_or(0).to_string()
                };
                lines[i].replace_range(s..e, &t);
            }
        }
        9 => {
            // Insert a declaration of another kz-visa file.
            let kz = kz_visa();
            if let Ok((_, text)) = u.choose(&kz.files) {
                let decls = declarations(text);
                if let Ok(d) = u.choose(&decls) {
                    for (k, l) in d.iter().enumerate() {
                        lines.insert((j + k).min(lines.len()), l.to_string());
                    }
                }
            }
        }
        10 => {
            // Insert a generated declaration.
            let text = generate(u);
            let decls = declarations(&text);
            if let Ok(d) = u.choose(&decls) {
                for (k, l) in d.iter().enumerate() {
                    lines.insert((j + k).min(lines.len()), l.to_string());
                }
            }
        }
        11 => {
            // Cut the file.
            lines.truncate(i.max(1));
            let last = lines.len() - 1;
            let l = &mut lines[last];
            let at = floor_boundary(l, u.arbitrary::<usize>().unwrap_or(0) % (l.len() + 1));
            l.truncate(at);
        }
        12 => {
            // Nest deeply, or repeat an operator.
            let depth = u.int_in_range(1..=300usize).unwrap_or(1);
            let unit = pick(u, &["(", "not ", "- ", "[", "if true then ", "1 + "]);
            let at = floor_boundary(
                &lines[i],
                u.arbitrary::<usize>().unwrap_or(0) % (lines[i].len() + 1),
            );
            lines[i].insert_str(at, &unit.repeat(depth));
        }
        _ => {
            // Change indentation, or the line end.
            let l = &mut lines[i];
            match u.int_in_range(0..=3u8).unwrap_or(0) {
                0 => *l = l.trim_start().to_string(),
                1 => l.insert_str(0, "  "),
                2 => l.push('\r'),
                _ => l.insert(0, '\t'),
            }
        }
    }
}

// ------------------------------------------------------------------------------------------
// A generator of well-formed declarations: a small, self-contained rulebook that checks (most
// of the time), with facts, enums, records, parameters, tables, a calendar, rules with cases
// and exceptions, reasons, an amendment, an example and a test.

#[derive(Clone, Copy, PartialEq)]
enum Ty {
    Bool,
    Int,
    Money,
    Date,
    Enum,
}

const TYS: [Ty; 5] = [Ty::Bool, Ty::Int, Ty::Money, Ty::Date, Ty::Enum];

fn ty_name(t: Ty) -> &'static str {
    match t {
        Ty::Bool => "bool",
        Ty::Int => "integer",
        Ty::Money => "money",
        Ty::Date => "date",
        Ty::Enum => "Kind",
    }
}

const VARIANTS: [&str; 3] = ["alpha", "beta", "gamma"];

struct Gen<'u, 'a> {
    u: &'u mut Unstructured<'a>,
    /// Rules written so far, with their types (rules only read earlier rules: no cycles).
    rules: Vec<(String, Ty)>,
}

impl Gen<'_, '_> {
    fn n(&mut self, max: u32) -> u32 {
        self.u.int_in_range(0..=max).unwrap_or(0)
    }

    fn flip(&mut self) -> bool {
        self.u.arbitrary::<bool>().unwrap_or(false)
    }

    fn date(&mut self) -> String {
        let y = 2020 + self.n(8);
        let m = 1 + self.n(11);
        let d = 1 + self.n(27);
        format!("{y:04}-{m:02}-{d:02}")
    }

    fn fact(&mut self, t: Ty) -> String {
        match t {
            Ty::Bool => pick(self.u, &["flag", "person.resident"]).to_string(),
            Ty::Int => pick(self.u, &["count_n", "person.children"]).to_string(),
            Ty::Money => "income".to_string(),
            Ty::Date => pick(self.u, &["assessed_on", "person.born_on"]).to_string(),
            Ty::Enum => pick(self.u, &["kind", "person.kind"]).to_string(),
        }
    }

    fn literal(&mut self, t: Ty) -> String {
        match t {
            Ty::Bool => pick(self.u, &["true", "false"]).to_string(),
            Ty::Int => self.n(100).to_string(),
            Ty::Money => format!("{} KZT", self.n(100_000)),
            Ty::Date => self.date(),
            Ty::Enum => pick(self.u, &VARIANTS).to_string(),
        }
    }

    /// An expression of type `t`.
    fn expr(&mut self, t: Ty, depth: u32) -> String {
        let earlier: Vec<String> = self
            .rules
            .iter()
            .filter(|(_, rt)| *rt == t)
            .map(|(n, _)| n.clone())
            .collect();
        let leaf = depth == 0 || self.n(3) == 0;
        if leaf {
            return match self.n(2) {
                0 => self.literal(t),
                1 if !earlier.is_empty() => self.u.choose(&earlier).cloned().unwrap_or_default(),
                _ => self.fact(t),
            };
        }
        let d = depth - 1;
        match (t, self.n(3)) {
            (_, 0) => format!(
                "if {} then {} else {}",
                self.expr(Ty::Bool, d),
                self.expr(t, d),
                self.expr(t, d)
            ),
            (_, 1) => format!(
                "match {} {{ alpha => {} beta or gamma => {} }}",
                self.expr(Ty::Enum, d),
                self.expr(t, d),
                self.expr(t, d)
            ),
            (Ty::Bool, _) => match self.n(6) {
                0 => format!("{} and {}", self.expr(Ty::Bool, d), self.expr(Ty::Bool, d)),
                1 => format!("({} or {})", self.expr(Ty::Bool, d), self.expr(Ty::Bool, d)),
                2 => format!("not {}", self.expr(Ty::Bool, d)),
                3 => {
                    let op = pick(self.u, &["<", "<=", ">", ">=", "==", "!="]);
                    let c = *self
                        .u
                        .choose(&[Ty::Int, Ty::Money, Ty::Date])
                        .unwrap_or(&Ty::Int);
                    format!("{} {op} {}", self.expr(c, d), self.expr(c, d))
                }
                4 => format!("{} is {}", self.expr(Ty::Enum, d), pick(self.u, &VARIANTS)),
                5 => format!("is_working_day({}, workdays)", self.expr(Ty::Date, d)),
                _ => format!("{} in [alpha, gamma]", self.expr(Ty::Enum, d)),
            },
            (Ty::Int, _) => match self.n(5) {
                0 => format!("{} + {}", self.expr(Ty::Int, d), self.expr(Ty::Int, d)),
                1 => format!(
                    "({} - {}) * 2",
                    self.expr(Ty::Int, d),
                    self.expr(Ty::Int, d)
                ),
                2 => format!("age({}, as_of)", self.expr(Ty::Date, d)),
                3 => format!(
                    "days_between({}, {})",
                    self.expr(Ty::Date, d),
                    self.expr(Ty::Date, d)
                ),
                4 => format!("weight({})", self.expr(Ty::Enum, d)),
                _ => format!("max({}, {})", self.expr(Ty::Int, d), self.expr(Ty::Int, d)),
            },
            (Ty::Money, _) => match self.n(3) {
                0 => format!("{} + {}", self.expr(Ty::Money, d), self.expr(Ty::Money, d)),
                1 => format!("rate * {}", self.expr(Ty::Int, d)),
                2 => "rate as of 2025-06-01".to_string(),
                _ => format!(
                    "min({}, {})",
                    self.expr(Ty::Money, d),
                    self.expr(Ty::Money, d)
                ),
            },
            (Ty::Date, _) => match self.n(3) {
                0 => format!("{} + {} days", self.expr(Ty::Date, d), self.n(400)),
                1 => format!("{} + {} months", self.expr(Ty::Date, d), self.n(30)),
                2 => format!(
                    "{} + {} working days in workdays",
                    self.expr(Ty::Date, d),
                    self.n(30)
                ),
                _ => format!("{} - 1 year", self.expr(Ty::Date, d)),
            },
            (Ty::Enum, _) => self.literal(Ty::Enum),
        }
    }

    fn ty(&mut self) -> Ty {
        *self.u.choose(&TYS).unwrap_or(&Ty::Bool)
    }

    /// A rule body: one expression, or cases with an optional `otherwise`.
    fn body(&mut self, t: Ty, otherwise: bool) -> String {
        if self.flip() {
            return format!("  {}\n", self.expr(t, 3));
        }
        let mut s = String::new();
        for _ in 0..=self.n(2) {
            let c = self.expr(Ty::Bool, 2);
            let v = self.expr(t, 2);
            s.push_str(&format!("  when {c} then {v}\n"));
        }
        if otherwise {
            s.push_str(&format!("  otherwise {}\n", self.expr(t, 2)));
        }
        s
    }

    fn rule(&mut self, name: &str, t: Ty, prefix: &str) -> String {
        let output = if self.flip() { "output " } else { "" };
        let body = self.body(t, true);
        format!(
            "{prefix}{output}rule {name}: {} cites law \"Rule {name}.\" {{\n{body}}}\n",
            ty_name(t)
        )
    }
}

/// A generated rulebook (one file).
pub fn generate(u: &mut Unstructured) -> String {
    let mut g = Gen {
        u,
        rules: Vec::new(),
    };
    let mut s = String::from(
        "rulebook generated {\n  title \"Generated\"\n  as of assessed_on\n}\n\n\
         source law { title \"A law\" }\n\n\
         /// Kinds of things.\nenum Kind { alpha \"Alpha\", beta, gamma }\n\n\
         record Person {\n  born_on: date\n  kind: Kind\n  resident: bool = false\n  children: integer = 0\n  nickname: text?\n}\n\n\
         fact assessed_on: date\nfact flag: bool\nfact count_n: integer\nfact income: money\nfact kind: Kind\nfact person: Person\n\n",
    );
    s.push_str(&format!(
        "parameter rate: money cites law \"The rate.\" {{\n  from 2020-01-01: {} KZT\n  from {}: {} KZT\n}}\n\n",
        g.n(5000),
        g.date(),
        g.n(5000)
    ));
    let otherwise = g.flip();
    s.push_str(&format!(
        "table weight(k: Kind) -> integer cites law \"Weights.\" {{\n  alpha => {}\n  beta{} => {}\n{}}}\n\n",
        g.n(9),
        if otherwise { "" } else { " or gamma" },
        g.n(9),
        if otherwise { "  otherwise => 0\n" } else { "" }
    ));
    s.push_str(&format!(
        "calendar workdays cites law \"Days off.\" {{\n  weekend saturday, sunday\n  holiday \"New Year\" every 01-01 carried over\n  holiday \"One-off\" on {}\n}}\n\n",
        g.date()
    ));
    let n = 1 + g.n(5);
    for i in 0..n {
        let t = g.ty();
        let name = format!("r{i}");
        let r = g.rule(&name, t, "");
        s.push_str(&r);
        s.push('\n');
        if g.n(2) == 0 {
            let c = g.expr(Ty::Bool, 2);
            let v = g.expr(t, 2);
            s.push_str(&format!(
                "exception x{i} to r{i} cites law \"Except.\" {{\n  when {c} then {v}\n}}\n\n"
            ));
        }
        g.rules.push((name, t));
    }
    if g.flip() {
        let c = g.expr(Ty::Bool, 2);
        s.push_str(&format!(
            "output reasons grounds cites law \"Grounds.\" {{\n  reason first \"the first\"\n    when {c}\n  reason second \"the second\"\n    when flag\n}}\n\n"
        ));
    }
    if g.flip() && !g.rules.is_empty() {
        let i = g.u.choose_index(g.rules.len()).unwrap_or(0);
        let (name, t) = g.rules[i].clone();
        let date = g.date();
        // The new body reads only rules declared before the one it replaces.
        let all = std::mem::take(&mut g.rules);
        g.rules = all[..i].to_vec();
        let body = g.body(t, true);
        g.rules = all;
        let add = g.rule("added", Ty::Bool, "  add ");
        s.push_str(&format!(
            "amendment change cites law \"Amended.\" in force {date} {{\n  replace rule {name}: {} cites law \"Replaced.\" {{\n{body}  }}\n{add}}}\n\n",
            ty_name(t)
        ));
    }
    let born = g.date();
    let on = g.date();
    let kind = pick(g.u, &VARIANTS);
    s.push_str(&format!(
        "example someone {{\n  assessed_on: {on}\n  flag: true\n  count_n: 3\n  income: 1000 KZT\n  kind: {kind}\n  person: {{ born_on: {born}, kind: beta }}\n}}\n\n"
    ));
    if let Some((name, _)) = g.rules.first().cloned() {
        s.push_str(&format!(
            "test first_rule {{\n  as of {on}\n  given someone\n  set count_n = 4\n  expect {name} fails\n}}\n"
        ));
    }
    s
}

// ------------------------------------------------------------------------------------------
// fmt_roundtrip: `zan fmt` keeps the meaning and is idempotent.

/// Debug text with every span (`Span { file: .., start: .., end: .. }`) replaced by `Span`:
/// what is left is the meaning, independent of the layout.
pub fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find("Span { file: FileId(") {
        out.push_str(&rest[..i]);
        out.push_str("Span");
        match rest[i..].find('}') {
            Some(j) => rest = &rest[i + j + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a checked file means, independent of its layout: the diagnostics (code, severity,
/// message) and, when it checks, the rulebook's declarations, versions, tests and examples.
fn meaning(text: &str) -> (String, String, bool) {
    let mut map = SourceMap::new();
    map.add("fuzz.zan", text);
    let (ast, _) = zan::syntax::parse(&map, FileId(0));
    let checked = zan::check(&map);
    let diags: Vec<String> = checked
        .diagnostics
        .iter()
        .map(|d| format!("{:?} {:?} {}", d.severity, d.code, d.message))
        .collect();
    let rulebook = checked.rulebook.as_ref().map(|rb| {
        format!(
            "{} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            rb.name,
            rb.title,
            rb.jurisdiction,
            rb.as_of_path,
            rb.schema.enums,
            rb.schema.records,
            rb.schema.facts,
            rb.sources,
            rb.amendments,
            rb.versions,
            rb.tests,
            rb.examples
        )
    });
    let has_errors = checked.has_errors();
    (
        without_spans(&format!("{diags:?} {rulebook:?}")),
        without_spans(&format!("{:?}", ast.declarations)),
        has_errors,
    )
}

/// Whether an input whose first byte is `b` is taken as text (an ASCII character or a BOM),
/// rather than as the choices of a generator.
fn looks_like_text(b: u8) -> bool {
    b.is_ascii_graphic() || b.is_ascii_whitespace() || b == 0xef
}

pub fn fmt_roundtrip(data: &[u8]) {
    let (raw, rest) = data.split_first().unwrap_or((&0, &[]));
    // Text as it comes (when it starts like text), or a mutated or generated rulebook.
    let text = if looks_like_text(*raw) {
        String::from_utf8_lossy(data).into_owned()
    } else {
        mutated_text(&mut Unstructured::new(rest))
    };
    let Ok(once) = zan::fmt::format_source(&text) else {
        return;
    };
    match zan::fmt::format_source(&once) {
        Ok(twice) => assert_eq!(once, twice, "formatting twice changes the text"),
        Err(d) => panic!("the formatted text does not parse: {d:?}\n{once}"),
    }
    let (before, ast_before, errors) = meaning(&text);
    let (after, ast_after, _) = meaning(&once);
    assert_eq!(
        ast_before, ast_after,
        "formatting changed the syntax tree\n{once}"
    );
    if !errors {
        assert_eq!(
            before, after,
            "formatting changed the checked rulebook\n{once}"
        );
    }
}

// ------------------------------------------------------------------------------------------
// eval_case: JSON text, arbitrary or made from the kz-visa examples and schema, → decisions.

/// Evaluation dates: the case's own, the extremes, and some in between.
fn as_of(u: &mut Unstructured) -> Option<i32> {
    use zan::time::date::{MAX_DAY, MIN_DAY};
    match u.int_in_range(0..=7u8).unwrap_or(0) {
        0 => None,
        1 => Some(MIN_DAY),
        2 => Some(MAX_DAY),
        3 => Some(i32::MIN),
        4 => Some(i32::MAX),
        5 => zan::engine::parse_date("2026-03-10"),
        6 => Some(u.arbitrary::<i32>().unwrap_or(0)),
        _ => {
            zan::engine::parse_date("2025-01-01").map(|d| d + u.int_in_range(0..=1500).unwrap_or(0))
        }
    }
}

/// A JSON value that a case might hold where `v` was, or anything.
fn json_value(u: &mut Unstructured, depth: u32) -> serde_json::Value {
    use serde_json::{json, Value};
    let rb = engine().rulebook();
    match u.int_in_range(0..=11u8).unwrap_or(0) {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary().unwrap_or(false)),
        2 => json!(u.arbitrary::<i64>().unwrap_or(0)),
        3 => {
            let n = pick(u, NUMBERS);
            serde_json::from_str(n).unwrap_or(Value::Null)
        }
        4 => Value::String(pick(u, DATES).to_string()),
        5 => {
            // A value of some enum of the schema.
            let e = u.choose(&rb.schema.enums).ok();
            let v = e.and_then(|e| u.choose(&e.variants).ok());
            Value::String(v.map_or(String::new(), |v| v.name.clone()))
        }
        6 => Value::String(u.arbitrary::<String>().unwrap_or_default()),
        7 => Value::String(format!("{} KZT", pick(u, NUMBERS))),
        8 if depth > 0 => {
            let n = u.int_in_range(0..=3usize).unwrap_or(0);
            Value::Array((0..n).map(|_| json_value(u, depth - 1)).collect())
        }
        9 if depth > 0 => {
            // A record of the schema, some fields filled.
            let mut obj = serde_json::Map::new();
            if let Ok(r) = u.choose(&rb.schema.records) {
                for f in &r.fields {
                    if u.arbitrary::<bool>().unwrap_or(false) {
                        obj.insert(f.name.clone(), json_value(u, depth - 1));
                    }
                }
            }
            Value::Object(obj)
        }
        10 => {
            let start = pick(u, DATES);
            let end = pick(u, DATES);
            json!({ "start": start, "end": end })
        }
        _ => Value::String(format!("{} days", u.arbitrary::<i32>().unwrap_or(0))),
    }
}

/// Replace, remove or add something at a random place of a JSON value.
fn mutate_json(u: &mut Unstructured, v: &mut serde_json::Value, depth: u32) {
    use serde_json::Value;
    let here = depth == 0 || u.int_in_range(0..=3u8).unwrap_or(0) == 0;
    match v {
        Value::Object(map) if !here && !map.is_empty() => {
            let i = u.choose_index(map.len()).unwrap_or(0);
            if let Some((_, child)) = map.iter_mut().nth(i) {
                mutate_json(u, child, depth - 1);
            }
        }
        Value::Array(items) if !here && !items.is_empty() => {
            let i = u.choose_index(items.len()).unwrap_or(0);
            mutate_json(u, &mut items[i], depth - 1);
        }
        Value::Object(map) if u.arbitrary::<bool>().unwrap_or(false) => {
            if !map.is_empty() && u.arbitrary::<bool>().unwrap_or(false) {
                let i = u.choose_index(map.len()).unwrap_or(0);
                if let Some(key) = map.keys().nth(i).cloned() {
                    map.remove(&key);
                }
            } else {
                let rb = engine().rulebook();
                let key = match u.choose(&rb.schema.facts) {
                    Ok(f) if u.arbitrary::<bool>().unwrap_or(false) => f.name.clone(),
                    _ => u.arbitrary::<String>().unwrap_or_default(),
                };
                let value = json_value(u, 2);
                map.insert(key, value);
            }
        }
        Value::Array(items) if u.arbitrary::<bool>().unwrap_or(false) => {
            let value = json_value(u, 2);
            items.push(value);
        }
        _ => *v = json_value(u, 2),
    }
}

pub fn eval_case(data: &[u8]) {
    let engine = engine();
    let (mode, rest) = data.split_first().unwrap_or((&0, &[]));
    let mut u = Unstructured::new(rest);
    // Text as it comes (when it starts like text), or an example case mutated.
    let text = if looks_like_text(*mode) {
        String::from_utf8_lossy(data).into_owned()
    } else {
        let examples = &kz_visa().examples;
        let base = u.choose(examples).map(String::as_str).unwrap_or("{}");
        let mut v: serde_json::Value = serde_json::from_str(base).unwrap_or_default();
        for _ in 0..u.int_in_range(0..=5u8).unwrap_or(0) {
            mutate_json(&mut u, &mut v, 4);
        }
        v.to_string()
    };
    let selection = if u.arbitrary::<bool>().unwrap_or(false) {
        let names = engine.output_names();
        let n = u.int_in_range(1..=3usize).unwrap_or(1);
        let chosen: Vec<&str> = (0..n)
            .filter_map(|_| u.choose(&names).ok().copied())
            .collect();
        engine.select(&chosen).ok()
    } else {
        None
    };
    let from_text = engine.case_from_str(&text);
    // The streaming reader and the JSON-value reader accept the same cases; a text that
    // repeats a key (which a JSON value cannot hold) is refused as such.
    if let Ok((value, repeated)) = zan::eval::strict_json::parse(&text) {
        if repeated.is_empty() {
            let from_value = engine.case_from_json(&value);
            assert_eq!(
                from_text.is_ok(),
                from_value.is_ok(),
                "case_from_str and case_from_json disagree on {text}"
            );
        } else {
            assert!(
                matches!(from_text, Err(zan::engine::DecideError::DuplicateKey(_))),
                "a repeated key is not refused in {text}"
            );
        }
    }
    for _ in 0..u.int_in_range(1..=3u8).unwrap_or(1) {
        let options = Options {
            as_of: as_of(&mut u),
            explain: match u.int_in_range(0..=2u8).unwrap_or(0) {
                1 => Some(zan::eval::Depth::Path),
                2 => Some(zan::eval::Depth::Full),
                _ => None,
            },
            outputs: selection.as_ref(),
        };
        if let Ok(case) = &from_text {
            if let Ok(decision) = engine.decide(case, &options) {
                let _ = engine.decision_text(&decision);
                let _ = engine.decision_json(&decision);
            }
        }
        match engine.decide_str(&text, &options) {
            Ok(_) => {}
            Err(e) => {
                let _ = e.json();
                let _ = e.to_string();
            }
        }
    }
}

// ------------------------------------------------------------------------------------------
// lsp_document: the language server's document pipeline under random edits and requests.

pub fn lsp_document(data: &[u8]) {
    use tower_lsp_server::ls_types::{Position, Range, TextDocumentContentChangeEvent};
    use zan::lsp::workspace::Workspace;

    let mut u = Unstructured::new(data);
    let initial = match u.int_in_range(0..=3u8).unwrap_or(0) {
        0 => String::new(),
        1 => generate(&mut u),
        _ => mutated_text(&mut u),
    };
    // A path in no folder on disk: the document is a folder of its own, as a scratch file is.
    let path = Path::new("zan-fuzz-no-such-folder/doc.zan");
    let mut ws = Workspace::default();
    ws.folder_for(path).set_text(path, initial, true);
    let name = zan::load::display(path);
    let steps = u.int_in_range(1..=6u8).unwrap_or(1);
    for _ in 0..steps {
        // An edit, as the client sends it: a range in lines and UTF-16 columns (possibly out of
        // the text), or the whole text.
        let text = match u.int_in_range(0..=6u8).unwrap_or(0) {
            0 => String::new(),
            1 | 2 => token(&mut u),
            3 => {
                let kz = kz_visa();
                let f = u.choose(&kz.files).map(|(_, t)| t.as_str()).unwrap_or("");
                let decls = declarations(f);
                u.choose(&decls).map(|d| d.join("\n")).unwrap_or_default()
            }
            _ => u.arbitrary::<String>().unwrap_or_default(),
        };
        let position = |u: &mut Unstructured| Position {
            line: u.int_in_range(0..=60u32).unwrap_or(0),
            character: u.int_in_range(0..=120u32).unwrap_or(0),
        };
        let range = if u.int_in_range(0..=15u8).unwrap_or(0) == 0 {
            None
        } else {
            let start = position(&mut u);
            let end = if u.arbitrary::<bool>().unwrap_or(false) {
                start
            } else {
                position(&mut u)
            };
            Some(Range { start, end })
        };
        let change = TextDocumentContentChangeEvent {
            range,
            range_length: None,
            text,
        };
        let folder = ws.folder_for(path);
        folder.edit(path, |t| zan::lsp::apply_change(t, change));
        let a = folder.analysis(today());
        let Some(file) = a.file_named(&name) else {
            continue;
        };
        let pos = FilePositions::new(&a, file);
        let mut positions = convert::Positions::new(&a);
        for d in &a.checked.diagnostics {
            let _ = convert::diagnostic(&mut positions, d);
        }
        // A few requests at random positions.
        for _ in 0..u.int_in_range(0..=3u8).unwrap_or(0) {
            let p = position(&mut u);
            let offset = pos.offset(p);
            let o32 = offset as u32;
            match u.int_in_range(0..=11u8).unwrap_or(0) {
                0 => {
                    if let Some((span, _)) = ide::hover(&a, file, o32) {
                        let _ = pos.span_range(span);
                    }
                }
                1 => {
                    for t in ide::definition(&a, file, o32) {
                        let _ = format!("{t:?}");
                    }
                }
                2 => {
                    let _ = ide::complete(&a, file, offset);
                }
                3 => {
                    let _ = zan::fmt::format_source(a.text(file));
                }
                4 => {
                    let _ = ide::references(&a, file, o32, true);
                }
                5 => {
                    if ide::prepare_rename(&a, file, o32).is_some() {
                        let _ = ide::rename(&a, file, o32, "renamed_x");
                    }
                }
                6 => {
                    let tokens = ide::semantic_tokens(&a, file);
                    let _ = convert::semantic_tokens(&pos, &tokens);
                }
                7 => {
                    let _ = ide::folding_ranges(&a, file);
                }
                8 => {
                    for h in ide::inlay_hints(&a, file) {
                        let _ = pos.position(h.offset);
                    }
                }
                9 => {
                    let end = pos.offset(position(&mut u));
                    let _ = ide::code_actions(&a, file, o32, end as u32);
                }
                10 => {
                    let _ = ide::document_symbols(&a, file);
                }
                _ => {
                    let _ = ide::workspace_symbols(&a, &token(&mut u));
                }
            }
        }
    }
}
