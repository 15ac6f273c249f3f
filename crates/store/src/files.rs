//! Files the platform keeps beside an item (generated documents, attachments), each with
//! the SM3 digest that the item's record also carries.

use crate::{Conn, StoreError};
use sqlx::Row;

pub struct NewFile<'a> {
    pub item_id: i64,
    /// What the file is for, e.g. `taskbook`.
    pub purpose: &'a str,
    pub name: &'a str,
    pub media_type: &'a str,
    pub sm3: &'a str,
    pub content: &'a [u8],
    pub uploaded_by: Option<i64>,
    pub at: &'a str,
}

#[derive(Debug, Clone)]
pub struct File {
    pub id: i64,
    pub name: String,
    pub media_type: String,
    pub sm3: String,
    pub content: Vec<u8>,
    pub created_at: String,
}

pub async fn insert(c: &mut Conn, f: &NewFile<'_>) -> Result<i64, StoreError> {
    let r = sqlx::query(
        "INSERT INTO files (item_id, purpose, name, media_type, size, sm3, content, uploaded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(f.item_id)
    .bind(f.purpose)
    .bind(f.name)
    .bind(f.media_type)
    .bind(i64::try_from(f.content.len()).unwrap_or(i64::MAX))
    .bind(f.sm3)
    .bind(f.content)
    .bind(f.uploaded_by)
    .bind(f.at)
    .fetch_one(&mut *c)
    .await?;
    Ok(r.try_get(0)?)
}

/// The newest file of an item with this name.
pub async fn latest(c: &mut Conn, item_id: i64, name: &str) -> Result<Option<File>, StoreError> {
    newest(c, item_id, "name", name).await
}

/// The newest file of an item kept under this digest, if any (a document its record names).
pub async fn by_digest(c: &mut Conn, item_id: i64, sm3: &str) -> Result<Option<File>, StoreError> {
    newest(c, item_id, "sm3", sm3).await
}

/// The newest file of an item whose `column` (one of the two above, never user input) holds
/// `value`.
async fn newest(
    c: &mut Conn,
    item_id: i64,
    column: &'static str,
    value: &str,
) -> Result<Option<File>, StoreError> {
    let r = sqlx::query(&format!(
        "SELECT id, name, media_type, sm3, content, created_at FROM files \
         WHERE item_id = $1 AND {column} = $2 ORDER BY id DESC LIMIT 1"
    ))
    .bind(item_id)
    .bind(value)
    .fetch_optional(&mut *c)
    .await?;
    r.as_ref().map(file_of).transpose()
}

/// A file from a row of `id, name, media_type, sm3, content, created_at`.
fn file_of(r: &sqlx::any::AnyRow) -> Result<File, StoreError> {
    Ok(File {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        media_type: r.try_get(2)?,
        sm3: r.try_get(3)?,
        content: r.try_get(4)?,
        created_at: r.try_get(5)?,
    })
}
