//! The explorer on the real kz-visa rulebook, in process through `respond` and
//! `static_pages`: every link resolves, every citation leads to a sentence and back, open
//! points and coverage are shown, try a case decides a posted form (and shows a bad field's
//! JSON path), hostile text is escaped, the changes page lists an amendment's change, and
//! every page is well formed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, OnceLock};
use zan::explorer::{respond, static_pages, Mode, Page, Request, Site};
use zan::Engine;

fn engine() -> Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| Arc::new(Engine::load(common::root().join("rulebooks/kz-visa")).unwrap()))
        .clone()
}

fn live() -> &'static Site {
    static SITE: OnceLock<Site> = OnceLock::new();
    SITE.get_or_init(|| Site::new("kz_visa", engine(), Mode::Live))
}

fn pages() -> &'static BTreeMap<String, String> {
    static PAGES: OnceLock<BTreeMap<String, String>> = OnceLock::new();
    PAGES.get_or_init(|| {
        let site = Site::new("kz_visa", engine(), Mode::Static);
        static_pages(&[&site])
            .into_iter()
            .map(|(p, b)| (p, String::from_utf8(b).unwrap()))
            .collect()
    })
}

fn get(path: &str, query: &str) -> Page {
    respond(
        &[live()],
        &Request {
            method: "GET",
            path,
            query,
            body: b"",
        },
    )
}

fn post(path: &str, body: &str) -> Page {
    respond(
        &[live()],
        &Request {
            method: "POST",
            path,
            query: "",
            body: body.as_bytes(),
        },
    )
}

fn text(p: &Page) -> String {
    String::from_utf8(p.body.clone()).unwrap()
}

/// The values of attribute `attr` in `html` (double-quoted, as the explorer writes them).
fn attrs<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let key = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&key) {
        rest = &rest[i + key.len()..];
        let end = rest.find('"').unwrap();
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `dir/../x` resolved against the page's folder.
fn resolve(page: &str, href: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in href.split('/') {
        match seg {
            ".." => {
                assert!(parts.pop().is_some(), "{page}: link {href} leaves the site");
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Every `href` of every page names a page of the site, and its `#anchor` an id there.
#[test]
fn every_internal_link_resolves() {
    let pages = pages();
    let ids: BTreeMap<&str, HashSet<&str>> = pages
        .iter()
        .map(|(p, b)| (p.as_str(), attrs(b, "id").into_iter().collect()))
        .collect();
    let mut checked = 0;
    for (path, body) in pages.iter().filter(|(p, _)| p.ends_with(".html")) {
        for href in attrs(body, "href").into_iter().chain(attrs(body, "src")) {
            let href = unescape(href);
            assert!(!href.contains("://"), "{path}: external link {href}");
            let (file, anchor) = href.split_once('#').unwrap_or((&href, ""));
            let target = if file.is_empty() {
                path.clone()
            } else {
                resolve(path, file)
            };
            assert!(!file.starts_with('/'), "{path}: absolute link {href}");
            let Some(target_ids) = ids.get(target.as_str()) else {
                panic!("{path}: link {href} to {target}, which is not a page");
            };
            if !anchor.is_empty() {
                assert!(
                    target_ids.contains(anchor),
                    "{path}: link {href}: no id `{anchor}` in {target}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 5000, "only {checked} links");
}

/// Every page is well formed: tags balance, every `<` opens a tag, every `&` an entity, and
/// there is one `main#main` with a skip link to it.
#[test]
fn every_page_is_well_formed_and_has_its_landmarks() {
    for (path, body) in pages().iter().filter(|(p, _)| p.ends_with(".html")) {
        if let Err(e) = balanced(body) {
            panic!("{path}: {e}");
        }
        assert_eq!(body.matches("<main id=\"main\"").count(), 1, "{path}");
        assert!(body.contains("<a class=\"skip\" href=\"#main\">"), "{path}");
        assert!(body.contains("<html lang=\"en\">"), "{path}");
    }
}

const VOID: &[&str] = &["meta", "link", "input", "br", "hr", "img", "wbr", "source"];

fn balanced(html: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    let mut line = 1;
    while let Some(i) = rest.find(['<', '&']) {
        line += rest[..i].matches('\n').count();
        let at = &rest[i..];
        if let Some(after) = at.strip_prefix('&') {
            let end = at.find(';').ok_or(format!("line {line}: & without ;"))?;
            let name = &at[1..end];
            let ok = !name.is_empty()
                && end < 10
                && (name.chars().all(|c| c.is_ascii_alphanumeric()) || name.starts_with('#'));
            if !ok {
                return Err(format!("line {line}: bad entity {}", &at[..end.min(12)]));
            }
            rest = after;
            continue;
        }
        let end = at.find('>').ok_or(format!("line {line}: < without >"))?;
        let tag = &at[1..end];
        if tag.contains('<') {
            return Err(format!("line {line}: < inside a tag"));
        }
        if tag.starts_with('!') {
            // doctype
        } else if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("line {line}: </{name}> closes {other:?}")),
            }
        } else {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if name.is_empty() {
                return Err(format!("line {line}: a bare <"));
            }
            // Quoted attribute values are balanced.
            if !tag.matches('"').count().is_multiple_of(2) {
                return Err(format!("line {line}: unbalanced quotes in <{name}>"));
            }
            if !VOID.contains(&name.as_str()) {
                stack.push(name);
            }
        }
        rest = &at[end + 1..];
    }
    match stack.is_empty() {
        true => Ok(()),
        false => Err(format!("unclosed {stack:?}")),
    }
}

/// Every quoted citation of the rulebook is a link to a sentence that exists.
#[test]
fn every_citation_links_to_a_sentence() {
    let pages = pages();
    let rb = engine().rulebook().clone();
    let mut links = 0;
    for (path, body) in pages.iter().filter(|(p, _)| p.contains("/decl/")) {
        for (i, _) in body.match_indices("<a class=\"citation\"") {
            let href = attrs(&body[i..], "href")[0];
            let target = resolve(path, href.split('#').next().unwrap());
            assert!(pages.contains_key(&target), "{path}: {href}");
            if let Some(anchor) = href.split_once('#').map(|x| x.1) {
                assert!(anchor.starts_with("s-"), "{path}: {href}");
                assert!(pages[&target].contains(&format!("id=\"{anchor}\"")));
            }
            links += 1;
        }
    }
    // Every quote of the rulebook is placed on a sentence: each law page has cited sentences
    // and every quote the checker accepted found a sentence (none listed as not placed).
    let quoted: usize = rb
        .versions
        .iter()
        .flat_map(|v| v.program.rules.iter())
        .flat_map(|r| r.citations.iter())
        .filter(|c| c.quote.is_some())
        .count();
    assert!(quoted > 0 && links > quoted / 10, "{links} citation links");
    for (path, body) in pages.iter().filter(|(p, _)| p.contains("/law/")) {
        if body.contains("Cited without a sentence placed") {
            let section =
                &body[body.find("Cited without").unwrap()..body.find("</details>").unwrap()];
            assert!(
                !section.contains('“'),
                "{path}: a quote was not placed on a sentence: {section}"
            );
        }
    }
}

#[test]
fn a_cited_sentence_is_highlighted_and_links_back_to_its_rule() {
    let law = &pages()["r/kz_visa/law/amendments_2026.html"];
    let sentence = "The approval period is up to three working days.</span>";
    let at = law.find(sentence).expect("the sentence");
    let open = law[..at].rfind("<span class=\"sentence\"").unwrap();
    let tag = &law[open..at];
    assert!(tag.contains("data-cited=\"true\""), "{tag}");
    assert!(tag.contains("data-covered=\"true\""), "{tag}");
    let id = attrs(tag, "id")[0];
    let after = &law[at..at + law[at..].find("</p>").unwrap()];
    let back = attrs(after, "href")
        .into_iter()
        .find(|h| h.contains("decl/rule-nsc_approval_deadline.html#c-"))
        .expect("a link back to the rule");
    assert!(after.contains("class=\"cited-by\""));
    // The rule's page has that anchor on a citation that leads to the same sentence.
    let anchor = back.split('#').nth(1).unwrap();
    let rule = &pages()["r/kz_visa/decl/rule-nsc_approval_deadline.html"];
    let cit = rule.find(&format!("id=\"{anchor}\"")).unwrap();
    let a = &rule[rule[..cit].rfind("<a ").unwrap()..];
    assert!(a.starts_with("<a class=\"citation\""), "{}", &a[..80]);
    assert_eq!(
        attrs(a, "href")[0],
        format!("../law/amendments_2026.html#{id}")
    );
}

#[test]
fn an_uncited_sentence_is_marked_uncited() {
    let law = &pages()["r/kz_visa/law/visa_guide.html"];
    let sentence = "Attention! Corrections are not allowed on the visa.";
    let probe = "Ministry of Foreign Affairs of the Republic of Kazakhstan</span>";
    let at = law.find(probe).expect("the heading line");
    let open = law[..at].rfind("<span").unwrap();
    assert!(
        law[open..at].contains("data-cited=\"false\""),
        "{}",
        &law[open..at]
    );
    let _ = sentence;
}

#[test]
fn open_points_are_listed_on_the_overview_and_their_declaration() {
    let overview = &pages()["r/kz_visa/index.html"];
    assert!(overview.contains("Open points ("));
    assert!(overview.contains("are UNCERTAIN (domain-facts §7)"));
    // Linked to the declaration they are written at, which lists them too.
    let duties = &pages()["r/kz_visa/decl/enum-VisaDutyProcedure.html"];
    assert!(duties.contains("class=\"open-point\""));
    assert!(duties.contains("the rates of the 2021 table"));
}

#[test]
fn coverage_by_provision_is_summarised() {
    let overview = &pages()["r/kz_visa/index.html"];
    assert!(overview.contains("Coverage by the tests"));
    assert!(overview.contains("provisions"));
    let law = &pages()["r/kz_visa/law/amendments_2026.html"];
    assert!(law.contains("reached by the tests"));
}

/// The names and types of the form's fields: name → the tag and type it is written with.
fn fields(html: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for tag in ["<input ", "<select "] {
        for (i, _) in html.match_indices(tag) {
            let el = &html[i..i + html[i..].find('>').unwrap()];
            let Some(name) = attrs(el, "name").first().map(|n| unescape(n)) else {
                continue;
            };
            let kind = match tag {
                "<select " => "select".to_string(),
                _ => attrs(el, "type")[0].to_string(),
            };
            out.insert(name, kind);
        }
    }
    out
}

/// What a browser sends: every input's value and every select's chosen option.
fn form_values(html: &str) -> Vec<(String, String)> {
    let form = &html[html.find("<form id=\"try-case\"").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    let mut out = Vec::new();
    for (i, _) in form.match_indices("<input ") {
        let el = &form[i..i + form[i..].find('>').unwrap()];
        if let (Some(n), Some(v)) = (attrs(el, "name").first(), attrs(el, "value").first()) {
            out.push((unescape(n), unescape(v)));
        }
    }
    for (i, _) in form.match_indices("<select ") {
        let el = &form[i..i + form[i..].find("</select>").unwrap()];
        let name = unescape(attrs(el, "name")[0]);
        let chosen = el
            .find(" selected>")
            .map(|s| unescape(attrs(&el[el[..s].rfind("<option").unwrap()..], "value")[0]))
            .unwrap_or_default();
        out.push((name, chosen));
    }
    out
}

fn encode(pairs: &[(String, String)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                b' ' => "+".into(),
                b => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(n, v)| format!("{}={}", enc(n), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[test]
fn the_try_page_has_a_field_for_every_fact_path_with_its_type() {
    let page = get("/r/kz_visa/try.html", "");
    assert_eq!(page.status, 200);
    let html = text(&page);
    let f = fields(&html);
    assert_eq!(f["as_of"], "date");
    assert_eq!(f["$.assessed_on"], "date");
    assert_eq!(f["$.applicant.citizenship"], "select");
    assert_eq!(f["$.applicant.birth_date"], "date");
    assert_eq!(f["$.applicant.name"], "text");
    assert_eq!(f["$.nsc_detailed_review_required"], "select");
    assert!(html.contains("<form id=\"try-case\" method=\"post\""));
    assert!(html.contains("<select id=\"example\" name=\"example\">"));
    assert!(html.contains("id=\"load-example\""));
    assert!(html.contains("<button type=\"submit\" id=\"evaluate\""));
    // Every fact of the schema, and every field of a record fact, has its field (lists by
    // their add button when empty).
    let rb = engine().rulebook().clone();
    for fact in &rb.schema.facts {
        let path = format!("$.{}", fact.name);
        let known = f.keys().any(|k| {
            k == &path || k.starts_with(&format!("{path}.")) || k.starts_with(&format!("{path}["))
        }) || html.contains(&format!("value=\"add {path}\""));
        assert!(known, "no field for {path}");
    }
    // Ids are derived from the paths.
    assert!(html.contains("id=\"f-applicant-citizenship\" name=\"$.applicant.citizenship\""));
}

#[test]
fn a_posted_example_with_one_fact_changed_is_decided_and_explained() {
    let loaded = get("/r/kz_visa/try.html", "example=c3_engineer");
    let mut values = form_values(&text(&loaded));
    for (n, v) in values.iter_mut() {
        if n == "$.nsc_submitted_on" {
            *v = "2026-03-19".into();
        }
    }
    values.push(("action".into(), "evaluate".into()));
    let page = post("/r/kz_visa/try.html", &encode(&values));
    let html = text(&page);
    assert_eq!(
        page.status,
        200,
        "{}",
        &html[html.len().saturating_sub(3000)..]
    );
    let row = &html[html
        .find("<tr data-output=\"nsc_approval_deadline\">")
        .expect("the output row")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("<td class=\"value\">2026-03-27"), "{row}");
    let explanation = &html[html.find("<section id=\"explanation\"").unwrap()..];
    assert!(explanation.contains("<a class=\"citation\" href=\"law/amendments_2026.html#s-"));
    assert!(explanation.contains("up to three working days"));
    // The form comes back filled with what was sent.
    assert!(html.contains("name=\"$.nsc_submitted_on\" value=\"2026-03-19\""));
}

#[test]
fn an_invalid_field_is_shown_with_its_json_path() {
    let loaded = get("/r/kz_visa/try.html", "example=c3_engineer");
    let mut values = form_values(&text(&loaded));
    for (n, v) in values.iter_mut() {
        if n == "$.applicant.birth_date" {
            *v = "14 June 1988".into();
        }
    }
    let page = post("/r/kz_visa/try.html", &encode(&values));
    assert_eq!(page.status, 422);
    let html = text(&page);
    assert!(
        html.contains("<code class=\"path\">$.applicant.birth_date</code>"),
        "{html}"
    );
    assert!(html.contains("id=\"f-applicant-birth_date-error\""));
    assert!(!html.contains("<section id=\"decision\""));
}

#[test]
fn a_pasted_case_and_a_bad_date_and_list_editing() {
    let case = r#"{"assessed_on": "2026-04-06", "applicant": {"name": "<b>x</b>", "birth_date": "1990-01-01", "citizenship": "germany"}}"#;
    let page = post(
        "/r/kz_visa/try.html",
        &encode(&[
            ("action".into(), "paste".into()),
            ("case_json".into(), case.into()),
        ]),
    );
    let html = text(&page);
    assert_eq!(page.status, 200);
    assert!(html.contains("<section id=\"decision\""));
    assert!(html.contains("value=\"&lt;b&gt;x&lt;/b&gt;\""));
    let bad = post("/r/kz_visa/try.html", "as_of=yesterday");
    assert_eq!(bad.status, 422);
    assert!(text(&bad).contains("id=\"as-of-error\""));
    let added = post(
        "/r/kz_visa/try.html",
        &encode(&[("edit".into(), "add $.foreign_documents".into())]),
    );
    assert!(text(&added).contains("name=\"$.foreign_documents[0].kind\""));
}

#[test]
fn hostile_text_is_escaped() {
    let hostile = "\"><script>alert(1)</script>";
    let page = post(
        "/r/kz_visa/try.html",
        &encode(&[
            ("$.applicant.name".into(), hostile.into()),
            ("example".into(), hostile.into()),
            ("as_of".into(), hostile.into()),
        ]),
    );
    let html = text(&page);
    assert!(!html.contains("<script>alert"), "unescaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let missing = get("/r/kz_visa/<script>.html", "");
    assert_eq!(missing.status, 404);
    assert!(!text(&missing).contains("<script>"));
    let asked = get("/r/kz_visa/try.html", "example=%3Cscript%3E");
    assert!(!text(&asked).contains("<script>"));
}

#[test]
fn the_static_try_page_does_not_evaluate() {
    let html = &pages()["r/kz_visa/try.html"];
    assert!(html.contains("id=\"static-note\""));
    assert!(!html.contains("<section id=\"decision\""));
}

#[test]
fn the_changes_page_lists_an_amendment_change() {
    let page = get("/r/kz_visa/changes.html", "from=2026-03-09&to=2026-03-10");
    assert_eq!(page.status, 200);
    let html = text(&page);
    let changes = &html[html.find("<section id=\"changes\"").unwrap()..];
    assert!(changes.contains("joint_order_2026"));
    assert!(changes.contains("decl/rule-nsc_approval_deadline.html"));
    let bad = get("/r/kz_visa/changes.html", "from=x&to=y");
    assert_eq!(bad.status, 400);
    // The static site has the same comparison for that pair of versions.
    let pair = &pages()["r/kz_visa/changes/2026-03-09_2026-03-10.html"];
    assert!(pair.contains("<section id=\"changes\""));
    assert!(pair.contains("nsc_approval_deadline"));
}

#[test]
fn paths_and_methods() {
    assert_eq!(get("/", "").status, 200);
    assert_eq!(get("/r/kz_visa/", "").status, 200);
    let css = get("/assets/zan.css", "");
    assert_eq!(
        (css.status, css.content_type),
        (200, "text/css; charset=utf-8")
    );
    assert_eq!(get("/r/nope/index.html", "").status, 404);
    assert_eq!(get("/r/kz_visa/decl/rule-nope.html", "").status, 404);
    assert_eq!(post("/r/kz_visa/index.html", "").status, 405);
    for (path, _) in pages().iter().take(50) {
        let p = get(&format!("/{path}"), "");
        assert_eq!(p.status, 200, "{path}");
    }
}

#[test]
fn snapshots_of_small_pages() {
    common::expect_file(
        std::path::Path::new("tests/data/explorer/index.html"),
        &pages()["index.html"],
    )
    .unwrap();
    common::expect_file(
        std::path::Path::new("tests/data/explorer/enum-VisaDutyProcedure.html"),
        &pages()["r/kz_visa/decl/enum-VisaDutyProcedure.html"],
    )
    .unwrap();
}
