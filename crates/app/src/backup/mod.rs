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

pub mod format;

use crate::{AppError, Platform, audit};
use format::{FormatError, Header, Opened, Sealed};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use store::Backend;
use store::backup::Contents;

pub use format::CHUNK;

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

// ---------------------------------------------------------------------------------------
// The backup key.

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

    fn chunk_key(&self) -> [u8; 16] {
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
fn ledger_key_id(key_file: &Path) -> Option<String> {
    std::fs::read_to_string(crate::keys::ledger_key_path(key_file))
        .ok()
        .and_then(|t| crypto::MacKey::from_hex(&t).ok())
        .map(|k| k.id())
}

// ---------------------------------------------------------------------------------------
// Scratch space.

/// A private directory (0700), removed with everything in it when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(parent: &Path, label: &str) -> Result<Scratch, BackupError> {
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

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "backup".into())
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

// ---------------------------------------------------------------------------------------
// Taking a backup.

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

// ---------------------------------------------------------------------------------------
// Checking and restoring.

/// A backup file checked: its header, authenticated by every chunk.
#[derive(Debug, Clone)]
pub struct Verified {
    pub header: Header,
    pub header_digest: String,
    pub opened: Opened,
}

fn unauthentic(file: &Path) -> impl FnOnce(FormatError) -> BackupError {
    let file = file.display().to_string();
    move |why| match why {
        FormatError::Io(err) => BackupError::Io {
            what: format!("cannot read {file}"),
            err,
        },
        why => BackupError::Unauthentic { file, why },
    }
}

/// Opens every chunk of `file`, writing the plaintext to `sink` as it is authenticated.
fn open_file(
    file: &Path,
    key: &BackupKey,
    sink: &mut impl std::io::Write,
) -> Result<Verified, BackupError> {
    let f = std::fs::File::open(file).map_err(io(format!("cannot read {}", file.display())))?;
    let mut r = std::io::BufReader::with_capacity(1 << 16, f);
    let (header, digest) = format::read_header(&mut r).map_err(unauthentic(file))?;
    check_backup_key(file, &header, key)?;
    let opened = format::open_chunks(&mut r, &key.chunk_key(), &header, &digest, sink)
        .map_err(unauthentic(file))?;
    Ok(Verified {
        header,
        header_digest: digest,
        opened,
    })
}

fn check_backup_key(file: &Path, header: &Header, key: &BackupKey) -> Result<(), BackupError> {
    if header.backup_key_id != key.id() {
        return Err(BackupError::Keys(format!(
            "{} was made with the backup key {}, but the backup key file holds {}: use the key the backup was made with",
            file.display(),
            header.backup_key_id,
            key.id()
        )));
    }
    Ok(())
}

/// Checks that `file` is an authentic backup made with the backup key beside `key_file`
/// (every chunk, the header, the end) and returns its header; writes nothing anywhere.
pub async fn verify_file(file: &Path, key_file: &Path) -> Result<Verified, BackupError> {
    let key = BackupKey::load(key_file)?;
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || open_file(&file, &key, &mut std::io::sink()))
        .await
        .map_err(joined)?
}

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
