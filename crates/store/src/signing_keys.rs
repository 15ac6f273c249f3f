//! Users' signing keys as the platform holds them: the public half in the clear, the private
//! half sealed by the caller (the store never sees it open).

use crate::{Conn, StoreError};
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct SigningKey {
    pub user_id: i64,
    pub public_hex: String,
    pub sealed_hex: String,
}

pub async fn get(c: &mut Conn, user_id: i64) -> Result<Option<SigningKey>, StoreError> {
    let r =
        sqlx::query("SELECT user_id, public_hex, sealed_hex FROM signing_keys WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&mut *c)
            .await?;
    r.map(|r| {
        Ok(SigningKey {
            user_id: r.try_get(0)?,
            public_hex: r.try_get(1)?,
            sealed_hex: r.try_get(2)?,
        })
    })
    .transpose()
}

pub async fn insert(c: &mut Conn, k: &SigningKey, at: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO signing_keys (user_id, public_hex, sealed_hex, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(k.user_id)
    .bind(&k.public_hex)
    .bind(&k.sealed_hex)
    .bind(at)
    .execute(&mut *c)
    .await?;
    Ok(())
}
