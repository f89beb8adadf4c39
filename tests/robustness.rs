//! No input makes zan panic: truncated and shuffled rulebook files, and mangled cases, give
//! diagnostics or errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use zan::source::SourceMap;

/// A small deterministic generator, so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

fn check_does_not_panic(name: &str, text: &str) {
    let mut map = SourceMap::new();
    map.add(name, text);
    let result = std::panic::catch_unwind(|| {
        let checked = zan::check(&map);
        // Rendering must not panic either, whatever the spans.
        let _ = zan::diagnostics::render::to_terminal(&map, &checked.diagnostics, false);
        checked.diagnostics.len()
    });
    assert!(result.is_ok(), "zan panicked on a mangled {name}:\n{text}");
}

#[test]
fn truncated_rulebook_files_never_panic() {
    let map = common::kz_visa();
    let mut rng = Lcg(7);
    for f in map.files() {
        let len = f.text.len();
        for _ in 0..40 {
            let mut cut = rng.next() % len.max(1);
            while !f.text.is_char_boundary(cut) {
                cut -= 1;
            }
            check_does_not_panic(&f.name, &f.text[..cut]);
        }
    }
}

#[test]
fn shuffled_rulebook_lines_never_panic() {
    let map = common::kz_visa();
    let mut rng = Lcg(11);
    for f in map.files() {
        for _ in 0..10 {
            let mut lines: Vec<&str> = f.text.lines().collect();
            for i in (1..lines.len()).rev() {
                let j = rng.next() % (i + 1);
                lines.swap(i, j);
            }
            check_does_not_panic(&f.name, &lines.join("\n"));
            // Shuffled tokens within one line, too.
            let mut words: Vec<&str> = f.text.split(' ').collect();
            for i in (1..words.len()).rev().step_by(3) {
                let j = rng.next() % (i + 1);
                words.swap(i, j);
            }
            check_does_not_panic(&f.name, &words.join(" "));
        }
    }
}

#[test]
fn whole_rulebook_with_one_file_removed_never_panics() {
    let full = common::kz_visa();
    for skip in 0..full.files().len() {
        let mut map = SourceMap::new();
        for (i, f) in full.files().iter().enumerate() {
            if i != skip {
                map.add(f.name.clone(), f.text.clone());
            }
        }
        let r = std::panic::catch_unwind(|| zan::check(&map).diagnostics.len());
        assert!(r.is_ok(), "panic without {}", full.files()[skip].name);
    }
}

#[test]
fn mangled_cases_give_errors_not_panics() {
    let checked = zan::check(&common::kz_visa());
    let rb = checked.rulebook.unwrap();
    let text = std::fs::read_to_string(
        common::root().join("rulebooks/kz-visa/examples/c3-work-visa-invitation.json"),
    )
    .unwrap();
    let mut rng = Lcg(3);
    let replacements = [
        "null",
        "1",
        "\"x\"",
        "[]",
        "{}",
        "true",
        "-99999999999999999999",
        "\"9999-12-31\"",
        "\"0000-01-01\"",
    ];
    let mut evaluated = 0;
    for _ in 0..300 {
        // Replace one JSON value with something else.
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let obj = value.as_object_mut().unwrap();
        let keys: Vec<String> = obj.keys().cloned().collect();
        let k = &keys[rng.next() % keys.len()];
        let r: serde_json::Value =
            serde_json::from_str(replacements[rng.next() % replacements.len()]).unwrap();
        if let Some(inner) = obj.get_mut(k).and_then(|v| v.as_object_mut()) {
            let ik: Vec<String> = inner.keys().cloned().collect();
            let key = ik[rng.next() % ik.len()].clone();
            inner.insert(key, r);
        } else {
            obj.insert(k.clone(), r);
        }
        let outcome = std::panic::catch_unwind(|| match zan::eval::case_from_json(&rb, &value) {
            Ok(case) => {
                let day = zan::eval::as_of_date(&rb, &case, None).unwrap_or(0);
                zan::eval(&rb, &case, day, true)
                    .map(|_| ())
                    .map_err(|e| e.message)
                    .is_ok()
            }
            Err(errors) => {
                assert!(
                    errors.iter().all(|e| e.path.starts_with("$.")),
                    "{errors:?}"
                );
                false
            }
        });
        assert!(outcome.is_ok(), "panic on case {value}");
        evaluated += usize::from(outcome.unwrap_or(false));
    }
    assert!(
        evaluated > 0,
        "some mangled cases are still valid and evaluate"
    );
}
