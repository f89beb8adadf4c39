//! Writing HTML: escaping every text put in a page, the page shell (landmarks, skip link,
//! stylesheet) and relative links, so the same pages work from the server and from disk.

use std::fmt::Write as _;

/// Text made safe for an element's content or a quoted attribute value.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and line ends have no place in HTML text.
            c if c.is_control() && c != '\n' && c != '\t' && c != '\r' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Rulebook source text, escaped, its keywords, strings, numbers and comments in spans
/// (`kw`, `str`, `num`, `com`) for the stylesheet to colour.
pub fn code(text: &str) -> String {
    use crate::syntax::lex::{tokens, Tok};
    let mut out = String::with_capacity(text.len() * 2);
    let mut at = 0;
    for t in tokens(text) {
        let (Some(gap), Some(word)) = (text.get(at..t.start), text.get(t.start..t.end)) else {
            continue;
        };
        out.push_str(&esc(gap));
        let class = match t.kind {
            Tok::Word if crate::syntax::keywords::is_keyword(word) => Some("kw"),
            Tok::Str => Some("str"),
            Tok::Number | Tok::Date => Some("num"),
            Tok::Comment | Tok::Doc => Some("com"),
            _ => None,
        };
        match class {
            Some(c) => {
                let _ = write!(out, "<span class=\"{c}\">{}</span>", esc(word));
            }
            None => out.push_str(&esc(word)),
        }
        at = t.end;
    }
    out.push_str(&esc(text.get(at..).unwrap_or("")));
    out
}

/// A name usable in a file name and a URL: letters, digits, `_`, `-` and `.` kept, anything
/// else as `~XX` (its UTF-8 bytes in hex). Rulebook and declaration names are identifiers, so
/// this is the identity for them; it only guards against names no checker would accept.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            out.push(b as char);
        } else {
            let _ = write!(out, "~{b:02X}");
        }
    }
    if out.is_empty() || out.starts_with('.') {
        out.insert(0, '_');
    }
    out
}

/// The link from a page at `from` (a site path such as `r/kz_visa/law/x.html`) to the site
/// path `to` (`r/kz_visa/decl/rule-a.html` from there is `../decl/rule-a.html`).
pub fn rel(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> = from.split('/').collect();
    let from_dirs = &from_dirs[..from_dirs.len().saturating_sub(1)];
    let to_parts: Vec<&str> = to.split('/').collect();
    let shared = from_dirs
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len().saturating_sub(1));
    let mut out = "../".repeat(from_dirs.len() - shared);
    out.push_str(&to_parts[shared..].join("/"));
    out
}

/// What a page is and where it sits, for its shell.
pub struct Shell<'a> {
    /// The site path of the page (`r/kz_visa/index.html`).
    pub path: &'a str,
    pub title: &'a str,
    /// The rulebook the page belongs to, for the navigation: (name, title).
    pub rulebook: Option<(&'a str, &'a str)>,
}

/// A whole page: the shell around `body` (which is the content of `<main>`).
pub fn page(shell: &Shell<'_>, body: &str) -> String {
    let css = rel(shell.path, "assets/zan.css");
    let js = rel(shell.path, "assets/zan.js");
    let home = rel(shell.path, "index.html");
    let mut nav = format!("<a href=\"{}\">Rulebooks</a>", esc(&home));
    if let Some((name, title)) = shell.rulebook {
        let base = format!("r/{}/", slug(name));
        for (to, label) in [
            ("index.html", title),
            ("try.html", "Try a case"),
            ("changes.html", "What changed"),
        ] {
            let _ = write!(
                nav,
                " <a href=\"{}\">{}</a>",
                esc(&rel(shell.path, &format!("{base}{to}"))),
                esc(label)
            );
        }
    }
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<link rel=\"stylesheet\" href=\"{css}\">\n\
         <script src=\"{js}\" defer></script>\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">Skip to the content</a>\n\
         <header><nav aria-label=\"Site\">{nav}</nav></header>\n\
         <main id=\"main\" tabindex=\"-1\">\n{body}\n</main>\n\
         <footer><p>Made by <code>zan</code> from the rulebook's files.</p></footer>\n\
         </body>\n</html>\n",
        title = esc(shell.title),
        css = esc(&css),
        js = esc(&js),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_escaped() {
        let hostile = "<script>alert('x')</script> & \"quoted\" \u{0}";
        let e = esc(hostile);
        assert_eq!(
            e,
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot; \u{FFFD}"
        );
        assert!(!e.contains('<') && !e.contains('"') && !e.contains('\''));
    }

    #[test]
    fn code_is_highlighted_and_escaped() {
        let c = code("rule a: bool { x < 1 and \"<b>\" } // why");
        assert_eq!(
            c,
            "<span class=\"kw\">rule</span> a: bool { x &lt; <span class=\"num\">1</span> <span class=\"kw\">and</span> <span class=\"str\">&quot;&lt;b&gt;&quot;</span> } <span class=\"com\">// why</span>"
        );
    }

    #[test]
    fn slugs_keep_identifiers_and_encode_the_rest() {
        assert_eq!(slug("visa_state_duty_total"), "visa_state_duty_total");
        assert_eq!(slug("a/../b"), "a~2F~2E~2E~2Fb");
        assert_eq!(slug(""), "_");
    }

    #[test]
    fn links_are_relative_to_the_page() {
        assert_eq!(rel("index.html", "assets/zan.css"), "assets/zan.css");
        assert_eq!(
            rel("r/kz/law/x.html", "r/kz/decl/rule-a.html"),
            "../decl/rule-a.html"
        );
        assert_eq!(rel("r/kz/index.html", "index.html"), "../../index.html");
        assert_eq!(rel("r/kz/index.html", "r/kz/try.html"), "try.html");
    }
}
