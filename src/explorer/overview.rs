//! The first page (the rulebooks served) and a rulebook's overview: title, jurisdiction,
//! versions with their amendments, legal texts with coverage by provision, declarations by
//! kind, open points, and the ways in (try a case, what changed).

use super::html::{esc, page, rel, slug, Shell};
use super::Site;
use crate::time::period;
use std::fmt::Write as _;

/// `index.html`: every rulebook served.
pub fn root(sites: &[&Site]) -> String {
    let mut body = String::from("<h1>Rulebooks</h1>\n<ul class=\"rulebooks\">\n");
    for s in sites {
        let rb = s.engine.rulebook();
        let _ = writeln!(
            body,
            "<li><a href=\"r/{}/index.html\">{}</a> <code>{}</code>{}</li>",
            slug(&s.name),
            esc(&s.title()),
            esc(&s.name),
            rb.jurisdiction
                .as_deref()
                .map(|j| format!(" — {}", esc(j)))
                .unwrap_or_default()
        );
    }
    body.push_str("</ul>\n");
    if sites.is_empty() {
        body.push_str("<p>No rulebook is served.</p>\n");
    }
    let shell = Shell {
        path: "index.html",
        title: "Rulebooks",
        rulebook: None,
    };
    page(&shell, &body)
}

/// `r/{name}/index.html`.
pub fn rulebook(site: &Site) -> String {
    let path = format!("{}index.html", site.base());
    let rb = site.engine.rulebook();
    let m = &site.model;
    let title = site.title();
    let mut b = format!("<h1>{}</h1>\n<dl class=\"facts\">\n", esc(&title));
    let _ = writeln!(b, "<dt>Name</dt><dd><code>{}</code></dd>", esc(&rb.name));
    if let Some(j) = &rb.jurisdiction {
        let _ = writeln!(b, "<dt>Jurisdiction</dt><dd>{}</dd>", esc(j));
    }
    let _ = writeln!(
        b,
        "<dt>Tests</dt><dd>{} ({} passing)</dd>\n</dl>",
        m.tests.len(),
        m.tests.iter().filter(|t| t.passed).count()
    );
    b.push_str("<p class=\"ways\"><a href=\"try.html\">Try a case</a> · <a href=\"changes.html\">What changed</a></p>\n");
    versions(site, &mut b);
    sources(site, &mut b);
    coverage(site, &mut b);
    declarations(site, &mut b);
    open_points(site, &path, &mut b);
    let shell = Shell {
        path: &path,
        title: &title,
        rulebook: Some((&site.name, &title)),
    };
    page(&shell, &b)
}

fn versions(site: &Site, b: &mut String) {
    let rb = site.engine.rulebook();
    b.push_str("<section aria-labelledby=\"versions\">\n<h2 id=\"versions\">Versions</h2>\n<ol class=\"versions\">\n");
    for v in &rb.versions {
        let _ = write!(
            b,
            "<li><strong>{}</strong>",
            esc(&period::describe(v.from, v.until))
        );
        let mut names: Vec<&str> = Vec::new();
        for a in &v.applied {
            if let Some(am) = rb.amendments.get(a.amendment as usize) {
                if !names.contains(&am.name.as_str()) {
                    names.push(&am.name);
                }
            }
        }
        if !names.is_empty() {
            let links: Vec<String> = names
                .iter()
                .map(|n| {
                    format!(
                        "<a href=\"{}\">{}</a>",
                        esc(&super::model::decl_page("amendment", n)),
                        esc(n)
                    )
                })
                .collect();
            let _ = write!(
                b,
                ": {} provision(s) of {}",
                v.applied.len(),
                links.join(", ")
            );
        }
        b.push_str("</li>\n");
    }
    b.push_str("</ol>\n</section>\n");
}

fn sources(site: &Site, b: &mut String) {
    let m = &site.model;
    b.push_str("<section aria-labelledby=\"sources\">\n<h2 id=\"sources\">The law</h2>\n");
    b.push_str("<table>\n<thead><tr><th scope=\"col\">Source</th><th scope=\"col\">Sentences</th><th scope=\"col\">Cited</th><th scope=\"col\">Cited and reached by tests</th></tr></thead>\n<tbody>\n");
    for law in &m.laws {
        let (total, cited, covered) = law.summary(m);
        let _ = writeln!(
            b,
            "<tr><td><a href=\"law/{}.html\">{}</a><br><small>{}</small></td><td>{total}</td><td>{cited}</td><td>{covered} of {cited}</td></tr>",
            slug(&law.name),
            esc(law.title.as_deref().unwrap_or(&law.name)),
            esc(law.file.as_deref().unwrap_or("no text"))
        );
    }
    b.push_str("</tbody>\n</table>\n</section>\n");
}

fn coverage(site: &Site, b: &mut String) {
    let r = &site.model.coverage;
    b.push_str("<section aria-labelledby=\"coverage\">\n<h2 id=\"coverage\">Coverage by the tests</h2>\n<table>\n<thead><tr><th scope=\"col\">What</th><th scope=\"col\">Covered</th><th scope=\"col\">%</th></tr></thead>\n<tbody>\n");
    for c in &r.categories {
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{} of {}</td><td>{:.1}</td></tr>",
            esc(c.name),
            c.covered,
            c.total,
            c.percent()
        );
    }
    b.push_str("</tbody>\n</table>\n</section>\n");
}

const KINDS: &[(&str, &str)] = &[
    ("rule", "Rules"),
    ("reasons", "Reasons"),
    ("exception", "Exceptions"),
    ("table", "Tables"),
    ("parameter", "Parameters"),
    ("calendar", "Calendars"),
    ("fact", "Facts"),
    ("enum", "Enums"),
    ("record", "Records"),
    ("amendment", "Amendments"),
    ("example", "Examples"),
    ("source", "Sources"),
];

fn declarations(site: &Site, b: &mut String) {
    let m = &site.model;
    b.push_str(
        "<section aria-labelledby=\"declarations\">\n<h2 id=\"declarations\">Declarations</h2>\n",
    );
    for (kind, heading) in KINDS {
        let mut names: Vec<&super::model::Decl> =
            m.decls.iter().filter(|d| d.kind == *kind).collect();
        if names.is_empty() {
            continue;
        }
        names.sort_by(|a, b| a.name.cmp(&b.name));
        let _ = writeln!(
            b,
            "<h3 id=\"kind-{kind}\">{heading} ({})</h3>\n<ul class=\"names\">",
            names.len()
        );
        for d in names {
            let _ = writeln!(
                b,
                "<li><a href=\"{}\">{}</a></li>",
                esc(&d.page()),
                esc(&d.name)
            );
        }
        b.push_str("</ul>\n");
    }
    b.push_str("</section>\n");
}

fn open_points(site: &Site, path: &str, b: &mut String) {
    let m = &site.model;
    let _ = writeln!(
        b,
        "<section aria-labelledby=\"open-points\">\n<h2 id=\"open-points\">Open points ({})</h2>",
        m.opens.len()
    );
    if m.opens.is_empty() {
        b.push_str("<p>None.</p>\n</section>\n");
        return;
    }
    b.push_str("<ul class=\"open-points\">\n");
    for (i, o) in m.opens.iter().enumerate() {
        let at = match o.decl.and_then(|d| m.decls.get(d)) {
            Some(d) => format!(
                " — <a href=\"{}#open-{i}\">{} <code>{}</code></a>",
                esc(&rel(path, &format!("{}{}", site.base(), d.page()))),
                esc(d.kind),
                esc(&d.name)
            ),
            None => String::new(),
        };
        let _ = writeln!(
            b,
            "<li class=\"open-point\"><span class=\"at\">{}</span>{at}<p>{}</p></li>",
            esc(&o.at),
            esc(&o.text)
        );
    }
    b.push_str("</ul>\n</section>\n");
}
