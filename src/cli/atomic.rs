//! Replacing a file without ever leaving it half written: the new text goes to a temporary
//! file beside it (same folder, so same file system), which is flushed to disk and then
//! renamed over the original. A reader (`zan eval`, the language server) sees the old text or
//! the new one, never a mix; a full disk or any other error leaves the original untouched.

use std::fs::{File, OpenOptions, Permissions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Temporary files created by this process, to make each name unique.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Replace the contents of the regular file `path` with `contents`, keeping its permissions.
/// `path` must be the file itself, not a link to it (the link would be replaced by a file):
/// callers resolve links first.
pub fn replace(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    replace_with(path, |f| f.write_all(contents))
}

/// Write `contents` to the file `path`, whether it exists (then as `replace`, through a link
/// to the file it names) or not (then it is created the same way: a reader never sees it half
/// written). For the reports a command writes to a file (`zan test -o`).
pub fn write(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    match std::fs::canonicalize(path) {
        Ok(target) => replace(&target, contents),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path, contents),
        Err(e) => Err(e),
    }
}

/// A new file `path` with `contents`, written beside it first and renamed into place.
fn create(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write_then_rename(path, None, |f| f.write_all(contents))
}

/// `replace`, with the writing of the new contents given (a test injects a failing writer).
pub fn replace_with(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let permissions = std::fs::metadata(path)?.permissions();
    write_then_rename(path, Some(permissions), write)
}

/// The new contents written to a temporary file beside `path` (given `permissions`, if any),
/// synced, then renamed over `path`; on any error the temporary file is removed and `path` is
/// as it was.
fn write_then_rename(
    path: &Path,
    permissions: Option<Permissions>,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let (temp, mut file) = create_temp(path)?;
    let written = write(&mut file)
        .and_then(|()| file.flush())
        .and_then(|()| permissions.map_or(Ok(()), |p| file.set_permissions(p)))
        .and_then(|()| file.sync_all());
    drop(file);
    let renamed = written.and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = renamed {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    sync_folder(path);
    Ok(())
}

/// A new file `.NAME.zan-fmt-PID-N.tmp` beside `path`, created so that it cannot be an
/// existing file or a link planted there.
fn create_temp(path: &Path) -> std::io::Result<(PathBuf, File)> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tries = 0;
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = folder.join(format!(".{name}.zan-fmt-{}-{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(f) => return Ok((temp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && tries < 100 => {
                tries += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Make the rename itself durable (best effort: not every system can open a folder).
fn sync_folder(path: &Path) {
    #[cfg(unix)]
    if let Some(folder) = path.parent() {
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        if let Ok(f) = File::open(folder) {
            let _ = f.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("zan-atomic-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_failed_write_leaves_the_original_and_no_temporary_file() {
        let dir = temp_dir("fail");
        let file = dir.join("r.zan");
        std::fs::write(&file, "rule old = 1\n").unwrap();
        let r = replace_with(&file, |f| {
            // Half the new text, then the disk is full.
            f.write_all(b"rule ne")?;
            Err(std::io::Error::other("No space left on device"))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "rule old = 1\n");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "a temporary file was left behind");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_new_text_replaces_the_old_keeping_permissions() {
        let dir = temp_dir("ok");
        let file = dir.join("r.zan");
        std::fs::write(&file, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        replace(&file, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o640);
        }
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn write_creates_a_new_file_and_replaces_an_existing_one() {
        let dir = temp_dir("write");
        let file = dir.join("report.xml");
        write(&file, b"first").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "first");
        write(&file, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "second");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        // A folder that does not exist is an error, and nothing is left behind.
        assert!(write(&dir.join("absent/report.xml"), b"x").is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
