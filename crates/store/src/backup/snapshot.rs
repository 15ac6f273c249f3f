//! Taking a consistent snapshot while the writer goes on: SQLite's `VACUUM INTO` into a
//! private file, PostgreSQL's exported snapshot for `pg_dump`. Each gives the snapshot's
//! contents, read the same way a restored database's are.

use super::postgres::pg_contents;
use super::sqlite::{blocking, sqlite_contents, sqlite_open, sqlite_tables};
use super::{Contents, ROWS_NOT_KEPT, create_private, quoted};
use crate::{Backend, Store, StoreError};
use sqlx::Row;
use std::path::Path;

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
