//! Scratch space: a private directory a backup or a restore writes its unfinished files into,
//! removed with them whatever happens, and the file-name helpers that place it.

use super::{BackupError, io};
use std::path::{Path, PathBuf};

/// A private directory (0700), removed with everything in it when dropped.
pub(super) struct Scratch(PathBuf);

impl Scratch {
    pub(super) fn new(parent: &Path, label: &str) -> Result<Scratch, BackupError> {
        let rand: [u8; 6] = crypto::random_bytes()
            .map_err(|e| BackupError::Refused(format!("no randomness: {e}")))?;
        let path = parent.join(format!(".{label}.tmp-{}", hex::encode(rand)));
        let mut b = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(&path)
            .map_err(io(format!("cannot create {}", path.display())))?;
        Ok(Scratch(path))
    }

    pub(super) fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(super) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "backup".into())
}

pub(super) fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
