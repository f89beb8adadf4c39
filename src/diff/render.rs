//! The report as coloured text for a terminal, Markdown for a pull-request comment, and JSON
//! for tools.

use super::{Behaviour, CaseChange, Cite, DeclChange, Outcome, ProvisionInfo, Report, Status};
use crate::time::date;
use serde_json::Value as Json;
use std::fmt::Write;

/// A value as a reviewer reads it: enum names and dates bare, amounts with their currency,
/// reasons by code.
pub fn value_text(v: &Json) -> String {
    match v {
        Json::Null => "absent".into(),
        Json::String(s) => s.clone(),
        Json::Array(items) => format!(
            "[{}]",
            items.iter().map(value_text).collect::<Vec<_>>().join(", ")
        ),
        Json::Object(o) => {
            if let Some(code) = o.get("code").and_then(Json::as_str) {
                code.to_string()
            } else if let (Some(a), Some(c)) = (o.get("amount"), o.get("currency")) {
                format!("{} {}", value_text(a), value_text(c))
            } else {
                v.to_string()
            }
        }
        _ => v.to_string(),
    }
}

/// The report as JSON (`"format": "zan-diff/1"`).
pub fn json(report: &Report) -> Json {
    let mut v = serde_json::to_value(report).unwrap_or(Json::Null);
    if let Json::Object(o) = &mut v {
        o.insert("format".into(), Json::String("zan-diff/1".into()));
        o.insert("changed".into(), Json::Bool(report.has_changes()));
    }
    v
}

fn counts(changes: &[DeclChange]) -> (usize, usize, usize) {
    let n = |s: Status| changes.iter().filter(|c| c.status == s).count();
    (n(Status::Added), n(Status::Removed), n(Status::Changed))
}

fn versions_line(r: &Report) -> String {
    if r.by_date {
        format!("the rulebook in force on {} → in force on {}", r.old, r.new)
    } else {
        format!("{} → {}", r.old, r.new)
    }
}

fn evaluated_line(b: &Behaviour) -> String {
    let total: usize = b.evaluated.iter().map(|(_, n)| n).sum();
    let parts: Vec<String> = b
        .evaluated
        .iter()
        .map(|(o, n)| format!("{n} {}", origin_name(o, *n)))
        .collect();
    let mut s = format!(
        "{total} cases decided by both versions ({})",
        parts.join(", ")
    );
    if let Some(g) = &b.generated {
        let _ = write!(
            s,
            "; the {} generated cases (seed {}) reach {} of {} branches (cases, exceptions, reasons and table rows, counted in each version compared)",
            g.cases, g.seed, g.reached, g.branches
        );
    }
    s
}

/// "23 cases decide differently, and 191 more get new decisions".
fn changed_line(b: &Behaviour) -> String {
    let only_new = b
        .changed
        .iter()
        .filter(|c| c.outputs.iter().all(|o| o.old.missing || o.new.missing))
        .count();
    let differ = b.changed.len() - only_new;
    let mut s = format!(
        "{differ} case{} decide{} differently",
        if differ == 1 { "" } else { "s" },
        if differ == 1 { "s" } else { "" }
    );
    if only_new > 0 {
        let _ = write!(
            s,
            ", and {only_new} more get decisions the old version did not give (other than the usual value)"
        );
    }
    s
}

/// "3 tests", "1 example file", "30 generated".
fn origin_name(origin: &str, n: usize) -> String {
    match origin {
        "generated" => "generated".into(),
        o if n == 1 => o.into(),
        o => format!("{o}s"),
    }
}

// ---------------------------------------------------------------------------------- text

struct Paint(bool);

impl Paint {
    fn on(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.on("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.on("2", s)
    }
    fn red(&self, s: &str) -> String {
        self.on("31", s)
    }
    fn green(&self, s: &str) -> String {
        self.on("32", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.on("33", s)
    }
}

/// The report for a terminal: `color` adds ANSI colours, `width` sets the side-by-side width.
pub fn text(r: &Report, color: bool, width: usize) -> String {
    let p = Paint(color);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}",
        p.bold(&format!("zan diff {}: {}", r.rulebook, versions_line(r)))
    );
    if !r.provisions.is_empty() {
        let _ = writeln!(
            s,
            "\n{}",
            p.bold(&format!(
                "Provisions taking effect ({})",
                r.provisions.len()
            ))
        );
        for pr in &r.provisions {
            let _ = writeln!(
                s,
                "  {} {} {} {} `{}`  {}",
                date::format(pr.from),
                pr.amendment,
                pr.action,
                pr.kind,
                pr.name,
                p.dim(&format!("{}:{}", pr.file, pr.line))
            );
            for c in &pr.citations {
                let _ = writeln!(s, "      {}", p.dim(&format!("cites {c}")));
            }
        }
    }
    let (added, removed, changed) = counts(&r.changes);
    let _ = writeln!(
        s,
        "\n{}",
        p.bold(&format!(
            "Declarations: {added} added, {removed} removed, {changed} changed"
        ))
    );
    let mut file = "";
    for c in &r.changes {
        if c.file != file {
            file = &c.file;
            let _ = writeln!(s, "\n{}", p.bold(file));
        }
        text_change(&mut s, &p, c, width);
    }
    if !r.comment_changes.is_empty() {
        let _ = writeln!(
            s,
            "\n{}",
            p.bold("Comments changed (not counted as changes)")
        );
        for c in &r.comment_changes {
            let _ = writeln!(s, "  {} `{}`  {}:{}", c.kind, c.name, c.file, c.line);
        }
    }
    text_behaviour(&mut s, &p, &r.behaviour);
    if !r.has_changes() {
        let _ = writeln!(s, "\nNo change.");
    }
    s
}

fn text_change(s: &mut String, p: &Paint, c: &DeclChange, width: usize) {
    let mark = match c.status {
        Status::Added => p.green("+"),
        Status::Removed => p.red("-"),
        Status::Changed => p.yellow("~"),
    };
    let _ = writeln!(
        s,
        "  {mark} {} {}  {}",
        c.kind,
        p.bold(&c.name),
        p.dim(&format!("line {}", c.line))
    );
    if let Some(pr) = &c.provision {
        let _ = writeln!(
            s,
            "      {} by {}, from {}",
            pr.action,
            pr.amendment,
            date::format(pr.from)
        );
    }
    for d in &c.details {
        let _ = writeln!(s, "      {d}");
    }
    // A citation a detail already names is not repeated.
    for cite in &c.citations {
        let text = cite.to_string();
        if !c.details.iter().any(|d| d.contains(&text)) {
            let _ = writeln!(s, "      {}", p.dim(&format!("cites {text}")));
        }
    }
    match (&c.old_text, &c.new_text) {
        (Some(a), Some(b)) => side_by_side(s, p, a, b, width),
        (None, Some(t)) => indented(s, &|l| p.green(l), t),
        (Some(t), None) => indented(s, &|l| p.red(l), t),
        (None, None) => {}
    }
}

fn indented(s: &mut String, paint: &dyn Fn(&str) -> String, text: &str) {
    for line in text.lines() {
        let _ = writeln!(s, "      {}", paint(&format!("│ {line}")));
    }
}

/// The old and new definitions in two columns, changed lines marked `-` and `+`.
fn side_by_side(s: &mut String, p: &Paint, old: &str, new: &str, width: usize) {
    let column = (width.saturating_sub(6 + 3) / 2).max(20);
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let diff = similar::TextDiff::from_lines(old, new);
    let _ = writeln!(
        s,
        "      {} │ {}",
        pad(&p.dim("before"), "before", column),
        p.dim("after")
    );
    let ops = diff.ops();
    for (k, op) in ops.iter().enumerate() {
        let (tag, a, b) = op.as_tag_tuple();
        let left: Vec<&str> = old_lines.get(a).unwrap_or_default().to_vec();
        let right: Vec<&str> = new_lines.get(b).unwrap_or_default().to_vec();
        let equal = tag == similar::DiffTag::Equal;
        let rows = left.len().max(right.len());
        // Long unchanged runs are elided: the header and a little context stay.
        let head = if k == 0 { 3 } else { UNCHANGED_CONTEXT };
        let tail = if k + 1 == ops.len() {
            1
        } else {
            UNCHANGED_CONTEXT
        };
        let elide = equal && rows > head + tail + 1;
        for i in 0..rows {
            if elide && i >= head && i < rows - tail {
                if i == head {
                    let note = format!("⋮ {} unchanged lines", rows - head - tail);
                    let _ = writeln!(
                        s,
                        "      {} │ {}",
                        pad(&p.dim(&note), &note, column),
                        p.dim(&note)
                    );
                }
                continue;
            }
            let l = left
                .get(i)
                .map(|l| cell(if equal { " " } else { "-" }, l, column));
            let r = right
                .get(i)
                .map(|r| cell(if equal { " " } else { "+" }, r, column));
            let lt = l.clone().unwrap_or_default();
            let shown_l = if equal { lt.clone() } else { p.red(&lt) };
            let rt = r.unwrap_or_default();
            let shown_r = if equal { rt } else { p.green(&rt) };
            let _ = writeln!(s, "      {} │ {}", pad(&shown_l, &lt, column), shown_r);
        }
    }
}

/// Unchanged lines kept around a change in the side-by-side view.
const UNCHANGED_CONTEXT: usize = 2;

/// A line cut to a column's width (in characters), after its marker.
fn cell(mark: &str, line: &str, column: usize) -> String {
    let room = column.saturating_sub(2);
    let chars = line.chars().count();
    if chars <= room {
        format!("{mark} {line}")
    } else {
        let cut: String = line.chars().take(room.saturating_sub(1)).collect();
        format!("{mark} {cut}…")
    }
}

/// Pad `shown` (which may hold colour codes) to the width of its plain text `plain`.
fn pad(shown: &str, plain: &str, column: usize) -> String {
    let n = plain.chars().count();
    format!("{shown}{}", " ".repeat(column.saturating_sub(n)))
}

fn text_behaviour(s: &mut String, p: &Paint, b: &Behaviour) {
    let _ = writeln!(s, "\n{}", p.bold("Behaviour"));
    let _ = writeln!(s, "  {}", evaluated_line(b));
    let _ = writeln!(s, "  {}", changed_line(b));
    for (o, n) in &b.changed_per_output {
        let _ = writeln!(s, "    {o}: {n} case{}", if *n == 1 { "" } else { "s" });
    }
    for (o, values) in &b.new_outputs {
        let shown: Vec<String> = values.iter().map(|(v, n)| format!("{v} ×{n}")).collect();
        let _ = writeln!(s, "  new output {o}: {}", shown.join(", "));
    }
    for o in &b.removed_outputs {
        let _ = writeln!(s, "  output no longer given: {o}");
    }
    for c in &b.changed {
        let when = c
            .as_of
            .map(|d| format!(" (as of {})", date::format(d)))
            .unwrap_or_default();
        let _ = writeln!(s, "\n  {}{when}", p.bold(&c.case));
        if let Some(f) = &c.facts {
            let _ = writeln!(s, "    {}", p.dim(&format!("facts {f}")));
        }
        let mut new = Vec::new();
        for o in &c.outputs {
            if o.old.missing {
                new.push(format!("{} = {}", o.output, o.new.text()));
                continue;
            }
            let _ = writeln!(
                s,
                "    {}: {} → {}",
                o.output,
                p.red(&o.old.text()),
                p.green(&o.new.text())
            );
            let _ = writeln!(
                s,
                "      {}",
                p.dim(&format!("before: {}", because(&o.old)))
            );
            let _ = writeln!(
                s,
                "      {}",
                p.dim(&format!("after:  {}", because(&o.new)))
            );
        }
        if !new.is_empty() {
            let _ = writeln!(s, "    new decisions: {}", p.green(&new.join(", ")));
        }
        if !c.rules_changed.is_empty() {
            let _ = writeln!(
                s,
                "    {}",
                p.dim(&format!(
                    "rules that changed on the way: {}",
                    c.rules_changed.join(", ")
                ))
            );
        }
    }
}

/// What gave an outcome: the definition, its citations and amendment.
fn because(o: &Outcome) -> String {
    if o.missing {
        return "no such output in this version".into();
    }
    let parts = outcome_parts(o, &|t| t.to_string(), &|c| format!("cites {c}"));
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join("; ")
    }
}

/// What gave an outcome, in parts: the definition and case, the amendment, the citations.
fn outcome_parts(
    o: &Outcome,
    text: &dyn Fn(&str) -> String,
    cite: &dyn Fn(&Cite) -> String,
) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(b) = &o.by {
        parts.push(text(b));
    }
    if let Some(a) = &o.amendment {
        parts.push(format!("as amended by {}", text(a)));
    }
    parts.extend(o.citations.iter().map(cite));
    parts
}

// ------------------------------------------------------------------------------ markdown

/// Largest Markdown report: a GitHub comment holds 65,536 characters.
pub const MAX_MARKDOWN: usize = 60_000;
/// Most changed cases written out in Markdown (all are counted; JSON lists them all).
const MAX_MARKDOWN_CASES: usize = 60;

/// The report for a pull-request comment: grouped by file and declaration, with the
/// citations of the changed rules and the changed cases in a collapsed section.
pub fn markdown(r: &Report) -> String {
    let full = markdown_with(r, true);
    if full.len() <= MAX_MARKDOWN {
        return full;
    }
    // Too long for a comment: the definitions of added and removed declarations go first
    // (the provisions and the changed definitions side by side stay).
    let mut s = markdown_with(r, false);
    if s.len() > MAX_MARKDOWN {
        let mut cut = MAX_MARKDOWN;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("\n\n</details>\n\n*The report is cut here to fit in a comment; run `zan diff --format json` for all of it.*\n");
    }
    s
}

fn markdown_with(r: &Report, definitions: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## zan diff: `{}` — {}\n",
        r.rulebook,
        md_escape(&versions_line(r))
    );
    let (added, removed, changed) = counts(&r.changes);
    if r.has_changes() {
        let _ = writeln!(
            s,
            "**{} declarations changed** ({added} added, {removed} removed, {changed} changed) · {} (of {} cases)\n",
            r.changes.len(),
            changed_line(&r.behaviour),
            r.behaviour.evaluated.iter().map(|(_, n)| n).sum::<usize>()
        );
    } else {
        let _ = writeln!(
            s,
            "**No change** to the rules or to the decisions on cases.\n"
        );
    }
    if !r.provisions.is_empty() {
        md_provisions(&mut s, &r.provisions);
    }
    md_behaviour_summary(&mut s, &r.behaviour);
    if !r.changes.is_empty() {
        let _ = writeln!(s, "### Declarations\n");
        let mut file = "";
        for c in &r.changes {
            if c.file != file {
                file = &c.file;
                let _ = writeln!(s, "#### `{file}`\n");
            }
            md_change(&mut s, c, definitions);
        }
    }
    if !r.comment_changes.is_empty() {
        let _ = writeln!(s, "### Comments changed (not counted as changes)\n");
        for c in &r.comment_changes {
            let _ = writeln!(s, "- {} `{}` (`{}`:{})", c.kind, c.name, c.file, c.line);
        }
        s.push('\n');
    }
    md_behaviour_cases(&mut s, &r.behaviour);
    s
}

/// Room left for changed cases once the rest of the report is written.
const CASES_RESERVE: usize = 400;

/// Text for a Markdown table cell or list item. Only `|` is escaped: most text here is in
/// code spans, where entities such as `&lt;` would show literally.
fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn md_cite(c: &Cite) -> String {
    match &c.quote {
        Some(q) => format!("**{}**: “{}”", c.source, md_escape(q)),
        None => format!("**{}**", c.source),
    }
}

fn md_provisions(s: &mut String, provisions: &[ProvisionInfo]) {
    let _ = writeln!(s, "### Provisions taking effect ({})\n", provisions.len());
    let _ = writeln!(s, "| from | provision | cites |\n|---|---|---|");
    for p in provisions {
        let cites: Vec<String> = p.citations.iter().map(md_cite).collect();
        let _ = writeln!(
            s,
            "| {} | `{}` {} {} `{}` | {} |",
            date::format(p.from),
            p.amendment,
            p.action,
            p.kind,
            p.name,
            cites.join("<br>")
        );
    }
    if let Some(first) = provisions.first() {
        let act: Vec<String> = first.amendment_citations.iter().map(md_cite).collect();
        if !act.is_empty() {
            let _ = writeln!(s, "\n`{}` rests on {}", first.amendment, act.join("; "));
        }
    }
    s.push('\n');
}

fn md_change(s: &mut String, c: &DeclChange, definitions: bool) {
    let mark = match c.status {
        Status::Added => "➕ added",
        Status::Removed => "➖ removed",
        Status::Changed => "✏️ changed",
    };
    let _ = writeln!(
        s,
        "##### {mark}: {} `{}` (line {})\n",
        c.kind, c.name, c.line
    );
    if let Some(p) = &c.provision {
        let _ = writeln!(
            s,
            "*{} by `{}`, in force from {}*\n",
            p.action,
            p.amendment,
            date::format(p.from)
        );
    }
    for d in &c.details {
        let _ = writeln!(s, "- {}", md_escape(d));
    }
    if !c.details.is_empty() {
        s.push('\n');
    }
    // A provision's citations are already in the table of provisions.
    let listed = c.provision.as_ref().map_or(&[][..], |p| &p.citations[..]);
    for cite in c.citations.iter().filter(|x| !listed.contains(x)) {
        let _ = writeln!(s, "> cites {}\n", md_cite(cite));
    }
    match (&c.old_text, &c.new_text) {
        (Some(a), Some(b)) => {
            let _ = writeln!(
                s,
                "<table><tr><th>before</th><th>after</th></tr><tr><td>\n\n<pre>{}</pre>\n\n</td><td>\n\n<pre>{}</pre>\n\n</td></tr></table>\n",
                html_escape(a.trim_end()),
                html_escape(b.trim_end())
            );
        }
        (None, Some(t)) | (Some(t), None) if definitions => {
            let _ = writeln!(
                s,
                "<details><summary>definition</summary>\n\n```\n{}\n```\n</details>\n",
                t.trim_end()
            );
        }
        _ => {}
    }
}

fn md_behaviour_summary(s: &mut String, b: &Behaviour) {
    let _ = writeln!(s, "### Behaviour\n");
    let _ = writeln!(s, "{}.\n", evaluated_line(b));
    if !b.changed_per_output.is_empty() {
        let _ = writeln!(s, "| output | cases changed |\n|---|---|");
        for (o, n) in &b.changed_per_output {
            let _ = writeln!(s, "| `{o}` | {n} |");
        }
        s.push('\n');
    }
    for (o, values) in &b.new_outputs {
        let shown: Vec<String> = values
            .iter()
            .map(|(v, n)| format!("`{}` ×{n}", md_escape(v)))
            .collect();
        let _ = writeln!(s, "- new output `{o}`: {}", shown.join(", "));
    }
    for o in &b.removed_outputs {
        let _ = writeln!(s, "- output no longer given: `{o}`");
    }
    s.push('\n');
}

/// Where changed cases come from, in the order a reviewer reads them.
const ORIGINS: [(&str, &str); 4] = [
    ("example file", "Example files"),
    ("example", "Examples"),
    ("test", "Tests"),
    ("generated", "Generated cases"),
];

fn md_behaviour_cases(s: &mut String, b: &Behaviour) {
    if b.changed.is_empty() {
        let _ = writeln!(s, "No case is decided differently.");
        return;
    }
    let _ = writeln!(s, "### Changed cases\n");
    let groups: Vec<(&str, Vec<&CaseChange>)> = ORIGINS
        .iter()
        .map(|(origin, title)| {
            (
                *title,
                b.changed
                    .iter()
                    .filter(|c| c.origin == *origin)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, cases)| !cases.is_empty())
        .collect();
    let count = groups.len();
    for (i, (title, cases)) in groups.into_iter().enumerate() {
        // Each group gets an equal share of the room that is left.
        let room = MAX_MARKDOWN.saturating_sub(s.len() + CASES_RESERVE) / (count - i);
        let start = s.len();
        let _ = writeln!(
            s,
            "<details><summary>{title}: {} changed</summary>\n",
            cases.len()
        );
        let mut written = 0;
        for c in cases.iter().take(MAX_MARKDOWN_CASES) {
            let mut one = String::new();
            md_case(&mut one, c);
            if s.len() - start + one.len() > room {
                break;
            }
            s.push_str(&one);
            written += 1;
        }
        if cases.len() > written {
            let _ = writeln!(
                s,
                "\n… and {} more; `zan diff --format json` lists them all.",
                cases.len() - written
            );
        }
        let _ = writeln!(s, "\n</details>\n");
    }
}

fn md_case(s: &mut String, c: &CaseChange) {
    let when = c
        .as_of
        .map(|d| format!(" (as of {})", date::format(d)))
        .unwrap_or_default();
    let _ = writeln!(s, "\n#### {}{when}\n", md_escape(&c.case));
    if let Some(f) = &c.facts {
        let _ = writeln!(
            s,
            "<details><summary>facts</summary>\n\n```json\n{f}\n```\n</details>\n"
        );
    }
    let (both, one_sided): (Vec<_>, Vec<_>) = c
        .outputs
        .iter()
        .partition(|o| !o.old.missing && !o.new.missing);
    if !both.is_empty() {
        let _ = writeln!(s, "| output | before | after |\n|---|---|---|");
        for o in both {
            let _ = writeln!(
                s,
                "| `{}` | {} | {} |",
                o.output,
                md_outcome(&o.old),
                md_outcome(&o.new)
            );
        }
    }
    let (new, gone): (Vec<_>, Vec<_>) = one_sided.into_iter().partition(|o| o.old.missing);
    if !new.is_empty() {
        let shown: Vec<String> = new
            .iter()
            .map(|o| format!("`{}` = `{}`", o.output, md_escape(&o.new.text())))
            .collect();
        let _ = writeln!(s, "\nNew decisions: {}", shown.join(", "));
    }
    if !gone.is_empty() {
        let shown: Vec<String> = gone
            .iter()
            .map(|o| format!("`{}` (was `{}`)", o.output, md_escape(&o.old.text())))
            .collect();
        let _ = writeln!(s, "\nDecisions no longer given: {}", shown.join(", "));
    }
    if !c.rules_changed.is_empty() {
        let names: Vec<String> = c.rules_changed.iter().map(|r| format!("`{r}`")).collect();
        let _ = writeln!(s, "\nRules that changed on the way: {}", names.join(", "));
    }
}

fn md_outcome(o: &Outcome) -> String {
    let mut parts = vec![format!("`{}`", md_escape(&o.text()))];
    parts.extend(outcome_parts(o, &md_escape, &md_cite));
    parts.join("<br>")
}
