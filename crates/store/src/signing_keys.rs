//! Users' signing keys as the platform holds them: the public half in the clear, the private
//! half sealed by the caller (the store never sees it open).

use crate::{Conn, StoreError};
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct SigningKey {
    pub user_id: i64,
    pub public_hex: String,
    pub sealed_hex: String,
    /// The key-encryption key that sealed it (`None`: sealed before KEKs had files of their own).
    pub kek_id: Option<String>,
}

pub async fn get(c: &mut Conn, user_id: i64) -> Result<Option<SigningKey>, StoreError> {
    let r = sqlx::query(
        "SELECT user_id, public_hex, sealed_hex, kek_id FROM signing_keys WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut *c)
    .await?;
    r.map(|r| {
        Ok(SigningKey {
            user_id: r.try_get(0)?,
            public_hex: r.try_get(1)?,
            sealed_hex: r.try_get(2)?,
            kek_id: r.try_get(3)?,
        })
    })
    .transpose()
}

pub async fn insert(c: &mut Conn, k: &SigningKey, at: &str) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO signing_keys (user_id, public_hex, sealed_hex, created_at, kek_id) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(k.user_id)
    .bind(&k.public_hex)
    .bind(&k.sealed_hex)
    .bind(at)
    .bind(&k.kek_id)
    .execute(&mut *c)
    .await?;
    Ok(())
}

/// The users whose keys were sealed under a KEK other than `kek_id` (or none named).
pub async fn sealed_otherwise(c: &mut Conn, kek_id: &str) -> Result<Vec<SigningKey>, StoreError> {
    let rows = sqlx::query(
        "SELECT user_id, public_hex, sealed_hex, kek_id FROM signing_keys WHERE kek_id IS NULL OR kek_id <> $1 ORDER BY user_id",
    )
    .bind(kek_id)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(SigningKey {
                user_id: r.try_get(0)?,
                public_hex: r.try_get(1)?,
                sealed_hex: r.try_get(2)?,
                kek_id: r.try_get(3)?,
            })
        })
        .collect()
}

/// Replaces a sealed key's envelope (same key, sealed under another KEK).
pub async fn reseal(
    c: &mut Conn,
    user_id: i64,
    sealed_hex: &str,
    kek_id: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE signing_keys SET sealed_hex = $1, kek_id = $2 WHERE user_id = $3")
        .bind(sealed_hex)
        .bind(kek_id)
        .bind(user_id)
        .execute(&mut *c)
        .await?;
    Ok(())
}
