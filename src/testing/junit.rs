//! `zan test --format junit`: the results as JUnit XML, which CI dashboards (Jenkins, GitLab,
//! GitHub's test reporters) read. One `<testsuite>` per file of tests, one `<testcase>` per
//! test, one `<failure>` per failing expectation with expected against actual as people read
//! them, where the expectation is written, and the sentences the test `checks`. The layout
//! follows the Jenkins xunit schema (`junit-10.xsd`), which a test validates it against.

use super::{citation_text, file_name, location, Failure, Ran};
use crate::ir::Rulebook;
use crate::source::FileId;
use std::fmt::Write as _;

/// The JUnit XML document of the tests run, in the order they were run.
pub fn junit(rb: &Rulebook, runs: &[Ran]) -> String {
    let mut files: Vec<(FileId, Vec<&Ran>)> = Vec::new();
    for run in runs {
        let file = run.result.span.file;
        match files.iter_mut().find(|(f, _)| *f == file) {
            Some((_, runs)) => runs.push(run),
            None => files.push((file, vec![run])),
        }
    }
    let all: Vec<&Ran> = runs.iter().collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">",
        attr(&rb.name),
        runs.len(),
        failed(&all),
        seconds(&all)
    );
    for (_, runs) in &files {
        testsuite(rb, runs, &mut out);
    }
    out.push_str("</testsuites>\n");
    out
}

fn failed(runs: &[&Ran]) -> usize {
    runs.iter().filter(|r| !r.result.passed()).count()
}

/// The time of the runs in seconds, to the millisecond (the schema's `SUREFIRE_TIME`).
fn seconds(runs: &[&Ran]) -> String {
    let total: f64 = runs.iter().map(|r| r.time.as_secs_f64()).sum();
    format!("{total:.3}")
}

fn testsuite(rb: &Rulebook, runs: &[&Ran], out: &mut String) {
    let Some(first) = runs.first() else {
        return;
    };
    let file = file_name(rb, first.result.span);
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" file=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\" time=\"{}\">",
        attr(&format!("{}: {file}", rb.name)),
        attr(file),
        runs.len(),
        failed(runs),
        seconds(runs)
    );
    let class = class_name(&rb.name, file);
    for run in runs {
        testcase(rb, run, &class, out);
    }
    out.push_str("  </testsuite>\n");
}

/// `kz-visa.tests-visas`: the rulebook and the file's stem, which dashboards show as the
/// package and class of a test (they split the class name at its dots).
fn class_name(rulebook: &str, file: &str) -> String {
    let stem = file.rsplit('/').next().unwrap_or(file);
    let stem = stem.strip_suffix(".zan").unwrap_or(stem);
    format!("{}.{}", rulebook.replace('.', "_"), stem.replace('.', "_"))
}

fn testcase(rb: &Rulebook, run: &Ran, class: &str, out: &mut String) {
    let r = &run.result;
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
        attr(&r.name),
        attr(class),
        seconds(&[run])
    );
    if r.passed() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    let mut explained = run.explained.iter().collect::<Vec<_>>();
    for f in &r.failures {
        // Each rule's derivation goes with its first failure.
        let derivation = explained
            .iter()
            .position(|x| x.rule == f.rule)
            .map(|i| explained.remove(i));
        let mut body = format!("{}: {}\n", location(rb, f.span), message(f));
        let _ = writeln!(body, "test {} at {}", r.name, location(rb, r.span));
        for c in &r.checks {
            let _ = writeln!(body, "checks {}", citation_text(rb, c));
        }
        if let Some(x) = derivation {
            let _ = write!(body, "derivation of the actual value:\n{}", x.text);
        }
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            attr(&message(f)),
            if f.rule.is_empty() {
                "no version in force"
            } else {
                "expectation"
            },
            text(&body)
        );
    }
    out.push_str("    </testcase>\n");
}

/// `total: expected 648,750.50 KZT, got 648,750.00 KZT`.
fn message(f: &Failure) -> String {
    let what = if f.rule.is_empty() {
        String::new()
    } else {
        format!("{}: ", f.rule)
    };
    format!("{what}expected {}, got {}", f.expected_text, f.actual_text)
}

/// Text as an attribute's value between double quotes. Line breaks and tabs are written as
/// character references, which attribute-value normalisation would otherwise turn into spaces.
pub fn attr(s: &str) -> String {
    escape(s, true)
}

/// Text as an element's content.
pub fn text(s: &str) -> String {
    escape(s, false)
}

fn escape(s: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attribute => out.push_str("&quot;"),
            '\'' if in_attribute => out.push_str("&apos;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            // A carriage return would be read as a line break (and `\r\n` as one).
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' => out.push(c),
            // XML 1.0 has no way to write the other control characters, not even as a
            // character reference, nor U+FFFE and U+FFFF: they are written as `\u{1b}`.
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_quotes_and_ampersands_are_escaped() {
        assert_eq!(
            attr(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(text(r#"<b>"&"</b>"#), "&lt;b&gt;\"&amp;\"&lt;/b&gt;");
    }

    #[test]
    fn line_breaks_survive_in_attributes_and_control_characters_are_spelled() {
        assert_eq!(attr("a\nb\tc\rd"), "a&#10;b&#9;c&#13;d");
        assert_eq!(text("a\nb\tc\rd"), "a\nb\tc&#13;d");
        assert_eq!(
            text("bell\u{7} esc\u{1b} nul\u{0}"),
            "bell\\u{7} esc\\u{1b} nul\\u{0}"
        );
        assert_eq!(attr("\u{fffe}"), "\\u{fffe}");
        // Other text, Cyrillic and Kazakh included, is kept as it is.
        assert_eq!(attr("Қазақстан — «виза»"), "Қазақстан — «виза»");
    }

    #[test]
    fn the_class_is_the_rulebook_and_the_files_stem() {
        assert_eq!(
            class_name("kz-visa", "rulebooks/kz-visa/tests-visas.zan"),
            "kz-visa.tests-visas"
        );
        assert_eq!(class_name("a.b", "c.d.zan"), "a_b.c_d");
    }
}
