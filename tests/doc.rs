//! `zan doc RULEBOOK -o DIR`: the static site on disk (an index, every legal text, every
//! declaration), its links resolve between the files, nothing is written outside the folder,
//! and the exit codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(f) = folders.pop() {
        for e in std::fs::read_dir(&f).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                folders.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_site_is_written_and_its_links_resolve_on_disk() {
    let tmp = common::temp_dir("zan-doc-site");
    let out = tmp.join("site");
    let rulebook = common::root().join("rulebooks/kz-visa");
    let run = common::zan(&[
        "doc",
        rulebook.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(said.contains("pages"), "{said}");
    // Nothing beside the folder.
    let beside: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside, vec![std::ffi::OsString::from("site")]);
    for page in [
        "index.html",
        "assets/zan.css",
        "assets/zan.js",
        "r/kz_visa/index.html",
        "r/kz_visa/try.html",
        "r/kz_visa/changes.html",
    ] {
        assert!(out.join(page).is_file(), "{page}");
    }
    let engine = zan::Engine::load(&rulebook).unwrap();
    let rb = engine.rulebook();
    for s in &rb.sources {
        assert!(
            out.join(format!("r/kz_visa/law/{}.html", s.name)).is_file(),
            "{}",
            s.name
        );
    }
    for r in &rb.versions.last().unwrap().program.rules {
        let kind = match r.body {
            zan::ir::RuleBodyIr::Reasons(_) => "reasons",
            _ => "rule",
        };
        assert!(
            out.join(format!("r/kz_visa/decl/{kind}-{}.html", r.name))
                .is_file(),
            "{}",
            r.name
        );
    }
    for t in &rb.versions.last().unwrap().program.tables {
        assert!(out
            .join(format!("r/kz_visa/decl/table-{}.html", t.name))
            .is_file());
    }
    // Every relative link of every page names a file on disk.
    let mut links = 0;
    for file in all_files(&out)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "html"))
    {
        let html = std::fs::read_to_string(&file).unwrap();
        for part in html.split(" href=\"").skip(1) {
            let href = &part[..part.find('"').unwrap()];
            let target = href.split('#').next().unwrap();
            if target.is_empty() {
                continue;
            }
            let path = file.parent().unwrap().join(target.replace("&amp;", "&"));
            assert!(path.is_file(), "{}: {href}", file.display());
            assert!(path
                .canonicalize()
                .unwrap()
                .starts_with(out.canonicalize().unwrap()));
            links += 1;
        }
    }
    assert!(links > 1000, "{links}");
    // Written again over itself: the same files.
    let again = common::zan(&[
        "doc",
        rulebook.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(again.status.success());
}

#[test]
fn exit_codes() {
    let tmp = common::temp_dir("zan-doc-codes");
    // A rulebook with errors: 1.
    let bad = tmp.join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        bad.join("a.zan"),
        "rulebook bad { title \"x\" }\nrule r: integer { nope }\n",
    )
    .unwrap();
    let out = tmp.join("out");
    let run = common::zan(&["doc", bad.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(!out.exists());
    // No such rulebook: 2.
    let run = common::zan(&[
        "doc",
        tmp.join("missing").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    // An output that cannot be a folder (a file is in the way): 2.
    let file = tmp.join("file");
    std::fs::write(&file, "x").unwrap();
    let rulebook = common::root().join("rulebooks/kz-visa");
    let run = common::zan(&[
        "doc",
        rulebook.to_str().unwrap(),
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("error"));
}
