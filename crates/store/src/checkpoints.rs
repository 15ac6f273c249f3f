//! Periodic checkpoints: the heads of all streams, signed with the platform's SM2 key. A
//! removed tail of a stream, or a rewritten chain, no longer matches a signed checkpoint.

use crate::events::Heads;
use crate::{Conn, StoreError};
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub id: i64,
    pub at: String,
    pub heads: Heads,
    pub digest: String,
    pub signature: String,
    pub public_key: String,
}

fn digest_of(at: &str, heads_json: &str) -> String {
    crypto::sm3_parts(&[at.as_bytes(), b"\n", heads_json.as_bytes()])
}

/// Records a signed checkpoint of the given heads.
pub async fn write(
    c: &mut Conn,
    at: &str,
    heads: &Heads,
    key: &crypto::KeyPair,
) -> Result<i64, StoreError> {
    let heads_json =
        serde_json::to_string(heads).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let digest = digest_of(at, &heads_json);
    let signature = key
        .sign(digest.as_bytes())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let row = sqlx::query(
        "INSERT INTO checkpoints (at, heads, digest, signature, public_key) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(at)
    .bind(&heads_json)
    .bind(&digest)
    .bind(&signature)
    .bind(key.public().to_hex())
    .fetch_one(&mut *c)
    .await?;
    Ok(row.try_get(0)?)
}

/// All checkpoints, oldest first.
pub async fn all(c: &mut Conn) -> Result<Vec<Checkpoint>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, at, heads, digest, signature, public_key FROM checkpoints ORDER BY id",
    )
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            let heads_json: String = r.try_get(2)?;
            Ok(Checkpoint {
                id: r.try_get(0)?,
                at: r.try_get(1)?,
                heads: serde_json::from_str(&heads_json)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                digest: r.try_get(3)?,
                signature: r.try_get(4)?,
                public_key: r.try_get(5)?,
            })
        })
        .collect()
}

impl Checkpoint {
    /// Whether the checkpoint's digest matches its content and is signed by `key`.
    pub fn is_signed_by(&self, key: &crypto::PublicKey) -> bool {
        let Ok(heads_json) = serde_json::to_string(&self.heads) else {
            return false;
        };
        digest_of(&self.at, &heads_json) == self.digest
            && key.verify(self.digest.as_bytes(), &self.signature)
    }
}
