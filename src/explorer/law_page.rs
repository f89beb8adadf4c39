//! The page of one legal text: the text as written (its paragraphs kept), every sentence an
//! anchor (`s-N`), cited sentences highlighted with links to what cites them and whether the
//! tests reach it, uncited sentences marked as such.

use super::html::{esc, page, rel, Shell};
use super::model::{Law, Model};
use super::Site;
use std::fmt::Write as _;

pub fn render(site: &Site, index: usize, path: &str) -> String {
    let m = &site.model;
    let Some(law) = m.laws.get(index) else {
        return String::new();
    };
    let title = law.title.clone().unwrap_or_else(|| law.name.clone());
    let mut b = format!(
        "<h1>{}</h1>\n<p class=\"meta\">Source <code>{}</code>{}</p>\n",
        esc(&title),
        esc(&law.name),
        law.file
            .as_deref()
            .map(|f| format!(", file <code>{}</code>", esc(f)))
            .unwrap_or_default()
    );
    let (total, cited, covered) = law.summary(m);
    let _ = writeln!(
        b,
        "<p class=\"summary\">{total} sentences; <span class=\"legend cited\">{cited} cited</span>, of which <span class=\"legend covered\">{covered} reached by the tests</span>; <span class=\"legend uncited\">{} cited by nothing</span>.</p>",
        total - cited
    );
    elsewhere(site, law, path, &mut b);
    b.push_str("<article class=\"law\">\n");
    match &law.text {
        None => b.push_str("<p>The rulebook does not have this text.</p>\n"),
        Some(text) => {
            for paragraph in &law.paragraphs {
                b.push_str("<p>");
                let mut at = paragraph.first().map_or(0, |s| s.range.start);
                for s in paragraph {
                    if let Some(gap) = text.text.get(at..s.range.start) {
                        b.push_str(&esc(gap));
                    }
                    sentence(
                        site,
                        law,
                        s.number,
                        text.text.get(s.range.clone()).unwrap_or(""),
                        path,
                        &mut b,
                    );
                    at = s.range.end;
                }
                b.push_str("</p>\n");
            }
        }
    }
    b.push_str("</article>\n");
    let site_title = site.title();
    let shell = Shell {
        path,
        title: &format!("{title} — {site_title}"),
        rulebook: Some((&site.name, &site_title)),
    };
    page(&shell, &b)
}

fn sentence(site: &Site, law: &Law, number: usize, text: &str, path: &str, b: &mut String) {
    let m = &site.model;
    let Some(uses) = law.cited.get(&number) else {
        let _ = write!(
            b,
            "<span class=\"sentence\" id=\"s-{number}\" data-cited=\"false\">{}</span>",
            esc(text)
        );
        return;
    };
    let covered = law.covered(m, number);
    let _ = write!(
        b,
        "<span class=\"sentence\" id=\"s-{number}\" data-cited=\"true\" data-covered=\"{covered}\">{}</span>",
        esc(text)
    );
    let _ = write!(
        b,
        "<span class=\"cited-by-list\"><span class=\"visually-hidden\">{}; cited by:</span>",
        if covered {
            "reached by tests"
        } else {
            "not reached by any test"
        }
    );
    let mut shown: Vec<String> = Vec::new();
    for &u in uses {
        let link = use_link(site, m, u, path);
        if !shown.contains(&link) {
            shown.push(link);
        }
    }
    b.push_str(&shown.join(""));
    b.push_str("</span>");
}

/// A link to what cites (`a.cited-by`), or a test's name and place.
pub fn use_link(site: &Site, m: &Model, u: usize, path: &str) -> String {
    let Some(use_) = m.uses.get(u) else {
        return String::new();
    };
    if let Some(d) = use_.decl.and_then(|d| m.decls.get(d)) {
        let href = rel(path, &format!("{}{}", site.base(), d.page()));
        let text = if use_.label.contains(&format!("`{}`", d.name)) {
            esc(&use_.label)
        } else {
            format!(
                "{} <code>{}</code>: {}",
                esc(d.kind),
                esc(&d.name),
                esc(&use_.label)
            )
        };
        return format!(
            " <a class=\"cited-by\" href=\"{}#c-{}\">{text}</a>",
            esc(&href),
            use_.span.start
        );
    }
    match use_.test.and_then(|t| m.tests.get(t)) {
        Some(t) => format!(
            " <span class=\"cited-by-test\">test <code>{}</code> ({})</span>",
            esc(&t.name),
            esc(&t.at)
        ),
        None => String::new(),
    }
}

/// Citations of the source as a whole, or of words the page could not place.
fn elsewhere(site: &Site, law: &Law, path: &str, b: &mut String) {
    if law.elsewhere.is_empty() {
        return;
    }
    let m = &site.model;
    b.push_str("<details class=\"elsewhere\"><summary>Cited without a sentence placed in the text</summary>\n<ul>\n");
    for &u in &law.elsewhere {
        let quote = m.uses[u]
            .quote
            .as_deref()
            .map(|q| format!("“{}”", esc(q)))
            .unwrap_or_else(|| "the source as a whole".into());
        let _ = writeln!(b, "<li>{quote}:{}</li>", use_link(site, m, u, path));
    }
    b.push_str("</ul>\n</details>\n");
}
