//! Declarations that did not parse. Their syntax error is the one report: the headers that
//! `syntax::recover` read (kind and name) stand in the name table as broken, so the uses of
//! those names, and of the values and codes written inside them, are left alone rather than
//! reported as unknown; and the names a broken declaration reads do not become unused.

use super::names::Globals;
use crate::diagnostics::{Code, Diagnostic};
use crate::syntax::ast;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// The broken declarations of a rulebook.
#[derive(Default)]
pub struct Broken {
    /// Declared names, with the kind of declaration (`rule`, `enum`, ...).
    names: HashMap<String, &'static str>,
    /// Words written in a broken enum, reasons or amendment: values and reason codes that may
    /// be declared there.
    values: HashSet<String>,
    /// Every word written in a broken declaration: names it reads.
    words: HashSet<String>,
}

impl Broken {
    pub fn new<'d>(headers: impl Iterator<Item = &'d ast::BrokenDecl>) -> Broken {
        let mut b = Broken::default();
        for h in headers {
            b.names.insert(h.name.name.clone(), h.keyword);
            if matches!(h.keyword, "enum" | "reasons" | "amendment") {
                b.values.extend(h.words.iter().cloned());
            }
            b.words.extend(h.words.iter().cloned());
        }
        b
    }

    /// Whether `name` is declared by a declaration that did not parse.
    pub fn declares(&self, name: &str) -> bool {
        self.names.contains_key(name)
    }

    /// Whether `d` only follows from a declaration that did not parse: a name it declares (or
    /// a value or code written in it) reported unknown, or a declaration it reads reported
    /// unused.
    fn explains(&self, d: &Diagnostic, written: &str) -> bool {
        match d.code {
            Code::UnknownName | Code::UnknownVariant => {
                self.declares(written) || self.values.contains(written)
            }
            Code::UnknownType
            | Code::UnknownSource
            | Code::ExceptionToUnknownRule
            | Code::AmendedTargetMissing
            | Code::InvalidTest
            | Code::UnknownField => self.declares(written),
            Code::Unused => self.words.contains(written),
            _ => false,
        }
    }
}

impl Globals<'_> {
    /// Whether `d` is a consequence of a broken declaration, and so not reported.
    pub(super) fn follows_from_broken(&self, d: &Diagnostic) -> bool {
        !self.broken.names.is_empty() && {
            let written = self.map.snippet(d.primary.span);
            self.broken.explains(d, written)
        }
    }
}
