//! The page of one declaration: its doc comment and type, its source with every citation a
//! link to the sentence (`a.citation`, anchored `c-OFFSET`), its exceptions, the versions it
//! has had and the amendments that changed it, open points, the tests that check it, and what
//! it depends on and what depends on it.

use super::html::{code, esc, page, rel, slug, Shell};
use super::model::{Decl, Model};
use super::Site;
use crate::ir::{Definition, Program, RuleBodyIr, Rulebook};
use crate::time::{date, period};
use std::fmt::Write as _;

pub fn render(site: &Site, index: usize, path: &str) -> String {
    let m = &site.model;
    let Some(d) = m.decls.get(index) else {
        return String::new();
    };
    let rb = site.engine.rulebook();
    let mut b = format!(
        "<h1><span class=\"kind\">{}</span> <code>{}</code></h1>\n",
        esc(d.kind),
        esc(&d.name)
    );
    if let Some(doc) = d.entries.iter().find_map(|e| e.doc.as_deref()) {
        let _ = writeln!(
            b,
            "<div class=\"doc\"><p>{}</p></div>",
            esc(doc.trim()).replace("\n\n", "</p><p>")
        );
    }
    if let Some(ty) = type_of(rb, d) {
        let _ = writeln!(b, "<p class=\"type\">Type: <code>{}</code></p>", esc(&ty));
    }
    exceptions(rb, d, &mut b);
    versions(site, d, path, &mut b);
    sources(site, d, path, &mut b);
    citations(site, d, path, &mut b);
    amendment_provisions(site, d, &mut b);
    open_points(m, d, &mut b);
    tests(m, d, &mut b);
    links(m, "Depends on", "depends-on", d.depends_on.iter(), &mut b);
    links(m, "What depends on it", "used-by", d.used_by.iter(), &mut b);
    let site_title = site.title();
    let title = format!("{} {} — {site_title}", d.kind, d.name);
    let shell = Shell {
        path,
        title: &title,
        rulebook: Some((&site.name, &site_title)),
    };
    page(&shell, &b)
}

/// The programs of every version, newest first.
fn programs(rb: &Rulebook) -> impl Iterator<Item = &Program> {
    rb.versions.iter().rev().map(|v| &*v.program)
}

fn type_of(rb: &Rulebook, d: &Decl) -> Option<String> {
    let s = &rb.schema;
    match d.kind {
        "rule" | "reasons" => programs(rb)
            .find_map(|p| p.rules.iter().find(|r| r.name == d.name))
            .map(|r| {
                let output = if r.output { "output " } else { "" };
                format!("{output}{}", s.type_name(&r.ty))
            }),
        "fact" => s
            .facts
            .iter()
            .find(|f| f.name == d.name)
            .map(|f| s.type_name(&f.ty)),
        "parameter" => programs(rb)
            .find_map(|p| p.params.iter().find(|x| x.name == d.name))
            .map(|x| s.type_name(&x.ty)),
        "table" => programs(rb)
            .find_map(|p| p.tables.iter().find(|x| x.name == d.name))
            .map(|t| {
                let keys: Vec<String> = t.keys.iter().map(|k| s.type_name(k)).collect();
                format!("({}) -> {}", keys.join(", "), s.type_name(&t.ty))
            }),
        _ => None,
    }
}

/// Whether version `p` has the declaration (for the amendable kinds).
fn in_program(p: &Program, d: &Decl) -> Option<bool> {
    Some(match d.kind {
        "rule" | "reasons" => p.rules.iter().any(|r| r.name == d.name),
        "exception" => p.rules.iter().any(|r| match &r.body {
            RuleBodyIr::Definition(def) => has_exception(def, &d.name),
            RuleBodyIr::Reasons(_) => false,
        }),
        "table" => p.tables.iter().any(|t| t.name == d.name),
        "parameter" => p.params.iter().any(|x| x.name == d.name),
        "calendar" => p.calendars.iter().any(|c| c.name == d.name),
        _ => return None,
    })
}

fn has_exception(def: &Definition, name: &str) -> bool {
    def.exceptions
        .iter()
        .any(|e| e.name == name || has_exception(e, name))
}

fn exceptions(rb: &Rulebook, d: &Decl, b: &mut String) {
    if d.kind != "rule" {
        return;
    }
    let mut names: Vec<String> = Vec::new();
    for p in programs(rb) {
        for r in p.rules.iter().filter(|r| r.name == d.name) {
            if let RuleBodyIr::Definition(def) = &r.body {
                collect_exceptions(def, &mut names);
            }
        }
    }
    if names.is_empty() {
        return;
    }
    b.push_str(
        "<section aria-labelledby=\"exceptions\">\n<h2 id=\"exceptions\">Exceptions</h2>\n<ul>\n",
    );
    for n in names {
        let _ = writeln!(
            b,
            "<li><a href=\"exception-{}.html\">{}</a></li>",
            slug(&n),
            esc(&n)
        );
    }
    b.push_str("</ul>\n</section>\n");
}

fn collect_exceptions(def: &Definition, names: &mut Vec<String>) {
    for e in &def.exceptions {
        if !names.contains(&e.name) {
            names.push(e.name.clone());
        }
        collect_exceptions(e, names);
    }
}

fn versions(site: &Site, d: &Decl, path: &str, b: &mut String) {
    let rb = site.engine.rulebook();
    if rb
        .versions
        .iter()
        .all(|v| in_program(&v.program, d).is_none())
    {
        return;
    }
    b.push_str("<section aria-labelledby=\"versions\">\n<h2 id=\"versions\">Versions</h2>\n<table>\n<thead><tr><th scope=\"col\">In force</th><th scope=\"col\">Has it</th><th scope=\"col\">Changed by</th></tr></thead>\n<tbody>\n");
    for v in &rb.versions {
        let has = in_program(&v.program, d).unwrap_or(false);
        let changes: Vec<String> = v
            .applied
            .iter()
            .filter(|a| a.name == d.name)
            .map(|a| {
                let amendment = rb
                    .amendments
                    .get(a.amendment as usize)
                    .map_or("?", |x| x.name.as_str());
                // The comparison of the versions either side of the provision's date.
                let compared = (0..site.changes.len())
                    .find(|&i| {
                        super::changes::pair_dates(site, i).is_some_and(|(_, new)| new == a.from)
                    })
                    .map(|i| {
                        format!(
                            " (<a href=\"{}\">what changed</a>)",
                            esc(&rel(path, &super::changes::pair_path(site, i)))
                        )
                    })
                    .unwrap_or_default();
                format!(
                    "<a href=\"amendment-{}.html\">{}</a> {} it from {}{compared}",
                    slug(amendment),
                    esc(amendment),
                    esc(a.action),
                    date::format(a.from)
                )
            })
            .collect();
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&period::describe(v.from, v.until)),
            if has { "yes" } else { "no" },
            changes.join("<br>")
        );
    }
    b.push_str("</tbody>\n</table>\n</section>\n");
}

/// Each written entry, its citations linked to their sentences.
fn sources(site: &Site, d: &Decl, path: &str, b: &mut String) {
    let m = &site.model;
    let rb = site.engine.rulebook();
    b.push_str("<section aria-labelledby=\"source\">\n<h2 id=\"source\">As written</h2>\n");
    for e in &d.entries {
        let at = m.location(rb, e.span);
        let what = match &e.provision {
            Some(p) => format!(
                "in amendment <a href=\"amendment-{}.html\">{}</a>, which {}s it from {}",
                slug(&p.amendment),
                esc(&p.amendment),
                esc(p.action),
                date::format(p.from)
            ),
            None => "the baseline".into(),
        };
        let _ = writeln!(
            b,
            "<p class=\"where\">{what} — <span class=\"at\">{}</span></p>",
            esc(&at)
        );
        let text = rb.source_map.snippet(e.span);
        let mut inner: Vec<&super::model::Use> = d
            .uses
            .iter()
            .filter_map(|&u| m.uses.get(u))
            .filter(|u| {
                u.span.file == e.span.file
                    && e.span.start <= u.span.start
                    && u.span.end <= e.span.end
            })
            .collect();
        inner.sort_by_key(|u| u.span.start);
        b.push_str("<pre class=\"source\"><code>");
        let mut at = e.span.start as usize;
        for u in inner {
            let (start, end) = (u.span.start as usize, u.span.end as usize);
            if start < at {
                continue;
            }
            let base = e.span.start as usize;
            b.push_str(&code(text.get(at - base..start - base).unwrap_or("")));
            let _ = write!(
                b,
                "<a class=\"citation\" id=\"c-{start}\" href=\"{}\">{}</a>",
                esc(&citation_href(site, u, path)),
                code(text.get(start - base..end - base).unwrap_or(""))
            );
            at = end;
        }
        let base = e.span.start as usize;
        b.push_str(&code(text.get(at.saturating_sub(base)..).unwrap_or("")));
        b.push_str("</code></pre>\n");
    }
    b.push_str("</section>\n");
}

/// `../law/{source}.html#s-N`: the first sentence the citation quotes.
pub fn citation_href(site: &Site, u: &super::model::Use, path: &str) -> String {
    let m = &site.model;
    let source = m
        .laws
        .get(u.source as usize)
        .map_or("", |l| l.name.as_str());
    let page = rel(path, &format!("{}law/{}.html", site.base(), slug(source)));
    match u.sentences.first() {
        Some(n) => format!("{page}#s-{n}"),
        None => page,
    }
}

fn citations(site: &Site, d: &Decl, path: &str, b: &mut String) {
    let m = &site.model;
    if d.uses.is_empty() {
        return;
    }
    b.push_str("<section aria-labelledby=\"citations\">\n<h2 id=\"citations\">Citations</h2>\n<ul class=\"citations\">\n");
    for &ui in &d.uses {
        let u = &m.uses[ui];
        let source = m
            .laws
            .get(u.source as usize)
            .map_or("?", |l| l.name.as_str());
        let quote = u
            .quote
            .as_deref()
            .map_or_else(|| "the source".to_string(), |q| format!("“{}”", esc(q)));
        let _ = writeln!(
            b,
            "<li>{}: <a class=\"citation\" href=\"{}\">{} {quote}</a> <span class=\"{}\">{}</span></li>",
            esc(&u.label),
            esc(&citation_href(site, u, path)),
            esc(source),
            if u.reached { "covered" } else { "not-covered" },
            if u.reached { "reached by tests" } else { "not reached by tests" }
        );
    }
    b.push_str("</ul>\n</section>\n");
}

/// An amendment's provisions: what it adds, replaces or repeals, and from when.
fn amendment_provisions(site: &Site, d: &Decl, b: &mut String) {
    if d.kind != "amendment" {
        return;
    }
    let rb = site.engine.rulebook();
    let Some(id) = rb.amendments.iter().position(|a| a.name == d.name) else {
        return;
    };
    let _ = writeln!(
        b,
        "<p>In force from {}.</p>",
        date::format(rb.amendments[id].in_force)
    );
    let mut seen = Vec::new();
    b.push_str(
        "<section aria-labelledby=\"provisions\">\n<h2 id=\"provisions\">Provisions</h2>\n<ul>\n",
    );
    for v in &rb.versions {
        for a in v.applied.iter().filter(|a| a.amendment as usize == id) {
            if seen.contains(&a.span) {
                continue;
            }
            seen.push(a.span);
            let target = match site.model.decl(a.kind, &a.name) {
                Some(t) => format!(
                    "<a href=\"{}\">{}</a>",
                    esc(&format!("../{}", t.page())),
                    esc(&a.name)
                ),
                None => format!("<code>{}</code>", esc(&a.name)),
            };
            let _ = writeln!(
                b,
                "<li>{} {} {target} from {}</li>",
                esc(a.action),
                esc(a.kind),
                date::format(a.from)
            );
        }
    }
    b.push_str("</ul>\n</section>\n");
}

fn open_points(m: &Model, d: &Decl, b: &mut String) {
    if d.opens.is_empty() {
        return;
    }
    b.push_str("<section aria-labelledby=\"open-points\">\n<h2 id=\"open-points\">Open points</h2>\n<ul class=\"open-points\">\n");
    for &i in &d.opens {
        let o = &m.opens[i];
        let _ = writeln!(
            b,
            "<li class=\"open-point\" id=\"open-{i}\"><span class=\"at\">{}</span><p>{}</p></li>",
            esc(&o.at),
            esc(&o.text)
        );
    }
    b.push_str("</ul>\n</section>\n");
}

/// At most this many tests are named per list; the rest are counted.
const TESTS_SHOWN: usize = 40;

fn tests(m: &Model, d: &Decl, b: &mut String) {
    for (title, id, list) in [
        ("Tests that check its value", "checked-by", &d.checked_by),
        ("Tests that exercise it", "exercised-by", &d.exercised_by),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(
            b,
            "<section aria-labelledby=\"{id}\">\n<h2 id=\"{id}\">{title} ({})</h2>\n<ul class=\"tests\">",
            list.len()
        );
        for &t in list.iter().take(TESTS_SHOWN) {
            if let Some(t) = m.tests.get(t) {
                let _ = writeln!(
                    b,
                    "<li><code>{}</code> <span class=\"at\">{}</span>{}</li>",
                    esc(&t.name),
                    esc(&t.at),
                    if t.passed {
                        ""
                    } else {
                        " <strong>fails</strong>"
                    }
                );
            }
        }
        if list.len() > TESTS_SHOWN {
            let _ = writeln!(b, "<li>and {} more</li>", list.len() - TESTS_SHOWN);
        }
        b.push_str("</ul>\n</section>\n");
    }
}

fn links<'a>(
    m: &Model,
    title: &str,
    id: &str,
    list: impl Iterator<Item = &'a usize>,
    b: &mut String,
) {
    let items: Vec<&Decl> = list.filter_map(|&i| m.decls.get(i)).collect();
    if items.is_empty() {
        return;
    }
    let _ = writeln!(
        b,
        "<section aria-labelledby=\"{id}\">\n<h2 id=\"{id}\">{title}</h2>\n<ul class=\"names\">"
    );
    for d in items {
        let _ = writeln!(
            b,
            "<li><a href=\"{}\">{} <code>{}</code></a></li>",
            esc(&format!("../{}", d.page())),
            esc(d.kind),
            esc(&d.name)
        );
    }
    b.push_str("</ul>\n</section>\n");
}
