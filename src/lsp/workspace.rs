//! The documents the server knows, grouped into rulebook folders, and the latest analysis of
//! each folder. A folder is re-analysed only when one of its files changed, and only the
//! changed files are parsed again.

use crate::ide::Analysis;
use crate::source::SourceMap;
use crate::syntax::{self, Parsed};
use crate::time::date::Day;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// One `.zan` file of a folder.
struct Document {
    text: String,
    /// Open in the editor: its text comes from the client, not from the disk.
    open: bool,
    /// The parse of `text`, kept until the text changes.
    parsed: Option<Arc<Parsed>>,
    /// The editor's version of an open document (`didOpen`/`didChange`), published with its
    /// diagnostics so the editor can drop those of an older text.
    version: Option<i32>,
}

/// A rulebook folder (every `.zan` file below it, as `zan check FOLDER` reads it), or a
/// single file that belongs to no rulebook folder.
pub struct Folder {
    docs: BTreeMap<PathBuf, Document>,
    legal_texts: Vec<(String, String)>,
    /// Whether `legal_texts` is the `sources/` folder as read (not for a lone file).
    legal_texts_read: bool,
    /// Bumped by every change; the analysis records the generation it saw.
    pub generation: u64,
    /// `generation`, readable without the server's lock: an analysis running on a snapshot
    /// asks it between declarations and gives up once a newer edit has come.
    latest: Arc<AtomicU64>,
    analysis: Option<(u64, Arc<Analysis>)>,
}

impl Folder {
    fn new(root: PathBuf, files: Vec<PathBuf>, with_sources: bool) -> Folder {
        let mut docs = BTreeMap::new();
        for f in files {
            let text = read(&f).unwrap_or_default();
            docs.insert(
                f,
                Document {
                    text,
                    open: false,
                    parsed: None,
                    version: None,
                },
            );
        }
        let mut legal_texts = Vec::new();
        if with_sources {
            let mut map = SourceMap::new();
            crate::load::legal_texts(&root.join("sources"), &mut map);
            legal_texts = map
                .legal_texts()
                .iter()
                .map(|t| (t.name.clone(), t.text.clone()))
                .collect();
        }
        Folder {
            docs,
            legal_texts,
            legal_texts_read: with_sources,
            generation: 1,
            latest: Arc::new(AtomicU64::new(1)),
            analysis: None,
        }
    }

    /// A text changed: analyses of older texts are stale.
    fn changed(&mut self) {
        self.generation += 1;
        self.latest.store(self.generation, Ordering::Release);
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.docs.contains_key(path)
    }

    pub fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.docs.keys()
    }

    /// Set the text of a file (opened, edited, or re-read from disk).
    pub fn set_text(&mut self, path: &Path, text: String, open: bool) {
        let doc = self.docs.entry(path.to_path_buf()).or_insert(Document {
            text: String::new(),
            open,
            parsed: None,
            version: None,
        });
        doc.open = open;
        if !open {
            doc.version = None;
        }
        if doc.text != text || doc.parsed.is_none() {
            doc.text = text;
            doc.parsed = None;
            self.changed();
        }
    }

    /// Apply an edit to an open file's text, returning false if the file is unknown.
    pub fn edit(&mut self, path: &Path, f: impl FnOnce(&mut String)) -> bool {
        let Some(doc) = self.docs.get_mut(path) else {
            return false;
        };
        f(&mut doc.text);
        doc.parsed = None;
        self.changed();
        true
    }

    /// Record the editor's version of an open file.
    pub fn set_version(&mut self, path: &Path, version: i32) {
        if let Some(doc) = self.docs.get_mut(path) {
            doc.version = Some(version);
        }
    }

    /// The editor's version of a file, if it is open.
    pub fn version(&self, path: &Path) -> Option<i32> {
        self.docs.get(path).and_then(|d| d.version)
    }

    /// The editor closed the file: from now on its text is the one on disk.
    pub fn close(&mut self, path: &Path) {
        let on_disk = read(path);
        match on_disk {
            Some(text) => self.set_text(path, text, false),
            None => {
                self.docs.remove(path);
                self.changed();
            }
        }
    }

    /// A file changed on disk: re-read it unless the editor has it open.
    pub fn reload(&mut self, path: &Path) {
        if self.docs.get(path).is_some_and(|d| d.open) {
            return;
        }
        match read(path) {
            Some(text) => self.set_text(path, text, false),
            None => {
                if self.docs.remove(path).is_some() {
                    self.changed();
                }
            }
        }
    }

    /// The analysis of the current texts, computed now if any text changed since the last.
    pub fn analysis(&mut self, today: Day) -> Arc<Analysis> {
        if let Some(a) = self.current_analysis(today) {
            return a;
        }
        let analysed = self.snapshot().analyse(today);
        let a = analysed.analysis.clone();
        self.store(analysed);
        a
    }

    /// The analysis of the current texts, if it was computed already.
    pub fn current_analysis(&self, today: Day) -> Option<Arc<Analysis>> {
        match &self.analysis {
            Some((generation, a)) if *generation == self.generation && a.today == today => {
                Some(a.clone())
            }
            _ => None,
        }
    }

    /// The current texts (and the parses kept), to analyse without holding the server's lock:
    /// the analysis of a large document takes seconds, and edits must not wait for it.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            generation: self.generation,
            docs: self
                .docs
                .iter()
                .map(|(path, doc)| SnapshotDoc {
                    path: path.clone(),
                    text: doc.text.clone(),
                    parsed: doc.parsed.clone(),
                    version: doc.version,
                })
                .collect(),
            legal_texts: self.legal_texts.clone(),
            legal_texts_read: self.legal_texts_read,
            latest: self.latest.clone(),
        }
    }

    /// Keep the analysis of a snapshot and its parses, unless a text changed since the
    /// snapshot was taken (then the analysis is of texts that are gone).
    pub fn store(&mut self, analysed: Analysed) {
        if analysed.generation != self.generation {
            return;
        }
        for (path, parsed) in analysed.parses {
            if let Some(doc) = self.docs.get_mut(&path) {
                doc.parsed = Some(parsed);
            }
        }
        self.analysis = Some((analysed.generation, analysed.analysis));
    }
}

/// One file of a snapshot.
struct SnapshotDoc {
    path: PathBuf,
    text: String,
    parsed: Option<Arc<Parsed>>,
    version: Option<i32>,
}

/// The texts of a folder at one generation (`Folder::snapshot`).
pub struct Snapshot {
    pub generation: u64,
    docs: Vec<SnapshotDoc>,
    legal_texts: Vec<(String, String)>,
    legal_texts_read: bool,
    /// The folder's generation now (`Folder::latest`).
    latest: Arc<AtomicU64>,
}

/// The analysis of a snapshot, with the parses it made (to keep) and the editor's versions of
/// the texts it analysed (to publish with its diagnostics).
pub struct Analysed {
    pub generation: u64,
    pub analysis: Arc<Analysis>,
    pub versions: Vec<(PathBuf, Option<i32>)>,
    parses: Vec<(PathBuf, Arc<Parsed>)>,
}

impl Snapshot {
    /// The editor's versions of the files of the snapshot.
    pub fn versions(&self) -> Vec<(PathBuf, Option<i32>)> {
        self.docs
            .iter()
            .map(|d| (d.path.clone(), d.version))
            .collect()
    }

    /// Parse the files whose parse is not kept, and check them all.
    pub fn analyse(self, today: Day) -> Analysed {
        let generation = self.generation;
        match self.analyse_unless(today, &|| false) {
            Some(analysed) => analysed,
            // Never given up: `stale` always says no.
            None => Analysed {
                generation,
                analysis: Arc::new(Analysis::new(SourceMap::new(), Vec::new(), today)),
                versions: Vec::new(),
                parses: Vec::new(),
            },
        }
    }

    /// `analyse`, given up (`None`) once the folder has changed since the snapshot was taken:
    /// its result would be dropped, and the analysis of a large document takes seconds that
    /// the analysis of the newer text needs. Asked between the declarations of each file
    /// parsed (parsing is most of the time on a large document) and before the check.
    pub fn analyse_unless_stale(self, today: Day) -> Option<Analysed> {
        let latest = self.latest.clone();
        let generation = self.generation;
        self.analyse_unless(today, &|| latest.load(Ordering::Acquire) != generation)
    }

    fn analyse_unless(self, today: Day, stale: &dyn Fn() -> bool) -> Option<Analysed> {
        let versions = self.versions();
        let mut map = SourceMap::new();
        let mut parsed = Vec::with_capacity(self.docs.len());
        let mut parses = Vec::new();
        for doc in self.docs {
            let id = map.add(crate::load::display(&doc.path), doc.text);
            let p = match doc.parsed {
                Some(p) if p.file == id => p,
                _ => {
                    let p = Arc::new(syntax::parse_file_unless(&map, id, stale)?);
                    parses.push((doc.path, p.clone()));
                    p
                }
            };
            parsed.push(p);
        }
        for (name, text) in self.legal_texts {
            map.add_legal_text(name, text);
        }
        if self.legal_texts_read {
            map.mark_legal_texts_read();
        }
        if stale() {
            return None;
        }
        Some(Analysed {
            generation: self.generation,
            analysis: Arc::new(Analysis::new(map, parsed, today)),
            versions,
            parses,
        })
    }
}

/// A regular file of at most `MAX_FILE_BYTES`, read by the loader's rules (never a FIFO).
fn read(path: &Path) -> Option<String> {
    crate::load::zan_file(path).ok()
}

/// All folders the server knows.
#[derive(Default)]
pub struct Workspace {
    pub folders: Vec<Folder>,
}

impl Workspace {
    /// The folder of a file, created (and read from disk) the first time the file is seen.
    pub fn folder_for(&mut self, path: &Path) -> &mut Folder {
        let i = match self.folders.iter().position(|f| f.contains(path)) {
            Some(i) => i,
            None => {
                self.folders.push(discover(path));
                self.folders.len() - 1
            }
        };
        &mut self.folders[i]
    }

    pub fn find(&mut self, path: &Path) -> Option<&mut Folder> {
        self.folders.iter_mut().find(|f| f.contains(path))
    }
}

/// The rulebook folder of a file: its directory when the `.zan` files below that directory
/// have exactly one `rulebook` header (a rulebook read as `zan check DIR` reads it);
/// otherwise the file alone (test fixtures, scratch files).
fn discover(path: &Path) -> Folder {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut files = Vec::new();
    let _ = crate::load::collect(&dir, &mut files);
    files.sort();
    let headers = files
        .iter()
        .filter(|f| read(f).is_some_and(|t| t.lines().any(|l| l.starts_with("rulebook "))))
        .count();
    if headers == 1 && files.len() <= 2000 {
        if !files.iter().any(|f| f == path) {
            files.push(path.to_path_buf());
        }
        Folder::new(dir, files, true)
    } else {
        Folder::new(dir, vec![path.to_path_buf()], false)
    }
}
