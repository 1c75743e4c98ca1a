//! Writing rewritten files safely.

use std::io::Write;
use std::path::Path;

/// Replaces `path`'s contents with `new_text`, atomically: the text goes to a
/// temporary file in the same directory, which then takes the file's place,
/// keeping its permissions. The file is left alone when its bytes on disk
/// are no longer `original` (someone changed it since it was read).
pub fn replace_file(path: &Path, original: &str, new_text: &str) -> Result<(), String> {
    let current = std::fs::read(path).map_err(|e| format!("cannot re-read before writing: {e}"))?;
    if current != original.as_bytes() {
        return Err("changed on disk since it was read; not overwritten".into());
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let perms = std::fs::metadata(path)
        .map_err(|e| e.to_string())?
        .permissions();
    let mut tmp = tempfile::Builder::new()
        .prefix(".gomend-")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot create a temporary file: {e}"))?;
    tmp.write_all(new_text.as_bytes())
        .map_err(|e| format!("cannot write: {e}"))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| format!("cannot write: {e}"))?;
    std::fs::set_permissions(tmp.path(), perms)
        .map_err(|e| format!("cannot keep permissions: {e}"))?;
    tmp.persist(path)
        .map_err(|e| format!("cannot replace the file: {}", e.error))?;
    Ok(())
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
}
