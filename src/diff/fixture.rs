//! Two small versions of a rulebook for the unit tests of the structural diff: files of text
//! checked in-process into the `Side`s that `structure` and `describe` compare, as `zan diff`
//! builds them from two folders.
#![cfg(test)]
#![allow(clippy::panic)]

use crate::diff::Side;
use crate::ir::Rulebook;
use crate::source::SourceMap;
use crate::syntax::{self, Parsed};
use crate::time::date::{self, Day};

/// The folder every version's files are in (stripped from the file names reported).
const ROOT: &str = "book";

/// One version, checked: the files it was read from, their syntax trees and the rulebook.
pub(in crate::diff) struct Version {
    map: SourceMap,
    parsed: Vec<Parsed>,
    rulebook: Rulebook,
}

impl Version {
    /// A version of one file, `rules.zan`.
    pub(in crate::diff) fn of(text: &str) -> Version {
        Version::files(&[("rules.zan", text)])
    }

    /// A version of several files: `.zan` files are the rulebook, others its legal texts
    /// (`sources/law.txt`).
    pub(in crate::diff) fn files(files: &[(&str, &str)]) -> Version {
        let mut map = SourceMap::new();
        for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".zan")) {
            map.add(format!("{ROOT}/{name}"), *text);
        }
        let texts: Vec<_> = files.iter().filter(|(n, _)| !n.ends_with(".zan")).collect();
        if !texts.is_empty() {
            map.mark_legal_texts_read();
            for (name, text) in texts {
                map.add_legal_text(format!("{ROOT}/{name}"), *text);
            }
        }
        let parsed = syntax::parse_files(&map);
        let refs: Vec<&Parsed> = parsed.iter().collect();
        let checked = crate::check::check_parsed(&map, &refs);
        let Some(rulebook) = checked.rulebook else {
            let errors: Vec<_> = checked
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| (&d.message, d.primary.span))
                .collect();
            panic!("the test rulebook has errors: {errors:?}");
        };
        Version {
            map,
            parsed,
            rulebook,
        }
    }

    /// The whole version, as `zan diff OLD NEW` compares it.
    pub(in crate::diff) fn side(&self) -> Side<'_> {
        self.side_on(None)
    }

    /// The version in force on a day, as `zan diff --from --to` compares it.
    pub(in crate::diff) fn on(&self, day: &str) -> Side<'_> {
        let Some(d) = date::parse(day) else {
            panic!("not a date: {day}");
        };
        let mut side = self.side_on(Some(d));
        side.label = day.into();
        side
    }

    fn side_on(&self, on: Option<Day>) -> Side<'_> {
        Side {
            label: "version".into(),
            root: ROOT.into(),
            map: &self.map,
            decls: self
                .parsed
                .iter()
                .flat_map(|p| p.ast.declarations.iter())
                .collect(),
            rulebook: &self.rulebook,
            on,
            case_files: Vec::new(),
        }
    }
}
