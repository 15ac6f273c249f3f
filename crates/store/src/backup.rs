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

use crate::checkpoints::Checkpoint;
use crate::{Backend, Conn, Store, StoreError};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::{Connection, Row};
use std::path::{Path, PathBuf};

/// What the digest of every table starts with; a new canonical form gets a new line.
pub const DIGEST_VERSION: &str = "tongchou table digest v1";

/// Tables whose rows no backup keeps (the table itself is kept, empty), and why.
pub const ROWS_NOT_KEPT: &[(&str, &str)] = &[(
    "sessions",
    "login sessions are ephemeral: a restored instance starts with everyone logged out, and a session ended after the backup cannot come back with it",
)];

/// One table's place in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDigest {
    pub name: String,
    pub rows: u64,
    pub digest: String,
}

/// A table named with the reason it is treated apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Apart {
    pub name: String,
    pub reason: String,
}

/// The newest ledger place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerPlace {
    pub lseq: i64,
    pub lhash: String,
}

/// What a database (or a snapshot of it) holds: every table's digest and rows, the tables
/// not digested, the tables whose rows are not kept, the ledger's head and the newest
/// signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contents {
    pub tables: Vec<TableDigest>,
    pub not_digested: Vec<Apart>,
    pub rows_not_kept: Vec<Apart>,
    pub ledger: Option<LedgerPlace>,
    pub checkpoint: Option<Checkpoint>,
}

impl Contents {
    /// Rows in the digested tables.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    pub fn table(&self, name: &str) -> Option<&TableDigest> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// How `found` differs from these contents, one line per difference; empty when equal.
    pub fn differences(&self, found: &Contents) -> Vec<String> {
        let mut out = Vec::new();
        for t in &self.tables {
            match found.table(&t.name) {
                None => out.push(format!("table {} is missing", t.name)),
                Some(f) if f.rows != t.rows => out.push(format!(
                    "table {}: {} rows instead of {}",
                    t.name, f.rows, t.rows
                )),
                Some(f) if f.digest != t.digest => out.push(format!(
                    "table {}: digest {} instead of {}",
                    t.name, f.digest, t.digest
                )),
                Some(_) => {}
            }
        }
        for f in &found.tables {
            if self.table(&f.name).is_none() {
                out.push(format!("table {} was not in the backup", f.name));
            }
        }
        if self.ledger != found.ledger {
            out.push(format!(
                "the ledger's head is {} instead of {}",
                place(found.ledger.as_ref()),
                place(self.ledger.as_ref())
            ));
        }
        let number = |c: &Option<Checkpoint>| c.as_ref().map(|c| (c.number, c.digest.clone()));
        if number(&self.checkpoint) != number(&found.checkpoint) {
            out.push("the newest checkpoint is not the one in the backup".into());
        }
        out
    }
}

fn place(p: Option<&LedgerPlace>) -> String {
    p.map_or_else(
        || "absent".to_string(),
        |p| format!("place {} ({})", p.lseq, p.lhash),
    )
}

/// `"name"`, with any `"` doubled: an identifier both engines read.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The canonical form of one value (PostgreSQL's `COPY` text format), appended to a row.
mod canonical {
    pub fn null(out: &mut Vec<u8>) {
        out.extend_from_slice(b"\\N");
    }

    pub fn text(out: &mut Vec<u8>, v: &[u8]) {
        for &b in v {
            match b {
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\t' => out.extend_from_slice(b"\\t"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                _ => out.push(b),
            }
        }
    }

    pub fn blob(out: &mut Vec<u8>, v: &[u8]) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.extend_from_slice(b"\\x");
        for &b in v {
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0x0f)]);
        }
    }

    pub fn integer(out: &mut Vec<u8>, v: i64) {
        out.extend_from_slice(v.to_string().as_bytes());
    }
}

/// One table as read for its digest.
struct Shape {
    name: String,
    /// (name, PostgreSQL data type, or "" on SQLite) sorted by name.
    columns: Vec<(String, String)>,
    /// The primary key's columns, in key order.
    key: Vec<String>,
}

impl Shape {
    /// What the digest starts with: the version, the table's name, its columns.
    fn preamble(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|(n, _)| n.as_str()).collect();
        format!("{DIGEST_VERSION}\n{}\n{}\n", self.name, names.join("\t"))
    }

    /// The columns rows are read in the order of: the primary key, or without one, all
    /// columns.
    fn order(&self) -> Vec<&str> {
        if self.key.is_empty() {
            self.columns.iter().map(|(n, _)| n.as_str()).collect()
        } else {
            self.key.iter().map(String::as_str).collect()
        }
    }

    fn select(&self, values: &[String], order: &[String]) -> String {
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            values.join(", "),
            quoted(&self.name),
            order.join(", ")
        )
    }
}

fn apart_sqlite(name: String) -> Apart {
    Apart {
        name,
        reason: "SQLite's own table (AUTOINCREMENT counters, statistics): carried by the snapshot, not digested, as PostgreSQL has no counterpart".into(),
    }
}

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

// --- SQLite, through rusqlite on the file itself: one row at a time, SQLite's own types. ---

fn sqlite_tables(c: &rusqlite::Connection) -> Result<(Vec<String>, Vec<Apart>), StoreError> {
    let mut stmt = c.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?;
    let all = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let (mut digested, mut apart) = (Vec::new(), Vec::new());
    for name in all {
        if name.starts_with("sqlite_") {
            apart.push(apart_sqlite(name));
        } else {
            digested.push(name);
        }
    }
    digested.sort();
    apart.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((digested, apart))
}

fn sqlite_shape(c: &rusqlite::Connection, table: &str) -> Result<Shape, StoreError> {
    let mut stmt = c.prepare("SELECT name, pk FROM pragma_table_info(?1)")?;
    let cols = stmt
        .query_map([table], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut key: Vec<(i64, String)> = cols
        .iter()
        .filter(|(_, pk)| *pk > 0)
        .map(|(n, pk)| (*pk, n.clone()))
        .collect();
    key.sort();
    let mut columns: Vec<(String, String)> =
        cols.into_iter().map(|(n, _)| (n, String::new())).collect();
    columns.sort();
    Ok(Shape {
        name: table.to_string(),
        columns,
        key: key.into_iter().map(|(_, n)| n).collect(),
    })
}

fn sqlite_digest(c: &rusqlite::Connection, shape: &Shape) -> Result<TableDigest, StoreError> {
    use rusqlite::types::ValueRef;
    let mut h = crypto::Sm3Stream::new();
    h.update(shape.preamble().as_bytes());
    let mut rows = 0u64;
    if !shape.columns.is_empty() {
        let values: Vec<String> = shape.columns.iter().map(|(n, _)| quoted(n)).collect();
        let order: Vec<String> = shape
            .order()
            .iter()
            .map(|k| format!("{} COLLATE BINARY NULLS FIRST", quoted(k)))
            .collect();
        let mut stmt = c.prepare(&shape.select(&values, &order))?;
        let mut it = stmt.query([])?;
        let mut line = Vec::new();
        while let Some(r) = it.next()? {
            line.clear();
            for i in 0..shape.columns.len() {
                if i > 0 {
                    line.push(b'\t');
                }
                match r.get_ref(i)? {
                    ValueRef::Null => canonical::null(&mut line),
                    ValueRef::Integer(v) => canonical::integer(&mut line, v),
                    // No column of the schema is REAL; written as Rust writes a float.
                    ValueRef::Real(v) => line.extend_from_slice(v.to_string().as_bytes()),
                    ValueRef::Text(v) => canonical::text(&mut line, v),
                    ValueRef::Blob(v) => canonical::blob(&mut line, v),
                }
            }
            line.push(b'\n');
            h.update(&line);
            rows += 1;
        }
    }
    Ok(TableDigest {
        name: shape.name.clone(),
        rows,
        digest: h.finish_hex(),
    })
}

/// What the SQLite database behind `c` holds.
fn sqlite_contents(c: &rusqlite::Connection) -> Result<Contents, StoreError> {
    let (names, not_digested) = sqlite_tables(c)?;
    let mut tables = Vec::with_capacity(names.len());
    for name in &names {
        tables.push(sqlite_digest(c, &sqlite_shape(c, name)?)?);
    }
    let has = |t: &str| names.iter().any(|n| n == t);
    let ledger = if has("ledger_head") {
        c.query_row(
            "SELECT lseq, lhash FROM ledger_head WHERE id = 1",
            [],
            |r| {
                Ok(LedgerPlace {
                    lseq: r.get(0)?,
                    lhash: r.get(1)?,
                })
            },
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?
    } else {
        None
    };
    let checkpoint = if has("ledger_checkpoints") {
        c.query_row(
            "SELECT number, at, lseq, lhash, prev_digest, key_id, digest, signature \
             FROM ledger_checkpoints ORDER BY number DESC LIMIT 1",
            [],
            |r| {
                Ok(Checkpoint {
                    number: r.get(0)?,
                    at: r.get(1)?,
                    lseq: r.get(2)?,
                    lhash: r.get(3)?,
                    prev_digest: r.get(4)?,
                    key_id: r.get(5)?,
                    digest: r.get(6)?,
                    signature: r.get(7)?,
                })
            },
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?
    } else {
        None
    };
    Ok(Contents {
        tables,
        rows_not_kept: rows_not_kept(&names),
        not_digested,
        ledger,
        checkpoint,
    })
}

fn sqlite_open(path: &Path, write: bool) -> Result<rusqlite::Connection, StoreError> {
    use rusqlite::OpenFlags;
    let mode = if write {
        OpenFlags::SQLITE_OPEN_READ_WRITE
    } else {
        OpenFlags::SQLITE_OPEN_READ_ONLY
    };
    let c = rusqlite::Connection::open_with_flags(path, mode | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    c.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(c)
}

/// Runs SQLite work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Unavailable(format!("the task stopped: {e}")))?
}

// --- PostgreSQL, through sqlx: rows as a stream, each value read as its type. ---

async fn pg_tables(c: &mut Conn) -> Result<(Vec<String>, Vec<Apart>), StoreError> {
    let rows = sqlx::query(
        "SELECT table_schema::text, table_name::text, (table_schema = current_schema()) \
         FROM information_schema.tables WHERE table_type = 'BASE TABLE' \
         AND table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    .fetch_all(&mut *c)
    .await?;
    let (mut digested, mut apart) = (Vec::new(), Vec::new());
    for r in &rows {
        let schema: String = r.try_get(0)?;
        let name: String = r.try_get(1)?;
        let ours: bool = r.try_get(2)?;
        if ours {
            digested.push(name);
        } else {
            apart.push(Apart {
                name: format!("{schema}.{name}"),
                reason: "outside the platform's schema: carried by pg_dump, not digested".into(),
            });
        }
    }
    digested.sort();
    apart.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((digested, apart))
}

async fn pg_shape(c: &mut Conn, table: &str) -> Result<Shape, StoreError> {
    let rows = sqlx::query(
        "SELECT column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1",
    )
    .bind(table)
    .fetch_all(&mut *c)
    .await?;
    let mut columns = Vec::new();
    for r in &rows {
        columns.push((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?));
    }
    columns.sort();
    let key = sqlx::query(
        "SELECT k.column_name::text FROM information_schema.table_constraints t \
         JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name \
           AND k.table_schema = t.table_schema AND k.table_name = t.table_name \
         WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = current_schema() \
           AND t.table_name = $1 ORDER BY k.ordinal_position",
    )
    .bind(table)
    .fetch_all(&mut *c)
    .await?
    .iter()
    .map(|r| r.try_get::<String, _>(0))
    .collect::<Result<Vec<_>, _>>()?;
    Ok(Shape {
        name: table.to_string(),
        columns,
        key,
    })
}

/// How a PostgreSQL column is read for its digest.
#[derive(Clone, Copy)]
enum PgValue {
    Integer,
    Bytes,
    /// Text, and any other type as its text form.
    Text,
}

fn pg_value(pg_type: &str) -> PgValue {
    match pg_type {
        "smallint" | "integer" | "bigint" => PgValue::Integer,
        "bytea" => PgValue::Bytes,
        _ => PgValue::Text,
    }
}

/// The digest of one table, reading its rows as a stream (one row in memory at a time). With
/// `empty`, the table is digested as if it had no rows.
async fn pg_digest(c: &mut Conn, shape: &Shape, empty: bool) -> Result<TableDigest, StoreError> {
    let mut h = crypto::Sm3Stream::new();
    h.update(shape.preamble().as_bytes());
    let mut rows = 0u64;
    if !empty && !shape.columns.is_empty() {
        let kinds: Vec<PgValue> = shape.columns.iter().map(|(_, t)| pg_value(t)).collect();
        let values: Vec<String> = shape
            .columns
            .iter()
            .zip(&kinds)
            .map(|((n, _), k)| match k {
                PgValue::Integer => format!("{}::bigint", quoted(n)),
                PgValue::Bytes => quoted(n),
                PgValue::Text => format!("{}::text", quoted(n)),
            })
            .collect();
        let order: Vec<String> = shape
            .order()
            .iter()
            .map(|k| {
                let text = shape
                    .columns
                    .iter()
                    .any(|(n, t)| n == k && matches!(pg_value(t), PgValue::Text));
                // Text keys in byte order, as SQLite's BINARY orders them.
                let collate = if text { " COLLATE \"C\"" } else { "" };
                format!("{}{collate} NULLS FIRST", quoted(k))
            })
            .collect();
        let q = shape.select(&values, &order);
        let mut stream = sqlx::query(&q).fetch(&mut *c);
        let mut line = Vec::new();
        while let Some(r) = stream.try_next().await? {
            line.clear();
            for (i, kind) in kinds.iter().enumerate() {
                if i > 0 {
                    line.push(b'\t');
                }
                match kind {
                    PgValue::Integer => match r.try_get::<Option<i64>, _>(i)? {
                        Some(v) => canonical::integer(&mut line, v),
                        None => canonical::null(&mut line),
                    },
                    PgValue::Bytes => match r.try_get::<Option<Vec<u8>>, _>(i)? {
                        Some(v) => canonical::blob(&mut line, &v),
                        None => canonical::null(&mut line),
                    },
                    PgValue::Text => match r.try_get::<Option<String>, _>(i)? {
                        Some(v) => canonical::text(&mut line, v.as_bytes()),
                        None => canonical::null(&mut line),
                    },
                }
            }
            line.push(b'\n');
            h.update(&line);
            rows += 1;
        }
    }
    Ok(TableDigest {
        name: shape.name.clone(),
        rows,
        digest: h.finish_hex(),
    })
}

/// What the PostgreSQL database behind `c` holds. The tables named in `empty` are digested as
/// if they had no rows (their rows are left out of the snapshot being described).
async fn pg_contents(c: &mut Conn, empty: &[&str]) -> Result<Contents, StoreError> {
    let (names, not_digested) = pg_tables(c).await?;
    let mut tables = Vec::with_capacity(names.len());
    for name in &names {
        let shape = pg_shape(c, name).await?;
        tables.push(pg_digest(c, &shape, empty.contains(&name.as_str())).await?);
    }
    let has = |t: &str| names.iter().any(|n| n == t);
    let ledger = if has("ledger_head") {
        crate::ledger::head(c).await?.map(|h| LedgerPlace {
            lseq: h.lseq,
            lhash: h.lhash,
        })
    } else {
        None
    };
    let checkpoint = if has("ledger_checkpoints") {
        crate::checkpoints::last(c).await?
    } else {
        None
    };
    Ok(Contents {
        tables,
        not_digested,
        rows_not_kept: rows_not_kept(&names),
        ledger,
        checkpoint,
    })
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

/// What a target database already holds, when it is not empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occupied {
    pub tables: usize,
    pub rows: u64,
}

/// Whether a restore may go onto `url`: `None` when the target is empty (SQLite: the file
/// does not exist; PostgreSQL: the database has no tables), otherwise what it holds. Reads
/// only: a missing SQLite file is not created.
pub async fn occupied(url: &str) -> Result<Option<Occupied>, StoreError> {
    sqlx::any::install_default_drivers();
    let backend = backend_of(url)?;
    let mut c = match backend {
        Backend::Sqlite => {
            let path = sqlite_path(url);
            if !path.exists() {
                return Ok(None);
            }
            if std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) == 0 {
                return Ok(Some(Occupied { tables: 0, rows: 0 }));
            }
            sqlx::AnyConnection::connect(&sqlite_url(&path, "ro")).await?
        }
        Backend::Postgres => sqlx::AnyConnection::connect(url).await?,
    };
    let names: Vec<String> = match backend {
        Backend::Sqlite => sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(&mut c)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<_, _>>()?,
        Backend::Postgres => sqlx::query(
            "SELECT quote_ident(table_schema::text) || '.' || quote_ident(table_name::text) \
             FROM information_schema.tables WHERE table_type = 'BASE TABLE' \
             AND table_schema NOT IN ('pg_catalog', 'information_schema')",
        )
        .fetch_all(&mut c)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<_, _>>()?,
    };
    let mut rows = 0u64;
    for n in &names {
        let table = match backend {
            Backend::Sqlite => quoted(n),
            Backend::Postgres => n.clone(),
        };
        let count: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&mut c)
            .await?
            .try_get(0)?;
        rows += u64::try_from(count).unwrap_or(0);
    }
    let _ = c.close().await;
    if backend == Backend::Postgres && names.is_empty() {
        return Ok(None);
    }
    Ok(Some(Occupied {
        tables: names.len(),
        rows,
    }))
}

/// Opens a connection to a restored target and reads its contents.
pub async fn contents_of(url: &str) -> Result<Contents, StoreError> {
    match backend_of(url)? {
        Backend::Sqlite => {
            let path = sqlite_path(url);
            blocking(move || sqlite_contents(&sqlite_open(&path, false)?)).await
        }
        Backend::Postgres => {
            sqlx::any::install_default_drivers();
            let mut c = sqlx::AnyConnection::connect(url).await?;
            let found = pg_contents(&mut c, &[]).await;
            let _ = c.close().await;
            found
        }
    }
}

/// SQLite: a consistent snapshot of the whole database in the new file `path` (`VACUUM INTO`
/// reads one transaction's view while the writer goes on), made private (0600) before
/// anything is written into it; the rows of [`ROWS_NOT_KEPT`] are then erased from the
/// snapshot (with `secure_delete`, so they do not linger in free pages), and the snapshot's
/// contents are read from the file itself: they describe exactly what the backup carries.
pub async fn sqlite_snapshot(store: &Store, path: &Path) -> Result<Contents, StoreError> {
    create_private(path)
        .map_err(|e| StoreError::Unavailable(format!("cannot create {}: {e}", path.display())))?;
    store.copy_into(path).await?;
    let path = path.to_path_buf();
    blocking(move || {
        let c = sqlite_open(&path, true)?;
        c.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA secure_delete = ON;")?;
        let (names, _) = sqlite_tables(&c)?;
        for (table, _) in ROWS_NOT_KEPT {
            if names.iter().any(|n| n == table) {
                c.execute(&format!("DELETE FROM {}", quoted(table)), [])?;
            }
        }
        sqlite_contents(&c)
    })
    .await
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

/// PostgreSQL: a `REPEATABLE READ, READ ONLY` transaction whose snapshot is exported, so
/// `pg_dump --snapshot` dumps exactly what this transaction sees while the writer goes on.
/// The transaction must stay open until `pg_dump` has finished ([`Exported::end`]).
pub struct Exported {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    pub id: String,
}

pub async fn export_snapshot(store: &Store) -> Result<Exported, StoreError> {
    if store.backend != Backend::Postgres {
        return Err(StoreError::Unsafe(
            "an exported snapshot is PostgreSQL's; SQLite uses VACUUM INTO".into(),
        ));
    }
    let mut tx = store.pool.begin().await?;
    sqlx::raw_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let id: String = sqlx::query("SELECT pg_export_snapshot()")
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    Ok(Exported { tx, id })
}

impl Exported {
    /// The snapshot's contents, as `pg_dump` (which leaves out the rows of
    /// [`ROWS_NOT_KEPT`]) will carry them.
    pub async fn contents(&mut self) -> Result<Contents, StoreError> {
        let empty: Vec<&str> = ROWS_NOT_KEPT.iter().map(|(t, _)| *t).collect();
        pg_contents(&mut self.tx, &empty).await
    }

    /// Ends the transaction (it changed nothing).
    pub async fn end(self) -> Result<(), StoreError> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// The PostgreSQL client tool `name`: from `TONGCHOU_PG_BIN` (a directory) when set, so an
/// operator can pick the client matching the server, otherwise from `PATH`.
fn pg_tool(name: &str) -> std::process::Command {
    match std::env::var_os("TONGCHOU_PG_BIN") {
        Some(dir) if !dir.is_empty() => std::process::Command::new(Path::new(&dir).join(name)),
        _ => std::process::Command::new(name),
    }
}

/// `url` without its password, and the password (percent-decoded): the password goes to the
/// tool in `PGPASSWORD`, not on its command line where other local users could read it.
fn without_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://") else {
        return (url.to_string(), None);
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return (url.to_string(), None);
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return (url.to_string(), None);
    };
    let stripped = format!(
        "{}{}{}",
        &url[..scheme_end + 3],
        &userinfo[..colon],
        &rest[at..]
    );
    (stripped, Some(percent_decode(&userinfo[colon + 1..])))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn pg_command(tool: &str, url: &str) -> std::process::Command {
    let (url, password) = without_password(url);
    let mut cmd = pg_tool(tool);
    if let Some(pw) = password {
        cmd.env("PGPASSWORD", pw);
    }
    cmd.arg(format!("--dbname={url}"));
    cmd
}

/// `pg_dump` of the exported snapshot `snapshot` in its custom format (compressed) on its
/// standard output, leaving out the rows of [`ROWS_NOT_KEPT`], owners and grants.
pub fn pg_dump(url: &str, snapshot: &str) -> std::process::Command {
    let mut cmd = pg_command("pg_dump", url);
    cmd.args([
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        &format!("--snapshot={snapshot}"),
    ]);
    for (table, _) in ROWS_NOT_KEPT {
        cmd.arg(format!("--exclude-table-data={table}"));
    }
    cmd
}

/// `pg_restore` of a custom-format dump into `url`, in one transaction (all or nothing),
/// stopping at the first error, with the target's own owner and grants.
pub fn pg_restore(url: &str, dump: &Path) -> std::process::Command {
    let mut cmd = pg_command("pg_restore", url);
    cmd.args([
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]);
    cmd.arg(dump);
    cmd
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

    fn written(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut out = Vec::new();
        f(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn values_are_written_as_copy_text_format_writes_them() {
        assert_eq!(written(canonical::null), "\\N");
        assert_eq!(written(|o| canonical::integer(o, -42)), "-42");
        assert_eq!(
            written(|o| canonical::text(o, b"a\tb\nc\\d\re")),
            "a\\tb\\nc\\\\d\\re"
        );
        assert_eq!(written(|o| canonical::text(o, b"\\N")), "\\\\N");
        assert_eq!(written(|o| canonical::text(o, "中文".as_bytes())), "中文");
        assert_eq!(
            written(|o| canonical::blob(o, &[0x00, 0xff, 0x1a])),
            "\\x00ff1a"
        );
    }

    #[test]
    fn a_password_leaves_the_url_for_the_environment() {
        assert_eq!(
            without_password("postgres://u:p%40ss@h:5432/db?sslmode=disable"),
            (
                "postgres://u@h:5432/db?sslmode=disable".to_string(),
                Some("p@ss".to_string())
            )
        );
        assert_eq!(
            without_password("postgres://postgres@127.0.0.1:5432/test"),
            ("postgres://postgres@127.0.0.1:5432/test".to_string(), None)
        );
    }

    #[test]
    fn a_sqlite_url_names_its_file() {
        assert_eq!(
            sqlite_path("sqlite://./data/t.db?mode=rwc"),
            PathBuf::from("./data/t.db")
        );
        assert_eq!(sqlite_path("sqlite:/tmp/x.db"), PathBuf::from("/tmp/x.db"));
    }
}
