//! Idempotency keys: a retried POST with the same key gets the first answer and has no second
//! effect. The answer is stored in the same transaction as the step, with the fingerprint of
//! the request it answered, so a key cannot be replayed on another request.

use crate::{Conn, StoreError};
use sqlx::Row;

/// A stored answer: its status, body and the fingerprint of the request (none for answers
/// stored before fingerprints were kept).
pub struct Answer {
    pub status: i64,
    pub body: String,
    pub fingerprint: Option<String>,
}

pub async fn get(c: &mut Conn, user: i64, key: &str) -> Result<Option<Answer>, StoreError> {
    let r = sqlx::query(
        "SELECT status, body, fingerprint FROM idempotency WHERE user_id = $1 AND key = $2",
    )
    .bind(user)
    .bind(key)
    .fetch_optional(&mut *c)
    .await?;
    r.map(|r| {
        Ok(Answer {
            status: r.try_get(0)?,
            body: r.try_get(1)?,
            fingerprint: r.try_get(2)?,
        })
    })
    .transpose()
}

pub struct NewAnswer<'a> {
    pub user: i64,
    pub key: &'a str,
    pub fingerprint: &'a str,
    pub status: i64,
    pub body: &'a str,
    pub at: &'a str,
}

pub async fn put(c: &mut Conn, a: &NewAnswer<'_>) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO idempotency (user_id, key, fingerprint, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(a.user)
        .bind(a.key)
        .bind(a.fingerprint)
        .bind(a.status)
        .bind(a.body)
        .bind(a.at)
        .execute(&mut *c)
        .await?;
    Ok(())
}
