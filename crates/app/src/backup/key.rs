//! The backup key: a file of its own beside the platform's keys, from which every backup's
//! chunk key is derived. Apart because taking, checking and restoring all need it, and
//! because who may read it is checked here.

use super::{BackupError, io};
use std::path::{Path, PathBuf};

/// The backup key's file, beside the platform's signing key (`platform-sm2.backup`).
pub fn backup_key_path(key_file: &Path) -> PathBuf {
    key_file.with_extension("backup")
}

/// The secret every backup's chunk key is derived from.
pub struct BackupKey([u8; 32]);

impl BackupKey {
    /// A short public name of the key (the first 16 hex digits of SM3 over it).
    pub fn id(&self) -> String {
        crypto::sm3_parts(&[b"tongchou backup key id\0", &self.0])[..16].to_string()
    }

    pub(super) fn chunk_key(&self) -> [u8; 16] {
        crypto::derive_key(&self.0, "backup")
    }

    /// The key beside `key_file`; it must exist (a restore never makes one).
    pub fn load(key_file: &Path) -> Result<BackupKey, BackupError> {
        let path = backup_key_path(key_file);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            BackupError::Keys(format!(
                "cannot read the backup key {}: {e}; bring it back from where the keys are kept (it is never inside a backup)",
                path.display()
            ))
        })?;
        check_private(&path)?;
        let bytes = hex::decode(text.trim()).ok();
        let secret: [u8; 32] = bytes
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| BackupError::Keys(format!("{} is not a backup key", path.display())))?;
        Ok(BackupKey(secret))
    }

    /// The key beside `key_file`, made (32 random bytes, mode 0600) if there is none yet.
    pub fn load_or_create(key_file: &Path) -> Result<BackupKey, BackupError> {
        let path = backup_key_path(key_file);
        if path.exists() {
            return BackupKey::load(key_file);
        }
        let secret: [u8; 32] = crypto::random_bytes()
            .map_err(|e| BackupError::Keys(format!("cannot make a backup key: {e}")))?;
        use std::io::Write;
        let mut f = store::backup::create_private(&path).map_err(io(format!(
            "cannot write the backup key {}",
            path.display()
        )))?;
        f.write_all(hex::encode(secret).as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(io(format!(
                "cannot write the backup key {}",
                path.display()
            )))?;
        Ok(BackupKey(secret))
    }
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), BackupError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(io(format!("cannot read {}", path.display())))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(BackupError::Keys(format!(
            "the backup key {} may be read by others (mode {:o}): run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path) -> Result<(), BackupError> {
    Ok(())
}

/// The id of the ledger key beside `key_file`, if readable.
pub(super) fn ledger_key_id(key_file: &Path) -> Option<String> {
    std::fs::read_to_string(crate::keys::ledger_key_path(key_file))
        .ok()
        .and_then(|t| crypto::MacKey::from_hex(&t).ok())
        .map(|k| k.id())
}
