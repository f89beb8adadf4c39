//! The explorer: the web view of a rulebook for people (the law beside the rules, a page per
//! declaration, try a case, what changed), served by `zan serve` at `/` and written as a static
//! site by `zan doc`. Server-rendered HTML with a small hand-written script, the assets
//! embedded in the binary. Pure: pages are built from an `Engine` and a request; no IO.
//!
//! Site paths (the same from the server and on disk; every link is relative):
//! `index.html` the rulebooks; `r/{name}/index.html` a rulebook's overview;
//! `r/{name}/law/{source}.html` a legal text; `r/{name}/decl/{kind}-{decl}.html` a declaration;
//! `r/{name}/try.html` try a case; `r/{name}/changes.html` what changed (and
//! `r/{name}/changes/{from}_{to}.html` per pair of consecutive versions);
//! `assets/zan.css`, `assets/zan.js`.

mod changes;
mod decl_page;
mod explain;
mod form;
pub mod html;
mod law;
mod law_page;
mod model;
mod overview;
mod try_case;

use crate::engine::Engine;
use model::Model;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// Whether pages are served live (try a case evaluates) or written as a static site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Live,
    Static,
}

/// The pages of one rulebook, built once per loaded version of its files.
pub struct Site {
    pub name: String,
    pub engine: Arc<Engine>,
    pub mode: Mode,
    model: Model,
    /// The pages that do not depend on the request, by site path.
    pages: BTreeMap<String, Vec<u8>>,
    /// The comparisons of consecutive versions, made on first request (each decides the
    /// rulebook's cases under two versions).
    changes: Vec<OnceLock<crate::diff::Report>>,
}

// The server shares a site between its threads.
const _: fn() = || {
    fn shared<T: Send + Sync>() {}
    shared::<Site>();
};

const CSS: &str = include_str!("assets/zan.css");
const JS: &str = include_str!("assets/zan.js");
const HTML: &str = "text/html; charset=utf-8";

impl Site {
    pub fn new(name: &str, engine: Arc<Engine>, mode: Mode) -> Site {
        let model = Model::build(engine.rulebook());
        let versions = engine.rulebook().versions.len();
        let mut site = Site {
            name: name.to_string(),
            engine,
            mode,
            model,
            pages: BTreeMap::new(),
            changes: (1..versions).map(|_| OnceLock::new()).collect(),
        };
        site.pages = site.fixed_pages();
        site
    }

    /// The site path of this rulebook's folder: `r/{name}/`.
    fn base(&self) -> String {
        format!("r/{}/", html::slug(&self.name))
    }

    fn title(&self) -> String {
        let rb = self.engine.rulebook();
        rb.title.clone().unwrap_or_else(|| rb.name.clone())
    }

    fn fixed_pages(&self) -> BTreeMap<String, Vec<u8>> {
        let mut pages = BTreeMap::new();
        let base = self.base();
        pages.insert(
            format!("{base}index.html"),
            overview::rulebook(self).into_bytes(),
        );
        for (i, law) in self.model.laws.iter().enumerate() {
            let path = format!("{base}law/{}.html", html::slug(&law.name));
            pages.insert(path.clone(), law_page::render(self, i, &path).into_bytes());
        }
        for (i, d) in self.model.decls.iter().enumerate() {
            let path = format!("{base}{}", d.page());
            pages.insert(path.clone(), decl_page::render(self, i, &path).into_bytes());
        }
        pages
    }

    /// The page of the changes between version `i` and `i + 1`.
    fn changes_between(&self, i: usize) -> Option<Vec<u8>> {
        self.changes.get(i)?;
        Some(changes::between_versions(self, i).into_bytes())
    }
}

/// A request the explorer answers: `GET` pages and assets, `POST` forms.
pub struct Request<'a> {
    pub method: &'a str,
    /// The path, percent-decoded, without the query (`/`, `/r/kz_visa/`, `/assets/zan.css`).
    pub path: &'a str,
    /// The raw query string, without `?` (empty when none).
    pub query: &'a str,
    /// The body (an `application/x-www-form-urlencoded` form for `POST`).
    pub body: &'a [u8],
}

/// A response: always a page, a 404 page too.
pub struct Page {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Page {
    fn html(status: u16, body: impl Into<Vec<u8>>) -> Page {
        Page {
            status,
            content_type: HTML,
            body: body.into(),
        }
    }
}

/// Answer a request for the sites being served.
pub fn respond(sites: &[&Site], request: &Request<'_>) -> Page {
    let mut path = request.path.trim_start_matches('/').to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    let post = request.method.eq_ignore_ascii_case("POST");
    let get =
        request.method.eq_ignore_ascii_case("GET") || request.method.eq_ignore_ascii_case("HEAD");
    if !get && !post {
        return message(
            &path,
            405,
            "Method not allowed",
            "This page is read with GET; forms are sent with POST.",
        );
    }
    if path == "index.html" && get {
        return Page::html(200, overview::root(sites));
    }
    if let Some(asset) = path.strip_prefix("assets/").and_then(asset) {
        if !get {
            return message(
                &path,
                405,
                "Method not allowed",
                "Assets are read with GET.",
            );
        }
        return asset;
    }
    let Some(site) = sites.iter().find(|s| path.starts_with(&s.base())) else {
        return not_found(&path);
    };
    let rest = &path[site.base().len()..];
    match (rest, post) {
        ("try.html", _) => {
            let (status, body) = try_case::page(site, request.query, post.then_some(request.body));
            Page::html(status, body)
        }
        (_, true) => message(
            &path,
            405,
            "Method not allowed",
            "Only the try-a-case form is sent with POST.",
        ),
        ("changes.html", false) => {
            let (status, body) = changes::page(site, request.query);
            Page::html(status, body)
        }
        _ => {
            if let Some(i) = changes::pair_of_page(site, rest) {
                if let Some(body) = site.changes_between(i) {
                    return Page::html(200, body);
                }
            }
            match site.pages.get(&path) {
                Some(body) => Page::html(200, body.clone()),
                None => not_found(&path),
            }
        }
    }
}

fn asset(name: &str) -> Option<Page> {
    let (content_type, text) = match name {
        "zan.css" => ("text/css; charset=utf-8", CSS),
        "zan.js" => ("text/javascript; charset=utf-8", JS),
        _ => return None,
    };
    Some(Page {
        status: 200,
        content_type,
        body: text.as_bytes().to_vec(),
    })
}

fn not_found(path: &str) -> Page {
    message(
        path,
        404,
        "Not found",
        "There is no such page. The rulebooks are listed on the first page.",
    )
}

fn message(path: &str, status: u16, title: &str, text: &str) -> Page {
    // The path asked for may be anything: the page links back to the root by an absolute
    // path, which works from the server (the only place that answers an unknown path).
    let _ = path;
    let body = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{t}</title>\n<link rel=\"stylesheet\" href=\"/assets/zan.css\">\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">Skip to the content</a>\n\
         <main id=\"main\" tabindex=\"-1\">\n<h1>{t}</h1>\n<p>{m}</p>\n<p><a href=\"/\">The rulebooks</a></p>\n</main>\n\
         </body>\n</html>\n",
        t = html::esc(title),
        m = html::esc(text),
    );
    Page::html(status, body)
}

/// Every page of a static site (`zan doc`): its path relative to the output folder (`/`
/// separated, never absolute, never `..`) and its bytes, assets included.
pub fn static_pages(sites: &[&Site]) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = vec![
        ("index.html".into(), overview::root(sites).into_bytes()),
        ("assets/zan.css".into(), CSS.as_bytes().to_vec()),
        ("assets/zan.js".into(), JS.as_bytes().to_vec()),
    ];
    for site in sites {
        for (path, body) in &site.pages {
            out.push((path.clone(), body.clone()));
        }
        let base = site.base();
        out.push((
            format!("{base}try.html"),
            try_case::page(site, "", None).1.into_bytes(),
        ));
        out.push((
            format!("{base}changes.html"),
            changes::page(site, "").1.into_bytes(),
        ));
        for i in 0..site.changes.len() {
            if let Some(body) = site.changes_between(i) {
                out.push((changes::pair_path(site, i), body));
            }
        }
    }
    out
}
