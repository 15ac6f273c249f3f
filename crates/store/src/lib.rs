//! Storage for Tongchou on SQLite (embedded default) or PostgreSQL, chosen by URL, through one
//! set of SQL. Current-state tables and the append-only, SM3-chained event record are written
//! in the same transaction by a single writer task that groups the commits of concurrent
//! requests (one fsync for many steps) and keeps every step in its own savepoint, so a failed
//! step changes nothing and never spoils its neighbours.

pub mod backup;
pub mod checkpoints;
mod cols;
pub mod delegations;
pub mod events;
mod fast;
pub mod files;
mod filter;
pub mod idempotency;
pub mod items;
pub mod ledger;
mod migrate;
pub mod orgs;
pub mod queue;
pub mod sessions;
pub mod signing_keys;
pub mod trail;
pub mod uploads;
pub mod users;
mod writer;

pub use sqlx;
pub use sqlx::AnyConnection as Conn;
pub use writer::BoxFuture;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor};
use std::time::Duration;

/// Which engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A storage failure; never shown to a user as is.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Db(sqlx::Error),
    /// The database cannot take the write now (disk full, I/O error, busy, connection lost):
    /// nothing was written, and the same request may succeed later.
    #[error("the database cannot take writes now: {0}")]
    Unavailable(String),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("the item was changed by someone else in the meantime")]
    Conflict,
    #[error("the write queue is closed")]
    Closed,
    #[error("unsupported database URL `{0}` (use sqlite://... or postgres://...)")]
    BadUrl(String),
    #[error("{0}")]
    Unsafe(String),
    #[error("database (inline read): {0}")]
    Inline(#[from] rusqlite::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        if is_unavailable(&e) {
            StoreError::Unavailable(e.to_string())
        } else {
            StoreError::Db(e)
        }
    }
}

/// Whether an error is the engine's "not now" (space, I/O, locks, lost connections) rather
/// than a fault of the statement: such a write may be retried later.
pub(crate) fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => {
            let code = d.code().map(|c| c.to_string()).unwrap_or_default();
            // SQLite: the primary result code is the low byte of the extended one. (A
            // PostgreSQL SQLSTATE may be all digits too, "53100": tell them by the driver.)
            let postgres = d
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some();
            if !postgres && let Ok(n) = code.parse::<i64>() {
                // SQLITE_BUSY 5, LOCKED 6, NOMEM 7, IOERR 10, FULL 13, CANTOPEN 14, PROTOCOL 15.
                return matches!(n & 0xff, 5 | 6 | 7 | 10 | 13 | 14 | 15);
            }
            // PostgreSQL: insufficient resources (53), system errors (58), operator
            // intervention (57P), connection exceptions (08).
            ["53", "58", "57P", "08"]
                .iter()
                .any(|p| code.starts_with(p))
        }
        _ => false,
    }
}

/// The database: a pool for reads and the single writer for changes.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    writer: writer::Writer,
    /// SQLite only: the inline path for the hottest reads.
    fast: Option<std::sync::Arc<fast::FastReads>>,
    /// The ledger's MAC key, handed to the writer for each batch; without it nothing can be
    /// recorded.
    ledger_key: writer::LedgerKey,
    url: std::sync::Arc<str>,
}

impl Store {
    /// Connects, checks the engine is durable, runs migrations and starts the writer.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl(url.to_string()));
        };
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        if backend == Backend::Sqlite {
            create_parent_dir(&url);
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 6 } else { 10 })
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            // A ping before every use doubles the cost of a read; broken connections fail loudly anyway.
            .test_before_acquire(false)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; FULL makes each commit durable.
                        // A page cache of 1 MiB each (SQLite's default is 2 MB): the operating
                        // system caches the file once for every connection, so a larger cache
                        // per connection mostly holds the same pages again (issue 12, point 12:
                        // memory flat under load).
                        conn.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA cache_size=-1024;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        if backend == Backend::Postgres {
            check_postgres_durable(&pool).await?;
        }
        migrate::run(&pool, backend).await?;
        let ledger_key = std::sync::Arc::new(std::sync::RwLock::new(None));
        let writer = writer::Writer::start(pool.clone(), std::sync::Arc::clone(&ledger_key));
        let fast = fast::FastReads::for_url(&url).map(std::sync::Arc::new);
        Ok(Store {
            pool,
            backend,
            writer,
            fast,
            ledger_key,
            url: url.as_str().into(),
        })
    }

    /// Gives the writer the ledger's MAC key and starts the ledger if the database has none
    /// yet (entering events recorded before it, once).
    pub async fn start_ledger(&self, key: crypto::MacKey) -> Result<(), StoreError> {
        if let Ok(mut k) = self.ledger_key.write() {
            *k = Some(std::sync::Arc::new(key));
        }
        self.write(|c| Box::pin(ledger::start(c))).await
    }

    /// The URL the store was opened with (as completed, e.g. with SQLite's `mode=rwc`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The ledger's MAC key, once the platform has given it (`start_ledger`).
    pub fn ledger_key(&self) -> Option<std::sync::Arc<crypto::MacKey>> {
        self.ledger_key.read().ok().and_then(|k| k.clone())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// SQLite only: writes a consistent copy of the whole database into a new file (`VACUUM
    /// INTO`), for backups and test templates.
    pub async fn copy_into(&self, path: &std::path::Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsafe(
                "copy_into works on SQLite only; use pg_dump for PostgreSQL".into(),
            ));
        }
        let path = path.display().to_string().replace('\'', "''");
        let mut c = self.pool.acquire().await?;
        sqlx::raw_sql(&format!("VACUUM INTO '{path}'"))
            .execute(&mut *c)
            .await?;
        Ok(())
    }

    /// Every (kind, state) some stored item is in, from the counts kept with the items.
    pub async fn kinds_and_states(&self) -> Result<Vec<(String, String)>, StoreError> {
        let mut c = self.pool.acquire().await?;
        let rows = sqlx::query(
            "SELECT DISTINCT kind, state FROM item_counts WHERE n > 0 ORDER BY kind, state",
        )
        .fetch_all(&mut *c)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    sqlx::Row::try_get::<String, _>(r, 0)?,
                    sqlx::Row::try_get::<String, _>(r, 1)?,
                ))
            })
            .collect()
    }

    /// Closes the pool's connections (those in use as they come back); reads and writes
    /// fail afterwards.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A connection for reads.
    pub async fn read(&self) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    /// The session behind a token hash, with its user and organisation.
    pub async fn session_with_user(
        &self,
        token_hash: &str,
    ) -> Result<Option<sessions::WithUser>, StoreError> {
        match &self.fast {
            Some(fast) => fast.with(|c| {
                let mut stmt = c.prepare_cached(sessions::with_user_sql())?;
                let mut rows = stmt.query([token_hash])?;
                rows.next()?.map(sessions::with_user_from).transpose()
            }),
            None => sessions::get_with_user(&mut *self.read().await?, token_hash).await,
        }
    }

    /// One page of a list with its total.
    pub async fn list_page(
        &self,
        f: &items::Filter,
    ) -> Result<(Vec<items::Summary>, i64), StoreError> {
        match &self.fast {
            Some(fast) => fast.with(|c| items::list_page_inline(c, f)),
            None => items::list_page(&mut *self.read().await?, f).await,
        }
    }

    /// Runs `f` in its own savepoint inside the writer's next transaction and returns its
    /// result once that transaction has committed. If `f` fails, nothing it wrote remains.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
    {
        self.writer.submit(f).await
    }
}

fn create_parent_dir(url: &str) {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or("");
    if let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        let _ = std::fs::create_dir_all(parent);
    }
}

/// SECURITY.md: refuse to run on a PostgreSQL that could lose acknowledged commits.
async fn check_postgres_durable(pool: &AnyPool) -> Result<(), StoreError> {
    for setting in ["fsync", "full_page_writes"] {
        let row: (String,) = sqlx::query_as(&format!("SHOW {setting}"))
            .fetch_one(pool)
            .await?;
        if row.0 != "on" {
            return Err(StoreError::Unsafe(format!(
                "PostgreSQL has {setting}=off; Tongchou refuses to run without durable commits"
            )));
        }
    }
    Ok(())
}

/// Now in Asia/Shanghai (+08:00), with milliseconds, as stored and hashed.
pub fn timestamp(t: chrono::DateTime<chrono::FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}
