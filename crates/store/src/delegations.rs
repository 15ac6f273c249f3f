//! 委托: a person's standing hand-over of their items to a colleague, from a day until a day
//! (dates as `YYYY-MM-DD`, which sort as text on both backends).

use crate::{Conn, StoreError};
use domain::UserId;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    pub id: i64,
    pub from_user: UserId,
    pub to_user: UserId,
    pub starts: String,
    pub ends: String,
    pub reason: String,
    pub created_at: String,
    /// Set when the person ended it before its last day.
    pub ended_at: Option<String>,
}

const COLUMNS: &str = "id, from_user, to_user, starts, ends, reason, created_at, ended_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Delegation, StoreError> {
    Ok(Delegation {
        id: r.try_get(0)?,
        from_user: UserId::new(r.try_get(1)?),
        to_user: UserId::new(r.try_get(2)?),
        starts: r.try_get(3)?,
        ends: r.try_get(4)?,
        reason: r.try_get(5)?,
        created_at: r.try_get(6)?,
        ended_at: r.try_get(7)?,
    })
}

pub struct NewDelegation<'a> {
    pub from_user: UserId,
    pub to_user: UserId,
    pub starts: &'a str,
    pub ends: &'a str,
    pub reason: &'a str,
    pub at: &'a str,
}

pub async fn insert(c: &mut Conn, d: &NewDelegation<'_>) -> Result<i64, StoreError> {
    let r = sqlx::query(
        "INSERT INTO delegations (from_user, to_user, starts, ends, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(d.from_user.get())
    .bind(d.to_user.get())
    .bind(d.starts)
    .bind(d.ends)
    .bind(d.reason)
    .bind(d.at)
    .fetch_one(&mut *c)
    .await?;
    Ok(r.try_get(0)?)
}

/// The delegation of `user` in force on `day` (not ended, `day` within its days), if any.
pub async fn in_force(
    c: &mut Conn,
    user: UserId,
    day: &str,
) -> Result<Option<Delegation>, StoreError> {
    let r = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM delegations WHERE from_user = $1 AND ended_at IS NULL \
         AND starts <= $2 AND ends >= $2 ORDER BY id DESC LIMIT 1"
    ))
    .bind(user.get())
    .bind(day)
    .fetch_optional(&mut *c)
    .await?;
    r.as_ref().map(from_row).transpose()
}

/// The delegations to `user` in force on `day`, oldest first.
pub async fn to_user(c: &mut Conn, user: UserId, day: &str) -> Result<Vec<Delegation>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM delegations WHERE to_user = $1 AND ended_at IS NULL \
         AND starts <= $2 AND ends >= $2 ORDER BY id"
    ))
    .bind(user.get())
    .bind(day)
    .fetch_all(&mut *c)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Ends the delegation before its last day; false if it was not in force.
pub async fn end(c: &mut Conn, id: i64, from_user: UserId, at: &str) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE delegations SET ended_at = $1 WHERE id = $2 AND from_user = $3 AND ended_at IS NULL",
    )
    .bind(at)
    .bind(id)
    .bind(from_user.get())
    .execute(&mut *c)
    .await?;
    Ok(done.rows_affected() == 1)
}
