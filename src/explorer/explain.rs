//! The explanation of a decision as HTML: each output's derivation as a nested list (rules
//! with the case that gave their value and why the others did not apply, facts with their
//! JSON paths, table rows, parameter values, working days, arithmetic), every citation a link
//! (`a.citation`) to its sentence on the legal text's page.

use super::html::{esc, rel, slug};
use super::Site;
use crate::eval::derivation::{GivenBy, Node, NodeKind, NotApplied};
use crate::eval::derivation_json::result_text;
use crate::eval::derivation_text::{formula, skipped_text};
use crate::ir::{Citation, Origin, Program};
use crate::time::date;
use std::fmt::Write as _;

/// Children listed per node at most; the rest are counted.
const CHILDREN_SHOWN: usize = 40;

pub struct Explainer<'a> {
    pub site: &'a Site,
    pub program: &'a Program,
    /// The page the explanation is on (for relative links).
    pub path: &'a str,
}

impl Explainer<'_> {
    pub fn output(&self, node: &Node, b: &mut String) {
        let rb = self.site.engine.rulebook();
        let _ = write!(
            b,
            "<details class=\"output\" open><summary><code>{}</code> = <span class=\"value\">{}</span></summary>\n<ul class=\"tree\">\n",
            esc(&node.text),
            esc(&result_text(rb, self.program, &node.ty, &node.value))
        );
        self.node(node, 0, b);
        b.push_str("</ul>\n</details>\n");
    }

    fn node(&self, n: &Node, depth: usize, b: &mut String) {
        let rb = self.site.engine.rulebook();
        let p = self.program;
        let value = result_text(rb, p, &n.ty, &n.value);
        b.push_str("<li>");
        if let Some(label) = &n.label {
            let _ = write!(b, "<span class=\"label\">{}:</span> ", esc(label));
        }
        let what = match &n.kind {
            NodeKind::Rule(step) => {
                let kind = if step.output { "output" } else { "rule" };
                let href = self.decl_href(if step.exception { "exception" } else { "rule" }, &step.definition);
                let link = format!(
                    "{kind} <a href=\"{}\"><code>{}</code></a>",
                    esc(&self.rule_href(&n.text)),
                    esc(&n.text)
                );
                let by = match &step.given_by {
                    GivenBy::Case(i) => format!(
                        "by case {i} of <a href=\"{}\"><code>{}</code></a>",
                        esc(&href),
                        esc(&step.definition)
                    ),
                    GivenBy::Otherwise => format!("by the otherwise of <code>{}</code>", esc(&step.definition)),
                    GivenBy::Expression => "by its expression".into(),
                    GivenBy::Reasons => "by the reasons whose conditions held".into(),
                    GivenBy::Failed => "evaluation failed".into(),
                };
                format!("{link} = <span class=\"value\">{}</span> <span class=\"by\">{by}{}</span>", esc(&value), origin(rb, &step.origin))
            }
            NodeKind::SeeAbove { .. } => format!(
                "rule <code>{}</code> = <span class=\"value\">{}</span> (derived above)",
                esc(&n.text),
                esc(&value)
            ),
            NodeKind::Fact { json_path } => format!(
                "fact <code>{}</code> = <span class=\"value\">{}</span>",
                esc(json_path),
                esc(&value)
            ),
            NodeKind::Table { row_text, .. } => format!(
                "<code>{}</code> = <span class=\"value\">{}</span> (row <code>{}</code>)",
                esc(&n.text),
                esc(&value),
                esc(if row_text.is_empty() { "otherwise" } else { row_text })
            ),
            NodeKind::Parameter { on, in_force_from, .. } => format!(
                "parameter <code>{}</code> = <span class=\"value\">{}</span> (on {}, the value in force from {})",
                esc(&n.text),
                esc(&value),
                date::format(*on),
                date::format(*in_force_from)
            ),
            NodeKind::WorkingDays { skipped, .. } => format!(
                "<code>{}</code> = <span class=\"value\">{}</span>{}",
                esc(&n.text),
                esc(&value),
                if skipped.is_empty() {
                    String::new()
                } else {
                    format!(" (skipped: {})", esc(&skipped_text(skipped)))
                }
            ),
            NodeKind::Arithmetic { op } => format!(
                "<code>{}</code>: {}",
                esc(&n.text),
                esc(&formula(rb, p, n, *op))
            ),
            _ => format!(
                "<code>{}</code> = <span class=\"value\">{}</span>",
                esc(&n.text),
                esc(&value)
            ),
        };
        b.push_str(&what);
        self.citations(n.citations.iter().map(|c| &c.citation), b);
        let mut children = String::new();
        if let NodeKind::Rule(step) = &n.kind {
            if let Some(c) = &step.condition {
                children.push_str("<li><span class=\"label\">because</span><ul>");
                self.node(c, depth + 1, &mut children);
                children.push_str("</ul></li>\n");
            }
            for w in &step.why_not {
                self.why_not(w, depth, &mut children);
            }
        }
        for c in n.children.iter().take(CHILDREN_SHOWN) {
            self.node(c, depth + 1, &mut children);
        }
        if n.children.len() > CHILDREN_SHOWN {
            let _ = writeln!(
                children,
                "<li>and {} more</li>",
                n.children.len() - CHILDREN_SHOWN
            );
        }
        if !children.is_empty() {
            if depth >= 2 {
                let _ = write!(
                    b,
                    "\n<details><summary>what it rests on</summary><ul>\n{children}</ul></details>"
                );
            } else {
                let _ = write!(b, "\n<ul>\n{children}</ul>");
            }
        }
        b.push_str("</li>\n");
    }

    fn why_not(&self, w: &NotApplied, depth: usize, b: &mut String) {
        let what = match w.case {
            Some(i) => format!("case {i} of <code>{}</code>", esc(&w.definition)),
            None => format!("exception <code>{}</code>", esc(&w.definition)),
        };
        let _ = write!(b, "<li class=\"why-not\">did not apply: {what}");
        self.citations(w.citations.iter(), b);
        if let Some(f) = &w.failed {
            b.push_str("<ul>");
            self.node(f, depth + 1, b);
            b.push_str("</ul>");
        }
        b.push_str("</li>\n");
    }

    fn citations<'c>(&self, cs: impl Iterator<Item = &'c Citation>, b: &mut String) {
        let links: Vec<String> = cs.map(|c| self.citation(c)).collect();
        if !links.is_empty() {
            let _ = write!(b, " <span class=\"cites\">{}</span>", links.join(" "));
        }
    }

    /// A citation: a link to its sentence (`a.citation`), the quote as its text.
    pub fn citation(&self, c: &Citation) -> String {
        let site = self.site;
        let m = &site.model;
        let source = m
            .laws
            .get(c.source as usize)
            .map_or("?", |l| l.name.as_str());
        let href = match m.by_span.get(&c.span).and_then(|&u| m.uses.get(u)) {
            Some(u) => super::decl_page::citation_href(site, u, self.path),
            None => rel(
                self.path,
                &format!("{}law/{}.html", site.base(), slug(source)),
            ),
        };
        let quote = c
            .quote
            .as_deref()
            .map_or_else(String::new, |q| format!(" “{}”", esc(q)));
        format!(
            "<a class=\"citation\" href=\"{}\">{}{quote}</a>",
            esc(&href),
            esc(source)
        )
    }

    fn decl_href(&self, kind: &str, name: &str) -> String {
        let page = match self.site.model.decl(kind, name) {
            Some(d) => d.page(),
            None => super::model::decl_page(kind, name),
        };
        rel(self.path, &format!("{}{page}", self.site.base()))
    }

    fn rule_href(&self, name: &str) -> String {
        let kind = if self.site.model.decl("reasons", name).is_some() {
            "reasons"
        } else {
            "rule"
        };
        self.decl_href(kind, name)
    }
}

fn origin(rb: &crate::ir::Rulebook, o: &Origin) -> String {
    match o {
        Origin::Baseline => String::new(),
        Origin::Amendment {
            amendment,
            from,
            replaced,
        } => format!(
            " (from amendment <code>{}</code>{}, {})",
            esc(rb
                .amendments
                .get(*amendment as usize)
                .map_or("?", |a| a.name.as_str())),
            if *replaced { ", replacing" } else { "" },
            date::format(*from)
        ),
    }
}
