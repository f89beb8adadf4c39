//! Try a case (`r/{name}/try.html`): a form built from the case schema, prefilled from one of
//! the rulebook's `example`s or a pasted case, posted back to the same page; the server reads
//! it into the case's JSON text, decides it through the `Engine` (as `zan eval` does) and shows
//! the outputs and the explanation below the form, or the case's errors beside its fields.

use super::explain::Explainer;
use super::form::{decode_form, field_id, State, MAX_DEPTH};
use super::html::{self, esc, Shell};
use super::{Mode, Site};
use crate::engine::{DecideError, Options};
use crate::eval::Depth;
use crate::ir::{Schema, Type};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What the page shows below the form.
enum Outcome {
    None,
    Decided(Box<crate::eval::Decision>),
    /// Problems with the case or its date: JSON path (or `as_of`) → messages, and a message
    /// for the whole.
    Problems(BTreeMap<String, Vec<String>>, String),
}

struct Input {
    state: State,
    example: Option<String>,
    as_of: String,
    pasted: String,
}

/// The page (its status and HTML) for a `GET` (`query` may name `example=…`) or a `POST`.
pub fn page(site: &Site, query: &str, body: Option<&[u8]>) -> (u16, String) {
    let engine = &site.engine;
    let rb = engine.rulebook();
    let first = rb.examples.first().map(|e| e.name.clone());
    let mut input = Input {
        state: State::default(),
        example: None,
        as_of: String::new(),
        pasted: String::new(),
    };
    let mut outcome = Outcome::None;
    let pairs = body.map(decode_form).unwrap_or_default();
    let query_pairs = decode_form(query.as_bytes());
    let get = |pairs: &[(String, String)], name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    match body {
        Some(_) if site.mode == Mode::Live => {
            input.example = get(&pairs, "example");
            input.as_of = get(&pairs, "as_of").unwrap_or_default();
            input.pasted = get(&pairs, "case_json").unwrap_or_default();
            let action = get(&pairs, "action").unwrap_or_else(|| "evaluate".into());
            if let Some(edit) = get(&pairs, "edit") {
                input.state = State::from_pairs(&pairs);
                input.state.edit(&edit);
            } else if action == "load" {
                outcome = load(site, &mut input);
            } else if action == "paste" {
                let text = input.pasted.clone();
                match engine.case_from_str(&text) {
                    Ok(case) => input.state = State::from_facts(&rb.schema, &case.facts),
                    Err(_) => input.state = State::from_pairs(&pairs),
                }
                outcome = decide(site, &text, &input.as_of, Depth::Path);
            } else {
                input.state = State::from_pairs(&pairs);
                let text = input.state.case_json(&rb.schema).to_string();
                let depth = if action == "full" {
                    Depth::Full
                } else {
                    Depth::Path
                };
                outcome = decide(site, &text, &input.as_of, depth);
            }
        }
        _ => {
            input.example = get(&query_pairs, "example").or(first);
            if site.mode == Mode::Live || body.is_none() {
                outcome = load(site, &mut input);
            }
        }
    }
    let status = match &outcome {
        Outcome::Problems(..) => 422,
        _ => 200,
    };
    (status, render(site, &input, &outcome))
}

/// Fill the form from the chosen example.
fn load(site: &Site, input: &mut Input) -> Outcome {
    let Some(name) = input.example.clone() else {
        return Outcome::None;
    };
    match site.engine.example_case(&name) {
        Ok(case) => {
            input.state = State::from_facts(&site.engine.rulebook().schema, &case.facts);
            Outcome::None
        }
        Err(e) => Outcome::Problems(BTreeMap::new(), e.to_string()),
    }
}

fn decide(site: &Site, text: &str, as_of: &str, depth: Depth) -> Outcome {
    let engine = &site.engine;
    let mut problems: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let day = match as_of.trim() {
        "" => None,
        t => match crate::engine::parse_date(t) {
            Some(d) => Some(d),
            None => {
                problems
                    .entry("as_of".into())
                    .or_default()
                    .push(format!("`{t}` is not a date (YYYY-MM-DD)"));
                return Outcome::Problems(problems, "The evaluation date is not a date.".into());
            }
        },
    };
    let case = match engine.case_from_str(text) {
        Ok(c) => c,
        Err(e) => return Outcome::Problems(case_problems(&e), e.to_string()),
    };
    let options = Options {
        as_of: day,
        explain: Some(depth),
        outputs: None,
    };
    match engine.decide(&case, &options) {
        Ok(d) => Outcome::Decided(Box::new(d)),
        Err(e) => Outcome::Problems(case_problems(&e), e.to_string()),
    }
}

fn case_problems(e: &DecideError) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let DecideError::InvalidCase(errors) | DecideError::DuplicateKey(errors) = e {
        for err in errors {
            out.entry(err.path.clone())
                .or_default()
                .push(err.message.clone());
        }
    }
    out
}

fn render(site: &Site, input: &Input, outcome: &Outcome) -> String {
    let path = format!("{}try.html", site.base());
    let rb = site.engine.rulebook();
    let no_problems = BTreeMap::new();
    let problems = match outcome {
        Outcome::Problems(p, _) => p,
        _ => &no_problems,
    };
    let mut b = String::from("<h1>Try a case</h1>\n");
    if site.mode == Mode::Static {
        b.push_str("<p class=\"note\" id=\"static-note\">This is a static copy of the explorer: the form shows an example, but evaluating a case needs <code>zan serve</code>.</p>\n");
    }
    b.push_str("<form id=\"try-case\" method=\"post\" action=\"try.html\">\n");
    // Enter in a field submits with the form's first button: make that one `evaluate`.
    b.push_str("<button type=\"submit\" name=\"action\" value=\"evaluate\" class=\"visually-hidden\" tabindex=\"-1\" aria-hidden=\"true\">Evaluate</button>\n");
    b.push_str("<fieldset class=\"examples\"><legend>Start from an example</legend>\n<label for=\"example\">Example</label>\n<select id=\"example\" name=\"example\">\n");
    for e in &rb.examples {
        let selected = if input.example.as_deref() == Some(&e.name) {
            " selected"
        } else {
            ""
        };
        let _ = writeln!(
            b,
            "<option value=\"{0}\"{selected}>{0}</option>",
            esc(&e.name)
        );
    }
    b.push_str("</select>\n<button type=\"submit\" id=\"load-example\" name=\"action\" value=\"load\">Load the example</button>\n</fieldset>\n");
    let as_of_note = rb
        .as_of_text
        .as_deref()
        .map(|t| format!("empty: the case's own <code>{}</code>", esc(t)))
        .unwrap_or_else(|| "required".into());
    let _ = writeln!(
        b,
        "<p class=\"field\"><label for=\"as-of\">Evaluation date (as of)</label> <input type=\"date\" id=\"as-of\" name=\"as_of\" value=\"{}\"{}> <small>{as_of_note}</small>{}</p>",
        esc(&input.as_of),
        described("as-of", problems.contains_key("as_of")),
        errors_of(problems, "as_of", "as-of")
    );
    b.push_str("<fieldset class=\"facts\"><legend>Facts</legend>\n");
    let schema = &rb.schema;
    for f in &schema.facts {
        let optional = f.default.is_some() || matches!(f.ty, Type::Optional(_));
        let ctx = Ctx {
            schema,
            state: &input.state,
            problems,
        };
        ctx.field(
            &format!("$.{}", f.name),
            &f.name,
            &f.ty,
            optional,
            f.doc.as_deref(),
            0,
            &mut b,
        );
    }
    b.push_str("</fieldset>\n");
    let _ = writeln!(
        b,
        "<details class=\"paste\"><summary>Paste a case (JSON)</summary>\n<label for=\"case-json\">Case JSON</label>\n<textarea id=\"case-json\" name=\"case_json\" rows=\"8\" spellcheck=\"false\">{}</textarea>\n<button type=\"submit\" id=\"evaluate-json\" name=\"action\" value=\"paste\">Evaluate this JSON</button>\n</details>",
        esc(&input.pasted)
    );
    b.push_str("<p class=\"actions\"><button type=\"submit\" id=\"evaluate\" name=\"action\" value=\"evaluate\">Evaluate</button> <button type=\"submit\" id=\"evaluate-full\" name=\"action\" value=\"full\">Evaluate with the full explanation</button></p>\n</form>\n");
    match outcome {
        Outcome::None => {}
        Outcome::Problems(p, message) => {
            b.push_str("<section id=\"problems\" aria-labelledby=\"problems-h\" role=\"alert\">\n<h2 id=\"problems-h\">The case could not be decided</h2>\n");
            let _ = writeln!(b, "<p>{}</p>", esc(message));
            if !p.is_empty() {
                b.push_str("<ul id=\"case-errors\">\n");
                for (path, messages) in p {
                    for m in messages {
                        let _ = writeln!(
                            b,
                            "<li><code class=\"path\">{}</code>: {}</li>",
                            esc(path),
                            esc(m)
                        );
                    }
                }
                b.push_str("</ul>\n");
            }
            b.push_str("</section>\n");
        }
        Outcome::Decided(d) => decision(site, d, &path, &mut b),
    }
    let title = site.title();
    let shell = Shell {
        path: &path,
        title: &format!("Try a case — {title}"),
        rulebook: Some((&site.name, &title)),
    };
    html::page(&shell, &b)
}

fn decision(site: &Site, d: &crate::eval::Decision, path: &str, b: &mut String) {
    let rb = site.engine.rulebook();
    let p = &d.program;
    let period = rb
        .versions
        .get(d.version)
        .map(|v| crate::time::period::describe(v.from, v.until))
        .unwrap_or_default();
    let _ = writeln!(
        b,
        "<section id=\"decision\" aria-labelledby=\"decision-h\">\n<h2 id=\"decision-h\">Decision</h2>\n<p>As of {}, under the version in force {}.</p>\n<table>\n<thead><tr><th scope=\"col\">Output</th><th scope=\"col\">Value</th></tr></thead>\n<tbody>",
        crate::time::date::format(d.as_of),
        esc(&period)
    );
    for (id, value) in &d.outputs {
        let Some(rule) = p.rules.get(*id as usize) else {
            continue;
        };
        let text = match value {
            Ok(v) => crate::eval::value_text::value_text(rb, p, &rule.ty, v),
            Err(e) => format!("error: {e}"),
        };
        let kind = if matches!(rule.body, crate::ir::RuleBodyIr::Reasons(_)) {
            "reasons"
        } else {
            "rule"
        };
        let _ = writeln!(
            b,
            "<tr data-output=\"{0}\"><th scope=\"row\"><a href=\"{1}\"><code>{0}</code></a></th><td class=\"value\">{2}</td></tr>",
            esc(&rule.name),
            esc(&super::model::decl_page(kind, &rule.name)),
            esc(&text)
        );
    }
    b.push_str("</tbody>\n</table>\n</section>\n");
    let Some(explanation) = &d.explanation else {
        return;
    };
    let depth = match explanation.depth {
        Depth::Path => "the path to each value",
        Depth::Full => "the full derivation",
    };
    let _ = writeln!(
        b,
        "<section id=\"explanation\" aria-labelledby=\"explanation-h\">\n<h2 id=\"explanation-h\">Explanation</h2>\n<p>Showing {depth}.</p>"
    );
    let x = Explainer {
        site,
        program: p,
        path,
    };
    for node in &explanation.outputs {
        x.output(node, b);
    }
    b.push_str("</section>\n");
}

struct Ctx<'a> {
    schema: &'a Schema,
    state: &'a State,
    problems: &'a BTreeMap<String, Vec<String>>,
}

fn described(id: &str, has_error: bool) -> String {
    if has_error {
        format!(" aria-invalid=\"true\" aria-describedby=\"{id}-error\"")
    } else {
        String::new()
    }
}

fn errors_of(problems: &BTreeMap<String, Vec<String>>, path: &str, id: &str) -> String {
    match problems.get(path) {
        Some(ms) => format!(
            "<span class=\"error\" id=\"{id}-error\">{}: {}</span>",
            esc(path),
            esc(&ms.join("; "))
        ),
        None => String::new(),
    }
}

impl Ctx<'_> {
    #[allow(clippy::too_many_arguments)]
    fn field(
        &self,
        path: &str,
        label: &str,
        ty: &Type,
        optional: bool,
        doc: Option<&str>,
        depth: usize,
        b: &mut String,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let optional = optional || matches!(ty, Type::Optional(_));
        let ty = ty.without_optional();
        let type_name = self.schema.type_name(ty);
        let hint = doc
            .map(|d| format!("<small class=\"doc\">{}</small>", esc(d.trim())))
            .unwrap_or_default();
        let opt = if optional {
            " <small>(optional)</small>"
        } else {
            ""
        };
        match ty {
            Type::Record(r) => {
                let Some(info) = self.schema.records.get(*r as usize) else {
                    return;
                };
                let _ = writeln!(
                    b,
                    "<fieldset class=\"record\" data-path=\"{}\"><legend>{} <small>{}</small>{opt}</legend>{hint}{}",
                    esc(path),
                    esc(label),
                    esc(&type_name),
                    errors_of(self.problems, path, &field_id(path))
                );
                for f in &info.fields {
                    let fopt = f.default.is_some();
                    self.field(
                        &format!("{path}.{}", f.name),
                        &f.name,
                        &f.ty,
                        fopt,
                        f.doc.as_deref(),
                        depth + 1,
                        b,
                    );
                }
                b.push_str("</fieldset>\n");
            }
            Type::List(item) => {
                let _ = writeln!(
                    b,
                    "<fieldset class=\"list\" data-path=\"{}\"><legend>{} <small>{}</small>{opt}</legend>{hint}{}",
                    esc(path),
                    esc(label),
                    esc(&type_name),
                    errors_of(self.problems, path, &field_id(path))
                );
                for i in 0..self.state.len(path) {
                    let item_path = format!("{path}[{i}]");
                    b.push_str("<div class=\"item\">\n");
                    self.field(
                        &item_path,
                        &format!("{label} {}", i + 1),
                        item,
                        false,
                        None,
                        depth + 1,
                        b,
                    );
                    let _ = writeln!(
                        b,
                        "<button type=\"submit\" name=\"edit\" value=\"remove {}\" class=\"remove\">Remove {} {}</button>\n</div>",
                        esc(&item_path),
                        esc(label),
                        i + 1
                    );
                }
                let _ = writeln!(
                    b,
                    "<button type=\"submit\" name=\"edit\" value=\"add {}\" class=\"add\">Add to {}</button>\n</fieldset>",
                    esc(path),
                    esc(label)
                );
            }
            Type::Period => {
                for end in ["start", "end"] {
                    let p = format!("{path}.{end}");
                    self.input(
                        &p,
                        &format!("{label} ({end})"),
                        "period",
                        "date",
                        opt,
                        "",
                        b,
                    );
                }
            }
            Type::Enum(e) => {
                let id = field_id(path);
                let value = self.state.get(path);
                let _ = write!(
                    b,
                    "<p class=\"field\"><label for=\"{id}\">{} <small class=\"type\">{}</small>{opt}</label> <select id=\"{id}\" name=\"{}\"{}>\n<option value=\"\">— not given —</option>\n",
                    esc(label),
                    esc(&type_name),
                    esc(path),
                    described(&id, self.problems.contains_key(path))
                );
                if let Some(info) = self.schema.enums.get(*e as usize) {
                    for v in &info.variants {
                        let selected = if v.name == value { " selected" } else { "" };
                        let text = v
                            .label
                            .as_deref()
                            .map_or(v.name.clone(), |l| format!("{} — {l}", v.name));
                        let _ = writeln!(
                            b,
                            "<option value=\"{}\"{selected}>{}</option>",
                            esc(&v.name),
                            esc(&text)
                        );
                    }
                }
                let _ = writeln!(
                    b,
                    "</select>{hint}{}</p>",
                    errors_of(self.problems, path, &id)
                );
            }
            Type::Bool => {
                let id = field_id(path);
                let value = self.state.get(path);
                let _ = write!(
                    b,
                    "<p class=\"field\"><label for=\"{id}\">{} <small class=\"type\">bool</small>{opt}</label> <select id=\"{id}\" name=\"{}\"{}>\n<option value=\"\">— not given —</option>\n",
                    esc(label),
                    esc(path),
                    described(&id, self.problems.contains_key(path))
                );
                for (v, text) in [("true", "yes"), ("false", "no")] {
                    let selected = if v == value { " selected" } else { "" };
                    let _ = writeln!(b, "<option value=\"{v}\"{selected}>{text}</option>");
                }
                let _ = writeln!(
                    b,
                    "</select>{hint}{}</p>",
                    errors_of(self.problems, path, &id)
                );
            }
            Type::Date => self.input(path, label, &type_name, "date", opt, &hint, b),
            Type::Integer => {
                self.input(path, label, &type_name, "number\" step=\"1", opt, &hint, b)
            }
            Type::Decimal | Type::Money(_) => self.input(
                path,
                label,
                &type_name,
                "text\" inputmode=\"decimal",
                opt,
                &hint,
                b,
            ),
            _ => self.input(path, label, &type_name, "text", opt, &hint, b),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn input(
        &self,
        path: &str,
        label: &str,
        type_name: &str,
        input_type: &str,
        opt: &str,
        hint: &str,
        b: &mut String,
    ) {
        let id = field_id(path);
        let _ = writeln!(
            b,
            "<p class=\"field\"><label for=\"{id}\">{} <small class=\"type\">{}</small>{opt}</label> <input type=\"{input_type}\" id=\"{id}\" name=\"{}\" value=\"{}\"{}>{hint}{}</p>",
            esc(label),
            esc(type_name),
            esc(path),
            esc(self.state.get(path)),
            described(&id, self.problems.contains_key(path)),
            errors_of(self.problems, path, &id)
        );
    }
}
