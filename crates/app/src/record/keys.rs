//! The platform's keys: files named in configuration, created on first start with 0600
//! permissions, never in the database or the repository.
//! - the SM2 signing key (`platform-sm2.key`), whose public half is written beside it
//!   (`.pub`) so an auditor can verify checkpoints on a copy of the database;
//! - the ledger's HMAC-SM3 key (`.ledger` beside it), which the database never holds, so that
//!   whoever can write the database cannot extend the record.
//!
//! A key file is made only for a database that has nothing it protects: once checkpoints or
//! sealed keys exist, a missing key file stops the start instead of being silently replaced
//! (a new key would leave the old record unverifiable and the sealed keys unopenable).

use crate::AppError;
use std::path::{Path, PathBuf};

/// The ledger key's file, beside the signing key's.
pub fn ledger_key_path(key_file: &Path) -> PathBuf {
    key_file.with_extension("ledger")
}

/// What the database already holds that a key protects.
#[derive(Debug, Clone, Copy, Default)]
pub struct Protected {
    /// Signed checkpoints or sealed signing keys: the signing key must be the old one.
    pub signed: bool,
    /// A started ledger: the MAC key must be the old one.
    pub ledger: bool,
}

fn startup(path: &Path, what: &str, e: &dyn std::fmt::Display) -> AppError {
    AppError::Startup(format!("{what} {}: {e}", path.display()))
}

fn missing(path: &Path, what: &str) -> AppError {
    AppError::Startup(format!(
        "the key file {} is missing, but the database holds {what} made with it: restore the file from the key backup (a new key would leave them unverifiable); to start afresh, use an empty database",
        path.display()
    ))
}

/// Refuses a key file that others than its owner may read.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), AppError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| startup(path, "cannot read", &e))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(AppError::Startup(format!(
            "the key file {} may be read by others (mode {:o}): run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path) -> Result<(), AppError> {
    Ok(())
}

/// The signing key: loaded, or made when the database has nothing signed.
pub fn signing_key(path: &Path, held: Protected) -> Result<crypto::KeyPair, AppError> {
    if path.exists() {
        check_private(path)?;
        return load(path);
    }
    if held.signed {
        return Err(missing(path, "signed checkpoints or sealed signing keys"));
    }
    load_or_create(path)
}

/// The ledger's MAC key: loaded, or made when the database's ledger has not started.
pub fn ledger_key(key_file: &Path, held: Protected) -> Result<crypto::MacKey, AppError> {
    let path = ledger_key_path(key_file);
    if path.exists() {
        check_private(&path)?;
        let text = std::fs::read_to_string(&path)
            .map_err(|e| startup(&path, "cannot read key file", &e))?;
        return crypto::MacKey::from_hex(&text).map_err(|e| startup(&path, "invalid key file", &e));
    }
    if held.ledger {
        return Err(missing(&path, "a ledger"));
    }
    let key = crypto::MacKey::generate().map_err(|e| startup(&path, "cannot generate key", &e))?;
    write_private(&path, &key.to_hex()).map_err(|e| startup(&path, "cannot write key file", &e))?;
    Ok(key)
}

fn load(path: &Path) -> Result<crypto::KeyPair, AppError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| startup(path, "cannot read key file", &e))?;
    crypto::KeyPair::from_secret_hex(&text).map_err(|e| startup(path, "invalid key file", &e))
}

pub fn load_or_create(path: &Path) -> Result<crypto::KeyPair, AppError> {
    let startup = |what: &str, e: &dyn std::fmt::Display| startup(path, what, e);
    if path.exists() {
        return load(path);
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

/// Every public key of a key file, for verification: the `.pub` file holds one per line,
/// the current one last, so checkpoints signed before a rotation still verify.
pub fn public_keys_of(path: &Path) -> Result<Vec<crypto::PublicKey>, AppError> {
    let pub_path = path.with_extension("pub");
    match std::fs::read_to_string(&pub_path) {
        Ok(text) => text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| {
                crypto::PublicKey::from_hex(l).map_err(|e| {
                    AppError::Startup(format!("invalid public key in {}: {e}", pub_path.display()))
                })
            })
            .collect(),
        Err(_) => Ok(vec![public_of(path)?]),
    }
}

/// The public key of a key file, for verification.
pub fn public_of(path: &Path) -> Result<crypto::PublicKey, AppError> {
    let pub_path = path.with_extension("pub");
    if let Ok(text) = std::fs::read_to_string(&pub_path) {
        let current = text.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
        return crypto::PublicKey::from_hex(current).map_err(|e| {
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
