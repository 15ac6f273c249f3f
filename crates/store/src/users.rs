//! User accounts: one per person, one role each, in one organisation; with the counters the
//! lockout rule needs.

use crate::{Conn, StoreError};
use domain::{OrgId, UserId};
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub org: OrgId,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
    pub failed_count: i64,
    pub failed_since: Option<String>,
    pub locked_until: Option<String>,
    pub password_changed_at: String,
    /// Login attempts reserved and not yet settled (`lockout`), and since when.
    pub pending_count: i64,
    pub pending_since: Option<String>,
    /// Set by an administrator for one use: its holder must choose their own at next login.
    pub password_one_time: bool,
}

pub(crate) const COLUMNS: &str = "id, username, display_name, org_id, role, password_hash, failed_count, failed_since, \
                       locked_until, password_changed_at, pending_count, pending_since, \
                       password_one_time";

fn from_row(r: &sqlx::any::AnyRow) -> Result<User, StoreError> {
    from_row_at(r, 0)
}

pub(crate) fn from_row_at(r: &impl crate::cols::Cols, at: usize) -> Result<User, StoreError> {
    Ok(User {
        id: UserId::new(r.int(at)?),
        username: r.text(at + 1)?,
        display_name: r.text(at + 2)?,
        org: OrgId::new(r.int(at + 3)?),
        role: r.text(at + 4)?,
        password_hash: r.text(at + 5)?,
        failed_count: r.int(at + 6)?,
        failed_since: r.opt_text(at + 7)?,
        locked_until: r.opt_text(at + 8)?,
        password_changed_at: r.text(at + 9)?,
        pending_count: r.int(at + 10)?,
        pending_since: r.opt_text(at + 11)?,
        password_one_time: r.int(at + 12)? != 0,
    })
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub org: OrgId,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub at: &'a str,
    /// The password is for one use (an administrator set it).
    pub one_time: bool,
}

pub async fn insert(c: &mut Conn, u: &NewUser<'_>) -> Result<UserId, StoreError> {
    let r = sqlx::query(
        "INSERT INTO users (username, display_name, org_id, role, password_hash, password_changed_at, created_at, password_one_time) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(u.username)
    .bind(u.display_name)
    .bind(u.org.get())
    .bind(u.role)
    .bind(u.password_hash)
    .bind(u.at)
    .bind(u.at)
    .bind(i64::from(u.one_time))
    .fetch_one(&mut *c)
    .await?;
    Ok(UserId::new(r.try_get(0)?))
}

pub async fn by_username(c: &mut Conn, username: &str) -> Result<Option<User>, StoreError> {
    let r = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE username = $1"))
        .bind(username)
        .fetch_optional(&mut *c)
        .await?;
    r.as_ref().map(from_row).transpose()
}

pub async fn get(c: &mut Conn, id: UserId) -> Result<Option<User>, StoreError> {
    let r = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id.get())
        .fetch_optional(&mut *c)
        .await?;
    r.as_ref().map(from_row).transpose()
}

pub async fn all(c: &mut Conn) -> Result<Vec<User>, StoreError> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM users ORDER BY id"))
        .fetch_all(&mut *c)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Takes the account's row lock for the rest of the transaction (an UPDATE that changes
/// nothing), so that on PostgreSQL two instances' writers settle one account's counters one
/// after the other; on SQLite the writer's `BEGIN IMMEDIATE` already orders them. Read the
/// account after it.
pub async fn hold(c: &mut Conn, id: UserId) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET pending_count = pending_count WHERE id = $1")
        .bind(id.get())
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Sets the lockout counters (the caller decides them inside the writer).
pub async fn set_failures(
    c: &mut Conn,
    id: UserId,
    failed_count: i64,
    failed_since: Option<&str>,
    locked_until: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE users SET failed_count = $1, failed_since = $2, locked_until = $3 WHERE id = $4",
    )
    .bind(failed_count)
    .bind(failed_since)
    .bind(locked_until)
    .bind(id.get())
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Sets the count of attempts in flight (the caller decides it inside the writer).
pub async fn set_pending(
    c: &mut Conn,
    id: UserId,
    pending_count: i64,
    pending_since: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET pending_count = $1, pending_since = $2 WHERE id = $3")
        .bind(pending_count)
        .bind(pending_since)
        .bind(id.get())
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Counts a login attempt on a name no account has, in one row of `counters` (kind
/// `login.unknown`): a write the size of an account's lockout counters, so a login for an
/// unknown name makes the same writes as one for a known name and its timing tells neither.
pub async fn note_unknown_attempt(c: &mut Conn) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO counters (kind, year, next) VALUES ('login.unknown', 0, 1) \
         ON CONFLICT (kind, year) DO UPDATE SET next = counters.next + 1",
    )
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// Sets a password (its holder's own, or for one use when an administrator sets it) and
/// forgets the wrong passwords counted against the old one. A lock stays: lifting it is a
/// decision of its own (`lockout::unlock`), recorded as such.
pub async fn set_password(
    c: &mut Conn,
    id: UserId,
    hash: &str,
    at: &str,
    one_time: bool,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2, failed_count = 0, failed_since = NULL, password_one_time = $3 WHERE id = $4")
        .bind(hash)
        .bind(at)
        .bind(i64::from(one_time))
        .bind(id.get())
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Gives an account its role (the security administrator's grant).
pub async fn set_role(c: &mut Conn, id: UserId, role: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role)
        .bind(id.get())
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn count(c: &mut Conn) -> Result<i64, StoreError> {
    let r = sqlx::query("SELECT COUNT(*) FROM users")
        .fetch_one(&mut *c)
        .await?;
    Ok(r.try_get(0)?)
}
