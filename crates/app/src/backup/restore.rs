//! Restoring a backup onto an empty instance: every refusal before anything is written (the
//! target, the keys, each chunk), then the snapshot put in place, compared with the manifest,
//! and the record verified.

use super::format::{self, Header, Opened};
use super::key::BackupKey;
use super::scratch::{Scratch, parent_of};
use super::verify::{check_backup_key, open_file, unauthentic};
use super::{BackupError, io, joined};
use crate::audit;
use std::path::Path;
use std::time::{Duration, Instant};
use store::Backend;
use store::backup::Contents;

/// A restore done: what the backup said, what the restored database holds, how they differ,
/// and the record's verification.
#[derive(Debug, Clone)]
pub struct Restored {
    pub header: Header,
    pub opened: Opened,
    pub found: Contents,
    /// Empty when every table, the ledger's head and the newest checkpoint match the manifest.
    pub differences: Vec<String>,
    pub report: audit::Report,
    pub took: Duration,
}

impl Restored {
    /// The digests match and the record is intact.
    pub fn is_good(&self) -> bool {
        self.differences.is_empty() && self.report.is_intact()
    }
}

/// Restores `file` onto the empty database `target`, with the platform's key files at
/// `key_file` (the same files the backup's database was recorded with, and the backup key
/// beside them). Refuses, writing nothing, a target that holds anything, key files that are
/// not the backup's, and a file of which any byte fails authentication; then puts the
/// snapshot in place, compares the restored tables with the manifest and verifies the record
/// (with the backup's newest checkpoint as the anchor).
pub async fn restore(
    file: &Path,
    target: &str,
    key_file: &Path,
    policy: &domain::Policy,
) -> Result<Restored, BackupError> {
    let started = Instant::now();
    let backend = store::backup::backend_of(target)?;
    let key = BackupKey::load(key_file)?;
    let (header, _) = {
        let f = std::fs::File::open(file).map_err(io(format!("cannot read {}", file.display())))?;
        format::read_header(&mut std::io::BufReader::new(f)).map_err(unauthentic(file))?
    };
    check_backup_key(file, &header, &key)?;
    let engine = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    if header.engine != engine {
        return Err(BackupError::Refused(format!(
            "{} is a {} backup; restore it onto a {} database",
            file.display(),
            header.engine,
            header.engine
        )));
    }
    let mut trust = platform_keys_of(key_file, &header)?;
    if let Some(o) = store::backup::occupied(target).await? {
        let what = match backend {
            Backend::Sqlite => format!(
                "the target file {} exists already ({} tables, {} rows): a restore goes only onto an empty instance; pass --db with a path that does not exist yet",
                store::backup::sqlite_path(target).display(),
                o.tables,
                o.rows
            ),
            Backend::Postgres => format!(
                "the target database holds {} tables ({} rows): a restore goes only onto an empty database; create a new one (CREATE DATABASE ..., or createdb) and pass its URL with --db",
                o.tables, o.rows
            ),
        };
        return Err(BackupError::NotEmpty(what));
    }
    // Every chunk is authenticated into a private scratch file before anything is written to
    // the target: on SQLite beside the target (so putting it in place is one link), on
    // PostgreSQL in the system's temporary directory.
    let scratch_parent = match backend {
        Backend::Sqlite => {
            let dir = parent_of(&store::backup::sqlite_path(target));
            std::fs::create_dir_all(&dir)
                .map_err(io(format!("cannot create {}", dir.display())))?;
            dir
        }
        Backend::Postgres => std::env::temp_dir(),
    };
    let scratch = Scratch::new(&scratch_parent, "tongchou-restore")?;
    let plain = scratch.join("payload");
    let opened = {
        let (file, plain, key) = (file.to_path_buf(), plain.clone(), key);
        tokio::task::spawn_blocking(move || {
            let f = store::backup::create_private(&plain)
                .map_err(io(format!("cannot create {}", plain.display())))?;
            let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
            let v = open_file(&file, &key, &mut w)?;
            let f = w.into_inner().map_err(|e| BackupError::Io {
                what: format!("cannot write {}", plain.display()),
                err: e.into_error(),
            })?;
            f.sync_all()
                .map_err(io(format!("cannot sync {}", plain.display())))?;
            Ok::<_, BackupError>(v)
        })
        .await
        .map_err(joined)??
    };
    if opened.header != header {
        return Err(BackupError::Refused(
            "the backup changed while it was being read".into(),
        ));
    }
    match backend {
        Backend::Sqlite => {
            let path = store::backup::sqlite_path(target);
            store::backup::place_new(&plain, &path).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    BackupError::NotEmpty(format!(
                        "the target file {} appeared during the restore; nothing was written to it",
                        path.display()
                    ))
                } else {
                    BackupError::Io {
                        what: format!("cannot write {}", path.display()),
                        err: e,
                    }
                }
            })?;
        }
        Backend::Postgres => {
            let cmd = store::backup::pg_restore(target, &plain);
            tokio::task::spawn_blocking(move || run_restore(cmd))
                .await
                .map_err(joined)??;
        }
    }
    drop(scratch);
    let found = store::backup::contents_of(target).await?;
    let differences = header.manifest.differences(&found);
    trust.anchor.clone_from(&header.manifest.checkpoint);
    let restored = store::Store::open(target).await?;
    let report = audit::verify(&restored, &trust, policy).await;
    restored.close().await;
    Ok(Restored {
        header,
        opened: opened.opened,
        found,
        differences,
        report: report?,
        took: started.elapsed(),
    })
}

/// The key files at `key_file`, which must be the ones the backup's record was made with:
/// checked before anything is written, since a restore without them cannot be verified or
/// run.
fn platform_keys_of(key_file: &Path, header: &Header) -> Result<audit::Trust, BackupError> {
    let bring_back = "bring the platform's key files (platform-sm2.key, .pub, .ledger) back from where the keys are kept, beside --key-file";
    let trust = audit::Trust::of_key_file(key_file)
        .map_err(|e| BackupError::Keys(format!("{e}; {bring_back}")))?;
    let signing = std::fs::read_to_string(key_file)
        .ok()
        .and_then(|t| crypto::KeyPair::from_secret_hex(&t).ok())
        .map(|k| k.public().id());
    if signing.as_deref() != Some(header.platform_key_id.as_str())
        || !trust
            .public_keys
            .iter()
            .any(|k| k.id() == header.platform_key_id)
    {
        return Err(BackupError::Keys(format!(
            "the backup's record was signed with the platform key {}, which {} does not hold: {bring_back}",
            header.platform_key_id,
            key_file.display()
        )));
    }
    if trust.mac_key.as_ref().map(crypto::MacKey::id) != Some(header.ledger_key_id.clone()) {
        return Err(BackupError::Keys(format!(
            "the backup's ledger was kept with the ledger key {}, which {} does not hold: {bring_back}",
            header.ledger_key_id,
            crate::keys::ledger_key_path(key_file).display()
        )));
    }
    Ok(trust)
}

fn run_restore(mut cmd: std::process::Command) -> Result<(), BackupError> {
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            BackupError::Tool(format!(
                "cannot run pg_restore: {e} (install the PostgreSQL client tools of the server's version, or set TONGCHOU_PG_BIN to their directory)"
            ))
        })?;
    if !out.status.success() {
        return Err(BackupError::Tool(format!(
            "pg_restore failed ({}), and restored nothing (one transaction): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}
