//! Backups that restore (issue 10 item 9, RX.2; SECURITY.md "Durability"): `backup` takes a
//! consistent snapshot of the running platform's database, kept files included (they are rows
//! of `files`), and writes it SM4-GCM encrypted and authenticated, with a manifest of what it
//! holds; `restore` puts it onto an empty instance only after every chunk has been
//! authenticated, then checks the restored tables against the manifest and verifies the
//! record. Every backup, taken or failed, writes one security record.
//!
//! Consistency: on SQLite, `VACUUM INTO` copies one read transaction's view while the writer
//! goes on, and the manifest is computed from the copy itself. On PostgreSQL, a `REPEATABLE
//! READ` transaction exports its snapshot, the manifest is computed inside it, and `pg_dump
//! --snapshot` dumps exactly that snapshot while the transaction stays open.
//!
//! Keys: the backup key is a file of its own beside the platform's (`<key_file>` with the
//! extension `.backup`: 32 random bytes in hex, mode 0600, made at the first backup); the
//! chunks' SM4 key is derived from it (`crypto::derive_key(secret, "backup")`). No key is in a
//! backup: the database holds none, and a restore needs the key files brought back apart.
//!
//! The parts: the backup key (`key`), the private scratch directory both sides work in
//! (`scratch`), taking a backup (`take`), checking a file without writing anything (`verify`),
//! and restoring one (`restore`); the file format is `format`. The error both sides answer
//! with stays here.

pub mod format;
mod key;
mod restore;
mod scratch;
mod take;
mod verify;

use crate::AppError;
use format::FormatError;

pub use format::CHUNK;
pub use key::{BackupKey, backup_key_path};
pub use restore::{Restored, restore};
pub use take::{Options, Written, backup, backup_with};
pub use verify::{Verified, verify_file};

/// Why a backup or a restore did not happen. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The restore's target already holds data; nothing was written.
    #[error("{0}")]
    NotEmpty(String),
    /// The file fails authentication (or is not a backup); nothing was written.
    #[error("the backup {file} is refused and nothing was written: {why}")]
    Unauthentic { file: String, why: FormatError },
    /// A key file is missing, unreadable or not the one the backup needs.
    #[error("{0}")]
    Keys(String),
    /// Refused for another reason, named.
    #[error("{0}")]
    Refused(String),
    /// `pg_dump` or `pg_restore` failed.
    #[error("{0}")]
    Tool(String),
    #[error("{what}: {err}")]
    Io { what: String, err: std::io::Error },
    #[error(transparent)]
    App(#[from] AppError),
}

impl From<store::StoreError> for BackupError {
    fn from(e: store::StoreError) -> BackupError {
        BackupError::App(AppError::from(e))
    }
}

fn io(what: impl std::fmt::Display) -> impl FnOnce(std::io::Error) -> BackupError {
    move |err| BackupError::Io {
        what: what.to_string(),
        err,
    }
}

fn joined(e: tokio::task::JoinError) -> BackupError {
    BackupError::Refused(format!("the backup task stopped: {e}"))
}
