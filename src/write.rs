//! Writing rewritten files safely.
//!
//! What [`replace_file`] guarantees:
//!
//! - **Atomic.** The new text goes to a temporary file in the same
//!   directory, is flushed to disk, and then renamed over the file: a reader
//!   sees the old bytes or the new ones, never a mix, even after a crash.
//! - **No lost writes, as far as the OS allows.** The file must still hold
//!   the bytes that were analysed. This is checked when writing starts, and
//!   again after the temporary file is flushed, right before the rename:
//!   size, modification time, inode and a hash of the content. The old file
//!   stays open across the rename, and is read once more afterwards: a write
//!   that landed in it after the last check is put back, with anything
//!   appended to the new file meanwhile (the other writer's version wins and
//!   the rewrite is dropped with an error). What remains is what no
//!   rename-based save can prevent: a process that opened the file before
//!   the rename and writes to it after those last reads writes into the
//!   old, unlinked file.
//! - **The file's identity stays.** Permissions, and owner and group where
//!   the process may set them, are copied to the new file. Symbolic links
//!   are never replaced and files with several hard links are never split:
//!   both are refused with a message, as is a read-only file (unless
//!   forced, as `gofmt -w` would not write it either).
//! - **Temporaries are recognisable.** They are named
//!   `.<name>.gomend-<pid>-<random>.tmp`; a later run removes the ones whose
//!   process is gone ([`remove_stale_temporaries`]).

use std::fs::{File, Metadata};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

/// How [`replace_file`] may treat special files.
#[derive(Clone, Copy, Debug, Default)]
pub struct WriteOptions {
    /// Write read-only files too (their mode is kept).
    pub force: bool,
}

/// Why a file was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// Left alone on purpose (a link, a file with several names): worth a
    /// warning, not a failure.
    Skipped(String),
    /// Could not or must not be written: a failure of the run.
    Failed(String),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Skipped(m) | WriteError::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for WriteError {}

impl From<String> for WriteError {
    fn from(m: String) -> Self {
        WriteError::Failed(m)
    }
}

/// Replaces `path`'s contents with `new_text` (see the module docs). The
/// file is left alone when its bytes on disk are no longer `original`.
pub fn replace_file(path: &Path, original: &str, new_text: &str) -> Result<(), WriteError> {
    replace_file_with(path, original, new_text, WriteOptions::default())
}

/// [`replace_file`] with options.
pub fn replace_file_with(
    path: &Path,
    original: &str,
    new_text: &str,
    opts: WriteOptions,
) -> Result<(), WriteError> {
    replace_file_observed(path, original, new_text, opts, &mut |_| {})
}

/// The points of [`replace_file_observed`] that a test can act at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The new text is written and flushed; the last check comes next.
    BeforeLastCheck,
    /// The last check passed; the rename comes next.
    BeforeRename,
    /// The old and new files have been read for the last time: a write that
    /// lands in either of them from here on is not looked at again.
    Settled,
}

/// [`replace_file_with`], calling `observe` at each [`Stage`] (for tests of
/// concurrent writers).
pub fn replace_file_observed(
    path: &Path,
    original: &str,
    new_text: &str,
    opts: WriteOptions,
    observe: &mut dyn FnMut(Stage),
) -> Result<(), WriteError> {
    let link = std::fs::symlink_metadata(path).map_err(|e| format!("cannot stat: {e}"))?;
    if link.file_type().is_symlink() {
        return Err(WriteError::Skipped(
            "is a symbolic link; skipped, the link is never replaced (name its target to rewrite it)".into(),
        ));
    }
    let before = std::fs::metadata(path).map_err(|e| format!("cannot stat: {e}"))?;
    if let Some(n) = hard_links(&before) {
        return Err(WriteError::Skipped(format!(
            "has {n} hard links; skipped, since replacing it would split them"
        )));
    }
    if before.permissions().readonly() && !opts.force {
        return Err(WriteError::Failed(
            "is read-only; not rewritten (use --force to rewrite it anyway)".into(),
        ));
    }
    let want = digest(original.as_bytes());
    check_unchanged(path, &before, original.len(), want)?;
    let dir = parent_dir(path);
    let mut tmp =
        temporary_beside(path, None).map_err(|e| format!("cannot create a temporary file: {e}"))?;
    tmp.write_all(new_text.as_bytes())
        .map_err(|e| format!("cannot write: {e}"))?;
    std::fs::set_permissions(tmp.path(), before.permissions())
        .map_err(|e| format!("cannot keep permissions: {e}"))?;
    keep_owner(tmp.as_file(), &before)?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| format!("cannot write: {e}"))?;
    // The last look before the rename: a change since the first check
    // (an editor saving, a generator, an appending process) wins. The old
    // file stays open, so that a write slipping in between this look and
    // the rename is seen afterwards.
    let held = File::open(path).map_err(|e| format!("cannot re-read before writing: {e}"))?;
    observe(Stage::BeforeLastCheck);
    check_unchanged(path, &before, original.len(), want)?;
    observe(Stage::BeforeRename);
    tmp.persist(path)
        .map_err(|e| format!("cannot replace the file: {}", e.error))?;
    let fresh = File::open(path).ok();
    sync_dir(dir);
    let old = read_all(&held)?;
    if digest(&old) == want {
        observe(Stage::Settled);
        return Ok(());
    }
    // A writer that opened the old file before the rename wrote into it
    // after the last look. Its version comes back, with whatever was
    // appended to the new file meanwhile; the rewrite is dropped.
    let new_now = match &fresh {
        Some(f) => read_all(f)?,
        None => new_text.as_bytes().to_vec(),
    };
    let Some(new_extra) = new_now.strip_prefix(new_text.as_bytes()) else {
        // The new file was replaced wholesale since: that writer's version
        // stands.
        observe(Stage::Settled);
        return Err(WriteError::Failed(
            "changed on disk while it was being replaced, twice; the latest version was kept and the file was not rewritten".into(),
        ));
    };
    let mut restored = old.clone();
    restored.extend_from_slice(new_extra);
    restore(path, &restored, &before)?;
    // Bytes appended to either file after they were read go to the end
    // of the restored one, by appending, which does not race with other
    // appending writers.
    let (mut old_seen, mut new_seen) = (old.len(), new_now.len());
    for _ in 0..8 {
        let o = read_all(&held)?;
        let n = match &fresh {
            Some(f) => read_all(f)?,
            None => Vec::new(),
        };
        let mut late = Vec::new();
        late.extend_from_slice(o.get(old_seen..).unwrap_or_default());
        late.extend_from_slice(n.get(new_seen..).unwrap_or_default());
        if late.is_empty() {
            break;
        }
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .and_then(|mut f| f.write_all(&late))
            .map_err(|e| format!("cannot restore a concurrent change: {e}"))?;
        old_seen = o.len();
        new_seen = n.len();
    }
    observe(Stage::Settled);
    Err(WriteError::Failed(
        "changed on disk while it was being replaced; the other change was kept and the file was not rewritten".into(),
    ))
}

/// The whole content of an open file, read from its start.
fn read_all(f: &File) -> Result<Vec<u8>, String> {
    use std::io::{Read, Seek};
    let mut h = f;
    h.rewind().map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    h.read_to_end(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Puts `content` (the old file as another writer left it) back at `path`.
fn restore(path: &Path, content: &[u8], before: &Metadata) -> Result<(), String> {
    let mut tmp = temporary_beside(path, None)
        .map_err(|e| format!("cannot restore a concurrent change: {e}"))?;
    tmp.write_all(content)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| format!("cannot restore a concurrent change: {e}"))?;
    let _ = std::fs::set_permissions(tmp.path(), before.permissions());
    let _ = keep_owner(tmp.as_file(), before);
    tmp.persist(path)
        .map_err(|e| format!("cannot restore a concurrent change: {}", e.error))?;
    Ok(())
}

/// Whether `path` still holds what was read: same size, modification time
/// and inode as `before`, and the same content.
fn check_unchanged(path: &Path, before: &Metadata, len: usize, want: u64) -> Result<(), String> {
    let changed = || Err("changed on disk since it was read; not overwritten".to_string());
    let now = std::fs::metadata(path).map_err(|e| format!("cannot re-read before writing: {e}"))?;
    if now.len() != len as u64
        || !same_file(before, &now)
        || now.modified().ok() != before.modified().ok()
    {
        return changed();
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot re-read before writing: {e}"))?;
    if digest(&bytes) != want {
        return changed();
    }
    Ok(())
}

fn digest(bytes: &[u8]) -> u64 {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.ino() == b.ino() && a.dev() == b.dev()
}

#[cfg(not(unix))]
fn same_file(_: &Metadata, _: &Metadata) -> bool {
    true
}

#[cfg(unix)]
fn hard_links(m: &Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    (m.nlink() > 1).then(|| m.nlink())
}

#[cfg(not(unix))]
fn hard_links(_: &Metadata) -> Option<u64> {
    None
}

/// Gives the new file the old one's owner and group. Only a privileged
/// process may give a file away; for others the file is theirs already
/// (or the group is set if they belong to it), and a refusal is not an
/// error unless the owner would change.
#[cfg(unix)]
fn keep_owner(tmp: &File, before: &Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let mine = tmp.metadata().map_err(|e| e.to_string())?;
    if mine.uid() == before.uid() && mine.gid() == before.gid() {
        return Ok(());
    }
    match std::os::unix::fs::fchown(tmp, Some(before.uid()), Some(before.gid())) {
        Ok(()) => Ok(()),
        Err(_) if mine.uid() == before.uid() => {
            // Same owner, another group we may not set: keep what we can.
            let _ = std::os::unix::fs::fchown(tmp, None, Some(before.gid()));
            Ok(())
        }
        Err(e) => Err(format!(
            "belongs to another user ({}:{}) and its owner cannot be kept: {e}; not rewritten",
            before.uid(),
            before.gid()
        )),
    }
}

#[cfg(not(unix))]
fn keep_owner(_: &File, _: &Metadata) -> Result<(), String> {
    Ok(())
}

/// Flushes a directory entry change (the rename) to disk, where supported.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Writes a file gomend owns (a baseline), created or replaced whole:
/// the text goes to a temporary beside it, which is then renamed over it,
/// so that a reader sees the old file or the new one, never a part.
pub fn write_whole_file(path: &Path, text: impl AsRef<[u8]>) -> Result<(), String> {
    let dir = parent_dir(path);
    // A new file gets the usual mode (umask applies), a replaced one keeps its own.
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o666))
    };
    #[cfg(not(unix))]
    let mode = None;
    let mut tmp = temporary_beside(path, mode)
        .map_err(|e| format!("{}: cannot create a temporary file: {e}", path.display()))?;
    if let Ok(m) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(tmp.path(), m.permissions());
    }
    tmp.write_all(text.as_ref())
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| format!("{}: cannot write: {}", path.display(), e.error))?;
    sync_dir(dir);
    Ok(())
}

/// The directory holding `path` (`.` for a bare file name).
fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A new temporary file beside `path`, named
/// `.<name>.gomend-<pid>-<random>.tmp` so that a later run recognises it
/// (see [`temporary_owner`]), created with `permissions` when given.
fn temporary_beside(
    path: &Path,
    permissions: Option<std::fs::Permissions>,
) -> std::io::Result<tempfile::NamedTempFile> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.gomend-{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    if let Some(p) = permissions {
        builder.permissions(p);
    }
    builder.tempfile_in(parent_dir(path))
}

/// Whether `name` is a temporary file of ours: `.<name>.gomend-<pid>-<random>.tmp`.
/// Gives the process id that made it.
pub fn temporary_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let at = rest.rfind(".gomend-")?;
    let tail = &rest[at + ".gomend-".len()..];
    let (pid, random) = tail.split_once('-')?;
    (!random.is_empty()).then_some(())?;
    pid.parse().ok()
}

/// Removes the temporary files a killed run left in `dir`: ours by name,
/// made by a process that no longer runs. Returns the removed paths.
pub fn remove_stale_temporaries(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = temporary_owner(&name) else {
            continue;
        };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        if std::fs::remove_file(e.path()).is_ok() {
            removed.push(e.path());
        }
    }
    removed
}

/// Whether a process runs with this id (Linux: its `/proc` entry; elsewhere
/// assumed alive, so nothing is removed by mistake).
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        proc.join(pid.to_string()).exists()
    } else {
        true
    }
}

static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on, Ctrl-C (SIGINT) only sets a flag that [`interrupted`]
/// reads: the caller finishes the file it is writing and stops.
pub fn stop_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
    });
}

/// Whether Ctrl-C was pressed since [`stop_on_interrupt`].
pub fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst)
}

/// The tree a run over `paths` writes to, for [`TreeLock`]: the root of the
/// git repository holding the first path, or that path's directory.
pub fn tree_root(paths: &[PathBuf]) -> PathBuf {
    let first = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let abs = std::path::absolute(&first).unwrap_or(first);
    let start = if abs.is_dir() {
        abs.clone()
    } else {
        abs.parent().map(Path::to_path_buf).unwrap_or(abs.clone())
    };
    start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
        .unwrap_or(start)
}

/// An advisory lock that keeps two `apply` runs from writing the same tree
/// at once. Held until dropped.
pub struct TreeLock {
    _file: File,
}

impl TreeLock {
    /// Takes the lock for the tree at `root` (a repository root or the
    /// directory being processed). When another run holds it, `waiting` is
    /// called once and the lock is waited for.
    pub fn acquire(root: &Path, waiting: impl FnOnce(&Path)) -> Result<TreeLock, String> {
        let path = lock_path(root);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| format!("cannot open the lock file {}: {e}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                waiting(&path);
                file.lock()
                    .map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(format!("cannot lock {}: {e}", path.display()))
            }
        }
        Ok(TreeLock { _file: file })
    }
}

/// Where the lock for `root` lives: inside `.git` for a repository (never
/// shown by `git status`), else in the system's temporary directory, named
/// after the tree.
fn lock_path(root: &Path) -> PathBuf {
    let abs = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let git = abs.join(".git");
    if git.is_dir() {
        return git.join("gomend.lock");
    }
    let mut h = DefaultHasher::new();
    abs.hash(&mut h);
    std::env::temp_dir().join(format!("gomend-{:016x}.lock", h.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_file_changed_since_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.go");
        std::fs::write(&p, "new").unwrap();
        assert!(replace_file(&p, "old", "x").is_err());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        replace_file(&p, "new", "newer").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "newer");
    }

    #[cfg(unix)]
    #[test]
    fn keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.go");
        std::fs::write(&p, "a").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
        replace_file(&p, "a", "b").unwrap();
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }

    #[test]
    fn temporary_names_are_recognised() {
        assert_eq!(temporary_owner(".a.go.gomend-123-XyZ12.tmp"), Some(123));
        assert_eq!(temporary_owner(".a.gomend-x.go.gomend-9-abc.tmp"), Some(9));
        assert_eq!(temporary_owner("a.go"), None);
        assert_eq!(temporary_owner(".a.go.gomend-123-.tmp"), None);
        assert_eq!(temporary_owner(".gomend-abc"), None);
    }
}
