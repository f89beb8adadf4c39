//! Reading a rulebook folder into a `SourceMap`: every `.zan` file below it, in path order.
//!
//! Nothing outside the folder given is read: one walker (`walk`) serves every command, the
//! language server and `Engine::load`. A symbolic link is followed only when its target is
//! inside the folder; a folder is visited once (so `ln -s . loop` reads nothing twice) and a
//! file is read once; a link that leaves the folder, or anything that is not a regular file
//! (a FIFO would block, `/dev/zero` never ends), is skipped with a message naming it. Files
//! are read through a byte counter, so the size limit holds whatever the metadata says.

use crate::source::SourceMap;
use std::collections::{HashSet, VecDeque};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest `.zan` file read; larger ones are refused with an error (a limit, not a crash).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A `.zan` file found by `walk`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The path under the folder given, as the user names it (the name in diagnostics).
    pub shown: PathBuf,
    /// The file itself, every link resolved: what is read, and what `zan fmt` replaces.
    pub real: PathBuf,
}

/// The files of a rulebook folder, and what was refused on the way.
#[derive(Debug, Default)]
pub struct Walk {
    /// In path order.
    pub files: Vec<Found>,
    /// One line per path refused: a link out of the folder, a file that is not a regular file.
    pub skipped: Vec<String>,
}

/// Read a rulebook folder or one `.zan` file, for callers that need no word of what was
/// skipped (benches, tests); the CLI and `Engine::load` report it (`rulebook_and_skipped`).
pub fn rulebook(path: &Path) -> Result<SourceMap, String> {
    rulebook_and_skipped(path).map(|(map, _)| map)
}

/// Read a rulebook folder (or one `.zan` file given by name) and say what was skipped.
pub fn rulebook_and_skipped(path: &Path) -> Result<(SourceMap, Vec<String>), String> {
    let meta = std::fs::metadata(path);
    let is_dir = meta.as_ref().is_ok_and(|m| m.is_dir());
    let walked = if is_dir {
        walk(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
    } else if meta.is_ok_and(|m| m.is_file()) {
        // A file named on the command line is the user's choice, link or not.
        Walk {
            files: vec![Found {
                shown: path.to_path_buf(),
                real: path.to_path_buf(),
            }],
            skipped: Vec::new(),
        }
    } else {
        return Err(format!(
            "{} is not a rulebook folder or .zan file",
            path.display()
        ));
    };
    let mut skipped = walked.skipped;
    if walked.files.is_empty() {
        let mut message = format!("{} contains no .zan files", path.display());
        for s in &skipped {
            message.push_str(&format!("\n  {s}"));
        }
        return Err(message);
    }
    let mut map = SourceMap::new();
    for f in walked.files {
        let text = read_zan(&f.real, &f.shown)?;
        map.add(display(&f.shown), text);
    }
    if is_dir {
        skipped.extend(legal_texts(&path.join("sources"), &mut map));
    }
    Ok((map, skipped))
}

/// The text of one `.zan` file: a regular file of at most `MAX_FILE_BYTES`, UTF-8.
pub fn zan_file(f: &Path) -> Result<String, String> {
    read_zan(f, f)
}

/// `zan_file` of `real` (a file found by `walk`, links resolved), naming it `shown` in errors.
pub fn read_zan(real: &Path, shown: &Path) -> Result<String, String> {
    let bytes = read_limited(real).map_err(|e| match e {
        ReadError::TooBig(None) => format!(
            "{} is more than {MAX_FILE_BYTES} bytes; rulebook files are limited to {MAX_FILE_BYTES} bytes",
            shown.display()
        ),
        ReadError::TooBig(Some(size)) => format!(
            "{} is {size} bytes; rulebook files are limited to {MAX_FILE_BYTES} bytes",
            shown.display()
        ),
        ReadError::NotRegular(kind) => format!(
            "{} is not a regular file ({kind}); rulebook files must be",
            shown.display()
        ),
        ReadError::Io(e) => format!("cannot read {}: {e}", shown.display()),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        format!(
            "{} is not valid UTF-8 (at byte {at}); save it as UTF-8",
            shown.display()
        )
    })
}

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Over `MAX_FILE_BYTES`: the size if the metadata told it, `None` if counting did.
    TooBig(Option<u64>),
    /// A FIFO, a device, a socket: reading it could block or never end.
    NotRegular(&'static str),
    Io(std::io::Error),
}

/// The bytes of a regular file, at most `MAX_FILE_BYTES`. The kind of file is checked before
/// it is opened (opening a FIFO blocks) and again on the open file; the limit is enforced by
/// counting the bytes read, since the metadata of a special file says nothing of its length.
pub fn read_limited(path: &Path) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(&meta.file_type())));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooBig(Some(meta.len())));
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let opened = file.metadata().map_err(ReadError::Io)?;
    if !opened.is_file() {
        return Err(ReadError::NotRegular(kind(&opened.file_type())));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len()).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooBig(None));
    }
    Ok(bytes)
}

/// What a file that is not a regular file is, in words.
fn kind(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    if t.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

/// The legal texts in the rulebook's `sources/` folder, against which citations are checked.
/// Unreadable or non-UTF-8 files are skipped: they only make the check weaker. Links that
/// leave the rulebook folder (the parent of `dir`) and special files are not read; the
/// returned lines name them.
pub fn legal_texts(dir: &Path, map: &mut SourceMap) -> Vec<String> {
    map.mark_legal_texts_read();
    let (found, skipped) = files_in(dir, |p| p.extension().is_none_or(|e| e != "zan"));
    for (shown, bytes) in found {
        if let Some(text) = bytes.ok().and_then(|b| String::from_utf8(b).ok()) {
            map.add_legal_text(display(&shown), text);
        }
    }
    skipped
}

/// A file of `files_in`: its path as shown, and its bytes or why they could not be read.
pub type FileRead = (PathBuf, Result<Vec<u8>, ReadError>);

/// The files directly in `dir` (a folder of the rulebook folder, its parent: `sources/`,
/// `examples/`) whose names pass `wanted`, in name order, each with its bytes or why they could
/// not be read. Links leaving the rulebook folder and special files are not read: the second
/// list names them. Folders are left out; a missing `dir` has no files.
pub fn files_in(dir: &Path, wanted: impl Fn(&Path) -> bool) -> (Vec<FileRead>, Vec<String>) {
    let mut skipped = Vec::new();
    let mut found = Vec::new();
    let Some(root) = dir.parent().and_then(|r| {
        let r = if r.as_os_str().is_empty() {
            Path::new(".")
        } else {
            r
        };
        std::fs::canonicalize(r).ok()
    }) else {
        return (found, skipped);
    };
    let Some(real_dir) = inside(dir, dir, &root, &mut skipped) else {
        return (found, skipped);
    };
    let Ok(entries) = std::fs::read_dir(&real_dir) else {
        return (found, skipped);
    };
    let mut names: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    names.sort();
    for name in names {
        let shown = dir.join(&name);
        if !wanted(&shown) {
            continue;
        }
        let Some(real) = inside(&real_dir.join(&name), &shown, &root, &mut skipped) else {
            continue;
        };
        match read_limited(&real) {
            Err(ReadError::NotRegular("a folder")) => {}
            Err(ReadError::NotRegular(kind)) => skipped.push(format!(
                "skipped {}: not a regular file ({kind})",
                display(&shown)
            )),
            bytes => found.push((shown, bytes)),
        }
    }
    (found, skipped)
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::TooBig(_) => write!(f, "larger than the limit of {MAX_FILE_BYTES} bytes"),
            ReadError::NotRegular(kind) => write!(f, "not a regular file ({kind})"),
            ReadError::Io(e) => e.fmt(f),
        }
    }
}

/// `path` with every link resolved if it stays inside `root` (canonical); `None`, with a line
/// in `skipped` naming the link (as `shown`), if it leaves. A path that is not a link is
/// returned as is.
fn inside(path: &Path, shown: &Path, root: &Path, skipped: &mut Vec<String>) -> Option<PathBuf> {
    let link = std::fs::symlink_metadata(path).ok()?;
    if !link.file_type().is_symlink() {
        return Some(path.to_path_buf());
    }
    let Ok(target) = std::fs::canonicalize(path) else {
        return None;
    };
    if target.starts_with(root) {
        Some(target)
    } else {
        skipped.push(format!(
            "skipped {}: {}",
            display(shown),
            link_outside(&target, root)
        ));
        None
    }
}

/// Why a link is not followed: its target is outside the rulebook folder `root`.
fn link_outside(target: &Path, root: &Path) -> String {
    format!(
        "a link to {} outside the rulebook folder {}",
        display(target),
        display(root)
    )
}

/// Every `.zan` file below `dir`, in path order, by the rules of `walk` (the paths as shown).
pub fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let walked = walk(dir)?;
    out.extend(walked.files.into_iter().map(|f| f.shown));
    Ok(())
}

/// Every `.zan` file below `dir`, in path order. Links are followed only inside `dir`; each
/// folder and each file is visited once, whatever the links that lead to it. The folders are
/// walked without following any link first, so a file is named by its own path, not by the
/// path of a link that happens to sort before it; links are followed afterwards (they find only
/// what this first walk could not: a `.zan` name given by a link to another file).
pub fn walk(dir: &Path) -> std::io::Result<Walk> {
    let root = std::fs::canonicalize(dir)?;
    let mut walker = Walker {
        root: root.clone(),
        folders: HashSet::from([root.clone()]),
        files: HashSet::new(),
        links: VecDeque::new(),
        out: Walk::default(),
    };
    walker.visit(dir, &root)?;
    while let Some((shown, link)) = walker.links.pop_front() {
        walker.follow(shown, &link)?;
    }
    walker.out.files.sort_by(|a, b| a.shown.cmp(&b.shown));
    walker.out.skipped.sort();
    Ok(walker.out)
}

struct Walker {
    /// The folder given, canonical: nothing outside it is read.
    root: PathBuf,
    /// Folders visited, canonical.
    folders: HashSet<PathBuf>,
    /// Files found, canonical.
    files: HashSet<PathBuf>,
    /// Links met, to follow once the folders have been walked: (as shown, the link).
    links: VecDeque<(PathBuf, PathBuf)>,
    out: Walk,
}

impl Walker {
    /// Visit the folder `real` (canonical), shown to the user as `shown`.
    fn visit(&mut self, shown: &Path, real: &Path) -> std::io::Result<()> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(real)? {
            names.push(entry?.file_name());
        }
        names.sort();
        for name in names {
            let shown = shown.join(&name);
            let real = real.join(&name);
            let Ok(meta) = std::fs::symlink_metadata(&real) else {
                continue;
            };
            if meta.file_type().is_symlink() {
                self.links.push_back((shown, real));
            } else {
                self.entry(shown, real, &meta)?;
            }
        }
        Ok(())
    }

    /// Follow a link if its target is inside the rulebook folder.
    fn follow(&mut self, shown: PathBuf, link: &Path) -> std::io::Result<()> {
        let is_zan = shown.extension().is_some_and(|e| e == "zan");
        let (Ok(target), Ok(meta)) = (std::fs::canonicalize(link), std::fs::metadata(link)) else {
            if is_zan {
                self.skip(&shown, "a link to nothing".to_string());
            }
            return Ok(());
        };
        if !target.starts_with(&self.root) {
            // Only links that would have been read are worth a word: a `.zan` file or a
            // folder (which may hold some).
            if is_zan || meta.is_dir() {
                self.skip(&shown, link_outside(&target, &self.root));
            }
            return Ok(());
        }
        self.entry(shown, target, &meta)
    }

    /// A folder, file or special file `real` (canonical), shown as `shown`.
    fn entry(
        &mut self,
        shown: PathBuf,
        real: PathBuf,
        meta: &std::fs::Metadata,
    ) -> std::io::Result<()> {
        let is_zan = shown.extension().is_some_and(|e| e == "zan");
        if meta.is_dir() {
            if self.folders.insert(real.clone()) {
                self.visit(&shown, &real)?;
            }
        } else if is_zan && meta.is_file() {
            if self.files.insert(real.clone()) {
                self.out.files.push(Found { shown, real });
            }
        } else if is_zan {
            let kind = kind(&meta.file_type());
            self.skip(&shown, format!("not a regular file ({kind})"));
        }
        Ok(())
    }

    fn skip(&mut self, shown: &Path, why: String) {
        self.out
            .skipped
            .push(format!("skipped {}: {why}", display(shown)));
    }
}

/// A path as the name of a file in the source map.
pub fn display(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}
