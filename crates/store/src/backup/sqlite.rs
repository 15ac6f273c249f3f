//! Reading what a SQLite database holds, through rusqlite on the file itself: one row at a
//! time, SQLite's own types. Apart from PostgreSQL's reading, which goes through sqlx and
//! another type system, to the same canonical form.

use super::contents::{Apart, Contents, LedgerPlace, TableDigest};
use super::digest::{Shape, canonical};
use super::{quoted, rows_not_kept};
use crate::StoreError;
use crate::checkpoints::Checkpoint;
use std::path::Path;

fn apart_sqlite(name: String) -> Apart {
    Apart {
        name,
        reason: "SQLite's own table (AUTOINCREMENT counters, statistics): carried by the snapshot, not digested, as PostgreSQL has no counterpart".into(),
    }
}

pub(super) fn sqlite_tables(
    c: &rusqlite::Connection,
) -> Result<(Vec<String>, Vec<Apart>), StoreError> {
    let mut stmt =
        c.prepare("SELECT name, COALESCE(sql, '') FROM sqlite_master WHERE type = 'table'")?;
    let all = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    // The search index (FTS5, migration 0012) and the tables it keeps its index in.
    let search: Vec<&str> = all
        .iter()
        .filter(|(_, sql)| sql.starts_with("CREATE VIRTUAL TABLE"))
        .map(|(n, _)| n.as_str())
        .collect();
    let is_search = |n: &str| {
        search
            .iter()
            .any(|v| n == *v || n.strip_prefix(v).is_some_and(|r| r.starts_with('_')))
    };
    let (mut digested, mut apart) = (Vec::new(), Vec::new());
    for (name, _) in &all {
        let name = name.clone();
        if name.starts_with("sqlite_") {
            apart.push(apart_sqlite(name));
        } else if is_search(&name) {
            apart.push(Apart {
                name,
                reason: "SQLite's full-text search index of the items (FTS5): carried by the snapshot, not digested, as it is derived from `items` and PostgreSQL keeps its own (pg_trgm)".into(),
            });
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
pub(super) fn sqlite_contents(c: &rusqlite::Connection) -> Result<Contents, StoreError> {
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

pub(super) fn sqlite_open(path: &Path, write: bool) -> Result<rusqlite::Connection, StoreError> {
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
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Unavailable(format!("the task stopped: {e}")))?
}
