//! The inline read path for the two hottest SQLite reads (the session behind a request and a
//! list page). With sqlx every SQLite statement is a round trip to a worker thread and every
//! value is copied twice; perf showed that as most of a list request. These reads run on the
//! calling thread through rusqlite (the same libsqlite3), on read-only connections kept in a
//! small pool. They are short indexed reads (well under a millisecond), so running them on an
//! async worker thread is cheaper than handing them to another thread. Writes never come here.

use crate::StoreError;
use rusqlite::{Connection, OpenFlags};
use std::sync::Mutex;

const KEEP_IDLE: usize = 8;

pub(crate) struct FastReads {
    path: String,
    idle: Mutex<Vec<Connection>>,
}

impl FastReads {
    /// For `sqlite://PATH?...` URLs; `None` for anything else (PostgreSQL reads stay on sqlx).
    pub(crate) fn for_url(url: &str) -> Option<FastReads> {
        let rest = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))?;
        let path = rest.split('?').next().unwrap_or_default();
        if path.is_empty() || path.contains(":memory:") {
            return None;
        }
        Some(FastReads {
            path: path.to_string(),
            idle: Mutex::new(Vec::new()),
        })
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let c = Connection::open_with_flags(&self.path, flags)?;
        c.busy_timeout(std::time::Duration::from_secs(10))?;
        c.set_prepared_statement_cache_capacity(32);
        // Short indexed reads: a small page cache each (the OS caches the file for all).
        c.execute_batch("PRAGMA cache_size=-512")?;
        Ok(c)
    }

    /// Runs `f` on an idle read-only connection (opening one when none is idle).
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match conn {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEEP_IDLE {
            idle.push(conn);
        }
        out
    }
}
