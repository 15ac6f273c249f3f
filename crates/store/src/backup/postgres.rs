//! Reading what a PostgreSQL database holds, through sqlx: rows as a stream, each value read as
//! its type. Apart from SQLite's reading, which goes through rusqlite, to the same canonical
//! form.

use super::contents::{Apart, Contents, LedgerPlace, TableDigest};
use super::digest::{Shape, canonical};
use super::{quoted, rows_not_kept};
use crate::{Conn, StoreError};
use futures_util::TryStreamExt;
use sqlx::Row;

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
pub(super) async fn pg_contents(c: &mut Conn, empty: &[&str]) -> Result<Contents, StoreError> {
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
