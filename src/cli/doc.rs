//! `zan doc RULEBOOK -o DIR`: the explorer's pages as a static site (no evaluation); the pages
//! are `crate::explorer::static_pages`, each written atomically through `atomic`.

use super::output::stderr_line;
use super::{atomic, EXIT_OK, EXIT_USAGE};
use crate::explorer::{self, Mode, Site};
use clap::Args;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

#[derive(Args)]
pub struct DocArgs {
    /// The rulebook folder.
    pub rulebook: PathBuf,
    /// The folder to write the site into (created if missing).
    #[arg(short, long)]
    pub output: PathBuf,
}

pub fn doc(args: DocArgs) -> i32 {
    let engine = match super::commands::load_engine(&args.rulebook) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let name = engine.rulebook().name.clone();
    let site = Site::new(&name, Arc::new(engine), Mode::Static);
    let pages = explorer::static_pages(&[&site]);
    if let Err(e) = std::fs::create_dir_all(&args.output) {
        stderr_line!("error: cannot create {}: {e}", args.output.display());
        return EXIT_USAGE;
    }
    let mut bytes = 0;
    for (path, body) in &pages {
        let Some(target) = inside(&args.output, path) else {
            stderr_line!(
                "error: the page path `{path}` would leave {}",
                args.output.display()
            );
            return EXIT_USAGE;
        };
        if let Some(parent) = target.parent() {
            if let Err(e) = std::fs::create_dir_all(parent) {
                stderr_line!("error: cannot create {}: {e}", parent.display());
                return EXIT_USAGE;
            }
        }
        // A link already in the folder could lead the write out of it: refuse it.
        if std::fs::symlink_metadata(&target).is_ok_and(|m| m.file_type().is_symlink()) {
            stderr_line!(
                "error: {} is a link; not writing through it",
                target.display()
            );
            return EXIT_USAGE;
        }
        if let Err(e) = atomic::write(&target, body) {
            stderr_line!("error: cannot write {}: {e}", target.display());
            return EXIT_USAGE;
        }
        bytes += body.len();
    }
    let summary = format!(
        "wrote {} pages ({} KiB) of `{name}` to {}; open {}\n",
        pages.len(),
        bytes / 1024,
        args.output.display(),
        args.output.join("index.html").display()
    );
    super::output::print("summary", &summary, EXIT_OK)
}

/// `dir` joined with a page's relative path, when that stays inside `dir` (plain names only:
/// no root, no `..`, no `.`).
fn inside(dir: &Path, path: &str) -> Option<PathBuf> {
    let rel = Path::new(path);
    let plain = !path.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
    plain.then(|| dir.join(rel))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pages_stay_inside_the_folder() {
        let dir = Path::new("site");
        assert_eq!(
            inside(dir, "r/kz/index.html"),
            Some(dir.join("r/kz/index.html"))
        );
        assert_eq!(inside(dir, "../x.html"), None);
        assert_eq!(inside(dir, "/etc/passwd"), None);
        assert_eq!(inside(dir, "a/./b"), Some(dir.join("a/b")));
        assert_eq!(inside(dir, ""), None);
    }
}
