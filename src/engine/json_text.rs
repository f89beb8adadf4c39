//! One line of JSON text laid out with indentation, read as text (no `serde_json::Value` in
//! between, so the writer's text is the one shown): the layout of `serde_json`'s pretty
//! printer, two spaces a level, `": "` after a key, `[]` and `{}` when empty.

/// `line`, compact JSON text (as `serde_json::to_string` writes it), indented.
pub fn pretty(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                if chars.peek() == Some(&close) {
                    chars.next();
                    out.push(close);
                } else {
                    depth += 1;
                    new_line(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                new_line(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                new_line(&mut out, depth);
            }
            ':' => out.push_str(": "),
            // Layout of the input, if it had any: replaced by this one.
            c if c.is_ascii_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

fn new_line(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::pretty;

    /// The same text as `serde_json`'s pretty printer.
    fn same_as_serde(line: &str) {
        let value: serde_json::Value = serde_json::from_str(line).expect("JSON");
        let expected = serde_json::to_string_pretty(&value).expect("printed");
        assert_eq!(pretty(&value.to_string()), expected, "{line}");
    }

    #[test]
    fn lays_out_as_serde_json_does() {
        same_as_serde(r#"{"a":1,"b":[1,2,{"c":null}],"d":{},"e":[],"f":{"g":[[]]}}"#);
        same_as_serde(r#"[]"#);
        same_as_serde(r#"{}"#);
        same_as_serde(r#""text""#);
        same_as_serde(r#"12.50"#);
        same_as_serde(r#"[{"x":"1"},{"y":true}]"#);
    }

    #[test]
    fn strings_are_copied_as_they_are() {
        // Brackets, commas, colons, escaped quotes and backslashes inside strings.
        same_as_serde(r#"{"k: [1, 2]":"{\"a\": [\\]}, ","\\":"\\\"","қ":"𝔸 \n\t\u0001"}"#);
    }
}
