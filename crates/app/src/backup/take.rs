//! Taking a backup: the engine's consistent snapshot, sealed chunk by chunk into a new
//! private file, put in place only when whole, and one security record either way.

use super::format::{self, FormatError, Header, Sealed};
use super::key::{BackupKey, ledger_key_id};
use super::scratch::{Scratch, file_name, parent_of};
use super::{BackupError, CHUNK, io, joined};
use crate::{AppError, Platform};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use store::Backend;
use store::backup::Contents;

/// How a backup is written; the defaults suit production.
#[derive(Debug, Clone)]
pub struct Options {
    /// Plaintext bytes per chunk.
    pub chunk_size: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options { chunk_size: CHUNK }
    }
}

/// A backup written.
#[derive(Debug, Clone)]
pub struct Written {
    pub path: PathBuf,
    pub header: Header,
    /// SM3 of the header as written: what the security record names.
    pub header_digest: String,
    pub sealed: Sealed,
    pub took: Duration,
}

/// Writes a backup of the platform's database to `path` (which must not exist), and one
/// security record saying so (or that it failed, and why).
pub async fn backup(p: &Platform, operator: &str, path: &Path) -> Result<Written, BackupError> {
    backup_with(p, operator, path, &Options::default()).await
}

pub async fn backup_with(
    p: &Platform,
    operator: &str,
    path: &Path,
    opts: &Options,
) -> Result<Written, BackupError> {
    let outcome = take(p, path, opts).await;
    let (result, detail) = match &outcome {
        Ok(w) => (
            "ok",
            serde_json::json!({
                "file": w.path.display().to_string(),
                "engine": w.header.engine,
                "header_sm3": w.header_digest,
                "backup_key": w.header.backup_key_id,
                "tables": w.header.manifest.tables.len(),
                "rows": w.header.manifest.rows(),
                "bytes": w.sealed.file_bytes,
                "lseq": w.header.manifest.ledger.as_ref().map(|l| l.lseq),
                "checkpoint": w.header.manifest.checkpoint.as_ref().map(|c| c.number),
            }),
        ),
        Err(e) => (
            "failed",
            serde_json::json!({ "file": path.display().to_string(), "reason": e.to_string() }),
        ),
    };
    if let Err(e) = record(p, operator, result, detail).await {
        // A backup nobody can see in the record is not kept.
        if let Ok(w) = &outcome {
            let _ = std::fs::remove_file(&w.path);
        }
        return Err(e.into());
    }
    outcome
}

async fn record(
    p: &Platform,
    operator: &str,
    result: &'static str,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    crate::record::operator_event(p, operator, "backup", result, detail).await
}

async fn take(p: &Platform, path: &Path, opts: &Options) -> Result<Written, BackupError> {
    let started = Instant::now();
    if path.exists() {
        return Err(BackupError::Refused(format!(
            "{} exists already: a backup never overwrites a file; name a new one",
            path.display()
        )));
    }
    let key = BackupKey::load_or_create(&p.settings.key_file)?;
    let work = Scratch::new(&parent_of(path), &file_name(path))?;
    let partial = work.join("backup.partial");
    let header = |engine: &str, payload: &str, manifest: Contents| Header {
        format: format::FORMAT,
        engine: engine.into(),
        payload: payload.into(),
        created_at: store::timestamp(p.now()),
        backup_key_id: key.id(),
        chunk_size: opts.chunk_size as u64,
        platform_key_id: p.key.public().id(),
        ledger_key_id: ledger_key_id(&p.settings.key_file).unwrap_or_default(),
        manifest,
    };
    let chunk_key = key.chunk_key();
    let (header, (digest, sealed)) = match p.store.backend() {
        Backend::Sqlite => {
            let snapshot = work.join("snapshot.db");
            let manifest = store::backup::sqlite_snapshot(&p.store, &snapshot).await?;
            let header = header("sqlite", "sqlite-vacuum-into", manifest);
            let (h, out) = (header.clone(), partial.clone());
            let written = tokio::task::spawn_blocking(move || {
                let mut f = std::fs::File::open(&snapshot)
                    .map_err(io(format!("cannot read {}", snapshot.display())))?;
                seal_into(&out, &chunk_key, &h, &mut f)
            })
            .await
            .map_err(joined)??;
            (header, written)
        }
        Backend::Postgres => {
            let mut exported = store::backup::export_snapshot(&p.store).await?;
            let manifest = exported.contents().await?;
            let header = header("postgres", "pg_dump-custom", manifest);
            let cmd = store::backup::pg_dump(p.store.url(), &exported.id);
            let (h, out) = (header.clone(), partial.clone());
            let written =
                tokio::task::spawn_blocking(move || dump_sealed(cmd, &out, &chunk_key, &h))
                    .await
                    .map_err(joined);
            exported.end().await?;
            (header, written??)
        }
    };
    store::backup::place_new(&partial, path)
        .map_err(io(format!("cannot write {}", path.display())))?;
    Ok(Written {
        path: path.to_path_buf(),
        header,
        header_digest: digest,
        sealed,
        took: started.elapsed(),
    })
}

/// Writes the sealed backup into the new private file `out`, synced.
fn seal_into(
    out: &Path,
    key: &[u8; 16],
    header: &Header,
    payload: &mut impl std::io::Read,
) -> Result<(String, Sealed), BackupError> {
    let f = store::backup::create_private(out)
        .map_err(io(format!("cannot create {}", out.display())))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 16, f);
    let written = format::write(&mut w, key, header, payload).map_err(|e| match e {
        FormatError::Io(err) => BackupError::Io {
            what: format!("cannot write {}", out.display()),
            err,
        },
        other => BackupError::Refused(other.to_string()),
    })?;
    let f = w.into_inner().map_err(|e| BackupError::Io {
        what: format!("cannot write {}", out.display()),
        err: e.into_error(),
    })?;
    f.sync_all()
        .map_err(io(format!("cannot sync {}", out.display())))?;
    Ok(written)
}

/// Runs `pg_dump` and seals its output as it comes (nothing in the clear touches the disk).
fn dump_sealed(
    mut cmd: std::process::Command,
    out: &Path,
    key: &[u8; 16],
    header: &Header,
) -> Result<(String, Sealed), BackupError> {
    use std::process::Stdio;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| {
        BackupError::Tool(format!(
            "cannot run pg_dump: {e} (install the PostgreSQL client tools of the server's version, or set TONGCHOU_PG_BIN to their directory)"
        ))
    })?;
    let stderr = child.stderr.take();
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut s) = stderr {
            let _ = std::io::Read::read_to_string(&mut s, &mut text);
        }
        text
    });
    let written = match child.stdout.take() {
        Some(mut stdout) => seal_into(out, key, header, &mut stdout),
        None => Err(BackupError::Tool("pg_dump gave no output".into())),
    };
    let status = child.wait().map_err(io("pg_dump"))?;
    let errors = errors.join().unwrap_or_default();
    if !status.success() {
        return Err(BackupError::Tool(format!(
            "pg_dump failed ({status}): {}",
            errors.trim()
        )));
    }
    written
}
