//! Files chosen on a form the server refused, kept for their uploader until the form is sent
//! again (then they move to `files` with the item) or for a day.

use crate::{Conn, StoreError};
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct Upload {
    pub id: i64,
    pub name: String,
    pub content: Vec<u8>,
}

/// How many bytes are kept for `user` in all: what one more file is held to.
pub async fn kept_bytes(c: &mut Conn, user: i64) -> Result<i64, StoreError> {
    let r = sqlx::query(
        "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM uploads WHERE user_id = $1",
    )
    .bind(user)
    .fetch_one(&mut *c)
    .await?;
    Ok(r.try_get(0)?)
}

/// The name and size of the file kept under `id` for `user`, without its bytes.
pub async fn meta(c: &mut Conn, user: i64, id: i64) -> Result<Option<(String, i64)>, StoreError> {
    let r = sqlx::query("SELECT name, size FROM uploads WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user)
        .fetch_optional(&mut *c)
        .await?;
    r.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
}

/// Keeps a file for `user`; its id goes back with the form.
pub async fn insert(
    c: &mut Conn,
    user: i64,
    name: &str,
    sm3: &str,
    content: &[u8],
    at: &str,
) -> Result<i64, StoreError> {
    let r = sqlx::query(
        "INSERT INTO uploads (user_id, name, size, sm3, content, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user)
    .bind(name)
    .bind(i64::try_from(content.len()).unwrap_or(i64::MAX))
    .bind(sm3)
    .bind(content)
    .bind(at)
    .fetch_one(&mut *c)
    .await?;
    Ok(r.try_get(0)?)
}

/// The file kept under `id` for `user` (another's id reads as none).
pub async fn get(c: &mut Conn, user: i64, id: i64) -> Result<Option<Upload>, StoreError> {
    let r = sqlx::query("SELECT id, name, content FROM uploads WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user)
        .fetch_optional(&mut *c)
        .await?;
    r.map(|r| {
        Ok(Upload {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            content: r.try_get(2)?,
        })
    })
    .transpose()
}

/// Drops the file kept under `id` for `user` (it went to `files`, or was taken off the form).
pub async fn delete(c: &mut Conn, user: i64, id: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM uploads WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Drops what was kept before `at` (forms never sent again); how many.
pub async fn purge(c: &mut Conn, before: &str) -> Result<u64, StoreError> {
    let r = sqlx::query("DELETE FROM uploads WHERE created_at < $1")
        .bind(before)
        .execute(&mut *c)
        .await?;
    Ok(r.rows_affected())
}
