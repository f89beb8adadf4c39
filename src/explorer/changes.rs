//! What changed (`r/{name}/changes.html?from=DATE&to=DATE`): the structural and behavioural
//! comparison of the rulebook in force on two dates, as `zan diff` computes it
//! (`crate::diff`), as HTML; and one page per pair of consecutive versions
//! (`r/{name}/changes/{from}_{to}.html`) for the static site.

use super::form::decode_form;
use super::html::{self, esc, rel, slug, Shell};
use super::{Mode, Site};
use crate::diff::{self, Cite, DeclChange, Options, Report, Side, Status};
use crate::time::date::{self, Day};
use std::fmt::Write as _;

/// Cases listed at most; the rest are counted.
const CASES_SHOWN: usize = 50;

/// The dates of the pair of versions `i`, `i + 1`: the last day of the first and the first
/// day of the second.
pub fn pair_dates(site: &Site, i: usize) -> Option<(Day, Day)> {
    let versions = &site.engine.rulebook().versions;
    let new = versions.get(i + 1)?.from?;
    let old = versions.get(i)?.until.unwrap_or(new - 1);
    Some((old, new))
}

pub fn pair_path(site: &Site, i: usize) -> String {
    match pair_dates(site, i) {
        Some((old, new)) => format!(
            "{}changes/{}_{}.html",
            site.base(),
            date::format(old),
            date::format(new)
        ),
        None => format!("{}changes/{i}.html", site.base()),
    }
}

/// Which pair a path below the rulebook's folder (`changes/A_B.html`) is.
pub fn pair_of_page(site: &Site, rest: &str) -> Option<usize> {
    if !rest.starts_with("changes/") {
        return None;
    }
    let full = format!("{}{rest}", site.base());
    (0..site.changes.len()).find(|&i| pair_path(site, i) == full)
}

pub fn between_versions(site: &Site, i: usize) -> String {
    let path = pair_path(site, i);
    let body = match pair_dates(site, i) {
        Some((old, new)) => {
            let report = report(site, old, new);
            let mut b = heading(old, new);
            pairs_list(site, &path, &mut b);
            report_html(site, &report, &path, &mut b);
            b
        }
        None => "<h1>What changed</h1><p>No such pair of versions.</p>".into(),
    };
    shell(site, &path, &body)
}

fn heading(old: Day, new: Day) -> String {
    format!(
        "<h1>What changed from {} to {}</h1>\n",
        date::format(old),
        date::format(new)
    )
}

fn shell(site: &Site, path: &str, body: &str) -> String {
    let title = site.title();
    html::page(
        &Shell {
            path,
            title: &format!("What changed — {title}"),
            rulebook: Some((&site.name, &title)),
        },
        body,
    )
}

/// `changes.html`: in the server, the comparison of the dates asked for (by default the last
/// two versions); in a static site, the list of pairs of versions.
pub fn page(site: &Site, query: &str) -> (u16, String) {
    let path = format!("{}changes.html", site.base());
    let pairs = decode_form(query.as_bytes());
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_string())
    };
    let last = site
        .changes
        .len()
        .checked_sub(1)
        .and_then(|i| pair_dates(site, i));
    let (from_text, to_text) = match (get("from"), get("to"), last) {
        (Some(f), Some(t), _) => (f, t),
        (_, _, Some((old, new))) => (date::format(old), date::format(new)),
        _ => (String::new(), String::new()),
    };
    let mut b = String::from("<h1>What changed</h1>\n");
    if site.mode == Mode::Static {
        b.push_str("<p class=\"note\">This is a static copy of the explorer: comparing any two dates needs <code>zan serve</code>; the changes between consecutive versions are below.</p>\n");
    }
    let _ = writeln!(
        b,
        "<form id=\"changes-form\" method=\"get\" action=\"changes.html\"><p class=\"field\"><label for=\"from\">From</label> <input type=\"date\" id=\"from\" name=\"from\" value=\"{}\"> <label for=\"to\">to</label> <input type=\"date\" id=\"to\" name=\"to\" value=\"{}\"> <button type=\"submit\" id=\"compare\">Compare</button></p></form>",
        esc(&from_text),
        esc(&to_text)
    );
    pairs_list(site, &path, &mut b);
    let mut status = 200;
    if site.mode == Mode::Live {
        match (date::parse(&from_text), date::parse(&to_text)) {
            (Some(old), Some(new)) => {
                let report = report(site, old, new);
                let _ = writeln!(
                    b,
                    "<h2>From {} to {}</h2>",
                    date::format(old),
                    date::format(new)
                );
                report_html(site, &report, &path, &mut b);
            }
            _ if from_text.is_empty() && to_text.is_empty() => {
                b.push_str("<section id=\"changes\"><p>The rulebook has one version: nothing to compare.</p></section>\n");
            }
            _ => {
                status = 400;
                b.push_str("<section id=\"changes\" role=\"alert\"><p class=\"error\">Give two dates written YYYY-MM-DD.</p></section>\n");
            }
        }
    }
    (status, shell(site, &path, &b))
}

fn pairs_list(site: &Site, path: &str, b: &mut String) {
    if site.changes.is_empty() {
        return;
    }
    b.push_str(
        "<nav aria-label=\"Versions\" class=\"pairs\"><h2>Between consecutive versions</h2><ul>\n",
    );
    for i in 0..site.changes.len() {
        if let Some((old, new)) = pair_dates(site, i) {
            let _ = writeln!(
                b,
                "<li><a href=\"{}\">{} → {}</a></li>",
                esc(&rel(path, &pair_path(site, i))),
                date::format(old),
                date::format(new)
            );
        }
    }
    b.push_str("</ul></nav>\n");
}

/// The comparison of the two dates: made once for a pair of consecutive versions (kept in
/// the site), each time for other dates.
fn report(site: &Site, old: Day, new: Day) -> std::borrow::Cow<'_, Report> {
    let pair = (0..site.changes.len()).find(|&i| pair_dates(site, i) == Some((old, new)));
    match pair.and_then(|i| site.changes.get(i)) {
        Some(cell) => std::borrow::Cow::Borrowed(cell.get_or_init(|| compare(site, old, new))),
        None => std::borrow::Cow::Owned(compare(site, old, new)),
    }
}

fn compare(site: &Site, old: Day, new: Day) -> Report {
    let rb = site.engine.rulebook();
    let analysis = &site.model.analysis;
    let decls: Vec<&crate::syntax::ast::Declaration> = analysis
        .index
        .parsed
        .iter()
        .flat_map(|p| p.ast.declarations.iter())
        .collect();
    let root = site.model.root.clone();
    let side = |on: Day| Side {
        label: date::format(on),
        root: root.clone(),
        map: &rb.source_map,
        decls: decls.clone(),
        rulebook: rb,
        on: Some(on),
        case_files: Vec::new(),
    };
    diff::diff(&side(old), &side(new), &Options::default())
}

fn cite_html(site: &Site, c: &Cite, path: &str) -> String {
    let m = &site.model;
    let quote = c
        .quote
        .as_deref()
        .map_or_else(String::new, |q| format!(" “{}”", esc(q)));
    let href = match m.laws.iter().find(|l| l.name == c.source) {
        Some(law) => {
            let page = rel(
                path,
                &format!("{}law/{}.html", site.base(), slug(&law.name)),
            );
            let sentence = match (&law.text, &c.quote) {
                (Some(t), Some(q)) => super::law::Finder::new(&t.text).find(q).and_then(|r| {
                    super::law::sentences_in(&law.paragraphs, &r)
                        .first()
                        .copied()
                }),
                _ => None,
            };
            match sentence {
                Some(n) => format!("{page}#s-{n}"),
                None => page,
            }
        }
        None => return format!("{}{quote}", esc(&c.source)),
    };
    format!(
        "<a class=\"citation\" href=\"{}\">{}{quote}</a>",
        esc(&href),
        esc(&c.source)
    )
}

fn decl_link(site: &Site, kind: &str, name: &str, path: &str) -> String {
    // `output rule`, `output reasons`: the page is the rule's.
    let kind = kind.rsplit(' ').next().unwrap_or(kind);
    match site.model.decl(kind, name) {
        Some(d) => format!(
            "<a href=\"{}\"><code>{}</code></a>",
            esc(&rel(path, &format!("{}{}", site.base(), d.page()))),
            esc(name)
        ),
        None => format!("<code>{}</code>", esc(name)),
    }
}

fn report_html(site: &Site, r: &Report, path: &str, b: &mut String) {
    b.push_str("<section id=\"changes\" aria-label=\"Changes\">\n");
    let _ = writeln!(
        b,
        "<p class=\"summary\">{} declaration(s) changed; {} case(s) decide differently.</p>",
        r.changes.len(),
        r.behaviour.changed.len()
    );
    if !r.provisions.is_empty() {
        b.push_str("<h3>Provisions taking effect</h3>\n<table>\n<thead><tr><th scope=\"col\">From</th><th scope=\"col\">Provision</th><th scope=\"col\">Cites</th></tr></thead>\n<tbody>\n");
        for p in &r.provisions {
            let cites: Vec<String> = p
                .citations
                .iter()
                .map(|c| cite_html(site, c, path))
                .collect();
            let _ = writeln!(
                b,
                "<tr class=\"provision\"><td>{}</td><td>{} {} {} {}</td><td>{}</td></tr>",
                date::format(p.from),
                decl_link(site, "amendment", &p.amendment, path),
                esc(&p.action),
                esc(&p.kind),
                decl_link(site, &p.kind, &p.name, path),
                cites.join("<br>")
            );
        }
        b.push_str("</tbody>\n</table>\n");
    }
    if !r.changes.is_empty() {
        b.push_str("<h3>Declarations</h3>\n");
        for c in &r.changes {
            change_html(site, c, path, b);
        }
    }
    behaviour_html(r, b);
    b.push_str("</section>\n");
}

fn change_html(site: &Site, c: &DeclChange, path: &str, b: &mut String) {
    let status = match c.status {
        Status::Added => "added",
        Status::Removed => "removed",
        Status::Changed => "changed",
    };
    let _ = writeln!(
        b,
        "<article class=\"change {status}\"><h4>{status}: {} {}</h4><p class=\"at\">{}:{}</p>",
        esc(&c.kind),
        decl_link(site, &c.kind, &c.name, path),
        esc(&c.file),
        c.line
    );
    if !c.details.is_empty() {
        b.push_str("<ul>\n");
        for d in &c.details {
            let _ = writeln!(b, "<li>{}</li>", esc(d));
        }
        b.push_str("</ul>\n");
    }
    for (label, text) in [("before", &c.old_text), ("after", &c.new_text)] {
        if let Some(t) = text {
            let _ = writeln!(
                b,
                "<details><summary>{label}</summary><pre class=\"source\"><code>{}</code></pre></details>",
                esc(t)
            );
        }
    }
    if !c.citations.is_empty() {
        let cites: Vec<String> = c
            .citations
            .iter()
            .map(|x| cite_html(site, x, path))
            .collect();
        let _ = writeln!(b, "<p class=\"cites\">Cites: {}</p>", cites.join("; "));
    }
    b.push_str("</article>\n");
}

fn behaviour_html(r: &Report, b: &mut String) {
    let beh = &r.behaviour;
    let total: usize = beh.evaluated.iter().map(|(_, n)| n).sum();
    let parts: Vec<String> = beh
        .evaluated
        .iter()
        .map(|(o, n)| format!("{n} {o}"))
        .collect();
    let _ = writeln!(
        b,
        "<h3>Behaviour</h3>\n<p>{total} cases decided under both versions ({}).</p>",
        esc(&parts.join(", "))
    );
    if !beh.changed_per_output.is_empty() {
        b.push_str("<table>\n<thead><tr><th scope=\"col\">Output</th><th scope=\"col\">Cases changed</th></tr></thead>\n<tbody>\n");
        for (o, n) in &beh.changed_per_output {
            let _ = writeln!(b, "<tr><td><code>{}</code></td><td>{n}</td></tr>", esc(o));
        }
        b.push_str("</tbody>\n</table>\n");
    }
    if !beh.new_outputs.is_empty() {
        let names: Vec<String> = beh
            .new_outputs
            .iter()
            .map(|(n, _)| format!("<code>{}</code>", esc(n)))
            .collect();
        let _ = writeln!(b, "<p>New outputs: {}.</p>", names.join(", "));
    }
    if !beh.removed_outputs.is_empty() {
        let names: Vec<String> = beh
            .removed_outputs
            .iter()
            .map(|n| format!("<code>{}</code>", esc(n)))
            .collect();
        let _ = writeln!(b, "<p>Outputs no longer given: {}.</p>", names.join(", "));
    }
    if beh.changed.is_empty() {
        return;
    }
    b.push_str("<ul class=\"cases\">\n");
    for c in beh.changed.iter().take(CASES_SHOWN) {
        let outs: Vec<String> = c
            .outputs
            .iter()
            .map(|o| {
                format!(
                    "<code>{}</code>: {} → {}",
                    esc(&o.output),
                    esc(&o.old.text()),
                    esc(&o.new.text())
                )
            })
            .collect();
        let _ = writeln!(b, "<li>{}: {}</li>", esc(&c.case), outs.join("; "));
    }
    if beh.changed.len() > CASES_SHOWN {
        let _ = writeln!(b, "<li>and {} more</li>", beh.changed.len() - CASES_SHOWN);
    }
    b.push_str("</ul>\n");
}
