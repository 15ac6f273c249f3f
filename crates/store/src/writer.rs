//! The single writer. Requests queue their work; the writer takes everything that is waiting
//! (up to a batch), runs each piece in its own savepoint of one transaction and commits once.
//! Concurrent steps thus share one fsync, and SQLite never sees two writers ("database is
//! locked" cannot happen). Replies go out only after the commit.

use crate::{Conn, StoreError};
use sqlx::AnyPool;
use std::future::Future;
use std::pin::Pin;
use tokio::sync::{mpsc, oneshot};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

const MAX_BATCH: usize = 128;

trait Job: Send {
    /// Runs the work; `true` if it succeeded and its savepoint should be kept.
    fn run<'c>(&'c mut self, conn: &'c mut Conn) -> BoxFuture<'c, bool>;
    /// Sends the outcome once the transaction has committed (or failed to).
    fn finish(self: Box<Self>, committed: Result<(), Failed>);
}

struct Pending<T, E, F> {
    work: Option<F>,
    outcome: Option<Result<T, E>>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<T, E, F> Job for Pending<T, E, F>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
{
    fn run<'c>(&'c mut self, conn: &'c mut Conn) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let Some(work) = self.work.take() else {
                return false;
            };
            let outcome = work(conn).await;
            let ok = outcome.is_ok();
            self.outcome = Some(outcome);
            ok
        })
    }

    fn finish(self: Box<Self>, committed: Result<(), Failed>) {
        let outcome = match (self.outcome, committed) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(v)), Ok(())) => Ok(v),
            (Some(Ok(_)) | None, Err(f)) => Err(E::from(f.into_error())),
            (None, Ok(())) => Err(E::from(StoreError::Closed)),
        };
        let _ = self.reply.send(outcome);
    }
}

/// The ledger's MAC key as the store holds it: set once the platform has loaded its key files.
pub(crate) type LedgerKey =
    std::sync::Arc<std::sync::RwLock<Option<std::sync::Arc<crypto::MacKey>>>>;

/// Why a batch did not commit.
#[derive(Clone, Debug)]
struct Failed {
    unavailable: bool,
    message: String,
}

impl Failed {
    fn into_error(self) -> StoreError {
        if self.unavailable {
            StoreError::Unavailable(self.message)
        } else {
            StoreError::Corrupt(format!("the write did not commit: {}", self.message))
        }
    }
}

#[derive(Clone)]
pub struct Writer {
    queue: mpsc::Sender<Box<dyn Job>>,
}

impl Writer {
    pub fn start(pool: AnyPool, key: LedgerKey) -> Writer {
        let (queue, rx) = mpsc::channel(4096);
        tokio::spawn(run(pool, rx, key));
        Writer { queue }
    }

    pub async fn submit<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: for<'c> FnOnce(&'c mut Conn) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
    {
        let (reply, wait) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Pending {
            work: Some(work),
            outcome: None,
            reply,
        });
        self.queue
            .send(job)
            .await
            .map_err(|_| E::from(StoreError::Closed))?;
        wait.await.map_err(|_| E::from(StoreError::Closed))?
    }
}

async fn run(pool: AnyPool, mut rx: mpsc::Receiver<Box<dyn Job>>, key: LedgerKey) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let key = key.read().ok().and_then(|k| k.clone());
        let committed = crate::ledger::with_key(key, run_batch(&pool, &mut batch))
            .await
            .map_err(|e| Failed {
                unavailable: crate::is_unavailable(&e),
                message: e.to_string(),
            });
        if let Err(e) = &committed {
            tracing::error!(error = %e.message, "write batch failed");
        }
        for job in batch.drain(..) {
            job.finish(committed.clone());
        }
    }
}

/// One batch in one transaction. On SQLite the transaction takes the write lock at `BEGIN`
/// (IMMEDIATE): another process writing waits out the busy timeout instead of failing midway
/// with "database is locked". A connection whose batch failed is closed, not returned to the
/// pool, so an I/O or disk-full error cannot leave a half-open transaction behind: the next
/// batch starts on a fresh connection and succeeds as soon as the database can write again.
async fn run_batch(pool: &AnyPool, batch: &mut [Box<dyn Job>]) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let outcome = run_in(&mut conn, batch).await;
    if outcome.is_err() {
        let _ = conn.close().await;
    }
    outcome
}

async fn run_in(conn: &mut Conn, batch: &mut [Box<dyn Job>]) -> Result<(), sqlx::Error> {
    let sqlite = conn.backend_name().eq_ignore_ascii_case("sqlite");
    let mut tx = if sqlite {
        sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?
    } else {
        sqlx::Connection::begin(&mut *conn).await?
    };
    for job in batch.iter_mut() {
        sqlx::query("SAVEPOINT step").execute(&mut *tx).await?;
        if job.run(&mut tx).await {
            sqlx::query("RELEASE SAVEPOINT step")
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query("ROLLBACK TO SAVEPOINT step")
                .execute(&mut *tx)
                .await?;
            sqlx::query("RELEASE SAVEPOINT step")
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await
}
