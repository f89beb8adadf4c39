//! Reading a rulebook folder into a `SourceMap`: every `.zan` file below it, in path order.

use crate::source::SourceMap;
use std::path::{Path, PathBuf};

/// Largest `.zan` file read; larger ones are refused with an error (a limit, not a crash).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

pub fn rulebook(path: &Path) -> Result<SourceMap, String> {
    let mut files = Vec::new();
    if path.is_dir() {
        collect(path, &mut files).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    } else if path.is_file() {
        files.push(path.to_path_buf());
    } else {
        return Err(format!(
            "{} is not a rulebook folder or .zan file",
            path.display()
        ));
    }
    files.sort();
    if files.is_empty() {
        return Err(format!("{} contains no .zan files", path.display()));
    }
    let mut map = SourceMap::new();
    for f in files {
        let text = zan_file(&f)?;
        map.add(display(&f), text);
    }
    if path.is_dir() {
        legal_texts(&path.join("sources"), &mut map);
    }
    Ok(map)
}

/// The text of one `.zan` file: at most `MAX_FILE_BYTES`, UTF-8.
pub fn zan_file(f: &Path) -> Result<String, String> {
    let size = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "{} is {size} bytes; rulebook files are limited to {MAX_FILE_BYTES} bytes",
            f.display()
        ));
    }
    let bytes = std::fs::read(f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        format!(
            "{} is not valid UTF-8 (at byte {at}); save it as UTF-8",
            f.display()
        )
    })
}

/// The legal texts in the rulebook's `sources/` folder, against which citations are checked.
/// Unreadable or non-UTF-8 files are skipped: they only make the check weaker.
pub fn legal_texts(dir: &Path, map: &mut SourceMap) {
    map.mark_legal_texts_read();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "zan"))
        .collect();
    files.sort();
    for f in files {
        let small = std::fs::metadata(&f).is_ok_and(|m| m.len() <= MAX_FILE_BYTES);
        if let (true, Ok(text)) = (small, std::fs::read_to_string(&f)) {
            map.add_legal_text(display(&f), text);
        }
    }
}

/// Every `.zan` file below `dir` (unsorted).
pub fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "zan") {
            out.push(p);
        }
    }
    Ok(())
}

/// A path as the name of a file in the source map.
pub fn display(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}
