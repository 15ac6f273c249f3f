//! The append-only record (RX.2). Each stream (one item, or the security log) is a hash chain:
//! hash = SM3(prev_hash || canonical content), and every event also takes its place in the
//! ledger (`crate::ledger`), which chains all streams in commit order under a keyed MAC.

use crate::{Conn, StoreError};
use serde::Serialize;
use sqlx::Row;

/// The hash a stream starts from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Everything that goes into one record, besides its place in the chain.
#[derive(Debug, Clone, Serialize)]
pub struct NewEvent {
    pub stream: String,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub org_name: String,
    pub role: String,
    pub action: String,
    pub article: String,
    pub policy_version: String,
    /// JSON text.
    pub payload: String,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    /// JSON text: the source address, request id and result (none on events recorded before
    /// the record kept them).
    pub context: Option<String>,
}

/// A stored event.
#[derive(Debug, Clone, Serialize)]
pub struct StoredEvent {
    pub id: i64,
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
    #[serde(flatten)]
    pub event: NewEvent,
}

/// The canonical bytes that are hashed: a JSON array in fixed order, so any change to any
/// field (or to its place in the chain) changes the hash.
fn canonical(seq: i64, e: &NewEvent) -> String {
    let mut v = serde_json::json!([
        e.stream,
        seq,
        e.at,
        e.actor_id,
        e.actor_name,
        e.org_name,
        e.role,
        e.action,
        e.article,
        e.policy_version,
        e.payload,
        e.before_state,
        e.after_state
    ]);
    // The context joins the hashed content only where it exists, so every event recorded
    // before it keeps its hash.
    if let (Some(ctx), Some(parts)) = (&e.context, v.as_array_mut()) {
        parts.push(serde_json::Value::String(ctx.clone()));
    }
    v.to_string()
}

pub fn chain_hash(prev_hash: &str, seq: i64, e: &NewEvent) -> String {
    crypto::sm3_parts(&[prev_hash.as_bytes(), b"\n", canonical(seq, e).as_bytes()])
}

/// Appends to the end of the event's stream. Must run inside the writer's transaction so
/// the state change and its record commit together.
pub async fn append(c: &mut Conn, e: &NewEvent) -> Result<StoredEvent, StoreError> {
    let last =
        sqlx::query("SELECT seq, hash FROM events WHERE stream = $1 ORDER BY seq DESC LIMIT 1")
            .bind(&e.stream)
            .fetch_optional(&mut *c)
            .await?;
    let (seq, prev_hash) = match last {
        Some(row) => (row.try_get::<i64, _>(0)? + 1, row.try_get::<String, _>(1)?),
        None => (1, GENESIS.to_string()),
    };
    let hash = chain_hash(&prev_hash, seq, e);
    let place = crate::ledger::take_place(c, &hash).await?;
    let row = sqlx::query(
        "INSERT INTO events (stream, seq, at, actor_id, actor_name, org_name, role, action, article, \
         policy_version, payload, before_state, after_state, prev_hash, hash, lseq, lhash, mac, context) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id",
    )
    .bind(&e.stream)
    .bind(seq)
    .bind(&e.at)
    .bind(e.actor_id)
    .bind(&e.actor_name)
    .bind(&e.org_name)
    .bind(&e.role)
    .bind(&e.action)
    .bind(&e.article)
    .bind(&e.policy_version)
    .bind(&e.payload)
    .bind(&e.before_state)
    .bind(&e.after_state)
    .bind(&prev_hash)
    .bind(&hash)
    .bind(place.lseq)
    .bind(&place.lhash)
    .bind(&place.mac)
    .bind(&e.context)
    .fetch_one(&mut *c)
    .await?;
    Ok(StoredEvent {
        id: row.try_get(0)?,
        seq,
        prev_hash,
        hash,
        event: e.clone(),
    })
}

pub(crate) const COLUMNS: &str = "id, seq, prev_hash, hash, stream, at, actor_id, actor_name, org_name, role, action, \
                       article, policy_version, payload, before_state, after_state, context";

pub(crate) fn from_row(row: &sqlx::any::AnyRow) -> Result<StoredEvent, StoreError> {
    Ok(StoredEvent {
        id: row.try_get(0)?,
        seq: row.try_get(1)?,
        prev_hash: row.try_get(2)?,
        hash: row.try_get(3)?,
        event: NewEvent {
            stream: row.try_get(4)?,
            at: row.try_get(5)?,
            actor_id: row.try_get(6)?,
            actor_name: row.try_get(7)?,
            org_name: row.try_get(8)?,
            role: row.try_get(9)?,
            action: row.try_get(10)?,
            article: row.try_get(11)?,
            policy_version: row.try_get(12)?,
            payload: row.try_get(13)?,
            before_state: row.try_get(14)?,
            after_state: row.try_get(15)?,
            context: row.try_get(16)?,
        },
    })
}

/// The history of one stream, oldest first.
pub async fn stream(c: &mut Conn, stream: &str) -> Result<Vec<StoredEvent>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM events WHERE stream = $1 ORDER BY seq"
    ))
    .bind(stream)
    .fetch_all(&mut *c)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Up to `limit` events after ledger place `after`, in ledger order, each with its place:
/// verification reads the record a page at a time.
pub async fn by_place(
    c: &mut Conn,
    after: i64,
    limit: i64,
) -> Result<Vec<(StoredEvent, crate::ledger::Place)>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS}, lseq, lhash, mac FROM events WHERE lseq > $1 ORDER BY lseq LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(&mut *c)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                from_row(r)?,
                crate::ledger::Place {
                    lseq: r.try_get(17)?,
                    lhash: r.try_get(18)?,
                    mac: r.try_get(19)?,
                },
            ))
        })
        .collect()
}

/// Events that hold no place in the ledger (id, stream, seq), up to `limit`, and how many
/// there are: none can exist unless written behind the platform's back.
pub async fn unplaced(
    c: &mut Conn,
    limit: i64,
) -> Result<(Vec<(i64, String, i64)>, i64), StoreError> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM events WHERE lseq IS NULL")
        .fetch_one(&mut *c)
        .await?
        .try_get(0)?;
    if n == 0 {
        return Ok((Vec::new(), 0));
    }
    let rows =
        sqlx::query("SELECT id, stream, seq FROM events WHERE lseq IS NULL ORDER BY id LIMIT $1")
            .bind(limit)
            .fetch_all(&mut *c)
            .await?;
    let listed = rows
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect::<Result<_, StoreError>>()?;
    Ok((listed, n))
}

/// What is wrong with the record, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    pub event_id: i64,
    pub stream: String,
    pub seq: i64,
    pub what: String,
}
