//! Backups at the storage level (issue 10 item 9, RX.2): what a snapshot holds, in per-table
//! SM3 digests with one canonical text form on both engines; the engines' consistent
//! snapshots (SQLite `VACUUM INTO`; on PostgreSQL a `REPEATABLE READ` transaction whose
//! snapshot is exported to `pg_dump --snapshot`); and putting a snapshot in place on an empty
//! target.
//!
//! **The digest of a table** is SM3 over
//! `"tongchou table digest v1\n" NAME "\n" COLUMNS "\n"` and then one line per row, read in
//! primary-key order. Columns are taken by name (sorted), so the physical column order does
//! not matter; each value is written as PostgreSQL's `COPY` text format writes it: `\N` for
//! NULL, integers in decimal, text with `\\`, `\t`, `\n` and `\r` escaped, blobs as `\x`
//! and lowercase hex; values are separated by a tab and each row ends with a newline. Text
//! keys are ordered by their bytes (SQLite's `BINARY`, PostgreSQL's `COLLATE "C"`), so both
//! engines read rows in the same order, and the same rows give the same digest on both.
//!
//! **Every table is listed.** The engines' own tables (`sqlite_sequence`, `sqlite_stat*`)
//! are named as not digested: the snapshot carries them, but they have no counterpart on the
//! other engine. The rows of [`ROWS_NOT_KEPT`] are left out of every backup (the table is
//! kept, empty) and the manifest says so.
//!
//! The parts: [`Contents`] and how two compare (`contents`); the canonical form a digest is
//! written in (`digest`); reading it from each engine (`sqlite`, `postgres`); taking the
//! snapshots (`snapshot`); the PostgreSQL client tools (`pg_tools`); and the checks on a
//! restore's target (`restore`). What both sides share stays here.

mod contents;
mod digest;
mod pg_tools;
mod postgres;
mod restore;
mod snapshot;
mod sqlite;

pub use contents::{Apart, Contents, LedgerPlace, TableDigest};
pub use digest::DIGEST_VERSION;
pub use pg_tools::{pg_dump, pg_restore};
pub use restore::{Occupied, contents_of, occupied};
pub use snapshot::{Exported, export_snapshot, sqlite_snapshot};

use crate::{Backend, StoreError};
use std::path::{Path, PathBuf};

/// Tables whose rows no backup keeps (the table itself is kept, empty), and why.
pub const ROWS_NOT_KEPT: &[(&str, &str)] = &[
    (
        "sessions",
        "login sessions are ephemeral: a restored instance starts with everyone logged out, and a session ended after the backup cannot come back with it",
    ),
    (
        "uploads",
        "files chosen on a refused form are kept for a day for their uploader to send the form again; they belong to no item yet",
    ),
];

fn rows_not_kept(names: &[String]) -> Vec<Apart> {
    ROWS_NOT_KEPT
        .iter()
        .filter(|(t, _)| names.iter().any(|n| n == t))
        .map(|(t, why)| Apart {
            name: t.to_string(),
            reason: why.to_string(),
        })
        .collect()
}

/// `"name"`, with any `"` doubled: an identifier both engines read.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Which engine a URL names.
pub fn backend_of(url: &str) -> Result<Backend, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::BadUrl(url.to_string()))
    }
}

/// The file a `sqlite:` URL names.
pub fn sqlite_path(url: &str) -> PathBuf {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    PathBuf::from(path.split('?').next().unwrap_or(""))
}

fn sqlite_url(path: &Path, mode: &str) -> String {
    format!("sqlite://{}?mode={mode}", path.display())
}

/// An empty file only its owner may read and write.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Puts the finished file `from` at `target` (on the same file system) in one step, never
/// over an existing file (a hard link fails if the target appeared meanwhile), durably (file
/// and directory synced): a SQLite database restored, a backup written.
pub fn place_new(from: &Path, target: &Path) -> std::io::Result<()> {
    std::fs::File::open(from)?.sync_all()?;
    std::fs::hard_link(from, target)?;
    std::fs::remove_file(from)?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sqlite_url_names_its_file() {
        assert_eq!(
            sqlite_path("sqlite://./data/t.db?mode=rwc"),
            PathBuf::from("./data/t.db")
        );
        assert_eq!(sqlite_path("sqlite:/tmp/x.db"), PathBuf::from("/tmp/x.db"));
    }
}
