//! Server-side sessions (web cookie or API bearer). Only the SM3 of a token is stored, so a
//! copy of the database cannot be used to log in.

use crate::{Conn, StoreError};
use domain::UserId;

#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub user: UserId,
    pub kind: String,
    pub csrf: String,
    pub lang: String,
    pub created_at: String,
    pub last_seen: String,
}

pub async fn insert(c: &mut Conn, s: &Session) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, kind, csrf, lang, created_at, last_seen) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&s.token_hash)
    .bind(s.user.get())
    .bind(&s.kind)
    .bind(&s.csrf)
    .bind(&s.lang)
    .bind(&s.created_at)
    .bind(&s.last_seen)
    .execute(&mut *c)
    .await?;
    Ok(())
}

pub async fn touch(c: &mut Conn, token_hash: &str, at: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
        .bind(at)
        .bind(token_hash)
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn set_lang(c: &mut Conn, token_hash: &str, lang: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET lang = $1 WHERE token_hash = $2")
        .bind(lang)
        .bind(token_hash)
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn delete(c: &mut Conn, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *c)
        .await?;
    Ok(())
}

pub async fn delete_for_user(c: &mut Conn, user: UserId) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.get())
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Ends every session of a user but one (the one that changed the password).
pub async fn delete_others(
    c: &mut Conn,
    user: UserId,
    keep_token_hash: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user.get())
        .bind(keep_token_hash)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// The session with its user and organisation, in one query (it runs on every request).
pub type WithUser = (Session, crate::users::User, crate::orgs::Org);

/// Built once: it runs on every request.
pub(crate) fn with_user_sql() -> &'static str {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let user_cols: Vec<String> = crate::users::COLUMNS
            .split(',')
            .map(|c| format!("u.{}", c.trim()))
            .collect();
        format!(
            "SELECT s.token_hash, s.user_id, s.kind, s.csrf, s.lang, s.created_at, s.last_seen, {}, {} \
             FROM sessions s JOIN users u ON u.id = s.user_id JOIN orgs o ON o.id = u.org_id WHERE s.token_hash = $1",
            user_cols.join(", "),
            crate::orgs::COLUMNS
        )
    });
    &SQL
}

/// Decodes a row of `with_user_sql`.
pub(crate) fn with_user_from(r: &impl crate::cols::Cols) -> Result<WithUser, StoreError> {
    let s = Session {
        token_hash: r.text(0)?,
        user: UserId::new(r.int(1)?),
        kind: r.text(2)?,
        csrf: r.text(3)?,
        lang: r.text(4)?,
        created_at: r.text(5)?,
        last_seen: r.text(6)?,
    };
    let user_cols = crate::users::COLUMNS.split(',').count();
    Ok((
        s,
        crate::users::from_row_at(r, 7)?,
        crate::orgs::from_row_at(r, 7 + user_cols)?,
    ))
}

pub async fn get_with_user(c: &mut Conn, token_hash: &str) -> Result<Option<WithUser>, StoreError> {
    let r = sqlx::query(with_user_sql())
        .bind(token_hash)
        .fetch_optional(&mut *c)
        .await?;
    r.as_ref().map(with_user_from).transpose()
}
