//! Idempotency keys: a retried POST with the same key gets the first answer and has no second
//! effect. The answer is stored in the same transaction as the step.

use crate::{Conn, StoreError};
use sqlx::Row;

pub async fn get(c: &mut Conn, user: i64, key: &str) -> Result<Option<(i64, String)>, StoreError> {
    let r = sqlx::query("SELECT status, body FROM idempotency WHERE user_id = $1 AND key = $2")
        .bind(user)
        .bind(key)
        .fetch_optional(&mut *c)
        .await?;
    r.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

pub async fn put(
    c: &mut Conn,
    user: i64,
    key: &str,
    status: i64,
    body: &str,
    at: &str,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO idempotency (user_id, key, status, body, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(user)
        .bind(key)
        .bind(status)
        .bind(body)
        .bind(at)
        .execute(&mut *c)
        .await?;
    Ok(())
}
