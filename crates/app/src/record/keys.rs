//! The platform's SM2 key: a file named in configuration, created on first start with 0600
//! permissions, never in the database or the repository. Its public half is written beside it
//! so an auditor can verify checkpoints on a copy of the database.

use crate::AppError;
use std::path::Path;

pub fn load_or_create(path: &Path) -> Result<crypto::KeyPair, AppError> {
    let startup = |what: &str, e: &dyn std::fmt::Display| {
        AppError::Startup(format!("{what} {}: {e}", path.display()))
    };
    if path.exists() {
        let text =
            std::fs::read_to_string(path).map_err(|e| startup("cannot read key file", &e))?;
        return crypto::KeyPair::from_secret_hex(&text)
            .map_err(|e| startup("invalid key file", &e));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| startup("cannot create key directory for", &e))?;
    }
    let key = crypto::KeyPair::generate().map_err(|e| startup("cannot generate key", &e))?;
    write_private(path, &key.secret_hex()).map_err(|e| startup("cannot write key file", &e))?;
    let public = path.with_extension("pub");
    std::fs::write(&public, key.public().to_hex())
        .map_err(|e| startup("cannot write public key", &e))?;
    Ok(key)
}

/// The public key of a key file, for verification.
pub fn public_of(path: &Path) -> Result<crypto::PublicKey, AppError> {
    let pub_path = path.with_extension("pub");
    if let Ok(text) = std::fs::read_to_string(&pub_path) {
        return crypto::PublicKey::from_hex(&text).map_err(|e| {
            AppError::Startup(format!("invalid public key {}: {e}", pub_path.display()))
        });
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::Startup(format!("cannot read key {}: {e}", path.display())))?;
    let key =
        crypto::KeyPair::from_secret_hex(&text).map_err(|e| AppError::Startup(e.to_string()))?;
    Ok(key.public())
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}
