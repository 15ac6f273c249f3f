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

/// The key-encryption key's file (it seals users' signing keys), beside the signing key's.
pub fn kek_path(key_file: &Path) -> PathBuf {
    key_file.with_extension("kek")
}

/// What the database already holds that a key protects.
#[derive(Debug, Clone, Copy, Default)]
pub struct Protected {
    /// Signed checkpoints or sealed signing keys: the signing key must be the old one.
    pub signed: bool,
    /// A started ledger: the MAC key must be the old one.
    pub ledger: bool,
    /// Users' keys sealed under the KEK file: it must be the old one.
    pub sealed: bool,
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
    secret(&ledger_key_path(key_file), held.ledger, "a ledger")
}

/// The key-encryption key: loaded, or made when no user's key is sealed under one.
pub fn kek(key_file: &Path, held: Protected) -> Result<crypto::MacKey, AppError> {
    secret(
        &kek_path(key_file),
        held.sealed,
        "users' signing keys sealed",
    )
}

/// A 256-bit secret in a file of its own: loaded, or made when nothing needs the old one.
fn secret(path: &Path, needed: bool, what: &str) -> Result<crypto::MacKey, AppError> {
    if path.exists() {
        check_private(path)?;
        let text =
            std::fs::read_to_string(path).map_err(|e| startup(path, "cannot read key file", &e))?;
        return crypto::MacKey::from_hex(&text).map_err(|e| startup(path, "invalid key file", &e));
    }
    if needed {
        return Err(missing(path, what));
    }
    let key = crypto::MacKey::generate().map_err(|e| startup(path, "cannot generate key", &e))?;
    write_private(path, &key.to_hex()).map_err(|e| startup(path, "cannot write key file", &e))?;
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

/// Replaces the platform's signing key with a new one (`tongchou key rotate`, with the server
/// stopped): the new public half is added to the `.pub` file, whose earlier lines stay, so
/// checkpoints signed before keep verifying. The old private half is destroyed: nothing needs
/// it once its public half is kept. Users' sealed keys are untouched (they are sealed under
/// the KEK). Returns the (old, new) key ids.
pub fn rotate(path: &Path) -> Result<(String, String), AppError> {
    let old = load(path)?;
    let new = crypto::KeyPair::generate().map_err(|e| startup(path, "cannot generate key", &e))?;
    let public = path.with_extension("pub");
    let mut listed = std::fs::read_to_string(&public).unwrap_or_default();
    if !listed.lines().any(|l| l.trim() == old.public().to_hex()) {
        listed.push_str(&format!("{}\n", old.public().to_hex()));
    }
    if !listed.is_empty() && !listed.ends_with('\n') {
        listed.push('\n');
    }
    listed.push_str(&format!("{}\n", new.public().to_hex()));
    let staged = path.with_extension("key-new");
    let _ = std::fs::remove_file(&staged);
    write_private(&staged, &new.secret_hex())
        .map_err(|e| startup(&staged, "cannot write key file", &e))?;
    std::fs::write(&public, listed)
        .map_err(|e| startup(&public, "cannot write public keys", &e))?;
    std::fs::rename(&staged, path).map_err(|e| startup(path, "cannot replace key file", &e))?;
    Ok((old.public().id(), new.public().id()))
}

/// Records a rotation in the security stream and signs a checkpoint with the new key, so the
/// ledger itself says when the key changed.
pub async fn record_rotation(
    p: &crate::Platform,
    operator: &str,
    old: &str,
    new: &str,
) -> Result<Option<i64>, AppError> {
    let detail = serde_json::json!({ "old": old, "new": new });
    crate::record::operator_event(p, operator, "key.rotate", "ok", detail).await?;
    crate::audit::checkpoint(p).await
}
