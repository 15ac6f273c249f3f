//! A restore's target: whether it is empty enough to restore onto, and what it holds once the
//! snapshot is in place, to be compared with the manifest.

use super::postgres::pg_contents;
use super::sqlite::{blocking, sqlite_contents, sqlite_open};
use super::{Contents, backend_of, quoted, sqlite_path, sqlite_url};
use crate::{Backend, StoreError};
use sqlx::{Connection, Row};

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
